//! After clustering: every candidate service needs an entry point, and what several services
//! lean on is shared, not owned.
//!
//! Leiden cuts the fused graph where ties are weak, which is not the same as where services
//! are: helper modules with no route form clusters of their own (a "service" nobody could
//! call), and a module that every domain uses glues whichever domains it lands with. Two rules
//! fix that, over the fused graph and the clustering:
//!
//! 1. **Entry points.** A cluster is a service only if one of its modules is an entry point
//!    (serves a route), or people pinned it. The modules of every other cluster are placed by
//!    the services whose handlers reach them ([`super::reach`]), or, when no handler does, by
//!    their ties to the services (both, half each, when some handler reaches them): with the
//!    one service they lean on (at least
//!    [`OWNER_SHARE`] of their ties), else in the shared kernel when at least
//!    [`MIN_USING_SERVICES`] services use them, else with the strongest one; a module that
//!    reads or writes a table always goes with the strongest (domain data is owned), and one
//!    with no tie to any service stays unassigned. Placing is repeated so that a helper used
//!    only by another helper follows it.
//! 2. **Cross-cutting modules.** A module inside a service, with no entry point and no table
//!    of its own, whose ties spread over more than [`MIN_USING_SERVICES`] services, none of
//!    them holding [`OWNER_SHARE`], moves to the shared kernel (authentication, error types,
//!    configuration, pools: used from every domain, owned by none).
//!
//! [`entry_clusters`] is the cut of a first plan: entry points clustered among themselves.
//!
//! Pure and deterministic: ties are summed fused weights, services are visited in id order.

use std::collections::{BTreeMap, BTreeSet};

use super::reach::Reached;
use super::signals::FusedGraph;
use crate::cluster;

/// The share of a module's ties to services that makes one service its owner.
pub const OWNER_SHARE: f64 = 0.6;
/// Services whose use makes a module without an owner shared.
pub const MIN_USING_SERVICES: usize = 2;
/// A service counts as using a module when it holds at least this share of the module's ties.
const USE_SHARE: f64 = 0.1;
/// The entry-point graph is denser than the module graph (shared helpers become direct
/// ties), so its cut runs at this multiple of the resolution. Chosen on the development
/// corpus and our fixtures (docs/planning.md): at 2 the example monolith's coupled domains
/// merge, at 3 and 4 none of our fixtures does, and 3 splits fewer corpus domains than 4.
pub const ENTRY_RESOLUTION_FACTOR: f64 = 3.0;
/// How much who reaches a module counts against whom it is tied to, when some entry point
/// reaches it. Chosen on the development corpus (docs/performance.md): reach alone follows a
/// shared domain model to its heaviest user (an actor store both the federation and the client
/// API call), ties alone follow a data-access layer wherever it lands; half each did better
/// on five of six applications than either alone, at 0.4 and 0.6 a little worse.
pub const REACH_WEIGHT: f64 = 0.5;
/// Rounds of placing modules that lean on other placed modules.
const PLACING_ROUNDS: usize = 8;

/// What [`refine`] decided.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Refined {
    /// Cluster of each module of the graph; `None`: in no service.
    pub clusters: Vec<Option<usize>>,
    /// Modules (graph indices) moved to the shared kernel.
    pub kernel: BTreeSet<usize>,
    /// What placed each module this step moved (graph index -> evidence).
    pub placed: BTreeMap<usize, Placed>,
}

/// The evidence that placed a module: who reaches it, or its ties.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Reached by handlers (true) or placed by its fused ties (false).
    pub reached: bool,
    /// Each service's share of the evidence, largest first.
    pub shares: Vec<(usize, f64)>,
}

impl Placed {
    fn new(reached: bool, evidence: &BTreeMap<usize, f64>) -> Placed {
        let total: f64 = evidence.values().sum();
        let mut shares: Vec<(usize, f64)> = evidence
            .iter()
            .filter(|(_, weight)| **weight > 0.0)
            .map(|(&service, &weight)| (service, weight / total))
            .collect();
        shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Placed { reached, shares }
    }
}

/// What [`refine`] knows of each module (one entry per `graph.modules`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModuleRole {
    /// Serves a route.
    pub entry: bool,
    /// Reads or writes a table: domain data, owned by a service, never shared kernel.
    pub data: bool,
    /// People placed it; its cluster stays.
    pub pinned: bool,
}

/// Applies both rules to `clusters` (one entry per `graph.modules`). A module that some
/// service's handlers reach (`reached`, see [`super::reach`]) is placed by who reaches it;
/// one that no handler reaches, by its ties.
pub fn refine(
    graph: &FusedGraph,
    clusters: &[Option<usize>],
    roles: &[ModuleRole],
    reached: &Reached,
) -> Refined {
    let n = graph.modules.len();
    let mut neighbours: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (&(a, b), parts) in &graph.edges {
        let weight: f64 = parts.values().sum();
        if a < n && b < n && weight > 0.0 {
            neighbours[a].push((b, weight));
            neighbours[b].push((a, weight));
        }
    }
    let mut services: BTreeSet<usize> = BTreeSet::new();
    for (idx, cluster) in clusters.iter().enumerate() {
        if let Some(cluster) = cluster
            && (roles[idx].entry || roles[idx].pinned)
        {
            services.insert(*cluster);
        }
    }

    let mut out: Vec<Option<usize>> = clusters
        .iter()
        .map(|cluster| cluster.filter(|cluster| services.contains(cluster)))
        .collect();
    let mut kernel = BTreeSet::new();
    let mut placed = BTreeMap::new();

    // Rule 2 on the modules of services first, so what they glue is seen for what it is.
    for idx in 0..n {
        let role = roles[idx];
        if role.entry || role.pinned || role.data || out[idx].is_none() {
            continue;
        }
        let (by_reach, ties) = evidence(idx, reached, &neighbours[idx], &out, &kernel);
        if is_shared(&ties) {
            out[idx] = None;
            kernel.insert(idx);
            placed.insert(idx, Placed::new(by_reach, &ties));
        }
    }

    // Rule 1: place the modules of clusters without an entry point.
    let mut waiting: Vec<usize> = (0..n)
        .filter(|&idx| clusters[idx].is_some() && out[idx].is_none() && !kernel.contains(&idx))
        .collect();
    for _ in 0..PLACING_ROUNDS {
        let mut placed_any = false;
        let mut still = Vec::new();
        let snapshot = out.clone();
        for idx in waiting {
            let (by_reach, ties) = evidence(idx, reached, &neighbours[idx], &snapshot, &kernel);
            match decide(&ties, roles[idx].data) {
                Placement::Owner(service) => {
                    out[idx] = Some(service);
                    placed.insert(idx, Placed::new(by_reach, &ties));
                    placed_any = true;
                }
                Placement::Shared => {
                    kernel.insert(idx);
                    placed.insert(idx, Placed::new(by_reach, &ties));
                    placed_any = true;
                }
                Placement::Unknown => still.push(idx),
            }
        }
        waiting = still;
        if !placed_any || waiting.is_empty() {
            break;
        }
    }
    Refined {
        clusters: out,
        kernel,
        placed,
    }
}

/// Clusters the entry points among themselves: two entry modules are tied by their own fused
/// edge plus what they share through modules without an entry point, each such module's ties
/// divided among the entry points it touches, so a helper every domain uses glues nothing.
/// Returns the cluster of each entry module (`None` for the others).
pub fn entry_clusters(
    graph: &FusedGraph,
    roles: &[ModuleRole],
    settings: &cluster::Settings,
) -> Result<Vec<Option<usize>>, cluster::Error> {
    let entries: Vec<usize> = (0..graph.modules.len())
        .filter(|&idx| roles[idx].entry)
        .collect();
    let edges = project(graph, &entries);
    let cluster_graph = cluster::Graph::from_edges(entries.len(), &edges)?;
    let mut settings = settings.clone();
    settings.resolution *= ENTRY_RESOLUTION_FACTOR;
    let partition = cluster::detect(&cluster_graph, &settings, &cluster::Constraints::default())?;
    let mut out = vec![None; graph.modules.len()];
    for (position, &idx) in entries.iter().enumerate() {
        out[idx] = Some(partition.membership[position]);
    }
    Ok(out)
}

/// The ties between `entries` (graph indices): their own fused edges plus, for every other
/// module, its ties divided among the entries it touches. Edges are between positions in
/// `entries`.
fn project(graph: &FusedGraph, entries: &[usize]) -> Vec<(usize, usize, f64)> {
    let n = graph.modules.len();
    let position: BTreeMap<usize, usize> = entries
        .iter()
        .enumerate()
        .map(|(position, &idx)| (idx, position))
        .collect();
    let mut to_entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut projected: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (&(a, b), parts) in &graph.edges {
        let weight: f64 = parts.values().sum();
        match (position.get(&a), position.get(&b)) {
            (Some(&pa), Some(&pb)) => {
                *projected.entry((pa.min(pb), pa.max(pb))).or_insert(0.0) += weight;
            }
            (Some(&pa), None) => to_entries[b].push((pa, weight)),
            (None, Some(&pb)) => to_entries[a].push((pb, weight)),
            (None, None) => {}
        }
    }
    for touching in &to_entries {
        if touching.len() < 2 {
            continue;
        }
        let share = 1.0 / (touching.len() - 1) as f64;
        for (i, &(a, weight_a)) in touching.iter().enumerate() {
            for &(b, weight_b) in &touching[i + 1..] {
                if a != b {
                    *projected.entry((a.min(b), a.max(b))).or_insert(0.0) +=
                        weight_a.min(weight_b) * share;
                }
            }
        }
    }
    projected
        .into_iter()
        .map(|((a, b), weight)| (a, b, weight))
        .collect()
}

/// A candidate that held most of the entry points, cut in parts.
#[derive(Debug, Clone, PartialEq)]
pub struct GiantSplit {
    /// The clusters it became, the one that kept its id first.
    pub parts: Vec<usize>,
    /// Its share of all entry points (routes and jobs) before the cut.
    pub share: f64,
    /// The share of the tie weight between its entry modules that now crosses parts.
    pub cut: f64,
}

/// A service holding more than this share of all entry points (routes and background jobs)
/// is a giant, cut along its entry points' own ties.
pub const GIANT_SHARE: f64 = 0.5;
/// Resolutions (multiples of the plan's) tried in turn to cut a giant, lowest first: its entry
/// graph on its own parts at a lower resolution than it survived in the whole one.
const GIANT_STEPS: [f64; 5] = [1.0, 1.5, 2.0, 3.0, 4.0];

/// Cuts the service that holds more than [`GIANT_SHARE`] of the entry points (`weights[i]`:
/// the routes and jobs of module `i`) in parts, along the ties of its entry modules: the
/// evidence the fused graph holds (shared route prefixes, tables, the module tree, calls),
/// at a higher resolution each step until it parts. Changes `clusters` in place.
pub fn split_giant(
    graph: &FusedGraph,
    clusters: &mut [Option<usize>],
    weights: &[f64],
    settings: &cluster::Settings,
) -> Result<Option<GiantSplit>, cluster::Error> {
    let total: f64 = weights.iter().sum();
    let mut held: BTreeMap<usize, f64> = BTreeMap::new();
    for (idx, cluster) in clusters.iter().enumerate() {
        if let Some(cluster) = cluster {
            *held.entry(*cluster).or_insert(0.0) += weights.get(idx).copied().unwrap_or(0.0);
        }
    }
    let Some((&giant, &weight)) = held
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
    else {
        return Ok(None);
    };
    if total <= 0.0 || weight / total <= GIANT_SHARE {
        return Ok(None);
    }
    let members: Vec<usize> = (0..clusters.len())
        .filter(|&idx| clusters[idx] == Some(giant) && weights.get(idx).is_some_and(|w| *w > 0.0))
        .collect();
    if members.len() < 2 {
        return Ok(None);
    }
    let edges = project(graph, &members);
    let inside: f64 = edges.iter().map(|&(_, _, weight)| weight).sum();
    let cluster_graph = cluster::Graph::from_edges(members.len(), &edges)?;
    let next = clusters.iter().flatten().max().map_or(0, |max| max + 1);
    for step in GIANT_STEPS {
        let mut settings = settings.clone();
        settings.resolution *= step;
        let partition =
            cluster::detect(&cluster_graph, &settings, &cluster::Constraints::default())?;
        if partition.n_clusters < 2 {
            continue;
        }
        let cut: f64 = edges
            .iter()
            .filter(|&&(a, b, _)| partition.membership[a] != partition.membership[b])
            .map(|&(_, _, weight)| weight)
            .sum();
        // Part 0 keeps the giant's id; the others take new ones.
        let id = |part: usize| if part == 0 { giant } else { next + part - 1 };
        for (position, &idx) in members.iter().enumerate() {
            clusters[idx] = Some(id(partition.membership[position]));
        }
        return Ok(Some(GiantSplit {
            parts: (0..partition.n_clusters).map(id).collect(),
            share: weight / total,
            cut: if inside > 0.0 { cut / inside } else { 0.0 },
        }));
    }
    Ok(None)
}

enum Placement {
    Owner(usize),
    Shared,
    /// No tie to any service (yet).
    Unknown,
}

/// What places a module: the shares of the services whose entry points reach it and the
/// shares of its ties, weighed [`REACH_WEIGHT`] to the rest (`true`), or its ties alone when
/// no entry point reaches it (`false`).
fn evidence(
    idx: usize,
    reached: &Reached,
    neighbours: &[(usize, f64)],
    clusters: &[Option<usize>],
    kernel: &BTreeSet<usize>,
) -> (bool, BTreeMap<usize, f64>) {
    let ties = ties_by_service(neighbours, clusters, kernel);
    let Some(by_service) = reached.get(idx).filter(|by_service| !by_service.is_empty()) else {
        return (false, ties);
    };
    let mut mixed = BTreeMap::new();
    for (part, weight) in [(by_service, REACH_WEIGHT), (&ties, 1.0 - REACH_WEIGHT)] {
        let total: f64 = part.values().sum();
        if total <= 0.0 {
            continue;
        }
        for (&service, &value) in part {
            *mixed.entry(service).or_insert(0.0) += weight * value / total;
        }
    }
    (true, mixed)
}

/// A module's summed ties to each service, leaving out modules in no service and the kernel.
fn ties_by_service(
    neighbours: &[(usize, f64)],
    clusters: &[Option<usize>],
    kernel: &BTreeSet<usize>,
) -> BTreeMap<usize, f64> {
    let mut ties: BTreeMap<usize, f64> = BTreeMap::new();
    for &(other, weight) in neighbours {
        if kernel.contains(&other) {
            continue;
        }
        if let Some(service) = clusters[other] {
            *ties.entry(service).or_insert(0.0) += weight;
        }
    }
    ties
}

/// Where a module without an entry point goes; a `data` module always goes to the service it
/// leans on most.
fn decide(ties: &BTreeMap<usize, f64>, data: bool) -> Placement {
    let total: f64 = ties.values().sum();
    if total <= 0.0 {
        return Placement::Unknown;
    }
    let (best, weight) = ties.iter().fold(
        (usize::MAX, 0.0),
        |(best, best_weight), (&service, &weight)| {
            if weight > best_weight {
                (service, weight)
            } else {
                (best, best_weight)
            }
        },
    );
    if data || weight / total >= OWNER_SHARE {
        Placement::Owner(best)
    } else if using(ties, total) >= MIN_USING_SERVICES {
        Placement::Shared
    } else {
        Placement::Owner(best)
    }
}

/// Whether a module in a service is really shared: several services use it and none owns it.
fn is_shared(ties: &BTreeMap<usize, f64>) -> bool {
    let total: f64 = ties.values().sum();
    if total <= 0.0 {
        return false;
    }
    let top = ties.values().fold(0.0_f64, |top, &weight| top.max(weight));
    top / total < OWNER_SHARE && using(ties, total) > MIN_USING_SERVICES
}

fn using(ties: &BTreeMap<usize, f64>, total: f64) -> usize {
    ties.values()
        .filter(|&&weight| weight / total >= USE_SHARE)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::signals::SignalGroup;

    /// A graph over modules `m0..mN` with the given undirected weights.
    fn graph(n: usize, edges: &[(usize, usize, f64)]) -> FusedGraph {
        let mut graph = FusedGraph {
            modules: (0..n).map(|idx| format!("m{idx:02}")).collect(),
            edges: BTreeMap::new(),
        };
        for &(a, b, weight) in edges {
            graph
                .edges
                .entry((a.min(b), a.max(b)))
                .or_default()
                .insert(SignalGroup::Structural, weight);
        }
        graph
    }

    fn roles(entries: &[usize], data: &[usize], n: usize) -> Vec<ModuleRole> {
        (0..n)
            .map(|idx| ModuleRole {
                entry: entries.contains(&idx),
                data: data.contains(&idx),
                pinned: false,
            })
            .collect()
    }

    #[test]
    fn a_helper_cluster_joins_the_one_service_it_serves() {
        // Services {0, 1} and {2, 3}; helpers 4 and 5 formed a cluster of their own: 4 serves
        // service 0 only, 5 only helps 4.
        let graph = graph(
            6,
            &[
                (0, 1, 3.0),
                (2, 3, 3.0),
                (1, 4, 2.0),
                (4, 5, 1.0),
                (1, 2, 0.1),
            ],
        );
        let clusters = [Some(0), Some(0), Some(1), Some(1), Some(2), Some(2)];
        let refined = refine(&graph, &clusters, &roles(&[0, 2], &[], 6), &Vec::new());
        assert_eq!(
            refined.clusters,
            [Some(0), Some(0), Some(1), Some(1), Some(0), Some(0)]
        );
        assert!(refined.kernel.is_empty());
    }

    #[test]
    fn a_helper_several_services_use_is_shared_unless_it_holds_data() {
        // Three services (0, 1, 2 are entry points); 3 and 4 are used evenly by all three.
        // 4 writes a table: it goes to the service it leans on most, never to the kernel.
        let graph = graph(
            5,
            &[
                (0, 3, 1.0),
                (1, 3, 1.0),
                (2, 3, 1.0),
                (0, 4, 1.2),
                (1, 4, 1.0),
                (2, 4, 1.0),
            ],
        );
        let clusters = [Some(0), Some(1), Some(2), Some(3), Some(3)];
        let refined = refine(&graph, &clusters, &roles(&[0, 1, 2], &[4], 5), &Vec::new());
        assert_eq!(refined.kernel, BTreeSet::from([3]));
        assert_eq!(refined.clusters[3], None);
        assert_eq!(refined.clusters[4], Some(0));
    }

    #[test]
    fn a_cross_cutting_module_inside_a_service_moves_to_the_kernel() {
        // Module 3 sits in service 0 but is used as much by services 1 and 2.
        let graph = graph(4, &[(0, 3, 1.0), (1, 3, 1.0), (2, 3, 1.0)]);
        let clusters = [Some(0), Some(1), Some(2), Some(0)];
        let refined = refine(&graph, &clusters, &roles(&[0, 1, 2], &[], 4), &Vec::new());
        assert_eq!(refined.kernel, BTreeSet::from([3]));
        assert_eq!(refined.clusters, [Some(0), Some(1), Some(2), None]);
    }

    #[test]
    fn a_module_goes_to_the_service_whose_handlers_reach_it_not_to_its_strongest_tie() {
        // Entries 0 (orders) and 1 (users); 2 is a data-access layer both use, 3 an orders
        // entity tied to nothing but that layer. By ties, 3 would follow 2 into users.
        let graph = graph(4, &[(0, 2, 1.0), (1, 2, 2.0), (2, 3, 3.0)]);
        let clusters = [Some(0), Some(1), Some(2), Some(2)];
        let roles = roles(&[0, 1], &[2], 4);
        let by_ties = refine(&graph, &clusters, &roles, &Vec::new());
        assert_eq!(by_ties.clusters[3], Some(1));
        let reached = vec![
            BTreeMap::from([(0, 1.0)]),
            BTreeMap::from([(1, 1.0)]),
            BTreeMap::from([(0, 0.5), (1, 1.0)]),
            BTreeMap::from([(0, 0.25)]),
        ];
        let by_reach = refine(&graph, &clusters, &roles, &reached);
        assert_eq!(by_reach.clusters, [Some(0), Some(1), Some(1), Some(0)]);
    }

    #[test]
    fn a_candidate_holding_most_entry_points_is_cut_along_its_weakest_ties() {
        // Entries 0..=4 formed one candidate holding 5 of 6 entry points: 0, 1, 2 are tied
        // tightly, so are 3 and 4, and 2-3 only weakly. Entry 5 is a service of its own.
        let graph = graph(
            6,
            &[
                (0, 1, 3.0),
                (1, 2, 3.0),
                (0, 2, 3.0),
                (3, 4, 3.0),
                (2, 3, 0.3),
            ],
        );
        let mut clusters = vec![Some(0), Some(0), Some(0), Some(0), Some(0), Some(1)];
        let split = split_giant(
            &graph,
            &mut clusters,
            &[1.0; 6],
            &cluster::Settings::default(),
        )
        .unwrap()
        .expect("the giant is cut");
        assert_eq!(
            clusters,
            [Some(0), Some(0), Some(0), Some(2), Some(2), Some(1)]
        );
        assert_eq!(split.parts, [0, 2]);
        assert!((split.share - 5.0 / 6.0).abs() < 1e-9);
        assert!((split.cut - 0.3 / 12.3).abs() < 1e-9, "{}", split.cut);
    }

    #[test]
    fn a_candidate_holding_half_the_entry_points_is_no_giant() {
        let graph = graph(4, &[(0, 1, 3.0), (2, 3, 3.0), (1, 2, 0.1)]);
        let mut clusters = vec![Some(0), Some(0), Some(1), Some(1)];
        let split = split_giant(
            &graph,
            &mut clusters,
            &[1.0; 4],
            &cluster::Settings::default(),
        )
        .unwrap();
        assert_eq!(split, None);
        assert_eq!(clusters, [Some(0), Some(0), Some(1), Some(1)]);
    }

    #[test]
    fn a_module_with_no_tie_to_any_service_is_left_unassigned() {
        let graph = graph(3, &[(0, 1, 1.0)]);
        let clusters = [Some(0), Some(0), Some(1)];
        let refined = refine(&graph, &clusters, &roles(&[0], &[], 3), &Vec::new());
        assert_eq!(refined.clusters, [Some(0), Some(0), None]);
        assert!(refined.kernel.is_empty());
    }

    #[test]
    fn entry_points_are_not_glued_by_a_helper_every_one_of_them_uses() {
        // Two domains (entries 0, 1 with their own helpers 2, 3) and a helper 4 that all use.
        let graph = graph(
            5,
            &[
                (0, 2, 3.0),
                (1, 3, 3.0),
                (0, 4, 2.0),
                (1, 4, 2.0),
                (2, 4, 1.0),
                (3, 4, 1.0),
            ],
        );
        let clusters = entry_clusters(
            &graph,
            &roles(&[0, 1], &[], 5),
            &cluster::Settings::default(),
        )
        .unwrap();
        assert!(clusters[0].is_some() && clusters[1].is_some());
        assert_ne!(clusters[0], clusters[1]);
        assert_eq!(clusters[2..], [None, None, None]);
    }
}

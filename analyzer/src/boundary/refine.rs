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
//!    reads, writes or defines a table always goes with the strongest (domain data is owned), and one
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
    /// Reads, writes or defines a table: domain data, owned by a service, never shared kernel.
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
/// Entry modules of one unit (`units`, see [`entry_units`]) are clustered as one.
/// Returns the cluster of each entry module (`None` for the others).
pub fn entry_clusters(
    graph: &FusedGraph,
    roles: &[ModuleRole],
    units: &[usize],
    settings: &cluster::Settings,
) -> Result<Vec<Option<usize>>, cluster::Error> {
    let entries: Vec<usize> = (0..graph.modules.len())
        .filter(|&idx| roles[idx].entry)
        .collect();
    let (position, nodes) = unit_positions(&entries, units);
    let edges = project(graph, &position);
    let cluster_graph = cluster::Graph::from_edges(nodes, &edges)?;
    let mut settings = settings.clone();
    settings.resolution *= ENTRY_RESOLUTION_FACTOR;
    let partition = cluster::detect(&cluster_graph, &settings, &cluster::Constraints::default())?;
    let mut out = vec![None; graph.modules.len()];
    for (&idx, &node) in &position {
        out[idx] = Some(partition.membership[node]);
    }
    Ok(out)
}

/// Words for one action on a resource. An entry module named so (`sites::create`,
/// `endpoint::crud`) is a part of its parent, the resource, not a resource of its own.
pub const ACTIONS: &[&str] = &[
    "add", "create", "crud", "delete", "destroy", "edit", "get", "index", "list", "new", "remove",
    "show", "update", "view",
];

/// The unit each entry module is clustered as (`units[i]`: the graph index of the module
/// standing for the unit, or an id past the graph's for a resource module outside it; other
/// modules stand for themselves). REST resources are split over modules in two
/// ways that are still one resource:
/// - **actions**: modules named after an action (`sitekey::{add, edit, list}`, [`ACTIONS`])
///   are parts of their parent module;
/// - **sub-resources**: an entry module nested in another entry module, every route of which
///   lies under the outer one's route prefix (`endpoint::headers` serving
///   `/app/{id}/endpoint/{id}/headers` under `endpoint`'s `/app/{id}/endpoint`), is part of
///   it. The prefix is the static segments common to the outer module's routes and must be
///   longer than the prefix common to every route of the application (`/api/v1`), so that a
///   parent serving `/` or a version root holds nothing.
///
/// `routes` gives each module's route paths.
pub fn entry_units(
    graph: &FusedGraph,
    roles: &[ModuleRole],
    routes: &BTreeMap<&str, Vec<&str>>,
) -> Vec<usize> {
    let statics = |path: &str| -> Vec<String> {
        path.split('/')
            .filter(|segment| !segment.is_empty() && !segment.starts_with(['{', ':', '*', '<']))
            .map(str::to_string)
            .collect()
    };
    let common = |paths: &mut dyn Iterator<Item = Vec<String>>| -> Option<Vec<String>> {
        let mut prefix: Option<Vec<String>> = None;
        for path in paths {
            prefix = Some(match prefix {
                None => path,
                Some(prefix) => prefix
                    .into_iter()
                    .zip(path)
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect(),
            });
        }
        prefix
    };
    let app_wide = common(&mut routes.values().flatten().map(|path| statics(path)))
        .map_or(0, |prefix| prefix.len());
    let prefix_of = |module: &str| -> Option<Vec<String>> {
        let prefix = common(&mut routes.get(module)?.iter().map(|path| statics(path)))?;
        (prefix.len() > app_wide).then_some(prefix)
    };
    let parent = |module: &str| -> Option<String> {
        let (parent, _) = module.rsplit_once("::")?;
        parent.contains("::").then(|| parent.to_string())
    };
    let mut units: Vec<usize> = (0..graph.modules.len()).collect();
    let mut outside: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, module) in graph.modules.iter().enumerate() {
        if !roles[idx].entry {
            continue;
        }
        // The resource a module's code stands for: its parent when it is an action.
        let mut resource = module.clone();
        if let Some(last) = module.rsplit("::").next()
            && ACTIONS.contains(&last)
            && let Some(parent) = parent(module)
        {
            resource = parent;
        }
        // The outermost entry module above (or at) the resource whose route prefix holds
        // every route of this one.
        let own: Vec<Vec<String>> = routes
            .get(module.as_str())
            .into_iter()
            .flatten()
            .map(|path| statics(path))
            .collect();
        let mut unit = (resource != *module).then_some(resource.clone());
        let mut above = Some(resource);
        while let Some(candidate) = above {
            if candidate != *module
                && graph
                    .index_of(&candidate)
                    .is_some_and(|outer| roles[outer].entry)
                && let Some(prefix) = prefix_of(&candidate)
                && !own.is_empty()
                && own.iter().all(|path| path.starts_with(&prefix))
            {
                unit = Some(candidate.clone());
            }
            above = parent(&candidate);
        }
        if let Some(unit) = unit {
            // A resource module outside the graph (no code of its own to cluster) gets an id
            // past the graph's.
            let next = graph.modules.len() + outside.len();
            units[idx] = graph
                .index_of(&unit)
                .unwrap_or_else(|| *outside.entry(unit).or_insert(next));
        }
    }
    units
}

/// Each entry's node in the entry graph (entries of one unit share a node) and the number of
/// nodes.
fn unit_positions(entries: &[usize], units: &[usize]) -> (BTreeMap<usize, usize>, usize) {
    let mut node_of_unit: BTreeMap<usize, usize> = BTreeMap::new();
    let mut position = BTreeMap::new();
    for &idx in entries {
        let unit = units.get(idx).copied().unwrap_or(idx);
        let next = node_of_unit.len();
        let node = *node_of_unit.entry(unit).or_insert(next);
        position.insert(idx, node);
    }
    let nodes = node_of_unit.len();
    (position, nodes)
}

/// The ties between entry nodes (`position`: graph index of an entry module -> its node):
/// their own fused edges plus, for every other module, its ties divided among the entry
/// nodes it touches.
fn project(graph: &FusedGraph, position: &BTreeMap<usize, usize>) -> Vec<(usize, usize, f64)> {
    let n = graph.modules.len();
    let mut to_entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut projected: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (&(a, b), parts) in &graph.edges {
        let weight: f64 = parts.values().sum();
        match (position.get(&a), position.get(&b)) {
            (Some(&pa), Some(&pb)) => {
                if pa != pb {
                    *projected.entry((pa.min(pb), pa.max(pb))).or_insert(0.0) += weight;
                }
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
    units: &[usize],
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
    let (position, nodes) = unit_positions(&members, units);
    if nodes < 2 {
        return Ok(None);
    }
    let edges = project(graph, &position);
    let inside: f64 = edges.iter().map(|&(_, _, weight)| weight).sum();
    let cluster_graph = cluster::Graph::from_edges(nodes, &edges)?;
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
        for (&idx, &node) in &position {
            clusters[idx] = Some(id(partition.membership[node]));
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
            &[0, 1, 2, 3, 4, 5],
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
            &[0, 1, 2, 3],
            &cluster::Settings::default(),
        )
        .unwrap();
        assert_eq!(split, None);
        assert_eq!(clusters, [Some(0), Some(0), Some(1), Some(1)]);
    }

    #[test]
    fn actions_and_sub_resources_are_one_unit_with_their_resource() {
        let modules = [
            "app::pages",                 // 0: serves `/`
            "app::pages::settings",       // 1: `/settings`: not under `/`'s prefix
            "app::v1::endpoint",          // 2: `/api/v1/app/{id}/endpoint/{id}/stats`
            "app::v1::endpoint::crud",    // 3: an action
            "app::v1::endpoint::headers", // 4: under the endpoint's prefix
            "app::v1::endpoint::secrets", // 5: one route outside it
            "app::v1::sites::create",     // 6: actions of a resource module with no route
            "app::v1::sites::list",       // 7
            "app::v1::sites::stats",      // 8: not an action
        ];
        let graph = FusedGraph {
            modules: modules.iter().map(|id| id.to_string()).collect(),
            edges: BTreeMap::new(),
        };
        let roles = roles(&(0..9).collect::<Vec<_>>(), &[], 9);
        let routes: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
            (modules[0], vec!["/"]),
            (modules[1], vec!["/settings"]),
            (
                modules[2],
                vec![
                    "/api/v1/app/{app}/endpoint/{id}/stats",
                    "/api/v1/app/{app}/endpoint/{id}/example",
                ],
            ),
            (modules[3], vec!["/api/v1/app/{app}/endpoint"]),
            (modules[4], vec!["/api/v1/app/{app}/endpoint/{id}/headers"]),
            (
                modules[5],
                vec!["/api/v1/app/{app}/endpoint/{id}/secret", "/api/v1/secret"],
            ),
            (modules[6], vec!["/api/v1/sites/add"]),
            (modules[7], vec!["/api/v1/sites"]),
            (modules[8], vec!["/api/v1/sites/stats"]),
        ]);
        let units = entry_units(&graph, &roles, &routes);
        // 9: an id past the graph's for `app::v1::sites`, a resource with no module here.
        assert_eq!(units, [0, 1, 2, 2, 2, 5, 9, 9, 8]);
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
            &[0, 1, 2, 3, 4],
            &cluster::Settings::default(),
        )
        .unwrap();
        assert!(clusters[0].is_some() && clusters[1].is_some());
        assert_ne!(clusters[0], clusters[1]);
        assert_eq!(clusters[2..], [None, None, None]);
    }
}

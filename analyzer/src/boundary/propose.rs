//! Turns a clustering of the fused module graph into a [`Proposal`]: names the candidates,
//! describes what crosses each boundary, ranks them for extraction, explains each module's
//! place by its strongest ties, and measures the cut.

use std::collections::{BTreeMap, BTreeSet};

use super::crossing::{crossings, extraction_order};
use super::proposal::{
    GiantSplit, GraphEdge, GraphNode, ModuleAssignment, ModuleRef, PROPOSAL_SCHEMA_VERSION,
    Proposal, ProposalGraph, ProposalMetrics, ProposalSettings, Reason, ServiceDependency,
    ServiceProposal,
};
use super::refine::{self, Placed};
use super::signals::FusedGraph;
use super::terms::terms;
use crate::metrics;
use crate::model::{Analysis, Task};

/// The group name of modules in no service.
pub const UNASSIGNED: &str = "unassigned";
/// The group name of the shared kernel.
pub const SHARED_KERNEL: &str = "shared kernel";

/// How many ties explain one module's assignment.
const REASONS_PER_MODULE: usize = 3;

/// Inputs of [`propose`] beyond the analysis.
pub struct Cut<'a> {
    pub graph: &'a FusedGraph,
    /// Cluster of each `graph.modules[i]`, `None` for modules left out of every service.
    pub clusters: &'a [Option<usize>],
    pub kernel: &'a BTreeSet<String>,
    /// Names people gave clusters (in the plan file), by cluster id.
    pub names: &'a BTreeMap<usize, String>,
    /// Modules people pinned where they are.
    pub pinned: &'a BTreeSet<String>,
    /// Why modules outside the services are where they are (kernel, wiring), in words.
    pub why: &'a BTreeMap<String, String>,
    /// The evidence that placed modules without an entry point.
    pub placed: &'a BTreeMap<String, Placed>,
    /// Background jobs that are entry points (see `pipeline::background_jobs`).
    pub jobs: &'a [&'a Task],
    /// The giant candidate cut in parts, if any (cluster ids).
    pub giant: Option<&'a refine::GiantSplit>,
    pub settings: ProposalSettings,
}

pub fn propose(analysis: &Analysis, cut: &Cut<'_>) -> Proposal {
    let files: BTreeMap<&str, &str> = analysis
        .modules
        .iter()
        .map(|module| (module.id.as_str(), module.file.as_str()))
        .collect();
    let mut route_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for route in &analysis.routes {
        *route_counts.entry(&route.module).or_default() += 1;
    }

    let mut members: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (idx, cluster) in cut.clusters.iter().enumerate() {
        if let (Some(cluster), Some(module)) = (cluster, cut.graph.modules.get(idx)) {
            members.entry(*cluster).or_default().push(module);
        }
    }
    let route_paths = route_paths(analysis);
    let mut job_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for job in cut.jobs {
        *job_counts.entry(&job.module).or_default() += 1;
    }
    let names = name_clusters(&members, cut.names, &route_paths);
    let explain = |id: &str| -> String {
        if let Some(placed) = cut.placed.get(id) {
            return explain_placed(placed, &names);
        }
        if let Some(why) = cut.why.get(id) {
            return why.clone();
        }
        if cut.pinned.contains(id) {
            return "pinned here in the plan".to_string();
        }
        let jobs = job_counts.get(id).copied().unwrap_or(0);
        match (route_counts.get(id).copied().unwrap_or(0), jobs) {
            (0, 0) if cut.kernel.contains(id) => String::new(),
            (0, 0) => "clustered with its strongest ties".to_string(),
            (1, 0) => "serves a route".to_string(),
            (routes, 0) => format!("serves {routes} routes"),
            (0, 1) => "runs a background job".to_string(),
            (0, jobs) => format!("runs {jobs} background jobs"),
            (routes, jobs) => format!("serves {routes} route(s) and runs {jobs} background job(s)"),
        }
    };
    let module_ref = |id: &str| ModuleRef {
        path: id.to_string(),
        file: files.get(id).copied().unwrap_or_default().to_string(),
        why: explain(id),
    };
    let mut assignment: BTreeMap<String, String> = BTreeMap::new();
    for (cluster, modules) in &members {
        for module in modules {
            assignment.insert((*module).to_string(), names[cluster].clone());
        }
    }

    let described = crossings(analysis, &assignment);
    let order = extraction_order(&described);
    let reasons = reasons(cut.graph, cut.clusters);
    let mut services: Vec<ServiceProposal> = described
        .into_iter()
        .map(|crossing| {
            let rank = order
                .iter()
                .position(|name| *name == crossing.name)
                .map_or(order.len(), |position| position + 1);
            let modules = crossing
                .modules
                .iter()
                .map(|module| ModuleAssignment {
                    path: module.clone(),
                    file: files
                        .get(module.as_str())
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                    pinned: cut.pinned.contains(module),
                    why: explain(module),
                    reasons: reasons.get(module.as_str()).cloned().unwrap_or_default(),
                })
                .collect();
            let jobs: Vec<String> = cut
                .jobs
                .iter()
                .filter(|job| crossing.modules.contains(&job.module))
                .map(|job| job.function.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            ServiceProposal {
                name: crossing.name,
                rank,
                modules,
                routes: crossing.routes,
                jobs,
                tables_owned: crossing.tables_owned,
                tables_shared: crossing.tables_shared,
                foreign_keys_crossing: crossing.foreign_keys_crossing,
                api: crossing.api,
                cycle_with: crossing.cycle_with,
                cost: crossing.cost,
                value: crossing.value,
                dependencies: crossing.calls_out,
            }
        })
        .collect();
    services.sort_by_key(|service| service.rank);

    let dependencies = services
        .iter()
        .flat_map(|service| {
            service
                .dependencies
                .iter()
                .map(|(to, &weight)| ServiceDependency {
                    from: service.name.clone(),
                    to: to.clone(),
                    weight,
                })
        })
        .collect();

    let shared_kernel = cut.kernel.iter().map(|id| module_ref(id)).collect();
    let unassigned = analysis
        .modules
        .iter()
        .filter(|module| !cut.kernel.contains(&module.id) && !assignment.contains_key(&module.id))
        .map(|module| {
            let mut module = module_ref(&module.id);
            if !cut.why.contains_key(&module.path) && !cut.placed.contains_key(&module.path) {
                module.why = "no tie to any service".to_string();
            }
            module
        })
        .collect();

    let group_of = |id: &str| -> String {
        if let Some(name) = assignment.get(id) {
            name.clone()
        } else if cut.kernel.contains(id) {
            SHARED_KERNEL.to_string()
        } else {
            UNASSIGNED.to_string()
        }
    };
    let mut table_sets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for access in &analysis.accesses {
        table_sets
            .entry(&access.module)
            .or_default()
            .insert(&access.table);
    }
    let graph = ProposalGraph {
        nodes: analysis
            .modules
            .iter()
            .map(|module| GraphNode {
                id: module.id.clone(),
                group: group_of(&module.id),
                routes: route_counts.get(module.id.as_str()).copied().unwrap_or(0),
                tables: table_sets.get(module.id.as_str()).map_or(0, BTreeSet::len),
            })
            .collect(),
        edges: cut
            .graph
            .edges
            .iter()
            .map(|(&(a, b), parts)| GraphEdge {
                a: cut.graph.modules[a].clone(),
                b: cut.graph.modules[b].clone(),
                weight: parts.values().sum(),
                signals: parts
                    .iter()
                    .map(|(signal, weight)| (signal.as_str().to_string(), *weight))
                    .collect(),
            })
            .collect(),
    };

    let giant_split = cut.giant.map(|split| GiantSplit {
        services: split
            .parts
            .iter()
            .filter_map(|part| names.get(part).cloned())
            .collect(),
        share: (split.share * 1000.0).round() / 1000.0,
        cut: (split.cut * 1000.0).round() / 1000.0,
    });
    Proposal {
        schema_version: PROPOSAL_SCHEMA_VERSION,
        giant_split,
        metrics: measure(analysis, &assignment),
        services,
        shared_kernel,
        unassigned,
        graph,
        dependencies,
        settings: cut.settings.clone(),
    }
}

/// A name per cluster: the one people gave it, else its most frequent domain term among
/// module names (ties: alphabetical), made unique with `-2`, `-3`...
/// Words that name a technical role of request handling or an action, not what a service
/// serves: a candidate is never named after them.
const NOT_A_NAME: &[&str] = &[
    "extractor",
    "middleware",
    "guard",
    "layer",
    "filter",
    "interceptor",
    "add",
    "create",
    "delete",
    "edit",
    "get",
    "list",
    "remove",
    "update",
];

/// Names each cluster after its most frequent domain term (of its module paths). When that
/// name is taken, the next term that is not, preferring what the cluster serves (the terms of
/// its routes' static segments, most frequent first) over its other module terms; only then
/// a numbered name.
fn name_clusters(
    members: &BTreeMap<usize, Vec<&str>>,
    given: &BTreeMap<usize, String>,
    route_paths: &BTreeMap<&str, Vec<&str>>,
) -> BTreeMap<usize, String> {
    let ranked = |counts: BTreeMap<String, usize>| -> Vec<String> {
        let mut list: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(term, _)| !NOT_A_NAME.contains(&term.as_str()))
            .collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list.into_iter().map(|(term, _)| term).collect()
    };
    let mut names = BTreeMap::new();
    let mut taken: BTreeSet<String> = given.values().cloned().collect();
    for (cluster, modules) in members {
        if let Some(name) = given.get(cluster) {
            names.insert(*cluster, name.clone());
            continue;
        }
        let mut module_counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut route_counts: BTreeMap<String, usize> = BTreeMap::new();
        for module in modules {
            let module_terms: BTreeSet<String> =
                module.split("::").skip(1).flat_map(terms).collect();
            for term in module_terms {
                *module_counts.entry(term).or_default() += 1;
            }
            for path in route_paths.get(module).into_iter().flatten() {
                for term in super::signals::route_terms(path) {
                    *route_counts.entry(term).or_default() += 1;
                }
            }
        }
        let module_terms = ranked(module_counts);
        let route_terms = ranked(route_counts);
        let base = module_terms
            .first()
            .or(route_terms.first())
            .cloned()
            .unwrap_or_else(|| format!("service-{}", cluster + 1));
        let name = std::iter::once(&base)
            .chain(route_terms.iter())
            .chain(module_terms.iter())
            .find(|term| !taken.contains(*term))
            .cloned()
            .unwrap_or_else(|| {
                (2..)
                    .map(|suffix| format!("{base}-{suffix}"))
                    .find(|name| !taken.contains(name))
                    .unwrap_or_default()
            });
        taken.insert(name.clone());
        names.insert(*cluster, name);
    }
    names
}

/// Each module's route paths.
pub(crate) fn route_paths(analysis: &Analysis) -> BTreeMap<&str, Vec<&str>> {
    let mut paths: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for route in &analysis.routes {
        paths
            .entry(route.module.as_str())
            .or_default()
            .push(route.path.as_str());
    }
    paths
}

/// The evidence that placed a module, in words: `reached from and tied to users (80%),
/// billing (20%)` (its entry points' reach and its ties, half each), or `tied to ...`.
fn explain_placed(placed: &Placed, names: &BTreeMap<usize, String>) -> String {
    let shown = 4;
    let mut shares: Vec<String> = placed
        .shares
        .iter()
        .take(shown)
        .map(|(service, share)| {
            let name = names
                .get(service)
                .cloned()
                .unwrap_or_else(|| format!("service-{}", service + 1));
            format!("{name} ({:.0}%)", share * 100.0)
        })
        .collect();
    if placed.shares.len() > shown {
        shares.push(format!("{} more", placed.shares.len() - shown));
    }
    let by = if placed.reached {
        "reached from and tied to"
    } else {
        "tied to"
    };
    format!("{by} {}", shares.join(", "))
}

/// Each module's strongest ties to modules of its own cluster, with the signal that
/// contributes most to each tie.
fn reasons<'g>(
    graph: &'g FusedGraph,
    clusters: &[Option<usize>],
) -> BTreeMap<&'g str, Vec<Reason>> {
    let mut ties: BTreeMap<usize, Vec<(f64, usize, &str)>> = BTreeMap::new();
    for (&(a, b), parts) in &graph.edges {
        if clusters.get(a).copied().flatten().is_none() || clusters.get(a) != clusters.get(b) {
            continue;
        }
        let total: f64 = parts.values().sum();
        let strongest = parts
            .iter()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .map_or("structural", |(signal, _)| signal.as_str());
        ties.entry(a).or_default().push((total, b, strongest));
        ties.entry(b).or_default().push((total, a, strongest));
    }
    ties.into_iter()
        .map(|(module, mut list)| {
            list.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
            let reasons = list
                .into_iter()
                .take(REASONS_PER_MODULE)
                .map(|(weight, other, signal)| Reason {
                    with: graph.modules[other].clone(),
                    signal: signal.to_string(),
                    weight: (weight * 1000.0).round() / 1000.0,
                })
                .collect();
            (graph.modules[module].as_str(), reasons)
        })
        .collect()
}

/// Metrics of the cut over the structural module graph (item edges mapped to modules).
fn measure(analysis: &Analysis, assignment: &BTreeMap<String, String>) -> ProposalMetrics {
    let modules: Vec<&str> = analysis
        .modules
        .iter()
        .map(|module| module.id.as_str())
        .collect();
    let index: BTreeMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(idx, id)| (*id, idx))
        .collect();
    let module_of = |node: &str| -> Option<usize> {
        let module = crate::model::owning_module(node, |id| index.contains_key(id))?;
        index.get(module).copied()
    };
    let mut weights: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for edge in &analysis.edges {
        if let (Some(from), Some(to)) = (module_of(&edge.from), module_of(&edge.to)) {
            *weights.entry((from, to)).or_default() += edge.weight;
        }
    }
    let edges: Vec<metrics::Edge> = weights
        .into_iter()
        .filter(|(_, weight)| *weight > 0.0)
        .map(|((from, to), weight)| metrics::Edge::new(from, to, weight))
        .collect();
    let names: BTreeSet<&String> = assignment.values().collect();
    let ids: BTreeMap<&String, usize> = names
        .into_iter()
        .enumerate()
        .map(|(idx, name)| (name, idx))
        .collect();
    let clusters: Vec<Option<usize>> = modules
        .iter()
        .map(|id| assignment.get(*id).and_then(|name| ids.get(name).copied()))
        .collect();
    let report = metrics::Graph::new(modules.len(), edges).and_then(|graph| {
        let partition = metrics::Partition::from_assignment(&clusters)?;
        metrics::Report::new(&graph, &partition, &metrics::ReportOptions::default())
    });
    match report {
        Ok(report) => ProposalMetrics {
            structural_modularity: report.structural_modularity,
            inter_call_percentage: report.inter_call_percentage,
            interface_number: report.interface_number,
            non_extreme_distribution: report.non_extreme_distribution,
            bunch_mq: report.bunch_mq,
            newman_modularity: report.newman_modularity,
        },
        // An empty cut (no service) has no metrics to speak of.
        Err(_) => ProposalMetrics::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(clusters: &[&[&str]], routes: &[(&str, &str)]) -> Vec<String> {
        let members: BTreeMap<usize, Vec<&str>> = clusters
            .iter()
            .enumerate()
            .map(|(cluster, modules)| (cluster, modules.to_vec()))
            .collect();
        let mut route_paths: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (module, path) in routes {
            route_paths.entry(module).or_default().push(path);
        }
        name_clusters(&members, &BTreeMap::new(), &route_paths)
            .into_values()
            .collect()
    }

    #[test]
    fn issue_9_a_candidate_is_never_named_after_a_technical_role() {
        assert_eq!(
            named(
                &[&[
                    "shop::middleware",
                    "shop::middleware::auth",
                    "shop::invoices"
                ]],
                &[]
            ),
            ["auth"]
        );
    }

    #[test]
    fn issue_9_a_taken_name_gives_way_to_what_the_candidate_serves() {
        assert_eq!(
            named(
                &[
                    &["shop::sites::list", "shop::sites::create"],
                    &["shop::sites::keys"],
                ],
                &[
                    ("shop::sites::list", "/api/v1/sites"),
                    ("shop::sites::keys", "/api/v1/sites/{id}/keys/delete"),
                ]
            ),
            ["site", "key"]
        );
    }
}

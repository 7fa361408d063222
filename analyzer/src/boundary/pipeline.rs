//! The whole proposal in one call: shared kernel, fused signals, Leiden, proposal. What
//! `ficus plan` runs between reading the analysis and writing the plan file.

use std::collections::{BTreeMap, BTreeSet};

use super::crossing::{at_module_level, module_for_node};
use super::kernel::{KernelSettings, explained_kernel, explained_wiring};
use super::proposal::{Proposal, ProposalSettings};
use super::propose::{Cut, propose, route_paths};
use super::reach::{ItemGraph, reach};
use super::refine::{
    GiantSplit, ModuleRole, Placed, entry_clusters, entry_units, refine, split_giant,
};
use ficus_plan::Weights;

use super::signals::{FusedGraph, fuse_with_history};
use crate::cluster;
use crate::model::{Analysis, Task};

/// Everything that shapes a proposal; the plan file carries it between runs.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    /// The plan file's `[weights]`: one weight per signal.
    pub weights: Weights,
    pub kernel: KernelSettings,
    pub seed: u64,
    pub resolution: f64,
    pub target_services: Option<usize>,
    /// Module id -> service name: modules people placed (or kept) in a named service.
    pub pinned: BTreeMap<String, String>,
    /// Groups of modules that must end in one service.
    pub together: Vec<Vec<String>>,
    /// Groups of modules that must end in different services.
    pub apart: Vec<Vec<String>>,
    /// Modules people put in the shared kernel (on top of those detected).
    pub kernel_modules: BTreeSet<String>,
    /// When set, only these services may exist: every module goes to one of them.
    pub fixed_services: Option<Vec<String>>,
    /// Version-control history for evolutionary coupling (`--history`).
    pub history: Option<super::history::History>,
}

impl Default for PlanSettings {
    fn default() -> PlanSettings {
        PlanSettings {
            weights: Weights::default(),
            kernel: KernelSettings::default(),
            seed: 42,
            resolution: 1.0,
            target_services: None,
            pinned: BTreeMap::new(),
            together: Vec::new(),
            apart: Vec::new(),
            kernel_modules: BTreeSet::new(),
            fixed_services: None,
            history: None,
        }
    }
}

/// Proposes candidate services for an analysis (best at item granularity, which gives the
/// API surface). Wiring (crate roots, composition roots) stays unassigned.
pub fn plan(analysis: &Analysis, settings: &PlanSettings) -> Result<Proposal, cluster::Error> {
    // Signals and the kernel work between modules; the item-level analysis still gives
    // `propose` the API surface.
    let module_level = at_module_level(analysis);
    let SetAside {
        why,
        mut kernel,
        wiring,
    } = set_aside(&module_level, settings);
    let modules: BTreeSet<String> = analysis
        .modules
        .iter()
        .map(|module| module.id.clone())
        .filter(|id| !wiring.contains(id) && !kernel.contains(id))
        .collect();
    let pinned = effective_pins(settings);
    let graph = fuse_with_history(
        &module_level,
        &modules,
        &settings.weights,
        settings.history.as_ref(),
    );
    // Services need an entry point (a route, or a background job); what several services
    // lean on is shared.
    let items = ItemGraph::new(analysis, &graph);
    let jobs = background_jobs(analysis, &items);
    let starts: Vec<(&str, &str)> = analysis
        .routes
        .iter()
        .map(|route| (route.handler.as_str(), route.module.as_str()))
        .chain(
            jobs.iter()
                .map(|task| (task.function.as_str(), task.module.as_str())),
        )
        .collect();
    let roles = module_roles(analysis, &graph, &starts, &pinned);
    let cluster_settings = cluster::Settings {
        resolution: settings.resolution,
        seed: settings.seed,
        // A fixed list of services decides the count.
        target_clusters: if settings.fixed_services.is_some() {
            None
        } else {
            settings.target_services
        },
        ..cluster::Settings::default()
    };
    // A module with no tie is not a service: it stays unassigned.
    let tied: BTreeSet<usize> = graph.edges.keys().flat_map(|&(a, b)| [a, b]).collect();
    // With no placements or constraints from people (a first plan), services are cut between
    // the entry points themselves; otherwise Leiden cuts every module and honours them.
    // Either way the refinement below applies.
    let unconstrained = pinned.is_empty()
        && settings.together.is_empty()
        && settings.apart.is_empty()
        && settings.fixed_services.is_none()
        && settings.target_services.is_none();
    let Seeded {
        clusters: seeded,
        names,
        resolution,
        giant,
    } = if unconstrained && roles.iter().any(|role| role.entry) {
        first_cut(analysis, &graph, &roles, &starts, &tied, &cluster_settings)?
    } else {
        constrained_cut(&graph, settings, &pinned, &tied, &cluster_settings)?
    };
    let reached = reach(&items, &graph, &seeded, &starts);
    let refined = refine(&graph, &seeded, &roles, &reached);
    let clusters = refined.clusters;
    for idx in refined.kernel {
        kernel.insert(graph.modules[idx].clone());
    }
    let placed: BTreeMap<String, Placed> = refined
        .placed
        .into_iter()
        .map(|(idx, placed)| (graph.modules[idx].clone(), placed))
        .collect();
    let pinned: BTreeSet<String> = pinned.into_keys().collect();
    let cut = Cut {
        graph: &graph,
        clusters: &clusters,
        kernel: &kernel,
        names: &names,
        pinned: &pinned,
        why: &why,
        placed: &placed,
        jobs: &jobs,
        giant: giant.as_ref(),
        settings: ProposalSettings {
            seed: settings.seed,
            resolution,
            target_services: settings.target_services,
        },
    };
    Ok(propose(analysis, &cut))
}

/// What is set aside before clustering: the shared kernel and the wiring, with why each
/// module is there, in words.
struct SetAside {
    why: BTreeMap<String, String>,
    kernel: BTreeSet<String>,
    wiring: BTreeSet<String>,
}

fn set_aside(module_level: &Analysis, settings: &PlanSettings) -> SetAside {
    let mut why = explained_kernel(module_level, &settings.kernel);
    for module in &settings.kernel_modules {
        why.insert(
            module.clone(),
            "placed in the shared kernel in the plan".to_string(),
        );
    }
    for module in settings.pinned.keys() {
        why.remove(module);
    }
    let kernel: BTreeSet<String> = why.keys().cloned().collect();
    for (module, reason) in explained_wiring(module_level, &settings.kernel) {
        if !settings.pinned.contains_key(&module) && !kernel.contains(&module) {
            why.insert(module, reason);
        }
    }
    let wiring = why
        .keys()
        .filter(|module| !kernel.contains(*module))
        .cloned()
        .collect();
    SetAside {
        why,
        kernel,
        wiring,
    }
}

/// The plan file's placements that still hold. A together (apart) group whose modules the
/// plan places in different services (the same service) is a person's new rule against the
/// old placement: the rule wins, so those modules are not pinned and clustering places them.
fn effective_pins(settings: &PlanSettings) -> BTreeMap<String, String> {
    let mut pinned = settings.pinned.clone();
    for group in &settings.together {
        let services: BTreeSet<&String> = group
            .iter()
            .filter_map(|module| settings.pinned.get(module))
            .collect();
        if services.len() > 1 {
            for module in group {
                pinned.remove(module);
            }
        }
    }
    for group in &settings.apart {
        let mut seen: BTreeMap<&String, &String> = BTreeMap::new();
        for module in group {
            if let Some(service) = settings.pinned.get(module)
                && let Some(other) = seen.insert(service, module)
            {
                pinned.remove(module);
                pinned.remove(other);
            }
        }
    }
    pinned
}

/// What refinement knows of each module of the graph: entry point (a route's or a background
/// job's module, `starts`), domain data (reads, writes or defines a table: an ORM entity, a
/// diesel `table!`; owned by a service, never shared), pinned.
fn module_roles(
    analysis: &Analysis,
    graph: &FusedGraph,
    starts: &[(&str, &str)],
    pinned: &BTreeMap<String, String>,
) -> Vec<ModuleRole> {
    let entry_modules: BTreeSet<&str> = starts.iter().map(|&(_, module)| module).collect();
    let table_files: BTreeSet<&str> = analysis
        .tables
        .iter()
        .map(|table| table.file.as_str())
        .collect();
    let data_modules: BTreeSet<&str> = analysis
        .accesses
        .iter()
        .map(|access| access.module.as_str())
        .chain(
            analysis
                .modules
                .iter()
                .filter(|module| module.line == 1 && table_files.contains(module.file.as_str()))
                .map(|module| module.id.as_str()),
        )
        .collect();
    graph
        .modules
        .iter()
        .map(|module| ModuleRole {
            entry: entry_modules.contains(module.as_str()),
            data: data_modules.contains(module.as_str()),
            pinned: pinned.contains_key(module),
        })
        .collect()
}

/// A cut before refinement: the cluster of each module of the graph (`None`: no tie), the
/// names people gave clusters, the resolution used, and the giant cut again, if any.
struct Seeded {
    clusters: Vec<Option<usize>>,
    names: BTreeMap<usize, String>,
    resolution: f64,
    giant: Option<GiantSplit>,
}

/// A first plan's cut: between the entry points (one unit per resource), a giant cut again,
/// every other tied module waiting to be placed by refinement.
fn first_cut(
    analysis: &Analysis,
    graph: &FusedGraph,
    roles: &[ModuleRole],
    starts: &[(&str, &str)],
    tied: &BTreeSet<usize>,
    cluster_settings: &cluster::Settings,
) -> Result<Seeded, cluster::Error> {
    let units = entry_units(graph, roles, &route_paths(analysis));
    let mut entry_clusters = entry_clusters(graph, roles, &units, cluster_settings)?;
    // No giant: a candidate holding most entry points is cut along its own ties.
    let mut entry_weights = vec![0.0; graph.modules.len()];
    for &(_, module) in starts {
        if let Some(idx) = graph.index_of(module) {
            entry_weights[idx] += 1.0;
        }
    }
    let giant = split_giant(
        graph,
        &mut entry_clusters,
        &entry_weights,
        &units,
        cluster_settings,
    )?;
    // Every other tied module waits to be placed (any cluster id without an entry point will
    // do).
    let waiting = entry_clusters
        .iter()
        .flatten()
        .max()
        .map_or(0, |max| max + 1);
    let clusters = entry_clusters
        .into_iter()
        .enumerate()
        .map(|(node, entry)| entry.or(tied.contains(&node).then_some(waiting)))
        .collect();
    Ok(Seeded {
        clusters,
        names: BTreeMap::new(),
        resolution: cluster_settings.resolution,
        giant,
    })
}

/// The cut with people's placements and constraints: Leiden over every module, honouring
/// them. Returns the clusters, the names people gave them and the resolution used.
fn constrained_cut(
    graph: &FusedGraph,
    settings: &PlanSettings,
    pinned: &BTreeMap<String, String>,
    tied: &BTreeSet<usize>,
    cluster_settings: &cluster::Settings,
) -> Result<Seeded, cluster::Error> {
    let index = |id: &String| graph.index_of(id);
    let constraints = cluster::Constraints {
        pinned: pinned
            .iter()
            .filter_map(|(module, name)| Some((index(module)?, name.clone())))
            .collect(),
        together: settings
            .together
            .iter()
            .map(|group| group.iter().filter_map(index).collect())
            .collect(),
        apart: settings
            .apart
            .iter()
            .map(|group| group.iter().filter_map(index).collect())
            .collect(),
        fixed_clusters: settings.fixed_services.clone(),
    };
    let cluster_graph = cluster::Graph::from_edges(graph.modules.len(), &graph.weighted_edges())?;
    let partition = cluster::detect(&cluster_graph, cluster_settings, &constraints)?;
    // A cluster of one module with no tie is no service.
    let mut sizes = vec![0usize; partition.n_clusters];
    for &cluster in &partition.membership {
        sizes[cluster] += 1;
    }
    let clusters = partition
        .membership
        .iter()
        .enumerate()
        .map(|(node, &cluster)| (sizes[cluster] > 1 || tied.contains(&node)).then_some(cluster))
        .collect();
    let names = partition
        .labels
        .iter()
        .enumerate()
        .filter_map(|(cluster, label)| Some((cluster, label.clone()?)))
        .collect();
    Ok(Seeded {
        clusters,
        names,
        resolution: partition.resolution,
        giant: None,
    })
}

/// The tasks that are entry points of their own: background jobs, workers and queue
/// consumers. A function run as a task is one when the code that starts it is not on a
/// request's path (no route handler depends on it: it runs at start-up, from `main` or an
/// init function); work a request hands off to a task belongs to that request's service.
/// Tasks that test code starts are left out.
fn background_jobs<'a>(analysis: &'a Analysis, items: &ItemGraph<'_>) -> Vec<&'a Task> {
    let modules: BTreeSet<&str> = analysis
        .modules
        .iter()
        .map(|module| module.id.as_str())
        .collect();
    let request_path =
        items.request_path(analysis.routes.iter().map(|route| route.handler.as_str()));
    let test_modules = analysis.test_modules();
    let in_tests = |module: &str| test_modules.contains(module);
    analysis
        .tasks
        .iter()
        .filter(|task| {
            !request_path.contains(task.started_by.as_str())
                && module_for_node(&task.started_by, &modules)
                    .is_some_and(|starter| !in_tests(&starter))
        })
        .collect()
}

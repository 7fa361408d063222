//! What the graph renderers draw, chosen once for both: the nodes (modules by default, items
//! only when asked for and the analysis has them), the groups they are drawn in (crates, or
//! the services of a plan proposal with its shared kernel and unassigned modules), and one
//! edge per ordered pair of nodes with the references between them summed; all sorted so the
//! drawings are deterministic. `cut.rs` makes a graph smaller when a renderer has a limit.
//!
//! It does not decide how anything looks or how ids are written; `dot` and `mermaid` do. It
//! leaves out external uses (they are not coupling) and keeps an edge whose end is not a known
//! node by drawing that end outside every group, so no edge of the model silently disappears.
//! The one thing folding drops is a reference inside one node (an item using another item of
//! its own module, when modules are drawn): it would be a loop on that node.

mod cut;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::Granularity;
use crate::boundary::proposal::Proposal;
use crate::model::Analysis;

pub(super) use cut::{cut_heaviest, fold_to_groups};

/// What the graph files (`graph.dot`, `graph.mmd`) draw: which nodes, in which groups.
#[derive(Debug, Clone, Copy)]
pub struct GraphView<'a> {
    /// Modules (the default), or items when the analysis is at item granularity. Items of a
    /// module-level analysis are not known, so asking for them draws modules.
    pub nodes: Granularity,
    pub groups: GraphGroups<'a>,
}

/// The clusters of a graph drawing.
#[derive(Debug, Clone, Copy)]
pub enum GraphGroups<'a> {
    /// One cluster per crate, by name.
    Crates,
    /// One cluster per proposed service in extraction order, then the shared kernel, then the
    /// unassigned modules. Modules the proposal does not mention are drawn outside clusters.
    Services(&'a Proposal),
}

impl GraphView<'static> {
    /// Nodes as asked, one cluster per crate: what `ficus analyze` draws.
    pub fn crates(nodes: Granularity) -> GraphView<'static> {
        GraphView {
            nodes,
            groups: GraphGroups::Crates,
        }
    }
}

impl<'a> GraphView<'a> {
    /// Nodes as asked, one cluster per proposed service: what `ficus plan` draws.
    pub fn services(proposal: &'a Proposal, nodes: Granularity) -> GraphView<'a> {
        GraphView {
            nodes,
            groups: GraphGroups::Services(proposal),
        }
    }
}

/// The drawable graph of one analysis.
#[derive(Debug, Clone)]
pub(super) struct Graph {
    pub(super) level: Level,
    /// `crate` or `service`: what a group is.
    pub(super) grouping: &'static str,
    /// Groups that have nodes, in display order (crates by name, services by rank). At
    /// `Level::Group` every group is one node and this is empty.
    pub(super) groups: Vec<Group>,
    /// Nodes in no group (edge ends missing from `modules`/`items`, modules the proposal does
    /// not mention), sorted.
    pub(super) loose_nodes: Vec<String>,
    /// One edge per ordered pair of nodes, sorted by (from, to).
    pub(super) edges: Vec<GraphEdge>,
    /// What was folded or left out and why, one sentence each, for the file's header.
    pub(super) notes: Vec<String>,
}

/// What one node of a graph stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    Item,
    Module,
    /// A crate or a service: every module of a group folded into one node.
    Group,
}

impl Level {
    pub(super) fn name(self, grouping: &str) -> &str {
        match self {
            Level::Item => "item",
            Level::Module => "module",
            Level::Group => grouping,
        }
    }
}

/// The nodes of one crate or service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Group {
    pub(super) name: String,
    /// Node ids, sorted and unique.
    pub(super) nodes: Vec<String>,
}

/// Every reference from one node to another, summed over kinds and over the model edges
/// folded into it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GraphEdge {
    pub(super) from: String,
    pub(super) to: String,
    /// Edge kinds, sorted and unique.
    pub(super) kinds: Vec<String>,
    /// Summed `count`.
    pub(super) count: u64,
    /// Summed `weight`.
    pub(super) weight: f64,
    /// The highest `confidence` of the model edges in it: below 1 only when every reference
    /// in it was found by inference.
    pub(super) confidence: f64,
}

impl Graph {
    pub(super) fn of(analysis: &Analysis, view: &GraphView<'_>) -> Graph {
        let draw_items = view.nodes == Granularity::Item && analysis.granularity == "item";
        let owners = Owners::of(analysis, &view.groups);
        let modules: BTreeSet<&str> = analysis
            .modules
            .iter()
            .map(|module| module.id.as_str())
            .collect();
        let module_of_item: BTreeMap<&str, &str> = analysis
            .items
            .iter()
            .map(|item| (item.path.as_str(), item.module.as_str()))
            .collect();
        // The module holding a node of the model: the node itself, the item's module, or the
        // longest module id that is a `::` prefix of it.
        let module_of = |node: &str| -> Option<String> {
            if modules.contains(node) {
                return Some(node.to_string());
            }
            if let Some(module) = module_of_item.get(node) {
                return Some((*module).to_string());
            }
            containing_module(node, &modules).map(str::to_string)
        };
        // The drawn node of an edge end: itself when items are drawn, else its module (or
        // itself when no module holds it, drawn loose).
        let node_of = |end: &str| -> String {
            if draw_items || analysis.granularity != "item" {
                end.to_string()
            } else {
                module_of(end).unwrap_or_else(|| end.to_string())
            }
        };

        let mut nodes: BTreeSet<String> = if draw_items {
            analysis
                .items
                .iter()
                .map(|item| item.path.clone())
                .collect()
        } else {
            modules.iter().map(|module| module.to_string()).collect()
        };
        let mut edges: BTreeMap<(String, String), GraphEdge> = BTreeMap::new();
        let mut folded_loops = 0_u64;
        for edge in &analysis.edges {
            let (from, to) = (node_of(&edge.from), node_of(&edge.to));
            if from == to && edge.from != edge.to {
                folded_loops += u64::from(edge.count);
                continue;
            }
            nodes.insert(from.clone());
            nodes.insert(to.clone());
            add_edge(
                &mut edges,
                from,
                to,
                std::iter::once(edge.kind.as_str()),
                u64::from(edge.count),
                edge.weight,
                edge.confidence,
            );
        }

        let mut grouped: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let mut loose_nodes = Vec::new();
        for node in nodes {
            let group = module_of(&node).and_then(|module| owners.group_of(&module));
            match group {
                Some(index) => {
                    grouped.entry(index).or_default().insert(node);
                }
                None => loose_nodes.push(node),
            }
        }
        let groups = grouped
            .into_iter()
            .map(|(index, nodes)| Group {
                name: owners.names[index].clone(),
                nodes: nodes.into_iter().collect(),
            })
            .collect();

        let level = if draw_items {
            Level::Item
        } else {
            Level::Module
        };
        let mut notes = Vec::new();
        if view.nodes == Granularity::Item && !draw_items {
            notes.push(
                "items were asked for, but the analysis is at module granularity: modules drawn"
                    .to_string(),
            );
        }
        if folded_loops > 0 {
            notes.push(format!(
                "{folded_loops} references inside one module are not drawn (items folded into modules)"
            ));
        }
        Graph {
            level,
            grouping: owners.grouping,
            groups,
            loose_nodes,
            edges: edges.into_values().collect(),
            notes,
        }
    }

    /// How many nodes the graph draws.
    pub(super) fn node_count(&self) -> usize {
        self.groups
            .iter()
            .map(|group| group.nodes.len())
            .sum::<usize>()
            + self.loose_nodes.len()
    }

    /// The largest edge weight, or 0 when there is no edge with a positive finite weight.
    pub(super) fn max_weight(&self) -> f64 {
        self.edges
            .iter()
            .map(|edge| edge.weight)
            .filter(|weight| weight.is_finite() && *weight > 0.0)
            .fold(0.0, f64::max)
    }
}

/// Adds one reference (or a sum of them) from `from` to `to` to the edge of that pair.
fn add_edge<'k>(
    edges: &mut BTreeMap<(String, String), GraphEdge>,
    from: String,
    to: String,
    kinds: impl Iterator<Item = &'k str>,
    count: u64,
    weight: f64,
    confidence: f64,
) {
    let edge = edges
        .entry((from.clone(), to.clone()))
        .or_insert_with(|| GraphEdge {
            from,
            to,
            kinds: Vec::new(),
            count: 0,
            weight: 0.0,
            confidence: 0.0,
        });
    for kind in kinds {
        if let Err(position) = edge
            .kinds
            .binary_search_by(|known| known.as_str().cmp(kind))
        {
            edge.kinds.insert(position, kind.to_string());
        }
    }
    edge.count = edge.count.saturating_add(count);
    edge.weight += weight;
    edge.confidence = edge.confidence.max(confidence);
}

/// The longest module id in `modules` that is a `::` prefix of `path`.
fn containing_module<'m>(path: &str, modules: &BTreeSet<&'m str>) -> Option<&'m str> {
    let parent = &path[..path.rfind("::")?];
    let module = crate::model::owning_module(parent, |id| modules.contains(id))?;
    modules.get(module).copied()
}

/// Which group each module is drawn in.
struct Owners {
    grouping: &'static str,
    /// Group names in display order.
    names: Vec<String>,
    /// Module id -> index into `names`.
    group_of_module: BTreeMap<String, usize>,
}

impl Owners {
    fn of(analysis: &Analysis, groups: &GraphGroups<'_>) -> Owners {
        let mut names: Vec<String> = Vec::new();
        let mut group_of_module: BTreeMap<String, usize> = BTreeMap::new();
        let grouping = match groups {
            GraphGroups::Crates => {
                let crates: BTreeSet<&str> = analysis
                    .modules
                    .iter()
                    .map(|module| module.krate.as_str())
                    .collect();
                let index_of: BTreeMap<&str, usize> = crates
                    .iter()
                    .enumerate()
                    .map(|(index, name)| (*name, index))
                    .collect();
                names = crates.iter().map(|name| name.to_string()).collect();
                for module in &analysis.modules {
                    // The first crate seen for an id wins, so a node is never in two
                    // clusters even if the model were to list it twice. Indexing cannot
                    // fail: `index_of` was built from these same modules.
                    group_of_module
                        .entry(module.id.clone())
                        .or_insert(index_of[module.krate.as_str()]);
                }
                "crate"
            }
            GraphGroups::Services(proposal) => {
                let mut services: Vec<_> = proposal.services.iter().collect();
                services
                    .sort_by(|left, right| (left.rank, &left.name).cmp(&(right.rank, &right.name)));
                let mut place = |name: &str, modules: &mut dyn Iterator<Item = &str>| {
                    let index = names.len();
                    names.push(name.to_string());
                    for module in modules {
                        group_of_module.entry(module.to_string()).or_insert(index);
                    }
                };
                for service in services {
                    place(
                        &service.name,
                        &mut service.modules.iter().map(|module| module.path.as_str()),
                    );
                }
                place(
                    "shared kernel",
                    &mut proposal
                        .shared_kernel
                        .iter()
                        .map(|module| module.path.as_str()),
                );
                place(
                    "unassigned",
                    &mut proposal
                        .unassigned
                        .iter()
                        .map(|module| module.path.as_str()),
                );
                "service"
            }
        };
        Owners {
            grouping,
            names,
            group_of_module,
        }
    }

    fn group_of(&self, module: &str) -> Option<usize> {
        self.group_of_module.get(module).copied()
    }
}

/// A weight as people write it: no trailing zeros, at most two decimals (`2`, `0.5`, `1.33`).
pub(super) fn format_weight(weight: f64) -> String {
    if !weight.is_finite() {
        return weight.to_string();
    }
    let text = format!("{weight:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

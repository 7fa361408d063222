//! The coupling signals between modules, fused into one undirected weighted graph.
//!
//! Signals (each with a weight a user can change in the plan's `[weights]`: the
//! [`ficus_plan::Weights`] and their defaults, documented in `docs/plan.md`):
//! - **structural**: the analysis edges, per kind, damped as `ln(1 + count)` so that one
//!   chatty pair does not outweigh many distinct dependencies;
//! - **data**: modules touching the same table, writes weighing more than reads; each table
//!   spreads one unit over its accessors, so a table everyone reads glues nothing;
//! - **foreign keys**: the writers of two tables joined by a foreign key;
//! - **routes**: handler modules whose routes share a static path segment;
//! - **naming**: modules whose names (and type names) share a domain term, weighted by how
//!   rare the term is.
//!
//! Every fused edge keeps its per-signal parts so each assignment can be explained.

use std::collections::{BTreeMap, BTreeSet};

use ficus_plan::{Signal, Weights};

use super::terms::terms;
use crate::model::Analysis;

/// Which group of signals a part of a fused edge came from: the report explains each edge
/// by these parts. Each [`ficus_plan::Signal`] (the weight keys of the plan file, with their
/// defaults: the one definition of the weights) falls in one group, see [`SignalGroup::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalGroup {
    Structural,
    Data,
    ForeignKey,
    Route,
    Naming,
    ModuleTree,
    CoChange,
    CoAuthor,
}

impl SignalGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalGroup::Structural => "structural",
            SignalGroup::Data => "data",
            SignalGroup::ForeignKey => "foreign_key",
            SignalGroup::Route => "route",
            SignalGroup::Naming => "naming",
            SignalGroup::ModuleTree => "module_tree",
            SignalGroup::CoChange => "co_change",
            SignalGroup::CoAuthor => "co_author",
        }
    }

    /// The group a weighted signal adds to.
    pub fn of(signal: Signal) -> SignalGroup {
        match signal {
            Signal::DataWrite | Signal::DataRead => SignalGroup::Data,
            Signal::ForeignKey => SignalGroup::ForeignKey,
            Signal::RoutePrefix => SignalGroup::Route,
            Signal::Naming => SignalGroup::Naming,
            Signal::ModuleTree => SignalGroup::ModuleTree,
            Signal::CoChange => SignalGroup::CoChange,
            Signal::CoAuthor => SignalGroup::CoAuthor,
            _ => SignalGroup::Structural,
        }
    }
}

/// The fused graph: modules (sorted ids) and undirected weighted edges between them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FusedGraph {
    pub modules: Vec<String>,
    /// `(a, b)` with `a < b`, indices into `modules`, and the weight from each signal.
    pub edges: BTreeMap<(usize, usize), BTreeMap<SignalGroup, f64>>,
}

impl FusedGraph {
    /// Total weight of each edge: `(a, b, weight)`.
    pub fn weighted_edges(&self) -> Vec<(usize, usize, f64)> {
        self.edges
            .iter()
            .map(|(&(a, b), parts)| (a, b, parts.values().sum()))
            .collect()
    }

    pub fn index_of(&self, module: &str) -> Option<usize> {
        self.modules
            .binary_search_by(|probe| probe.as_str().cmp(module))
            .ok()
    }

    fn add(&mut self, a: usize, b: usize, signal: SignalGroup, weight: f64) {
        if a == b || weight <= 0.0 || !weight.is_finite() {
            return;
        }
        let key = if a < b { (a, b) } else { (b, a) };
        *self
            .edges
            .entry(key)
            .or_default()
            .entry(signal)
            .or_insert(0.0) += weight;
    }
}

/// Fuses every signal of `analysis` over the modules in `modules` (module ids; others are
/// ignored, e.g. the shared kernel).
pub fn fuse(analysis: &Analysis, modules: &BTreeSet<String>, weights: &Weights) -> FusedGraph {
    fuse_with_history(analysis, modules, weights, None)
}

/// [`fuse`], plus evolutionary coupling (co-change, shared authors) when `history` is given.
pub fn fuse_with_history(
    analysis: &Analysis,
    modules: &BTreeSet<String>,
    weights: &Weights,
    history: Option<&super::history::History>,
) -> FusedGraph {
    let mut graph = FusedGraph {
        modules: modules.iter().cloned().collect(),
        edges: BTreeMap::new(),
    };
    structural(analysis, weights, &mut graph);
    data(analysis, weights, &mut graph);
    foreign_keys(analysis, weights, &mut graph);
    routes(analysis, weights, &mut graph);
    naming(analysis, weights, &mut graph);
    module_tree(analysis, weights, &mut graph);
    if let Some(history) = history {
        evolution(analysis, weights, history, &mut graph);
    }
    graph
}

fn evolution(
    analysis: &Analysis,
    weights: &Weights,
    history: &super::history::History,
    graph: &mut FusedGraph,
) {
    // The module holding each file (its top level, not inline modules).
    let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
    for module in &analysis.modules {
        if let Some(idx) = graph.index_of(&module.id) {
            by_file.entry(module.file.as_str()).or_insert(idx);
        }
    }
    let module_of_file = |file: &str| by_file.get(file).copied();
    let (co_change, authors) = super::history::coupling(history, &module_of_file);
    for ((a, b), count) in co_change {
        graph.add(
            a,
            b,
            SignalGroup::CoChange,
            weights.get(Signal::CoChange) * (1.0 + count).ln(),
        );
    }
    // Shared authors: Jaccard similarity of the author sets.
    let list: Vec<(&usize, &BTreeSet<String>)> = authors.iter().collect();
    for (position, (a, authors_a)) in list.iter().enumerate() {
        for (b, authors_b) in &list[position + 1..] {
            let shared = authors_a.intersection(authors_b).count();
            if shared > 0 {
                let union = authors_a.union(authors_b).count();
                graph.add(
                    **a,
                    **b,
                    SignalGroup::CoAuthor,
                    weights.get(Signal::CoAuthor) * shared as f64 / union as f64,
                );
            }
        }
    }
}

/// The weight of an edge kind the plan has no signal for (a newer analysis's kind).
const UNKNOWN_KIND_WEIGHT: f64 = 0.5;

fn structural(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    for edge in &analysis.edges {
        let (Some(a), Some(b)) = (graph.index_of(&edge.from), graph.index_of(&edge.to)) else {
            continue;
        };
        let kind_weight = Signal::of_edge_kind(&edge.kind)
            .map_or(UNKNOWN_KIND_WEIGHT, |signal| weights.get(signal));
        let weight = kind_weight * edge.confidence * (1.0 + f64::from(edge.count)).ln();
        graph.add(a, b, SignalGroup::Structural, weight);
    }
}

/// Spreads `weight` over every pair of `members`: each member gets the same total share.
fn spread(graph: &mut FusedGraph, members: &[(usize, f64)], signal: SignalGroup, weight: f64) {
    if members.len() < 2 {
        return;
    }
    let pairs = (members.len() - 1) as f64;
    for (position, &(a, weight_a)) in members.iter().enumerate() {
        for &(b, weight_b) in &members[position + 1..] {
            graph.add(a, b, signal, weight * (weight_a * weight_b).sqrt() / pairs);
        }
    }
}

fn data(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    let mut by_table: BTreeMap<&str, BTreeMap<usize, f64>> = BTreeMap::new();
    for access in &analysis.accesses {
        let Some(module) = graph.index_of(&access.module) else {
            continue;
        };
        let weight = if access.mode == "write" {
            weights.get(Signal::DataWrite)
        } else {
            weights.get(Signal::DataRead)
        };
        let entry = by_table
            .entry(&access.table)
            .or_default()
            .entry(module)
            .or_insert(0.0);
        *entry = entry.max(weight);
    }
    for accessors in by_table.values() {
        let members: Vec<(usize, f64)> = accessors
            .iter()
            .map(|(&module, &weight)| (module, weight))
            .collect();
        spread(graph, &members, SignalGroup::Data, 1.0);
    }
}

fn foreign_keys(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    let mut writers: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for access in analysis
        .accesses
        .iter()
        .filter(|access| access.mode == "write")
    {
        if let Some(module) = graph.index_of(&access.module) {
            writers.entry(&access.table).or_default().insert(module);
        }
    }
    for key in &analysis.foreign_keys {
        let (Some(from), Some(to)) = (
            writers.get(key.from_table.as_str()),
            writers.get(key.to_table.as_str()),
        ) else {
            continue;
        };
        let share = weights.get(Signal::ForeignKey) / (from.len() * to.len()) as f64;
        for &a in from {
            for &b in to {
                graph.add(a, b, SignalGroup::ForeignKey, share);
            }
        }
    }
}

/// Static path segments of a route that say something about its resource.
pub(crate) fn route_terms(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|segment| {
            !segment.is_empty() && !segment.starts_with('{') && !segment.starts_with(':')
        })
        .filter(|segment| {
            !(segment.starts_with('v') && segment[1..].chars().all(|c| c.is_ascii_digit()))
        })
        .flat_map(terms)
        .collect()
}

fn routes(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    let mut by_term: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for route in &analysis.routes {
        let Some(module) = graph.index_of(&route.module) else {
            continue;
        };
        for term in route_terms(&route.path) {
            by_term.entry(term).or_default().insert(module);
        }
    }
    for members in by_term.values() {
        let members: Vec<(usize, f64)> = members.iter().map(|&module| (module, 1.0)).collect();
        spread(
            graph,
            &members,
            SignalGroup::Route,
            weights.get(Signal::RoutePrefix),
        );
    }
}

/// A parent module (below the crate root) and its direct children: a folder of one area
/// (`orders/` with `handlers`, `service`, `model`). Each parent spreads one weight over its
/// members, so a large folder ties its members no tighter than a small one; crate roots are
/// left out, as their children are the areas being told apart.
fn module_tree(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    let weight = weights.get(Signal::ModuleTree);
    let mut families: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for module in &analysis.modules {
        let Some(parent) = module.parent.as_deref() else {
            continue;
        };
        if !parent.contains("::") {
            continue;
        }
        if let Some(child) = graph.index_of(&module.id) {
            families.entry(parent).or_default().push(child);
        }
    }
    for (parent, mut members) in families {
        members.extend(graph.index_of(parent));
        members.sort_unstable();
        members.dedup();
        let members: Vec<(usize, f64)> = members.into_iter().map(|idx| (idx, 1.0)).collect();
        spread(graph, &members, SignalGroup::ModuleTree, weight);
    }
}

fn naming(analysis: &Analysis, weights: &Weights, graph: &mut FusedGraph) {
    // Domain vocabulary: terms that name modules somewhere (`invoices`, `order_service`).
    // Type names add a term only if it is in the vocabulary: `InvoiceLine` says `invoice`,
    // while `ProductFilter` and `OrderFilter` sharing `filter` says nothing about domains.
    let path_terms =
        |id: &str| -> BTreeSet<String> { id.split("::").skip(1).flat_map(terms).collect() };
    let vocabulary: BTreeSet<String> = analysis
        .modules
        .iter()
        .flat_map(|module| path_terms(&module.id))
        .collect();
    let mut module_terms: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (idx, id) in graph.modules.iter().enumerate() {
        module_terms.entry(idx).or_default().extend(path_terms(id));
    }
    for item in &analysis.items {
        if !matches!(
            item.kind.as_str(),
            "struct" | "enum" | "trait" | "union" | "type"
        ) {
            continue;
        }
        let Some(module) = graph.index_of(&item.module) else {
            continue;
        };
        let name = item.path.rsplit("::").next().unwrap_or_default();
        let known = terms(name)
            .into_iter()
            .filter(|term| vocabulary.contains(term));
        module_terms.entry(module).or_default().extend(known);
    }
    let mut by_term: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (&module, terms) in &module_terms {
        for term in terms {
            by_term.entry(term).or_default().push(module);
        }
    }
    let total = graph.modules.len().max(1) as f64;
    for members in by_term.values() {
        // A term in most modules is vocabulary, not a domain.
        if members.len() < 2 || members.len() as f64 > (total * 0.3).max(3.0) {
            continue;
        }
        let rarity = (total / members.len() as f64).ln().max(0.0);
        let members: Vec<(usize, f64)> = members.iter().map(|&module| (module, 1.0)).collect();
        spread(
            graph,
            &members,
            SignalGroup::Naming,
            weights.get(Signal::Naming) * rarity,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_terms_skip_parameters_versions_and_api() {
        assert_eq!(
            route_terms("/api/v1/customers/{id}/orders"),
            ["customer", "order"]
        );
        assert_eq!(route_terms("/invoices/:id/due"), ["invoice", "due"]);
    }
}

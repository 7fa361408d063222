//! What the graph renderers draw, chosen once for both: the nodes (modules, or items at item
//! granularity) grouped by crate, and the edges, all sorted so the drawings are deterministic.
//!
//! It does not decide how anything looks or how ids are written; `dot` and `mermaid` do. It
//! leaves out external uses (they are not coupling) and keeps an edge whose end is not a known
//! node by drawing that end outside every crate, so no edge of the model silently disappears.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Analysis, Edge};

/// The drawable graph of one analysis.
pub(super) struct Graph<'a> {
    /// One group per crate that has nodes, sorted by crate name.
    pub(super) crates: Vec<CrateGroup<'a>>,
    /// Nodes that belong to no known crate (edge ends missing from `modules`/`items`), sorted.
    pub(super) loose_nodes: Vec<&'a str>,
    /// Every edge, sorted by (from, to, kind).
    pub(super) edges: Vec<&'a Edge>,
}

/// The nodes of one crate.
pub(super) struct CrateGroup<'a> {
    /// Package name.
    pub(super) name: &'a str,
    /// Node ids, sorted and unique.
    pub(super) nodes: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    pub(super) fn of(analysis: &'a Analysis) -> Graph<'a> {
        // Node id -> crate name. The first crate seen for an id wins, so a node is never in
        // two clusters even if the model were to list it twice.
        let mut crate_of_node: BTreeMap<&str, &str> = BTreeMap::new();
        if analysis.granularity == "item" {
            let crate_of_module: BTreeMap<&str, &str> = analysis
                .modules
                .iter()
                .map(|module| (module.id.as_str(), module.krate.as_str()))
                .collect();
            for item in &analysis.items {
                if let Some(krate) = crate_of_module.get(item.module.as_str()) {
                    crate_of_node.entry(item.path.as_str()).or_insert(krate);
                }
            }
        } else {
            for module in &analysis.modules {
                crate_of_node
                    .entry(module.id.as_str())
                    .or_insert(module.krate.as_str());
            }
        }

        let mut crates: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (node, krate) in &crate_of_node {
            crates.entry(krate).or_default().insert(node);
        }

        let mut loose_nodes: BTreeSet<&str> = BTreeSet::new();
        if analysis.granularity == "item" {
            // Items whose module is unknown still are nodes of the graph.
            for item in &analysis.items {
                if !crate_of_node.contains_key(item.path.as_str()) {
                    loose_nodes.insert(item.path.as_str());
                }
            }
        }
        for edge in &analysis.edges {
            for end in [edge.from.as_str(), edge.to.as_str()] {
                if !crate_of_node.contains_key(end) {
                    loose_nodes.insert(end);
                }
            }
        }

        let mut edges: Vec<&Edge> = analysis.edges.iter().collect();
        edges.sort_by(|left, right| {
            (&left.from, &left.to, &left.kind, left.count)
                .cmp(&(&right.from, &right.to, &right.kind, right.count))
                .then(left.weight.total_cmp(&right.weight))
                .then(left.confidence.total_cmp(&right.confidence))
        });

        Graph {
            crates: crates
                .into_iter()
                .map(|(name, nodes)| CrateGroup {
                    name,
                    nodes: nodes.into_iter().collect(),
                })
                .collect(),
            loose_nodes: loose_nodes.into_iter().collect(),
            edges,
        }
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

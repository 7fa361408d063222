//! Graphviz output: a `digraph` with one `cluster_N` subgraph per crate, the graph's nodes
//! inside, and one edge per model edge (edges of different kinds between the same two nodes
//! stay separate, so each label is one kind and its weight).
//!
//! Every id is written as a double-quoted DOT string with `\` and `"` escaped, which is safe
//! for any module id or item path (`::`, `[bin]`, `#`, spaces, non-ASCII). Edges found by
//! inference (confidence below 1) are dashed. Layout, colours and fonts are left to Graphviz
//! defaults except for a left-to-right rank direction.

use std::fmt::Write as _;

use super::graph::{Graph, format_weight};
use crate::model::Analysis;

/// Line width of the lightest and the heaviest edge.
const MIN_PENWIDTH: f64 = 1.0;
const MAX_PENWIDTH: f64 = 5.0;

pub(super) fn render(analysis: &Analysis) -> String {
    let graph = Graph::of(analysis);
    let max_weight = graph.max_weight();
    let granularity = if analysis.granularity == "item" {
        "item"
    } else {
        "module"
    };

    let mut out = String::new();
    // `write!` into a `String` cannot fail; the results are ignored on purpose below.
    let _ = writeln!(out, "// {granularity} graph written by `ficus analyze`");
    out.push_str("digraph ficus {\n");
    out.push_str("    graph [rankdir=LR];\n");
    out.push_str("    node [shape=box];\n");

    for (index, group) in graph.crates.iter().enumerate() {
        out.push('\n');
        let _ = writeln!(out, "    subgraph cluster_{index} {{");
        let _ = writeln!(out, "        label={};", quote(group.name));
        for node in &group.nodes {
            let _ = writeln!(out, "        {};", quote(node));
        }
        out.push_str("    }\n");
    }
    if !graph.loose_nodes.is_empty() {
        out.push('\n');
        for node in &graph.loose_nodes {
            let _ = writeln!(out, "    {};", quote(node));
        }
    }

    if !graph.edges.is_empty() {
        out.push('\n');
    }
    for edge in &graph.edges {
        let label = format!("{} ({})", edge.kind, format_weight(edge.weight));
        let tooltip = format!(
            "{} -> {}: {} x {}, weight {}, confidence {}",
            edge.from,
            edge.to,
            edge.count,
            edge.kind,
            format_weight(edge.weight),
            format_weight(edge.confidence)
        );
        let _ = write!(
            out,
            "    {} -> {} [label={}, tooltip={}, penwidth={:.2}",
            quote(&edge.from),
            quote(&edge.to),
            quote(&label),
            quote(&tooltip),
            penwidth(edge.weight, max_weight)
        );
        if edge.confidence < 1.0 {
            out.push_str(", style=dashed");
        }
        out.push_str("];\n");
    }
    out.push_str("}\n");
    out
}

/// `text` as a DOT double-quoted string. Only `"` needs escaping in DOT strings; `\` is
/// escaped too because Graphviz reads `\n`, `\l`, `\N` and friends in labels, and a trailing
/// `\` would swallow the closing quote. Line breaks become `\n`, other control characters
/// spaces, so a label always stays on one line.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            character if character.is_control() => quoted.push(' '),
            character => quoted.push(character),
        }
    }
    quoted.push('"');
    quoted
}

/// Line width from `MIN_PENWIDTH` (weight 0) to `MAX_PENWIDTH` (the heaviest edge), linear.
fn penwidth(weight: f64, max_weight: f64) -> f64 {
    if max_weight <= 0.0 || !weight.is_finite() || weight <= 0.0 {
        return MIN_PENWIDTH;
    }
    MIN_PENWIDTH + (MAX_PENWIDTH - MIN_PENWIDTH) * (weight / max_weight).min(1.0)
}

//! Graphviz output: a `digraph` with one `cluster_N` subgraph per group (crate or service),
//! the graph's nodes inside, and one edge per ordered pair of nodes labelled with its kinds
//! and summed weight, line width growing with the weight.
//!
//! Every id is written as a double-quoted DOT string with `\` and `"` escaped, which is safe
//! for any module id or item path (`::`, `[bin]`, `#`, spaces, non-ASCII). Edges found only by
//! inference (confidence below 1) are dashed. Colours and fonts are left to Graphviz.
//!
//! Kept simple for `dot` on large graphs, whose layout time grows much faster than the edge
//! count (a 40-crate, 840-module fixture with the bounded layout: about 3 s for 500 edges,
//! 18 s for 1000, 95 s for 2000 on a busy 2-core machine; `docs/analyze.md` has more). `newrank=true` ranks the whole graph at once instead of
//! cluster by cluster: the older ranking fails on large clustered graphs ("trouble in
//! init_rank"). Past `MAX_DETAILED_EDGES` edges the labels are left off (each label is one
//! more node to place) and the layout is bounded (straight lines, fewer crossing-minimisation
//! and network-simplex passes). Past `MAX_EDGES` only the heaviest edges are drawn, and past
//! `MAX_NODES` nodes the ones no drawn edge touches go too. `//` comments before the graph
//! say what was left out and why.

use std::fmt::Write as _;

use super::graph::{Graph, GraphView, cut_heaviest, format_weight};
use crate::model::Analysis;

/// Line width of the lightest and the heaviest edge.
const MIN_PENWIDTH: f64 = 1.0;
const MAX_PENWIDTH: f64 = 5.0;
/// The most edges drawn with labels and Graphviz's default layout effort.
pub(super) const MAX_DETAILED_EDGES: usize = 300;
/// The most edges drawn at all: the heaviest are kept.
pub(super) const MAX_EDGES: usize = 1_000;
/// The most nodes a cut graph keeps without an edge.
pub(super) const MAX_NODES: usize = 1_000;
/// Graph attributes of a large drawing: straight edges, bounded passes.
const FAST_LAYOUT: &str = "splines=line, mclimit=0.1, nslimit=2, nslimit1=2";

pub(super) fn render(analysis: &Analysis, view: &GraphView<'_>) -> String {
    let mut graph = Graph::of(analysis, view);
    let drop_isolated = graph.node_count() > MAX_NODES;
    cut_heaviest(
        &mut graph,
        MAX_EDGES,
        drop_isolated,
        "so that Graphviz lays the graph out in reasonable time",
    );
    let detailed = graph.edges.len() <= MAX_DETAILED_EDGES;
    if !detailed {
        graph.notes.push(format!(
            "past {MAX_DETAILED_EDGES} edges, edges are not labelled (weights are in tooltips and line widths) and the layout is simplified ({FAST_LAYOUT})"
        ));
    }
    let max_weight = graph.max_weight();

    let mut out = String::new();
    // `write!` into a `String` cannot fail; the results are ignored on purpose below.
    let _ = writeln!(
        out,
        "// {} graph grouped by {}, written by ficus",
        graph.level.name(graph.grouping),
        graph.grouping
    );
    for note in &graph.notes {
        let _ = writeln!(out, "// {}", one_line(note));
    }
    out.push_str("digraph ficus {\n");
    if detailed {
        out.push_str("    graph [rankdir=LR, newrank=true];\n");
    } else {
        let _ = writeln!(out, "    graph [rankdir=LR, newrank=true, {FAST_LAYOUT}];");
    }
    out.push_str("    node [shape=box];\n");

    for (index, group) in graph.groups.iter().enumerate() {
        out.push('\n');
        let _ = writeln!(out, "    subgraph cluster_{index} {{");
        let _ = writeln!(out, "        label={};", quote(&group.name));
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
        let kinds = edge.kinds.join(", ");
        let tooltip = format!(
            "{} -> {}: {} {} ({}), weight {}, confidence {}",
            edge.from,
            edge.to,
            edge.count,
            if edge.count == 1 {
                "reference"
            } else {
                "references"
            },
            kinds,
            format_weight(edge.weight),
            format_weight(edge.confidence)
        );
        let _ = write!(out, "    {} -> {} [", quote(&edge.from), quote(&edge.to));
        if detailed {
            let label = format!("{kinds} ({})", format_weight(edge.weight));
            let _ = write!(out, "label={}, ", quote(&label));
        }
        let _ = write!(
            out,
            "tooltip={}, penwidth={:.2}",
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

/// `text` with control characters as spaces, for a `//` comment line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect()
}

/// Line width from `MIN_PENWIDTH` (weight 0) to `MAX_PENWIDTH` (the heaviest edge), linear.
fn penwidth(weight: f64, max_weight: f64) -> f64 {
    if max_weight <= 0.0 || !weight.is_finite() || weight <= 0.0 {
        return MIN_PENWIDTH;
    }
    MIN_PENWIDTH + (MAX_PENWIDTH - MIN_PENWIDTH) * (weight / max_weight).min(1.0)
}

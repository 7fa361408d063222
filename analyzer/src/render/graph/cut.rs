//! Making a graph smaller for a renderer with limits, deterministically and saying so: fold
//! every module of a group into one node, or keep only the heaviest edges. Each step adds a
//! note to the graph, which the renderer writes at the top of the file.
//!
//! It does not decide when to cut or what the limits are; the renderers do (`dot` for
//! Graphviz's speed, `mermaid` for Mermaid's own `maxEdges` and `maxTextSize`).

use std::collections::{BTreeMap, BTreeSet};

use super::{Graph, GraphEdge, Level, add_edge, format_weight};

/// `graph` with every group folded into one node named after it (a crate or a service), the
/// loose nodes kept as they are, and the edges between groups summed. References inside one
/// group are not drawn. `reason` ends the note ("to stay within ...").
pub(in crate::render) fn fold_to_groups(graph: &Graph, reason: &str) -> Graph {
    let mut group_of: BTreeMap<&str, &str> = BTreeMap::new();
    for group in &graph.groups {
        for node in &group.nodes {
            group_of.insert(node, &group.name);
        }
    }
    let node_of =
        |node: &str| -> String { group_of.get(node).copied().unwrap_or(node).to_string() };

    let mut nodes: BTreeSet<String> = graph
        .groups
        .iter()
        .map(|group| group.name.clone())
        .collect();
    nodes.extend(graph.loose_nodes.iter().cloned());
    let mut edges: BTreeMap<(String, String), GraphEdge> = BTreeMap::new();
    for edge in &graph.edges {
        let (from, to) = (node_of(&edge.from), node_of(&edge.to));
        if from == to && edge.from != edge.to {
            continue;
        }
        add_edge(
            &mut edges,
            from,
            to,
            edge.kinds.iter().map(String::as_str),
            edge.count,
            edge.weight,
            edge.confidence,
        );
    }

    let mut notes = graph.notes.clone();
    notes.push(format!(
        "{} {}s and {} edges folded into their {}s: {} nodes and {} edges, {reason}",
        graph.node_count(),
        graph.level.name(graph.grouping),
        graph.edges.len(),
        graph.grouping,
        nodes.len(),
        edges.len(),
    ));
    Graph {
        level: Level::Group,
        grouping: graph.grouping,
        groups: Vec::new(),
        loose_nodes: nodes.into_iter().collect(),
        edges: edges.into_values().collect(),
        notes,
    }
}

/// Keeps the `max_edges` heaviest edges of `graph` (ties broken by `(from, to)`, so the cut is
/// deterministic) and leaves out the rest; with `drop_isolated`, also the nodes no kept edge
/// touches. Does nothing when the graph has no more than `max_edges` edges. `reason` ends the
/// note ("to stay within ...").
pub(in crate::render) fn cut_heaviest(
    graph: &mut Graph,
    max_edges: usize,
    drop_isolated: bool,
    reason: &str,
) {
    let total = graph.edges.len();
    if total <= max_edges {
        return;
    }
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by(|&left, &right| {
        let (left, right) = (&graph.edges[left], &graph.edges[right]);
        right
            .weight
            .total_cmp(&left.weight)
            .then_with(|| (&left.from, &left.to).cmp(&(&right.from, &right.to)))
    });
    let mut kept: Vec<usize> = order[..max_edges].to_vec();
    kept.sort_unstable();
    let lightest_kept = kept
        .iter()
        .map(|&index| graph.edges[index].weight)
        .fold(f64::INFINITY, f64::min);
    let edges: Vec<GraphEdge> = kept
        .into_iter()
        .map(|index| graph.edges[index].clone())
        .collect();

    let nodes_before = graph.node_count();
    if drop_isolated {
        let touched: BTreeSet<&str> = edges
            .iter()
            .flat_map(|edge| [edge.from.as_str(), edge.to.as_str()])
            .collect();
        for group in &mut graph.groups {
            group.nodes.retain(|node| touched.contains(node.as_str()));
        }
        graph.groups.retain(|group| !group.nodes.is_empty());
        graph
            .loose_nodes
            .retain(|node| touched.contains(node.as_str()));
    }
    let level = graph.level.name(graph.grouping).to_string();
    let mut note = if max_edges == 0 {
        format!("none of {total} edges drawn")
    } else {
        format!(
            "{max_edges} of {total} edges drawn: the heaviest, weight {} and up; {} lighter ones left out",
            format_weight(lightest_kept),
            total - max_edges
        )
    };
    if drop_isolated {
        let dropped = nodes_before - graph.node_count();
        note.push_str(&format!(", with the {dropped} {level}s they alone touched"));
    }
    note.push_str(", ");
    note.push_str(reason);
    graph.notes.push(note);
    graph.edges = edges;
}

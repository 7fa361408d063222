//! Mermaid output: a `flowchart LR` that GitHub renders in Markdown, with one `subgraph` per
//! crate and one edge per ordered pair of nodes (every kind between the pair merged into one
//! label, weights summed).
//!
//! Mermaid ids may only safely hold `[A-Za-z0-9_]`, so each node and crate gets a derived id:
//! a prefix (`n_` for nodes, `c_` for crates, which also keeps clear of keywords such as
//! `end`) and the name with every other character turned into `_`. Two names that reduce to
//! the same id get `_2`, `_3`, ... in sorted order, so different names never collapse into one
//! node. The real name is always the quoted label, with the characters Mermaid would read as
//! markup written as entity codes (`#quot;`, `#35;`, ...). It does not style nodes or edges:
//! GitHub's theme decides.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::graph::{Graph, format_weight};
use crate::model::Analysis;

pub(super) fn render(analysis: &Analysis) -> String {
    let graph = Graph::of(analysis);
    let ids = Ids::assign(&graph);

    let mut out = String::from("flowchart LR\n");
    // `write!` into a `String` cannot fail; the results are ignored on purpose below.
    for group in &graph.crates {
        let _ = writeln!(
            out,
            "    subgraph {}[{}]",
            ids.crate_id(group.name),
            label(group.name)
        );
        for node in &group.nodes {
            let _ = writeln!(out, "        {}[{}]", ids.node_id(node), label(node));
        }
        out.push_str("    end\n");
    }
    for node in &graph.loose_nodes {
        let _ = writeln!(out, "    {}[{}]", ids.node_id(node), label(node));
    }

    // (from, to) -> (kinds, summed weight). Edges are sorted by (from, to, kind), so the
    // kinds come in sorted order; the set drops repeats.
    let mut merged: BTreeMap<(&str, &str), (BTreeSet<&str>, f64)> = BTreeMap::new();
    for edge in &graph.edges {
        let entry = merged
            .entry((edge.from.as_str(), edge.to.as_str()))
            .or_default();
        entry.0.insert(edge.kind.as_str());
        entry.1 += edge.weight;
    }
    for ((from, to), (kinds, weight)) in &merged {
        let kinds: Vec<&str> = kinds.iter().copied().collect();
        let text = format!("{} ({})", kinds.join(", "), format_weight(*weight));
        let _ = writeln!(
            out,
            "    {} -->|{}| {}",
            ids.node_id(from),
            label(&text),
            ids.node_id(to)
        );
    }
    out
}

/// Mermaid ids for every crate and node of one graph, unique across both.
struct Ids<'a> {
    crates: BTreeMap<&'a str, String>,
    nodes: BTreeMap<&'a str, String>,
}

impl<'a> Ids<'a> {
    fn assign(graph: &Graph<'a>) -> Ids<'a> {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut crates = BTreeMap::new();
        for group in &graph.crates {
            crates.insert(group.name, unique_id("c_", group.name, &mut taken));
        }
        // Sorted names, so which of two colliding names gets the suffix is decided by the
        // names alone, not by the crate they sit in.
        let mut names: Vec<&str> = graph
            .crates
            .iter()
            .flat_map(|group| group.nodes.iter().copied())
            .chain(graph.loose_nodes.iter().copied())
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut nodes = BTreeMap::new();
        for name in names {
            nodes.insert(name, unique_id("n_", name, &mut taken));
        }
        Ids { crates, nodes }
    }

    fn crate_id(&self, name: &str) -> &str {
        // Every crate of the graph was given an id in `assign`.
        self.crates.get(name).map(String::as_str).unwrap_or("c_")
    }

    fn node_id(&self, name: &str) -> &str {
        // Every node and edge end of the graph was given an id in `assign`.
        self.nodes.get(name).map(String::as_str).unwrap_or("n_")
    }
}

/// `prefix` + `name` with every character outside `[A-Za-z0-9_]` as `_`, plus the first free
/// `_N` suffix if that id is taken. Records the id as taken.
fn unique_id(prefix: &str, name: &str, taken: &mut BTreeSet<String>) -> String {
    let base: String = prefix
        .chars()
        .chain(name.chars().map(|character| {
            if character.is_ascii_alphanumeric() || character == '_' {
                character
            } else {
                '_'
            }
        }))
        .collect();
    let mut id = base.clone();
    let mut suffix = 2;
    while taken.contains(&id) {
        id = format!("{base}_{suffix}");
        suffix += 1;
    }
    taken.insert(id.clone());
    id
}

/// `text` as a double-quoted Mermaid label. Mermaid decodes `#name;` and `#number;` entity
/// codes inside labels and GitHub renders labels as HTML, so `"`, `#`, `&`, `<`, `>` and the
/// backtick (which would start a Markdown string) are written as codes; control characters
/// become spaces so the statement stays on one line.
fn label(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("#quot;"),
            '#' => quoted.push_str("#35;"),
            '&' => quoted.push_str("#amp;"),
            '<' => quoted.push_str("#lt;"),
            '>' => quoted.push_str("#gt;"),
            '`' => quoted.push_str("#96;"),
            character if character.is_control() => quoted.push(' '),
            character => quoted.push(character),
        }
    }
    quoted.push('"');
    quoted
}

//! Mermaid output: a `flowchart LR` that GitHub renders in Markdown, with one `subgraph` per
//! group (crate or service) and one edge per ordered pair of nodes (every kind between the
//! pair merged into one label, weights summed).
//!
//! It stays within Mermaid's own default limits, which GitHub does not raise: `maxEdges` 500
//! (more edges and the diagram is an error) and `maxTextSize` 50000 characters (more and it
//! is not drawn at all); both are in Mermaid's configuration schema. A graph over either is
//! made smaller deterministically, in this order, until it fits: items folded into their
//! modules, modules folded into their crates or services, then only the heaviest edges kept.
//! `%%` comments after the first line say what was cut and why.
//!
//! Mermaid ids may only safely hold `[A-Za-z0-9_]`, so each node and group gets a derived id:
//! a prefix (`n_` for nodes, `c_` for groups, which also keeps clear of keywords such as
//! `end`) and the name with every other character turned into `_`. Two names that reduce to
//! the same id get `_2`, `_3`, ... in sorted order, so different names never collapse into one
//! node. The real name is always the quoted label, with the characters Mermaid would read as
//! markup written as entity codes (`#quot;`, `#35;`, ...). It does not style nodes or edges:
//! GitHub's theme decides.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::graph::{Graph, GraphView, Level, cut_heaviest, fold_to_groups, format_weight};
use crate::Granularity;
use crate::model::Analysis;

/// Mermaid's default `maxEdges`: the most edges a diagram may have.
pub(super) const MAX_EDGES: usize = 500;
/// Mermaid's default `maxTextSize`: the longest diagram text, in characters (counted here in
/// UTF-8 bytes, never fewer than JavaScript's UTF-16 units).
pub(super) const MAX_TEXT_SIZE: usize = 50_000;
/// Why a graph was made smaller, the end of every note.
const REASON: &str = "to stay within Mermaid's limits (maxEdges 500, maxTextSize 50000)";

pub(super) fn render(analysis: &Analysis, view: &GraphView<'_>) -> String {
    let mut graph = Graph::of(analysis, view);
    loop {
        let text = write(&graph);
        if fits(&graph, &text) {
            return text;
        }
        graph = match graph.level {
            Level::Item => {
                let module_view = GraphView {
                    nodes: Granularity::Module,
                    ..*view
                };
                let mut modules = Graph::of(analysis, &module_view);
                modules.notes.insert(
                    0,
                    format!(
                        "{} items and {} edges folded into their modules: {} nodes and {} edges, {REASON}",
                        graph.node_count(),
                        graph.edges.len(),
                        modules.node_count(),
                        modules.edges.len()
                    ),
                );
                modules
            }
            Level::Module => fold_to_groups(&graph, REASON),
            Level::Group => break,
        };
    }
    // Groups still do not fit: keep as many of the heaviest edges as fit. Fewer edges never
    // give a longer text, and none fit (the nodes go with the edges), so this ends.
    let (mut fitting, mut too_many) = (0, graph.edges.len().min(MAX_EDGES) + 1);
    while too_many - fitting > 1 {
        let middle = fitting + (too_many - fitting) / 2;
        let mut candidate = graph.clone();
        cut_heaviest(&mut candidate, middle, true, REASON);
        if fits(&candidate, &write(&candidate)) {
            fitting = middle;
        } else {
            too_many = middle;
        }
    }
    cut_heaviest(&mut graph, fitting, true, REASON);
    write(&graph)
}

/// Whether Mermaid draws `text`, the rendering of `graph`, with its default limits.
fn fits(graph: &Graph, text: &str) -> bool {
    graph.edges.len() <= MAX_EDGES && text.len() <= MAX_TEXT_SIZE
}

/// The Mermaid text of `graph`, as it is.
fn write(graph: &Graph) -> String {
    let ids = Ids::assign(graph);

    let mut out = String::from("flowchart LR\n");
    // `write!` into a `String` cannot fail; the results are ignored on purpose below.
    for note in &graph.notes {
        let _ = writeln!(out, "    %% {}", comment(note));
    }
    for group in &graph.groups {
        let _ = writeln!(
            out,
            "    subgraph {}[{}]",
            ids.crate_id(&group.name),
            label(&group.name)
        );
        for node in &group.nodes {
            let _ = writeln!(out, "        {}[{}]", ids.node_id(node), label(node));
        }
        out.push_str("    end\n");
    }
    for node in &graph.loose_nodes {
        let _ = writeln!(out, "    {}[{}]", ids.node_id(node), label(node));
    }
    for edge in &graph.edges {
        let text = format!("{} ({})", edge.kinds.join(", "), format_weight(edge.weight));
        let _ = writeln!(
            out,
            "    {} -->|{}| {}",
            ids.node_id(&edge.from),
            label(&text),
            ids.node_id(&edge.to)
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
    fn assign(graph: &'a Graph) -> Ids<'a> {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut crates = BTreeMap::new();
        for group in &graph.groups {
            crates.insert(
                group.name.as_str(),
                unique_id("c_", &group.name, &mut taken),
            );
        }
        // Sorted names, so which of two colliding names gets the suffix is decided by the
        // names alone, not by the crate they sit in.
        let mut names: Vec<&str> = graph
            .groups
            .iter()
            .flat_map(|group| group.nodes.iter().map(String::as_str))
            .chain(graph.loose_nodes.iter().map(String::as_str))
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

/// `text` for a `%%` comment: on one line, and without `{`, which would start a directive.
fn comment(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() || character == '{' || character == '}' {
                ' '
            } else {
                character
            }
        })
        .collect()
}

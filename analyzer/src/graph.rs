//! Turns resolved references into typed, weighted edges between modules (or items), and
//! the dependency graph as a `petgraph` graph for the analyses that need one.
//!
//! Edges connect modules of analysed targets only. References into crates outside the
//! analysed code are counted separately as external uses: they say which libraries a module
//! uses, not how it is coupled to the rest of the monolith.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::facts::{ModFacts, RefKind};
use crate::model::{Analysis, Edge, ExternalUse};
use crate::resolve::{Def, EntryKind, Index, Want};
use crate::settings::Granularity;

/// Method names so common in `std` (and so rarely meant as a call into our own code when the
/// receiver's type is unknown) that a unique definition in the analysed code proves nothing.
const COMMON_METHODS: &[&str] = &[
    "as_ref",
    "as_mut",
    "as_str",
    "as_slice",
    "borrow",
    "borrow_mut",
    "clone",
    "cloned",
    "cmp",
    "collect",
    "contains",
    "contains_key",
    "copied",
    "default",
    "deref",
    "drop",
    "entry",
    "eq",
    "extend",
    "filter",
    "filter_map",
    "find",
    "first",
    "flat_map",
    "flatten",
    "fmt",
    "fold",
    "for_each",
    "from",
    "get",
    "get_mut",
    "hash",
    "insert",
    "into",
    "into_iter",
    "is_empty",
    "is_none",
    "is_some",
    "iter",
    "iter_mut",
    "join",
    "keys",
    "last",
    "len",
    "lock",
    "map",
    "map_err",
    "new",
    "next",
    "ok",
    "ok_or",
    "ok_or_else",
    "parse",
    "partial_cmp",
    "pop",
    "push",
    "read",
    "remove",
    "send",
    "sort",
    "split",
    "take",
    "to_owned",
    "to_string",
    "to_vec",
    "trim",
    "try_into",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "values",
    "with_capacity",
    "write",
    "and_then",
    "any",
    "all",
    "await",
    "build",
    "call",
    "chain",
    "count",
    "enumerate",
    "expect",
    "max",
    "min",
    "position",
    "rev",
    "skip",
    "sum",
    "zip",
];

/// The weight of one reference of each kind (documented in `docs/schema/README.md`).
pub(crate) fn kind_weight(kind: &str) -> f64 {
    match kind {
        "impl" => 2.0,
        "call" | "method" | "construct" => 1.0,
        _ => 0.5,
    }
}

#[derive(Default)]
struct Tally {
    edges: BTreeMap<(String, String, &'static str), u32>,
    external: BTreeMap<(String, String), u32>,
}

impl Tally {
    fn edge(&mut self, from: String, to: String, kind: &'static str) {
        if from != to {
            *self.edges.entry((from, to, kind)).or_insert(0) += 1;
        }
    }
}

/// Edges and external uses of every analysed module. `facts_of` gives a module's own facts.
pub(crate) fn edges<'f>(
    index: &Index<'_>,
    facts_of: &dyn Fn(usize) -> Option<&'f ModFacts>,
    analysed: &dyn Fn(usize) -> bool,
    granularity: Granularity,
) -> (Vec<Edge>, Vec<ExternalUse>) {
    let mut tally = Tally::default();
    for module in 0..index.forest.modules.len() {
        if !analysed(module) {
            continue;
        }
        let Some(facts) = facts_of(module) else {
            continue;
        };
        let module_id = &index.forest.modules[module].id;
        let from_node = |owner: Option<&str>| match (granularity, owner) {
            (Granularity::Item, Some(owner)) => format!("{module_id}::{owner}"),
            _ => module_id.clone(),
        };
        let to_node = |def: Def| -> Option<String> {
            let target = index.module_of(def)?;
            if !analysed(target) {
                return None;
            }
            Some(match (granularity, def) {
                (Granularity::Item, Def::Item(idx)) => index.item_path(idx),
                _ => index.forest.modules[target].id.clone(),
            })
        };

        for use_idx in 0..facts.uses.len() {
            let Some(defs) = index.resolved_uses.get(&(module, use_idx)) else {
                continue;
            };
            for &def in defs {
                match def {
                    Def::External(id) => {
                        *tally
                            .external
                            .entry((module_id.clone(), index.externals[id].clone()))
                            .or_insert(0) += 1;
                    }
                    def => {
                        if let Some(to) = to_node(def) {
                            tally.edge(from_node(None), to, "import");
                        }
                    }
                }
            }
        }

        for reference in &facts.refs {
            let want = match reference.kind {
                RefKind::Type | RefKind::Impl => Want::Type,
                RefKind::Macro => Want::Macro,
                RefKind::Call | RefKind::Construct | RefKind::Value => Want::Value,
            };
            let Some(def) = index.resolve(
                module,
                reference.local_scope,
                &reference.path,
                reference.global,
                want,
            ) else {
                continue;
            };
            let kind = match (reference.kind, def) {
                (_, Def::External(id)) => {
                    *tally
                        .external
                        .entry((module_id.clone(), index.externals[id].clone()))
                        .or_insert(0) += 1;
                    continue;
                }
                (RefKind::Type, _) => "type",
                (RefKind::Impl, _) => "impl",
                (RefKind::Macro, _) => "macro",
                (RefKind::Construct, _) => "construct",
                (RefKind::Call | RefKind::Value, Def::Item(idx)) => match index.items[idx].kind {
                    EntryKind::Item(
                        crate::facts::ItemKind::Struct | crate::facts::ItemKind::Variant,
                    ) => "construct",
                    EntryKind::Item(kind) if kind.is_type() => "type",
                    _ => "call",
                },
                (RefKind::Call | RefKind::Value, Def::Module(_)) => "call",
            };
            if let Some(to) = to_node(def) {
                tally.edge(from_node(reference.owner.as_deref()), to, kind);
            }
        }

        for call in &facts.method_calls {
            let from = from_node(call.owner.as_deref());
            if let Some(receiver) = &call.receiver_type {
                let Some(type_def) =
                    index.resolve(module, call.local_scope, receiver, false, Want::Type)
                else {
                    continue;
                };
                if let Some(&method) = index.methods_of(type_def, &call.method).first()
                    && let Some(to) = to_node(Def::Item(method))
                {
                    tally.edge(from, to, "method");
                }
                continue;
            }
            if COMMON_METHODS.contains(&call.method.as_str()) {
                continue;
            }
            let Some(candidates) = index.methods_by_name.get(&call.method) else {
                continue;
            };
            // Only a method name that one type alone defines says where the call goes.
            let mut owners: Vec<(usize, &str)> = candidates
                .iter()
                .map(|&idx| {
                    (
                        index.items[idx].module,
                        index.items[idx].name.split("::").next().unwrap_or_default(),
                    )
                })
                .collect();
            owners.sort_unstable();
            owners.dedup();
            if let [_] = owners.as_slice()
                && let Some(to) = to_node(Def::Item(candidates[0]))
            {
                tally.edge(from, to, "inferred_method");
            }
        }
    }

    let edges = tally
        .edges
        .into_iter()
        .map(|((from, to, kind), count)| Edge {
            from,
            to,
            kind: kind.to_string(),
            count,
            weight: f64::from(count) * kind_weight(kind),
            confidence: if kind == "inferred_method" { 0.5 } else { 1.0 },
        })
        .collect();
    let external = tally
        .external
        .into_iter()
        .map(|((module, krate), count)| ExternalUse {
            module,
            krate,
            count,
        })
        .collect();
    (edges, external)
}

/// The module (or item) graph of an analysis: one node per module, one edge per pair of
/// nodes with the summed weight of every kind between them.
pub fn dependency_graph(
    analysis: &Analysis,
) -> (DiGraph<String, f64>, BTreeMap<String, NodeIndex>) {
    let mut graph = DiGraph::new();
    let mut nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
    if analysis.granularity != "item" {
        for module in &analysis.modules {
            nodes.insert(module.id.clone(), graph.add_node(module.id.clone()));
        }
    }
    let mut weights: BTreeMap<(String, String), f64> = BTreeMap::new();
    for edge in &analysis.edges {
        *weights
            .entry((edge.from.clone(), edge.to.clone()))
            .or_insert(0.0) += edge.weight;
    }
    for ((from, to), weight) in weights {
        let from = *nodes
            .entry(from.clone())
            .or_insert_with(|| graph.add_node(from));
        let to = *nodes
            .entry(to.clone())
            .or_insert_with(|| graph.add_node(to));
        graph.add_edge(from, to, weight);
    }
    (graph, nodes)
}

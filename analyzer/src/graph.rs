//! Turns resolved references into typed, weighted edges between modules (or items), and
//! the dependency graph as a `petgraph` graph for the analyses that need one.
//!
//! Edges connect modules of analysed targets only. References into crates outside the
//! analysed code are counted separately as external uses: they say which libraries a module
//! uses, not how it is coupled to the rest of the monolith.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use crate::facts::{ItemKind, ModFacts, RefKind};
use crate::model::{Analysis, Edge, ExternalUse, Task};
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

/// The weight of one reference of each kind (documented in `docs/schema/README.md`): the
/// default weight of the plan file's signal of that name, 0.5 for a kind it has none for.
pub(crate) fn kind_weight(kind: &str) -> f64 {
    ficus_plan::Signal::of_edge_kind(kind).map_or(0.5, ficus_plan::Signal::default_weight)
}

/// A node of the graph while edges are counted: ids, not paths, so that counting a
/// reference allocates nothing. Paths are made once per distinct edge at the end.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    /// A module, by index.
    Module(usize),
    /// The item of a module whose code holds a reference (`ModFacts::owners`).
    Owner(usize, u32),
    /// An item of the index.
    Item(usize),
}

impl Node {
    fn path<'f>(
        self,
        index: &Index<'_>,
        facts_of: &dyn Fn(usize) -> Option<&'f ModFacts>,
    ) -> String {
        match self {
            Node::Module(module) => index.forest.modules[module].id.clone(),
            Node::Owner(module, owner) => {
                let module_id = &index.forest.modules[module].id;
                match facts_of(module) {
                    Some(facts) => format!("{module_id}::{}", facts.owners[owner as usize]),
                    None => module_id.clone(),
                }
            }
            Node::Item(idx) => index.item_path(idx),
        }
    }
}

#[derive(Default)]
struct Tally {
    edges: HashMap<(Node, Node, &'static str), u32>,
    /// (module, external crate id) -> references.
    external: HashMap<(usize, usize), u32>,
    tasks: BTreeSet<Task>,
}

impl Tally {
    fn edge(&mut self, from: Node, to: Node, kind: &'static str, count: u32) {
        *self.edges.entry((from, to, kind)).or_insert(0) += count;
    }

    fn external(&mut self, module: usize, krate: usize, count: u32) {
        *self.external.entry((module, krate)).or_insert(0) += count;
    }

    fn merge(mut self, mut other: Tally) -> Tally {
        if other.edges.len() > self.edges.len() {
            std::mem::swap(&mut self.edges, &mut other.edges);
        }
        for (key, count) in other.edges {
            *self.edges.entry(key).or_insert(0) += count;
        }
        for (key, count) in other.external {
            *self.external.entry(key).or_insert(0) += count;
        }
        self.tasks.extend(other.tasks);
        self
    }
}

/// Sorts counted `(key, count)` pairs by key and sums the counts of equal keys (distinct
/// ids can name the same path).
fn sum_sorted<K: Ord + Send>(mut pairs: Vec<(K, u32)>) -> Vec<(K, u32)> {
    pairs.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut summed: Vec<(K, u32)> = Vec::with_capacity(pairs.len());
    for (key, count) in pairs {
        match summed.last_mut() {
            Some(last) if last.0 == key => last.1 += count,
            _ => summed.push((key, count)),
        }
    }
    summed
}

/// Edges and external uses of every analysed module, computed in parallel per module.
/// `facts_of` gives a module's own facts.
pub(crate) fn edges<'f>(
    index: &Index<'_>,
    facts_of: &(dyn Fn(usize) -> Option<&'f ModFacts> + Sync),
    analysed: &(dyn Fn(usize) -> bool + Sync),
    granularity: Granularity,
) -> (Vec<Edge>, Vec<ExternalUse>, Vec<Task>) {
    // Whether a method name has one owner is decided once per name, not once per call.
    let single_owner: HashSet<&str> = index
        .methods_by_name
        .par_iter()
        .filter(|(_, candidates)| has_single_owner(index, candidates))
        .map(|(name, _)| name.as_str())
        .collect();
    let tally = (0..index.forest.modules.len())
        .into_par_iter()
        .filter(|&module| analysed(module))
        .filter_map(|module| Some((module, facts_of(module)?)))
        .fold(Tally::default, |mut tally, (module, facts)| {
            module_edges(
                index,
                module,
                facts,
                analysed,
                granularity,
                &single_owner,
                &mut tally,
            );
            tally
        })
        .reduce(Tally::default, Tally::merge);

    let named: Vec<((String, String, &'static str), u32)> = tally
        .edges
        .into_par_iter()
        .filter_map(|((from, to, kind), count)| {
            let (from, to) = (from.path(index, facts_of), to.path(index, facts_of));
            (from != to).then_some(((from, to, kind), count))
        })
        .collect();
    let edges = sum_sorted(named)
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
    let named: Vec<((&str, &str), u32)> = tally
        .external
        .into_iter()
        .map(|((module, krate), count)| {
            let module = index.forest.modules[module].id.as_str();
            ((module, index.externals[krate].as_str()), count)
        })
        .collect();
    let external = sum_sorted(named)
        .into_iter()
        .map(|((module, krate), count)| ExternalUse {
            module: module.to_string(),
            krate: krate.to_string(),
            count,
        })
        .collect();
    (edges, external, tally.tasks.into_iter().collect())
}

/// One module's edges into `tally`. `single_owner` holds the method names that one type
/// alone defines: a call by such a name, receiver unknown, goes to that method.
fn module_edges(
    index: &Index<'_>,
    module: usize,
    facts: &ModFacts,
    analysed: &(dyn Fn(usize) -> bool + Sync),
    granularity: Granularity,
    single_owner: &HashSet<&str>,
    tally: &mut Tally,
) {
    let module_id = &index.forest.modules[module].id;
    // The item whose code holds a reference (the module, for module-level code).
    let owner_item = |owner: Option<u32>| match owner {
        Some(owner) => format!("{module_id}::{}", facts.owners[owner as usize]),
        None => module_id.clone(),
    };
    let from_node = |owner: Option<u32>| match (granularity, owner) {
        (Granularity::Item, Some(owner)) => Node::Owner(module, owner),
        _ => Node::Module(module),
    };
    let to_node = |def: Def| -> Option<Node> {
        let target = index.module_of(def)?;
        if !analysed(target) {
            return None;
        }
        Some(match (granularity, def) {
            (Granularity::Item, Def::Item(idx)) => Node::Item(idx),
            _ => Node::Module(target),
        })
    };

    for use_idx in 0..facts.uses.len() {
        let Some(defs) = index.resolved_uses.get(&(module, use_idx)) else {
            continue;
        };
        for &def in defs {
            match def {
                Def::External(id) => tally.external(module, id, 1),
                def => {
                    if let Some(to) = to_node(def) {
                        tally.edge(from_node(None), to, "import", 1);
                    }
                }
            }
        }
    }

    let mut segments: Vec<&str> = Vec::new();
    for reference in &facts.refs {
        let want = match reference.kind {
            RefKind::Type | RefKind::Impl => Want::Type,
            RefKind::Macro => Want::Macro,
            RefKind::Call
            | RefKind::Construct
            | RefKind::Value
            | RefKind::Spawn
            | RefKind::Join => Want::Value,
        };
        segments.clear();
        segments.extend(reference.path.split("::"));
        let Some(def) = index.resolve(
            module,
            reference.local_scope,
            &segments,
            reference.global,
            want,
        ) else {
            continue;
        };
        let kind = match (reference.kind, def) {
            (_, Def::External(id)) => {
                tally.external(module, id, reference.count);
                continue;
            }
            (RefKind::Type, _) => "type",
            (RefKind::Impl, _) => "impl",
            (RefKind::Macro, _) => "macro",
            (RefKind::Construct, _) => "construct",
            (RefKind::Spawn | RefKind::Join, Def::Item(idx))
                if matches!(
                    index.items[idx].kind,
                    EntryKind::Item(ItemKind::Fn) | EntryKind::Method
                ) =>
            {
                if let Some(target) = index.module_of(def)
                    && analysed(target)
                {
                    tally.tasks.insert(Task {
                        function: index.item_path(idx),
                        module: index.forest.modules[target].id.clone(),
                        started_by: owner_item(reference.owner),
                        how: if reference.kind == RefKind::Spawn {
                            "spawn"
                        } else {
                            "join"
                        }
                        .to_string(),
                    });
                }
                "call"
            }
            (RefKind::Call | RefKind::Value | RefKind::Spawn | RefKind::Join, Def::Item(idx)) => {
                match index.items[idx].kind {
                    EntryKind::Item(ItemKind::Struct | ItemKind::Variant) => "construct",
                    EntryKind::Item(kind) if kind.is_type() => "type",
                    _ => "call",
                }
            }
            (RefKind::Call | RefKind::Value | RefKind::Spawn | RefKind::Join, Def::Module(_)) => {
                "call"
            }
        };
        if let Some(to) = to_node(def) {
            tally.edge(from_node(reference.owner), to, kind, reference.count);
        }
    }

    for call in &facts.method_calls {
        if let Some(receiver) = &call.receiver_type {
            segments.clear();
            segments.extend(receiver.split("::"));
            let Some(type_def) =
                index.resolve(module, call.local_scope, &segments, false, Want::Type)
            else {
                continue;
            };
            if let Some(&method) = index.methods_of(type_def, &call.method).first()
                && let Some(to) = to_node(Def::Item(method))
            {
                tally.edge(from_node(call.owner), to, "method", call.count);
            }
            continue;
        }
        if COMMON_METHODS.contains(&&*call.method) {
            continue;
        }
        let Some(candidates) = index.methods_by_name.get(&*call.method) else {
            continue;
        };
        // Only a method name that one type alone defines says where the call goes.
        if single_owner.contains(&*call.method)
            && let Some(to) = to_node(Def::Item(candidates[0]))
        {
            tally.edge(from_node(call.owner), to, "inferred_method", call.count);
        }
    }
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

/// Whether the methods of one name all belong to one type: one `(module, type name)` pair.
fn has_single_owner(index: &Index<'_>, candidates: &[usize]) -> bool {
    let owner_of = |idx: usize| {
        let item = &index.items[idx];
        (
            item.module,
            item.name.split("::").next().unwrap_or_default(),
        )
    };
    let Some((&first, rest)) = candidates.split_first() else {
        return false;
    };
    let first = owner_of(first);
    rest.iter().all(|&idx| owner_of(idx) == first)
}

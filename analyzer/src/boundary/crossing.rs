//! What crosses each candidate's boundary, given an assignment of modules to candidates:
//! routes it serves, tables it owns or shares, foreign keys that would cross services, the
//! API it offers (items used from outside, with counts and callers), what it calls in the
//! rest of the monolith, and the dependency cycles it is part of; plus the extraction cost
//! and value terms that rank candidates.
//!
//! Works at item level when the analysis has item edges (`granularity = "item"`), which gives
//! the API surface; module-level analyses give everything else.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use serde::Serialize;

use crate::model::Analysis;

/// One candidate service and everything that crosses its boundary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Crossing {
    pub name: String,
    pub modules: Vec<String>,
    /// `METHOD /path` of the routes whose handlers are in the candidate.
    pub routes: Vec<String>,
    /// Tables only this candidate writes (it may share reads).
    pub tables_owned: Vec<String>,
    pub tables_shared: Vec<SharedTable>,
    pub foreign_keys_crossing: Vec<CrossingKey>,
    /// Items of the candidate used from other candidates or the kernel, most used first.
    pub api: Vec<ApiItem>,
    /// Structural weight of the candidate's dependencies on each other candidate.
    pub calls_out: BTreeMap<String, f64>,
    /// Other candidates in a dependency cycle with this one.
    pub cycle_with: Vec<String>,
    pub cost: Cost,
    pub value: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SharedTable {
    pub table: String,
    pub readers: Vec<String>,
    pub writers: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CrossingKey {
    pub from_table: String,
    pub column: String,
    pub to_table: String,
    /// The candidate owning the referenced table.
    pub to_candidate: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiItem {
    pub item: String,
    pub uses: u32,
    /// Candidates (or `unassigned`: the shared kernel and wiring) that use it.
    pub callers: Vec<String>,
}

/// What extracting a candidate costs: every term that makes the cut harder.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cost {
    /// Structural weight of edges between the candidate and other candidates, both ways.
    pub cut_weight: f64,
    /// Structural weight of the candidate's own calls into other candidates.
    pub calls_back: f64,
    pub shared_written_tables: usize,
    pub crossing_foreign_keys: usize,
    pub in_cycle: bool,
    /// `cut_weight + 2 calls_back + 5 shared_written_tables + 2 crossing_foreign_keys + 10 in_cycle`.
    pub total: f64,
}

/// What extracting a candidate is worth.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Value {
    pub routes: usize,
    /// `routes + 1` (a candidate with no routes still removes code from the monolith).
    pub total: f64,
}

/// Describes every candidate. `assignment` maps module ids to candidate names; modules not
/// in it (the shared kernel, wiring) count as callers named `unassigned`.
pub fn crossings(analysis: &Analysis, assignment: &BTreeMap<String, String>) -> Vec<Crossing> {
    let modules: BTreeSet<&str> = analysis
        .modules
        .iter()
        .map(|module| module.id.as_str())
        .collect();
    let module_of = |node: &str| -> Option<String> { module_for_node(node, &modules) };
    let candidate_of = |node: &str| -> Option<&String> {
        module_of(node).and_then(|module| assignment.get(&module))
    };
    let mut by_name: BTreeMap<String, Crossing> = BTreeMap::new();
    for (module, name) in assignment {
        let entry = by_name.entry(name.clone()).or_insert_with(|| Crossing {
            name: name.clone(),
            ..Crossing::default()
        });
        entry.modules.push(module.clone());
    }

    for route in &analysis.routes {
        if let Some(crossing) = assignment
            .get(&route.module)
            .and_then(|name| by_name.get_mut(name))
        {
            crossing
                .routes
                .push(format!("{} {}", route.method, route.path));
        }
    }

    // Tables: who reads and who writes, by candidate.
    let mut readers: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut writers: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for access in &analysis.accesses {
        let who = assignment
            .get(&access.module)
            .cloned()
            .unwrap_or_else(|| "unassigned".to_string());
        let side = if access.mode == "write" {
            &mut writers
        } else {
            &mut readers
        };
        side.entry(&access.table).or_default().insert(who);
    }
    let tables: BTreeSet<&str> = readers.keys().chain(writers.keys()).copied().collect();
    let mut owner_of: BTreeMap<&str, String> = BTreeMap::new();
    for table in &tables {
        let table_readers = readers.get(table).cloned().unwrap_or_default();
        let table_writers = writers.get(table).cloned().unwrap_or_default();
        if table_writers.len() == 1 {
            let owner = table_writers.iter().next().cloned().unwrap_or_default();
            owner_of.insert(table, owner.clone());
            if let Some(crossing) = by_name.get_mut(&owner) {
                crossing.tables_owned.push((*table).to_string());
            }
        }
        let users: BTreeSet<&String> = table_readers.iter().chain(table_writers.iter()).collect();
        if users.len() > 1 || table_writers.len() > 1 {
            let shared = SharedTable {
                table: (*table).to_string(),
                readers: table_readers.iter().cloned().collect(),
                writers: table_writers.iter().cloned().collect(),
            };
            for user in users {
                if let Some(crossing) = by_name.get_mut(user) {
                    crossing.tables_shared.push(shared.clone());
                }
            }
        }
    }

    for key in &analysis.foreign_keys {
        let (Some(from), Some(to)) = (
            owner_of.get(key.from_table.as_str()),
            owner_of.get(key.to_table.as_str()),
        ) else {
            continue;
        };
        if from != to
            && let Some(crossing) = by_name.get_mut(from)
        {
            crossing.foreign_keys_crossing.push(CrossingKey {
                from_table: key.from_table.clone(),
                column: key.column.clone(),
                to_table: key.to_table.clone(),
                to_candidate: to.clone(),
            });
        }
    }

    // Structural dependencies between candidates, and the API each offers.
    let mut api: BTreeMap<String, BTreeMap<String, (u32, BTreeSet<String>)>> = BTreeMap::new();
    let mut cut: BTreeMap<String, f64> = BTreeMap::new();
    for edge in &analysis.edges {
        let from = candidate_of(&edge.from)
            .cloned()
            .unwrap_or_else(|| "unassigned".to_string());
        let Some(to) = candidate_of(&edge.to).cloned() else {
            continue;
        };
        if from == to {
            continue;
        }
        *cut.entry(to.clone()).or_insert(0.0) += edge.weight;
        if from != "unassigned" {
            *cut.entry(from.clone()).or_insert(0.0) += edge.weight;
            if let Some(crossing) = by_name.get_mut(&from) {
                *crossing.calls_out.entry(to.clone()).or_insert(0.0) += edge.weight;
            }
        }
        if analysis.granularity == "item" && edge.kind != "import" {
            let entry = api
                .entry(to)
                .or_default()
                .entry(edge.to.clone())
                .or_default();
            entry.0 += edge.count;
            entry.1.insert(from);
        }
    }

    let cycles = candidate_cycles(&by_name);
    for (name, crossing) in &mut by_name {
        crossing.modules.sort();
        crossing.routes.sort();
        crossing.tables_shared.sort();
        crossing.tables_shared.dedup();
        crossing.foreign_keys_crossing.sort();
        let mut items: Vec<ApiItem> = api
            .remove(name)
            .unwrap_or_default()
            .into_iter()
            .map(|(item, (uses, callers))| ApiItem {
                item,
                uses,
                callers: callers.into_iter().collect(),
            })
            .collect();
        items.sort_by(|a, b| b.uses.cmp(&a.uses).then_with(|| a.item.cmp(&b.item)));
        crossing.api = items;
        crossing.cycle_with = cycles.get(name).cloned().unwrap_or_default();
        let shared_written = crossing
            .tables_shared
            .iter()
            .filter(|shared| shared.writers.len() > 1)
            .count();
        let calls_back: f64 = crossing.calls_out.values().sum();
        let mut cost = Cost {
            cut_weight: cut.get(name).copied().unwrap_or(0.0),
            calls_back,
            shared_written_tables: shared_written,
            crossing_foreign_keys: crossing.foreign_keys_crossing.len(),
            in_cycle: !crossing.cycle_with.is_empty(),
            total: 0.0,
        };
        cost.total = cost.cut_weight
            + 2.0 * cost.calls_back
            + 5.0 * cost.shared_written_tables as f64
            + 2.0 * cost.crossing_foreign_keys as f64
            + if cost.in_cycle { 10.0 } else { 0.0 };
        crossing.cost = cost;
        crossing.value = Value {
            routes: crossing.routes.len(),
            total: crossing.routes.len() as f64 + 1.0,
        };
    }
    by_name.into_values().collect()
}

/// Candidates in order of extraction: highest value per unit of cost first (ties by name).
pub fn extraction_order(crossings: &[Crossing]) -> Vec<String> {
    let mut order: Vec<(&Crossing, f64)> = crossings
        .iter()
        .map(|crossing| (crossing, crossing.value.total / (1.0 + crossing.cost.total)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    order
        .into_iter()
        .map(|(crossing, _)| crossing.name.clone())
        .collect()
}

/// The analysis with its edges at module level: item-level edges (`granularity = "item"`)
/// mapped to the modules of their ends and summed per kind. Module-level analyses are
/// returned as they are.
pub fn at_module_level(analysis: &Analysis) -> Analysis {
    if analysis.granularity != "item" {
        return analysis.clone();
    }
    let modules: BTreeSet<&str> = analysis
        .modules
        .iter()
        .map(|module| module.id.as_str())
        .collect();
    let mut summed: BTreeMap<(String, String, String), (u32, f64, f64)> = BTreeMap::new();
    for edge in &analysis.edges {
        let (Some(from), Some(to)) = (
            module_for_node(&edge.from, &modules),
            module_for_node(&edge.to, &modules),
        ) else {
            continue;
        };
        if from == to {
            continue;
        }
        let entry = summed
            .entry((from, to, edge.kind.clone()))
            .or_insert((0, 0.0, 1.0));
        entry.0 += edge.count;
        entry.1 += edge.weight;
        entry.2 = entry.2.min(edge.confidence);
    }
    let edges = summed
        .into_iter()
        .map(
            |((from, to, kind), (count, weight, confidence))| crate::model::Edge {
                from,
                to,
                kind,
                count,
                weight,
                confidence,
            },
        )
        .collect();
    Analysis {
        edges,
        granularity: "module".to_string(),
        ..analysis.clone()
    }
}

/// The module a graph node belongs to: the node itself when it is a module, otherwise the
/// longest module id that prefixes it (item-level nodes are `module::Item::method`).
pub(crate) fn module_for_node(node: &str, modules: &BTreeSet<&str>) -> Option<String> {
    crate::model::owning_module(node, |id| modules.contains(id)).map(str::to_string)
}

/// For each candidate, the others in its strongly connected component of calls.
fn candidate_cycles(by_name: &BTreeMap<String, Crossing>) -> BTreeMap<String, Vec<String>> {
    let mut graph = DiGraph::<&str, ()>::new();
    let nodes: BTreeMap<&str, _> = by_name
        .keys()
        .map(|name| (name.as_str(), graph.add_node(name.as_str())))
        .collect();
    for (name, crossing) in by_name {
        for to in crossing.calls_out.keys() {
            if let (Some(&a), Some(&b)) = (nodes.get(name.as_str()), nodes.get(to.as_str())) {
                graph.add_edge(a, b, ());
            }
        }
    }
    let mut cycles = BTreeMap::new();
    for component in tarjan_scc(&graph) {
        if component.len() < 2 {
            continue;
        }
        let names: Vec<String> = component
            .iter()
            .map(|&idx| graph[idx].to_string())
            .collect();
        for name in &names {
            let mut others: Vec<String> = names
                .iter()
                .filter(|other| *other != name)
                .cloned()
                .collect();
            others.sort();
            cycles.insert(name.clone(), others);
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_nodes_map_to_their_longest_module_prefix() {
        let modules: BTreeSet<&str> = ["app", "app::orders", "app::orders::service"]
            .into_iter()
            .collect();
        assert_eq!(
            module_for_node("app::orders::service::Order::total", &modules).as_deref(),
            Some("app::orders::service")
        );
        assert_eq!(
            module_for_node("app::orders", &modules).as_deref(),
            Some("app::orders")
        );
        assert_eq!(module_for_node("other::x", &modules), None);
    }
}

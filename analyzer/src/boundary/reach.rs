//! Which services' entry points depend on each module, through item-level dependencies.
//!
//! Ties between modules say that two modules are coupled, not whose code a module serves. A
//! data-access layer with one method per use case is tied to every domain, and every entity
//! it reads is tied to it alone, so by ties the entities follow the layer wherever it lands.
//! Item edges tell more: the handler that adds a user calls `Database::add_user`, which builds
//! a `user` record. Following dependencies from each route handler, item by item, reaches the
//! code that handler runs; a module reached by one service's handlers serves that service, one
//! reached evenly by many serves them all.
//!
//! Followed: every edge from an item (call, method, type, construct, impl, macro). Not
//! followed: `import` edges, and any edge leaving a module node (module-level code such as a
//! `use` list names everything the module's items might use, not what one handler runs).

use std::collections::{BTreeMap, BTreeSet};

use super::signals::FusedGraph;
use crate::model::Analysis;

/// Each step away from a handler halves what reaching a module counts for: the code a handler
/// calls itself says more about whom it serves than what that code calls in turn.
const DECAY: f64 = 0.5;
/// Steps followed from a handler; beyond, a module would count for less than 1/64.
const MAX_DEPTH: usize = 6;

/// Per module of the fused graph: service -> number of that service's handlers that reach it.
pub type Reached = Vec<BTreeMap<usize, f64>>;

/// The item-level dependency graph that [`reach`] and [`ItemGraph::request_path`] follow.
pub struct ItemGraph<'a> {
    nodes: BTreeMap<&'a str, usize>,
    /// The fused-graph module of each node (`None`: kernel, wiring or outside the graph).
    module_of: Vec<Option<usize>>,
    out: Vec<Vec<usize>>,
}

impl<'a> ItemGraph<'a> {
    pub fn new(analysis: &'a Analysis, graph: &FusedGraph) -> ItemGraph<'a> {
        let mut nodes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut module_of: Vec<Option<usize>> = Vec::new();
        let mut is_module: Vec<bool> = Vec::new();
        let mut add = |module: Option<usize>, module_node: bool| {
            module_of.push(module);
            is_module.push(module_node);
            module_of.len() - 1
        };
        for module in &analysis.modules {
            let idx = add(graph.index_of(&module.id), true);
            nodes.insert(&module.id, idx);
        }
        for item in &analysis.items {
            if nodes.contains_key(item.path.as_str()) {
                continue;
            }
            let idx = add(graph.index_of(&item.module), false);
            nodes.insert(&item.path, idx);
        }
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); module_of.len()];
        for edge in &analysis.edges {
            if edge.kind == "import" {
                continue;
            }
            if let (Some(&from), Some(&to)) =
                (nodes.get(edge.from.as_str()), nodes.get(edge.to.as_str()))
                && !is_module[from]
                && from != to
            {
                out[from].push(to);
            }
        }
        ItemGraph {
            nodes,
            module_of,
            out,
        }
    }

    /// Every item some of `starts` (item paths) depend on, at any depth, themselves included:
    /// the code that serving a request may run when `starts` are the route handlers.
    pub fn request_path<'s>(&self, starts: impl IntoIterator<Item = &'s str>) -> BTreeSet<&'a str> {
        let mut seen = vec![false; self.module_of.len()];
        let mut stack: Vec<usize> = starts
            .into_iter()
            .filter_map(|start| self.nodes.get(start).copied())
            .collect();
        for &node in &stack {
            seen[node] = true;
        }
        while let Some(node) = stack.pop() {
            for &next in &self.out[node] {
                if !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        self.nodes
            .iter()
            .filter(|(_, node)| seen[**node])
            .map(|(path, _)| *path)
            .collect()
    }
}

/// Follows dependencies from every entry point (`starts`: the item path of a route handler or
/// background job's function, and its module) whose module is in a service (`services[i]` is
/// the service of `graph.modules[i]`, `None` when in no service yet) and counts, for each
/// module, the entry points of each service that reach one of its items.
pub fn reach(
    items: &ItemGraph<'_>,
    graph: &FusedGraph,
    services: &[Option<usize>],
    starts: &[(&str, &str)],
) -> Reached {
    let ItemGraph {
        nodes,
        module_of,
        out,
    } = items;
    let mut reached: Reached = vec![BTreeMap::new(); graph.modules.len()];
    let mut seen_node = vec![usize::MAX; module_of.len()];
    let mut seen_module = vec![usize::MAX; graph.modules.len()];
    let mut handlers: Vec<(&str, usize)> = starts
        .iter()
        .filter_map(|&(item, module)| {
            let module = graph.index_of(module)?;
            Some((item, services.get(module).copied().flatten()?))
        })
        .collect();
    handlers.sort_unstable();
    handlers.dedup();
    let mut frontier = Vec::new();
    let mut next_frontier = Vec::new();
    for (run, (handler, service)) in handlers.into_iter().enumerate() {
        let Some(&start) = nodes.get(handler) else {
            continue;
        };
        // Breadth first, so each module is credited at the depth of its nearest item.
        seen_node[start] = run;
        frontier.clear();
        frontier.push(start);
        let mut credit = 1.0;
        for _ in 0..=MAX_DEPTH {
            for &node in &frontier {
                if let Some(module) = module_of[node]
                    && seen_module[module] != run
                {
                    seen_module[module] = run;
                    *reached[module].entry(service).or_insert(0.0) += credit;
                }
                for &next in &out[node] {
                    if seen_node[next] != run {
                        seen_node[next] = run;
                        next_frontier.push(next);
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next_frontier);
            next_frontier.clear();
            if frontier.is_empty() {
                break;
            }
            credit *= DECAY;
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Item, Module, Route};

    fn module(id: &str) -> Module {
        Module {
            id: id.to_string(),
            path: id.to_string(),
            krate: "app".to_string(),
            file: format!("{id}.rs"),
            line: 1,
            parent: None,
            cfg: None,
            lines: 10,
        }
    }

    fn item(path: &str) -> Item {
        let (module, _) = path.rsplit_once("::").unwrap();
        Item {
            path: path.to_string(),
            kind: "fn".to_string(),
            visibility: "pub".to_string(),
            module: module.to_string(),
            file: format!("{module}.rs"),
            line: 1,
        }
    }

    fn edge(from: &str, to: &str, kind: &str) -> Edge {
        Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind: kind.to_string(),
            count: 1,
            weight: 1.0,
            confidence: 1.0,
        }
    }

    fn route(handler: &str) -> Route {
        let (module, _) = handler.rsplit_once("::").unwrap();
        Route {
            method: "GET".to_string(),
            path: format!("/{handler}"),
            handler: handler.to_string(),
            module: module.to_string(),
            framework: "axum".to_string(),
            file: format!("{module}.rs"),
            line: 1,
            computed_parts: Vec::new(),
        }
    }

    /// Two domains share one data-access module (`app::db`, one method per use case); each
    /// domain's handlers reach only their own entity through it. The `use` list of `app::db`
    /// names both entities and is not followed.
    fn layered() -> (Analysis, FusedGraph) {
        let ids = [
            "app::db",
            "app::order",
            "app::order_row",
            "app::user",
            "app::user_row",
        ];
        let analysis = Analysis {
            modules: ids.iter().map(|id| module(id)).collect(),
            items: [
                "app::user::add",
                "app::user::list",
                "app::order::add",
                "app::db::add_user",
                "app::db::add_order",
                "app::user_row::Row",
                "app::order_row::Row",
            ]
            .iter()
            .map(|path| item(path))
            .collect(),
            edges: vec![
                edge("app::user::add", "app::db::add_user", "inferred_method"),
                edge("app::user::list", "app::db::add_user", "call"),
                edge("app::order::add", "app::db::add_order", "call"),
                edge("app::db::add_user", "app::user_row::Row", "construct"),
                edge("app::db::add_order", "app::order_row::Row", "construct"),
                edge("app::db", "app::user_row", "import"),
                edge("app::db", "app::order_row", "import"),
            ],
            routes: vec![
                route("app::user::add"),
                route("app::user::list"),
                route("app::order::add"),
            ],
            ..Analysis::default()
        };
        let graph = FusedGraph {
            modules: ids.iter().map(|id| id.to_string()).collect(),
            edges: BTreeMap::new(),
        };
        (analysis, graph)
    }

    fn starts(analysis: &Analysis) -> Vec<(&str, &str)> {
        analysis
            .routes
            .iter()
            .map(|route| (route.handler.as_str(), route.module.as_str()))
            .collect()
    }

    #[test]
    fn each_entity_is_reached_by_the_handlers_that_use_it_only() {
        let (analysis, graph) = layered();
        // Services: 0 = orders, 1 = users.
        let services = [None, Some(0), None, Some(1), None];
        let items = ItemGraph::new(&analysis, &graph);
        let reached = reach(&items, &graph, &services, &starts(&analysis));
        // A handler's own module counts one per handler...
        assert_eq!(reached[3], BTreeMap::from([(1, 2.0)]));
        // ...`app::db`, one step away, half as much, for both services...
        assert_eq!(reached[0], BTreeMap::from([(0, 0.5), (1, 1.0)]));
        // ...and each entity, two steps away, a quarter, for its own domain only.
        assert_eq!(reached[2], BTreeMap::from([(0, 0.25)]));
        assert_eq!(reached[4], BTreeMap::from([(1, 0.5)]));
    }

    #[test]
    fn a_handler_outside_every_service_reaches_nothing() {
        let (analysis, graph) = layered();
        let items = ItemGraph::new(&analysis, &graph);
        let reached = reach(&items, &graph, &[None; 5], &starts(&analysis));
        assert!(reached.iter().all(BTreeMap::is_empty));
    }
}

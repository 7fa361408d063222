//! Tests of what the graph renderers draw: folding items into modules, grouping by crate or
//! by proposed service, one summed edge per pair, and the two cuts (`fold_to_groups`,
//! `cut_heaviest`). Each builds a tiny analysis by hand; `check` is the only place that
//! builds a `Graph` from one, and prints it as text so a failure shows the whole graph.

use crate::Granularity;
use crate::boundary::proposal::{ModuleAssignment, ModuleRef, Proposal, ServiceProposal};
use crate::model::{Analysis, Edge, Item, Module};

use super::{Graph, GraphView, Level, cut_heaviest, fold_to_groups};

fn module(id: &str, krate: &str) -> Module {
    Module {
        id: id.to_string(),
        path: id.to_string(),
        krate: krate.to_string(),
        file: "src/lib.rs".to_string(),
        line: 1,
        parent: None,
        cfg: None,
        lines: 1,
    }
}

fn item(path: &str, module: &str) -> Item {
    Item {
        path: path.to_string(),
        kind: "fn".to_string(),
        visibility: "pub".to_string(),
        module: module.to_string(),
        file: "src/lib.rs".to_string(),
        line: 1,
    }
}

fn edge(from: &str, to: &str, kind: &str, count: u32, weight: f64) -> Edge {
    Edge {
        from: from.to_string(),
        to: to.to_string(),
        kind: kind.to_string(),
        count,
        weight,
        confidence: 1.0,
    }
}

/// Two crates, `app` (`app`, `app::orders`, `app::billing`) and `db` (`db`), at item
/// granularity: `app::orders::place` calls `app::orders::total` (same module),
/// `app::billing::charge` twice and `db::connect`; `app::billing::charge` uses `db::Pool`.
fn item_analysis() -> Analysis {
    Analysis {
        granularity: "item".to_string(),
        modules: vec![
            module("app", "app"),
            module("app::billing", "app"),
            module("app::orders", "app"),
            module("db", "db"),
        ],
        items: vec![
            item("app::billing::charge", "app::billing"),
            item("app::orders::place", "app::orders"),
            item("app::orders::total", "app::orders"),
            item("db::Pool", "db"),
            item("db::connect", "db"),
        ],
        edges: vec![
            edge("app::orders::place", "app::orders::total", "call", 3, 3.0),
            edge("app::orders::place", "app::billing::charge", "call", 2, 2.0),
            edge(
                "app::orders::place",
                "app::billing::charge",
                "import",
                1,
                0.5,
            ),
            edge("app::orders::place", "db::connect", "call", 1, 1.0),
            edge("app::billing::charge", "db::Pool", "type", 1, 0.5),
        ],
        ..Analysis::default()
    }
}

/// A proposal placing `app::orders` in `orders` (rank 2), `app::billing` in `billing`
/// (rank 1), `db` in the shared kernel and `app` unassigned.
fn proposal() -> Proposal {
    let service = |name: &str, rank: usize, module: &str| ServiceProposal {
        name: name.to_string(),
        rank,
        modules: vec![ModuleAssignment {
            path: module.to_string(),
            ..ModuleAssignment::default()
        }],
        ..ServiceProposal::default()
    };
    let module_ref = |path: &str| ModuleRef {
        path: path.to_string(),
        ..ModuleRef::default()
    };
    Proposal {
        services: vec![
            service("orders", 2, "app::orders"),
            service("billing", 1, "app::billing"),
        ],
        shared_kernel: vec![module_ref("db")],
        unassigned: vec![module_ref("app")],
        ..Proposal::default()
    }
}

/// The graph as text: level, groups with their nodes, loose nodes, edges, notes.
fn text(graph: &Graph) -> String {
    let mut lines = vec![format!(
        "{} graph by {}",
        graph.level.name(graph.grouping),
        graph.grouping
    )];
    for group in &graph.groups {
        lines.push(format!("[{}] {}", group.name, group.nodes.join(" ")));
    }
    if !graph.loose_nodes.is_empty() {
        lines.push(format!("loose {}", graph.loose_nodes.join(" ")));
    }
    for edge in &graph.edges {
        lines.push(format!(
            "{} -> {} {} x{} w{} c{}",
            edge.from,
            edge.to,
            edge.kinds.join(","),
            edge.count,
            edge.weight,
            edge.confidence
        ));
    }
    for note in &graph.notes {
        lines.push(format!("note: {note}"));
    }
    lines.join("\n") + "\n"
}

#[track_caller]
fn check(analysis: &Analysis, view: &GraphView<'_>, expected: &str) -> Graph {
    let graph = Graph::of(analysis, view);
    let actual = text(&graph);
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
    graph
}

#[track_caller]
fn assert_text(graph: &Graph, expected: &str) {
    let actual = text(graph);
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
}

#[test]
fn items_are_folded_into_modules_by_default() {
    check(
        &item_analysis(),
        &GraphView::crates(Granularity::Module),
        "module graph by crate
[app] app app::billing app::orders
[db] db
app::billing -> db type x1 w0.5 c1
app::orders -> app::billing call,import x3 w2.5 c1
app::orders -> db call x1 w1 c1
note: 3 references inside one module are not drawn (items folded into modules)
",
    );
}

#[test]
fn items_are_drawn_when_asked_for() {
    check(
        &item_analysis(),
        &GraphView::crates(Granularity::Item),
        "item graph by crate
[app] app::billing::charge app::orders::place app::orders::total
[db] db::Pool db::connect
app::billing::charge -> db::Pool type x1 w0.5 c1
app::orders::place -> app::billing::charge call,import x3 w2.5 c1
app::orders::place -> app::orders::total call x3 w3 c1
app::orders::place -> db::connect call x1 w1 c1
",
    );
}

#[test]
fn items_asked_of_a_module_analysis_draw_modules_and_say_so() {
    let analysis = Analysis {
        granularity: "module".to_string(),
        modules: vec![module("app", "app"), module("db", "db")],
        edges: vec![edge("app", "db", "call", 1, 1.0)],
        ..Analysis::default()
    };
    check(
        &analysis,
        &GraphView::crates(Granularity::Item),
        "module graph by crate
[app] app
[db] db
app -> db call x1 w1 c1
note: items were asked for, but the analysis is at module granularity: modules drawn
",
    );
}

#[test]
fn services_are_groups_in_rank_order_then_kernel_then_unassigned() {
    let proposal = proposal();
    let mut analysis = item_analysis();
    analysis.modules.push(module("app::ghost", "app"));
    check(
        &analysis,
        &GraphView::services(&proposal, Granularity::Module),
        "module graph by service
[billing] app::billing
[orders] app::orders
[shared kernel] db
[unassigned] app
loose app::ghost
app::billing -> db type x1 w0.5 c1
app::orders -> app::billing call,import x3 w2.5 c1
app::orders -> db call x1 w1 c1
note: 3 references inside one module are not drawn (items folded into modules)
",
    );
}

#[test]
fn model_loops_stay_and_unknown_ends_are_loose() {
    let analysis = Analysis {
        granularity: "module".to_string(),
        modules: vec![module("app", "app")],
        edges: vec![
            edge("app", "app", "call", 1, 1.0),
            Edge {
                confidence: 0.5,
                ..edge("app", "gh::ost", "inferred_method", 1, 0.5)
            },
        ],
        ..Analysis::default()
    };
    check(
        &analysis,
        &GraphView::crates(Granularity::Module),
        "module graph by crate
[app] app
loose gh::ost
app -> app call x1 w1 c1
app -> gh::ost inferred_method x1 w0.5 c0.5
",
    );
}

#[test]
fn folding_to_groups_sums_edges_between_groups_and_drops_those_inside() {
    let proposal = proposal();
    let graph = Graph::of(
        &item_analysis(),
        &GraphView::services(&proposal, Granularity::Module),
    );
    let folded = fold_to_groups(&graph, "to test");
    assert_eq!(folded.level, Level::Group);
    assert_text(
        &folded,
        "service graph by service
loose billing orders shared kernel unassigned
billing -> shared kernel type x1 w0.5 c1
orders -> billing call,import x3 w2.5 c1
orders -> shared kernel call x1 w1 c1
note: 3 references inside one module are not drawn (items folded into modules)
note: 4 modules and 3 edges folded into their services: 4 nodes and 3 edges, to test
",
    );
    let by_crate = fold_to_groups(
        &Graph::of(&item_analysis(), &GraphView::crates(Granularity::Module)),
        "to test",
    );
    assert_text(
        &by_crate,
        "crate graph by crate
loose app db
app -> db call,type x2 w1.5 c1
note: 3 references inside one module are not drawn (items folded into modules)
note: 4 modules and 3 edges folded into their crates: 2 nodes and 1 edges, to test
",
    );
}

#[test]
fn cutting_keeps_the_heaviest_edges_with_ties_broken_by_name() {
    let analysis = Analysis {
        granularity: "module".to_string(),
        modules: ["a", "b", "c", "d"]
            .iter()
            .map(|name| module(name, "k"))
            .collect(),
        edges: vec![
            edge("a", "b", "call", 1, 1.0),
            edge("a", "c", "call", 3, 3.0),
            edge("b", "c", "call", 1, 1.0),
            edge("c", "d", "call", 2, 2.0),
        ],
        ..Analysis::default()
    };
    let graph = Graph::of(&analysis, &GraphView::crates(Granularity::Module));

    let mut kept_nodes = graph.clone();
    cut_heaviest(&mut kept_nodes, 3, false, "to test");
    assert_text(
        &kept_nodes,
        "module graph by crate
[k] a b c d
a -> b call x1 w1 c1
a -> c call x3 w3 c1
c -> d call x2 w2 c1
note: 3 of 4 edges drawn: the heaviest, weight 1 and up; 1 lighter ones left out, to test
",
    );

    let mut dropped_nodes = graph.clone();
    cut_heaviest(&mut dropped_nodes, 1, true, "to test");
    assert_text(
        &dropped_nodes,
        "module graph by crate
[k] a c
a -> c call x3 w3 c1
note: 1 of 4 edges drawn: the heaviest, weight 3 and up; 3 lighter ones left out, with the 2 modules they alone touched, to test
",
    );

    let mut nothing = graph.clone();
    cut_heaviest(&mut nothing, 0, true, "to test");
    assert_text(
        &nothing,
        "module graph by crate
note: none of 4 edges drawn, with the 4 modules they alone touched, to test
",
    );

    let mut untouched = graph.clone();
    cut_heaviest(&mut untouched, 4, true, "to test");
    assert_eq!(text(&untouched), text(&graph));
}

#[test]
fn the_selection_does_not_depend_on_list_order() {
    let proposal = proposal();
    let analysis = item_analysis();
    let mut shuffled = analysis.clone();
    shuffled.modules.reverse();
    shuffled.items.reverse();
    shuffled.edges.reverse();
    for view in [
        GraphView::crates(Granularity::Module),
        GraphView::crates(Granularity::Item),
        GraphView::services(&proposal, Granularity::Module),
        GraphView::services(&proposal, Granularity::Item),
    ] {
        assert_eq!(
            text(&Graph::of(&analysis, &view)),
            text(&Graph::of(&shuffled, &view))
        );
    }
}

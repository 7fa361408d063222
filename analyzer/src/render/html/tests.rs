//! Tests of the plan report on a hand-built proposal: three candidates in a cycle, a shared
//! kernel, unassigned wiring, and names that try to break out of HTML, attributes and the
//! script element (`<`, `&`, `"`, `</script>`, a URL). They check escaping, that the page
//! references nothing outside itself, determinism, and that every service and module is there.
//! `check_html` is the only place that renders.

use std::collections::BTreeSet;

use crate::boundary::crossing::{ApiItem, Cost, CrossingKey, SharedTable, Value};
use crate::boundary::proposal::{
    GraphEdge, GraphNode, ModuleAssignment, ModuleRef, Proposal, ProposalGraph, ProposalMetrics,
    Reason, ServiceDependency, ServiceProposal,
};
use crate::model::{Analysis, Crate, Edge, Module, SCHEMA_VERSION};
use crate::render;

const HOSTILE_SERVICE: &str = "billing <b>&\"</script><!--";
const HOSTILE_MODULE: &str = "app::billing::\"x\"&<img src=x>";
const URL_MODULE: &str = "app::billing::https://evil.example/x";

fn assignment(path: &str, reasons: &[(&str, &str, f64)]) -> ModuleAssignment {
    ModuleAssignment {
        path: path.to_string(),
        file: format!("src/{}.rs", path.replace("::", "/")),
        pinned: false,
        why: format!("reached from and tied to {path}"),
        reasons: reasons
            .iter()
            .map(|&(with, signal, weight)| Reason {
                with: with.to_string(),
                signal: signal.to_string(),
                weight,
            })
            .collect(),
    }
}

fn module_ref(path: &str) -> ModuleRef {
    ModuleRef {
        path: path.to_string(),
        file: format!("src/{}.rs", path.replace("::", "/")),
        why: format!("used from 3 other domains ({path})"),
    }
}

fn service(name: &str, rank: usize, modules: Vec<ModuleAssignment>) -> ServiceProposal {
    ServiceProposal {
        name: name.to_string(),
        rank,
        modules,
        ..ServiceProposal::default()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Every module of the fixture with its group: `(path, group name)`.
fn modules() -> Vec<(&'static str, &'static str)> {
    vec![
        ("app::orders::handlers", "orders"),
        ("app::orders::repo", "orders"),
        (HOSTILE_MODULE, HOSTILE_SERVICE),
        (URL_MODULE, HOSTILE_SERVICE),
        ("app::catalog", "catalog"),
        ("app::common", "shared kernel"),
        ("app::util", "shared kernel"),
        ("app", "unassigned"),
    ]
}

fn proposal() -> Proposal {
    let mut orders = service(
        "orders",
        1,
        vec![
            assignment(
                "app::orders::handlers",
                &[("app::orders::repo", "structural", 2.5)],
            ),
            assignment(
                "app::orders::repo",
                &[("app::orders::handlers", "data", 1.5)],
            ),
        ],
    );
    orders.routes = strings(&["GET /orders", "POST /orders/{id}"]);
    orders.jobs = strings(&["app::orders::jobs::expire_carts"]);
    orders.tables_owned = strings(&["orders"]);
    orders.tables_shared = vec![SharedTable {
        table: "customers".to_string(),
        readers: strings(&["orders", HOSTILE_SERVICE]),
        writers: strings(&["catalog"]),
    }];
    orders.foreign_keys_crossing = vec![CrossingKey {
        from_table: "orders".to_string(),
        column: "invoice_id".to_string(),
        to_table: "invoices".to_string(),
        to_candidate: HOSTILE_SERVICE.to_string(),
    }];
    orders.api = vec![ApiItem {
        item: "app::orders::repo::Order".to_string(),
        uses: 4,
        callers: strings(&[HOSTILE_SERVICE, "unassigned"]),
    }];
    orders.cycle_with = strings(&[HOSTILE_SERVICE]);
    orders.cost = Cost {
        cut_weight: 3.0,
        calls_back: 2.0,
        shared_written_tables: 0,
        crossing_foreign_keys: 1,
        in_cycle: true,
        total: 19.0,
    };
    orders.value = Value {
        routes: 2,
        total: 3.0,
    };

    let mut billing = service(
        HOSTILE_SERVICE,
        2,
        vec![
            assignment(HOSTILE_MODULE, &[(URL_MODULE, "naming", 0.75)]),
            assignment(URL_MODULE, &[(HOSTILE_MODULE, "naming", 0.75)]),
        ],
    );
    billing.modules[0].pinned = true;
    billing.tables_owned = strings(&["invoices"]);
    billing.cycle_with = strings(&["orders"]);

    let mut catalog = service("catalog", 3, vec![assignment("app::catalog", &[])]);
    // Only in the service's own map, not in the proposal's list.
    catalog.dependencies.insert("orders".to_string(), 0.5);

    let nodes = modules()
        .into_iter()
        .map(|(path, group)| GraphNode {
            id: path.to_string(),
            group: group.to_string(),
            routes: usize::from(path.ends_with("handlers")) * 2,
            tables: usize::from(path.ends_with("repo")),
        })
        .collect();
    let edge = |a: &str, b: &str, parts: &[(&str, f64)]| GraphEdge {
        a: a.to_string(),
        b: b.to_string(),
        weight: parts.iter().map(|part| part.1).sum(),
        signals: parts
            .iter()
            .map(|&(signal, weight)| (signal.to_string(), weight))
            .collect(),
    };
    let edges = vec![
        edge(
            "app::orders::handlers",
            "app::orders::repo",
            &[("structural", 2.5), ("route", 0.5)],
        ),
        edge("app::orders::repo", HOSTILE_MODULE, &[("foreign_key", 1.0)]),
        edge(HOSTILE_MODULE, URL_MODULE, &[("naming", 0.75)]),
        edge("app::catalog", "app::orders::repo", &[("data", 0.4)]),
        edge("app::common", "app::catalog", &[("structural", 0.2)]),
    ];

    Proposal {
        schema_version: 1,
        services: vec![orders, billing, catalog],
        shared_kernel: vec![module_ref("app::common"), module_ref("app::util")],
        unassigned: vec![module_ref("app")],
        graph: ProposalGraph { nodes, edges },
        dependencies: vec![
            ServiceDependency {
                from: "orders".to_string(),
                to: HOSTILE_SERVICE.to_string(),
                weight: 2.0,
            },
            ServiceDependency {
                from: HOSTILE_SERVICE.to_string(),
                to: "orders".to_string(),
                weight: 1.0,
            },
        ],
        metrics: ProposalMetrics {
            structural_modularity: 0.25,
            inter_call_percentage: 0.125,
            interface_number: 1.5,
            non_extreme_distribution: 1.0,
            bunch_mq: 1.75,
            newman_modularity: 0.375,
        },
        ..Proposal::default()
    }
}

fn analysis() -> Analysis {
    let module = |id: &str| Module {
        id: id.to_string(),
        path: id.to_string(),
        krate: "app".to_string(),
        file: format!("src/{}.rs", id.replace("::", "/")),
        line: 1,
        parent: None,
        cfg: None,
        lines: 10,
    };
    let edge = |from: &str, to: &str, weight: f64| Edge {
        from: from.to_string(),
        to: to.to_string(),
        kind: "call".to_string(),
        count: 1,
        weight,
        confidence: 1.0,
    };
    Analysis {
        schema_version: SCHEMA_VERSION,
        granularity: "module".to_string(),
        crates: vec![Crate {
            name: "app".to_string(),
            root: ".".to_string(),
            manifest: "Cargo.toml".to_string(),
            version: None,
            workspace: None,
            targets: Vec::new(),
            dependencies: Vec::new(),
        }],
        modules: modules()
            .into_iter()
            .map(|(path, _)| module(path))
            .collect(),
        edges: vec![
            edge("app::orders::handlers", "app::orders::repo", 3.0),
            // An item-level end maps to its module.
            edge(
                "app::orders::repo",
                &format!("{HOSTILE_MODULE}::Invoice"),
                2.0,
            ),
            edge(HOSTILE_MODULE, "app::orders::repo", 1.0),
            edge("app::catalog", "app::common", 1.0),
            edge("app", "app::catalog", 1.0),
        ],
        ..Analysis::default()
    }
}

/// Renders the fixture and checks what every rendering must hold; returns the page.
fn check_html(proposal: &Proposal, analysis: &Analysis) -> String {
    let html = render::html(proposal, analysis);
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{}", &html[..80]);
    assert!(html.ends_with("</html>\n"));
    assert!(!html.contains("{{"), "a template slot was left unfilled");
    html
}

/// The text between `<script type="application/json" id="ficus-data">` and `</script>`.
fn data_block(html: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"ficus-data\">";
    let start = html.find(open).expect("data block") + open.len();
    let end = start + html[start..].find("</script>").expect("data block end");
    &html[start..end]
}

/// Every `name="value"` attribute value in the page (double-quoted, as the renderer writes).
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

#[test]
fn names_are_escaped_everywhere() {
    let html = check_html(&proposal(), &analysis());
    for raw in [HOSTILE_SERVICE, HOSTILE_MODULE, "<b>", "<img", "<!--"] {
        assert!(!html.contains(raw), "unescaped {raw:?}");
    }
    assert!(html.contains("billing &lt;b&gt;&amp;&quot;&lt;/script&gt;&lt;!--"));
    assert!(html.contains("app::billing::&quot;x&quot;&amp;&lt;img src=x&gt;"));
    // Exactly the page's own three scripts open and close.
    let lower = html.to_ascii_lowercase();
    assert_eq!(lower.matches("<script").count(), 3);
    assert_eq!(lower.matches("</script").count(), 3);
    assert_eq!(lower.matches("<style").count(), 1);
    assert_eq!(lower.matches("</style").count(), 1);
}

#[test]
fn the_data_block_gives_back_the_exact_names() {
    let html = check_html(&proposal(), &analysis());
    let block = data_block(&html);
    assert!(!block.contains('<') && !block.contains('&'));
    let data: serde_json::Value = serde_json::from_str(block).expect("data is JSON");
    let ids: BTreeSet<&str> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = modules().into_iter().map(|(path, _)| path).collect();
    assert_eq!(ids, expected);
    let groups: Vec<&str> = data["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "orders",
            HOSTILE_SERVICE,
            "catalog",
            "shared kernel",
            "unassigned"
        ]
    );
    assert_eq!(data["edges"].as_array().unwrap().len(), 5);
    let pinned = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["id"] == HOSTILE_MODULE)
        .unwrap();
    assert_eq!(pinned["pinned"], true);
    assert_eq!(pinned["reasons"][0]["with"], URL_MODULE);
}

#[test]
fn the_page_refers_to_nothing_outside_itself() {
    let html = check_html(&proposal(), &analysis());
    // Take out the names as the page writes them (files, escaped text, escaped JSON, a
    // module's last segment as its label), then no URL may remain: the only `https://` in the
    // page was data.
    let mut rest = html.clone();
    for (path, _) in modules() {
        let file = format!("src/{}.rs", path.replace("::", "/"));
        rest = rest.replace(&super::escape::text(&file), "");
    }
    for (path, _) in modules() {
        let json = serde_json::to_string(path).unwrap();
        let short = super::view::short_name(path);
        rest = rest
            .replace(&super::escape::text(path), "")
            .replace(&super::escape::json_in_script(&json[1..json.len() - 1]), "")
            .replace(&format!(">{}<", super::escape::text(short)), "><");
    }
    assert!(html.contains("https://evil.example"));
    for scheme in ["http://", "https://", "ftp://", "//cdn", "file:"] {
        let at = rest.find(scheme);
        assert!(
            at.is_none(),
            "{scheme} outside the data: {}",
            &rest[at.unwrap_or(0).saturating_sub(200)..]
        );
    }
    for href in attribute_values(&html, "href") {
        assert!(
            href.starts_with('#') || href == "data:,",
            "link out of the page: {href}"
        );
    }
    assert!(attribute_values(&html, "src").is_empty());
    for (at, _) in html.match_indices("url(") {
        assert!(html[at..].starts_with("url(#"), "{}", &html[at..at + 30]);
    }
    for forbidden in [
        "@import",
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "EventSource",
        "sendBeacon",
        "import(",
        "<link rel=\"stylesheet",
        "<iframe",
        "<img",
    ] {
        assert!(!rest.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
}

#[test]
fn every_service_and_module_is_in_the_page() {
    let proposal = proposal();
    let html = check_html(&proposal, &analysis());
    for service in &proposal.services {
        let name = super::escape::text(&service.name);
        // Graph legend, candidates table, candidate section, disc label at least.
        assert!(html.matches(&name).count() >= 4, "{name}");
    }
    for (path, _) in modules() {
        let path = super::escape::text(path);
        assert!(html.contains(&format!("<code>{path}</code>")), "{path}");
        assert!(html.contains(&format!("aria-label=\"{path} (")), "{path}");
    }
    assert_eq!(html.matches("<g class=\"node ").count(), modules().len());
    assert_eq!(html.matches(" data-e=\"").count(), 5);
    assert!(html.contains("id=\"service-1-orders\""));
    assert!(html.contains("id=\"service-2-billing-b-script\""));
    assert!(html.contains("id=\"shared-kernel\""));
    assert!(html.contains("id=\"unassigned\""));
    assert!(html.contains("In a dependency cycle with"));
    assert!(html.contains("<code>orders.invoice_id</code>"));
    assert!(html.contains("<code>app::orders::repo::Order</code>"));
    assert!(html.contains("<h4>Background jobs</h4>"));
    assert!(html.contains("<code>app::orders::jobs::expire_carts</code>"));
    assert!(html.contains("pinned here in the plan"));
    // Why each module is where it is: in its service's table, and the kernel's and the
    // unassigned modules' tables (the fixture's `why` names the module itself).
    for (path, _) in modules() {
        let path = super::escape::text(path);
        assert!(
            html.contains(&format!(
                "<li><strong>reached from and tied to {path}</strong></li>"
            )) || html.contains(&format!("<td>used from 3 other domains ({path})</td>"))
                || html.contains("<li><strong>pinned here in the plan</strong></li>"),
            "no why for {path}"
        );
    }
    // Catalog calls orders (its own map); orders is called by catalog and by billing.
    let catalog = &html[html.find("id=\"service-3-catalog\"").unwrap()..];
    let catalog = &catalog[..catalog.find("</section>").unwrap()];
    assert!(catalog.contains(
        "<h4>Calls into other candidates</h4>\n<table><thead><tr><th scope=\"col\">Candidate</th>\
         <th scope=\"col\" class=\"num\">Structural weight</th></tr></thead>\n<tbody>\n\
         <tr><td><a href=\"#service-1-orders\">orders</a></td><td class=\"num\">0.5</td></tr>"
    ));
    for metric in ["0.25", "0.125", "1.5", "1.75", "0.375"] {
        assert!(
            html.contains(&format!("<td class=\"num\">{metric}</td>")),
            "{metric}"
        );
    }
}

#[test]
fn the_matrix_has_a_cell_per_module_dependency_and_outlines_groups() {
    let html = check_html(&proposal(), &analysis());
    // Five analysis edges, one of them item-level; all between different modules.
    assert_eq!(html.matches("<rect class=\"cell ").count(), 5);
    // Four of them cross a group boundary.
    assert_eq!(html.matches("<rect class=\"cell cross\"").count(), 4);
    assert_eq!(html.matches("<rect class=\"block ").count(), 5);
    assert!(
        html.contains("app::orders::repo uses app::billing::&quot;x&quot;&amp;&lt;img src=x&gt;")
    );
}

#[test]
fn the_same_proposal_renders_byte_identical_html() {
    let (proposal, analysis) = (proposal(), analysis());
    let first = check_html(&proposal, &analysis);
    assert_eq!(first, check_html(&proposal.clone(), &analysis.clone()));
    // The order candidates are listed in does not matter, only their ranks.
    let mut shuffled = proposal.clone();
    shuffled.services.reverse();
    shuffled.graph.nodes.reverse();
    shuffled.graph.edges.reverse();
    assert_eq!(first, check_html(&shuffled, &analysis));
}

#[test]
fn an_empty_proposal_still_renders_a_page() {
    let html = check_html(&Proposal::default(), &Analysis::default());
    assert!(html.contains("The proposal has no candidate services."));
    assert!(html.contains("data-node-count=\"0\""));
    assert!(html.contains("<title>Ficus plan: plan report</title>"));
}

#[test]
fn odd_weights_and_unknown_modules_do_not_break_the_page() {
    let mut proposal = proposal();
    proposal.graph.edges.push(GraphEdge {
        a: "app::nowhere".to_string(),
        b: "app::catalog".to_string(),
        weight: f64::NAN,
        signals: vec![("structural".to_string(), f64::INFINITY)],
    });
    proposal.graph.edges.push(GraphEdge {
        a: "app::catalog".to_string(),
        b: "app::catalog".to_string(),
        weight: -1.0,
        signals: Vec::new(),
    });
    let html = check_html(&proposal, &analysis());
    assert!(!html.contains("NaN") && !html.contains("inf"));
    // The unknown end is drawn, as unassigned.
    assert!(html.contains("aria-label=\"app::nowhere (unassigned)\""));
    assert_eq!(html.matches(" data-e=\"").count(), 6);
}

#[test]
fn assets_cannot_close_their_own_elements() {
    assert!(!super::SCRIPT.to_ascii_lowercase().contains("</script"));
    assert!(!super::SCRIPT.contains("<!--"));
    assert!(!super::CSS.to_ascii_lowercase().contains("</style"));
    for asset in [super::SCRIPT, super::CSS, super::TEMPLATE] {
        assert!(!asset.contains("http://") && !asset.contains("https://"));
    }
}

#[test]
fn the_template_fills_each_slot_once_and_leaves_values_alone() {
    assert_eq!(
        super::fill("a {{x}} b {{y}} {{z}}", &[("x", "{{y}}"), ("y", "2")]),
        "a {{y}} b 2 {{z}}"
    );
    assert_eq!(super::fill("{{x", &[("x", "1")]), "{{x");
}

#[test]
fn writing_the_report_writes_index_html() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nested/report");
    let (proposal, analysis) = (proposal(), analysis());
    let written = render::write_plan_report(&target, &proposal, &analysis).unwrap();
    assert_eq!(written, [target.join("index.html")]);
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert_eq!(text, render::html(&proposal, &analysis));

    // A file where the folder should be: the error names it.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    let error = render::write_plan_report(&blocked.join("sub"), &proposal, &analysis).unwrap_err();
    assert!(error.to_string().contains("cannot create"), "{error}");
    assert!(error.to_string().contains("file"), "{error}");
}

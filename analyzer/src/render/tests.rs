//! Tests of the renderers and of `docs/schema/analysis.schema.json`.
//!
//! Graph renderers are checked on tiny hand-built analyses against their whole expected text,
//! through `check_dot` and `check_mermaid`, the only places that call them. The schema is
//! checked both ways: a full analysis (every list non-empty, every `Option` both set and
//! unset) must validate, and broken copies of it must not.

use std::path::Path;

use serde_json::{Value, json};

use crate::model::{
    Access, Analysis, Crate, Dependency, Diagnostic, Edge, ExternalUse, ForeignKey, Item, Module,
    Route, RouteCoverage, SCHEMA_VERSION, Severity, Stats, Table, Target, Task,
};
use crate::render::{self, GraphView};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn module(id: &str, krate: &str) -> Module {
    Module {
        id: id.to_string(),
        path: id.to_string(),
        krate: krate.to_string(),
        file: format!("{}.rs", id.replace("::", "/")),
        line: 1,
        parent: None,
        cfg: None,
        lines: 10,
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

fn graph(modules: Vec<Module>, edges: Vec<Edge>) -> Analysis {
    Analysis {
        schema_version: SCHEMA_VERSION,
        granularity: "module".to_string(),
        modules,
        edges,
        ..Analysis::default()
    }
}

/// What `ficus analyze` draws by default: modules, one cluster per crate.
fn modules_by_crate() -> GraphView<'static> {
    GraphView::crates(crate::Granularity::Module)
}

fn diagnostic(severity: Severity, file: &str, line: u32, message: &str) -> Diagnostic {
    Diagnostic {
        severity,
        file: file.to_string(),
        line,
        message: message.to_string(),
    }
}

/// An analysis with every list non-empty and every `Option` both set and unset somewhere, so
/// that validating it exercises every part of the schema.
fn full_analysis() -> Analysis {
    let text = |value: &str| value.to_string();
    Analysis {
        schema_version: SCHEMA_VERSION,
        granularity: text("module"),
        crates: vec![
            Crate {
                name: text("shop"),
                root: text("."),
                manifest: text("Cargo.toml"),
                version: Some(text("0.1.0")),
                workspace: Some(text("Cargo.toml")),
                targets: vec![
                    Target {
                        kind: text("bin"),
                        name: text("shop"),
                        root: text("src/main.rs"),
                        analysed: true,
                    },
                    Target {
                        kind: text("lib"),
                        name: text("shop"),
                        root: text("src/lib.rs"),
                        analysed: true,
                    },
                    Target {
                        kind: text("test"),
                        name: text("it"),
                        root: text("tests/it/main.rs"),
                        analysed: false,
                    },
                ],
                dependencies: vec![
                    Dependency {
                        name: text("serde"),
                        package: text("serde"),
                        kind: text("normal"),
                        internal: false,
                    },
                    Dependency {
                        name: text("shop_db"),
                        package: text("shop-db"),
                        kind: text("normal"),
                        internal: true,
                    },
                ],
            },
            Crate {
                name: text("shop-db"),
                root: text("db"),
                manifest: text("db/Cargo.toml"),
                version: None,
                workspace: None,
                targets: vec![Target {
                    kind: text("lib"),
                    name: text("shop_db"),
                    root: text("db/src/lib.rs"),
                    analysed: true,
                }],
                dependencies: Vec::new(),
            },
        ],
        modules: vec![
            Module {
                file: text("src/lib.rs"),
                ..module("shop", "shop")
            },
            Module {
                file: text("src/orders.rs"),
                parent: Some(text("shop")),
                ..module("shop::orders", "shop")
            },
            Module {
                file: text("src/orders.rs"),
                line: 40,
                parent: Some(text("shop::orders")),
                cfg: Some(text("#[cfg(test)]")),
                lines: 12,
                ..module("shop::orders::tests", "shop")
            },
            Module {
                file: text("src/main.rs"),
                ..module("shop[bin]", "shop")
            },
            Module {
                file: text("db/src/lib.rs"),
                ..module("shop_db", "shop-db")
            },
        ],
        items: vec![
            Item {
                path: text("shop::orders::place"),
                kind: text("fn"),
                visibility: text("pub"),
                module: text("shop::orders"),
                file: text("src/orders.rs"),
                line: 5,
            },
            Item {
                path: text("shop_db::Pool"),
                kind: text("struct"),
                visibility: text("pub(crate)"),
                module: text("shop_db"),
                file: text("db/src/lib.rs"),
                line: 3,
            },
            Item {
                path: text("shop_db::connect"),
                kind: text("fn"),
                visibility: text("pub(in crate::a)"),
                module: text("shop_db"),
                file: text("db/src/lib.rs"),
                line: 9,
            },
        ],
        edges: vec![
            edge("shop::orders", "shop_db", "call", 2, 2.0),
            Edge {
                confidence: 0.5,
                ..edge("shop::orders", "shop_db", "inferred_method", 1, 0.5)
            },
            edge("shop[bin]", "shop", "import", 1, 0.5),
        ],
        external_uses: vec![ExternalUse {
            module: text("shop"),
            krate: text("serde"),
            count: 3,
        }],
        routes: vec![
            Route {
                method: text("GET"),
                path: text("/orders/{id}"),
                handler: text("shop::orders::show"),
                module: text("shop::orders"),
                framework: text("axum"),
                file: text("src/lib.rs"),
                line: 12,
                computed_parts: vec![],
            },
            Route {
                method: text("ANY"),
                path: text("/files/{*rest}"),
                handler: text("<closure>"),
                module: text("shop"),
                framework: text("axum"),
                file: text("src/lib.rs"),
                line: 13,
                computed_parts: vec![text("files")],
            },
        ],
        route_coverage: RouteCoverage {
            handlers: 3,
            full_paths: 1,
            unknown_prefix: 1,
            never_mounted: 1,
        },
        tasks: vec![Task {
            function: text("shop::jobs::cleanup"),
            module: text("shop::jobs"),
            started_by: text("shop::main"),
            how: text("spawn"),
        }],
        tables: vec![Table {
            name: text("orders"),
            file: text("migrations/0001.sql"),
            line: 1,
        }],
        foreign_keys: vec![ForeignKey {
            from_table: text("order_lines"),
            to_table: text("orders"),
            column: text("order_id"),
            file: text("migrations/0001.sql"),
            line: 9,
        }],
        accesses: vec![Access {
            module: text("shop_db"),
            table: text("orders"),
            mode: text("write"),
            count: 2,
            file: text("db/src/lib.rs"),
            line: 20,
            lines: vec![20, 31],
        }],
        orphans: vec![text("src/old.rs")],
        diagnostics: vec![
            diagnostic(
                Severity::Error,
                "src/broken.rs",
                0,
                "cannot parse: expected `;`",
            ),
            diagnostic(
                Severity::Warning,
                "src/lib.rs",
                7,
                "unresolved import `foo::bar`",
            ),
            diagnostic(Severity::Info, "Cargo.toml", 0, "no binary target"),
        ],
        stats: Stats {
            files: 6,
            lines: 420,
            parse_errors: 1,
            elapsed_ms: 17,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and the schema

fn schema() -> Value {
    let text = include_str!("../../../docs/schema/analysis.schema.json");
    serde_json::from_str(text).expect("docs/schema/analysis.schema.json is JSON")
}

/// Every schema violation of `instance`, one per line; empty when it is valid.
fn schema_errors(instance: &Value) -> String {
    let schema = schema();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_valid(text: &str) {
    let instance: Value = serde_json::from_str(text).expect("render::json gives JSON");
    let errors = schema_errors(&instance);
    assert!(
        errors.is_empty(),
        "not valid against the schema:\n{errors}\n{text}"
    );
}

/// `change` applied to the full analysis's JSON must make it invalid, with an error that
/// mentions `expected`.
fn check_rejected(change: impl FnOnce(&mut Value), expected: &str) {
    let mut instance: Value = serde_json::from_str(&render::json(&full_analysis())).unwrap();
    change(&mut instance);
    let errors = schema_errors(&instance);
    assert!(
        errors.contains(expected),
        "expected an error about {expected:?}, got:\n{errors}"
    );
}

#[test]
fn json_is_pretty_in_struct_order_with_a_trailing_newline() {
    let text = render::json(&full_analysis());
    assert!(text.starts_with("{\n  \"schema_version\": 3,\n  \"granularity\": \"module\",\n"));
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"), "{text}");
    let keys = [
        "schema_version",
        "granularity",
        "crates",
        "modules",
        "items",
        "edges",
        "external_uses",
        "routes",
        "route_coverage",
        "tasks",
        "tables",
        "foreign_keys",
        "accesses",
        "orphans",
        "diagnostics",
        "stats",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|key| {
            text.find(&format!("\n  \"{key}\": "))
                .unwrap_or_else(|| panic!("no {key}"))
        })
        .collect();
    assert!(
        positions.is_sorted(),
        "top-level keys out of struct order:\n{text}"
    );
    // Renamed fields appear under their JSON names.
    assert!(text.contains("\"crate\": \"shop\""), "{text}");
    assert!(!text.contains("krate"), "{text}");
}

#[test]
fn json_of_a_full_analysis_is_valid_against_the_schema() {
    assert_valid(&render::json(&full_analysis()));
}

#[test]
fn json_of_an_empty_analysis_is_valid_against_the_schema() {
    let analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        granularity: "item".to_string(),
        ..Analysis::default()
    };
    assert_valid(&render::json(&analysis));
}

#[test]
fn json_of_analyze_on_a_small_crate_is_valid_against_the_schema() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::create_dir(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "pub mod a;\npub fn f() { a::g() }\n",
    )
    .unwrap();
    std::fs::write(root.join("src/a.rs"), "pub fn g() {}\n").unwrap();
    for granularity in [crate::Granularity::Module, crate::Granularity::Item] {
        let settings = crate::Settings {
            granularity,
            ..crate::Settings::new(root)
        };
        let analysis = crate::analyze(&settings, &crate::NoProgress).expect("analyze runs");
        assert_valid(&render::json(&analysis));
    }
}

#[test]
fn schema_readme_example_is_valid_against_the_schema() {
    let readme = include_str!("../../../docs/schema/README.md");
    let (_, rest) = readme
        .split_once("```json\n")
        .expect("docs/schema/README.md has an example");
    let (example, _) = rest.split_once("```").expect("the example block is closed");
    assert_valid(example);
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("the schema is not a valid 2020-12 schema: {error}");
    }
}

#[test]
fn schema_requires_every_property_and_allows_no_other() {
    fn visit(path: &str, node: &Value, problems: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    let mut declared: Vec<&str> = properties.keys().map(String::as_str).collect();
                    let mut required: Vec<&str> = map["required"]
                        .as_array()
                        .map(|names| names.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    declared.sort_unstable();
                    required.sort_unstable();
                    if declared != required {
                        problems.push(format!("{path}: required {required:?} != {declared:?}"));
                    }
                    if map.get("additionalProperties") != Some(&Value::Bool(false)) {
                        problems.push(format!("{path}: additionalProperties is not false"));
                    }
                }
                for (key, child) in map {
                    visit(&format!("{path}/{key}"), child, problems);
                }
            }
            Value::Array(children) => {
                for (index, child) in children.iter().enumerate() {
                    visit(&format!("{path}/{index}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    visit("#", &schema(), &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn schema_rejects_an_unknown_field() {
    check_rejected(
        |value| value["modules"][0]["owner"] = json!("team-a"),
        "owner",
    );
}

#[test]
fn schema_rejects_a_missing_field() {
    check_rejected(
        |value| {
            value["routes"][0]
                .as_object_mut()
                .unwrap()
                .remove("handler");
        },
        "handler",
    );
}

#[test]
fn schema_rejects_an_unknown_severity() {
    check_rejected(
        |value| value["diagnostics"][0]["severity"] = json!("fatal"),
        "fatal",
    );
}

#[test]
fn schema_rejects_an_unknown_edge_kind() {
    check_rejected(
        |value| value["edges"][0]["kind"] = json!("inherits"),
        "inherits",
    );
}

#[test]
fn schema_rejects_another_schema_version() {
    check_rejected(|value| value["schema_version"] = json!(1), "schema_version");
}

#[test]
fn schema_rejects_absolute_and_backslash_paths() {
    check_rejected(
        |value| value["modules"][1]["file"] = json!("/src/orders.rs"),
        "/src/orders.rs",
    );
    check_rejected(
        |value| value["tables"][0]["file"] = json!("migrations\\0001.sql"),
        "0001.sql",
    );
}

#[test]
fn schema_rejects_line_zero_outside_diagnostics() {
    check_rejected(
        |value| value["routes"][0]["line"] = json!(0),
        "/routes/0/line",
    );
}

// ---------------------------------------------------------------------------------------------
// DOT

fn check_dot(analysis: &Analysis, expected: &str) {
    let actual = render::dot(analysis, &modules_by_crate());
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
}

#[test]
fn dot_draws_clusters_per_crate_and_one_labelled_weighted_edge_per_pair() {
    let analysis = graph(
        vec![
            module("app", "app"),
            module("app::orders", "app"),
            module("db", "db"),
        ],
        vec![
            edge("app", "app::orders", "import", 1, 0.5),
            edge("app::orders", "db", "call", 4, 4.0),
            Edge {
                confidence: 0.5,
                ..edge("app::orders", "db", "inferred_method", 2, 1.0)
            },
            Edge {
                confidence: 0.5,
                ..edge("db", "app", "inferred_method", 1, 0.5)
            },
        ],
    );
    check_dot(
        &analysis,
        r#"// module graph grouped by crate, written by ficus
digraph ficus {
    graph [rankdir=LR, newrank=true];
    node [shape=box];

    subgraph cluster_0 {
        label="app";
        "app";
        "app::orders";
    }

    subgraph cluster_1 {
        label="db";
        "db";
    }

    "app" -> "app::orders" [label="import (0.5)", tooltip="app -> app::orders: 1 reference (import), weight 0.5, confidence 1", penwidth=1.40];
    "app::orders" -> "db" [label="call, inferred_method (5)", tooltip="app::orders -> db: 6 references (call, inferred_method), weight 5, confidence 1", penwidth=5.00];
    "db" -> "app" [label="inferred_method (0.5)", tooltip="db -> app: 1 reference (inferred_method), weight 0.5, confidence 0.5", penwidth=1.40, style=dashed];
}
"#,
    );
}

#[test]
fn dot_quotes_ids_with_any_character() {
    let analysis = graph(
        vec![
            module("shop[bin]::a#2", "shop"),
            module("we\"ird\\", "shop"),
        ],
        vec![edge("shop[bin]::a#2", "we\"ird\\", "type", 1, 0.5)],
    );
    let text = render::dot(&analysis, &modules_by_crate());
    assert!(text.contains("        \"shop[bin]::a#2\";\n"), "{text}");
    assert!(text.contains("        \"we\\\"ird\\\\\";\n"), "{text}");
    assert!(
        text.contains("    \"shop[bin]::a#2\" -> \"we\\\"ird\\\\\" [label=\"type (0.5)\""),
        "{text}"
    );
}

#[test]
fn dot_leaves_external_uses_out() {
    let mut analysis = graph(vec![module("app", "app")], Vec::new());
    analysis.external_uses = vec![ExternalUse {
        module: "app".to_string(),
        krate: "serde".to_string(),
        count: 4,
    }];
    let text = render::dot(&analysis, &modules_by_crate());
    assert!(!text.contains("serde"), "{text}");
    assert!(!text.contains("->"), "{text}");
}

#[test]
fn dot_draws_items_at_item_granularity() {
    let mut analysis = full_analysis();
    analysis.granularity = "item".to_string();
    analysis.edges = vec![edge(
        "shop::orders::place",
        "shop_db::connect",
        "call",
        1,
        1.0,
    )];
    let text = render::dot(&analysis, &GraphView::crates(crate::Granularity::Item));
    assert!(text.starts_with("// item graph"), "{text}");
    assert!(
        text.contains("label=\"shop\";\n        \"shop::orders::place\";\n    }"),
        "{text}"
    );
    assert!(
        text.contains(
            "label=\"shop-db\";\n        \"shop_db::Pool\";\n        \"shop_db::connect\";\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("\"shop::orders\";"),
        "modules are not nodes at item granularity:\n{text}"
    );
}

#[test]
fn dot_keeps_edges_whose_ends_are_not_known_nodes() {
    let analysis = graph(
        vec![module("app", "app")],
        vec![edge("app", "ghost", "call", 1, 1.0)],
    );
    let text = render::dot(&analysis, &modules_by_crate());
    assert!(text.contains("    }\n\n    \"ghost\";\n"), "{text}");
    assert!(text.contains("\"app\" -> \"ghost\""), "{text}");
}

#[test]
fn graph_renderers_do_not_depend_on_list_order() {
    let analysis = full_analysis();
    let mut shuffled = analysis.clone();
    shuffled.modules.reverse();
    shuffled.edges.reverse();
    shuffled.items.reverse();
    shuffled.crates.reverse();
    shuffled.diagnostics.reverse();
    assert_eq!(
        render::dot(&analysis, &modules_by_crate()),
        render::dot(&shuffled, &modules_by_crate())
    );
    assert_eq!(
        render::mermaid(&analysis, &modules_by_crate()),
        render::mermaid(&shuffled, &modules_by_crate())
    );
    assert_eq!(render::summary(&analysis), render::summary(&shuffled));
}

// ---------------------------------------------------------------------------------------------
// Mermaid

fn check_mermaid(analysis: &Analysis, expected: &str) {
    let actual = render::mermaid(analysis, &modules_by_crate());
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
}

/// Ids of nodes and subgraphs declared in a Mermaid text (`id[` at the start of a line).
fn mermaid_declared_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start().trim_start_matches("subgraph ");
            line.split_once('[').map(|(id, _)| id.to_string())
        })
        .collect()
}

#[test]
fn mermaid_draws_subgraphs_per_crate_and_merges_edges_per_pair() {
    let analysis = graph(
        vec![
            module("app", "app"),
            module("app::orders", "app"),
            module("db", "db"),
        ],
        vec![
            edge("app", "app::orders", "import", 1, 0.5),
            edge("app::orders", "db", "call", 4, 4.0),
            edge("app::orders", "db", "type", 1, 0.5),
            Edge {
                confidence: 0.5,
                ..edge("app::orders", "db", "inferred_method", 2, 1.0)
            },
        ],
    );
    check_mermaid(
        &analysis,
        r#"flowchart LR
    subgraph c_app["app"]
        n_app["app"]
        n_app__orders["app::orders"]
    end
    subgraph c_db["db"]
        n_db["db"]
    end
    n_app -->|"import (0.5)"| n_app__orders
    n_app__orders -->|"call, inferred_method, type (5.5)"| n_db
"#,
    );
}

#[test]
fn mermaid_ids_are_safe_and_never_collapse() {
    let names = ["a::b", "a__b", "a[b]", "a b", "a#b", "a_b", "a_b_2", "é"];
    let analysis = graph(
        names.iter().map(|name| module(name, "k")).collect(),
        Vec::new(),
    );
    let text = render::mermaid(&analysis, &modules_by_crate());
    let ids = mermaid_declared_ids(&text);
    assert_eq!(
        ids.len(),
        names.len() + 1,
        "one id per node and one for the crate:\n{text}"
    );
    for id in &ids {
        assert!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "unsafe id {id:?}:\n{text}"
        );
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids collapsed:\n{text}");
}

#[test]
fn mermaid_crate_and_node_ids_do_not_collide() {
    let analysis = graph(vec![module("x", "x")], vec![edge("x", "x", "call", 1, 1.0)]);
    check_mermaid(
        &analysis,
        "flowchart LR\n    subgraph c_x[\"x\"]\n        n_x[\"x\"]\n    end\n    n_x -->|\"call (1)\"| n_x\n",
    );
}

#[test]
fn mermaid_escapes_labels() {
    let analysis = graph(vec![module("a\"b#c<d>&`e`", "end")], Vec::new());
    check_mermaid(
        &analysis,
        "flowchart LR\n    subgraph c_end[\"end\"]\n        n_a_b_c_d___e_[\"a#quot;b#35;c#lt;d#gt;#amp;#96;e#96;\"]\n    end\n",
    );
}

#[test]
fn mermaid_edges_to_unknown_nodes_still_have_declared_ids() {
    let analysis = graph(
        vec![module("app", "app")],
        vec![edge("app", "gh::ost", "call", 1, 1.0)],
    );
    check_mermaid(
        &analysis,
        "flowchart LR\n    subgraph c_app[\"app\"]\n        n_app[\"app\"]\n    end\n    n_gh__ost[\"gh::ost\"]\n    n_app -->|\"call (1)\"| n_gh__ost\n",
    );
}

// ---------------------------------------------------------------------------------------------
// Summary

#[test]
fn summary_counts_everything() {
    let text = render::summary(&full_analysis());
    let expected = "Analysed 6 files (420 lines) in 17 ms.

  crates         2
  modules        5
  items          3
  edges          3 (module graph)
  external uses  1
  routes         2 (3 handlers, 1 mounted with full paths, 1 under an unknown prefix, 1 never mounted)
  tables         1
  foreign keys   1
  accesses       1
  orphan files   1
  parse errors   1
  diagnostics    3 (1 error, 1 warning, 1 info)

Diagnostics:
  src/broken.rs: error: cannot parse: expected `;`
  src/lib.rs:7: warning: unresolved import `foo::bar`
  Cargo.toml: info: no binary target
";
    assert_eq!(text, expected, "\n--- actual ---\n{text}");
}

#[test]
fn summary_shows_ten_diagnostics_most_severe_first() {
    let mut analysis = full_analysis();
    analysis.diagnostics = (1..=12)
        .map(|line| diagnostic(Severity::Info, "src/lib.rs", line, "note"))
        .chain([diagnostic(Severity::Error, "src/z.rs", 3, "bad\nthing")])
        .collect();
    let text = render::summary(&analysis);
    let shown: Vec<&str> = text
        .lines()
        .skip_while(|line| *line != "Diagnostics:")
        .skip(1)
        .collect();
    assert_eq!(shown.len(), 11, "{text}");
    assert_eq!(shown[0], "  src/z.rs:3: error: bad thing");
    assert_eq!(shown[9], "  src/lib.rs:9: info: note");
    assert_eq!(shown[10], "  ... and 3 more");
}

#[test]
fn summary_of_an_empty_analysis_has_no_diagnostics_section() {
    let text = render::summary(&Analysis::default());
    assert!(
        text.starts_with("Analysed 0 files (0 lines) in 0 ms.\n"),
        "{text}"
    );
    assert!(
        text.contains("  diagnostics    0 (0 errors, 0 warnings, 0 info)\n"),
        "{text}"
    );
    assert!(!text.contains("Diagnostics:"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Report folder

#[test]
fn write_report_creates_the_folder_and_writes_four_files() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("nested/report");
    let analysis = full_analysis();
    let written = render::write_report(&dir, &analysis, &modules_by_crate()).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|path| path.strip_prefix(&dir).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        ["analysis.json", "graph.dot", "graph.mmd", "summary.txt"]
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(read("analysis.json"), render::json(&analysis));
    assert_eq!(
        read("graph.dot"),
        render::dot(&analysis, &modules_by_crate())
    );
    assert_eq!(
        read("graph.mmd"),
        render::mermaid(&analysis, &modules_by_crate())
    );
    assert_eq!(read("summary.txt"), render::summary(&analysis));

    // A second run overwrites in place.
    let empty = Analysis::default();
    render::write_report(&dir, &empty, &modules_by_crate()).unwrap();
    assert_eq!(read("summary.txt"), render::summary(&empty));
}

#[test]
fn write_report_names_the_path_it_cannot_create() {
    let folder = tempfile::tempdir().unwrap();
    let blocker = folder.path().join("taken");
    std::fs::write(&blocker, "a file, not a folder").unwrap();
    let dir = blocker.join("report");
    let error = render::write_report(&dir, &full_analysis(), &modules_by_crate()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&display(&dir)), "{message}");
    assert!(
        std::error::Error::source(&error).is_some(),
        "the cause is kept: {error:?}"
    );
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

// ---------------------------------------------------------------------------------------------
// Large graphs

/// `crates` crates of `modules` modules each (`cI::mJ`), every module using the next
/// `fan_out` modules of the whole list (wrapping), with weights 1 to 7 so there are ties.
fn large_analysis(crates: usize, modules: usize, fan_out: usize) -> Analysis {
    let ids: Vec<(String, String)> = (0..crates)
        .flat_map(|krate| {
            (0..modules).map(move |index| (format!("c{krate}::m{index}"), format!("c{krate}")))
        })
        .collect();
    let mut edges = Vec::new();
    for (position, (from, _)) in ids.iter().enumerate() {
        for step in 1..=fan_out {
            let (to, _) = &ids[(position + step * 7) % ids.len()];
            let weight = ((position + step) % 7 + 1) as f64;
            edges.push(edge(from, to, "call", weight as u32, weight));
        }
    }
    graph(
        ids.iter().map(|(id, krate)| module(id, krate)).collect(),
        edges,
    )
}

fn drawn_edges(text: &str, arrow: &str) -> usize {
    text.lines().filter(|line| line.contains(arrow)).count()
}

#[test]
fn dot_of_a_huge_graph_keeps_the_heaviest_edges_and_says_so() {
    let analysis = large_analysis(40, 20, 6);
    let text = render::dot(&analysis, &modules_by_crate());
    assert_eq!(drawn_edges(&text, " -> "), 1_000, "{text}");
    let header: Vec<&str> = text
        .lines()
        .take_while(|line| line.starts_with("//"))
        .collect();
    assert!(
        header[1].starts_with("// 1000 of 4800 edges drawn: the heaviest, weight 6 and up;"),
        "{header:#?}"
    );
    assert!(header[2].contains("not labelled"), "{header:#?}");
    assert!(
        text.contains("graph [rankdir=LR, newrank=true, splines=line,"),
        "{text}"
    );
    assert!(
        !text.contains("label=\"call"),
        "no edge labels past 300 edges"
    );
    // Every module is still drawn (800 nodes, under the limit for dropping them).
    assert!(text.contains("        \"c39::m19\";\n"), "{text}");
}

#[test]
fn dot_of_a_small_graph_has_no_header_notes() {
    let analysis = large_analysis(2, 5, 2);
    let text = render::dot(&analysis, &modules_by_crate());
    assert_eq!(
        text.lines().filter(|line| line.starts_with("//")).count(),
        1
    );
    assert!(text.contains("label=\"call ("), "{text}");
}

#[test]
fn mermaid_folds_a_large_module_graph_into_crates_within_mermaids_limits() {
    let analysis = large_analysis(40, 20, 6);
    let text = render::mermaid(&analysis, &modules_by_crate());
    assert!(text.len() <= 50_000, "{} bytes", text.len());
    assert!(drawn_edges(&text, " -->|") <= 500);
    assert!(
        text.starts_with(
            "flowchart LR\n    %% 800 modules and 4800 edges folded into their crates: 40 nodes and"
        ),
        "{text}"
    );
    assert!(text.contains("maxEdges 500, maxTextSize 50000"), "{text}");
    assert!(text.contains("    n_c0[\"c0\"]\n"), "{text}");
    assert!(!text.contains("subgraph"), "{text}");
}

#[test]
fn mermaid_cuts_crates_to_the_heaviest_edges_when_folding_is_not_enough() {
    // 60 crates, each module using modules of many other crates: more than 500 crate pairs.
    let analysis = large_analysis(60, 3, 40);
    let text = render::mermaid(&analysis, &modules_by_crate());
    assert!(text.len() <= 50_000, "{} bytes", text.len());
    let edges = drawn_edges(&text, " -->|");
    assert!(edges > 0 && edges <= 500, "{edges} edges");
    let notes: Vec<&str> = text.lines().filter(|line| line.contains("%%")).collect();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(notes[0].contains("folded into their crates"), "{notes:#?}");
    assert!(
        notes[1].contains(&format!("{edges} of "))
            && notes[1].contains("edges drawn: the heaviest"),
        "{notes:#?}"
    );
    assert_eq!(
        text,
        render::mermaid(&analysis, &modules_by_crate()),
        "the cut is deterministic"
    );
}

#[test]
fn mermaid_of_a_graph_within_the_limits_is_not_cut() {
    let analysis = large_analysis(5, 10, 5);
    let text = render::mermaid(&analysis, &modules_by_crate());
    assert!(!text.contains("%%"), "{text}");
    assert_eq!(drawn_edges(&text, " -->|"), 250);
}

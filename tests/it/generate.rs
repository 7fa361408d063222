//! `ficus generate` end to end: the port of a fixture that holds every case the classification
//! knows, `MIGRATION.md` and its manifest, the example monolith's catalog, and bad input.

use std::path::{Path, PathBuf};

use crate::support::{
    KillOnDrop, cargo_test, copy_tree, example_plan, ficus, ficus_ok, http, start_listening,
};

#[track_caller]
pub(crate) fn ficus_fails(args: &[&str], cwd: &Path) -> String {
    let output = ficus(args, cwd);
    assert_eq!(
        output.status.code(),
        Some(2),
        "ficus {args:?} should fail with 2: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The fixture's service, into `out/` beside the copy.
pub(crate) const GENERATE_BILLING: [&str; 6] = [
    "generate",
    "billing",
    "--plan",
    "app/ficus.toml",
    "--out",
    "out",
];

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the fixture monolith (sources and plan) in a temporary folder.
pub(crate) fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(
        &repo().join("codegen/tests/fixtures/port-cases"),
        &dir.path().join("app"),
        &["services"],
    );
    dir
}

fn port(dir: &Path, service: &str, plan: &str) -> serde_json::Value {
    let output = ficus_ok(
        &[
            "generate",
            service,
            "--plan",
            plan,
            "--format",
            "json",
            "--dry-run",
        ],
        dir,
    );
    serde_json::from_slice(&output.stdout).expect("port JSON")
}

/// The operation of `port` named `name`.
#[track_caller]
fn operation<'p>(port: &'p serde_json::Value, name: &str) -> &'p serde_json::Value {
    port["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|operation| operation["name"] == name)
        .unwrap_or_else(|| panic!("no operation `{name}`"))
}

/// `name class finding-class@file:line ...`, one line per operation, sorted.
fn classification(port: &serde_json::Value) -> String {
    let mut lines: Vec<String> = port["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|operation| {
            let mut line = format!(
                "{} {}",
                operation["name"].as_str().unwrap(),
                operation["class"].as_str().unwrap()
            );
            for finding in operation["findings"].as_array().unwrap() {
                line.push_str(&format!(
                    " {}@{}:{}",
                    finding["class"].as_str().unwrap(),
                    finding["file"].as_str().unwrap(),
                    finding["line"]
                ));
            }
            line
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

#[test]
fn every_case_of_the_fixture_is_classified_where_it_is_written() {
    let dir = fixture_copy();
    let port = port(dir.path(), "billing", "app/ficus.toml");
    assert_eq!(
        classification(&port),
        "add needs_change needs_change@src/billing.rs:72
blank ready
delete ready
each_line needs_change needs_change@src/billing.rs:33
empty needs_change needs_change@src/billing.rs:118
first_line needs_change needs_change@src/billing.rs:43 needs_change@src/billing.rs:43 needs_change@src/billing.rs:43
invoice ready
is_settled blocked blocked@src/billing/ledger.rs:27
ledger_line ready
next_number blocked blocked@src/billing.rs:15
numbers needs_change needs_change@src/billing.rs:38
paid blocked blocked@src/billing/ledger.rs:27
record_in blocked blocked@src/billing.rs:53
sum_all needs_change needs_change@src/billing.rs:28
total_for needs_change needs_change@src/billing.rs:23 needs_change@src/billing.rs:23"
    );
    // What the findings say, for the cases a person reads first.
    let findings: Vec<String> = port["operations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|operation| operation["findings"].as_array().unwrap().iter())
        .map(|finding| finding["what"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "parameter `tx: &Transaction` is the caller's transaction",
        "uses the mutable global `NEXT_NUMBER`, which `port_cases::shop` also uses",
        "reads table `payments`, which `port_cases::shop` also writes",
        "reads table `payments` (through `paid`), which `port_cases::shop` also writes",
        "parameter `customer: &str` borrows",
        "parameter `visit: impl Fn(&Line)` is a closure (`impl Fn(&Line)`)",
        "return type `impl Iterator<Item = u64>` is an iterator (`impl Iterator<Item = u64>`)",
        "is generic over `T`",
        "lifetime `'a` ties values to the caller's memory",
        "`&mut self` is the state of `Register` (2 fields), which lives in the caller's process",
        "its `impl` block is generic over `T`",
    ] {
        assert!(
            findings.iter().any(|finding| finding == expected),
            "no finding `{expected}` in {findings:#?}"
        );
    }
    // The ready operation: the connection is the service's own, the rest crosses.
    let invoice = operation(&port, "invoice");
    assert_eq!(invoice["supplied"], serde_json::json!(["conn"]));
    assert_eq!(
        invoice["inputs"],
        serde_json::json!([{ "name": "id", "type": "i64" }])
    );
    assert_eq!(invoice["output"], "Invoice");
    assert_eq!(invoice["reads"], serde_json::json!(["invoices"]));
    assert_eq!(invoice["idempotent"], true);
    let record_in = operation(&port, "record_in");
    assert_eq!(record_in["writes"], serde_json::json!(["invoices"]));
    assert_eq!(record_in["idempotent"], false);
    assert_eq!(invoice["callers"], serde_json::json!(["port_cases::shop"]));
    // Types the signatures reach, through fields too; the router and its handler are not
    // operations, the handler's route is the service's.
    let types: Vec<&str> = port["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ty| ty["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "port_cases::billing::Page",
            "port_cases::billing::ledger::Line",
            "port_cases::billing::model::Invoice",
            "port_cases::billing::model::Line"
        ]
    );
    assert_eq!(port["routes"][0]["path"], "/invoices/{id}");
    assert_eq!(port["routes"][0]["state"], "monolith");
    assert_eq!(
        port["shared_tables"],
        serde_json::json!([
            { "table": "audit_log", "writers": ["port_cases::shop"] },
            { "table": "payments", "writers": ["port_cases::shop"] }
        ])
    );
    // `audit_log` is read in the ledger module by a function no operation calls: table
    // findings follow functions, not modules.
    assert!(
        !findings.iter().any(|finding| finding.contains("audit_log")),
        "{findings:#?}"
    );
}

#[test]
fn migration_md_has_a_box_per_finding_and_a_second_run_gives_the_same_bytes() {
    let dir = fixture_copy();
    let output = ficus_ok(&GENERATE_BILLING, dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "15 operations the rest of the monolith calls (4 ready, 7 needs change, 4 blocked)"
        ),
        "{stdout}"
    );
    let migration = std::fs::read_to_string(dir.path().join("out/MIGRATION.md")).unwrap();
    for expected in [
        "## `port_cases::billing::record_in`: blocked",
        "- [ ] **blocked**: parameter `tx: &Transaction` is the caller's transaction (src/billing.rs:53).",
        "- [ ] **needs change**: parameter `lines: &[Line]` borrows (src/billing.rs:23). To do: take `Vec<Line>`.",
        "## `port_cases::billing::invoice`: ready",
        "The service supplies `conn` itself.",
        "- `GET /invoices/{id}` served by `port_cases::billing::handlers::show` (src/billing/handlers.rs:8), monolith in the plan",
        "- [ ] `payments` is also written by `port_cases::shop`",
    ] {
        assert!(
            migration.contains(expected),
            "no `{expected}` in:\n{migration}"
        );
    }
    let manifest = std::fs::read_to_string(dir.path().join("out/.ficus-generate.json")).unwrap();
    assert!(
        manifest.contains("\"path\": \"MIGRATION.md\""),
        "{manifest}"
    );

    ficus_ok(&GENERATE_BILLING, dir.path());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/MIGRATION.md")).unwrap(),
        migration
    );
}

#[test]
fn the_example_monolith_catalog_offers_its_summary_to_orders_and_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("ficus.toml");
    let monolith = repo().join("examples/shop-monolith");
    ficus_ok(
        &[
            "plan",
            monolith.to_str().unwrap(),
            "--plan",
            plan.to_str().unwrap(),
            "--no-report",
        ],
        dir.path(),
    );
    let port = port(dir.path(), "catalog", "ficus.toml");
    assert_eq!(
        classification(&port),
        "product_summary ready",
        "catalog's routes are registered by router functions, which are not operations"
    );
    let summary = &port["operations"][0];
    assert_eq!(
        summary["callers"],
        serde_json::json!([
            "shop_monolith::inventory::service",
            "shop_monolith::orders::service"
        ])
    );
    assert_eq!(summary["output"], "ProductSummary");
    assert_eq!(port["routes"].as_array().unwrap().len(), 8);
    assert_eq!(
        port["tables"],
        serde_json::json!(["categories", "products"])
    );
}

#[test]
fn a_service_the_plan_does_not_have_is_named_with_the_ones_it_has() {
    let dir = fixture_copy();
    let stderr = ficus_fails(
        &["generate", "invoicing", "--plan", "app/ficus.toml"],
        dir.path(),
    );
    assert!(
        stderr.contains(
            "app/ficus.toml: the plan has no service `invoicing` (its services: billing)"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("app/services").exists());
}

#[test]
fn a_missing_or_invalid_plan_is_named_with_its_line() {
    let dir = fixture_copy();
    let stderr = ficus_fails(
        &["generate", "billing", "--plan", "nowhere.toml"],
        dir.path(),
    );
    assert!(stderr.contains("nowhere.toml"), "{stderr}");

    let plan = dir.path().join("app/ficus.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(
        &plan,
        text.replace("name = \"billing\"", "name = \"Billing Service\""),
    )
    .unwrap();
    let stderr = ficus_fails(
        &["generate", "billing", "--plan", "app/ficus.toml"],
        dir.path(),
    );
    assert!(
        stderr.contains("app/ficus.toml:8:8: service[0].name: invalid service name"),
        "{stderr}"
    );
    assert!(!dir.path().join("app/services").exists());
}

#[test]
fn depending_on_the_monolith_crate_is_refused_for_a_binary() {
    // A package with a binary target only: `on_move = "depend"` has no library to depend on.
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    for (file, text) in [
        (
            "Cargo.toml",
            "[package]\nname = \"binapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "src/main.rs",
            "mod orders;\nmod users;\nfn main() {\n    orders::place(users::find(1));\n}\n",
        ),
        (
            "src/orders.rs",
            "pub fn place(user: crate::users::User) -> u64 {\n    user.id + 1\n}\n",
        ),
        (
            "src/users.rs",
            "pub struct User {\n    pub id: u64,\n}\npub fn find(id: u64) -> User {\n    User { id }\n}\n",
        ),
    ] {
        std::fs::write(app.join(file), text).unwrap();
    }
    ficus_ok(
        &["plan", "app", "--plan", "app/ficus.toml", "--no-report"],
        dir.path(),
    );
    let plan = std::fs::read_to_string(app.join("ficus.toml")).unwrap();
    let plan = plan.replacen(
        "[shared_kernel]\n",
        "[shared_kernel]\non_move = \"depend\"\n",
        1,
    ) + "\n[[service]]\nname = \"orders\"\nmodules = [\"binapp::orders\"]\n";
    std::fs::write(app.join("ficus.toml"), plan).unwrap();
    let stderr = ficus_fails(
        &["generate", "orders", "--plan", "app/ficus.toml", "--move"],
        dir.path(),
    );
    assert!(
        stderr.contains(
            "needs the crate `binapp` to be a library, and src/main.rs is the root of a binary"
        ),
        "{stderr}"
    );
    assert!(!app.join("services").exists(), "nothing written");
}

#[test]
fn an_output_folder_holding_files_ficus_did_not_write_is_refused_untouched() {
    let dir = fixture_copy();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join("src/main.rs"), "fn main() {}\n").unwrap();
    let stderr = ficus_fails(&GENERATE_BILLING, dir.path());
    assert!(
        stderr.contains("holds src/main.rs, which ficus generate did not write"),
        "{stderr}"
    );
    assert!(!out.join("MIGRATION.md").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("src/main.rs")).unwrap(),
        "fn main() {}\n"
    );
}

#[test]
fn the_workspaces_of_two_example_services_build_and_a_service_serves_its_routes() {
    let dir = example_plan();
    for service in ["catalog", "customer"] {
        ficus_ok(&["generate", service, "--plan", "ficus.toml"], dir.path());
        let out = dir.path().join("services").join(service);
        let lib = std::fs::read_to_string(out.join(format!("{service}-api/src/lib.rs"))).unwrap();
        assert!(lib.starts_with("// @generated by ficus generate; do not edit\n"));
        cargo_test(&out, "generated");
        // Building leaves Cargo.lock and target/, a person edits a handler: a second run
        // still owns the folder and keeps the edit.
        std::fs::create_dir_all(out.join("target")).unwrap();
        let handlers = out.join(format!("{service}-service/src/handlers.rs"));
        let edited = std::fs::read_to_string(&handlers).unwrap() + "\n// edited\n";
        std::fs::write(&handlers, &edited).unwrap();
        let again = ficus_ok(&["generate", service, "--plan", "ficus.toml"], dir.path());
        assert!(
            String::from_utf8_lossy(&again.stdout).contains(&format!(
                "skip      {service}-service/src/handlers.rs: edited; the generator's text is the same as last time: kept"
            )),
            "{}",
            String::from_utf8_lossy(&again.stdout)
        );
        assert_eq!(std::fs::read_to_string(&handlers).unwrap(), edited);
    }
    let catalog =
        std::fs::read_to_string(dir.path().join("services/catalog/catalog-api/src/lib.rs"))
            .unwrap();
    for expected in [
        "pub trait CatalogApi: Send + Sync {",
        "fn product_summary(\n        &self,\n        id: i64,\n    ) -> impl std::future::Future<Output = Result<ProductSummary, ApiError>> + Send;",
        "pub struct ProductSummary {\n    pub id: i64,",
        "Timeout,",
    ] {
        assert!(catalog.contains(expected), "no `{expected}` in:\n{catalog}");
    }
    let customer =
        std::fs::read_to_string(dir.path().join("services/customer/customer-api/src/lib.rs"))
            .unwrap();
    for expected in [
        "pub trait CustomerApi: Send + Sync {",
        "fn contact(",
        "fn shipping_address(",
    ] {
        assert!(
            customer.contains(expected),
            "no `{expected}` in:\n{customer}"
        );
    }
    serve_catalog();
}

/// Starts the built catalog service on a free loopback port and checks what it serves.
fn serve_catalog() {
    let binary = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated/debug/catalog-service");
    let (mut child, port) =
        start_listening(std::process::Command::new(&binary).env("CATALOG_ADDR", "127.0.0.1:0"));
    let guard = KillOnDrop(child.id());

    assert_eq!(http(port, "GET", "/healthz", ""), (200, "ok".to_string()));
    assert_eq!(http(port, "GET", "/readyz", "").0, 200);
    let (status, body) = http(port, "GET", "/api/products", "");
    assert_eq!(status, 501, "{body}");
    assert!(
        body.contains("shop_monolith::catalog::handlers::list_products"),
        "{body}"
    );
    assert_eq!(http(port, "PUT", "/api/products/7", "").0, 501);
    let (status, body) = http(port, "POST", "/operations/product_summary", r#"{"id": 1}"#);
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains(r#""kind":"internal""#) && body.contains("not moved yet"),
        "{body}"
    );
    assert_eq!(
        http(port, "POST", "/operations/product_summary", "{}").0,
        422
    );
    let (status, body) = http(port, "GET", "/openapi.json", "");
    assert_eq!(status, 200);
    let openapi: serde_json::Value = serde_json::from_str(&body).expect("OpenAPI JSON");
    assert_eq!(openapi["openapi"], "3.1.0");
    assert!(
        openapi["paths"]["/api/products/{id}"]["put"].is_object(),
        "{openapi:#}"
    );
    assert_eq!(
        openapi["paths"]["/operations/product_summary"]["post"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/ProductSummary"
    );
    let (status, body) = http(port, "GET", "/metrics", "");
    assert_eq!(status, 200);
    assert!(
        body.contains("catalog_service_responses_total{status=\"5xx\"} 3"),
        "{body}"
    );

    // SIGTERM: it stops accepting and exits cleanly.
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the service did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    std::mem::forget(guard);
}

#[test]
fn the_fixture_api_copies_the_types_its_ready_operation_exchanges() {
    let dir = fixture_copy();
    ficus_ok(&GENERATE_BILLING, dir.path());
    let lib = std::fs::read_to_string(dir.path().join("out/billing-api/src/lib.rs")).unwrap();
    // The ready operations and their types come along, the other operations wait. `Self`
    // is written as the copy's name; two types named `Line` get their modules' names.
    for expected in [
        "fn invoice(\n        &self,\n        id: i64,\n    ) -> impl std::future::Future<Output = Result<Invoice, ApiError>> + Send;",
        "fn blank(\n        &self,\n        id: i64,\n    ) -> impl std::future::Future<Output = Result<Invoice, ApiError>> + Send;",
        "fn ledger_line(\n        &self,\n        account: String,\n    ) -> impl std::future::Future<Output = Result<LedgerLine, ApiError>> + Send;",
        "pub struct Invoice {",
        "pub lines: Vec<ModelLine>,",
        "pub struct ModelLine {",
        "pub struct LedgerLine {",
    ] {
        assert!(lib.contains(expected), "no `{expected}` in:\n{lib}");
    }
    for absent in ["fn total_for(", "fn empty(", "pub struct Page"] {
        assert!(!lib.contains(absent), "`{absent}` in:\n{lib}");
    }
    cargo_test(&dir.path().join("out"), "generated");
}

#[test]
fn templates_are_listed_ejected_and_overridden_one_at_a_time() {
    let dir = fixture_copy();
    let listed = ficus_ok(&["generate", "--list-templates"], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "MIGRATION.md\nworkspace/Cargo.toml\napi/Cargo.toml\napi/lib.rs\nkernel/Cargo.toml\nservice/Cargo.toml\n\
         service/lib.rs\nservice/main.rs\nservice/handlers.rs\nservice/operations.rs\nservice/state.rs\n\
         service/ficus_remote.rs\nservice/failures.rs\n\
         service/contract.rs\nservice/Dockerfile\nservice/kubernetes.yaml\n\
         service/ficus-plan.toml\nclient/Cargo.toml\nclient/lib.rs\nmonolith/local.rs\n"
    );
    ficus_ok(&["generate", "--eject", "templates"], dir.path());
    assert!(dir.path().join("templates/api/lib.rs.tera").is_file());
    // Ejecting twice would overwrite edits: refused.
    let stderr = ficus_fails(&["generate", "--eject", "templates"], dir.path());
    assert!(stderr.contains("exists already"), "{stderr}");

    // Only the edited template is overridden; the others stay embedded.
    for name in String::from_utf8_lossy(&listed.stdout).lines() {
        if name != "MIGRATION.md" {
            std::fs::remove_file(dir.path().join(format!("templates/{name}.tera"))).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("templates/MIGRATION.md.tera"),
        "# {{ port.service }}: {{ counts.ready }} ready of {{ port.operations | length }}\n",
    )
    .unwrap();
    let mut args = GENERATE_BILLING.to_vec();
    args.extend(["--templates", "templates"]);
    ficus_ok(&args, dir.path());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/MIGRATION.md")).unwrap(),
        "# billing: 4 ready of 15\n"
    );
    assert!(dir.path().join("out/billing-api/src/lib.rs").is_file());
}

#[test]
fn a_template_override_that_does_not_parse_is_named_with_its_line_and_nothing_is_written() {
    let dir = fixture_copy();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/MIGRATION.md.tera"),
        "{% for operation in port.operations %}\n{{ operation.name }\n",
    )
    .unwrap();
    let mut args = GENERATE_BILLING.to_vec();
    args.extend(["--templates", "templates"]);
    let stderr = ficus_fails(&args, dir.path());
    assert!(
        stderr.contains("template MIGRATION.md (templates/MIGRATION.md.tera)")
            && stderr.contains("2:"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());

    // A file that overrides nothing is a typo, not a silent no-op.
    std::fs::remove_file(dir.path().join("templates/MIGRATION.md.tera")).unwrap();
    std::fs::write(dir.path().join("templates/MIGRATIONS.md.tera"), "x").unwrap();
    let stderr = ficus_fails(&args, dir.path());
    assert!(stderr.contains("overrides no template"), "{stderr}");
}

/// The generated files of the fixture, as reviewed: a change to a template or to the port
/// shows here as a diff (`cargo insta review`).
#[test]
fn the_fixture_generated_files_match_their_snapshots() {
    let dir = fixture_copy();
    ficus_ok(&GENERATE_BILLING, dir.path());
    for (name, file) in [
        ("billing_migration_md", "MIGRATION.md"),
        ("billing_workspace_cargo_toml", "Cargo.toml"),
        ("billing_api_cargo_toml", "billing-api/Cargo.toml"),
        ("billing_api_lib_rs", "billing-api/src/lib.rs"),
        ("billing_service_main_rs", "billing-service/src/main.rs"),
        ("billing_service_lib_rs", "billing-service/src/lib.rs"),
        (
            "billing_service_contract_rs",
            "billing-service/tests/contract.rs",
        ),
        ("billing_client_lib_rs", "billing-client/src/lib.rs"),
        (
            "billing_service_handlers_rs",
            "billing-service/src/handlers.rs",
        ),
        (
            "billing_service_operations_rs",
            "billing-service/src/operations.rs",
        ),
        (
            "billing_service_openapi_json",
            "billing-service/openapi.json",
        ),
        ("billing_deploy_ficus_plan_toml", "deploy/ficus-plan.toml"),
        ("billing_monolith_local_rs", "monolith/local.rs"),
    ] {
        let text = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn check_passes_on_fresh_output_and_fails_on_stale_output_writing_nothing() {
    let dir = fixture_copy();
    ficus_ok(&GENERATE_BILLING, dir.path());
    let mut check = GENERATE_BILLING.to_vec();
    check.push("--check");
    let fresh = ficus_ok(&check, dir.path());
    assert!(
        String::from_utf8_lossy(&fresh.stdout).contains("out is up to date"),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );

    // The monolith changes: a caller of a ready operation now needs the API to change.
    let billing = dir.path().join("app/src/billing.rs");
    let text = std::fs::read_to_string(&billing).unwrap();
    std::fs::write(
        &billing,
        text.replace(
            "pub fn invoice(conn: &Connection, id: i64)",
            "pub fn invoice(conn: &Connection, id: i64, with_lines: bool)",
        ),
    )
    .unwrap();
    let before = std::fs::read_to_string(dir.path().join("out/billing-api/src/lib.rs")).unwrap();
    let output = ficus(&check, dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("out is stale:\n") && stderr.contains("  billing-api/src/lib.rs\n"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/billing-api/src/lib.rs")).unwrap(),
        before,
        "--check writes nothing"
    );
}

//! `ficus plan` end to end on a copy of the example monolith: the proposal, the drafted plan
//! file, and a re-plan that keeps a person's edits.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_tree, ficus, ficus_ok};

/// A copy of the example monolith's sources (not its build output) in a temporary folder.
fn monolith_copy() -> tempfile::TempDir {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/shop-monolith");
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&source, &dir.path().join("shop"), &["ficus.toml"]);
    dir
}

fn proposal(dir: &Path) -> serde_json::Value {
    let output = ficus_ok(&["plan", "shop", "--format", "json", "--no-report"], dir);
    serde_json::from_slice(&output.stdout).expect("proposal JSON")
}

#[test]
fn proposes_the_monolith_domains_with_the_grab_bag_as_kernel() {
    let dir = monolith_copy();
    let proposal = proposal(dir.path());
    let mut names: Vec<&str> = proposal["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|service| service["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "cart",
            "catalog",
            "customer",
            "inventory",
            "notification",
            "order",
            "payment",
            "shipping"
        ]
    );
    let kernel: Vec<&str> = proposal["shared_kernel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|module| module["path"].as_str().unwrap())
        .collect();
    assert!(kernel.contains(&"shop_monolith::common"), "{kernel:?}");
    // An edge domain first, and the orders/payments cycle reported.
    let first = proposal["services"][0]["name"].as_str().unwrap();
    assert!(
        ["catalog", "notification", "customer"].contains(&first),
        "first: {first}"
    );
    let order = proposal["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|service| service["name"] == "order")
        .unwrap();
    assert_eq!(order["cycle_with"], serde_json::json!(["payment"]));
    let crossing: Vec<String> = proposal["services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|service| service["foreign_keys_crossing"].as_array().unwrap().iter())
        .map(|key| {
            format!(
                "{}.{} -> {}",
                key["from_table"].as_str().unwrap(),
                key["column"].as_str().unwrap(),
                key["to_table"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        crossing.contains(&"stock_levels.product_id -> products".to_string()),
        "{crossing:?}"
    );
    // The contract other tools read.
    let service = &proposal["services"][0];
    for field in [
        "name",
        "modules",
        "routes",
        "tables_owned",
        "tables_shared",
        "rank",
    ] {
        assert!(!service[field].is_null(), "services[].{field} missing");
    }
    assert!(
        service["modules"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with(".rs")
    );
}

#[test]
fn a_re_plan_keeps_renames_moves_and_comments() {
    let dir = monolith_copy();
    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let plan_path = dir.path().join("shop/ficus.toml");
    let drafted = std::fs::read_to_string(&plan_path).expect("plan drafted");
    assert!(drafted.contains("name = \"catalog\""));

    // A person renames a service, moves a module to another service, and comments.
    let edited = drafted
        .replacen(
            "name = \"catalog\"",
            "name = \"products\" # our name for it",
            1,
        )
        .replacen(
            "    \"shop_monolith::notifications::**\",\n",
            "    \"shop_monolith::notifications::**\",\n    \"shop_monolith::shipping::rates\",\n",
            1,
        )
        .replacen(
            "version = 1",
            "# Reviewed by the architecture group.\nversion = 1",
            1,
        );
    assert_ne!(edited, drafted);
    std::fs::write(&plan_path, &edited).unwrap();

    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let replanned = std::fs::read_to_string(&plan_path).unwrap();
    assert!(
        replanned.contains("name = \"products\" # our name for it"),
        "rename kept:\n{replanned}"
    );
    assert!(!replanned.contains("name = \"catalog\""));
    assert!(replanned.contains("# Reviewed by the architecture group."));
    let notification = replanned
        .split("[[service]]")
        .find(|block| block.contains("name = \"notification\""))
        .unwrap();
    assert!(
        notification.contains("\"shop_monolith::shipping::rates\""),
        "move kept:\n{notification}"
    );
    // Running again on unchanged code changes nothing.
    let output = ficus(&["plan", "shop", "--no-report"], dir.path());
    assert!(output.status.success());
    assert_eq!(std::fs::read_to_string(&plan_path).unwrap(), replanned);
    assert!(String::from_utf8_lossy(&output.stdout).contains("is up to date"));
}

#[test]
fn fixed_services_keep_the_plan_s_list() {
    let dir = monolith_copy();
    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let plan_path = dir.path().join("shop/ficus.toml");
    let drafted = std::fs::read_to_string(&plan_path).unwrap();
    // A person fixes the list and removes the cart service: its modules must go elsewhere.
    let mut blocks: Vec<&str> = drafted.split("[[service]]").collect();
    blocks.retain(|block| !block.contains("name = \"cart\""));
    let edited =
        blocks
            .join("[[service]]")
            .replacen("fixed_services = false", "fixed_services = true", 1);
    std::fs::write(&plan_path, &edited).unwrap();
    let output = ficus(
        &["plan", "shop", "--format", "json", "--no-report"],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let proposal: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = proposal["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|service| service["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(!names.contains(&"cart"));
    let placed = proposal["services"]
        .as_array()
        .unwrap()
        .iter()
        .any(|service| {
            service["modules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|module| module["path"] == "shop_monolith::cart::service")
        });
    assert!(
        placed,
        "the cart's modules went to one of the fixed services"
    );
}

#[test]
fn compare_scores_the_drafted_plan_against_the_truth_file() {
    let dir = monolith_copy();
    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let output = ficus(
        &["compare", "shop/ficus.toml", "shop/truth.toml", "--json"],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let scores: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(scores["modules"], 42);
    assert_eq!(scores["mojo_fm"], 100.0);
    // A decomposition that lumps everything together scores lower.
    std::fs::write(
        dir.path().join("lumped.toml"),
        "[services]\nall = [\"shop_monolith\"]\n",
    )
    .unwrap();
    let output = ficus(
        &[
            "compare",
            "lumped.toml",
            "shop/truth.toml",
            "--source",
            "shop",
            "--json",
        ],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let scores: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(scores["mojo_fm"].as_f64().unwrap() < 50.0, "{scores}");
    // A missing file is an error naming it.
    let output = ficus(&["compare", "nope.toml", "shop/truth.toml"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.toml"));
}

#[test]
fn history_adds_co_change_coupling() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("Cargo.toml", "[package]\nname = \"app\"\n");
    write(
        "src/lib.rs",
        "pub mod billing;\npub mod ledger;\npub mod mail;\n",
    );
    write("src/billing.rs", "pub fn bill() {}\n");
    write("src/ledger.rs", "pub fn post() {}\n");
    write("src/mail.rs", "pub fn send() {}\n");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=Ada",
                "-c",
                "user.email=ada@example.org",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(root)
            .output()
            .expect("git runs");
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "start"]);
    for round in 0..3 {
        write(
            "src/billing.rs",
            &format!("pub fn bill() {{}}\n// {round}\n"),
        );
        write(
            "src/ledger.rs",
            &format!("pub fn post() {{}}\n// {round}\n"),
        );
        git(&["commit", "-q", "-am", "billing and ledger change together"]);
    }
    let output = ficus(
        &[
            "plan",
            ".",
            "--history",
            "--format",
            "json",
            "--no-plan",
            "--no-report",
        ],
        root,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let proposal: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let edge = proposal["graph"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|edge| edge["a"] == "app::billing" && edge["b"] == "app::ledger")
        .expect("billing and ledger are tied by their history");
    let signals: Vec<&str> = edge["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| pair[0].as_str().unwrap())
        .collect();
    assert!(signals.contains(&"co_change"), "{signals:?}");
    // Without --history there is no such tie.
    let output = ficus(
        &["plan", ".", "--format", "json", "--no-plan", "--no-report"],
        root,
    );
    let proposal: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        !proposal["graph"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|edge| edge["a"] == "app::billing" && edge["b"] == "app::ledger")
    );
    // Outside a git work tree --history is an error that says so.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let output = ficus(
        &["plan", ".", "--history", "--no-plan", "--no-report"],
        plain.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("git"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_constraint_the_plan_contradicts_is_reported_not_fatal() {
    let dir = monolith_copy();
    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let plan_path = dir.path().join("shop/ficus.toml");
    let drafted = std::fs::read_to_string(&plan_path).unwrap();
    let edited = drafted.replacen(
        "together = []",
        "together = [[\"shop_monolith::catalog::**\", \"shop_monolith::inventory::**\"]]",
        1,
    );
    assert_ne!(edited, drafted);
    std::fs::write(&plan_path, &edited).unwrap();
    let output = ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "constraint together: the plan file places its modules in catalog, inventory"
        ),
        "{stdout}"
    );
    // The file keeps its placements: routes and tables stay with the modules that stay.
    let replanned = std::fs::read_to_string(&plan_path).unwrap();
    let inventory = replanned
        .split("[[service]]")
        .find(|block| block.contains("name = \"inventory\""))
        .unwrap();
    assert!(
        inventory.contains("\"GET /api/inventory/{product_id}\""),
        "{inventory}"
    );
    assert!(inventory.contains("stock_levels"), "{inventory}");
}

#[test]
fn issue_9_the_plan_report_draws_modules_by_service_and_items_on_request() {
    let dir = monolith_copy();
    let report = dir.path().join("report");
    let report_arg = report.to_str().unwrap();
    ficus_ok(
        &[
            "plan",
            "shop",
            "--no-plan",
            "--deterministic",
            "-o",
            report_arg,
        ],
        dir.path(),
    );
    let dot = std::fs::read_to_string(report.join("graph.dot")).unwrap();
    assert!(
        dot.starts_with("// module graph grouped by service, written by ficus\n"),
        "{dot}"
    );
    assert!(dot.contains("label=\"shared kernel\";"), "{dot}");
    assert!(dot.contains("label=\"order\";"), "{dot}");
    // The analysis behind it is at item level, yet no item is a node.
    assert!(
        !dot.contains("\"shop_monolith::orders::model::Order\""),
        "{dot}"
    );
    let mermaid = std::fs::read_to_string(report.join("graph.mmd")).unwrap();
    assert!(mermaid.contains("subgraph c_order[\"order\"]"), "{mermaid}");

    ficus_ok(
        &[
            "plan",
            "shop",
            "--no-plan",
            "--graph",
            "item",
            "-o",
            report_arg,
        ],
        dir.path(),
    );
    let dot = std::fs::read_to_string(report.join("graph.dot")).unwrap();
    assert!(
        dot.starts_with("// item graph grouped by service, written by ficus\n"),
        "{dot}"
    );
    assert!(
        dot.contains("\"shop_monolith::orders::model::Order\""),
        "{dot}"
    );
}

#[test]
fn flags_win_over_the_plan_file_even_with_default_values() {
    let dir = monolith_copy();
    ficus_ok(&["plan", "shop", "--no-report"], dir.path());
    let plan_path = dir.path().join("shop/ficus.toml");
    let drafted = std::fs::read_to_string(&plan_path).unwrap();
    let edited = drafted.replacen("seed = 42", "seed = 7", 1).replacen(
        "resolution = 1.0",
        "services = 8",
        1,
    );
    assert_ne!(edited, drafted);
    std::fs::write(&plan_path, &edited).unwrap();
    let settings = |extra: &[&str]| {
        let mut args = vec!["plan", "shop", "--format", "json", "--no-report"];
        args.extend_from_slice(extra);
        let output = ficus_ok(&args, dir.path());
        let proposal: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        proposal["settings"].clone()
    };
    // The file over the defaults.
    let from_file = settings(&[]);
    assert_eq!(from_file["seed"], 7);
    assert_eq!(from_file["target_services"], 8);
    // `--seed 42` is the default value, and still wins over the file's 7.
    let flags = settings(&["--seed", "42", "--resolution", "1.0"]);
    assert_eq!(flags["seed"], 42);
    assert!(flags["target_services"].is_null(), "{flags}");
    assert_eq!(settings(&["--services", "6"])["target_services"], 6);
}

/// A rocket app whose `email` and `web` domains both serve `GET /@/<name>` (rank fallbacks),
/// `email` twice over for `POST /@/<name>`.
const SHARED_KEYS: &str = r#"
//- Cargo.toml
[package]
name = "app"
//- src/main.rs
#[macro_use]
extern crate rocket;
mod email;
mod web;
#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", email::handlers::routes()).mount("/", web::handlers::routes())
}
//- src/email.rs
pub mod handlers;
pub mod store;
//- src/email/store.rs
pub struct Mailbox { pub name: String }
pub fn find(name: &str) -> Mailbox { Mailbox { name: name.to_string() } }
pub fn save(mailbox: Mailbox) -> Mailbox { mailbox }
//- src/email/handlers.rs
use rocket::Route;
use super::store::{self, Mailbox};
pub fn routes() -> Vec<Route> { routes![profile, send, send_json] }
#[get("/@/<name>", rank = 2)]
fn profile(name: &str) -> String { let mailbox: Mailbox = store::find(name); mailbox.name }
#[post("/@/<name>", rank = 1)]
fn send(name: &str) -> String { store::save(store::find(name)).name }
#[post("/@/<name>", format = "json", rank = 2)]
fn send_json(name: &str) -> String { store::save(store::find(name)).name }
//- src/web.rs
pub mod handlers;
pub mod render;
//- src/web/render.rs
pub struct Page { pub html: String }
pub fn page(name: &str) -> Page { Page { html: name.to_string() } }
pub fn layout(page: Page) -> Page { page }
//- src/web/handlers.rs
use rocket::Route;
use super::render::{self, Page};
pub fn routes() -> Vec<Route> { routes![profile_page, home] }
#[get("/@/<name>", rank = 1)]
fn profile_page(name: &str) -> String { let page: Page = render::layout(render::page(name)); page.html }
#[get("/")]
fn home() -> String { render::layout(render::page("home")).html }
"#;

fn write_spec(root: &Path, spec: &str) {
    let mut current: Option<(PathBuf, String)> = None;
    let flush = |current: &mut Option<(PathBuf, String)>| {
        if let Some((path, text)) = current.take() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    };
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            flush(&mut current);
            current = Some((root.join(path.trim()), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(&mut current);
}

#[test]
fn issue_9_handlers_sharing_a_route_key_give_a_plan_and_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    write_spec(dir.path(), SHARED_KEYS);
    let output = ficus_ok(&["plan", ".", "--no-report"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\nDiagnostics:\n"), "{stdout}");
    // Two services' handlers on one key: drafted once, where the first handler is.
    assert!(
        stdout.contains(
            "route GET /@/{name} has 2 handlers: app::email::handlers::profile, \
             app::web::handlers::profile_page"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "route POST /@/{name} has 2 handlers: app::email::handlers::send, \
             app::email::handlers::send_json"
        ),
        "{stdout}"
    );
    let plan_path = dir.path().join("ficus.toml");
    let drafted = std::fs::read_to_string(&plan_path).unwrap();
    assert_eq!(
        drafted.matches("\"POST /@/{name}\" = ").count(),
        1,
        "{drafted}"
    );
    assert_eq!(
        drafted.matches("\"GET /@/{name}\" = ").count(),
        1,
        "{drafted}"
    );
    assert!(
        drafted.contains(
            "# 2 handlers: app::email::handlers::send, app::email::handlers::send_json\n\
             \"POST /@/{name}\" = \"monolith\""
        ),
        "{drafted}"
    );
    // A re-plan of unchanged code keeps the file and says the same.
    let output = ficus_ok(&["plan", ".", "--no-report"], dir.path());
    let again = String::from_utf8_lossy(&output.stdout);
    assert!(again.contains("is up to date"), "{again}");
    assert!(
        again.contains("route POST /@/{name} has 2 handlers"),
        "{again}"
    );
    assert_eq!(std::fs::read_to_string(&plan_path).unwrap(), drafted);
    // The JSON output stays the proposal; the diagnostics go to stderr.
    let output = ficus_ok(
        &["plan", ".", "--no-report", "--format", "json"],
        dir.path(),
    );
    serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("proposal JSON");
    assert!(String::from_utf8_lossy(&output.stderr).contains("has 2 handlers"));
    // An invalid plan file still stops the run, naming file, line and field.
    std::fs::write(&plan_path, drafted.replacen("seed = 42", "seed = -1", 1)).unwrap();
    let output = ficus(&["plan", ".", "--no-report"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ficus.toml:") && stderr.contains("analysis.seed"),
        "{stderr}"
    );
}

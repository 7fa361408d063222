//! Route extraction tests: small multi-file projects in one string, `//- src/app.rs` markers
//! between files, checked against the sorted route list as text (`METHOD /path handler
//! module`, or with framework and site) followed by any diagnostics (`severity file:line:
//! message`).
//!
//! `run` is the only place that calls `collect` and `assemble`; names resolve through the
//! `FakeResolve` of `tests/fake_resolve.rs`, crate name `demo`. Framework constructs are tested
//! in `tests/axum.rs`, `actix.rs`, `rocket.rs` and `utoipa.rs`, assembly in `assembly.rs`;
//! this file keeps robustness and contract tests, and checks the fixture crates under
//! `analyzer/tests/fixtures/routes-*` against their `expected-routes.txt`. Not tested here:
//! the real resolver, which is another module's job.

mod actix;
mod assembly;
mod axum;
mod fake_resolve;
mod rocket;
mod unknown;
mod utoipa;

use std::fmt::Write as _;
use std::path::Path;

use fake_resolve::FakeResolve;

use crate::model::{Diagnostic, Route};

/// Routes as `METHOD /path handler module`, then diagnostics.
#[track_caller]
fn check(files: &str, expected: &str) {
    let (routes, diagnostics) = run("demo", &split(files));
    let mut actual = String::new();
    for route in &routes {
        let _ = writeln!(
            actual,
            "{} {} {} {}",
            route.method, route.path, route.handler, route.module
        );
    }
    write_diagnostics(&mut actual, &diagnostics);
    assert_text(&actual, expected);
}

/// Routes as `METHOD /path handler framework file:line`, then diagnostics.
#[track_caller]
fn check_sites(files: &str, expected: &str) {
    let (routes, diagnostics) = run("demo", &split(files));
    let mut actual = String::new();
    for route in &routes {
        let _ = writeln!(
            actual,
            "{} {} {} {} {}:{}",
            route.method, route.path, route.handler, route.framework, route.file, route.line
        );
    }
    write_diagnostics(&mut actual, &diagnostics);
    assert_text(&actual, expected);
}

fn run(crate_name: &str, files: &[(String, String)]) -> (Vec<Route>, Vec<Diagnostic>) {
    let parsed: Vec<(String, syn::File)> = files
        .iter()
        .map(|(path, text)| {
            let file =
                syn::parse_file(text).unwrap_or_else(|err| panic!("{path} does not parse: {err}"));
            (path.clone(), file)
        })
        .collect();
    let facts: Vec<(String, super::FileRoutes)> = parsed
        .iter()
        .map(|(path, file)| (path.clone(), super::collect(file)))
        .collect();
    let resolve = FakeResolve::new(crate_name, &parsed);
    let borrowed: Vec<(&str, &super::FileRoutes)> = facts
        .iter()
        .map(|(path, facts)| (path.as_str(), facts))
        .collect();
    let assembled = super::assemble(&borrowed, &resolve);
    (assembled.routes, assembled.diagnostics)
}

/// Splits `//- path` separated files.
fn split(files: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in files.lines() {
        if let Some(path) = line.trim().strip_prefix("//- ") {
            out.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

fn write_diagnostics(out: &mut String, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        let severity = format!("{:?}", diagnostic.severity).to_lowercase();
        let _ = writeln!(
            out,
            "{severity} {}:{}: {}",
            diagnostic.file, diagnostic.line, diagnostic.message
        );
    }
}

#[track_caller]
fn assert_text(actual: &str, expected: &str) {
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let actual: Vec<&str> = actual.lines().collect();
    assert_eq!(
        expected.join("\n"),
        actual.join("\n"),
        "\n--- actual ---\n{}\n",
        actual.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// robustness and contract

#[test]
fn odd_syntax_never_panics_and_yields_nothing() {
    check(
        r#"
//- src/lib.rs
#[get]
fn a() {}
#[get(123)]
fn b() {}
#[route]
fn c() {}
#[route("/x")]
fn d() {}
#[utoipa::path(get)]
fn e() {}
fn f() {
    let r = routes![1 + 2, "x"];
    let s = Router::new().route().nest("/x").merge();
    let t = Router::new().route("/x", 42);
    let u = web::resource(["/a", "/b"]).to(h);
    let v = App::new().service(42).configure(|| {});
}
"#,
        "
        ANY /{path} h demo
        warning src/lib.rs:15: route prefix {path} is computed at run time from `[..]`; routes below it are listed under `{path}`
        info src/lib.rs:14: cannot read the method router of this route; it is skipped
        info src/lib.rs:16: cannot tell which router is mounted here; its routes are missing
        ",
    );
}

#[test]
fn look_alikes_outside_web_code_stay_silent() {
    check(
        r#"
//- src/lib.rs
fn cli() -> App {
    App::new("tool").arg(Arg::new("verbose")).subcommand(App::new("run"))
}
fn quota(name: &str) -> Resource {
    Resource::new(name).limit(10)
}
fn scope(current: Span) -> Scope {
    Scope::new(current)
}
fn routing(graph: &Graph) -> Vec<Route> {
    let router = Router::new(graph);
    router.merge(other_router()).service(42)
}
"#,
        "",
    );
}

#[test]
fn long_chains_and_deep_nesting_do_not_exhaust_the_stack() {
    let mut chain = String::from("pub fn app() -> Router {\n    Router::new()\n");
    for idx in 0..3000 {
        let _ = writeln!(chain, "        .route(\"/r{idx}\", get(h))");
    }
    chain.push_str("}\nasync fn h() {}\n");
    let mut nested = String::from("pub fn deep() -> Router { ");
    for _ in 0..40 {
        nested.push_str("Router::new().nest(\"/d\", ");
    }
    nested.push_str("Router::new().route(\"/leaf\", get(h))");
    nested.push_str(&")".repeat(40));
    nested.push_str(" }\n");
    let files = vec![
        ("src/lib.rs".to_string(), chain),
        ("src/deep.rs".to_string(), nested),
    ];
    let (routes, diagnostics) = run("demo", &files);
    assert_eq!(routes.len(), 3001);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let deep = routes
        .iter()
        .find(|route| route.path.ends_with("/leaf"))
        .map(|route| route.path.clone());
    assert_eq!(deep, Some(format!("{}/leaf", "/d".repeat(40))));
}

#[test]
fn output_does_not_depend_on_file_order() {
    let files = split(
        r#"
//- src/lib.rs
pub mod b;
pub fn app() -> Router { Router::new().nest("/b", b::routes()).route("/a", get(h)) }
async fn h() {}
//- src/b.rs
pub fn routes() -> Router { Router::new().route("/x", get(crate::h)).route("/x", get(crate::h)) }
"#,
    );
    let forward = run("demo", &files);
    let mut reversed_files = files.clone();
    reversed_files.reverse();
    let reversed = run("demo", &reversed_files);
    assert_eq!(forward, reversed);
    assert_eq!(forward.0.len(), 2, "{:?}", forward.0);
}

#[test]
fn file_routes_fit_a_parallel_pipeline() {
    fn assert_traits<T: Send + Sync + Default + std::fmt::Debug + 'static>() {}
    assert_traits::<super::FileRoutes>();
}

// ---------------------------------------------------------------------------------------------
// fixture crates

#[test]
fn fixture_routes_axum() {
    check_fixture("routes-axum");
}

#[test]
fn fixture_routes_actix() {
    check_fixture("routes-actix");
}

#[test]
fn fixture_routes_rocket() {
    check_fixture("routes-rocket");
}

/// Runs a fixture crate through `collect`, `assemble` and the fake resolver, and compares with
/// its `expected-routes.txt` (`METHOD /path handler`, `#` comments allowed).
#[track_caller]
fn check_fixture(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let manifest =
        std::fs::read_to_string(root.join("Cargo.toml")).expect("fixture has a Cargo.toml");
    let crate_name = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("name = "))
        .map(|name| name.trim_matches('"').replace('-', "_"))
        .expect("fixture manifest names its package");
    let mut files = Vec::new();
    read_sources(&root, &root.join("src"), &mut files);
    files.sort();
    assert!(files.len() >= 2, "fixture {name} has {} files", files.len());
    let (routes, diagnostics) = run(&crate_name, &files);
    assert!(diagnostics.is_empty(), "fixture {name}: {diagnostics:#?}");
    let mut actual = String::new();
    for route in &routes {
        let _ = writeln!(actual, "{} {} {}", route.method, route.path, route.handler);
    }
    let expected = std::fs::read_to_string(root.join("expected-routes.txt"))
        .expect("fixture has expected routes");
    let expected: String = expected
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        routes.len() >= 8,
        "fixture {name} has only {} routes",
        routes.len()
    );
    assert_text(&actual, &expected);
}

fn read_sources(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            read_sources(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("fixture source is UTF-8");
            let relative = path.strip_prefix(root).expect("under the fixture root");
            out.push((relative.to_string_lossy().replace('\\', "/"), text));
        }
    }
}

//! `ficus analyze` run as a binary: exit codes, the formats on stdout, the report folder and
//! the progress bar.
//!
//! Every assertion here must hold whatever the analyzer finds: they check the shape of the
//! output (valid against `docs/schema/analysis.schema.json`, deterministic, files in place),
//! never which modules, routes or counts it reports. Each run gets a fresh temporary current
//! folder so the default `ficus-report/` never lands in the repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const REPORT_FILES: [&str; 4] = ["analysis.json", "graph.dot", "graph.mmd", "summary.txt"];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_monolith() -> PathBuf {
    repo_root().join("examples/shop-monolith")
}

/// Runs `ficus` with `args` in `current_dir`, stdin closed, stdout and stderr captured.
fn ficus_in(current_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(args)
        .current_dir(current_dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run ficus")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts exit status 0 and returns stdout.
fn success(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "ficus failed\n--- stderr ---\n{}",
        stderr(output)
    );
    stdout(output)
}

/// Asserts that `text` is one JSON value valid against the published schema, with
/// `schema_version` 3, and returns it.
fn check_json(text: &str) -> Value {
    let schema_text = fs::read_to_string(repo_root().join("docs/schema/analysis.schema.json"))
        .expect("read the schema");
    let schema: Value = serde_json::from_str(&schema_text).expect("the schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let instance: Value = serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{text}"));
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid against the schema:\n{}",
        errors.join("\n")
    );
    assert_eq!(instance["schema_version"], 3);
    instance
}

/// Writes `files` (relative path, text) under `root` and returns `root`.
fn write_project(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    for (relative, text) in files {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        fs::write(&path, text).unwrap();
    }
    root.to_path_buf()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn a_missing_folder_exits_2_and_names_it() {
    let cwd = tempfile::tempdir().unwrap();
    let missing = cwd.path().join("no-such-monolith");
    let output = ficus_in(cwd.path(), &["analyze", path_str(&missing)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(path_str(&missing)),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    assert!(
        !cwd.path().join("ficus-report").exists(),
        "no report for a run that could not start"
    );
}

#[test]
fn a_file_instead_of_a_folder_exits_2_and_names_it() {
    let cwd = tempfile::tempdir().unwrap();
    let file = cwd.path().join("Cargo.toml");
    fs::write(&file, "[package]\nname = \"x\"\n").unwrap();
    let output = ficus_in(
        cwd.path(),
        &["analyze", path_str(&file), "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(path_str(&file)),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unwritable_report_folder_exits_2_and_names_it() {
    let cwd = tempfile::tempdir().unwrap();
    let blocker = cwd.path().join("taken");
    fs::write(&blocker, "a file where the report folder should go").unwrap();
    let report = blocker.join("report");
    let output = ficus_in(
        cwd.path(),
        &[
            "analyze",
            path_str(&example_monolith()),
            "-o",
            path_str(&report),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(path_str(&report)),
        "{}",
        stderr(&output)
    );
}

#[test]
fn diagnostics_do_not_change_the_exit_status() {
    let cwd = tempfile::tempdir().unwrap();
    let project = write_project(
        &cwd.path().join("broken"),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"broken\"\nversion = \"0.1.0\"\n",
            ),
            ("src/lib.rs", "mod gone;\npub fn f( {\n"),
        ],
    );
    let args = [
        "analyze",
        path_str(&project),
        "--format",
        "json",
        "--no-report",
    ];
    let json = check_json(&success(&ficus_in(cwd.path(), &args)));
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(
        !diagnostics.is_empty(),
        "an unparseable file is a diagnostic: {json}"
    );
}

#[test]
fn text_prints_a_summary_and_writes_the_default_report_folder() {
    let cwd = tempfile::tempdir().unwrap();
    let text = success(&ficus_in(
        cwd.path(),
        &["analyze", path_str(&example_monolith())],
    ));
    assert!(text.starts_with("Analysed "), "{text}");
    for row in [
        "crates",
        "modules",
        "edges",
        "routes",
        "tables",
        "diagnostics",
    ] {
        assert!(
            text.contains(&format!("\n  {row} ")),
            "no {row} row:\n{text}"
        );
    }
    assert!(text.contains("Report written to ficus-report"), "{text}");
    let report = cwd.path().join("ficus-report");
    for name in REPORT_FILES {
        assert!(
            report.join(name).is_file(),
            "{name} missing from {}",
            report.display()
        );
    }
    let summary = fs::read_to_string(report.join("summary.txt")).unwrap();
    assert!(
        text.starts_with(&summary),
        "stdout starts with summary.txt:\n{text}"
    );
}

#[test]
fn the_default_path_is_the_current_folder() {
    let cwd = tempfile::tempdir().unwrap();
    let text = success(&ficus_in(
        cwd.path(),
        &["analyze", "--format", "json", "--no-report"],
    ));
    check_json(&text);
}

#[test]
fn json_of_the_example_monolith_is_valid_against_the_schema() {
    let cwd = tempfile::tempdir().unwrap();
    let monolith = example_monolith();
    for extra in [
        &[][..],
        &["--granularity", "item"],
        &["--all-targets", "--threads", "2"],
    ] {
        let mut args = vec![
            "analyze",
            path_str(&monolith),
            "--format",
            "json",
            "--no-report",
        ];
        args.extend_from_slice(extra);
        let json = check_json(&success(&ficus_in(cwd.path(), &args)));
        let expected = if extra.contains(&"item") {
            "item"
        } else {
            "module"
        };
        assert_eq!(json["granularity"], expected, "{args:?}");
    }
}

#[test]
fn json_of_an_empty_folder_is_valid_against_the_schema() {
    let cwd = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let text = success(&ficus_in(
        cwd.path(),
        &[
            "analyze",
            path_str(empty.path()),
            "--format",
            "json",
            "--no-report",
        ],
    ));
    check_json(&text);
}

#[test]
fn deterministic_runs_give_byte_identical_stdout() {
    let cwd = tempfile::tempdir().unwrap();
    let monolith = example_monolith();
    for format in ["json", "dot", "mermaid", "text"] {
        let args = [
            "analyze",
            path_str(&monolith),
            "--format",
            format,
            "--deterministic",
            "--no-report",
        ];
        let first = success(&ficus_in(cwd.path(), &args));
        let second = success(&ficus_in(cwd.path(), &args));
        assert!(!first.is_empty(), "{format}: empty output");
        assert_eq!(first, second, "{format}: two runs differ");
    }
}

#[test]
fn graph_formats_look_like_their_languages() {
    let cwd = tempfile::tempdir().unwrap();
    let monolith = example_monolith();
    let run = |format: &str| {
        success(&ficus_in(
            cwd.path(),
            &[
                "analyze",
                path_str(&monolith),
                "--format",
                format,
                "--no-report",
            ],
        ))
    };
    let dot = run("dot");
    assert!(
        dot.contains("\ndigraph ficus {\n") && dot.ends_with("}\n"),
        "{dot}"
    );
    let mermaid = run("mermaid");
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
}

#[test]
fn output_writes_the_four_files_and_stdout_matches_analysis_json() {
    let cwd = tempfile::tempdir().unwrap();
    let report = cwd.path().join("nested/report");
    let text = success(&ficus_in(
        cwd.path(),
        &[
            "analyze",
            path_str(&example_monolith()),
            "--format",
            "json",
            "--deterministic",
            "--output",
            path_str(&report),
        ],
    ));
    let mut names: Vec<String> = fs::read_dir(&report)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, REPORT_FILES);
    assert_eq!(
        fs::read_to_string(report.join("analysis.json")).unwrap(),
        text
    );
    check_json(&text);
    assert!(
        !cwd.path().join("ficus-report").exists(),
        "--output replaces the default"
    );
}

#[test]
fn no_report_writes_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    success(&ficus_in(
        cwd.path(),
        &["analyze", path_str(&example_monolith()), "--no-report"],
    ));
    let entries: Vec<_> = fs::read_dir(cwd.path()).unwrap().collect();
    assert!(entries.is_empty(), "{entries:?}");
}

#[test]
fn no_report_and_output_conflict() {
    let cwd = tempfile::tempdir().unwrap();
    let output = ficus_in(cwd.path(), &["analyze", "--no-report", "--output", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--no-report"),
        "{}",
        stderr(&output)
    );
}

/// With stderr on a terminal the bar is drawn there, and stdout (redirected to a file) still
/// holds nothing but the JSON. `script` (util-linux) provides the terminal; the shell inside
/// it redirects stdout to a file.
#[test]
fn the_progress_bar_goes_to_a_terminal_stderr_never_to_stdout() {
    let cwd = tempfile::tempdir().unwrap();
    let json_file = cwd.path().join("out.json");
    let inner = format!(
        "'{}' analyze '{}' --format json --no-report > '{}'",
        env!("CARGO_BIN_EXE_ficus"),
        path_str(&example_monolith()),
        path_str(&json_file)
    );
    let output = Command::new("script")
        .args(["-q", "-e", "-c", &inner, "/dev/null"])
        .current_dir(cwd.path())
        .env("TERM", "xterm")
        .env_remove("RUST_LOG")
        .output()
        .expect("run `script` (util-linux) to give ficus a terminal");
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{terminal}\n{}",
        stderr(&output)
    );
    assert!(
        terminal.contains(" files"),
        "the bar was drawn on the terminal:\n{terminal:?}"
    );
    let text = fs::read_to_string(&json_file).unwrap();
    assert!(
        text.starts_with('{') && text.ends_with("}\n"),
        "stdout holds only the JSON:\n{text}"
    );
    check_json(&text);

    // The same run with -q draws nothing.
    let quiet = Command::new("script")
        .args(["-q", "-e", "-c", &format!("{inner} -q"), "/dev/null"])
        .current_dir(cwd.path())
        .env("TERM", "xterm")
        .env_remove("RUST_LOG")
        .output()
        .expect("run `script`");
    let terminal = String::from_utf8_lossy(&quiet.stdout);
    assert_eq!(quiet.status.code(), Some(0), "{terminal}");
    assert!(
        !terminal.contains(" files"),
        "-q hides the bar:\n{terminal:?}"
    );
}

#[test]
fn help_documents_the_exit_status() {
    let cwd = tempfile::tempdir().unwrap();
    let help = success(&ficus_in(cwd.path(), &["analyze", "--help"]));
    for flag in [
        "--format",
        "--output",
        "--no-report",
        "--granularity",
        "--all-targets",
        "--threads",
        "--deterministic",
    ] {
        assert!(help.contains(flag), "help lacks {flag}:\n{help}");
    }
    assert!(help.contains("Exit status: 0 ok"), "{help}");
}

/// Issue #9: a prefix built at run time is kept as `{name}`, and the summary states how
/// completely the handlers are placed.
#[test]
fn issue_9_routes_under_a_computed_prefix_are_listed_and_counted() {
    let cwd = tempfile::tempdir().unwrap();
    let main = r#"use axum::{Router, routing::get};
fn app(base: &str) -> Router {
    Router::new()
        .route("/health", get(health))
        .nest(&format!("{}/api", base), Router::new().route("/users", get(users)))
}
async fn health() {}
async fn users() {}
fn main() {}
"#;
    let project = write_project(
        &cwd.path().join("web"),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"web\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.8\"\n",
            ),
            ("src/main.rs", main),
        ],
    );
    let text = success(&ficus_in(
        cwd.path(),
        &["analyze", path_str(&project), "--no-report"],
    ));
    assert!(
        text.contains(
            "  routes         2 (2 handlers, 1 mounted with full paths, 1 under an unknown prefix, 0 never mounted)\n"
        ),
        "{text}"
    );
    let args = [
        "analyze",
        path_str(&project),
        "--format",
        "json",
        "--no-report",
    ];
    let json = check_json(&success(&ficus_in(cwd.path(), &args)));
    let routes: Vec<(String, Value)> = json["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|route| {
            (
                route["path"].as_str().unwrap().to_string(),
                route["computed_parts"].clone(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        vec![
            ("/health".to_string(), serde_json::json!([])),
            ("/{base}/api/users".to_string(), serde_json::json!(["base"])),
        ]
    );
    assert_eq!(json["route_coverage"]["unknown_prefix"], 1);
}

/// Every route fixture's routes, through the binary: the same lines as its
/// `expected-routes.txt` (`METHOD /path handler`), and no diagnostic.
#[test]
fn issue_9_route_fixtures_through_the_binary() {
    for name in [
        "routes-axum",
        "routes-actix",
        "routes-rocket",
        "routes-openapi",
    ] {
        let dir = repo_root().join("analyzer/tests/fixtures").join(name);
        let output = ficus_in(
            &repo_root(),
            &["analyze", path_str(&dir), "--format", "json", "--no-report"],
        );
        let json = check_json(&success(&output));
        let mut actual: Vec<String> = json["routes"]
            .as_array()
            .expect("routes")
            .iter()
            .map(|route| {
                format!(
                    "{} {} {}",
                    route["method"].as_str().unwrap_or_default(),
                    route["path"].as_str().unwrap_or_default(),
                    route["handler"].as_str().unwrap_or_default()
                )
            })
            .collect();
        actual.sort();
        let expected_text =
            fs::read_to_string(dir.join("expected-routes.txt")).expect("expected-routes.txt");
        let mut expected: Vec<String> = expected_text
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect();
        expected.sort();
        assert_eq!(actual, expected, "{name}");
        assert_eq!(json["diagnostics"], serde_json::json!([]), "{name}");
    }
}

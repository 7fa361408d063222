//! `ficus generate` run again over its own output: edits people made are kept or merged three
//! ways with what the templates now give, overlaps are conflicts (markers, exit 1),
//! `--dry-run` and `--check` tell what a run would do, `.ficusignore` excludes files, output
//! bytes are deterministic, and a template error names its template, line and variable. A
//! template change is simulated with `--templates DIR` overrides.

use std::collections::BTreeMap;
use std::path::Path;

use crate::generate::{GENERATE_BILLING, ficus_fails, fixture_copy, repo};
use crate::support::{ficus, ficus_ok};

const HANDLERS: &str = "out/billing-service/src/handlers.rs";
const DOCKERFILE: &str = "out/Dockerfile";

/// The fixture generated once into `out/`.
fn generated_fixture() -> tempfile::TempDir {
    let dir = fixture_copy();
    ficus_ok(&GENERATE_BILLING, dir.path());
    dir
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// Replaces `from` (which must be there) by `to` in `dir/path`.
#[track_caller]
fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let text = read(dir, path);
    assert!(text.contains(from), "no `{from}` in {path}:\n{text}");
    std::fs::write(dir.join(path), text.replacen(from, to, 1)).unwrap();
}

/// A person's edit of `handlers.rs` that no template change below touches.
fn edit_a_handlers_line(dir: &Path) {
    edit(dir, HANDLERS, "use axum::Json;", "use axum::Json; // mine");
}

/// Writes `dir/templates/NAME.tera`: the embedded template `name` with `from` replaced by
/// `to`, as a person changing a template would.
#[track_caller]
fn changed_template(dir: &Path, name: &str, from: &str, to: &str) {
    let embedded =
        std::fs::read_to_string(repo().join(format!("codegen/templates/{name}.tera"))).unwrap();
    assert!(embedded.contains(from), "no `{from}` in template {name}");
    let path = dir.join(format!("templates/{name}.tera"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, embedded.replacen(from, to, 1)).unwrap();
}

/// `ficus generate billing ... --templates templates` plus `extra`.
fn with_templates(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = GENERATE_BILLING.to_vec();
    args.extend(["--templates", "templates"]);
    args.extend(extra);
    args
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn edited_files_are_kept_byte_for_byte_when_the_generator_text_is_the_same() {
    let dir = generated_fixture();
    // A file written once for people, and one the generator owns but a person edited anyway.
    edit_a_handlers_line(dir.path());
    edit(dir.path(), DOCKERFILE, "EXPOSE 8080", "EXPOSE 9090");
    let handlers = read(dir.path(), HANDLERS);
    let dockerfile = read(dir.path(), DOCKERFILE);

    let output = ficus_ok(&GENERATE_BILLING, dir.path());
    assert_eq!(read(dir.path(), HANDLERS), handlers);
    assert_eq!(read(dir.path(), DOCKERFILE), dockerfile);
    let stdout = stdout(&output);
    for expected in [
        "  skip      billing-service/src/handlers.rs: edited; the generator's text is the same as last time: kept\n",
        "  skip      Dockerfile: a generated file you edited; the generator's text is the same as last time: kept\n",
        "  skip      MIGRATION.md: up to date\n",
    ] {
        assert!(stdout.contains(expected), "no `{expected}` in:\n{stdout}");
    }
}

#[test]
fn an_edit_and_a_template_change_apart_are_merged() {
    let dir = generated_fixture();
    edit(
        dir.path(),
        HANDLERS,
        "#[allow(dead_code)]",
        "// my helper comes here\n#[allow(dead_code)]",
    );
    changed_template(
        dir.path(),
        "service/handlers.rs",
        "use axum::Json;",
        "use axum::Json;\nuse axum::extract::Path;",
    );
    let output = ficus_ok(&with_templates(&[]), dir.path());
    assert!(
        stdout(&output).contains(
            "  merge     billing-service/src/handlers.rs: your edits and the generator's changes merged\n"
        ),
        "{}",
        stdout(&output)
    );
    let handlers = read(dir.path(), HANDLERS);
    assert!(
        handlers.contains("use axum::Json;\nuse axum::extract::Path;\n")
            && handlers.contains("// my helper comes here\n#[allow(dead_code)]"),
        "{handlers}"
    );
    // The base of the next merge is the generator's text, so the edit stays an edit.
    let again = ficus_ok(&with_templates(&[]), dir.path());
    assert!(
        stdout(&again).contains("  skip      billing-service/src/handlers.rs: edited;"),
        "{}",
        stdout(&again)
    );
    assert_eq!(read(dir.path(), HANDLERS), handlers);
}

#[test]
fn overlapping_changes_are_written_with_markers_and_exit_1_after_everything_else() {
    let dir = generated_fixture();
    edit(dir.path(), DOCKERFILE, "EXPOSE 8080", "EXPOSE 9090");
    changed_template(
        dir.path(),
        "service/Dockerfile",
        "EXPOSE 8080",
        "EXPOSE 8081",
    );
    // Another template changes a file nobody edited: it is written all the same.
    changed_template(
        dir.path(),
        "service/kubernetes.yaml",
        "kind: Service",
        "# changed\nkind: Service",
    );
    let output = ficus(&with_templates(&[]), dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("conflict: out/Dockerfile"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout(&output)
            .contains("  conflict  Dockerfile: your edits and the generator's changes overlap")
            && stdout(&output)
                .contains("  update    deploy/kubernetes.yaml: unchanged since the last run\n"),
        "{}",
        stdout(&output)
    );
    assert!(
        read(dir.path(), DOCKERFILE).contains(
            "<<<<<<< yours\nEXPOSE 9090\n||||||| generated (last)\nEXPOSE 8080\n=======\nEXPOSE 8081\n>>>>>>> generated (new)\n"
        ),
        "{}",
        read(dir.path(), DOCKERFILE)
    );
    assert!(read(dir.path(), "out/deploy/kubernetes.yaml").contains("# changed\nkind: Service"));

    // Until the markers are gone, each run (and --check) says so.
    let again = ficus(&with_templates(&[]), dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stdout(&again).contains("  conflict  Dockerfile: still holds conflict markers"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        ficus(&with_templates(&["--check"]), dir.path())
            .status
            .code(),
        Some(1)
    );

    // Resolved by hand: kept as the person left it.
    let marked = read(dir.path(), DOCKERFILE);
    let start = marked.find("<<<<<<< yours").unwrap();
    let end = marked.find(">>>>>>> generated (new)\n").unwrap() + ">>>>>>> generated (new)\n".len();
    let resolved = format!("{}EXPOSE 9091\n{}", &marked[..start], &marked[end..]);
    std::fs::write(dir.path().join(DOCKERFILE), &resolved).unwrap();
    ficus_ok(&with_templates(&[]), dir.path());
    assert_eq!(read(dir.path(), DOCKERFILE), resolved);
    ficus_ok(&with_templates(&["--check"]), dir.path());
}

#[test]
fn check_is_fresh_after_a_run_and_stale_after_a_template_change() {
    let dir = generated_fixture();
    // A person's edit alone does not make the output stale.
    edit_a_handlers_line(dir.path());
    let mut check = GENERATE_BILLING.to_vec();
    check.push("--check");
    ficus_ok(&check, dir.path());

    changed_template(
        dir.path(),
        "service/Dockerfile",
        "EXPOSE 8080",
        "EXPOSE 8081",
    );
    let before = tree(&dir.path().join("out"));
    let output = ficus(&with_templates(&["--check"]), dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "out is stale:\n  update    Dockerfile\n"
    );
    assert_eq!(
        tree(&dir.path().join("out")),
        before,
        "--check writes nothing"
    );

    ficus_ok(&with_templates(&[]), dir.path());
    ficus_ok(&with_templates(&["--check"]), dir.path());
}

#[test]
fn two_runs_give_identical_bytes_and_a_second_run_changes_none() {
    let first = generated_fixture();
    let second = generated_fixture();
    let out = tree(&first.path().join("out"));
    assert!(
        out.contains_key(".ficus-generate.json")
            && out.contains_key(".ficus-generate/base/billing-service/src/handlers.rs"),
        "{:?}",
        out.keys()
    );
    assert_eq!(out, tree(&second.path().join("out")));
    ficus_ok(&GENERATE_BILLING, first.path());
    assert_eq!(tree(&first.path().join("out")), out);
}

#[test]
fn dry_run_lists_each_action_with_a_diff_and_writes_nothing() {
    let dir = generated_fixture();
    edit(
        dir.path(),
        HANDLERS,
        "#[allow(dead_code)]",
        "// mine\n#[allow(dead_code)]",
    );
    changed_template(
        dir.path(),
        "service/handlers.rs",
        "use axum::Json;",
        "use axum::Json;\nuse axum::extract::Path;",
    );
    changed_template(
        dir.path(),
        "service/Dockerfile",
        "EXPOSE 8080",
        "EXPOSE 8081",
    );
    std::fs::remove_file(dir.path().join("out/billing-client/src/lib.rs")).unwrap();
    let before = tree(&dir.path().join("out"));

    let output = ficus_ok(&with_templates(&["--dry-run"]), dir.path());
    let stdout = stdout(&output);
    for expected in [
        "\nDry run, nothing written to out: 1 create, 1 update, 1 merge, 14 skip\n",
        "  merge     billing-service/src/handlers.rs: your edits and the generator's changes merged\n--- a/billing-service/src/handlers.rs\n+++ b/billing-service/src/handlers.rs\n",
        " use axum::Json;\n+use axum::extract::Path;\n",
        "  update    Dockerfile: unchanged since the last run\n--- a/Dockerfile\n+++ b/Dockerfile\n",
        "-EXPOSE 8080\n+EXPOSE 8081\n",
        "  create    billing-client/src/lib.rs: deleted since the last run; the generator's files are written again\n",
        "  skip      MIGRATION.md: up to date\n",
    ] {
        assert!(stdout.contains(expected), "no `{expected}` in:\n{stdout}");
    }
    assert_eq!(tree(&dir.path().join("out")), before);

    let json = ficus_ok(
        &with_templates(&["--dry-run", "--format", "json"]),
        dir.path(),
    );
    let port: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let actions: BTreeMap<&str, &str> = port["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap(),
                file["action"].as_str().unwrap(),
            )
        })
        .filter(|(_, action)| *action != "skip")
        .collect();
    assert_eq!(
        actions,
        BTreeMap::from([
            ("Dockerfile", "update"),
            ("billing-client/src/lib.rs", "create"),
            ("billing-service/src/handlers.rs", "merge")
        ])
    );
    let dockerfile = port["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|file| file["path"] == "Dockerfile")
        .unwrap();
    assert_eq!(dockerfile["template"], "service/Dockerfile");
    assert!(
        dockerfile["diff"]
            .as_str()
            .unwrap()
            .contains("+EXPOSE 8081\n"),
        "{dockerfile:#}"
    );
    assert_eq!(tree(&dir.path().join("out")), before);
}

#[test]
fn a_deleted_generated_file_comes_back_and_a_deleted_file_written_once_does_not() {
    let dir = generated_fixture();
    std::fs::remove_file(dir.path().join(DOCKERFILE)).unwrap();
    std::fs::remove_file(dir.path().join(HANDLERS)).unwrap();
    let output = ficus_ok(&GENERATE_BILLING, dir.path());
    assert!(dir.path().join(DOCKERFILE).is_file());
    assert!(!dir.path().join(HANDLERS).exists());
    assert!(
        stdout(&output).contains(
            "  skip      billing-service/src/handlers.rs: deleted since the last run; written once for people, so not written again\n"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn ficusignore_keeps_matching_files_out_of_writing_and_of_the_foreign_check() {
    let dir = generated_fixture();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/plan.md"), "mine\n").unwrap();
    // Without .ficusignore the notes are a file ficus did not write: refused.
    let stderr = ficus_fails(&GENERATE_BILLING, dir.path());
    assert!(stderr.contains("holds notes/plan.md"), "{stderr}");

    std::fs::write(out.join(".ficusignore"), "notes/\n/Dockerfile\n").unwrap();
    std::fs::write(out.join("Dockerfile"), "FROM scratch\n").unwrap();
    changed_template(
        dir.path(),
        "service/Dockerfile",
        "EXPOSE 8080",
        "EXPOSE 8081",
    );
    let output = ficus_ok(&with_templates(&[]), dir.path());
    assert!(
        stdout(&output).contains("  skip      Dockerfile: listed in .ficusignore\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(read(&out, "Dockerfile"), "FROM scratch\n");
    assert_eq!(read(&out, "notes/plan.md"), "mine\n");
    let manifest = read(&out, ".ficus-generate.json");
    assert!(!manifest.contains("\"Dockerfile\""), "{manifest}");
    assert!(!out.join(".ficus-generate/base/Dockerfile").exists());
    ficus_ok(&with_templates(&["--check"]), dir.path());
}

/// Generates the fixture with `MIGRATION.md.tera` overridden by `template`, which must fail
/// with exit 2 and write nothing: the error message.
#[track_caller]
fn render_error(template: &str) -> String {
    let dir = fixture_copy();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/MIGRATION.md.tera"), template).unwrap();
    let stderr = ficus_fails(&with_templates(&[]), dir.path());
    assert!(!dir.path().join("out").exists());
    stderr
}

#[test]
fn a_template_render_error_names_the_template_line_and_variable_and_writes_nothing() {
    let stderr = render_error(
        "# {{ port.service }}\n{% for op in port.operations %}\n{{ op.name }}: {{ op.nmae }}\n{% endfor %}\n",
    );
    assert!(
        stderr.contains(
            "template MIGRATION.md (templates/MIGRATION.md.tera), line 3, variable `op.nmae`: "
        ),
        "{stderr}"
    );
    let stderr = render_error("# {{ port.service }}\n\n{{ port.service | shout }}\n");
    assert!(
        stderr.contains(
            "template MIGRATION.md (templates/MIGRATION.md.tera), line 3, filter `shout`: "
        ),
        "{stderr}"
    );
}

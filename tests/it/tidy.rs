//! Rules the repository keeps about itself: file headers, docs that name every crate, and a
//! CI script that runs the README's test command.

use std::fs;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "fixtures" {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under {}",
        files.len(),
        root.display()
    );
    let missing: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| {
            path.strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` header: {missing:#?}"
    );
}

#[test]
fn architecture_names_every_workspace_member() {
    let root = repo_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let architecture = fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let members: Vec<&str> = manifest
        .lines()
        .skip_while(|line| !line.starts_with("members"))
        .skip(1)
        .take_while(|line| !line.starts_with(']'))
        .map(|line| line.trim().trim_end_matches(',').trim_matches('"'))
        .collect();
    assert!(
        members.len() >= 4,
        "could not read workspace members: {members:?}"
    );
    for member in members {
        assert!(
            architecture.contains(&format!("`{member}/`")),
            "docs/ARCHITECTURE.md does not name `{member}/`"
        );
    }
}

#[test]
fn ci_runs_the_test_command_that_readme_gives() {
    let root = repo_root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let ci = fs::read_to_string(root.join(".ci/run")).unwrap();
    let test_command = "cargo test --workspace --locked";
    assert!(
        readme.contains(test_command),
        "README.md does not give `{test_command}`"
    );
    assert!(
        ci.lines().any(|line| line.trim() == test_command),
        ".ci/run does not run `{test_command}`"
    );
}

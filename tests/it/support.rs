//! Helpers the binary's end-to-end tests share: running `ficus` in a folder, and copying a
//! source tree (without its build output) into a temporary one.

use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn ficus(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ficus"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("run ficus")
}

/// Runs `ficus` and fails the test, showing its stderr, unless it exits 0.
#[track_caller]
pub(crate) fn ficus_ok(args: &[&str], cwd: &Path) -> Output {
    let output = ficus(args, cwd);
    assert!(
        output.status.success(),
        "ficus {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Copies `from` into `to`, leaving out `target/`, SQLite files (`*.db*`) and the entries
/// named in `skip`.
pub(crate) fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text == "target" || text.contains(".db") || skip.contains(&text.as_ref()) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name), skip);
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

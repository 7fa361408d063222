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

/// `cargo` run in `dir` on a generated workspace, with `CARGO_TARGET_TMPDIR/TARGET` as target
/// folder, which tests share (serde, axum and hyper are built once) unless their crates have
/// the same names. The build keeps no debug info and no incremental state: each generated
/// target folder would otherwise take about a gigabyte, and CI machines have little disk.
pub(crate) fn generated_cargo(dir: &Path, target: &str) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(target),
        )
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS");
    command
}

/// `cargo test --offline` in `dir` (which builds everything and runs the generated contract
/// tests) through [`generated_cargo`], failing with cargo's output.
#[track_caller]
pub(crate) fn cargo_test(dir: &Path, target: &str) {
    let output = generated_cargo(dir, target)
        .args(["test", "--offline", "--quiet"])
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the generated workspace in {} does not build or its tests fail:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Kills a process when a test fails before stopping it.
pub(crate) struct KillOnDrop(pub(crate) u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .status();
    }
}

/// One HTTP/1.1 request to 127.0.0.1:`port`: the status and the body.
pub(crate) fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let status = response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Starts `command` (a generated service, which prints `listening on ADDR` once bound) with
/// its stdout piped: the child and the port it listens on.
pub(crate) fn start_listening(command: &mut std::process::Command) -> (std::process::Child, u16) {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the service");
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let port: u16 = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no `listening on ADDR` line: {first:?}"));
    (child, port)
}

/// A temporary folder holding `ficus.toml`, the plan `ficus plan` drafts for the example
/// monolith.
pub(crate) fn example_plan() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let monolith = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop-monolith");
    ficus_ok(
        &[
            "plan",
            monolith.to_str().unwrap(),
            "--plan",
            "ficus.toml",
            "--no-report",
        ],
        dir.path(),
    );
    dir
}

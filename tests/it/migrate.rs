//! `ficus shift`, `ficus rollback` and `ficus status` against a running `ficus proxy` process:
//! each changes or reads the migration through the admin API, the plan file follows, and a
//! proxy killed with SIGKILL in the middle of a rollout comes back where it was, its ledger
//! recovered. Refusals (no token, no proxy) exit 2 saying why.

use std::path::Path;
use std::process::Output;

use crate::proxy::{Running, get, signal, start, upstream, wait_for_exit};
use crate::support::ficus;

const TOKEN: &str = "migrate-test-token-7d41c2e9a0b35f68e1d2";

fn plan(monolith: std::net::SocketAddr, catalog: std::net::SocketAddr, admin_port: u16) -> String {
    format!(
        r#"version = 1

[monolith]
name = "shop"
source = "."
upstream = "http://{monolith}"

[[service]]
name = "catalog"
upstream = "http://{catalog}"
modules = ["shop::catalog"]

[service.routes]
"GET /api/products" = "monolith"   # first to move

[proxy]
default_upstream = "monolith"

[proxy.plan_routes]
ledger = "ledger.jsonl"

[proxy.plan_routes.rollout]
steps = [10, 50, 100]
bake_ms = 1500
min_requests = 5
p99_slack_ms = 5000

[proxy.admin]
listen = "127.0.0.1:{admin_port}"
token_file = "admin-token"
"#
    )
}

/// A loopback port free when asked (another process could take it before the proxy does; the
/// admin API needs a fixed port for the commands to find it in the file).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Starts `ficus proxy` on the plan and reads its access log (stdout) away, so that a full
/// pipe never blocks it.
fn start_draining(plan: &Path) -> Running {
    let mut running = start(plan);
    let mut stdout = running.child.stdout.take().expect("stdout piped");
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    running
}

fn run(dir: &Path, args: &[&str]) -> Output {
    ficus(args, dir)
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn refused(output: Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn plan_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("ficus.toml")).unwrap()
}

#[cfg(unix)]
#[test]
fn shift_status_rollback_and_a_rollout_that_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let monolith = upstream("monolith");
    let catalog = upstream("catalog");
    std::fs::write(dir.path().join("admin-token"), TOKEN).unwrap();
    std::fs::write(
        dir.path().join("ficus.toml"),
        plan(monolith, catalog, free_port()),
    )
    .unwrap();
    let mut proxy = start_draining(&dir.path().join("ficus.toml"));

    let status = ok(run(dir.path(), &["status"]));
    assert!(status.contains("catalog"), "{status}");
    assert!(status.contains("GET /api/products"), "{status}");
    assert!(status.contains("monolith"), "{status}");

    let shifted = ok(run(dir.path(), &["shift", "GET /api/products", "10"]));
    assert_eq!(shifted, "GET /api/products is now canary 10%\n");
    assert!(plan_text(dir.path()).contains(r#""GET /api/products" = "canary"   # first to move"#));

    // Held, then resumed, by hand.
    assert_eq!(
        ok(run(dir.path(), &["pause", "GET /api/products"])),
        "GET /api/products: rollout paused\n"
    );
    assert!(ok(run(dir.path(), &["status"])).contains("paused step 1/3: paused by hand"));
    assert_eq!(
        ok(run(dir.path(), &["resume", "GET /api/products"])),
        "GET /api/products: rollout running\n"
    );

    // Traffic until the rollout's first promotion, then SIGKILL in the middle of the rollout.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !plan_text(dir.path()).contains("percent = 50") {
        assert!(std::time::Instant::now() < deadline, "not promoted");
        let body = get(proxy.address, "/api/products");
        assert!(body == "monolith" || body == "catalog", "{body}");
    }
    signal(&proxy.child, "KILL");
    wait_for_exit(&mut proxy.child);
    // A write the kill cut short, as a crash can leave it.
    let ledger = dir.path().join("ledger.jsonl");
    let whole = std::fs::read(&ledger).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"seq":9,"at_ms":1,"rou"#);
    std::fs::write(&ledger, &torn).unwrap();

    let proxy = start_draining(&dir.path().join("ficus.toml"));
    assert_eq!(
        std::fs::read(&ledger).unwrap(),
        whole,
        "the torn line is dropped"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(dir.path(), &["status", "--format", "json"]))).unwrap();
    let route = &json["routes"][0];
    assert_eq!(route["state"], "canary 50%");
    // The rollout resumes at its second step.
    assert_eq!(route["rollout"]["status"], "running");
    assert_eq!(route["rollout"]["step"], 1);
    let by: Vec<&str> = route["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["by"].as_str().unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(by, ["admin", "rollout"]);
    assert!(route["monolith_last_ms"].is_u64(), "{route}");

    // Promoted by hand to the last step, then all on the service: the monolith answers it no
    // more, so its code can go.
    assert_eq!(
        ok(run(dir.path(), &["promote", "GET /api/products"])),
        "GET /api/products is now canary 100%\n"
    );
    ok(run(dir.path(), &["shift", "GET /api/products", "100"]));
    for _ in 0..3 {
        assert_eq!(get(proxy.address, "/api/products"), "catalog");
    }
    let unused = ok(run(dir.path(), &["status", "--unused-since", "1s"]));
    assert!(
        unused.contains("Routes the monolith has not answered for 1 s (delete their code, then mark them retired):\n  GET /api/products\n"),
        "{unused}"
    );

    let rolled = ok(run(dir.path(), &["rollback", "GET /api/products"]));
    assert_eq!(rolled, "GET /api/products is back on the monolith\n");
    assert!(
        plan_text(dir.path()).contains(r#""GET /api/products" = "monolith"   # first to move"#)
    );

    // Refused, exit 2, saying why: no token, a route the plan lacks, no proxy.
    let error = refused(run(
        dir.path(),
        &[
            "shift",
            "GET /api/products",
            "5",
            "--token-env",
            "FICUS_TEST_NO_SUCH_VARIABLE",
        ],
    ));
    assert!(
        error.contains(
            "no admin token: the environment variable FICUS_TEST_NO_SUCH_VARIABLE is not set"
        ),
        "{error}"
    );
    let error = refused(run(dir.path(), &["shift", "GET /nowhere", "5"]));
    assert!(error.contains("no route of the plan is"), "{error}");
    let wrong = dir.path().join("wrong-token");
    std::fs::write(&wrong, "x".repeat(40)).unwrap();
    let error = refused(run(
        dir.path(),
        &["status", "--token-file", wrong.to_str().unwrap()],
    ));
    assert!(error.contains("refused the token (401)"), "{error}");
    signal(&proxy.child, "TERM");
    let mut child = proxy.child;
    wait_for_exit(&mut child);
    let error = refused(run(dir.path(), &["status"]));
    assert!(
        error.contains("no proxy answers at http://127.0.0.1:"),
        "{error}"
    );
}

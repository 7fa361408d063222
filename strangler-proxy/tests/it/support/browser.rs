//! Headless Chromium (Debian's `chromium`, `.ci/install-chromium`) on a page the proxy serves:
//! the same browser, flags and policy as the plan report's test
//! (`analyzer/tests/it/report_browser.rs`): a missing browser fails the test with the command
//! that installs it, the browser runs with a fresh profile, every background service off and
//! name resolution disabled (loopback excepted: the page is on `127.0.0.1`), for a bounded
//! time; its net log must show connections to the page's own address only.

use std::collections::BTreeMap;
use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one browser run may take before it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// What the browser printed: the DOM on stdout, its log on stderr.
pub struct BrowserRun {
    pub dom: String,
    pub log: String,
}

/// Loads `url` (served by `server`) and dumps its DOM after `--virtual-time-budget` has run
/// out; blocking, so call it from `spawn_blocking` while the server runs. Fails the test when
/// the browser is missing, fails or hangs, logs an uncaught script error, or talks to any
/// address but `server`.
pub fn dump_dom(url: &str, server: SocketAddr) -> BrowserRun {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `.ci/install-chromium` (it installs Debian's chromium)"
    );
    let scratch = tempfile::tempdir().expect("temporary folder");
    let profile = scratch.path().join("profile");
    let net_log = scratch.path().join("net-log.json");
    let (stdout_path, stderr_path) = (scratch.path().join("stdout"), scratch.path().join("stderr"));
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--no-default-browser-check",
            "--no-proxy-server",
            // As the report's test, but loopback is left alone: `MAP *` covers IP literals too.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--disable-features=NetworkTimeServiceQuerying",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("stdout file"))
        .stderr(File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {CHROMIUM}: {error}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {BROWSER_TIMEOUT:?}; stderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let run = BrowserRun {
        dom: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        log: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium failed with {status}; stderr:\n{}",
        run.log
    );
    let uncaught: Vec<&str> = run
        .log
        .lines()
        .filter(|line| line.contains("Uncaught"))
        .collect();
    assert!(
        uncaught.is_empty(),
        "script errors in the browser log:\n{}",
        uncaught.join("\n")
    );
    assert_only_connects_to(&net_log, server);
    run
}

/// Fails if Chromium's net log shows a name resolved by the system or DNS, a TLS handshake,
/// a UDP datagram sent, or a TCP connection to any address but `server`. (It may create a UDP
/// socket and `connect` it, which sends nothing, to probe the network.)
#[track_caller]
fn assert_only_connects_to(net_log: &Path, server: SocketAddr) {
    let text = std::fs::read_to_string(net_log).expect("net log written");
    // A log cut short at exit lacks its closing brackets.
    let text = text.trim_end();
    let text = if text.ends_with('}') {
        text.to_string()
    } else {
        format!("{}]}}", text.trim_end_matches(','))
    };
    let log: serde_json::Value = serde_json::from_str(&text).expect("net log is JSON");
    let types = log["constants"]["logEventTypes"]
        .as_object()
        .expect("net log event types");
    // Names that no longer exist would make this check pass vacuously.
    let code = |name: &str| {
        types
            .get(name)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or_else(|| panic!("net log has no event type {name}"))
    };
    let forbidden: BTreeMap<u64, &str> = [
        "HOST_RESOLVER_SYSTEM_TASK",
        "DNS_TRANSACTION",
        "UDP_BYTES_SENT",
        "SSL_CONNECT",
    ]
    .into_iter()
    .map(|name| (code(name), name))
    .collect();
    let attempt = code("TCP_CONNECT_ATTEMPT");
    let events = log["events"].as_array().expect("net log events");
    let mut connected = 0;
    for event in events {
        let Some(kind) = event["type"].as_u64() else {
            continue;
        };
        if let Some(name) = forbidden.get(&kind) {
            panic!("the browser used the network: {name} in {event}");
        }
        if kind == attempt
            && let Some(address) = event["params"]["address"].as_str()
        {
            assert_eq!(
                address,
                server.to_string(),
                "the browser connected elsewhere than the page's server"
            );
            connected += 1;
        }
    }
    assert!(connected > 0, "the net log shows no connection to {server}");
}

/// The start tag of the first element whose tag contains `marker`, from `<` to `>`.
#[track_caller]
pub fn element_start<'a>(dom: &'a str, marker: &str) -> &'a str {
    let Some(at) = dom.find(marker) else {
        panic!(
            "no element with {marker} in the DOM:\n{}",
            &dom[..dom.len().min(4000)]
        );
    };
    let start = dom[..at].rfind('<').unwrap_or(0);
    let end = at + dom[at..].find('>').unwrap_or(dom.len() - at);
    &dom[start..=end.min(dom.len() - 1)]
}

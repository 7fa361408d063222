//! The plan report in a real browser: `ficus plan`'s proposal for a fixture is rendered to
//! `index.html`, opened from `file://` in headless Chromium (Debian's `chromium`), and the
//! dumped DOM must show that the script ran to its end (`data-rendered`, the node count) and
//! recorded no error; the browser's log must hold no `Uncaught`, and its net log no name
//! lookup and no byte sent. A screenshot is taken too.
//!
//! The browser runs with a fresh profile, every background service off, name resolution
//! disabled and a bounded time; the page itself forbids every request with its
//! Content-Security-Policy. Set `FICUS_REPORT_DIR` to keep each page and its screenshot.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::render;
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one browser run may take before it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn the_layered_fixture_report_renders_in_chromium() {
    check("tests/fixtures/layered-app");
}

#[test]
fn the_example_monolith_report_renders_in_chromium() {
    check("../examples/shop-monolith");
}

/// Plans the project at `relative` (from the analyzer's folder), writes its report and checks
/// it in Chromium.
fn check(relative: &str) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `.ci/install-chromium` (it installs Debian's chromium)"
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let mut settings = Settings::new(&root);
    settings.granularity = Granularity::Item;
    let analysis = analyze(&settings, &NoProgress).expect("analysis runs");
    let proposal = plan(&analysis, &PlanSettings::default()).expect("plan");
    assert!(proposal.services.len() >= 2, "{:#?}", proposal.services);
    let name = root
        .file_name()
        .expect("fixture folder")
        .to_string_lossy()
        .to_string();

    let scratch = tempfile::tempdir().expect("temp dir");
    let report_dir = std::env::var_os("FICUS_REPORT_DIR")
        .map_or_else(|| scratch.path().to_path_buf(), PathBuf::from)
        .join(&name);
    let written = render::write_plan_report(&report_dir, &proposal, &analysis).expect("report");
    let page = std::fs::canonicalize(&written[0]).expect("page path");
    let url = format!("file://{}", page.display());

    let net_log = scratch.path().join("net-log.json");
    let dom = run_chromium(
        scratch.path(),
        "dom",
        &[
            format!("--log-net-log={}", net_log.display()),
            "--dump-dom".to_string(),
            url.clone(),
        ],
    );
    assert_no_traffic(&net_log);
    let errors = element_text(&dom.stdout, "id=\"script-errors\"");
    assert!(
        element_start(&dom.stdout, "id=\"script-errors\"").contains("data-count=\"0\""),
        "script errors recorded by the page:\n{errors}"
    );
    assert_no_uncaught(&dom.stderr);
    let svg = element_start(&dom.stdout, "id=\"graph-svg\"");
    assert!(
        svg.contains("data-rendered=\"true\""),
        "graph not rendered: {svg}"
    );
    let modules = proposal.graph.nodes.len();
    assert!(modules > 0);
    assert!(
        svg.contains(&format!("data-node-count=\"{modules}\"")),
        "expected {modules} nodes: {svg}"
    );
    assert!(
        svg.contains(&format!("data-visible-nodes=\"{modules}\"")),
        "every group should be shown at first: {svg}"
    );
    // The script enabled the controls it drives.
    assert!(!element_start(&dom.stdout, "id=\"group-filter\"").contains("disabled"));
    assert!(!element_start(&dom.stdout, "id=\"graph-tools\"").contains("hidden"));

    let screenshot = report_dir.join("screenshot.png");
    let shot = run_chromium(
        scratch.path(),
        "screenshot",
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1400,1800".to_string(),
            "--hide-scrollbars".to_string(),
            url,
        ],
    );
    assert_no_uncaught(&shot.stderr);
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG"),
        "not a PNG: {}",
        screenshot.display()
    );
}

struct BrowserRun {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium with `arguments` after the fixed flags, in a fresh profile, killed
/// after `BROWSER_TIMEOUT`. Output goes through files so a chatty browser never blocks.
fn run_chromium(scratch: &Path, name: &str, arguments: &[String]) -> BrowserRun {
    let profile = scratch.join(format!("profile-{name}"));
    std::fs::create_dir_all(&profile).expect("profile dir");
    let (stdout_path, stderr_path) = (
        scratch.join(format!("{name}.stdout")),
        scratch.join(format!("{name}.stderr")),
    );
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
            // The flags above still let Chromium resolve and connect to its own services
            // (network time, component updates, accounts); these stop every lookup before a
            // socket exists, and `assert_no_traffic` checks the browser's net log for it.
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-features=NetworkTimeServiceQuerying",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(arguments)
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
                "chromium ({name}) did not finish within {BROWSER_TIMEOUT:?}; stderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let run = BrowserRun {
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium ({name}) failed with {status}; stderr:\n{}",
        run.stderr
    );
    run
}

#[track_caller]
fn assert_no_uncaught(stderr: &str) {
    let uncaught: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("Uncaught"))
        .collect();
    assert!(
        uncaught.is_empty(),
        "script errors in the browser log:\n{}",
        uncaught.join("\n")
    );
}

/// Fails if Chromium's net log shows a host name resolved or a byte sent on any socket. (It
/// may still create a UDP socket and `connect` it, which sends nothing, to probe IPv6.)
#[track_caller]
fn assert_no_traffic(net_log: &Path) {
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
    let forbidden = [
        "HOST_RESOLVER_SYSTEM_TASK",
        "DNS_TRANSACTION",
        "TCP_CONNECT",
        "SOCKET_BYTES_SENT",
        "UDP_BYTES_SENT",
        "SSL_CONNECT",
    ];
    // Names that no longer exist would make this check pass vacuously.
    let codes: BTreeMap<u64, &str> = forbidden
        .iter()
        .map(|name| {
            let code = types
                .get(*name)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or_else(|| panic!("net log has no event type {name}"));
            (code, *name)
        })
        .collect();
    let events = log["events"].as_array().expect("net log events");
    assert!(!events.is_empty(), "empty net log");
    let seen: BTreeSet<&str> = events
        .iter()
        .filter_map(|event| event["type"].as_u64())
        .filter_map(|code| codes.get(&code).copied())
        .collect();
    assert!(
        seen.is_empty(),
        "the browser used the network: {seen:?} in {}",
        net_log.display()
    );
}

/// The text between the start tag of the element marked `marker` and the next `<`.
fn element_text<'a>(dom: &'a str, marker: &str) -> &'a str {
    let start = element_start(dom, marker);
    let at = dom.find(start).unwrap_or(0) + start.len();
    &dom[at..at + dom[at..].find('<').unwrap_or(dom.len() - at)]
}

/// The start tag of the element whose tag contains `marker`, from `<` to `>`.
fn element_start<'a>(dom: &'a str, marker: &str) -> &'a str {
    let Some(at) = dom.find(marker) else {
        panic!(
            "no element with {marker} in the DOM:\n{}",
            &dom[..dom.len().min(2000)]
        );
    };
    let start = dom[..at].rfind('<').unwrap_or(0);
    let end = at + dom[at..].find('>').unwrap_or(dom.len() - at);
    &dom[start..=end.min(dom.len() - 1)]
}

//! The plan report in a real browser: `ficus plan`'s proposal for a fixture is rendered to
//! `index.html`, opened from `file://` in headless Chromium (Debian's `chromium`), and the
//! dumped DOM must show that the script ran to its end (`data-rendered`, the node count) and
//! recorded no error; the browser's log must hold no `Uncaught`, and its net log no name
//! lookup and no byte sent. A screenshot is taken too.
//!
//! The browser runs as `ficus-browser-test` runs every browser test: a fresh profile, every
//! background service off, name resolution disabled and a bounded time; the page itself
//! forbids every request with its Content-Security-Policy. Set `FICUS_REPORT_DIR` to keep each
//! page and its screenshot.

use std::path::{Path, PathBuf};

use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::render;
use ficus_analyzer::{Granularity, NoProgress, Settings, analyze};
use ficus_browser_test::{NetLog, element_start, element_text, run_chromium};

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
    run_chromium(
        scratch.path(),
        "screenshot",
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1400,1800".to_string(),
            "--hide-scrollbars".to_string(),
            url,
        ],
    );
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG"),
        "not a PNG: {}",
        screenshot.display()
    );
}

/// Fails if Chromium's net log shows a host name resolved or a byte sent on any socket. (It
/// may still create a UDP socket and `connect` it, which sends nothing, to probe IPv6.)
#[track_caller]
fn assert_no_traffic(net_log: &Path) {
    NetLog::read(net_log).assert_none_of(&[
        "HOST_RESOLVER_SYSTEM_TASK",
        "DNS_TRANSACTION",
        "TCP_CONNECT",
        "SOCKET_BYTES_SENT",
        "UDP_BYTES_SENT",
        "SSL_CONNECT",
    ]);
}

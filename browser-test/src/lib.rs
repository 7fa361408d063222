//! Headless Chromium for the workspace's browser tests (the plan report's, the proxy's status
//! page): Debian's `chromium`, installed by `.ci/install-chromium`. One place holds the
//! policy: a missing browser fails the test with the command that installs it; a run gets a
//! fresh profile, every background service off, no name resolution (loopback excepted, for
//! pages a test server serves) and a bounded time, and fails when the browser does; the
//! browser's log must hold no uncaught script error; [`NetLog`] reads what it did on the
//! network, for the caller to judge.
//!
//! Test support only: every function panics with a message instead of returning an error,
//! as a test assertion does. It starts no server and knows nothing of the pages.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where Debian's package puts the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one browser run may take before it is killed and the test fails.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// What one browser run printed.
pub struct BrowserRun {
    /// The dumped DOM with `--dump-dom`.
    pub stdout: String,
    /// The browser's log.
    pub stderr: String,
}

/// Runs headless Chromium with `arguments` after the fixed flags, in a fresh profile under
/// `scratch` (`name` tells runs apart), killed after [`BROWSER_TIMEOUT`]. Output goes through
/// files so a chatty browser never blocks. Fails the test when the browser is missing, fails,
/// hangs, or logs an uncaught script error. Blocking: from async code, call it on
/// `spawn_blocking` so the servers the page talks to keep running.
#[track_caller]
pub fn run_chromium(scratch: &Path, name: &str, arguments: &[String]) -> BrowserRun {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `.ci/install-chromium` (it installs Debian's chromium)"
    );
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
            // socket exists, and callers check the browser's net log for it. `MAP *` covers
            // IP literals too, so loopback, where test servers listen, is excluded.
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
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
    let uncaught: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("Uncaught"))
        .collect();
    assert!(
        uncaught.is_empty(),
        "script errors in the browser log ({name}):\n{}",
        uncaught.join("\n")
    );
    run
}

/// Chromium's net log (`--log-net-log=FILE`): its events, looked up by type name.
pub struct NetLog {
    types: BTreeMap<String, u64>,
    events: Vec<Value>,
}

impl NetLog {
    /// Reads the log the browser wrote; one cut short at exit is closed first.
    #[track_caller]
    pub fn read(path: &Path) -> NetLog {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("net log {}: {error}", path.display()));
        let text = text.trim_end();
        let text = if text.ends_with('}') {
            text.to_string()
        } else {
            format!("{}]}}", text.trim_end_matches(','))
        };
        let log: Value = serde_json::from_str(&text).expect("net log is JSON");
        let types = log["constants"]["logEventTypes"]
            .as_object()
            .expect("net log event types")
            .iter()
            .filter_map(|(name, code)| Some((name.clone(), code.as_u64()?)))
            .collect();
        let events = log["events"].as_array().expect("net log events").clone();
        assert!(!events.is_empty(), "empty net log {}", path.display());
        NetLog { types, events }
    }

    /// The events of type `name`. A name the browser does not know fails the test: a check
    /// on it would pass vacuously.
    #[track_caller]
    pub fn events(&self, name: &str) -> impl Iterator<Item = &Value> {
        let code = *self
            .types
            .get(name)
            .unwrap_or_else(|| panic!("net log has no event type {name}"));
        self.events
            .iter()
            .filter(move |event| event["type"].as_u64() == Some(code))
    }

    /// Fails the test if any event of the `forbidden` types was logged.
    #[track_caller]
    pub fn assert_none_of(&self, forbidden: &[&str]) {
        let seen: Vec<&str> = forbidden
            .iter()
            .copied()
            .filter(|name| self.events(name).next().is_some())
            .collect();
        assert!(seen.is_empty(), "the browser used the network: {seen:?}");
    }
}

/// The start tag of the first element whose tag contains `marker`, from `<` to `>`.
#[track_caller]
pub fn element_start<'a>(dom: &'a str, marker: &str) -> &'a str {
    let Some(at) = dom.find(marker) else {
        let shown = dom
            .char_indices()
            .nth(4000)
            .map_or(dom, |(at, _)| &dom[..at]);
        panic!("no element with {marker} in the DOM:\n{shown}");
    };
    let start = dom[..at].rfind('<').unwrap_or(0);
    let end = at + dom[at..].find('>').unwrap_or(dom.len() - at);
    &dom[start..=end.min(dom.len() - 1)]
}

/// The text between the start tag of the element marked `marker` and the next `<`.
#[track_caller]
pub fn element_text<'a>(dom: &'a str, marker: &str) -> &'a str {
    let start = element_start(dom, marker);
    let at = dom.find(start).unwrap_or(0) + start.len();
    &dom[at..at + dom[at..].find('<').unwrap_or(dom.len() - at)]
}

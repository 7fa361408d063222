//! Headless Chromium on a page the proxy serves, through `ficus-browser-test` (the browser,
//! flags and policy of every browser test in the workspace): the DOM after the page's
//! scripts ran, with the check that the browser talked to the page's server and nothing else.

use std::net::SocketAddr;

use ficus_browser_test::{BrowserRun, NetLog, run_chromium};

/// Loads `url` (served by `server`) and returns its DOM once `--virtual-time-budget` has run
/// out. Blocking: call it from `spawn_blocking` while the server runs. Fails the test when
/// the browser is missing, fails or hangs, logs an uncaught script error, or uses the network
/// for anything but `server`.
pub fn dump_dom(url: &str, server: SocketAddr) -> BrowserRun {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let net_log = scratch.path().join("net-log.json");
    let run = run_chromium(
        scratch.path(),
        "dom",
        &[
            format!("--log-net-log={}", net_log.display()),
            "--dump-dom".to_owned(),
            url.to_owned(),
        ],
    );
    assert_only_connects_to(&NetLog::read(&net_log), server);
    run
}

/// Fails if the net log shows a name resolved by the system or DNS, a TLS handshake, a UDP
/// datagram sent, or a TCP connection to any address but `server`. (The browser may create a
/// UDP socket and `connect` it, which sends nothing, to probe the network.)
#[track_caller]
fn assert_only_connects_to(net_log: &NetLog, server: SocketAddr) {
    net_log.assert_none_of(&[
        "HOST_RESOLVER_SYSTEM_TASK",
        "DNS_TRANSACTION",
        "UDP_BYTES_SENT",
        "SSL_CONNECT",
    ]);
    let addresses: Vec<&str> = net_log
        .events("TCP_CONNECT_ATTEMPT")
        .filter_map(|event| event["params"]["address"].as_str())
        .collect();
    assert!(
        !addresses.is_empty(),
        "the net log shows no connection to {server}"
    );
    let server = server.to_string();
    assert!(
        addresses.iter().all(|address| *address == server),
        "the browser connected elsewhere than {server}: {addresses:?}"
    );
}

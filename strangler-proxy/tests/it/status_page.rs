//! The status page of the admin API (`GET /status`): served without the token but under a
//! strict policy, while the data it draws (`GET /migration`) still needs the token; and in
//! headless Chromium, a plan whose route went through a rollout and a shift by hand is drawn
//! (services with their share bar, routes, a chart of the route's history with the author of
//! each change) with no script error or blocked request; without a token the page asks for
//! one, and a wrong one is said to be wrong.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use http::Method;

use crate::rollout::{drive_until_service, plan_text, setup};
use ficus_browser_test::{BrowserRun, element_start};

use crate::support::browser;
use crate::support::{
    ADMIN_TOKEN, Proxy, Upstream, admin, client, config_with_upstreams, get, start_with_admin,
};

#[tokio::test]
async fn the_page_is_served_without_the_token_under_a_strict_policy() {
    let monolith = Upstream::named("monolith").await;
    let proxy = start_with_admin(&config_with_upstreams(&[("monolith", monolith.addr)])).await;
    let client = client();
    for (path, media_type) in [
        ("/status", "text/html; charset=utf-8"),
        ("/status.js", "text/javascript; charset=utf-8"),
        ("/status.css", "text/css; charset=utf-8"),
    ] {
        let reply = get(&client, &proxy.admin_url(path), &[]).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some(media_type), "{path}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        let policy = reply
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
    }
    let page = get(&client, &proxy.admin_url("/status"), &[]).await.text();
    assert!(page.contains(r#"<script src="status.js" defer></script>"#));

    // Only those three paths, and only for GET: everything else still needs the token.
    for (method, path) in [
        (Method::GET, "/migration"),
        (Method::GET, "/routes"),
        (Method::POST, "/status"),
        (Method::GET, "/status/"),
        (Method::GET, "/status.html"),
        (Method::POST, "/migration/shift"),
    ] {
        let reply = admin(&client, &proxy, method.clone(), path, None, "").await;
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text());
        let wrong = admin(&client, &proxy, method.clone(), path, Some("x"), "").await;
        assert_eq!(wrong.status, 401, "{method} {path} with a wrong token");
    }
    // With it: the page's paths take GET only, and a proxy file without a ledger has no
    // migration to show.
    for (method, path, status) in [
        (Method::POST, "/status", 405),
        (Method::GET, "/migration", 404),
    ] {
        let reply = admin(&client, &proxy, method.clone(), path, Some(ADMIN_TOKEN), "").await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_page_draws_a_rollout_and_a_shift_by_hand_in_chromium() {
    let (proxy, _text, _upstreams) = setup(
        r#"{ state = "canary", percent = 5 }"#,
        // Latency is not what this test is about: a busy machine must not trip the gate.
        "steps = [5, 25, 50, 100]\nbake_ms = 200\nmin_requests = 10\np99_slack_ms = 5000",
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    let (answers, done) = drive_until_service(&proxy).await;
    assert!(
        done,
        "not promoted after {answers} requests:\n{}",
        plan_text(&proxy)
    );
    // A person takes it back to half: the rollout starts again there, and holds.
    let shifted = admin(
        &client(),
        &proxy,
        Method::POST,
        "/migration/shift",
        Some(ADMIN_TOKEN),
        r#"{"route": "GET /api/products", "percent": 50}"#,
    )
    .await;
    assert_eq!(shifted.status, 200, "{}", shifted.text());

    let run = open_status_page(&proxy, &format!("#token={ADMIN_TOKEN}")).await;
    let dom = &run.stdout;
    assert_drawn_without_script_error(dom);
    // One service, two routes, none moved whole; one at 50 %: a quarter of the traffic.
    let service = element_start(dom, r#"data-service="catalog""#);
    assert!(service.starts_with("<tr"), "{service}");
    assert!(
        element_start(dom, r#"class="bar""#).contains(r#"data-share="0.2500""#),
        "{}",
        element_start(dom, r#"class="bar""#)
    );
    assert!(
        dom.contains(">25%<"),
        "the share is written next to the bar"
    );
    // Both routes, with their state and the rollout's step.
    element_start(dom, r#"data-route="GET /api/products""#);
    element_start(dom, r#"data-route="GET /api/categories""#);
    assert!(dom.contains(">canary 50%<"));
    assert!(dom.contains("running · step 3 of 4 (50%)"), "rollout cell");
    // One chart, for the route with a history: the plan's state, four steps of the rollout
    // (with gate figures) and the shift by hand, each marked with its author.
    assert!(element_start(dom, r#"id="charts""#).contains(r#"data-charts="1""#));
    let chart = element_start(dom, r#"class="history-chart""#);
    assert!(chart.starts_with("<svg"), "{chart}");
    assert!(
        chart.contains(r#"data-route="GET /api/products""#),
        "{chart}"
    );
    assert!(chart.contains(r#"data-entries="6""#), "{chart}");
    assert!(
        !chart.contains(r#"data-gate-points="0""#),
        "the rollout's evidence is drawn: {chart}"
    );
    for author in ["plan", "rollout", "admin"] {
        element_start(dom, &format!(r#"data-by="{author}""#));
    }
    assert!(dom.contains("step 2 of 4: every gate passed"), "a reason");
    assert!(dom.contains("shifted to 50% by hand"), "a reason");
    // The token went from the fragment into this tab's storage, not into the page.
    assert!(!dom.contains(ADMIN_TOKEN));
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_page_asks_for_the_token_and_says_when_it_is_refused() {
    let (proxy, _text, _upstreams) = setup(
        r#""shadow""#,
        "steps = [20, 100]\nbake_ms = 60000",
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    // No token: the form, and no error.
    let run = open_status_page(&proxy, "").await;
    let dom = &run.stdout;
    assert_no_script_error(dom);
    assert_state(dom, "token");
    assert!(!element_start(dom, r#"id="token-form""#).contains("hidden"));
    assert!(element_start(dom, r#"id="error""#).contains("hidden"));
    assert!(element_start(dom, r#"id="status""#).contains("hidden"));

    // A wrong one: the form again, and the reason.
    let run = open_status_page(&proxy, "#token=not-the-token-of-this-proxy-at-all-0000").await;
    let dom = &run.stdout;
    assert_no_script_error(dom);
    assert_state(dom, "unauthorized");
    let error = element_start(dom, r#"id="error""#);
    assert!(!error.contains("hidden"), "{error}");
    assert!(dom.contains("refused the token (401 Unauthorized)"));
    assert!(!element_start(dom, r#"id="token-form""#).contains("hidden"));
    assert!(element_start(dom, r#"id="status""#).contains("hidden"));
    proxy.shutdown().await;
}

/// Opens `/status<fragment>` on the proxy's admin API in headless Chromium.
async fn open_status_page(proxy: &Proxy, fragment: &str) -> BrowserRun {
    let admin: SocketAddr = proxy.admin_addr.expect("the plan has an admin API");
    let url = format!("http://{admin}/status{fragment}");
    // The browser blocks; the proxy goes on serving on this test's runtime meanwhile.
    tokio::task::spawn_blocking(move || browser::dump_dom(&url, admin))
        .await
        .expect("the browser run")
}

#[track_caller]
fn assert_drawn_without_script_error(dom: &str) {
    assert_no_script_error(dom);
    assert_state(dom, "ready");
    let main = element_start(dom, r#"id="status""#);
    assert!(
        !main.contains(r#"data-renders="0""#) && !main.contains("hidden"),
        "{main}"
    );
}

/// The page's `error`, `unhandledrejection` and `securitypolicyviolation` handlers write each
/// script error, and each thing its policy blocked, into `#script-errors`.
#[track_caller]
fn assert_no_script_error(dom: &str) {
    let errors = element_start(dom, r#"id="script-errors""#);
    assert!(
        errors.contains(r#"data-count="0""#),
        "script errors recorded by the page: {}",
        &dom[dom.find(r#"id="script-errors""#).unwrap_or(0)..]
    );
}

/// The page says what it is doing in `<body data-state>`.
#[track_caller]
fn assert_state(dom: &str, state: &str) {
    let body = element_start(dom, "<body");
    assert!(
        body.contains(&format!(r#"data-state="{state}""#)),
        "not {state}: {body}\n{}",
        element_start(dom, r#"id="error""#)
    );
}

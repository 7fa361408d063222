//! Rollouts and the migration ledger end to end: a plan file whose route is in state
//! `canary`, a real monolith and a real new service on loopback, traffic through the proxy.
//! A healthy service is promoted step by step to `service`; one that starts failing is rolled
//! back to the monolith; people shift, pause and roll back through the admin API. The plan
//! file and the ledger say what happened, comments kept.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;

use crate::support::poll::eventually;
use crate::support::{ADMIN_TOKEN, ADMIN_TOKEN_FILE, Proxy, Upstream, admin, client, get};

/// The plan: `GET /api/products` in `state` (TOML value), `GET /api/categories` in
/// `monolith`, a ledger and the rollout `rollout` (TOML lines of `[proxy.plan_routes.rollout]`).
fn plan(monolith: SocketAddr, catalog: SocketAddr, state: &str, rollout: &str) -> String {
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
# products move first
"GET /api/products" = {state}   # watched
"GET /api/categories" = "monolith"

[proxy]
default_upstream = "monolith"

[proxy.plan_routes]
ledger = "ledger.jsonl"

[proxy.plan_routes.rollout]
{rollout}

[proxy.admin]
listen = "127.0.0.1:0"
token_file = "admin-token"
"#
    )
}

async fn start(text: &str) -> Proxy {
    let folder = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        folder.path().join(ADMIN_TOKEN_FILE),
        format!("{ADMIN_TOKEN}\n"),
    )
    .expect("token file");
    let path = folder.path().join("ficus.toml");
    std::fs::write(&path, text).expect("plan");
    let running = ficus_proxy::launch::start(ficus_proxy::launch::Options {
        config_path: path.clone(),
        listen: Some("127.0.0.1:0".parse().expect("address")),
        workers: 1,
    })
    .await
    .unwrap_or_else(|error| panic!("the proxy does not start: {error}"));
    Proxy {
        addr: running.listen_addr,
        admin_addr: running.admin_addr,
        running: Some(running),
        config_path: path,
        folder,
    }
}

fn ledger(proxy: &Proxy) -> Vec<serde_json::Value> {
    std::fs::read_to_string(proxy.file("ledger.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a ledger line is JSON"))
        .collect()
}

/// `GET /migration` with the token.
async fn migration_status(
    client: &hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Full<Bytes>,
    >,
    proxy: &Proxy,
) -> serde_json::Value {
    admin(
        client,
        proxy,
        http::Method::GET,
        "/migration",
        Some(ADMIN_TOKEN),
        "",
    )
    .await
    .json()
}

pub(crate) fn plan_text(proxy: &Proxy) -> String {
    std::fs::read_to_string(&proxy.config_path).expect("plan file")
}

/// Sends `GET /api/products` (each must be answered `200`) until the plan says the route is
/// `service`, 8000 requests at most; returns how many were sent and whether it got there.
pub(crate) async fn drive_until_service(proxy: &Proxy) -> (usize, bool) {
    let client = client();
    let mut answers = 0;
    for _ in 0..400 {
        for _ in 0..20 {
            let reply = get(&client, &proxy.url("/api/products"), &[]).await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            answers += 1;
        }
        if plan_text(proxy).contains(r#""GET /api/products" = "service"   # watched"#) {
            return (answers, true);
        }
    }
    (answers, false)
}

/// The catalog service: answers `200 catalog`, or `500` once `failing` is set.
async fn catalog(failing: Arc<AtomicBool>) -> Upstream {
    Upstream::start("catalog", move |_request| {
        let failing = failing.load(Ordering::SeqCst);
        Box::pin(async move {
            let mut response = Response::new(Full::new(Bytes::from_static(b"catalog")));
            if failing {
                *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            }
            response
        })
    })
    .await
}

/// The monolith, the catalog service (failing once `failing` is set) and the proxy on the
/// plan with `state` and `rollout` (see [`plan`]); the upstreams live as long as they do.
pub(crate) async fn setup(
    state: &str,
    rollout: &str,
    failing: Arc<AtomicBool>,
) -> (Proxy, String, [Upstream; 2]) {
    let monolith = Upstream::named("monolith").await;
    let catalog = catalog(failing).await;
    let text = plan(monolith.addr, catalog.addr, state, rollout);
    (start(&text).await, text, [monolith, catalog])
}

#[tokio::test]
async fn a_healthy_service_is_promoted_to_service_step_by_step() {
    let (proxy, text, _upstreams) = setup(
        r#"{ state = "canary", percent = 5 }"#,
        // Latency is not what this test is about: a busy machine must not trip the gate.
        "steps = [5, 25, 50, 100]\nbake_ms = 200\nmin_requests = 10\np99_slack_ms = 5000",
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    let client = client();
    let (answers, done) = drive_until_service(&proxy).await;
    if !done {
        let status = admin(
            &client,
            &proxy,
            http::Method::GET,
            "/migration",
            Some(ADMIN_TOKEN),
            "",
        )
        .await;
        panic!(
            "not promoted after {answers} requests: {}\n{}",
            plan_text(&proxy),
            status.text()
        );
    }
    // The plan says it, comments kept; every other line is as written.
    let now = plan_text(&proxy);
    assert_eq!(
        now,
        text.replace(
            r#"{ state = "canary", percent = 5 }   # watched"#,
            r#""service"   # watched"#
        )
    );
    // The ledger says how: first sight, then each step with its evidence.
    let entries = ledger(&proxy);
    let steps: Vec<(String, String)> = entries
        .iter()
        .map(|entry| {
            let to = &entry["to"];
            let state = match to["percent"].as_u64() {
                Some(percent) => format!("{} {percent}", to["state"].as_str().unwrap()),
                None => to["state"].as_str().unwrap().to_owned(),
            };
            (entry["by"].as_str().unwrap().to_owned(), state)
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("plan", "canary 5"),
            ("rollout", "canary 25"),
            ("rollout", "canary 50"),
            ("rollout", "canary 100"),
            ("rollout", "service"),
        ]
        .map(|(by, state)| (by.to_owned(), state.to_owned()))
    );
    for entry in &entries[1..] {
        assert!(entry["evidence"]["service_requests"].as_u64().unwrap() >= 10);
        assert_eq!(entry["evidence"]["service_error_rate"], 0.0);
    }
    // The monolith answered the route while it was canary: the proxy knows when it last did.
    let status = migration_status(&client, &proxy).await;
    let last = status["routes"][0]["monolith_last_ms"].as_u64().unwrap();
    assert!(last > 0 && last <= now_ms(), "{status}");
    // Now everything goes to the service.
    for _ in 0..5 {
        assert_eq!(
            get(&client, &proxy.url("/api/products"), &[]).await.text(),
            "catalog"
        );
    }
    assert!(answers >= 40);
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_service_that_starts_failing_is_rolled_back_within_one_bake_interval() {
    let failing = Arc::new(AtomicBool::new(false));
    let (proxy, _text, [_monolith, catalog]) = setup(
        r#"{ state = "canary", percent = 50 }"#,
        "steps = [50, 100]\nbake_ms = 60000\nmin_requests = 10\np99_slack_ms = 5000",
        Arc::clone(&failing),
    )
    .await;
    let client = client();
    // A good spell: both sides answer.
    for _ in 0..40 {
        let reply = get(&client, &proxy.url("/api/products"), &[]).await;
        assert_eq!(reply.status, 200);
    }
    failing.store(true, Ordering::SeqCst);
    let hits_before = catalog.hits();
    let flipped_ms = now_ms();
    let mut failed = 0;
    eventually(async || {
        let reply = get(&client, &proxy.url("/api/products"), &[]).await;
        if reply.status == 500 {
            failed += 1;
        }
        plan_text(&proxy).contains(r#""GET /api/products" = "monolith"   # watched"#)
    })
    .await;
    let entries = ledger(&proxy);
    let rollback = entries.last().expect("a rollback entry");
    assert_eq!(rollback["by"], "rollout");
    assert_eq!(rollback["to"]["state"], "monolith");
    assert!(
        rollback["reason"]
            .as_str()
            .unwrap()
            .starts_with("errors: the service failed"),
        "{rollback}"
    );
    // Within one bake interval (60 s) of the first failure: the sliding window sees it at once.
    assert!(rollback["at_ms"].as_u64().unwrap() - flipped_ms < 60_000);
    // Each failed answer is one request the service got: none was replayed.
    assert_eq!(catalog.hits() - hits_before, failed);
    // From now on the monolith answers, and nothing fails.
    for _ in 0..20 {
        let reply = get(&client, &proxy.url("/api/products"), &[]).await;
        assert_eq!(
            (reply.status.as_u16(), reply.text()),
            (200, "monolith".to_owned())
        );
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn people_shift_pause_and_roll_back_through_the_admin_api() {
    let (proxy, _text, _upstreams) = setup(
        r#""shadow""#,
        "steps = [20, 50, 100]\nbake_ms = 60000\nmin_requests = 1000",
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    let client = client();
    let post = async |action: &str, body: &str, token: Option<&str>| {
        admin(
            &client,
            &proxy,
            http::Method::POST,
            &format!("/migration/{action}"),
            token,
            body,
        )
        .await
    };
    let shifted = post(
        "shift",
        r#"{"route": "GET /api/products", "percent": 20}"#,
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(shifted.status, 200, "{}", shifted.text());
    let now = plan_text(&proxy);
    assert!(
        now.contains(r#""GET /api/products" = { state = "canary", percent = 20 }   # watched"#),
        "{now}"
    );
    // While it runs, each judgement's figures are kept for the status page's chart.
    eventually(async || {
        get(&client, &proxy.url("/api/products"), &[]).await;
        let status = migration_status(&client, &proxy).await;
        let samples = &status["routes"][0]["rollout"]["samples"];
        samples.as_array().is_some_and(|samples| {
            samples.last().is_some_and(|sample| {
                sample["at_ms"].is_u64() && sample["service_requests"].is_u64()
            })
        })
    })
    .await;
    let paused = post(
        "pause",
        r#"{"route": "GET /api/products"}"#,
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(paused.json()["rollout"], "paused", "{}", paused.text());

    // Refused: no token, a route the plan does not have, a percent past 100, a route with
    // no rollout to pause, an unknown action. Nothing changes.
    for (action, body, token, status) in [
        ("rollback", r#"{"route": "GET /api/products"}"#, None, 401),
        (
            "shift",
            r#"{"route": "GET /nowhere", "percent": 5}"#,
            Some(ADMIN_TOKEN),
            404,
        ),
        (
            "shift",
            r#"{"route": "GET /api/products", "percent": 150}"#,
            Some(ADMIN_TOKEN),
            400,
        ),
        (
            "pause",
            r#"{"route": "GET /api/categories"}"#,
            Some(ADMIN_TOKEN),
            409,
        ),
        (
            "jump",
            r#"{"route": "GET /api/products"}"#,
            Some(ADMIN_TOKEN),
            404,
        ),
        (
            "rollback",
            "route=GET /api/products",
            Some(ADMIN_TOKEN),
            400,
        ),
    ] {
        let reply = post(action, body, token).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{action} {body}: {}",
            reply.text()
        );
    }
    assert!(plan_text(&proxy).contains(r#"percent = 20 }   # watched"#));

    let status = migration_status(&client, &proxy).await;
    let products = &status["routes"][0];
    assert_eq!(products["route"], "GET /api/products");
    assert_eq!(products["state"], "canary 20%");
    assert_eq!(products["rollout"]["status"], "paused");
    assert_eq!(status["services"][0]["service"], "catalog");
    assert_eq!(status["services"][0]["routes"], 2);

    // Promoted by hand: the next step now, bake and gates or not.
    let promoted = post(
        "promote",
        r#"{"route": "GET /api/products"}"#,
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(
        promoted.json()["state"],
        "canary 50%",
        "{}",
        promoted.text()
    );
    assert!(
        plan_text(&proxy)
            .contains(r#""GET /api/products" = { state = "canary", percent = 50 }   # watched"#)
    );

    let rolled_back = post(
        "rollback",
        r#"{"route": "GET /api/products"}"#,
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(rolled_back.status, 200, "{}", rolled_back.text());
    assert!(plan_text(&proxy).contains(r#""GET /api/products" = "monolith"   # watched"#));
    let entries = ledger(&proxy);
    let by: Vec<&str> = entries
        .iter()
        .map(|entry| entry["by"].as_str().unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(by, ["plan", "admin", "admin", "admin"]);
    assert_eq!(entries[2]["reason"], "promoted by hand");
    assert_eq!(entries[3]["reason"], "rolled back by hand");
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_ledger_with_a_corrupt_line_in_the_middle_stops_the_start() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("ficus.toml");
    std::fs::write(
        &path,
        plan(
            "127.0.0.1:9".parse().unwrap(),
            "127.0.0.1:9".parse().unwrap(),
            r#""monolith""#,
            "steps = [10, 100]\nbake_ms = 1000",
        ),
    )
    .unwrap();
    std::fs::write(folder.path().join(ADMIN_TOKEN_FILE), ADMIN_TOKEN).unwrap();
    let entry = |seq: u64, from: &str, to: &str| {
        format!(
            r#"{{"seq":{seq},"at_ms":1,"route":"GET /api/products","from":{{"state":"{from}"}},"to":{{"state":"{to}"}},"by":"plan","reason":"x"}}"#
        )
    };
    std::fs::write(
        folder.path().join("ledger.jsonl"),
        format!(
            "{}\n{{\"seq\":2,\"garbled\n{}\n",
            entry(1, "monolith", "service"),
            entry(3, "service", "monolith")
        ),
    )
    .unwrap();
    let started = ficus_proxy::launch::start(ficus_proxy::launch::Options {
        config_path: path,
        listen: Some("127.0.0.1:0".parse().unwrap()),
        workers: 1,
    })
    .await;
    let Err(error) = started else {
        panic!("started on a corrupt ledger")
    };
    assert!(
        error
            .to_string()
            .contains("ledger.jsonl:2: not a ledger entry"),
        "{error}"
    );
}

/// A rollout without a ledger, or with steps that go down, is refused with its field.
#[test]
fn rollout_settings_are_checked_at_load() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let text = plan(
        addr,
        addr,
        r#""monolith""#,
        "steps = [50, 25]\nbake_ms = 1000",
    );
    let error =
        ficus_proxy::config::load(&text, std::path::Path::new("ficus.toml")).expect_err("refused");
    assert!(
        error.to_string().contains(
            "proxy.plan_routes.rollout.steps: step 2 (25%) does not increase on the step before (50%)"
        ),
        "{error}"
    );
    let without_ledger = plan(addr, addr, r#""monolith""#, "steps = [50]\nbake_ms = 1000")
        .replace("ledger = \"ledger.jsonl\"\n", "");
    let error = ficus_proxy::config::load(&without_ledger, std::path::Path::new("ficus.toml"))
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("proxy.plan_routes.rollout: needs plan_routes.ledger"),
        "{error}"
    );
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// An upstream answering `body` to everything.
async fn answering(name: &str, body: &'static str) -> Upstream {
    Upstream::start(name, move |_request| {
        Box::pin(async move { Response::new(Full::new(Bytes::from_static(body.as_bytes()))) })
    })
    .await
}

#[tokio::test]
async fn a_shadow_that_matches_enters_the_rollout_and_one_that_does_not_stays() {
    let rollout = "steps = [10, 100]\nbake_ms = 60000\nmin_requests = 5\nmin_match_rate = 0.9\np99_slack_ms = 5000";
    for (service_body, enters) in [
        (r#"{"id":1,"name":"mug"}"#, true),
        (r#"{"id":1,"name":"cup"}"#, false),
    ] {
        let monolith = answering("monolith", r#"{"name":"mug","id":1}"#).await;
        let catalog = answering("catalog", service_body).await;
        let text = plan(monolith.addr, catalog.addr, r#""shadow""#, rollout)
            .replace("bake_ms = 60000", "bake_ms = 100");
        let proxy = start(&text).await;
        let client = client();
        let mut rounds = 0;
        eventually(async || {
            rounds += 1;
            let reply = get(&client, &proxy.url("/api/products"), &[]).await;
            assert_eq!(reply.status, 200);
            let status = migration_status(&client, &proxy).await;
            let route = &status["routes"][0];
            if enters {
                route["state"] == "canary 10%"
            } else {
                rounds > 40
                    && route["rollout"]["last"].as_str().is_some_and(|last| {
                        last.starts_with("match: 0.0% of shadow answers matched")
                    })
            }
        })
        .await;
        let entries = ledger(&proxy);
        let last = entries.last().unwrap();
        if enters {
            assert_eq!(last["by"], "rollout");
            assert_eq!(last["from"]["state"], "shadow");
            assert!(
                last["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("shadow: 100.0% of "),
                "{last}"
            );
            assert_eq!(last["evidence"]["mismatch_rate"], 0.0);
        } else {
            assert_eq!(entries.len(), 1, "only the first sight: {entries:?}");
            assert!(plan_text(&proxy).contains(r#""GET /api/products" = "shadow"   # watched"#));
        }
        proxy.shutdown().await;
    }
}

#[tokio::test]
async fn an_invalid_rollout_at_reload_is_refused_with_its_field_and_line_and_the_old_one_runs() {
    let (proxy, text, _upstreams) = setup(
        r#"{ state = "canary", percent = 50 }"#,
        "steps = [50, 100]\nbake_ms = 60000\nmin_requests = 1000",
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    let client = client();
    for (bad, field) in [
        ("steps = [50, 40]", "proxy.plan_routes.rollout.steps"),
        ("steps = [50, 150]", "proxy.plan_routes.rollout.steps"),
        (
            "max_error_rate_increase = 2.0",
            "proxy.plan_routes.rollout.max_error_rate_increase",
        ),
        (
            "max_p99_ratio = 0.5",
            "proxy.plan_routes.rollout.max_p99_ratio",
        ),
        (
            "min_match_rate = 1.5",
            "proxy.plan_routes.rollout.min_match_rate",
        ),
    ] {
        let key = bad.split(" =").next().unwrap();
        let edited: String = text
            .lines()
            .filter(|line| !line.starts_with(&format!("{key} =")))
            .map(|line| {
                if line == "[proxy.plan_routes.rollout]" {
                    format!("{line}\n{bad}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        let line = edited
            .lines()
            .position(|line| line == bad)
            .map(|idx| idx + 1)
            .unwrap();
        std::fs::write(&proxy.config_path, &edited).unwrap();
        let reply = admin(
            &client,
            &proxy,
            http::Method::POST,
            "/reload",
            Some(ADMIN_TOKEN),
            "",
        )
        .await;
        assert_eq!(reply.status, 422, "{bad}: {}", reply.text());
        let error = reply.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains(&format!("ficus.toml: line {line}: {field}: ")),
            "{bad}: {error}"
        );
        // The running configuration is the old one: half the requests still reach the service.
        let answers: Vec<String> = {
            let mut answers = Vec::new();
            for _ in 0..40 {
                answers.push(get(&client, &proxy.url("/api/products"), &[]).await.text());
            }
            answers
        };
        assert!(answers.iter().any(|answer| answer == "catalog"), "{bad}");
        assert!(answers.iter().any(|answer| answer == "monolith"), "{bad}");
    }
    std::fs::write(&proxy.config_path, &text).unwrap();
    proxy.shutdown().await;
}

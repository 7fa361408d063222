//! Hot reload and shutdown as clients see them: a route switched between upstreams under load
//! loses no request, an invalid file is rejected (and counted) while the old table keeps
//! serving, requests in flight end where they started, and shutdown waits for them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use tokio::sync::Semaphore;

use crate::support::admin::{admin_request, admin_section, metric};
use crate::support::poll::eventually;
use crate::support::{Proxy, Upstream, client, get, within};

const REJECTED: &str = "ficus_proxy_config_reloads_total{result=\"rejected\"}";
const APPLIED: &str = "ficus_proxy_config_reloads_total{result=\"ok\"}";

/// A config with the given upstreams (the first is the default) and route `api` on `/api/**`
/// to `api_upstream`.
fn table(upstreams: &[(&str, SocketAddr)], api_upstream: &str) -> String {
    let mut text = format!("default_upstream = \"{}\"\n", upstreams[0].0);
    for (name, addr) in upstreams {
        text.push_str(&format!(
            "\n[[upstream]]\nname = \"{name}\"\naddresses = [\"{addr}\"]\n"
        ));
    }
    text.push_str(&format!(
        "\n[[route]]\nname = \"api\"\npath = \"/api/**\"\ntargets = [{{ upstream = \"{api_upstream}\" }}]\n"
    ));
    text
}

/// Replaces the proxy's config file in one step (write beside it, then rename), as editors
/// and deploy tools do.
fn rewrite(proxy: &Proxy, text: &str) {
    let next = proxy.folder.path().join("proxy.toml.next");
    std::fs::write(&next, text).expect("write config");
    std::fs::rename(&next, &proxy.config_path).expect("replace config");
}

/// Waits until `GET path` is answered with `body`.
async fn wait_for_body(proxy: &Proxy, path: &str, body: &str) {
    let client = client();
    eventually(async || get(&client, &proxy.url(path), &[]).await.text() == body).await;
}

/// An upstream answering `<name>`, except that `/api/slow` waits for a permit of `gate`.
async fn gated(name: &str, gate: Arc<Semaphore>) -> Upstream {
    let body = name.to_owned();
    Upstream::start(name, move |request| {
        let gate = Arc::clone(&gate);
        let mut body = body.clone();
        Box::pin(async move {
            if request.uri().path() == "/api/slow" {
                // The semaphore is never closed.
                let _permit = gate.acquire().await.expect("gate open");
                body.push_str(" slow");
            }
            Response::new(Full::new(Bytes::from(body)))
        })
    })
    .await
}

#[tokio::test]
async fn route_switched_under_load_loses_no_request() {
    let monolith = Upstream::named("monolith").await;
    let a = Upstream::named("a").await;
    let b = Upstream::named("b").await;
    let upstreams = [("monolith", monolith.addr), ("a", a.addr), ("b", b.addr)];
    let proxy = Proxy::start(&table(&upstreams, "a")).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let url = proxy.url("/api/items");
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let client = client();
                let mut replies = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let reply = get(&client, &url, &[]).await;
                    replies.push((reply.status, reply.text()));
                }
                replies
            })
        })
        .collect();

    for target in ["b", "a", "b", "a", "b"] {
        rewrite(&proxy, &table(&upstreams, target));
        wait_for_body(&proxy, "/api/items", target).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut n_replies = 0;
    for task in load {
        for (status, body) in within(task).await.expect("load task") {
            assert_eq!(status, 200, "{body}");
            assert!(body == "a" || body == "b", "{body}");
            n_replies += 1;
        }
    }
    assert!(n_replies > 0);

    let client = client();
    for _ in 0..20 {
        assert_eq!(
            get(&client, &proxy.url("/api/items"), &[]).await.text(),
            "b"
        );
    }
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn invalid_reloads_are_rejected_and_the_old_table_keeps_serving() {
    let monolith = Upstream::named("monolith").await;
    let a = Upstream::named("a").await;
    let b = Upstream::named("b").await;
    let upstreams = [("monolith", monolith.addr), ("a", a.addr), ("b", b.addr)];
    let admin = admin_section();
    let proxy = Proxy::start(&(table(&upstreams, "a") + &admin.text)).await;
    let client = client();
    let rejected = metric(&proxy, REJECTED).await;
    let applied = metric(&proxy, APPLIED).await;

    // Not TOML.
    rewrite(&proxy, "default_upstream = \"monolith\"\n[[route]\nname = ");
    eventually(async || metric(&proxy, REJECTED).await >= rejected + 1.0).await;
    assert_eq!(get(&client, &proxy.url("/api/x"), &[]).await.text(), "a");

    // TOML, but the route names an upstream that does not exist.
    rewrite(&proxy, &(table(&upstreams, "nope") + &admin.text));
    eventually(async || metric(&proxy, REJECTED).await >= rejected + 2.0).await;
    assert_eq!(get(&client, &proxy.url("/api/x"), &[]).await.text(), "a");

    // Asked for explicitly, the same file is refused with the reason.
    let reply = admin_request(&proxy, "POST", "/reload", "").await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let error = reply.json()["error"].as_str().expect("error").to_owned();
    assert!(error.contains("route[0].targets[0].upstream"), "{error}");
    assert!(error.contains("unknown upstream \"nope\""), "{error}");
    assert_eq!(get(&client, &proxy.url("/api/x"), &[]).await.text(), "a");
    assert_eq!(metric(&proxy, APPLIED).await, applied);

    // A valid file is picked up again.
    rewrite(&proxy, &(table(&upstreams, "b") + &admin.text));
    wait_for_body(&proxy, "/api/x", "b").await;
    assert!(metric(&proxy, APPLIED).await >= applied + 1.0);
    assert!(metric(&proxy, REJECTED).await >= rejected + 3.0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn request_in_flight_during_a_reload_ends_on_its_old_upstream() {
    let monolith = Upstream::named("monolith").await;
    let gate = Arc::new(Semaphore::new(0));
    let a = gated("a", Arc::clone(&gate)).await;
    let b = Upstream::named("b").await;
    let proxy = Proxy::start(&table(
        &[("monolith", monolith.addr), ("a", a.addr), ("b", b.addr)],
        "a",
    ))
    .await;

    let slow = tokio::spawn({
        let url = proxy.url("/api/slow");
        async move { get(&client(), &url, &[]).await }
    });
    eventually(async || a.hits() == 1).await;

    // The new table routes to b and no longer knows a at all.
    rewrite(
        &proxy,
        &table(&[("monolith", monolith.addr), ("b", b.addr)], "b"),
    );
    wait_for_body(&proxy, "/api/fast", "b").await;

    gate.add_permits(1);
    let reply = within(slow).await.expect("slow request task");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "a slow");
    proxy.shutdown().await;
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let monolith = Upstream::named("monolith").await;
    let gate = Arc::new(Semaphore::new(0));
    let a = gated("a", Arc::clone(&gate)).await;
    let proxy = Proxy::start(&table(&[("monolith", monolith.addr), ("a", a.addr)], "a")).await;
    let proxy_addr = proxy.addr;

    let slow = tokio::spawn({
        let url = proxy.url("/api/slow");
        async move { get(&client(), &url, &[]).await }
    });
    eventually(async || a.hits() == 1).await;

    let shutdown = tokio::spawn(proxy.shutdown());
    // Shutting down: no new connections...
    eventually(async || tokio::net::TcpStream::connect(proxy_addr).await.is_err()).await;
    // ...but the request in flight is still being waited for.
    assert!(!shutdown.is_finished());

    gate.add_permits(1);
    let reply = within(slow).await.expect("slow request task");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "a slow");
    within(shutdown).await.expect("shutdown task");
}

//! Upstream failures as clients see them: timeouts and refused connections become JSON error
//! responses naming the route; a GET that met a dead keep-alive connection is retried while a
//! POST whose body left is never replayed; a route falls back to the monolith when its
//! service is down; passive and active health take an address out and bring it back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};

use crate::support::admin::{admin_request, admin_section};
use crate::support::poll::eventually;
use crate::support::raw::{Action, RawClient, RawRequest, RawUpstream, ok_response};
use crate::support::{Proxy, Reply, Upstream, client, dead_address, get, send};

/// `default_upstream = "monolith"`, the upstreams `(name, address, extra fields)` and one route
/// `svc` on `/svc/**` to upstream `svc` with extra route fields.
fn config(upstreams: &[(&str, String, &str)], route_extra: &str) -> String {
    let mut text = "default_upstream = \"monolith\"\n".to_owned();
    for (name, address, extra) in upstreams {
        text.push_str(&format!(
            "\n[[upstream]]\nname = \"{name}\"\naddresses = [\"{address}\"]\n{extra}\n"
        ));
    }
    text.push_str(&format!(
        "\n[[route]]\nname = \"svc\"\npath = \"/svc/**\"\ntargets = [{{ upstream = \"svc\" }}]\n{route_extra}\n"
    ));
    text
}

/// Asserts that the proxy answered itself: `status`, `x-ficus-error: code`, and a JSON body
/// naming the error, the route and the upstream.
fn check_error(reply: &Reply, status: u16, code: &str, route: &str, upstream: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.headers["x-ficus-error"], code);
    assert_eq!(reply.headers["content-type"], "application/json");
    let json = reply.json();
    assert_eq!(json["error"], code);
    assert_eq!(json["status"], status);
    assert_eq!(json["route"], route);
    assert_eq!(json["upstream"], upstream);
}

/// An upstream answering `<name>`, or, while `slow` is set, never within the tests' timeouts.
async fn switchable(name: &str, slow: Arc<AtomicBool>) -> Upstream {
    let body = name.to_owned();
    Upstream::start(name, move |_request| {
        let slow = slow.load(Ordering::SeqCst);
        let body = body.clone();
        Box::pin(async move {
            if slow {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            Response::new(Full::new(Bytes::from(body)))
        })
    })
    .await
}

/// A service that never answers in time, with `upstream_extra` on its upstream and
/// `route_extra` on its route: the request gets a 504 naming the route, and is neither
/// replayed (the upstream may be working on it) nor sent to the monolith.
async fn check_timeout(upstream_extra: &str, route_extra: &str) {
    let monolith = Upstream::named("monolith").await;
    let slow = switchable("svc", Arc::new(AtomicBool::new(true))).await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", slow.addr.to_string(), upstream_extra),
        ],
        route_extra,
    ))
    .await;

    let reply = get(&client(), &proxy.url("/svc/report"), &[]).await;
    check_error(&reply, 504, "upstream_timeout", "svc", "svc");
    assert_eq!(slow.hits(), 1);
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn request_timeout_is_a_504_naming_the_route() {
    check_timeout("request_timeout_ms = 200", "").await;
}

#[tokio::test]
async fn a_route_timeout_overrides_the_upstream_timeout() {
    // The upstream allows 30 s; the route allows 200 ms and wins.
    check_timeout("request_timeout_ms = 30000", "request_timeout_ms = 200").await;
}

#[tokio::test]
async fn refused_connection_without_anywhere_to_fall_back_is_a_502() {
    let dead = dead_address().await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", dead.to_string(), ""),
            ("svc", dead.to_string(), ""),
        ],
        "",
    ))
    .await;

    let reply = get(&client(), &proxy.url("/orders/1"), &[]).await;
    check_error(&reply, 502, "upstream_unreachable", "default", "monolith");
    proxy.shutdown().await;
}

#[tokio::test]
async fn route_without_fallback_answers_502_and_leaves_the_monolith_alone() {
    let monolith = Upstream::named("monolith").await;
    let dead = dead_address().await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", dead.to_string(), ""),
        ],
        "fallback = false",
    ))
    .await;

    let reply = get(&client(), &proxy.url("/svc/1"), &[]).await;
    check_error(&reply, 502, "upstream_unreachable", "svc", "svc");
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

/// A raw upstream that answers the first request of each connection and, on a later request
/// on the same connection, reads it and closes without answering: the keep-alive race.
async fn closes_on_second_request() -> RawUpstream {
    RawUpstream::start(|request| {
        if request.index_on_connection == 0 {
            Action::Respond(ok_response(&format!("svc {}", request.target)))
        } else {
            Action::Close
        }
    })
    .await
}

/// The requests `upstream` received that `keep` keeps, in order.
fn requests_where(upstream: &RawUpstream, keep: impl Fn(&RawRequest) -> bool) -> Vec<RawRequest> {
    upstream
        .requests()
        .into_iter()
        .filter(|request| keep(request))
        .collect()
}

/// A monolith, a service that [closes on the second request](closes_on_second_request), and
/// the proxy routing `/svc/**` to the service.
async fn start_with_closing_service() -> (Upstream, RawUpstream, Proxy) {
    let monolith = Upstream::named("monolith").await;
    let svc = closes_on_second_request().await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", svc.addr.to_string(), ""),
        ],
        "",
    ))
    .await;
    (monolith, svc, proxy)
}

#[tokio::test]
async fn get_on_a_dead_pooled_connection_is_retried_on_a_new_one() {
    let (monolith, svc, proxy) = start_with_closing_service().await;
    let client = client();

    let first = get(&client, &proxy.url("/svc/first"), &[]).await;
    assert_eq!(first.text(), "svc /svc/first");
    let second = get(&client, &proxy.url("/svc/second"), &[]).await;
    assert_eq!(second.status, 200, "{}", second.text());
    assert_eq!(second.text(), "svc /svc/second");

    let seen: Vec<(String, usize)> = svc
        .requests()
        .into_iter()
        .map(|request| (request.target, request.connection))
        .collect();
    assert_eq!(
        seen,
        [
            ("/svc/first".to_owned(), 0),
            // On the pooled connection, which closed unanswered...
            ("/svc/second".to_owned(), 0),
            // ...then again on a new one.
            ("/svc/second".to_owned(), 1),
        ]
    );
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

/// The attempt after a dropped connection carries the very fields the first attempt carried
/// (the same request id and trace context, the same forwarding facts), each once: the retry is
/// the same request, not a new one.
#[tokio::test]
async fn a_retried_request_carries_the_same_fields_as_its_first_attempt() {
    let (_monolith, svc, proxy) = start_with_closing_service().await;
    let client = client();
    get(&client, &proxy.url("/svc/first"), &[]).await;
    let second = get(
        &client,
        &proxy.url("/svc/second"),
        &[("x-client", "kept"), ("accept", "text/plain")],
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text());

    let attempts = requests_where(&svc, |request| request.target == "/svc/second");
    assert_eq!(attempts.len(), 2, "the first attempt and its retry");
    let sorted = |request: &RawRequest| {
        let mut headers = request.headers.clone();
        headers.sort();
        headers
    };
    assert_eq!(sorted(&attempts[0]), sorted(&attempts[1]));
    for name in [
        "host",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "forwarded",
        "via",
        "x-request-id",
        "traceparent",
        "x-client",
    ] {
        assert_eq!(
            attempts[1].header_values(name).len(),
            1,
            "{name} once in {:?}",
            attempts[1].headers
        );
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn post_whose_body_was_sent_is_never_replayed() {
    let (monolith, svc, proxy) = start_with_closing_service().await;
    let client = client();

    let first = get(&client, &proxy.url("/svc/first"), &[]).await;
    assert_eq!(first.status, 200);
    let request = Request::post(proxy.url("/svc/orders"))
        .body(Full::new(Bytes::from_static(b"{\"item\":42}")))
        .expect("request");
    let reply = send(&client, request).await;
    check_error(&reply, 502, "upstream_unreachable", "svc", "svc");

    let posts = requests_where(&svc, |request| request.method == "POST");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].body, b"{\"item\":42}");
    // Not to the monolith either: it may have been applied already.
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

/// An upstream answering `<name>: <the body it received>`.
async fn body_echo(name: &str) -> Upstream {
    let name = name.to_owned();
    Upstream::start(&name.clone(), move |request| {
        let name = name.clone();
        Box::pin(async move {
            let body = request
                .into_body()
                .collect()
                .await
                .map(|body| body.to_bytes())
                .unwrap_or_default();
            let text = format!("{name}: {}", String::from_utf8_lossy(&body));
            Response::new(Full::new(Bytes::from(text)))
        })
    })
    .await
}

#[tokio::test]
async fn get_falls_back_to_the_monolith_when_the_service_is_down() {
    let monolith = body_echo("monolith").await;
    let dead = dead_address().await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", dead.to_string(), ""),
        ],
        "",
    ))
    .await;

    let reply = get(&client(), &proxy.url("/svc/1"), &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "monolith: ");
    proxy.shutdown().await;
}

#[tokio::test]
async fn get_falls_back_when_the_service_closes_every_connection_at_once() {
    // The service accepts and hangs up: whether hyper notices before or after writing the
    // request, the GET must end at the monolith (a fresh connection, then the fallback), and
    // the proxy must not loop on new connections.
    let monolith = body_echo("monolith").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hang_up = listener.local_addr().expect("address");
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let acceptor = tokio::spawn({
        let accepted = Arc::clone(&accepted);
        async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        }
    });
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", hang_up.to_string(), "max_fails = 0"),
        ],
        "",
    ))
    .await;

    let reply = get(&client(), &proxy.url("/svc/1"), &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "monolith: ");
    let connections = accepted.load(Ordering::SeqCst);
    assert!((1..=4).contains(&connections), "{connections} connections");
    acceptor.abort();
    proxy.shutdown().await;
}

#[tokio::test]
async fn streamed_post_falls_back_to_the_monolith_with_its_whole_body() {
    let monolith = body_echo("monolith").await;
    let dead = dead_address().await;
    let proxy = Proxy::start(&config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", dead.to_string(), ""),
        ],
        "",
    ))
    .await;

    let mut connection = RawClient::connect(proxy.addr).await;
    assert!(
        connection
            .send(
                b"POST /svc/orders HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n\
                  6\r\nfirst \r\n"
            )
            .await
    );
    // The rest of the body comes later, while the proxy is already at work.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        connection
            .send(b"6\r\nsecond\r\n7\r\n, third\r\n0\r\n\r\n")
            .await
    );
    let reply = connection.response().await.expect("a response");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.text(), "monolith: first second, third");
    proxy.shutdown().await;
}

/// The proxy with an admin API, in front of `monolith` and the service `svc` (with
/// `svc_extra` fields); keep the returned section alive as long as the proxy.
async fn start_with_admin(
    monolith: &Upstream,
    svc: &Upstream,
    svc_extra: &str,
) -> (Proxy, crate::support::admin::AdminSection) {
    let admin = admin_section();
    let mut text = config(
        &[
            ("monolith", monolith.addr.to_string(), ""),
            ("svc", svc.addr.to_string(), svc_extra),
        ],
        "",
    );
    text.push_str(&admin.text);
    (Proxy::start(&text).await, admin)
}

/// The health the admin API reports for the single address of `upstream`.
async fn address_health(proxy: &Proxy, upstream: &str) -> serde_json::Value {
    let reply = admin_request(proxy, "GET", "/upstreams", "").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    let found = json["upstreams"]
        .as_array()
        .expect("upstreams")
        .iter()
        .find(|entry| entry["name"] == upstream)
        .unwrap_or_else(|| panic!("no upstream {upstream} in {json}"))
        .clone();
    found["addresses"][0].clone()
}

#[tokio::test]
async fn failing_address_is_ejected_after_max_fails_and_comes_back_after_fail_timeout() {
    let monolith = Upstream::named("monolith").await;
    let slow = Arc::new(AtomicBool::new(true));
    let svc = switchable("svc", Arc::clone(&slow)).await;
    let (proxy, _admin) = start_with_admin(
        &monolith,
        &svc,
        "request_timeout_ms = 200\nmax_fails = 2\nfail_timeout_ms = 3000",
    )
    .await;
    let client = client();

    for _ in 0..2 {
        let reply = get(&client, &proxy.url("/svc/1"), &[]).await;
        assert_eq!(reply.status, 504);
    }
    assert_eq!(svc.hits(), 2);
    let health = address_health(&proxy, "svc").await;
    assert_eq!(health["healthy"], false, "{health}");
    assert!(health["ejected_for_ms"].as_u64().is_some(), "{health}");
    let metrics = admin_request(&proxy, "GET", "/metrics", "").await.text();
    let ejection_line = format!(
        "ficus_proxy_ejections_total{{upstream=\"svc\",address=\"{}\"}} 1",
        svc.addr
    );
    assert!(metrics.contains(&ejection_line), "{metrics}");

    // Ejected: straight to the monolith, the service is not even tried.
    slow.store(false, Ordering::SeqCst);
    let reply = get(&client, &proxy.url("/svc/1"), &[]).await;
    assert_eq!(reply.text(), "monolith");
    assert_eq!(svc.hits(), 2);

    // Back after fail_timeout_ms.
    eventually(async || get(&client, &proxy.url("/svc/1"), &[]).await.text() == "svc").await;
    assert_eq!(address_health(&proxy, "svc").await["healthy"], true);
    proxy.shutdown().await;
}

#[tokio::test]
async fn active_health_check_marks_an_address_down_and_up_again() {
    let monolith = Upstream::named("monolith").await;
    let healthy = Arc::new(AtomicBool::new(true));
    let svc = Upstream::start("svc", {
        let healthy = Arc::clone(&healthy);
        move |request| {
            let status = if request.uri().path() == "/healthz" && !healthy.load(Ordering::SeqCst) {
                503
            } else {
                200
            };
            Box::pin(async move {
                let mut response = Response::new(Full::new(Bytes::from_static(b"svc")));
                *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
                response
            })
        }
    })
    .await;
    let (proxy, _admin) = start_with_admin(
        &monolith,
        &svc,
        "health_check = { path = \"/healthz\", interval_ms = 100 }",
    )
    .await;
    let client = client();
    assert_eq!(get(&client, &proxy.url("/svc/1"), &[]).await.text(), "svc");

    healthy.store(false, Ordering::SeqCst);
    eventually(async || address_health(&proxy, "svc").await["health_check_down"] == true).await;
    assert_eq!(address_health(&proxy, "svc").await["healthy"], false);
    assert_eq!(
        get(&client, &proxy.url("/svc/1"), &[]).await.text(),
        "monolith"
    );

    healthy.store(true, Ordering::SeqCst);
    eventually(async || address_health(&proxy, "svc").await["health_check_down"] == false).await;
    assert_eq!(get(&client, &proxy.url("/svc/1"), &[]).await.text(), "svc");
    proxy.shutdown().await;
}

/// An upstream answering `done` at once, or after sleeping for `/slow/<ms>`.
async fn sleepy(name: &str) -> Upstream {
    Upstream::start(name, |request| {
        let sleep_ms = request
            .uri()
            .path()
            .rsplit_once("/slow/")
            .and_then(|(_, ms)| ms.parse::<u64>().ok());
        Box::pin(async move {
            if let Some(ms) = sleep_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            Response::new(Full::new(Bytes::from("done")))
        })
    })
    .await
}

/// Requests on one kept-alive upstream connection, by two routes with their own timeouts: each
/// request times out by its own deadline, not by one an earlier request on the connection set
/// (the connection's timer stays armed between requests).
#[tokio::test]
async fn each_request_on_a_reused_connection_keeps_its_own_timeout() {
    let upstream = sleepy("svc").await;
    let proxy = Proxy::start(&format!(
        "default_upstream = \"svc\"\n\n\
         [[upstream]]\nname = \"svc\"\naddresses = [\"{}\"]\n\n\
         [[route]]\nname = \"patient\"\npath = \"/patient/**\"\n\
         targets = [{{ upstream = \"svc\" }}]\nrequest_timeout_ms = 15000\n\n\
         [[route]]\nname = \"hasty\"\npath = \"/hasty/**\"\n\
         targets = [{{ upstream = \"svc\" }}]\nrequest_timeout_ms = 300\n",
        upstream.addr
    ))
    .await;
    let client = client();

    // A patient request leaves the connection's timer 15 s away; a hasty one after it still
    // times out at 300 ms (the upstream would answer after 8 s, inside the test's wait).
    let reply = get(&client, &proxy.url("/patient/fast"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = get(&client, &proxy.url("/hasty/slow/8000"), &[]).await;
    check_error(&reply, 504, "upstream_timeout", "hasty", "svc");

    // A hasty request leaves the timer 300 ms away; a patient one after it, answered after
    // 900 ms, is not cut off when that old deadline passes.
    let reply = get(&client, &proxy.url("/hasty/fast"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = get(&client, &proxy.url("/patient/slow/900"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.text(), "done");
    proxy.shutdown().await;
}

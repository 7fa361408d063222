//! Shadow traffic end to end: a real monolith and a real new service on loopback behind the
//! proxy. The primary answer is the monolith's, byte for byte and without waiting, whether the
//! shadow is slow, failing or over capacity; copies carry `x-ficus-shadow: 1`, writes are
//! copied only where the route allows it; mismatches are found exactly where the two answers
//! differ and not where the rules say to ignore; a second monolith instance discounts a field
//! that varies between monolith answers. Counters are read from `GET /shadow/{route}` and
//! `GET /metrics`, whose values arrive on the shadow's schedule: the tests poll for them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::support::poll::eventually;
use crate::support::{
    ADMIN_TOKEN, Proxy, Reply, Upstream, admin, client, config_with_upstreams, dead_address, get,
    send, start_with_admin,
};

/// A request as the new service received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    shadow_header: Option<String>,
    body: Bytes,
}

/// A recording upstream: every request it gets is kept, then answered by `answer(path)`.
struct Recorder {
    upstream: Upstream,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    async fn start(
        name: &str,
        answer: impl Fn(&str) -> (StatusCode, Value) + Send + Sync + 'static,
    ) -> Recorder {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let upstream = Upstream::start(name, {
            let seen = Arc::clone(&seen);
            move |request: Request<hyper::body::Incoming>| {
                let seen = Arc::clone(&seen);
                let answer = Arc::clone(&answer);
                Box::pin(async move {
                    let (parts, body) = request.into_parts();
                    let body = body.collect().await.map(|body| body.to_bytes());
                    let path = parts.uri.path().to_owned();
                    seen.lock().expect("lock").push(Seen {
                        method: parts.method.to_string(),
                        path: path.clone(),
                        shadow_header: parts
                            .headers
                            .get("x-ficus-shadow")
                            .map(|value| value.to_str().expect("ASCII").to_owned()),
                        body: body.unwrap_or_default(),
                    });
                    json_reply(answer(&path))
                })
            }
        })
        .await;
        Recorder { upstream, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    fn addr(&self) -> SocketAddr {
        self.upstream.addr
    }
}

fn json_reply((status, value): (StatusCode, Value)) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `config` with route `name` on `/name/**` to the monolith, shadowed by `shadow_lines`.
fn shadowed_route(name: &str, shadow_lines: &str) -> String {
    format!(
        "\n[[route]]\nname = \"{name}\"\npath = \"/{name}/**\"\ntargets = [{{ upstream = \"monolith\" }}]\n\n[route.shadow]\n{shadow_lines}\n"
    )
}

/// The proxy with the admin API, upstreams `monolith` (the default) and `shadow`, and route
/// `products` to the monolith shadowed by `shadow_lines`.
async fn start_products(
    monolith: SocketAddr,
    shadow: (&str, SocketAddr),
    shadow_lines: &str,
) -> Proxy {
    let mut config = config_with_upstreams(&[("monolith", monolith), shadow]);
    config.push_str(&shadowed_route("products", shadow_lines));
    start_with_admin(&config).await
}

/// The monolith's own answer to `GET /products/1`, without the proxy.
async fn direct_answer(monolith: SocketAddr) -> Reply {
    get(&client(), &format!("http://{monolith}/products/1"), &[]).await
}

/// Writes `config` (with the admin section) as the proxy's file and reloads it now.
async fn reload_with(proxy: &Proxy, config: &str) -> Reply {
    let text = format!("{config}{}", crate::support::ADMIN_SECTION);
    std::fs::write(&proxy.config_path, text).expect("write config");
    admin(
        &client(),
        proxy,
        Method::POST,
        "/reload",
        Some(ADMIN_TOKEN),
        "",
    )
    .await
}

/// `proxied` is the monolith's `direct` answer as any route would pass it on: the same status,
/// body and header fields, plus only what the proxy adds to every response.
fn assert_same_answer(direct: &Reply, proxied: &Reply) {
    assert_eq!(proxied.status, direct.status);
    assert_eq!(proxied.body, direct.body);
    for (name, value) in &direct.headers {
        if name != "date" {
            assert_eq!(proxied.headers.get(name), Some(value), "{name}");
        }
    }
    for name in proxied.headers.keys() {
        assert!(
            direct.headers.contains_key(name) || ["via", "x-request-id"].contains(&name.as_str()),
            "{name} added"
        );
    }
}

/// `GET /shadow/{route}` on the admin API.
async fn shadow_status(proxy: &Proxy, route: &str) -> Value {
    let reply = admin(
        &client(),
        proxy,
        Method::GET,
        &format!("/shadow/{route}"),
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// Waits until the route has compared `n` copies, and returns its status.
async fn after_compared(proxy: &Proxy, route: &str, n: u64) -> Value {
    eventually(async || shadow_status(proxy, route).await["compared"] == json!(n)).await;
    shadow_status(proxy, route).await
}

/// Waits until `count(status)` is `n` (a counter of the route's `GET /shadow/{route}`).
async fn until_status(proxy: &Proxy, route: &str, count: impl Fn(&Value) -> &Value, n: u64) {
    eventually(async || *count(&shadow_status(proxy, route).await) == json!(n)).await;
}

/// A new service that answers as the monolith does, 2 s late.
async fn slow_upstream() -> Upstream {
    Upstream::start("slow", |request| {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            json_reply(catalog_answer(request.uri().path()))
        })
    })
    .await
}

/// The monolith of most tests: a JSON answer per path that never changes.
fn catalog_answer(path: &str) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({"path": path, "id": 1, "price": 10, "tags": ["a", "b"], "items": [{"sku": "x", "created_at": "monday"}]}),
    )
}

#[tokio::test]
async fn the_primary_answer_is_unchanged_and_on_time_while_the_shadow_is_slow() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let slow = slow_upstream().await;
    let proxy = start_products(
        monolith.addr(),
        ("slow", slow.addr),
        "upstream = \"slow\"\ntimeout_ms = 10000",
    )
    .await;
    let client = client();

    let direct = direct_answer(monolith.addr()).await;
    let started = Instant::now();
    let proxied = get(&client, &proxy.url("/products/1"), &[]).await;
    let elapsed = started.elapsed();
    // Generous: fails only if the primary waited for the 2 s shadow.
    assert!(elapsed < Duration::from_secs(1), "primary took {elapsed:?}");
    assert_same_answer(&direct, &proxied);
    // The copy went out at the same time and is compared once the shadow answers.
    eventually(async || slow.hits() == 1).await;
    let status = after_compared(&proxy, "products", 1).await;
    assert_eq!(status["mirrored"], 1);
    assert_eq!(status["matched"], 1, "{status:#}");
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_primary_answer_is_unchanged_while_the_shadow_fails() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let dead = dead_address().await;
    let proxy = start_products(monolith.addr(), ("dead", dead), "upstream = \"dead\"").await;
    let client = client();

    let direct = direct_answer(monolith.addr()).await;
    for _ in 0..3 {
        let proxied = get(&client, &proxy.url("/products/1"), &[]).await;
        assert_same_answer(&direct, &proxied);
    }
    until_status(&proxy, "products", |status| &status["dropped"]["error"], 3).await;
    let status = shadow_status(&proxy, "products").await;
    assert_eq!(status["compared"], 0);
    assert_eq!(status["mismatch_rate"], Value::Null);
    // The monolith got each request once: a failed copy is never retried on the primary.
    assert_eq!(monolith.seen().len(), 1 + 3);
    proxy.shutdown().await;
}

#[tokio::test]
async fn mismatches_are_found_exactly_where_the_answers_differ_and_not_where_the_rules_ignore() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("catalog", |path| {
        let (status, mut value) = catalog_answer(path);
        match path {
            // Only ignored fields differ: the id and the items' timestamps.
            "/products/1" => {
                value["id"] = json!(99);
                value["items"][0]["created_at"] = json!("tuesday");
                (status, value)
            }
            "/products/2" => {
                value["price"] = json!(12);
                (status, value)
            }
            // Tags in another order, which the route ignores.
            "/products/3" => {
                value["tags"] = json!(["b", "a"]);
                (status, value)
            }
            "/products/4" => (StatusCode::INTERNAL_SERVER_ERROR, value),
            _ => (status, value),
        }
    })
    .await;
    let proxy = start_products(monolith.addr(), ("catalog", service.addr()), "upstream = \"catalog\"\ncompare = { ignore_fields = [\"id\", \"items[*].created_at\"], ignore_array_order = [\"tags\"] }").await;
    let client = client();

    for product in 1..=4 {
        let reply = get(
            &client,
            &proxy.url(&format!("/products/{product}?currency=eur")),
            &[("authorization", "Bearer secret-of-the-user")],
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["path"], format!("/products/{product}"));
    }
    let status = after_compared(&proxy, "products", 4).await;
    assert_eq!(status["matched"], 2, "{status:#}");
    assert_eq!(status["mismatched"], 2, "{status:#}");
    assert_eq!(status["mismatch_rate"], 0.5);
    let mut samples = status["samples"].as_array().expect("samples").clone();
    samples.sort_by_key(|sample| sample["request"]["target"].as_str().map(str::to_owned));
    let described: Vec<(String, Value)> = samples
        .iter()
        .map(|sample| {
            (
                sample["request"]["target"]
                    .as_str()
                    .expect("target")
                    .to_owned(),
                sample["differences"].clone(),
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            (
                "/products/2?currency=eur".to_owned(),
                json!([{"at": "body price", "primary": 10, "shadow": 12}])
            ),
            (
                "/products/4?currency=eur".to_owned(),
                json!([{"at": "status", "primary": 200, "shadow": 500}])
            ),
        ]
    );
    let sample = &samples[0];
    assert_eq!(sample["request"]["method"], "GET");
    assert_eq!(sample["request"]["headers"]["authorization"], "[redacted]");
    assert_eq!(sample["request"]["headers"]["x-ficus-shadow"], "1");
    assert_eq!(sample["primary"]["status"], 200);
    assert_eq!(
        sample["primary"]["headers"]["content-type"],
        "application/json"
    );
    let shadow_body: Value =
        serde_json::from_str(sample["shadow"]["body"].as_str().expect("body text"))
            .expect("the shadow body as JSON");
    assert_eq!(shadow_body["price"], 12);
    // Every copy carried the shadow header; the monolith's requests did not.
    let copies = service.seen();
    assert_eq!(copies.len(), 4);
    assert!(
        copies
            .iter()
            .all(|seen| seen.shadow_header.as_deref() == Some("1"))
    );
    assert!(
        monolith
            .seen()
            .iter()
            .all(|seen| seen.shadow_header.is_none())
    );

    let metrics = admin(
        &client,
        &proxy,
        Method::GET,
        "/metrics",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    let text = metrics.text();
    for line in [
        "ficus_proxy_shadow_mirrored_total{route=\"products\"} 4",
        "ficus_proxy_shadow_compared_total{route=\"products\",result=\"match\"} 2",
        "ficus_proxy_shadow_compared_total{route=\"products\",result=\"mismatch\"} 2",
        "ficus_proxy_shadow_dropped_total{route=\"products\",reason=\"capacity\"} 0",
    ] {
        assert!(text.lines().any(|found| found == line), "{line} in\n{text}");
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn noise_cancellation_discounts_a_field_that_varies_between_two_monolith_answers() {
    // Each monolith instance stamps its answers: the field differs between the two.
    let stamped = |instance: &'static str| {
        let counter = Arc::new(AtomicUsize::new(0));
        move |path: &str| {
            let stamp = counter.fetch_add(1, Ordering::SeqCst);
            (
                StatusCode::OK,
                json!({"path": path, "generated": format!("{instance}-{stamp}"), "total": 10}),
            )
        }
    };
    let monolith = Recorder::start("monolith", stamped("a")).await;
    let monolith_b = Recorder::start("monolith-b", stamped("b")).await;
    let service = Recorder::start("orders", |path| {
        let total = if path == "/orders/changed" { 11 } else { 10 };
        (
            StatusCode::OK,
            json!({"path": path, "generated": "service", "total": total}),
        )
    })
    .await;
    let mut config = config_with_upstreams(&[
        ("monolith", monolith.addr()),
        ("monolith-b", monolith_b.addr()),
        ("orders", service.addr()),
    ]);
    config.push_str(&shadowed_route(
        "orders",
        "upstream = \"orders\"\nnoise_upstream = \"monolith-b\"",
    ));
    config.push_str(&shadowed_route("orders_alone", "upstream = \"orders\""));
    config.push_str(&shadowed_route(
        "orders_writes",
        "upstream = \"orders\"\nnoise_upstream = \"monolith-b\"\nmirror_writes = true",
    ));
    let proxy = start_with_admin(&config).await;
    let client = client();

    for path in ["/orders/same", "/orders/changed", "/orders_alone/same"] {
        assert_eq!(get(&client, &proxy.url(path), &[]).await.status, 200);
    }
    let status = after_compared(&proxy, "orders", 2).await;
    assert_eq!(status["matched"], 1, "{status:#}");
    assert_eq!(status["mismatched"], 1, "{status:#}");
    let sample = &status["samples"][0];
    assert_eq!(sample["request"]["target"], "/orders/changed");
    assert_eq!(
        sample["differences"],
        json!([{"at": "body total", "primary": 10, "shadow": 11}])
    );
    assert_eq!(sample["discounted_as_noise"], json!(["body generated"]));
    assert_eq!(status["noisy_fields"], json!({"body generated": 2}));
    // The noise instance got the copies too, with the shadow header.
    assert_eq!(monolith_b.seen().len(), 2);
    assert!(
        monolith_b
            .seen()
            .iter()
            .all(|seen| seen.shadow_header.as_deref() == Some("1"))
    );
    // A write is copied to the sandbox but never sent to the second monolith.
    let write = Request::post(proxy.url("/orders_writes/1"))
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("request");
    assert_eq!(send(&client, write).await.status, 200);
    after_compared(&proxy, "orders_writes", 1).await;
    assert_eq!(monolith_b.seen().len(), 2);
    // Without a noise upstream the same stamp is a mismatch.
    let alone = after_compared(&proxy, "orders_alone", 1).await;
    assert_eq!(alone["mismatched"], 1, "{alone:#}");
    assert_eq!(
        alone["samples"][0]["differences"][0]["at"],
        "body generated"
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn writes_are_copied_only_where_the_route_allows_it() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("sandbox", catalog_answer).await;
    let mut config =
        config_with_upstreams(&[("monolith", monolith.addr()), ("sandbox", service.addr())]);
    config.push_str(&shadowed_route("reads", "upstream = \"sandbox\""));
    config.push_str(&shadowed_route(
        "writes",
        "upstream = \"sandbox\"\nmirror_writes = true",
    ));
    let proxy = start_with_admin(&config).await;
    let client = client();
    let post = |path: &str, body: &'static str| {
        Request::post(proxy.url(path))
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .expect("request")
    };

    assert_eq!(send(&client, post("/reads/1", "first")).await.status, 200);
    assert_eq!(get(&client, &proxy.url("/reads/2"), &[]).await.status, 200);
    assert_eq!(send(&client, post("/writes/3", "second")).await.status, 200);
    eventually(async || service.seen().len() == 2).await;
    let mut copies: Vec<(String, String, Bytes)> = service
        .seen()
        .into_iter()
        .map(|seen| (seen.method, seen.path, seen.body))
        .collect();
    copies.sort();
    assert_eq!(
        copies,
        [
            ("GET".to_owned(), "/reads/2".to_owned(), Bytes::new()),
            (
                "POST".to_owned(),
                "/writes/3".to_owned(),
                Bytes::from_static(b"second")
            ),
        ]
    );
    // The monolith got every request with its body.
    let bodies: Vec<Bytes> = monolith.seen().into_iter().map(|seen| seen.body).collect();
    assert_eq!(
        bodies,
        [
            Bytes::from_static(b"first"),
            Bytes::new(),
            Bytes::from_static(b"second")
        ]
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_body_over_the_cap_is_not_copied_and_is_counted() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("sandbox", catalog_answer).await;
    let mut config =
        config_with_upstreams(&[("monolith", monolith.addr()), ("sandbox", service.addr())]);
    config.push_str(&shadowed_route(
        "writes",
        "upstream = \"sandbox\"\nmirror_writes = true\nmax_body_bytes = 16",
    ));
    let proxy = start_with_admin(&config).await;
    let client = client();
    let large = "x".repeat(100);
    let reply = send(
        &client,
        Request::post(proxy.url("/writes/large"))
            .body(Full::new(Bytes::from(large.clone())))
            .expect("request"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let small = send(
        &client,
        Request::post(proxy.url("/writes/small"))
            .body(Full::new(Bytes::from_static(b"tiny")))
            .expect("request"),
    )
    .await;
    assert_eq!(small.status, 200);
    // The small body's copy arrives; the large one's never went out.
    eventually(async || !service.seen().is_empty()).await;
    until_status(&proxy, "writes", |status| &status["compared"], 1).await;
    let copies = service.seen();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].path, "/writes/small");
    let status = shadow_status(&proxy, "writes").await;
    assert_eq!(status["dropped"]["body_too_large"], 1);
    assert_eq!(status["mirrored"], 1);
    assert_eq!(monolith.seen()[0].body, Bytes::from(large));
    proxy.shutdown().await;
}

#[tokio::test]
async fn copies_over_the_concurrency_cap_are_dropped_and_counted() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    // The shadow holds every copy until the gate opens.
    let gate = Arc::new(Semaphore::new(0));
    let service = Upstream::start("held", {
        let gate = Arc::clone(&gate);
        move |request| {
            let gate = Arc::clone(&gate);
            Box::pin(async move {
                // The semaphore is never closed.
                let _permit = gate.acquire().await.expect("gate open");
                json_reply(catalog_answer(request.uri().path()))
            })
        }
    })
    .await;
    let proxy = start_products(
        monolith.addr(),
        ("held", service.addr),
        "upstream = \"held\"\nmax_concurrent = 1\ntimeout_ms = 15000",
    )
    .await;
    let client = client();

    let direct = direct_answer(monolith.addr()).await;
    for _ in 0..4 {
        let proxied = get(&client, &proxy.url("/products/1"), &[]).await;
        assert_same_answer(&direct, &proxied);
    }
    let status = shadow_status(&proxy, "products").await;
    assert_eq!(status["mirrored"], 1);
    assert_eq!(status["dropped"]["capacity"], 3);
    gate.add_permits(1);
    let status = after_compared(&proxy, "products", 1).await;
    assert_eq!(status["matched"], 1);
    assert_eq!(service.hits(), 1);
    proxy.shutdown().await;
}

#[tokio::test]
async fn an_invalid_shadow_is_refused_at_reload_and_the_running_one_kept() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("catalog", catalog_answer).await;
    let base = config_with_upstreams(&[("monolith", monolith.addr()), ("catalog", service.addr())]);
    let config = format!(
        "{base}{}",
        shadowed_route("products", "upstream = \"catalog\"")
    );
    let proxy = start_with_admin(&config).await;
    let client = client();

    for (shadow_lines, field, line) in [
        ("percent = 50", "route[0].shadow.upstream", 16),
        (
            "upstream = \"catalog\"\ncompare = { ignore_fields = [\"\"] }",
            "route[0].shadow.compare.ignore_fields[0]",
            18,
        ),
        ("upstream = \"payments\"", "route[0].shadow.upstream", 17),
    ] {
        let reply = reload_with(
            &proxy,
            &format!("{base}{}", shadowed_route("products", shadow_lines)),
        )
        .await;
        assert_eq!(reply.status, 422, "{}", reply.text());
        let error = reply.json()["error"].as_str().expect("error").to_owned();
        assert!(
            error.contains(&format!("line {line}: {field}: ")),
            "{error}"
        );
    }
    // The running shadow still copies and compares.
    assert_eq!(
        get(&client, &proxy.url("/products/1"), &[]).await.status,
        200
    );
    let status = after_compared(&proxy, "products", 1).await;
    assert_eq!(status["matched"], 1);
    assert_eq!(status["upstream"], "catalog");
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_shadow_endpoint_lists_shadowed_routes_and_refuses_others() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("catalog", catalog_answer).await;
    let mut config =
        config_with_upstreams(&[("monolith", monolith.addr()), ("catalog", service.addr())]);
    config.push_str(&shadowed_route(
        "products",
        "upstream = \"catalog\"\npercent = 0",
    ));
    config.push_str("\n[[route]]\nname = \"plain\"\npath = \"/plain/**\"\ntargets = [{ upstream = \"monolith\" }]\n");
    let proxy = start_with_admin(&config).await;
    let client = client();
    // percent = 0: nothing is copied.
    for _ in 0..5 {
        assert_eq!(
            get(&client, &proxy.url("/products/1"), &[]).await.status,
            200
        );
    }
    let reply: Reply = admin(
        &client,
        &proxy,
        Method::GET,
        "/shadow",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(reply.status, 200);
    let listed = reply.json();
    let routes = listed["routes"].as_array().expect("routes");
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0]["route"], "products");
    assert_eq!(routes[0]["mirrored"], 0);
    assert!(routes[0].get("samples").is_none());
    let missing = admin(
        &client,
        &proxy,
        Method::GET,
        "/shadow/plain",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(service.seen().len(), 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_primary_streamed_in_chunks_is_compared_whole() {
    let chunked = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n7\r\n{\"a\":1,\r\n4\r\n\"b\":\r\n6\r\n[1,2]}\r\n0\r\n\r\n";
    let monolith = crate::support::raw::RawUpstream::start(move |_request| {
        crate::support::raw::Action::Respond(chunked.as_bytes().to_vec())
    })
    .await;
    let service = Recorder::start("catalog", |path| {
        let value = if path == "/products/same" {
            json!({"b": [1, 2], "a": 1})
        } else {
            json!({"a": 1, "b": [2, 1]})
        };
        (StatusCode::OK, value)
    })
    .await;
    let proxy = start_products(
        monolith.addr,
        ("catalog", service.addr()),
        "upstream = \"catalog\"",
    )
    .await;
    let client = client();
    for path in ["/products/same", "/products/other"] {
        let reply = get(&client, &proxy.url(path), &[]).await;
        assert_eq!(reply.text(), "{\"a\":1,\"b\":[1,2]}");
    }
    let status = after_compared(&proxy, "products", 2).await;
    assert_eq!(status["matched"], 1, "{status:#}");
    let differences = &status["samples"][0]["differences"];
    assert_eq!(
        *differences,
        json!([
            {"at": "body b[0]", "primary": 1, "shadow": 2},
            {"at": "body b[1]", "primary": 2, "shadow": 1},
        ])
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn answers_over_the_response_cap_are_passed_on_whole_and_not_compared() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("catalog", catalog_answer).await;
    let proxy = start_products(
        monolith.addr(),
        ("catalog", service.addr()),
        "upstream = \"catalog\"\nmax_response_bytes = 16",
    )
    .await;
    let direct = direct_answer(monolith.addr()).await;
    assert!(direct.body.len() > 16);
    let proxied = get(&client(), &proxy.url("/products/1"), &[]).await;
    assert_eq!(proxied.body, direct.body);
    until_status(
        &proxy,
        "products",
        |status| &status["dropped"]["response_too_large"],
        1,
    )
    .await;
    assert_eq!(shadow_status(&proxy, "products").await["compared"], 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_shadow_over_its_timeout_and_a_failed_primary_are_counted_not_compared() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let slow = slow_upstream().await;
    let service = Recorder::start("catalog", catalog_answer).await;
    let dead = dead_address().await;
    let mut config = config_with_upstreams(&[
        ("monolith", monolith.addr()),
        ("slow", slow.addr),
        ("catalog", service.addr()),
        ("dead", dead),
    ]);
    config.push_str(&shadowed_route(
        "products",
        "upstream = \"slow\"\ntimeout_ms = 100",
    ));
    config.push_str(
        "\n[[route]]\nname = \"broken\"\npath = \"/broken/**\"\ntargets = [{ upstream = \"dead\" }]\nfallback = false\n\n[route.shadow]\nupstream = \"catalog\"\n",
    );
    let proxy = start_with_admin(&config).await;
    let client = client();

    assert_eq!(
        get(&client, &proxy.url("/products/1"), &[]).await.status,
        200
    );
    until_status(
        &proxy,
        "products",
        |status| &status["dropped"]["timeout"],
        1,
    )
    .await;
    // The primary fails: the proxy answers 502 itself, and the copy has nothing to compare with.
    let reply = get(&client, &proxy.url("/broken/1"), &[]).await;
    assert_eq!(reply.status, 502);
    until_status(
        &proxy,
        "broken",
        |status| &status["dropped"]["primary_incomplete"],
        1,
    )
    .await;
    assert_eq!(service.seen().len(), 1);
    for route in ["products", "broken"] {
        assert_eq!(shadow_status(&proxy, route).await["compared"], 0);
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn samples_outlive_a_reload_that_keeps_the_shadow_settings() {
    let monolith = Recorder::start("monolith", catalog_answer).await;
    let service = Recorder::start("catalog", |path| {
        let (status, mut value) = catalog_answer(path);
        value["price"] = json!(12);
        (status, value)
    })
    .await;
    let base = config_with_upstreams(&[("monolith", monolith.addr()), ("catalog", service.addr())]);
    let products = shadowed_route("products", "upstream = \"catalog\"");
    let proxy = start_with_admin(&format!("{base}{products}")).await;
    let client = client();
    let reload = async |text: String| {
        let reply = reload_with(&proxy, &text).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    };

    assert_eq!(
        get(&client, &proxy.url("/products/1"), &[]).await.status,
        200
    );
    after_compared(&proxy, "products", 1).await;
    // Another route added: this shadow is unchanged and keeps its sample.
    let other = "\n[[route]]\nname = \"other\"\npath = \"/other\"\ntargets = [{ upstream = \"monolith\" }]\n";
    reload(format!("{base}{products}{other}")).await;
    let status = shadow_status(&proxy, "products").await;
    assert_eq!(
        status["samples"].as_array().map(Vec::len),
        Some(1),
        "{status:#}"
    );
    // Other shadow settings: samples start again, the counters go on.
    let changed = shadowed_route("products", "upstream = \"catalog\"\nsamples = 5");
    reload(format!("{base}{changed}")).await;
    let status = shadow_status(&proxy, "products").await;
    assert_eq!(status["samples"], json!([]));
    assert_eq!(status["mismatched"], 1);
    proxy.shutdown().await;
}

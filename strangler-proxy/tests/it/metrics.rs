//! Metrics as scraped from the admin API's `GET /metrics` after a known sequence of requests:
//! the response counters by route, target and status class, the duration histogram's counts,
//! upstream errors and fallbacks match exactly what was sent.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;

use crate::support::{
    ADMIN_TOKEN, Proxy, Upstream, admin, client, config_with_upstreams, dead_address, get,
    start_with_admin,
};

/// The upstreams of the metrics fixture; kept alive while the proxy runs.
struct Upstreams {
    _monolith: Upstream,
    _orders: Upstream,
    _missing: Upstream,
}

/// Starts the proxy with the admin API and four routes: `orders` (answers 200), `missing`
/// (its upstream answers 404), `dead` (nothing listens, no fallback) and `dead_fallback`
/// (nothing listens, falls back to the monolith).
async fn start() -> (Proxy, Upstreams) {
    let monolith = Upstream::named("monolith").await;
    let orders = Upstream::named("orders").await;
    let missing = Upstream::start("missing", |_request| {
        Box::pin(async {
            let mut response = Response::new(Full::new(Bytes::from_static(b"no such page")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        })
    })
    .await;
    let dead = dead_address().await;
    let mut config = config_with_upstreams(&[
        ("monolith", monolith.addr),
        ("orders", orders.addr),
        ("missing", missing.addr),
        ("dead", dead),
    ]);
    for (route, upstream, fallback) in [
        ("orders", "orders", true),
        ("missing", "missing", true),
        ("dead", "dead", false),
        ("dead_fallback", "dead", true),
    ] {
        config.push_str(&format!(
            "\n[[route]]\nname = \"{route}\"\npath = \"/{route}/**\"\ntargets = [{{ upstream = \"{upstream}\" }}]\nfallback = {fallback}\n"
        ));
    }
    let proxy = start_with_admin(&config).await;
    (
        proxy,
        Upstreams {
            _monolith: monolith,
            _orders: orders,
            _missing: missing,
        },
    )
}

/// Scrapes `GET /metrics` and returns every sample whose name starts with `prefix`, keyed by
/// `name{labels}` exactly as encoded.
pub(crate) async fn scrape(proxy: &Proxy, prefix: &str) -> BTreeMap<String, f64> {
    let reply = admin(
        &client(),
        proxy,
        Method::GET,
        "/metrics",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/openmetrics-text")),
        "{:?}",
        reply.header("content-type")
    );
    let text = reply.text();
    assert!(text.trim_end().ends_with("# EOF"));
    text.lines()
        .filter(|line| line.starts_with(prefix))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            (series.to_owned(), value.parse().expect("numeric value"))
        })
        .collect()
}

/// Asserts that the samples starting with `prefix` are exactly `expected` (`name{labels}`,
/// value); zero-valued samples may be absent or present.
async fn check(proxy: &Proxy, prefix: &str, expected: &[(&str, f64)]) {
    let found: BTreeMap<String, f64> = scrape(proxy, prefix)
        .await
        .into_iter()
        .filter(|(_, value)| *value != 0.0)
        .collect();
    let expected: BTreeMap<String, f64> = expected
        .iter()
        .map(|(series, value)| ((*series).to_owned(), *value))
        .collect();
    assert_eq!(found, expected, "samples of {prefix}");
}

/// Sends the known sequence: 3 × 200 on `orders`, 2 × 404 from `missing`, 1 × 502 on `dead`,
/// 1 × fallback on `dead_fallback`.
async fn send_known_sequence(proxy: &Proxy) {
    let client = client();
    for (path, expected_status, count) in [
        ("/orders/1", 200, 3),
        ("/missing/1", 404, 2),
        ("/dead/1", 502, 1),
        ("/dead_fallback/1", 200, 1),
    ] {
        for _ in 0..count {
            let reply = get(&client, &proxy.url(path), &[]).await;
            assert_eq!(reply.status, expected_status, "{path}: {}", reply.text());
        }
    }
}

#[tokio::test]
async fn requests_are_counted_by_route_target_and_class() {
    let (proxy, _upstreams) = start().await;
    send_known_sequence(&proxy).await;

    check(
        &proxy,
        "ficus_proxy_requests_total",
        &[
            (
                r#"ficus_proxy_requests_total{route="orders",target="orders",class="2xx"}"#,
                3.0,
            ),
            (
                r#"ficus_proxy_requests_total{route="missing",target="missing",class="4xx"}"#,
                2.0,
            ),
            (
                r#"ficus_proxy_requests_total{route="dead",target="none",class="5xx"}"#,
                1.0,
            ),
            (
                r#"ficus_proxy_requests_total{route="dead_fallback",target="monolith",class="2xx"}"#,
                1.0,
            ),
        ],
    )
    .await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn durations_are_counted_per_route_and_target() {
    let (proxy, _upstreams) = start().await;
    send_known_sequence(&proxy).await;

    check(
        &proxy,
        "ficus_proxy_request_duration_seconds_count",
        &[
            (
                r#"ficus_proxy_request_duration_seconds_count{route="orders",target="orders"}"#,
                3.0,
            ),
            (
                r#"ficus_proxy_request_duration_seconds_count{route="missing",target="missing"}"#,
                2.0,
            ),
            (
                r#"ficus_proxy_request_duration_seconds_count{route="dead",target="none"}"#,
                1.0,
            ),
            (
                r#"ficus_proxy_request_duration_seconds_count{route="dead_fallback",target="monolith"}"#,
                1.0,
            ),
        ],
    )
    .await;
    // Every request took less than 30 s, so the last finite bucket holds them all.
    let buckets = scrape(&proxy, "ficus_proxy_request_duration_seconds_bucket").await;
    assert_eq!(
        buckets[r#"ficus_proxy_request_duration_seconds_bucket{le="30.0",route="orders",target="orders"}"#],
        3.0
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn upstream_errors_and_fallbacks_are_counted() {
    let (proxy, _upstreams) = start().await;
    send_known_sequence(&proxy).await;

    check(
        &proxy,
        "ficus_proxy_upstream_errors_total",
        &[
            (
                r#"ficus_proxy_upstream_errors_total{route="dead",target="dead",kind="connect"}"#,
                1.0,
            ),
            (
                r#"ficus_proxy_upstream_errors_total{route="dead_fallback",target="dead",kind="connect"}"#,
                1.0,
            ),
        ],
    )
    .await;
    check(
        &proxy,
        "ficus_proxy_fallbacks_total",
        &[(
            r#"ficus_proxy_fallbacks_total{route="dead_fallback",from="dead",to="monolith"}"#,
            1.0,
        )],
    )
    .await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_connect_error_on_the_only_address_is_not_counted_as_a_retry() {
    let (proxy, _upstreams) = start().await;
    send_known_sequence(&proxy).await;

    check(&proxy, "ficus_proxy_retries_total", &[]).await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_retry_on_another_address_is_counted() {
    let monolith = Upstream::named("monolith").await;
    let orders = Upstream::named("orders").await;
    let dead = dead_address().await;
    // Addresses are tried round-robin from the first: the dead one, then the live one.
    let config = format!(
        "{}\n[[upstream]]\nname = \"orders\"\naddresses = [\"{dead}\", \"{}\"]\n\n[[route]]\nname = \"orders\"\npath = \"/orders/**\"\ntargets = [{{ upstream = \"orders\" }}]\n",
        config_with_upstreams(&[("monolith", monolith.addr)]),
        orders.addr,
    );
    let proxy = start_with_admin(&config).await;

    let reply = get(&client(), &proxy.url("/orders/1"), &[]).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "orders");
    check(
        &proxy,
        "ficus_proxy_retries_total",
        &[(
            r#"ficus_proxy_retries_total{route="orders",target="orders"}"#,
            1.0,
        )],
    )
    .await;
    check(
        &proxy,
        "ficus_proxy_upstream_errors_total",
        &[(
            r#"ficus_proxy_upstream_errors_total{route="orders",target="orders",kind="connect"}"#,
            1.0,
        )],
    )
    .await;
    check(
        &proxy,
        "ficus_proxy_requests_total",
        &[(
            r#"ficus_proxy_requests_total{route="orders",target="orders",class="2xx"}"#,
            1.0,
        )],
    )
    .await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn nothing_is_counted_before_the_first_request() {
    let (proxy, _upstreams) = start().await;

    check(&proxy, "ficus_proxy_requests_total", &[]).await;
    check(&proxy, "ficus_proxy_upstream_errors_total", &[]).await;
    check(&proxy, "ficus_proxy_fallbacks_total", &[]).await;
    proxy.shutdown().await;
}

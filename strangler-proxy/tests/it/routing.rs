//! Routing through the running proxy: which route takes a request when several match (exact
//! path, then `{param}`, then prefix, the longer prefix first; then more conditions; then file
//! order), the method, host and header conditions, and the default route to the monolith.
//! Every route sends to its own echo upstream named after it, so the upstream that answered
//! tells which route was taken.

use http::Request;

use crate::support::{Proxy, Upstream, client, send};

/// One request and the route (upstream) expected to answer it.
struct Case {
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    expected: &'static str,
}

/// `request_line` is `"<METHOD> <path>"`; `expected` a route name or `"monolith"`.
fn case(request_line: &'static str, expected: &'static str) -> Case {
    let (method, path) = request_line.split_once(' ').expect("METHOD path");
    Case {
        method,
        path,
        headers: Vec::new(),
        expected,
    }
}

impl Case {
    fn header(mut self, name: &'static str, value: &'static str) -> Case {
        self.headers.push((name, value));
        self
    }
}

/// Starts the monolith (the default upstream) and one echo upstream per route, named after
/// the route; `routes` are `(name, TOML lines of the route besides name and targets)` in file
/// order. Sends every case through the proxy and asserts which upstream answered.
async fn check(routes: &[(&str, &str)], cases: &[Case]) {
    let monolith = Upstream::echo("monolith").await;
    let mut upstreams = Vec::new();
    let mut config = format!(
        "default_upstream = \"monolith\"\n\n[[upstream]]\nname = \"monolith\"\naddresses = [\"{}\"]\n",
        monolith.addr
    );
    for (name, _) in routes {
        let upstream = Upstream::echo(name).await;
        config.push_str(&format!(
            "\n[[upstream]]\nname = \"{name}\"\naddresses = [\"{}\"]\n",
            upstream.addr
        ));
        upstreams.push(upstream);
    }
    for (name, lines) in routes {
        config.push_str(&format!(
            "\n[[route]]\nname = \"{name}\"\n{lines}\ntargets = [{{ upstream = \"{name}\" }}]\n"
        ));
    }
    let proxy = Proxy::start(&config).await;
    let client = client();
    for case in cases {
        let mut builder = Request::builder()
            .method(case.method)
            .uri(proxy.url(case.path));
        for (name, value) in &case.headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .expect("request");
        let reply = send(&client, request).await;
        assert_eq!(reply.status, 200, "{} {}", case.method, case.path);
        assert_eq!(
            reply.json()["upstream"],
            case.expected,
            "{} {} with headers {:?}",
            case.method,
            case.path,
            case.headers
        );
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn exact_path_beats_param_beats_prefix_whatever_the_file_order() {
    check(
        &[
            ("prefix", "path = \"/api/orders/**\""),
            ("param", "path = \"/api/orders/{id}\""),
            ("exact", "path = \"/api/orders/7\""),
        ],
        &[
            case("GET /api/orders/7", "exact"),
            case("GET /api/orders/7?full=1", "exact"),
            case("GET /api/orders/8", "param"),
            case("GET /api/orders/8/items", "prefix"),
            case("GET /api/orders", "prefix"),
            case("GET /api/customers/1", "monolith"),
        ],
    )
    .await;
}

#[tokio::test]
async fn fewer_wildcards_win_among_param_patterns() {
    check(
        &[
            ("two_params", "path = \"/shops/{shop}/items/{item}\""),
            ("one_param", "path = \"/shops/{shop}/items/special\""),
        ],
        &[
            case("GET /shops/3/items/special", "one_param"),
            case("GET /shops/3/items/4", "two_params"),
        ],
    )
    .await;
}

#[tokio::test]
async fn longer_prefix_wins() {
    check(
        &[
            ("api", "path = \"/api/**\""),
            ("billing", "path = \"/api/billing/**\""),
            ("invoices", "path = \"/api/billing/invoices/**\""),
        ],
        &[
            case("GET /api/billing/invoices/1", "invoices"),
            case("GET /api/billing/invoices", "invoices"),
            case("GET /api/billing/payments", "billing"),
            case("GET /api/billing", "billing"),
            case("GET /api/users", "api"),
            case("GET /apiary", "monolith"),
        ],
    )
    .await;
}

#[tokio::test]
async fn more_conditions_win_among_equal_paths() {
    check(
        &[
            ("plain", "path = \"/api/orders\""),
            ("reads", "path = \"/api/orders\"\nmethods = [\"GET\"]"),
            (
                "beta_reads",
                "path = \"/api/orders\"\nmethods = [\"GET\"]\nheaders = { \"x-beta\" = \"on\" }",
            ),
            (
                "beta_reads_on_shop",
                "path = \"/api/orders\"\nmethods = [\"GET\"]\nhost = \"shop.example\"\nheaders = { \"x-beta\" = \"on\" }",
            ),
        ],
        &[
            case("GET /api/orders", "reads"),
            case("POST /api/orders", "plain"),
            case("GET /api/orders", "beta_reads").header("x-beta", "on"),
            case("GET /api/orders", "beta_reads_on_shop")
                .header("x-beta", "on")
                .header("host", "shop.example"),
            case("POST /api/orders", "plain").header("x-beta", "on"),
        ],
    )
    .await;
}

#[tokio::test]
async fn file_order_breaks_remaining_ties() {
    let by_method = "path = \"/api/x\"\nmethods = [\"GET\"]";
    let by_host = "path = \"/api/x\"\nhost = \"shop.example\"";
    check(
        &[("by_method", by_method), ("by_host", by_host)],
        &[
            case("GET /api/x", "by_method").header("host", "shop.example"),
            case("POST /api/x", "by_host").header("host", "shop.example"),
        ],
    )
    .await;
    check(
        &[("by_host", by_host), ("by_method", by_method)],
        &[
            case("GET /api/x", "by_host").header("host", "shop.example"),
            case("GET /api/x", "by_method").header("host", "other.example"),
        ],
    )
    .await;
}

#[tokio::test]
async fn method_condition_takes_only_the_listed_methods() {
    check(
        &[(
            "writes",
            "path = \"/api/orders/**\"\nmethods = [\"POST\", \"put\"]",
        )],
        &[
            case("POST /api/orders/1", "writes"),
            case("PUT /api/orders/1", "writes"),
            case("GET /api/orders/1", "monolith"),
            case("DELETE /api/orders/1", "monolith"),
        ],
    )
    .await;
}

#[tokio::test]
async fn host_condition_ignores_port_and_case() {
    check(
        &[("api_host", "path = \"/**\"\nhost = \"api.example.com\"")],
        &[
            case("GET /orders", "api_host").header("host", "api.example.com"),
            case("GET /orders", "api_host").header("host", "api.example.com:8080"),
            case("GET /orders", "api_host").header("host", "API.Example.COM"),
            case("GET /orders", "monolith").header("host", "www.example.com"),
            case("GET /orders", "monolith"),
        ],
    )
    .await;
}

#[tokio::test]
async fn header_condition_needs_the_exact_value() {
    check(
        &[(
            "canary",
            "path = \"/api/**\"\nheaders = { \"X-Canary\" = \"yes\" }",
        )],
        &[
            case("GET /api/a", "canary").header("x-canary", "yes"),
            case("GET /api/a", "canary").header("X-CANARY", "yes"),
            case("GET /api/a", "monolith").header("x-canary", "YES"),
            case("GET /api/a", "monolith").header("x-canary", "no"),
            case("GET /api/a", "monolith"),
        ],
    )
    .await;
}

#[tokio::test]
async fn unmatched_requests_go_to_the_monolith() {
    check(
        &[("orders", "path = \"/api/orders/{id}\"")],
        &[
            case("GET /", "monolith"),
            case("GET /api/orders", "monolith"),
            case("GET /api/orders/1/items", "monolith"),
            case("POST /login", "monolith"),
            case("GET /api/orders/1", "orders"),
        ],
    )
    .await;
}

//! The admin API on its own loopback listener: refused without the bearer token (`401` with
//! `WWW-Authenticate`, nothing changed), and with it: routes and upstreams listed, weights
//! changed at run time and written back to the configuration file with its comments, each
//! change appended to the audit log, and invalid weight changes refused with `400` (audited
//! too) while the file stays byte for byte the same.

use http::Method;

use crate::support::{ADMIN_TOKEN, Proxy, Upstream, admin, client, get, start_with_admin};

/// A config with comments, whose route `invoices` splits 90/10 between the monolith and
/// `billing`.
fn commented_config(monolith: &Upstream, billing: &Upstream) -> String {
    format!(
        r#"# Proxy in front of the shop.
default_upstream = "monolith"

[[upstream]]
name = "monolith"
addresses = ["{monolith}"]

[[upstream]]
name = "billing" # the new service
addresses = ["{billing}"]

# Invoices move to billing; weights are changed through the admin API.
[[route]]
name = "invoices"
path = "/api/invoices/**"
targets = [{{ upstream = "monolith", weight = 90 }}, {{ upstream = "billing", weight = 10 }}]
sticky = {{ header = "x-user-id" }}
"#,
        monolith = monolith.addr,
        billing = billing.addr,
    )
}

/// A running proxy with the admin API on the commented config; holds the upstreams.
struct AdminFixture {
    proxy: Proxy,
    _monolith: Upstream,
    _billing: Upstream,
}

async fn start() -> AdminFixture {
    let monolith = Upstream::echo("monolith").await;
    let billing = Upstream::echo("billing").await;
    let proxy = start_with_admin(&commented_config(&monolith, &billing)).await;
    AdminFixture {
        proxy,
        _monolith: monolith,
        _billing: billing,
    }
}

/// The `(upstream, weight)` pairs of route `invoices` as `GET /routes` reports them.
async fn invoices_weights(proxy: &Proxy) -> Vec<(String, u64)> {
    let reply = admin(
        &client(),
        proxy,
        Method::GET,
        "/routes",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;
    assert_eq!(reply.status, 200);
    let routes = reply.json()["routes"].clone();
    let invoices = routes
        .as_array()
        .expect("routes")
        .iter()
        .find(|route| route["name"] == "invoices")
        .expect("route invoices")
        .clone();
    invoices["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|target| {
            (
                target["upstream"].as_str().expect("name").to_owned(),
                target["weight"].as_u64().expect("weight"),
            )
        })
        .collect()
}

fn weights(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs
        .iter()
        .map(|(upstream, weight)| ((*upstream).to_owned(), *weight))
        .collect()
}

fn audit_lines(proxy: &Proxy) -> Vec<serde_json::Value> {
    match std::fs::read_to_string(proxy.file("audit.log")) {
        Ok(text) => text
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON audit line"))
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => panic!("reading the audit log: {error}"),
    }
}

/// Sends `method path` with `authorization` (a full header value, or none) and asserts a
/// `401` with a `Bearer` challenge, and that nothing changed: weights, file, audit log.
async fn check_refused(method: Method, path: &str, authorization: Option<&str>, body: &str) {
    let fixture = start().await;
    let proxy = &fixture.proxy;
    let file_before = std::fs::read_to_string(&proxy.config_path).expect("config");
    let client = client();

    let mut builder = http::Request::builder()
        .method(method)
        .uri(proxy.admin_url(path));
    if let Some(authorization) = authorization {
        builder = builder.header("authorization", authorization);
    }
    let request = builder
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_owned(),
        )))
        .expect("request");
    let reply = crate::support::send(&client, request).await;

    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Bearer realm=\"ficus-admin\"")
    );
    assert_eq!(
        invoices_weights(proxy).await,
        weights(&[("monolith", 90), ("billing", 10)])
    );
    assert_eq!(
        std::fs::read_to_string(&proxy.config_path).expect("config"),
        file_before
    );
    assert_eq!(audit_lines(proxy), Vec::<serde_json::Value>::new());
    fixture.proxy.shutdown().await;
}

const NEW_WEIGHTS: &str = r#"{"weights": {"monolith": 50, "billing": 50}}"#;

#[tokio::test]
async fn refuses_requests_without_a_token() {
    check_refused(Method::GET, "/routes", None, "").await;
    check_refused(Method::PUT, "/routes/invoices/weights", None, NEW_WEIGHTS).await;
}

#[tokio::test]
async fn refuses_a_wrong_token() {
    check_refused(
        Method::PUT,
        "/routes/invoices/weights",
        Some("Bearer not-the-token"),
        NEW_WEIGHTS,
    )
    .await;
    let token_prefix = format!("Bearer {}", &ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1]);
    check_refused(Method::GET, "/upstreams", Some(&token_prefix), "").await;
    let token_longer = format!("Bearer {ADMIN_TOKEN}x");
    check_refused(Method::GET, "/metrics", Some(&token_longer), "").await;
}

#[tokio::test]
async fn refuses_the_token_in_another_scheme() {
    check_refused(
        Method::GET,
        "/routes",
        Some(&format!("Basic {ADMIN_TOKEN}")),
        "",
    )
    .await;
}

#[tokio::test]
async fn lists_routes_in_precedence_order_then_the_default_route() {
    let fixture = start().await;
    let reply = admin(
        &client(),
        &fixture.proxy,
        Method::GET,
        "/routes",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;

    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["default_upstream"], "monolith");
    let routes = json["routes"].as_array().expect("routes");
    let names: Vec<&str> = routes
        .iter()
        .map(|route| route["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["invoices", "default"]);
    assert_eq!(routes[0]["path"], "/api/invoices/**");
    assert_eq!(
        routes[0]["sticky"],
        serde_json::json!({"header": "x-user-id"})
    );
    assert_eq!(
        routes[0]["targets"],
        serde_json::json!([
            {"upstream": "monolith", "weight": 90},
            {"upstream": "billing", "weight": 10},
        ])
    );
    assert_eq!(
        routes[1]["targets"],
        serde_json::json!([{"upstream": "monolith", "weight": 1}])
    );
    fixture.proxy.shutdown().await;
}

#[tokio::test]
async fn lists_upstreams_with_address_health() {
    let fixture = start().await;
    let reply = admin(
        &client(),
        &fixture.proxy,
        Method::GET,
        "/upstreams",
        Some(ADMIN_TOKEN),
        "",
    )
    .await;

    assert_eq!(reply.status, 200);
    let json = reply.json();
    let upstreams = json["upstreams"].as_array().expect("upstreams");
    let summary: Vec<(String, String, bool)> = upstreams
        .iter()
        .map(|upstream| {
            let address = &upstream["addresses"][0];
            (
                upstream["name"].as_str().expect("name").to_owned(),
                address["address"].as_str().expect("address").to_owned(),
                address["healthy"].as_bool().expect("healthy"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "monolith".to_owned(),
                fixture._monolith.addr.to_string(),
                true
            ),
            (
                "billing".to_owned(),
                fixture._billing.addr.to_string(),
                true
            ),
        ]
    );
    fixture.proxy.shutdown().await;
}

#[tokio::test]
async fn weight_change_is_applied_written_to_the_file_and_audited() {
    let fixture = start().await;
    let proxy = &fixture.proxy;
    let file_before = std::fs::read_to_string(&proxy.config_path).expect("config");
    let client = client();

    let reply = admin(
        &client,
        proxy,
        Method::PUT,
        "/routes/invoices/weights",
        Some(ADMIN_TOKEN),
        r#"{"weights": {"monolith": 0, "billing": 100}}"#,
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["weights"],
        serde_json::json!({"monolith": 0, "billing": 100})
    );
    // Only the weights changed in the file; comments and layout are kept.
    let file_after = std::fs::read_to_string(&proxy.config_path).expect("config");
    assert_eq!(
        file_after,
        file_before
            .replace("weight = 90", "weight = 0")
            .replace("weight = 10", "weight = 100")
    );
    assert_eq!(
        invoices_weights(proxy).await,
        weights(&[("monolith", 0), ("billing", 100)])
    );
    // Applied: every invoice request now goes to billing.
    for user in ["ann", "bob", "cy"] {
        let reply = get(
            &client,
            &proxy.url("/api/invoices/1"),
            &[("x-user-id", user)],
        )
        .await;
        assert_eq!(reply.json()["upstream"], "billing");
    }
    let audit = audit_lines(proxy);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "set_weights");
    assert_eq!(audit[0]["result"], "ok");
    assert_eq!(
        audit[0]["details"],
        serde_json::json!({
            "route": "invoices",
            "before": {"monolith": 90, "billing": 10},
            "after": {"monolith": 0, "billing": 100},
        })
    );
    assert!(
        audit[0]["peer"]
            .as_str()
            .expect("peer")
            .starts_with("127.0.0.1:")
    );
    fixture.proxy.shutdown().await;
}

#[tokio::test]
async fn weight_change_naming_one_target_keeps_the_others() {
    let fixture = start().await;
    let reply = admin(
        &client(),
        &fixture.proxy,
        Method::PUT,
        "/routes/invoices/weights",
        Some(ADMIN_TOKEN),
        r#"{"weights": {"billing": 30}}"#,
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        invoices_weights(&fixture.proxy).await,
        weights(&[("monolith", 90), ("billing", 30)])
    );
    fixture.proxy.shutdown().await;
}

/// Sends an invalid weight change; asserts `expected_status` with an error message, and that
/// the weights and the file are unchanged.
async fn check_weights_refused(route: &str, body: &str, expected_status: u16) {
    let fixture = start().await;
    let proxy = &fixture.proxy;
    let file_before = std::fs::read_to_string(&proxy.config_path).expect("config");

    let reply = admin(
        &client(),
        proxy,
        Method::PUT,
        &format!("/routes/{route}/weights"),
        Some(ADMIN_TOKEN),
        body,
    )
    .await;

    assert_eq!(reply.status, expected_status, "{body}: {}", reply.text());
    assert!(
        reply.json()["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty()),
        "{}",
        reply.text()
    );
    assert_eq!(
        std::fs::read_to_string(&proxy.config_path).expect("config"),
        file_before,
        "{body}"
    );
    assert_eq!(
        invoices_weights(proxy).await,
        weights(&[("monolith", 90), ("billing", 10)])
    );
    // Refused changes are audited too, with the reason.
    let audit = audit_lines(proxy);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "set_weights");
    assert_eq!(audit[0]["result"], "failed");
    assert_eq!(audit[0]["error"], reply.json()["error"]);
    assert_eq!(audit[0]["details"]["route"], route);
    fixture.proxy.shutdown().await;
}

#[tokio::test]
async fn refuses_weights_for_an_upstream_that_is_not_a_target() {
    check_weights_refused("invoices", r#"{"weights": {"payments": 10}}"#, 400).await;
}

#[tokio::test]
async fn refuses_weights_that_are_all_zero() {
    check_weights_refused(
        "invoices",
        r#"{"weights": {"monolith": 0, "billing": 0}}"#,
        400,
    )
    .await;
}

#[tokio::test]
async fn refuses_weights_that_are_not_non_negative_integers() {
    for weights in [r#"1.5"#, r#""10""#, r#"-1"#, r#"4294967296"#, r#"null"#] {
        let body = format!(r#"{{"weights": {{"billing": {weights}}}}}"#);
        check_weights_refused("invoices", &body, 400).await;
    }
}

#[tokio::test]
async fn refuses_a_body_that_is_not_a_weights_object() {
    for body in ["", "not json", r#"{"billing": 10}"#, r#"{"weights": [10]}"#] {
        check_weights_refused("invoices", body, 400).await;
    }
}

#[tokio::test]
async fn weights_of_an_unknown_route_are_not_found() {
    check_weights_refused("payments", NEW_WEIGHTS, 404).await;
}

//! The proxy started from a plan file (`ficus.toml`): its configuration is the `[proxy]`
//! table, the plan's own tables (`version`, `[monolith]`, `[[service]]`) are ignored, and an
//! error inside `[proxy]` names its line and, for validation errors, its place as
//! `proxy.<field path>`.

use std::net::SocketAddr;

use ficus_proxy::launch::{self, Options};

use crate::support::{Proxy, Upstream, client, get};

/// A plan file whose `[proxy]` table has the monolith and `billing` upstreams, and
/// `route_lines` (TOML for `[[proxy.route]]` tables) after them.
fn plan(monolith: SocketAddr, billing: SocketAddr, route_lines: &str) -> String {
    format!(
        r#"# Migration plan of the shop.
version = 1

[monolith]
name = "shop-monolith"
source = "examples/shop-monolith"

[[service]]
name = "billing"
modules = ["shop::billing", "shop::invoices"]

[[service]]
name = "catalog"
modules = ["shop::catalog"]

[proxy]
default_upstream = "monolith"

[[proxy.upstream]]
name = "monolith"
addresses = ["{monolith}"]

[[proxy.upstream]]
name = "billing"
addresses = ["{billing}"]
{route_lines}"#
    )
}

/// Starts the proxy from `text` written as `ficus.toml` and returns the error it refuses
/// with, one line.
async fn check_refused(text: &str) -> String {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("ficus.toml");
    std::fs::write(&path, text).expect("write plan");
    let started = launch::start(Options {
        config_path: path.clone(),
        listen: Some("127.0.0.1:0".parse().expect("address")),
    })
    .await;
    let Err(error) = started else {
        panic!("the proxy started from an invalid plan");
    };
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "the error names the file: {message}"
    );
    message
}

#[tokio::test]
async fn routes_by_the_proxy_table_of_a_plan_file() {
    let monolith = Upstream::echo("monolith").await;
    let billing = Upstream::echo("billing").await;
    let routes = r#"
[[proxy.route]]
name = "invoices"
path = "/api/invoices/**"
targets = [{ upstream = "billing" }]
"#;
    let proxy = Proxy::start(&plan(monolith.addr, billing.addr, routes)).await;
    let client = client();

    let reply = get(&client, &proxy.url("/api/invoices/7"), &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["upstream"], "billing");
    let reply = get(&client, &proxy.url("/api/catalog"), &[]).await;
    assert_eq!(reply.json()["upstream"], "monolith");
    proxy.shutdown().await;
}

#[tokio::test]
async fn unknown_upstream_in_a_plan_route_names_the_field_and_line() {
    let monolith = Upstream::echo("monolith").await;
    let routes = r#"
[[proxy.route]]
name = "invoices"
path = "/api/invoices/**"
targets = [{ upstream = "payments" }]
"#;
    let text = plan(monolith.addr, monolith.addr, routes);
    let error = check_refused(&text).await;
    assert!(
        error.contains("proxy.route[0].targets[0].upstream"),
        "{error}"
    );
    assert!(error.contains("unknown upstream \"payments\""), "{error}");
    let line = 1 + text
        .lines()
        .position(|line| line.contains("payments"))
        .expect("the line");
    assert!(error.contains(&format!("line {line}")), "{error}");
}

#[tokio::test]
async fn unknown_field_in_a_plan_route_names_the_line() {
    let monolith = Upstream::echo("monolith").await;
    let routes = r#"
[[proxy.route]]
name = "invoices"
path = "/api/invoices/**"
targets = [{ upstream = "billing" }]
weight = 10
"#;
    let text = plan(monolith.addr, monolith.addr, routes);
    let error = check_refused(&text).await;
    assert!(error.contains("unknown field `weight`"), "{error}");
    let line = 1 + text
        .lines()
        .position(|line| line.starts_with("weight"))
        .expect("the line");
    assert!(error.contains(&format!("line {line}")), "{error}");
    // The snippet shows the offending key.
    assert!(error.contains("weight = 10"), "{error}");
    // FIXME: schema errors come from toml and carry no field path; they should say
    // `proxy.route[0].weight` like validation errors do.
    assert!(!error.contains("proxy.route[0]"), "{error}");
}

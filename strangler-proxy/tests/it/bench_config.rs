//! The proxy benchmark's config, `bench/proxy/ficus-bench.toml`, must implement the harness's
//! routes.tsv exactly, or the harness refuses to measure. Each test here is one row of
//! routes.tsv, written inline (the harness lives outside this repository): its example path
//! and the route and weighted targets the table must pick. It does not send traffic: the
//! harness's own routing check does that against the running proxy.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ficus_proxy::config::{self, Settings};
use ficus_proxy::route_table::RouteTable;

use crate::support::describe_route;

fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/proxy/ficus-bench.toml")
}

fn load() -> Settings {
    let path = config_path();
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    config::load(&text, &path).unwrap_or_else(|error| panic!("{error}"))
}

/// `expected` is the route name, then `upstream=weight` for each target in order.
fn check(path: &str, expected: &str) {
    let table = RouteTable::new(&load());
    let actual = describe_route(&table, "GET", "127.0.0.1:18092", path);
    assert_eq!(actual, expected, "GET {path}");
}

#[test]
fn listens_where_the_harness_expects_and_pools_like_nginx() {
    let settings = load();
    assert_eq!(
        settings.listen,
        "127.0.0.1:18092".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(settings.default_upstream, "monolith");
    let upstreams: Vec<String> = settings
        .upstreams
        .iter()
        .map(|upstream| {
            let addresses: Vec<String> = upstream
                .addresses
                .iter()
                .map(|address| format!("{}:{}", address.host, address.port))
                .collect();
            format!(
                "{} {} pool={}",
                upstream.name,
                addresses.join(","),
                upstream.pool_size
            )
        })
        .collect();
    assert_eq!(
        upstreams,
        [
            "monolith 127.0.0.1:18081 pool=128",
            "service 127.0.0.1:18082 pool=128"
        ]
    );
}

#[test]
fn has_one_route_per_row_of_routes_tsv_but_the_catch_all() {
    assert_eq!(load().routes.len(), 19);
}

// Routes to the service.

#[test]
fn users_preferences_beats_users() {
    check(
        "/api/v1/users/preferences/4711",
        "users-preferences service=1",
    );
}

#[test]
fn catalog() {
    check("/api/v1/catalog/items/1234", "catalog service=1");
}

#[test]
fn search_ignores_the_query() {
    check(
        "/api/v1/search/products?q=red+shoes&page=2",
        "search service=1",
    );
}

#[test]
fn reviews() {
    check("/api/v1/reviews/1234?sort=recent", "reviews service=1");
}

#[test]
fn recommendations() {
    check(
        "/api/v1/recommendations/for-user/4711",
        "recommendations service=1",
    );
}

#[test]
fn inventory() {
    check("/api/v1/inventory/sku/AB-1234", "inventory service=1");
}

#[test]
fn notifications() {
    check("/api/v1/notifications/unread", "notifications service=1");
}

#[test]
fn help() {
    check("/help/articles/returns", "help service=1");
}

// The split route.

#[test]
fn orders_split_90_10() {
    check("/api/v1/orders/98765", "orders monolith=90 service=10");
}

// Routes to the monolith.

#[test]
fn users() {
    check("/api/v1/users/4711", "users monolith=1");
}

#[test]
fn cart() {
    check("/api/v1/cart/current", "cart monolith=1");
}

#[test]
fn checkout() {
    check("/api/v1/checkout/summary", "checkout monolith=1");
}

#[test]
fn payments() {
    check("/api/v1/payments/methods", "payments monolith=1");
}

#[test]
fn auth() {
    check("/api/v1/auth/session", "auth monolith=1");
}

#[test]
fn shipping() {
    check("/api/v1/shipping/rates?zip=10115", "shipping monolith=1");
}

#[test]
fn invoices() {
    check("/api/v1/invoices/2024-0042", "invoices monolith=1");
}

#[test]
fn admin() {
    check("/api/v1/admin/reports/daily", "admin monolith=1");
}

#[test]
fn account() {
    check("/account/settings", "account monolith=1");
}

#[test]
fn static_files() {
    check("/static/js/app.3f9c2b.js", "static monolith=1");
}

#[test]
fn everything_else_is_the_default_route_to_the_monolith() {
    check("/products/red-shoes", "default monolith=1");
    check("/", "default monolith=1");
    check("/api/v1/unknown/1", "default monolith=1");
}

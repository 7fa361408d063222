//! The proxy file shipped with the example monolith, `examples/shop-monolith/proxy.toml`,
//! loads and routes as its comments say: product reads split and sticky, category reads dark
//! launched, product writes kept in the monolith, everything else to the monolith.

use std::path::Path;

use ficus_proxy::config;
use ficus_proxy::route_table::RouteTable;

use crate::support::describe_route;

/// `expected` is the route name, then `upstream=weight` for each target in order.
fn check(method: &str, path: &str, expected: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop-monolith/proxy.toml");
    let settings = config::load_file(&file).unwrap_or_else(|error| panic!("{error}"));
    let table = RouteTable::new(&settings);
    let actual = describe_route(&table, method, "127.0.0.1:8000", path);
    assert_eq!(actual, expected, "{method} {path}");
}

#[test]
fn product_reads_are_split_between_monolith_and_catalog() {
    check(
        "GET",
        "/api/products/7",
        "catalog-reads monolith=90 catalog=10",
    );
    check(
        "HEAD",
        "/api/products",
        "catalog-reads monolith=90 catalog=10",
    );
}

#[test]
fn product_writes_stay_in_the_monolith() {
    check("PUT", "/api/products/7", "catalog-writes monolith=1");
    check("POST", "/api/products", "catalog-writes monolith=1");
}

#[test]
fn categories_are_dark_launched() {
    check(
        "GET",
        "/api/categories/3/products",
        "catalog-categories monolith=1 catalog=0",
    );
}

#[test]
fn other_domains_go_to_the_monolith() {
    check("GET", "/api/orders/1", "default monolith=1");
    check("POST", "/api/carts/1/items", "default monolith=1");
}

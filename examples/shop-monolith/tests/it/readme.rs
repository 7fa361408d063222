//! The route table in `README.md` is the monolith's documented contract, and the analyzer's
//! tests compare their findings with it. This test keeps it honest against the real router:
//! every documented route must be served (not the fallback 404, not 405).

use hyper::Method;

use crate::support::Shop;

/// `(method, path)` rows of the README's route table.
pub fn documented_routes() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let method = *cells.get(1)?;
            let path = cells.get(2)?.trim_matches('`');
            let known = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method);
            (known && path.starts_with('/')).then(|| (method.to_string(), path.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let routes = documented_routes();
    assert_eq!(routes.len(), 43, "the README documents 43 routes");
    let shop = Shop::start().await;
    for (method, path) in &routes {
        let concrete = path
            .replace("{id}", "1")
            .replace("{customer_id}", "1")
            .replace("{product_id}", "1");
        let concrete = if concrete == "/api/shipping/rates" {
            "/api/shipping/rates?subtotal_cents=100&country=DE".to_string()
        } else {
            concrete
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT).then(|| "{}".to_string());
        let reply = shop.send(method.clone(), &concrete, body).await;
        let fallback = reply.status == 404
            && reply.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("route ");
        assert!(!fallback, "{method} {path} is documented but not routed");
        assert_ne!(
            reply.status, 405,
            "{method} {path} is documented but the method is not allowed"
        );
    }
}

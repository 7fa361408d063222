//! `ficus generate --move` end to end: the example monolith's catalog moved into a service
//! that answers every moved route like the monolith, on the same seeded database contents.

use std::path::Path;

use crate::support::{KillOnDrop, cargo_test, example_plan, ficus_ok, http, start_listening};

/// What a person writes in `state.rs` after `--move` (the tutorial shows the same): the
/// service opens its own database file, created, migrated and seeded like the monolith's.
const STATE_RS: &str = r#"//! The moved handlers' state, from the service's configuration.

/// The shop's database, at `CATALOG_DATABASE`.
pub fn build() -> Result<crate::app::AppState, Box<dyn std::error::Error + Send + Sync>> {
    let path = std::env::var("CATALOG_DATABASE")?;
    let db = crate::db::Db::open(std::path::Path::new(&path), true)?;
    Ok(crate::app::AppState::new(db))
}
"#;

/// Requests covering every moved route, reads and writes, valid and not, in an order where
/// each write is seen by the reads after it.
const REQUESTS: &[(&str, &str, &str)] = &[
    ("GET", "/api/products", ""),
    ("GET", "/api/products?q=mug", ""),
    ("GET", "/api/products?category_id=2&limit=2", ""),
    ("GET", "/api/products/1", ""),
    ("GET", "/api/products/999", ""),
    ("GET", "/api/products/abc", ""),
    (
        "POST",
        "/api/products",
        r#"{"sku":"tst-1","name":"Test","price_cents":1250,"category_id":1}"#,
    ),
    (
        "POST",
        "/api/products",
        r#"{"sku":"TST-1","name":"Again","price_cents":10}"#,
    ),
    (
        "POST",
        "/api/products",
        r#"{"sku":"","name":"x","price_cents":1}"#,
    ),
    ("POST", "/api/products", "not json"),
    (
        "PUT",
        "/api/products/1",
        r#"{"price_cents":999,"name":"Renamed"}"#,
    ),
    ("PUT", "/api/products/999", r#"{"name":"Nobody"}"#),
    ("DELETE", "/api/products/2", ""),
    ("DELETE", "/api/products/999", ""),
    ("GET", "/api/products?include_inactive=true", ""),
    ("GET", "/api/categories", ""),
    (
        "POST",
        "/api/categories",
        r#"{"name":"Garden","description":" outside "}"#,
    ),
    ("POST", "/api/categories", r#"{"name":" "}"#),
    ("GET", "/api/categories", ""),
    ("GET", "/api/categories/1/products", ""),
    ("GET", "/api/categories/999/products", ""),
];

#[test]
fn moved_catalog_answers_every_moved_route_like_the_monolith() {
    let dir = example_plan();
    ficus_ok(
        &["generate", "catalog", "--plan", "ficus.toml", "--move"],
        dir.path(),
    );
    let out = dir.path().join("services/catalog");

    // The moved code, the kernel it carried and the migration of its tables.
    let migration = std::fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    for expected in [
        "- `src/catalog/handlers.rs`",
        "- `shop_monolith::common`: carried whole",
        "- `shop_monolith::app`: only `shop_monolith::app::AppState`",
        "`0001_catalog.sql`",
        "which the monolith builds in `shop_monolith[bin]::main` (src/main.rs:",
    ] {
        assert!(
            migration.contains(expected),
            "no `{expected}` in:\n{migration}"
        );
    }
    let handlers =
        std::fs::read_to_string(out.join("catalog-service/src/catalog/handlers.rs")).unwrap();
    assert!(
        handlers.contains("pub(crate) async fn list_products("),
        "{handlers}"
    );
    assert!(
        out.join("catalog-service/migrations/0001_catalog.sql")
            .is_file()
    );
    assert!(out.join("catalog-kernel/src/common/error.rs").is_file());

    // As generated, the workspace builds (in a target folder of its own: its crates have the
    // names of the unmoved catalog's, which would make two candidates for each) and its contract tests pass; the service refuses to
    // start until its state is written.
    cargo_test(&out, "generated-move");
    let binary =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-move/debug/catalog-service");
    let refused = std::process::Command::new(&binary)
        .env("CATALOG_ADDR", "127.0.0.1:0")
        .output()
        .expect("run the service");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("unimplemented"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // With the supply of the moved operations' connection, as the other test shows.
    serve_moved_catalog_and_compare(&out, "generated-move");
    // Every route the port moves was asked.
    let port = ficus_ok(
        &[
            "generate",
            "catalog",
            "--plan",
            "ficus.toml",
            "--format",
            "json",
            "--dry-run",
        ],
        dir.path(),
    );
    let port: serde_json::Value = serde_json::from_slice(&port.stdout).unwrap();
    for route in port["routes"].as_array().unwrap() {
        let (method, template) = (
            route["method"].as_str().unwrap(),
            route["path"].as_str().unwrap(),
        );
        assert!(
            REQUESTS
                .iter()
                .any(|(m, path, _)| *m == method && matches_template(path, template)),
            "no request for the moved route {method} {template}"
        );
    }
}

/// Sends `REQUESTS` to the monolith and the moved catalog: every answer must be equal.
fn assert_catalog_parity(monolith_port: u16, service_port: u16) {
    let mut statuses = Vec::new();
    for (method, path, body) in REQUESTS {
        let expected = http(monolith_port, method, path, body);
        let moved = http(service_port, method, path, body);
        assert_eq!(
            moved, expected,
            "{method} {path}: the moved service answers differently from the monolith"
        );
        statuses.push(expected.0);
    }
    // The cases are what they claim: successes, not-founds and refusals on both sides.
    for status in [200, 201, 204, 400, 404, 409] {
        assert!(statuses.contains(&status), "no {status} among {statuses:?}");
    }
}

#[test]
fn moved_catalog_can_depend_on_the_monolith_crate_instead_of_a_kernel() {
    let dir = example_plan();
    let plan = std::fs::read_to_string(dir.path().join("ficus.toml")).unwrap();
    let plan = plan.replacen(
        "[shared_kernel]\n",
        "[shared_kernel]\non_move = \"depend\"\n",
        1,
    );
    std::fs::write(dir.path().join("ficus.toml"), plan).unwrap();
    ficus_ok(
        &["generate", "catalog", "--plan", "ficus.toml", "--move"],
        dir.path(),
    );
    let out = dir.path().join("services/catalog");
    assert!(
        !out.join("catalog-kernel").exists(),
        "no kernel crate of copies"
    );
    let manifest = std::fs::read_to_string(out.join("catalog-service/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("shop_monolith = { package = \"shop-monolith\", path = "),
        "{manifest}"
    );
    let migration = std::fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    assert!(
        migration.contains("comes from the monolith's own crate\n`shop_monolith`"),
        "{migration}"
    );
    serve_moved_catalog_and_compare(&out, "generated-depend");
}

/// Writes the moved catalog's `state.rs` (its own database, and the supply of its moved
/// operations' connection), builds and tests the workspace in `target`, then starts the
/// monolith and the service, each on its own seeded database, and compares their answers.
fn serve_moved_catalog_and_compare(out: &Path, target: &str) {
    let state = format!(
        "{STATE_RS}{}",
        crate::generate_local::SUPPLY.replace("{module}", "crate::ficus_local")
    );
    std::fs::write(out.join("catalog-service/src/state.rs"), state).unwrap();
    cargo_test(out, target);
    let binary =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{target}/debug/catalog-service"));
    let data = tempfile::tempdir().unwrap();
    let (monolith_port, _monolith) = serve_monolith(&data.path().join("monolith.db"));
    let (mut service, service_port) = start_listening(
        std::process::Command::new(&binary)
            .env("CATALOG_ADDR", "127.0.0.1:0")
            .env("CATALOG_DATABASE", data.path().join("service.db")),
    );
    let guard = KillOnDrop(service.id());
    assert_catalog_parity(monolith_port, service_port);
    service.kill().unwrap();
    service.wait().unwrap();
    std::mem::forget(guard);
}

/// Whether a request path (query left out) matches a route path with `{name}` segments.
fn matches_template(path: &str, template: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let wanted: Vec<&str> = template.split('/').collect();
    parts.len() == wanted.len()
        && parts
            .iter()
            .zip(&wanted)
            .all(|(part, want)| want.starts_with('{') || part == want)
}

/// The example monolith, in process on a loopback port, on a new database at `path` (created,
/// migrated and seeded). Stops when the returned sender drops.
fn serve_monolith(path: &Path) -> (u16, tokio::sync::oneshot::Sender<()>) {
    let db = shop_monolith::Db::open(path, true).expect("open the monolith's database");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let shutdown = async move {
                let _ = stopped.await;
            };
            let _ =
                shop_monolith::serve(listener, shop_monolith::AppState::new(db), shutdown).await;
        });
    });
    (port, stop)
}

/// The customer service's state after `--move`: its own database, and the connection its
/// moved operations borrow. Errors map to `ApiError`s by the generated default, which reads
/// how `AppError` answers over HTTP.
const CUSTOMER_STATE_RS: &str = r#"//! The moved code's state, from the service's configuration.

pub fn build() -> Result<crate::app::AppState, Box<dyn std::error::Error + Send + Sync>> {
    let path = std::env::var("CUSTOMER_DATABASE")?;
    let db = crate::db::Db::open(std::path::Path::new(&path), true)?;
    Ok(crate::app::AppState::new(db))
}

impl crate::ficus_local::Supply for crate::app::AppState {
    fn connection<R: Send + 'static>(
        &self,
        call: impl FnOnce(&rusqlite::Connection) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, customer_api::ApiError>> + Send {
        let db = self.db.clone();
        async move {
            db.call(move |conn| Ok(call(conn)))
                .await
                .map_err(|error| customer_api::ApiError::Unavailable { message: error.to_string() })
        }
    }
}
"#;

/// Requests to routes of `order` whose code calls `customer`: found, empty and unknown
/// customers, and input the route refuses before any call.
const ORDER_REQUESTS: &[(&str, &str)] = &[
    ("GET", "/api/customers/1/orders"),
    ("GET", "/api/customers/2/orders"),
    ("GET", "/api/customers/1/orders?limit=1&offset=0"),
    ("GET", "/api/customers/999/orders"),
    ("GET", "/api/customers/abc/orders"),
    ("GET", "/api/orders/1"),
    ("GET", "/api/orders/999"),
];

#[test]
fn moved_code_calls_other_services_through_their_clients() {
    let dir = example_plan();
    // `customer` moved first (its operations then run its code), `inventory` as stubs; both
    // clients sit beside `order`'s folder when `order` moves.
    for args in [
        &["generate", "customer", "--plan", "ficus.toml", "--move"][..],
        &["generate", "inventory", "--plan", "ficus.toml"][..],
        &["generate", "order", "--plan", "ficus.toml", "--move"][..],
    ] {
        ficus_ok(args, dir.path());
    }
    let services = dir.path().join("services");
    let out = services.join("order");
    let migration = std::fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    for expected in [
        // Reached through clients: listed with the address the service needs.
        "- `customer` at `CUSTOMER_URL`: `shop_monolith::customers::service::contact` as `contact`",
        "- `inventory` at `INVENTORY_URL`: `shop_monolith::inventory::service::release` as `release`",
        // A write inside the caller's transaction leaves it: blocked, with the line.
        "**blocked**: `shop_monolith::orders::service::cancel` calls `shop_monolith::inventory::service::release` inside its transaction `tx`",
        // A read inside it: to check.
        "**needs change**: `shop_monolith::orders::service::place_order` calls `shop_monolith::customers::service::contact` inside its transaction `tx`",
        // A service with no client stays a placeholder, and a function whose error type is
        // another crate's cannot be called through one.
        "**blocked**: `shop_monolith::orders::service::place_order` uses `shop_monolith::cart::service::checkout_lines` of service `cart` (src/orders/service.rs:",
        "the `inventory` client cannot stand for it: its error type (in `rusqlite::Result<bool>`) is not the monolith's own",
        "becomes a `crate::common::error::AppError` as `order-service/src/failures.rs` says",
    ] {
        assert!(
            migration.contains(expected),
            "no `{expected}` in:\n{migration}"
        );
    }
    assert!(
        !migration
            .contains("uses `shop_monolith::customers::service::contact` of service `customer`"),
        "a use reached through the client is no box:\n{migration}"
    );
    let lib = std::fs::read_to_string(out.join("order-service/src/lib.rs")).unwrap();
    for expected in [
        "customer_client::CustomerApi::contact(",
        "pub fn checkout_lines(",
        "`shop_monolith::cart::service::checkout_lines` belongs to service `cart`: call it through its client",
    ] {
        assert!(lib.contains(expected), "no `{expected}` in:\n{lib}");
    }
    let failures = std::fs::read_to_string(out.join("order-service/src/failures.rs")).unwrap();
    // `NotFound(String)` answers 404 and reads `{0} not found`: a 404 takes it, unwrapped.
    assert!(
        failures.contains("Some(404) => {")
            && failures.contains("AppError::NotFound(")
            && failures.contains("failure.within(\"\", \" not found\")"),
        "{failures}"
    );

    // Both workspaces build (one target folder: `order` builds `customer`'s client from its
    // folder) and their contract tests pass.
    std::fs::write(
        services.join("customer/customer-service/src/state.rs"),
        CUSTOMER_STATE_RS,
    )
    .unwrap();
    std::fs::write(
        out.join("order-service/src/state.rs"),
        STATE_RS.replace("CATALOG_DATABASE", "ORDER_DATABASE"),
    )
    .unwrap();
    cargo_test(&services.join("customer"), "generated-remote");
    cargo_test(&out, "generated-remote");

    // The monolith, and `order` calling `customer` over HTTP, each on its own seeded copy
    // of the data, answer alike: what `customer` refuses comes back as the monolith's error.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-remote/debug");
    let data = tempfile::tempdir().unwrap();
    let (monolith_port, _monolith) = serve_monolith(&data.path().join("monolith.db"));
    let (mut customer, customer_port) = start_listening(
        std::process::Command::new(target.join("customer-service"))
            .env("CUSTOMER_ADDR", "127.0.0.1:0")
            .env("CUSTOMER_DATABASE", data.path().join("customer.db")),
    );
    let customer_guard = KillOnDrop(customer.id());
    let (mut order, order_port) = start_listening(
        std::process::Command::new(target.join("order-service"))
            .env("ORDER_ADDR", "127.0.0.1:0")
            .env("ORDER_DATABASE", data.path().join("order.db"))
            .env("CUSTOMER_URL", format!("http://127.0.0.1:{customer_port}"))
            .env("CUSTOMER_TIMEOUT_MS", "5000"),
    );
    let order_guard = KillOnDrop(order.id());
    let mut statuses = Vec::new();
    for (method, path) in ORDER_REQUESTS {
        let expected = http(monolith_port, method, path, "");
        let moved = http(order_port, method, path, "");
        assert_eq!(
            moved, expected,
            "{method} {path}: `order` calling `customer` answers differently from the monolith"
        );
        statuses.push(expected.0);
    }
    for status in [200, 400, 404] {
        assert!(statuses.contains(&status), "no {status} among {statuses:?}");
    }
    assert!(
        http(monolith_port, "GET", "/api/customers/2/orders", "")
            .1
            .contains("\"id\""),
        "customer 2 has an order in the seed data"
    );

    // With `customer` gone, the call fails as an internal error naming it, not a crash.
    customer.kill().unwrap();
    customer.wait().unwrap();
    let (status, body) = http(order_port, "GET", "/api/customers/1/orders", "");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("customer `contact`"), "{body}");
    // The service still answers what needs no other service.
    assert_eq!(
        http(order_port, "GET", "/api/orders/1", ""),
        http(monolith_port, "GET", "/api/orders/1", "")
    );
    order.kill().unwrap();
    order.wait().unwrap();
    std::mem::forget((customer_guard, order_guard));
}

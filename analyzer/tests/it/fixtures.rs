//! The fixture projects under `tests/fixtures/` and the example monolith, analysed whole.

use std::path::PathBuf;

use crate::support::{
    analyze_dir, assert_text, diagnostics_text, edges_text, modules_text, pairs_text,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn shop_monolith() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/shop-monolith")
}

#[test]
fn layered_app_modules_and_dependencies() {
    let analysis = analyze_dir(&fixture("layered-app"));
    assert_text(&diagnostics_text(&analysis), "");
    assert!(analysis.orphans.is_empty());
    assert_eq!(analysis.modules.len(), 24, "{}", modules_text(&analysis));
    assert_text(
        &pairs_text(&analysis),
        "
        layered_app::handlers -> layered_app::db
        layered_app::handlers -> layered_app::handlers::customers
        layered_app::handlers -> layered_app::handlers::invoices
        layered_app::handlers -> layered_app::handlers::payments
        layered_app::handlers -> layered_app::handlers::products
        layered_app::handlers::customers -> layered_app::db
        layered_app::handlers::customers -> layered_app::models::customer
        layered_app::handlers::customers -> layered_app::services::customer_service
        layered_app::handlers::invoices -> layered_app::db
        layered_app::handlers::invoices -> layered_app::models::invoice
        layered_app::handlers::invoices -> layered_app::services::invoice_service
        layered_app::handlers::payments -> layered_app::db
        layered_app::handlers::payments -> layered_app::models::payment
        layered_app::handlers::payments -> layered_app::services::payment_service
        layered_app::handlers::products -> layered_app::db
        layered_app::handlers::products -> layered_app::models::product
        layered_app::handlers::products -> layered_app::services::product_service
        layered_app::models::product -> layered_app::util
        layered_app::repositories::customer_repo -> layered_app::models::customer
        layered_app::repositories::invoice_repo -> layered_app::models::invoice
        layered_app::repositories::payment_repo -> layered_app::models::payment
        layered_app::repositories::product_repo -> layered_app::models::product
        layered_app::services::customer_service -> layered_app::db
        layered_app::services::customer_service -> layered_app::models::customer
        layered_app::services::customer_service -> layered_app::repositories::customer_repo
        layered_app::services::customer_service -> layered_app::util
        layered_app::services::invoice_service -> layered_app::db
        layered_app::services::invoice_service -> layered_app::models::invoice
        layered_app::services::invoice_service -> layered_app::repositories::invoice_repo
        layered_app::services::invoice_service -> layered_app::services::customer_service
        layered_app::services::invoice_service -> layered_app::services::product_service
        layered_app::services::payment_service -> layered_app::db
        layered_app::services::payment_service -> layered_app::models::payment
        layered_app::services::payment_service -> layered_app::repositories::payment_repo
        layered_app::services::payment_service -> layered_app::services::invoice_service
        layered_app::services::payment_service -> layered_app::util
        layered_app::services::product_service -> layered_app::db
        layered_app::services::product_service -> layered_app::models::product
        layered_app::services::product_service -> layered_app::repositories::product_repo
        layered_app[bin] -> layered_app::db
        layered_app[bin] -> layered_app::handlers
        ",
    );
}

#[test]
fn multi_crate_workspace_modules_and_edges() {
    let analysis = analyze_dir(&fixture("workspace-multi"));
    assert_text(&diagnostics_text(&analysis), "");
    assert_text(
        &modules_text(&analysis),
        "
        acme_api crates/api/src/lib.rs:1
        acme_api::routes crates/api/src/routes.rs:1
        acme_api::routes::invoices crates/api/src/routes/invoices.rs:1
        acme_billing crates/billing/src/lib.rs:1
        acme_billing::tax crates/billing/src/tax.rs:1
        acme_domain crates/domain/src/lib.rs:1
        acme_domain::money crates/domain/src/money.rs:1
        server apps/server/src/main.rs:1
        ",
    );
    assert_text(
        &edges_text(&analysis),
        "
        acme_api -> acme_api::routes call x1
        acme_api::routes -> acme_api::routes::invoices call x1
        acme_api::routes::invoices -> acme_billing call x1
        acme_api::routes::invoices -> acme_billing import x1
        acme_api::routes::invoices -> acme_domain construct x1
        acme_api::routes::invoices -> acme_domain import x1
        acme_api::routes::invoices -> acme_domain::money construct x1
        acme_api::routes::invoices -> acme_domain::money import x1
        acme_api::routes::invoices -> acme_domain::money inferred_method x1
        acme_billing -> acme_billing::tax call x1
        acme_billing -> acme_domain import x1
        acme_billing -> acme_domain type x1
        acme_billing -> acme_domain::money construct x1
        acme_billing -> acme_domain::money import x1
        acme_billing -> acme_domain::money inferred_method x1
        acme_billing -> acme_domain::money method x1
        acme_billing -> acme_domain::money type x2
        acme_billing::tax -> acme_domain::money construct x1
        acme_billing::tax -> acme_domain::money import x1
        acme_billing::tax -> acme_domain::money type x2
        acme_domain -> acme_domain::money import x1
        server -> acme_api call x1
        ",
    );
    let inferred = analysis
        .edges
        .iter()
        .find(|edge| edge.kind == "inferred_method")
        .unwrap();
    assert_eq!(inferred.confidence, 0.5);
}

/// The couplings the monolith's README lists, seen between its domains.
#[test]
fn shop_monolith_domain_couplings() {
    let analysis = analyze_dir(&shop_monolith());
    assert_text(&diagnostics_text(&analysis), "");
    assert!(analysis.orphans.is_empty(), "{:?}", analysis.orphans);
    let domain = |id: &str| -> String { id.split("::").take(2).collect::<Vec<_>>().join("::") };
    let mut pairs: Vec<String> = analysis
        .edges
        .iter()
        .map(|edge| (domain(&edge.from), domain(&edge.to)))
        .filter(|(from, to)| from != to)
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    pairs.sort();
    pairs.dedup();
    let has = |pair: &str| pairs.iter().any(|existing| existing == pair);
    // 1. orders reaches into inventory's repository.
    assert!(
        analysis
            .edges
            .iter()
            .any(|edge| edge.from == "shop_monolith::orders::service"
                && edge.to == "shop_monolith::inventory::repository")
    );
    // 4. the orders <-> payments cycle.
    assert!(
        has("shop_monolith::orders -> shop_monolith::payments"),
        "{pairs:#?}"
    );
    assert!(
        has("shop_monolith::payments -> shop_monolith::orders"),
        "{pairs:#?}"
    );
    // 5. every domain uses the grab-bag.
    for name in [
        "cart",
        "catalog",
        "customers",
        "inventory",
        "notifications",
        "orders",
        "payments",
        "shipping",
    ] {
        assert!(
            has(&format!("shop_monolith::{name} -> shop_monolith::common")),
            "{name} does not use common"
        );
    }
    // 6. catalog and notifications call no other domain.
    for edge_domain in ["catalog", "notifications"] {
        let calls: Vec<&String> = pairs
            .iter()
            .filter(|pair| pair.starts_with(&format!("shop_monolith::{edge_domain} ->")))
            .filter(|pair| !pair.ends_with("::common") && !pair.ends_with("::app"))
            .collect();
        assert!(calls.is_empty(), "{edge_domain} calls {calls:?}");
    }
    // 2. cart reads the catalog's table itself: no code dependency on catalog.
    assert!(!has("shop_monolith::cart -> shop_monolith::catalog"));
}

/// Non-comment lines of a fixture's expected-results file.
fn expected_lines(fixture_name: &str, file: &str) -> String {
    let text = std::fs::read_to_string(fixture(fixture_name).join(file)).expect("expected file");
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// `METHOD /path handler` per route.
fn routes_text(analysis: &ficus_analyzer::model::Analysis) -> String {
    let mut lines: Vec<String> = analysis
        .routes
        .iter()
        .map(|route| format!("{} {} {}", route.method, route.path, route.handler))
        .collect();
    lines.sort();
    lines.join("\n")
}

/// Tables, foreign keys and accesses in the fixtures' `expected-data.txt` format, with the
/// crate's own name written `crate`.
fn data_text(analysis: &ficus_analyzer::model::Analysis, crate_name: &str) -> String {
    let module = |id: &str| match id.strip_prefix(crate_name) {
        Some(rest) => format!("crate{rest}"),
        None => id.to_string(),
    };
    let mut lines = Vec::new();
    for table in &analysis.tables {
        lines.push(format!(
            "table {} @ {}:{}",
            table.name, table.file, table.line
        ));
    }
    for key in &analysis.foreign_keys {
        lines.push(format!(
            "fk {}.{} -> {} @ {}:{}",
            key.from_table, key.column, key.to_table, key.file, key.line
        ));
    }
    for diagnostic in &analysis.diagnostics {
        let severity = format!("{:?}", diagnostic.severity).to_lowercase();
        lines.push(format!(
            "{severity} {}:{} {}",
            diagnostic.file, diagnostic.line, diagnostic.message
        ));
    }
    for access in &analysis.accesses {
        let count = if access.count > 1 {
            format!(" x{}", access.count)
        } else {
            String::new()
        };
        lines.push(format!(
            "{} {} {}{count} @ {}:{}",
            access.mode,
            access.table,
            module(&access.module),
            access.file,
            access.line
        ));
    }
    lines.sort();
    lines.join("\n")
}

#[test]
fn axum_actix_and_rocket_routes_with_full_paths() {
    for name in [
        "routes-axum",
        "routes-actix",
        "routes-rocket",
        "routes-openapi",
    ] {
        let analysis = analyze_dir(&fixture(name));
        assert_text(&diagnostics_text(&analysis), "");
        assert_text(
            &routes_text(&analysis),
            &expected_lines(name, "expected-routes.txt"),
        );
    }
}

#[test]
fn diesel_sqlx_and_seaorm_tables_keys_and_accesses() {
    for (name, crate_name) in [
        ("data-diesel", "data_diesel"),
        ("data-sqlx", "data_sqlx"),
        ("data-seaorm", "data_seaorm"),
    ] {
        let analysis = analyze_dir(&fixture(name));
        assert_text(
            &data_text(&analysis, crate_name),
            &expected_lines(name, "expected-data.txt"),
        );
    }
}

/// `(method, path)` rows and table names the monolith's README lists.
fn shop_readme() -> (Vec<String>, Vec<String>) {
    let readme = std::fs::read_to_string(shop_monolith().join("README.md")).expect("README.md");
    let mut routes = Vec::new();
    let mut tables = Vec::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(first), Some(second)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(first) {
            routes.push(format!("{first} {}", second.trim_matches('`')));
        } else if first.starts_with('`') && second.ends_with(".sql`") {
            tables.push(first.trim_matches('`').to_string());
        }
    }
    routes.sort();
    tables.sort();
    (routes, tables)
}

/// The README's route table is checked against the real router by the monolith's own tests
/// (`tests/it/readme.rs`); here the analyzer must find exactly those routes and tables.
#[test]
fn shop_monolith_routes_and_tables_match_its_readme() {
    let analysis = analyze_dir(&shop_monolith());
    let (documented_routes, documented_tables) = shop_readme();
    assert_eq!(documented_routes.len(), 43);
    let mut found: Vec<String> = analysis
        .routes
        .iter()
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    found.sort();
    assert_eq!(found, documented_routes);
    assert!(
        analysis
            .routes
            .iter()
            .all(|route| route.framework == "axum")
    );
    let orders = analysis
        .routes
        .iter()
        .find(|route| route.path == "/api/orders/{id}/cancel")
        .unwrap();
    assert_eq!(orders.handler, "shop_monolith::orders::handlers::cancel");
    assert_eq!(orders.module, "shop_monolith::orders::handlers");

    assert_eq!(documented_tables.len(), 14);
    let migration_tables: Vec<String> = analysis
        .tables
        .iter()
        .filter(|table| table.file.starts_with("migrations/"))
        .map(|table| table.name.clone())
        .collect();
    assert_eq!(migration_tables, documented_tables);
    let keys: Vec<String> = analysis
        .foreign_keys
        .iter()
        .map(|key| format!("{}.{} -> {}", key.from_table, key.column, key.to_table))
        .collect();
    for expected in [
        "orders.customer_id -> customers",
        "order_items.product_id -> products",
        "payments.order_id -> orders",
        "shipments.order_id -> orders",
        "stock_levels.product_id -> products",
        "notifications.customer_id -> customers",
    ] {
        assert!(
            keys.iter().any(|key| key == expected),
            "missing {expected}: {keys:#?}"
        );
    }
    assert_eq!(keys.len(), 16, "{keys:#?}");
    // The shared tables the README describes.
    let access = |module: &str, table: &str, mode: &str| {
        analysis
            .accesses
            .iter()
            .any(|access| access.module == module && access.table == table && access.mode == mode)
    };
    assert!(access(
        "shop_monolith::cart::repository",
        "products",
        "read"
    ));
    assert!(access(
        "shop_monolith::notifications::repository",
        "customers",
        "read"
    ));
    assert!(access(
        "shop_monolith::shipping::repository",
        "orders",
        "write"
    ));
    assert!(access(
        "shop_monolith::orders::repository",
        "orders",
        "write"
    ));
}

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

//! Signals and the shared kernel on the fixtures whose domains are known.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ficus_analyzer::boundary::{KernelSettings, Signal, SignalWeights, fuse, shared_kernel};

use crate::support::analyze_dir;

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[test]
fn the_monolith_grab_bag_is_the_shared_kernel() {
    let analysis = analyze_dir(&path("../examples/shop-monolith"));
    let kernel = shared_kernel(&analysis, &KernelSettings::default());
    let areas: BTreeSet<String> = kernel
        .iter()
        .map(|id| ficus_analyzer::boundary::kernel::area_of(id))
        .collect();
    assert!(kernel.contains("shop_monolith::common"), "{kernel:#?}");
    assert!(
        kernel.contains("shop_monolith::common::error"),
        "{kernel:#?}"
    );
    // No business domain is mistaken for shared code: they own routes and tables.
    for domain in [
        "catalog",
        "orders",
        "payments",
        "customers",
        "notifications",
    ] {
        assert!(
            !areas.contains(&format!("shop_monolith::{domain}")),
            "{domain} in kernel: {kernel:#?}"
        );
    }
}

#[test]
fn layered_app_slices_are_tied_by_naming_and_data() {
    let analysis = analyze_dir(&path("tests/fixtures/layered-app"));
    let modules: BTreeSet<String> = analysis
        .modules
        .iter()
        .map(|module| module.id.clone())
        .collect();
    let graph = fuse(&analysis, &modules, &SignalWeights::default());
    let weight = |a: &str, b: &str, signal: Signal| {
        let (a, b) = (graph.index_of(a).unwrap(), graph.index_of(b).unwrap());
        let key = if a < b { (a, b) } else { (b, a) };
        graph
            .edges
            .get(&key)
            .and_then(|parts| parts.get(&signal))
            .copied()
            .unwrap_or(0.0)
    };
    // The invoice slice across layers shares a name; the invoice layer-mates do not.
    assert!(
        weight(
            "layered_app::handlers::invoices",
            "layered_app::models::invoice",
            Signal::Naming
        ) > 0.0
    );
    assert_eq!(
        weight(
            "layered_app::handlers::invoices",
            "layered_app::handlers::payments",
            Signal::Naming
        ),
        0.0
    );
    // Repositories writing the same table family are tied by data and foreign keys.
    assert!(
        weight(
            "layered_app::repositories::invoice_repo",
            "layered_app::repositories::payment_repo",
            Signal::ForeignKey
        ) > 0.0
    );
    let total = |a: &str, b: &str| {
        let (a, b) = (graph.index_of(a).unwrap(), graph.index_of(b).unwrap());
        let key = if a < b { (a, b) } else { (b, a) };
        graph
            .edges
            .get(&key)
            .map_or(0.0, |parts| parts.values().sum::<f64>())
    };
    // Vertical beats horizontal.
    assert!(
        total(
            "layered_app::services::customer_service",
            "layered_app::repositories::customer_repo"
        ) > total(
            "layered_app::services::customer_service",
            "layered_app::services::product_service"
        )
    );
}

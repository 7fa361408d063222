//! Signals and the shared kernel on the fixtures whose domains are known.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ficus_analyzer::boundary::{KernelSettings, SignalGroup, fuse, shared_kernel};
use ficus_plan::Weights;

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
    let graph = fuse(&analysis, &modules, &Weights::default());
    let weight = |a: &str, b: &str, signal: SignalGroup| {
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
            SignalGroup::Naming
        ) > 0.0
    );
    assert_eq!(
        weight(
            "layered_app::handlers::invoices",
            "layered_app::handlers::payments",
            SignalGroup::Naming
        ),
        0.0
    );
    // Repositories writing the same table family are tied by data and foreign keys.
    assert!(
        weight(
            "layered_app::repositories::invoice_repo",
            "layered_app::repositories::payment_repo",
            SignalGroup::ForeignKey
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

/// The monolith's README domains as an assignment: each domain's area.
fn readme_domains(
    analysis: &ficus_analyzer::model::Analysis,
) -> std::collections::BTreeMap<String, String> {
    let domains = [
        "cart",
        "catalog",
        "customers",
        "inventory",
        "notifications",
        "orders",
        "payments",
        "shipping",
    ];
    analysis
        .modules
        .iter()
        .filter_map(|module| {
            let area = ficus_analyzer::boundary::kernel::area_of(&module.id);
            let name = area.strip_prefix("shop_monolith::")?;
            domains
                .contains(&name)
                .then(|| (module.id.clone(), name.to_string()))
        })
        .collect()
}

#[test]
fn what_crosses_the_monolith_domains_boundaries() {
    let dir = path("../examples/shop-monolith");
    let mut settings = ficus_analyzer::Settings::new(&dir);
    settings.granularity = ficus_analyzer::Granularity::Item;
    let analysis = ficus_analyzer::analyze(&settings, &ficus_analyzer::NoProgress).unwrap();
    let crossings = ficus_analyzer::boundary::crossings(&analysis, &readme_domains(&analysis));
    let get = |name: &str| {
        crossings
            .iter()
            .find(|crossing| crossing.name == name)
            .unwrap()
    };

    // The cycle the README describes.
    assert_eq!(get("orders").cycle_with, ["payments"]);
    assert_eq!(get("payments").cycle_with, ["orders"]);
    assert!(get("catalog").cycle_with.is_empty());
    // Tables: catalog owns its own; orders is written by shipping too, so nobody owns it.
    assert_eq!(get("catalog").tables_owned, ["categories", "products"]);
    assert!(!get("orders").tables_owned.contains(&"orders".to_string()));
    let shared_orders = get("shipping")
        .tables_shared
        .iter()
        .find(|shared| shared.table == "orders")
        .unwrap();
    assert_eq!(shared_orders.writers, ["orders", "shipping"]);
    // A foreign key that would cross services.
    assert!(
        get("payments").foreign_keys_crossing.is_empty(),
        "orders has no single owner"
    );
    assert!(
        get("inventory")
            .foreign_keys_crossing
            .iter()
            .any(|key| key.to_table == "products" && key.to_candidate == "catalog")
    );
    // The catalog's API, used by orders and inventory.
    let summary = get("catalog")
        .api
        .iter()
        .find(|item| item.item.ends_with("::product_summary"))
        .unwrap();
    assert_eq!(summary.callers, ["inventory", "orders"]);
    assert_eq!(get("catalog").routes.len(), 8);
    // Edge domains come first: they call no other domain and own their data.
    let order = ficus_analyzer::boundary::extraction_order(&crossings);
    assert!(
        ["catalog", "notifications"].contains(&order[0].as_str()),
        "{order:?}"
    );
    assert!(
        order.iter().position(|name| name == "orders")
            > order.iter().position(|name| name == "catalog")
    );
}

#[test]
fn a_proposal_from_the_monolith_domains() {
    use ficus_analyzer::boundary::proposal::ProposalSettings;
    use ficus_analyzer::boundary::{Cut, propose};

    let dir = path("../examples/shop-monolith");
    let mut settings = ficus_analyzer::Settings::new(&dir);
    settings.granularity = ficus_analyzer::Granularity::Item;
    let analysis = ficus_analyzer::analyze(&settings, &ficus_analyzer::NoProgress).unwrap();
    let kernel = shared_kernel(&analysis, &KernelSettings::default());
    let truth = readme_domains(&analysis);
    let modules: BTreeSet<String> = truth.keys().cloned().collect();
    let graph = fuse(&analysis, &modules, &Weights::default());
    let names: Vec<&String> = truth
        .values()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let clusters: Vec<Option<usize>> = graph
        .modules
        .iter()
        .map(|module| names.iter().position(|name| **name == truth[module]))
        .collect();
    let cut = Cut {
        graph: &graph,
        clusters: &clusters,
        kernel: &kernel,
        names: &Default::default(),
        pinned: &Default::default(),
        why: &Default::default(),
        placed: &Default::default(),
        jobs: &[],
        giant: None,
        settings: ProposalSettings {
            seed: 1,
            resolution: 1.0,
            target_services: None,
        },
    };
    let proposal = propose(&analysis, &cut);
    let mut service_names: Vec<&str> = proposal
        .services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    service_names.sort();
    assert_eq!(
        service_names,
        [
            "cart",
            "catalog",
            "customer",
            "inventory",
            "notification",
            "order",
            "payment",
            "shipping"
        ]
    );
    let ranks: Vec<usize> = proposal
        .services
        .iter()
        .map(|service| service.rank)
        .collect();
    assert_eq!(ranks, (1..=8).collect::<Vec<_>>());
    assert!(
        proposal
            .shared_kernel
            .iter()
            .any(|module| module.path == "shop_monolith::common")
    );
    assert!(
        proposal
            .unassigned
            .iter()
            .any(|module| module.path == "shop_monolith::app")
    );
    let order = proposal
        .services
        .iter()
        .find(|service| service.name == "order")
        .unwrap();
    assert_eq!(order.cycle_with, ["payment"]);
    assert!(
        order
            .modules
            .iter()
            .all(|module| !module.reasons.is_empty()),
        "every module is explained"
    );
    assert!(
        proposal.metrics.structural_modularity > 0.0,
        "{:?}",
        proposal.metrics
    );
    assert!(
        proposal.metrics.inter_call_percentage < 0.5,
        "{:?}",
        proposal.metrics
    );
    assert!(proposal.graph.edges.iter().all(|edge| edge.weight > 0.0));
}

/// MoJoFM (0-100) of a proposal against a truth assignment (module id -> domain), over the
/// modules the truth names; modules the proposal leaves out count as singletons.
fn mojo_fm_against(
    proposal: &ficus_analyzer::boundary::Proposal,
    truth: &std::collections::BTreeMap<String, String>,
) -> f64 {
    use ficus_analyzer::boundary::compare::{assignment_of, compare};
    compare(&assignment_of(proposal), truth)
        .expect("comparable")
        .mojo_fm
}

#[test]
fn proposals_recover_known_domains() {
    use ficus_analyzer::boundary::{PlanSettings, plan};
    let analyse = |relative: &str| {
        let mut settings = ficus_analyzer::Settings::new(path(relative));
        settings.granularity = ficus_analyzer::Granularity::Item;
        ficus_analyzer::analyze(&settings, &ficus_analyzer::NoProgress).unwrap()
    };
    let shop = analyse("../examples/shop-monolith");
    let proposal = plan(&shop, &PlanSettings::default()).unwrap();
    let score = mojo_fm_against(&proposal, &readme_domains(&shop));
    eprintln!("shop-monolith MoJoFM {score:.1}");
    assert!(
        score >= 90.0,
        "MoJoFM {score:.1} on the monolith (target 90)"
    );
    assert!(
        proposal
            .shared_kernel
            .iter()
            .any(|module| module.path == "shop_monolith::common::error")
    );
    // Issue #9: every module says why it is where it is.
    let whys = proposal
        .services
        .iter()
        .flat_map(|service| service.modules.iter().map(|m| (&m.path, &m.why)))
        .chain(proposal.shared_kernel.iter().map(|m| (&m.path, &m.why)))
        .chain(proposal.unassigned.iter().map(|m| (&m.path, &m.why)));
    for (module, why) in whys {
        assert!(
            !why.is_empty(),
            "{module} does not say why it is where it is"
        );
    }
    let catalog = proposal
        .services
        .iter()
        .find(|service| service.name == "catalog")
        .expect("a catalog service");
    let why_of = |module: &str| {
        catalog
            .modules
            .iter()
            .find(|m| m.path == module)
            .map(|m| m.why.as_str())
            .unwrap_or_default()
    };
    assert_eq!(
        why_of("shop_monolith::catalog::handlers"),
        "serves 8 routes"
    );
    assert!(
        why_of("shop_monolith::catalog::repository")
            .starts_with("reached from and tied to catalog ("),
        "{}",
        why_of("shop_monolith::catalog::repository")
    );
    for service in &proposal.services {
        eprintln!(
            "  {} {:?}",
            service.name,
            service
                .modules
                .iter()
                .map(|m| m.path.as_str())
                .collect::<Vec<_>>()
        );
    }
    let layered = analyse("tests/fixtures/layered-app");
    let truth: std::collections::BTreeMap<String, String> = layered
        .modules
        .iter()
        .filter_map(|module| {
            let last = module.id.rsplit("::").next()?;
            ["customer", "product", "invoice", "payment"]
                .iter()
                .find(|domain| last.starts_with(*domain))
                .map(|domain| (module.id.clone(), domain.to_string()))
        })
        .collect();
    let proposal = plan(&layered, &PlanSettings::default()).unwrap();
    let layered_score = mojo_fm_against(&proposal, &truth);
    eprintln!("layered-app MoJoFM {layered_score:.1}");
    assert!(
        layered_score >= 80.0,
        "MoJoFM {layered_score:.1} on the layered fixture (target 80)"
    );
    for service in &proposal.services {
        eprintln!(
            "  {} {:?}",
            service.name,
            service
                .modules
                .iter()
                .map(|m| m.path.as_str())
                .collect::<Vec<_>>()
        );
    }
}

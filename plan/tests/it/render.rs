//! New plan files: the text a typed plan renders to, and the round trip from plan to text and
//! back.

use std::path::Path;

use crate::support::{FILE, check_ok, document, draft, proposed};

use ficus_plan::{
    Analysis, ModulePattern, Monolith, PartitionTarget, Plan, PlanDocument, Route, RouteKey,
    RouteState, Service, Signal, Upstream, Weights,
};

/// Renders `plan` and checks that the text reads back as the same plan.
fn check_round_trip(plan: &Plan) -> String {
    let doc = PlanDocument::new(plan, Path::new(FILE)).unwrap_or_else(|error| panic!("{error}"));
    let text = doc.to_string();
    assert_eq!(&check_ok(&text), plan, "\n{text}");
    assert_eq!(doc.plan(), plan);
    text
}

fn monolith() -> Monolith {
    Monolith {
        name: "shop-monolith".to_string(),
        source: "examples/shop-monolith".into(),
        upstream: Some(Upstream::parse("http://127.0.0.1:8080").unwrap()),
    }
}

fn patterns(texts: &[&str]) -> Vec<ModulePattern> {
    texts
        .iter()
        .map(|text| ModulePattern::parse(text).unwrap())
        .collect()
}

fn route(key: &str, state: RouteState) -> Route {
    Route {
        key: RouteKey::parse(key).unwrap(),
        state,
    }
}

/// A plan that sets every field to something other than its default.
fn everything() -> Plan {
    let mut plan = Plan::new(monolith());
    plan.analysis = Analysis {
        seed: 42,
        target: PartitionTarget::Services(8),
        all_targets: true,
    };
    let mut weights = Weights::default();
    weights.set(Signal::Call, 1.5);
    weights.set(Signal::CoAuthor, 0.0);
    plan.weights = weights;
    plan.constraints.together = vec![patterns(&["shop::orders", "shop::payments::**"])];
    plan.constraints.apart = vec![patterns(&[
        "shop::catalog",
        "shop::inventory",
        "shop::cart",
    ])];
    plan.constraints.fixed_services = true;
    let mut catalog = Service::new("catalog");
    catalog.modules = patterns(&["shop::catalog", "shop::catalog::**"]);
    catalog.upstream = Some(Upstream::parse("https://catalog.internal").unwrap());
    catalog.tables = vec!["categories".to_string(), "products".to_string()];
    catalog.rank = Some(1);
    catalog.routes = vec![
        route("GET /api/products", RouteState::Service),
        route("GET /api/products/{id}", RouteState::Canary { percent: 25 }),
        route("POST /api/products", RouteState::Canary { percent: 10 }),
        route(
            "PUT /api/products/{id}",
            RouteState::Shadow { percent: 100 },
        ),
        route(
            "DELETE /api/products/{id}",
            RouteState::Shadow { percent: 5 },
        ),
        route("* /api/catalog/{*rest}", RouteState::Monolith),
    ];
    let mut orders = Service::new("orders");
    orders.modules = patterns(&["shop::orders::*", "shop::payments"]);
    plan.services = vec![catalog, orders];
    plan.shared_kernel.modules = patterns(&["shop::common", "shop::common::**"]);
    let proxy: toml::Table =
        toml::from_str("listen = \"127.0.0.1:8000\"\n[admin]\ntoken_env = \"FICUS_TOKEN\"\n")
            .unwrap();
    plan.proxy = Some(proxy);
    plan
}

#[test]
fn every_field_survives_the_round_trip() {
    check_round_trip(&everything());
}

#[test]
fn resolution_and_defaults_survive_the_round_trip() {
    let mut plan = Plan::new(Monolith {
        name: "x".to_string(),
        source: ".".into(),
        upstream: None,
    });
    plan.analysis.target = PartitionTarget::Resolution(0.75);
    plan.services.push(Service::new("only"));
    check_round_trip(&plan);
}

#[test]
fn a_new_plan_reads_like_this() {
    let mut plan = Plan::new(monolith());
    let mut catalog = Service::new("catalog");
    catalog.modules = patterns(&["shop::catalog", "shop::catalog::**"]);
    catalog.tables = vec!["products".to_string()];
    catalog.rank = Some(1);
    catalog.routes = vec![route("GET /api/products", RouteState::Monolith)];
    plan.services.push(catalog);
    plan.shared_kernel.modules = patterns(&["shop::common"]);
    let text = check_round_trip(&plan);
    let expected = r#"# Ficus plan: how this monolith is taken apart, one service at a time.
#
# `ficus plan` drafted this file from the analysis of the code. Edit it freely: running
# `ficus plan` again keeps service names and upstreams, the modules you moved, constraints,
# weights, route states and comments, and only updates what it drafts (new modules and
# routes, tables, ranks). It prints what changed. Format reference: docs/plan.md.

version = 1

# The application being taken apart.
[monolith]
name = "shop-monolith"
# The analysed folder, relative to this file.
source = "examples/shop-monolith"
# Where the running monolith listens: the proxy sends it every route not yet moved.
upstream = "http://127.0.0.1:8080"

# How the draft was computed: the same settings and code give the same draft.
[analysis]
seed = 42
# Higher gives more, smaller services. Or aim for a count: `services = 8`.
resolution = 1.0
# Whether tests, examples and benches were analysed too.
all_targets = false

# How much each kind of evidence ties two modules together. 0 turns a signal off.
[weights]
import = 0.5            # per name one module imports from the other (`use`)
call = 1.0              # per call of a function by path
method = 1.0            # per method call resolved by the receiver's type
inferred_method = 0.5   # per method call resolved only by a unique name
type = 0.5              # per use of a type (signature, field, annotation)
impl = 2.0              # per impl of the other's trait, or for the other's type
construct = 1.0         # per struct or enum variant built
macro = 0.5             # per macro invoked
data_write = 2.0        # per table both modules write
data_read = 0.5         # per table one module reads and the other reads or writes
foreign_key = 1.0       # per foreign key between tables the two modules write
route_prefix = 1.0      # per URL prefix both modules' handlers serve
naming = 1.0            # per domain term both modules' names share
module_tree = 2.0       # per parent module (not a crate root) both modules sit in
co_change = 1.0         # per commit changing both modules' files (--history)
co_author = 0.25        # per author of both modules' files (--history)

# Rules the analysis honours. Modules are named by pattern: `a::b` that module,
# `a::b::*` its direct children, `a::b::**` everything inside it.
[constraints]
# Groups of modules that must end up in one service.
together = []
# Groups of modules that must end up in different services.
apart = []
# true: only the services below may exist; a re-plan adds none.
fixed_services = false

# One [[service]] per future service. A module a service lists stays there on re-plan: move
# a module by moving its line. `tables` (the tables only this service writes) and `rank`
# (extraction order, 1 first) are redrafted every run.
[[service]]
name = "catalog"
rank = 1
# upstream = "http://127.0.0.1:9001"   # where it listens, once it runs
modules = [
    "shop::catalog",
    "shop::catalog::**",
]
tables = ["products"]

# Who answers each route: monolith, shadow (the monolith answers, copies go to
# the service), canary (10% go to the service, or { state = "canary", percent = 25 }),
# service, retired (the service answers; the monolith's code is deleted).
[service.routes]
"GET /api/products" = "monolith"

# Modules every service uses (errors, configuration, helpers): shared or copied,
# never extracted with one service. A service's more specific pattern wins over these.
[shared_kernel]
modules = ["shop::common"]
"#;
    assert_eq!(text, expected);
}

#[test]
fn states_are_written_short_unless_the_percent_differs() {
    let text = check_round_trip(&everything());
    for line in [
        "\"GET /api/products\" = \"service\"\n",
        "\"GET /api/products/{id}\" = { state = \"canary\", percent = 25 }\n",
        "\"POST /api/products\" = \"canary\"\n",
        "\"PUT /api/products/{id}\" = \"shadow\"\n",
        "\"DELETE /api/products/{id}\" = { state = \"shadow\", percent = 5 }\n",
        "services = 8\n",
        "together = [\n    [\"shop::orders\", \"shop::payments::**\"],\n]\n",
        "[proxy]\nlisten = \"127.0.0.1:8000\"\n\n[proxy.admin]\ntoken_env = \"FICUS_TOKEN\"\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn a_plan_that_cannot_be_a_file_is_refused() {
    let mut plan = Plan::new(monolith());
    plan.services = vec![Service::new("orders"), Service::new("orders")];
    let mut weights = Weights::default();
    weights.set(Signal::Call, f64::NAN);
    plan.weights = weights;
    let error = PlanDocument::new(&plan, Path::new(FILE)).unwrap_err();
    let messages: Vec<String> = error
        .problems()
        .iter()
        .map(|p| p.kind.to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "weight must be a finite number of 0 or more, not NaN",
            "service \"orders\" is already defined at line 58",
        ]
    );
}

#[test]
fn reading_and_writing_an_edited_file_changes_no_byte() {
    let text = "# top\nversion = 1 # v\n\n[monolith]   # m\nname   =   'shop'\nsource = \"\"\"\n.\"\"\"\n\n[[service]]\nname = \"a\"\nmodules = [ \"x::a\" ,\n  # why\n  \"x::b\" ]\n[service.routes]\n\"GET /a\"={state=\"monolith\"}\n\n# end\n";
    let text = text.replace("\"\"\"\n.\"\"\"", "\".\"");
    assert_eq!(document(&text).to_string(), text);
}

#[test]
fn a_draft_becomes_a_plan_with_folded_patterns() {
    let draft = draft(
        &[
            "shop",
            "shop::catalog",
            "shop::catalog::api",
            "shop::catalog::api::v1",
            "shop::orders",
            "shop::orders::model",
            "shop::orders::util",
            "shop::common",
        ],
        vec![
            proposed(
                "catalog",
                &[
                    "shop::catalog",
                    "shop::catalog::api",
                    "shop::catalog::api::v1",
                ],
            )
            .routes(&["GET /products"])
            .tables(&["products"])
            .rank(1),
            proposed("orders", &["shop::orders::model", "shop::orders"]).rank(2),
        ],
        &["shop::common", "shop::orders::util"],
    );
    let plan = Plan::from_draft(monolith(), Analysis::default(), &draft).unwrap();
    let listed: Vec<String> = plan
        .services
        .iter()
        .map(|service| {
            let modules: Vec<String> = service.modules.iter().map(ToString::to_string).collect();
            format!("{}: {}", service.name, modules.join(" "))
        })
        .collect();
    assert_eq!(
        listed,
        [
            "catalog: shop::catalog shop::catalog::**",
            "orders: shop::orders shop::orders::model",
        ]
    );
    let kernel: Vec<String> = plan
        .shared_kernel
        .modules
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(kernel, ["shop::common", "shop::orders::util"]);
    assert_eq!(plan.services[0].routes[0].state, RouteState::Monolith);
    assert_eq!(plan.services[1].rank, Some(2));
    check_round_trip(&plan);
    assert_eq!(
        plan.service_of("shop::catalog::api::v1")
            .map(|s| s.name.as_str()),
        Some("catalog")
    );
}

#[test]
fn default_weights_are_the_documented_ones() {
    let weights = Weights::default();
    for signal in Signal::ALL {
        assert_eq!(weights.get(signal), signal.default_weight(), "{signal}");
        assert_eq!(Signal::from_name(signal.name()), Some(signal));
    }
    assert_eq!(weights.iter().count(), Signal::ALL.len());
}

#[test]
fn issue_9_a_route_with_several_handlers_is_drafted_once_with_a_comment() {
    let draft = draft(
        &["shop", "shop::email"],
        vec![
            proposed("email", &["shop::email"])
                .routes(&["GET /@/{name}", "POST /@/{name}"])
                .handled_by(
                    "GET /@/{name}",
                    &["shop::email::profile", "shop::email::profile_fallback"],
                ),
        ],
        &[],
    );
    let doc = PlanDocument::from_draft(monolith(), Analysis::default(), &draft, Path::new(FILE))
        .unwrap_or_else(|error| panic!("{error}"));
    let text = doc.to_string();
    assert!(
        text.contains(
            "[service.routes]\n\
             # 2 handlers: shop::email::profile, shop::email::profile_fallback\n\
             \"GET /@/{name}\" = \"monolith\"\n\
             \"POST /@/{name}\" = \"monolith\"\n"
        ),
        "{text}"
    );
    // The comment is only a comment: the file reads back as the plan the draft makes.
    let plan = Plan::from_draft(monolith(), Analysis::default(), &draft).unwrap();
    assert_eq!(&check_ok(&text), &plan);
}

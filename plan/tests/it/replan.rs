//! Re-planning an edited plan file: what a draft may change (new modules and routes, tables,
//! ranks), what it must keep byte for byte (everything a person wrote), and the changes it
//! reports.

use crate::support::{
    Draft, DraftSpec, check_replan, check_replan_error, document, draft, proposed,
};

/// A plan as a team has edited it: comments everywhere, a renamed service (`sales`, drafted as
/// `orders`), a module pinned by hand (`shop::payments`), routes on their way out.
const BEFORE: &str = r#"# Our plan. Reviewed by the architecture group.
version = 1

[monolith]
name = "shop"
source = "."
upstream = "http://127.0.0.1:8080"   # the old box

[analysis]
seed = 7

[weights]
call = 2.0  # calls matter more here

[constraints]
together = [["shop::orders", "shop::payments"]]

# Catalog goes first.
[[service]]
name = "catalog"
rank = 1 # drafted
upstream = "http://127.0.0.1:9001"
modules = [
    "shop::catalog",
    "shop::catalog::**",
]
tables = ["products"]   # only catalog writes it

[service.routes]
"GET /products" = "service"
"GET /products/{id}" = { state = "canary", percent = 30 }   # ramping
"POST /products" = "monolith"

[[service]]
name = "sales"               # renamed from "orders" by us
rank = 2
modules = [
  "shop::orders",
  "shop::orders::**",
  # pinned here on purpose
  "shop::payments",
]
tables = [
  "orders",
  "order_items",
]

[service.routes]
"POST /orders" = "monolith"
"GET /orders/{id}" = "monolith"

[shared_kernel]
modules = ["shop::common", "shop::common::**"]
"#;

const MODULES: [&str; 9] = [
    "shop",
    "shop::catalog",
    "shop::catalog::handlers",
    "shop::catalog::model",
    "shop::common",
    "shop::common::money",
    "shop::orders",
    "shop::orders::service",
    "shop::payments",
];

fn catalog() -> DraftSpec {
    proposed(
        "catalog",
        &[
            "shop::catalog",
            "shop::catalog::handlers",
            "shop::catalog::model",
        ],
    )
    .routes(&["GET /products", "GET /products/{id}", "POST /products"])
    .tables(&["products"])
    .rank(1)
}

fn sales() -> DraftSpec {
    proposed(
        "sales",
        &["shop::orders", "shop::orders::service", "shop::payments"],
    )
    .routes(&["POST /orders", "GET /orders/{id}"])
    .tables(&["orders", "order_items"])
    .rank(2)
}

const KERNEL: [&str; 2] = ["shop::common", "shop::common::money"];

/// The draft that matches `BEFORE` exactly, with `extra` modules found in the code.
fn base(extra: &[&str], services: Vec<DraftSpec>, kernel: &[&str]) -> Draft {
    let mut modules: Vec<&str> = MODULES.to_vec();
    modules.extend_from_slice(extra);
    draft(&modules, services, kernel)
}

#[test]
fn a_draft_that_agrees_changes_nothing() {
    check_replan(
        BEFORE,
        &base(&[], vec![catalog(), sales()], &KERNEL),
        &[],
        &[],
    );
}

#[test]
fn a_renamed_service_is_found_by_its_modules() {
    let mut orders = sales();
    orders = DraftSpec::renamed(orders, "orders");
    check_replan(
        BEFORE,
        &base(&[], vec![catalog(), orders], &KERNEL),
        &[],
        &[],
    );
}

#[test]
fn a_new_module_joins_the_proposed_service_in_the_list_style() {
    let mut catalog = catalog();
    catalog = catalog.with_module("shop::search");
    check_replan(
        BEFORE,
        &base(&["shop::search"], vec![catalog, sales()], &KERNEL),
        &[(
            "    \"shop::catalog::**\",\n",
            "    \"shop::catalog::**\",\n    \"shop::search\",\n",
        )],
        &["new module shop::search in service \"catalog\""],
    );
}

#[test]
fn a_new_module_joins_the_shared_kernel_on_one_line() {
    check_replan(
        BEFORE,
        &base(
            &["shop::config"],
            vec![catalog(), sales()],
            &["shop::common", "shop::common::money", "shop::config"],
        ),
        &[(
            "modules = [\"shop::common\", \"shop::common::**\"]",
            "modules = [\"shop::common\", \"shop::common::**\", \"shop::config\"]",
        )],
        &["new module shop::config in the shared kernel"],
    );
}

#[test]
fn a_module_already_matched_by_a_pattern_is_not_added() {
    let sales = sales().with_module("shop::orders::refunds");
    check_replan(
        BEFORE,
        &base(&["shop::orders::refunds"], vec![catalog(), sales], &KERNEL),
        &[],
        &[],
    );
}

#[test]
fn a_new_service_lands_after_the_last_one() {
    let shipping = proposed("shipping", &["shop::shipping", "shop::shipping::api"])
        .routes(&["GET /shipments/{id}"])
        .tables(&["shipments"])
        .rank(3);
    check_replan(
        BEFORE,
        &base(
            &["shop::shipping", "shop::shipping::api"],
            vec![catalog(), sales(), shipping],
            &KERNEL,
        ),
        &[(
            "\"GET /orders/{id}\" = \"monolith\"\n",
            r#""GET /orders/{id}" = "monolith"

# Added by `ficus plan`: a service the analysis proposes. Rename it freely.
[[service]]
name = "shipping"
rank = 3
# upstream = "http://127.0.0.1:9003"   # where it listens, once it runs
modules = [
    "shop::shipping",
    "shop::shipping::**",
]
tables = ["shipments"]

[service.routes]
"GET /shipments/{id}" = "monolith"
"#,
        )],
        &[
            "new module shop::shipping in service \"shipping\"",
            "new module shop::shipping::api in service \"shipping\"",
            "new route GET /shipments/{id} in service \"shipping\"",
            "new service \"shipping\"",
        ],
    );
}

#[test]
fn fixed_services_add_no_service() {
    let before = BEFORE.replace(
        "together = [[\"shop::orders\", \"shop::payments\"]]\n",
        "together = [[\"shop::orders\", \"shop::payments\"]]\nfixed_services = true\n",
    );
    let shipping = proposed("shipping", &["shop::shipping"]).routes(&["GET /shipments"]);
    check_replan(
        &before,
        &base(
            &["shop::shipping"],
            vec![catalog(), sales(), shipping],
            &KERNEL,
        ),
        &[],
        &[
            "proposed service \"shipping\" not added (fixed_services is set); unassigned: shop::shipping",
        ],
    );
}

#[test]
fn a_proposed_service_of_modules_the_file_places_is_not_added() {
    let sales = proposed("sales", &["shop::orders", "shop::orders::service"])
        .routes(&["POST /orders", "GET /orders/{id}"])
        .tables(&["orders", "order_items"])
        .rank(2);
    let payments = proposed("payments", &["shop::payments"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog(), sales, payments], &KERNEL),
        &[],
        &[
            "module shop::payments stays in service \"sales\"; the analysis proposes service \"payments\"",
        ],
    );
}

#[test]
fn a_module_pinned_by_hand_stays_where_the_file_puts_it() {
    let catalog = catalog().with_module("shop::payments");
    let sales = proposed("sales", &["shop::orders", "shop::orders::service"])
        .routes(&["POST /orders", "GET /orders/{id}"])
        .tables(&["orders", "order_items"])
        .rank(2);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[],
        &[
            "module shop::payments stays in service \"sales\"; the analysis proposes service \"catalog\"",
        ],
    );
}

#[test]
fn a_vanished_module_loses_its_entry_and_its_comment() {
    let modules: Vec<&str> = MODULES
        .iter()
        .copied()
        .filter(|module| *module != "shop::payments")
        .collect();
    let sales = proposed("sales", &["shop::orders", "shop::orders::service"])
        .routes(&["POST /orders", "GET /orders/{id}"])
        .tables(&["orders", "order_items"])
        .rank(2);
    check_replan(
        BEFORE,
        &draft(&modules, vec![catalog(), sales], &KERNEL),
        &[("\n  # pinned here on purpose\n  \"shop::payments\",", "")],
        &["module shop::payments is gone from the code; removed from service \"sales\""],
    );
}

#[test]
fn a_wildcard_matching_nothing_is_kept_and_reported() {
    let modules: Vec<&str> = MODULES
        .iter()
        .copied()
        .filter(|module| !module.starts_with("shop::catalog::"))
        .collect();
    let catalog = proposed("catalog", &["shop::catalog"])
        .routes(&["GET /products", "GET /products/{id}", "POST /products"])
        .tables(&["products"])
        .rank(1);
    check_replan(
        BEFORE,
        &draft(&modules, vec![catalog, sales()], &KERNEL),
        &[],
        &["pattern shop::catalog::** in service \"catalog\" matches no module; kept"],
    );
}

#[test]
fn routes_are_added_removed_or_kept_by_their_state() {
    let catalog = catalog().with_routes(&["GET /products"]);
    let sales = sales().with_routes(&["POST /orders", "GET /orders/{id}", "DELETE /orders/{id}"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            ("\"POST /products\" = \"monolith\"\n", ""),
            (
                "\"GET /orders/{id}\" = \"monolith\"\n",
                "\"GET /orders/{id}\" = \"monolith\"\n\"DELETE /orders/{id}\" = \"monolith\"\n",
            ),
        ],
        &[
            "new route DELETE /orders/{id} in service \"sales\"",
            "route GET /products/{id} is gone from the code; kept in service \"catalog\" (canary 30%)",
            "route POST /products is gone from service \"catalog\"'s code; removed",
        ],
    );
}

#[test]
fn a_monolith_route_follows_its_handler_and_a_migrating_one_stays() {
    let catalog = catalog().with_routes(&["GET /products/{id}", "POST /products", "POST /orders"]);
    let sales = sales().with_routes(&["GET /orders/{id}", "GET /products"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            ("\"POST /orders\" = \"monolith\"\n", ""),
            (
                "\"POST /products\" = \"monolith\"\n",
                "\"POST /products\" = \"monolith\"\n\"POST /orders\" = \"monolith\"\n",
            ),
        ],
        &[
            "route POST /orders moved from service \"sales\" to service \"catalog\"",
            "route GET /products stays in service \"catalog\" (service); its handler is now in service \"sales\"",
        ],
    );
}

#[test]
fn routes_with_other_parameter_names_are_the_same_route() {
    let sales = sales().with_routes(&["POST /orders", "GET /orders/{order_id}"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog(), sales], &KERNEL),
        &[],
        &[],
    );
}

#[test]
fn a_routes_table_emptied_by_a_move_goes_away() {
    let catalog = catalog().with_routes(&[
        "GET /products",
        "GET /products/{id}",
        "POST /products",
        "POST /orders",
        "GET /orders/{id}",
    ]);
    let sales = sales().with_routes(&[]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            (
                "\n[service.routes]\n\"POST /orders\" = \"monolith\"\n\"GET /orders/{id}\" = \"monolith\"\n",
                "",
            ),
            (
                "\"POST /products\" = \"monolith\"\n",
                "\"POST /products\" = \"monolith\"\n\"POST /orders\" = \"monolith\"\n\"GET /orders/{id}\" = \"monolith\"\n",
            ),
        ],
        &[
            "route POST /orders moved from service \"sales\" to service \"catalog\"",
            "route GET /orders/{id} moved from service \"sales\" to service \"catalog\"",
        ],
    );
}

#[test]
fn tables_are_redrafted_in_each_array_layout() {
    let catalog = catalog().tables(&["products", "categories"]);
    let sales = sales().tables(&["orders", "refunds"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            (
                "tables = [\"products\"]   # only catalog writes it",
                "tables = [\"products\", \"categories\"]   # only catalog writes it",
            ),
            (
                "tables = [\n  \"orders\",\n  \"order_items\",\n]",
                "tables = [\n  \"orders\",\n  \"refunds\",\n]",
            ),
        ],
        &[
            "service \"catalog\" now owns table categories",
            "service \"sales\" now owns table refunds",
            "service \"sales\" no longer owns table order_items",
        ],
    );
}

#[test]
fn tables_in_another_order_are_not_rewritten() {
    let sales = sales().tables(&["order_items", "orders"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog(), sales], &KERNEL),
        &[],
        &[],
    );
}

#[test]
fn ranks_are_redrafted_keeping_comments() {
    let catalog = catalog().rank(2);
    let mut sales = sales();
    sales = sales.without_rank();
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            ("rank = 1 # drafted", "rank = 2 # drafted"),
            ("rank = 2\nmodules", "modules"),
        ],
        &[
            "service \"catalog\" rank 1 -> 2",
            "service \"sales\" rank 2 -> none",
        ],
    );
}

#[test]
fn a_service_the_draft_does_not_mention_is_left_alone() {
    check_replan(
        BEFORE,
        &base(&[], vec![sales()], &KERNEL),
        &[],
        &["service \"catalog\" is not in the analysis's proposal; left as it is"],
    );
}

#[test]
fn the_shared_kernel_is_created_when_needed() {
    let before = BEFORE.replace(
        "\n[shared_kernel]\nmodules = [\"shop::common\", \"shop::common::**\"]\n",
        "",
    );
    check_replan(
        &before,
        &base(&[], vec![catalog(), sales()], &KERNEL),
        &[(
            "\"GET /orders/{id}\" = \"monolith\"\n",
            "\"GET /orders/{id}\" = \"monolith\"\n\n[shared_kernel]\nmodules = [\n    \"shop::common\",\n    \"shop::common::**\",\n]\n",
        )],
        &[
            "new module shop::common in the shared kernel",
            "new module shop::common::money in the shared kernel",
        ],
    );
}

#[test]
fn inline_routes_tables_are_edited_too() {
    let before = "version = 1\n[monolith]\nname = \"x\"\nsource = \".\"\n[[service]]\nname = \"a\"\nmodules = [\"x::a\"]\nroutes = { \"GET /a\" = \"monolith\" }\n";
    check_replan(
        before,
        &draft(
            &["x", "x::a"],
            vec![proposed("a", &["x::a"]).routes(&["GET /a", "POST /a"])],
            &[],
        ),
        &[(
            "routes = { \"GET /a\" = \"monolith\" }",
            "routes = { \"GET /a\" = \"monolith\", \"POST /a\" = \"monolith\" }",
        )],
        &["new route POST /a in service \"a\""],
    );
}

#[test]
fn the_document_plan_follows_the_edit() {
    let mut doc = document(BEFORE);
    let catalog = catalog().with_module("shop::search");
    doc.apply(&base(&["shop::search"], vec![catalog, sales()], &KERNEL))
        .unwrap();
    let owner = doc
        .plan()
        .service_of("shop::search")
        .map(|s| s.name.clone());
    assert_eq!(owner.as_deref(), Some("catalog"));
}

#[test]
fn an_inconsistent_draft_is_refused() {
    let both = proposed("other", &["shop::orders"]);
    check_replan_error(
        BEFORE,
        &base(&[], vec![catalog(), sales(), both], &KERNEL),
        "invalid draft: \"shop::orders\" is in both service \"sales\" and service \"other\"",
    );
    check_replan_error(
        BEFORE,
        &base(&[], vec![proposed("Bad", &[])], &KERNEL),
        "invalid draft: invalid service name \"Bad\": use lower-case letters, digits and `-`",
    );
    check_replan_error(
        BEFORE,
        &base(&[], vec![proposed("a", &["shop::nowhere"])], &KERNEL),
        "invalid draft: service \"a\" lists \"shop::nowhere\", which is not in `modules`",
    );
    check_replan_error(
        BEFORE,
        &base(&["shop::a::*"], vec![], &KERNEL),
        "invalid draft: module \"shop::a::*\": `*` is not a module name",
    );
    check_replan_error(
        BEFORE,
        &base(&[], vec![catalog(), catalog()], &KERNEL),
        "invalid draft: \"shop::catalog\" is in both service \"catalog\" and service \"catalog\"",
    );
    check_replan_error(
        BEFORE,
        &base(
            &[],
            vec![
                proposed("a", &[]).routes(&["GET /x"]),
                proposed("b", &[]).routes(&["GET /x"]),
            ],
            &KERNEL,
        ),
        "invalid draft: route \"GET /x\" is in both service \"a\" and service \"b\"",
    );
}

#[test]
fn services_written_inline_are_not_edited() {
    let before =
        "version = 1\nservice = [{ name = \"a\" }]\n[monolith]\nname = \"x\"\nsource = \".\"\n";
    check_replan_error(
        before,
        &draft(&["x"], vec![], &[]),
        "ficus.toml: service: write services as [[service]] tables for ficus plan to edit them",
    );
}

#[test]
fn a_file_without_services_gets_the_proposed_ones() {
    let before = "version = 1\n\n[monolith]\nname = \"x\"\nsource = \".\"\n\n[shared_kernel]\nmodules = [\"x::util\"]\n";
    check_replan(
        before,
        &draft(
            &["x", "x::util", "x::a"],
            vec![proposed("alpha", &["x::a"]).routes(&["GET /a"]).rank(1)],
            &["x::util"],
        ),
        &[(
            "modules = [\"x::util\"]\n",
            r#"modules = ["x::util"]

# Added by `ficus plan`: a service the analysis proposes. Rename it freely.
[[service]]
name = "alpha"
rank = 1
# upstream = "http://127.0.0.1:9001"   # where it listens, once it runs
modules = ["x::a"]
tables = []

[service.routes]
"GET /a" = "monolith"
"#,
        )],
        &[
            "new module x::a in service \"alpha\"",
            "new route GET /a in service \"alpha\"",
            "new service \"alpha\"",
        ],
    );
}

#[test]
fn a_table_the_draft_gives_elsewhere_leaves_a_service_it_does_not_mention() {
    let sales = sales().tables(&["orders", "order_items", "products"]);
    check_replan(
        BEFORE,
        &base(&[], vec![sales], &KERNEL),
        &[
            (
                "tables = [\"products\"]   # only catalog writes it",
                "tables = []   # only catalog writes it",
            ),
            (
                "tables = [\n  \"orders\",\n  \"order_items\",\n]",
                "tables = [\n  \"orders\",\n  \"order_items\",\n  \"products\",\n]",
            ),
        ],
        &[
            "service \"catalog\" no longer owns table products",
            "service \"sales\" now owns table products",
            "service \"catalog\" is not in the analysis's proposal; left as it is",
        ],
    );
}

#[test]
fn issue_9_a_new_route_with_several_handlers_comes_with_their_comment() {
    let catalog = catalog()
        .with_routes(&[
            "GET /products",
            "GET /products/{id}",
            "POST /products",
            "GET /products/{id}/image",
        ])
        .handled_by(
            "GET /products/{id}/image",
            &[
                "shop::catalog::handlers::image",
                "shop::catalog::handlers::image_ranked",
            ],
        );
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales()], &KERNEL),
        &[(
            "\"POST /products\" = \"monolith\"\n",
            "\"POST /products\" = \"monolith\"\n\
             # 2 handlers: shop::catalog::handlers::image, shop::catalog::handlers::image_ranked\n\
             \"GET /products/{id}/image\" = \"monolith\"\n",
        )],
        &["new route GET /products/{id}/image in service \"catalog\""],
    );
}

#[test]
fn issue_9_a_route_that_several_handlers_serve_moves_once_with_its_handler() {
    // The analysis now drafts `POST /orders` in catalog (its first handler moved there); the
    // route is in state `monolith`, so it follows.
    let catalog = catalog()
        .with_routes(&[
            "GET /products",
            "GET /products/{id}",
            "POST /products",
            "POST /orders",
        ])
        .handled_by(
            "POST /orders",
            &[
                "shop::catalog::handlers::order",
                "shop::orders::place (service \"sales\")",
            ],
        );
    let sales = sales().with_routes(&["GET /orders/{id}"]);
    check_replan(
        BEFORE,
        &base(&[], vec![catalog, sales], &KERNEL),
        &[
            (
                "\"POST /products\" = \"monolith\"\n",
                "\"POST /products\" = \"monolith\"\n\"POST /orders\" = \"monolith\"\n",
            ),
            ("\"POST /orders\" = \"monolith\"\n\"GET", "\"GET"),
        ],
        &["route POST /orders moved from service \"sales\" to service \"catalog\""],
    );
}

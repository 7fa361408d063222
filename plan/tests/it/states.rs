//! Changing a route's migration state in a plan file, as the proxy does when a rollout moves:
//! the value changes, the key, its comments and the rest of the file stay as written.

use std::path::Path;

use ficus_plan::{Error, PlanDocument, RouteKey, RouteState};

const PLAN: &str = r#"version = 1

[monolith]
name = "shop"
source = "."
upstream = "http://127.0.0.1:8080"

# Catalog goes first.
[[service]]
name = "catalog"
upstream = "http://127.0.0.1:9001"
modules = ["shop::catalog"]

[service.routes]
# the product page: watched closely
"GET /products/{id}" = "monolith"   # since May
"POST /products" = { state = "canary", percent = 25 } # writes

[[service]]
name = "orders"
upstream = "http://127.0.0.1:9002"
modules = ["shop::orders"]

[service.routes]
"GET /orders" = "shadow"
"#;

fn document() -> PlanDocument {
    PlanDocument::parse(PLAN, Path::new("ficus.toml")).unwrap()
}

fn key(text: &str) -> RouteKey {
    RouteKey::parse(text).unwrap()
}

#[test]
fn a_state_changes_in_place_keeping_comments_and_layout() {
    let mut plan = document();
    let before = plan
        .set_route_state(
            &key("GET /products/{id}"),
            RouteState::Canary { percent: 5 },
        )
        .unwrap();
    assert_eq!(before, RouteState::Monolith);
    assert_eq!(
        plan.to_string(),
        PLAN.replace(
            r#""GET /products/{id}" = "monolith"   # since May"#,
            r#""GET /products/{id}" = { state = "canary", percent = 5 }   # since May"#
        )
    );
    // Back to a state without a percent: the short form; the other service is untouched.
    plan.set_route_state(&key("POST /products"), RouteState::Service)
        .unwrap();
    plan.set_route_state(&key("GET /orders"), RouteState::Retired)
        .unwrap();
    let text = plan.to_string();
    assert!(
        text.contains("\"POST /products\" = \"service\" # writes\n"),
        "{text}"
    );
    assert!(text.contains("\"GET /orders\" = \"retired\"\n"), "{text}");
    assert!(
        text.contains("# the product page: watched closely\n"),
        "{text}"
    );
    // What the text says is what the plan holds.
    let reread = PlanDocument::parse(&text, Path::new("ficus.toml")).unwrap();
    let state = |route: &str| {
        let wanted = key(route);
        reread
            .plan()
            .routes()
            .find(|(_, written)| written.key == wanted)
            .map(|(_, written)| written.state)
            .unwrap()
    };
    assert_eq!(
        state("GET /products/{id}"),
        RouteState::Canary { percent: 5 }
    );
    assert_eq!(state("POST /products"), RouteState::Service);
    assert_eq!(state("GET /orders"), RouteState::Retired);
}

#[test]
fn a_route_no_service_lists_is_refused_and_nothing_changes() {
    let mut plan = document();
    let error = plan
        .set_route_state(&key("GET /nowhere"), RouteState::Service)
        .unwrap_err();
    assert!(matches!(error, Error::NotEditable { .. }));
    assert_eq!(
        error.to_string(),
        "ficus.toml: routes.\"GET /nowhere\": no service of the plan lists this route"
    );
    assert_eq!(plan.to_string(), PLAN);
}

#[test]
fn retired_takes_no_percent() {
    let text = PLAN.replace(
        r#""GET /orders" = "shadow""#,
        r#""GET /orders" = { state = "retired", percent = 5 }"#,
    );
    let error = PlanDocument::parse(&text, Path::new("ficus.toml")).unwrap_err();
    assert!(error.to_string().contains("percent"), "{error}");
}

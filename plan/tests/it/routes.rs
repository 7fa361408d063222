//! Route keys and states as values: parsing, shapes, and how a state is written back.

use ficus_plan::{RouteKey, RouteMethod, RouteState};

fn check_key(text: &str, method: RouteMethod, path: &str, shape: &str) {
    let key = RouteKey::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
    assert_eq!(key.method(), &method);
    assert_eq!(key.path(), path);
    assert_eq!(key.shape(), shape);
    assert_eq!(key.to_string(), text);
}

fn check_state(name: &str, percent: Option<i64>, expected: Result<RouteState, &str>) {
    let actual = RouteState::from_parts(name, percent).map_err(|error| error.to_string());
    assert_eq!(actual, expected.map_err(str::to_string));
}

#[test]
fn plain_and_parameterised_keys() {
    check_key("GET /", RouteMethod::Named("GET".into()), "/", "GET /");
    check_key(
        "GET /api/orders/{id}",
        RouteMethod::Named("GET".into()),
        "/api/orders/{id}",
        "GET /api/orders/{}",
    );
    check_key(
        "* /static/{*path}",
        RouteMethod::Any,
        "/static/{*path}",
        "* /static/{*}",
    );
    check_key(
        "PROPFIND /dav/",
        RouteMethod::Named("PROPFIND".into()),
        "/dav/",
        "PROPFIND /dav/",
    );
}

#[test]
fn keys_differing_only_in_parameter_names_have_one_shape() {
    let first = RouteKey::parse("GET /a/{id}/b").unwrap();
    let second = RouteKey::parse("GET /a/{key}/b").unwrap();
    assert_ne!(first, second);
    assert_eq!(first.shape(), second.shape());
}

#[test]
fn states_and_their_percents() {
    check_state("monolith", None, Ok(RouteState::Monolith));
    check_state("service", None, Ok(RouteState::Service));
    check_state("shadow", None, Ok(RouteState::Shadow { percent: 100 }));
    check_state("canary", None, Ok(RouteState::Canary { percent: 10 }));
    check_state("canary", Some(0), Ok(RouteState::Canary { percent: 0 }));
    check_state("canary", Some(100), Ok(RouteState::Canary { percent: 100 }));
    check_state(
        "canary",
        Some(-1),
        Err("percent -1 is out of range (expected 0 to 100)"),
    );
    check_state(
        "service",
        Some(100),
        Err("state \"service\" takes no percent (only shadow and canary do)"),
    );
    check_state(
        "Canary",
        None,
        Err("unknown state \"Canary\" (expected monolith, shadow, canary, service or retired)"),
    );
}

#[test]
fn states_display_with_their_percent_only_when_not_the_default() {
    assert_eq!(RouteState::Canary { percent: 10 }.to_string(), "canary");
    assert_eq!(RouteState::Canary { percent: 25 }.to_string(), "canary 25%");
    assert_eq!(RouteState::Shadow { percent: 100 }.to_string(), "shadow");
    assert_eq!(
        RouteState::Shadow { percent: 1 }.explicit_percent(),
        Some(1)
    );
    assert!(!RouteState::Monolith.reaches_service());
    assert!(RouteState::Shadow { percent: 0 }.reaches_service());
}

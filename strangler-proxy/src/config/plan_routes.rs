//! The routes a plan file's migration states ask for: each `[service.routes]` entry in state
//! `canary` becomes a route splitting its `percent` to the service and the rest to the
//! monolith, and each in state `service` a route sending everything to the service. The
//! upstreams come from `monolith.upstream` (named `monolith`) and each `service.upstream`
//! (named after the service), unless `[proxy]` defines upstreams of those names itself.
//! `monolith` routes need nothing (the default route already goes to the monolith); each in
//! state `shadow` becomes a route answered by the monolith whose requests are copied, `percent`
//! of them, to the service, with the settings of `plan_routes.shadow`.
//!
//! Derived routes come after the `[[proxy.route]]` tables, so at equal precedence a route
//! written by hand wins, and one written for exactly the same requests replaces the derived one. Route keys become patterns directly: `{name}` stays a parameter and a
//! final `{*rest}` becomes a prefix (`/**`, which also takes the path without the last segment).

use ficus_plan::{Plan, RouteMethod, RouteState, Scheme};

use super::file::{FileConfig, FileProtocol, FileRoute, FileTarget, FileUpstream};
use super::settings::PlanRoute;

/// Name given to the plan's monolith upstream.
pub const MONOLITH_UPSTREAM: &str = "monolith";

/// The name of the proxy route a plan route becomes: `catalog GET /api/products`.
pub fn route_name(service: &str, key: &ficus_plan::RouteKey) -> String {
    let method = match key.method() {
        RouteMethod::Any => "*",
        RouteMethod::Named(method) => method.as_str(),
    };
    format!("{service} {method} {}", key.path())
}

/// Appends the plan's upstreams and routes to `config` (see the module doc), and records
/// every plan route's state in `config.plan_states`.
pub fn add_plan_routes(plan: &Plan, config: &mut FileConfig) {
    for (service, route) in plan.routes() {
        let routed = route.state != RouteState::Monolith && service.upstream.is_some();
        config.plan_states.push(PlanRoute {
            key: route.key.to_string(),
            service: service.name.clone(),
            state: route.state,
            route_name: routed.then(|| route_name(&service.name, &route.key)),
        });
    }
    let defined = |config: &FileConfig, name: &str| {
        config
            .upstreams
            .iter()
            .any(|upstream| upstream.name == name)
    };
    if let Some(upstream) = &plan.monolith.upstream {
        if !defined(config, MONOLITH_UPSTREAM) {
            config
                .upstreams
                .push(file_upstream(MONOLITH_UPSTREAM, upstream));
        }
        if config.default_upstream.is_none() {
            config.default_upstream = Some(MONOLITH_UPSTREAM.to_owned());
        }
    }
    for service in &plan.services {
        let Some(upstream) = &service.upstream else {
            // The plan requires an upstream as soon as a route reaches the service.
            continue;
        };
        let mut service_used = false;
        for route in &service.routes {
            let mut shadow = None;
            let targets = match route.state {
                RouteState::Shadow { percent } => {
                    let mut settings = match &config.plan_routes.shadow {
                        Some(settings) => settings.clone(),
                        // Every field of a shadow table has a default.
                        None => toml::from_str("").expect("an empty shadow table parses"),
                    };
                    settings.upstream = Some(service.name.clone());
                    settings.percent = Some(i64::from(percent));
                    shadow = Some(settings);
                    vec![target(MONOLITH_UPSTREAM, 1)]
                }
                RouteState::Canary { percent } => vec![
                    target(MONOLITH_UPSTREAM, 100 - i64::from(percent)),
                    target(&service.name, i64::from(percent)),
                ],
                RouteState::Service | RouteState::Retired => vec![target(&service.name, 1)],
                RouteState::Monolith => continue,
            };
            service_used = true;
            let method = match route.key.method() {
                RouteMethod::Any => None,
                RouteMethod::Named(method) => Some(method.clone()),
            };
            config.routes.push(FileRoute {
                name: route_name(&service.name, &route.key),
                path: pattern_of(route.key.path()),
                methods: method.map(|method| vec![method]),
                host: None,
                headers: Default::default(),
                targets,
                sticky: config.plan_routes.sticky.clone(),
                allow_override: config.plan_routes.allow_override,
                fallback: config.plan_routes.fallback,
                request_timeout_ms: None,
                shadow,
                from_plan: true,
                rollout: matches!(route.state, RouteState::Canary { .. })
                    && config.plan_routes.rollout.is_some(),
            });
        }
        if service_used && !defined(config, &service.name) {
            config
                .upstreams
                .push(file_upstream(&service.name, upstream));
        }
    }
}

fn target(upstream: &str, weight: i64) -> FileTarget {
    FileTarget {
        upstream: upstream.to_owned(),
        weight,
    }
}

/// An upstream with every default but its name, address and protocol.
fn file_upstream(name: &str, upstream: &ficus_plan::Upstream) -> FileUpstream {
    let mut file_upstream: FileUpstream = toml::from_str(&format!(
        "name = {name:?}\naddresses = [{:?}]",
        format!("{}:{}", upstream.host(), upstream.port())
    ))
    // Every other field has a default; name and address are strings.
    .expect("a minimal upstream table parses");
    if upstream.scheme() == Scheme::Https {
        file_upstream.protocol = FileProtocol::Https;
    }
    file_upstream
}

/// `/orders/{id}` stays; `/files/{*rest}` becomes `/files/**`.
fn pattern_of(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((prefix, last)) if last.starts_with("{*") && last.ends_with('}') => {
            format!("{prefix}/**")
        }
        _ => path.to_owned(),
    }
}

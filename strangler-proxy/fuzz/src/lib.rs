//! Shared by the fuzz targets: a slow reference matcher, written from the precedence rules in
//! `route_table.rs`'s module doc rather than from its code, and [`check_against_reference`],
//! which asks the real [`RouteTable`] the same question and panics on any disagreement.
//!
//! The reference sorts the configured routes by precedence, then tries every route in that
//! order against the request with a plain segment-by-segment comparison: no trie, no
//! candidate collection. It is quadratic and allocates freely; it is meant to be obviously
//! right, not fast. It does not pick a target among weights, as the route table does not.

use ficus_proxy::config::Settings;
use ficus_proxy::config::settings::Route;
use ficus_proxy::pattern::Segment;
use ficus_proxy::route_table::{DEFAULT_ROUTE_NAME, RouteTable};

/// One request as the route table sees it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    pub host: Option<&'a str>,
    pub path: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
}

/// What the reference decided: the winning route's name (or `default`) and its captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceMatch {
    pub route_name: String,
    pub params: Vec<(String, String)>,
}

/// The configured routes in precedence order, by the module doc of `route_table.rs`:
/// exact before `{param}`/`*` before prefix; fewer wildcards first among `{param}`/`*`;
/// more segments, then fewer wildcards, among prefixes; then more conditions; then file order.
pub fn reference_order(settings: &Settings) -> Vec<&Route> {
    let mut ordered: Vec<&Route> = settings.routes.iter().collect();
    // A stable sort keeps file order as the last tie-break.
    ordered.sort_by(|left, right| {
        let class = |route: &Route| {
            if route.path.is_prefix {
                2
            } else if n_wildcards(route) == 0 {
                0
            } else {
                1
            }
        };
        let left_class = class(left);
        let right_class = class(right);
        left_class
            .cmp(&right_class)
            .then_with(|| match left_class {
                1 => n_wildcards(left).cmp(&n_wildcards(right)),
                2 => right
                    .path
                    .segments
                    .len()
                    .cmp(&left.path.segments.len())
                    .then_with(|| n_wildcards(left).cmp(&n_wildcards(right))),
                _ => std::cmp::Ordering::Equal,
            })
            .then_with(|| n_conditions(right).cmp(&n_conditions(left)))
    });
    ordered
}

/// The route the reference picks: the first route in [`reference_order`] whose pattern and
/// conditions both fit the request, else the default route.
pub fn reference_match(ordered: &[&Route], request: &Request<'_>) -> ReferenceMatch {
    let segments = request_segments(request.path);
    for route in ordered {
        if let Some(params) = pattern_fits(route, &segments)
            && conditions_fit(route, request)
        {
            return ReferenceMatch {
                route_name: route.name.clone(),
                params,
            };
        }
    }
    ReferenceMatch {
        route_name: DEFAULT_ROUTE_NAME.to_owned(),
        params: Vec::new(),
    }
}

/// Whether some configured route's pattern and conditions both fit the request.
pub fn any_route_fits(settings: &Settings, request: &Request<'_>) -> bool {
    let segments = request_segments(request.path);
    settings
        .routes
        .iter()
        .any(|route| pattern_fits(route, &segments).is_some() && conditions_fit(route, request))
}

/// Matches `request` with both the table and the reference and panics, with the request in
/// the message, when they disagree or when an invariant of the table does not hold:
/// - the winner and its captured params equal the reference's;
/// - the number of params equals the number of `{param}` segments of the winner's pattern;
/// - the default route wins only when no configured route's pattern and conditions fit;
/// - a route whose pattern is all literals, equal to the request's segments, and whose
///   conditions hold, is never beaten by a prefix route.
pub fn check_against_reference(
    settings: &Settings,
    table: &RouteTable,
    ordered: &[&Route],
    request: &Request<'_>,
) {
    let matched = table.match_request(request.method, request.host, request.path, &request.headers);
    let n_pattern_params = matched
        .route
        .path
        .segments
        .iter()
        .filter(|segment| matches!(segment, Segment::Param(_)))
        .count();
    assert_eq!(
        matched.params.len(),
        n_pattern_params,
        "params of route {:?} for {request:?}: {:?}",
        matched.route.name,
        matched.params
    );

    let fits = any_route_fits(settings, request);
    assert_eq!(
        matched.is_default(),
        !fits,
        "default route chosen = {}, but some route fits = {fits}, for {request:?}",
        matched.is_default()
    );

    if matched.route.path.is_prefix {
        let segments = request_segments(request.path);
        let exact_winner = settings.routes.iter().find(|route| {
            !route.path.is_prefix
                && n_wildcards(route) == 0
                && pattern_fits(route, &segments).is_some()
                && conditions_fit(route, request)
        });
        assert!(
            exact_winner.is_none(),
            "prefix route {:?} beat exact route {:?} for {request:?}",
            matched.route.name,
            exact_winner.map(|route| &route.name)
        );
    }

    let expected = reference_match(ordered, request);
    let actual = ReferenceMatch {
        route_name: matched.route.name.clone(),
        params: matched
            .params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect(),
    };
    assert_eq!(actual, expected, "table vs reference for {request:?}");
}

/// The path's segments: query and fragment cut off, empty segments dropped.
fn request_segments(path: &str) -> Vec<&str> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    path[..end]
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect()
}

/// The captured params if the route's pattern fits `segments`, else `None`.
fn pattern_fits(route: &Route, segments: &[&str]) -> Option<Vec<(String, String)>> {
    let pattern = &route.path.segments;
    let length_ok = if route.path.is_prefix {
        segments.len() >= pattern.len()
    } else {
        segments.len() == pattern.len()
    };
    if !length_ok {
        return None;
    }
    let mut params = Vec::new();
    for (pattern_segment, segment) in pattern.iter().zip(segments) {
        match pattern_segment {
            Segment::Literal(text) if text == segment => {}
            Segment::Literal(_) => return None,
            Segment::Param(name) => params.push((name.clone(), (*segment).to_owned())),
            Segment::Glob => {}
        }
    }
    Some(params)
}

fn conditions_fit(route: &Route, request: &Request<'_>) -> bool {
    let method_ok = route
        .methods
        .as_ref()
        .is_none_or(|methods| methods.iter().any(|method| method == request.method));
    let host_ok = route.host.as_ref().is_none_or(|wanted| {
        request
            .host
            .map(host_without_port)
            .is_some_and(|host| host.to_ascii_lowercase() == *wanted)
    });
    let headers_ok = route.headers.iter().all(|(wanted_name, wanted_value)| {
        request
            .headers
            .iter()
            .any(|(name, value)| name.to_ascii_lowercase() == *wanted_name && value == wanted_value)
    });
    method_ok && host_ok && headers_ok
}

/// `name:port` -> `name`, `[v6]:port` -> `[v6]`; a bare IPv6 address (two or more colons) or
/// a port with non-digits stays whole.
fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(close) => &host[..=close],
            None => host,
        };
    }
    match host.split_once(':') {
        Some((name, port)) if !port.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn n_wildcards(route: &Route) -> usize {
    route
        .path
        .segments
        .iter()
        .filter(|segment| !matches!(segment, Segment::Literal(_)))
        .count()
}

fn n_conditions(route: &Route) -> usize {
    usize::from(route.methods.is_some()) + usize::from(route.host.is_some()) + route.headers.len()
}

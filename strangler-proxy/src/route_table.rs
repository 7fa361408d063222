//! The compiled routing table: built once from [`Settings`], then asked for the route of each
//! request by [`RouteTable::match_request`]. It only chooses a route and captures its path
//! parameters; it does not pick a target among the route's weights, read sticky keys or
//! honour override headers.
//!
//! # Precedence
//!
//! When several routes match a request, the first by these rules wins:
//!
//! 1. The more specific path: an exact pattern (only literal segments, `/api/orders`) beats a
//!    pattern with `{param}` or `*` segments, which beats a prefix pattern (`/api/**`).
//!    Among `{param}`/`*` patterns, fewer wildcard segments win. Among prefix patterns, the
//!    longer prefix (more segments) wins, then fewer wildcard segments.
//! 2. Then the route with more conditions: a `methods` list, a `host` and each `headers`
//!    entry count one each.
//! 3. Then file order.
//!
//! A request no route takes goes to the catch-all default route, named `default`, whose only
//! target is the default upstream (the monolith).
//!
//! # How matching works, and what it costs
//!
//! Patterns are compiled into a segment trie: each node has literal children (scanned when
//! they are few, in a hash map past sixteen), one child for `{param}` and `*` segments (both
//! take any one segment), the routes whose pattern ends at the node, and the prefix routes
//! whose `**` starts there. Routes are sorted
//! once by precedence, so a route's rank is its index. Matching walks the trie along the
//! request's segments, following both the literal and the wildcard child; since a trie node
//! sits at one depth, each node is visited at most once, so a match costs O(visited nodes),
//! which is O(segments) for tables without overlapping wildcards and at most the size of the
//! trie. The candidates found are tried in rank order and the first whose method, host and
//! headers conditions hold wins. No regular expression runs on the request path.
//!
//! Paths are matched on raw segments: the query string is ignored, empty segments are skipped
//! (`//a/` matches like `/a`), and nothing is percent-decoded.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::config::Settings;
use crate::config::settings::{Route, Target};
use crate::pattern::Segment;

#[cfg(test)]
mod tests;

/// Name of the catch-all route that sends unmatched requests to the default upstream.
pub const DEFAULT_ROUTE_NAME: &str = "default";

/// The compiled matcher. Immutable once built; a reload builds a new one.
#[derive(Debug, Clone)]
pub struct RouteTable {
    /// Routes sorted by precedence: index = rank, lower wins.
    routes: Vec<CompiledRoute>,
    root: Node,
    default_route: Route,
}

/// The route chosen for a request, with the path parameters it captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'table, 'request> {
    pub route: &'table Route,
    /// The route's rank in precedence order: its index in [`RouteTable::routes`], or
    /// [`RouteTable::n_routes`] for the default route. Lets callers keep per-route data in a
    /// vector beside the table.
    pub rank: usize,
    /// `(name, value)` for each `{param}` of the pattern, in pattern order.
    pub params: Vec<(&'table str, &'request str)>,
}

impl RouteMatch<'_, '_> {
    /// Whether no route took the request and it goes to the default upstream.
    pub fn is_default(&self) -> bool {
        // Validation reserves the name, so no configured route has it.
        self.route.name == DEFAULT_ROUTE_NAME
    }

    /// The value captured for `{name}`, if the pattern has it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(param_name, _)| *param_name == name)
            .map(|(_, value)| *value)
    }
}

#[derive(Debug, Clone)]
struct CompiledRoute {
    route: Route,
    /// `(segment index, name)` of each `{param}`.
    captures: Vec<(usize, String)>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    literal_children: Children,
    wildcard_child: Option<Box<Node>>,
    /// Ranks of routes whose pattern ends exactly here.
    exact_routes: Vec<usize>,
    /// Ranks of prefix routes whose `**` follows this node.
    prefix_routes: Vec<usize>,
}

/// The literal children of a trie node. A few (the usual case: a node of a route table
/// rarely has more than a dozen) are found by a scan that compares lengths before bytes, which
/// costs less than hashing the request's segment; past [`Children::FEW`], by a hash map.
#[derive(Debug, Clone)]
enum Children {
    Few(Vec<(Box<str>, Node)>),
    Many(FxHashMap<Box<str>, Node>),
}

impl Default for Children {
    fn default() -> Children {
        Children::Few(Vec::new())
    }
}

impl Children {
    const FEW: usize = 16;

    fn get(&self, segment: &str) -> Option<&Node> {
        match self {
            Children::Few(children) => children
                .iter()
                .find(|(text, _)| text.len() == segment.len() && **text == *segment)
                .map(|(_, child)| child),
            Children::Many(children) => children.get(segment),
        }
    }

    /// The child for `text`, added if missing.
    fn child_mut(&mut self, text: &str) -> &mut Node {
        if let Children::Few(children) = self
            && children.len() >= Children::FEW
            && !children.iter().any(|(known, _)| **known == *text)
        {
            *self = Children::Many(std::mem::take(children).into_iter().collect());
        }
        match self {
            Children::Few(children) => {
                let child_idx = match children.iter().position(|(known, _)| **known == *text) {
                    Some(child_idx) => child_idx,
                    None => {
                        children.push((text.into(), Node::default()));
                        children.len() - 1
                    }
                };
                &mut children[child_idx].1
            }
            Children::Many(children) => children.entry(text.into()).or_default(),
        }
    }
}

impl RouteTable {
    /// Compiles the routes of `settings`. Cannot fail: settings are already validated.
    pub fn new(settings: &Settings) -> RouteTable {
        let mut ordered: Vec<(usize, &Route)> = settings.routes.iter().enumerate().collect();
        ordered.sort_by_key(|(file_idx, route)| (precedence_key(route), *file_idx));

        let mut root = Node::default();
        let mut routes = Vec::with_capacity(ordered.len());
        for (rank, (_, route)) in ordered.into_iter().enumerate() {
            let mut node = &mut root;
            let mut captures = Vec::new();
            for (segment_idx, segment) in route.path.segments.iter().enumerate() {
                node = match segment {
                    Segment::Literal(text) => node.literal_children.child_mut(text),
                    Segment::Param(name) => {
                        captures.push((segment_idx, name.clone()));
                        node.wildcard_child.get_or_insert_with(Box::default)
                    }
                    Segment::Glob => node.wildcard_child.get_or_insert_with(Box::default),
                };
            }
            if route.path.is_prefix {
                node.prefix_routes.push(rank);
            } else {
                node.exact_routes.push(rank);
            }
            routes.push(CompiledRoute {
                route: route.clone(),
                captures,
            });
        }

        let default_route = Route {
            name: DEFAULT_ROUTE_NAME.to_owned(),
            path: crate::pattern::PathPattern {
                text: "/**".to_owned(),
                segments: Vec::new(),
                is_prefix: true,
            },
            methods: None,
            host: None,
            headers: Vec::new(),
            targets: vec![Target {
                upstream: settings.default_upstream.clone(),
                weight: 1,
            }],
            sticky: None,
            allow_override: false,
            fallback: false,
            request_timeout: None,
            shadow: None,
            rollout: false,
            from_plan: false,
        };
        RouteTable {
            routes,
            root,
            default_route,
        }
    }

    /// The route for a request: `method` as sent (upper case), `host` from the `Host` header or
    /// URI authority (a port is ignored), `path` (a query string is ignored) and the request's
    /// headers as `(name, value)` pairs, names in any case. A header condition holds when any
    /// value of that header equals the configured one. Falls back to the default route.
    pub fn match_request<'table, 'request>(
        &'table self,
        method: &str,
        host: Option<&str>,
        path: &'request str,
        headers: &[(&str, &str)],
    ) -> RouteMatch<'table, 'request> {
        // A stack buffer: a table rarely has more than 8 candidate routes for one path.
        let mut candidates: SmallVec<[usize; 8]> = SmallVec::new();
        collect_candidates(&self.root, path, &mut candidates);
        if candidates.len() > 1 {
            candidates.sort_unstable();
            candidates.dedup();
        }

        for rank in candidates {
            let compiled = &self.routes[rank];
            if conditions_hold(&compiled.route, method, host, headers) {
                // The segments are cut again only for a pattern that captures some.
                let params = if compiled.captures.is_empty() {
                    Vec::new()
                } else {
                    let segments = path_segments(path);
                    compiled
                        .captures
                        .iter()
                        .map(|(segment_idx, name)| (name.as_str(), segments[*segment_idx]))
                        .collect()
                };
                return RouteMatch {
                    route: &compiled.route,
                    rank,
                    params,
                };
            }
        }
        RouteMatch {
            route: &self.default_route,
            rank: self.routes.len(),
            params: Vec::new(),
        }
    }

    /// The configured routes in precedence order (the default route is not included).
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().map(|compiled| &compiled.route)
    }

    /// Number of configured routes (the default route not counted).
    pub fn n_routes(&self) -> usize {
        self.routes.len()
    }

    /// The catch-all route to the default upstream.
    pub fn default_route(&self) -> &Route {
        &self.default_route
    }
}

/// The non-empty segments of `path` before any `?` or `#`. Byte by byte: `/`, `?` and `#`
/// are ASCII, so every cut falls on a character boundary.
fn path_segments(path: &str) -> SmallVec<[&str; 16]> {
    let mut segments = SmallVec::new();
    let mut start = 0;
    for (idx, byte) in path.bytes().enumerate() {
        match byte {
            b'/' => {
                if idx > start {
                    segments.push(&path[start..idx]);
                }
                start = idx + 1;
            }
            b'?' | b'#' => {
                if idx > start {
                    segments.push(&path[start..idx]);
                }
                return segments;
            }
            _ => {}
        }
    }
    if path.len() > start {
        segments.push(&path[start..]);
    }
    segments
}

/// Lower sorts first. See the module doc for the rules.
fn precedence_key(route: &Route) -> (u8, usize, usize, usize) {
    let n_wildcards = route.path.n_wildcards();
    let n_segments = route.path.segments.len();
    let fewer_conditions_later = usize::MAX - route.n_conditions();
    if route.path.is_prefix {
        (
            2,
            usize::MAX - n_segments,
            n_wildcards,
            fewer_conditions_later,
        )
    } else if n_wildcards == 0 {
        (0, 0, 0, fewer_conditions_later)
    } else {
        (1, n_wildcards, 0, fewer_conditions_later)
    }
}

/// Walks the trie along the segments of `path` (what is left of it at `node`), cut one at a
/// time as [`path_segments`] cuts them, without a vector of them all.
fn collect_candidates(node: &Node, path: &str, candidates: &mut SmallVec<[usize; 8]>) {
    // A prefix route matches its prefix itself and anything below it. (Most nodes hold no
    // route at all: the check is cheaper than an empty `extend_from_slice`.)
    if !node.prefix_routes.is_empty() {
        candidates.extend_from_slice(&node.prefix_routes);
    }
    let Some((first, rest)) = next_segment(path) else {
        if !node.exact_routes.is_empty() {
            candidates.extend_from_slice(&node.exact_routes);
        }
        return;
    };
    if let Some(child) = node.literal_children.get(first) {
        collect_candidates(child, rest, candidates);
    }
    if let Some(child) = &node.wildcard_child {
        collect_candidates(child, rest, candidates);
    }
}

/// The first non-empty segment of `path` and what follows it; `None` when no segment is left
/// before the end, a `?` or a `#`.
fn next_segment(path: &str) -> Option<(&str, &str)> {
    let bytes = path.as_bytes();
    let start = bytes.iter().position(|byte| *byte != b'/')?;
    if matches!(bytes[start], b'?' | b'#') {
        return None;
    }
    let end = bytes[start..]
        .iter()
        .position(|byte| matches!(byte, b'/' | b'?' | b'#'))
        .map_or(bytes.len(), |len| start + len);
    // `/`, `?` and `#` are ASCII: both cuts fall on character boundaries.
    Some((&path[start..end], &path[end..]))
}

fn conditions_hold(
    route: &Route,
    method: &str,
    host: Option<&str>,
    headers: &[(&str, &str)],
) -> bool {
    if let Some(methods) = &route.methods
        && !methods.iter().any(|allowed| allowed == method)
    {
        return false;
    }
    if let Some(wanted_host) = &route.host
        && !host.is_some_and(|host| strip_port(host).eq_ignore_ascii_case(wanted_host))
    {
        return false;
    }
    route.headers.iter().all(|(wanted_name, wanted_value)| {
        headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case(wanted_name) && value == wanted_value)
    })
}

/// `example.com:8080` -> `example.com`, `[::1]:80` -> `[::1]`; a bare IPv6 host stays whole.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(inside, _)| &host[..inside.len() + 1]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

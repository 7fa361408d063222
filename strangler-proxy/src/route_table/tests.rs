//! Route table tests: every pattern kind, every precedence rule and every condition. Each test
//! gives a table as `[[route]]` TOML (upstreams `monolith` and `svc` are added) and one request;
//! `check` is the only place that builds a table and calls `match_request`.

use std::path::Path;

use super::RouteTable;
use crate::config;

const UPSTREAMS: &str = r#"
default_upstream = "monolith"
[[upstream]]
name = "monolith"
addresses = ["127.0.0.1:8081"]
[[upstream]]
name = "svc"
addresses = ["127.0.0.1:8082"]
"#;

struct Request<'a> {
    method: &'a str,
    host: Option<&'a str>,
    path: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

fn get(path: &str) -> Request<'_> {
    Request {
        method: "GET",
        host: None,
        path,
        headers: &[],
    }
}

/// `expected` is the winning route's name, then `name=value` for each captured param.
fn check(routes: &str, request: Request<'_>, expected: &str) {
    let text = format!("{UPSTREAMS}\n{routes}");
    let settings =
        config::load(&text, Path::new("test.toml")).unwrap_or_else(|error| panic!("{error}"));
    let table = RouteTable::new(&settings);
    let matched = table.match_request(request.method, request.host, request.path, request.headers);
    let mut actual = matched.route.name.clone();
    for (name, value) in &matched.params {
        actual.push_str(&format!(" {name}={value}"));
    }
    assert_eq!(
        actual, expected,
        "request {} {}",
        request.method, request.path
    );
    assert_eq!(matched.is_default(), expected == "default");
}

fn route(name: &str, path: &str) -> String {
    format!("[[route]]\nname = {name:?}\npath = {path:?}\ntargets = [{{ upstream = \"svc\" }}]\n")
}

fn route_with(name: &str, path: &str, extra: &str) -> String {
    format!("{}{extra}\n", route(name, path))
}

// Pattern kinds.

#[test]
fn exact_matches_only_itself() {
    let routes = route("orders", "/api/orders");
    check(&routes, get("/api/orders"), "orders");
    check(&routes, get("/api/orders/1"), "default");
    check(&routes, get("/api"), "default");
    check(&routes, get("/api/orders?page=2"), "orders");
}

#[test]
fn root_pattern_matches_only_root() {
    let routes = route("root", "/");
    check(&routes, get("/"), "root");
    check(&routes, get("/x"), "default");
}

#[test]
fn empty_segments_are_skipped() {
    check(
        &route("orders", "/api/orders"),
        get("//api/orders/"),
        "orders",
    );
}

#[test]
fn prefix_matches_itself_and_below() {
    let routes = route("orders", "/api/orders/**");
    check(&routes, get("/api/orders"), "orders");
    check(&routes, get("/api/orders/1/lines"), "orders");
    check(&routes, get("/api/ordersx"), "default");
    check(&routes, get("/api"), "default");
}

#[test]
fn param_captures_one_segment() {
    let routes = route("order", "/api/orders/{id}/lines/{line}");
    check(&routes, get("/api/orders/7/lines/3"), "order id=7 line=3");
    check(&routes, get("/api/orders/7/lines"), "default");
    check(&routes, get("/api/orders/7/lines/3/x"), "default");
}

#[test]
fn glob_matches_one_segment_without_capture() {
    let routes = route("any", "/api/*/health");
    check(&routes, get("/api/orders/health"), "any");
    check(&routes, get("/api/a/b/health"), "default");
}

#[test]
fn prefix_with_param_captures() {
    check(
        &route("tenant", "/t/{tenant}/**"),
        get("/t/acme/x/y"),
        "tenant tenant=acme",
    );
}

#[test]
fn nothing_configured_goes_to_default() {
    check("", get("/anything"), "default");
}

// Precedence, rule 1: path specificity.

#[test]
fn exact_beats_param() {
    let routes = route("param", "/api/orders/{id}") + &route("exact", "/api/orders/new");
    check(&routes, get("/api/orders/new"), "exact");
    check(&routes, get("/api/orders/5"), "param id=5");
}

#[test]
fn fewer_wildcards_beat_more() {
    let routes = route("two", "/a/{x}/{y}") + &route("one", "/a/{x}/c");
    check(&routes, get("/a/b/c"), "one x=b");
    check(&routes, get("/a/b/d"), "two x=b y=d");
}

#[test]
fn param_beats_prefix() {
    let routes = route("prefix", "/api/orders/**") + &route("param", "/api/orders/{id}");
    check(&routes, get("/api/orders/5"), "param id=5");
    check(&routes, get("/api/orders/5/lines"), "prefix");
}

#[test]
fn longer_prefix_beats_shorter() {
    let routes =
        route("api", "/api/**") + &route("orders", "/api/orders/**") + &route("all", "/**");
    check(&routes, get("/api/orders/5"), "orders");
    check(&routes, get("/api/users"), "api");
    check(&routes, get("/web"), "all");
}

#[test]
fn among_equal_prefixes_fewer_wildcards_win() {
    let routes = route("glob", "/api/*/**") + &route("literal", "/api/orders/**");
    check(&routes, get("/api/orders/1"), "literal");
    check(&routes, get("/api/users/1"), "glob");
}

// Precedence, rule 2: conditions.

#[test]
fn more_conditions_win_among_equal_paths() {
    let routes = route("plain", "/api/orders")
        + &route_with("get", "/api/orders", "methods = [\"GET\"]")
        + &route_with(
            "get_host",
            "/api/orders",
            "methods = [\"GET\"]\nhost = \"shop.example\"",
        );
    check(&routes, get("/api/orders"), "get");
    let request = Request {
        host: Some("shop.example"),
        ..get("/api/orders")
    };
    check(&routes, request, "get_host");
    check(
        &routes,
        Request {
            method: "POST",
            ..get("/api/orders")
        },
        "plain",
    );
}

#[test]
fn path_specificity_outranks_conditions() {
    let routes =
        route_with("prefix_get", "/api/**", "methods = [\"GET\"]") + &route("exact", "/api/x");
    check(&routes, get("/api/x"), "exact");
}

// Precedence, rule 3: file order.

#[test]
fn file_order_breaks_ties() {
    let routes = route("first", "/a/{x}/c") + &route("second", "/a/b/{y}");
    check(&routes, get("/a/b/c"), "first x=b");
    let swapped = route("second", "/a/b/{y}") + &route("first", "/a/{x}/c");
    check(&swapped, get("/a/b/c"), "second y=c");
}

// Conditions.

#[test]
fn method_condition() {
    let routes = route_with("write", "/api/orders", "methods = [\"post\", \"PUT\"]");
    check(
        &routes,
        Request {
            method: "POST",
            ..get("/api/orders")
        },
        "write",
    );
    check(
        &routes,
        Request {
            method: "PUT",
            ..get("/api/orders")
        },
        "write",
    );
    check(&routes, get("/api/orders"), "default");
}

#[test]
fn host_condition_ignores_case_and_port() {
    let routes = route_with("shop", "/**", "host = \"Shop.Example\"");
    check(
        &routes,
        Request {
            host: Some("shop.example:8443"),
            ..get("/x")
        },
        "shop",
    );
    check(
        &routes,
        Request {
            host: Some("SHOP.EXAMPLE"),
            ..get("/x")
        },
        "shop",
    );
    check(
        &routes,
        Request {
            host: Some("other.example"),
            ..get("/x")
        },
        "default",
    );
    check(&routes, get("/x"), "default");
}

#[test]
fn header_condition_needs_every_header_with_exact_value() {
    let routes = route_with(
        "beta",
        "/**",
        "headers = { x-beta = \"1\", X-Team = \"billing\" }",
    );
    let both = [("X-Beta", "1"), ("x-team", "billing")];
    check(
        &routes,
        Request {
            headers: &both,
            ..get("/x")
        },
        "beta",
    );
    let one = [("x-beta", "1")];
    check(
        &routes,
        Request {
            headers: &one,
            ..get("/x")
        },
        "default",
    );
    let wrong = [("x-beta", "2"), ("x-team", "billing")];
    check(
        &routes,
        Request {
            headers: &wrong,
            ..get("/x")
        },
        "default",
    );
}

#[test]
fn header_condition_accepts_any_of_repeated_values() {
    let routes = route_with("beta", "/**", "headers = { x-beta = \"1\" }");
    let repeated = [("x-beta", "0"), ("x-beta", "1")];
    check(
        &routes,
        Request {
            headers: &repeated,
            ..get("/x")
        },
        "beta",
    );
}

#[test]
fn failed_condition_falls_through_to_less_specific_route() {
    let routes = route_with("exact_post", "/api/orders", "methods = [\"POST\"]")
        + &route("prefix", "/api/**");
    check(&routes, get("/api/orders"), "prefix");
}

#[test]
fn default_route_targets_the_default_upstream() {
    let settings = config::load(UPSTREAMS, Path::new("test.toml")).unwrap();
    let table = RouteTable::new(&settings);
    let matched = table.match_request("GET", None, "/x", &[]);
    assert_eq!(matched.route.targets.len(), 1);
    assert_eq!(matched.route.targets[0].upstream, "monolith");
    assert_eq!(matched.param("id"), None);
}

#[test]
fn literal_dead_end_falls_back_to_wildcard_branch() {
    let routes = route("literal", "/a/b/x") + &route("param", "/a/{p}/c");
    check(&routes, get("/a/b/c"), "param p=b");
    check(&routes, get("/a/b/x"), "literal");
}

#[test]
fn host_condition_with_ipv6_literal_and_port() {
    let routes = route_with("v6", "/**", "host = \"[::1]\"");
    check(
        &routes,
        Request {
            host: Some("[::1]:8080"),
            ..get("/x")
        },
        "v6",
    );
    check(
        &routes,
        Request {
            host: Some("[::2]:8080"),
            ..get("/x")
        },
        "default",
    );
}

/// The segments a path is matched on, all at once and one at a time: empty ones skipped,
/// nothing after `?` or `#`, non-ASCII segments whole.
#[test]
fn path_segments_skip_empty_ones_and_stop_at_query_or_fragment() {
    let cases: [(&str, &[&str]); 9] = [
        ("", &[]),
        ("/", &[]),
        ("//api//orders/", &["api", "orders"]),
        ("/api/orders?page=2/3", &["api", "orders"]),
        ("/api/orders/?page", &["api", "orders"]),
        ("/a#frag/b", &["a"]),
        ("?only=query", &[]),
        ("/caf\u{e9}/\u{1f600}", &["caf\u{e9}", "\u{1f600}"]),
        ("relative/path", &["relative", "path"]),
    ];
    for (path, expected) in cases {
        assert_eq!(super::path_segments(path).as_slice(), expected, "{path:?}");
        // The trie walk cuts one segment at a time, and must cut the same ones.
        let mut walked = Vec::new();
        let mut rest = path;
        while let Some((segment, after)) = super::next_segment(rest) {
            walked.push(segment);
            rest = after;
        }
        assert_eq!(walked, expected, "walked {path:?}");
    }
}

/// A node with more literal children than a scan serves (40 services side by side, and the
/// same names one level down) still finds each one, and nothing else.
#[test]
fn many_literal_siblings_each_find_their_route() {
    let mut routes = String::new();
    for service_idx in 0..40 {
        routes.push_str(&route(
            &format!("svc-{service_idx}"),
            &format!("/svc-{service_idx}/**"),
        ));
        routes.push_str(&route(
            &format!("api-{service_idx}"),
            &format!("/api/svc-{service_idx}/{{id}}"),
        ));
    }
    for service_idx in [0, 15, 16, 17, 39] {
        check(
            &routes,
            get(&format!("/svc-{service_idx}/orders/7")),
            &format!("svc-{service_idx}"),
        );
        check(
            &routes,
            get(&format!("/api/svc-{service_idx}/7")),
            &format!("api-{service_idx} id=7"),
        );
    }
    check(&routes, get("/svc-40/orders"), "default");
    check(&routes, get("/api/svc-4/7/more"), "default");
}

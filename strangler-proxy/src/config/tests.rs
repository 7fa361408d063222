//! Config tests: parsing and validation. `check_error` expects a rejection and compares the
//! whole message, field path included; `check_ok` expects acceptance. A full file is parsed end
//! to end once, with every field.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use super::settings::{Address, Sticky, Target};
use super::{Settings, load};

const UPSTREAMS: &str = r#"
default_upstream = "monolith"
[[upstream]]
name = "monolith"
addresses = ["127.0.0.1:8081"]
[[upstream]]
name = "billing"
addresses = ["billing.internal:9000"]
"#;

fn check_ok(text: &str) -> Settings {
    load(text, Path::new("proxy.toml")).unwrap_or_else(|error| panic!("{error}"))
}

fn check_error(text: &str, expected: &str) {
    match load(text, Path::new("proxy.toml")) {
        Ok(settings) => panic!("accepted: {settings:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

fn with_routes(routes: &str) -> String {
    format!("{UPSTREAMS}\n{routes}")
}

#[test]
fn full_file_end_to_end() {
    let settings = check_ok(
        r#"
listen = "0.0.0.0:9090"
default_upstream = "monolith"

[[upstream]]
name = "monolith"
addresses = ["127.0.0.1:8081", "[::1]:8081"]
connect_timeout_ms = 250
request_timeout_ms = 5000
pool_size = 8

[[upstream]]
name = "billing"
addresses = ["Billing.Internal:9000"]

[[route]]
name = "invoices"
path = "/api/invoices/{id}"
methods = ["get", "HEAD"]
host = "Shop.Example"
headers = { X-Beta = "1" }
targets = [{ upstream = "monolith", weight = 90 }, { upstream = "billing", weight = 10 }]
sticky = { cookie = "session" }
allow_override = true

[[route]]
name = "health"
path = "/health"
targets = [{ upstream = "billing" }]
"#,
    );
    assert_eq!(
        settings.listen,
        "0.0.0.0:9090".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(settings.default_upstream, "monolith");
    let monolith = &settings.upstreams[0];
    assert_eq!(
        monolith.addresses,
        [
            Address {
                host: "127.0.0.1".into(),
                port: 8081
            },
            Address {
                host: "::1".into(),
                port: 8081
            },
        ]
    );
    assert_eq!(monolith.connect_timeout, Duration::from_millis(250));
    assert_eq!(monolith.request_timeout, Duration::from_secs(5));
    assert_eq!(monolith.pool_size, 8);
    let billing = &settings.upstreams[1];
    assert_eq!(
        billing.addresses,
        [Address {
            host: "billing.internal".into(),
            port: 9000
        }]
    );
    assert_eq!(billing.connect_timeout, Duration::from_millis(1_000));
    assert_eq!(billing.request_timeout, Duration::from_millis(30_000));
    assert_eq!(billing.pool_size, 32);

    let invoices = &settings.routes[0];
    assert_eq!(invoices.path.text, "/api/invoices/{id}");
    assert_eq!(
        invoices.methods.as_deref(),
        Some(&["GET".to_owned(), "HEAD".to_owned()][..])
    );
    assert_eq!(invoices.host.as_deref(), Some("shop.example"));
    assert_eq!(invoices.headers, [("x-beta".to_owned(), "1".to_owned())]);
    assert_eq!(
        invoices.targets,
        [
            Target {
                upstream: "monolith".into(),
                weight: 90
            },
            Target {
                upstream: "billing".into(),
                weight: 10
            },
        ]
    );
    assert_eq!(invoices.sticky, Some(Sticky::Cookie("session".into())));
    assert!(invoices.allow_override);

    let health = &settings.routes[1];
    assert_eq!(health.methods, None);
    assert_eq!(health.host, None);
    assert!(health.headers.is_empty());
    assert_eq!(
        health.targets,
        [Target {
            upstream: "billing".into(),
            weight: 1
        }]
    );
    assert_eq!(health.sticky, None);
    assert!(!health.allow_override);
}

#[test]
fn defaults_for_listen() {
    let settings = check_ok(UPSTREAMS);
    assert_eq!(
        settings.listen,
        "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
    );
    assert!(settings.routes.is_empty());
}

#[test]
fn an_admin_listener_off_loopback_needs_saying_so() {
    let admin = |section: &str| format!("{UPSTREAMS}\n[admin]\n{section}");
    let settings = check_ok(&admin("listen = \"[::1]:9901\""));
    assert_eq!(
        settings.admin.map(|admin| admin.listen),
        Some("[::1]:9901".parse::<SocketAddr>().unwrap())
    );
    let refused = load(&admin("listen = \"0.0.0.0:9901\""), Path::new("proxy.toml"))
        .expect_err("a plain admin listener on every interface");
    let message = refused.to_string();
    assert!(
        message.contains("admin.listen")
            && message.contains("0.0.0.0:9901 is not a loopback address")
            && message.contains("admin.plain_http_off_loopback = true"),
        "{message}"
    );
    let settings = check_ok(&admin(
        "listen = \"0.0.0.0:9901\"\nplain_http_off_loopback = true",
    ));
    assert_eq!(
        settings.admin.map(|admin| admin.listen),
        Some("0.0.0.0:9901".parse::<SocketAddr>().unwrap())
    );
}

#[test]
fn sticky_header_and_query() {
    let settings = check_ok(&with_routes(
        r#"
[[route]]
name = "a"
path = "/a"
targets = [{ upstream = "billing" }]
sticky = { header = "X-User-Id" }
[[route]]
name = "b"
path = "/b"
targets = [{ upstream = "billing" }]
sticky = { query = "user" }
"#,
    ));
    assert_eq!(
        settings.routes[0].sticky,
        Some(Sticky::Header("x-user-id".into()))
    );
    assert_eq!(
        settings.routes[1].sticky,
        Some(Sticky::Query("user".into()))
    );
}

// Parse errors keep toml's position and field.

#[test]
fn unknown_field_is_rejected_with_its_line() {
    let text = with_routes("[[route]]\nname = \"a\"\npath = \"/a\"\ntargets = []\nweight = 3\n");
    let error = load(&text, Path::new("proxy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("proxy.toml: TOML parse error at line 14"),
        "{error}"
    );
    assert!(error.contains("unknown field `weight`"), "{error}");
}

#[test]
fn missing_default_upstream_is_an_error() {
    check_error(
        "",
        "proxy.toml: default_upstream: is required: the upstream (the monolith) that takes every request no route takes",
    );
}

#[test]
fn sticky_with_unknown_source_is_a_parse_error() {
    let text = with_routes(
        "[[route]]\nname = \"a\"\npath = \"/a\"\ntargets = [{ upstream = \"billing\" }]\nsticky = { ip = \"x\" }\n",
    );
    let error = load(&text, Path::new("proxy.toml"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown variant `ip`"), "{error}");
}

// Validation errors name the field.

fn route(name: &str, path: &str, targets: &str) -> String {
    format!("[[route]]\nname = {name:?}\npath = {path:?}\ntargets = {targets}\n")
}

#[test]
fn unknown_upstream_in_target() {
    let routes = route("a", "/a", r#"[{ upstream = "monolith" }]"#)
        + &route("b", "/b", r#"[{ upstream = "monolith" }]"#)
        + &route("c", "/c", r#"[{ upstream = "payments" }]"#);
    check_error(
        &with_routes(&routes),
        r#"proxy.toml: line 21: route[2].targets[0].upstream: unknown upstream "payments""#,
    );
}

#[test]
fn unknown_default_upstream() {
    check_error(
        "default_upstream = \"mono\"\n[[upstream]]\nname = \"monolith\"\naddresses = [\"a:1\"]\n",
        r#"proxy.toml: line 1: default_upstream: unknown upstream "mono""#,
    );
}

#[test]
fn all_weights_zero() {
    let routes = route(
        "a",
        "/a",
        r#"[{ upstream = "monolith", weight = 0 }, { upstream = "billing", weight = 0 }]"#,
    );
    check_error(
        &with_routes(&routes),
        "proxy.toml: line 13: route[0].targets: every weight is 0; at least one target needs a weight above 0",
    );
}

#[test]
fn negative_weight() {
    let routes = route(
        "a",
        "/a",
        r#"[{ upstream = "monolith", weight = 5 }, { upstream = "billing", weight = -1 }]"#,
    );
    check_error(
        &with_routes(&routes),
        "proxy.toml: line 13: route[0].targets[1].weight: weight -1 is out of range 0..=4294967295",
    );
}

#[test]
fn one_zero_weight_is_allowed() {
    let routes = route(
        "a",
        "/a",
        r#"[{ upstream = "monolith", weight = 1 }, { upstream = "billing", weight = 0 }]"#,
    );
    check_ok(&with_routes(&routes));
}

#[test]
fn empty_targets() {
    check_error(
        &with_routes(&route("a", "/a", "[]")),
        "proxy.toml: line 13: route[0].targets: needs at least one target",
    );
}

#[test]
fn duplicate_route_name() {
    let routes = route("a", "/a", r#"[{ upstream = "billing" }]"#)
        + &route("a", "/b", r#"[{ upstream = "billing" }]"#);
    check_error(
        &with_routes(&routes),
        r#"proxy.toml: line 15: route[1].name: duplicate route name "a""#,
    );
}

#[test]
fn reserved_route_name() {
    check_error(
        &with_routes(&route("default", "/a", r#"[{ upstream = "billing" }]"#)),
        r#"proxy.toml: line 11: route[0].name: "default" is reserved for the catch-all route"#,
    );
}

#[test]
fn duplicate_upstream_name() {
    check_error(
        &format!("{UPSTREAMS}[[upstream]]\nname = \"billing\"\naddresses = [\"b:1\"]\n"),
        r#"proxy.toml: line 10: upstream[2].name: duplicate upstream name "billing""#,
    );
}

fn check_pattern_error(pattern: &str, expected: &str) {
    check_error(
        &with_routes(&route("a", pattern, r#"[{ upstream = "billing" }]"#)),
        &format!("proxy.toml: line 12: route[0].path: {expected}"),
    );
}

#[test]
fn invalid_patterns() {
    check_pattern_error("api", r#"pattern "api" must start with `/`"#);
    check_pattern_error("/a//b", r#"pattern "/a//b" has an empty segment"#);
    check_pattern_error(
        "/a/**/b",
        r#"pattern "/a/**/b": `**` is only allowed at the end"#,
    );
    check_pattern_error("/a/{}", r#"pattern "/a/{}": invalid parameter name """#);
    check_pattern_error(
        "/{id}/{id}",
        r#"pattern "/{id}/{id}": parameter {id} appears twice"#,
    );
    check_pattern_error(
        "/v{n}",
        r#"pattern "/v{n}": segment "v{n}" mixes text with `{`, `}`, `*`, `?` or `#`"#,
    );
    check_pattern_error(
        "/a*",
        r#"pattern "/a*": segment "a*" mixes text with `{`, `}`, `*`, `?` or `#`"#,
    );
}

fn check_address_error(address: &str) {
    check_error(
        &format!(
            "default_upstream = \"m\"\n[[upstream]]\nname = \"m\"\naddresses = [\"a:1\", {address:?}]\n"
        ),
        &format!(
            "proxy.toml: line 4: upstream[0].addresses[1]: invalid address {address:?}, expected host:port"
        ),
    );
}

#[test]
fn invalid_addresses() {
    check_address_error("localhost");
    check_address_error("localhost:0");
    check_address_error("localhost:70000");
    check_address_error(":80");
    check_address_error("http://a:80");
    check_address_error("::1:80");
}

#[test]
fn empty_addresses() {
    check_error(
        "default_upstream = \"m\"\n[[upstream]]\nname = \"m\"\naddresses = []\n",
        "proxy.toml: line 4: upstream[0].addresses: needs at least one address",
    );
}

#[test]
fn invalid_listen() {
    check_error(
        &format!("listen = \"localhost\"\n{UPSTREAMS}"),
        r#"proxy.toml: line 1: listen: invalid address "localhost", expected ip:port"#,
    );
}

#[test]
fn zero_timeout() {
    check_error(
        "default_upstream = \"m\"\n[[upstream]]\nname = \"m\"\naddresses = [\"a:1\"]\nconnect_timeout_ms = 0\n",
        "proxy.toml: line 5: upstream[0].connect_timeout_ms: must be above 0",
    );
}

#[test]
fn invalid_method_host_and_header() {
    let base = route("a", "/a", r#"[{ upstream = "billing" }]"#);
    check_error(
        &with_routes(&format!("{base}methods = [\"GE T\"]\n")),
        r#"proxy.toml: line 14: route[0].methods[0]: invalid method "GE T""#,
    );
    check_error(
        &with_routes(&format!("{base}methods = []\n")),
        "proxy.toml: line 14: route[0].methods: is empty; leave it out to take every method",
    );
    check_error(
        &with_routes(&format!("{base}host = \"a.example:80\"\n")),
        r#"proxy.toml: line 14: route[0].host: invalid host "a.example:80", expected a name without port"#,
    );
    check_error(
        &with_routes(&format!("{base}headers = {{ \"x y\" = \"1\" }}\n")),
        r#"proxy.toml: line 14: route[0].headers.x y: invalid header name "x y""#,
    );
    check_error(
        &with_routes(&format!("{base}headers = {{ x-a = \"1\", X-A = \"2\" }}\n")),
        "proxy.toml: line 14: route[0].headers.x-a: header named twice (names ignore case)",
    );
}

#[test]
fn every_invalid_route_and_upstream_is_reported_at_once() {
    let text = format!(
        "{UPSTREAMS}\n[[upstream]]\nname = \"search\"\naddresses = [\"search:0\"]\n\n{}\n{}\n{}",
        route("a", "/a", r#"[{ upstream = "payments" }]"#),
        route("b", "/b", r#"[{ upstream = "billing" }]"#),
        route("c", "no-slash", r#"[{ upstream = "search" }]"#),
    );
    let error = load(&text, Path::new("proxy.toml")).expect_err("three problems");
    let message = error.to_string();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines[0], "proxy.toml: 3 problems:", "{message}");
    assert!(
        lines[1].ends_with(
            "upstream[2].addresses[0]: invalid address \"search:0\", expected host:port"
        ),
        "{message}"
    );
    assert!(
        lines[2].ends_with("route[0].targets[0].upstream: unknown upstream \"payments\""),
        "{message}"
    );
    assert!(lines[3].contains("route[2].path: "), "{message}");
    // Each problem names its line; the route naming the upstream with the bad address is not
    // reported again as naming an unknown upstream.
    assert!(
        lines[1..]
            .iter()
            .all(|line| line.trim_start().starts_with("line ")),
        "{message}"
    );
    assert_eq!(lines.len(), 4, "{message}");
}

#[test]
fn a_route_that_could_never_match_is_refused() {
    let text = with_routes(&format!(
        "{}{}",
        route("orders", "/orders/{id}", r#"[{ upstream = "billing" }]"#),
        route(
            "orders-again",
            "/orders/{order_id}",
            r#"[{ upstream = "monolith" }]"#
        ),
    ));
    check_error(
        &text,
        "proxy.toml: line 16: route[1].path: takes the same requests as route \"orders\" above it, which always wins: this route could never match",
    );
}

#[test]
fn routes_on_the_same_path_with_different_conditions_are_accepted() {
    let text = with_routes(&format!(
        "{}methods = [\"GET\"]\n{}",
        route(
            "orders-read",
            "/orders/{id}",
            r#"[{ upstream = "billing" }]"#
        ),
        route("orders", "/orders/{id}", r#"[{ upstream = "monolith" }]"#),
    ));
    assert_eq!(check_ok(&text).routes.len(), 2);
}

/// A route `products` to the monolith with `shadow_lines` as its `[route.shadow]` table.
fn shadowed(shadow_lines: &str) -> String {
    with_routes(&format!(
        "[[route]]\nname = \"products\"\npath = \"/api/products/**\"\ntargets = [{{ upstream = \"monolith\" }}]\n\n[route.shadow]\n{shadow_lines}"
    ))
}

#[test]
fn a_shadow_table_with_every_field() {
    let settings = check_ok(&shadowed(
        r#"upstream = "billing"
percent = 25
timeout_ms = 800
max_concurrent = 4
max_body_bytes = 1024
max_response_bytes = 4096
mirror_writes = true
noise_upstream = "monolith"
samples = 5
compare = { headers = ["Content-Type", "ETag"], ignore_fields = ["id", "items[*].created_at"], ignore_array_order = ["tags"] }
"#,
    ));
    let shadow = settings.routes[0].shadow.as_ref().expect("a shadow");
    assert_eq!(shadow.upstream, "billing");
    assert_eq!(shadow.percent, 25);
    assert_eq!(shadow.timeout, Duration::from_millis(800));
    assert_eq!(
        (
            shadow.max_concurrent,
            shadow.max_body_bytes,
            shadow.max_response_bytes
        ),
        (4, 1024, 4096)
    );
    assert!(shadow.mirror_writes);
    assert_eq!(shadow.noise_upstream.as_deref(), Some("monolith"));
    assert_eq!(shadow.samples, 5);
    assert_eq!(shadow.compare.headers, ["content-type", "etag"]);
    let texts = |paths: &[crate::shadow::path::FieldPath]| {
        paths
            .iter()
            .map(|path| path.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(&shadow.compare.ignore_fields),
        ["id", "items[*].created_at"]
    );
    assert_eq!(texts(&shadow.compare.ignore_array_order), ["tags"]);
}

#[test]
fn shadow_defaults() {
    let settings = check_ok(&shadowed("upstream = \"billing\"\n"));
    let shadow = settings.routes[0].shadow.as_ref().expect("a shadow");
    assert_eq!(shadow.percent, 100);
    assert_eq!(shadow.timeout, Duration::from_millis(5000));
    assert_eq!(
        (
            shadow.max_concurrent,
            shadow.max_body_bytes,
            shadow.max_response_bytes,
            shadow.samples
        ),
        (64, 65536, 1_048_576, 20)
    );
    assert!(!shadow.mirror_writes);
    assert_eq!(shadow.noise_upstream, None);
    assert_eq!(shadow.compare.headers, ["content-type"]);
    assert!(shadow.compare.ignore_fields.is_empty());
}

#[test]
fn a_shadow_without_a_target_is_refused_with_its_line() {
    check_error(
        &shadowed("percent = 10\n"),
        "proxy.toml: line 15: route[0].shadow.upstream: is required: the upstream (the new service) that gets the copies",
    );
}

#[test]
fn a_shadow_naming_an_unknown_upstream_is_refused() {
    check_error(
        &shadowed("upstream = \"catalog\"\n"),
        "proxy.toml: line 16: route[0].shadow.upstream: unknown upstream \"catalog\"",
    );
    check_error(
        &shadowed("upstream = \"billing\"\nnoise_upstream = \"monolith-b\"\n"),
        "proxy.toml: line 17: route[0].shadow.noise_upstream: unknown upstream \"monolith-b\"",
    );
}

#[test]
fn a_shadow_of_one_of_the_route_targets_is_refused() {
    check_error(
        &shadowed("upstream = \"monolith\"\n"),
        "proxy.toml: line 16: route[0].shadow.upstream: \"monolith\" is a target of this route: it would be compared with itself; shadow a service the route does not send to",
    );
}

#[test]
fn comparison_rules_naming_no_field_are_refused_with_their_line() {
    check_error(
        &shadowed(
            "upstream = \"billing\"\n\n[route.shadow.compare]\nignore_fields = [\n  \"id\",\n  \"\",\n]\n",
        ),
        "proxy.toml: line 21: route[0].shadow.compare.ignore_fields[1]: names no field; write a key such as \"id\" or \"items[*].created_at\"",
    );
    check_error(
        &shadowed("upstream = \"billing\"\ncompare = { ignore_array_order = [\"items[\"] }\n"),
        "proxy.toml: line 17: route[0].shadow.compare.ignore_array_order[0]: \"items[\": `[` without `]`",
    );
    check_error(
        &shadowed("upstream = \"billing\"\ncompare = { headers = [\"content type\"] }\n"),
        "proxy.toml: line 17: route[0].shadow.compare.headers[0]: invalid header name \"content type\"",
    );
}

#[test]
fn shadow_numbers_out_of_range_are_refused() {
    check_error(
        &shadowed("upstream = \"billing\"\npercent = 101\n"),
        "proxy.toml: line 17: route[0].shadow.percent: percent 101 is out of range 0..=100",
    );
    check_error(
        &shadowed("upstream = \"billing\"\nmax_concurrent = 0\n"),
        "proxy.toml: line 17: route[0].shadow.max_concurrent: must be above 0",
    );
    check_error(
        &shadowed("upstream = \"billing\"\nmax_concurrent = 9223372036854775807\n"),
        "proxy.toml: line 17: route[0].shadow.max_concurrent: must be at most 100000",
    );
    check_error(
        &shadowed("upstream = \"billing\"\nsamples = 1001\n"),
        "proxy.toml: line 17: route[0].shadow.samples: must be at most 1000",
    );
    check_error(
        &shadowed("upstream = \"billing\"\ntimeout_ms = 0\n"),
        "proxy.toml: line 17: route[0].shadow.timeout_ms: must be above 0",
    );
}

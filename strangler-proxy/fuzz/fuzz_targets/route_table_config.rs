//! Fuzz target: arbitrary bytes as the proxy's TOML config. Whatever the text, `config::load`
//! must return `Ok` or `Err` without panicking. When it returns `Ok`, the route table is built
//! and asked about requests made from the config itself (a path that fits each route's pattern,
//! with and without the route's conditions) and from each line of the input taken as a path;
//! every answer is checked against the reference matcher in `src/lib.rs`.
//! It does not check error messages or the fields of `Settings`: the config unit tests do.

#![no_main]

use std::path::Path;

use ficus_proxy::config;
use ficus_proxy::config::settings::Route;
use ficus_proxy::pattern::Segment;
use ficus_proxy::route_table::RouteTable;
use ficus_proxy_fuzz::{Request, check_against_reference, reference_order};
use libfuzzer_sys::fuzz_target;

/// Bounds the work per input: libFuzzer's inputs are small anyway, but a config with many
/// routes would make the quadratic reference slow.
const MAX_ROUTES_PROBED: usize = 32;
const MAX_LINES_PROBED: usize = 16;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(settings) = config::load(text, Path::new("fuzz.toml")) else {
        return;
    };
    let table = RouteTable::new(&settings);
    let ordered = reference_order(&settings);
    assert_eq!(
        table.routes().map(|route| &route.name).collect::<Vec<_>>(),
        ordered.iter().map(|route| &route.name).collect::<Vec<_>>(),
        "precedence order"
    );

    for route in settings.routes.iter().take(MAX_ROUTES_PROBED) {
        let path = path_fitting(route);
        let headers: Vec<(&str, &str)> = route
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let method = route
            .methods
            .as_ref()
            .and_then(|methods| methods.first())
            .map_or("GET", String::as_str);
        let with_conditions = Request {
            method,
            host: route.host.as_deref(),
            path: &path,
            headers,
        };
        check_against_reference(&settings, &table, &ordered, &with_conditions);
        let bare = Request {
            method: "GET",
            host: None,
            path: &path,
            headers: Vec::new(),
        };
        check_against_reference(&settings, &table, &ordered, &bare);
    }

    for line in text.lines().take(MAX_LINES_PROBED) {
        let request = Request {
            method: "GET",
            host: Some(line),
            path: line,
            headers: vec![(line, line)],
        };
        check_against_reference(&settings, &table, &ordered, &request);
    }
});

/// A request path that fits `route`'s pattern: literals as written, `p0`, `p1`.. for
/// `{param}` and `*`, and one extra segment below a prefix.
fn path_fitting(route: &Route) -> String {
    let mut path = String::new();
    for (segment_idx, segment) in route.path.segments.iter().enumerate() {
        path.push('/');
        match segment {
            Segment::Literal(text) => path.push_str(text),
            Segment::Param(_) | Segment::Glob => path.push_str(&format!("p{segment_idx}")),
        }
    }
    if route.path.is_prefix {
        path.push_str("/below");
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

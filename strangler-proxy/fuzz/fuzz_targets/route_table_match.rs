//! Fuzz target: one fixed, realistic routing table (overlapping prefixes, exact routes beside
//! `{param}` and `*` routes, method, host and header conditions, IPv6 hosts) asked about
//! structured requests built with `arbitrary`: a method, a host, a path made of words the table
//! knows plus arbitrary ones, empty segments and a query, and headers. Every answer must equal
//! the reference matcher's in `src/lib.rs` (the first route in precedence order whose pattern
//! and conditions fit), and the invariants listed on `check_against_reference` must hold.
//! It does not vary the table: `route_table_config` does that.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use arbitrary::Arbitrary;
use ficus_proxy::config::settings::Route;
use ficus_proxy::config::{self, Settings};
use ficus_proxy::route_table::RouteTable;
use ficus_proxy_fuzz::{Request, check_against_reference, reference_order};
use libfuzzer_sys::fuzz_target;

const TABLE: &str = r#"
listen = "127.0.0.1:18092"
default_upstream = "monolith"

[[upstream]]
name = "monolith"
addresses = ["127.0.0.1:18081"]

[[upstream]]
name = "service"
addresses = ["127.0.0.1:18082"]

[[upstream]]
name = "canary"
addresses = ["[::1]:18083"]

[[route]]
name = "users-preferences"
path = "/api/v1/users/preferences/**"
targets = [{ upstream = "service" }]

[[route]]
name = "users"
path = "/api/v1/users/**"
targets = [{ upstream = "monolith" }]

[[route]]
name = "user-me"
path = "/api/v1/users/me"
targets = [{ upstream = "service" }]

[[route]]
name = "user-by-id"
path = "/api/v1/users/{id}"
methods = ["GET", "head"]
targets = [{ upstream = "service" }]

[[route]]
name = "user-order"
path = "/api/v1/users/{id}/orders/{order_id}"
targets = [{ upstream = "service" }]

[[route]]
name = "user-any-orders"
path = "/api/v1/users/*/orders/**"
targets = [{ upstream = "monolith" }]

[[route]]
name = "orders"
path = "/api/v1/orders/**"
targets = [{ upstream = "monolith", weight = 90 }, { upstream = "service", weight = 10 }]
sticky = { header = "x-user-id" }

[[route]]
name = "orders-beta"
path = "/api/v1/orders/**"
headers = { "X-Beta" = "1" }
targets = [{ upstream = "service" }]

[[route]]
name = "orders-create"
path = "/api/v1/orders"
methods = ["POST"]
host = "API.example.com"
targets = [{ upstream = "service" }]

[[route]]
name = "search-get"
path = "/api/v1/search/**"
methods = ["GET"]
targets = [{ upstream = "service" }]

[[route]]
name = "search-canary"
path = "/api/v1/search/**"
methods = ["GET", "POST"]
headers = { x-canary = "on" }
targets = [{ upstream = "canary" }]

[[route]]
name = "health-glob"
path = "/api/*/health"
targets = [{ upstream = "service" }]

[[route]]
name = "health-param"
path = "/{area}/v1/health"
targets = [{ upstream = "canary" }]

[[route]]
name = "three-params"
path = "/{a}/{b}/{c}"
methods = ["PUT"]
targets = [{ upstream = "service" }]

[[route]]
name = "two-globs"
path = "/*/*/health"
targets = [{ upstream = "monolith" }]

[[route]]
name = "static"
path = "/static/**"
targets = [{ upstream = "monolith" }]

[[route]]
name = "admin"
path = "/admin/**"
host = "admin.example.com"
targets = [{ upstream = "monolith" }]

[[route]]
name = "admin-v6"
path = "/admin/**"
host = "[::1]"
targets = [{ upstream = "canary" }]

[[route]]
name = "page"
path = "/{page}"
methods = ["GET"]
targets = [{ upstream = "service" }]

[[route]]
name = "root"
path = "/"
targets = [{ upstream = "monolith" }]

[[route]]
name = "canary-everything"
path = "/**"
headers = { x-canary = "all", x-user-id = "7" }
targets = [{ upstream = "canary" }]
"#;

const WORDS: &[&str] = &[
    "api",
    "v1",
    "v2",
    "users",
    "preferences",
    "me",
    "orders",
    "search",
    "health",
    "static",
    "admin",
    "42",
    "ME",
    "..",
    ".",
    "%2F",
    "{id}",
    "*",
    "**",
    "a;b",
    "ö",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "HEAD", "DELETE", "get", "head", ""];
const HOSTS: &[&str] = &[
    "api.example.com",
    "API.Example.COM:8443",
    "api.example.com:",
    "api.example.com:x",
    "admin.example.com",
    "admin.example.com.",
    "[::1]",
    "[::1]:80",
    "[::1",
    "::1",
    "",
];
const HEADER_NAMES: &[&str] = &[
    "x-beta",
    "X-Beta",
    "x-canary",
    "X-CANARY",
    "x-user-id",
    "host",
];
const HEADER_VALUES: &[&str] = &["1", "on", "ON", "all", "7", " 1", ""];

/// A word from a list, or an arbitrary string.
#[derive(Debug, Arbitrary)]
enum Word {
    Known(u8),
    Raw(String),
}

#[derive(Debug, Arbitrary)]
struct Input {
    method: Word,
    host: Option<Word>,
    /// Each segment is preceded by one `/`, or two when the flag is set (an empty segment).
    segments: Vec<(Word, bool)>,
    trailing_slash: bool,
    query: Option<String>,
    headers: Vec<(Word, Word)>,
}

struct Fixture {
    settings: Settings,
    table: RouteTable,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    // The table is a constant that the first run checks; a typo in it is a bug of this file.
    let settings = config::load(TABLE, Path::new("route_table_match.toml"))
        .unwrap_or_else(|error| panic!("the fixed table does not load: {error}"));
    let table = RouteTable::new(&settings);
    Fixture { settings, table }
});

fuzz_target!(|input: Input| {
    let fixture = &*FIXTURE;
    let ordered: Vec<&Route> = reference_order(&fixture.settings);

    let method = pick(&input.method, METHODS);
    let host = input.host.as_ref().map(|word| pick(word, HOSTS));
    let mut path = String::new();
    for (word, doubled) in &input.segments {
        path.push_str(if *doubled { "//" } else { "/" });
        path.push_str(pick(word, WORDS));
    }
    if input.trailing_slash || path.is_empty() {
        path.push('/');
    }
    if let Some(query) = &input.query {
        path.push('?');
        path.push_str(query);
    }
    let headers = input
        .headers
        .iter()
        .map(|(name, value)| (pick(name, HEADER_NAMES), pick(value, HEADER_VALUES)))
        .collect();

    let request = Request {
        method,
        host,
        path: &path,
        headers,
    };
    check_against_reference(&fixture.settings, &fixture.table, &ordered, &request);
});

fn pick<'a>(word: &'a Word, known: &'a [&'a str]) -> &'a str {
    match word {
        Word::Known(idx) => known[usize::from(*idx) % known.len()],
        Word::Raw(text) => text,
    }
}

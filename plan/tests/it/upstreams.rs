//! Upstream addresses: the forms accepted and every reason one is refused.

use ficus_plan::{Scheme, Upstream};

fn check(text: &str, scheme: Scheme, host: &str, port: u16, display: &str) {
    let upstream = Upstream::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
    assert_eq!(upstream.scheme(), scheme);
    assert_eq!(upstream.host(), host);
    assert_eq!(upstream.port(), port);
    assert_eq!(upstream.to_string(), display);
}

fn check_invalid(text: &str, expected: &str) {
    match Upstream::parse(text) {
        Ok(upstream) => panic!("{text:?} parsed as {upstream:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

#[test]
fn accepted_forms() {
    check(
        "http://127.0.0.1:8080",
        Scheme::Http,
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
    );
    check(
        "http://127.0.0.1:8080/",
        Scheme::Http,
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
    );
    check(
        "https://Orders.Internal",
        Scheme::Https,
        "orders.internal",
        443,
        "https://orders.internal",
    );
    check(
        "HTTP://localhost",
        Scheme::Http,
        "localhost",
        80,
        "http://localhost",
    );
    check(
        "http://[::1]:9001",
        Scheme::Http,
        "[::1]",
        9001,
        "http://[::1]:9001",
    );
    check(
        "http://orders-svc.default.svc.cluster.local:80",
        Scheme::Http,
        "orders-svc.default.svc.cluster.local",
        80,
        "http://orders-svc.default.svc.cluster.local:80",
    );
}

#[test]
fn explicit_port_is_remembered() {
    assert!(Upstream::parse("http://a:80").unwrap().has_explicit_port());
    assert!(!Upstream::parse("http://a").unwrap().has_explicit_port());
}

#[test]
fn refused_forms() {
    check_invalid(
        "127.0.0.1:8080",
        "expected `http://host:port` or `https://host:port`",
    );
    check_invalid(
        "grpc://a:1",
        "scheme `grpc` is not supported (expected http or https)",
    );
    check_invalid("http://:8080", "no host");
    check_invalid("http://a:0", "`0` is not a port (expected 1 to 65535)");
    check_invalid("http://a:+80", "`+80` is not a port (expected 1 to 65535)");
    check_invalid("http://a:", "`` is not a port (expected 1 to 65535)");
    check_invalid(
        "http://user:pw@a:1",
        "user names and passwords do not belong in the plan",
    );
    check_invalid(
        "http://a:1/api",
        "an upstream is an address only: no path, query or fragment (found `/api`)",
    );
    check_invalid(
        "http://a:1?x",
        "an upstream is an address only: no path, query or fragment (found `?x`)",
    );
    check_invalid(
        "http://999.1.1.1:1",
        "`999.1.1.1` is not a valid host name or IP address",
    );
    check_invalid(
        "http://[::g]:1",
        "`[::g]` is not a valid host name or IP address",
    );
    check_invalid("http://-a:1", "`-a` is not a valid host name or IP address");
    check_invalid(
        "http://a b:1",
        "`a b` is not a valid host name or IP address",
    );
}

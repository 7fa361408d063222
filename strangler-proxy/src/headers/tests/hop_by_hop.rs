//! Hop-by-hop removal: fixed fields, `Connection`-listed fields in any spelling, the `Host`
//! and `TE: trailers` exceptions, and upgrades kept only when asked.

use super::*;

fn check_hop_by_hop(input: &[(&str, &str)], keep_upgrade: bool, expected: &[&str]) {
    let mut headers = header_map(input);
    remove_hop_by_hop(&mut headers, keep_upgrade);
    let mut actual = lines(&headers);
    actual.sort();
    let mut expected: Vec<String> = expected.iter().map(|line| line.to_string()).collect();
    expected.sort();
    assert_eq!(actual, expected, "input: {input:?}");
}

#[test]
fn fixed_hop_by_hop_fields_are_removed() {
    check_hop_by_hop(
        &[
            ("host", "shop.example"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "websocket"),
            ("proxy-authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
            ("proxy-authenticate", "Basic realm=\"proxy\""),
            ("accept", "*/*"),
        ],
        false,
        &["host: shop.example", "accept: */*"],
    );
}

#[test]
fn connection_listed_fields_are_removed() {
    check_hop_by_hop(
        &[
            ("connection", "close, x-secret"),
            ("x-secret", "1"),
            ("x-kept", "2"),
        ],
        false,
        &["x-kept: 2"],
    );
}

#[test]
fn every_connection_line_counts_with_odd_casing_and_spaces() {
    check_hop_by_hop(
        &[
            ("connection", "  X-One ,x-TWO,, "),
            ("connection", "\tX-Three"),
            ("x-one", "1"),
            ("x-two", "2"),
            ("x-three", "3"),
            ("x-four", "4"),
        ],
        false,
        &["x-four: 4"],
    );
}

#[test]
fn invalid_names_in_connection_are_ignored() {
    check_hop_by_hop(
        &[
            ("connection", "bad name, x(y), x-gone"),
            ("x-gone", "1"),
            ("accept", "*/*"),
        ],
        false,
        &["accept: */*"],
    );
}

#[test]
fn connection_cannot_remove_host() {
    check_hop_by_hop(
        &[
            ("connection", "host, content-length"),
            ("host", "shop.example"),
            ("content-length", "3"),
        ],
        false,
        &["host: shop.example"],
    );
}

#[test]
fn te_trailers_is_kept_even_when_connection_lists_te() {
    check_hop_by_hop(
        &[("connection", "TE"), ("te", "trailers")],
        false,
        &["te: trailers"],
    );
}

#[test]
fn te_is_reduced_to_trailers() {
    check_hop_by_hop(
        &[("te", "deflate;q=0.5, Trailers")],
        false,
        &["te: trailers"],
    );
}

#[test]
fn te_without_trailers_is_removed() {
    check_hop_by_hop(&[("te", "gzip, deflate;q=0.5")], false, &[]);
}

#[test]
fn upgrade_is_kept_only_when_asked() {
    let websocket_request = [
        ("connection", "keep-alive, Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    check_hop_by_hop(
        &websocket_request,
        true,
        &[
            "connection: upgrade",
            "upgrade: websocket",
            "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
        ],
    );
    check_hop_by_hop(
        &websocket_request,
        false,
        &["sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ=="],
    );
}

#[test]
fn keep_upgrade_without_upgrade_header_adds_no_connection() {
    check_hop_by_hop(&[("connection", "close")], true, &[]);
}

/// The checks know exactly the listed names, each by its own bit and in any case, and no name
/// that only shares a length or a prefix with one.
#[test]
fn always_hop_by_hop_names_are_known_in_any_case() {
    use super::super::hop_by_hop::{HOP_BY_HOP_NAMES, hop_by_hop_bit, is_always_hop_by_hop};
    for (name_idx, name) in HOP_BY_HOP_NAMES.iter().enumerate() {
        let name = name.as_str();
        assert_eq!(hop_by_hop_bit(name.as_bytes()), 1 << name_idx, "{name}");
        assert!(is_always_hop_by_hop(name.as_bytes()), "{name}");
        assert!(
            is_always_hop_by_hop(name.to_ascii_uppercase().as_bytes()),
            "{name}"
        );
    }
    for name in [
        "tf",
        "upgradx",
        "connectio",
        "Keep-Alivf",
        "x-connection",
        "trailer",
        "",
        "PROXY-AUTHENTICATION-INFO-X",
    ] {
        assert_eq!(hop_by_hop_bit(name.as_bytes()), 0, "{name}");
        assert!(!is_always_hop_by_hop(name.as_bytes()), "{name}");
    }
}

//! Forwarding headers and `Via`: untrusted clients' spoofed values replaced, trusted hops
//! appended to, IPv6 and IPv4-mapped peers, quoting in `Forwarded`.

use super::*;

/// A connection from `peer` over `scheme`.
fn connection(peer: &str, scheme: &'static str) -> ClientConnection {
    let peer = peer
        .parse::<SocketAddr>()
        .unwrap_or_else(|error| panic!("{peer}: {error}"));
    ClientConnection::new(peer, scheme)
}

/// An HTTP/1.1 request for `shop.example` on `connection`.
fn client(connection: &ClientConnection) -> ClientInfo<'_> {
    ClientInfo {
        connection,
        host: Some(HeaderValue::from_static("shop.example")),
        version: Version::HTTP_11,
    }
}

/// Runs `set_forwarding` with proxy name `ficus` and compares the forwarding headers and `Via`.
fn check_forwarding(
    client: &ClientInfo<'_>,
    trusted_entries: &[&str],
    input: &[(&str, &str)],
    expected: &[&str],
) {
    let mut headers = header_map(input);
    set_forwarding(&mut headers, client, &trusted(trusted_entries), "ficus");
    let actual: Vec<String> = lines(&headers)
        .into_iter()
        .filter(|line| {
            line.starts_with("x-forwarded-")
                || line.starts_with("forwarded:")
                || line.starts_with("via:")
        })
        .collect();
    let mut actual_sorted = actual.clone();
    actual_sorted.sort();
    let mut expected: Vec<String> = expected.iter().map(|line| line.to_string()).collect();
    expected.sort();
    assert_eq!(actual_sorted, expected, "all lines: {actual:?}");
}

#[test]
fn untrusted_client_without_forwarding_headers() {
    check_forwarding(
        &client(&connection("203.0.113.9:50000", "https")),
        &["10.0.0.0/8"],
        &[],
        &[
            "x-forwarded-for: 203.0.113.9",
            "x-forwarded-proto: https",
            "x-forwarded-host: shop.example",
            "forwarded: for=203.0.113.9;proto=https;host=shop.example",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn untrusted_client_spoofing_is_overwritten() {
    check_forwarding(
        &client(&connection("203.0.113.9:50000", "https")),
        &["10.0.0.0/8"],
        &[
            ("x-forwarded-for", "127.0.0.1"),
            ("x-forwarded-for", "10.0.0.1"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "admin.internal"),
            ("forwarded", "for=127.0.0.1;proto=https"),
        ],
        &[
            "x-forwarded-for: 203.0.113.9",
            "x-forwarded-proto: https",
            "x-forwarded-host: shop.example",
            "forwarded: for=203.0.113.9;proto=https;host=shop.example",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn untrusted_client_spoofing_proto_gets_the_real_scheme() {
    let plain_connection = connection("203.0.113.9:50000", "http");
    let mut plain_http = client(&plain_connection);
    plain_http.host = None;
    check_forwarding(
        &plain_http,
        &[],
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "admin.internal"),
        ],
        &[
            "x-forwarded-for: 203.0.113.9",
            "x-forwarded-proto: http",
            "forwarded: for=203.0.113.9;proto=http",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn trusted_hop_values_are_kept_and_appended_to() {
    check_forwarding(
        &client(&connection("10.0.0.5:41000", "https")),
        &["10.0.0.0/8"],
        &[
            ("x-forwarded-for", "198.51.100.7"),
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "www.shop.example"),
            (
                "forwarded",
                "for=198.51.100.7;proto=https;host=www.shop.example",
            ),
            ("via", "1.1 lb"),
        ],
        &[
            "x-forwarded-for: 198.51.100.7, 192.0.2.1, 10.0.0.5",
            "x-forwarded-proto: https",
            "x-forwarded-host: www.shop.example",
            "forwarded: for=198.51.100.7;proto=https;host=www.shop.example, \
             for=10.0.0.5;proto=https;host=shop.example",
            "via: 1.1 lb, 1.1 ficus",
        ],
    );
}

#[test]
fn trusted_hop_without_forwarding_headers_starts_them() {
    let plain_connection = connection("10.0.0.5:41000", "http");
    let plain_http = client(&plain_connection);
    check_forwarding(
        &plain_http,
        &["10.0.0.0/8"],
        &[],
        &[
            "x-forwarded-for: 10.0.0.5",
            "x-forwarded-proto: http",
            "x-forwarded-host: shop.example",
            "forwarded: for=10.0.0.5;proto=http;host=shop.example",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn ipv6_peer_is_bracketed_and_quoted_in_forwarded() {
    check_forwarding(
        &client(&connection("[2001:db8:cafe::17]:4711", "https")),
        &[],
        &[],
        &[
            "x-forwarded-for: 2001:db8:cafe::17",
            "x-forwarded-proto: https",
            "x-forwarded-host: shop.example",
            "forwarded: for=\"[2001:db8:cafe::17]\";proto=https;host=shop.example",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn ipv4_mapped_peer_is_written_and_trusted_as_ipv4() {
    check_forwarding(
        &client(&connection("[::ffff:10.0.0.5]:41000", "https")),
        &["10.0.0.0/8"],
        &[("x-forwarded-for", "198.51.100.7")],
        &[
            "x-forwarded-for: 198.51.100.7, 10.0.0.5",
            "x-forwarded-proto: https",
            "x-forwarded-host: shop.example",
            "forwarded: for=10.0.0.5;proto=https;host=shop.example",
            "via: 1.1 ficus",
        ],
    );
}

#[test]
fn host_with_port_is_quoted_in_forwarded() {
    let https = connection("203.0.113.9:50000", "https");
    let mut with_port = client(&https);
    with_port.host = Some(HeaderValue::from_static("shop.example:8443"));
    check_forwarding(
        &with_port,
        &[],
        &[],
        &[
            "x-forwarded-for: 203.0.113.9",
            "x-forwarded-proto: https",
            "x-forwarded-host: shop.example:8443",
            "forwarded: for=203.0.113.9;proto=https;host=\"shop.example:8443\"",
            "via: 1.1 ficus",
        ],
    );
}

/// Requests on one connection that name other hosts, or none, each get the element of their
/// own host (the connection keeps the last one written, to reuse for the same host).
#[test]
fn each_request_of_a_connection_gets_the_forwarded_element_of_its_own_host() {
    let http = connection("203.0.113.9:50000", "http");
    let mut request = client(&http);
    for (host, expected) in [
        (
            Some("shop.example"),
            "forwarded: for=203.0.113.9;proto=http;host=shop.example",
        ),
        (
            Some("shop.example"),
            "forwarded: for=203.0.113.9;proto=http;host=shop.example",
        ),
        (
            Some("admin.example:81"),
            "forwarded: for=203.0.113.9;proto=http;host=\"admin.example:81\"",
        ),
        (None, "forwarded: for=203.0.113.9;proto=http"),
        (
            Some("shop.example"),
            "forwarded: for=203.0.113.9;proto=http;host=shop.example",
        ),
    ] {
        request.host = host.map(HeaderValue::from_static);
        let mut headers = header_map(&[]);
        set_forwarding(&mut headers, &request, &trusted(&[]), "ficus");
        let forwarded: Vec<String> = lines(&headers)
            .into_iter()
            .filter(|line| line.starts_with("forwarded:"))
            .collect();
        assert_eq!(forwarded, [expected], "host {host:?}");
    }
}

#[test]
fn via_is_appended_even_for_untrusted_peers_with_the_request_version() {
    for (version, expected) in [
        (Version::HTTP_10, "via: 1.0 proxy-a, 1.0 ficus"),
        (Version::HTTP_11, "via: 1.0 proxy-a, 1.1 ficus"),
        (Version::HTTP_2, "via: 1.0 proxy-a, 2 ficus"),
        (Version::HTTP_3, "via: 1.0 proxy-a, 3 ficus"),
    ] {
        let https = connection("203.0.113.9:50000", "https");
        let mut versioned = client(&https);
        versioned.version = version;
        let mut headers = header_map(&[("via", "1.0 proxy-a")]);
        set_forwarding(&mut headers, &versioned, &TrustedHops::none(), "ficus");
        assert_eq!(
            lines(&headers)
                .iter()
                .filter(|line| line.starts_with("via:"))
                .collect::<Vec<_>>(),
            [expected]
        );
    }
}

#[test]
fn via_on_responses() {
    let mut headers = header_map(&[("via", "1.1 upstream-lb")]);
    append_via_response(&mut headers, Version::HTTP_2, &Via::new("edge-1"));
    assert_eq!(value_of(&headers, "via"), Some("1.1 upstream-lb, 2 edge-1"));

    let mut headers = HeaderMap::new();
    append_via_response(&mut headers, Version::HTTP_11, &Via::new("ficus"));
    assert_eq!(value_of(&headers, "via"), Some("1.1 ficus"));
}

#[test]
fn via_proxy_name_is_sanitized() {
    let mut headers = HeaderMap::new();
    append_via_response(&mut headers, Version::HTTP_11, &Via::new("my proxy, evil"));
    assert_eq!(value_of(&headers, "via"), Some("1.1 my-proxy--evil"));

    let mut headers = HeaderMap::new();
    append_via_response(&mut headers, Version::HTTP_11, &Via::new(""));
    assert_eq!(value_of(&headers, "via"), Some("1.1 ficus"));
}

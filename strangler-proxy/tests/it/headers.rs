//! Header rules on the wire: hop-by-hop fields removed from requests and responses, the
//! forwarding headers (`X-Forwarded-*`, `Forwarded`, `Via`) and `x-request-id` rebuilt unless
//! the peer is a trusted hop, and W3C `traceparent` carried on with the same trace id and a
//! new parent id, or started when missing or invalid.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::Response;
use http_body_util::Full;

use crate::support::{Proxy, Reply, Upstream, client, config_with_upstreams, get};

/// Sends `GET /page` with `headers` to a proxy in front of an echo upstream, the config's
/// top-level `extra` lines (such as `trusted_hops`) added; returns the reply, whose JSON is
/// what the upstream received.
async fn through_proxy(extra: &str, headers: &[(&str, &str)]) -> Reply {
    let upstream = Upstream::echo("monolith").await;
    let config = format!(
        "{extra}\n{}",
        config_with_upstreams(&[("monolith", upstream.addr)])
    );
    let proxy = Proxy::start(&config).await;
    let reply = get(&client(), &proxy.url("/page"), headers).await;
    assert_eq!(reply.status, 200);
    proxy.shutdown().await;
    reply
}

/// Asserts which request headers the upstream received: `Some(values)` exactly, `None` absent.
fn check_received(reply: &Reply, expected: &[(&str, Option<&[&str]>)]) {
    for (name, expected_values) in expected {
        let received = reply.echoed(name);
        match expected_values {
            Some(values) => assert_eq!(&received, values, "request header {name}"),
            None => assert!(received.is_empty(), "request header {name}: {received:?}"),
        }
    }
}

#[tokio::test]
async fn hop_by_hop_request_headers_are_removed() {
    let reply = through_proxy(
        "",
        &[
            ("connection", "x-session-hint, keep-alive"),
            ("x-session-hint", "secret"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("proxy-authorization", "Basic dXNlcjpwYXNz"),
            ("te", "gzip"),
            ("upgrade", "h2c"),
            ("x-end-to-end", "kept"),
        ],
    )
    .await;
    check_received(
        &reply,
        &[
            ("connection", None),
            ("x-session-hint", None),
            ("keep-alive", None),
            ("proxy-connection", None),
            ("proxy-authorization", None),
            ("te", None),
            ("upgrade", None),
            ("transfer-encoding", None),
            ("x-end-to-end", Some(&["kept"])),
        ],
    );
}

#[tokio::test]
async fn te_trailers_survives_alone() {
    let reply = through_proxy("", &[("te", "gzip, trailers")]).await;
    check_received(&reply, &[("te", Some(&["trailers"]))]);
}

#[tokio::test]
async fn hop_by_hop_response_headers_are_removed() {
    let upstream = Upstream::start("monolith", |_request| {
        Box::pin(async {
            let mut response = Response::new(Full::new(Bytes::from_static(b"page")));
            let headers = response.headers_mut();
            for (name, value) in [
                ("connection", "x-backend-node"),
                ("x-backend-node", "node-7"),
                ("keep-alive", "timeout=5, max=100"),
                ("proxy-connection", "keep-alive"),
                ("proxy-authenticate", "Basic"),
                ("upgrade", "h2c"),
                ("x-end-to-end", "kept"),
            ] {
                headers.insert(name, value.parse().expect("header value"));
            }
            response
        })
    })
    .await;
    let proxy = Proxy::start(&config_with_upstreams(&[("monolith", upstream.addr)])).await;

    let reply = get(&client(), &proxy.url("/page"), &[]).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "page");
    for name in [
        "x-backend-node",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "upgrade",
    ] {
        assert_eq!(reply.header(name), None, "response header {name}");
    }
    // hyper may add `connection: keep-alive` for this hop; nothing the upstream listed.
    assert!(
        reply
            .header("connection")
            .is_none_or(|value| value.eq_ignore_ascii_case("keep-alive")),
        "{:?}",
        reply.header("connection")
    );
    assert!(
        !(reply.headers.contains_key("content-length")
            && reply.headers.contains_key("transfer-encoding"))
    );
    assert_eq!(reply.header("x-end-to-end"), Some("kept"));
    assert_eq!(reply.header("via"), Some("1.1 ficus"));
    proxy.shutdown().await;
}

/// Headers a client (or a hop in front of the proxy) sends about earlier hops.
const FORWARDING_FROM_CLIENT: [(&str, &str); 6] = [
    ("x-forwarded-for", "203.0.113.9"),
    ("x-forwarded-proto", "https"),
    ("x-forwarded-host", "shop.example"),
    ("forwarded", "for=203.0.113.9;proto=https;host=shop.example"),
    ("via", "1.1 edge-lb"),
    ("x-request-id", "req-from-edge-42"),
];

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_replaced() {
    let reply = through_proxy("", &FORWARDING_FROM_CLIENT).await;
    let host = reply.echoed("host").pop().expect("host");
    check_received(
        &reply,
        &[
            ("x-forwarded-for", Some(&["127.0.0.1"])),
            ("x-forwarded-proto", Some(&["http"])),
            ("x-forwarded-host", Some(&[host.as_str()])),
            (
                "forwarded",
                Some(&[format!("for=127.0.0.1;proto=http;host=\"{host}\"").as_str()]),
            ),
            // Via is not about trust: this proxy appends itself to whatever came.
            ("via", Some(&["1.1 edge-lb, 1.1 ficus"])),
        ],
    );
    let request_id = reply.echoed("x-request-id");
    assert_eq!(request_id.len(), 1);
    assert_ne!(request_id[0], "req-from-edge-42");
    assert_is_hex(&request_id[0], 32);
    assert_eq!(reply.header("x-request-id"), Some(request_id[0].as_str()));
}

#[tokio::test]
async fn forwarding_headers_from_a_trusted_hop_are_kept_and_extended() {
    let reply = through_proxy("trusted_hops = [\"127.0.0.1\"]", &FORWARDING_FROM_CLIENT).await;
    let host = reply.echoed("host").pop().expect("host");
    check_received(
        &reply,
        &[
            ("x-forwarded-for", Some(&["203.0.113.9, 127.0.0.1"])),
            ("x-forwarded-proto", Some(&["https"])),
            ("x-forwarded-host", Some(&["shop.example"])),
            (
                "forwarded",
                Some(&[format!(
                    "for=203.0.113.9;proto=https;host=shop.example, for=127.0.0.1;proto=http;host=\"{host}\""
                )
                .as_str()]),
            ),
            ("via", Some(&["1.1 edge-lb, 1.1 ficus"])),
            ("x-request-id", Some(&["req-from-edge-42"])),
        ],
    );
    assert_eq!(reply.header("x-request-id"), Some("req-from-edge-42"));
}

#[tokio::test]
async fn trusted_network_keeps_forwarding_headers() {
    let reply = through_proxy(
        "trusted_hops = [\"127.0.0.0/8\"]",
        &[("x-forwarded-for", "198.51.100.1")],
    )
    .await;
    check_received(
        &reply,
        &[("x-forwarded-for", Some(&["198.51.100.1, 127.0.0.1"]))],
    );
}

#[tokio::test]
async fn untrusted_invalid_or_missing_request_id_gets_a_new_one() {
    let trusted = "trusted_hops = [\"127.0.0.1\"]";
    for (extra, headers) in [
        ("", &[][..]),
        (trusted, &[][..]),
        (trusted, &[("x-request-id", "has space")][..]),
    ] {
        let reply = through_proxy(extra, headers).await;
        let request_id = reply.echoed("x-request-id");
        assert_eq!(request_id.len(), 1, "{headers:?}");
        assert_is_hex(&request_id[0], 32);
        assert_eq!(reply.header("x-request-id"), Some(request_id[0].as_str()));
    }
}

#[tokio::test]
async fn a_clients_shadow_mark_is_removed_unless_it_comes_from_a_trusted_hop() {
    let mark = [("x-ficus-shadow", "1")];
    let reply = through_proxy("", &mark).await;
    check_received(&reply, &[("x-ficus-shadow", None)]);
    let reply = through_proxy("trusted_hops = [\"127.0.0.1\"]", &mark).await;
    check_received(&reply, &[("x-ficus-shadow", Some(&["1"]))]);
}

#[tokio::test]
async fn proxy_name_names_this_hop_in_via() {
    let reply = through_proxy("proxy_name = \"edge-7\"", &[]).await;
    check_received(&reply, &[("via", Some(&["1.1 edge-7"]))]);
    assert_eq!(reply.header("via"), Some("1.1 edge-7"));
}

const INCOMING_TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_PARENT_ID: &str = "00f067aa0ba902b7";

#[tokio::test]
async fn traceparent_keeps_the_trace_id_with_a_new_parent_id() {
    let incoming = format!("00-{INCOMING_TRACE_ID}-{INCOMING_PARENT_ID}-01");
    let reply = through_proxy(
        "",
        &[("traceparent", &incoming), ("tracestate", "vendor=abc")],
    )
    .await;
    let traceparent = received_traceparent(&reply);
    assert_eq!(traceparent["trace_id"], INCOMING_TRACE_ID);
    assert_ne!(traceparent["parent_id"], INCOMING_PARENT_ID);
    assert_eq!(traceparent["flags"], "01");
    check_received(&reply, &[("tracestate", Some(&["vendor=abc"]))]);
}

#[tokio::test]
async fn traceparent_unsampled_flag_is_kept() {
    let incoming = format!("00-{INCOMING_TRACE_ID}-{INCOMING_PARENT_ID}-00");
    let reply = through_proxy("", &[("traceparent", &incoming)]).await;
    let traceparent = received_traceparent(&reply);
    assert_eq!(traceparent["trace_id"], INCOMING_TRACE_ID);
    assert_eq!(traceparent["flags"], "00");
}

#[tokio::test]
async fn trace_is_started_when_traceparent_is_missing() {
    let reply = through_proxy("", &[]).await;
    let traceparent = received_traceparent(&reply);
    assert_eq!(traceparent["flags"], "01");
}

#[tokio::test]
async fn trace_is_restarted_and_tracestate_dropped_when_traceparent_is_invalid() {
    let invalid = format!("00-{}-{INCOMING_PARENT_ID}-01", "0".repeat(32));
    let reply = through_proxy(
        "",
        &[("traceparent", &invalid), ("tracestate", "vendor=abc")],
    )
    .await;
    let traceparent = received_traceparent(&reply);
    assert_ne!(traceparent["trace_id"], "0".repeat(32));
    check_received(&reply, &[("tracestate", None)]);
}

/// The single `traceparent` the upstream received, checked to be version 00 with valid
/// fields, split into `trace_id`, `parent_id` and `flags`.
fn received_traceparent(reply: &Reply) -> BTreeMap<&'static str, String> {
    let values = reply.echoed("traceparent");
    assert_eq!(values.len(), 1, "{values:?}");
    let fields: Vec<&str> = values[0].split('-').collect();
    assert_eq!(fields.len(), 4, "{values:?}");
    assert_eq!(fields[0], "00");
    assert_is_hex(fields[1], 32);
    assert_is_hex(fields[2], 16);
    assert_is_hex(fields[3], 2);
    assert_ne!(fields[1], "0".repeat(32));
    assert_ne!(fields[2], "0".repeat(16));
    BTreeMap::from([
        ("trace_id", fields[1].to_owned()),
        ("parent_id", fields[2].to_owned()),
        ("flags", fields[3].to_owned()),
    ])
}

fn assert_is_hex(text: &str, len: usize) {
    assert_eq!(text.len(), len, "{text:?}");
    assert!(
        text.bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')),
        "{text:?} is lowercase hex"
    );
}

#[tokio::test]
async fn header_options_turned_off_add_nothing_but_still_drop_spoofed_forwarding() {
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let reply = through_proxy(
        "headers = { x_forwarded = false, forwarded = false, via = false, request_id = false, trace_context = false }",
        &[
            ("x-forwarded-for", "6.6.6.6"),
            ("forwarded", "for=6.6.6.6"),
            ("x-request-id", "client-id-1"),
            ("traceparent", traceparent),
        ],
    )
    .await;
    check_received(
        &reply,
        &[
            ("x-forwarded-for", None),
            ("x-forwarded-proto", None),
            ("x-forwarded-host", None),
            ("forwarded", None),
            ("via", None),
            ("x-request-id", Some(&["client-id-1"])),
            ("traceparent", Some(&[traceparent])),
        ],
    );
    assert!(reply.headers.get("via").is_none());
    assert!(reply.headers.get("x-request-id").is_none());
}

/// Fields whose names hold `_` are dropped, as NGINX does by default, unless the file keeps
/// them: a framework mapping `_` to `-` would read `X_Forwarded_For` as the proxy's own field.
#[tokio::test]
async fn header_names_with_underscores_are_dropped_unless_kept() {
    let sent = [("x_forwarded_for", "6.6.6.6"), ("x-plain", "kept")];
    let reply = through_proxy("", &sent).await;
    check_received(
        &reply,
        &[("x_forwarded_for", None), ("x-plain", Some(&["kept"]))],
    );
    let upstream = Upstream::echo("monolith").await;
    let config = format!(
        "{}\n[headers]\nunderscores_in_headers = true\n",
        config_with_upstreams(&[("monolith", upstream.addr)])
    );
    let proxy = Proxy::start(&config).await;
    let reply = get(&client(), &proxy.url("/page"), &sent).await;
    proxy.shutdown().await;
    check_received(
        &reply,
        &[
            ("x_forwarded_for", Some(&["6.6.6.6"])),
            ("x-plain", Some(&["kept"])),
        ],
    );
}

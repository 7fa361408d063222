//! Request smuggling and the listening side's limits, with raw bytes on both sides: a client
//! that writes exactly the corpus below and an upstream that records what the proxy forwards.
//!
//! What the proxy must guarantee (RFC 9112 §6): it reads each message's body by one framing
//! (`Transfer-Encoding` wins over `Content-Length`, and such a connection is closed after the
//! response), it rejects with `400` what it cannot frame unambiguously, and whatever it
//! forwards carries exactly one framing of its own. Bytes hidden in a body never reach the
//! upstream as a request of their own.

use std::time::Duration;

use crate::support::raw::{NOTHING_COMES, RawClient, RawRequest, RawResponse, RawUpstream};
use crate::support::{Proxy, within};

/// What happens to the client connection after the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    /// The proxy closes it (and never answers what followed the message).
    Closed,
    /// It serves the next request.
    KeptAlive,
}

/// A proxy whose monolith is a recording raw upstream, with `limits` (TOML lines) applied.
async fn start(limits: &str) -> (Proxy, RawUpstream) {
    let upstream = RawUpstream::recorder().await;
    let config = format!(
        "default_upstream = \"monolith\"\n\n[[upstream]]\nname = \"monolith\"\naddresses = [\"{}\"]\n\n[limits]\n{limits}\n",
        upstream.addr
    );
    (Proxy::start(&config).await, upstream)
}

/// Sends `request` and reads one response.
async fn exchange(proxy: &Proxy, request: &[u8]) -> (RawResponse, RawClient) {
    let mut connection = RawClient::connect(proxy.addr).await;
    connection.send(request).await;
    let response = connection.response().await.unwrap_or_else(|| {
        panic!(
            "no response to {:?}",
            String::from_utf8_lossy(request).into_owned()
        )
    });
    (response, connection)
}

/// Every forwarded request has at most one framing, and at most one value of it.
fn assert_single_framing(requests: &[RawRequest]) {
    for request in requests {
        let lengths = request.header_values("content-length");
        let codings = request.header_values("transfer-encoding");
        assert!(
            lengths.is_empty() || codings.is_empty(),
            "both framings forwarded: {request:?}"
        );
        assert!(lengths.len() <= 1, "{request:?}");
        assert!(codings.is_empty() || codings == ["chunked"], "{request:?}");
    }
}

/// `request` is refused with `status` before anything reaches the upstream, and the
/// connection is closed.
async fn check_rejected(request: &[u8], status: u16) {
    check_rejected_with_limits(request, status, "").await;
}

async fn check_rejected_with_limits(request: &[u8], status: u16, limits: &str) {
    let (proxy, upstream) = start(limits).await;
    let (response, mut connection) = exchange(&proxy, request).await;
    assert_eq!(response.status, status, "{}", response.text());
    assert!(connection.rest_until_closed().await.is_empty());
    assert_eq!(upstream.connections(), 0, "{:?}", upstream.requests());
    proxy.shutdown().await;
}

/// `request` is forwarded as exactly one `POST target` with `body` (decoded), answered, and
/// the connection then goes on as `then` says.
async fn check_forwarded(request: &[u8], target: &str, body: &[u8], then: Then) {
    let (proxy, upstream) = start("").await;
    let (response, mut connection) = exchange(&proxy, request).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.text(), "ok");
    match then {
        Then::Closed => {
            let rest = connection.rest_until_closed().await;
            assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
        }
        Then::KeptAlive => {
            assert!(
                connection
                    .send(b"GET /next HTTP/1.1\r\nHost: shop\r\n\r\n")
                    .await
            );
            let next = connection.response().await.expect("the next response");
            assert_eq!(next.status, 200);
        }
    }
    let requests = upstream.requests();
    assert_single_framing(&requests);
    let summary: Vec<(&str, &str)> = requests
        .iter()
        .map(|request| (request.method.as_str(), request.target.as_str()))
        .collect();
    let mut expected = vec![("POST", target)];
    if then == Then::KeptAlive {
        expected.push(("GET", "/next"));
    }
    assert_eq!(summary, expected);
    assert_eq!(
        String::from_utf8_lossy(&requests[0].body),
        String::from_utf8_lossy(body)
    );
    assert!(
        upstream.leftovers().is_empty(),
        "{:?}",
        upstream.leftovers()
    );
    proxy.shutdown().await;
}

/// A `POST /a` with `headers` (each ending in CRLF) and `body` as written.
fn post(headers: &str, body: &str) -> Vec<u8> {
    format!("POST /a HTTP/1.1\r\nHost: shop\r\n{headers}\r\n{body}").into_bytes()
}

const SMUGGLED: &str = "GET /smuggled HTTP/1.1\r\nHost: shop\r\n\r\n";

// Both framings: read as chunked, Content-Length dropped, connection closed after.

#[tokio::test]
async fn cl_te_is_read_as_chunked_and_the_rest_never_reaches_the_upstream() {
    let body = format!("0\r\n\r\n{SMUGGLED}");
    let headers = format!(
        "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n",
        body.len()
    );
    check_forwarded(&post(&headers, &body), "/a", b"", Then::Closed).await;
}

#[tokio::test]
async fn te_cl_is_read_as_chunked_whatever_the_length_says() {
    let body = format!("{:x}\r\n{SMUGGLED}\r\n0\r\n\r\n", SMUGGLED.len());
    check_forwarded(
        &post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", &body),
        "/a",
        SMUGGLED.as_bytes(),
        Then::Closed,
    )
    .await;
}

// Obfuscated Transfer-Encoding, each beside a Content-Length that would frame differently.

/// Headers `te_lines` plus a `Content-Length` covering a chunked body that hides a request.
fn obfuscated(te_lines: &str) -> Vec<u8> {
    let body = format!("0\r\n\r\n{SMUGGLED}");
    post(
        &format!("Content-Length: {}\r\n{te_lines}", body.len()),
        &body,
    )
}

#[tokio::test]
async fn te_xchunked_is_rejected() {
    check_rejected(&obfuscated("Transfer-Encoding: xchunked\r\n"), 400).await;
}

#[tokio::test]
async fn te_with_chunked_not_last_is_rejected() {
    check_rejected(&obfuscated("Transfer-Encoding: chunked, identity\r\n"), 400).await;
}

#[tokio::test]
async fn te_with_extra_spaces_is_chunked() {
    check_forwarded(
        &obfuscated("Transfer-Encoding:    chunked   \r\n"),
        "/a",
        b"",
        Then::Closed,
    )
    .await;
}

#[tokio::test]
async fn te_with_a_tab_before_the_value_is_chunked() {
    check_forwarded(
        &obfuscated("Transfer-Encoding:\tchunked\r\n"),
        "/a",
        b"",
        Then::Closed,
    )
    .await;
}

#[tokio::test]
async fn te_in_upper_case_is_chunked() {
    check_forwarded(
        &obfuscated("TRANSFER-ENCODING: CHUNKED\r\n"),
        "/a",
        b"",
        Then::Closed,
    )
    .await;
}

#[tokio::test]
async fn te_with_space_before_the_colon_is_rejected() {
    check_rejected(&obfuscated("Transfer-Encoding : chunked\r\n"), 400).await;
}

#[tokio::test]
async fn te_with_tab_before_the_colon_is_rejected() {
    check_rejected(&obfuscated("Transfer-Encoding\t: chunked\r\n"), 400).await;
}

#[tokio::test]
async fn te_folded_onto_a_continuation_line_is_rejected() {
    check_rejected(
        &obfuscated("X-Padding: a\r\n\tTransfer-Encoding: chunked\r\n"),
        400,
    )
    .await;
}

#[tokio::test]
async fn te_with_a_leading_space_on_its_line_is_rejected() {
    check_rejected(&obfuscated(" Transfer-Encoding: chunked\r\n"), 400).await;
}

#[tokio::test]
async fn duplicated_te_ending_in_identity_is_rejected() {
    check_rejected(
        &obfuscated("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
        400,
    )
    .await;
}

#[tokio::test]
async fn duplicated_te_with_a_coding_before_chunked_is_501() {
    // hyper reads it as chunked; the proxy cannot undo `identity` (no longer a registered
    // coding) for the upstream, so it refuses rather than forward half-decoded content.
    check_rejected(
        &obfuscated("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n"),
        501,
    )
    .await;
}

#[tokio::test]
async fn gzip_then_chunked_is_501() {
    check_rejected(&obfuscated("Transfer-Encoding: gzip, chunked\r\n"), 501).await;
}

#[tokio::test]
async fn duplicated_te_chunked_is_rejected() {
    // RFC 9112 7: chunked must not be applied more than once.
    check_rejected(
        &obfuscated("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        400,
    )
    .await;
}

#[tokio::test]
async fn te_in_http_1_0_is_rejected() {
    check_rejected(
        b"POST /a HTTP/1.0\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    )
    .await;
}

// Content-Length: one valid value, or 400.

#[tokio::test]
async fn two_different_content_lengths_are_rejected() {
    check_rejected(
        &post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"),
        400,
    )
    .await;
}

#[tokio::test]
async fn two_equal_content_lengths_are_forwarded_as_one() {
    check_forwarded(
        &post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"),
        "/a",
        b"hello",
        Then::KeptAlive,
    )
    .await;
}

#[tokio::test]
async fn content_length_list_is_rejected() {
    check_rejected(&post("Content-Length: 5, 5\r\n", "hello"), 400).await;
}

#[tokio::test]
async fn empty_content_length_is_rejected() {
    check_rejected(&post("Content-Length: \r\n", "hello"), 400).await;
}

#[tokio::test]
async fn signed_content_length_is_rejected() {
    check_rejected(&post("Content-Length: +5\r\n", "hello"), 400).await;
    check_rejected(&post("Content-Length: -5\r\n", "hello"), 400).await;
}

#[tokio::test]
async fn hexadecimal_content_length_is_rejected() {
    check_rejected(&post("Content-Length: 0x5\r\n", "hello"), 400).await;
}

// Requests hidden in bodies stay bodies.

#[tokio::test]
async fn request_inside_a_sized_body_stays_the_body() {
    let headers = format!("Content-Length: {}\r\n", SMUGGLED.len());
    check_forwarded(
        &post(&headers, SMUGGLED),
        "/a",
        SMUGGLED.as_bytes(),
        Then::KeptAlive,
    )
    .await;
}

#[tokio::test]
async fn request_inside_a_chunked_body_stays_the_body() {
    let body = format!("{:x}\r\n{SMUGGLED}\r\n0\r\n\r\n", SMUGGLED.len());
    check_forwarded(
        &post("Transfer-Encoding: chunked\r\n", &body),
        "/a",
        SMUGGLED.as_bytes(),
        Then::KeptAlive,
    )
    .await;
}

// Limits.

#[tokio::test]
async fn one_header_larger_than_max_header_bytes_is_431() {
    let huge = format!("X-Huge: {}\r\n", "a".repeat(10_000));
    check_rejected_with_limits(
        &post(&format!("{huge}Content-Length: 0\r\n"), ""),
        431,
        "max_header_bytes = 8192",
    )
    .await;
}

#[tokio::test]
async fn more_headers_than_max_header_count_is_431() {
    let many: String = (0..20)
        .map(|index| format!("X-Many-{index}: v\r\n"))
        .collect();
    check_rejected_with_limits(
        &post(&format!("{many}Content-Length: 0\r\n"), ""),
        431,
        "max_header_count = 10",
    )
    .await;
}

#[tokio::test]
async fn uri_longer_than_max_uri_bytes_is_414() {
    let (proxy, upstream) = start("max_uri_bytes = 64").await;
    let path = format!("/{}", "a".repeat(100));
    let (response, mut connection) = exchange(
        &proxy,
        format!("GET {path} HTTP/1.1\r\nHost: shop\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(response.status, 414);
    assert_eq!(response.header("x-ficus-error"), Some("uri_too_long"));
    assert!(response.text().contains("\"route\":\"default\""));
    // A short one on the same connection still goes through.
    assert!(
        connection
            .send(b"GET /short HTTP/1.1\r\nHost: shop\r\n\r\n")
            .await
    );
    assert_eq!(connection.response().await.expect("response").status, 200);
    let targets: Vec<String> = upstream
        .requests()
        .into_iter()
        .map(|request| request.target)
        .collect();
    assert_eq!(targets, ["/short"]);
    proxy.shutdown().await;
}

#[tokio::test]
async fn slowloris_headers_are_cut_off_after_header_read_timeout() {
    let (proxy, upstream) = start("header_read_timeout_ms = 300").await;
    let mut connection = RawClient::connect(proxy.addr).await;
    let request = format!(
        "GET /slow HTTP/1.1\r\nHost: shop\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(100)
    );
    // One byte every 50 ms: the headers would take over 7 s to arrive. Writing fails soon
    // after the proxy has closed the connection.
    let mut sent_everything = true;
    for byte in request.as_bytes() {
        if !connection.send(&[*byte]).await {
            sent_everything = false;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!sent_everything, "the proxy waited for the whole slow head");
    let rest = connection.rest_until_closed().await;
    let rest = String::from_utf8_lossy(&rest);
    assert!(!rest.contains(" 200 "), "{rest}");
    assert_eq!(upstream.connections(), 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_max_connections_wait_until_one_closes() {
    let (proxy, _upstream) = start("max_connections = 2").await;
    let request = b"GET /x HTTP/1.1\r\nHost: shop\r\n\r\n";
    let (first, first_connection) = exchange(&proxy, request).await;
    assert_eq!(first.status, 200);
    let (second, _second_connection) = exchange(&proxy, request).await;
    assert_eq!(second.status, 200);

    let mut third_connection = RawClient::connect(proxy.addr).await;
    assert!(third_connection.send(request).await);
    assert!(
        third_connection
            .response_within(NOTHING_COMES)
            .await
            .is_none(),
        "a third connection was served while two were open"
    );

    drop(first_connection);
    let third = within(third_connection.response())
        .await
        .expect("served once a connection closed");
    assert_eq!(third.status, 200);
    proxy.shutdown().await;
}

#[tokio::test]
async fn connect_is_refused_with_405() {
    check_rejected(
        b"CONNECT internal.example:22 HTTP/1.1\r\nHost: internal.example:22\r\n\r\n",
        405,
    )
    .await;
}

/// RFC 9112 section 3.2.2: an absolute-form target's host replaces `Host`, and the upstream
/// gets the origin form.
#[tokio::test]
async fn an_absolute_form_target_names_the_host_and_the_upstream_gets_origin_form() {
    let (proxy, upstream) = start("").await;
    let (response, _connection) = exchange(
        &proxy,
        b"GET http://shop.example/page?x=1 HTTP/1.1\r\nHost: other.example\r\n\r\n",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let requests = upstream.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].target, "/page?x=1");
    assert_eq!(requests[0].header_values("host"), ["shop.example"]);
    assert_eq!(
        requests[0].header_values("x-forwarded-host"),
        ["shop.example"]
    );
    proxy.shutdown().await;
}

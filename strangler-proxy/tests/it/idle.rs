//! `[limits] idle_timeout_ms`: a client connection that neither reads nor writes a byte for that
//! long is closed, between requests or in the middle of a body, and one that keeps sending, however
//! slowly, is not. Raw sockets, so that the test decides when each byte goes. And an upstream's
//! `idle_timeout_ms`: a pooled connection idle that long is not used again.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::raw::RawUpstream;
use crate::support::{Proxy, Upstream, client, config_with_upstreams, get, within};

/// The idle timeout of these tests: long enough for a loaded machine to answer well within it,
/// short enough to wait out.
const IDLE_MS: u64 = 600;

/// A proxy with the idle timeout [`IDLE_MS`] in front of an upstream that reads the whole body
/// and answers its length ([`Upstream::body_length`]).
async fn start() -> (Proxy, Upstream) {
    start_with_limits(&format!("idle_timeout_ms = {IDLE_MS}")).await
}

/// [`start`] with other `[limits]` fields.
async fn start_with_limits(limits: &str) -> (Proxy, Upstream) {
    let upstream = Upstream::body_length("monolith").await;
    let config = format!(
        "limits = {{ {limits} }}\n{}",
        config_with_upstreams(&[("monolith", upstream.addr)])
    );
    (Proxy::start(&config).await, upstream)
}

/// Reads one response whose body is `read <n>` (framed by `Content-Length`) and returns the
/// whole text.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .expect("the answer has a Content-Length");
            if body.len() >= length {
                return text;
            }
        }
        let read = stream.read(&mut buffer).await.expect("read the answer");
        assert!(read > 0, "connection closed before the answer: {text:?}");
        received.extend_from_slice(&buffer[..read]);
    }
}

/// Whether the proxy closed `stream`: end of stream, or a reset.
async fn closed_by_proxy(stream: &mut TcpStream) -> bool {
    let mut buffer = [0; 64];
    match stream.read(&mut buffer).await {
        Ok(0) | Err(_) => true,
        Ok(_) => false,
    }
}

/// Sends a GET on `stream` and checks it is answered `200`.
async fn get_ok(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /idle HTTP/1.1\r\nHost: shop.example\r\n\r\n")
        .await
        .expect("send");
    let answer = read_response(stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_quiet_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let (proxy, _upstream) = start().await;
    within(async {
        let mut stream = TcpStream::connect(proxy.addr).await.expect("connect");
        get_ok(&mut stream).await;
        // Kept alive: a second request right away is answered on the same connection.
        get_ok(&mut stream).await;
        // Then nothing: the proxy closes it (the test's timeout bounds the wait).
        assert!(closed_by_proxy(&mut stream).await, "sent bytes unasked");
    })
    .await;
}

/// The timeout never fires early: a connection quiet for two thirds of it is still open and
/// serves its next request.
#[tokio::test]
async fn a_connection_quiet_for_less_than_the_idle_timeout_stays_open() {
    let (proxy, _upstream) = start().await;
    within(async {
        let mut stream = TcpStream::connect(proxy.addr).await.expect("connect");
        get_ok(&mut stream).await;
        tokio::time::sleep(Duration::from_millis(IDLE_MS * 2 / 3)).await;
        get_ok(&mut stream).await;
    })
    .await;
}

/// hyper starts the header read timeout as soon as a connection is ready for its next request,
/// so between requests it is the keep-alive timeout, whatever the idle timeout says (here the
/// idle timeout is far longer than the test's wait).
#[tokio::test]
async fn between_requests_the_header_read_timeout_closes_a_kept_alive_connection() {
    let (proxy, _upstream) = start_with_limits(&format!(
        "idle_timeout_ms = 600000, header_read_timeout_ms = {IDLE_MS}"
    ))
    .await;
    within(async {
        let mut stream = TcpStream::connect(proxy.addr).await.expect("connect");
        get_ok(&mut stream).await;
        assert!(closed_by_proxy(&mut stream).await, "sent bytes unasked");
    })
    .await;
}

#[tokio::test]
async fn a_client_that_stops_in_the_middle_of_a_body_is_cut_off() {
    let (proxy, _upstream) = start().await;
    within(async {
        let mut stream = TcpStream::connect(proxy.addr).await.expect("connect");
        stream
            .write_all(b"POST /upload HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 100\r\n\r\n0123456789")
            .await
            .expect("send the start");
        // 90 bytes never come; the proxy does not wait for them forever: the read ends (the
        // test's timeout bounds it) when it closes the connection, with no success on it.
        let mut received = Vec::new();
        let _ = stream.read_to_end(&mut received).await;
        assert!(
            !String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"),
            "a body that never came was answered: {received:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_body_that_keeps_coming_slowly_is_not_idle() {
    let (proxy, _upstream) = start().await;
    within(async {
        let mut stream = TcpStream::connect(proxy.addr).await.expect("connect");
        stream
            .write_all(b"POST /upload HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 12\r\n\r\n")
            .await
            .expect("send the head");
        // One byte every sixth of the idle timeout: twice the timeout in all, never idle.
        for byte in b"abcdefghijkl" {
            tokio::time::sleep(Duration::from_millis(IDLE_MS / 6)).await;
            stream.write_all(&[*byte]).await.expect("send a byte");
        }
        let answer = read_response(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("read 12"), "{answer}");
    })
    .await;
}

#[tokio::test]
async fn a_pooled_upstream_connection_idle_past_its_timeout_is_not_reused() {
    let upstream = RawUpstream::recorder().await;
    let proxy = Proxy::start(&format!(
        "default_upstream = \"monolith\"\n\n[[upstream]]\nname = \"monolith\"\n\
         addresses = [\"{}\"]\nidle_timeout_ms = 1000\n",
        upstream.addr
    ))
    .await;
    let client = client();
    for path in ["/first", "/right-after"] {
        let reply = get(&client, &proxy.url(path), &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(
        upstream.connections(),
        1,
        "the second request reuses the first's connection"
    );

    tokio::time::sleep(Duration::from_millis(2000)).await;
    let reply = get(&client, &proxy.url("/later"), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        upstream.connections(),
        2,
        "a connection idle past its timeout is not reused"
    );
    proxy.shutdown().await;
}

/// At shutdown a kept-alive connection between requests is closed at once, not left to its
/// timeouts (here all longer than the test's bound): the drain tells every connection.
#[tokio::test]
async fn shutdown_closes_a_kept_alive_connection_between_requests() {
    let (proxy, _upstream) = start_with_limits(
        "idle_timeout_ms = 120000, header_read_timeout_ms = 120000, shutdown_timeout_ms = 120000",
    )
    .await;
    let mut stream = within(TcpStream::connect(proxy.addr))
        .await
        .expect("connect");
    within(get_ok(&mut stream)).await;
    let shutdown = tokio::spawn(proxy.shutdown());
    assert!(
        within(closed_by_proxy(&mut stream)).await,
        "sent bytes unasked"
    );
    within(shutdown).await.expect("shutdown task");
}

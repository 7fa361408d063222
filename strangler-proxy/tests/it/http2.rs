//! HTTP/2 on both sides of the proxy: cleartext HTTP/2 with prior knowledge (h2c) to an
//! upstream configured with `protocol = "h2c"`, and from a client that speaks only HTTP/2 to
//! the proxy, including several requests at once on one connection. The echo upstream reports
//! the version it received.

use bytes::Bytes;
use http::Version;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::support::{Proxy, Upstream, client, get};

#[tokio::test]
async fn http1_client_to_h2c_upstream() {
    check(Side::Http1, Side::H2c).await;
}

#[tokio::test]
async fn h2c_client_to_http1_upstream() {
    check(Side::H2c, Side::Http1).await;
}

#[tokio::test]
async fn h2c_client_to_h2c_upstream() {
    check(Side::H2c, Side::H2c).await;
}

#[tokio::test]
async fn concurrent_streams_on_one_h2c_client_connection() {
    let upstream = Upstream::echo("monolith").await;
    let proxy = Proxy::start(&config(&upstream, Side::H2c)).await;
    let client = h2c_client();

    let replies = futures_util::future::join_all((0..20).map(|request_idx| {
        let client = client.clone();
        let url = proxy.url(&format!("/items/{request_idx}"));
        async move { get(&client, &url, &[]).await }
    }))
    .await;

    for (request_idx, reply) in replies.iter().enumerate() {
        assert_eq!(reply.status, 200);
        assert_eq!(reply.version, Version::HTTP_2);
        assert_eq!(reply.json()["path"], format!("/items/{request_idx}"));
        assert_eq!(reply.json()["version"], "HTTP/2.0");
    }
    proxy.shutdown().await;
}

/// The protocol of one side of the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Http1,
    H2c,
}

/// Sends a request with a body from a client speaking `client_side` to the proxy, which talks
/// to an echo upstream configured with `upstream_side`; asserts the version each side used
/// and what crossed over (path, host, body, `Via`).
async fn check(client_side: Side, upstream_side: Side) {
    let upstream = Upstream::echo("monolith").await;
    let proxy = Proxy::start(&config(&upstream, upstream_side)).await;
    let client = match client_side {
        Side::Http1 => client(),
        Side::H2c => h2c_client(),
    };

    let request = http::Request::post(proxy.url("/api/orders?page=2"))
        .header("x-custom", "kept")
        .body(Full::new(Bytes::from_static(b"{\"id\": 7}")))
        .expect("request");
    let reply = crate::support::send(&client, request).await;

    assert_eq!(reply.status, 200);
    let (client_version, client_via) = match client_side {
        Side::Http1 => (Version::HTTP_11, "1.1 ficus"),
        Side::H2c => (Version::HTTP_2, "2 ficus"),
    };
    let (upstream_version, upstream_via) = match upstream_side {
        Side::Http1 => ("HTTP/1.1", "1.1 ficus"),
        Side::H2c => ("HTTP/2.0", "2 ficus"),
    };
    assert_eq!(reply.version, client_version);
    assert_eq!(reply.json()["version"], upstream_version);
    assert_eq!(reply.json()["method"], "POST");
    assert_eq!(reply.json()["path"], "/api/orders?page=2");
    assert_eq!(reply.json()["body_len"], 9);
    assert_eq!(reply.echoed("x-custom"), ["kept"]);
    assert_eq!(reply.echoed("via"), [client_via]);
    // HTTP/2 has no Host header; the upstream still learns the host the client named.
    let proxy_host = proxy.addr.to_string();
    match upstream_side {
        Side::Http1 => assert_eq!(reply.echoed("host"), [proxy_host.as_str()]),
        Side::H2c => assert_eq!(reply.echoed("x-forwarded-host"), [proxy_host.as_str()]),
    }
    assert_eq!(reply.header("via"), Some(upstream_via));
    proxy.shutdown().await;
}

fn config(upstream: &Upstream, side: Side) -> String {
    let protocol = match side {
        Side::Http1 => "http1",
        Side::H2c => "h2c",
    };
    format!(
        "default_upstream = \"monolith\"\n\n[[upstream]]\nname = \"monolith\"\naddresses = [\"{}\"]\nprotocol = \"{protocol}\"\n",
        upstream.addr
    )
}

/// A client that speaks HTTP/2 with prior knowledge only.
fn h2c_client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

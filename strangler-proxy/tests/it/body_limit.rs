//! `[limits] max_body_bytes`: a declared length over the limit is refused before anything goes
//! upstream; a streamed (chunked) body that grows past it is cut off and answered `413`; bodies
//! within the limit pass whole.

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::support::{Proxy, Upstream, config_with_upstreams, within};

/// A proxy with `max_body_bytes = 1000` in front of an upstream that reads the whole body and
/// answers its length.
async fn start() -> (Proxy, Upstream) {
    let upstream = Upstream::body_length("monolith").await;
    let config = format!(
        "limits = {{ max_body_bytes = 1000 }}\n{}",
        config_with_upstreams(&[("monolith", upstream.addr)])
    );
    (Proxy::start(&config).await, upstream)
}

/// POSTs `chunks` as a chunked body (no length declared); status and body of the answer.
async fn post_chunked(proxy: &Proxy, chunks: Vec<Bytes>) -> (u16, String) {
    within(async {
        let client = Client::builder(TokioExecutor::new()).build_http();
        let frames = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|chunk| Ok::<_, std::convert::Infallible>(Frame::data(chunk))),
        );
        let request = Request::post(proxy.url("/upload"))
            .body(StreamBody::new(frames))
            .expect("request");
        let response = client.request(request).await.expect("response");
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
    .await
}

async fn post_sized(proxy: &Proxy, length: usize) -> (u16, String) {
    within(async {
        let client = Client::builder(TokioExecutor::new()).build_http();
        let request = Request::post(proxy.url("/upload"))
            .body(Full::new(Bytes::from(vec![b'x'; length])))
            .expect("request");
        let response = client.request(request).await.expect("response");
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
    .await
}

#[tokio::test]
async fn declared_length_over_the_limit_is_413_before_the_upstream() {
    let (proxy, upstream) = start().await;
    let (status, body) = post_sized(&proxy, 1001).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"error\":\"body_too_large\""), "{body}");
    assert_eq!(upstream.hits(), 0);
    proxy.shutdown().await;
}

#[tokio::test]
async fn bodies_within_the_limit_pass_whole() {
    let (proxy, _upstream) = start().await;
    assert_eq!(
        post_sized(&proxy, 1000).await,
        (200, "read 1000".to_owned())
    );
    let chunks = vec![Bytes::from(vec![b'y'; 600]), Bytes::from(vec![b'y'; 400])];
    assert_eq!(
        post_chunked(&proxy, chunks).await,
        (200, "read 1000".to_owned())
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn streamed_body_growing_past_the_limit_is_cut_off_with_413() {
    let (proxy, _upstream) = start().await;
    let chunks = (0..8).map(|_| Bytes::from(vec![b'z'; 400])).collect();
    let (status, body) = post_chunked(&proxy, chunks).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"error\":\"body_too_large\""), "{body}");
    proxy.shutdown().await;
}

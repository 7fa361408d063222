//! Bodies stream through the proxy: a 64 MiB response and a 64 MiB upload are passed on as
//! they arrive, never buffered whole (each test holds back the rest of the body until the first
//! chunk has come out on the other side), and what an upstream receives is framed by
//! `Content-Length` or by chunking, never both, whatever the client sent. Framing is checked
//! on the wire with a raw TCP client and a raw TCP upstream.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use crate::support::{Proxy, config_with_upstreams, within};

const CHUNK_BYTES: usize = 1024 * 1024;
const N_CHUNKS: usize = 64;
const TOTAL_BYTES: usize = CHUNK_BYTES * N_CHUNKS;

#[tokio::test]
async fn chunked_response_reaches_the_client_before_the_upstream_finishes() {
    check_response_streams(false).await;
}

#[tokio::test]
async fn response_with_content_length_reaches_the_client_before_the_upstream_finishes() {
    check_response_streams(true).await;
}

#[tokio::test]
async fn chunked_upload_larger_than_the_replay_buffer_streams_whole() {
    check_upload_streams(None).await;
}

#[tokio::test]
async fn upload_with_content_length_larger_than_the_replay_buffer_streams_whole() {
    check_upload_streams(Some(TOTAL_BYTES as u64)).await;
}

#[tokio::test]
async fn content_length_request_arrives_with_content_length_only() {
    check_request_framing(
        "POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        Framing::ContentLength(5),
        b"hello",
    )
    .await;
    // PUT: small enough to be kept for replay, sent again from the copy.
    check_request_framing(
        "PUT /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        Framing::ContentLength(5),
        b"hello",
    )
    .await;
}

#[tokio::test]
async fn chunked_request_arrives_chunked_only() {
    check_request_framing(
        "POST /upload HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        Framing::Chunked,
        b"hello world",
    )
    .await;
}

#[tokio::test]
async fn request_with_both_framings_is_read_chunked_and_forwarded_chunked_only() {
    check_request_framing(
        "POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        Framing::Chunked,
        b"abc",
    )
    .await;
}

#[tokio::test]
async fn request_without_body_arrives_without_framing_headers() {
    check_request_framing(
        "GET /page HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n",
        Framing::None,
        b"",
    )
    .await;
}

#[tokio::test]
async fn responses_keep_one_framing() {
    check_response_framing(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        Framing::ContentLength(2),
        b"ok",
    )
    .await;
    check_response_framing(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        Framing::Chunked,
        b"ok",
    )
    .await;
}

/// An upstream answers with [`TOTAL_BYTES`] (declared with `Content-Length` or chunked) that
/// the test feeds it one chunk at a time; the client must see the first chunk while the
/// upstream still holds back the rest, and then receive every byte in order.
async fn check_response_streams(declare_length: bool) {
    let (chunk_sender, chunk_receiver) = mpsc::channel::<Bytes>(1);
    let chunk_receiver = Arc::new(Mutex::new(Some(chunk_receiver)));
    let upstream = serve_streaming(move |_request| {
        let receiver = chunk_receiver
            .lock()
            .expect("lock")
            .take()
            .expect("one request");
        let body = ChannelBody {
            receiver,
            length: declare_length.then_some(TOTAL_BYTES as u64),
        };
        Response::new(body)
    })
    .await;
    let config = config_with_upstreams(&[("monolith", upstream)]);
    let proxy = Proxy::start(&config).await;
    let client = Client::builder(TokioExecutor::new()).build_http::<http_body_util::Full<Bytes>>();

    chunk_sender
        .send(chunk(0))
        .await
        .expect("upstream takes the first chunk");
    let response = within(client.get(proxy.url("/download").parse().expect("uri")))
        .await
        .expect("response head");
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut received = 0;
    while received < CHUNK_BYTES {
        let frame = within(body.frame())
            .await
            .expect("more body before the upstream sent the rest")
            .expect("body frame");
        if let Ok(data) = frame.into_data() {
            assert_chunk_bytes(received, &data);
            received += data.len();
        }
    }
    assert_eq!(
        received, CHUNK_BYTES,
        "the client got exactly what the upstream produced so far"
    );

    let producer = tokio::spawn(async move {
        for chunk_idx in 1..N_CHUNKS {
            chunk_sender
                .send(chunk(chunk_idx))
                .await
                .expect("upstream takes the next chunk");
        }
    });
    while let Some(frame) = within(body.frame()).await {
        if let Ok(data) = frame.expect("body frame").into_data() {
            assert_chunk_bytes(received, &data);
            received += data.len();
        }
    }
    assert_eq!(received, TOTAL_BYTES);
    within(producer).await.expect("producer");
    proxy.shutdown().await;
}

/// The client uploads [`TOTAL_BYTES`] with `PUT` (idempotent, so only the size keeps the body
/// from the replay buffer), declared with `Content-Length` or chunked; the upstream must see
/// the first chunk while the client still holds back the rest, then receive every byte.
async fn check_upload_streams(declared_length: Option<u64>) {
    let (first_seen_sender, first_seen) = oneshot::channel::<()>();
    let first_seen_sender = Arc::new(Mutex::new(Some(first_seen_sender)));
    let upstream = serve_streaming(move |request: Request<Incoming>| {
        let first_seen_sender = first_seen_sender.lock().expect("lock").take();
        let (response_sender, response_receiver) = mpsc::channel(1);
        tokio::spawn(async move {
            let headers = request.headers().clone();
            let mut body = request.into_body();
            let mut first_seen_sender = first_seen_sender;
            let mut received = 0;
            let mut in_order = true;
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame.expect("upload frame").into_data() else {
                    continue;
                };
                in_order &= chunk_bytes_match(received, &data);
                received += data.len();
                if let Some(sender) = first_seen_sender.take() {
                    let _ = sender.send(());
                }
            }
            let report = serde_json::json!({
                "received": received,
                "in_order": in_order,
                "content-length": header_text(&headers, "content-length"),
                "transfer-encoding": header_text(&headers, "transfer-encoding"),
            });
            let _ = response_sender.send(Bytes::from(report.to_string())).await;
        });
        Response::new(ChannelBody {
            receiver: response_receiver,
            length: None,
        })
    })
    .await;
    let config = config_with_upstreams(&[("monolith", upstream)]);
    let proxy = Proxy::start(&config).await;
    let client = Client::builder(TokioExecutor::new()).build_http::<ChannelBody>();

    let (chunk_sender, chunk_receiver) = mpsc::channel::<Bytes>(1);
    let request = Request::put(proxy.url("/upload"))
        .body(ChannelBody {
            receiver: chunk_receiver,
            length: declared_length,
        })
        .expect("request");
    let response = tokio::spawn(client.request(request));
    chunk_sender
        .send(chunk(0))
        .await
        .expect("client sends the first chunk");
    within(first_seen)
        .await
        .expect("the upstream saw the first chunk before the client sent the rest");
    for chunk_idx in 1..N_CHUNKS {
        within(chunk_sender.send(chunk(chunk_idx)))
            .await
            .expect("client sends the next chunk");
    }
    drop(chunk_sender);

    let response = within(response)
        .await
        .expect("request task")
        .expect("response");
    assert_eq!(response.status(), 200);
    let report = within(response.into_body().collect())
        .await
        .expect("report")
        .to_bytes();
    let report: serde_json::Value = serde_json::from_slice(&report).expect("JSON report");
    assert_eq!(report["received"], TOTAL_BYTES);
    assert_eq!(report["in_order"], true);
    match declared_length {
        Some(length) => {
            assert_eq!(report["content-length"], length.to_string());
            assert_eq!(report["transfer-encoding"], serde_json::Value::Null);
        }
        None => {
            assert_eq!(report["content-length"], serde_json::Value::Null);
            assert_eq!(report["transfer-encoding"], "chunked");
        }
    }
    proxy.shutdown().await;
}

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    None,
    ContentLength(u64),
    Chunked,
}

/// A message as read off the wire.
#[derive(Debug)]
struct RawMessage {
    start_line: String,
    /// Names lower-cased, values trimmed, in wire order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Sends `raw_request` to the proxy on a fresh TCP connection; asserts the framing and body
/// the upstream (a raw TCP server) received, and that the client got a `200`.
async fn check_request_framing(raw_request: &str, expected: Framing, expected_body: &[u8]) {
    let (upstream, mut received) =
        raw_upstream("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
    let config = config_with_upstreams(&[("monolith", upstream)]);
    let proxy = Proxy::start(&config).await;

    let response = raw_exchange(proxy.addr, raw_request).await;
    assert!(
        response.start_line.starts_with("HTTP/1.1 200"),
        "{}",
        response.start_line
    );
    let request = within(received.recv())
        .await
        .expect("upstream got a request");
    assert_eq!(request.framing(), expected, "{:?}", request.headers);
    assert_eq!(request.body, expected_body);
    proxy.shutdown().await;
}

/// Has a raw TCP upstream answer `raw_response`; asserts the framing and body the client got.
async fn check_response_framing(
    raw_response: &'static str,
    expected: Framing,
    expected_body: &[u8],
) {
    let (upstream, _received) = raw_upstream(raw_response).await;
    let config = config_with_upstreams(&[("monolith", upstream)]);
    let proxy = Proxy::start(&config).await;

    let response = raw_exchange(
        proxy.addr,
        "GET /page HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        response.start_line.starts_with("HTTP/1.1 200"),
        "{}",
        response.start_line
    );
    assert_eq!(response.framing(), expected, "{:?}", response.headers);
    assert_eq!(response.body, expected_body);
    proxy.shutdown().await;
}

impl RawMessage {
    /// The framing; fails the test if the message has both `Content-Length` and
    /// `Transfer-Encoding`, or either twice.
    fn framing(&self) -> Framing {
        let values = |name: &str| -> Vec<&str> {
            self.headers
                .iter()
                .filter(|(header_name, _)| header_name == name)
                .map(|(_, value)| value.as_str())
                .collect()
        };
        match (
            values("content-length").as_slice(),
            values("transfer-encoding").as_slice(),
        ) {
            ([], []) => Framing::None,
            ([length], []) => Framing::ContentLength(length.parse().expect("a length")),
            ([], [coding]) if coding.eq_ignore_ascii_case("chunked") => Framing::Chunked,
            (lengths, codings) => panic!(
                "ambiguous framing: content-length {lengths:?}, transfer-encoding {codings:?}"
            ),
        }
    }
}

/// Writes `raw_request` to `proxy_addr` and reads the response until the connection closes.
async fn raw_exchange(proxy_addr: std::net::SocketAddr, raw_request: &str) -> RawMessage {
    within(async {
        let mut stream = TcpStream::connect(proxy_addr).await.expect("connect");
        stream
            .write_all(raw_request.as_bytes())
            .await
            .expect("write request");
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .await
            .expect("read response");
        read_message(&mut BufReader::new(response.as_slice()), true)
            .await
            .expect("a response")
    })
    .await
}

/// A TCP server that reads each request by hand, sends it to the returned channel, and
/// answers `raw_response`.
async fn raw_upstream(
    raw_response: &'static str,
) -> (std::net::SocketAddr, mpsc::UnboundedReceiver<RawMessage>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(stream);
                while let Some(request) = read_message(&mut reader, false).await {
                    let _ = sender.send(request);
                    if reader
                        .get_mut()
                        .write_all(raw_response.as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (addr, receiver)
}

/// Reads one HTTP/1.1 message; `None` at end of stream or on malformed input. A response
/// without framing headers is read until the end of the stream.
async fn read_message(
    reader: &mut (impl AsyncBufRead + Unpin),
    is_response: bool,
) -> Option<RawMessage> {
    let mut start_line = String::new();
    if reader.read_line(&mut start_line).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut message = RawMessage {
        start_line: start_line.trim_end().to_owned(),
        headers,
        body: Vec::new(),
    };
    let is_chunked = message
        .headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.ends_with("chunked"));
    let content_length = message
        .headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok());
    if is_chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line).await.ok()?;
            let size = usize::from_str_radix(size_line.trim_end(), 16).ok()?;
            if size == 0 {
                // Trailer section, up to the empty line.
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).await.ok()?;
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut data = vec![0; size + 2];
            reader.read_exact(&mut data).await.ok()?;
            message.body.extend_from_slice(&data[..size]);
        }
    } else if let Some(length) = content_length {
        message.body.resize(length, 0);
        reader.read_exact(&mut message.body).await.ok()?;
    } else if is_response {
        reader.read_to_end(&mut message.body).await.ok()?;
    }
    Some(message)
}

/// A body fed through a channel: one data frame per message, ended when the sender is
/// dropped. `length` is the exact size hint, if declared.
struct ChannelBody {
    receiver: mpsc::Receiver<Bytes>,
    length: Option<u64>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.get_mut()
            .receiver
            .poll_recv(cx)
            .map(|data| data.map(|data| Ok(Frame::data(data))))
    }

    fn size_hint(&self) -> SizeHint {
        match self.length {
            Some(length) => SizeHint::with_exact(length),
            None => SizeHint::default(),
        }
    }
}

/// An HTTP/1.1 server on a loopback port whose handler answers with a [`ChannelBody`].
async fn serve_streaming(
    handler: impl Fn(Request<Incoming>) -> Response<ChannelBody> + Send + Sync + 'static,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let response = handler(request);
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// Chunk `chunk_idx` of the test body: [`CHUNK_BYTES`] bytes of value `chunk_idx`.
fn chunk(chunk_idx: usize) -> Bytes {
    Bytes::from(vec![chunk_idx as u8; CHUNK_BYTES])
}

/// Whether `data`, found at byte `offset` of the test body, holds the bytes [`chunk`] put there.
fn chunk_bytes_match(offset: usize, data: &[u8]) -> bool {
    data.iter()
        .enumerate()
        .all(|(index, byte)| *byte == ((offset + index) / CHUNK_BYTES) as u8)
}

fn assert_chunk_bytes(offset: usize, data: &[u8]) {
    assert!(
        chunk_bytes_match(offset, data),
        "wrong bytes at offset {offset}"
    );
}

fn header_text(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|value| value.to_str().expect("ASCII").to_owned())
}

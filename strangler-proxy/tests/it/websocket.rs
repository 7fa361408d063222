//! WebSocket through the proxy: the upgrade request reaches a tokio-tungstenite echo server
//! on the routed upstream, the `101` comes back, and then text and binary messages flow both
//! ways over the tunnel until a clean close handshake.

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::support::Proxy;
use crate::support::{Upstream, config_with_upstreams, within};

#[tokio::test]
async fn text_and_binary_messages_echo_both_ways_then_close() {
    check_echo(&[
        Message::text("hello"),
        Message::binary(vec![0_u8, 1, 2, 255]),
        Message::text("x".repeat(200_000)),
        Message::text("last"),
    ])
    .await;
}

#[tokio::test]
async fn many_small_messages_keep_their_order() {
    let messages: Vec<Message> = (0..100)
        .map(|message_idx| Message::text(format!("message {message_idx}")))
        .collect();
    check_echo(&messages).await;
}

/// Starts a WebSocket echo upstream behind route `/ws/**` (the monolith is a plain echo),
/// connects through the proxy, sends each message and expects it back, then closes. Also
/// asserts what the upstream saw of the upgrade request.
async fn check_echo(messages: &[Message]) {
    let monolith = Upstream::echo("monolith").await;
    let (chat_addr, handshake) = websocket_echo_upstream().await;
    let mut config = config_with_upstreams(&[("monolith", monolith.addr), ("chat", chat_addr)]);
    config.push_str(
        "\n[[route]]\nname = \"chat\"\npath = \"/ws/**\"\ntargets = [{ upstream = \"chat\" }]\n",
    );
    let proxy = Proxy::start(&config).await;

    let stream = TcpStream::connect(proxy.addr).await.expect("connect");
    let url = format!("ws://{}/ws/room/1", proxy.addr);
    let (mut socket, response) = within(tokio_tungstenite::client_async(url, stream))
        .await
        .expect("WebSocket handshake through the proxy");
    assert_eq!(response.status(), 101);
    assert!(response.headers().contains_key("via"));

    let (path, forwarded_for) = within(handshake).await.expect("upstream handshake");
    assert_eq!(path, "/ws/room/1");
    assert_eq!(forwarded_for.as_deref(), Some("127.0.0.1"));

    for message in messages {
        within(socket.send(message.clone())).await.expect("send");
        let echoed = within(socket.next())
            .await
            .expect("an echo")
            .expect("a message");
        assert_eq!(&echoed, message);
    }
    within(socket.close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "done".into(),
    })))
    .await
    .expect("close");
    let mut got_close = false;
    while let Some(message) = within(socket.next()).await {
        match message {
            Ok(Message::Close(frame)) => {
                got_close = true;
                assert_eq!(frame.map(|frame| frame.code), Some(CloseCode::Normal));
            }
            Ok(other) => panic!("unexpected message after close: {other:?}"),
            Err(_) => break,
        }
    }
    assert!(got_close, "the upstream's close frame came back");
    assert_eq!(monolith.hits(), 0);
    proxy.shutdown().await;
}

/// A WebSocket echo server for one connection; reports the upgrade request's path and
/// `X-Forwarded-For`.
async fn websocket_echo_upstream() -> (SocketAddr, oneshot::Receiver<(String, Option<String>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (report, handshake) = oneshot::channel();
    tokio::spawn(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let mut report = Some(report);
        #[expect(
            clippy::result_large_err,
            reason = "the error type is tungstenite's, fixed by `accept_hdr_async`"
        )]
        let callback = |request: &Request, response: Response| {
            let forwarded_for = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            if let Some(report) = report.take() {
                let _ = report.send((request.uri().to_string(), forwarded_for));
            }
            Ok(response)
        };
        let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
            return;
        };
        while let Some(Ok(message)) = socket.next().await {
            // tungstenite answers pings and close frames by itself.
            let is_data = message.is_text() || message.is_binary();
            if is_data && socket.send(message).await.is_err() {
                return;
            }
        }
    });
    (addr, handshake)
}

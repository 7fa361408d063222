//! The floor under `ficus proxy`'s cost per request: hyper's HTTP/1.1 server in front of
//! hyper's HTTP/1.1 client connections, on one single-threaded tokio runtime with the same
//! allocator, and nothing else: no route table, no header edits, no metrics, no timeouts, no
//! retries. What this costs per request (instructions under callgrind, CPU under the harness)
//! is what the proxy would cost with all of its own work removed, so it bounds what tuning our
//! code can win while hyper and tokio stay (see docs/performance.md).
//!
//! ```sh
//! cargo run --release -p ficus-proxy --example hyper_floor -- 127.0.0.1:18092 127.0.0.1:18081
//! ```
//!
//! Every request goes to the one upstream, with its path, method and headers as received.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use hyper::body::Incoming;
use hyper::client::conn::http1 as client;
use hyper::server::conn::http1 as server;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Idle upstream connections: this runtime has one thread, so no lock.
type Idle = Rc<RefCell<Vec<client::SendRequest<Incoming>>>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: hyper_floor LISTEN UPSTREAM";
    let listen: SocketAddr = args.next().ok_or(usage)?.parse()?;
    let upstream: SocketAddr = args.next().ok_or(usage)?.parse()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    // Ends on Ctrl-C with a normal exit, so that profilers write their data.
    local.block_on(&runtime, async {
        tokio::select! {
            served = serve(listen, upstream) => served,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

async fn serve(listen: SocketAddr, upstream: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind(listen).await?;
    eprintln!("hyper_floor listening on {listen}, forwarding to {upstream}");
    let idle: Idle = Rc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let idle = Rc::clone(&idle);
        tokio::task::spawn_local(async move {
            let service = hyper::service::service_fn(move |request| {
                forward(Rc::clone(&idle), upstream, request)
            });
            let _ = server::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Sends `request` on an idle connection (or a new one) and hands the connection back once
/// the response head is in; the next user waits until it is ready (the body read).
async fn forward(
    idle: Idle,
    upstream: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Incoming>, hyper::Error> {
    let pooled = idle.borrow_mut().pop();
    let ready = match pooled {
        Some(mut sender) => sender.ready().await.ok().map(|()| sender),
        None => None,
    };
    let mut sender = match ready {
        Some(sender) => sender,
        None => {
            let stream = TcpStream::connect(upstream)
                .await
                .expect("the upstream accepts connections");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            let (sender, connection) = client::handshake(TokioIo::new(stream)).await?;
            tokio::task::spawn_local(connection);
            sender
        }
    };
    let (mut parts, body) = request.into_parts();
    // Origin form, as the proxy sends.
    parts.uri = parts.uri.path_and_query().map_or_else(
        || "/".parse().expect("a path"),
        |path| path.as_str().parse().expect("a path"),
    );
    let response = sender
        .send_request(Request::from_parts(parts, body))
        .await?;
    idle.borrow_mut().push(sender);
    Ok(response)
}

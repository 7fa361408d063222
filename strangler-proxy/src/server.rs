//! The listening side: accepts client connections, applies the connection-level limits and
//! serves each connection with hyper (HTTP/1.1 and HTTP/2 with prior knowledge, detected per
//! connection; upgrades allowed) through [`crate::proxy::ProxyService`]. With `[tls]`, each
//! connection first completes a TLS handshake (bounded by the header read timeout) and
//! ALPN offers `h2` and `http/1.1`.
//!
//! Limits applied here: at most `max_connections` open connections, counted across every
//! worker's listener (beyond it, a new one waits, accepted but unread, and those after it in
//! the kernel's listen backlog, until one closes); `max_header_count` and `max_header_bytes`
//! (hyper answers `431`); the header read timeout, counted from when the connection is ready
//! for a request (accepted, or the previous response written) until its headers are complete
//! (slowloris defence, and so the keep-alive timeout between requests; hyper closes the
//! connection); and the idle timeout, which closes a connection that neither read nor wrote a
//! byte for that long, between requests or inside a body. Framing is hyper's (RFC 9112): a
//! request with both `Transfer-Encoding` and `Content-Length` is read by `Transfer-Encoding`
//! and its connection closed afterwards, `Transfer-Encoding` in HTTP/1.0, a final coding other
//! than `chunked`, and conflicting or invalid `Content-Length` values get `400`.
//!
//! Shutdown stops accepting, lets in-flight requests finish (connections close once idle),
//! and cuts what is left after `shutdown_timeout`. Listener settings (`listen`, limits) are
//! read at start; a reload does not rebind.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;

use crate::config::settings::Limits;
use crate::headers::ClientConnection;
use crate::proxy::ProxyService;
use crate::runtime::Shared;

mod drain;
mod head_timer;

use drain::Drain;
use head_timer::HeadTimer;

/// Serves `listener` until `shutdown` completes, then drains connections for at most
/// `limits.shutdown_timeout`. Each open connection holds one of `permits` (sized
/// `max_connections`, shared by every worker's listener).
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    tls: Option<Arc<rustls::ServerConfig>>,
    permits: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) {
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let builder = connection_builder(&limits);
    let drain = Drain::default();
    let mut shutdown = std::pin::pin!(shutdown);
    let worker = crate::worker::index();
    let accepted = shared.metrics.accepted_by(worker);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Accepted first, then a permit: a worker waiting for a connection holds none, so
        // one worker's idle listener never keeps another's connection out. At the limit the
        // connection waits here, unread, like those behind it in the listen backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed.
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        accepted.inc();
        let _ = stream.set_nodelay(true);
        let stream = IdleTimeout::new(stream, limits.idle_timeout);
        let service = ProxyService {
            shared: Arc::clone(&shared),
            client: Arc::new(ClientConnection::new(peer, scheme)),
        };
        let guard = shared.metrics.connection_opened();
        let enlisted = drain.enlist();
        let Some(acceptor) = &tls else {
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let connection = enlisted.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(%peer, error = %error, "client connection ended with an error");
                }
                drop(guard);
                drop(permit);
            });
            continue;
        };
        // TLS: the handshake runs in the connection's task, bounded like reading headers.
        let acceptor = acceptor.clone();
        let builder = builder.clone();
        let handshake_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let connection = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned();
                    if let Err(error) = enlisted.watch(connection).await {
                        tracing::debug!(%peer, error = %error, "client connection ended with an error");
                    }
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_elapsed) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
            drop(guard);
            drop(permit);
        });
    }

    drop(listener);
    tracing::info!(
        worker,
        connections = drain.count(),
        "shutting down: draining connections"
    );
    if tokio::time::timeout(limits.shutdown_timeout, drain.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            worker,
            "shutdown timeout reached; closing the connections left"
        );
    }
}

/// hyper's own default for the number of request headers.
const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// The hyper connection builder with the limits applied.
fn connection_builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    if limits.max_header_count != HYPER_DEFAULT_MAX_HEADERS {
        // hyper parses up to 100 headers into a stack array; any other limit costs a heap
        // allocation per request, so it is set only when asked for.
        builder.http1().max_headers(limits.max_header_count);
    }
    builder
        .http1()
        .timer(HeadTimer)
        .header_read_timeout(limits.header_read_timeout)
        // hyper's minimum buffer is 8 KiB; validation keeps max_header_bytes at least that.
        .max_buf_size(limits.max_header_bytes.max(8192))
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(limits.idle_timeout / 2))
        .keep_alive_timeout(Duration::from_secs(20));
    builder
}

/// A TCP stream that fails with `TimedOut` once no byte was read or written for `idle`.
/// The timer is re-armed lazily: progress only records an instant, and when the sleep fires
/// early because of progress it is pushed back. It is polled only when it could tell something
/// new: when it fired, or when a task other than the one it holds the waker of waits.
struct IdleTimeout {
    stream: TcpStream,
    idle: Duration,
    last_activity: Instant,
    sleep: Pin<Box<Sleep>>,
    /// The waker the sleep was last polled with (outside the task's budget, so it registered).
    armed_for: Option<Waker>,
}

impl IdleTimeout {
    fn new(stream: TcpStream, idle: Duration) -> IdleTimeout {
        IdleTimeout {
            stream,
            idle,
            last_activity: Instant::now(),
            sleep: Box::pin(tokio::time::sleep(idle)),
            armed_for: None,
        }
    }

    /// Called when an operation is pending: errors once the connection has been idle too long.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let armed = self
            .armed_for
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        if armed && !self.sleep.is_elapsed() {
            // It holds this task's waker and has not fired: polling it would change nothing.
            return Poll::Pending;
        }
        loop {
            // Outside the task's budget: a sleep polled with the budget spent returns without
            // registering the waker, and would then not be polled again while armed.
            let mut sleep = tokio::task::unconstrained(self.sleep.as_mut());
            if Pin::new(&mut sleep).poll(cx).is_pending() {
                if !armed {
                    self.armed_for = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            let deadline = self.last_activity + self.idle;
            if Instant::now() >= deadline {
                return Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "client connection idle timeout",
                ));
            }
            self.sleep
                .as_mut()
                .reset(tokio::time::Instant::from_std(deadline));
        }
    }
}

impl AsyncRead for IdleTimeout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                this.last_activity = Instant::now();
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for IdleTimeout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Ready(result) => {
                this.last_activity = Instant::now();
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                this.last_activity = Instant::now();
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

//! Connections on their way back to an address's pool: the idle HTTP/1.1 stack
//! ([`IdleConnections`], most recently used first, bounded by `pool_size` and `idle_timeout`)
//! and the response body that hands its connection back once read to the end
//! ([`UpstreamBody`]). A body dropped early, or one that failed, takes its connection with it:
//! only a connection whose last exchange completed is reused.
//!
//! Each connection keeps the timer of its requests' timeouts ([`PooledHttp1::arm_timer`]):
//! registering a timer in tokio's wheel and taking it out again for every request cost more
//! than the rest of the pool's work, so the timer stays armed from one request to the next and
//! is moved only when it fires before the deadline of the request then in flight.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1;
use tokio::time::Sleep;

use crate::body::ProxyBody;

/// An HTTP/1.1 connection to an upstream address, with the timer its requests time out on.
#[derive(Debug)]
pub struct PooledHttp1 {
    pub(super) sender: http1::SendRequest<ProxyBody>,
    /// When its last request was sent; once back in the pool, it counts as idle from then (a
    /// little early, by that request's duration, which only ever retires it sooner).
    last_sent: Instant,
    /// Made for the connection's first request; after that armed at the deadline of some
    /// earlier request, or of the current one.
    timer: Option<Pin<Box<Sleep>>>,
}

impl PooledHttp1 {
    pub(super) fn new(sender: http1::SendRequest<ProxyBody>) -> PooledHttp1 {
        PooledHttp1 {
            sender,
            last_sent: Instant::now(),
            timer: None,
        }
    }

    /// The timer for a request sent at `now` that must have its response head by `deadline`.
    /// The timer left armed at an earlier request's deadline is only pushed to `deadline` when
    /// it fires ([`wait_for_head`]), and pulled in at once if `deadline` is earlier, so a
    /// request usually registers no timer at all.
    pub(super) fn arm_timer(
        &mut self,
        now: Instant,
        deadline: tokio::time::Instant,
    ) -> Pin<&mut Sleep> {
        self.last_sent = now;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() > deadline {
            timer.as_mut().reset(deadline);
        }
        timer.as_mut()
    }
}

/// Polls `sent`, a request sent on a pooled connection, with `timer` from
/// [`PooledHttp1::arm_timer`]: `Ready(None)` when `deadline` came first. A plain function
/// polled from the caller's own future (not an `async fn` of its own), so the request and the
/// response are not moved through one more future.
pub(super) fn wait_for_head<F: Future>(
    sent: Pin<&mut F>,
    mut timer: Pin<&mut Sleep>,
    deadline: tokio::time::Instant,
    cx: &mut Context<'_>,
) -> Poll<Option<F::Output>> {
    if let Poll::Ready(output) = sent.poll(cx) {
        return Poll::Ready(Some(output));
    }
    // Fired at an earlier request's deadline: re-armed for this one, and polled again so that
    // it wakes this task.
    while timer.as_mut().poll(cx).is_ready() {
        if timer.deadline() >= deadline {
            return Poll::Ready(None);
        }
        timer.as_mut().reset(deadline);
    }
    Poll::Pending
}

/// The idle HTTP/1.1 connections of one address: one stack per worker thread (see
/// [`crate::worker`]), each most recently used last and holding at most `capacity`, as each
/// NGINX worker keeps its own `keepalive` connections. A connection is opened, used and put
/// back by the worker of the client connection whose request needed it, so its task and its
/// users share a core.
pub struct IdleConnections {
    stacks: Box<[Mutex<IdleStack>]>,
    capacity: usize,
    idle_timeout: Duration,
}

/// One worker's idle connections.
type IdleStack = Vec<PooledHttp1>;

impl IdleConnections {
    pub(super) fn new(capacity: usize, idle_timeout: Duration) -> IdleConnections {
        IdleConnections {
            stacks: (0..crate::worker::count())
                .map(|_| Mutex::new(Vec::new()))
                .collect(),
            capacity,
            idle_timeout,
        }
    }

    /// This worker's stack.
    fn stack(&self) -> &Mutex<IdleStack> {
        &self.stacks[crate::worker::index() % self.stacks.len()]
    }

    /// The most recently used open connection at `now`; closed and expired ones are dropped on
    /// the way.
    pub(super) fn take(&self, now: Instant) -> Option<PooledHttp1> {
        let mut connections = self.stack().lock().ok()?;
        while let Some(connection) = connections.pop() {
            let idle_for = now.saturating_duration_since(connection.last_sent);
            if !connection.sender.is_closed() && idle_for < self.idle_timeout {
                return Some(connection);
            }
        }
        None
    }

    /// Keeps `connection` for the next request, unless the pool is full or it is closed.
    pub(super) fn put(&self, connection: PooledHttp1) {
        if connection.sender.is_closed() {
            return;
        }
        if let Ok(mut connections) = self.stack().lock()
            && connections.len() < self.capacity
        {
            connections.push(connection);
        }
    }
}

/// A response body from an upstream. Read to the end, it hands its HTTP/1.1 connection back
/// to the pool; dropped before the end, the connection goes with it.
#[derive(Debug)]
pub struct UpstreamBody {
    incoming: Incoming,
    release: Option<(PooledHttp1, Arc<IdleConnections>)>,
}

impl std::fmt::Debug for IdleConnections {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IdleConnections")
            .finish_non_exhaustive()
    }
}

impl UpstreamBody {
    /// `release`: the connection to hand back once the body is read to the end (HTTP/1.1
    /// only; `None` for HTTP/2 streams and upgraded connections).
    pub(super) fn new(
        incoming: Incoming,
        release: Option<(PooledHttp1, Arc<IdleConnections>)>,
    ) -> UpstreamBody {
        UpstreamBody { incoming, release }
    }

    fn release_if_done(&mut self) {
        if self.incoming.is_end_stream()
            && let Some((connection, idle)) = self.release.take()
        {
            idle.put(connection);
        }
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.incoming).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => {
                if let Some((connection, idle)) = self.release.take() {
                    idle.put(connection);
                }
            }
            Poll::Ready(Some(Ok(_))) => self.release_if_done(),
            // An error: the connection is not reusable.
            Poll::Ready(Some(Err(_))) => self.release = None,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}

impl Drop for UpstreamBody {
    fn drop(&mut self) {
        // Bodies that were empty from the start (204, 304, HEAD) or whose last frame was read
        // without a final poll still give their connection back.
        self.release_if_done();
    }
}

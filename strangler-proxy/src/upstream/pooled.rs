//! Connections on their way back to an address's pool: the idle HTTP/1.1 stack
//! ([`IdleConnections`], most recently used first, bounded by `pool_size` and `idle_timeout`)
//! and the response body that hands its connection back once read to the end
//! ([`UpstreamBody`]). A body dropped early, or one that failed, takes its connection with it:
//! only a connection whose last exchange completed is reused.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1;

use crate::body::ProxyBody;

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

/// One worker's idle connections, each with the instant it went idle.
type IdleStack = Vec<(http1::SendRequest<ProxyBody>, Instant)>;

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

    /// The most recently used open connection; closed and expired ones are dropped on the way.
    pub(super) fn take(&self) -> Option<http1::SendRequest<ProxyBody>> {
        let mut connections = self.stack().lock().ok()?;
        while let Some((sender, idle_since)) = connections.pop() {
            if !sender.is_closed() && idle_since.elapsed() < self.idle_timeout {
                return Some(sender);
            }
        }
        None
    }

    /// Keeps `sender` for the next request, unless the pool is full or it is closed.
    pub(super) fn put(&self, sender: http1::SendRequest<ProxyBody>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut connections) = self.stack().lock()
            && connections.len() < self.capacity
        {
            connections.push((sender, Instant::now()));
        }
    }
}

/// A response body from an upstream. Read to the end, it hands its HTTP/1.1 connection back
/// to the pool; dropped before the end, the connection goes with it.
#[derive(Debug)]
pub struct UpstreamBody {
    incoming: Incoming,
    release: Option<(http1::SendRequest<ProxyBody>, Arc<IdleConnections>)>,
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
        release: Option<(http1::SendRequest<ProxyBody>, Arc<IdleConnections>)>,
    ) -> UpstreamBody {
        UpstreamBody { incoming, release }
    }

    fn release_if_done(&mut self) {
        if self.incoming.is_end_stream()
            && let Some((sender, idle)) = self.release.take()
        {
            idle.put(sender);
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
                if let Some((sender, idle)) = self.release.take() {
                    idle.put(sender);
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

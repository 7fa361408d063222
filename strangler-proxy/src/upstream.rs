//! One upstream at run time: its addresses with their health and their keep-alive connection
//! pools. Built from a validated [`Upstream`]; a reload keeps the [`UpstreamPool`] (pools and
//! health) of every upstream whose settings did not change.
//!
//! Connections are hyper's low-level client connections (`hyper::client::conn`), pooled here:
//! per address, a stack of idle HTTP/1.1 connections (at most `pool_size`, each dropped after
//! `idle_timeout`), or one shared HTTP/2 connection for `h2c`. An HTTP/1.1 connection goes back
//! to the pool when its response body has been read to the end ([`UpstreamBody`]); a body
//! dropped early, or a `101` upgrade, takes its connection with it. A request that never left
//! because its pooled connection turned out closed (hyper hands the request back) is sent on a
//! fresh connection: nothing reached the upstream.
//!
//! Addresses are chosen round-robin among those not ejected. Passive health: `max_fails`
//! consecutive failures (connect errors, resets, timeouts) eject an address for
//! `fail_timeout`; after that it gets traffic again, and one more failure ejects it again.
//! Active health (optional): a task per upstream sends `GET path` to each address every
//! `interval`; `unhealthy_threshold` failures in a row mark it down until `healthy_threshold`
//! passes in a row. An address is used only when both agree it is up.
//!
//! It does not resolve names itself (the connector does, per connection), retry, or decide
//! about fallback: [`crate::proxy`] does that with the errors this module classifies.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Response, Uri};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::body::ProxyBody;
use crate::config::settings::{Protocol, Upstream};

/// An upstream's addresses, health and connection pools.
pub struct UpstreamPool {
    pub settings: Upstream,
    pub addresses: Vec<AddressState>,
    next: AtomicUsize,
}

/// One address of an upstream: its connections and what the proxy knows of its health.
pub struct AddressState {
    /// `host:port` as configured (IPv6 in brackets).
    pub text: String,
    authority: Authority,
    idle: Arc<IdleConnections>,
    /// The shared connection of an `h2c` upstream.
    http2: Mutex<Option<http2::SendRequest<ProxyBody>>>,
    consecutive_failures: AtomicU32,
    /// Milliseconds since [`epoch`] until which the address is ejected; 0 = not ejected.
    ejected_until_ms: AtomicU64,
    /// Set by active health checks; starts healthy.
    check_down: AtomicBool,
    checks_in_a_row: AtomicU32,
}

/// How a request to an upstream failed, for retry rules, health and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No connection could be made: nothing reached the upstream.
    Connect,
    /// The connection broke (reset, closed before a response): the request may have arrived.
    Reset,
    /// The response was not valid HTTP.
    Protocol,
    /// No response headers within the request timeout.
    Timeout,
}

impl FailureKind {
    /// Label for metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect",
            FailureKind::Reset => "reset",
            FailureKind::Protocol => "protocol",
            FailureKind::Timeout => "timeout",
        }
    }
}

/// A snapshot of an address's health, for the admin API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressHealth {
    pub address: String,
    pub healthy: bool,
    pub ejected_for: Option<Duration>,
    pub consecutive_failures: u32,
    pub check_down: bool,
}

impl UpstreamPool {
    pub fn new(settings: &Upstream) -> UpstreamPool {
        let addresses = settings
            .addresses
            .iter()
            .map(|address| {
                let text = if address.host.contains(':') {
                    format!("[{}]:{}", address.host, address.port)
                } else {
                    format!("{}:{}", address.host, address.port)
                };
                AddressState {
                    // Validation only lets host names, IPv4 and IPv6 through, with a port.
                    authority: text.parse().expect("validated address is an authority"),
                    text,
                    idle: Arc::new(IdleConnections {
                        connections: Mutex::new(Vec::new()),
                        capacity: settings.pool_size,
                        idle_timeout: settings.idle_timeout,
                    }),
                    http2: Mutex::new(None),
                    consecutive_failures: AtomicU32::new(0),
                    ejected_until_ms: AtomicU64::new(0),
                    check_down: AtomicBool::new(false),
                    checks_in_a_row: AtomicU32::new(0),
                }
            })
            .collect();
        UpstreamPool {
            settings: settings.clone(),
            addresses,
            next: AtomicUsize::new(0),
        }
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The next usable address round-robin, skipping `tried` ones; `None` when every address
    /// is ejected, down or tried.
    pub fn pick_address(&self, tried: &[usize]) -> Option<usize> {
        let n_addresses = self.addresses.len();
        if n_addresses == 1 {
            return (!tried.contains(&0) && self.addresses[0].is_usable(now_ms())).then_some(0);
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let now = now_ms();
        (0..n_addresses)
            .map(|offset| (start + offset) % n_addresses)
            .find(|address_idx| {
                !tried.contains(address_idx) && self.addresses[*address_idx].is_usable(now)
            })
    }

    /// Sends `request` (its URI holding only path and query) to address `address_idx`, on a
    /// pooled connection or a new one. The connect timeout bounds opening a connection (a
    /// failure there is [`FailureKind::Connect`]: nothing was sent); the request timeout bounds
    /// the wait for the response headers.
    pub async fn send(
        &self,
        address_idx: usize,
        request: Request<ProxyBody>,
    ) -> Result<Response<ProxyBody>, FailureKind> {
        match self.settings.protocol {
            Protocol::Http1 => self.send_http1(address_idx, request).await,
            Protocol::H2c => self.send_http2(address_idx, request).await,
        }
    }

    async fn send_http1(
        &self,
        address_idx: usize,
        mut request: Request<ProxyBody>,
    ) -> Result<Response<ProxyBody>, FailureKind> {
        let address = &self.addresses[address_idx];
        // Origin form on the request line; `Host` is the client's.
        if request.uri().scheme().is_some() || request.uri().authority().is_some() {
            let path_and_query = request
                .uri()
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/"));
            *request.uri_mut() = Uri::from(path_and_query);
        }
        let deadline = tokio::time::Instant::now() + self.settings.request_timeout;
        // Pooled connections that turn out closed hand the request back; after this many, a
        // fresh connection is opened.
        let mut pooled_tries = 2;
        // A fresh connection that also hands the request back (the upstream closes every
        // connection at once) is tried once more; after that the request, still never written,
        // fails as a connect failure: nothing reached the upstream.
        let mut fresh_tries = 2;
        loop {
            let pooled = if pooled_tries > 0 {
                pooled_tries -= 1;
                address.idle.take()
            } else {
                None
            };
            let mut sender = match pooled {
                Some(sender) => sender,
                None if fresh_tries == 0 => return Err(FailureKind::Connect),
                None => {
                    fresh_tries -= 1;
                    self.connect_http1(address).await?
                }
            };
            let sent = tokio::time::timeout_at(deadline, sender.try_send_request(request)).await;
            match sent {
                Err(_elapsed) => return Err(FailureKind::Timeout),
                Ok(Ok(response)) => {
                    let reusable = response.status() != http::StatusCode::SWITCHING_PROTOCOLS;
                    let release = reusable.then(|| (sender, Arc::clone(&address.idle)));
                    return Ok(response
                        .map(|incoming| ProxyBody::Upstream(UpstreamBody { incoming, release })));
                }
                Ok(Err(mut error)) => match error.take_message() {
                    // Never written: the connection was closed. Try another one.
                    Some(returned) => request = returned,
                    None => return Err(classify(&error.into_error())),
                },
            }
        }
    }

    async fn send_http2(
        &self,
        address_idx: usize,
        mut request: Request<ProxyBody>,
    ) -> Result<Response<ProxyBody>, FailureKind> {
        let address = &self.addresses[address_idx];
        let path_and_query = request
            .uri()
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(Scheme::HTTP);
        parts.authority = Some(address.authority.clone());
        parts.path_and_query = Some(path_and_query);
        // Scheme, authority and path are all set, which is what `from_parts` requires.
        *request.uri_mut() = Uri::from_parts(parts).expect("absolute URI from valid parts");
        let deadline = tokio::time::Instant::now() + self.settings.request_timeout;
        let mut tries = 2;
        loop {
            tries -= 1;
            let shared = address
                .http2
                .lock()
                .ok()
                .and_then(|slot| slot.as_ref().filter(|sender| !sender.is_closed()).cloned());
            let mut sender = match shared {
                Some(sender) => sender,
                None => {
                    let sender = self.connect_http2(address).await?;
                    if let Ok(mut slot) = address.http2.lock() {
                        *slot = Some(sender.clone());
                    }
                    sender
                }
            };
            match tokio::time::timeout_at(deadline, sender.try_send_request(request)).await {
                Err(_elapsed) => return Err(FailureKind::Timeout),
                Ok(Ok(response)) => {
                    return Ok(response.map(|incoming| {
                        ProxyBody::Upstream(UpstreamBody {
                            incoming,
                            release: None,
                        })
                    }));
                }
                Ok(Err(mut error)) => match error.take_message() {
                    Some(returned) if tries > 0 => {
                        if let Ok(mut slot) = address.http2.lock() {
                            *slot = None;
                        }
                        request = returned;
                    }
                    _ => return Err(classify(&error.into_error())),
                },
            }
        }
    }

    async fn connect(&self, address: &AddressState) -> Result<TokioIo<TcpStream>, FailureKind> {
        let stream = tokio::time::timeout(
            self.settings.connect_timeout,
            TcpStream::connect(address.text.as_str()),
        )
        .await
        .map_err(|_elapsed| FailureKind::Connect)?
        .map_err(|_error| FailureKind::Connect)?;
        let _ = stream.set_nodelay(true);
        Ok(TokioIo::new(stream))
    }

    async fn connect_http1(
        &self,
        address: &AddressState,
    ) -> Result<http1::SendRequest<ProxyBody>, FailureKind> {
        let io = self.connect(address).await?;
        let (sender, connection) = http1::Builder::new()
            .handshake(io)
            .await
            .map_err(|_error| FailureKind::Connect)?;
        tokio::spawn(async move {
            if let Err(error) = connection.with_upgrades().await {
                tracing::debug!(%error, "upstream connection ended with an error");
            }
        });
        Ok(sender)
    }

    async fn connect_http2(
        &self,
        address: &AddressState,
    ) -> Result<http2::SendRequest<ProxyBody>, FailureKind> {
        let io = self.connect(address).await?;
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(Duration::from_secs(30)))
            .handshake(io)
            .await
            .map_err(|_error| FailureKind::Connect)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "upstream HTTP/2 connection ended with an error");
            }
        });
        Ok(sender)
    }

    /// Records a response (any status) from the address: its failure count starts over.
    pub fn report_success(&self, address_idx: usize) {
        let address = &self.addresses[address_idx];
        if address.consecutive_failures.load(Ordering::Relaxed) != 0 {
            address.consecutive_failures.store(0, Ordering::Relaxed);
        }
    }

    /// Records a failure; returns true when it ejected the address.
    pub fn report_failure(&self, address_idx: usize) -> bool {
        let address = &self.addresses[address_idx];
        let failures = address.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        let max_fails = self.settings.max_fails;
        if max_fails == 0 || failures < max_fails {
            return false;
        }
        address.consecutive_failures.store(0, Ordering::Relaxed);
        let until = now_ms() + self.settings.fail_timeout.as_millis() as u64;
        address.ejected_until_ms.store(until, Ordering::Relaxed);
        true
    }

    /// The health of each address, for the admin API.
    pub fn health(&self) -> Vec<AddressHealth> {
        let now = now_ms();
        self.addresses
            .iter()
            .map(|address| {
                let until = address.ejected_until_ms.load(Ordering::Relaxed);
                AddressHealth {
                    address: address.text.clone(),
                    healthy: address.is_usable(now),
                    ejected_for: (until > now).then(|| Duration::from_millis(until - now)),
                    consecutive_failures: address.consecutive_failures.load(Ordering::Relaxed),
                    check_down: address.check_down.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    /// Runs the active health checks of this upstream until the pool is dropped (the task holds
    /// only a weak reference). Does nothing without a `health_check`.
    pub fn spawn_health_checks(self: &Arc<UpstreamPool>) {
        let Some(check) = self.settings.health_check.clone() else {
            return;
        };
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(check.interval);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(pool) = weak.upgrade() else {
                    return;
                };
                for address_idx in 0..pool.addresses.len() {
                    let passed = pool
                        .check_once(address_idx, &check.path, check.timeout)
                        .await;
                    pool.record_check(address_idx, passed, &check);
                }
            }
        });
    }

    /// One health check on a connection of its own (never a pooled one, so a check sees what
    /// a new connection would).
    async fn check_once(&self, address_idx: usize, path: &str, timeout: Duration) -> bool {
        let address = &self.addresses[address_idx];
        let Ok(path) = path.parse::<PathAndQuery>() else {
            return false;
        };
        let check = async {
            let mut request = Request::new(ProxyBody::Empty);
            if let Ok(host) = http::HeaderValue::from_str(&address.text) {
                request.headers_mut().insert(http::header::HOST, host);
            }
            let response = match self.settings.protocol {
                Protocol::Http1 => {
                    *request.uri_mut() = Uri::from(path);
                    let mut sender = self.connect_http1(address).await.ok()?;
                    sender.send_request(request).await.ok()?
                }
                Protocol::H2c => {
                    let mut parts = http::uri::Parts::default();
                    parts.scheme = Some(Scheme::HTTP);
                    parts.authority = Some(address.authority.clone());
                    parts.path_and_query = Some(path);
                    *request.uri_mut() = Uri::from_parts(parts).ok()?;
                    let mut sender = self.connect_http2(address).await.ok()?;
                    sender.send_request(request).await.ok()?
                }
            };
            Some(response.status().is_success())
        };
        matches!(tokio::time::timeout(timeout, check).await, Ok(Some(true)))
    }

    fn record_check(
        &self,
        address_idx: usize,
        passed: bool,
        check: &crate::config::settings::HealthCheck,
    ) {
        let address = &self.addresses[address_idx];
        let was_down = address.check_down.load(Ordering::Relaxed);
        // Counts checks in a row that disagree with the current state.
        if passed != was_down {
            address.checks_in_a_row.store(0, Ordering::Relaxed);
            return;
        }
        let in_a_row = address.checks_in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        let threshold = if was_down {
            check.healthy_threshold
        } else {
            check.unhealthy_threshold
        };
        if in_a_row >= threshold {
            address.check_down.store(!was_down, Ordering::Relaxed);
            address.checks_in_a_row.store(0, Ordering::Relaxed);
            tracing::warn!(
                upstream = %self.settings.name,
                address = %address.text,
                healthy = was_down,
                "active health check changed an address's state"
            );
        }
    }
}

impl AddressState {
    fn is_usable(&self, now_ms: u64) -> bool {
        self.ejected_until_ms.load(Ordering::Relaxed) <= now_ms
            && !self.check_down.load(Ordering::Relaxed)
    }
}

/// The idle HTTP/1.1 connections of one address, most recently used last.
pub struct IdleConnections {
    connections: Mutex<Vec<(http1::SendRequest<ProxyBody>, Instant)>>,
    capacity: usize,
    idle_timeout: Duration,
}

impl IdleConnections {
    /// The most recently used open connection; closed and expired ones are dropped on the way.
    fn take(&self) -> Option<http1::SendRequest<ProxyBody>> {
        let mut connections = self.connections.lock().ok()?;
        while let Some((sender, idle_since)) = connections.pop() {
            if !sender.is_closed() && idle_since.elapsed() < self.idle_timeout {
                return Some(sender);
            }
        }
        None
    }

    /// Keeps `sender` for the next request, unless the pool is full or it is closed.
    fn put(&self, sender: http1::SendRequest<ProxyBody>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut connections) = self.connections.lock()
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

/// Milliseconds since the first call in this process (monotonic).
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // Starts at 1 so that 0 can mean "not ejected".
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

fn classify(error: &hyper::Error) -> FailureKind {
    if error.is_parse() || error.is_parse_status() {
        FailureKind::Protocol
    } else if error.is_timeout() {
        FailureKind::Timeout
    } else {
        FailureKind::Reset
    }
}

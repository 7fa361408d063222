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

use std::future::poll_fn;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Response, Uri};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::body::ProxyBody;
use crate::config::settings::{Protocol, Upstream};

mod pooled;

use crate::tls::TlsError;
pub use pooled::UpstreamBody;
use pooled::{IdleConnections, PooledHttp1, wait_for_head};

/// An upstream's addresses, health and connection pools.
pub struct UpstreamPool {
    pub settings: Upstream,
    pub addresses: Vec<AddressState>,
    next: AtomicUsize,
    /// For `https`: the TLS client configuration (roots, ALPN).
    tls: Option<TlsConnector>,
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
    /// Fails only for an `https` upstream whose `ca_file` cannot be read or used.
    pub fn new(settings: &Upstream) -> Result<UpstreamPool, TlsError> {
        let tls = match &settings.tls {
            Some(tls) => Some(TlsConnector::from(crate::tls::client_config(tls)?)),
            None => None,
        };
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
                    idle: Arc::new(IdleConnections::new(
                        settings.pool_size,
                        settings.idle_timeout,
                    )),
                    http2: Mutex::new(None),
                    consecutive_failures: AtomicU32::new(0),
                    ejected_until_ms: AtomicU64::new(0),
                    check_down: AtomicBool::new(false),
                    checks_in_a_row: AtomicU32::new(0),
                }
            })
            .collect();
        Ok(UpstreamPool {
            settings: settings.clone(),
            addresses,
            next: AtomicUsize::new(0),
            tls,
        })
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The next usable address round-robin, skipping `tried` ones; `None` when every address
    /// is ejected, down or tried.
    pub fn pick_address(&self, tried: &[usize]) -> Option<usize> {
        let n_addresses = self.addresses.len();
        if n_addresses == 1 {
            return (!tried.contains(&0) && self.addresses[0].is_usable(now_ms)).then_some(0);
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n_addresses)
            .map(|offset| (start + offset) % n_addresses)
            .find(|address_idx| {
                !tried.contains(address_idx) && self.addresses[*address_idx].is_usable(now_ms)
            })
    }

    /// Sends `request` (its URI holding only path and query) to address `address_idx`, on a
    /// pooled connection or a new one: HTTP/1.1 from the idle stack, or the address's shared
    /// HTTP/2 connection (`h2c`, or `https` when the upstream chose `h2` by ALPN). The connect
    /// timeout bounds opening a connection, TLS included (a failure there is
    /// [`FailureKind::Connect`]: nothing was sent); the request timeout bounds the wait for the
    /// response headers (`request_timeout`, a route's override, or the upstream's). A request a
    /// connection hands back unwritten goes out on another one.
    ///
    /// An `async` block rather than an `async fn`, so that the request is kept once in the
    /// future (an `async fn` keeps each argument twice: as passed, and moved into its local).
    #[allow(clippy::manual_async_fn)] // the future's size: see above
    pub fn send(
        &self,
        address_idx: usize,
        mut request: Request<ProxyBody>,
        request_timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Response<ProxyBody>, FailureKind>> + Send + '_ {
        async move {
            let address = &self.addresses[address_idx];
            // One clock read serves the deadline and the pool's idle times.
            let now = Instant::now();
            let deadline = tokio::time::Instant::from_std(now)
                + request_timeout.unwrap_or(self.settings.request_timeout);
            // Pooled connections found closed, then fresh ones that hang up before the request is
            // written: bounded, after that nothing reached the upstream and it is a connect failure.
            let mut pooled_tries = 2;
            let mut fresh_tries = 2;
            loop {
                let connection = if let Some(sender) = address.shared_http2() {
                    Connection::Http2(sender)
                } else if let Some(sender) = (pooled_tries > 0)
                    .then(|| {
                        pooled_tries -= 1;
                        address.idle.take(now)
                    })
                    .flatten()
                {
                    Connection::Http1(sender)
                } else if fresh_tries > 0 {
                    fresh_tries -= 1;
                    // Boxed: opening a connection (TCP, TLS, handshake) is a large future that most
                    // requests, on a pooled connection, never run; inline it would be copied with
                    // every request's future.
                    let connection = Box::pin(self.connect(address)).await?;
                    if let Connection::Http2(sender) = &connection {
                        address.keep_http2(sender.clone());
                    }
                    connection
                } else {
                    return Err(FailureKind::Connect);
                };
                match connection {
                    Connection::Http1(mut pooled) => {
                        // Origin form on the request line; `Host` is the client's. A client's
                        // request is in origin form as a rule, and then goes out as it came.
                        if request.uri().scheme().is_some() || request.uri().authority().is_some() {
                            *request.uri_mut() = Uri::from(path_and_query(&request));
                        }
                        let sent = pooled.sender.try_send_request(request);
                        let mut sent = pin!(sent);
                        let answer = {
                            let mut timer = pooled.arm_timer(now, deadline);
                            poll_fn(|cx| wait_for_head(sent.as_mut(), timer.as_mut(), deadline, cx))
                                .await
                        };
                        match answer {
                            None => return Err(FailureKind::Timeout),
                            Some(Ok(response)) => {
                                let reusable =
                                    response.status() != http::StatusCode::SWITCHING_PROTOCOLS;
                                let release = reusable.then(|| (pooled, Arc::clone(&address.idle)));
                                return Ok(response.map(|incoming| {
                                    ProxyBody::Upstream(UpstreamBody::new(incoming, release))
                                }));
                            }
                            Some(Err(mut error)) => match error.take_message() {
                                // Never written: the connection was closed. Try another one.
                                Some(returned) => request = returned,
                                None => return Err(classify(&error.into_error())),
                            },
                        }
                    }
                    Connection::Http2(mut sender) => {
                        *request.uri_mut() =
                            self.http2_uri(address, &request, &path_and_query(&request));
                        let sent =
                            tokio::time::timeout_at(deadline, sender.try_send_request(request))
                                .await;
                        match sent {
                            Err(_elapsed) => return Err(FailureKind::Timeout),
                            Ok(Ok(response)) => {
                                return Ok(response.map(|incoming| {
                                    ProxyBody::Upstream(UpstreamBody::new(incoming, None))
                                }));
                            }
                            Ok(Err(mut error)) => match error.take_message() {
                                Some(returned) => {
                                    address.forget_http2();
                                    request = returned;
                                }
                                None => return Err(classify(&error.into_error())),
                            },
                        }
                    }
                }
            }
        }
    }

    /// The absolute URI an HTTP/2 request needs: `:scheme` by protocol, `:authority` the
    /// client's `Host` (what an HTTP/1.1 upstream would see), else the address.
    fn http2_uri(
        &self,
        address: &AddressState,
        request: &Request<ProxyBody>,
        path_and_query: &PathAndQuery,
    ) -> Uri {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(if self.settings.protocol == Protocol::Https {
            Scheme::HTTPS
        } else {
            Scheme::HTTP
        });
        parts.authority = Some(
            request
                .headers()
                .get(http::header::HOST)
                .and_then(|host| Authority::try_from(host.as_bytes()).ok())
                .unwrap_or_else(|| address.authority.clone()),
        );
        parts.path_and_query = Some(path_and_query.clone());
        // Scheme, authority and path are all set, which is what `from_parts` requires.
        Uri::from_parts(parts).expect("absolute URI from valid parts")
    }

    /// Opens a connection: TCP, TLS for `https` (whose ALPN answer picks the protocol), and
    /// the HTTP handshake; the connection's task is spawned.
    async fn connect(&self, address: &AddressState) -> Result<Connection, FailureKind> {
        let connected = tokio::time::timeout(self.settings.connect_timeout, async {
            let stream = TcpStream::connect(address.text.as_str())
                .await
                .map_err(|_error| FailureKind::Connect)?;
            let _ = stream.set_nodelay(true);
            match (&self.settings.protocol, &self.tls) {
                (Protocol::Http1, _) => http1_handshake(TokioIo::new(stream)).await,
                (Protocol::H2c, _) => http2_handshake(TokioIo::new(stream)).await,
                (Protocol::Https, Some(connector)) => {
                    let server_name = self.server_name(address)?;
                    let stream = connector
                        .connect(server_name, stream)
                        .await
                        .map_err(|error| {
                            tracing::debug!(address = %address.text, %error, "TLS handshake failed");
                            FailureKind::Connect
                        })?;
                    let negotiated_h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    if negotiated_h2 {
                        http2_handshake(TokioIo::new(stream)).await
                    } else {
                        http1_handshake(TokioIo::new(stream)).await
                    }
                }
                // Validation gives every https upstream its TLS settings.
                (Protocol::Https, None) => Err(FailureKind::Connect),
            }
        })
        .await;
        connected.unwrap_or(Err(FailureKind::Connect))
    }

    /// SNI and certificate name: `server_name`, else the address's host.
    fn server_name(&self, address: &AddressState) -> Result<ServerName<'static>, FailureKind> {
        let name = match self
            .settings
            .tls
            .as_ref()
            .and_then(|tls| tls.server_name.as_deref())
        {
            Some(name) => name.to_owned(),
            None => address.authority.host().trim_matches(['[', ']']).to_owned(),
        };
        ServerName::try_from(name).map_err(|_invalid| FailureKind::Connect)
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
                    healthy: address.is_usable(|| now),
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
            let response = match self.connect(address).await.ok()? {
                Connection::Http1(mut pooled) => {
                    *request.uri_mut() = Uri::from(path);
                    pooled.sender.send_request(request).await.ok()?
                }
                Connection::Http2(mut sender) => {
                    *request.uri_mut() = self.http2_uri(address, &request, &path);
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
    /// Not down by the active checks, nor ejected; `now_ms` (a clock read) is called only for
    /// an address that was ejected, and an ejection found over is forgotten, so the usual
    /// request reads no clock here.
    fn is_usable(&self, now_ms: impl FnOnce() -> u64) -> bool {
        if self.check_down.load(Ordering::Relaxed) {
            return false;
        }
        let until = self.ejected_until_ms.load(Ordering::Relaxed);
        if until == 0 {
            return true;
        }
        if until > now_ms() {
            return false;
        }
        // Over. Another ejection may have been stored meanwhile; then this leaves it.
        let _ =
            self.ejected_until_ms
                .compare_exchange(until, 0, Ordering::Relaxed, Ordering::Relaxed);
        true
    }
}

/// A ready connection to an address.
enum Connection {
    Http1(PooledHttp1),
    Http2(http2::SendRequest<ProxyBody>),
}

async fn http1_handshake<Io>(io: Io) -> Result<Connection, FailureKind>
where
    Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http1::Builder::new()
        .handshake(io)
        .await
        .map_err(|_error| FailureKind::Connect)?;
    tokio::spawn(async move {
        if let Err(error) = connection.with_upgrades().await {
            tracing::debug!(%error, "upstream connection ended with an error");
        }
    });
    Ok(Connection::Http1(PooledHttp1::new(sender)))
}

async fn http2_handshake<Io>(io: Io) -> Result<Connection, FailureKind>
where
    Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
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
    Ok(Connection::Http2(sender))
}

impl AddressState {
    /// The address's open HTTP/2 connection, if it has one.
    fn shared_http2(&self) -> Option<http2::SendRequest<ProxyBody>> {
        let slot = self.http2.lock().ok()?;
        slot.as_ref().filter(|sender| !sender.is_closed()).cloned()
    }

    fn keep_http2(&self, sender: http2::SendRequest<ProxyBody>) {
        if let Ok(mut slot) = self.http2.lock() {
            *slot = Some(sender);
        }
    }

    fn forget_http2(&self) {
        if let Ok(mut slot) = self.http2.lock() {
            *slot = None;
        }
    }
}

/// Milliseconds since the first call in this process (monotonic).
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // Starts at 1 so that 0 can mean "not ejected".
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// The path and query of `request`'s target, `/` when it has none.
fn path_and_query(request: &Request<ProxyBody>) -> PathAndQuery {
    request
        .uri()
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"))
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

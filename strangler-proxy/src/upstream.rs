//! One upstream at run time: its addresses with their health, and the HTTP client whose
//! keep-alive pools connect to them. Built from a validated [`Upstream`]; a reload keeps the
//! [`UpstreamPool`] (pools and health) of every upstream whose settings did not change.
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

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Response, Uri};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::ProxyBody;
use crate::config::settings::{Protocol, Upstream};

/// An upstream's addresses, health and connection pools.
pub struct UpstreamPool {
    pub settings: Upstream,
    pub addresses: Vec<AddressState>,
    client: Client<HttpConnector, ProxyBody>,
    next: AtomicUsize,
}

/// One address of an upstream and what the proxy knows of its health.
pub struct AddressState {
    /// `host:port` as configured (IPv6 in brackets).
    pub text: String,
    authority: Authority,
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
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(settings.connect_timeout));
        connector.set_keepalive(Some(Duration::from_secs(60)));
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_max_idle_per_host(settings.pool_size)
            .pool_idle_timeout(settings.idle_timeout)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            // The client's Host header is kept; the URI's authority only picks the connection.
            .set_host(false)
            // A request that never left on a pooled connection that turned out closed is sent
            // again on a fresh one: nothing reached the upstream.
            .retry_canceled_requests(true);
        if settings.protocol == Protocol::H2c {
            builder.http2_only(true);
        }
        let client = builder.build(connector);
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
            client,
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

    /// Sends `request` (its URI holding only path and query) to address `address_idx`.
    pub async fn send(
        &self,
        address_idx: usize,
        mut request: Request<ProxyBody>,
    ) -> Result<Response<Incoming>, FailureKind> {
        let path_and_query = request
            .uri()
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(Scheme::HTTP);
        parts.authority = Some(self.addresses[address_idx].authority.clone());
        parts.path_and_query = Some(path_and_query);
        // Scheme, authority and path are all set, which is what `from_parts` requires.
        *request.uri_mut() = Uri::from_parts(parts).expect("absolute URI from valid parts");
        match tokio::time::timeout(self.settings.request_timeout, self.client.request(request))
            .await
        {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_elapsed) => Err(FailureKind::Timeout),
        }
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

    async fn check_once(&self, address_idx: usize, path: &str, timeout: Duration) -> bool {
        let Ok(path) = path.parse::<PathAndQuery>() else {
            return false;
        };
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(Scheme::HTTP);
        parts.authority = Some(self.addresses[address_idx].authority.clone());
        parts.path_and_query = Some(path);
        let Ok(uri) = Uri::from_parts(parts) else {
            return false;
        };
        let mut request = Request::new(ProxyBody::Empty);
        *request.uri_mut() = uri;
        if let Ok(host) = http::HeaderValue::from_str(&self.addresses[address_idx].text) {
            request.headers_mut().insert(http::header::HOST, host);
        }
        match tokio::time::timeout(timeout, self.client.request(request)).await {
            Ok(Ok(response)) => response.status().is_success(),
            _ => false,
        }
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

/// Milliseconds since the first call in this process (monotonic).
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // Starts at 1 so that 0 can mean "not ejected".
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

fn classify(error: &hyper_util::client::legacy::Error) -> FailureKind {
    if error.is_connect() {
        return FailureKind::Connect;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(hyper_error) = cause.downcast_ref::<hyper::Error>() {
            if hyper_error.is_parse() || hyper_error.is_parse_status() {
                return FailureKind::Protocol;
            }
            if hyper_error.is_timeout() {
                return FailureKind::Timeout;
            }
        }
        source = cause.source();
    }
    FailureKind::Reset
}

//! The proxy's Prometheus metrics: one [`Metrics`] registry per process, shared behind an `Arc`,
//! recorded into from every connection task and encoded as OpenMetrics text for the scrape
//! endpoint ([`Metrics::encode`], served with [`CONTENT_TYPE`]). It only counts; it does not serve
//! the scrape endpoint, decide what is an error or a retry, or read the configuration.
//!
//! # Metrics
//!
//! | name | type | labels |
//! | --- | --- | --- |
//! | `ficus_proxy_requests_total` | counter | `route`, `target`, `class` |
//! | `ficus_proxy_request_duration_seconds` | histogram | `route`, `target` |
//! | `ficus_proxy_retries_total` | counter | `route`, `target` |
//! | `ficus_proxy_fallbacks_total` | counter | `route`, `from`, `to` |
//! | `ficus_proxy_upstream_errors_total` | counter | `route`, `target`, `kind` |
//! | `ficus_proxy_active_connections` | gauge | none |
//! | `ficus_proxy_accepted_connections_total` | counter | `worker` (the worker thread's index) |
//! | `ficus_proxy_config_reloads_total` | counter | `result` (`ok` or `rejected`) |
//! | `ficus_proxy_ejections_total` | counter | `upstream`, `address` |
//! | `ficus_proxy_shadow_mirrored_total` | counter | `route` |
//! | `ficus_proxy_shadow_compared_total` | counter | `route`, `result` (`match` or `mismatch`) |
//! | `ficus_proxy_shadow_dropped_total` | counter | `route`, `reason` ([`SHADOW_DROP_REASONS`]) |
//!
//! `target` is the name of the upstream that answered, or [`NO_TARGET`] (`"none"`) when the
//! proxy answered by itself (a synthesized 502/503/504). `class` is the status class, `"1xx"` to
//! `"5xx"`, or `"other"` for a status outside 100..=599. The request duration buckets are
//! [`DURATION_BUCKETS_SECONDS`].
//!
//! Labels are names from the configuration (route, upstream, address), never data from the
//! request, so the number of series is bounded by the configuration. Labels are strings, not
//! indexes into a config version, so the same route keeps counting into the same series across
//! reloads; a route or upstream removed by a reload keeps its last values until restart.
//!
//! # Hot path
//!
//! Looking a series up in a `prometheus_client` `Family` costs a hash of the label set and a
//! read lock, and building the label set to look up would allocate its strings on every request.
//! So the server should not record through [`Metrics`]'s convenience methods per request. It asks
//! once per route per config version for a [`RouteMetrics`] handle ([`Metrics::route`]) and from
//! it once per target for a [`TargetMetrics`] handle ([`RouteMetrics::target`]), and keeps them in
//! its compiled runtime. A handle holds its labels as `Arc<str>` and caches each of its series (a
//! `Counter` or `Histogram`, which are `Arc`-backed clones) the first time it is used, so
//! [`TargetMetrics::record_response`] costs an atomic load per cached series, one atomic add on
//! the status class counter, and one uncontended-in-the-common-case `parking_lot` mutex around
//! the histogram's buckets (held for a scan of 16 buckets); no allocation, hash or map lock.
//! Tasks answering the same route and target on many cores share that mutex; that is the one
//! place contention can show. Rarer events (upstream errors, fallbacks) build a label set from
//! `Arc` clones (no allocation) and look it up in the family under its read lock. Nothing here
//! was measured; the reasoning is from the `prometheus_client` 0.26 source.

use std::array;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The `Content-Type` of the scrape response that carries [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `target` label of a response the proxy answered by itself, with no upstream involved.
/// An upstream should not be named this (validation may reject it); if one is, its series merge.
pub const NO_TARGET: &str = "none";

/// Upper bounds, in seconds, of the `request_duration_seconds` buckets (`+Inf` is implicit).
///
/// A 1-2.5-5 series from 0.5 ms to 10 s, then 30 s: the bottom buckets resolve the proxy's own
/// overhead and cached or local answers, the middle ones typical service latencies, and the top
/// ones slow monolith pages and requests that ran into an upstream timeout.
pub const DURATION_BUCKETS_SECONDS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The `reason` label values of `shadow_dropped_total`, indexed by [`ShadowDrop`].
pub const SHADOW_DROP_REASONS: [&str; 8] = [
    "capacity",
    "body_too_large",
    "timeout",
    "error",
    "response_too_large",
    "primary_incomplete",
    "noise_timeout",
    "noise_error",
];

/// Why a request of a shadowed route was not copied, or its copy not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShadowDrop {
    /// `max_concurrent` copies were in flight already.
    Capacity = 0,
    /// The request body was larger than `max_body_bytes`, or of undeclared length.
    BodyTooLarge,
    /// The shadow upstream did not answer in full within `timeout_ms`.
    Timeout,
    /// The shadow upstream could not be reached or did not answer valid HTTP.
    Error,
    /// An answer's body was larger than `max_response_bytes`.
    ResponseTooLarge,
    /// The primary answer did not arrive whole (the proxy answered itself, the upstream or
    /// the client went away).
    PrimaryIncomplete,
    /// The noise upstream did not answer in full within `timeout_ms`.
    NoiseTimeout,
    /// The noise upstream could not be reached or did not answer valid HTTP.
    NoiseError,
}

/// The shadow counters of one route, every series created up front (so that a drop reason
/// never seen reads 0, not absent). Cheap to clone; get one per shadowed route per config
/// version from [`Metrics::shadow`].
#[derive(Clone, Debug)]
pub struct ShadowMetrics {
    pub mirrored: Counter,
    pub matched: Counter,
    pub mismatched: Counter,
    dropped: [Counter; SHADOW_DROP_REASONS.len()],
}

/// All of the proxy's metrics and the registry that encodes them. `Send + Sync`; share it
/// behind an `Arc` for the process's lifetime, across config reloads.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    families: Families,
    active_connections: Gauge,
    accepted: Family<WorkerLabels, Counter>,
    reloads_ok: Counter,
    reloads_rejected: Counter,
    ejections: Family<EjectionLabels, Counter>,
    shadow_mirrored: Family<RouteLabels, Counter>,
    shadow_compared: Family<ShadowCompareLabels, Counter>,
    shadow_dropped: Family<ShadowDropLabels, Counter>,
}

/// The metrics of one route, with the route's label cached. Cheap to clone; get one per route
/// per config version from [`Metrics::route`] and keep it.
#[derive(Clone, Debug)]
pub struct RouteMetrics {
    route: Arc<str>,
    families: Families,
    proxy_answered: TargetMetrics,
}

/// The metrics of one target (upstream) of one route, with its series cached after their first
/// use. Cheap to clone (one `Arc`); get one per target from [`RouteMetrics::target`] and keep it.
#[derive(Clone, Debug)]
pub struct TargetMetrics {
    inner: Arc<TargetMetricsInner>,
}

/// Counts one open client connection in `active_connections` until dropped.
#[derive(Debug)]
#[must_use = "the connection is counted only while the guard is alive"]
pub struct ConnectionGuard {
    active_connections: Gauge,
}

impl Metrics {
    /// A registry with every metric registered and nothing recorded yet.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ficus_proxy");
        let families = Families {
            requests: Family::default(),
            duration: Family::new_with_constructor(new_duration_histogram),
            retries: Family::default(),
            fallbacks: Family::default(),
            upstream_errors: Family::default(),
        };
        let active_connections = Gauge::default();
        let accepted = Family::<WorkerLabels, Counter>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        let ejections = Family::<EjectionLabels, Counter>::default();

        // Counter names carry no `_total`: the encoder appends it (and panics in debug builds
        // if the name already ends with it).
        registry.register(
            "requests",
            "Responses sent to clients, by route, answering target and status class",
            families.requests.clone(),
        );
        registry.register_with_unit(
            "request_duration",
            "Time from receiving a request to sending its response head, by route and target",
            Unit::Seconds,
            families.duration.clone(),
        );
        registry.register(
            "retries",
            "Requests sent again to a target after a retryable failure",
            families.retries.clone(),
        );
        registry.register(
            "fallbacks",
            "Requests answered by a fallback target after the first target failed",
            families.fallbacks.clone(),
        );
        registry.register(
            "upstream_errors",
            "Failures talking to an upstream, by kind (connect, timeout, reset, protocol, ...)",
            families.upstream_errors.clone(),
        );
        registry.register(
            "active_connections",
            "Client connections currently open",
            active_connections.clone(),
        );
        registry.register(
            "accepted_connections",
            "Client connections accepted, by worker thread (how evenly the kernel spreads them)",
            accepted.clone(),
        );
        registry.register(
            "config_reloads",
            "Configuration reloads, applied (ok) or rejected (old configuration kept)",
            reloads.clone(),
        );
        registry.register(
            "ejections",
            "Upstream addresses ejected from their pool by health checks or outlier detection",
            ejections.clone(),
        );

        let shadow_mirrored = Family::<RouteLabels, Counter>::default();
        let shadow_compared = Family::<ShadowCompareLabels, Counter>::default();
        let shadow_dropped = Family::<ShadowDropLabels, Counter>::default();
        registry.register(
            "shadow_mirrored",
            "Copies of requests sent to a shadowed route's new service",
            shadow_mirrored.clone(),
        );
        registry.register(
            "shadow_compared",
            "Shadow answers compared with the primary's, by result (match or mismatch)",
            shadow_compared.clone(),
        );
        registry.register(
            "shadow_dropped",
            "Requests of a shadowed route not copied, or copies not compared, by reason",
            shadow_dropped.clone(),
        );

        // Both reload results exist from the start, so `rejected` reads 0 rather than absent.
        let reloads_ok = reloads.get_or_create_owned(&ReloadLabels { result: "ok" });
        let reloads_rejected = reloads.get_or_create_owned(&ReloadLabels { result: "rejected" });
        Self {
            registry,
            families,
            active_connections,
            accepted,
            reloads_ok,
            reloads_rejected,
            ejections,
            shadow_mirrored,
            shadow_compared,
            shadow_dropped,
        }
    }

    /// The shadow counters of `route`. Allocates; call it when compiling a config version.
    pub fn shadow(&self, route: &str) -> ShadowMetrics {
        let route: Arc<str> = Arc::from(route);
        let compared = |result: &'static str| {
            self.shadow_compared
                .get_or_create_owned(&ShadowCompareLabels {
                    route: Arc::clone(&route),
                    result,
                })
        };
        ShadowMetrics {
            mirrored: self.shadow_mirrored.get_or_create_owned(&RouteLabels {
                route: Arc::clone(&route),
            }),
            matched: compared("match"),
            mismatched: compared("mismatch"),
            dropped: array::from_fn(|reason_idx| {
                self.shadow_dropped.get_or_create_owned(&ShadowDropLabels {
                    route: Arc::clone(&route),
                    reason: SHADOW_DROP_REASONS[reason_idx],
                })
            }),
        }
    }

    /// The handle for one route's metrics. Allocates the route label once; call it when
    /// compiling a config version, not per request.
    pub fn route(&self, route: &str) -> RouteMetrics {
        let route: Arc<str> = Arc::from(route);
        let proxy_answered = TargetMetrics::new(
            Arc::clone(&route),
            Arc::from(NO_TARGET),
            self.families.clone(),
        );
        RouteMetrics {
            route,
            families: self.families.clone(),
            proxy_answered,
        }
    }

    /// Records one response: `target` is the upstream that answered, `None` if the proxy
    /// answered by itself. Allocates labels on every call; the hot path uses
    /// [`TargetMetrics::record_response`].
    pub fn record_response(
        &self,
        route: &str,
        target: Option<&str>,
        status: u16,
        elapsed: Duration,
    ) {
        let route_metrics = self.route(route);
        match target {
            Some(target) => route_metrics
                .target(target)
                .record_response(status, elapsed),
            None => route_metrics
                .proxy_answered()
                .record_response(status, elapsed),
        }
    }

    /// Records one retry of a request to `target`. Allocates labels; see [`TargetMetrics`].
    pub fn record_retry(&self, route: &str, target: &str) {
        self.route(route).target(target).record_retry();
    }

    /// Records one request that fell back from target `from` to target `to`. Allocates labels.
    pub fn record_fallback(&self, route: &str, from: &str, to: &str) {
        let route_metrics = self.route(route);
        route_metrics
            .target(from)
            .record_fallback_to(&route_metrics.target(to));
    }

    /// Records one failure talking to `target`; `kind` is a short fixed word such as
    /// `"connect"`, `"timeout"`, `"reset"` or `"protocol"`. Allocates labels.
    pub fn record_upstream_error(&self, route: &str, target: &str, kind: &'static str) {
        self.route(route).target(target).record_upstream_error(kind);
    }

    /// Counts a client connection as open until the returned guard is dropped.
    pub fn connection_opened(&self) -> ConnectionGuard {
        self.active_connections.inc();
        ConnectionGuard {
            active_connections: self.active_connections.clone(),
        }
    }

    /// The counter of connections accepted by worker `worker`; get it once per listener.
    pub fn accepted_by(&self, worker: usize) -> Counter {
        self.accepted.get_or_create_owned(&WorkerLabels { worker })
    }

    /// Records one configuration reload: applied (`ok`) or rejected, the old one kept.
    pub fn record_reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.inc();
        } else {
            self.reloads_rejected.inc();
        }
    }

    /// Records that `address` was ejected from `upstream`'s pool. Allocates labels; ejections
    /// are rare.
    pub fn record_ejection(&self, upstream: &str, address: &str) {
        let labels = EjectionLabels {
            upstream: upstream.to_owned(),
            address: address.to_owned(),
        };
        self.ejections.get_or_create(&labels).inc();
    }

    /// Every metric as OpenMetrics text, ending with `# EOF`; serve it with [`CONTENT_TYPE`].
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String never fails, and the encoder's only own error is for native-only
        // histograms, which this registry does not hold.
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("encoding classic metrics into a String cannot fail");
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl RouteMetrics {
    /// The route's name as it appears in the `route` label.
    pub fn route_name(&self) -> &str {
        &self.route
    }

    /// The handle for responses, retries and errors of `target` (an upstream name) on this
    /// route. Allocates the target label once; call it when compiling, not per request.
    pub fn target(&self, target: &str) -> TargetMetrics {
        TargetMetrics::new(
            Arc::clone(&self.route),
            Arc::from(target),
            self.families.clone(),
        )
    }

    /// The handle for responses the proxy answered by itself on this route (target
    /// [`NO_TARGET`]), such as a synthesized 502, 503 or 504.
    pub fn proxy_answered(&self) -> &TargetMetrics {
        &self.proxy_answered
    }
}

impl TargetMetrics {
    /// The target's name as it appears in the `target` label.
    pub fn target_name(&self) -> &str {
        &self.inner.target
    }

    /// Records one response answered by this target: one in `requests_total` for the status's
    /// class and `elapsed` in `request_duration_seconds`. No allocation after the first call.
    pub fn record_response(&self, status: u16, elapsed: Duration) {
        let inner = &*self.inner;
        let class_idx = status_class_index(status);
        inner.responses_by_class[class_idx]
            .get_or_init(|| {
                inner.families.requests.get_or_create_owned(&RequestLabels {
                    route: Arc::clone(&inner.route),
                    target: Arc::clone(&inner.target),
                    class: STATUS_CLASSES[class_idx],
                })
            })
            .inc();
        inner
            .duration
            .get_or_init(|| {
                inner
                    .families
                    .duration
                    .get_or_create_owned(&inner.route_target_labels())
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records one retry of a request to this target. No allocation after the first call.
    pub fn record_retry(&self) {
        let inner = &*self.inner;
        inner
            .retries
            .get_or_init(|| {
                inner
                    .families
                    .retries
                    .get_or_create_owned(&inner.route_target_labels())
            })
            .inc();
    }

    /// Records one request that failed on this target and fell back to `fallback`, on this
    /// handle's route. Clones two `Arc`s and looks the series up; no allocation.
    pub fn record_fallback_to(&self, fallback: &TargetMetrics) {
        let labels = FallbackLabels {
            route: Arc::clone(&self.inner.route),
            from: Arc::clone(&self.inner.target),
            to: Arc::clone(&fallback.inner.target),
        };
        self.inner.families.fallbacks.get_or_create(&labels).inc();
    }

    /// Records one failure talking to this target; `kind` is a short fixed word such as
    /// `"connect"`, `"timeout"`, `"reset"` or `"protocol"`. Clones two `Arc`s and looks the
    /// series up; no allocation.
    pub fn record_upstream_error(&self, kind: &'static str) {
        let labels = UpstreamErrorLabels {
            route: Arc::clone(&self.inner.route),
            target: Arc::clone(&self.inner.target),
            kind,
        };
        self.inner
            .families
            .upstream_errors
            .get_or_create(&labels)
            .inc();
    }

    fn new(route: Arc<str>, target: Arc<str>, families: Families) -> Self {
        Self {
            inner: Arc::new(TargetMetricsInner {
                route,
                target,
                families,
                responses_by_class: array::from_fn(|_| OnceLock::new()),
                duration: OnceLock::new(),
                retries: OnceLock::new(),
            }),
        }
    }
}

impl ShadowMetrics {
    /// Counts one request not copied, or one copy not compared, for `reason`.
    pub fn record_drop(&self, reason: ShadowDrop) {
        self.dropped[reason as usize].inc();
    }

    /// Drops so far for each reason, in [`SHADOW_DROP_REASONS`] order.
    pub fn dropped(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        SHADOW_DROP_REASONS
            .iter()
            .zip(&self.dropped)
            .map(|(reason, counter)| (*reason, counter.get()))
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.active_connections.dec();
    }
}

/// The label values of `requests_total`'s `class`, indexed by [`status_class_index`].
const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

/// The label-keyed metric families that route and target handles record into. Each `Family`
/// is an `Arc`-backed clone of the one in the registry.
#[derive(Clone, Debug)]
struct Families {
    requests: Family<RequestLabels, Counter>,
    duration: Family<RouteTargetLabels, Histogram, fn() -> Histogram>,
    retries: Family<RouteTargetLabels, Counter>,
    fallbacks: Family<FallbackLabels, Counter>,
    upstream_errors: Family<UpstreamErrorLabels, Counter>,
}

/// Labels of `requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Arc<str>,
    target: Arc<str>,
    class: &'static str,
}

/// Labels of `request_duration_seconds` and `retries_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteTargetLabels {
    route: Arc<str>,
    target: Arc<str>,
}

/// Labels of `fallbacks_total`: the route, the target that failed and the one that answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FallbackLabels {
    route: Arc<str>,
    from: Arc<str>,
    to: Arc<str>,
}

/// Labels of `upstream_errors_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamErrorLabels {
    route: Arc<str>,
    target: Arc<str>,
    kind: &'static str,
}

/// Labels of `shadow_mirrored_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Arc<str>,
}

/// Labels of `shadow_compared_total`: `"match"` or `"mismatch"`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowCompareLabels {
    route: Arc<str>,
    result: &'static str,
}

/// Labels of `shadow_dropped_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowDropLabels {
    route: Arc<str>,
    reason: &'static str,
}

/// Labels of `accepted_connections_total`: the worker thread's index.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WorkerLabels {
    worker: usize,
}

/// Labels of `config_reloads_total`: `"ok"` or `"rejected"`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: &'static str,
}

/// Labels of `ejections_total`: the upstream and the address ejected from its pool.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EjectionLabels {
    upstream: String,
    address: String,
}

#[derive(Debug)]
struct TargetMetricsInner {
    route: Arc<str>,
    target: Arc<str>,
    families: Families,
    responses_by_class: [OnceLock<Counter>; STATUS_CLASSES.len()],
    duration: OnceLock<Histogram>,
    retries: OnceLock<Counter>,
}

impl TargetMetricsInner {
    fn route_target_labels(&self) -> RouteTargetLabels {
        RouteTargetLabels {
            route: Arc::clone(&self.route),
            target: Arc::clone(&self.target),
        }
    }
}

fn new_duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS_SECONDS)
}

/// Index into [`STATUS_CLASSES`]: 100..=199 is `1xx` and so on, anything outside 100..=599 is
/// `other` (hyper accepts statuses up to 999).
fn status_class_index(status: u16) -> usize {
    match status {
        100..=599 => usize::from(status / 100 - 1),
        _ => STATUS_CLASSES.len() - 1,
    }
}

#[cfg(test)]
mod tests;

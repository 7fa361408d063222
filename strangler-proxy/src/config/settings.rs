//! Validated settings: what [`super::validate()`] returns once every name resolves, every address
//! and pattern parses and every weight makes sense. Plain data, no behaviour; the route table
//! and, later, the server are built from it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::headers::{ForwardingFields, TrustedHops};
use crate::pattern::PathPattern;
use crate::shadow::path::FieldPath;

/// The whole validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub listen: SocketAddr,
    pub upstreams: Vec<Upstream>,
    pub routes: Vec<Route>,
    /// Name of the upstream that takes unmatched requests; it is one of `upstreams`.
    pub default_upstream: String,
    /// `received-by` in `Via`, `by` in `Forwarded`.
    pub proxy_name: String,
    /// Peers whose forwarding headers are kept.
    pub trusted_hops: TrustedHops,
    pub access_log: bool,
    pub limits: Limits,
    pub admin: Option<Admin>,
    pub headers: HeaderOptions,
    pub tls: Option<ListenerTls>,
    /// A plan file's ledger and rollout, with its routes' states; `None` without a ledger.
    pub migration: Option<Migration>,
}

/// Validated `plan_routes.ledger` and `plan_routes.rollout` of a plan file.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// Relative paths resolved against the plan file's folder.
    pub ledger: PathBuf,
    pub rollout: Option<crate::rollout::RolloutSpec>,
    /// Every route the plan lists, in file order.
    pub routes: Vec<PlanRoute>,
}

/// A route of the plan and where it is in its migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRoute {
    /// As the plan writes it: `GET /api/products/{id}`.
    pub key: String,
    pub service: String,
    pub state: ficus_plan::RouteState,
    /// The proxy route it becomes; `None` in state `monolith` (the default route answers).
    pub route_name: Option<String>,
}

/// Validated `[tls]`: where the listener's certificate and key are (read at start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// TLS settings of an `https` upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTls {
    /// Extra trusted authorities; `None`: the Mozilla root store.
    pub ca_file: Option<PathBuf>,
    /// SNI and certificate name; `None`: each address's host.
    pub server_name: Option<String>,
}

/// Validated `[headers]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderOptions {
    pub forwarding: ForwardingFields,
    pub request_id: bool,
    pub trace_context: bool,
    /// Request fields whose names hold `_` are forwarded (else dropped).
    pub underscores_in_headers: bool,
}

/// Validated `[limits]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    pub max_header_count: usize,
    pub max_header_bytes: usize,
    pub max_uri_bytes: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub replay_buffer_bytes: usize,
    /// `None`: no limit.
    pub max_body_bytes: Option<u64>,
    pub shutdown_timeout: Duration,
}

/// Validated `[admin]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    pub listen: SocketAddr,
    pub token: TokenSource,
    pub audit_log: Option<PathBuf>,
}

/// Where the admin bearer token is read from, when the proxy starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env(String),
    /// Relative paths are resolved against the config file's folder.
    File(PathBuf),
}

/// A validated upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub name: String,
    /// At least one.
    pub addresses: Vec<Address>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub pool_size: usize,
    pub idle_timeout: Duration,
    pub protocol: Protocol,
    /// 0 never ejects.
    pub max_fails: u32,
    pub fail_timeout: Duration,
    pub health_check: Option<HealthCheck>,
    /// Set exactly when `protocol` is [`Protocol::Https`].
    pub tls: Option<UpstreamTls>,
}

/// Protocol spoken to an upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    H2c,
    /// TLS, then HTTP/2 or HTTP/1.1 by ALPN.
    Https,
}

/// A validated active health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Starts with `/`.
    pub path: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub unhealthy_threshold: u32,
    pub healthy_threshold: u32,
}

/// A `host:port` address; the host may be a name, an IPv4 or a bracket-less IPv6 address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: u16,
}

/// A validated route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub name: String,
    pub path: PathPattern,
    /// Upper-case methods; `None` takes every method.
    pub methods: Option<Vec<String>>,
    /// Lower-case host without port; `None` takes every host.
    pub host: Option<String>,
    /// Lower-case header names with the exact values they must have, sorted by name.
    pub headers: Vec<(String, String)>,
    /// At least one, every upstream known, weights summing above zero.
    pub targets: Vec<Target>,
    pub sticky: Option<Sticky>,
    pub allow_override: bool,
    pub fallback: bool,
    /// Overrides the upstreams' `request_timeout` on this route.
    pub request_timeout: Option<Duration>,
    /// Copies of the route's requests go to a new service, whose answers are compared.
    pub shadow: Option<Shadow>,
    /// A plan route in state `canary` under a rollout: its targets count answers for the gates.
    pub rollout: bool,
    /// Derived from a plan's route states: the proxy notes when the monolith last answered it.
    pub from_plan: bool,
}

/// A validated `shadow` table of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadow {
    /// A known upstream, not one of the route's targets.
    pub upstream: String,
    /// 0 to 100.
    pub percent: u8,
    /// Above zero.
    pub timeout: Duration,
    /// At least 1.
    pub max_concurrent: usize,
    pub max_body_bytes: usize,
    pub max_response_bytes: usize,
    pub mirror_writes: bool,
    /// A known upstream: a second instance of the monolith.
    pub noise_upstream: Option<String>,
    /// Mismatch samples kept.
    pub samples: usize,
    pub compare: CompareRules,
}

/// What two answers must have in common.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRules {
    /// Lower-case header names, sorted, no duplicates.
    pub headers: Vec<String>,
    pub ignore_fields: Vec<FieldPath>,
    pub ignore_array_order: Vec<FieldPath>,
}

/// A route's target upstream and its relative weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub upstream: String,
    pub weight: u32,
}

/// Where a route's sticky key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sticky {
    Header(String),
    Cookie(String),
    Query(String),
}

impl Route {
    /// Number of conditions besides the path: methods, host and each header. The route table
    /// ranks routes with more conditions first among equally specific paths.
    pub fn n_conditions(&self) -> usize {
        usize::from(self.methods.is_some()) + usize::from(self.host.is_some()) + self.headers.len()
    }
}

//! The TOML file schema of the proxy: `serde` structs that mirror the file one to one, with
//! `deny_unknown_fields` and each default written on its field. Nothing here checks meaning
//! (unknown upstreams, bad addresses, zero weights): that is [`super::validate()`]'s job.
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! default_upstream = "monolith"
//!
//! [[upstream]]
//! name = "monolith"
//! addresses = ["127.0.0.1:8081"]
//!
//! [[upstream]]
//! name = "billing"
//! addresses = ["10.0.0.5:9000", "10.0.0.6:9000"]
//!
//! [[route]]
//! name = "invoices"
//! path = "/api/invoices/**"
//! methods = ["GET"]
//! targets = [{ upstream = "monolith", weight = 90 }, { upstream = "billing", weight = 10 }]
//! sticky = { header = "x-user-id" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ConfigError;

/// Default for [`FileConfig::listen`].
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default for [`FileUpstream::connect_timeout_ms`].
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 1_000;
/// Default for [`FileUpstream::request_timeout_ms`].
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// Default for [`FileUpstream::pool_size`].
pub const DEFAULT_POOL_SIZE: usize = 32;
/// Default for [`FileUpstream::idle_timeout_ms`].
pub const DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS: u64 = 90_000;
/// Default for [`FileUpstream::max_fails`].
pub const DEFAULT_MAX_FAILS: u32 = 3;
/// Default for [`FileUpstream::fail_timeout_ms`].
pub const DEFAULT_FAIL_TIMEOUT_MS: u64 = 10_000;
/// Default for [`FileConfig::proxy_name`]: the `received-by` of `Via`.
pub const DEFAULT_PROXY_NAME: &str = "ficus";
/// Default for [`FileAdmin::listen`].
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:9901";
/// Default for [`FileAdmin::token_env`].
pub const DEFAULT_ADMIN_TOKEN_ENV: &str = "FICUS_ADMIN_TOKEN";

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address the proxy listens on, `ip:port`. Default: `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Name of the upstream that gets every request no route matches: the monolith. Required,
    /// except in a plan file with `monolith.upstream`, where it defaults to `monolith`.
    #[serde(default)]
    pub default_upstream: Option<String>,
    /// `[[upstream]]` tables. Default: none (but `default_upstream` must name one).
    #[serde(default, rename = "upstream")]
    pub upstreams: Vec<FileUpstream>,
    /// `[[route]]` tables, in file order (the last tie-break of the precedence). Default: none.
    #[serde(default, rename = "route")]
    pub routes: Vec<FileRoute>,
    /// A plan file's routes and states (filled by `plan_routes.rs`, not read from the table).
    #[serde(skip)]
    pub plan_states: Vec<crate::config::settings::PlanRoute>,
    /// Name this proxy gives itself in `Via` and `Forwarded` headers. Default: `ficus`.
    #[serde(default = "default_proxy_name")]
    pub proxy_name: String,
    /// Addresses (`10.0.0.7`) and networks (`10.0.0.0/8`, `fd00::/8`) of the hops in front of
    /// this proxy (a load balancer, a CDN) whose `X-Forwarded-*`, `Forwarded` and
    /// `x-request-id` headers are kept. From any other peer they are replaced. Default: none.
    #[serde(default)]
    pub trusted_hops: Vec<String>,
    /// Whether every request is logged as one JSON line (target `ficus::access`). Default: true.
    #[serde(default = "default_true")]
    pub access_log: bool,
    /// `[limits]`: protections for the listening side. Default: every limit at its default.
    #[serde(default)]
    pub limits: FileLimits,
    /// `[admin]`: the admin API. Default: no admin API.
    #[serde(default)]
    pub admin: Option<FileAdmin>,
    /// `[headers]`: which fields the proxy adds to requests. Default: all of them.
    #[serde(default)]
    pub headers: FileHeaders,
    /// `[tls]`: terminate TLS on `listen` (HTTP/2 and HTTP/1.1 chosen by ALPN). Default: plain
    /// TCP.
    #[serde(default)]
    pub tls: Option<FileTls>,
    /// In a plan file: options of the routes derived from its `[service.routes]`. Default:
    /// no sticky key, no overrides, fallback on.
    #[serde(default)]
    pub plan_routes: FilePlanRoutes,
}

/// `plan_routes = { ... }`: how the routes a plan's migration states produce behave.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePlanRoutes {
    /// As a route's `sticky`. Default: none.
    #[serde(default)]
    pub sticky: Option<FileSticky>,
    /// As a route's `allow_override`. Default: false.
    #[serde(default)]
    pub allow_override: bool,
    /// As a route's `fallback`. Default: true.
    #[serde(default = "default_true")]
    pub fallback: bool,
    /// Settings of the routes in state `shadow`, as a route's `shadow` without `upstream` and
    /// `percent` (the route state gives them). Default: every field at its default.
    #[serde(default)]
    pub shadow: Option<FileShadow>,
    /// The migration ledger, relative to the plan file: every change of a route's state, with
    /// who made it and why. Default: none (no ledger, no rollouts, no state changes through the
    /// admin API).
    #[serde(default)]
    pub ledger: Option<String>,
    /// The rollout every route in state `canary` runs: steps, bake time and gates (see
    /// `crate::rollout`). Needs `ledger`. Default: none (canary percents change by hand).
    #[serde(default)]
    pub rollout: Option<crate::rollout::RolloutFile>,
}

impl Default for FilePlanRoutes {
    fn default() -> FilePlanRoutes {
        FilePlanRoutes {
            sticky: None,
            allow_override: false,
            fallback: true,
            shadow: None,
            ledger: None,
            rollout: None,
        }
    }
}

/// `[tls]`: the listener's certificate. Paths are relative to the configuration file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTls {
    /// PEM file with the certificate chain, leaf first. Required.
    pub cert: String,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1). Required.
    pub key: String,
}

/// `[headers]`: the fields the proxy adds to forwarded requests (and responses). Client-sent
/// forwarding fields from untrusted peers are removed whatever these say.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHeaders {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`. Default: true.
    #[serde(default = "default_true")]
    pub x_forwarded: bool,
    /// RFC 7239 `Forwarded`. Default: true.
    #[serde(default = "default_true")]
    pub forwarded: bool,
    /// `Via` on requests and responses. Default: true.
    #[serde(default = "default_true")]
    pub via: bool,
    /// `x-request-id`: kept from trusted hops, else generated; echoed on the response. When
    /// false the proxy leaves the field as the client sent it. Default: true.
    #[serde(default = "default_true")]
    pub request_id: bool,
    /// W3C `traceparent`: propagated with a new parent id, or a trace started. When false the
    /// proxy leaves `traceparent` and `tracestate` as the client sent them. Default: true.
    #[serde(default = "default_true")]
    pub trace_context: bool,
    /// Forward request header fields whose names hold `_`. Default: false, as NGINX's
    /// `underscores_in_headers off`: such fields are dropped, since some frameworks read
    /// `X_Forwarded_For` as `X-Forwarded-For` and a client could pass one off as the other.
    #[serde(default)]
    pub underscores_in_headers: bool,
}

impl Default for FileHeaders {
    fn default() -> FileHeaders {
        FileHeaders {
            x_forwarded: true,
            forwarded: true,
            via: true,
            request_id: true,
            trace_context: true,
            underscores_in_headers: false,
        }
    }
}

/// `[limits]`: what a client may send and how long it may take.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    /// Client connections open at once; beyond it new connections wait in the listen backlog.
    /// Default: 10000.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Header fields in one request; more get `431`. Default: 100.
    #[serde(default = "default_max_header_count")]
    pub max_header_count: usize,
    /// Bytes of request line and headers together; more get `431`. Default: 16384; at least
    /// 8192 (the HTTP/1 parser's smallest buffer).
    #[serde(default = "default_max_header_bytes")]
    pub max_header_bytes: usize,
    /// Bytes of the request target (path and query); more get `414`. Default: 8192.
    #[serde(default = "default_max_uri_bytes")]
    pub max_uri_bytes: usize,
    /// Time a client has to send a request's complete headers, counted from when the
    /// connection is ready for the request (accepted, or the previous response written): a
    /// kept-alive connection waiting for its next request is closed after this long too, as
    /// are slower clients (slowloris defence). Default: 10000.
    #[serde(default = "default_header_read_timeout_ms")]
    pub header_read_timeout_ms: u64,
    /// Time a client connection may go without any byte read or written, between requests or
    /// in the middle of a body, before it is closed. Default: 60000.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// Request bodies up to this size (declared by `Content-Length`) are kept while they are
    /// sent, so an idempotent request can be retried or fall back after a failure. Larger and
    /// chunked bodies are streamed and never replayed. Default: 65536.
    #[serde(default = "default_replay_buffer_bytes")]
    pub replay_buffer_bytes: usize,
    /// Largest request body accepted, in bytes: a larger declared `Content-Length` gets `413`
    /// before anything is sent upstream, and a streamed body that grows past it is cut off and
    /// answered `413` (if the upstream has not answered yet). 0: no limit. Default: 0.
    #[serde(default)]
    pub max_body_bytes: u64,
    /// Time in-flight requests get to finish on shutdown before connections are closed.
    /// Default: 30000.
    #[serde(default = "default_shutdown_timeout_ms")]
    pub shutdown_timeout_ms: u64,
}

impl Default for FileLimits {
    fn default() -> FileLimits {
        FileLimits {
            max_connections: default_max_connections(),
            max_header_count: default_max_header_count(),
            max_header_bytes: default_max_header_bytes(),
            max_uri_bytes: default_max_uri_bytes(),
            header_read_timeout_ms: default_header_read_timeout_ms(),
            idle_timeout_ms: default_idle_timeout_ms(),
            replay_buffer_bytes: default_replay_buffer_bytes(),
            max_body_bytes: 0,
            shutdown_timeout_ms: default_shutdown_timeout_ms(),
        }
    }
}

/// `[admin]`: the admin API, on its own listener, every request authenticated with
/// `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAdmin {
    /// Address of the admin listener. Default: `127.0.0.1:9901`.
    #[serde(default = "default_admin_listen")]
    pub listen: String,
    /// Environment variable holding the bearer token. Default: `FICUS_ADMIN_TOKEN`. Used when
    /// `token_file` is not set.
    #[serde(default = "default_admin_token_env")]
    pub token_env: String,
    /// File holding the bearer token (surrounding whitespace ignored). Default: none.
    #[serde(default)]
    pub token_file: Option<String>,
    /// File every admin change is appended to as a JSON line, besides the log. Default: none.
    #[serde(default)]
    pub audit_log: Option<String>,
    /// Accept `listen` on an address other than loopback, where the bearer token crosses the
    /// network in clear text (the admin listener has no TLS). Default: false, and such an
    /// address is refused.
    #[serde(default)]
    pub plain_http_off_loopback: bool,
}

/// One `[[upstream]]`: a named group of addresses serving the same application.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileUpstream {
    /// Unique name that routes refer to. Required.
    pub name: String,
    /// One or more `host:port` addresses (`[::1]:80` for IPv6). Required, not empty.
    pub addresses: Vec<String>,
    /// Time allowed to open a connection, in milliseconds. Default: 1000.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Time allowed for a whole request, in milliseconds. Default: 30000.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Idle keep-alive connections kept per address. Default: 32.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// Time an idle pooled connection is kept, in milliseconds, counted from when its last
    /// request was sent. Default: 90000.
    #[serde(default = "default_upstream_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// Protocol spoken to the upstream: `"http1"`, `"h2c"` (HTTP/2 without TLS, prior
    /// knowledge) or `"https"` (TLS, HTTP/2 or HTTP/1.1 by ALPN). Default: `"http1"`.
    #[serde(default)]
    pub protocol: FileProtocol,
    /// Consecutive failures (connect errors, timeouts, resets) after which an address is
    /// ejected for `fail_timeout_ms`; 0 never ejects. Default: 3.
    #[serde(default = "default_max_fails")]
    pub max_fails: u32,
    /// How long an ejected address gets no traffic, in milliseconds. Default: 10000.
    #[serde(default = "default_fail_timeout_ms")]
    pub fail_timeout_ms: u64,
    /// Active health check. Default: none (passive health only).
    #[serde(default)]
    pub health_check: Option<FileHealthCheck>,
    /// With `protocol = "https"`: PEM file of the certificate authorities trusted for this
    /// upstream, relative to the configuration file. Default: the Mozilla root store.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// With `protocol = "https"`: the name sent in SNI and checked against the certificate.
    /// Default: the host of each address.
    #[serde(default)]
    pub server_name: Option<String>,
}

/// Protocol spoken to an upstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileProtocol {
    /// HTTP/1.1 with keep-alive.
    #[default]
    Http1,
    /// HTTP/2 over cleartext with prior knowledge.
    H2c,
    /// TLS; HTTP/2 or HTTP/1.1 as the upstream chooses by ALPN.
    Https,
}

/// `health_check = { path = "/healthz" }`: a `GET` to each address every `interval_ms`; a
/// `2xx` answer within `timeout_ms` is healthy. An address failing `unhealthy_threshold`
/// checks in a row is ejected until `healthy_threshold` checks in a row pass.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHealthCheck {
    /// Path (and query) requested. Required, starts with `/`.
    pub path: String,
    /// Time between checks, in milliseconds. Default: 5000.
    #[serde(default = "default_health_interval_ms")]
    pub interval_ms: u64,
    /// Time one check may take, in milliseconds. Default: 1000.
    #[serde(default = "default_health_timeout_ms")]
    pub timeout_ms: u64,
    /// Failed checks in a row that eject an address. Default: 2.
    #[serde(default = "default_unhealthy_threshold")]
    pub unhealthy_threshold: u32,
    /// Passed checks in a row that bring it back. Default: 2.
    #[serde(default = "default_healthy_threshold")]
    pub healthy_threshold: u32,
}

/// One `[[route]]`: which requests it takes and where they go.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRoute {
    /// Unique name, used in logs, metrics and errors. Required.
    pub name: String,
    /// Path pattern: exact `/api/orders`, `{param}` and `*` segments, or prefix `/api/**`.
    /// Required.
    pub path: String,
    /// HTTP methods this route takes, any case (stored upper case). Default: every method.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    /// Host the request must name, without port, any case. Default: every host.
    #[serde(default)]
    pub host: Option<String>,
    /// Headers that must be present with exactly these values (names in any case).
    /// Default: none.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Where matching requests go, with relative weights. Required, not empty, and at least
    /// one weight above zero; no weight may be negative.
    pub targets: Vec<FileTarget>,
    /// Key that keeps a user on the same target: `{ header = "x-user-id" }`,
    /// `{ cookie = "session" }` or `{ query = "user" }`. Default: none (weighted random).
    #[serde(default)]
    pub sticky: Option<FileSticky>,
    /// Whether testers may force a target with an override header or cookie. Default: false.
    #[serde(default)]
    pub allow_override: bool,
    /// Whether a request whose chosen target cannot be reached is sent to the default upstream
    /// instead (only when the request can be replayed: nothing was sent, or an idempotent
    /// method with a kept body). Default: true.
    #[serde(default = "default_true")]
    pub fallback: bool,
    /// Time for the response headers on this route, in milliseconds, instead of the target
    /// upstream's `request_timeout_ms` (a slow report endpoint, a fast health probe).
    /// Default: the upstream's.
    #[serde(default)]
    pub request_timeout_ms: Option<u64>,
    /// `shadow = { upstream = "catalog" }`: copy this route's requests to a new service and
    /// compare its answers with the primary's. Default: none.
    #[serde(default)]
    pub shadow: Option<FileShadow>,
    /// Derived from a plan's migration states, not written in the file: a route written in the
    /// file for the same requests replaces it instead of being reported.
    #[serde(skip)]
    pub from_plan: bool,
    /// Derived from a plan route in state `canary` while the plan has a rollout: its targets
    /// count answers for the rollout's gates.
    #[serde(skip)]
    pub rollout: bool,
}

/// A route's `shadow` table: requests answered by the route's targets are also copied, fire
/// and forget, to `upstream`, and the two answers are compared (see `docs/proxy.md`). In a
/// plan file, `plan_routes.shadow` holds the same fields but `upstream` and `percent`, which
/// each `shadow` route state gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileShadow {
    /// The upstream (the new service) that gets the copies. Required in a route.
    #[serde(default)]
    pub upstream: Option<String>,
    /// Share of the route's requests copied, 0 to 100. Default: 100.
    #[serde(default)]
    pub percent: Option<i64>,
    /// Time a copy has for its whole answer, body included, in milliseconds. Default: 5000.
    #[serde(default = "default_shadow_timeout_ms")]
    pub timeout_ms: u64,
    /// Copies in flight at once on this route; a request arriving over it is not copied (and
    /// counted). Default: 64.
    #[serde(default = "default_shadow_max_concurrent")]
    pub max_concurrent: usize,
    /// Largest request body copied, in bytes; a larger or undeclared-length body is not
    /// copied (and counted). Default: 65536.
    #[serde(default = "default_shadow_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Largest response body compared, in bytes, for each of the answers. Default: 1048576.
    #[serde(default = "default_shadow_max_response_bytes")]
    pub max_response_bytes: usize,
    /// Whether requests of methods other than `GET`, `HEAD`, `OPTIONS` and `TRACE` are copied
    /// too: only when `upstream` is a sandbox whose writes go nowhere. Default: false.
    #[serde(default)]
    pub mirror_writes: bool,
    /// A second instance of the monolith that gets the copy as well; fields that differ
    /// between the two monolith answers are not counted as mismatches. Default: none.
    #[serde(default)]
    pub noise_upstream: Option<String>,
    /// Mismatches kept for people to read (the oldest goes first). Default: 20.
    #[serde(default = "default_shadow_samples")]
    pub samples: usize,
    /// How the answers are compared. Default: status, `content-type` and the body.
    #[serde(default)]
    pub compare: FileCompare,
}

/// `shadow.compare`: what of two answers must be equal.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCompare {
    /// Response header fields compared, any case. Default: `["content-type"]`.
    #[serde(default = "default_compare_headers")]
    pub headers: Vec<String>,
    /// JSON body fields left out of the comparison: `id`, `items[*].created_at`, `**.updated_at`.
    /// Default: none.
    #[serde(default)]
    pub ignore_fields: Vec<String>,
    /// JSON arrays compared as multisets, whatever their order: `items`, `**` for all.
    /// Default: none.
    #[serde(default)]
    pub ignore_array_order: Vec<String>,
}

impl Default for FileCompare {
    fn default() -> FileCompare {
        FileCompare {
            headers: default_compare_headers(),
            ignore_fields: Vec::new(),
            ignore_array_order: Vec::new(),
        }
    }
}

/// One entry of `targets`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTarget {
    /// Name of an `[[upstream]]`. Required.
    pub upstream: String,
    /// Relative share of the traffic; 0 turns the target off. Default: 1.
    #[serde(default = "default_weight")]
    pub weight: i64,
}

/// Where the sticky key of a route comes from: exactly one of the three keys.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum FileSticky {
    /// A request header, e.g. `x-user-id`.
    Header(String),
    /// A cookie, e.g. `session`.
    Cookie(String),
    /// A query parameter, e.g. `user`.
    Query(String),
}

/// A plan file as the proxy sees it: only its `[proxy]` table. Deserializing the whole text
/// through this keeps toml's line and column in errors inside the table.
#[derive(Deserialize)]
struct PlanFile {
    #[serde(default)]
    proxy: Option<FileConfig>,
}

impl FileConfig {
    /// Parses a proxy file or a plan file's `[proxy]` table (see [`super::Source::detect`]).
    pub fn parse_any(text: &str, file: &Path) -> Result<(FileConfig, super::Source), ConfigError> {
        let parse_error = |error: toml::de::Error| ConfigError::Parse {
            file: file.to_path_buf(),
            message: error.to_string().trim_end().to_owned(),
        };
        let document: toml::Table = toml::from_str(text).map_err(parse_error)?;
        match super::Source::detect(&document) {
            super::Source::Plan => {
                let plan: PlanFile = toml::from_str(text).map_err(parse_error)?;
                let proxy = match plan.proxy {
                    Some(proxy) => proxy,
                    // A plan without `[proxy]`: every field at its default.
                    None => toml::from_str("").map_err(parse_error)?,
                };
                Ok((proxy, super::Source::Plan))
            }
            super::Source::ProxyFile => {
                Ok((FileConfig::parse(text, file)?, super::Source::ProxyFile))
            }
        }
    }

    /// Parses TOML `text`; `file` only names the source in errors, which keep toml's line and
    /// column and the field it could not read.
    pub fn parse(text: &str, file: &Path) -> Result<FileConfig, ConfigError> {
        toml::from_str(text).map_err(|error| ConfigError::Parse {
            file: file.to_path_buf(),
            message: error.to_string().trim_end().to_owned(),
        })
    }
}

fn default_listen() -> String {
    DEFAULT_LISTEN.to_owned()
}

fn default_connect_timeout_ms() -> u64 {
    DEFAULT_CONNECT_TIMEOUT_MS
}

fn default_request_timeout_ms() -> u64 {
    DEFAULT_REQUEST_TIMEOUT_MS
}

fn default_pool_size() -> usize {
    DEFAULT_POOL_SIZE
}

fn default_weight() -> i64 {
    1
}

fn default_true() -> bool {
    true
}

fn default_proxy_name() -> String {
    DEFAULT_PROXY_NAME.to_owned()
}

fn default_upstream_idle_timeout_ms() -> u64 {
    DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS
}

fn default_max_fails() -> u32 {
    DEFAULT_MAX_FAILS
}

fn default_fail_timeout_ms() -> u64 {
    DEFAULT_FAIL_TIMEOUT_MS
}

fn default_health_interval_ms() -> u64 {
    5_000
}

fn default_health_timeout_ms() -> u64 {
    1_000
}

fn default_unhealthy_threshold() -> u32 {
    2
}

fn default_healthy_threshold() -> u32 {
    2
}

fn default_max_connections() -> usize {
    10_000
}

fn default_max_header_count() -> usize {
    100
}

fn default_max_header_bytes() -> usize {
    16_384
}

fn default_max_uri_bytes() -> usize {
    8_192
}

fn default_header_read_timeout_ms() -> u64 {
    10_000
}

fn default_idle_timeout_ms() -> u64 {
    60_000
}

fn default_replay_buffer_bytes() -> usize {
    65_536
}

fn default_shutdown_timeout_ms() -> u64 {
    30_000
}

fn default_shadow_timeout_ms() -> u64 {
    5_000
}

fn default_shadow_max_concurrent() -> usize {
    64
}

fn default_shadow_max_body_bytes() -> usize {
    65_536
}

fn default_shadow_max_response_bytes() -> usize {
    1_048_576
}

fn default_shadow_samples() -> usize {
    20
}

fn default_compare_headers() -> Vec<String> {
    vec!["content-type".to_owned()]
}

fn default_admin_listen() -> String {
    DEFAULT_ADMIN_LISTEN.to_owned()
}

fn default_admin_token_env() -> String {
    DEFAULT_ADMIN_TOKEN_ENV.to_owned()
}

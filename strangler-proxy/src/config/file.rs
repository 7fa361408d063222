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

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address the proxy listens on, `ip:port`. Default: `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Name of the upstream that gets every request no route matches: the monolith. Required.
    pub default_upstream: String,
    /// `[[upstream]]` tables. Default: none (but `default_upstream` must name one).
    #[serde(default, rename = "upstream")]
    pub upstreams: Vec<FileUpstream>,
    /// `[[route]]` tables, in file order (the last tie-break of the precedence). Default: none.
    #[serde(default, rename = "route")]
    pub routes: Vec<FileRoute>,
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

impl FileConfig {
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

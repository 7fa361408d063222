//! Routes as a plan file names them (`GET /api/orders/{id}`) and the migration state of each:
//! whether the monolith, the new service, or both answer it.
//!
//! A route key names a route the analysis found in the code; it is not a routing rule. Prefix
//! matches, hosts and headers belong to the proxy's own table, not here.

use std::fmt;

/// `METHOD /path`, as a key of a service's `routes` table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteKey {
    method: RouteMethod,
    path: String,
}

/// The method part of a route key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteMethod {
    /// `*`: every method.
    Any,
    /// An upper-case method name: `GET`, `POST`, or an extension method.
    Named(String),
}

/// Who answers a route while it migrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteState {
    /// The monolith answers; the service gets nothing. Where every route starts.
    Monolith,
    /// The monolith answers; `percent` of requests are also copied to the service, whose
    /// answers are compared and dropped.
    Shadow { percent: u8 },
    /// `percent` of requests go to the service, the rest to the monolith.
    Canary { percent: u8 },
    /// The service answers every request.
    Service,
    /// The service answers every request, and the monolith's code behind the route is gone:
    /// the migration of the route is over.
    Retired,
}

/// Why a text is not a route key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteKeyError {
    #[error("expected `METHOD /path`, with one space between")]
    Shape,
    #[error("method `{method}` must be upper case")]
    LowerCaseMethod { method: String },
    #[error("write `*` for every method, not `ANY`")]
    AnyMethod,
    #[error("`{method}` is not a method name")]
    InvalidMethod { method: String },
    #[error("the path must start with `/`")]
    RelativePath,
    #[error("empty segment (`//`) in the path")]
    EmptySegment,
    #[error(
        "`{character}` is not allowed in a path (query strings and fragments are not part of a route)"
    )]
    InvalidCharacter { character: char },
    #[error("segment `{segment}`: a parameter is a whole segment, `{{name}}` or `{{*name}}`")]
    InvalidParameter { segment: String },
    #[error("`{{*{name}}}` must be the last segment")]
    WildcardNotLast { name: String },
    #[error("parameter `{name}` appears twice")]
    DuplicateParameter { name: String },
}

/// Why a value is not a route state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteStateError {
    #[error("unknown state \"{found}\" (expected monolith, shadow, canary, service or retired)")]
    UnknownState { found: String },
    #[error("percent {found} is out of range (expected 0 to 100)")]
    PercentOutOfRange { found: i64 },
    #[error("state \"{state}\" takes no percent (only shadow and canary do)")]
    PercentNotAllowed { state: String },
}

impl RouteKey {
    /// Parses `METHOD /path`: method upper case or `*`, path starting with `/`, parameters as
    /// whole segments `{name}`, a trailing wildcard `{*name}` as the last segment.
    pub fn parse(text: &str) -> Result<RouteKey, RouteKeyError> {
        let (method, path) = text.split_once(' ').ok_or(RouteKeyError::Shape)?;
        if method.is_empty() || path.is_empty() || path.starts_with(' ') || path.contains(' ') {
            return Err(RouteKeyError::Shape);
        }
        let method = parse_method(method)?;
        check_path(path)?;
        Ok(RouteKey {
            method,
            path: path.to_string(),
        })
    }

    pub fn method(&self) -> &RouteMethod {
        &self.method
    }

    /// The path as written, `/api/orders/{id}`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The key with parameter names erased (`GET /orders/{}`), so that two keys naming the
    /// same route with different parameter names compare equal.
    pub fn shape(&self) -> String {
        let mut out = format!("{} ", self.method);
        for (idx, segment) in self.path.split('/').enumerate() {
            if idx > 0 {
                out.push('/');
            }
            if segment.starts_with("{*") {
                out.push_str("{*}");
            } else if segment.starts_with('{') {
                out.push_str("{}");
            } else {
                out.push_str(segment);
            }
        }
        out
    }
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl fmt::Display for RouteMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteMethod::Any => f.write_str("*"),
            RouteMethod::Named(name) => f.write_str(name),
        }
    }
}

impl RouteState {
    /// Share of traffic a `shadow` route copies when the file gives no percent.
    pub const DEFAULT_SHADOW_PERCENT: u8 = 100;
    /// Share of traffic a `canary` route sends to the service when the file gives no percent.
    pub const DEFAULT_CANARY_PERCENT: u8 = 10;

    /// Builds a state from its name and optional percent, as the file writes them.
    pub fn from_parts(name: &str, percent: Option<i64>) -> Result<RouteState, RouteStateError> {
        let percent = match percent {
            None => None,
            Some(value @ 0..=100) => Some(value as u8),
            Some(found) => return Err(RouteStateError::PercentOutOfRange { found }),
        };
        let state = match name {
            "monolith" => RouteState::Monolith,
            "service" => RouteState::Service,
            "retired" => RouteState::Retired,
            "shadow" => RouteState::Shadow {
                percent: percent.unwrap_or(Self::DEFAULT_SHADOW_PERCENT),
            },
            "canary" => RouteState::Canary {
                percent: percent.unwrap_or(Self::DEFAULT_CANARY_PERCENT),
            },
            _ => {
                return Err(RouteStateError::UnknownState {
                    found: name.to_string(),
                });
            }
        };
        if percent.is_some()
            && matches!(
                state,
                RouteState::Monolith | RouteState::Service | RouteState::Retired
            )
        {
            return Err(RouteStateError::PercentNotAllowed {
                state: name.to_string(),
            });
        }
        Ok(state)
    }

    /// `monolith`, `shadow`, `canary` or `service`.
    pub fn name(self) -> &'static str {
        match self {
            RouteState::Monolith => "monolith",
            RouteState::Shadow { .. } => "shadow",
            RouteState::Canary { .. } => "canary",
            RouteState::Service => "service",
            RouteState::Retired => "retired",
        }
    }

    /// The percent the file must write, `None` where the state's default applies.
    pub fn explicit_percent(self) -> Option<u8> {
        match self {
            RouteState::Shadow { percent } if percent != Self::DEFAULT_SHADOW_PERCENT => {
                Some(percent)
            }
            RouteState::Canary { percent } if percent != Self::DEFAULT_CANARY_PERCENT => {
                Some(percent)
            }
            _ => None,
        }
    }

    /// Whether the service receives any of this route's traffic, so it needs an upstream.
    pub fn reaches_service(self) -> bool {
        !matches!(self, RouteState::Monolith)
    }
}

impl fmt::Display for RouteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.explicit_percent() {
            Some(percent) => write!(f, "{} {percent}%", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

fn parse_method(method: &str) -> Result<RouteMethod, RouteKeyError> {
    if method == "*" {
        return Ok(RouteMethod::Any);
    }
    if !method
        .bytes()
        .all(|byte| byte.is_ascii_alphabetic() || byte == b'-' || byte == b'_')
    {
        return Err(RouteKeyError::InvalidMethod {
            method: method.to_string(),
        });
    }
    if method.bytes().any(|byte| byte.is_ascii_lowercase()) {
        return Err(RouteKeyError::LowerCaseMethod {
            method: method.to_string(),
        });
    }
    if method == "ANY" {
        return Err(RouteKeyError::AnyMethod);
    }
    Ok(RouteMethod::Named(method.to_string()))
}

fn check_path(path: &str) -> Result<(), RouteKeyError> {
    let rest = path.strip_prefix('/').ok_or(RouteKeyError::RelativePath)?;
    if let Some(character) = path
        .chars()
        .find(|&char| char == '?' || char == '#' || char.is_whitespace() || char.is_control())
    {
        return Err(RouteKeyError::InvalidCharacter { character });
    }
    if rest.is_empty() {
        return Ok(());
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let mut parameters: Vec<&str> = Vec::new();
    for (idx, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            return Err(RouteKeyError::EmptySegment);
        }
        let invalid = || RouteKeyError::InvalidParameter {
            segment: segment.to_string(),
        };
        if !segment.contains(['{', '}', '*']) {
            continue;
        }
        let inner = segment
            .strip_prefix('{')
            .and_then(|inner| inner.strip_suffix('}'))
            .ok_or_else(invalid)?;
        let (name, is_wildcard) = match inner.strip_prefix('*') {
            Some(name) => (name, true),
            None => (inner, false),
        };
        let valid_name = name
            .chars()
            .next()
            .is_some_and(|first| first.is_alphabetic() || first == '_')
            && name
                .chars()
                .all(|char| char.is_alphanumeric() || char == '_');
        if !valid_name {
            return Err(invalid());
        }
        if is_wildcard && (idx != segments.len() - 1 || path.ends_with('/')) {
            return Err(RouteKeyError::WildcardNotLast {
                name: name.to_string(),
            });
        }
        if parameters.contains(&name) {
            return Err(RouteKeyError::DuplicateParameter {
                name: name.to_string(),
            });
        }
        parameters.push(name);
    }
    Ok(())
}

//! Turns a parsed [`FileConfig`] into [`Settings`], or the first problem found as a
//! [`ConfigError::Invalid`] naming the field path (`route[2].targets[0].upstream`), with
//! indexes counted from 0 in file order. It checks names, addresses, patterns, methods and
//! weights; it does not resolve host names, connect anywhere, or reject overlapping routes
//! (the route table's precedence decides between them).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use super::ConfigError;
use super::file::{FileConfig, FileRoute, FileSticky, FileUpstream};
use super::settings::{Address, Route, Settings, Sticky, Target, Upstream};
use crate::pattern::PathPattern;
use crate::route_table::DEFAULT_ROUTE_NAME;

/// Validates `file_config`, read from `file` (used only in error messages).
pub fn validate(file_config: FileConfig, file: &Path) -> Result<Settings, ConfigError> {
    let invalid = |field: String, message: String| ConfigError::Invalid {
        file: file.to_path_buf(),
        field,
        message,
    };
    let listen: SocketAddr = file_config.listen.parse().map_err(|_| {
        invalid(
            "listen".to_owned(),
            format!("invalid address {:?}, expected ip:port", file_config.listen),
        )
    })?;

    let mut upstreams = Vec::with_capacity(file_config.upstreams.len());
    let mut upstream_names = HashSet::new();
    for (upstream_idx, file_upstream) in file_config.upstreams.into_iter().enumerate() {
        let upstream = validate_upstream(file_upstream, &format!("upstream[{upstream_idx}]"))
            .map_err(|(field, message)| invalid(field, message))?;
        if !upstream_names.insert(upstream.name.clone()) {
            return Err(invalid(
                format!("upstream[{upstream_idx}].name"),
                format!("duplicate upstream name {:?}", upstream.name),
            ));
        }
        upstreams.push(upstream);
    }
    if !upstream_names.contains(&file_config.default_upstream) {
        return Err(invalid(
            "default_upstream".to_owned(),
            format!("unknown upstream {:?}", file_config.default_upstream),
        ));
    }

    let mut routes = Vec::with_capacity(file_config.routes.len());
    let mut route_names = HashSet::new();
    for (route_idx, file_route) in file_config.routes.into_iter().enumerate() {
        let route = validate_route(file_route, &format!("route[{route_idx}]"), &upstream_names)
            .map_err(|(field, message)| invalid(field, message))?;
        if !route_names.insert(route.name.clone()) {
            return Err(invalid(
                format!("route[{route_idx}].name"),
                format!("duplicate route name {:?}", route.name),
            ));
        }
        routes.push(route);
    }

    Ok(Settings {
        listen,
        upstreams,
        routes,
        default_upstream: file_config.default_upstream,
    })
}

/// A field path and the message about it.
type FieldProblem = (String, String);

fn validate_upstream(file_upstream: FileUpstream, at: &str) -> Result<Upstream, FieldProblem> {
    check_name(&file_upstream.name, at)?;
    if file_upstream.addresses.is_empty() {
        return Err((
            format!("{at}.addresses"),
            "needs at least one address".to_owned(),
        ));
    }
    let addresses = file_upstream
        .addresses
        .iter()
        .enumerate()
        .map(|(address_idx, text)| {
            parse_address(text).ok_or_else(|| {
                (
                    format!("{at}.addresses[{address_idx}]"),
                    format!("invalid address {text:?}, expected host:port"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (field, value) in [
        ("connect_timeout_ms", file_upstream.connect_timeout_ms),
        ("request_timeout_ms", file_upstream.request_timeout_ms),
    ] {
        if value == 0 {
            return Err((format!("{at}.{field}"), "must be above 0".to_owned()));
        }
    }
    Ok(Upstream {
        name: file_upstream.name,
        addresses,
        connect_timeout: Duration::from_millis(file_upstream.connect_timeout_ms),
        request_timeout: Duration::from_millis(file_upstream.request_timeout_ms),
        pool_size: file_upstream.pool_size,
    })
}

fn validate_route(
    file_route: FileRoute,
    at: &str,
    upstream_names: &HashSet<String>,
) -> Result<Route, FieldProblem> {
    check_name(&file_route.name, at)?;
    if file_route.name == DEFAULT_ROUTE_NAME {
        return Err((
            format!("{at}.name"),
            format!("{DEFAULT_ROUTE_NAME:?} is reserved for the catch-all route"),
        ));
    }
    let path = PathPattern::parse(&file_route.path)
        .map_err(|error| (format!("{at}.path"), error.message))?;

    let methods = match file_route.methods {
        None => None,
        Some(methods) if methods.is_empty() => {
            return Err((
                format!("{at}.methods"),
                "is empty; leave it out to take every method".to_owned(),
            ));
        }
        Some(methods) => Some(
            methods
                .iter()
                .enumerate()
                .map(|(method_idx, method)| {
                    if is_token(method) {
                        Ok(method.to_ascii_uppercase())
                    } else {
                        Err((
                            format!("{at}.methods[{method_idx}]"),
                            format!("invalid method {method:?}"),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };

    let host = match file_route.host {
        None => None,
        Some(host) if !is_route_host(&host) => {
            return Err((
                format!("{at}.host"),
                format!("invalid host {host:?}, expected a name without port"),
            ));
        }
        Some(host) => Some(host.to_ascii_lowercase()),
    };

    let mut headers = Vec::with_capacity(file_route.headers.len());
    for (name, value) in file_route.headers {
        if !is_token(&name) {
            return Err((
                format!("{at}.headers.{name}"),
                format!("invalid header name {name:?}"),
            ));
        }
        headers.push((name.to_ascii_lowercase(), value));
    }
    headers.sort();
    if let Some(pair) = headers.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err((
            format!("{at}.headers.{}", pair[0].0),
            "header named twice (names ignore case)".to_owned(),
        ));
    }

    if file_route.targets.is_empty() {
        return Err((
            format!("{at}.targets"),
            "needs at least one target".to_owned(),
        ));
    }
    let mut targets = Vec::with_capacity(file_route.targets.len());
    for (target_idx, file_target) in file_route.targets.into_iter().enumerate() {
        let target_at = format!("{at}.targets[{target_idx}]");
        if !upstream_names.contains(&file_target.upstream) {
            return Err((
                format!("{target_at}.upstream"),
                format!("unknown upstream {:?}", file_target.upstream),
            ));
        }
        let weight = u32::try_from(file_target.weight).map_err(|_| {
            (
                format!("{target_at}.weight"),
                format!(
                    "weight {} is out of range 0..={}",
                    file_target.weight,
                    u32::MAX
                ),
            )
        })?;
        targets.push(Target {
            upstream: file_target.upstream,
            weight,
        });
    }
    if targets.iter().all(|target| target.weight == 0) {
        return Err((
            format!("{at}.targets"),
            "every weight is 0; at least one target needs a weight above 0".to_owned(),
        ));
    }

    let sticky = file_route
        .sticky
        .map(|sticky| {
            let (kind, key) = match &sticky {
                FileSticky::Header(key) => ("header", key),
                FileSticky::Cookie(key) => ("cookie", key),
                FileSticky::Query(key) => ("query", key),
            };
            if key.is_empty() {
                return Err((format!("{at}.sticky.{kind}"), "is empty".to_owned()));
            }
            Ok(match sticky {
                FileSticky::Header(key) => Sticky::Header(key.to_ascii_lowercase()),
                FileSticky::Cookie(key) => Sticky::Cookie(key),
                FileSticky::Query(key) => Sticky::Query(key),
            })
        })
        .transpose()?;

    Ok(Route {
        name: file_route.name,
        path,
        methods,
        host,
        headers,
        targets,
        sticky,
        allow_override: file_route.allow_override,
    })
}

fn check_name(name: &str, at: &str) -> Result<(), FieldProblem> {
    if name.trim().is_empty() {
        return Err((format!("{at}.name"), "is empty".to_owned()));
    }
    Ok(())
}

/// `host:port` with a non-empty host and a port in 1..=65535; IPv6 hosts go in brackets.
fn parse_address(text: &str) -> Option<Address> {
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return (socket.port() != 0).then(|| Address {
            host: socket.ip().to_string(),
            port: socket.port(),
        });
    }
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|port| *port != 0)?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    host_ok.then(|| Address {
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// A host name or IPv4 address without port, or an IPv6 address in brackets (`[::1]`).
fn is_route_host(host: &str) -> bool {
    if let Some(inside) = host
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        return inside.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

/// An HTTP token (RFC 9110 5.6.2), as methods and header names must be.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

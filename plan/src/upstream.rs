//! Upstream addresses: where the monolith and each new service listen, as `http://host:port`
//! or `https://host:port`.
//!
//! Parsed by hand so that errors say exactly what is wrong. No name is resolved and nothing
//! is connected to: `orders.internal` is a valid host whether or not it exists.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An upstream base address: scheme, host, and port if written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upstream {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Http,
    Https,
}

/// Why a text is not an upstream address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    #[error("expected `http://host:port` or `https://host:port`")]
    NoScheme,
    #[error("scheme `{scheme}` is not supported (expected http or https)")]
    UnsupportedScheme { scheme: String },
    #[error("no host")]
    NoHost,
    #[error("`{host}` is not a valid host name or IP address")]
    InvalidHost { host: String },
    #[error("`{port}` is not a port (expected 1 to 65535)")]
    InvalidPort { port: String },
    #[error("user names and passwords do not belong in the plan")]
    UserInfo,
    #[error("an upstream is an address only: no path, query or fragment (found `{rest}`)")]
    HasPath { rest: String },
}

impl Upstream {
    /// Parses `scheme://host[:port][/]`. The host is a DNS name, an IPv4 address or a
    /// bracketed IPv6 address; names are kept in lower case.
    pub fn parse(text: &str) -> Result<Upstream, UpstreamError> {
        let (scheme, rest) = text.split_once("://").ok_or(UpstreamError::NoScheme)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => {
                return Err(UpstreamError::UnsupportedScheme {
                    scheme: scheme.to_string(),
                });
            }
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if !tail.is_empty() && tail != "/" {
            return Err(UpstreamError::HasPath {
                rest: tail.to_string(),
            });
        }
        if authority.contains('@') {
            return Err(UpstreamError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err(UpstreamError::NoHost);
        }
        check_host(host)?;
        let port = match port {
            None => None,
            Some(port) => Some(
                Some(port)
                    .filter(|port| port.bytes().all(|byte| byte.is_ascii_digit()))
                    .and_then(|port| port.parse::<u16>().ok())
                    .filter(|&port| port != 0)
                    .ok_or_else(|| UpstreamError::InvalidPort {
                        port: port.to_string(),
                    })?,
            ),
        };
        Ok(Upstream {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as written (lower case), IPv6 addresses with their brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port: as written, or the scheme's default (80, 443).
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        })
    }

    /// Whether the file wrote a port.
    pub fn has_explicit_port(&self) -> bool {
        self.port.is_some()
    }
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        })
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UpstreamError> {
    if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or_else(|| UpstreamError::InvalidHost {
                host: authority.to_string(),
            })?;
        let (host, rest) = authority.split_at(close + 1);
        return match rest {
            "" => Ok((host, None)),
            _ => match rest.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(UpstreamError::InvalidHost {
                    host: authority.to_string(),
                }),
            },
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn check_host(host: &str) -> Result<(), UpstreamError> {
    let invalid = || UpstreamError::InvalidHost {
        host: host.to_string(),
    };
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(invalid)?;
        return inner.parse::<Ipv6Addr>().map(|_| ()).map_err(|_| invalid());
    }
    let looks_numeric = host
        .bytes()
        .all(|byte| byte.is_ascii_digit() || byte == b'.');
    if looks_numeric {
        return host.parse::<Ipv4Addr>().map(|_| ()).map_err(|_| invalid());
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    let valid = name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        });
    if valid { Ok(()) } else { Err(invalid()) }
}

//! Forwarding headers on requests (`X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`,
//! RFC 7239 `Forwarded`) and `Via` (RFC 9110 §7.6.3) on requests and responses. Client-supplied
//! forwarding headers survive only from a trusted hop; anyone else's are replaced. It does not
//! add `Forwarded: by=` or ports (the proxy's own address is nobody's business upstream), does
//! not set `X-Real-IP`, and does not detect `Via` loops.
//!
//! Each list header leaves as one field line: existing lines are joined with `", "` before the
//! new element is appended, because many upstream frameworks read only the first line.

use std::net::{IpAddr, SocketAddr};

use http::Version;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::TrustedHops;

/// What the proxy knows about the client connection a request arrived on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The TCP peer: the client, or the hop in front of the proxy.
    pub peer: SocketAddr,
    /// `"http"` or `"https"`: how the request reached this proxy.
    pub scheme: &'static str,
    /// The request's `Host` header, or its `:authority` in HTTP/2 and HTTP/3.
    pub host: Option<String>,
    /// The protocol version the request arrived with (used in `Via`).
    pub version: Version,
}

/// Sets the forwarding headers on a request about to be forwarded, and appends this proxy to
/// `Via`.
///
/// If `client.peer` is in `trusted`, the forwarding headers it sent are kept: the peer's
/// address is appended to `X-Forwarded-For`, a `Forwarded` element is appended, and
/// `X-Forwarded-Proto` / `X-Forwarded-Host` are set only where absent. Otherwise all four are
/// removed first and rebuilt from `client` alone. `Via` is always appended, trusted or not, with
/// `proxy_name` as received-by (see [`append_via_response`]).
pub fn set_forwarding(
    headers: &mut HeaderMap,
    client: &ClientInfo,
    trusted: &TrustedHops,
    proxy_name: &str,
) {
    let peer_ip = client.peer.ip().to_canonical();
    if !trusted.contains(peer_ip) {
        for name in [
            X_FORWARDED_FOR,
            X_FORWARDED_PROTO,
            X_FORWARDED_HOST,
            header::FORWARDED,
        ] {
            headers.remove(name);
        }
    }

    append_list_element(headers, X_FORWARDED_FOR, &peer_ip.to_string());
    if !headers.contains_key(X_FORWARDED_PROTO)
        && is_uri_scheme(client.scheme)
        && let Ok(value) = HeaderValue::from_str(client.scheme)
    {
        headers.insert(X_FORWARDED_PROTO, value);
    }
    if !headers.contains_key(X_FORWARDED_HOST)
        && let Some(host) = &client.host
        && let Ok(value) = HeaderValue::from_str(host)
    {
        headers.insert(X_FORWARDED_HOST, value);
    }
    append_list_element(
        headers,
        header::FORWARDED,
        &forwarded_element(peer_ip, client),
    );
    append_list_element(
        headers,
        header::VIA,
        &via_element(client.version, proxy_name),
    );
}

/// Appends `<version> <proxy_name>` to a response's `Via`, `version` being the protocol the
/// upstream answered with: `1.0`, `1.1`, `2` or `3`.
///
/// `proxy_name` should be a token such as `ficus` or a host name, optionally with a port;
/// other characters are replaced by `-`, and an empty name becomes `ficus`.
pub fn append_via_response(headers: &mut HeaderMap, version: Version, proxy_name: &str) {
    append_list_element(headers, header::VIA, &via_element(version, proxy_name));
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Replaces the lines of `name` by one line: the non-empty existing lines, then `element`, all
/// separated by `", "`. Does nothing if `element` cannot be a field value.
fn append_list_element(headers: &mut HeaderMap, name: HeaderName, element: &str) {
    let mut joined: Vec<u8> = Vec::new();
    for existing in headers.get_all(&name) {
        let existing = existing.as_bytes().trim_ascii();
        if existing.is_empty() {
            continue;
        }
        joined.extend_from_slice(existing);
        joined.extend_from_slice(b", ");
    }
    joined.extend_from_slice(element.as_bytes());
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        headers.insert(name, value);
    }
}

/// One RFC 7239 `forwarded-element`: `for=...;proto=...;host=...`.
fn forwarded_element(peer_ip: IpAddr, client: &ClientInfo) -> String {
    let mut element = match peer_ip {
        IpAddr::V4(ip) => format!("for={ip}"),
        IpAddr::V6(ip) => format!("for=\"[{ip}]\""),
    };
    if is_uri_scheme(client.scheme) {
        element.push_str(";proto=");
        element.push_str(client.scheme);
    }
    if let Some(host) = &client.host
        && let Some(value) = forwarded_value(host)
    {
        element.push_str(";host=");
        element.push_str(&value);
    }
    element
}

/// `text` as an RFC 7239 `value`: a token as is, otherwise a quoted-string with `"` and `\`
/// escaped. `None` if it holds characters a quoted-string cannot carry (controls, non-ASCII).
fn forwarded_value(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(is_tchar) {
        return Some(text.to_owned());
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(character);
            }
            ' ' | '\t' | '!'..='~' => quoted.push(character),
            _ => return None,
        }
    }
    quoted.push('"');
    Some(quoted)
}

/// One `Via` element: `received-protocol received-by`, the protocol name omitted for HTTP.
fn via_element(version: Version, proxy_name: &str) -> String {
    let protocol_version = match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        // HTTP/1.1, and any version `http` adds later: 1.1 is the safe description.
        _ => "1.1",
    };
    format!("{protocol_version} {}", via_received_by(proxy_name))
}

/// `proxy_name` as a `Via` received-by: a pseudonym (token) or `host[:port]`.
fn via_received_by(proxy_name: &str) -> String {
    if proxy_name.is_empty() {
        return "ficus".to_owned();
    }
    proxy_name
        .chars()
        .map(|character| {
            let allowed = character.is_ascii()
                && (is_tchar(character as u8) || matches!(character, ':' | '[' | ']'));
            if allowed { character } else { '-' }
        })
        .collect()
}

/// RFC 9110 `tchar`: the characters of a token.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// RFC 3986 scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_uri_scheme(scheme: &str) -> bool {
    let mut bytes = scheme.bytes();
    bytes
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
}

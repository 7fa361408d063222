//! Forwarding headers on requests (`X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`,
//! RFC 7239 `Forwarded`) and `Via` (RFC 9110 §7.6.3) on requests and responses. Client-supplied
//! forwarding headers survive only from a trusted hop; anyone else's are replaced. It does not
//! add `Forwarded: by=` or ports (the proxy's own address is nobody's business upstream), does
//! not set `X-Real-IP`, and does not detect `Via` loops.
//!
//! Each list header leaves as one field line: existing lines are joined with `", "` before the
//! new element is appended, because many upstream frameworks read only the first line.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use http::Version;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use smallvec::SmallVec;

use super::TrustedHops;
use super::census::{Field, FieldCensus};

/// One client connection as the forwarding fields describe it: its peer and scheme, and the
/// values written from them once, when the connection is accepted. Every request on the
/// connection then takes reference-counted copies instead of formatting, checking and
/// allocating the same bytes again.
#[derive(Debug)]
pub struct ClientConnection {
    /// The TCP peer: the client, or the hop in front of the proxy.
    peer: SocketAddr,
    /// `"http"` or `"https"`: how requests on it reach this proxy.
    scheme: &'static str,
    /// The peer's address (IPv4-mapped IPv6 addresses as IPv4) as an `X-Forwarded-For` element.
    forwarded_for: HeaderValue,
    /// `for=<peer>;proto=<scheme>`: the `Forwarded` element up to its host.
    forwarded_start: HeaderValue,
    /// The last host a request on the connection named and its whole `Forwarded` element:
    /// a client sends the same `Host` on every request of a connection, as a rule, and the
    /// element (quoting checked, copied, validated, allocated) cost more than the rest of the
    /// forwarding fields together. The host is a copy: a reference-counted one would keep
    /// hyper's read buffer from being reused. The lock is never contended: a connection's
    /// requests run on one worker thread.
    last_forwarded: Mutex<Option<(Box<[u8]>, HeaderValue)>>,
}

impl ClientConnection {
    pub fn new(peer: SocketAddr, scheme: &'static str) -> ClientConnection {
        let peer_ip = peer.ip().to_canonical();
        let mut ip_text = Vec::with_capacity(48);
        push_ip(&mut ip_text, peer_ip);
        let mut element = Vec::with_capacity(64);
        push_forwarded_start(&mut element, peer_ip, &ip_text, scheme);
        ClientConnection {
            peer,
            scheme,
            forwarded_for: shared_value(ip_text),
            forwarded_start: shared_value(element),
            last_forwarded: Mutex::new(None),
        }
    }

    /// The `Forwarded` element of a request that names `host`: the one the previous request
    /// had when it named the same host, else a new one.
    fn forwarded_element(&self, host: &[u8]) -> HeaderValue {
        let Ok(mut last) = self.last_forwarded.lock() else {
            return forwarded_element(self, host);
        };
        if let Some((last_host, element)) = &*last
            && **last_host == *host
        {
            return element.clone();
        }
        let element = forwarded_element(self, host);
        *last = Some((host.into(), element.clone()));
        element
    }

    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    pub fn scheme(&self) -> &'static str {
        self.scheme
    }
}

/// A value the connection's requests clone: shared from the start, so that no request pays
/// for turning it into a shared one. Addresses and schemes are visible ASCII.
fn shared_value(bytes: Vec<u8>) -> HeaderValue {
    HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(bytes))
        .expect("an address and a scheme are a valid field value")
}

/// What the proxy knows about one request's client: its connection and what the request says.
#[derive(Debug, Clone)]
pub struct ClientInfo<'connection> {
    pub connection: &'connection ClientConnection,
    /// The request's `Host` header, or its `:authority` in HTTP/2 and HTTP/3.
    pub host: Option<HeaderValue>,
    /// The protocol version the request arrived with (used in `Via`).
    pub version: Version,
}

/// Sets the forwarding headers on a request about to be forwarded, and appends this proxy to
/// `Via`.
///
/// If the peer is in `trusted`, the forwarding headers it sent are kept: the peer's address is
/// appended to `X-Forwarded-For`, a `Forwarded` element is appended, and `X-Forwarded-Proto` /
/// `X-Forwarded-Host` are set only where absent. Otherwise all four are removed first and
/// rebuilt from `client` alone. `Via` is always appended, trusted or not, with `proxy_name` as
/// received-by (see [`append_via_response`]).
pub fn set_forwarding(
    headers: &mut HeaderMap,
    client: &ClientInfo<'_>,
    trusted: &TrustedHops,
    proxy_name: &str,
) {
    let via = Via::new(proxy_name);
    let census = FieldCensus::of(headers);
    let trusted_peer = trusted.contains(client.connection.peer.ip());
    set_forwarding_fields(
        headers,
        census,
        client,
        trusted_peer,
        &via,
        ForwardingFields::ALL,
    );
}

/// Which forwarding fields [`set_forwarding_fields`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardingFields {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`.
    pub x_forwarded: bool,
    /// RFC 7239 `Forwarded`.
    pub forwarded: bool,
    /// `Via`.
    pub via: bool,
}

impl ForwardingFields {
    pub const ALL: ForwardingFields = ForwardingFields {
        x_forwarded: true,
        forwarded: true,
        via: true,
    };
}

/// [`set_forwarding`] writing only the `fields` chosen, with this proxy's `Via` elements
/// built beforehand, the request's fields noted by `census` and the peer's trust decided by the
/// caller (`trusted_peer`, as [`TrustedHops::contains`] says). Client-supplied forwarding
/// fields from an untrusted peer are removed whatever `fields` says: a field the proxy does not
/// write must not reach the upstream as the client's claim.
pub fn set_forwarding_fields(
    headers: &mut HeaderMap,
    census: FieldCensus,
    client: &ClientInfo<'_>,
    trusted_peer: bool,
    via: &Via,
    fields: ForwardingFields,
) {
    let connection = client.connection;
    // Most requests carry none of these: then every field below is inserted without looking
    // for lines to join.
    let client_sent_some = census.has(Field::Forwarding);
    let kept_some = client_sent_some && trusted_peer;
    if client_sent_some && !kept_some {
        for name in FORWARDING_NAMES {
            headers.remove(name);
        }
    }

    if fields.x_forwarded {
        set_x_forwarded(headers, client, kept_some);
    }
    if fields.forwarded {
        let element = match &client.host {
            None => connection.forwarded_start.clone(),
            Some(host) => connection.forwarded_element(host.as_bytes()),
        };
        if kept_some {
            append_list_value(headers, header::FORWARDED, &element);
        } else {
            headers.insert(header::FORWARDED, element);
        }
    }
    if fields.via {
        let element = via.element(client.version);
        if census.has(Field::Via) {
            append_list_value(headers, header::VIA, element);
        } else {
            headers.insert(header::VIA, element.clone());
        }
    }
}

/// `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host`; with `kept_some`, a trusted
/// hop's values are kept (and appended to, for `X-Forwarded-For`).
fn set_x_forwarded(headers: &mut HeaderMap, client: &ClientInfo<'_>, kept_some: bool) {
    let connection = client.connection;
    if kept_some {
        append_list_value(headers, X_FORWARDED_FOR, &connection.forwarded_for);
    } else {
        headers.insert(X_FORWARDED_FOR, connection.forwarded_for.clone());
    }
    if !kept_some || !headers.contains_key(X_FORWARDED_PROTO) {
        let value = match connection.scheme {
            // The two schemes a proxy sees, without a copy.
            "http" => Some(HeaderValue::from_static("http")),
            "https" => Some(HeaderValue::from_static("https")),
            other if is_uri_scheme(other) => HeaderValue::from_str(other).ok(),
            _ => None,
        };
        if let Some(value) = value {
            headers.insert(X_FORWARDED_PROTO, value);
        }
    }
    if let Some(host) = &client.host
        && (!kept_some || !headers.contains_key(X_FORWARDED_HOST))
    {
        headers.insert(X_FORWARDED_HOST, host.clone());
    }
}

/// The connection's `Forwarded` element with `;host=` and the request's host; without the host
/// when it cannot be a `value`.
fn forwarded_element(connection: &ClientConnection, host: &[u8]) -> HeaderValue {
    let start = connection.forwarded_start.as_bytes();
    let mut element = SmallVec::<[u8; 128]>::new();
    element.extend_from_slice(start);
    element.extend_from_slice(b";host=");
    if !push_forwarded_value(&mut element, host) {
        return connection.forwarded_start.clone();
    }
    // One allocation, shared by the clones the attempts take; the bytes are visible ASCII
    // (quoted when needed), so the value is valid.
    match HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(element)) {
        Ok(value) => value,
        Err(_) => connection.forwarded_start.clone(),
    }
}

/// Appends this proxy's element to a response's `Via`, `version` being the protocol the
/// upstream answered with: `1.0`, `1.1`, `2` or `3`.
pub fn append_via_response(headers: &mut HeaderMap, version: Version, via: &Via) {
    append_list_value(headers, header::VIA, via.element(version));
}

/// This proxy's `Via` elements, `received-protocol received-by` (`<version> <proxy_name>`),
/// one per protocol version, written
/// once per configuration: a request or response then takes a reference-counted copy instead
/// of writing, checking and allocating the same bytes.
///
/// `proxy_name` should be a token such as `ficus` or a host name, optionally with a port;
/// other characters are replaced by `-`, and an empty name becomes `ficus`.
#[derive(Debug, Clone)]
pub struct Via {
    /// One per entry of [`VIA_VERSIONS`], in its order.
    elements: [HeaderValue; 5],
}

impl Via {
    pub fn new(proxy_name: &str) -> Via {
        Via {
            elements: VIA_VERSIONS.map(|(_, protocol_version)| {
                let mut element = Vec::with_capacity(32);
                element.extend_from_slice(protocol_version);
                element.push(b' ');
                push_via_received_by(&mut element, proxy_name);
                // Only visible ASCII: the version, a space, and a sanitized name.
                HeaderValue::from_bytes(&element).expect("a Via element is a valid field value")
            }),
        }
    }

    /// The element for a message received with `version` (1.1 for versions `http` adds later:
    /// the safe description).
    pub fn element(&self, version: Version) -> &HeaderValue {
        let index = VIA_VERSIONS
            .iter()
            .position(|(known, _)| *known == version)
            .unwrap_or(VIA_HTTP_11);
        &self.elements[index]
    }
}

/// The versions a `Via` element names, as it names them (`received-protocol`, the protocol
/// name omitted for HTTP), in the order of [`Via`]'s elements.
const VIA_VERSIONS: [(Version, &[u8]); 5] = [
    (Version::HTTP_09, b"0.9"),
    (Version::HTTP_10, b"1.0"),
    (Version::HTTP_11, b"1.1"),
    (Version::HTTP_2, b"2"),
    (Version::HTTP_3, b"3"),
];
/// HTTP/1.1's place in [`VIA_VERSIONS`].
const VIA_HTTP_11: usize = 2;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
/// The fields a client may claim forwarding facts in.
pub(super) const FORWARDING_NAMES: [HeaderName; 4] = [
    X_FORWARDED_FOR,
    X_FORWARDED_PROTO,
    X_FORWARDED_HOST,
    header::FORWARDED,
];

/// [`append_list_element`] with a ready value: without existing lines, the value itself goes in
/// (a reference count, not a copy).
fn append_list_value(headers: &mut HeaderMap, name: HeaderName, value: &HeaderValue) {
    // One lookup when the field is absent, the usual case.
    match headers.entry(&name) {
        header::Entry::Vacant(vacant) => {
            vacant.insert(value.clone());
        }
        header::Entry::Occupied(_) => append_list_element(headers, name, value.as_bytes()),
    }
}

/// Replaces the lines of `name` by one line: the non-empty existing lines, then `element`, all
/// separated by `", "`. Does nothing if the result cannot be a field value.
fn append_list_element(headers: &mut HeaderMap, name: HeaderName, element: &[u8]) {
    let mut joined: Vec<u8> = Vec::with_capacity(64);
    for existing in headers.get_all(&name) {
        let existing = existing.as_bytes().trim_ascii();
        if existing.is_empty() {
            continue;
        }
        joined.extend_from_slice(existing);
        joined.extend_from_slice(b", ");
    }
    joined.extend_from_slice(element);
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        headers.insert(name, value);
    }
}

/// `ip` as text: dotted IPv4 written by hand (the hot path), IPv6 through `Display`.
fn push_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(ip) => {
            for (octet_idx, octet) in ip.octets().into_iter().enumerate() {
                if octet_idx > 0 {
                    out.push(b'.');
                }
                if octet >= 100 {
                    out.push(b'0' + octet / 100);
                }
                if octet >= 10 {
                    out.push(b'0' + (octet / 10) % 10);
                }
                out.push(b'0' + octet % 10);
            }
        }
        IpAddr::V6(ip) => {
            use std::io::Write;
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{ip}");
        }
    }
}

/// The start of an RFC 7239 `forwarded-element`, `for=...;proto=...`; `ip_text` is `peer_ip`
/// written by [`push_ip`].
fn push_forwarded_start(out: &mut Vec<u8>, peer_ip: IpAddr, ip_text: &[u8], scheme: &str) {
    match peer_ip {
        IpAddr::V4(_) => {
            out.extend_from_slice(b"for=");
            out.extend_from_slice(ip_text);
        }
        IpAddr::V6(_) => {
            out.extend_from_slice(b"for=\"[");
            out.extend_from_slice(ip_text);
            out.extend_from_slice(b"]\"");
        }
    }
    if is_uri_scheme(scheme) {
        out.extend_from_slice(b";proto=");
        out.extend_from_slice(scheme.as_bytes());
    }
}

/// Appends `text` as an RFC 7239 `value`: a token as is, otherwise a quoted-string with `"` and
/// `\` escaped. Returns false (and may leave partial output for the caller to drop) if it is
/// empty or holds characters a quoted-string cannot carry (controls, non-ASCII).
fn push_forwarded_value(out: &mut SmallVec<[u8; 128]>, text: &[u8]) -> bool {
    if text.is_empty() {
        return false;
    }
    if text.iter().copied().all(is_tchar) {
        out.extend_from_slice(text);
        return true;
    }
    out.push(b'"');
    for &byte in text {
        match byte {
            b'"' | b'\\' => {
                out.push(b'\\');
                out.push(byte);
            }
            b' ' | b'\t' | b'!'..=b'~' => out.push(byte),
            _ => return false,
        }
    }
    out.push(b'"');
    true
}

/// `proxy_name` as a `Via` received-by: a pseudonym (token) or `host[:port]`; other characters
/// become `-`, an empty name `ficus`.
fn push_via_received_by(out: &mut Vec<u8>, proxy_name: &str) {
    if proxy_name.is_empty() {
        out.extend_from_slice(b"ficus");
        return;
    }
    for character in proxy_name.chars() {
        let allowed = character.is_ascii()
            && (is_tchar(character as u8) || matches!(character, ':' | '[' | ']'));
        out.push(if allowed { character as u8 } else { b'-' });
    }
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

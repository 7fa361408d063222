//! Removal of hop-by-hop fields (RFC 9110 §7.6.1): `Connection` and every field it lists, plus
//! the fields that are hop-by-hop whether listed or not. It keeps two things a hop would
//! otherwise lose: `TE: trailers` (gRPC needs it end to end) and, for a connection upgrade the
//! proxy passes through, `Upgrade` with `Connection: upgrade`. It does not decide whether a
//! request is an upgrade, and does not touch framing: hyper recomputes `Content-Length` or
//! chunking for the next hop from the body. Beside it, [`remove_underscored`] drops request
//! fields whose names hold `_`, as NGINX does by default.
//!
//! # Decisions
//!
//! - `Proxy-Authorization` and `Proxy-Authenticate` are removed. They are addressed to the
//!   proxy next to the client; this proxy is a reverse proxy that authenticates nobody, so the
//!   credentials would only leak to the upstream services. `Proxy-Authentication-Info` goes too.
//! - `TE` is reduced to `TE: trailers` when one of its members is `trailers`, and removed
//!   otherwise, even when `Connection` lists `te` (RFC 9110 §10.1.4 requires HTTP/1.1 senders of
//!   `TE` to list it). Other transfer codings concern this hop only, and HTTP/2 allows no other
//!   `TE` value.
//! - `Host` is never removed because `Connection` lists it. A request without `Host` is invalid
//!   in HTTP/1.1 (RFC 9112 §3.2), so `Host` cannot be a connection option, and removing it would
//!   let a client change which virtual host the upstream serves. Every other listed field is
//!   removed as the RFC says, including `Content-Length` (framing is recomputed) and
//!   `X-Forwarded-For` (rebuilt afterwards by `set_forwarding`, when called in order).
//! - `Trailer` is end to end in RFC 9110 and is kept.
//! - Listed names that are not valid field names are ignored, as are `Connection` values that
//!   are not visible ASCII.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use smallvec::SmallVec;

/// Removes the hop-by-hop fields from a request's or a response's `headers`.
///
/// With `keep_upgrade` (a request or `101` response the proxy passes through as a connection
/// upgrade, such as a WebSocket), `Upgrade` is kept and, if it is present, `Connection` is set
/// to exactly `upgrade`; every other `Connection` option is still removed.
pub fn remove_hop_by_hop(headers: &mut HeaderMap, keep_upgrade: bool) {
    // One pass over the names notes the hop-by-hop fields present, a bit each; the common
    // cases (none, or just `Connection: keep-alive`) then cost one lookup or none.
    let present = headers.keys().fold(0u16, |present, name| {
        present | hop_by_hop_bit(name.as_str().as_bytes())
    });
    if present == 0 {
        return;
    }
    let has = |name_idx: usize| present & (1 << name_idx) != 0;
    let accepts_trailers = has(TE_IDX) && te_accepts_trailers(headers);
    // `Connection` taken out with all its lines in one lookup: then the fields it lists.
    if has(CONNECTION_IDX)
        && let header::Entry::Occupied(entry) = headers.entry(header::CONNECTION)
    {
        let connection: SmallVec<[HeaderValue; 2]> = entry.remove_entry_mult().1.collect();
        for name in connection_options(headers, &connection) {
            headers.remove(&name);
        }
    }
    for (name_idx, name) in HOP_BY_HOP_NAMES.iter().enumerate() {
        if name_idx == CONNECTION_IDX || !has(name_idx) || (keep_upgrade && name_idx == UPGRADE_IDX)
        {
            continue;
        }
        headers.remove(name);
    }

    if accepts_trailers {
        headers.insert(header::TE, HeaderValue::from_static("trailers"));
    }
    if keep_upgrade && headers.contains_key(header::UPGRADE) {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    }
}

/// The fields that are hop-by-hop whether or not `Connection` lists them (RFC 9110 §7.6.1,
/// plus the proxy-authentication fields and `Keep-Alive` and `Proxy-Connection`, hop-by-hop
/// by use), in the order of [`hop_by_hop_bit`]'s bits.
pub(super) static HOP_BY_HOP_NAMES: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("proxy-connection"),
    HeaderName::from_static("keep-alive"),
    header::TE,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-authentication-info"),
];
const CONNECTION_IDX: usize = 0;
const TE_IDX: usize = 3;
const UPGRADE_IDX: usize = 5;

/// The bit of `name` (lowercase, as `http` keeps names) among [`HOP_BY_HOP_NAMES`]; 0 for
/// any other name.
pub(super) fn hop_by_hop_bit(name: &[u8]) -> u16 {
    let name_idx = match name {
        b"connection" => 0,
        b"proxy-connection" => 1,
        b"keep-alive" => 2,
        b"te" => 3,
        b"transfer-encoding" => 4,
        b"upgrade" => 5,
        b"proxy-authenticate" => 6,
        b"proxy-authorization" => 7,
        b"proxy-authentication-info" => 8,
        _ => return 0,
    };
    1 << name_idx
}

/// Whether `name` (any case) is one of the fields that are hop-by-hop whether or not
/// `Connection` lists them (RFC 9110 §7.6.1, plus the proxy-authentication fields and
/// `Keep-Alive` and `Proxy-Connection`, hop-by-hop by use). Called for every field name of
/// every request and response, which `http` keeps in lowercase: those go to
/// [`is_hop_by_hop_name`]; other spellings (`Connection` options) are lowercased here first.
pub(super) fn is_always_hop_by_hop(name: &[u8]) -> bool {
    if is_hop_by_hop_name(name) {
        return true;
    }
    // The longest name has 25 bytes: anything longer is no such name in any case.
    let mut lower = [0u8; 25];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return false;
    };
    if !name.iter().any(u8::is_ascii_uppercase) {
        return false;
    }
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    is_hop_by_hop_name(lower)
}

/// [`is_always_hop_by_hop`] for a name in lowercase, as `http` keeps field names.
pub(super) fn is_hop_by_hop_name(name: &[u8]) -> bool {
    hop_by_hop_bit(name) != 0
}

/// The fields present in `headers` that the `connection` values list (comma-separated, any
/// case, optional whitespace), other than `Host` and the names removed anyway
/// ([`is_always_hop_by_hop`], whose exceptions, `TE: trailers` and a passed-through `Upgrade`, the
/// caller applies). Listed names are looked up before a name is made of them: most (`close`,
/// `keep-alive`) name no field.
fn connection_options(
    headers: &HeaderMap,
    connection: &[HeaderValue],
) -> SmallVec<[HeaderName; 4]> {
    let mut names = SmallVec::new();
    for value in connection {
        for option in value.as_bytes().split(|byte| *byte == b',') {
            let option = option.trim_ascii();
            if option.is_empty() || is_always_hop_by_hop(option) {
                continue;
            }
            // Not text, or not a valid name: no field can have it.
            let Ok(option) = std::str::from_utf8(option) else {
                continue;
            };
            if headers.contains_key(option)
                && let Ok(name) = HeaderName::from_bytes(option.as_bytes())
                && name != header::HOST
            {
                names.push(name);
            }
        }
    }
    names
}

/// Whether any `TE` member is `trailers` (case-insensitive; `trailers` takes no parameters).
fn te_accepts_trailers(headers: &HeaderMap) -> bool {
    headers.get_all(header::TE).iter().any(|value| {
        value
            .as_bytes()
            .split(|byte| *byte == b',')
            .any(|member| member.trim_ascii().eq_ignore_ascii_case(b"trailers"))
    })
}

/// Removes the fields whose names hold `_` (`X_Forwarded_For`): frameworks that map `_` to `-`
/// would read them as the fields the proxy sets, so NGINX drops them by default, and so does
/// the proxy unless `headers.underscores_in_headers` is set. Returns how many were removed.
pub fn remove_underscored(headers: &mut HeaderMap) -> usize {
    if !headers.keys().any(|name| name.as_str().contains('_')) {
        return 0;
    }
    let names: Vec<_> = headers
        .keys()
        .filter(|name| name.as_str().contains('_'))
        .cloned()
        .collect();
    for name in &names {
        headers.remove(name);
    }
    names.len()
}

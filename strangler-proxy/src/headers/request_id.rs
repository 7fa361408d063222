//! The request id (`x-request-id`) that ties together the proxy's log line, the upstream's logs
//! and the response the client sees. A client's id is kept only from a trusted hop and only if
//! it is short printable ASCII; otherwise a new one is generated. It does not echo the id on the
//! response or log it: the server does both with the returned value.
//!
//! New ids are 32 lowercase hex digits with the bits of a UUID version 4 (a UUID without
//! hyphens). They come from `fastrand`, which is not a cryptographic generator: ids are for
//! correlation, never for authorization.

use http::header::{HeaderMap, HeaderName, HeaderValue};

use super::census::{Field, FieldCensus};

/// Name of the request id header, in the lowercase form HTTP/2 requires.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// [`REQUEST_ID_HEADER`] as a name, checked once at compile time rather than per request.
pub const REQUEST_ID: HeaderName = HeaderName::from_static(REQUEST_ID_HEADER);

/// Makes sure `headers` holds exactly one acceptable request id, and returns it; `census`
/// says whether the request came with one.
///
/// The first `x-request-id` line is kept if `trusted_peer` and it is 1 to 128 visible ASCII
/// characters (`!` to `~`); any other lines are dropped. Otherwise a new id replaces all lines.
pub fn ensure_request_id(
    headers: &mut HeaderMap,
    census: FieldCensus,
    trusted_peer: bool,
) -> HeaderValue {
    let request_id = kept_request_id(headers, census, trusted_peer)
        .unwrap_or_else(|| super::shared_hex_value(new_request_id()));
    headers.insert(REQUEST_ID, request_id.clone());
    request_id
}

/// The client's request id when [`ensure_request_id`] keeps it: the first line, from a
/// trusted peer, if acceptable.
pub(super) fn kept_request_id(
    headers: &HeaderMap,
    census: FieldCensus,
    trusted_peer: bool,
) -> Option<HeaderValue> {
    (trusted_peer && census.has(Field::RequestId))
        .then(|| headers.get(&REQUEST_ID))
        .flatten()
        .filter(|value| is_acceptable_request_id(value.as_bytes()))
        .cloned()
}

const MAX_REQUEST_ID_LEN: usize = 128;

fn is_acceptable_request_id(bytes: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&bytes.len())
        && bytes.iter().all(|byte| byte.is_ascii_graphic())
}

/// The text of a new id: 32 lowercase hex digits.
pub(super) fn new_request_id() -> [u8; NEW_REQUEST_ID_LEN] {
    const VERSION_MASK: u128 = 0xf << 76;
    const VERSION_4: u128 = 0x4 << 76;
    const VARIANT_MASK: u128 = 0b11 << 62;
    const VARIANT_RFC_9562: u128 = 0b10 << 62;
    let random = fastrand::u128(..);
    let uuid = (random & !VERSION_MASK & !VARIANT_MASK) | VERSION_4 | VARIANT_RFC_9562;
    let mut text = [0; NEW_REQUEST_ID_LEN];
    super::write_hex(&mut text, uuid);
    text
}

/// Length of a new request id.
pub(super) const NEW_REQUEST_ID_LEN: usize = 32;

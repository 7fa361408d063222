//! Header rules the proxy applies to every request it forwards and every response it returns:
//! hop-by-hop removal ([`remove_hop_by_hop`]), forwarding headers with client-supplied values
//! trusted only from configured hops ([`set_forwarding`], [`TrustedHops`]), `Via` on both
//! directions, a request id ([`ensure_request_id`]) and W3C Trace Context propagation
//! ([`propagate_traceparent`]). Everything here is a pure function over an [`http::HeaderMap`]
//! (plus a random number generator for new ids): nothing reads the body, opens a connection,
//! logs, or decides routing. Bodies, `Content-Length` and framing are hyper's business.
//!
//! # Order of calls
//!
//! For a request, the server first takes a [`FieldCensus`] of its fields (one pass over the
//! names), skips the steps that would only remove fields it does not carry, and hands it to the
//! steps that look fields up; then it calls, in this order:
//!
//! 1. [`remove_hop_by_hop`]`(headers, is_upgrade)`. It runs first so that fields a client names
//!    in `Connection` cannot remove the headers the next steps add; then, unless configured
//!    otherwise, [`remove_underscored`] (fields whose names hold `_`, as NGINX drops them).
//! 2. [`set_forwarding`]: `X-Forwarded-*`, `Forwarded` and `Via`.
//! 3. [`ensure_request_id`], whose value the server also echoes on the response and logs.
//! 4. [`propagate_traceparent`], whose [`TraceContext`] the server logs.
//!
//! The request path makes steps 3 and 4 one call, [`set_request_ids`], which writes the new
//! text of both in one allocation.
//!
//! For a response: [`remove_hop_by_hop`]`(headers, status == 101)`, then
//! [`append_via_response`], then the request id.

mod census;
mod forwarding;
mod hop_by_hop;
mod request_id;
mod trace_context;
mod trusted_hops;

#[cfg(test)]
mod tests;

pub use census::{Field, FieldCensus};
pub use forwarding::{
    ClientConnection, ClientInfo, ForwardingFields, Via, append_via_response, set_forwarding,
    set_forwarding_fields,
};
pub use hop_by_hop::{remove_hop_by_hop, remove_underscored};
pub use request_id::{REQUEST_ID, REQUEST_ID_HEADER, ensure_request_id};
pub use trace_context::{
    TRACEPARENT_HEADER, TRACESTATE_HEADER, TraceContext, propagate_traceparent,
};
pub use trusted_hops::{TrustedHopProblem, TrustedHops, TrustedHopsError};

use http::{HeaderMap, HeaderValue};

/// Which of the ids phase 4 writes the configuration asks for.
#[derive(Debug, Clone, Copy)]
pub struct RequestIds {
    /// `x-request-id`, as [`ensure_request_id`] writes it.
    pub request_id: bool,
    /// `traceparent`, as [`propagate_traceparent`] writes it.
    pub trace_context: bool,
}

/// The request id and `traceparent` as [`ensure_request_id`] and [`propagate_traceparent`]
/// write them, whichever `ids` asks for, the new text of both in one allocation. Returns the
/// request id the request now carries: the one written, or with `ids.request_id` off, the
/// client's first line.
pub fn set_request_ids(
    headers: &mut HeaderMap,
    census: FieldCensus,
    trusted_peer: bool,
    ids: RequestIds,
) -> Option<HeaderValue> {
    const ID: std::ops::Range<usize> = 0..request_id::NEW_REQUEST_ID_LEN;
    const TRACE: std::ops::Range<usize> = request_id::NEW_REQUEST_ID_LEN
        ..request_id::NEW_REQUEST_ID_LEN + trace_context::VERSION_00_LEN;
    let kept_id = if ids.request_id {
        request_id::kept_request_id(headers, census, trusted_peer)
    } else if census.has(Field::RequestId) {
        headers.get(&REQUEST_ID).cloned()
    } else {
        None
    };
    let new_id = ids.request_id && kept_id.is_none();
    if !new_id && !ids.trace_context {
        return kept_id;
    }
    let mut text = [0; TRACE.end];
    if new_id {
        text[ID].copy_from_slice(&request_id::new_request_id());
    }
    if ids.trace_context {
        let context = trace_context::next_trace_context(headers, census);
        text[TRACE].copy_from_slice(&context.traceparent);
    }
    let shared = bytes::Bytes::from_owner(text);
    // Cannot fail: ASCII hex digits and dashes are a valid field value.
    let value = |range: std::ops::Range<usize>| {
        HeaderValue::from_maybe_shared(shared.slice(range))
            .expect("hex digits are a valid header value")
    };
    if ids.trace_context {
        headers.insert(trace_context::TRACEPARENT, value(TRACE));
    }
    let request_id = if new_id { Some(value(ID)) } else { kept_id };
    if ids.request_id
        && let Some(request_id) = &request_id
    {
        headers.insert(REQUEST_ID, request_id.clone());
    }
    request_id
}

/// A value of hex digits and dashes the proxy made up for one request, in one allocation that
/// the request's copies (one per upstream attempt, one for the response) share instead of each
/// making their own.
fn shared_hex_value<const N: usize>(text: [u8; N]) -> HeaderValue {
    // Cannot fail: ASCII hex digits and dashes are a valid field value.
    HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(text))
        .expect("hex digits are a valid header value")
}

/// Writes the low `out.len()` hex digits of `value`, lowercase, most significant first: two
/// digits per byte of `value`, from a table (the ids of every request are written this way).
fn write_hex(out: &mut [u8], value: u128) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    /// The two digits of each byte value.
    const PAIRS: [[u8; 2]; 256] = {
        let mut pairs = [[0; 2]; 256];
        let mut byte = 0;
        while byte < 256 {
            pairs[byte] = [DIGITS[byte >> 4], DIGITS[byte & 0xf]];
            byte += 1;
        }
        pairs
    };
    let bytes = value.to_le_bytes();
    // Least significant first; digits beyond the 32 of a u128 are zeros.
    for (chunk, byte_idx) in out.rchunks_mut(2).zip(0..) {
        let pair = PAIRS[usize::from(bytes.get(byte_idx).copied().unwrap_or(0))];
        match chunk {
            [high, low] => [*high, *low] = pair,
            [low] => *low = pair[1],
            _ => {}
        }
    }
}

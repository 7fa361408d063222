//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>) for requests passing through:
//! the proxy is one hop of the trace, so it keeps the incoming trace-id and flags, writes its
//! own span id as the new parent-id, and starts a fresh trace when `traceparent` is missing or
//! invalid. It does not export spans, sample, add a `tracestate` entry, or validate
//! `tracestate` (kept opaque, and dropped whenever the trace restarts, as the spec requires).
//!
//! # Parsing rules, from the spec
//!
//! - Leading and trailing spaces and tabs are ignored; more than one `traceparent` line is
//!   invalid.
//! - `version` is 2 lowercase hex digits followed by `-`; `ff` is invalid.
//! - Version `00` is exactly `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`, 55
//!   characters, lowercase hex only; an all-zero trace-id or parent-id is invalid.
//! - A higher version must be at least 55 characters; its first four fields are parsed as for
//!   `00`, and the flags must be followed by the end of the value or `-`. The rest is ignored,
//!   and the value written back is version `00`.
//! - Flags keep only the bits version `00` defines: `sampled` (`01`) and Trace Context Level 2's
//!   `random-trace-id` (`02`); the spec says other bits are to be set to zero.
//!
//! New ids come from `fastrand`, which is not a cryptographic generator; trace ids only need to
//! be unique, not unguessable.

use http::header::{HeaderMap, HeaderName};

use super::census::{Field, FieldCensus};

/// Name of the header carrying the trace position.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// [`TRACEPARENT_HEADER`] as a name, checked once at compile time rather than per request.
pub(super) const TRACEPARENT: HeaderName = HeaderName::from_static(TRACEPARENT_HEADER);
/// Name of the header carrying vendor-specific trace state.
pub const TRACESTATE_HEADER: &str = "tracestate";
/// [`TRACESTATE_HEADER`] as a name.
const TRACESTATE: HeaderName = HeaderName::from_static(TRACESTATE_HEADER);

/// The trace this request belongs to, for the proxy's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// The `traceparent` value sent upstream: `00-<trace-id>-<span-id>-<flags>`.
    pub(super) traceparent: [u8; VERSION_00_LEN],
    /// Whether the incoming `traceparent` was missing or invalid, so this proxy started the trace.
    pub started_here: bool,
}

impl TraceContext {
    /// 32 lowercase hex digits, the same on every hop of the trace.
    pub fn trace_id(&self) -> &str {
        // Built from ASCII hex digits and dashes only.
        std::str::from_utf8(&self.traceparent[3..35]).unwrap_or_default()
    }

    /// 16 lowercase hex digits: this hop's span, sent upstream as the `traceparent` parent-id.
    pub fn span_id(&self) -> &str {
        std::str::from_utf8(&self.traceparent[36..52]).unwrap_or_default()
    }
}

/// Rewrites `traceparent` with a new parent-id (this hop's span id), keeping the incoming
/// trace-id and flags; starts a new trace with flags `01` (sampled) and drops `tracestate` when
/// the incoming `traceparent` is missing or invalid; `census` says whether the request came
/// with either. Allocates only the new header value.
pub fn propagate_traceparent(headers: &mut HeaderMap, census: FieldCensus) -> TraceContext {
    let context = next_trace_context(headers, census);
    headers.insert(TRACEPARENT, super::shared_hex_value(context.traceparent));
    context
}

/// What [`propagate_traceparent`] does but the insert of the new value: the context, with
/// `tracestate` already dropped when the trace restarts here.
pub(super) fn next_trace_context(headers: &mut HeaderMap, census: FieldCensus) -> TraceContext {
    let incoming = if census.has(Field::Traceparent) {
        let mut lines = headers.get_all(&TRACEPARENT).iter();
        match (lines.next(), lines.next()) {
            (Some(only_line), None) => parse_traceparent(only_line.as_bytes()),
            _ => None,
        }
    } else {
        None
    };

    let started_here = incoming.is_none();
    let mut traceparent = *b"00-00000000000000000000000000000000-0000000000000000-00";
    let flags = match incoming {
        Some(incoming) => {
            traceparent[3..35].copy_from_slice(&incoming.trace_id);
            incoming.flags
        }
        None => {
            // Zero is the one invalid trace-id.
            super::write_hex(&mut traceparent[3..35], nonzero_u128());
            SAMPLED
        }
    };
    // Zero is the one invalid span (parent) id.
    super::write_hex(&mut traceparent[36..52], u128::from(nonzero_u64()));
    super::write_hex(&mut traceparent[53..55], u128::from(flags));

    if started_here && census.has(Field::Tracestate) {
        headers.remove(TRACESTATE);
    }

    TraceContext {
        traceparent,
        started_here,
    }
}

/// A random `u128` other than zero: a full-range draw, drawn again in the 1-in-2^128 case.
/// (`fastrand::u128(1..)` pays a 128-bit division on every call to stay uniform.)
fn nonzero_u128() -> u128 {
    loop {
        let value = fastrand::u128(..);
        if value != 0 {
            return value;
        }
    }
}

/// A random `u64` other than zero, as [`nonzero_u128`].
fn nonzero_u64() -> u64 {
    loop {
        let value = fastrand::u64(..);
        if value != 0 {
            return value;
        }
    }
}

const SAMPLED: u8 = 0x01;
const RANDOM_TRACE_ID: u8 = 0x02;
/// Length of a version `00` value, and the minimum length of any later version.
pub(super) const VERSION_00_LEN: usize = 55;

/// The fields of a valid incoming `traceparent` that this hop keeps.
#[derive(Debug)]
struct IncomingTraceparent {
    trace_id: [u8; 32],
    flags: u8,
}

fn parse_traceparent(value: &[u8]) -> Option<IncomingTraceparent> {
    let value = trim_ows(value);
    let version = value.get(0..2)?;
    if !is_lowercase_hex(version) || value.get(2) != Some(&b'-') || version == b"ff" {
        return None;
    }
    let length_is_valid = if version == b"00" {
        value.len() == VERSION_00_LEN
    } else {
        value.len() == VERSION_00_LEN
            || (value.len() > VERSION_00_LEN && value[VERSION_00_LEN] == b'-')
    };
    if !length_is_valid {
        return None;
    }

    // Length checked above: value[0..55] exists.
    let trace_id = &value[3..35];
    let parent_id = &value[36..52];
    let flags = &value[53..55];
    let dashes_in_place = value[35] == b'-' && value[52] == b'-';
    let fields_valid = dashes_in_place
        && is_lowercase_hex(trace_id)
        && is_lowercase_hex(parent_id)
        && is_lowercase_hex(flags)
        && !is_all_zeros(trace_id)
        && !is_all_zeros(parent_id);
    if !fields_valid {
        return None;
    }

    // Cannot fail: `flags` is two lowercase hex digits, checked above.
    let flags_text = std::str::from_utf8(flags).ok()?;
    let flags = u8::from_str_radix(flags_text, 16).ok()?;
    let mut kept_trace_id = [0; 32];
    kept_trace_id.copy_from_slice(trace_id);
    Some(IncomingTraceparent {
        trace_id: kept_trace_id,
        flags: flags & (SAMPLED | RANDOM_TRACE_ID),
    })
}

fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

fn is_lowercase_hex(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_all_zeros(bytes: &[u8]) -> bool {
    bytes.iter().all(|byte| *byte == b'0')
}

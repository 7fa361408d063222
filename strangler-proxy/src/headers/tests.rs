//! Header rule tests, one small case per behaviour users rely on: hop-by-hop removal, forwarding
//! headers from trusted and untrusted peers, trusted hop parsing, `Via`, request ids and W3C
//! Trace Context (with the spec's own examples and its test suite's invalid values). Headers are
//! written as `(name, value)` pairs; each feature has one `check_*` helper that calls the API.

use std::net::{IpAddr, SocketAddr};

use http::{HeaderMap, HeaderName, HeaderValue, Version};

use super::{
    ClientConnection, ClientInfo, FieldCensus, RequestIds, TrustedHopProblem, TrustedHops,
    TrustedHopsError, Via, append_via_response, ensure_request_id, propagate_traceparent,
    remove_hop_by_hop, set_forwarding, set_request_ids,
};

mod census;
mod forwarding;
mod hop_by_hop;
mod request_id;
mod trace_context;
mod trusted_hops;

fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        let name =
            HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|error| panic!("{error}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|error| panic!("{error}"));
        headers.append(name, value);
    }
    headers
}

/// All lines as `name: value`, in map order (insertion order per name).
fn lines(headers: &HeaderMap) -> Vec<String> {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect()
}

fn value_of<'map>(headers: &'map HeaderMap, name: &str) -> Option<&'map str> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or_else(|error| panic!("{error}")))
}

/// Parses trusted hop entries that the test knows are valid.
fn trusted(entries: &[&str]) -> TrustedHops {
    TrustedHops::parse(entries).unwrap_or_else(|error| panic!("{error}"))
}

/// The digits every request id and `traceparent` is written with: the low digits of the value,
/// most significant first, any length (odd ones end on a half byte, past 32 are zeros).
#[test]
fn hex_digits_are_the_low_digits_of_the_value() {
    let cases: [(usize, u128, &str); 6] = [
        (2, 0x01, "01"),
        (3, 0xabc, "abc"),
        (16, 0x0123_4567_89ab_cdef, "0123456789abcdef"),
        (8, 0xdead_beef_f00d_cafe, "f00dcafe"),
        (32, u128::MAX, "ffffffffffffffffffffffffffffffff"),
        (35, 0xfe_dcba, "00000000000000000000000000000fedcba"),
    ];
    for (length, value, expected) in cases {
        let mut out = vec![b'?'; length];
        super::write_hex(&mut out, value);
        assert_eq!(
            String::from_utf8_lossy(&out),
            expected,
            "{value:#x} in {length}"
        );
    }
}

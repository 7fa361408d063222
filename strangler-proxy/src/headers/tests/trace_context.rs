//! W3C Trace Context: the spec's examples propagate with a new parent-id; the invalid values
//! of the spec's test suite restart the trace and drop `tracestate`.

use super::*;

/// The W3C spec's example values.
const SPEC_TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const SPEC_TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPEC_PARENT_ID: &str = "00f067aa0ba902b7";

fn is_lowercase_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Propagates and checks the outgoing `traceparent` against the returned context. With
/// `expected_kept = Some((trace_id, flags))` the trace must continue; with `None` it must restart.
fn check_trace(input: &[(&str, &str)], expected_kept: Option<(&str, &str)>) -> HeaderMap {
    let mut headers = header_map(input);
    let census = FieldCensus::of(&headers);
    let context = propagate_traceparent(&mut headers, census);
    let outgoing: Vec<&str> = headers
        .get_all("traceparent")
        .iter()
        .map(|value| value.to_str().unwrap_or_else(|error| panic!("{error}")))
        .collect();
    let [outgoing] = outgoing.as_slice() else {
        panic!("expected one traceparent, got {outgoing:?}");
    };
    let fields: Vec<&str> = outgoing.split('-').collect();
    let [version, trace_id, parent_id, flags] = fields.as_slice() else {
        panic!("malformed outgoing traceparent {outgoing}");
    };
    assert_eq!(*version, "00");
    assert_eq!(*trace_id, context.trace_id());
    assert_eq!(*parent_id, context.span_id());
    assert!(is_lowercase_hex(trace_id, 32) && *trace_id != "0".repeat(32));
    assert!(is_lowercase_hex(parent_id, 16) && *parent_id != "0".repeat(16));
    let incoming_fields: Vec<&str> = input
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("traceparent"))
        .flat_map(|(_, value)| value.split('-'))
        .collect();
    assert!(
        !incoming_fields.contains(parent_id),
        "parent id not renewed: {outgoing}"
    );
    match expected_kept {
        Some((expected_trace_id, expected_flags)) => {
            assert!(!context.started_here, "input: {input:?}");
            assert_eq!(*trace_id, expected_trace_id);
            assert_eq!(*flags, expected_flags);
        }
        None => {
            assert!(context.started_here, "input: {input:?}");
            assert!(!incoming_fields.iter().any(|field| field.contains(trace_id)));
            assert_eq!(*flags, "01");
            assert!(
                headers.get("tracestate").is_none(),
                "tracestate kept: {headers:?}"
            );
        }
    }
    headers
}

fn check_restarts(traceparent: &str) {
    check_trace(
        &[
            ("traceparent", traceparent),
            ("tracestate", "congo=t61rcWkgMzE"),
        ],
        None,
    );
}

#[test]
fn spec_example_is_propagated_with_a_new_parent_id() {
    let headers = check_trace(
        &[
            ("traceparent", SPEC_TRACEPARENT),
            ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
        ],
        Some((SPEC_TRACE_ID, "01")),
    );
    assert_eq!(
        value_of(&headers, "tracestate"),
        Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
    );
    assert_ne!(value_of(&headers, "traceparent"), Some(SPEC_TRACEPARENT));
}

#[test]
fn spec_example_not_sampled_keeps_flags() {
    check_trace(
        &[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        )],
        Some((SPEC_TRACE_ID, "00")),
    );
}

#[test]
fn header_name_in_any_case_is_read() {
    check_trace(
        &[("TraceParent", SPEC_TRACEPARENT)],
        Some((SPEC_TRACE_ID, "01")),
    );
}

#[test]
fn surrounding_spaces_and_tabs_are_ignored() {
    check_trace(
        &[("traceparent", &format!(" \t{SPEC_TRACEPARENT}\t "))],
        Some((SPEC_TRACE_ID, "01")),
    );
}

#[test]
fn undefined_flags_are_cleared() {
    check_trace(
        &[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff",
        )],
        Some((SPEC_TRACE_ID, "03")),
    );
}

#[test]
fn future_version_is_parsed_and_written_as_00() {
    let trace_id = "12345678901234567890123456789012";
    check_trace(
        &[(
            "traceparent",
            "cc-12345678901234567890123456789012-1234567890123456-01",
        )],
        Some((trace_id, "01")),
    );
    check_trace(
        &[(
            "traceparent",
            "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        )],
        Some((trace_id, "01")),
    );
}

#[test]
fn missing_traceparent_starts_a_trace_and_drops_tracestate() {
    check_trace(&[("tracestate", "congo=t61rcWkgMzE")], None);
    check_trace(&[], None);
}

#[test]
fn uppercase_hex_restarts() {
    check_restarts("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
    check_restarts("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01");
    check_restarts("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A");
    check_restarts("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

#[test]
fn all_zero_ids_restart() {
    check_restarts("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
    check_restarts("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01");
}

#[test]
fn version_ff_restarts() {
    check_restarts("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

#[test]
fn wrong_lengths_restart() {
    check_restarts("0-12345678901234567890123456789012-1234567890123456-01");
    check_restarts("000-12345678901234567890123456789012-1234567890123456-01");
    check_restarts("00-1234567890123456789012345678901-1234567890123456-01");
    check_restarts("00-123456789012345678901234567890123-1234567890123456-01");
    check_restarts("00-12345678901234567890123456789012-123456789012345-01");
    check_restarts("00-12345678901234567890123456789012-12345678901234567-01");
    check_restarts("00-12345678901234567890123456789012-1234567890123456-1");
    check_restarts("00-12345678901234567890123456789012-1234567890123456-001");
    check_restarts("");
}

#[test]
fn illegal_characters_restart() {
    check_restarts(".0-12345678901234567890123456789012-1234567890123456-01");
    check_restarts("00-.2345678901234567890123456789012-1234567890123456-01");
    check_restarts("00-12345678901234567890123456789012-123456789012345.-01");
    check_restarts("00-12345678901234567890123456789012-1234567890123456-.0");
    check_restarts("00_12345678901234567890123456789012_1234567890123456_01");
}

#[test]
fn version_00_with_trailing_data_restarts() {
    check_restarts("00-12345678901234567890123456789012-1234567890123456-01.");
    check_restarts(
        "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
    );
}

#[test]
fn future_version_without_dash_after_flags_restarts() {
    check_restarts(
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
    );
    check_restarts("cc-12345678901234567890123456789012-1234567890123456-0");
}

#[test]
fn duplicated_traceparent_restarts() {
    check_trace(
        &[
            (
                "traceparent",
                "00-12345678901234567890123456789011-1234567890123456-01",
            ),
            (
                "traceparent",
                "00-12345678901234567890123456789012-1234567890123456-01",
            ),
            ("tracestate", "foo=1"),
        ],
        None,
    );
}

#[test]
fn each_hop_gets_a_fresh_span_id() {
    let propagate = || {
        let mut headers = header_map(&[("traceparent", SPEC_TRACEPARENT)]);
        let census = FieldCensus::of(&headers);
        propagate_traceparent(&mut headers, census)
    };
    let (first, second) = (propagate(), propagate());
    assert_eq!(first.trace_id(), second.trace_id());
    assert_ne!(first.span_id(), second.span_id());
    assert_ne!(first.span_id(), SPEC_PARENT_ID);
}

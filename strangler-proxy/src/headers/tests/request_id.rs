//! Request ids: kept from trusted peers when well formed, otherwise generated as UUID-v4 hex.

use super::*;

fn is_generated_request_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
        && text.as_bytes()[12] == b'4'
        && matches!(text.as_bytes()[16], b'8' | b'9' | b'a' | b'b')
}

/// `expected_kept`: the id that must survive, or `None` if a new one must be generated.
fn check_request_id(input: &[(&str, &str)], trusted_peer: bool, expected_kept: Option<&str>) {
    let mut headers = header_map(input);
    let census = FieldCensus::of(&headers);
    let returned = ensure_request_id(&mut headers, census, trusted_peer);
    let returned = returned
        .to_str()
        .unwrap_or_else(|error| panic!("{error}"))
        .to_owned();
    let in_headers: Vec<&str> = headers
        .get_all("x-request-id")
        .iter()
        .map(|value| value.to_str().unwrap_or_else(|error| panic!("{error}")))
        .collect();
    assert_eq!(in_headers, [returned.as_str()], "input: {input:?}");
    match expected_kept {
        Some(kept) => assert_eq!(returned, kept),
        None => assert!(
            is_generated_request_id(&returned),
            "not generated: {returned}"
        ),
    }
}

#[test]
fn request_id_is_generated_when_missing() {
    check_request_id(&[], true, None);
    check_request_id(&[], false, None);
}

#[test]
fn request_id_from_trusted_peer_is_kept() {
    check_request_id(&[("x-request-id", "req-42_abc")], true, Some("req-42_abc"));
    let longest = "a".repeat(128);
    check_request_id(&[("x-request-id", &longest)], true, Some(&longest));
}

#[test]
fn request_id_from_untrusted_peer_is_replaced() {
    check_request_id(&[("x-request-id", "req-42_abc")], false, None);
}

#[test]
fn invalid_request_ids_are_replaced_even_from_trusted_peers() {
    check_request_id(&[("x-request-id", "")], true, None);
    check_request_id(&[("x-request-id", "has space")], true, None);
    check_request_id(&[("x-request-id", &"a".repeat(129))], true, None);
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-request-id",
        HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap_or_else(|error| panic!("{error}")),
    );
    let census = FieldCensus::of(&headers);
    let returned = ensure_request_id(&mut headers, census, true);
    assert!(is_generated_request_id(
        returned.to_str().unwrap_or_default()
    ));
}

#[test]
fn duplicate_request_ids_keep_the_first() {
    check_request_id(
        &[("x-request-id", "first"), ("x-request-id", "second")],
        true,
        Some("first"),
    );
}

#[test]
fn generated_request_ids_differ() {
    let none = FieldCensus::default();
    let first = ensure_request_id(&mut HeaderMap::new(), none, false);
    let second = ensure_request_id(&mut HeaderMap::new(), none, false);
    assert_ne!(first, second);
}

/// The lines of `name` in `headers`, as text.
fn lines<'map>(headers: &'map HeaderMap, name: &str) -> Vec<&'map str> {
    headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().unwrap_or_else(|error| panic!("{error}")))
        .collect()
}

fn set_ids(
    input: &[(&str, &str)],
    trusted_peer: bool,
    request_id: bool,
    trace_context: bool,
) -> (HeaderMap, Option<String>) {
    let mut headers = header_map(input);
    let census = FieldCensus::of(&headers);
    let ids = RequestIds {
        request_id,
        trace_context,
    };
    let returned = set_request_ids(&mut headers, census, trusted_peer, ids).map(|value| {
        value
            .to_str()
            .unwrap_or_else(|error| panic!("{error}"))
            .to_owned()
    });
    (headers, returned)
}

#[test]
fn both_ids_are_written_new_when_the_request_has_neither() {
    let (headers, returned) = set_ids(&[("host", "shop.example")], false, true, true);
    let returned = returned.unwrap_or_else(|| panic!("no request id returned"));
    assert!(
        is_generated_request_id(&returned),
        "not generated: {returned}"
    );
    assert_eq!(lines(&headers, "x-request-id"), [returned.as_str()]);
    let traceparent = lines(&headers, "traceparent");
    let [traceparent] = traceparent.as_slice() else {
        panic!("expected one traceparent, got {traceparent:?}");
    };
    let fields: Vec<&str> = traceparent.split('-').collect();
    assert!(
        matches!(fields.as_slice(), ["00", trace, parent, "01"] if trace.len() == 32 && parent.len() == 16),
        "{traceparent}"
    );
    // The two values share one buffer, but neither shows any of the other.
    assert!(!traceparent.contains(returned.as_str()));
}

#[test]
fn a_trusted_id_and_a_valid_trace_are_kept_beside_each_other() {
    let input = [
        ("x-request-id", "order-7"),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        ("tracestate", "vendor=1"),
    ];
    let (headers, returned) = set_ids(&input, true, true, true);
    assert_eq!(returned.as_deref(), Some("order-7"));
    assert_eq!(lines(&headers, "x-request-id"), ["order-7"]);
    let traceparent = lines(&headers, "traceparent");
    assert!(
        traceparent[0].starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-")
            && !traceparent[0].contains("00f067aa0ba902b7"),
        "{traceparent:?}"
    );
    assert_eq!(lines(&headers, "tracestate"), ["vendor=1"]);
}

#[test]
fn with_request_ids_off_the_clients_id_is_returned_and_left_alone() {
    // Untrusted, and not the proxy's to replace: with ids off it passes through as sent.
    let (headers, returned) = set_ids(&[("x-request-id", "client id")], false, false, true);
    assert_eq!(returned.as_deref(), Some("client id"));
    assert_eq!(lines(&headers, "x-request-id"), ["client id"]);
    assert_eq!(lines(&headers, "traceparent").len(), 1);

    let (headers, returned) = set_ids(&[("host", "shop.example")], false, false, false);
    assert_eq!(returned, None);
    assert!(
        lines(&headers, "x-request-id").is_empty() && lines(&headers, "traceparent").is_empty()
    );
}

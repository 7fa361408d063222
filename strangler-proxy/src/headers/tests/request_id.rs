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

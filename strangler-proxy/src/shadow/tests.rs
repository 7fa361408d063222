//! Comparison tests: `check(rules, primary, shadow, expected)` compares two JSON (or text)
//! bodies under rules written as in the file and expects the differences, one line each as
//! `place: primary -> shadow` (`-` for absent). Then the field paths, and the [`super::Tee`]
//! that copies a primary body: whole, too large, or dropped before its end.

use bytes::Bytes;

use super::compare::{Answer, Difference, compare, discount_noise};
use super::path::{FieldPath, PathItem};
use crate::config::settings::CompareRules;

fn rules(ignore_fields: &[&str], ignore_array_order: &[&str]) -> CompareRules {
    let parse = |paths: &[&str]| {
        paths
            .iter()
            .map(|path| FieldPath::parse(path).unwrap_or_else(|error| panic!("{error}")))
            .collect()
    };
    CompareRules {
        headers: vec!["content-type".to_owned()],
        ignore_fields: parse(ignore_fields),
        ignore_array_order: parse(ignore_array_order),
    }
}

fn answer(status: u16, content_type: Option<&str>, body: &str) -> Answer {
    Answer {
        status,
        headers: vec![content_type.map(str::to_owned)],
        body: Bytes::from(body.to_owned()),
    }
}

fn render(differences: &[Difference]) -> Vec<String> {
    let side = |value: &Option<serde_json::Value>| {
        value
            .as_ref()
            .map_or("-".to_owned(), |value| value.to_string())
    };
    differences
        .iter()
        .map(|difference| {
            format!(
                "{}: {} -> {}",
                difference.location,
                side(&difference.primary),
                side(&difference.shadow)
            )
        })
        .collect()
}

fn check(rules: &CompareRules, primary: &str, shadow: &str, expected: &[&str]) {
    let json = Some("application/json");
    let differences = compare(
        rules,
        &answer(200, json, primary),
        &answer(200, json, shadow),
    );
    assert_eq!(render(&differences), expected);
}

#[test]
fn equal_json_bodies_match_whatever_the_key_order_and_spacing() {
    check(
        &rules(&[], &[]),
        r#"{"a": 1, "b": [1, 2]}"#,
        r#"{"b":[1,2],"a":1}"#,
        &[],
    );
}

#[test]
fn each_differing_field_is_reported_at_its_path() {
    check(
        &rules(&[], &[]),
        r#"{"id": 1, "items": [{"price": 10, "name": "a"}], "total": 10}"#,
        r#"{"id": 1, "items": [{"price": 12, "name": "a"}], "total": 12}"#,
        &["body items[0].price: 10 -> 12", "body total: 10 -> 12"],
    );
}

#[test]
fn missing_fields_and_elements_show_as_absent() {
    check(
        &rules(&[], &[]),
        r#"{"a": 1, "list": [1, 2, 3]}"#,
        r#"{"b": null, "list": [1, 2]}"#,
        &[
            "body a: 1 -> -",
            "body b: - -> null",
            "body list[2]: 3 -> -",
        ],
    );
}

#[test]
fn numbers_compare_by_value() {
    check(
        &rules(&[], &[]),
        r#"{"price": 10.0, "ratio": 0.5, "count": 3}"#,
        r#"{"price": 10, "ratio": 0.50, "count": 4}"#,
        &["body count: 3 -> 4"],
    );
}

#[test]
fn a_type_change_is_one_difference_at_its_place() {
    check(
        &rules(&[], &[]),
        r#"{"price": "10"}"#,
        r#"{"price": 10}"#,
        &["body price: \"10\" -> 10"],
    );
}

#[test]
fn ignored_fields_are_left_out_where_the_rule_names_them() {
    let rules = rules(&["id", "items[*].created_at"], &[]);
    check(
        &rules,
        r#"{"id": 1, "items": [{"created_at": "x", "sku": "a"}], "created_at": 1}"#,
        r#"{"id": 2, "items": [{"created_at": "y", "sku": "a"}], "created_at": 2}"#,
        // `created_at` at the top is not `items[*].created_at`.
        &["body created_at: 1 -> 2"],
    );
}

#[test]
fn a_double_star_ignores_a_field_at_any_depth() {
    check(
        &rules(&["**.updated_at"], &[]),
        r#"{"updated_at": 1, "a": {"b": [{"updated_at": 2, "v": 1}]}}"#,
        r#"{"updated_at": 9, "a": {"b": [{"updated_at": 8, "v": 2}]}}"#,
        &["body a.b[0].v: 1 -> 2"],
    );
}

#[test]
fn arrays_named_unordered_compare_as_multisets() {
    let unordered = rules(&[], &["tags"]);
    check(
        &unordered,
        r#"{"tags": ["a", "b", "c"]}"#,
        r#"{"tags": ["c", "a", "b"]}"#,
        &[],
    );
    check(
        &unordered,
        r#"{"tags": ["a", "b"], "order": [1, 2]}"#,
        r#"{"tags": ["b", "c"], "order": [2, 1]}"#,
        // Positions in an unordered array are counted after sorting.
        &[
            "body order[0]: 1 -> 2",
            "body order[1]: 2 -> 1",
            "body tags[0]: \"a\" -> \"b\"",
            "body tags[1]: \"b\" -> \"c\"",
        ],
    );
}

#[test]
fn ignored_fields_go_before_unordered_arrays_are_sorted() {
    check(
        &rules(&["items[*].id"], &["items"]),
        r#"{"items": [{"id": 7, "sku": "a"}, {"id": 8, "sku": "b"}]}"#,
        r#"{"items": [{"id": 1, "sku": "b"}, {"id": 2, "sku": "a"}]}"#,
        &[],
    );
}

#[test]
fn bodies_that_are_not_json_compare_byte_for_byte() {
    let rules = rules(&["id"], &[]);
    check(&rules, "<p>hello</p>", "<p>hello</p>", &[]);
    check(
        &rules,
        "<p>hello</p>",
        "<p>hullo</p>",
        &["body $: \"<p>hello</p>\" -> \"<p>hullo</p>\""],
    );
    check(
        &rules,
        r#"{"id": 1}"#,
        "",
        &["body $: \"{\\\"id\\\": 1}\" -> \"\""],
    );
}

#[test]
fn status_and_chosen_headers_are_compared() {
    let rules = rules(&[], &[]);
    let differences = compare(
        &rules,
        &answer(200, Some("application/json"), "{}"),
        &answer(201, None, "{}"),
    );
    assert_eq!(
        render(&differences),
        [
            "status: 200 -> 201",
            "header content-type: \"application/json\" -> -"
        ]
    );
}

#[test]
fn noise_discounts_the_places_where_the_monolith_disagrees_with_itself() {
    let rules = rules(&[], &[]);
    let json = Some("application/json");
    let primary = answer(
        200,
        json,
        r#"{"time": 1, "meta": {"node": "a"}, "total": 10}"#,
    );
    let noise = answer(
        200,
        json,
        r#"{"time": 2, "meta": {"node": "b"}, "total": 10}"#,
    );
    let shadow = answer(
        200,
        json,
        r#"{"time": 3, "meta": {"node": "c", "extra": 1}, "total": 11}"#,
    );
    let noisy = compare(&rules, &primary, &noise);
    let (kept, discounted) = discount_noise(compare(&rules, &primary, &shadow), &noisy);
    assert_eq!(
        render(&kept),
        ["body meta.extra: - -> 1", "body total: 10 -> 11"]
    );
    assert_eq!(
        render(&discounted),
        ["body meta.node: \"a\" -> \"c\"", "body time: 1 -> 3"]
    );
}

#[test]
fn field_paths_parse_and_match() {
    let key = |key: &str| PathItem::Key(key.to_owned());
    let path = [key("items"), PathItem::Index(3), key("created_at")];
    for (rule, matches) in [
        ("items[*].created_at", true),
        ("items[3].created_at", true),
        ("items[2].created_at", false),
        ("*[*].created_at", true),
        ("**.created_at", true),
        ("**", true),
        ("items", false),
        ("created_at", false),
        ("items.**", true),
    ] {
        let parsed = FieldPath::parse(rule).unwrap_or_else(|error| panic!("{rule}: {error}"));
        assert_eq!(parsed.matches(&path), matches, "{rule}");
    }
    let top_array = FieldPath::parse("[*].id").expect("a path from a top-level array");
    assert!(top_array.matches(&[PathItem::Index(0), key("id")]));
}

#[test]
fn field_paths_that_name_no_field_are_refused() {
    for (rule, expected) in [
        (
            "",
            "names no field; write a key such as \"id\" or \"items[*].created_at\"",
        ),
        (
            "  ",
            "names no field; write a key such as \"id\" or \"items[*].created_at\"",
        ),
        ("a..b", "\"a..b\" has an empty segment"),
        ("items[", "\"items[\": `[` without `]`"),
        (
            "items[x]",
            "\"items[x]\": [x] is not an index, expected [0], [1]... or [*]",
        ),
        ("items[0]x", "\"items[0]x\": expected `.` or `[` after `]`"),
        (
            "it*ms",
            "\"it*ms\": key \"it*ms\" holds `]` or `*`; wildcards are whole segments",
        ),
        ("**[0]", "\"**[0]\": `**` stands alone between dots"),
    ] {
        assert_eq!(FieldPath::parse(rule).unwrap_err(), expected, "{rule:?}");
    }
}

/// Reads `response`'s body to the end, as the server does.
async fn read_body(response: http::Response<crate::body::ProxyBody>) -> Bytes {
    use http_body_util::BodyExt;
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

fn teed(
    body: &'static str,
    limit: usize,
) -> (
    http::Response<crate::body::ProxyBody>,
    tokio::sync::oneshot::Receiver<super::PrimaryAnswer>,
) {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let response = http::Response::builder()
        .status(201)
        .header("content-type", "text/plain")
        .body(crate::body::ProxyBody::full(Bytes::from_static(
            body.as_bytes(),
        )))
        .expect("response");
    (super::Tee::attach(response, limit, sender), receiver)
}

#[tokio::test]
async fn the_tee_passes_the_body_on_and_hands_over_a_whole_copy_at_its_end() {
    let (response, receiver) = teed("hello", 5);
    assert_eq!(read_body(response).await, "hello");
    match receiver.await.expect("an answer") {
        super::PrimaryAnswer::Whole {
            status,
            headers,
            body,
        } => {
            assert_eq!((status, body), (201, Bytes::from_static(b"hello")));
            assert_eq!(headers["content-type"], "text/plain");
        }
        super::PrimaryAnswer::TooLarge => panic!("5 bytes fit a limit of 5"),
    }
}

#[tokio::test]
async fn the_tee_passes_a_body_over_its_limit_on_whole_and_says_too_large() {
    let (response, receiver) = teed("hello!", 5);
    assert_eq!(read_body(response).await, "hello!");
    assert!(matches!(
        receiver.await.expect("an answer"),
        super::PrimaryAnswer::TooLarge
    ));
}

#[tokio::test]
async fn a_teed_body_dropped_before_its_end_hands_over_nothing() {
    // The client went away before the body was sent.
    let (response, receiver) = teed("hello", 5);
    drop(response);
    assert!(receiver.await.is_err());
}

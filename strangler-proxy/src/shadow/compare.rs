//! Comparing two answers to the same request: status, the chosen header fields and the body.
//! Bodies that both parse as JSON are compared as values, after the rule's ignored fields are
//! taken out and the unordered arrays sorted; any other bodies are compared byte for byte. The
//! result is the list of [`Difference`]s, each with its place and both values. Pure functions:
//! no IO, no clock, no state; noise is discounted by [`discount_noise`] from a third answer's
//! comparison, the caller decides what to remember.

use std::collections::BTreeSet;
use std::fmt;

use bytes::Bytes;
use http::HeaderMap;
use serde_json::Value;

use super::path::{PathItem, ValuePath};
use crate::config::settings::CompareRules;

/// Longest text kept of a body that is not JSON, in a difference.
pub const DIFFERENCE_PREVIEW_CHARS: usize = 256;

/// What of an answer the comparison reads: the status, the chosen header fields (in the
/// order of [`CompareRules::headers`], `None` when absent) and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<Option<String>>,
    pub body: Bytes,
}

/// Where two answers differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    Status,
    /// A chosen header field, lower case.
    Header(String),
    /// A place in the body; the root (`$`) for bodies that are not JSON.
    Body(ValuePath),
}

/// One difference: where, and the value on each side (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub location: Location,
    pub primary: Option<Value>,
    pub shadow: Option<Value>,
}

impl Answer {
    /// The parts of an answer `rules` compare; several values of a field are joined with `, `.
    pub fn new(status: u16, headers: &HeaderMap, body: Bytes, rules: &CompareRules) -> Answer {
        let headers = rules
            .headers
            .iter()
            .map(|name| {
                let mut values = headers.get_all(name.as_str()).iter().peekable();
                values.peek()?;
                Some(
                    values
                        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .collect();
        Answer {
            status,
            headers,
            body,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Status => formatter.write_str("status"),
            Location::Header(name) => write!(formatter, "header {name}"),
            Location::Body(path) => write!(formatter, "body {path}"),
        }
    }
}

impl Location {
    /// Whether a difference here covers one at `other`: the same place, or a body path that
    /// holds it.
    pub fn covers(&self, other: &Location) -> bool {
        match (self, other) {
            (Location::Body(outer), Location::Body(inner)) => outer.contains(inner),
            _ => self == other,
        }
    }
}

/// Every difference between `primary` and `shadow` under `rules`, in order: status, headers,
/// then body paths in key order.
pub fn compare(rules: &CompareRules, primary: &Answer, shadow: &Answer) -> Vec<Difference> {
    let mut differences = Vec::new();
    if primary.status != shadow.status {
        differences.push(Difference {
            location: Location::Status,
            primary: Some(Value::from(primary.status)),
            shadow: Some(Value::from(shadow.status)),
        });
    }
    for ((name, primary_value), shadow_value) in rules
        .headers
        .iter()
        .zip(&primary.headers)
        .zip(&shadow.headers)
    {
        if primary_value != shadow_value {
            differences.push(Difference {
                location: Location::Header(name.clone()),
                primary: primary_value.clone().map(Value::String),
                shadow: shadow_value.clone().map(Value::String),
            });
        }
    }
    match (parse_json(&primary.body), parse_json(&shadow.body)) {
        (Some(primary_json), Some(shadow_json)) => {
            let mut path = Vec::new();
            let primary_json = normalize(primary_json, &mut path, rules);
            let shadow_json = normalize(shadow_json, &mut path, rules);
            diff_values(&primary_json, &shadow_json, &mut path, &mut differences);
        }
        _ if primary.body != shadow.body => differences.push(Difference {
            location: Location::Body(ValuePath::default()),
            primary: Some(text_preview(&primary.body, DIFFERENCE_PREVIEW_CHARS)),
            shadow: Some(text_preview(&shadow.body, DIFFERENCE_PREVIEW_CHARS)),
        }),
        _ => {}
    }
    differences
}

/// Splits `differences` into those that stand and those at a place where `noise` (the
/// differences between two answers of the monolith to the same request) says the monolith
/// does not agree with itself.
pub fn discount_noise(
    differences: Vec<Difference>,
    noise: &[Difference],
) -> (Vec<Difference>, Vec<Difference>) {
    differences.into_iter().partition(|difference| {
        !noise
            .iter()
            .any(|noisy| noisy.location.covers(&difference.location))
    })
}

/// A body as JSON, or `None` when it is empty or not JSON.
fn parse_json(body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    serde_json::from_slice(body).ok()
}

/// `value` with the ignored fields taken out and the unordered arrays sorted.
fn normalize(value: Value, path: &mut Vec<PathItem>, rules: &CompareRules) -> Value {
    let ignored = |path: &[PathItem]| rules.ignore_fields.iter().any(|rule| rule.matches(path));
    match value {
        Value::Object(object) => {
            let mut kept = serde_json::Map::new();
            for (key, child) in object {
                path.push(PathItem::Key(key.clone()));
                if !ignored(path) {
                    kept.insert(key, normalize(child, path, rules));
                }
                path.pop();
            }
            Value::Object(kept)
        }
        Value::Array(elements) => {
            let mut kept = Vec::with_capacity(elements.len());
            for (index, element) in elements.into_iter().enumerate() {
                path.push(PathItem::Index(index));
                if !ignored(path) {
                    kept.push(normalize(element, path, rules));
                }
                path.pop();
            }
            if rules
                .ignore_array_order
                .iter()
                .any(|rule| rule.matches(path))
            {
                let mut keyed: Vec<(String, Value)> = kept
                    .into_iter()
                    .map(|element| (element.to_string(), element))
                    .collect();
                keyed.sort_by(|left, right| left.0.cmp(&right.0));
                kept = keyed.into_iter().map(|(_, element)| element).collect();
            }
            Value::Array(kept)
        }
        scalar => scalar,
    }
}

fn diff_values(
    primary: &Value,
    shadow: &Value,
    path: &mut Vec<PathItem>,
    differences: &mut Vec<Difference>,
) {
    if primary == shadow {
        return;
    }
    match (primary, shadow) {
        // JSON has one kind of number: `10` and `10.0` are the same value.
        (Value::Number(primary_number), Value::Number(shadow_number))
            if (primary_number.is_f64() || shadow_number.is_f64())
                && primary_number.as_f64() == shadow_number.as_f64() => {}
        (Value::Object(primary_object), Value::Object(shadow_object)) => {
            let keys: BTreeSet<&String> =
                primary_object.keys().chain(shadow_object.keys()).collect();
            for key in keys {
                path.push(PathItem::Key(key.clone()));
                diff_child(
                    primary_object.get(key),
                    shadow_object.get(key),
                    path,
                    differences,
                );
                path.pop();
            }
        }
        (Value::Array(primary_array), Value::Array(shadow_array)) => {
            for index in 0..primary_array.len().max(shadow_array.len()) {
                path.push(PathItem::Index(index));
                diff_child(
                    primary_array.get(index),
                    shadow_array.get(index),
                    path,
                    differences,
                );
                path.pop();
            }
        }
        _ => push_difference(path, Some(primary), Some(shadow), differences),
    }
}

/// A member or element present on one side at least.
fn diff_child(
    primary: Option<&Value>,
    shadow: Option<&Value>,
    path: &mut Vec<PathItem>,
    differences: &mut Vec<Difference>,
) {
    match (primary, shadow) {
        (Some(primary), Some(shadow)) => diff_values(primary, shadow, path, differences),
        _ => push_difference(path, primary, shadow, differences),
    }
}

fn push_difference(
    path: &[PathItem],
    primary: Option<&Value>,
    shadow: Option<&Value>,
    differences: &mut Vec<Difference>,
) {
    differences.push(Difference {
        location: Location::Body(ValuePath(path.to_vec())),
        primary: primary.cloned(),
        shadow: shadow.cloned(),
    });
}

/// A body as a string of at most `max_chars` characters (invalid UTF-8 replaced), `…` when
/// cut.
pub fn text_preview(body: &[u8], max_chars: usize) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut preview: String = text.chars().take(max_chars).collect();
    if text.chars().nth(max_chars).is_some() {
        preview.push('…');
    }
    Value::String(preview)
}

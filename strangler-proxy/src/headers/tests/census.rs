//! The census of a request's fields: what it notes decides which steps of the request path
//! run, so a field it misses would reach the upstream unfiltered.

use super::*;
use crate::headers::Field;

/// Every field the census knows, with a name (in the case a client may send) it is noted for.
const NOTED: [(&str, Field); 25] = [
    ("Host", Field::Host),
    ("content-length", Field::ContentLength),
    ("Transfer-Encoding", Field::TransferEncoding),
    ("transfer-encoding", Field::HopByHop),
    ("upgrade", Field::Upgrade),
    ("Upgrade", Field::HopByHop),
    ("connection", Field::HopByHop),
    ("Proxy-Connection", Field::HopByHop),
    ("keep-alive", Field::HopByHop),
    ("TE", Field::HopByHop),
    ("proxy-authenticate", Field::HopByHop),
    ("Proxy-Authorization", Field::HopByHop),
    ("proxy-authentication-info", Field::HopByHop),
    ("x-forwarded-for", Field::Forwarding),
    ("X-Forwarded-Proto", Field::Forwarding),
    ("x-forwarded-host", Field::Forwarding),
    ("Forwarded", Field::Forwarding),
    ("via", Field::Via),
    ("X-Request-Id", Field::RequestId),
    ("traceparent", Field::Traceparent),
    ("TraceState", Field::Tracestate),
    ("cookie", Field::Cookie),
    ("x-ficus-target", Field::Override),
    ("X-Ficus-Shadow", Field::Shadow),
    ("X_Forwarded_For", Field::Underscore),
];

#[test]
fn each_field_is_noted_alone_and_among_others() {
    for (name, field) in NOTED {
        let alone = FieldCensus::of(&header_map(&[(name, "1")]));
        assert!(alone.has(field), "{name} not noted as {field:?}");
        let among = FieldCensus::of(&header_map(&[
            ("accept", "*/*"),
            (name, "1"),
            ("user-agent", "test"),
        ]));
        assert!(
            among.has(field),
            "{name} among others not noted as {field:?}"
        );
    }
}

#[test]
fn a_request_without_those_fields_notes_none() {
    let census = FieldCensus::of(&header_map(&[
        ("accept", "*/*"),
        ("user-agent", "curl/8"),
        ("x-forwarded", "not one of them"),
        ("content-type", "text/plain"),
        ("authorization", "Bearer x"),
    ]));
    for (name, field) in NOTED {
        assert!(!census.has(field), "{field:?} noted without {name}");
    }
}

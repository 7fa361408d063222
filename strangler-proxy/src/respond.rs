//! Every response the proxy writes itself: errors (`502`, `503`, `504`, and the limits' `400`,
//! `405`, `413`, `414`, `501`) with a small JSON body naming the route, and the `x-ficus-error` header saying which
//! failure it was. Nothing else in the crate builds an error response; it never drops a
//! connection silently.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};

use crate::body::ProxyBody;

/// Header naming the failure on responses the proxy wrote itself.
pub const ERROR_HEADER: &str = "x-ficus-error";

/// Why the proxy answered instead of an upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyErrorKind {
    /// No address of the upstream could be connected to, or a connection broke before a
    /// response came. `502`.
    Unreachable,
    /// The upstream answered with something that is not valid HTTP. `502`.
    BadResponse,
    /// Every address of the upstream is ejected by health checks. `503`.
    NoHealthyAddress,
    /// The upstream did not answer within the request timeout. `504`.
    Timeout,
    /// The request target is longer than `limits.max_uri_bytes`. `414`.
    UriTooLong,
    /// The request is malformed in a way the HTTP parser let through. `400`.
    BadRequest,
    /// The request body is larger than `limits.max_body_bytes`. `413`.
    BodyTooLarge,
    /// `CONNECT`: this is a reverse proxy, not a tunnel for clients. `405`.
    ConnectNotSupported,
    /// The request uses a transfer coding other than `chunked` (such as `gzip, chunked`),
    /// which the proxy would have to decode and cannot. `501` (RFC 9112 6.1).
    UnsupportedTransferCoding,
    /// The proxy is shutting down. `503`.
    ShuttingDown,
}

impl ProxyErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ProxyErrorKind::Unreachable | ProxyErrorKind::BadResponse => StatusCode::BAD_GATEWAY,
            ProxyErrorKind::NoHealthyAddress | ProxyErrorKind::ShuttingDown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ProxyErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ProxyErrorKind::UriTooLong => StatusCode::URI_TOO_LONG,
            ProxyErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ProxyErrorKind::UnsupportedTransferCoding => StatusCode::NOT_IMPLEMENTED,
            ProxyErrorKind::ConnectNotSupported => StatusCode::METHOD_NOT_ALLOWED,
            ProxyErrorKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The value of `x-ficus-error` and of the JSON `error` field.
    pub fn code(self) -> &'static str {
        match self {
            ProxyErrorKind::Unreachable => "upstream_unreachable",
            ProxyErrorKind::BadResponse => "upstream_bad_response",
            ProxyErrorKind::NoHealthyAddress => "no_healthy_upstream",
            ProxyErrorKind::Timeout => "upstream_timeout",
            ProxyErrorKind::UriTooLong => "uri_too_long",
            ProxyErrorKind::BadRequest => "bad_request",
            ProxyErrorKind::UnsupportedTransferCoding => "unsupported_transfer_coding",
            ProxyErrorKind::ConnectNotSupported => "connect_not_supported",
            ProxyErrorKind::BodyTooLarge => "body_too_large",
            ProxyErrorKind::ShuttingDown => "shutting_down",
        }
    }
}

/// A response for `kind`, with body
/// `{"error":"upstream_timeout","status":504,"route":"invoices","upstream":"billing","request_id":"..."}`.
pub fn error_response(
    kind: ProxyErrorKind,
    route: &str,
    upstream: Option<&str>,
    request_id: Option<&HeaderValue>,
) -> Response<ProxyBody> {
    let status = kind.status();
    let mut json = format!(
        "{{\"error\":\"{}\",\"status\":{},\"route\":{}",
        kind.code(),
        status.as_u16(),
        json_string(route)
    );
    if let Some(upstream) = upstream {
        json.push_str(",\"upstream\":");
        json.push_str(&json_string(upstream));
    }
    if let Some(request_id) = request_id.and_then(|value| value.to_str().ok()) {
        json.push_str(",\"request_id\":");
        json.push_str(&json_string(request_id));
    }
    json.push_str("}\n");
    let mut response = Response::new(ProxyBody::full(Bytes::from(json)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ERROR_HEADER, HeaderValue::from_static(kind.code()));
    response
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if (control as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", control as u32));
            }
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

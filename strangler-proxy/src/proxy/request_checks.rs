//! Checks on a request before it is routed or forwarded: framing the HTTP parser let through
//! but the proxy must not forward (`Transfer-Encoding` codings other than one `chunked`), the
//! declared body size, whether it asks for an upgrade, whether its method is idempotent (for
//! retries), and which host it names. Pure functions of the request head.

use http::header::{CONNECTION, HOST, HeaderValue, UPGRADE};
use http::{Method, Request, Version};
use hyper::body::{Body, Incoming};

use crate::respond::ProxyErrorKind;

/// What is wrong with the request's `Transfer-Encoding`, if anything. hyper decodes only
/// `chunked` and lets a list ending in it through (`gzip, chunked`, `identity, chunked`,
/// `chunked, chunked`); forwarding the decoded body without its other codings would hand the
/// upstream bytes it cannot read, so those get `501`, and `chunked` applied twice (which RFC 9112
/// forbids) gets `400`. `Transfer-Encoding` in HTTP/1.0 is already refused by hyper; it is
/// checked again here.
pub(super) fn transfer_coding_problem(request: &Request<Incoming>) -> Option<ProxyErrorKind> {
    let mut lines = request
        .headers()
        .get_all(http::header::TRANSFER_ENCODING)
        .iter()
        .peekable();
    lines.peek()?;
    if request.version() == Version::HTTP_10 {
        return Some(ProxyErrorKind::BadRequest);
    }
    let mut n_chunked = 0;
    for coding in lines
        .flat_map(|line| line.as_bytes().split(|byte| *byte == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|coding| !coding.is_empty())
    {
        if coding.eq_ignore_ascii_case(b"chunked") {
            n_chunked += 1;
        } else {
            return Some(ProxyErrorKind::UnsupportedTransferCoding);
        }
    }
    (n_chunked > 1).then_some(ProxyErrorKind::BadRequest)
}

/// Whether the request declares a body longer than `max_body_bytes` (hyper has already
/// rejected invalid or conflicting `Content-Length` values).
pub(super) fn declared_length_exceeds(
    request: &Request<Incoming>,
    max_body_bytes: Option<u64>,
) -> bool {
    let Some(max) = max_body_bytes else {
        return false;
    };
    request
        .body()
        .size_hint()
        .exact()
        .is_some_and(|length| length > max)
}

/// RFC 9110 9.2.2.
pub(super) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// An HTTP/1.1 request asking to switch protocols (`Connection: upgrade` and `Upgrade`).
pub(super) fn is_upgrade_request(request: &Request<Incoming>) -> bool {
    request.version() == Version::HTTP_11
        && request.headers().contains_key(UPGRADE)
        && request
            .headers()
            .get_all(CONNECTION)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
}

/// The host the request names: `Host`, or the authority of an absolute URI / `:authority`;
/// only a value that is visible ASCII (so [`HeaderValue::to_str`] takes it). `Host` comes as a
/// reference-counted copy of the line hyper parsed.
pub(super) fn request_host(request: &Request<Incoming>) -> Option<HeaderValue> {
    if let Some(authority) = request.uri().authority() {
        return HeaderValue::from_str(authority.as_str()).ok();
    }
    request
        .headers()
        .get(HOST)
        .filter(|value| value.to_str().is_ok())
        .cloned()
}

//! The status page of the admin API: `GET /status`, a page that draws what `GET /migration`
//! answers (services and the share of traffic moved, each route's state and rollout, and a
//! chart of each route's ledger history), refreshed every few seconds.
//!
//! The page, its script and its style sheet are embedded in the binary and served without the
//! bearer token: they are the same for everyone and hold no data. The script asks for the data
//! with the token, which it takes from the URL fragment (`#token=...`, never sent to a server)
//! or from a form, and keeps in the tab's `sessionStorage`. Every answer here forbids
//! everything the page does not need (`Content-Security-Policy`: scripts and styles from this
//! origin only, requests to this origin only, no frames, no forms posted), is never cached and
//! never sniffed. This module does not read the migration state; `admin.rs` serves that.

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{Response, StatusCode};
use http_body_util::Full;

/// Scripts and styles from the admin origin only (no inline code: the script is
/// `/status.js`), data fetched from it only, nothing else at all.
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The files of the page: path, media type, content.
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "/status",
        "text/html; charset=utf-8",
        include_str!("status.html"),
    ),
    (
        "/status.js",
        "text/javascript; charset=utf-8",
        include_str!("status.js"),
    ),
    (
        "/status.css",
        "text/css; charset=utf-8",
        include_str!("status.css"),
    ),
];

/// The page file at `path` (exactly `/status`, `/status.js` or `/status.css`), or `None`.
pub(crate) fn asset(path: &str) -> Option<Response<Full<Bytes>>> {
    let (_, media_type, content) = ASSETS.iter().find(|(asset, _, _)| *asset == path)?;
    let mut response = Response::new(Full::new(Bytes::from_static(content.as_bytes())));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_files_are_served() {
        for path in ["/status", "/status.js", "/status.css"] {
            assert!(asset(path).is_some(), "{path}");
        }
        for path in ["/status/", "/status.html", "/Status", "/status.js/x", "/"] {
            assert!(asset(path).is_none(), "{path}");
        }
    }

    /// The policy allows no inline code, so the page must carry none: no `<script>` body, no
    /// `<style>`, no `style=` or `on...=` attribute.
    #[test]
    fn the_page_holds_no_inline_code() {
        let page = include_str!("status.html");
        assert!(page.contains(r#"<script src="status.js" defer></script>"#));
        for forbidden in [
            "<style",
            " style=",
            " onload=",
            " onclick=",
            " onerror=",
            "javascript:",
        ] {
            assert!(!page.contains(forbidden), "{forbidden}");
        }
        // The script writes data with textContent and attributes, never as markup.
        let script = include_str!("status.js");
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!script.contains(forbidden), "{forbidden}");
        }
    }
}

//! The admin API from a test: an `[admin]` section with a bearer token in its own file (no
//! environment variables, so tests can run in parallel), authenticated requests, and reading
//! one counter out of `/metrics`.

use bytes::Bytes;
use http::Request;
use http_body_util::Full;

use super::{Proxy, Reply, client, send};

/// The bearer token every test admin API uses.
pub const TOKEN: &str = "test-admin-token-0b7e-52d4-a91c-3f6e8c20";

/// A token file and the `[admin]` section naming it; keep it alive as long as the proxy.
pub struct AdminSection {
    pub text: String,
    _folder: tempfile::TempDir,
}

/// An `[admin]` section on `127.0.0.1:0`; append it at the end of a config text.
pub fn admin_section() -> AdminSection {
    let folder = tempfile::tempdir().expect("temporary folder");
    let token_file = folder.path().join("admin.token");
    std::fs::write(&token_file, TOKEN).expect("write token file");
    let text = format!(
        "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken_file = {}\n",
        toml_string(&token_file.display().to_string())
    );
    AdminSection {
        text,
        _folder: folder,
    }
}

/// `method path` on the proxy's admin API with the token.
pub async fn admin_request(proxy: &Proxy, method: &str, path: &str, body: &str) -> Reply {
    let addr = proxy.admin_addr.expect("the proxy has an admin API");
    let request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("admin request");
    send(&client(), request).await
}

/// The value of the metric line that starts with `series` (name and labels), or 0 when the
/// series is absent.
pub async fn metric(proxy: &Proxy, series: &str) -> f64 {
    let reply = admin_request(proxy, "GET", "/metrics", "").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply
        .text()
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

//! The admin API, on its own listener (default `127.0.0.1:9901`), every request authenticated
//! with `Authorization: Bearer <token>` (the token comes from an environment variable or a
//! file, never from the configuration file itself), but for the files of the status page,
//! which hold no data. Requests without the right token get `401` and are logged.
//!
//! | method and path | what it does |
//! |---|---|
//! | `GET /routes` | routes in precedence order with their targets and weights, then the default route |
//! | `GET /upstreams` | upstreams with each address's health |
//! | `GET /metrics` | the Prometheus metrics |
//! | `GET /shadow` | each shadowed route's counters, mismatch rate and noisy fields |
//! | `GET /shadow/{name}` | the same for one route, with its mismatch samples; `name` percent-encoded |
//! | `PUT /routes/{name}/weights` | sets weights: body `{"weights": {"monolith": 80, "billing": 20}}`; `name` percent-encoded |
//! | `POST /reload` | reloads the configuration file now |
//! | `GET /migration` | each plan route's state, rollout and ledger history; per service the share moved |
//! | `POST /migration/shift` | body `{"route": "GET /x", "percent": 25}`: 0 is `monolith`, 100 `service`, else `canary` |
//! | `POST /migration/rollback` | body `{"route": "GET /x"}`: back to `monolith` |
//! | `POST /migration/pause`, `POST /migration/resume` | body `{"route": "GET /x"}`: holds or resumes its rollout |
//! | `POST /migration/promote` | body `{"route": "GET /x"}`: its rollout's next step now |
//! | `GET /status` | the status page (with `/status.js`, `/status.css`): served without the token, it holds no data and fetches `/migration` with it (`status_page.rs`) |
//!
//! A weight change is written to the configuration file first (only the `weight` values
//! change; comments and layout stay, through `toml_edit`), then the file is reloaded like any
//! other change, so the file always says what is running. Every change, applied or refused, is
//! audit-logged: a `tracing` event with target `ficus::audit`, and a JSON line appended to
//! `[admin] audit_log` when set. The API does not add or remove routes or upstreams: edit the
//! file for that.
//!
//! This file authenticates and dispatches; `admin/weights.rs` rewrites weights,
//! `admin/migration.rs` takes the migration controls, `admin/status_page.rs` serves the page.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::settings::{Admin, Route, Sticky, TokenSource};
use crate::migration::Migration;
use crate::reload;
use crate::runtime::Shared;

mod migration;
mod status_page;
mod weights;

use migration::{migration_change, no_ledger};
use weights::set_weights;
pub use weights::{RewriteError, rewrite_weights};

/// Fewest characters a bearer token may have: guessing one must not be practical.
const MIN_TOKEN_CHARS: usize = 32;

/// Largest request body the admin API reads.
const MAX_BODY_BYTES: usize = 64 * 1024;

struct AdminState {
    shared: Arc<Shared>,
    token: String,
    audit_log: Option<std::path::PathBuf>,
    migration: Option<Arc<Migration>>,
}

/// Resolves the token, binds the admin listener and serves it until the task is aborted.
pub async fn start(
    shared: Arc<Shared>,
    settings: &Admin,
    migration: Option<Arc<Migration>>,
) -> Result<(SocketAddr, JoinHandle<()>), String> {
    let token = read_token(&settings.token)?;
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", settings.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot listen on {}: {error}", settings.listen))?;
    let state = Arc::new(AdminState {
        shared,
        token,
        audit_log: settings.audit_log.clone(),
        migration,
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            };
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let state = Arc::clone(&state);
                    async move { Ok::<_, std::convert::Infallible>(handle(&state, peer, request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((address, task))
}

fn read_token(source: &TokenSource) -> Result<String, String> {
    let (token, origin) = match source {
        TokenSource::Env(variable) => (
            std::env::var(variable).unwrap_or_default(),
            format!("environment variable {variable}"),
        ),
        TokenSource::File(path) => (
            std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read token file {}: {error}", path.display()))?,
            format!("token file {}", path.display()),
        ),
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(format!("no bearer token: {origin} is empty or unset"));
    }
    let length = token.chars().count();
    if length < MIN_TOKEN_CHARS {
        return Err(format!(
            "the bearer token in {origin} has {length} characters; the admin API moves traffic, so at least {MIN_TOKEN_CHARS} are required (for example `openssl rand -hex 32`)"
        ));
    }
    Ok(token)
}

async fn handle(
    state: &AdminState,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    // The page is the same for everyone and holds no data; it sends the token for the data.
    if request.method() == Method::GET
        && let Some(response) = status_page::asset(request.uri().path())
    {
        return response;
    }
    if !authorized(&state.token, request.headers().get(AUTHORIZATION)) {
        tracing::warn!(target: "ficus::audit", %peer, method = %request.method(), path = %request.uri().path(), "admin request refused: missing or wrong bearer token");
        let mut response =
            json_response(StatusCode::UNAUTHORIZED, &json!({"error": "unauthorized"}));
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"ficus-admin\""),
        );
        return response;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect();
    match (&method, segments.as_slice()) {
        (&Method::GET, ["migration"]) => match &state.migration {
            Some(migration) => json_response(StatusCode::OK, &migration.status()),
            None => no_ledger(),
        },
        (&Method::POST, ["migration", action]) => {
            let action = (*action).to_owned();
            let body = match read_body(request).await {
                Ok(body) => body,
                Err(response) => return response,
            };
            migration_change(state, peer, &action, &body).await
        }
        (&Method::GET, ["routes"]) => json_response(StatusCode::OK, &routes_json(state)),
        (&Method::GET, ["upstreams"]) => json_response(StatusCode::OK, &upstreams_json(state)),
        (&Method::GET, ["metrics"]) => {
            let mut response = Response::new(Full::new(Bytes::from(state.shared.metrics.encode())));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
            );
            response
        }
        (&Method::GET, ["shadow"]) => {
            let runtime = state.shared.runtime();
            let shadows: Vec<Value> = runtime
                .shadows()
                .map(|shadow| shadow.status_json(false))
                .collect();
            json_response(StatusCode::OK, &json!({ "routes": shadows }))
        }
        (&Method::GET, ["shadow", route_name]) => {
            let runtime = state.shared.runtime();
            match percent_decode(route_name)
                .as_deref()
                .and_then(|route_name| runtime.shadow_of(route_name))
            {
                Some(shadow) => json_response(StatusCode::OK, &shadow.status_json(true)),
                None => json_response(
                    StatusCode::NOT_FOUND,
                    &json!({"error": "no shadowed route of that name", "path": path}),
                ),
            }
        }
        (&Method::PUT, ["routes", route_name, "weights"]) => {
            // Percent-decoded after splitting, so a name may hold `/` and spaces (`%2F`, `%20`).
            let Some(route_name) = percent_decode(route_name) else {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"error": "route name is not valid percent-encoded UTF-8"}),
                );
            };
            let body = match read_body(request).await {
                Ok(body) => body,
                Err(response) => return response,
            };
            set_weights(state, peer, &route_name, &body).await
        }
        (&Method::POST, ["reload"]) => {
            let shared = Arc::clone(&state.shared);
            let result = tokio::task::spawn_blocking(move || reload::reload(&shared)).await;
            let outcome = match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(error.to_string()),
                Err(error) => Err(error.to_string()),
            };
            audit(state, peer, "reload", &json!({}), &outcome);
            match outcome {
                Ok(()) => json_response(StatusCode::OK, &json!({"reloaded": true})),
                Err(error) => {
                    json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({"error": error}))
                }
            }
        }
        (
            _,
            ["routes"]
            | ["upstreams"]
            | ["metrics"]
            | ["reload"]
            | ["routes", _, "weights"]
            | ["shadow"]
            | ["shadow", _]
            | ["status" | "status.js" | "status.css"],
        ) => json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "method not allowed"}),
        ),
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": "not found", "path": path}),
        ),
    }
}

/// `%XX` escapes decoded; `None` for a broken escape or a result that is not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Constant-time comparison of the bearer token.
fn authorized(token: &str, header: Option<&HeaderValue>) -> bool {
    let Some(presented) = header
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, credentials) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| credentials.trim())
        })
    else {
        return false;
    };
    let (expected, presented) = (token.as_bytes(), presented.as_bytes());
    let mut difference = expected.len() ^ presented.len();
    for (index, byte) in expected.iter().enumerate() {
        difference |= usize::from(byte ^ presented.get(index).copied().unwrap_or(0));
    }
    difference == 0
}

async fn read_body(request: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    match Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(json_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &json!({"error": format!("body larger than {MAX_BODY_BYTES} bytes or broken")}),
        )),
    }
}

fn routes_json(state: &AdminState) -> Value {
    let runtime = state.shared.runtime();
    let routes: Vec<Value> = runtime
        .table
        .routes()
        .chain(std::iter::once(runtime.table.default_route()))
        .map(route_json)
        .collect();
    json!({ "routes": routes, "default_upstream": runtime.settings.default_upstream })
}

fn route_json(route: &Route) -> Value {
    let sticky = route.sticky.as_ref().map(|sticky| match sticky {
        Sticky::Header(name) => json!({"header": name}),
        Sticky::Cookie(name) => json!({"cookie": name}),
        Sticky::Query(name) => json!({"query": name}),
    });
    json!({
        "name": route.name,
        "path": route.path.text,
        "methods": route.methods,
        "host": route.host,
        "headers": route.headers.iter().cloned().collect::<BTreeMap<_, _>>(),
        "targets": route.targets.iter().map(|target| json!({"upstream": target.upstream, "weight": target.weight})).collect::<Vec<_>>(),
        "sticky": sticky,
        "allow_override": route.allow_override,
        "fallback": route.fallback,
        "request_timeout_ms": route.request_timeout.map(|timeout| timeout.as_millis() as u64),
        "shadow": route.shadow.as_ref().map(|shadow| json!({
            "upstream": shadow.upstream,
            "percent": shadow.percent,
            "noise_upstream": shadow.noise_upstream,
            "mirror_writes": shadow.mirror_writes,
        })),
    })
}

fn upstreams_json(state: &AdminState) -> Value {
    let runtime = state.shared.runtime();
    let upstreams: Vec<Value> = runtime
        .settings
        .upstreams
        .iter()
        .map(|upstream| {
            let pool = &runtime.upstreams[&upstream.name];
            let addresses: Vec<Value> = pool
                .health()
                .into_iter()
                .map(|health| {
                    json!({
                        "address": health.address,
                        "healthy": health.healthy,
                        "ejected_for_ms": health.ejected_for.map(|left| left.as_millis() as u64),
                        "consecutive_failures": health.consecutive_failures,
                        "health_check_down": health.check_down,
                    })
                })
                .collect();
            json!({"name": upstream.name, "addresses": addresses})
        })
        .collect();
    json!({ "upstreams": upstreams })
}

/// Writes through a temporary file in the same folder and a rename, so a reader never sees
/// half a file.
pub(crate) fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{file_name}.ficus-tmp"));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

fn audit(
    state: &AdminState,
    peer: SocketAddr,
    action: &str,
    details: &Value,
    outcome: &Result<(), String>,
) {
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (result, error) = match outcome {
        Ok(()) => ("ok", None),
        Err(error) => ("failed", Some(error.as_str())),
    };
    tracing::info!(target: "ficus::audit", %peer, action, details = %details, result, error = error.unwrap_or(""), "admin change");
    let Some(audit_log) = &state.audit_log else {
        return;
    };
    let line = json!({"time": time, "peer": peer.to_string(), "action": action, "details": details, "result": result, "error": error});
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(audit_log)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(error) = written {
        tracing::error!(file = %audit_log.display(), %error, "cannot append to the audit log");
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response<Full<Bytes>> {
    let mut body = value.to_string();
    body.push('\n');
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_from_file(token: &str) -> Result<String, String> {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("token");
        std::fs::write(&path, token).unwrap();
        read_token(&TokenSource::File(path))
    }

    #[test]
    fn a_token_shorter_than_32_characters_is_refused_with_its_length() {
        let error = token_from_file("hunter2").unwrap_err();
        assert!(
            error.contains("has 7 characters") && error.contains("at least 32"),
            "{error}"
        );
        let error = token_from_file(&format!("  {}\n", "x".repeat(31))).unwrap_err();
        assert!(error.contains("has 31 characters"), "{error}");
        assert_eq!(
            token_from_file(&format!("{}\n", "x".repeat(32))).unwrap(),
            "x".repeat(32)
        );
        assert!(
            token_from_file("   ")
                .unwrap_err()
                .contains("empty or unset")
        );
    }
}

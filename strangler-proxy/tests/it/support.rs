//! Shared test helpers: upstream servers, the proxy under test, a client, and timeouts. Every
//! server binds `127.0.0.1:0`; every wait is bounded by [`TIMEOUT`].

#![allow(dead_code)]

pub mod admin;
pub mod browser;
pub mod poll;
pub mod raw;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use ficus_proxy::launch::{self, Options, RunningProxy};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Upper bound of every wait in the tests.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A boxed response future of a test upstream's handler.
pub type HandlerFuture = std::pin::Pin<Box<dyn Future<Output = Response<Full<Bytes>>> + Send>>;
/// A test upstream's request handler.
pub type Handler = Arc<dyn Fn(Request<Incoming>) -> HandlerFuture + Send + Sync>;

/// A real HTTP server (HTTP/1.1 and h2c) on an ephemeral loopback port.
pub struct Upstream {
    pub name: String,
    pub addr: SocketAddr,
    /// Requests that reached the handler.
    pub hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Upstream {
    /// An upstream answering `200` with body `<name>` and headers `x-upstream: <name>` and
    /// `x-seen-<header>` echoes are not added: use [`Upstream::echo`] for that.
    pub async fn named(name: &str) -> Upstream {
        let body = name.to_owned();
        Upstream::start(name, move |_request| {
            let body = body.clone();
            Box::pin(async move { Response::new(Full::new(Bytes::from(body))) })
        })
        .await
    }

    /// An upstream that reads the whole request body and answers `read <length>` (`read 0`
    /// when the body failed).
    pub async fn body_length(name: &str) -> Upstream {
        Upstream::start(name, |request| {
            Box::pin(async move {
                let length = request
                    .into_body()
                    .collect()
                    .await
                    .map_or(0, |body| body.to_bytes().len());
                Response::new(Full::new(Bytes::from(format!("read {length}"))))
            })
        })
        .await
    }

    /// An upstream answering with a JSON echo of what it received: `upstream`, `method`,
    /// `path` (with query), `version`, `headers` (name -> list of values) and `body_len`.
    pub async fn echo(name: &str) -> Upstream {
        let upstream_name = name.to_owned();
        Upstream::start(name, move |request: Request<Incoming>| {
            let upstream_name = upstream_name.clone();
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|body| body.to_bytes())
                    .unwrap_or_default();
                let mut headers = serde_json::Map::new();
                for (name, value) in &parts.headers {
                    let entry = headers
                        .entry(name.as_str().to_owned())
                        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let serde_json::Value::Array(values) = entry {
                        values.push(serde_json::Value::String(
                            String::from_utf8_lossy(value.as_bytes()).into_owned(),
                        ));
                    }
                }
                let json = serde_json::json!({
                    "upstream": upstream_name,
                    "method": parts.method.as_str(),
                    "path": parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/"),
                    "version": format!("{:?}", parts.version),
                    "headers": headers,
                    "body_len": body.len(),
                });
                Response::new(Full::new(Bytes::from(json.to_string())))
            })
        })
        .await
    }

    /// An upstream with a custom handler.
    pub async fn start(
        name: &str,
        handler: impl Fn(Request<Incoming>) -> HandlerFuture + Send + Sync + 'static,
    ) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind upstream");
        let addr = listener.local_addr().expect("upstream address");
        let hits = Arc::new(AtomicUsize::new(0));
        let handler: Handler = Arc::new(handler);
        let task = tokio::spawn({
            let hits = Arc::clone(&hits);
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let handler = Arc::clone(&handler);
                    let hits = Arc::clone(&hits);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            hits.fetch_add(1, Ordering::SeqCst);
                            let response = handler(request);
                            async move { Ok::<_, Infallible>(response.await) }
                        });
                        let _ = auto::Builder::new(TokioExecutor::new())
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
        Upstream {
            name: name.to_owned(),
            addr,
            hits,
            task,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Stops accepting and closes the listener (open connections end when their task does).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address nothing listens on: connecting to it is refused at once. The port stays
/// bound (never listening) until the test process ends, so that a server started by another
/// test running in parallel cannot be given it.
pub async fn dead_address() -> SocketAddr {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let addr = socket.local_addr().expect("address");
    // Kept open on purpose (one descriptor per call): see above.
    std::mem::forget(socket);
    addr
}

/// The proxy under test, started from a configuration written to a temporary folder.
pub struct Proxy {
    pub running: Option<RunningProxy>,
    pub addr: SocketAddr,
    pub admin_addr: Option<SocketAddr>,
    pub config_path: PathBuf,
    pub folder: tempfile::TempDir,
}

impl Proxy {
    /// Starts the proxy with `config` (TOML; `listen` is overridden to `127.0.0.1:0`).
    pub async fn start(config: &str) -> Proxy {
        Proxy::start_with_files(config, &[]).await
    }

    /// Like [`Proxy::start`], with `files` (`(name, content)`) written beside the config
    /// first, such as the admin token file (relative paths in the config resolve there).
    pub async fn start_with_files(config: &str, files: &[(&str, &str)]) -> Proxy {
        let folder = tempfile::tempdir().expect("temporary folder");
        for (name, content) in files {
            std::fs::write(folder.path().join(name), content).expect("write file");
        }
        Proxy::start_in_folder(folder, config).await
    }

    /// Like [`Proxy::start`], in a `folder` prepared by the caller (certificates, tokens).
    pub async fn start_in_folder(folder: tempfile::TempDir, config: &str) -> Proxy {
        Proxy::start_workers_in_folder(folder, config, 1).await
    }

    /// Like [`Proxy::start_in_folder`], with `workers` worker threads (the test's runtime is
    /// worker 0).
    pub async fn start_workers_in_folder(
        folder: tempfile::TempDir,
        config: &str,
        workers: usize,
    ) -> Proxy {
        let config_path = folder.path().join("proxy.toml");
        std::fs::write(&config_path, config).expect("write config");
        let running = launch::start(Options {
            config_path: config_path.clone(),
            listen: Some("127.0.0.1:0".parse().expect("address")),
            workers,
        })
        .await
        .expect("proxy starts");
        Proxy {
            addr: running.listen_addr,
            admin_addr: running.admin_addr,
            running: Some(running),
            config_path,
            folder,
        }
    }

    /// `http://<proxy address><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `http://<admin address><path>`; the config must have an `[admin]` table.
    pub fn admin_url(&self, path: &str) -> String {
        let admin_addr = self.admin_addr.expect("the config has an [admin] table");
        format!("http://{admin_addr}{path}")
    }

    /// The path of a file in the proxy's temporary folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }

    pub async fn shutdown(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

/// A config text with one `[[upstream]]` per `(name, address)` and `default_upstream` set to
/// the first; append routes after it.
pub fn config_with_upstreams(upstreams: &[(&str, SocketAddr)]) -> String {
    let mut config = format!("default_upstream = \"{}\"\n", upstreams[0].0);
    for (name, addr) in upstreams {
        config.push_str(&format!(
            "\n[[upstream]]\nname = \"{name}\"\naddresses = [\"{addr}\"]\n"
        ));
    }
    config
}

/// The admin bearer token that [`ADMIN_SECTION`] reads from [`ADMIN_TOKEN_FILE`].
pub const ADMIN_TOKEN: &str = "test-admin-token-4f1c-9d2e-7b3a-1c5f0e8d";
/// Name of the token file to pass to [`Proxy::start_with_files`].
pub const ADMIN_TOKEN_FILE: &str = "admin-token";
/// An `[admin]` table to append to a config: loopback port 0, token from
/// [`ADMIN_TOKEN_FILE`] (no environment variables: tests run in parallel), audit log
/// `audit.log` in the proxy's folder.
pub const ADMIN_SECTION: &str = "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"admin-token\"\naudit_log = \"audit.log\"\n";

/// Starts the proxy with [`ADMIN_SECTION`] appended to `config` and the token file written.
pub async fn start_with_admin(config: &str) -> Proxy {
    let config = format!("{config}{ADMIN_SECTION}");
    Proxy::start_with_files(&config, &[(ADMIN_TOKEN_FILE, &format!("{ADMIN_TOKEN}\n"))]).await
}

/// A request to the admin API with `Authorization: Bearer <token>` when `token` is given.
pub async fn admin(
    client: &Client<HttpConnector, Full<Bytes>>,
    proxy: &Proxy,
    method: http::Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(proxy.admin_url(path));
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let request = builder
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    send(client, request).await
}

/// `PUT /routes/{route}/weights` with the right token; panics unless it answers `200`.
pub async fn set_weights(
    client: &Client<HttpConnector, Full<Bytes>>,
    proxy: &Proxy,
    route: &str,
    weights: &[(&str, u32)],
) {
    let weights: serde_json::Map<String, serde_json::Value> = weights
        .iter()
        .map(|(upstream, weight)| ((*upstream).to_owned(), (*weight).into()))
        .collect();
    let body = serde_json::json!({ "weights": weights }).to_string();
    let path = format!("/routes/{route}/weights");
    let reply = admin(
        client,
        proxy,
        http::Method::PUT,
        &path,
        Some(ADMIN_TOKEN),
        &body,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// An HTTP/1.1 client with keep-alive.
pub fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A completed response: status, headers and body.
pub struct Reply {
    pub status: http::StatusCode,
    pub version: http::Version,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// The values of response header `name`, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("visible ASCII header value"))
    }

    /// The values of request header `name` as an [`Upstream::echo`] received them (empty when
    /// absent).
    pub fn echoed(&self, name: &str) -> Vec<String> {
        let json = self.json();
        let Some(values) = json["headers"][name].as_array() else {
            return Vec::new();
        };
        values
            .iter()
            .map(|value| value.as_str().expect("string header value").to_owned())
            .collect()
    }
}

/// Sends `request` and reads the whole response, within [`TIMEOUT`].
pub async fn send(
    client: &Client<HttpConnector, Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Reply {
    within(async {
        let response = client.request(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body,
        }
    })
    .await
}

/// `GET url` with extra headers.
pub async fn get(
    client: &Client<HttpConnector, Full<Bytes>>,
    url: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut builder = Request::get(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    send(
        client,
        builder.body(Full::new(Bytes::new())).expect("request"),
    )
    .await
}

/// Runs `future` with [`TIMEOUT`]; a test that hangs fails instead.
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("finished within the test timeout")
}

/// The route `table` picks for `method path` with `host`, written as its name followed by
/// `upstream=weight` for each target in order, e.g. `orders monolith=90 service=10`.
pub fn describe_route(
    table: &ficus_proxy::route_table::RouteTable,
    method: &str,
    host: &str,
    path: &str,
) -> String {
    let matched = table.match_request(method, Some(host), path, &[]);
    let mut description = matched.route.name.clone();
    for target in &matched.route.targets {
        description.push_str(&format!(" {}={}", target.upstream, target.weight));
    }
    description
}

//! Test harness: a real shop server on an ephemeral loopback port over a real SQLite file in
//! a temporary directory, and a small HTTP client that speaks JSON to it.
//!
//! Every request is bounded by a timeout so a broken handler fails the test instead of
//! hanging it.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use shop_monolith::{AppState, Db};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A running shop. Dropping it stops the server and deletes its database.
pub struct Shop {
    pub addr: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    dir: TempDir,
}

/// A response: status and body parsed as JSON (`Value::Null` for an empty body).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The `error.code` of an error body.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Reply {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status, body: {}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        self.assert_status(status);
        assert_eq!(
            self.error_code(),
            code,
            "unexpected error body: {}",
            self.body
        );
    }
}

impl Shop {
    /// A shop with the demo data.
    pub async fn start() -> Shop {
        Shop::start_with(true).await
    }

    /// A shop with the schema but no data.
    pub async fn start_empty() -> Shop {
        Shop::start_with(false).await
    }

    async fn start_with(seed: bool) -> Shop {
        Shop::start_in(tempfile::tempdir().expect("temp dir"), seed).await
    }

    /// Stops this server and starts a new one on the same database file, as a restart would.
    pub async fn restart(mut self) -> Shop {
        self.stop_server().await;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        Shop::start_in(dir, true).await
    }

    async fn start_in(dir: TempDir, seed: bool) -> Shop {
        let db = Db::open(&dir.path().join("shop.db"), seed).expect("open database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (shutdown, shutdown_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(shop_monolith::serve(
            listener,
            AppState::new(db),
            async move {
                let _ = shutdown_rx.await;
            },
        ));
        let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        Shop {
            addr,
            client,
            shutdown: Some(shutdown),
            server: Some(server),
            dir,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body.to_string())).await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body.to_string())).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Any method, with a raw body sent as `application/json`.
    pub async fn send(&self, method: Method, path: &str, body: Option<String>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .expect("request");
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.client.request(request))
            .await
            .unwrap_or_else(|_| panic!("request to {path} timed out"))
            .unwrap_or_else(|error| panic!("request to {path} failed: {error}"));
        let status = response.status();
        let bytes = tokio::time::timeout(REQUEST_TIMEOUT, response.into_body().collect())
            .await
            .expect("body timed out")
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                panic!(
                    "{path} answered {status} with a body that is not JSON ({error}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply { status, body }
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        self.stop_server().await;
    }

    async fn stop_server(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let result = tokio::time::timeout(REQUEST_TIMEOUT, server)
                .await
                .expect("server did not stop");
            result.expect("server task").expect("server");
        }
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The `id` field of a JSON object.
#[track_caller]
pub fn id_of(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {body}"))
}

/// `key` of every element of a JSON array, in order.
#[track_caller]
pub fn pluck(body: &Value, key: &str) -> Vec<Value> {
    body.as_array()
        .unwrap_or_else(|| panic!("not an array: {body}"))
        .iter()
        .map(|item| item[key].clone())
        .collect()
}

/// Steps of the order lifecycle that many tests share. Each asserts its own success.
impl Shop {
    /// Adds `quantity` of `product_id` to the customer's cart.
    pub async fn add_to_cart(&self, customer_id: i64, product_id: i64, quantity: i64) -> Value {
        let reply = self
            .post(
                &format!("/api/carts/{customer_id}/items"),
                serde_json::json!({"product_id": product_id, "quantity": quantity}),
            )
            .await;
        reply.assert_status(200);
        reply.body
    }

    /// Checks out the customer's cart: standard shipping to the default address.
    pub async fn checkout(&self, customer_id: i64) -> Value {
        let reply = self
            .post(
                "/api/orders",
                serde_json::json!({"customer_id": customer_id}),
            )
            .await;
        reply.assert_status(201);
        reply.body
    }

    /// Authorises a card payment for the order and captures it; returns the payment.
    pub async fn pay(&self, order_id: i64) -> Value {
        let authorized = self
            .post(
                "/api/payments",
                serde_json::json!({"order_id": order_id, "method": "card"}),
            )
            .await;
        authorized.assert_status(201);
        assert_eq!(authorized.body["status"], "authorized");
        let captured = self
            .post_empty(&format!(
                "/api/payments/{}/capture",
                id_of(&authorized.body)
            ))
            .await;
        captured.assert_status(200);
        assert_eq!(captured.body["status"], "captured");
        captured.body
    }

    /// Creates a DHL standard shipment for a paid order; returns the shipment.
    pub async fn ship(&self, order_id: i64) -> Value {
        let reply = self
            .post(
                "/api/shipments",
                serde_json::json!({"order_id": order_id, "carrier": "dhl"}),
            )
            .await;
        reply.assert_status(201);
        reply.body
    }

    /// The stock report of a product.
    pub async fn stock(&self, product_id: i64) -> Value {
        let reply = self.get(&format!("/api/inventory/{product_id}")).await;
        reply.assert_status(200);
        reply.body
    }

    /// The status of an order.
    pub async fn order_status(&self, order_id: i64) -> String {
        let reply = self.get(&format!("/api/orders/{order_id}")).await;
        reply.assert_status(200);
        reply.body["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

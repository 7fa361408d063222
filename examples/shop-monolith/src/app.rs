//! Assembles the HTTP application: shared state, every domain's routes, and the server loop.
//!
//! Domains contribute routers in two styles on purpose: some are nested under a prefix here,
//! others bring their full paths and are merged.

use std::future::Future;

use axum::{Json, Router, extract::State, routing::get};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::common::{AppError, AppResult};
use crate::db::Db;
use crate::{cart, catalog, customers, inventory, notifications, orders, payments, shipping};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState { db }
    }
}

/// The whole HTTP API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api", api_routes())
        .fallback(unknown_route)
        .with_state(state)
}

fn api_routes() -> Router<AppState> {
    Router::new()
        .nest("/products", catalog::handlers::product_routes())
        .nest("/categories", catalog::handlers::category_routes())
        .nest("/inventory", inventory::handlers::routes())
        .merge(customers::handlers::routes())
        .nest("/carts", cart::handlers::routes())
        .merge(orders::handlers::routes())
        .merge(payments::handlers::routes())
        .merge(shipping::handlers::routes())
        .merge(notifications::handlers::routes())
}

/// Serves `router(state)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let products: i64 = state
        .db
        .call(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM products", [], |row| row.get(0))?))
        .await?;
    Ok(Json(json!({ "status": "ok", "products": products })))
}

async fn unknown_route(uri: axum::http::Uri) -> AppError {
    AppError::not_found(format!("route {}", uri.path()))
}

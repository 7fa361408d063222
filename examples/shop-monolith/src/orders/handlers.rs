//! HTTP endpoints of orders. Paths are full (`/orders/...`); the router is merged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::{Order, OrderFilter, PlaceOrder};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, ApiQuery, AppResult, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list).post(place_order))
        .route("/orders/{id}", get(get_order))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/customers/{id}/orders", get(list_for_customer))
}

async fn place_order(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PlaceOrder>,
) -> AppResult<(StatusCode, Json<Order>)> {
    let order = state
        .db
        .call(move |conn| service::place_order(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(order)))
}

async fn list(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<OrderFilter>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Order>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::list(conn, &filter, page))
            .await?,
    ))
}

async fn get_order(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Order>> {
    Ok(Json(
        state.db.call(move |conn| service::get(conn, id)).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Order>> {
    Ok(Json(
        state.db.call(move |conn| service::cancel(conn, id)).await?,
    ))
}

async fn list_for_customer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Order>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::list_for_customer(conn, id, page))
            .await?,
    ))
}

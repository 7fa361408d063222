//! HTTP endpoints of the cart, nested under `/api/carts`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};

use super::model::{AddItem, Cart, SetQuantity};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, AppResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{customer_id}", get(get_cart).delete(clear_cart))
        .route("/{customer_id}/items", axum::routing::post(add_item))
        .route(
            "/{customer_id}/items/{product_id}",
            put(set_quantity).delete(remove_item),
        )
}

async fn get_cart(
    State(state): State<AppState>,
    ApiPath(customer_id): ApiPath<i64>,
) -> AppResult<Json<Cart>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::get(conn, customer_id))
            .await?,
    ))
}

async fn clear_cart(
    State(state): State<AppState>,
    ApiPath(customer_id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    state
        .db
        .call(move |conn| service::empty(conn, customer_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_item(
    State(state): State<AppState>,
    ApiPath(customer_id): ApiPath<i64>,
    ApiJson(input): ApiJson<AddItem>,
) -> AppResult<Json<Cart>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::add_item(conn, customer_id, input))
            .await?,
    ))
}

async fn set_quantity(
    State(state): State<AppState>,
    ApiPath((customer_id, product_id)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<SetQuantity>,
) -> AppResult<Json<Cart>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::set_quantity(conn, customer_id, product_id, input))
            .await?,
    ))
}

async fn remove_item(
    State(state): State<AppState>,
    ApiPath((customer_id, product_id)): ApiPath<(i64, i64)>,
) -> AppResult<Json<Cart>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::remove_item(conn, customer_id, product_id))
            .await?,
    ))
}

//! HTTP endpoints of payments. Paths are full; the router is merged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::{Authorize, Payment, RefundRequest};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, AppResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payments", post(authorize))
        .route("/payments/{id}", get(get_payment))
        .route("/payments/{id}/capture", post(capture))
        .route("/payments/{id}/refunds", post(refund))
        .route("/orders/{id}/payments", get(for_order))
}

async fn authorize(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Authorize>,
) -> AppResult<(StatusCode, Json<Payment>)> {
    let payment = state
        .db
        .call(move |conn| service::authorize(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(payment)))
}

async fn get_payment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Payment>> {
    Ok(Json(
        state.db.call(move |conn| service::get(conn, id)).await?,
    ))
}

async fn capture(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Payment>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::capture(conn, id))
            .await?,
    ))
}

async fn refund(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RefundRequest>,
) -> AppResult<Json<Payment>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::refund(conn, id, input))
            .await?,
    ))
}

async fn for_order(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<Payment>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::for_order(conn, id))
            .await?,
    ))
}

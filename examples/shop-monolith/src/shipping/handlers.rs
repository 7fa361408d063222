//! HTTP endpoints of shipping. Paths are full; the router is merged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::{NewShipment, RateQuery, RateQuote, Shipment};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, ApiQuery, AppResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shipping/rates", get(rates))
        .route("/shipments", post(create))
        .route("/shipments/{id}", get(get_shipment))
        .route("/shipments/{id}/dispatch", post(dispatch))
        .route("/shipments/{id}/deliver", post(deliver))
}

async fn rates(ApiQuery(query): ApiQuery<RateQuery>) -> AppResult<Json<RateQuote>> {
    Ok(Json(service::quote(&query)?))
}

async fn create(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewShipment>,
) -> AppResult<(StatusCode, Json<Shipment>)> {
    let shipment = state
        .db
        .call(move |conn| service::create(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(shipment)))
}

async fn get_shipment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Shipment>> {
    Ok(Json(
        state.db.call(move |conn| service::get(conn, id)).await?,
    ))
}

async fn dispatch(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Shipment>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::dispatch(conn, id))
            .await?,
    ))
}

async fn deliver(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Shipment>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::deliver(conn, id))
            .await?,
    ))
}

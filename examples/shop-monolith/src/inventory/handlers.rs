//! HTTP endpoints of inventory, nested under `/api/inventory`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::{Adjustment, SetStock, StockLevel, StockReport};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, AppResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/low-stock", get(low_stock))
        .route("/{product_id}", get(stock_report).put(set_stock))
        .route("/{product_id}/adjustments", post(adjust))
}

async fn low_stock(State(state): State<AppState>) -> AppResult<Json<Vec<StockLevel>>> {
    Ok(Json(state.db.call(|conn| service::low_stock(conn)).await?))
}

async fn stock_report(
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<i64>,
) -> AppResult<Json<StockReport>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::stock_report(conn, product_id))
            .await?,
    ))
}

async fn set_stock(
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<i64>,
    ApiJson(input): ApiJson<SetStock>,
) -> AppResult<Json<StockLevel>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::set_stock(conn, product_id, input))
            .await?,
    ))
}

async fn adjust(
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<i64>,
    ApiJson(input): ApiJson<Adjustment>,
) -> AppResult<Json<StockLevel>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::adjust(conn, product_id, input))
            .await?,
    ))
}

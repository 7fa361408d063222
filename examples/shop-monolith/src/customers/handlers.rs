//! HTTP endpoints of customers. Paths are full (`/customers/...`); the router is merged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::model::{Address, Customer, CustomerUpdate, NewAddress, NewCustomer};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, ApiQuery, AppResult, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(register))
        .route("/customers/{id}", get(get_customer).put(update))
        .route(
            "/customers/{id}/addresses",
            get(addresses).post(add_address),
        )
}

async fn list(
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Customer>>> {
    Ok(Json(
        state.db.call(move |conn| service::list(conn, page)).await?,
    ))
}

async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewCustomer>,
) -> AppResult<(StatusCode, Json<Customer>)> {
    let customer = state
        .db
        .call(move |conn| service::register(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(customer)))
}

async fn get_customer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Customer>> {
    Ok(Json(
        state.db.call(move |conn| service::get(conn, id)).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CustomerUpdate>,
) -> AppResult<Json<Customer>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::update(conn, id, input))
            .await?,
    ))
}

async fn addresses(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<Address>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::addresses(conn, id))
            .await?,
    ))
}

async fn add_address(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<NewAddress>,
) -> AppResult<(StatusCode, Json<Address>)> {
    let address = state
        .db
        .call(move |conn| service::add_address(conn, id, input))
        .await?;
    Ok((StatusCode::CREATED, Json(address)))
}

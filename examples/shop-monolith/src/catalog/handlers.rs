//! HTTP endpoints of the catalog: `/api/products` and `/api/categories`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::model::{Category, NewCategory, NewProduct, Product, ProductFilter, ProductUpdate};
use super::service;
use crate::app::AppState;
use crate::common::{ApiJson, ApiPath, ApiQuery, AppResult, Page};

/// Nested under `/api/products`.
pub fn product_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list_products).post(create_product))
        .route(
            "/{id}",
            get(get_product).put(update_product).delete(retire_product),
        )
}

/// Nested under `/api/categories`.
pub fn category_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list_categories).post(create_category))
        .route("/{id}/products", get(products_in_category))
}

async fn list_products(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<ProductFilter>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Product>>> {
    let products = state
        .db
        .call(move |conn| service::list_products(conn, &filter, page))
        .await?;
    Ok(Json(products))
}

async fn get_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Product>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::get_product(conn, id))
            .await?,
    ))
}

async fn create_product(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewProduct>,
) -> AppResult<(StatusCode, Json<Product>)> {
    let product = state
        .db
        .call(move |conn| service::create_product(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(product)))
}

async fn update_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(update): ApiJson<ProductUpdate>,
) -> AppResult<Json<Product>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::update_product(conn, id, update))
            .await?,
    ))
}

async fn retire_product(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    state
        .db
        .call(move |conn| service::retire_product(conn, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_categories(State(state): State<AppState>) -> AppResult<Json<Vec<Category>>> {
    Ok(Json(
        state.db.call(|conn| service::list_categories(conn)).await?,
    ))
}

async fn create_category(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewCategory>,
) -> AppResult<(StatusCode, Json<Category>)> {
    let category = state
        .db
        .call(move |conn| service::create_category(conn, input))
        .await?;
    Ok((StatusCode::CREATED, Json(category)))
}

async fn products_in_category(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Product>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::products_in_category(conn, id, page))
            .await?,
    ))
}

//! HTTP endpoints of notifications. Paths are full; the router is merged.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::model::{Notification, NotificationFilter};
use super::service;
use crate::app::AppState;
use crate::common::{ApiPath, ApiQuery, AppResult, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/{id}", get(get_notification))
        .route("/notifications/{id}/read", post(mark_read))
        .route("/customers/{id}/notifications", get(for_customer))
}

async fn list(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<NotificationFilter>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Notification>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::list(conn, &filter, page))
            .await?,
    ))
}

async fn get_notification(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Notification>> {
    Ok(Json(
        state.db.call(move |conn| service::get(conn, id)).await?,
    ))
}

async fn mark_read(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Notification>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::mark_read(conn, id))
            .await?,
    ))
}

async fn for_customer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<Page>,
) -> AppResult<Json<Vec<Notification>>> {
    Ok(Json(
        state
            .db
            .call(move |conn| service::for_customer(conn, id, page))
            .await?,
    ))
}

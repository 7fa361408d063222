//! Notification rules: every message has a recipient address at the time it was written.

use rusqlite::Connection;

use super::model::{Notification, NotificationFilter};
use super::repository;
use crate::common::{AppError, AppResult, Page, validation};

/// Public API: queue a message to a customer. Returns the notification id.
pub fn notify(
    conn: &Connection,
    customer_id: i64,
    kind: &str,
    subject: &str,
    body: &str,
) -> AppResult<i64> {
    let recipient = repository::recipient(conn, customer_id)?
        .ok_or_else(|| AppError::not_found(format!("customer {customer_id}")))?;
    let subject = validation::non_empty("subject", subject)?;
    let id = repository::insert(conn, customer_id, kind, &recipient, &subject, body)?;
    tracing::debug!(customer_id, kind, id, "notification queued");
    Ok(id)
}

pub fn list(
    conn: &Connection,
    filter: &NotificationFilter,
    page: Page,
) -> AppResult<Vec<Notification>> {
    let (limit, offset) = page.resolve()?;
    Ok(repository::list(
        conn,
        filter.customer_id,
        filter.unread_only,
        limit,
        offset,
    )?)
}

pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    page: Page,
) -> AppResult<Vec<Notification>> {
    if repository::recipient(conn, customer_id)?.is_none() {
        return Err(AppError::not_found(format!("customer {customer_id}")));
    }
    list(
        conn,
        &NotificationFilter {
            customer_id: Some(customer_id),
            unread_only: false,
        },
        page,
    )
}

pub fn get(conn: &Connection, id: i64) -> AppResult<Notification> {
    repository::find(conn, id)?.ok_or_else(|| AppError::not_found(format!("notification {id}")))
}

pub fn mark_read(conn: &Connection, id: i64) -> AppResult<Notification> {
    if repository::mark_read(conn, id)? == 0 {
        return Err(AppError::not_found(format!("notification {id}")));
    }
    get(conn, id)
}

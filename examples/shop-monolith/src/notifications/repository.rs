//! SQL for the notification outbox, plus a direct read of `customers`.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::Notification;

fn notification_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Notification> {
    Ok(Notification {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        channel: row.get(2)?,
        kind: row.get(3)?,
        recipient: row.get(4)?,
        subject: row.get(5)?,
        body: row.get(6)?,
        read: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// The customer's e-mail address, read from the customers domain's table.
pub fn recipient(conn: &Connection, customer_id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT email FROM customers WHERE id = ?1",
        [customer_id],
        |row| row.get(0),
    )
    .optional()
}

pub fn insert(
    conn: &Connection,
    customer_id: i64,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO notifications (customer_id, channel, kind, recipient, subject, body)
         VALUES (?1, 'email', ?2, ?3, ?4, ?5)",
        params![customer_id, kind, recipient, subject, body],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Notification>> {
    conn.query_row(
        "SELECT id, customer_id, channel, kind, recipient, subject, body, read, created_at
         FROM notifications WHERE id = ?1",
        [id],
        notification_from_row,
    )
    .optional()
}

pub fn list(
    conn: &Connection,
    customer_id: Option<i64>,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<Vec<Notification>> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, channel, kind, recipient, subject, body, read, created_at
         FROM notifications
         WHERE (?1 IS NULL OR customer_id = ?1) AND (NOT ?2 OR read = 0)
         ORDER BY id DESC LIMIT ?3 OFFSET ?4",
    )?;
    let rows = stmt.query_map(
        params![customer_id, unread_only, limit, offset],
        notification_from_row,
    )?;
    rows.collect()
}

pub fn mark_read(conn: &Connection, id: i64) -> rusqlite::Result<usize> {
    conn.execute("UPDATE notifications SET read = 1 WHERE id = ?1", [id])
}

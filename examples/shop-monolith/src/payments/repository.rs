//! SQL for payments and refunds.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::{Payment, Refund};

fn payment_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Payment> {
    Ok(Payment {
        id: row.get(0)?,
        order_id: row.get(1)?,
        amount_cents: row.get(2)?,
        method: row.get(3)?,
        status: row.get(4)?,
        reference: row.get(5)?,
        refunded_cents: row.get(6)?,
        refunds: Vec::new(),
    })
}

const PAYMENT_SELECT: &str =
    "SELECT p.id, p.order_id, p.amount_cents, p.method, p.status, p.reference,
            COALESCE((SELECT SUM(r.amount_cents) FROM refunds r WHERE r.payment_id = p.id), 0)
     FROM payments p";

pub fn insert(
    conn: &Connection,
    order_id: i64,
    amount_cents: i64,
    method: &str,
    status: &str,
    reference: &str,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO payments (order_id, amount_cents, method, status, reference) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![order_id, amount_cents, method, status, reference],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Payment>> {
    let payment = conn
        .query_row(
            &format!("{PAYMENT_SELECT} WHERE p.id = ?1"),
            [id],
            payment_from_row,
        )
        .optional()?;
    match payment {
        Some(mut payment) => {
            payment.refunds = refunds(conn, id)?;
            Ok(Some(payment))
        }
        None => Ok(None),
    }
}

pub fn for_order(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<Payment>> {
    let mut stmt = conn.prepare(&format!(
        "{PAYMENT_SELECT} WHERE p.order_id = ?1 ORDER BY p.id"
    ))?;
    let payments: Vec<Payment> = stmt
        .query_map([order_id], payment_from_row)?
        .collect::<Result<_, _>>()?;
    payments
        .into_iter()
        .map(|mut payment| {
            payment.refunds = refunds(conn, payment.id)?;
            Ok(payment)
        })
        .collect()
}

pub fn set_status(conn: &Connection, id: i64, status: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE payments SET status = ?2 WHERE id = ?1",
        params![id, status],
    )
}

pub fn insert_refund(
    conn: &Connection,
    payment_id: i64,
    amount_cents: i64,
    reason: &str,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO refunds (payment_id, amount_cents, reason) VALUES (?1, ?2, ?3)",
        params![payment_id, amount_cents, reason],
    )?;
    Ok(conn.last_insert_rowid())
}

fn refunds(conn: &Connection, payment_id: i64) -> rusqlite::Result<Vec<Refund>> {
    let mut stmt =
        conn.prepare("SELECT id, amount_cents, reason, created_at FROM refunds WHERE payment_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([payment_id], |row| {
        Ok(Refund {
            id: row.get(0)?,
            amount_cents: row.get(1)?,
            reason: row.get(2)?,
            created_at: row.get(3)?,
        })
    })?;
    rows.collect()
}

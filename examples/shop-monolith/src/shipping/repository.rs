//! SQL for shipments, plus direct reads and writes of the orders tables.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::{Shipment, ShippableOrder};

const SHIPMENT_COLUMNS: &str = "id, order_id, address_id, carrier, service_level, cost_cents, tracking_number, \
                                status, dispatched_at, delivered_at";

fn shipment_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Shipment> {
    Ok(Shipment {
        id: row.get(0)?,
        order_id: row.get(1)?,
        address_id: row.get(2)?,
        carrier: row.get(3)?,
        service_level: row.get(4)?,
        cost_cents: row.get(5)?,
        tracking_number: row.get(6)?,
        status: row.get(7)?,
        dispatched_at: row.get(8)?,
        delivered_at: row.get(9)?,
    })
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Shipment>> {
    conn.query_row(
        &format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = ?1"),
        [id],
        shipment_from_row,
    )
    .optional()
}

pub fn for_order(conn: &Connection, order_id: i64) -> rusqlite::Result<Option<Shipment>> {
    conn.query_row(
        &format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE order_id = ?1 ORDER BY id DESC LIMIT 1"
        ),
        [order_id],
        shipment_from_row,
    )
    .optional()
}

pub fn insert(
    conn: &Connection,
    order: &ShippableOrder,
    carrier: &str,
    service_level: &str,
    cost_cents: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO shipments (order_id, address_id, carrier, service_level, cost_cents, status)
         VALUES (?1, ?2, ?3, ?4, ?5, 'created')",
        params![
            order.id,
            order.shipping_address_id,
            carrier,
            service_level,
            cost_cents
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn mark_dispatched(
    conn: &Connection,
    id: i64,
    tracking_number: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE shipments SET status = 'in_transit', tracking_number = ?2, dispatched_at = CURRENT_TIMESTAMP
         WHERE id = ?1 AND status = 'created'",
        params![id, tracking_number],
    )
}

pub fn mark_delivered(conn: &Connection, id: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE shipments SET status = 'delivered', delivered_at = CURRENT_TIMESTAMP
         WHERE id = ?1 AND status = 'in_transit'",
        [id],
    )
}

/// Reads the order and its shipping country without asking the orders domain.
pub fn shippable_order(
    conn: &Connection,
    order_id: i64,
) -> rusqlite::Result<Option<ShippableOrder>> {
    conn.query_row(
        "SELECT o.id, o.customer_id, o.status, o.subtotal_cents, o.shipping_address_id, a.country
         FROM orders o LEFT JOIN addresses a ON a.id = o.shipping_address_id
         WHERE o.id = ?1",
        [order_id],
        |row| {
            Ok(ShippableOrder {
                id: row.get(0)?,
                customer_id: row.get(1)?,
                status: row.get(2)?,
                subtotal_cents: row.get(3)?,
                shipping_address_id: row.get(4)?,
                country: row.get(5)?,
            })
        },
    )
    .optional()
}

/// `(product_id, quantity)` of every item in the order, from the orders domain's table.
pub fn order_quantities(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = conn
        .prepare("SELECT product_id, quantity FROM order_items WHERE order_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([order_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Writes the orders domain's status column directly.
pub fn set_order_status(conn: &Connection, order_id: i64, status: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE orders SET status = ?2, updated_at = CURRENT_TIMESTAMP WHERE id = ?1",
        params![order_id, status],
    )
}

//! SQL for orders and their items.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Order, OrderFilter, OrderItem, OrderStatus, OrderSummary};
use crate::common::money::format_cents;

impl FromSql for OrderStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<OrderStatus> {
        value
            .as_str()?
            .parse()
            .map_err(|message: String| FromSqlError::Other(message.into()))
    }
}

/// A new order row, before it has an id.
pub struct OrderRow<'a> {
    pub customer_id: i64,
    pub shipping_address_id: i64,
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub shipping_cents: i64,
    pub items: &'a [OrderItem],
}

const ORDER_COLUMNS: &str = "id, customer_id, shipping_address_id, status, subtotal_cents, tax_cents, \
                             shipping_cents, total_cents, created_at";

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    let total_cents: i64 = row.get(7)?;
    Ok(Order {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        shipping_address_id: row.get(2)?,
        status: row.get(3)?,
        subtotal_cents: row.get(4)?,
        tax_cents: row.get(5)?,
        shipping_cents: row.get(6)?,
        total_cents,
        total: format_cents(total_cents),
        created_at: row.get(8)?,
        items: Vec::new(),
    })
}

pub fn insert(conn: &Connection, order: &OrderRow<'_>) -> rusqlite::Result<i64> {
    let total = order.subtotal_cents + order.tax_cents + order.shipping_cents;
    conn.execute(
        "INSERT INTO orders (customer_id, shipping_address_id, status, subtotal_cents, tax_cents, shipping_cents, total_cents)
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6)",
        params![
            order.customer_id,
            order.shipping_address_id,
            order.subtotal_cents,
            order.tax_cents,
            order.shipping_cents,
            total
        ],
    )?;
    let order_id = conn.last_insert_rowid();
    let mut insert_item = conn.prepare(
        "INSERT INTO order_items (order_id, product_id, sku, name, unit_price_cents, quantity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for item in order.items {
        insert_item.execute(params![
            order_id,
            item.product_id,
            item.sku,
            item.name,
            item.unit_price_cents,
            item.quantity
        ])?;
    }
    Ok(order_id)
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    let order = conn
        .query_row(
            &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"),
            [id],
            order_from_row,
        )
        .optional()?;
    match order {
        Some(mut order) => {
            order.items = items(conn, id)?;
            Ok(Some(order))
        }
        None => Ok(None),
    }
}

pub fn items(conn: &Connection, order_id: i64) -> rusqlite::Result<Vec<OrderItem>> {
    let mut stmt = conn.prepare(
        "SELECT product_id, sku, name, unit_price_cents, quantity FROM order_items
         WHERE order_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([order_id], |row| {
        Ok(OrderItem {
            product_id: row.get(0)?,
            sku: row.get(1)?,
            name: row.get(2)?,
            unit_price_cents: row.get(3)?,
            quantity: row.get(4)?,
        })
    })?;
    rows.collect()
}

pub fn list(
    conn: &Connection,
    filter: &OrderFilter,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<Vec<Order>> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, shipping_address_id, status, subtotal_cents, tax_cents, shipping_cents, total_cents, created_at
         FROM orders
         WHERE (?1 IS NULL OR customer_id = ?1) AND (?2 IS NULL OR status = ?2)
         ORDER BY id DESC LIMIT ?3 OFFSET ?4",
    )?;
    let status = filter.status.map(OrderStatus::as_str);
    let orders: Vec<Order> = stmt
        .query_map(
            params![filter.customer_id, status, limit, offset],
            order_from_row,
        )?
        .collect::<Result<_, _>>()?;
    orders
        .into_iter()
        .map(|mut order| {
            order.items = items(conn, order.id)?;
            Ok(order)
        })
        .collect()
}

pub fn summary(conn: &Connection, id: i64) -> rusqlite::Result<Option<OrderSummary>> {
    conn.query_row(
        "SELECT id, customer_id, status, total_cents FROM orders WHERE id = ?1",
        [id],
        |row| {
            Ok(OrderSummary {
                id: row.get(0)?,
                customer_id: row.get(1)?,
                status: row.get(2)?,
                total_cents: row.get(3)?,
            })
        },
    )
    .optional()
}

/// Moves an order from one status to another; returns false if it was not in `from`.
pub fn transition(
    conn: &Connection,
    id: i64,
    from: &[OrderStatus],
    to: OrderStatus,
) -> rusqlite::Result<bool> {
    let current: Option<OrderStatus> = conn
        .query_row("SELECT status FROM orders WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    match current {
        Some(status) if from.contains(&status) => {
            conn.execute(
                "UPDATE orders SET status = ?2, updated_at = CURRENT_TIMESTAMP WHERE id = ?1",
                params![id, to.as_str()],
            )?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

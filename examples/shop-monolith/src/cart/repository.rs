//! SQL for carts. Joins the catalog's `products` table directly for names and prices.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::CartLine;

pub fn find_cart_id(conn: &Connection, customer_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM carts WHERE customer_id = ?1",
        [customer_id],
        |row| row.get(0),
    )
    .optional()
}

pub fn open_cart(conn: &Connection, customer_id: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO carts (customer_id) VALUES (?1)
         ON CONFLICT (customer_id) DO UPDATE SET updated_at = CURRENT_TIMESTAMP",
        [customer_id],
    )?;
    conn.query_row(
        "SELECT id FROM carts WHERE customer_id = ?1",
        [customer_id],
        |row| row.get(0),
    )
}

pub fn lines(conn: &Connection, cart_id: i64) -> rusqlite::Result<Vec<CartLine>> {
    let mut stmt = conn.prepare(
        "SELECT ci.product_id, p.sku, p.name, ci.quantity, p.price_cents, p.active
         FROM cart_items ci JOIN products p ON p.id = ci.product_id
         WHERE ci.cart_id = ?1 ORDER BY ci.product_id",
    )?;
    let rows = stmt.query_map([cart_id], |row| {
        let quantity: i64 = row.get(3)?;
        let unit_price_cents: i64 = row.get(4)?;
        Ok(CartLine {
            product_id: row.get(0)?,
            sku: row.get(1)?,
            name: row.get(2)?,
            quantity,
            unit_price_cents,
            line_total_cents: quantity * unit_price_cents,
            available: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// Whether the product exists and is on sale, straight from the catalog's table.
pub fn product_on_sale(conn: &Connection, product_id: i64) -> rusqlite::Result<Option<bool>> {
    conn.query_row(
        "SELECT active FROM products WHERE id = ?1",
        [product_id],
        |row| row.get(0),
    )
    .optional()
}

pub fn add_quantity(
    conn: &Connection,
    cart_id: i64,
    product_id: i64,
    quantity: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?1, ?2, ?3)
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity",
        params![cart_id, product_id, quantity],
    )?;
    Ok(())
}

pub fn set_quantity(
    conn: &Connection,
    cart_id: i64,
    product_id: i64,
    quantity: i64,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE cart_items SET quantity = ?3 WHERE cart_id = ?1 AND product_id = ?2",
        params![cart_id, product_id, quantity],
    )
}

pub fn remove_item(conn: &Connection, cart_id: i64, product_id: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM cart_items WHERE cart_id = ?1 AND product_id = ?2",
        params![cart_id, product_id],
    )
}

pub fn remove_all(conn: &Connection, cart_id: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM cart_items WHERE cart_id = ?1", [cart_id])
}

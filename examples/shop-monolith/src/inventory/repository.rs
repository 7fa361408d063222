//! SQL for stock levels and the movement journal.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::{Movement, StockLevel};

fn level_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StockLevel> {
    let on_hand: i64 = row.get(2)?;
    let reserved: i64 = row.get(3)?;
    Ok(StockLevel {
        product_id: row.get(0)?,
        sku: row.get(1)?,
        on_hand,
        reserved,
        available: on_hand - reserved,
        reorder_level: row.get(4)?,
    })
}

pub fn find_level(conn: &Connection, product_id: i64) -> rusqlite::Result<Option<StockLevel>> {
    conn.query_row(
        "SELECT s.product_id, p.sku, s.on_hand, s.reserved, s.reorder_level
         FROM stock_levels s JOIN products p ON p.id = s.product_id
         WHERE s.product_id = ?1",
        [product_id],
        level_from_row,
    )
    .optional()
}

pub fn low_stock(conn: &Connection) -> rusqlite::Result<Vec<StockLevel>> {
    let mut stmt = conn.prepare(
        "SELECT s.product_id, p.sku, s.on_hand, s.reserved, s.reorder_level
         FROM stock_levels s JOIN products p ON p.id = s.product_id
         WHERE s.on_hand - s.reserved <= s.reorder_level AND p.active = 1
         ORDER BY s.on_hand - s.reserved, s.product_id",
    )?;
    let rows = stmt.query_map([], level_from_row)?;
    rows.collect()
}

pub fn upsert_level(
    conn: &Connection,
    product_id: i64,
    on_hand: i64,
    reorder_level: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO stock_levels (product_id, on_hand, reorder_level) VALUES (?1, ?2, COALESCE(?3, 5))
         ON CONFLICT (product_id) DO UPDATE SET
             on_hand = excluded.on_hand,
             reorder_level = COALESCE(?3, stock_levels.reorder_level),
             updated_at = CURRENT_TIMESTAMP",
        params![product_id, on_hand, reorder_level],
    )?;
    Ok(())
}

pub fn add_on_hand(conn: &Connection, product_id: i64, delta: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE stock_levels SET on_hand = on_hand + ?2, updated_at = CURRENT_TIMESTAMP
         WHERE product_id = ?1 AND on_hand + ?2 >= reserved",
        params![product_id, delta],
    )
}

/// Moves `quantity` from available to reserved if that many are available. Returns whether it did.
pub fn reserve_stock(conn: &Connection, product_id: i64, quantity: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE stock_levels SET reserved = reserved + ?2, updated_at = CURRENT_TIMESTAMP
         WHERE product_id = ?1 AND on_hand - reserved >= ?2",
        params![product_id, quantity],
    )?;
    Ok(changed == 1)
}

pub fn release_stock(conn: &Connection, product_id: i64, quantity: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE stock_levels SET reserved = MAX(reserved - ?2, 0), updated_at = CURRENT_TIMESTAMP
         WHERE product_id = ?1",
        params![product_id, quantity],
    )
}

/// Reserved units leave the warehouse: both counters go down.
pub fn ship_stock(conn: &Connection, product_id: i64, quantity: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE stock_levels SET on_hand = on_hand - ?2, reserved = reserved - ?2, updated_at = CURRENT_TIMESTAMP
         WHERE product_id = ?1 AND reserved >= ?2 AND on_hand >= ?2",
        params![product_id, quantity],
    )
}

pub fn record_movement(
    conn: &Connection,
    product_id: i64,
    delta: i64,
    reason: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO stock_movements (product_id, delta, reason) VALUES (?1, ?2, ?3)",
        params![product_id, delta, reason],
    )?;
    Ok(())
}

pub fn recent_movements(
    conn: &Connection,
    product_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Movement>> {
    let mut stmt = conn.prepare(
        "SELECT id, delta, reason, created_at FROM stock_movements
         WHERE product_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![product_id, limit], |row| {
        Ok(Movement {
            id: row.get(0)?,
            delta: row.get(1)?,
            reason: row.get(2)?,
            created_at: row.get(3)?,
        })
    })?;
    rows.collect()
}

//! Inventory rules: stock never goes negative, every change is journaled.

use rusqlite::Connection;

use super::model::{Adjustment, SetStock, StockLevel, StockReport};
use super::repository;
use crate::catalog;
use crate::common::{AppError, AppResult, validation};

const REPORT_MOVEMENTS: i64 = 10;

pub fn stock_report(conn: &Connection, product_id: i64) -> AppResult<StockReport> {
    let level = level(conn, product_id)?;
    let movements = repository::recent_movements(conn, product_id, REPORT_MOVEMENTS)?;
    Ok(StockReport { level, movements })
}

pub fn low_stock(conn: &Connection) -> AppResult<Vec<StockLevel>> {
    Ok(repository::low_stock(conn)?)
}

pub fn set_stock(conn: &mut Connection, product_id: i64, input: SetStock) -> AppResult<StockLevel> {
    if input.on_hand < 0 {
        return Err(AppError::bad_request("on_hand must not be negative"));
    }
    if input.reorder_level.is_some_and(|level| level < 0) {
        return Err(AppError::bad_request("reorder_level must not be negative"));
    }
    // Through the catalog's API: the product must exist.
    catalog::product_summary(conn, product_id)?;
    let tx = conn.transaction()?;
    let before = repository::find_level(&tx, product_id)?;
    if let Some(before) = &before
        && input.on_hand < before.reserved
    {
        return Err(AppError::conflict(format!(
            "{} units are reserved; on_hand cannot go below that",
            before.reserved
        )));
    }
    repository::upsert_level(&tx, product_id, input.on_hand, input.reorder_level)?;
    let delta = input.on_hand - before.map_or(0, |level| level.on_hand);
    repository::record_movement(&tx, product_id, delta, "stock count")?;
    tx.commit()?;
    level(conn, product_id)
}

pub fn adjust(conn: &mut Connection, product_id: i64, input: Adjustment) -> AppResult<StockLevel> {
    let reason = validation::non_empty("reason", &input.reason)?;
    if input.delta == 0 {
        return Err(AppError::bad_request("delta must not be zero"));
    }
    let tx = conn.transaction()?;
    if repository::add_on_hand(&tx, product_id, input.delta)? == 0 {
        return match repository::find_level(&tx, product_id)? {
            None => Err(AppError::not_found(format!(
                "stock for product {product_id}"
            ))),
            Some(_) => Err(AppError::conflict(
                "not enough unreserved stock for that adjustment",
            )),
        };
    }
    repository::record_movement(&tx, product_id, input.delta, &reason)?;
    tx.commit()?;
    level(conn, product_id)
}

/// Public API: promise `quantity` units to an order, or fail if they are not available.
pub fn reserve(conn: &Connection, product_id: i64, quantity: i64) -> AppResult<()> {
    if !repository::reserve_stock(conn, product_id, quantity)? {
        return Err(AppError::conflict(format!(
            "not enough stock for product {product_id}"
        )));
    }
    repository::record_movement(conn, product_id, 0, &format!("reserved {quantity}"))?;
    Ok(())
}

/// Public API: give back units reserved for an order that will not ship.
pub fn release(conn: &Connection, product_id: i64, quantity: i64) -> AppResult<()> {
    repository::release_stock(conn, product_id, quantity)?;
    repository::record_movement(conn, product_id, 0, &format!("released {quantity}"))?;
    Ok(())
}

/// Public API: reserved units have left the warehouse.
pub fn commit_reservation(conn: &Connection, product_id: i64, quantity: i64) -> AppResult<()> {
    if repository::ship_stock(conn, product_id, quantity)? == 0 {
        return Err(AppError::conflict(format!(
            "product {product_id} has fewer than {quantity} units reserved"
        )));
    }
    repository::record_movement(conn, product_id, -quantity, "shipped")?;
    Ok(())
}

fn level(conn: &Connection, product_id: i64) -> AppResult<StockLevel> {
    repository::find_level(conn, product_id)?
        .ok_or_else(|| AppError::not_found(format!("stock for product {product_id}")))
}

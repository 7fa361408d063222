//! SQL for categories and products.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Category, NewCategory, NewProduct, Product, ProductFilter, ProductSummary};
use crate::common::money::format_cents;

const PRODUCT_COLUMNS: &str = "id, sku, name, description, price_cents, category_id, active";

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let price_cents: i64 = row.get(4)?;
    Ok(Product {
        id: row.get(0)?,
        sku: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        price_cents,
        price: format_cents(price_cents),
        category_id: row.get(5)?,
        active: row.get(6)?,
    })
}

pub fn list_products(
    conn: &Connection,
    filter: &ProductFilter,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<Vec<Product>> {
    let pattern = filter.q.as_deref().map(|q| format!("%{}%", q.trim()));
    let mut stmt = conn.prepare(
        "SELECT id, sku, name, description, price_cents, category_id, active FROM products
         WHERE (?1 IS NULL OR category_id = ?1)
           AND (?2 IS NULL OR name LIKE ?2 OR sku LIKE ?2)
           AND (?3 OR active = 1)
         ORDER BY id LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt.query_map(
        params![
            filter.category_id,
            pattern,
            filter.include_inactive,
            limit,
            offset
        ],
        product_from_row,
    )?;
    rows.collect()
}

pub fn find_product(conn: &Connection, id: i64) -> rusqlite::Result<Option<Product>> {
    conn.query_row(
        &format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1"),
        [id],
        product_from_row,
    )
    .optional()
}

pub fn find_summary(conn: &Connection, id: i64) -> rusqlite::Result<ProductSummary> {
    conn.query_row(
        "SELECT id, sku, name, price_cents, active FROM products WHERE id = ?1",
        [id],
        |row| {
            Ok(ProductSummary {
                id: row.get(0)?,
                sku: row.get(1)?,
                name: row.get(2)?,
                price_cents: row.get(3)?,
                active: row.get(4)?,
            })
        },
    )
}

pub fn insert_product(conn: &Connection, product: &NewProduct) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO products (sku, name, description, price_cents, category_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![product.sku, product.name, product.description, product.price_cents, product.category_id],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update_product(conn: &Connection, product: &Product) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE products SET name = ?2, description = ?3, price_cents = ?4, category_id = ?5, active = ?6
         WHERE id = ?1",
        params![
            product.id,
            product.name,
            product.description,
            product.price_cents,
            product.category_id,
            product.active
        ],
    )
}

/// Products are never deleted (orders refer to them); they are retired.
pub fn deactivate_product(conn: &Connection, id: i64) -> rusqlite::Result<usize> {
    conn.execute("UPDATE products SET active = 0 WHERE id = ?1", [id])
}

pub fn list_categories(conn: &Connection) -> rusqlite::Result<Vec<Category>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.name, c.description, COUNT(p.id)
         FROM categories c LEFT JOIN products p ON p.category_id = c.id AND p.active = 1
         GROUP BY c.id ORDER BY c.name",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Category {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            product_count: row.get(3)?,
        })
    })?;
    rows.collect()
}

pub fn category_exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM categories WHERE id = ?1)",
        [id],
        |row| row.get(0),
    )
}

pub fn insert_category(conn: &Connection, category: &NewCategory) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO categories (name, description) VALUES (?1, ?2)",
        params![category.name, category.description],
    )?;
    Ok(conn.last_insert_rowid())
}

//! SQL for customers and addresses.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Address, Customer, NewAddress, NewCustomer};

fn customer_from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        created_at: row.get(3)?,
    })
}

fn address_from_row(row: &Row<'_>) -> rusqlite::Result<Address> {
    Ok(Address {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        line1: row.get(2)?,
        city: row.get(3)?,
        postal_code: row.get(4)?,
        country: row.get(5)?,
        is_default: row.get(6)?,
    })
}

pub fn list(conn: &Connection, limit: i64, offset: i64) -> rusqlite::Result<Vec<Customer>> {
    let mut stmt = conn.prepare(
        "SELECT id, email, name, created_at FROM customers ORDER BY id LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt.query_map(params![limit, offset], customer_from_row)?;
    rows.collect()
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Customer>> {
    conn.query_row(
        "SELECT id, email, name, created_at FROM customers WHERE id = ?1",
        [id],
        customer_from_row,
    )
    .optional()
}

pub fn find_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM customers WHERE email = ?1",
        [email],
        |row| row.get(0),
    )
    .optional()
}

pub fn insert(conn: &Connection, customer: &NewCustomer) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO customers (email, name) VALUES (?1, ?2)",
        params![customer.email, customer.name],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, customer: &Customer) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE customers SET email = ?2, name = ?3 WHERE id = ?1",
        params![customer.id, customer.email, customer.name],
    )
}

pub fn addresses(conn: &Connection, customer_id: i64) -> rusqlite::Result<Vec<Address>> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, line1, city, postal_code, country, is_default FROM addresses
         WHERE customer_id = ?1 ORDER BY is_default DESC, id",
    )?;
    let rows = stmt.query_map([customer_id], address_from_row)?;
    rows.collect()
}

pub fn find_address(conn: &Connection, id: i64) -> rusqlite::Result<Option<Address>> {
    conn.query_row(
        "SELECT id, customer_id, line1, city, postal_code, country, is_default FROM addresses WHERE id = ?1",
        [id],
        address_from_row,
    )
    .optional()
}

pub fn clear_default_address(conn: &Connection, customer_id: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE addresses SET is_default = 0 WHERE customer_id = ?1",
        [customer_id],
    )
}

pub fn insert_address(
    conn: &Connection,
    customer_id: i64,
    address: &NewAddress,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO addresses (customer_id, line1, city, postal_code, country, is_default)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            customer_id,
            address.line1,
            address.city,
            address.postal_code,
            address.country,
            address.is_default
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

//! Cart rules: only products on sale go in, quantities stay within bounds.

use rusqlite::Connection;

use super::model::{AddItem, Cart, CartLine, SetQuantity};
use super::repository;
use crate::common::money::format_cents;
use crate::common::{AppError, AppResult, validation};
use crate::customers;

const MAX_LINE_QUANTITY: i64 = 999;

pub fn get(conn: &Connection, customer_id: i64) -> AppResult<Cart> {
    customers::contact(conn, customer_id)?;
    let lines = match repository::find_cart_id(conn, customer_id)? {
        Some(cart_id) => repository::lines(conn, cart_id)?,
        None => Vec::new(),
    };
    Ok(summarise(customer_id, lines))
}

pub fn add_item(conn: &Connection, customer_id: i64, input: AddItem) -> AppResult<Cart> {
    let quantity = validation::quantity(input.quantity)?;
    customers::contact(conn, customer_id)?;
    match repository::product_on_sale(conn, input.product_id)? {
        None => return Err(AppError::not_found(format!("product {}", input.product_id))),
        Some(false) => {
            return Err(AppError::conflict(format!(
                "product {} is no longer sold",
                input.product_id
            )));
        }
        Some(true) => {}
    }
    let cart_id = repository::open_cart(conn, customer_id)?;
    let current = repository::lines(conn, cart_id)?
        .iter()
        .find(|line| line.product_id == input.product_id)
        .map_or(0, |line| line.quantity);
    if current + quantity > MAX_LINE_QUANTITY {
        return Err(AppError::bad_request(format!(
            "at most {MAX_LINE_QUANTITY} of one product per cart"
        )));
    }
    repository::add_quantity(conn, cart_id, input.product_id, quantity)?;
    get(conn, customer_id)
}

pub fn set_quantity(
    conn: &Connection,
    customer_id: i64,
    product_id: i64,
    input: SetQuantity,
) -> AppResult<Cart> {
    let quantity = validation::quantity(input.quantity)?;
    let cart_id = existing_cart(conn, customer_id)?;
    if repository::set_quantity(conn, cart_id, product_id, quantity)? == 0 {
        return Err(AppError::not_found(format!(
            "product {product_id} in the cart"
        )));
    }
    get(conn, customer_id)
}

pub fn remove_item(conn: &Connection, customer_id: i64, product_id: i64) -> AppResult<Cart> {
    let cart_id = existing_cart(conn, customer_id)?;
    if repository::remove_item(conn, cart_id, product_id)? == 0 {
        return Err(AppError::not_found(format!(
            "product {product_id} in the cart"
        )));
    }
    get(conn, customer_id)
}

/// Empties the cart on request; an unknown customer is not found.
pub fn empty(conn: &Connection, customer_id: i64) -> AppResult<()> {
    customers::contact(conn, customer_id)?;
    clear(conn, customer_id)
}

/// Public API: empty the cart (after checkout, or on request).
pub fn clear(conn: &Connection, customer_id: i64) -> AppResult<()> {
    if let Some(cart_id) = repository::find_cart_id(conn, customer_id)? {
        repository::remove_all(conn, cart_id)?;
    }
    Ok(())
}

/// Public API: the lines to turn into an order. Fails on an empty cart or a product that is
/// no longer sold.
pub fn checkout_lines(conn: &Connection, customer_id: i64) -> AppResult<Vec<CartLine>> {
    let cart = get(conn, customer_id)?;
    if cart.items.is_empty() {
        return Err(AppError::conflict("the cart is empty"));
    }
    if let Some(line) = cart.items.iter().find(|line| !line.available) {
        return Err(AppError::conflict(format!(
            "{} is no longer sold",
            line.sku
        )));
    }
    Ok(cart.items)
}

fn existing_cart(conn: &Connection, customer_id: i64) -> AppResult<i64> {
    repository::find_cart_id(conn, customer_id)?
        .ok_or_else(|| AppError::not_found(format!("cart of customer {customer_id}")))
}

fn summarise(customer_id: i64, items: Vec<CartLine>) -> Cart {
    let subtotal_cents = items.iter().map(|line| line.line_total_cents).sum();
    let item_count = items.iter().map(|line| line.quantity).sum();
    Cart {
        customer_id,
        items,
        item_count,
        subtotal_cents,
        subtotal: format_cents(subtotal_cents),
    }
}

//! Order rules: checkout, cancellation, and status changes requested by other domains.

use rusqlite::Connection;

use super::model::{Order, OrderFilter, OrderItem, OrderStatus, OrderSummary, PlaceOrder};
use super::repository::{self, OrderRow};
use crate::common::money::{format_cents, tax_cents};
use crate::common::{AppError, AppResult, Page};
use crate::{cart, catalog, customers, inventory, notifications, payments, shipping};

/// Checkout: the customer's cart becomes a pending order, its stock is reserved and the
/// cart is emptied, all in one transaction.
pub fn place_order(conn: &mut Connection, input: PlaceOrder) -> AppResult<Order> {
    let tx = conn.transaction()?;
    let customer = customers::contact(&tx, input.customer_id)?;
    let address = customers::shipping_address(&tx, customer.id, input.address_id)?;
    let lines = cart::checkout_lines(&tx, customer.id)?;

    let mut items = Vec::with_capacity(lines.len());
    for line in &lines {
        // Prices come from the catalog at the moment of checkout, not from the cart.
        let product = catalog::product_summary(&tx, line.product_id)?;
        if !product.active {
            return Err(AppError::conflict(format!(
                "{} is no longer sold",
                product.sku
            )));
        }
        // Reaches past inventory's service straight into its repository (no journal entry).
        if !inventory::repository::reserve_stock(&tx, product.id, line.quantity)? {
            return Err(AppError::conflict(format!(
                "not enough stock for {}",
                product.sku
            )));
        }
        items.push(OrderItem {
            product_id: product.id,
            sku: product.sku,
            name: product.name,
            unit_price_cents: product.price_cents,
            quantity: line.quantity,
        });
    }

    let subtotal_cents: i64 = items
        .iter()
        .map(|item| item.unit_price_cents * item.quantity)
        .sum();
    let shipping_cents =
        shipping::rates::quote(subtotal_cents, &address.country, &input.service_level)?;
    let order_id = repository::insert(
        &tx,
        &OrderRow {
            customer_id: customer.id,
            shipping_address_id: address.id,
            subtotal_cents,
            tax_cents: tax_cents(subtotal_cents, &address.country),
            shipping_cents,
            items: &items,
        },
    )?;
    cart::clear(&tx, customer.id)?;
    let order = get(&tx, order_id)?;
    notifications::notify(
        &tx,
        customer.id,
        "order_placed",
        &format!("Order #{order_id} received"),
        &format!(
            "Thank you, {}. Your order of {} is waiting for payment.",
            customer.name, order.total
        ),
    )?;
    tx.commit()?;
    Ok(order)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<Order> {
    repository::find(conn, id)?.ok_or_else(|| AppError::not_found(format!("order {id}")))
}

pub fn list(conn: &Connection, filter: &OrderFilter, page: Page) -> AppResult<Vec<Order>> {
    let (limit, offset) = page.resolve()?;
    Ok(repository::list(conn, filter, limit, offset)?)
}

pub fn list_for_customer(conn: &Connection, customer_id: i64, page: Page) -> AppResult<Vec<Order>> {
    customers::contact(conn, customer_id)?;
    list(
        conn,
        &OrderFilter {
            customer_id: Some(customer_id),
            status: None,
        },
        page,
    )
}

/// Cancels a pending or paid order: payments are voided or refunded and stock is released.
pub fn cancel(conn: &mut Connection, id: i64) -> AppResult<Order> {
    let tx = conn.transaction()?;
    let order = get(&tx, id)?;
    if !order.status.cancellable() {
        return Err(AppError::conflict(format!(
            "an order that is {} cannot be cancelled",
            order.status
        )));
    }
    // orders -> payments -> orders: the cycle the README talks about.
    let refunded_cents = payments::settle_for_cancelled_order(&tx, id)?;
    for item in &order.items {
        inventory::release(&tx, item.product_id, item.quantity)?;
    }
    repository::transition(
        &tx,
        id,
        &[OrderStatus::Pending, OrderStatus::Paid],
        OrderStatus::Cancelled,
    )?;
    let body = if refunded_cents > 0 {
        format!(
            "Your order #{id} was cancelled and {} refunded.",
            format_cents(refunded_cents)
        )
    } else {
        format!("Your order #{id} was cancelled.")
    };
    notifications::notify(
        &tx,
        order.customer_id,
        "order_cancelled",
        &format!("Order #{id} cancelled"),
        &body,
    )?;
    tx.commit()?;
    get(conn, id)
}

/// Public API: what payments and shipping need to know about an order.
pub fn order_summary(conn: &Connection, id: i64) -> AppResult<OrderSummary> {
    repository::summary(conn, id)?.ok_or_else(|| AppError::not_found(format!("order {id}")))
}

/// Public API: payment captured.
pub fn mark_paid(conn: &Connection, id: i64) -> AppResult<()> {
    if !repository::transition(conn, id, &[OrderStatus::Pending], OrderStatus::Paid)? {
        return Err(AppError::conflict(format!(
            "order {id} is not waiting for payment"
        )));
    }
    Ok(())
}

/// Public API: payment refunded in full after the order was paid.
pub fn mark_refunded(conn: &Connection, id: i64) -> AppResult<()> {
    let from = [
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ];
    if !repository::transition(conn, id, &from, OrderStatus::Refunded)? {
        return Err(AppError::conflict(format!("order {id} cannot be refunded")));
    }
    Ok(())
}

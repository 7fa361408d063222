//! Payment rules: one live payment per order, capture marks the order paid, refunds never
//! exceed what was captured.

use rusqlite::Connection;

use super::model::{
    AUTHORIZED, Authorize, CAPTURED, DECLINED, INVOICE_LIMIT_CENTS, METHODS, Payment, REFUNDED,
    RefundRequest, VOIDED,
};
use super::repository;
use crate::common::money::format_cents;
use crate::common::{AppError, AppResult, clock, validation};
use crate::notifications;
use crate::orders::{self, OrderStatus};

pub fn get(conn: &Connection, id: i64) -> AppResult<Payment> {
    repository::find(conn, id)?.ok_or_else(|| AppError::not_found(format!("payment {id}")))
}

pub fn for_order(conn: &Connection, order_id: i64) -> AppResult<Vec<Payment>> {
    orders::order_summary(conn, order_id)?;
    Ok(repository::for_order(conn, order_id)?)
}

/// Authorises the order's total. A declined payment is recorded and returned, not an error.
pub fn authorize(conn: &Connection, input: Authorize) -> AppResult<Payment> {
    let method = input.method.trim().to_ascii_lowercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(AppError::bad_request(format!(
            "method must be one of {}",
            METHODS.join(", ")
        )));
    }
    let order = orders::order_summary(conn, input.order_id)?;
    if order.status != OrderStatus::Pending {
        return Err(AppError::conflict(format!(
            "order {} is {}, not pending",
            order.id, order.status
        )));
    }
    let live = repository::for_order(conn, order.id)?
        .into_iter()
        .any(|payment| payment.status == AUTHORIZED || payment.status == CAPTURED);
    if live {
        return Err(AppError::conflict(format!(
            "order {} already has a payment",
            order.id
        )));
    }
    let status = if method == "invoice" && order.total_cents > INVOICE_LIMIT_CENTS {
        DECLINED
    } else {
        AUTHORIZED
    };
    let reference = clock::reference("PAY");
    let id = repository::insert(
        conn,
        order.id,
        order.total_cents,
        &method,
        status,
        &reference,
    )?;
    get(conn, id)
}

/// Takes the money: the payment is captured and the order becomes paid.
pub fn capture(conn: &mut Connection, id: i64) -> AppResult<Payment> {
    let tx = conn.transaction()?;
    let payment = get(&tx, id)?;
    if payment.status != AUTHORIZED {
        return Err(AppError::conflict(format!(
            "payment {id} is {}, not authorized",
            payment.status
        )));
    }
    repository::set_status(&tx, id, CAPTURED)?;
    orders::mark_paid(&tx, payment.order_id)?;
    let order = orders::order_summary(&tx, payment.order_id)?;
    notifications::notify(
        &tx,
        order.customer_id,
        "payment_received",
        &format!("Payment for order #{} received", order.id),
        &format!(
            "We received {} ({}).",
            format_cents(payment.amount_cents),
            payment.reference
        ),
    )?;
    tx.commit()?;
    get(conn, id)
}

pub fn refund(conn: &mut Connection, id: i64, input: RefundRequest) -> AppResult<Payment> {
    let reason = validation::non_empty("reason", &input.reason)?;
    let tx = conn.transaction()?;
    let payment = get(&tx, id)?;
    if payment.status != CAPTURED {
        return Err(AppError::conflict(format!(
            "payment {id} is {}, only captured payments are refunded",
            payment.status
        )));
    }
    let remaining = payment.amount_cents - payment.refunded_cents;
    let amount = input.amount_cents.unwrap_or(remaining);
    if amount <= 0 || amount > remaining {
        return Err(AppError::bad_request(format!(
            "refund must be between 0.01 and {}",
            format_cents(remaining)
        )));
    }
    repository::insert_refund(&tx, id, amount, &reason)?;
    if amount == remaining {
        repository::set_status(&tx, id, REFUNDED)?;
        orders::mark_refunded(&tx, payment.order_id)?;
    }
    let order = orders::order_summary(&tx, payment.order_id)?;
    notifications::notify(
        &tx,
        order.customer_id,
        "payment_refunded",
        &format!("Refund for order #{}", order.id),
        &format!("We refunded {}: {reason}.", format_cents(amount)),
    )?;
    tx.commit()?;
    get(conn, id)
}

/// Public API for `orders`: an order is being cancelled. Authorised payments are voided,
/// captured ones refunded in full. Returns the amount refunded. Runs inside the caller's
/// transaction.
pub fn settle_for_cancelled_order(conn: &Connection, order_id: i64) -> AppResult<i64> {
    let mut refunded = 0;
    for payment in repository::for_order(conn, order_id)? {
        match payment.status.as_str() {
            AUTHORIZED => {
                repository::set_status(conn, payment.id, VOIDED)?;
            }
            CAPTURED => {
                let remaining = payment.amount_cents - payment.refunded_cents;
                if remaining > 0 {
                    repository::insert_refund(conn, payment.id, remaining, "order cancelled")?;
                    refunded += remaining;
                }
                repository::set_status(conn, payment.id, REFUNDED)?;
            }
            _ => {}
        }
    }
    Ok(refunded)
}

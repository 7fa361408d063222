//! Shipping rules: only paid orders ship, once; dispatch takes stock out of the warehouse.

use rusqlite::Connection;

use super::model::{
    CARRIERS, CREATED, DELIVERED, IN_TRANSIT, NewShipment, RateQuery, RateQuote, Shipment,
};
use super::{rates, repository};
use crate::common::money::format_cents;
use crate::common::{AppError, AppResult, clock, validation};
use crate::{inventory, notifications};

pub fn get(conn: &Connection, id: i64) -> AppResult<Shipment> {
    repository::find(conn, id)?.ok_or_else(|| AppError::not_found(format!("shipment {id}")))
}

pub fn quote(query: &RateQuery) -> AppResult<RateQuote> {
    let country = validation::country(&query.country)?;
    let cost_cents = rates::quote(query.subtotal_cents, &country, &query.service_level)?;
    Ok(RateQuote {
        country,
        service_level: query.service_level.clone(),
        cost_cents,
        cost: format_cents(cost_cents),
    })
}

pub fn create(conn: &Connection, input: NewShipment) -> AppResult<Shipment> {
    let carrier = input.carrier.trim().to_ascii_lowercase();
    if !CARRIERS.contains(&carrier.as_str()) {
        return Err(AppError::bad_request(format!(
            "carrier must be one of {}",
            CARRIERS.join(", ")
        )));
    }
    let order = repository::shippable_order(conn, input.order_id)?
        .ok_or_else(|| AppError::not_found(format!("order {}", input.order_id)))?;
    if order.status != "paid" {
        return Err(AppError::conflict(format!(
            "order {} is {}, only paid orders ship",
            order.id, order.status
        )));
    }
    if repository::for_order(conn, order.id)?.is_some() {
        return Err(AppError::conflict(format!(
            "order {} already has a shipment",
            order.id
        )));
    }
    let country = order
        .country
        .clone()
        .ok_or_else(|| AppError::conflict(format!("order {} has no address", order.id)))?;
    let cost_cents = rates::quote(order.subtotal_cents, &country, &input.service_level)?;
    let id = repository::insert(conn, &order, &carrier, &input.service_level, cost_cents)?;
    get(conn, id)
}

/// The parcel leaves: a tracking number is assigned, reserved stock is taken out, and the
/// order becomes shipped.
pub fn dispatch(conn: &mut Connection, id: i64) -> AppResult<Shipment> {
    let tx = conn.transaction()?;
    let shipment = get(&tx, id)?;
    if shipment.status != CREATED {
        return Err(AppError::conflict(format!(
            "shipment {id} is {}, not created",
            shipment.status
        )));
    }
    // The order may have been cancelled since the shipment was created.
    let order = repository::shippable_order(&tx, shipment.order_id)?
        .ok_or_else(|| AppError::not_found(format!("order {}", shipment.order_id)))?;
    if order.status != "paid" {
        return Err(AppError::conflict(format!(
            "order {} is {}, only paid orders ship",
            order.id, order.status
        )));
    }
    let tracking = clock::reference(&shipment.carrier.to_ascii_uppercase());
    repository::mark_dispatched(&tx, id, &tracking)?;
    for (product_id, quantity) in repository::order_quantities(&tx, shipment.order_id)? {
        inventory::commit_reservation(&tx, product_id, quantity)?;
    }
    repository::set_order_status(&tx, shipment.order_id, "shipped")?;
    notify_customer(
        &tx,
        shipment.order_id,
        "order_shipped",
        &format!("Your parcel is on its way: {tracking}"),
    )?;
    tx.commit()?;
    get(conn, id)
}

pub fn deliver(conn: &mut Connection, id: i64) -> AppResult<Shipment> {
    let tx = conn.transaction()?;
    let shipment = get(&tx, id)?;
    if shipment.status != IN_TRANSIT {
        return Err(AppError::conflict(format!(
            "shipment {id} is {}, not in transit",
            shipment.status
        )));
    }
    repository::mark_delivered(&tx, id)?;
    repository::set_order_status(&tx, shipment.order_id, DELIVERED)?;
    notify_customer(
        &tx,
        shipment.order_id,
        "order_delivered",
        "Your parcel was delivered.",
    )?;
    tx.commit()?;
    get(conn, id)
}

fn notify_customer(conn: &Connection, order_id: i64, kind: &str, body: &str) -> AppResult<()> {
    let order = repository::shippable_order(conn, order_id)?
        .ok_or_else(|| AppError::not_found(format!("order {order_id}")))?;
    notifications::notify(
        conn,
        order.customer_id,
        kind,
        &format!("Order #{order_id}"),
        body,
    )?;
    Ok(())
}

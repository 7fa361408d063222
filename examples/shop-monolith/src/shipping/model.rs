//! Shipping types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Shipment {
    pub id: i64,
    pub order_id: i64,
    pub address_id: Option<i64>,
    pub carrier: String,
    pub service_level: String,
    pub cost_cents: i64,
    pub tracking_number: Option<String>,
    pub status: String,
    pub dispatched_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NewShipment {
    pub order_id: i64,
    pub carrier: String,
    #[serde(default = "standard")]
    pub service_level: String,
}

#[derive(Debug, Deserialize)]
pub struct RateQuery {
    pub subtotal_cents: i64,
    pub country: String,
    #[serde(default = "standard")]
    pub service_level: String,
}

#[derive(Debug, Serialize)]
pub struct RateQuote {
    pub country: String,
    pub service_level: String,
    pub cost_cents: i64,
    pub cost: String,
}

/// An order as shipping sees it, read straight from the orders tables.
#[derive(Debug, Clone)]
pub struct ShippableOrder {
    pub id: i64,
    pub customer_id: i64,
    pub status: String,
    pub subtotal_cents: i64,
    pub shipping_address_id: Option<i64>,
    pub country: Option<String>,
}

pub const CARRIERS: &[&str] = &["dhl", "ups", "dpd"];

pub const CREATED: &str = "created";
pub const IN_TRANSIT: &str = "in_transit";
pub const DELIVERED: &str = "delivered";

fn standard() -> String {
    "standard".to_string()
}

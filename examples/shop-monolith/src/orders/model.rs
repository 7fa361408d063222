//! Order types as they appear in the API.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Whether an order in this status may still be cancelled by the customer.
    pub fn cancellable(self) -> bool {
        matches!(self, OrderStatus::Pending | OrderStatus::Paid)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = String;

    fn from_str(value: &str) -> Result<OrderStatus, String> {
        Ok(match value {
            "pending" => OrderStatus::Pending,
            "paid" => OrderStatus::Paid,
            "shipped" => OrderStatus::Shipped,
            "delivered" => OrderStatus::Delivered,
            "cancelled" => OrderStatus::Cancelled,
            "refunded" => OrderStatus::Refunded,
            other => return Err(format!("unknown order status {other:?}")),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderItem {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    pub shipping_address_id: Option<i64>,
    pub status: OrderStatus,
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub shipping_cents: i64,
    pub total_cents: i64,
    pub total: String,
    pub created_at: String,
    pub items: Vec<OrderItem>,
}

#[derive(Debug, Deserialize)]
pub struct PlaceOrder {
    pub customer_id: i64,
    pub address_id: Option<i64>,
    #[serde(default = "standard")]
    pub service_level: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct OrderFilter {
    pub customer_id: Option<i64>,
    pub status: Option<OrderStatus>,
}

/// What other domains need to know about an order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderSummary {
    pub id: i64,
    pub customer_id: i64,
    pub status: OrderStatus,
    pub total_cents: i64,
}

fn standard() -> String {
    "standard".to_string()
}

//! Cart types as they appear in the API.

use serde::{Deserialize, Serialize};

/// One product in a cart, priced at today's catalog price.
#[derive(Debug, Clone, Serialize)]
pub struct CartLine {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub line_total_cents: i64,
    pub available: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cart {
    pub customer_id: i64,
    pub items: Vec<CartLine>,
    pub item_count: i64,
    pub subtotal_cents: i64,
    pub subtotal: String,
}

#[derive(Debug, Deserialize)]
pub struct AddItem {
    pub product_id: i64,
    #[serde(default = "one")]
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
pub struct SetQuantity {
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

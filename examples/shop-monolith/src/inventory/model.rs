//! Inventory types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct StockLevel {
    pub product_id: i64,
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub reorder_level: i64,
}

#[derive(Debug, Deserialize)]
pub struct SetStock {
    pub on_hand: i64,
    pub reorder_level: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct Adjustment {
    pub delta: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Movement {
    pub id: i64,
    pub delta: i64,
    pub reason: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockReport {
    #[serde(flatten)]
    pub level: StockLevel,
    pub movements: Vec<Movement>,
}

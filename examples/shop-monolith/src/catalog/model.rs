//! Catalog types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub product_count: i64,
}

#[derive(Debug, Deserialize)]
pub struct NewCategory {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub price: String,
    pub category_id: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Deserialize)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub price_cents: i64,
    pub category_id: Option<i64>,
}

/// A partial update: absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
pub struct ProductUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub category_id: Option<i64>,
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProductFilter {
    pub category_id: Option<i64>,
    pub q: Option<String>,
    #[serde(default)]
    pub include_inactive: bool,
}

/// What other domains need to know about a product.
#[derive(Debug, Clone, Serialize)]
pub struct ProductSummary {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
    pub active: bool,
}

//! Payment types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: i64,
    pub order_id: i64,
    pub amount_cents: i64,
    pub method: String,
    pub status: String,
    pub reference: String,
    pub refunded_cents: i64,
    pub refunds: Vec<Refund>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refund {
    pub id: i64,
    pub amount_cents: i64,
    pub reason: String,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
pub struct Authorize {
    pub order_id: i64,
    pub method: String,
}

#[derive(Debug, Deserialize)]
pub struct RefundRequest {
    /// Defaults to what is left to refund.
    pub amount_cents: Option<i64>,
    pub reason: String,
}

/// Methods the shop accepts.
pub const METHODS: &[&str] = &["card", "paypal", "invoice"];

/// Invoices above this amount are declined (a stand-in for a credit check).
pub const INVOICE_LIMIT_CENTS: i64 = 100_000;

pub const AUTHORIZED: &str = "authorized";
pub const CAPTURED: &str = "captured";
pub const DECLINED: &str = "declined";
pub const VOIDED: &str = "voided";
pub const REFUNDED: &str = "refunded";

//! Customer types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
pub struct NewCustomer {
    pub email: String,
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CustomerUpdate {
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Address {
    pub id: i64,
    pub customer_id: i64,
    pub line1: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub is_default: bool,
}

#[derive(Debug, Deserialize)]
pub struct NewAddress {
    pub line1: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    #[serde(default)]
    pub is_default: bool,
}

/// What other domains need to reach a customer.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerContact {
    pub id: i64,
    pub name: String,
    pub email: String,
}

//! Notification types as they appear in the API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub customer_id: i64,
    pub channel: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub read: bool,
    pub created_at: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NotificationFilter {
    pub customer_id: Option<i64>,
    #[serde(default)]
    pub unread_only: bool,
}

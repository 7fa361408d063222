//! Payments: authorising, capturing and refunding the money for an order.
//!
//! Public API: `settle_for_cancelled_order`. Payments calls `orders` to read and update the
//! order it pays for, and `orders` calls back here when an order is cancelled.

pub mod handlers;
pub mod model;
mod repository;
pub mod service;

pub use service::settle_for_cancelled_order;

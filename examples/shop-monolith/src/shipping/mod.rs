//! Shipping: rates, shipments of paid orders, dispatch and delivery.
//!
//! Public API: `rates::quote`. The repository reads the `orders` and `order_items` tables
//! and writes `orders.status` itself instead of going through `orders`; see the README.

pub mod handlers;
pub mod model;
pub mod rates;
mod repository;
pub mod service;

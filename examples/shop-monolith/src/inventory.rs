//! Inventory: how many of each product are on hand and how many are promised to open orders.
//!
//! `reserve`, `release` and `commit` are the public API. `orders` still calls
//! `repository::reserve_stock` directly, skipping the journal; see the README.

pub mod handlers;
pub mod model;
pub mod repository;
pub mod service;

pub use service::{commit_reservation, release, reserve};

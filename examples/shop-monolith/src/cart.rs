//! Cart: what a customer intends to buy, one open cart each.
//!
//! The public API is `checkout_lines` and `clear`. The repository prices lines by reading the
//! catalog's `products` table itself instead of asking the catalog; see the README.

pub mod handlers;
pub mod model;
mod repository;
pub mod service;

pub use model::CartLine;
pub use service::{checkout_lines, clear};

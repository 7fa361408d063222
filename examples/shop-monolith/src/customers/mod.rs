//! Customers: who buys, how to reach them, and where to ship.
//!
//! The public API is `contact` and `shipping_address`. `notifications` reads the
//! `customers` table directly anyway; see the README.

pub mod handlers;
pub mod model;
mod repository;
pub mod service;

pub use model::{Address, CustomerContact};
pub use service::{contact, shipping_address};

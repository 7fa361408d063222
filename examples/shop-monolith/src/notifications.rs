//! Notifications: the messages the shop sends its customers, kept as an outbox a mailer
//! would drain, and readable by the customer.
//!
//! Public API: `notify`. It looks up the recipient by reading the `customers` table itself
//! rather than asking `customers`; see the README.

pub mod handlers;
pub mod model;
mod repository;
pub mod service;

pub use service::notify;

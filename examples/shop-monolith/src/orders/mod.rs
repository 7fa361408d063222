//! Orders: checkout turns a cart into an order with frozen prices; orders move through
//! `pending -> paid -> shipped -> delivered`, or end `cancelled` / `refunded`.
//!
//! Public API: `order_summary`, `mark_paid`, `mark_refunded`. Checkout reserves stock by
//! calling inventory's repository directly, and cancelling calls back into payments, which
//! itself calls orders: a dependency cycle. `shipping` writes `orders.status` on its own.
//! All of this is deliberate; see the README.

pub mod handlers;
pub mod model;
mod repository;
pub mod service;

pub use model::{OrderStatus, OrderSummary};
pub use service::{mark_paid, mark_refunded, order_summary};

//! Catalog: categories and products, the things the shop sells.
//!
//! Other domains use the functions re-exported here; only `cart` still reads the `products`
//! table on its own.

pub mod handlers;
pub mod model;
pub(crate) mod repository;
pub mod service;

pub use model::ProductSummary;
pub use service::product_summary;

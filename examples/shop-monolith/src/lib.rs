//! Shop monolith: an online shop written as one deployable, split into business domains.
//!
//! This crate is the example that Ficus analyses, plans, extracts and proxies. It is a real,
//! working application (axum over SQLite), with the coupling problems real monoliths have;
//! `README.md` beside `Cargo.toml` lists them on purpose so analysis results can be checked.
//!
//! Each domain folder is layered the same way: `handlers` (HTTP), `service` (rules),
//! `repository` (SQL) and `model` (types). Domains are meant to talk through the functions
//! their `mod` re-exports; some do not, and that is the point.

pub mod app;
pub mod common;
pub mod db;

pub mod cart;
pub mod catalog;
pub mod customers;
pub mod inventory;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod shipping;

pub use app::{AppState, router, serve};
pub use db::Db;

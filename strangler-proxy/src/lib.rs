//! The strangler-fig reverse proxy: sits in front of a monolith and moves routes to new
//! services gradually (weights, sticky users, fallback, rollback). It serves any monolith,
//! whatever language it is written in.

pub mod config;
pub mod headers;
pub mod metrics;
pub mod pattern;
pub mod route_table;
pub mod split;

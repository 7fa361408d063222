//! The strangler-fig reverse proxy: sits in front of a monolith and moves routes to new
//! services gradually (weights, sticky users, fallback). It serves any monolith, whatever
//! language it is written in.
//!
//! Configuration comes in three forms: the TOML file schema ([`config::file`]), validated
//! [`config::Settings`], and the compiled [`runtime::Runtime`] (route table, upstream pools,
//! metric handles) that a reload swaps whole. A request goes through [`proxy::handle`], whose
//! module doc lists the phases; [`shadow`] copies requests of shadowed routes to a new service
//! and compares the answers; [`server`] owns the listening side, [`reload`] the hot
//! reload, [`admin`] the admin API, [`tls`] the certificates of both sides, [`worker`] the
//! thread-per-core model, and [`launch`] wires them together for `ficus proxy`.

pub mod admin;
pub mod body;
pub mod config;
pub mod headers;
pub mod launch;
pub mod ledger;
pub mod metrics;
pub mod migration;
pub mod pattern;
pub mod proxy;
pub mod reload;
pub mod respond;
pub mod rollout;
pub mod route_table;
pub mod runtime;
pub mod server;
pub mod shadow;
pub mod split;
pub mod tls;
pub mod upstream;
pub mod worker;

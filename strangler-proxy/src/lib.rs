//! The strangler-fig reverse proxy: sits in front of a monolith and moves routes to new
//! services gradually (weights, sticky users, fallback, rollback). It serves any monolith,
//! whatever language it is written in.
//!
//! What exists now is the routing table, as a pure library: the TOML file schema
//! ([`config::FileConfig`]), its validation into [`config::Settings`] with errors that name the
//! field, and the compiled matcher ([`route_table::RouteTable`]) that picks a route from a
//! request's method, host, path and headers. What does not exist yet (issue 5): no server, no
//! forwarding, no traffic split (weights and sticky keys are parsed and validated, not applied),
//! no reload, no admin API, no metrics, and no `ficus proxy` command.

pub mod config;
pub mod headers;
pub mod pattern;
pub mod route_table;

//! The strangler-fig reverse proxy: sits in front of a monolith and moves routes to new
//! services gradually (weights, sticky users, fallback, rollback).
//!
//! Not implemented yet: this crate is the home of `ficus proxy` (issue 5). It serves any
//! monolith, whatever language it is written in.

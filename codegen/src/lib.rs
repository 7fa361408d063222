//! Generates, for one boundary of the plan, a compiling service crate, a client for the
//! monolith, an API description and deployment files, from `tera` templates.
//!
//! Not implemented yet: this crate is the home of `ficus generate`.

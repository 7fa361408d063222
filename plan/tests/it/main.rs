//! Integration tests of the plan crate: plan files in strings, read, validated, rendered and
//! re-planned through the public API, and compared as text.

mod support;

mod patterns;
mod render;
mod replan;
mod routes;
mod states;
mod upstreams;
mod validation;

//! Integration tests of the `ficus` binary and of the repository's own rules.

mod analyze;
mod cli;
mod generate;
mod generate_local;
mod generate_move;
mod migrate;
mod plan;
mod proxy;
mod regenerate;
mod support;
mod tidy;

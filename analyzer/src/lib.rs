//! Reads a Rust monolith without compiling it and builds a model of it: crates, module
//! trees, items, references between modules, HTTP routes and database tables.
//!
//! Not implemented yet: this crate is the home of `ficus analyze` (issue 3) and `ficus plan`
//! (issue 4). It will never compile or run the code it reads, nor touch the network.

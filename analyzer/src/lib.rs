//! Reads a Rust monolith without compiling it and builds a model of it: crates, module
//! trees, items, references between modules, HTTP routes and database tables.
//!
//! It never compiles or runs the code it reads, never touches the network, and reads no file
//! outside the folder it is given (except what `#[path]` attributes point to inside it).
//!
//! Pipeline: load files (IO at the edge) -> parse every file in parallel and extract facts,
//! dropping the syntax tree -> build module trees -> resolve names -> assemble the graph,
//! routes and data access into [`model::Analysis`].

pub mod boundary;
pub mod cluster;
pub mod metrics;
pub mod model;
pub mod render;
pub mod site;

mod analyze;
mod collect;
mod data;
mod error;
mod facts;
mod format_template;
mod graph;
mod load;
mod manifest;
mod modtree;
mod parse;
mod resolve;
mod routes;
mod settings;

pub use analyze::analyze;
pub use error::Error;
pub use graph::dependency_graph;
pub use settings::{Granularity, NoProgress, Progress, Settings};

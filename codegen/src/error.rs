//! Errors of `ficus-codegen`: what stops a port or its files from being produced. Problems in
//! the monolith's code are not errors: they are findings of the port.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the plan has no service `{name}` (its services: {known})")]
    UnknownService { name: String, known: String },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Output { path: PathBuf, message: String },
    #[error("--move: {message}")]
    Move { message: String },
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// A line of `.ficusignore` that is not a gitignore pattern.
    #[error("{}:{line}: {message}", path.display())]
    Ignore {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

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
    /// A render-time error. `subject` is what tera names (``variable `op.name` ``, a filter,
    /// a function or a test); tera gives no line at render time, so `line` is where the
    /// template first uses that name inside a tag.
    #[error("template {name}{}: {message}", render_location(*line, subject.as_deref()))]
    TemplateRender {
        name: String,
        line: Option<usize>,
        subject: Option<String>,
        message: String,
    },
    /// A line of `.ficusignore` that is not a gitignore pattern.
    #[error("{}:{line}: {message}", path.display())]
    Ignore {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// ``, line 3, variable `op.nme` ``, as much of it as is known.
fn render_location(line: Option<usize>, subject: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(line) = line {
        text.push_str(&format!(", line {line}"));
    }
    if let Some(subject) = subject {
        text.push_str(&format!(", {subject}"));
    }
    text
}

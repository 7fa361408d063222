//! Errors of this crate: the problems found in a plan file, each with the file, line, column
//! and field path it is about, and the few ways reading or editing a plan can fail otherwise.
//!
//! Positions come from the spans `toml` keeps; field paths are written the way a person would
//! look a value up (`service[2].routes."GET /x"`, indices from 0). This file turns spans into
//! positions and finds the field at a position; it decides nothing about what is valid.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Item, Table, Value};

use crate::pattern::PatternError;
use crate::route::{RouteKeyError, RouteStateError};
use crate::upstream::UpstreamError;

/// Why a plan could not be read, checked or edited.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file has problems; there is at least one.
    #[error("{0}")]
    Invalid(Problems),
    /// A re-plan draft that cannot be applied (names the part of the draft at fault).
    #[error("invalid draft: {reason}")]
    Draft { reason: String },
    /// The file is valid but written in a shape the editor does not change (for example
    /// services as an inline array rather than `[[service]]` tables).
    #[error("{}: {field}: {reason}", file.display())]
    NotEditable {
        file: PathBuf,
        field: String,
        reason: String,
    },
}

/// Every problem found in one file, in the order they appear in it. Displayed one per line.
#[derive(Debug, Clone, PartialEq)]
pub struct Problems(pub Vec<Problem>);

/// One problem, where it is and which field it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// `service[2].routes."GET /x"`; empty for the file as a whole.
    pub field: String,
    pub kind: ProblemKind,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemKind {
    /// Not TOML.
    #[error("{message}")]
    Syntax { message: String },
    /// TOML, but not the plan's shape: unknown or missing field, wrong type.
    #[error("{message}")]
    Shape { message: String },
    #[error("unsupported plan version {found} (this version of ficus reads version 1)")]
    UnsupportedVersion { found: String },
    #[error("must not be empty")]
    Empty,
    #[error("invalid service name \"{name}\": {reason}")]
    InvalidServiceName { name: String, reason: String },
    #[error("service \"{name}\" is already defined at line {first_line}")]
    DuplicateService { name: String, first_line: usize },
    #[error("invalid module pattern \"{pattern}\": {reason}")]
    InvalidPattern {
        pattern: String,
        reason: PatternError,
    },
    #[error("module pattern \"{pattern}\" is already listed at line {first_line} ({first_field})")]
    DuplicatePattern {
        pattern: String,
        first_line: usize,
        first_field: String,
    },
    #[error("invalid upstream \"{url}\": {reason}")]
    InvalidUpstream { url: String, reason: UpstreamError },
    #[error("invalid route \"{key}\": {reason}")]
    InvalidRouteKey { key: String, reason: RouteKeyError },
    #[error("route \"{key}\" is already listed at line {first_line} ({first_field})")]
    DuplicateRoute {
        key: String,
        first_line: usize,
        first_field: String,
    },
    #[error("{reason}")]
    InvalidState { reason: RouteStateError },
    #[error("state \"{state}\" sends traffic to service \"{service}\", which has no upstream")]
    ServiceUpstreamMissing { state: String, service: String },
    #[error("state \"{state}\" needs the monolith's upstream (monolith.upstream)")]
    MonolithUpstreamMissing { state: String },
    #[error("weight must be a finite number of 0 or more, not {value}")]
    InvalidWeight { value: f64 },
    #[error("unknown weight \"{name}\" (expected one of {expected})")]
    UnknownWeight { name: String, expected: String },
    #[error("every weight is 0: nothing would couple modules")]
    AllWeightsZero,
    #[error("resolution must be a finite number above 0, not {value}")]
    InvalidResolution { value: f64 },
    #[error("set `resolution` or `services`, not both")]
    ResolutionAndServices,
    #[error("must be at least {minimum}, not {value}")]
    TooSmall { minimum: i64, value: i64 },
    #[error("a constraint group needs at least two modules")]
    ConstraintTooSmall,
    #[error("\"{first}\" and \"{second}\" must be together and apart at once ({other_field})")]
    ContradictoryConstraints {
        first: String,
        second: String,
        other_field: String,
    },
    #[error(
        "\"{first}\" and \"{second}\" must be together, but the plan puts them in {first_owner} and {second_owner}"
    )]
    TogetherSplit {
        first: String,
        second: String,
        first_owner: String,
        second_owner: String,
    },
    #[error(
        "\"{first}\" and \"{second}\" must be apart, but the plan puts both in service \"{service}\""
    )]
    ApartJoined {
        first: String,
        second: String,
        service: String,
    },
    #[error("table \"{table}\" is already owned by service \"{service}\" (line {first_line})")]
    DuplicateTable {
        table: String,
        service: String,
        first_line: usize,
    },
}

/// A place in the text being read, to build problems at.
pub(crate) struct Source<'a> {
    pub(crate) file: &'a Path,
    pub(crate) text: &'a str,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, problem) in self.0.iter().enumerate() {
            if idx > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl Error {
    /// The problems, when the file was read but is not a valid plan.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(problems) => &problems.0,
            _ => &[],
        }
    }
}

impl<'a> Source<'a> {
    /// A problem at byte `span.start` of the text.
    pub(crate) fn problem(&self, span: Range<usize>, field: String, kind: ProblemKind) -> Problem {
        let (line, column) = self.line_column(span.start);
        Problem {
            file: self.file.to_path_buf(),
            line,
            column,
            field,
            kind,
        }
    }

    /// A problem reported by `toml` itself, whose field is found from its position.
    pub(crate) fn toml_problem(&self, error: &toml::de::Error, syntax: bool) -> Problem {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end_matches('\n').to_string();
        let (kind, field) = if syntax {
            (ProblemKind::Syntax { message }, String::new())
        } else {
            // An empty span is the whole document (a missing top-level field).
            let field = if span.is_empty() {
                String::new()
            } else {
                self.field_at(span.start)
            };
            (ProblemKind::Shape { message }, field)
        };
        self.problem(span, field, kind)
    }

    /// 1-based line and character column of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The line a byte offset is on.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.line_column(offset).0
    }

    /// The field path of the deepest key or value that covers byte `offset`, empty when none
    /// does (or the text is not TOML).
    pub(crate) fn field_at(&self, offset: usize) -> String {
        let Ok(document) = toml_edit::Document::parse(self.text) else {
            return String::new();
        };
        let mut path = Vec::new();
        table_path_at(document.as_table(), offset, &mut path);
        join_path(&path)
    }
}

/// One step of a field path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// `service[2].routes."GET /x"` from its steps: keys that are not bare TOML keys are quoted.
pub(crate) fn join_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&quote_key(key));
            }
            Step::Index(idx) => {
                out.push('[');
                out.push_str(&idx.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A key as a field path writes it: bare when TOML allows, otherwise in double quotes.
pub(crate) fn quote_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn contains(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|span| span.start <= offset && offset < span.end.max(span.start + 1))
}

/// Walks a table for `offset`; returns whether something in it covers the offset.
fn table_path_at(table: &Table, offset: usize, path: &mut Vec<Step>) -> bool {
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(|key| key.span());
        path.push(Step::Key(key.to_string()));
        let found = match item {
            Item::Value(value) => contains(key_span, offset) || value_path_at(value, offset, path),
            Item::Table(child) => {
                contains(child.span(), offset) || table_path_at(child, offset, path)
            }
            Item::ArrayOfTables(array) => array.iter().enumerate().any(|(idx, child)| {
                path.push(Step::Index(idx));
                let found = contains(child.span(), offset) || table_path_at(child, offset, path);
                if !found {
                    path.pop();
                }
                found
            }),
            Item::None => false,
        };
        if found {
            return true;
        }
        path.pop();
    }
    false
}

fn value_path_at(value: &Value, offset: usize, path: &mut Vec<Step>) -> bool {
    if !contains(value.span(), offset) {
        return false;
    }
    match value {
        Value::Array(array) => {
            for (idx, element) in array.iter().enumerate() {
                path.push(Step::Index(idx));
                if value_path_at(element, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        Value::InlineTable(table) => {
            for (key, element) in table.iter() {
                path.push(Step::Key(key.to_string()));
                let key_span = table.key(key).and_then(|key| key.span());
                if contains(key_span, offset) || value_path_at(element, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        _ => {}
    }
    true
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

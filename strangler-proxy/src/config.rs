//! The proxy's configuration in its first two forms: the TOML file schema ([`mod@file`]) and the
//! validated [`Settings`] ([`validate()`]). The third form, runtime objects, is the compiled
//! [`crate::route_table::RouteTable`]. This module reads text it is given; it never opens files,
//! watches them or applies CLI and environment overrides.

pub mod file;
mod locate;
pub mod plan_routes;
pub mod settings;
pub mod validate;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use file::FileConfig;
pub use settings::Settings;
pub use validate::validate;

/// Why a proxy configuration was rejected. Each variant names the file; `Invalid` also names
/// the field path, such as `route[2].targets[0].upstream`, and its line when [`load`] found it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The text is not valid TOML or does not fit the schema; the message carries line and column.
    #[error("{}: {message}", file.display())]
    Parse { file: PathBuf, message: String },
    /// The file could not be read.
    #[error("{}: {message}", file.display())]
    Read { file: PathBuf, message: String },
    /// The text parsed but a field's value is unacceptable.
    #[error("{}: {}{field}: {message}", file.display(), line.map(|line| format!("line {line}: ")).unwrap_or_default())]
    Invalid {
        file: PathBuf,
        field: String,
        message: String,
        /// 1-based line of the field (or of its nearest enclosing table) in the text.
        line: Option<usize>,
    },
    /// A TLS file named by the configuration cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// Several fields are unacceptable: each is an [`ConfigError::Invalid`], in file order of
    /// the checks (top-level fields, upstreams, routes, then the remaining tables).
    #[error("{}: {} problems:{}", file.display(), problems.len(), render_problems(problems))]
    Problems {
        file: PathBuf,
        problems: Vec<ConfigError>,
    },
}

impl ConfigError {
    /// One `Invalid` for one problem, `Problems` for several. `problems` is not empty.
    fn from_problems(file: &Path, problems: Vec<validate::FieldProblem>) -> ConfigError {
        let mut errors: Vec<ConfigError> = problems
            .into_iter()
            .map(|(field, message)| ConfigError::Invalid {
                file: file.to_path_buf(),
                field,
                message,
                // Filled in by `load`, which has the text.
                line: None,
            })
            .collect();
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            ConfigError::Problems {
                file: file.to_path_buf(),
                problems: errors,
            }
        }
    }

    /// Prefixes the field with the plan's `[proxy]` table when needed and finds its line.
    fn locate(self, text: &str, source: Source) -> ConfigError {
        match self {
            ConfigError::Invalid {
                file,
                field,
                message,
                line: _,
            } => {
                let field = match source {
                    Source::Plan => format!("{}.{field}", Source::PLAN_TABLE),
                    Source::ProxyFile => field,
                };
                ConfigError::Invalid {
                    line: locate::line_of(text, &field),
                    file,
                    field,
                    message,
                }
            }
            ConfigError::Problems { file, problems } => ConfigError::Problems {
                file,
                problems: problems
                    .into_iter()
                    .map(|problem| problem.locate(text, source))
                    .collect(),
            },
            error => error,
        }
    }
}

/// Each problem on its own indented line, without repeating the file name.
fn render_problems(problems: &[ConfigError]) -> String {
    let mut text = String::new();
    for problem in problems {
        if let ConfigError::Invalid {
            field,
            message,
            line,
            ..
        } = problem
        {
            text.push_str("\n  ");
            if let Some(line) = line {
                text.push_str(&format!("line {line}: "));
            }
            text.push_str(&format!("{field}: {message}"));
        }
    }
    text
}

/// Parses and validates `text`, read from `file` (used only in error messages). The text is
/// either a proxy file, or a plan file (`ficus.toml`) whose `[proxy]` table holds the same
/// schema; see [`Source`].
pub fn load(text: &str, file: &Path) -> Result<Settings, ConfigError> {
    let (mut file_config, source) = FileConfig::parse_any(text, file)?;
    if source == Source::Plan {
        let plan = ficus_plan::Plan::parse(text, file).map_err(|error| ConfigError::Parse {
            file: file.to_path_buf(),
            message: error.to_string(),
        })?;
        plan_routes::add_plan_routes(&plan, &mut file_config);
    }
    validate(file_config, file).map_err(|error| error.locate(text, source))
}

/// Reads and loads the file at `path`.
pub fn load_file(path: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        file: path.to_path_buf(),
        message: error.to_string(),
    })?;
    load(&text, path)
}

/// Which kind of file the proxy configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A standalone proxy file: the schema at the top level.
    ProxyFile,
    /// A plan file: the schema in its `[proxy]` table, everything else ignored.
    Plan,
}

impl Source {
    /// The plan file's table that holds the proxy configuration.
    pub const PLAN_TABLE: &'static str = "proxy";

    /// A file is a plan when it has no top-level `default_upstream` and has a `[proxy]` table
    /// or a plan's `[monolith]` table.
    pub fn detect(document: &toml::Table) -> Source {
        let has_table = |name: &str| document.get(name).is_some_and(toml::Value::is_table);
        if !document.contains_key("default_upstream")
            && (has_table(Source::PLAN_TABLE) || has_table("monolith"))
        {
            Source::Plan
        } else {
            Source::ProxyFile
        }
    }
}

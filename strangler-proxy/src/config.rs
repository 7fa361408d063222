//! The proxy's configuration in its first two forms: the TOML file schema ([`mod@file`]) and the
//! validated [`Settings`] ([`validate()`]). The third form, runtime objects, is the compiled
//! [`crate::route_table::RouteTable`]. This module reads text it is given; it never opens files,
//! watches them or applies CLI and environment overrides.

pub mod file;
pub mod settings;
pub mod validate;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use file::FileConfig;
pub use settings::Settings;
pub use validate::validate;

/// Why a proxy configuration was rejected. Each variant names the file; `Invalid` also names
/// the field path, such as `route[2].targets[0].upstream`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The text is not valid TOML or does not fit the schema; the message carries line and column.
    #[error("{}: {message}", file.display())]
    Parse { file: PathBuf, message: String },
    /// The text parsed but a field's value is unacceptable.
    #[error("{}: {field}: {message}", file.display())]
    Invalid {
        file: PathBuf,
        field: String,
        message: String,
    },
}

/// Parses and validates `text`, read from `file` (used only in error messages).
pub fn load(text: &str, file: &Path) -> Result<Settings, ConfigError> {
    let file_config = FileConfig::parse(text, file)?;
    validate(file_config, file)
}

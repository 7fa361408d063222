//! The only place that touches the file system: finds the files to analyse and reads them.
//!
//! Walks the analysed folder honouring `.gitignore` (inside a git repository or not), skips
//! hidden entries and `target/` folders, follows symbolic links (a loop is a diagnostic, not a
//! hang), and reads each file with guards against what is not source: files over
//! [`MAX_SOURCE_BYTES`], binary files and invalid UTF-8 each become a diagnostic.

use std::path::{Component, Path, PathBuf};

use crate::model::{Diagnostic, Severity};

/// A larger `.rs` file is reported and skipped: parsing it would dominate time and memory.
pub(crate) const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;

/// What the walk found, as sorted paths relative to the root with `/` separators.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub manifests: Vec<String>,
    pub rust_files: Vec<String>,
    pub sql_files: Vec<String>,
}

pub(crate) fn walk(root: &Path) -> (Inventory, Vec<Diagnostic>) {
    let mut inventory = Inventory::default();
    let mut diagnostics = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .require_git(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|kind| kind.is_dir()) && entry.file_name() == "target")
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                    continue;
                }
                let Some(relative) = relative_path(root, entry.path()) else {
                    continue;
                };
                if relative.ends_with(".rs") {
                    inventory.rust_files.push(relative);
                } else if relative.ends_with(".sql") {
                    inventory.sql_files.push(relative);
                } else if relative == "Cargo.toml" || relative.ends_with("/Cargo.toml") {
                    inventory.manifests.push(relative);
                }
            }
            Err(error) => diagnostics.push(walk_diagnostic(root, &error)),
        }
    }
    inventory.manifests.sort();
    inventory.rust_files.sort();
    inventory.sql_files.sort();
    (inventory, diagnostics)
}

/// Reads a text file, or says why it is not one.
pub(crate) fn read_text(root: &Path, relative: &str) -> Result<String, Diagnostic> {
    let path = root.join(relative);
    let fail = |message: String| Diagnostic {
        severity: Severity::Error,
        file: relative.to_string(),
        line: 0,
        message,
    };
    let metadata =
        std::fs::metadata(&path).map_err(|error| fail(format!("cannot read: {error}")))?;
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(fail(format!(
            "skipped: {} bytes is over the limit of {} bytes for one file",
            metadata.len(),
            MAX_SOURCE_BYTES
        )));
    }
    let bytes = std::fs::read(&path).map_err(|error| fail(format!("cannot read: {error}")))?;
    if bytes.iter().take(8192).any(|&byte| byte == 0) {
        return Err(fail("skipped: a binary file, not text".to_string()));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let line = error.as_bytes()[..valid]
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count()
            + 1;
        Diagnostic {
            severity: Severity::Error,
            file: relative.to_string(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            message: format!("skipped: invalid UTF-8 at byte {valid}"),
        }
    })
}

/// Whether `relative` names a regular file under the root.
pub(crate) fn is_file(root: &Path, relative: &str) -> bool {
    root.join(relative).is_file()
}

/// `path` relative to `root`, with `/` separators.
pub(crate) fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Joins `base` (a relative folder, `""` for the root) and `path`, resolving `.` and `..`
/// lexically. `None` if the result leaves the root or `path` is absolute.
pub(crate) fn join_relative(base: &str, path: &str) -> Option<String> {
    if Path::new(path).is_absolute() {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|part| !part.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The folder part of a relative path (`""` for a file at the root).
pub(crate) fn parent_dir(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn walk_diagnostic(root: &Path, error: &ignore::Error) -> Diagnostic {
    let file = walk_error_path(error)
        .and_then(|path| relative_path(root, &path))
        .unwrap_or_default();
    let message = if is_loop(error) {
        "skipped: symbolic link loop".to_string()
    } else {
        format!("skipped: {error}")
    };
    Diagnostic {
        severity: Severity::Warning,
        file,
        line: 0,
        message,
    }
}

fn walk_error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::Partial(errors) => errors.iter().find_map(walk_error_path),
        _ => None,
    }
}

fn is_loop(error: &ignore::Error) -> bool {
    match error {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithPath { err, .. } => is_loop(err),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_lexically_inside_the_root() {
        assert_eq!(
            join_relative("src/a", "b.rs").as_deref(),
            Some("src/a/b.rs")
        );
        assert_eq!(
            join_relative("src/a", "../c/d.rs").as_deref(),
            Some("src/c/d.rs")
        );
        assert_eq!(
            join_relative("src", "./x/./y.rs").as_deref(),
            Some("src/x/y.rs")
        );
        assert_eq!(join_relative("", "../outside.rs"), None);
        assert_eq!(join_relative("src", "/etc/passwd"), None);
    }

    #[test]
    fn parent_of_a_relative_path() {
        assert_eq!(parent_dir("src/lib.rs"), "src");
        assert_eq!(parent_dir("lib.rs"), "");
    }
}

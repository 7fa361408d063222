//! `.ficusignore` in the output folder: gitignore syntax (the `ignore` crate's matcher),
//! paths relative to the folder. A matching file is neither written, nor listed in the
//! manifest, nor counted as a file the generator did not write. The manifest, the base copies
//! and `.ficusignore` itself are never matched.

use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::manifest::read_if_present;
use crate::error::Error;

/// The file of ignore patterns in the output folder.
pub const IGNORE_FILE: &str = ".ficusignore";

pub(crate) struct FicusIgnore {
    matcher: Gitignore,
}

impl FicusIgnore {
    /// The patterns of `out/.ficusignore`, none when it is missing; a line that is not a
    /// valid pattern is an error naming the file and line.
    pub(crate) fn read(out: &Path) -> Result<FicusIgnore, Error> {
        let path = out.join(IGNORE_FILE);
        // Root `.`: paths are matched as given, relative to the output folder.
        let mut builder = GitignoreBuilder::new(".");
        for (index, line) in read_if_present(&path)?
            .unwrap_or_default()
            .lines()
            .enumerate()
        {
            builder
                .add_line(None, line)
                .map_err(|error| Error::Ignore {
                    path: path.clone(),
                    line: index + 1,
                    message: error.to_string(),
                })?;
        }
        let matcher = builder.build().map_err(|error| Error::Output {
            path: path.clone(),
            message: error.to_string(),
        })?;
        Ok(FicusIgnore { matcher })
    }

    /// `path` (relative to the output folder, `/` separators) is excluded.
    pub(crate) fn excludes(&self, path: &str) -> bool {
        if path == IGNORE_FILE || path == super::MANIFEST || path.starts_with(".ficus-generate/") {
            return false;
        }
        self.matcher
            .matched_path_or_any_parents(path, false)
            .is_ignore()
    }
}

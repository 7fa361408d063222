//! Evolutionary coupling from version control: modules whose files change in the same commits,
//! and modules with the same authors, belong together more often than their code shows.
//!
//! Reads history with the `git` command line (`git log --name-only`), bounded by a commit count
//! and a date; this is the planner's only contact with anything outside the analysis, and it
//! happens only when asked (`ficus plan --history`). Commits touching many files (merges of
//! unrelated work, mass renames, formatting) say little about coupling and are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Commits that touch more files than this are skipped.
pub const MAX_FILES_PER_COMMIT: usize = 50;

/// The commits read: each with its author and the files it changed (relative to the analysed
/// folder, `/` separators).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub commits: Vec<Commit>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    pub author: String,
    pub files: Vec<String>,
}

/// Bounds of the history read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryWindow {
    pub max_commits: usize,
    /// Anything `git log --since` accepts (`6 months ago`, `2024-01-01`).
    pub since: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("running git in {folder}: {source}")]
    Spawn {
        folder: String,
        #[source]
        source: std::io::Error,
    },
    #[error("git log in {folder} failed: {message}")]
    Git { folder: String, message: String },
}

/// Reads the history of `root` (which must be inside a git work tree).
pub fn read_history(root: &Path, window: &HistoryWindow) -> Result<History, HistoryError> {
    let folder = root.display().to_string();
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--no-merges",
            "--relative",
            "--name-only",
            "--format=%x00%an",
        ])
        .arg(format!("--max-count={}", window.max_commits.max(1)));
    if let Some(since) = &window.since {
        command.arg(format!("--since={since}"));
    }
    command.arg("--").arg(".");
    let output = command.output().map_err(|source| HistoryError::Spawn {
        folder: folder.clone(),
        source,
    })?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(HistoryError::Git { folder, message });
    }
    Ok(parse_log(&String::from_utf8_lossy(&output.stdout)))
}

/// Parses `git log --name-only --format=%x00%an` output.
pub fn parse_log(text: &str) -> History {
    let mut commits = Vec::new();
    for chunk in text.split('\0').skip(1) {
        let mut lines = chunk.lines();
        let author = lines.next().unwrap_or_default().trim().to_string();
        let files: Vec<String> = lines
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect();
        commits.push(Commit { author, files });
    }
    History { commits }
}

/// Co-change weight per pair of modules, `(a, b)` with `a < b`.
pub type CoChange = BTreeMap<(usize, usize), f64>;
/// Each module's authors.
pub type Authors = BTreeMap<usize, BTreeSet<String>>;

/// Co-change counts between modules (`(a, b)` with `a < b` by index in `modules`), and each
/// module's set of authors. `module_of_file` maps a file to the module that holds it.
pub fn coupling(
    history: &History,
    module_of_file: &dyn Fn(&str) -> Option<usize>,
) -> (CoChange, Authors) {
    let mut co_change = CoChange::new();
    let mut authors = Authors::new();
    for commit in &history.commits {
        if commit.files.len() > MAX_FILES_PER_COMMIT {
            continue;
        }
        let modules: BTreeSet<usize> = commit
            .files
            .iter()
            .filter_map(|file| module_of_file(file))
            .collect();
        for &module in &modules {
            authors
                .entry(module)
                .or_default()
                .insert(commit.author.clone());
        }
        if modules.len() < 2 {
            continue;
        }
        // A commit spreads one unit over the pairs it ties.
        let share = 1.0 / (modules.len() - 1) as f64;
        let list: Vec<usize> = modules.into_iter().collect();
        for (position, &a) in list.iter().enumerate() {
            for &b in &list[position + 1..] {
                *co_change.entry((a, b)).or_insert(0.0) += share;
            }
        }
    }
    (co_change, authors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authors_and_files() {
        let history = parse_log("\0Ada\n\nsrc/a.rs\nsrc/b.rs\n\0Alan\n\nsrc/c.rs\n");
        assert_eq!(history.commits.len(), 2);
        assert_eq!(history.commits[0].author, "Ada");
        assert_eq!(history.commits[0].files, ["src/a.rs", "src/b.rs"]);
        assert_eq!(history.commits[1].files, ["src/c.rs"]);
    }

    #[test]
    fn commits_tie_the_modules_they_change() {
        let history =
            parse_log("\0Ada\n\nsrc/a.rs\nsrc/b.rs\n\0Ada\n\nsrc/a.rs\nsrc/b.rs\nsrc/c.rs\n");
        let module_of = |file: &str| match file {
            "src/a.rs" => Some(0),
            "src/b.rs" => Some(1),
            "src/c.rs" => Some(2),
            _ => None,
        };
        let (pairs, authors) = coupling(&history, &module_of);
        assert_eq!(pairs[&(0, 1)], 1.5);
        assert_eq!(pairs[&(0, 2)], 0.5);
        assert_eq!(authors[&2].len(), 1);
    }
}

//! What an analysis run is asked to do, resolved from the command line before any work.

use std::path::PathBuf;

/// Resolved settings of one analysis run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The folder to analyse. Every path in the output is relative to it.
    pub root: PathBuf,
    /// Analyse tests, examples and benches too, not only libraries and binaries.
    pub all_targets: bool,
    pub granularity: Granularity,
    /// Worker threads for parsing; `None` uses one per core.
    pub threads: Option<usize>,
}

impl Settings {
    pub fn new(root: impl Into<PathBuf>) -> Settings {
        Settings {
            root: root.into(),
            all_targets: false,
            granularity: Granularity::Module,
            threads: None,
        }
    }
}

/// What the nodes of the dependency graph are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    #[default]
    Module,
    Item,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Module => "module",
            Granularity::Item => "item",
        }
    }
}

/// Progress reports from a run, for a progress bar. Called from worker threads.
pub trait Progress: Sync {
    /// The number of source files that will be parsed.
    fn files_found(&self, _count: u64) {}
    /// One more file parsed.
    fn file_parsed(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

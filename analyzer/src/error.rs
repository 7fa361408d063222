//! Errors that stop an analysis before it starts. Everything after that is a diagnostic in
//! the result: one unreadable file never stops the run.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} does not exist", path.display())]
    RootNotFound { path: PathBuf },
    #[error("{} is not a directory", path.display())]
    RootNotADirectory { path: PathBuf },
    #[error("cannot start {threads} worker threads")]
    ThreadPool {
        threads: usize,
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

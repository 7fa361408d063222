//! The report folder: every rendering of one analysis written side by side, so a run leaves
//! something to open, diff or render later; and the plan report's `index.html`. It creates
//! the folder if needed and overwrites its own files; it never deletes or reads anything else
//! in the folder.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::GraphView;
use crate::boundary::proposal::Proposal;
use crate::model::Analysis;

/// A renderer of one report file.
type Render = fn(&Analysis, &GraphView<'_>) -> String;

/// Each file of the report and what renders it, in file name order.
const FILES: [(&str, Render); 4] = [
    ("analysis.json", |analysis, _| super::json(analysis)),
    ("graph.dot", super::dot),
    ("graph.mmd", super::mermaid),
    ("summary.txt", |analysis, _| super::summary(analysis)),
];

pub(super) fn write(
    dir: &Path,
    analysis: &Analysis,
    view: &GraphView<'_>,
) -> Result<Vec<PathBuf>, io::Error> {
    fs::create_dir_all(dir).map_err(|source| with_path("cannot create", dir, source))?;
    let mut written = Vec::with_capacity(FILES.len());
    for (name, render) in FILES {
        let path = dir.join(name);
        fs::write(&path, render(analysis, view))
            .map_err(|source| with_path("cannot write", &path, source))?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

pub(super) fn write_plan(
    dir: &Path,
    proposal: &Proposal,
    analysis: &Analysis,
) -> Result<Vec<PathBuf>, io::Error> {
    fs::create_dir_all(dir).map_err(|source| with_path("cannot create", dir, source))?;
    let path = dir.join("index.html");
    fs::write(&path, super::html(proposal, analysis))
        .map_err(|source| with_path("cannot write", &path, source))?;
    Ok(vec![path])
}

/// An IO error that names the path it is about. Same kind as `source`, which stays
/// reachable through `source()`.
fn with_path(action: &'static str, path: &Path, source: io::Error) -> io::Error {
    io::Error::new(
        source.kind(),
        PathError {
            action,
            path: path.to_path_buf(),
            source,
        },
    )
}

#[derive(Debug, thiserror::Error)]
#[error("{action} {}", path.display())]
struct PathError {
    action: &'static str,
    path: PathBuf,
    #[source]
    source: io::Error,
}

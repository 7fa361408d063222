//! Turns an [`Analysis`] into the texts a person or a program reads: the JSON contract, a
//! Graphviz graph, a Mermaid flowchart, a terminal summary, and the report folder that holds
//! all four; and turns a plan [`Proposal`] into its self-contained HTML report. The two graph
//! formats draw what a [`GraphView`] asks: modules or items, grouped by crate or by service.
//!
//! Every renderer is a pure function of the analysis: the same analysis gives byte-identical
//! text. `json` keeps the model's list order (the analyzer sorts every list); `dot`, `mermaid`
//! and `summary` sort what they show themselves, so they do not depend on that order.
//! `stats.elapsed_ms`, the one field that differs between two runs of the same input, appears
//! only in `json` and `summary`. Rendering never fails; only writing the report folder does IO.
//! Nothing here analyses anything: what is not in the model is not drawn.

mod dot;
mod graph;
mod html;
mod json;
mod mermaid;
mod proposal;
mod report;
mod summary;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::boundary::proposal::Proposal;
use crate::model::Analysis;

pub use graph::{GraphGroups, GraphView};
pub use proposal::{proposal_json, proposal_summary};

/// The analysis as pretty-printed JSON (keys in struct order, two-space indent) with a
/// trailing newline: the format `docs/schema/analysis.schema.json` describes.
pub fn json(analysis: &Analysis) -> String {
    json::render(analysis)
}

/// A Graphviz `digraph` of the dependency graph as `view` asks: one node per module (or
/// item), one cluster per crate (or proposed service), one edge per ordered pair of nodes
/// labelled with its kinds and summed weight, line width growing with the weight. External
/// uses are not drawn. Kept simple enough for `dot` on thousands of edges; past a few
/// thousand only the heaviest are drawn, and `//` comments at the top say what was cut.
pub fn dot(analysis: &Analysis, view: &GraphView<'_>) -> String {
    dot::render(analysis, view)
}

/// A Mermaid `flowchart LR` of the dependency graph as `view` asks, which GitHub renders:
/// one subgraph per crate (or service), node ids reduced to `[A-Za-z0-9_]` yet unique, one
/// edge per ordered pair of nodes labelled with its kinds and summed weight. Within
/// Mermaid's default limits (500 edges, 50000 characters): a larger graph is folded to
/// modules, then to groups, then cut to its heaviest edges, and `%%` comments say so.
pub fn mermaid(analysis: &Analysis, view: &GraphView<'_>) -> String {
    mermaid::render(analysis, view)
}

/// A short summary for the terminal: counts, files, lines, time, then the first diagnostics.
pub fn summary(analysis: &Analysis) -> String {
    summary::render(analysis)
}

/// The plan report: one self-contained HTML page (no request of any kind, everything
/// inlined) with an interactive graph of candidates and modules laid out in Rust, the ranked
/// candidates with the proposal's metrics, a section per candidate with everything crossing
/// its boundary, and a dependency structure matrix of the analysis' structural edges.
/// Byte-identical for the same inputs.
pub fn html(proposal: &Proposal, analysis: &Analysis) -> String {
    html::render(proposal, analysis)
}

/// Creates `dir` (and its parents) and writes `analysis.json`, `graph.dot`, `graph.mmd` (both
/// drawn as `view` asks) and `summary.txt` into it, replacing files of those names. Returns
/// the written paths, sorted. Errors name the file or folder that could not be written.
pub fn write_report(
    dir: &Path,
    analysis: &Analysis,
    view: &GraphView<'_>,
) -> Result<Vec<PathBuf>, std::io::Error> {
    report::write(dir, analysis, view)
}

/// Creates `dir` (and its parents) and writes the plan report `index.html` into it,
/// replacing a file of that name. Returns the written paths. Errors name the file or folder
/// that could not be written. The plan's JSON, DOT and Mermaid files are written elsewhere.
pub fn write_plan_report(
    dir: &Path,
    proposal: &Proposal,
    analysis: &Analysis,
) -> Result<Vec<PathBuf>, std::io::Error> {
    report::write_plan(dir, proposal, analysis)
}

//! Test helpers: write a multi-file project given in one string, analyse it, and print the
//! parts of the result a test compares as sorted text lines.
//!
//! A project string holds files separated by `//- path` marker lines:
//!
//! ```text
//! //- Cargo.toml
//! [package]
//! name = "app"
//! //- src/lib.rs
//! mod a;
//! ```

use std::path::Path;

use ficus_analyzer::model::Analysis;
use ficus_analyzer::{NoProgress, Settings, analyze};
use tempfile::TempDir;

/// Writes the project into a new temporary folder.
pub fn project(spec: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_project(dir.path(), spec);
    dir
}

pub fn write_project(root: &Path, spec: &str) {
    let mut current: Option<(String, String)> = None;
    let flush = |current: &mut Option<(String, String)>| {
        if let Some((path, text)) = current.take() {
            let full = root.join(&path);
            std::fs::create_dir_all(full.parent().expect("file in a folder"))
                .expect("create folder");
            std::fs::write(full, text).expect("write file");
        }
    };
    for line in spec.lines() {
        if let Some(path) = line.trim_start().strip_prefix("//- ") {
            flush(&mut current);
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(&mut current);
}

pub fn analyze_dir(root: &Path) -> Analysis {
    analyze(&Settings::new(root), &NoProgress).expect("analysis runs")
}

pub fn analyze_spec(spec: &str) -> Analysis {
    let dir = project(spec);
    analyze_dir(dir.path())
}

/// `id file:line` per module, with ` cfg(..)` when gated.
pub fn modules_text(analysis: &Analysis) -> String {
    lines(analysis.modules.iter().map(|module| {
        let cfg = module
            .cfg
            .as_ref()
            .map(|cfg| format!(" cfg({cfg})"))
            .unwrap_or_default();
        format!("{} {}:{}{cfg}", module.id, module.file, module.line)
    }))
}

/// `from -> to kind xcount` per edge.
pub fn edges_text(analysis: &Analysis) -> String {
    lines(
        analysis
            .edges
            .iter()
            .map(|edge| format!("{} -> {} {} x{}", edge.from, edge.to, edge.kind, edge.count)),
    )
}

/// `from -> to` per pair of modules with any edge, kinds summed.
pub fn pairs_text(analysis: &Analysis) -> String {
    let mut pairs: Vec<String> = analysis
        .edges
        .iter()
        .map(|edge| format!("{} -> {}", edge.from, edge.to))
        .collect();
    pairs.dedup();
    lines(pairs)
}

/// `severity file:line message` per diagnostic.
pub fn diagnostics_text(analysis: &Analysis) -> String {
    lines(analysis.diagnostics.iter().map(|diagnostic| {
        let severity = format!("{:?}", diagnostic.severity).to_lowercase();
        format!(
            "{severity} {}:{} {}",
            diagnostic.file, diagnostic.line, diagnostic.message
        )
    }))
}

fn lines(items: impl IntoIterator<Item = String>) -> String {
    let mut lines: Vec<String> = items.into_iter().collect();
    lines.sort();
    lines.join("\n")
}

/// Compares text ignoring leading indentation and blank lines, so expectations can be
/// written indented in the test.
#[track_caller]
pub fn assert_text(actual: &str, expected: &str) {
    let normalize = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (actual_lines, expected_lines) = (normalize(actual), normalize(expected));
    assert!(
        actual_lines == expected_lines,
        "\n--- expected\n{}\n--- actual\n{}\n",
        expected_lines.join("\n"),
        actual_lines.join("\n")
    );
}

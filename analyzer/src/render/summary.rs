//! The terminal summary: what was read, how much of each kind of fact was found, and the
//! first diagnostics, most severe first. Plain text without colour or terminal width
//! handling, so it reads the same in a terminal, a CI log and `summary.txt`. It lists no
//! modules, routes or tables: the other formats are for that.

use std::fmt::Write as _;

use crate::model::{Analysis, Diagnostic, Severity};

/// How many diagnostics the summary prints before "... and N more".
const SHOWN_DIAGNOSTICS: usize = 10;

pub(super) fn render(analysis: &Analysis) -> String {
    let stats = &analysis.stats;
    let granularity = if analysis.granularity == "item" {
        "item"
    } else {
        "module"
    };
    let count_of = |severity: Severity| {
        analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    };
    let errors = count_of(Severity::Error) as u64;
    let warnings = count_of(Severity::Warning) as u64;
    let infos = count_of(Severity::Info);

    let rows: [(&str, String); 12] = [
        ("crates", analysis.crates.len().to_string()),
        ("modules", analysis.modules.len().to_string()),
        ("items", analysis.items.len().to_string()),
        (
            "edges",
            format!("{} ({granularity} graph)", analysis.edges.len()),
        ),
        ("external uses", analysis.external_uses.len().to_string()),
        ("routes", routes_row(analysis)),
        ("tables", analysis.tables.len().to_string()),
        ("foreign keys", analysis.foreign_keys.len().to_string()),
        ("accesses", analysis.accesses.len().to_string()),
        ("orphan files", analysis.orphans.len().to_string()),
        ("parse errors", stats.parse_errors.to_string()),
        (
            "diagnostics",
            format!(
                "{} ({}, {}, {} info)",
                analysis.diagnostics.len(),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
                infos
            ),
        ),
    ];

    let mut out = String::new();
    // `write!` into a `String` cannot fail; the results are ignored on purpose below.
    let _ = writeln!(
        out,
        "Analysed {} ({}) in {} ms.",
        plural(stats.files, "file", "files"),
        plural(stats.lines, "line", "lines"),
        stats.elapsed_ms
    );
    out.push('\n');
    for (name, value) in &rows {
        let _ = writeln!(out, "  {name:<14} {value}");
    }

    if !analysis.diagnostics.is_empty() {
        let mut diagnostics: Vec<&Diagnostic> = analysis.diagnostics.iter().collect();
        // Most severe first (`Severity` orders error < warning < info), then by place.
        diagnostics.sort();
        out.push_str("\nDiagnostics:\n");
        for diagnostic in diagnostics.iter().take(SHOWN_DIAGNOSTICS) {
            let _ = writeln!(out, "  {}", diagnostic_line(diagnostic));
        }
        if diagnostics.len() > SHOWN_DIAGNOSTICS {
            let _ = writeln!(
                out,
                "  ... and {} more",
                diagnostics.len() - SHOWN_DIAGNOSTICS
            );
        }
    }
    out
}

/// `file:line: severity: message`; without `:line` for line 0 (the whole file), and without
/// a place at all when there is no file.
fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    // A message spread over lines would break the one-line-per-diagnostic layout.
    let message = diagnostic.message.replace(['\r', '\n'], " ");
    match (diagnostic.file.as_str(), diagnostic.line) {
        ("", _) => format!("{severity}: {message}"),
        (file, 0) => format!("{file}: {severity}: {message}"),
        (file, line) => format!("{file}:{line}: {severity}: {message}"),
    }
}

/// The route count, then how completely their handlers are placed:
/// `412 (307 handlers, 297 mounted with full paths, 7 under an unknown prefix, 3 never mounted)`.
fn routes_row(analysis: &Analysis) -> String {
    let coverage = &analysis.route_coverage;
    let count = analysis.routes.len();
    if coverage.handlers == 0 {
        return count.to_string();
    }
    format!(
        "{count} ({}, {} mounted with full paths, {} under an unknown prefix, {} never mounted)",
        plural(u64::from(coverage.handlers), "handler", "handlers"),
        coverage.full_paths,
        coverage.unknown_prefix,
        coverage.never_mounted
    )
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

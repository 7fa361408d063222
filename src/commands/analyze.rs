//! `ficus analyze`: resolves the arguments into analyzer settings and output choices, runs the
//! analyzer with a progress bar on stderr, writes the report folder and prints the chosen
//! format on stdout.
//!
//! The analysis and every rendering live in `ficus-analyzer` (`analyze`, `render`); this file
//! only adapts them to the command line. Diagnostics never change the exit status: a run that
//! produced an analysis exits 0. It exits 2 (through `main`) when the analysis cannot start or
//! the report cannot be written.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use ficus_analyzer::model::Analysis;
use ficus_analyzer::render::GraphView;
use ficus_analyzer::{Granularity, Progress, Settings, render};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{AnalyzeArgs, AnalyzeFormat, GlobalArgs, GranularityArg};

pub(crate) fn run(args: &AnalyzeArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let run = AnalyzeRun::resolve(args, global, io::stderr().is_terminal());
    tracing::debug!(?run, "resolved analyze settings");

    let progress = ProgressReporter::new(run.show_progress);
    let result = ficus_analyzer::analyze(&run.settings, &progress);
    progress.finish();
    let mut analysis = result?;
    if run.deterministic {
        analysis.stats.elapsed_ms = 0;
    }
    tracing::info!(
        files = analysis.stats.files,
        modules = analysis.modules.len(),
        edges = analysis.edges.len(),
        diagnostics = analysis.diagnostics.len(),
        "analysis done"
    );

    if let Some(dir) = &run.report_dir {
        // The error names the file or folder that failed.
        render::write_report(dir, &analysis, &run.graph_view()).context("writing the report")?;
    }
    print_stdout(&stdout_text(&run, &analysis))?;
    Ok(ExitCode::SUCCESS)
}

/// Everything one `ficus analyze` invocation will do, decided before any work.
#[derive(Debug)]
struct AnalyzeRun {
    settings: Settings,
    format: AnalyzeFormat,
    /// Where to write the report folder; `None` with `--no-report`.
    report_dir: Option<PathBuf>,
    show_progress: bool,
    deterministic: bool,
}

impl AnalyzeRun {
    fn resolve(args: &AnalyzeArgs, global: &GlobalArgs, stderr_is_terminal: bool) -> AnalyzeRun {
        let granularity = match args.granularity {
            GranularityArg::Module => Granularity::Module,
            GranularityArg::Item => Granularity::Item,
        };
        AnalyzeRun {
            settings: Settings {
                root: args.path.clone(),
                all_targets: args.all_targets,
                granularity,
                threads: args.threads.map(|threads| threads.get()),
            },
            format: args.format,
            report_dir: (!args.no_report).then(|| args.output.clone()),
            show_progress: stderr_is_terminal && !global.quiet,
            deterministic: args.deterministic,
        }
    }

    /// What the graph files draw: the nodes asked for with `--granularity`, one cluster per
    /// crate.
    fn graph_view(&self) -> GraphView<'static> {
        GraphView::crates(self.settings.granularity)
    }
}

/// What goes to stdout: the summary (and where the report is) for `text`, else the format.
fn stdout_text(run: &AnalyzeRun, analysis: &Analysis) -> String {
    match run.format {
        AnalyzeFormat::Text => {
            let mut text = render::summary(analysis);
            if let Some(dir) = &run.report_dir {
                text.push_str(&format!("\nReport written to {}\n", display_dir(dir)));
            }
            text
        }
        AnalyzeFormat::Json => render::json(analysis),
        AnalyzeFormat::Dot => render::dot(analysis, &run.graph_view()),
        AnalyzeFormat::Mermaid => render::mermaid(analysis, &run.graph_view()),
    }
}

/// `dir` with a trailing separator, so it reads as a folder.
pub(crate) fn display_dir(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text.ends_with(std::path::MAIN_SEPARATOR) {
        text
    } else {
        format!("{text}{}", std::path::MAIN_SEPARATOR)
    }
}

/// Writes `text` to stdout. A reader that went away (`ficus analyze --format json | head`) is
/// not an error.
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result.context("writing to stdout"),
    }
}

/// The analyzer's progress hook drawn as an indicatif bar on stderr, or nothing at all: a
/// spinner while files are being found, then a bar of files parsed.
pub(crate) struct ProgressReporter {
    bar: ProgressBar,
}

impl ProgressReporter {
    pub(crate) fn new(visible: bool) -> ProgressReporter {
        if !visible {
            return ProgressReporter {
                bar: ProgressBar::hidden(),
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(style("{spinner} finding files {elapsed}"));
        bar.enable_steady_tick(Duration::from_millis(100));
        ProgressReporter { bar }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for ProgressReporter {
    fn files_found(&self, count: u64) {
        self.bar.set_length(count);
        self.bar.set_style(style(
            "{spinner} parsing {pos}/{len} files [{bar:30}] {elapsed}",
        ));
    }

    fn file_parsed(&self) {
        self.bar.inc(1);
    }
}

/// A progress style from one of the constant templates above, which indicatif accepts; if a
/// future indicatif rejected one, the run goes on with its default bar rather than failing.
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests;

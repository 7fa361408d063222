//! `ficus plan`: analyses the folder at item level, reads the plan file if there is one,
//! proposes candidate services with `ficus_analyzer::boundary::plan`, drafts or updates the
//! plan file, writes the report folder and prints the proposal with what drafting decided.
//!
//! How flags and the plan file shape the settings (`boundary::resolve_settings`), the draft
//! and its diagnostics (`boundary::draft`), the renderings and the plan file's editing live in
//! `ficus-analyzer` and `ficus-plan`; this file resolves flags, calls them and prints.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ficus_analyzer::boundary::history::{HistoryWindow, read_history};
use ficus_analyzer::boundary::{
    PlanDiagnostic, PlanOverrides, PlanSettings, constraint_conflicts, draft, plan,
    resolve_settings,
};
use ficus_analyzer::model::Analysis;
use ficus_analyzer::render::GraphView;
use ficus_analyzer::{Granularity, Settings, render};
use ficus_plan::{Draft, PartitionTarget, PlanDocument};

use super::analyze::{ProgressReporter, display_dir, print_stdout};
use crate::cli::{GlobalArgs, GranularityArg, PlanArgs, PlanFormat};

pub(crate) fn run(args: &PlanArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let run = PlanRun::resolve(args);
    let existing = match &run.plan_file {
        Some(path) if path.exists() => Some(PlanDocument::load(path)?),
        _ => None,
    };

    let progress = ProgressReporter::new(io::stderr().is_terminal() && !global.quiet);
    let result = ficus_analyzer::analyze(&run.settings, &progress);
    progress.finish();
    let mut analysis = result?;
    if run.deterministic {
        analysis.stats.elapsed_ms = 0;
    }

    let mut settings = resolve_settings(
        &run.overrides,
        existing.as_ref().map(PlanDocument::plan),
        &analysis,
    );
    if args.history {
        let window = HistoryWindow {
            max_commits: args.max_commits,
            since: args.since.clone(),
        };
        let history =
            read_history(&run.settings.root, &window).context("reading git history (--history)")?;
        tracing::info!(commits = history.commits.len(), "history read");
        settings.history = Some(history);
    }
    let proposal = plan(&analysis, &settings).context("proposing services")?;

    let mut plan_note = String::new();
    let mut plan_text = None;
    let mut diagnostics: Vec<PlanDiagnostic> = Vec::new();
    if let Some(path) = &run.plan_file {
        let (draft, drafted) = draft(
            &analysis,
            &proposal,
            existing.as_ref().map(PlanDocument::plan),
        );
        let document = match existing {
            Some(mut document) => {
                diagnostics.extend(constraint_conflicts(document.plan(), &settings));
                let changes = document.apply(&draft)?;
                plan_note = if changes.is_empty() {
                    format!("\nPlan {} is up to date.\n", path.display())
                } else {
                    let lines: Vec<String> =
                        changes.iter().map(|change| format!("  {change}")).collect();
                    format!("\nPlan {} updated:\n{}\n", path.display(), lines.join("\n"))
                };
                document
            }
            None => {
                plan_note = format!("\nPlan drafted: {}\n", path.display());
                new_plan(&analysis, &run, &settings, path, &draft)?
            }
        };
        diagnostics.extend(drafted);
        let text = document.to_string();
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
        plan_text = Some(text);
    }

    if let Some(dir) = &run.report_dir {
        let view = GraphView::services(&proposal, run.graph_nodes);
        render::write_report(dir, &analysis, &view).context("writing the report")?;
        let path = dir.join("proposal.json");
        std::fs::write(&path, render::proposal_json(&proposal))
            .with_context(|| format!("writing {}", path.display()))?;
        render::write_plan_report(dir, &proposal, &analysis).context("writing the plan report")?;
        if let Some(text) = &plan_text {
            // The plan as drafted or updated by this run, beside the report it comes from.
            let path = dir.join("ficus.toml");
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let text = match run.format {
        PlanFormat::Text => {
            let mut text = render::proposal_summary(&proposal);
            text.push_str(&plan_note);
            if !diagnostics.is_empty() {
                let lines: Vec<String> = diagnostics
                    .iter()
                    .map(|diagnostic| format!("  {diagnostic}"))
                    .collect();
                text.push_str(&format!("\nDiagnostics:\n{}\n", lines.join("\n")));
            }
            if let Some(dir) = &run.report_dir {
                text.push_str(&format!("\nReport written to {}\n", display_dir(dir)));
            }
            text
        }
        PlanFormat::Json => {
            // stdout is the proposal; a person still hears what drafting decided.
            for diagnostic in &diagnostics {
                tracing::warn!("{diagnostic}");
            }
            render::proposal_json(&proposal)
        }
    };
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Everything one `ficus plan` invocation will do, decided before any work.
#[derive(Debug)]
struct PlanRun {
    settings: Settings,
    /// The flags' layer of the proposal's settings; the plan file's is added once it is read.
    overrides: PlanOverrides,
    format: PlanFormat,
    report_dir: Option<PathBuf>,
    plan_file: Option<PathBuf>,
    /// What `graph.dot` and `graph.mmd` draw (grouped by proposed service).
    graph_nodes: Granularity,
    deterministic: bool,
}

impl PlanRun {
    fn resolve(args: &PlanArgs) -> PlanRun {
        let plan_file = (!args.no_plan).then(|| {
            args.plan
                .clone()
                .unwrap_or_else(|| args.path.join("ficus.toml"))
        });
        PlanRun {
            settings: Settings {
                root: args.path.clone(),
                all_targets: false,
                // Item-level edges give each service's API surface.
                granularity: Granularity::Item,
                threads: args.threads.map(|threads| threads.get()),
            },
            overrides: PlanOverrides {
                seed: args.seed,
                resolution: args.resolution,
                services: args.services.map(NonZeroUsize::get),
            },
            format: args.format,
            report_dir: (!args.no_report).then(|| args.output.clone()),
            plan_file,
            graph_nodes: match args.graph {
                GranularityArg::Module => Granularity::Module,
                GranularityArg::Item => Granularity::Item,
            },
            deterministic: args.deterministic,
        }
    }
}

/// A first plan: the monolith named after its folder, its source relative to the plan file.
fn new_plan(
    analysis: &Analysis,
    run: &PlanRun,
    settings: &PlanSettings,
    plan_file: &Path,
    draft: &Draft,
) -> anyhow::Result<PlanDocument> {
    let root = run
        .settings
        .root
        .canonicalize()
        .unwrap_or_else(|_| run.settings.root.clone());
    let plan_dir = plan_file
        .parent()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .and_then(|dir| dir.canonicalize().ok());
    let source = match plan_dir
        .as_deref()
        .and_then(|dir| root.strip_prefix(dir).ok())
    {
        Some(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
        Some(relative) => relative.to_path_buf(),
        None => root.clone(),
    };
    let names: BTreeSet<&str> = analysis
        .crates
        .iter()
        .map(|krate| krate.name.as_str())
        .collect();
    let name = match names.iter().next() {
        Some(only) if names.len() == 1 => (*only).to_string(),
        _ => root.file_name().map_or_else(
            || "monolith".to_string(),
            |name| name.to_string_lossy().into_owned(),
        ),
    };
    let monolith = ficus_plan::Monolith {
        name,
        source,
        upstream: None,
    };
    let target = match settings.target_services {
        Some(services) => PartitionTarget::Services(u32::try_from(services).unwrap_or(u32::MAX)),
        None => PartitionTarget::Resolution(settings.resolution),
    };
    let meta = ficus_plan::Analysis {
        seed: settings.seed,
        target,
        all_targets: false,
    };
    Ok(PlanDocument::from_draft(monolith, meta, draft, plan_file)?)
}

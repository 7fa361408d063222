//! `ficus plan`: analyses the folder at item level, proposes candidate services with
//! `ficus_analyzer::boundary::plan`, writes the report folder and prints the proposal.
//!
//! The proposal and its renderings live in `ficus-analyzer`; this file only adapts them to
//! the command line.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ficus_analyzer::boundary::{PlanSettings, plan};
use ficus_analyzer::{Granularity, Settings, render};

use super::analyze::{ProgressReporter, display_dir, print_stdout};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};

pub(crate) fn run(args: &PlanArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let run = PlanRun::resolve(args);
    let progress = ProgressReporter::new(io::stderr().is_terminal() && !global.quiet);
    let result = ficus_analyzer::analyze(&run.settings, &progress);
    progress.finish();
    let mut analysis = result?;
    if run.deterministic {
        analysis.stats.elapsed_ms = 0;
    }
    let proposal = plan(&analysis, &run.plan).context("proposing services")?;
    if let Some(dir) = &run.report_dir {
        render::write_report(dir, &analysis).context("writing the report")?;
        let path = dir.join("proposal.json");
        std::fs::write(&path, render::proposal_json(&proposal))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let text = match run.format {
        PlanFormat::Text => {
            let mut text = render::proposal_summary(&proposal);
            if let Some(dir) = &run.report_dir {
                text.push_str(&format!("\nReport written to {}\n", display_dir(dir)));
            }
            text
        }
        PlanFormat::Json => render::proposal_json(&proposal),
    };
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Everything one `ficus plan` invocation will do, decided before any work.
#[derive(Debug)]
struct PlanRun {
    settings: Settings,
    plan: PlanSettings,
    format: PlanFormat,
    report_dir: Option<PathBuf>,
    deterministic: bool,
}

impl PlanRun {
    fn resolve(args: &PlanArgs) -> PlanRun {
        let mut plan = PlanSettings {
            seed: args.seed,
            ..PlanSettings::default()
        };
        plan.target_services = args.services.map(|services| services.get());
        if let Some(resolution) = args.resolution {
            plan.resolution = resolution;
        }
        PlanRun {
            settings: Settings {
                root: args.path.clone(),
                all_targets: false,
                // Item-level edges give each service's API surface.
                granularity: Granularity::Item,
                threads: args.threads.map(|threads| threads.get()),
            },
            plan,
            format: args.format,
            report_dir: (!args.no_report).then(|| args.output.clone()),
            deterministic: args.deterministic,
        }
    }
}

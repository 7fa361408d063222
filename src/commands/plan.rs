//! `ficus plan`: analyses the folder at item level, reads the plan file if there is one (its
//! services pin modules, its constraints and weights shape the cut), proposes candidate
//! services with `ficus_analyzer::boundary::plan`, drafts or updates the plan file, writes the
//! report folder and prints the proposal.
//!
//! The proposal, its renderings and the plan file's editing live in `ficus-analyzer` and
//! `ficus-plan`; this file only adapts them to each other and to the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ficus_analyzer::boundary::compare::assignment_of;
use ficus_analyzer::boundary::history::{HistoryWindow, read_history};
use ficus_analyzer::boundary::{PlanSettings, Proposal, crossings, plan};
use ficus_analyzer::model::Analysis;
use ficus_analyzer::{Granularity, Settings, render};
use ficus_plan::{
    Draft, DraftRoute, DraftService, Owner, PartitionTarget, Plan, PlanDocument, RouteKey,
};

use super::analyze::{ProgressReporter, display_dir, print_stdout};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};

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

    let mut settings = run.plan.clone();
    if let Some(document) = &existing {
        settings_from_plan(document.plan(), &analysis, args, &mut settings);
    }
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
    if let Some(path) = &run.plan_file {
        let draft = draft_of(
            &analysis,
            &proposal,
            existing.as_ref().map(PlanDocument::plan),
        );
        let document = match existing {
            Some(mut document) => {
                let conflicts = constraint_conflicts(document.plan(), &settings);
                let changes = document.apply(&draft)?;
                plan_note = if changes.is_empty() {
                    format!("\nPlan {} is up to date.\n", path.display())
                } else {
                    let lines: Vec<String> =
                        changes.iter().map(|change| format!("  {change}")).collect();
                    format!("\nPlan {} updated:\n{}\n", path.display(), lines.join("\n"))
                };
                plan_note.push_str(&conflicts);
                document
            }
            None => {
                let plan = new_plan(&analysis, &run, path, &draft)?;
                plan_note = format!("\nPlan drafted: {}\n", path.display());
                PlanDocument::new(&plan, path)?
            }
        };
        let text = document.to_string();
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
        plan_text = Some(text);
    }

    if let Some(dir) = &run.report_dir {
        render::write_report(dir, &analysis).context("writing the report")?;
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
    plan_file: Option<PathBuf>,
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
            plan,
            format: args.format,
            report_dir: (!args.no_report).then(|| args.output.clone()),
            plan_file,
            deterministic: args.deterministic,
        }
    }
}

/// What an existing plan file says about the next proposal: its placements become pins, its
/// kernel is kept, its constraints and weights apply. Flags given on the command line win over
/// the file's `[analysis]`.
fn settings_from_plan(
    plan: &Plan,
    analysis: &Analysis,
    args: &PlanArgs,
    settings: &mut PlanSettings,
) {
    for module in &analysis.modules {
        match plan.owner_of(&module.id) {
            Some(Owner::Service(service)) => {
                settings
                    .pinned
                    .insert(module.id.clone(), service.name.clone());
            }
            Some(Owner::SharedKernel) => {
                settings.kernel_modules.insert(module.id.clone());
            }
            None => {}
        }
    }
    let groups = |patterns: &[Vec<ficus_plan::ModulePattern>]| -> Vec<Vec<String>> {
        patterns
            .iter()
            .map(|group| {
                analysis
                    .modules
                    .iter()
                    .filter(|module| group.iter().any(|pattern| pattern.matches(&module.id)))
                    .map(|module| module.id.clone())
                    .collect()
            })
            .collect()
    };
    if plan.constraints.fixed_services {
        settings.fixed_services = Some(
            plan.services
                .iter()
                .map(|service| service.name.clone())
                .collect(),
        );
    }
    settings.together = groups(&plan.constraints.together);
    settings.apart = groups(&plan.constraints.apart);
    settings.weights = plan.weights.clone();
    if args.seed == PlanSettings::default().seed {
        settings.seed = plan.analysis.seed;
    }
    if args.services.is_none() && args.resolution.is_none() {
        match plan.analysis.target {
            PartitionTarget::Resolution(resolution) => settings.resolution = resolution,
            PartitionTarget::Services(services) => {
                settings.target_services = Some(services as usize)
            }
        }
    }
}

/// Constraints the plan file's own placements contradict: the proposal follows the
/// constraint, the file keeps its placement until a person moves the patterns.
fn constraint_conflicts(plan: &Plan, settings: &PlanSettings) -> String {
    let service_of = |module: &String| match plan.owner_of(module) {
        Some(Owner::Service(service)) => Some(service.name.clone()),
        _ => None,
    };
    let mut lines = Vec::new();
    for group in &settings.together {
        let services: BTreeSet<String> = group.iter().filter_map(service_of).collect();
        if services.len() > 1 {
            let names: Vec<String> = services.into_iter().collect();
            lines.push(format!(
                "  constraint together: the plan file places its modules in {}; move them to one service to follow it",
                names.join(", ")
            ));
        }
    }
    for group in &settings.apart {
        let placed: Vec<String> = group.iter().filter_map(service_of).collect();
        let distinct: BTreeSet<&String> = placed.iter().collect();
        if distinct.len() < placed.len() {
            lines.push("  constraint apart: the plan file places two of its modules in one service; move one to follow it".to_string());
        }
    }
    if lines.is_empty() {
        String::new()
    } else {
        format!(
            "\nConstraints the plan file contradicts:\n{}\n",
            lines.join("\n")
        )
    }
}

/// The proposal as the plan file's re-plan input. Where the plan file already places a module
/// (and a person's new constraint made the proposal disagree), the file's placement is what the
/// draft describes, so routes and tables follow the modules that stay.
fn draft_of(analysis: &Analysis, proposal: &Proposal, plan: Option<&Plan>) -> Draft {
    let mut assignment = assignment_of(proposal);
    if let Some(plan) = plan {
        for module in &analysis.modules {
            if let Some(Owner::Service(service)) = plan.owner_of(&module.id) {
                assignment.insert(module.id.clone(), service.name.clone());
            }
        }
    }
    let ranks: BTreeMap<&str, usize> = proposal
        .services
        .iter()
        .map(|service| (service.name.as_str(), service.rank))
        .collect();
    let mut described = crossings(analysis, &assignment);
    described.sort_by_key(|crossing| {
        ranks
            .get(crossing.name.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    let services = described
        .into_iter()
        .map(|crossing| DraftService {
            rank: ranks
                .get(crossing.name.as_str())
                .and_then(|rank| u32::try_from(*rank).ok()),
            routes: crossing
                .routes
                .iter()
                .filter_map(|route| RouteKey::parse(&route.replacen("ANY ", "* ", 1)).ok())
                .map(DraftRoute::new)
                .collect(),
            name: crossing.name,
            modules: crossing.modules,
            tables: crossing.tables_owned,
        })
        .collect();
    Draft {
        modules: analysis
            .modules
            .iter()
            .map(|module| module.id.clone())
            .collect(),
        services,
        shared_kernel: proposal
            .shared_kernel
            .iter()
            .map(|module| module.path.clone())
            .collect(),
    }
}

/// A first plan: the monolith named after its folder, its source relative to the plan file.
fn new_plan(
    analysis: &Analysis,
    run: &PlanRun,
    plan_file: &Path,
    draft: &Draft,
) -> anyhow::Result<Plan> {
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
    let target = match run.plan.target_services {
        Some(services) => PartitionTarget::Services(u32::try_from(services).unwrap_or(u32::MAX)),
        None => PartitionTarget::Resolution(run.plan.resolution),
    };
    let meta = ficus_plan::Analysis {
        seed: run.plan.seed,
        target,
        all_targets: false,
    };
    Ok(Plan::from_draft(monolith, meta, draft)?)
}

//! `ficus compare A B`: reads two decompositions (plan files or truth files), assigns the
//! modules of the analysed code with each, and prints how close A is to B.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ficus_analyzer::boundary::compare::{Assignment, Truth, compare};
use ficus_analyzer::{NoProgress, Settings};
use ficus_plan::{Owner, Plan};

use super::analyze::print_stdout;
use crate::cli::CompareArgs;

/// One side of the comparison.
enum Decomposition {
    Plan(Box<Plan>, PathBuf),
    Truth(Truth),
}

impl Decomposition {
    fn load(path: &Path) -> anyhow::Result<Decomposition> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let looks_like_plan = text
            .lines()
            .any(|line| line.trim_start().starts_with("[[service]]"));
        if looks_like_plan {
            Ok(Decomposition::Plan(
                Box::new(Plan::parse(&text, path)?),
                path.to_path_buf(),
            ))
        } else {
            Ok(Decomposition::Truth(Truth::parse(
                &text,
                &path.display().to_string(),
            )?))
        }
    }

    fn source(&self) -> Option<PathBuf> {
        match self {
            Decomposition::Plan(plan, file) => Some(plan.source_dir(file)),
            Decomposition::Truth(_) => None,
        }
    }

    fn assign(&self, modules: &[String]) -> Assignment {
        match self {
            Decomposition::Plan(plan, _) => modules
                .iter()
                .filter_map(|module| match plan.owner_of(module) {
                    Some(Owner::Service(service)) => Some((module.clone(), service.name.clone())),
                    _ => None,
                })
                .collect(),
            Decomposition::Truth(truth) => truth.assign(modules.iter().map(String::as_str)),
        }
    }
}

pub(crate) fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let proposed = Decomposition::load(&args.proposed)?;
    let reference = Decomposition::load(&args.reference)?;
    let source = args
        .source
        .clone()
        .or_else(|| proposed.source())
        .or_else(|| reference.source())
        .unwrap_or_else(|| PathBuf::from("."));
    let analysis = ficus_analyzer::analyze(&Settings::new(&source), &NoProgress)?;
    let modules: Vec<String> = analysis
        .modules
        .iter()
        .map(|module| module.id.clone())
        .collect();
    let comparison = compare(&proposed.assign(&modules), &reference.assign(&modules))
        .context("comparing the two decompositions")?;
    let text = if args.json {
        format!(
            "{{\"modules\": {}, \"mojo_fm\": {}, \"a2a\": {}, \"adjusted_rand_index\": {}}}\n",
            comparison.modules, comparison.mojo_fm, comparison.a2a, comparison.adjusted_rand_index
        )
    } else {
        format!(
            "Compared over {} modules of {} ({} against {}):\n  MoJoFM {:.1}  a2a {:.1}  adjusted Rand index {:.3}\n",
            comparison.modules,
            source.display(),
            args.proposed.display(),
            args.reference.display(),
            comparison.mojo_fm,
            comparison.a2a,
            comparison.adjusted_rand_index
        )
    };
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

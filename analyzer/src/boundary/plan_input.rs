//! What a plan file and the command line say about the next proposal, layered into one
//! [`PlanSettings`]: flags over the file over the defaults, in [`resolve_settings`] and
//! nowhere else. Also finds the constraints that the file's own placements contradict.
//!
//! Reads no file: the caller loads the plan (`ficus_plan::PlanDocument`) and passes it in.
//! Evolutionary coupling (`--history`) is read by the caller too, with `history.rs`.

use std::collections::BTreeSet;

use ficus_plan::{ModulePattern, Owner, PartitionTarget, Plan};

use super::diagnostic::PlanDiagnostic;
use super::pipeline::PlanSettings;
use crate::model::Analysis;

/// What the command line says about the proposal; `None` where a flag was not given, so that
/// the plan file (or the default) decides.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlanOverrides {
    pub seed: Option<u64>,
    /// Leiden resolution; setting it drops the file's target, whichever it is.
    pub resolution: Option<f64>,
    /// Aim for this many services; setting it drops the file's target, whichever it is.
    pub services: Option<usize>,
}

/// The settings of the next proposal: flags over the plan file over
/// [`PlanSettings::default`]. With a plan file, its placements become pins (a service's
/// modules) and kernel modules, its constraints are resolved against the analysed modules,
/// and its weights apply.
pub fn resolve_settings(
    overrides: &PlanOverrides,
    plan: Option<&Plan>,
    analysis: &Analysis,
) -> PlanSettings {
    let mut settings = PlanSettings::default();
    if let Some(plan) = plan {
        apply_plan(plan, analysis, &mut settings);
    }
    if let Some(seed) = overrides.seed {
        settings.seed = seed;
    }
    if overrides.resolution.is_some() || overrides.services.is_some() {
        let defaults = PlanSettings::default();
        settings.resolution = overrides.resolution.unwrap_or(defaults.resolution);
        settings.target_services = overrides.services;
    }
    settings
}

/// Constraints the plan file's own placements contradict: the proposal follows the
/// constraint, the file keeps its placement until a person moves the patterns.
pub fn constraint_conflicts(plan: &Plan, settings: &PlanSettings) -> Vec<PlanDiagnostic> {
    let service_of = |module: &String| match plan.owner_of(module) {
        Some(Owner::Service(service)) => Some(service.name.clone()),
        _ => None,
    };
    let mut diagnostics = Vec::new();
    for group in &settings.together {
        let services: BTreeSet<String> = group.iter().filter_map(service_of).collect();
        if services.len() > 1 {
            diagnostics.push(PlanDiagnostic::TogetherContradicted {
                services: services.into_iter().collect(),
            });
        }
    }
    for group in &settings.apart {
        let placed: Vec<String> = group.iter().filter_map(service_of).collect();
        let distinct: BTreeSet<&String> = placed.iter().collect();
        if distinct.len() < placed.len() {
            diagnostics.push(PlanDiagnostic::ApartContradicted);
        }
    }
    diagnostics
}

/// The plan file's layer: placements, constraints, weights and `[analysis]`.
fn apply_plan(plan: &Plan, analysis: &Analysis, settings: &mut PlanSettings) {
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
    let groups = |patterns: &[Vec<ModulePattern>]| -> Vec<Vec<String>> {
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
    settings.seed = plan.analysis.seed;
    match plan.analysis.target {
        PartitionTarget::Resolution(resolution) => settings.resolution = resolution,
        PartitionTarget::Services(services) => {
            settings.target_services = Some(services as usize);
        }
    }
}

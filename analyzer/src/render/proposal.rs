//! The proposal of `ficus plan` as text for people and as JSON for tools.

use std::fmt::Write;

use crate::boundary::Proposal;
use crate::boundary::proposal::ModuleRef;

/// Pretty JSON of the whole proposal, with a trailing newline.
pub fn proposal_json(proposal: &Proposal) -> String {
    // Serialising plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(proposal).unwrap_or_default();
    text.push('\n');
    text
}

/// Candidates in extraction order with what crosses their boundaries, the shared kernel and
/// the metrics of the cut.
pub fn proposal_summary(proposal: &Proposal) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Proposed {} services, in extraction order:\n",
        proposal.services.len()
    );
    let _ = writeln!(
        out,
        "  rank  service            modules routes owned tables      cost   value  notes"
    );
    for service in &proposal.services {
        let mut notes = Vec::new();
        if !service.jobs.is_empty() {
            notes.push(format!("{} background job(s)", service.jobs.len()));
        }
        if !service.cycle_with.is_empty() {
            notes.push(format!("cycle with {}", service.cycle_with.join(", ")));
        }
        let shared_written = service
            .tables_shared
            .iter()
            .filter(|shared| shared.writers.len() > 1)
            .count();
        if shared_written > 0 {
            notes.push(format!("{shared_written} table(s) written by others too"));
        }
        if !service.foreign_keys_crossing.is_empty() {
            notes.push(format!(
                "{} foreign key(s) cross out",
                service.foreign_keys_crossing.len()
            ));
        }
        let _ = writeln!(
            out,
            "  {:>4}  {:<18} {:>7} {:>6} {:>12} {:>9.1} {:>7.1}  {}",
            service.rank,
            service.name,
            service.modules.len(),
            service.routes.len(),
            service.tables_owned.len(),
            service.cost.total,
            service.value.total,
            notes.join("; ")
        );
    }
    if let Some(split) = &proposal.giant_split {
        let _ = writeln!(
            out,
            "\nOne candidate held {:.0}% of the entry points (routes and background jobs): it \
             was cut into {} along its entry modules' ties, which crosses {:.0}% of their tie \
             weight. Pin modules in the plan file to keep it whole.",
            split.share * 100.0,
            split.services.join(", "),
            split.cut * 100.0
        );
    }
    let _ = writeln!(
        out,
        "\nShared kernel ({} modules):",
        proposal.shared_kernel.len()
    );
    module_lines(&mut out, &proposal.shared_kernel);
    if !proposal.unassigned.is_empty() {
        let _ = writeln!(
            out,
            "\nUnassigned: wiring and modules with no ties ({} modules):",
            proposal.unassigned.len()
        );
        module_lines(&mut out, &proposal.unassigned);
    }
    let metrics = &proposal.metrics;
    let _ = writeln!(
        out,
        "\nMetrics: SM {:.3}  ICP {:.3}  IFN {:.2}  NED {:.3}  TurboMQ {:.3}  Q {:.3}",
        metrics.structural_modularity,
        metrics.inter_call_percentage,
        metrics.interface_number,
        metrics.non_extreme_distribution,
        metrics.bunch_mq,
        metrics.newman_modularity
    );
    out
}

/// `  module: why`, one line per module; modules that share a reason (the members of one
/// kernel area) under that reason once. A module the proposal says nothing about: its path.
fn module_lines(out: &mut String, modules: &[ModuleRef]) {
    let mut by_why: Vec<(&str, Vec<&str>)> = Vec::new();
    for module in modules {
        match by_why.iter_mut().find(|(why, _)| *why == module.why) {
            Some((_, paths)) => paths.push(&module.path),
            None => by_why.push((&module.why, vec![&module.path])),
        }
    }
    for (why, paths) in by_why {
        match (why.is_empty(), paths.as_slice()) {
            (true, _) => {
                for path in paths {
                    let _ = writeln!(out, "  {path}");
                }
            }
            (false, [path]) => {
                let _ = writeln!(out, "  {path}: {why}");
            }
            (false, _) => {
                let _ = writeln!(out, "  {} modules: {why}", paths.len());
                for path in paths {
                    let _ = writeln!(out, "    {path}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::proposal::GiantSplit;

    #[test]
    fn the_summary_says_why_modules_are_outside_services_and_reports_a_giant_split() {
        let proposal = Proposal {
            shared_kernel: vec![
                ModuleRef {
                    path: "app::common".to_string(),
                    file: "src/common.rs".to_string(),
                    why: "used from 4 other domains (a, b, c, d) and owns no route or table"
                        .to_string(),
                },
                ModuleRef {
                    path: "app::util::clock".to_string(),
                    why: "area app::util is used from 3 domains".to_string(),
                    ..ModuleRef::default()
                },
                ModuleRef {
                    path: "app::util::money".to_string(),
                    why: "area app::util is used from 3 domains".to_string(),
                    ..ModuleRef::default()
                },
            ],
            unassigned: vec![ModuleRef {
                path: "app".to_string(),
                file: "src/main.rs".to_string(),
                why: String::new(),
            }],
            giant_split: Some(GiantSplit {
                services: vec!["orders".to_string(), "billing".to_string()],
                share: 0.759,
                cut: 0.126,
            }),
            ..Proposal::default()
        };
        let text = proposal_summary(&proposal);
        assert!(text.contains(
            "\n  app::common: used from 4 other domains (a, b, c, d) and owns no route or table\n"
        ));
        assert!(text.contains("\n  app\n"), "{text}");
        assert!(
            text.contains(
                "\n  2 modules: area app::util is used from 3 domains\n    app::util::clock\n    \
                 app::util::money\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "One candidate held 76% of the entry points (routes and background jobs): it was \
                 cut into orders, billing along its entry modules' ties, which crosses 13% of \
                 their tie weight."
            ),
            "{text}"
        );
    }
}

//! Comparing decompositions: a proposal or plan against ground truth, or two plans. Truth
//! files map module path prefixes to service names:
//!
//! ```toml
//! [services]
//! orders = ["shop::orders"]
//! catalog = ["shop::catalog", "shop::pricing"]
//! [shared]            # optional: modules that belong to no service
//! kernel = ["shop::common"]
//! ```
//!
//! Modules are compared over those both sides name; a module one side leaves out is its own
//! singleton on that side, so leaving modules out is not rewarded.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::metrics::{self, Partition, ReferenceSizes};

/// A decomposition: module id -> service name.
pub type Assignment = BTreeMap<String, String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TruthFile {
    services: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    shared: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Prefixes per service, and prefixes of modules in no service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    pub services: BTreeMap<String, Vec<String>>,
    pub shared: Vec<String>,
}

impl Truth {
    pub fn parse(text: &str, file: &str) -> Result<Truth, TruthError> {
        let parsed: TruthFile = toml::from_str(text).map_err(|error| TruthError::Invalid {
            file: file.to_string(),
            message: error.to_string(),
        })?;
        Ok(Truth {
            services: parsed.services,
            shared: parsed.shared.into_values().flatten().collect(),
        })
    }

    /// The service of each module, by the longest matching prefix (`a::b` matches `a::b` and
    /// `a::b::c`). Modules under a shared prefix, or under none, are left out.
    pub fn assign<'m>(&self, modules: impl IntoIterator<Item = &'m str>) -> Assignment {
        let mut prefixes: Vec<(&str, Option<&str>)> = Vec::new();
        for (service, list) in &self.services {
            prefixes.extend(
                list.iter()
                    .map(|prefix| (prefix.as_str(), Some(service.as_str()))),
            );
        }
        prefixes.extend(self.shared.iter().map(|prefix| (prefix.as_str(), None)));
        prefixes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        let mut assignment = Assignment::new();
        for module in modules {
            let owner = prefixes.iter().find(|(prefix, _)| {
                module == *prefix
                    || (module.starts_with(prefix) && module[prefix.len()..].starts_with("::"))
            });
            if let Some((_, Some(service))) = owner {
                assignment.insert(module.to_string(), (*service).to_string());
            }
        }
        assignment
    }
}

/// How close a decomposition is to a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Modules compared (those the reference assigns).
    pub modules: usize,
    /// MoJoFM, 0-100: 100 is the reference itself.
    pub mojo_fm: f64,
    /// a2a, 0-100: 100 is the reference itself.
    pub a2a: f64,
    /// Adjusted Rand index: 1 is the reference, about 0 is chance.
    pub adjusted_rand_index: f64,
}

/// Compares `proposed` with `reference` over the modules `reference` assigns.
pub fn compare(
    proposed: &Assignment,
    reference: &Assignment,
) -> Result<Comparison, metrics::Error> {
    let modules: Vec<&String> = reference.keys().collect();
    let label = |labels: &mut Vec<String>, name: String| -> usize {
        match labels.iter().position(|existing| *existing == name) {
            Some(position) => position,
            None => {
                labels.push(name);
                labels.len() - 1
            }
        }
    };
    let (mut proposed_labels, mut reference_labels) = (Vec::new(), Vec::new());
    let proposed_rows: Vec<Option<usize>> = modules
        .iter()
        .map(|module| {
            // Left out by the proposal: alone.
            let name = proposed
                .get(*module)
                .map_or_else(|| format!("\u{0}alone {module}"), Clone::clone);
            Some(label(&mut proposed_labels, name))
        })
        .collect();
    let reference_rows: Vec<Option<usize>> = modules
        .iter()
        .map(|module| Some(label(&mut reference_labels, reference[*module].clone())))
        .collect();
    let proposed = Partition::from_assignment(&proposed_rows)?;
    let reference = Partition::from_assignment(&reference_rows)?;
    Ok(Comparison {
        modules: modules.len(),
        mojo_fm: metrics::mojo_fm(&proposed, &reference, ReferenceSizes::default())?.value,
        a2a: metrics::a2a(&proposed, &reference)?.value,
        adjusted_rand_index: metrics::adjusted_rand_index(&proposed, &reference)?,
    })
}

/// The assignment a proposal makes.
pub fn assignment_of(proposal: &super::Proposal) -> Assignment {
    let services: BTreeSet<(&str, &str)> = proposal
        .services
        .iter()
        .flat_map(|service| {
            service
                .modules
                .iter()
                .map(move |module| (module.path.as_str(), service.name.as_str()))
        })
        .collect();
    services
        .into_iter()
        .map(|(module, service)| (module.to_string(), service.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins_and_shared_modules_are_left_out() {
        let truth = Truth::parse(
            "[services]\norders = [\"app::orders\"]\nbilling = [\"app::orders::invoices\"]\n[shared]\nkernel = [\"app::common\"]\n",
            "truth.toml",
        )
        .unwrap();
        let assignment = truth.assign([
            "app::orders",
            "app::orders::api",
            "app::orders::invoices::pdf",
            "app::common::x",
            "app::ordersx",
        ]);
        assert_eq!(
            assignment.get("app::orders").map(String::as_str),
            Some("orders")
        );
        assert_eq!(
            assignment
                .get("app::orders::invoices::pdf")
                .map(String::as_str),
            Some("billing")
        );
        assert!(!assignment.contains_key("app::common::x"));
        assert!(
            !assignment.contains_key("app::ordersx"),
            "a prefix matches whole segments only"
        );
    }

    #[test]
    fn identical_decompositions_score_100_and_renames_do_not_matter() {
        let reference: Assignment = [("a", "x"), ("b", "x"), ("c", "y")]
            .into_iter()
            .map(|(m, s)| (m.to_string(), s.to_string()))
            .collect();
        let renamed: Assignment = [("a", "p"), ("b", "p"), ("c", "q")]
            .into_iter()
            .map(|(m, s)| (m.to_string(), s.to_string()))
            .collect();
        let comparison = compare(&renamed, &reference).unwrap();
        assert_eq!(
            (
                comparison.mojo_fm,
                comparison.a2a,
                comparison.adjusted_rand_index
            ),
            (100.0, 100.0, 1.0)
        );
        let lumped: Assignment = [("a", "p"), ("b", "p"), ("c", "p")]
            .into_iter()
            .map(|(m, s)| (m.to_string(), s.to_string()))
            .collect();
        assert!(compare(&lumped, &reference).unwrap().mojo_fm < 100.0);
    }
}

//! Scores one application's `ficus analyze` and `ficus plan` output against its truth: route
//! recall and precision, table recall, MoJoFM and a2a of the proposed services and of the
//! one-service-per-folder baseline, and the shape of the proposal (service count, largest
//! service, services without an entry point).
//!
//! Files are the unit of comparison, as the truth README says: each module maps to its file,
//! files whose final truth label starts with `_` are left out. A file the proposal puts in the
//! shared kernel, leaves unassigned or never analysed forms a group of its own (kernel,
//! unassigned), or a singleton (not analysed), so leaving files out is not rewarded.

use std::collections::{BTreeMap, BTreeSet};

use ficus_analyzer::metrics::{Partition, ReferenceSizes, a2a, mojo_fm};
use serde::Deserialize;

use crate::truth::{Truth, is_ignored, normalise_path, normalise_table};

#[derive(Debug, Deserialize)]
pub struct Analysis {
    pub modules: Vec<Module>,
    pub routes: Vec<Route>,
    pub tables: Vec<Table>,
    pub accesses: Vec<Access>,
}

#[derive(Debug, Deserialize)]
pub struct Module {
    pub id: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Deserialize)]
pub struct Route {
    pub method: String,
    pub path: String,
    /// `{name}` parts the analyzer marks as computed at run time: such a path is not a claim
    /// about the served path, so it is left out of recall and precision (listed apart).
    #[serde(default)]
    pub computed_parts: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Table {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Access {
    pub table: String,
}

#[derive(Debug, Deserialize)]
pub struct Proposal {
    pub services: Vec<Service>,
    pub shared_kernel: Vec<ModuleRef>,
    pub unassigned: Vec<ModuleRef>,
}

#[derive(Debug, Deserialize)]
pub struct Service {
    pub name: String,
    pub modules: Vec<ModuleRef>,
    pub routes: Vec<String>,
    /// Background jobs that are the service's entry points (absent in older proposals).
    #[serde(default)]
    pub jobs: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ModuleRef {
    pub path: String,
}

#[derive(Debug, Default)]
pub struct RouteScore {
    pub truth: usize,
    pub found: usize,
    pub reported: usize,
    pub correct: usize,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
}

impl RouteScore {
    pub fn recall(&self) -> f64 {
        percent(self.found, self.truth)
    }
    pub fn precision(&self) -> f64 {
        percent(self.correct, self.reported)
    }
}

/// Route recall and precision over (method, normalised full path). A route the analyzer
/// reports for every method (`ANY`) matches each truth row on its path.
pub fn routes(truth: &Truth, analysis: &Analysis) -> RouteScore {
    let reported: BTreeSet<(String, String)> = analysis
        .routes
        .iter()
        .filter(|route| route.computed_parts.is_empty())
        .map(|route| {
            (
                route.method.to_ascii_uppercase(),
                normalise_path(&route.path),
            )
        })
        .collect();
    let any_paths: BTreeSet<&str> = reported
        .iter()
        .filter(|(method, _)| method == "ANY")
        .map(|(_, path)| path.as_str())
        .collect();
    let truth_paths: BTreeSet<&str> = truth.routes.iter().map(|(_, path)| path.as_str()).collect();
    let mut score = RouteScore {
        truth: truth.routes.len(),
        reported: reported.len(),
        ..RouteScore::default()
    };
    for route in &truth.routes {
        if reported.contains(route) || any_paths.contains(route.1.as_str()) {
            score.found += 1;
        } else {
            score.missing.push(format!("{} {}", route.0, route.1));
        }
    }
    for route in &reported {
        let correct = if route.0 == "ANY" {
            truth_paths.contains(route.1.as_str())
        } else {
            truth.routes.contains(route)
        };
        if correct {
            score.correct += 1;
        } else {
            score.extra.push(format!("{} {}", route.0, route.1));
        }
    }
    score
}

/// Share of the truth's tables that the analysis defines or accesses.
pub fn table_recall(truth: &Truth, analysis: &Analysis) -> (usize, usize) {
    let found: BTreeSet<String> = analysis
        .tables
        .iter()
        .map(|table| normalise_table(&table.name))
        .chain(
            analysis
                .accesses
                .iter()
                .map(|access| normalise_table(&access.table)),
        )
        .collect();
    let expected = truth.all_tables();
    let hits = expected
        .iter()
        .filter(|table| found.contains(*table))
        .count();
    (hits, expected.len())
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Agreement {
    pub mojo_fm: f64,
    pub a2a: f64,
    pub files: usize,
}

/// How far a grouping of files (file -> group name) is from the truth's domains.
pub fn agreement(
    truth: &Truth,
    files: &[String],
    group_of: &BTreeMap<String, String>,
) -> Agreement {
    // The majority primary label of each group decides which alternative a file takes.
    let mut votes: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for file in files {
        if let (Some(group), Some(label)) = (group_of.get(file), truth.label_of(file)) {
            *votes
                .entry(group.as_str())
                .or_default()
                .entry(label)
                .or_default() += 1;
        }
    }
    let majority: BTreeMap<&str, &str> = votes
        .iter()
        .filter_map(|(group, counts)| {
            let best = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            Some((*group, *best.0))
        })
        .collect();

    let mut truth_ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut group_ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut truth_rows = Vec::new();
    let mut group_rows = Vec::new();
    for file in files {
        let Some(primary) = truth.label_of(file) else {
            continue;
        };
        let group = group_of
            .get(file)
            .cloned()
            .unwrap_or_else(|| format!("(not analysed) {file}"));
        let label = match truth.alternatives.get(file) {
            Some(accepted) => majority
                .get(group.as_str())
                .filter(|label| accepted.iter().any(|accepted| accepted == *label))
                .copied()
                .unwrap_or(primary),
            None => primary,
        };
        if is_ignored(label) {
            continue;
        }
        let next = truth_ids.len();
        truth_rows.push(Some(*truth_ids.entry(label.to_string()).or_insert(next)));
        let next = group_ids.len();
        group_rows.push(Some(*group_ids.entry(group).or_insert(next)));
    }
    let (Ok(reference), Ok(proposed)) = (
        Partition::from_assignment(&truth_rows),
        Partition::from_assignment(&group_rows),
    ) else {
        return Agreement::default();
    };
    Agreement {
        mojo_fm: mojo_fm(&proposed, &reference, ReferenceSizes::default())
            .map(|mojo| mojo.value)
            .unwrap_or(0.0),
        a2a: a2a(&proposed, &reference)
            .map(|a2a| a2a.value)
            .unwrap_or(0.0),
        files: truth_rows.len(),
    }
}

/// File -> proposed group: the service of the file's top module (a file's inline modules go
/// where the file goes), `(shared kernel)` or `(unassigned)`.
pub fn proposal_groups(analysis: &Analysis, proposal: &Proposal) -> BTreeMap<String, String> {
    let mut group_of_module: BTreeMap<&str, String> = BTreeMap::new();
    for service in &proposal.services {
        for module in &service.modules {
            group_of_module.insert(&module.path, service.name.clone());
        }
    }
    for module in &proposal.shared_kernel {
        group_of_module.insert(&module.path, "(shared kernel)".to_string());
    }
    for module in &proposal.unassigned {
        group_of_module.insert(&module.path, "(unassigned)".to_string());
    }
    let mut groups = BTreeMap::new();
    for module in analysis.modules.iter().filter(|module| module.line == 1) {
        if let Some(group) = group_of_module.get(module.id.as_str()) {
            groups
                .entry(module.file.clone())
                .or_insert_with(|| group.clone());
        }
    }
    groups
}

/// File -> its folder: the one-service-per-folder baseline.
pub fn folder_groups(files: &[String]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|file| {
            let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder);
            (file.clone(), folder.to_string())
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct Shape {
    pub services: usize,
    /// Modules of the largest service over modules in all services, in percent.
    pub largest_share: f64,
    pub without_entry: usize,
}

pub fn shape(proposal: &Proposal) -> Shape {
    let sizes: Vec<usize> = proposal
        .services
        .iter()
        .map(|service| service.modules.len())
        .collect();
    let total: usize = sizes.iter().sum();
    Shape {
        services: proposal.services.len(),
        largest_share: percent(sizes.iter().copied().max().unwrap_or(0), total),
        without_entry: proposal
            .services
            .iter()
            .filter(|service| service.routes.is_empty() && service.jobs.is_empty())
            .count(),
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(prefixes: &[(&str, &str)], routes: &[(&str, &str)]) -> Truth {
        let mut text = String::from("[prefixes]\n");
        for (key, label) in prefixes {
            text.push_str(&format!("\"{key}\" = \"{label}\"\n"));
        }
        let mut tsv = String::from("method\tpath\tmount\thandler\thandler_file\tdeclared_in\n");
        for (method, path) in routes {
            tsv.push_str(&format!("{method}\t{path}\t/\th\tf.rs\tf.rs:1\n"));
        }
        // Tests run in parallel: every call writes its own pair of files.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ficus-corpus-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let truth_file = dir.join(format!("truth-{n}.toml"));
        let routes_file = dir.join(format!("routes-{n}.tsv"));
        std::fs::write(&truth_file, text).unwrap();
        std::fs::write(&routes_file, tsv).unwrap();
        Truth::load(&truth_file, &routes_file).unwrap()
    }

    fn analysis(routes: &[(&str, &str)]) -> Analysis {
        Analysis {
            modules: Vec::new(),
            routes: routes
                .iter()
                .map(|(method, path)| Route {
                    method: method.to_string(),
                    path: path.to_string(),
                    computed_parts: Vec::new(),
                })
                .collect(),
            tables: Vec::new(),
            accesses: Vec::new(),
        }
    }

    #[test]
    fn routes_count_any_for_every_method_on_its_path() {
        let truth = truth(
            &[],
            &[("GET", "/a/<id>"), ("POST", "/a/<id>"), ("GET", "/b")],
        );
        let score = routes(&truth, &analysis(&[("ANY", "/a/{x}"), ("GET", "/c")]));
        assert_eq!((score.found, score.truth), (2, 3));
        assert_eq!((score.correct, score.reported), (1, 2));
        assert_eq!(score.missing, vec!["GET /b".to_string()]);
        assert_eq!(score.extra, vec!["GET /c".to_string()]);
    }

    #[test]
    fn identical_grouping_scores_100_and_ignored_labels_are_left_out() {
        let truth = truth(
            &[("src/a/", "a"), ("src/b/", "b"), ("src/main.rs", "_shared")],
            &[],
        );
        let files: Vec<String> = ["src/a/x.rs", "src/a/y.rs", "src/b/x.rs", "src/main.rs"]
            .iter()
            .map(|file| file.to_string())
            .collect();
        let groups = folder_groups(&files);
        let score = agreement(&truth, &files, &groups);
        assert_eq!(score.files, 3);
        assert_eq!(score.mojo_fm, 100.0);
    }

    #[test]
    fn a_file_never_analysed_is_a_singleton() {
        let truth = truth(&[("src/a/", "a")], &[]);
        let files: Vec<String> = ["src/a/x.rs", "src/a/y.rs", "src/a/z.rs"]
            .iter()
            .map(|file| file.to_string())
            .collect();
        let mut groups = BTreeMap::new();
        groups.insert("src/a/x.rs".to_string(), "s".to_string());
        groups.insert("src/a/y.rs".to_string(), "s".to_string());
        let score = agreement(&truth, &files, &groups);
        assert!(score.mojo_fm < 100.0, "{}", score.mojo_fm);
    }
}

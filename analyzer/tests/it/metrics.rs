//! The published metric test vectors in `shared/testdata/metrics/` (beside the repository):
//! every `expected.toml` case is loaded, and every number it gives is checked against what
//! `ficus_analyzer::metrics` computes from the case's TSV files.
//!
//! The check is generic on purpose: each numeric key of a table must have a computed
//! counterpart, so a value added to the vectors later fails here until it is handled, instead
//! of going unchecked. Floats are compared with the file's `float_tolerance`, integers exactly,
//! the paper's 3-decimal values by rounding, and the `exact` closed forms to 1e-12.
//! A missing data folder fails the test; it is never skipped.

mod closed_form;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ficus_analyzer::metrics::{
    Direction, Edge, EdgeWeighting, Graph, Partition, ReferenceSizes, Report, ReportOptions,
    SelfCalls, a2a, adjusted_rand_index, bunch_mq, mojo, mojo_fm, newman_modularity,
    structural_modularity,
};
use serde::Deserialize;

/// Closed forms are exact; our floating-point sums may differ from them by rounding only.
const CLOSED_FORM_TOLERANCE: f64 = 1e-12;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFile {
    schema_version: u32,
    definition_variant: String,
    float_tolerance: f64,
    #[allow(dead_code)] // Prose: the formulas, restated in docs/metrics.md.
    notes: toml::Table,
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    graph: String,
    entry: Option<String>,
    #[serde(default)]
    partition: Vec<PartitionCase>,
    #[serde(default)]
    comparison: Vec<Comparison>,
    /// Graph counts (`n_*`) and prose (`description`, `source`).
    #[serde(flatten)]
    values: toml::Table,
}

#[derive(Deserialize)]
struct PartitionCase {
    file: String,
    sizes: Vec<usize>,
    published: Option<toml::Table>,
    mono2micro_fse2021: Option<toml::Table>,
    independent: Option<toml::Table>,
    exact: Option<toml::Table>,
    /// Counts (`n_partitions`, `n_classes`), `k_requested` and prose.
    #[serde(flatten)]
    values: toml::Table,
}

#[derive(Deserialize)]
struct Comparison {
    a: String,
    b: String,
    exact: Option<toml::Table>,
    /// Every compared quantity, plus `produced_by`.
    #[serde(flatten)]
    values: toml::Table,
}

/// How a table's numbers are compared.
#[derive(Clone, Copy)]
enum Precision {
    Tolerance(f64),
    /// The paper's spreadsheet: our value must round to it at 3 decimals.
    ThreeDecimals,
    ClosedForm,
}

/// Collects every mismatch instead of stopping at the first.
#[derive(Default)]
struct Checker {
    failures: Vec<String>,
    n_checked: usize,
    largest_float_error: f64,
    largest_closed_form_error: f64,
}

#[test]
fn published_metric_vectors_reproduce() {
    let root = vectors_root();
    assert!(
        root.is_dir(),
        "metric test vectors not found: looked for the folder {} (CI copies `shared/` beside \
         the clone; locally, put `shared/testdata/metrics` next to the repository)",
        root.display()
    );
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", root.display()))
        .map(|entry| {
            entry
                .expect("readable folder entry")
                .path()
                .join("expected.toml")
        })
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the 4 app folders and tiny/ under {}, found {files:?}",
        root.display()
    );
    let mut checker = Checker::default();
    for file in &files {
        check_file(file, &mut checker);
    }
    eprintln!(
        "{} values checked in {} files; largest float error {:e}, largest closed-form error {:e}",
        checker.n_checked,
        files.len(),
        checker.largest_float_error,
        checker.largest_closed_form_error
    );
    assert!(
        checker.failures.is_empty(),
        "{} of {} vector values do not reproduce:\n{}",
        checker.failures.len(),
        checker.n_checked,
        checker.failures.join("\n")
    );
}

/// `shared/testdata/metrics` beside the repository: from `analyzer/`, two levels up.
fn vectors_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/metrics")
}

fn check_file(path: &Path, checker: &mut Checker) {
    let folder = path.parent().expect("expected.toml sits in a folder");
    let text = read(path);
    let expected: ExpectedFile = toml::from_str(&text)
        .unwrap_or_else(|error| panic!("cannot parse {}: {error}", path.display()));
    assert_eq!(expected.schema_version, 1, "{}", path.display());
    assert_eq!(
        expected.definition_variant,
        "mono2micro-fse2021",
        "{}: only this variant is implemented as the default",
        path.display()
    );
    let tolerance = Precision::Tolerance(expected.float_tolerance);
    for case in &expected.case {
        let n_classes = integer(&case.values, "n_classes", &case.name);
        let graph_rows = read_tsv(&folder.join(&case.graph), 3);
        let edges = graph_rows
            .iter()
            .map(|row| Edge::new(row[0], row[1], row[2] as f64))
            .collect();
        let graph =
            Graph::new(n_classes, edges).unwrap_or_else(|error| panic!("{}: {error}", case.graph));
        let entry_rows = case
            .entry
            .as_ref()
            .map(|entry| read_tsv(&folder.join(entry), 2).len());
        let context = format!("{} {}", folder.display(), case.name);
        let computed = graph_counts(&graph, entry_rows);
        checker.table(&context, &case.values, &computed, tolerance);

        let mut partitions: BTreeMap<&str, Partition> = BTreeMap::new();
        for entry in &case.partition {
            let rows: Vec<(usize, usize)> = read_tsv(&folder.join(&entry.file), 2)
                .into_iter()
                .map(|row| (row[0], row[1]))
                .collect();
            let partition = Partition::from_rows(n_classes, &rows)
                .unwrap_or_else(|error| panic!("{}: {error}", entry.file));
            let context = format!("{context} {}", entry.file);
            checker.equal(
                &context,
                "sizes",
                partition.cluster_sizes(),
                entry.sizes.clone(),
            );
            let computed = partition_metrics(&graph, &partition);
            let mut counts = entry.values.clone();
            // The K asked of the tool, not a property of the partition (MEM k=9 gives 7).
            counts.remove("k_requested");
            checker.table(&context, &counts, &computed, tolerance);
            let tables = [
                (&entry.published, Precision::ThreeDecimals),
                (&entry.mono2micro_fse2021, tolerance),
                (&entry.independent, tolerance),
                (&entry.exact, Precision::ClosedForm),
            ];
            for (table, precision) in tables {
                if let Some(table) = table {
                    checker.table(&context, table, &computed, precision);
                }
            }
            partitions.insert(&entry.file, partition);
        }

        for comparison in &case.comparison {
            let (Some(a), Some(b)) = (
                partitions.get(comparison.a.as_str()),
                partitions.get(comparison.b.as_str()),
            ) else {
                checker.fail(format!(
                    "{context}: comparison of {} and {} names a partition the case does not list",
                    comparison.a, comparison.b
                ));
                continue;
            };
            let context = format!("{context} {} vs {}", comparison.a, comparison.b);
            let computed = comparison_metrics(a, b);
            checker.table(&context, &comparison.values, &computed, tolerance);
            if let Some(exact) = &comparison.exact {
                checker.table(&context, exact, &computed, Precision::ClosedForm);
            }
        }
    }
}

/// The graph counts the vectors state, computed from the loaded graph.
fn graph_counts(graph: &Graph, entry_rows: Option<usize>) -> BTreeMap<String, f64> {
    let directed: BTreeSet<(usize, usize)> = graph
        .edges()
        .iter()
        .filter(|edge| edge.from != edge.to)
        .map(|edge| (edge.from, edge.to))
        .collect();
    let undirected: BTreeSet<(usize, usize)> = directed
        .iter()
        .map(|&(from, to)| (from.min(to), from.max(to)))
        .collect();
    let reciprocal = directed
        .iter()
        .filter(|&&(from, to)| from < to && directed.contains(&(to, from)))
        .count();
    let touched: BTreeSet<usize> = directed.iter().flat_map(|&(from, to)| [from, to]).collect();
    let mut counts = BTreeMap::from([
        ("n_classes", graph.n_nodes()),
        ("n_graph_rows", graph.edges().len()),
        ("n_self_calls", graph.edges().len() - directed.len()),
        ("n_call_edges", directed.len()),
        ("n_undirected_pairs", undirected.len()),
        ("n_reciprocal_pairs", reciprocal),
        (
            "n_classes_without_call_edges",
            graph.n_nodes() - touched.len(),
        ),
    ]);
    if let Some(entry_rows) = entry_rows {
        counts.insert("n_entry_rows", entry_rows);
    }
    counts
        .into_iter()
        .map(|(key, value)| (key.to_string(), value as f64))
        .collect()
}

/// Every single-partition value, under the vectors' names. The defaults (variant
/// "mono2micro-fse2021") come through `Report`; the named variants through the functions.
fn partition_metrics(graph: &Graph, partition: &Partition) -> BTreeMap<String, f64> {
    let report = Report::new(graph, partition, &ReportOptions::default()).expect("report");
    let sm = |self_calls| structural_modularity(graph, partition, self_calls).expect("sm");
    let q = |weighting| {
        newman_modularity(graph, partition, weighting, Direction::Undirected).expect("q")
    };
    let mq = |weighting| bunch_mq(graph, partition, weighting).expect("turbo mq");
    let weightings = [
        ("unit", EdgeWeighting::Unit),
        ("volume", EdgeWeighting::Raw),
        ("logw", EdgeWeighting::LogPlusOne),
    ];
    let mut values = BTreeMap::from([
        ("n_partitions".to_string(), report.n_clusters as f64),
        ("n_classes".to_string(), partition.n_assigned() as f64),
        ("icp".to_string(), report.inter_call_percentage),
        ("sm".to_string(), report.structural_modularity),
        ("ifn".to_string(), report.interface_number),
        ("ned".to_string(), report.non_extreme_distribution),
        ("mq_outgoing_only".to_string(), report.mono2micro_mq),
        ("sm_all_self_pairs".to_string(), sm(SelfCalls::Counted)),
        ("sm_no_self_pairs".to_string(), sm(SelfCalls::Ignored)),
    ]);
    for (suffix, weighting) in weightings {
        values.insert(format!("newman_q_{suffix}"), q(weighting));
        values.insert(format!("turbo_mq_{suffix}"), mq(weighting));
    }
    // The report's Q and TurboMQ use raw weights (call volumes) by default.
    assert_eq!(report.newman_modularity, values["newman_q_volume"]);
    assert_eq!(report.bunch_mq, values["turbo_mq_volume"]);
    values
}

/// Every comparison value, under the vectors' names; `a` is the first file, `b` the second.
fn comparison_metrics(a: &Partition, b: &Partition) -> BTreeMap<String, f64> {
    let assigned = |partition: &Partition, node| partition.cluster_of(node).is_some();
    let nodes = 0..a.n_nodes();
    let count = |keep: &dyn Fn(usize) -> bool| nodes.clone().filter(|&node| keep(node)).count();
    let n_common = count(&|node| assigned(a, node) && assigned(b, node));
    let n_only_a = count(&|node| assigned(a, node) && !assigned(b, node));
    let n_only_b = count(&|node| !assigned(a, node) && assigned(b, node));
    let fm = |source, reference, sizes| mojo_fm(source, reference, sizes).expect("mojofm");
    let a_to_b = mojo(a, b).expect("mojo");
    let b_to_a = mojo(b, a).expect("mojo");
    let fm_a_to_b = fm(a, b, ReferenceSizes::CommonNodes);
    let fm_b_to_a = fm(b, a, ReferenceSizes::CommonNodes);
    let similarity = a2a(a, b).expect("a2a");
    let integers = [
        ("n_common", n_common),
        ("n_only_a", n_only_a),
        ("n_only_b", n_only_b),
        ("mojo_a_to_b", a_to_b.total()),
        ("mojo_a_to_b_moves", a_to_b.moves),
        ("mojo_a_to_b_joins", a_to_b.joins),
        ("mojo_b_to_a", b_to_a.total()),
        ("mojo_b_to_a_moves", b_to_a.moves),
        ("mojo_b_to_a_joins", b_to_a.joins),
        ("max_mojo_to_b", fm_a_to_b.max_mojo),
        ("max_mojo_to_a", fm_b_to_a.max_mojo),
        ("a2a_mto", similarity.min_transform_operations),
        ("a2a_moved", similarity.moved),
        ("a2a_added", similarity.added),
        ("a2a_removed", similarity.removed),
    ];
    let floats = [
        ("mojofm_a_to_b", fm_a_to_b.value),
        ("mojofm_b_to_a", fm_b_to_a.value),
        (
            "mojofm_a_to_b_javaref",
            fm(a, b, ReferenceSizes::AllReferenceNodes).value,
        ),
        (
            "mojofm_b_to_a_javaref",
            fm(b, a, ReferenceSizes::AllReferenceNodes).value,
        ),
        ("ari", adjusted_rand_index(a, b).expect("ari")),
        ("a2a", similarity.value),
    ];
    integers
        .into_iter()
        .map(|(key, value)| (key, value as f64))
        .chain(floats)
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}

impl Checker {
    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    fn equal<T: PartialEq + std::fmt::Debug>(
        &mut self,
        context: &str,
        key: &str,
        actual: T,
        expected: T,
    ) {
        self.n_checked += 1;
        if actual != expected {
            self.fail(format!(
                "{context}: {key} = {actual:?}, expected {expected:?}"
            ));
        }
    }

    /// Checks every number in `table` against `computed[key]`; strings are prose, except in
    /// closed-form tables, where they are the values.
    fn table(
        &mut self,
        context: &str,
        table: &toml::Table,
        computed: &BTreeMap<String, f64>,
        precision: Precision,
    ) {
        for (key, value) in table {
            let expected = match (value, precision) {
                (toml::Value::String(text), Precision::ClosedForm) => {
                    match closed_form::evaluate(text) {
                        Ok(values) => values,
                        Err(error) => {
                            self.fail(format!("{context}: {key} = {text:?}: {error}"));
                            continue;
                        }
                    }
                }
                (toml::Value::String(_), _) => continue,
                (toml::Value::Integer(number), _) => vec![*number as f64],
                (toml::Value::Float(number), _) => vec![*number],
                (other, _) => {
                    self.fail(format!("{context}: {key} = {other} is not a number"));
                    continue;
                }
            };
            let Some(&actual) = computed.get(key) else {
                self.fail(format!("{context}: {key} has no computed counterpart"));
                continue;
            };
            for expected in expected {
                self.number(
                    context,
                    key,
                    actual,
                    expected,
                    value.is_integer(),
                    precision,
                );
            }
        }
    }

    fn number(
        &mut self,
        context: &str,
        key: &str,
        actual: f64,
        expected: f64,
        is_integer: bool,
        precision: Precision,
    ) {
        self.n_checked += 1;
        let error = (actual - expected).abs();
        let agrees = match precision {
            _ if is_integer => actual == expected,
            Precision::Tolerance(tolerance) => {
                self.largest_float_error = self.largest_float_error.max(error);
                error <= tolerance
            }
            Precision::ThreeDecimals => (actual * 1000.0).round() == (expected * 1000.0).round(),
            Precision::ClosedForm => {
                self.largest_closed_form_error = self.largest_closed_form_error.max(error);
                error <= CLOSED_FORM_TOLERANCE * expected.abs().max(1.0)
            }
        };
        if !agrees {
            let mut message = format!("{context}: {key} = {actual:?}, expected {expected:?}");
            let _ = write!(message, " (off by {error:e})");
            self.fail(message);
        }
    }
}

fn integer(table: &toml::Table, key: &str, context: &str) -> usize {
    table
        .get(key)
        .and_then(toml::Value::as_integer)
        .and_then(|value| usize::try_from(value).ok())
        .unwrap_or_else(|| panic!("{context}: missing integer {key}"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// A TSV file's rows after its header line, each with `width` unsigned integers.
fn read_tsv(path: &Path, width: usize) -> Vec<Vec<usize>> {
    read(path)
        .lines()
        .skip(1)
        .enumerate()
        .map(|(index, line)| {
            let fields: Vec<usize> = line
                .split('\t')
                .map(|field| field.parse())
                .collect::<Result<_, _>>()
                .unwrap_or_else(|error| {
                    panic!("{} line {}: {error}: {line:?}", path.display(), index + 2)
                });
            assert_eq!(fields.len(), width, "{} line {}", path.display(), index + 2);
            fields
        })
        .collect()
}

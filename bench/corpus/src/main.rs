//! The corpus harness: runs `ficus analyze` and `ficus plan` on every application of the
//! development corpus (`../shared/corpus/`, trees laid out by its `prepare.sh`) and prints one
//! table: exit codes, time, peak memory, route recall and precision, table recall, MoJoFM and
//! a2a against the truth and for the one-service-per-folder baseline, service count, largest
//! service's share of modules, services without an entry point.
//!
//! `bench/corpus/run.sh` builds and calls it. It measures and asserts nothing; per application
//! it writes the raw outputs and the missing and extra routes to `--out/NAME/` for reading.
//! Time and peak memory come from `/usr/bin/time` (Debian's `time` package).

mod score;
mod truth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::Deserialize;

use score::{Analysis, Proposal};
use truth::Truth;

struct Options {
    corpus: PathBuf,
    trees: PathBuf,
    ficus: PathBuf,
    out: PathBuf,
    only: Vec<String>,
}

#[derive(Deserialize)]
struct AppFile {
    name: String,
    analysis_root: String,
}

/// Exit code, seconds and peak resident memory of one run.
struct Run {
    exit: i32,
    seconds: f64,
    peak_mib: f64,
}

fn main() -> anyhow::Result<()> {
    let Some(options) = parse_args()? else {
        println!("ficus-corpus-bench --corpus DIR --trees DIR [--ficus PATH] [--out DIR] [APP...]");
        return Ok(());
    };
    let mut apps = Vec::new();
    for entry in std::fs::read_dir(&options.corpus)
        .with_context(|| format!("reading {}", options.corpus.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let text = std::fs::read_to_string(&path)?;
            let app: AppFile =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            if options.only.is_empty() || options.only.contains(&app.name) {
                apps.push(app);
            }
        }
    }
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    if apps.is_empty() {
        bail!("no application found in {}", options.corpus.display());
    }

    println!(
        "| app | analyze exit / s / MiB | plan exit / s / MiB | routes truth | recall | precision | tables | files scored | MoJoFM | folder MoJoFM | a2a | folder a2a | services | largest | no entry |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for app in &apps {
        match score_app(&options, app) {
            Ok(row) => println!("{row}"),
            Err(error) => println!("| {} | error: {error:#} |", app.name),
        }
    }
    Ok(())
}

fn score_app(options: &Options, app: &AppFile) -> anyhow::Result<String> {
    let root = options.trees.join(&app.name).join(&app.analysis_root);
    if !root.is_dir() {
        bail!("{} is missing: run prepare.sh", root.display());
    }
    let out = options.out.join(&app.name);
    std::fs::create_dir_all(&out)?;
    let truth_dir = options.corpus.join("truth");
    let truth = Truth::load(
        &truth_dir.join(format!("{}.truth.toml", app.name)),
        &truth_dir.join(format!("{}.routes.tsv", app.name)),
    )?;

    let analysis_file = out.join("analysis.json");
    let analyze = run_ficus(
        options,
        &[
            "analyze".as_ref(),
            root.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
            "--no-report".as_ref(),
            "--deterministic".as_ref(),
        ],
        &analysis_file,
        &out.join("analyze"),
    )?;
    let plan_file = out.join("ficus.toml");
    let _ = std::fs::remove_file(&plan_file);
    let proposal_file = out.join("proposal.json");
    let plan = run_ficus(
        options,
        &[
            "plan".as_ref(),
            root.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
            "--plan".as_ref(),
            plan_file.as_os_str(),
            "-o".as_ref(),
            out.join("report").as_os_str(),
            "--deterministic".as_ref(),
        ],
        &proposal_file,
        &out.join("plan"),
    )?;

    let analysis: Analysis = serde_json::from_str(&std::fs::read_to_string(&analysis_file)?)
        .context("reading the analysis JSON")?;
    let routes = score::routes(&truth, &analysis);
    std::fs::write(out.join("missing-routes.txt"), routes.missing.join("\n"))?;
    std::fs::write(out.join("extra-routes.txt"), routes.extra.join("\n"))?;
    let (tables_found, tables_expected) = score::table_recall(&truth, &analysis);

    let files = rust_files(&root)?;
    let folder = score::agreement(&truth, &files, &score::folder_groups(&files));
    let proposal: Option<Proposal> = std::fs::read_to_string(&proposal_file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let (proposed, shape) = match &proposal {
        Some(proposal) => {
            let groups = score::proposal_groups(&analysis, proposal);
            write_groups(&out.join("files.tsv"), &truth, &files, &groups)?;
            (
                Some(score::agreement(&truth, &files, &groups)),
                Some(score::shape(proposal)),
            )
        }
        None => (None, None),
    };
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "-".to_string());
    Ok(format!(
        "| {} | {} | {} | {} | {:.0}% | {:.0}% | {}/{} | {} | {} | {:.0} | {} | {:.0} | {} | {} | {} |",
        app.name,
        analyze,
        plan,
        routes.truth,
        routes.recall(),
        routes.precision(),
        tables_found,
        tables_expected,
        folder.files,
        or_dash(proposed.map(|score| format!("{:.0}", score.mojo_fm))),
        folder.mojo_fm,
        or_dash(proposed.map(|score| format!("{:.0}", score.a2a))),
        folder.a2a,
        or_dash(shape.as_ref().map(|shape| shape.services.to_string())),
        or_dash(
            shape
                .as_ref()
                .map(|shape| format!("{:.0}%", shape.largest_share))
        ),
        or_dash(shape.as_ref().map(|shape| shape.without_entry.to_string())),
    ))
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} / {:.2} / {:.0}",
            self.exit, self.seconds, self.peak_mib
        )
    }
}

/// Runs `ficus ARGS` under `/usr/bin/time`, stdout to `stdout_file`, stderr to `log.err`.
fn run_ficus(
    options: &Options,
    args: &[&std::ffi::OsStr],
    stdout_file: &Path,
    log: &Path,
) -> anyhow::Result<Run> {
    let time_file = log.with_extension("time");
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&time_file)
        .arg(&options.ficus)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout_file)?)
        .stderr(std::fs::File::create(log.with_extension("err"))?)
        .status()
        .context("running /usr/bin/time (apt-get install time)")?;
    let text = std::fs::read_to_string(&time_file)?;
    // `time` writes "Command exited with non-zero status N" before its line when N != 0.
    let last = text.lines().last().unwrap_or_default();
    let mut fields = last.split_whitespace();
    let seconds = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let kib: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    Ok(Run {
        exit: status.code().unwrap_or(-1),
        seconds,
        peak_mib: kib / 1024.0,
    })
}

/// Every `.rs` file under `root`, relative to it with `/` separators, sorted.
fn rust_files(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path
                    .strip_prefix(root)?
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push(relative);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `file, truth label, proposed group` for every file, for reading.
fn write_groups(
    path: &Path,
    truth: &Truth,
    files: &[String],
    groups: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let mut text = String::from("file\ttruth\tproposed\n");
    for file in files {
        text.push_str(&format!(
            "{file}\t{}\t{}\n",
            truth.label_of(file).unwrap_or("-"),
            groups.get(file).map_or("(not analysed)", String::as_str)
        ));
    }
    std::fs::write(path, text)?;
    Ok(())
}

fn parse_args() -> anyhow::Result<Option<Options>> {
    let mut corpus = None;
    let mut trees = std::env::var_os("CORPUS_TREES").map(PathBuf::from);
    let mut ficus = PathBuf::from("target/release/ficus");
    let mut out = PathBuf::from("target/corpus-bench");
    let mut only = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value"))
                .map(PathBuf::from)
        };
        match arg.as_str() {
            "--corpus" => corpus = Some(value()?),
            "--trees" => trees = Some(value()?),
            "--ficus" => ficus = value()?,
            "--out" => out = value()?,
            "-h" | "--help" => return Ok(None),
            name if !name.starts_with('-') => only.push(name.to_string()),
            other => bail!("unknown option {other}"),
        }
    }
    Ok(Some(Options {
        corpus: corpus.context("--corpus DIR (the shared corpus folder) is required")?,
        trees: trees.context("--trees DIR (or CORPUS_TREES): where prepare.sh laid the trees")?,
        ficus,
        out,
        only,
    }))
}

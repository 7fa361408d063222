//! Benchmark: `ficus analyze` on a large real corpus against bare `syn::parse_file` over the
//! same files, with the same thread count, and the peak memory of each.
//!
//! `cargo bench -p ficus-analyzer --bench corpus -- [PATH] [--rounds N] [--threads N]`
//! (default PATH: the local cargo registry sources, `~/.cargo/registry/src`). Each phase runs
//! in a fresh child process so that its peak resident memory (`VmHWM`) is its own; phases
//! alternate for `--rounds` rounds and the median wall time is reported. It also counts the
//! files that syn 2 and syn 3 each fail to parse, the evidence for the syn major we use.
//! It measures; it asserts nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if let Some(position) = args.iter().position(|arg| arg == "--phase") {
        let phase = args.get(position + 1).cloned().unwrap_or_default();
        let root = PathBuf::from(args.get(position + 2).cloned().unwrap_or_default());
        let threads = option(&args, "--threads").unwrap_or(0);
        run_phase(&phase, &root, threads);
        return;
    }
    let root = positional(&args)
        .map(PathBuf::from)
        .unwrap_or_else(default_corpus);
    let rounds = option(&args, "--rounds").unwrap_or(3);
    let threads = option(&args, "--threads")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let root = root.canonicalize().unwrap_or(root);
    eprintln!(
        "corpus {} rounds {rounds} threads {threads}",
        root.display()
    );

    let phases = ["parse-syn3", "analyze"];
    let mut results: Vec<Vec<PhaseResult>> = vec![Vec::new(); phases.len()];
    for round in 0..rounds {
        for (idx, phase) in phases.iter().enumerate() {
            let result = spawn_phase(phase, &root, threads);
            eprintln!(
                "round {} {phase}: {} ms, peak {} MiB",
                round + 1,
                result.wall_ms,
                result.peak_kib / 1024
            );
            results[idx].push(result);
        }
    }
    let syn2 = spawn_phase("parse-syn2", &root, threads);
    let parse = median(&results[0]);
    let analyze = median(&results[1]);
    println!("| measure | value |");
    println!("|---|---|");
    println!("| corpus | {} |", root.display());
    println!("| files | {} |", analyze.files);
    println!("| lines | {} |", analyze.lines);
    println!("| threads | {threads} |");
    println!(
        "| bare `syn::parse_file` (syn 3), median of {rounds} | {} ms |",
        parse.wall_ms
    );
    println!(
        "| `ficus analyze`, median of {rounds} | {} ms |",
        analyze.wall_ms
    );
    println!(
        "| ratio analyze / parse | {:.2} |",
        analyze.wall_ms as f64 / parse.wall_ms.max(1) as f64
    );
    println!(
        "| peak memory, bare parse | {} MiB |",
        parse.peak_kib / 1024
    );
    println!("| peak memory, analyze | {} MiB |", analyze.peak_kib / 1024);
    println!("| files syn 3 cannot parse | {} |", parse.failures);
    println!("| files syn 2 cannot parse | {} |", syn2.failures);
    println!(
        "| analysis: modules / edges / diagnostics | {} / {} / {} |",
        analyze.modules, analyze.edges, analyze.diagnostics
    );
}

#[derive(Clone, Debug, Default)]
struct PhaseResult {
    files: u64,
    lines: u64,
    wall_ms: u64,
    peak_kib: u64,
    failures: u64,
    modules: u64,
    edges: u64,
    diagnostics: u64,
}

fn spawn_phase(phase: &str, root: &Path, threads: usize) -> PhaseResult {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .args([
            "--phase",
            phase,
            &root.to_string_lossy(),
            "--threads",
            &threads.to_string(),
        ])
        .output()
        .expect("run phase");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut result = PhaseResult::default();
    for pair in text.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let value: u64 = value.parse().unwrap_or(0);
        match key {
            "files" => result.files = value,
            "lines" => result.lines = value,
            "wall_ms" => result.wall_ms = value,
            "peak_kib" => result.peak_kib = value,
            "failures" => result.failures = value,
            "modules" => result.modules = value,
            "edges" => result.edges = value,
            "diagnostics" => result.diagnostics = value,
            _ => {}
        }
    }
    if !output.status.success() {
        eprintln!(
            "phase {phase} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    result
}

fn run_phase(phase: &str, root: &Path, threads: usize) {
    match phase {
        "analyze" => {
            // Phase timings go to stderr with `RUST_LOG=info`.
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_writer(std::io::stderr)
                .try_init();
            let mut settings = ficus_analyzer::Settings::new(root);
            settings.threads = (threads > 0).then_some(threads);
            let started = Instant::now();
            let analysis =
                ficus_analyzer::analyze(&settings, &ficus_analyzer::NoProgress).expect("analysis");
            let wall_ms = started.elapsed().as_millis();
            println!(
                "files={} lines={} wall_ms={wall_ms} peak_kib={} failures={} modules={} edges={} diagnostics={}",
                analysis.stats.files,
                analysis.stats.lines,
                peak_kib(),
                analysis.stats.parse_errors,
                analysis.modules.len(),
                analysis.edges.len(),
                analysis.diagnostics.len()
            );
        }
        "parse-syn3" | "parse-syn2" => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .stack_size(256 * 1024 * 1024)
                .build()
                .expect("thread pool");
            let started = Instant::now();
            let files = rust_files(root);
            let syn2 = phase == "parse-syn2";
            let (lines, failures) = pool.install(|| {
                files
                    .par_iter()
                    .map(|path| {
                        let Ok(text) = std::fs::read_to_string(path) else {
                            return (0, 1);
                        };
                        let lines = text.lines().count() as u64;
                        let ok = if syn2 {
                            syn2::parse_file(&text).is_ok()
                        } else {
                            syn::parse_file(&text).is_ok()
                        };
                        proc_macro2::extra::invalidate_current_thread_spans();
                        (lines, u64::from(!ok))
                    })
                    .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
            });
            let wall_ms = started.elapsed().as_millis();
            println!(
                "files={} lines={lines} wall_ms={wall_ms} peak_kib={} failures={failures}",
                files.len(),
                peak_kib()
            );
        }
        other => panic!("unknown phase {other}"),
    }
}

/// The `.rs` files the analyzer would read: the same walk rules.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    ignore::WalkBuilder::new(root)
        .follow_links(true)
        .require_git(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|kind| kind.is_dir()) && entry.file_name() == "target")
        })
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
        .map(|entry| entry.into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter(|path| std::fs::metadata(path).is_ok_and(|meta| meta.len() <= 10 * 1024 * 1024))
        .collect()
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmHWM:").map(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .unwrap_or(0)
                })
            })
        })
        .unwrap_or(0)
}

fn median(results: &[PhaseResult]) -> PhaseResult {
    let mut sorted = results.to_vec();
    sorted.sort_by_key(|result| result.wall_ms);
    sorted.get(sorted.len() / 2).cloned().unwrap_or_default()
}

/// The first argument that is neither an option nor an option's value.
fn positional(args: &[String]) -> Option<&String> {
    let mut skip_next = false;
    for arg in args {
        if skip_next {
            skip_next = false;
        } else if arg.starts_with("--") {
            skip_next = true;
        } else {
            return Some(arg);
        }
    }
    None
}

fn option(args: &[String], name: &str) -> Option<usize> {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|idx| args.get(idx + 1))
        .and_then(|value| value.parse().ok())
}

fn default_corpus() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("registry/src")
}

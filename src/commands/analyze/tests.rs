//! Unit tests of `ficus analyze`'s argument resolution: what each flag turns into, decided
//! without running the analyzer. Running the binary is tested in `tests/it/analyze.rs`.

use super::*;
use crate::cli::Cli;
use clap::Parser;

fn resolve(command_line: &[&str], stderr_is_terminal: bool) -> AnalyzeRun {
    let cli = Cli::try_parse_from(command_line).expect("the command line parses");
    let Some(crate::cli::Command::Analyze(args)) = &cli.command else {
        panic!("not an analyze command: {command_line:?}");
    };
    AnalyzeRun::resolve(args, &cli.global, stderr_is_terminal)
}

#[test]
fn defaults_analyse_the_current_folder_into_ficus_report() {
    let run = resolve(&["ficus", "analyze"], true);
    assert_eq!(run.settings.root, PathBuf::from("."));
    assert_eq!(run.settings.granularity, Granularity::Module);
    assert!(!run.settings.all_targets);
    assert_eq!(run.settings.threads, None);
    assert_eq!(run.format, AnalyzeFormat::Text);
    assert_eq!(run.report_dir, Some(PathBuf::from("ficus-report")));
    assert!(run.show_progress);
    assert!(!run.deterministic);
}

#[test]
fn every_flag_reaches_the_settings() {
    let run = resolve(
        &[
            "ficus",
            "analyze",
            "shop",
            "--format",
            "json",
            "--granularity",
            "item",
            "--all-targets",
            "--threads",
            "3",
            "--deterministic",
            "-o",
            "out",
        ],
        true,
    );
    assert_eq!(run.settings.root, PathBuf::from("shop"));
    assert_eq!(run.settings.granularity, Granularity::Item);
    assert!(run.settings.all_targets);
    assert_eq!(run.settings.threads, Some(3));
    assert_eq!(run.format, AnalyzeFormat::Json);
    assert_eq!(run.report_dir, Some(PathBuf::from("out")));
    assert!(run.deterministic);
}

#[test]
fn no_report_writes_no_folder() {
    let run = resolve(&["ficus", "analyze", "--no-report"], true);
    assert_eq!(run.report_dir, None);
}

#[test]
fn progress_shows_only_on_a_terminal_and_not_when_quiet() {
    assert!(!resolve(&["ficus", "analyze"], false).show_progress);
    assert!(!resolve(&["ficus", "-q", "analyze"], true).show_progress);
    assert!(!resolve(&["ficus", "analyze", "--quiet"], true).show_progress);
    assert!(resolve(&["ficus", "-v", "analyze"], true).show_progress);
}

#[test]
fn threads_must_be_positive() {
    assert!(Cli::try_parse_from(["ficus", "analyze", "--threads", "0"]).is_err());
}

#[test]
fn no_report_conflicts_with_an_explicit_output() {
    assert!(Cli::try_parse_from(["ficus", "analyze", "--no-report", "-o", "x"]).is_err());
}

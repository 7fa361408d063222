//! Dispatch from a parsed command line to the subcommand that handles it.
//!
//! Each subcommand lives in its own file under `commands/` and turns its clap arguments into
//! resolved settings before calling into a library crate.

mod analyze;
mod compare;
mod generate;
mod migrate;
mod plan;
mod proxy;

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command};

/// Exit status when the command ran and has findings (rule violations, stale output).
pub(crate) const EXIT_FINDINGS: u8 = 1;
/// Exit status when the command could not run (bad input, IO failure).
pub(crate) const EXIT_COULD_NOT_RUN: u8 = 2;

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        // Only global flags were given (`ficus -v`): show what there is to run.
        None => {
            Cli::command().print_help()?;
            Ok(ExitCode::from(EXIT_COULD_NOT_RUN))
        }
        Some(Command::Analyze(args)) => analyze::run(&args, &cli.global),
        Some(Command::Plan(args)) => plan::run(&args, &cli.global),
        Some(Command::Generate(args)) => generate::run(&args, &cli.global),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Proxy(args)) => proxy::run(&args),
        Some(Command::Shift(args)) => migrate::shift(&args),
        Some(Command::Rollback(args)) => migrate::rollback(&args.target),
        Some(Command::Pause(args)) => migrate::rollout_action(&args.target, "pause"),
        Some(Command::Resume(args)) => migrate::rollout_action(&args.target, "resume"),
        Some(Command::Promote(args)) => migrate::rollout_action(&args.target, "promote"),
        Some(Command::Status(args)) => migrate::status(&args),
    }
}

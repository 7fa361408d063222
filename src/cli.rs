//! Command-line surface of `ficus`: clap structs only, no logic.
//!
//! Doc comments here are the `--help` text. Subcommands are added by the capability that
//! implements them, so `--help` never lists something that does not work yet.

use clap::{Args, ColorChoice, Parser, Subcommand};

/// Ficus takes a monolith to microservices one safe step at a time: it maps the domain
/// boundaries in the code, plans the extraction, generates the new service and shifts
/// traffic to it gradually.
#[derive(Debug, Parser)]
#[command(
    name = "ficus",
    version,
    arg_required_else_help = true,
    after_help = "Exit status: 0 ok, 1 findings (rule violations, stale output), 2 could not run."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// When to use colors in terminal output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

impl GlobalArgs {
    /// Verbosity as a signed level: -1 quiet, 0 default (warnings), 1.. more.
    pub(crate) fn verbosity(&self) -> i8 {
        if self.quiet {
            -1
        } else {
            self.verbose.min(3) as i8
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {}

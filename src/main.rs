//! The `ficus` command: parses arguments, sets up logging and hands off to a subcommand.
//!
//! Nothing here does real work; the libraries (`ficus-analyzer`, `ficus-proxy`,
//! `ficus-codegen`) carry the logic and `commands/` adapts them to the command line.

mod cli;
mod commands;
mod logging;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: faster for the proxy's many small per-request
/// allocations (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let access_log = matches!(args.command, Some(cli::Command::Proxy(_)));
    logging::init(args.global.verbosity(), args.global.color, access_log);
    match commands::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(commands::EXIT_COULD_NOT_RUN)
        }
    }
}

//! Logging setup: `tracing` to stderr, level from `-v`/`-q` unless `RUST_LOG` says otherwise.
//!
//! Data goes to stdout and is never mixed with logs.

use std::io::IsTerminal;

use clap::ColorChoice;
use tracing_subscriber::EnvFilter;

pub(crate) fn init(verbosity: i8, color: ColorChoice) {
    let level = match verbosity {
        ..=-1 => "error",
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let ansi = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
}

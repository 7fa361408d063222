//! Logging setup: `tracing` to stderr, level from `-v`/`-q` unless `RUST_LOG` says otherwise.
//! For `ficus proxy`, the access log (target `ficus::access`) and the admin audit log (target
//! `ficus::audit`) also go to stdout as JSON lines, whatever the verbosity.
//!
//! Data goes to stdout and is never mixed with logs.

use std::io::IsTerminal;

use clap::ColorChoice;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Targets written to stdout as JSON lines by `ficus proxy`.
const JSON_TARGETS: [&str; 2] = ["ficus::access", "ficus::audit"];

pub(crate) fn init(verbosity: i8, color: ColorChoice, json_records: bool) {
    let level = match verbosity {
        ..=-1 => "error",
        0 if json_records => "info",
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
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .with_filter(filter)
        .with_filter(filter_fn(|metadata| {
            !JSON_TARGETS.contains(&metadata.target())
        }));
    let stdout = json_records.then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stdout)
            .with_filter(
                Targets::new()
                    .with_target(JSON_TARGETS[0], tracing::Level::INFO)
                    .with_target(JSON_TARGETS[1], tracing::Level::INFO),
            )
    });
    tracing_subscriber::registry()
        .with(stderr)
        .with(stdout)
        .init();
}

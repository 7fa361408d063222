//! `ficus proxy`: runs the strangler proxy from a configuration file until SIGINT or SIGTERM.
//! Everything it does is in `ficus-proxy`'s `launch` module; this file builds the tokio
//! runtime, waits for the stop signal and maps the outcome to an exit status.

use std::process::ExitCode;

use anyhow::Context;
use ficus_proxy::launch::{self, Options};

use crate::cli::ProxyArgs;

pub(crate) fn run(args: &ProxyArgs) -> anyhow::Result<ExitCode> {
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        std::num::NonZeroUsize::get,
    );
    // Thread per core: this thread's single-threaded runtime is worker 0 (and runs the
    // reloader and admin API), and `launch` starts one more such runtime per extra thread,
    // each with its own listener. No work stealing: on the benchmark it cost more per request
    // than it balanced (see docs/performance.md).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("ficus-proxy")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let options = Options {
            config_path: args.config.clone(),
            listen: args.listen,
            workers: threads,
        };
        let proxy = launch::start(options)
            .await
            .with_context(|| format!("starting the proxy from {}", args.config.display()))?;
        eprintln!(
            "ficus proxy listening on {}{}",
            proxy.listen_addr,
            proxy
                .admin_addr
                .map(|admin| format!(", admin API on {admin}"))
                .unwrap_or_default()
        );
        wait_for_stop_signal().await;
        tracing::info!("stop signal received; draining connections");
        proxy.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

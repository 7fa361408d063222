//! Hot reload: the configuration file is read again when its content changes (checked every
//! [`POLL_INTERVAL`], which also catches editors that replace the file) and on `SIGHUP`. The
//! new file is parsed, validated and compiled into a complete [`Runtime`] before it is swapped
//! in; if any step fails, the error (file, line, field) is logged, counted in
//! `config_reloads_total{result="rejected"}`, and the old table keeps serving. Requests in
//! flight finish on the runtime they loaded.
//!
//! What a reload cannot change: the listen address, `[limits]`, `[admin]` and `[tls]` are read at
//! start; a reload that changes them is applied for routes and upstreams and logs a warning
//! that those need a restart.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{self, ConfigError};
use crate::runtime::{Runtime, Shared};

/// How often the file's content is compared with what was loaded last.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Reads, validates and compiles the configuration file, then swaps it in. On error nothing
/// changes.
pub fn reload(shared: &Shared) -> Result<(), ConfigError> {
    // A poisoned lock only means an earlier reload panicked; the runtime is still consistent.
    let _guard = shared
        .reload_lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = config::load_file(&shared.config_path).and_then(|mut settings| {
        if let Some(listen) = shared.listen_override {
            settings.listen = listen;
        }
        let previous = shared.runtime();
        for (changed, what) in [
            (settings.listen != previous.settings.listen, "listen"),
            (settings.limits != previous.settings.limits, "[limits]"),
            (settings.admin != previous.settings.admin, "[admin]"),
            (settings.tls != previous.settings.tls, "[tls]"),
        ] {
            if changed {
                tracing::warn!(
                    file = %shared.config_path.display(),
                    "{what} changed; it takes effect after a restart"
                );
            }
        }
        let runtime = Runtime::build(settings, Some(&previous), &shared.metrics)?;
        shared.swap(runtime);
        Ok(())
    });
    shared.metrics.record_reload(result.is_ok());
    match &result {
        Ok(()) => tracing::info!(file = %shared.config_path.display(), "configuration reloaded"),
        Err(error) => {
            tracing::error!(%error, "configuration rejected; the previous one keeps serving")
        }
    }
    result
}

/// Watches the file and `SIGHUP` until the returned task is aborted. `loaded` is the content
/// the running configuration was built from: a change made after that, even before this task
/// first runs, is a change to reload.
pub fn spawn_reloader(shared: Arc<Shared>, loaded: Vec<u8>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_seen = Some(loaded);
        #[cfg(unix)]
        let mut hangup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut ticker = tokio::time::interval(POLL_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            #[cfg(unix)]
            let signalled = async {
                match hangup.as_mut() {
                    Some(hangup) => hangup.recv().await,
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let signalled = std::future::pending::<Option<()>>();
            let by_signal = tokio::select! {
                _ = ticker.tick() => false,
                _ = signalled => true,
            };
            let content = std::fs::read(&shared.config_path).ok();
            if !by_signal && (content.is_none() || content == last_seen) {
                continue;
            }
            if by_signal {
                tracing::info!("SIGHUP: reloading the configuration");
            }
            last_seen = content;
            let shared = Arc::clone(&shared);
            // Reading and compiling is blocking work; keep it off the request threads.
            let _ = tokio::task::spawn_blocking(move || reload(&shared)).await;
        }
    })
}

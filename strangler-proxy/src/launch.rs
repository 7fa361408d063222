//! Starting and stopping a whole proxy: reads the configuration file, builds the first
//! runtime, binds the listener (and the admin listener), and spawns the server, the reloader
//! and the admin API. `ficus proxy` and the integration tests both go through [`start`].
//!
//! With `workers` above one, the caller's runtime is worker 0 and each other worker is a
//! thread of its own running a single-threaded runtime with its own `SO_REUSEPORT` listener
//! on the same address (see [`crate::worker`]). Everything but serving (the reloader, the
//! admin API, health checks, the migration controller) runs on the caller's runtime; the
//! compiled configuration, metrics and connection limit are shared by all workers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::{self, ConfigError};
use crate::metrics::Metrics;
use crate::runtime::{Runtime, Shared};
use crate::{admin, reload, server};

/// What `ficus proxy` was asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// A proxy file, or a plan file with a `[proxy]` table.
    pub config_path: PathBuf,
    /// Wins over the file's `listen`.
    pub listen: Option<SocketAddr>,
    /// Worker threads serving clients, the caller's included (at least one).
    pub workers: usize,
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("admin API: {0}")]
    Admin(String),
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    #[error("cannot start a worker thread: {0}")]
    Worker(String),
}

/// A running proxy.
pub struct RunningProxy {
    /// The address the proxy listens on (useful when the file said port 0).
    pub listen_addr: SocketAddr,
    /// The admin API's address, when `[admin]` is configured.
    pub admin_addr: Option<SocketAddr>,
    pub shared: Arc<Shared>,
    /// The migration controller, when the plan has a ledger.
    pub migration: Option<Arc<crate::migration::Migration>>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    /// Workers 1 and up: each says on its channel when it has drained (or ended otherwise).
    workers: Vec<(std::thread::JoinHandle<()>, oneshot::Receiver<()>)>,
    background: Vec<JoinHandle<()>>,
}

/// Loads the configuration and starts serving. Must run inside a tokio runtime.
pub async fn start(options: Options) -> Result<RunningProxy, StartError> {
    // Read once: the reloader compares the file with exactly what was loaded.
    let text =
        std::fs::read_to_string(&options.config_path).map_err(|error| ConfigError::Read {
            file: options.config_path.clone(),
            message: error.to_string(),
        })?;
    let mut settings = config::load(&text, &options.config_path)?;
    if let Some(listen) = options.listen {
        settings.listen = listen;
    }
    let tls = settings
        .tls
        .as_ref()
        .map(crate::tls::server_config)
        .transpose()
        .map_err(ConfigError::from)?;
    let workers = options.workers.max(1);
    // Pools built from here on get one idle stack per worker.
    crate::worker::expect(workers);
    let bind_error = |source| StartError::Bind {
        address: settings.listen,
        source,
    };
    if workers > 1 && settings.listen.port() != 0 {
        // `SO_REUSEPORT` would let these listeners join another process's on the port (a
        // second proxy of the same user) and split its traffic silently: a plain bind first
        // fails the way a one-worker start does when the port is taken.
        drop(bind(settings.listen, false).map_err(bind_error)?);
    }
    let listener = bind(settings.listen, workers > 1).map_err(bind_error)?;
    let listen_addr = listener.local_addr().map_err(bind_error)?;
    // Every other worker's listener, on the port the first one got (the file may say 0).
    let extra_listeners = (1..workers)
        .map(|_| bind(listen_addr, true).map_err(bind_error))
        .collect::<Result<Vec<_>, _>>()?;
    let listener = TcpListener::from_std(listener).map_err(bind_error)?;
    let admin_settings = settings.admin.clone();
    let limits = settings.limits.clone();

    let metrics = Arc::new(Metrics::new());
    let runtime = Runtime::build(settings, None, &metrics).map_err(ConfigError::from)?;
    let shared = Arc::new(Shared::new(
        runtime,
        metrics,
        options.config_path.clone(),
        options.listen,
    ));

    let mut background = Vec::new();
    // A corrupt ledger stops the start: the proxy must not move traffic on a lost history.
    let migration = crate::migration::Migration::open(Arc::clone(&shared))?;
    if let Some(migration) = &migration {
        background.push(migration.spawn());
    }
    let admin_addr = match admin_settings {
        Some(admin_settings) => {
            let (address, task) =
                admin::start(Arc::clone(&shared), &admin_settings, migration.clone())
                    .await
                    .map_err(StartError::Admin)?;
            background.push(task);
            Some(address)
        }
        None => None,
    };
    background.push(reload::spawn_reloader(
        Arc::clone(&shared),
        text.into_bytes(),
    ));

    let (stop, stopped) = watch::channel(false);
    // One limit on open connections for the whole proxy, whichever worker accepted them.
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut worker_threads = Vec::with_capacity(extra_listeners.len());
    for (index, listener) in (1..).zip(extra_listeners) {
        let worker = Worker {
            index,
            listener,
            shared: Arc::clone(&shared),
            limits: limits.clone(),
            tls: tls.clone(),
            permits: Arc::clone(&permits),
            stopped: stopped.clone(),
        };
        let (done, drained) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("ficus-proxy-{index}"))
            .spawn(move || worker.run(done))
            .map_err(|error| StartError::Worker(error.to_string()))?;
        worker_threads.push((thread, drained));
    }
    let server = tokio::spawn(server::serve(
        listener,
        Arc::clone(&shared),
        limits,
        tls,
        permits,
        stop_signal(stopped),
    ));
    tracing::info!(listen = %listen_addr, workers, admin = ?admin_addr, file = %options.config_path.display(), "proxy started");
    Ok(RunningProxy {
        listen_addr,
        admin_addr,
        shared,
        migration,
        stop,
        server,
        workers: worker_threads,
        background,
    })
}

/// A listener on `address` that is not yet registered with a runtime (each worker registers
/// its own). With `reuse_port`, every listener on the address sets `SO_REUSEPORT` and the
/// kernel spreads new connections across them. The backlog is tokio's default for `bind`.
fn bind(address: SocketAddr, reuse_port: bool) -> std::io::Result<std::net::TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As `TcpListener::bind` does: a restarted proxy can bind while old connections linger.
    socket.set_reuseaddr(true)?;
    #[cfg(unix)]
    if reuse_port {
        socket.set_reuseport(true)?;
    }
    #[cfg(not(unix))]
    if reuse_port {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "more than one worker needs SO_REUSEPORT, which this platform lacks",
        ));
    }
    socket.bind(address)?;
    let listener = socket.listen(1024)?;
    listener.into_std()
}

/// Completes once `stopped` says stop (or its sender is gone).
async fn stop_signal(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// What a worker thread serves with.
struct Worker {
    index: usize,
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    limits: crate::config::settings::Limits,
    tls: Option<Arc<rustls::ServerConfig>>,
    permits: Arc<Semaphore>,
    stopped: watch::Receiver<bool>,
}

impl Worker {
    /// Serves on a single-threaded runtime of this thread's own until told to stop and
    /// drained, then says so on `done`.
    fn run(self, done: oneshot::Sender<()>) {
        crate::worker::enter(self.index);
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                // Its listener closes with it; the other workers go on serving.
                tracing::error!(worker = self.index, %error, "worker could not start its runtime");
                return;
            }
        };
        runtime.block_on(async move {
            let listener = match TcpListener::from_std(self.listener) {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::error!(worker = self.index, %error, "worker could not register its listener");
                    return;
                }
            };
            server::serve(
                listener,
                self.shared,
                self.limits,
                self.tls,
                self.permits,
                stop_signal(self.stopped),
            )
            .await;
        });
        let _ = done.send(());
    }
}

impl RunningProxy {
    /// Stops accepting, drains connections (up to `limits.shutdown_timeout`), and stops the
    /// reloader and admin API.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        for (thread, drained) in self.workers {
            // The channel also resolves when the worker ended without a word.
            let _ = drained.await;
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        for task in self.background {
            task.abort();
        }
    }
}

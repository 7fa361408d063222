//! Starting and stopping a whole proxy: reads the configuration file, builds the first
//! runtime, binds the listener (and the admin listener), and spawns the server, the reloader
//! and the admin API. `ficus proxy` and the integration tests both go through [`start`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
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
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
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
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|source| StartError::Bind {
            address: settings.listen,
            source,
        })?;
    let listen_addr = listener.local_addr().map_err(|source| StartError::Bind {
        address: settings.listen,
        source,
    })?;
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

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(
        listener,
        Arc::clone(&shared),
        limits,
        tls,
        async move {
            let _ = stopped.await;
        },
    ));
    tracing::info!(listen = %listen_addr, admin = ?admin_addr, file = %options.config_path.display(), "proxy started");
    Ok(RunningProxy {
        listen_addr,
        admin_addr,
        shared,
        migration,
        stop,
        server,
        background,
    })
}

impl RunningProxy {
    /// Stops accepting, drains connections (up to `limits.shutdown_timeout`), and stops the
    /// reloader and admin API.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
        for task in self.background {
            task.abort();
        }
    }
}

//! Runs the shop monolith: `shop-monolith --listen 127.0.0.1:8080 --database shop.db`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use shop_monolith::{AppState, Db};

/// The example shop monolith: an HTTP JSON API over a SQLite database.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// SQLite database file; created, migrated and seeded with demo data when missing.
    #[arg(long, default_value = "shop.db")]
    database: PathBuf,

    /// Do not seed demo data into a new database.
    #[arg(long)]
    no_seed: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let db = Db::open(&args.database, !args.no_seed)
        .with_context(|| format!("opening database {}", args.database.display()))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, database = %args.database.display(), "shop monolith serving");
    shop_monolith::serve(listener, AppState::new(db), shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    // If the handler cannot be installed we simply run until killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
    tracing::info!("shutting down");
}

//! The database: one SQLite file, its migrations, demo data, and a way to run blocking SQL
//! from async handlers.
//!
//! Migrations are the `migrations/*.sql` files, embedded at build time and applied in order;
//! applied ones are recorded in `schema_migrations`. A database created by this process gets
//! the demo data from `seed/demo.sql` unless seeding is turned off.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::common::{AppError, AppResult};

/// Migrations in the order they apply. Names are recorded once applied.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_catalog",
        include_str!("../migrations/0001_catalog.sql"),
    ),
    (
        "0002_customers",
        include_str!("../migrations/0002_customers.sql"),
    ),
    (
        "0003_inventory",
        include_str!("../migrations/0003_inventory.sql"),
    ),
    ("0004_cart", include_str!("../migrations/0004_cart.sql")),
    ("0005_orders", include_str!("../migrations/0005_orders.sql")),
    (
        "0006_payments",
        include_str!("../migrations/0006_payments.sql"),
    ),
    (
        "0007_shipping",
        include_str!("../migrations/0007_shipping.sql"),
    ),
    (
        "0008_notifications",
        include_str!("../migrations/0008_notifications.sql"),
    ),
];

const DEMO_DATA: &str = include_str!("../seed/demo.sql");

/// A shared SQLite connection. Cloning is cheap; calls are serialised on one connection,
/// which is how SQLite handles writers anyway.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (or creates) the database at `path`, applies pending migrations, and seeds demo
    /// data if the database was empty and `seed` is set.
    pub fn open(path: &Path, seed: bool) -> Result<Db, rusqlite::Error> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let fresh = migrate(&mut conn)?;
        if fresh && seed {
            conn.execute_batch(DEMO_DATA)?;
        }
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` on the connection on the blocking thread pool.
    pub async fn call<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> AppResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic in another request must not take the database down with it.
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut guard)
        })
        .await
        .map_err(|error| AppError::Internal(format!("database task failed: {error}")))?
    }
}

/// Applies every migration not yet recorded. Returns whether the database had none before.
fn migrate(conn: &mut Connection) -> Result<bool, rusqlite::Error> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             name       TEXT PRIMARY KEY,
             applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
         )",
    )?;
    let applied: i64 = conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |row| {
        row.get(0)
    })?;
    let tx = conn.transaction()?;
    for (name, sql) in MIGRATIONS {
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = ?1)",
            [name],
            |row| row.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute("INSERT INTO schema_migrations (name) VALUES (?1)", [name])?;
            tracing::info!(migration = name, "applied");
        }
    }
    tx.commit()?;
    Ok(applied == 0)
}

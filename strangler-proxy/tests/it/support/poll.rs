//! Waiting for an outcome that arrives on its own schedule (a reload, a health check, an
//! ejection running out): poll it, bounded by the tests' timeout, never assert how long it took.

use std::time::Duration;

use super::within;

/// How often [`eventually`] asks.
pub const POLL_EVERY: Duration = Duration::from_millis(50);

/// Calls `probe` every [`POLL_EVERY`] until it returns true; fails the test after
/// [`TIMEOUT`](super::TIMEOUT).
pub async fn eventually(mut probe: impl AsyncFnMut() -> bool) {
    within(async {
        while !probe().await {
            tokio::time::sleep(POLL_EVERY).await;
        }
    })
    .await;
}

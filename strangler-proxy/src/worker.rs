//! Which worker thread this is. `ficus proxy` runs one worker per core, each a single-threaded
//! tokio runtime with a listener of its own (`SO_REUSEPORT`, so the kernel spreads new
//! connections across them, as NGINX's worker processes do). A client connection lives and
//! dies on the worker that accepted it, and so do the upstream connections its requests use:
//! each pool keeps one idle stack per worker ([`crate::upstream::pooled::IdleConnections`]),
//! so a request never waits on a connection another core drives.
//!
//! The index only picks a stack: a thread that is no worker (a test's runtime, the admin API,
//! a blocking task) counts as worker 0, and an index past a pool's stacks wraps around, so a
//! wrong guess costs locality, never correctness.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    static INDEX: Cell<usize> = const { Cell::new(0) };
}

/// The most workers any proxy in this process asked for; pools built afterwards get that many
/// idle stacks.
static COUNT: AtomicUsize = AtomicUsize::new(1);

/// This thread's worker index (0 on a thread that is no worker).
pub fn index() -> usize {
    INDEX.with(Cell::get)
}

/// How many idle stacks a pool built now should have.
pub fn count() -> usize {
    COUNT.load(Ordering::Relaxed)
}

/// Marks the current thread as worker `index`.
pub(crate) fn enter(index: usize) {
    INDEX.with(|cell| cell.set(index));
}

/// Makes pools built from now on have at least `workers` stacks.
pub(crate) fn expect(workers: usize) {
    COUNT.fetch_max(workers.max(1), Ordering::Relaxed);
}

//! Graceful shutdown of one worker's client connections: when the worker stops accepting, each
//! open connection is told to finish its request in flight and close, and the worker waits for
//! them all to end.
//!
//! hyper-util's `GracefulShutdown` does the same with a `watch` channel whose `changed()` future
//! every connection polls each time it is polled, twice a request (about 300 instructions a
//! request, issue #12). Here a connection registers its task's waker once, and each poll
//! reads one flag: the shutdown raises the flag and wakes the registered tasks.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use hyper_util::server::graceful::GracefulConnection;
use slab::Slab;
use tokio::sync::Notify;

/// The connections of one worker, and the signal that ends them.
#[derive(Default)]
pub(super) struct Drain {
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    draining: AtomicBool,
    /// One slot per open connection: the waker of the task serving it, once it has been polled.
    connections: Mutex<Slab<Option<Waker>>>,
    /// Notified when the last connection ends.
    all_closed: Notify,
}

impl State {
    fn connections(&self) -> MutexGuard<'_, Slab<Option<Waker>>> {
        // A panic while holding the lock leaves the slab as consistent as before it.
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drain {
    /// A connection counted from now (a TLS handshake included), to be watched once it is
    /// served.
    pub(super) fn enlist(&self) -> Enlisted {
        let key = self.state.connections().insert(None);
        Enlisted {
            state: Arc::clone(&self.state),
            key,
        }
    }

    /// How many connections are open.
    pub(super) fn count(&self) -> usize {
        self.state.connections().len()
    }

    /// Tells every connection, open now or enlisted later, to shut down gracefully, and waits
    /// until all have ended.
    pub(super) async fn shutdown(&self) {
        self.state.draining.store(true, Ordering::Release);
        for (_, waker) in self.state.connections().iter() {
            if let Some(waker) = waker {
                waker.wake_by_ref();
            }
        }
        loop {
            let closed = self.state.all_closed.notified();
            let mut closed = std::pin::pin!(closed);
            // Registered before the count is read: a last connection that ends in between
            // still wakes this wait.
            closed.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            closed.await;
        }
    }
}

/// A connection counted by its [`Drain`]; uncounted when dropped.
pub(super) struct Enlisted {
    state: Arc<State>,
    key: usize,
}

impl Enlisted {
    /// `connection`, shut down gracefully when the drain starts.
    pub(super) fn watch<C: GracefulConnection>(self, connection: C) -> Watched<C> {
        Watched {
            connection: Box::pin(connection),
            enlisted: self,
            registered: None,
            shutting_down: false,
        }
    }
}

impl Drop for Enlisted {
    fn drop(&mut self) {
        let mut connections = self.state.connections();
        connections.try_remove(self.key);
        // Only a drain waits for the last one. (A drain that starts after this reads the flag
        // finds the slab empty itself.)
        if connections.is_empty() && self.state.draining.load(Ordering::Acquire) {
            drop(connections);
            self.state.all_closed.notify_waiters();
        }
    }
}

/// A served connection watched by a [`Drain`].
pub(super) struct Watched<C> {
    connection: Pin<Box<C>>,
    enlisted: Enlisted,
    /// The waker last put in the drain's slot.
    registered: Option<Waker>,
    shutting_down: bool,
}

impl<C: GracefulConnection> Future for Watched<C> {
    type Output = C::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C::Output> {
        let this = self.get_mut();
        if !this.shutting_down {
            // The waker goes in first, then the flag is read: a drain that starts in between
            // either finds the waker or is seen here.
            if !this
                .registered
                .as_ref()
                .is_some_and(|waker| waker.will_wake(cx.waker()))
            {
                let waker = cx.waker().clone();
                if let Some(slot) = this.enlisted.state.connections().get_mut(this.enlisted.key) {
                    *slot = Some(waker.clone());
                }
                this.registered = Some(waker);
            }
            if this.enlisted.state.draining.load(Ordering::Acquire) {
                this.shutting_down = true;
                this.connection.as_mut().graceful_shutdown();
            }
        }
        this.connection.as_mut().poll(cx)
    }
}

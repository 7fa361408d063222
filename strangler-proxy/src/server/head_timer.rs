//! hyper's timer for the header-read timeout of client connections ([`HeadTimer`]): each
//! deadline a slot in a slab that a sweeper thread checks every [`TICK`], instead of an entry
//! in tokio's timer wheel.
//!
//! hyper arms the header-read timer for every request head it waits for and drops it once the
//! head is parsed. With tokio's timer that is, per request, a `Sleep` set up, registered in the
//! wheel when first polled and taken out again when dropped: about 1.1k instructions, 2.5% of
//! a proxied request (callgrind, `docs/performance.md`). Here it is a slot taken and freed
//! under an uncontended lock (one slab per worker thread) and a waker stored when polled, about
//! 0.35k.
//!
//! A deadline fires at the first sweep after it passed: never early, and at most one tick
//! (plus the sweeper's scheduling delay) late, which a limit measured in seconds does not
//! notice. The sweeper is one thread for the process, started with the first timer; it wakes
//! every tick and scans the slots waiting, one per connection waiting for a request head.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use slab::Slab;

/// How often the sweeper looks for deadlines that passed: the most a timeout fires late.
pub const TICK: Duration = Duration::from_millis(20);

/// Slabs: a worker thread uses the one of its index (others share slab 0), so that a lock is
/// only ever contended by the sweeper.
const SHARDS: usize = 16;

/// The timer handed to hyper's HTTP/1.1 connection builder. All of them share the process's
/// slabs and sweeper.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeadTimer;

struct Deadlines {
    shards: [Mutex<Slab<Slot>>; SHARDS],
}

struct Slot {
    deadline: Instant,
    /// The task to wake when the deadline passes; `None` until polled.
    waker: Option<Waker>,
    fired: bool,
}

/// The process's deadlines, with the sweeper started on first use.
fn deadlines() -> &'static Deadlines {
    static DEADLINES: OnceLock<&'static Deadlines> = OnceLock::new();
    DEADLINES.get_or_init(|| {
        let deadlines: &'static Deadlines = Box::leak(Box::new(Deadlines {
            shards: std::array::from_fn(|_| Mutex::new(Slab::new())),
        }));
        // A process that cannot start a thread cannot serve either; hyper's timer API leaves
        // no way to report it.
        std::thread::Builder::new()
            .name("ficus-head-timer".to_owned())
            .spawn(move || sweep_forever(deadlines))
            .expect("start the header-read timer thread");
        deadlines
    })
}

impl Deadlines {
    fn shard(&self, shard: usize) -> MutexGuard<'_, Slab<Slot>> {
        // A slot holds no invariant a panic could break halfway.
        self.shards[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn sweep_forever(deadlines: &'static Deadlines) {
    let mut due: Vec<Waker> = Vec::new();
    loop {
        std::thread::sleep(TICK);
        let now = Instant::now();
        for shard in 0..SHARDS {
            let mut slots = deadlines.shard(shard);
            for (_, slot) in slots.iter_mut() {
                if !slot.fired && slot.deadline <= now {
                    slot.fired = true;
                    due.extend(slot.waker.take());
                }
            }
        }
        // Woken outside the locks: a woken task may poll or drop its sleep at once.
        for waker in due.drain(..) {
            waker.wake();
        }
    }
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeadSleep::until(deadline))
    }
}

/// One armed deadline; its slot is freed when it is dropped.
struct HeadSleep {
    shard: usize,
    key: usize,
}

impl HeadSleep {
    fn until(deadline: Instant) -> HeadSleep {
        let shard = crate::worker::index() % SHARDS;
        let key = deadlines().shard(shard).insert(Slot {
            deadline,
            waker: None,
            fired: false,
        });
        HeadSleep { shard, key }
    }
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slots = deadlines().shard(self.shard);
        let Some(slot) = slots.get_mut(self.key) else {
            return Poll::Ready(());
        };
        if slot.fired {
            return Poll::Ready(());
        }
        match &slot.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => slot.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for HeadSleep {
    fn drop(&mut self) {
        deadlines().shard(self.shard).try_remove(self.key);
    }
}

impl hyper::rt::Sleep for HeadSleep {}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::Timer;

    /// Whether a slot for exactly `deadline` is waiting in `shard`. Other tests arm timers in
    /// the same slabs meanwhile, so a test looks for its own deadline, not at counts.
    fn armed(shard: usize, deadline: Instant) -> bool {
        deadlines()
            .shard(shard)
            .iter()
            .any(|(_, slot)| slot.deadline == deadline)
    }

    #[tokio::test]
    async fn a_deadline_fires_not_before_it_passed_and_within_a_few_ticks() {
        let armed = Instant::now();
        HeadTimer.sleep(Duration::from_millis(60)).await;
        let waited = armed.elapsed();
        assert!(
            waited >= Duration::from_millis(60),
            "fired early: {waited:?}"
        );
        // Generous for a loaded CI machine: the bound is a tick plus scheduling delay.
        assert!(waited < Duration::from_secs(2), "fired late: {waited:?}");
    }

    #[test]
    fn a_sleep_dropped_before_its_deadline_frees_its_slot() {
        let deadline = Instant::now() + Duration::from_secs(3600) + Duration::from_nanos(7919);
        let sleep = HeadSleep::until(deadline);
        assert!(armed(sleep.shard, deadline));
        let shard = sleep.shard;
        drop(sleep);
        assert!(!armed(shard, deadline));
    }

    #[tokio::test]
    async fn the_task_that_polled_last_is_woken() {
        let mut sleep = HeadTimer.sleep(Duration::from_millis(40));
        // Polled once by a first waker (never woken), then awaited by this task.
        let first = std::future::poll_fn(|cx| {
            let _ = sleep.as_mut().poll(cx);
            Poll::Ready(())
        });
        first.await;
        tokio::time::timeout(Duration::from_secs(5), sleep)
            .await
            .expect("the deadline wakes the task that polled last");
    }
}

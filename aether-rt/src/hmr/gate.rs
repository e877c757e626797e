//! The program lock: Aether code runs on one thread at a time, and a reload
//! is applied only while no thread runs Aether code.
//!
//! A thread takes the gate before it calls into Aether (the host before
//! `main`, before a hook, before a state initializer; a Rust host's binding
//! before each call) and gives it back when the call returns; the gate is
//! reentrant per thread. Running code gives it up at safe points: at a call
//! while a reload is pending ([`crate::abi::call_slot`]) and around blocking
//! builtins ([`crate::abi::blocking`]). Generated code never holds a borrow
//! of `state` across a call, so whatever runs in between (a reload, its
//! hooks) cannot alias a borrow of the code that yielded.
//!
//! Why a lock and not per-module reference counts: `state` is shared by all
//! code of a program, so serializing Aether code is what makes it free of
//! data races by construction, and it makes "a reload waits for no longer
//! than the calls in flight" (up to their next safe point) simple to keep.
//!
//! Taking a free gate is one compare-and-swap (a Rust host calls in through
//! it on every binding call); only a thread that finds it taken sleeps, on a
//! condition variable.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// A reentrant lock with explicit give-up and take-back.
#[derive(Debug, Default)]
pub struct Gate {
    /// The token of the thread holding it, 0 when free.
    owner: AtomicU64,
    /// Threads sleeping in `acquire`: a release wakes them only if any.
    waiting: AtomicUsize,
    sleep: Mutex<()>,
    changed: Condvar,
}

thread_local! {
    /// This thread's nonzero token.
    static TOKEN: u64 = next_token();
    /// How many levels this thread holds.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Levels given up by [`Gate::release_all`], restored by [`Gate::restore`].
    static GIVEN_UP: Cell<usize> = const { Cell::new(0) };
}

fn next_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Gate {
    pub const fn new() -> Gate {
        Gate { owner: AtomicU64::new(0), waiting: AtomicUsize::new(0), sleep: Mutex::new(()), changed: Condvar::new() }
    }

    /// Take the gate (again, if this thread holds it already).
    pub fn acquire(&self) {
        let me = TOKEN.with(|t| *t);
        if self.owner.load(Ordering::Relaxed) != me {
            self.take(me);
        }
        DEPTH.with(|d| d.set(d.get() + 1));
    }

    /// Give back one level; the gate is free when every level is.
    pub fn release(&self) {
        let me = TOKEN.with(|t| *t);
        if self.owner.load(Ordering::Relaxed) != me {
            return;
        }
        let left = DEPTH.with(|d| {
            let left = d.get().saturating_sub(1);
            d.set(left);
            left
        });
        if left == 0 {
            self.free();
        }
    }

    /// Give up every level this thread holds (around a blocking call or at
    /// a safe point); [`Gate::restore`] takes them back.
    pub fn release_all(&self) {
        let me = TOKEN.with(|t| *t);
        if self.owner.load(Ordering::Relaxed) != me {
            GIVEN_UP.with(|g| g.set(0));
            return;
        }
        GIVEN_UP.with(|g| g.set(DEPTH.with(|d| d.replace(0))));
        self.free();
    }

    /// Take back what [`Gate::release_all`] gave up on this thread.
    pub fn restore(&self) {
        let depth = GIVEN_UP.with(|g| g.replace(0));
        if depth == 0 {
            return;
        }
        let me = TOKEN.with(|t| *t);
        if self.owner.load(Ordering::Relaxed) != me {
            self.take(me);
        }
        DEPTH.with(|d| d.set(d.get() + depth));
    }

    /// Whether this thread holds the gate.
    pub fn held_by_me(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == TOKEN.with(|t| *t)
    }

    /// Whether some thread holds the gate.
    pub fn is_held(&self) -> bool {
        self.owner.load(Ordering::Acquire) != 0
    }

    fn take(&self, me: u64) {
        loop {
            if self.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                return;
            }
            self.waiting.fetch_add(1, Ordering::SeqCst);
            let guard = self.sleep.lock().unwrap_or_else(|p| p.into_inner());
            if self.owner.load(Ordering::SeqCst) != 0 {
                // A timeout, so a missed wake-up costs a millisecond, never a hang.
                let _ = self.changed.wait_timeout(guard, Duration::from_millis(1));
            }
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn free(&self) {
        self.owner.store(0, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            let _guard = self.sleep.lock().unwrap_or_else(|p| p.into_inner());
            self.changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[test]
    fn reentrant_and_exclusive() {
        let gate = Arc::new(Gate::new());
        gate.acquire();
        gate.acquire();
        gate.release();
        assert!(gate.is_held());
        let inside = Arc::new(AtomicUsize::new(0));
        let (g, i) = (gate.clone(), inside.clone());
        let other = std::thread::spawn(move || {
            g.acquire();
            i.store(1, Ordering::SeqCst);
            g.release();
        });
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(inside.load(Ordering::SeqCst), 0, "the other thread must wait for the gate");
        gate.release();
        other.join().map_err(|_| "thread panicked").unwrap_or(());
        assert_eq!(inside.load(Ordering::SeqCst), 1);
        assert!(!gate.is_held());
    }

    #[test]
    fn release_all_lets_another_thread_in_and_restore_takes_every_level_back() {
        let gate = Arc::new(Gate::new());
        gate.acquire();
        gate.acquire();
        gate.release_all();
        let g = gate.clone();
        std::thread::spawn(move || {
            g.acquire();
            g.release();
        })
        .join()
        .map_err(|_| "thread panicked")
        .unwrap_or(());
        gate.restore();
        gate.release();
        assert!(gate.is_held(), "two levels were restored, one released");
        gate.release();
        assert!(!gate.is_held());
    }

    #[test]
    fn many_threads_never_overlap() {
        let gate = Arc::new(Gate::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (g, i, t) = (gate.clone(), inside.clone(), total.clone());
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        g.acquire();
                        assert_eq!(i.fetch_add(1, Ordering::SeqCst), 0, "two threads inside at once");
                        t.fetch_add(1, Ordering::SeqCst);
                        i.fetch_sub(1, Ordering::SeqCst);
                        g.release();
                    }
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().is_ok());
        }
        assert_eq!(total.load(Ordering::SeqCst), 8000);
    }
}

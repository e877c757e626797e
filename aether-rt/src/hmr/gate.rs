//! The program lock: Aether code runs on one thread at a time, and a reload
//! is applied only while no thread runs Aether code.
//!
//! A thread takes the gate before it calls into Aether (the host before
//! `main`, before a hook, before a state initializer) and gives it back when
//! the call returns; the gate is reentrant per thread. Running code gives it
//! up at safe points: at a call while a reload is pending
//! ([`crate::abi::CallTable::safe_point`]) and around blocking builtins
//! ([`crate::abi::blocking`]). Generated code never holds a borrow of
//! `state` across a call, so whatever runs in between (a reload, its hooks)
//! cannot alias a borrow of the code that yielded.
//!
//! Why a lock and not per-module reference counts: `state` is shared by all
//! code of a program, so serializing Aether code is what makes it free of
//! data races by construction, and it makes "a reload waits for no longer
//! than the calls in flight" (up to their next safe point) simple to keep.

use std::cell::Cell;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::Duration;

/// A reentrant lock with explicit give-up and take-back.
#[derive(Debug, Default)]
pub struct Gate {
    inner: Mutex<Holder>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Holder {
    owner: Option<ThreadId>,
    depth: usize,
}

thread_local! {
    /// Depths given up by [`Gate::release_all`] on this thread, restored by
    /// [`Gate::restore`] (a stack: blocking calls do not nest today, but
    /// nothing breaks if they do).
    static GIVEN_UP: Cell<usize> = const { Cell::new(0) };
}

impl Gate {
    pub const fn new() -> Gate {
        Gate { inner: Mutex::new(Holder { owner: None, depth: 0 }), changed: Condvar::new() }
    }

    /// Take the gate (again, if this thread holds it already).
    pub fn acquire(&self) {
        let me = std::thread::current().id();
        let mut holder = self.lock();
        loop {
            match holder.owner {
                Some(owner) if owner == me => break,
                None => {
                    holder.owner = Some(me);
                    break;
                }
                Some(_) => holder = self.wait(holder),
            }
        }
        holder.depth += 1;
    }

    /// Give back one level; the gate is free when every level is.
    pub fn release(&self) {
        let me = std::thread::current().id();
        let mut holder = self.lock();
        if holder.owner == Some(me) {
            holder.depth = holder.depth.saturating_sub(1);
            if holder.depth == 0 {
                holder.owner = None;
                self.changed.notify_all();
            }
        }
    }

    /// Give up every level this thread holds (around a blocking call or at
    /// a safe point); [`Gate::restore`] takes them back.
    pub fn release_all(&self) {
        let me = std::thread::current().id();
        let mut holder = self.lock();
        if holder.owner == Some(me) {
            GIVEN_UP.with(|g| g.set(holder.depth));
            holder.owner = None;
            holder.depth = 0;
            self.changed.notify_all();
        } else {
            GIVEN_UP.with(|g| g.set(0));
        }
    }

    /// Take back what [`Gate::release_all`] gave up on this thread.
    pub fn restore(&self) {
        let depth = GIVEN_UP.with(|g| g.replace(0));
        if depth == 0 {
            return;
        }
        let me = std::thread::current().id();
        let mut holder = self.lock();
        while holder.owner.is_some_and(|o| o != me) {
            holder = self.wait(holder);
        }
        holder.owner = Some(me);
        holder.depth += depth;
    }

    /// Whether some thread holds the gate.
    pub fn is_held(&self) -> bool {
        self.lock().owner.is_some()
    }

    fn lock(&self) -> MutexGuard<'_, Holder> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, Holder>) -> MutexGuard<'a, Holder> {
        // A timeout, so a missed wake-up costs a few milliseconds, never a hang.
        match self.changed.wait_timeout(guard, Duration::from_millis(5)) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
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
}

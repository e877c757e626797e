//! When a call that was running as its function was replaced starts again.
//!
//! A call in progress when a reload replaces its function finishes in the
//! code it started in, as in Erlang: a host's `line(text)` that counted the
//! line before the reload landed must not count it twice. Only a call still
//! running [`restart_after`] later (a loop that does not end, or a caller
//! waiting for one) unwinds at its next safe point and starts again with
//! the new code (`abi::call_restartable`); that is what un-sticks a loop.
//!
//! A reload resets [`due`] to false and sets a deadline; this module's
//! thread raises it at the deadline and passes every thread that runs
//! Aether code through a safe point (as a reload does, with nothing to
//! swap), where the generated code asks the host whether a call further out
//! is to start again (`stale_call`). A loop of replaced code asks at each
//! iteration anyway (its stale flag sends it down the slow path).

use super::{Host, GATE, HOST_REF};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long replaced code may go on running before it is made to start
/// again (`AETHER_HMR_RESTART_AFTER_MS`, default 250): far longer than a
/// call that ends on its own takes, even on a loaded machine, and short
/// enough that an edited endless loop takes effect at once to a person.
pub fn restart_after() -> Duration {
    let ms = std::env::var("AETHER_HMR_RESTART_AFTER_MS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(250);
    Duration::from_millis(ms)
}

/// Raised once the newest swap is [`restart_after`] old.
static DUE: AtomicBool = AtomicBool::new(true);

/// When [`DUE`] is to be raised (None: nothing waits).
struct Deadline {
    at: Mutex<Option<Instant>>,
    changed: Condvar,
}

static DEADLINE: OnceLock<Deadline> = OnceLock::new();

/// Whether replaced code still running is to start again now.
pub(super) fn due() -> bool {
    DUE.load(Ordering::Acquire)
}

/// Called with the program lock held, right after a swap (a reload or a
/// rollback) was published: calls of replaced code finish in it unless
/// they are still running [`restart_after`] from now.
pub(super) fn swapped() {
    DUE.store(false, Ordering::Release);
    let deadline = DEADLINE.get_or_init(|| {
        let started = std::thread::Builder::new().name("aether-hmr-restart".into()).spawn(raise_when_due);
        if started.is_err() {
            // No thread, no deadline: restart at once, as before there was
            // a wait (a stuck loop must never stay stuck).
            DUE.store(true, Ordering::Release);
        }
        Deadline { at: Mutex::new(None), changed: Condvar::new() }
    });
    let mut at = deadline.at.lock().unwrap_or_else(|p| p.into_inner());
    *at = Some(Instant::now() + restart_after());
    deadline.changed.notify_all();
}

fn raise_when_due() {
    let deadline = DEADLINE.wait();
    let mut at = deadline.at.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        match *at {
            None => at = deadline.changed.wait(at).unwrap_or_else(|p| p.into_inner()),
            Some(when) if Instant::now() < when => {
                let left = when.saturating_duration_since(Instant::now());
                at = deadline.changed.wait_timeout(at, left).unwrap_or_else(|p| p.into_inner()).0;
            }
            Some(_) => {
                *at = None;
                drop(at);
                match HOST_REF.get() {
                    Some(host) => host.pass_everyone_through_a_safe_point(|| DUE.store(true, Ordering::Release)),
                    None => DUE.store(true, Ordering::Release),
                }
                at = deadline.at.lock().unwrap_or_else(|p| p.into_inner());
            }
        }
    }
}

impl Host {
    /// Stop the program at a safe point (every thread running Aether code
    /// waits there, or runs none), run `f`, let it go on. One at a time:
    /// two of these at once would lower each other's pending flag.
    pub(super) fn pass_everyone_through_a_safe_point<R>(&self, f: impl FnOnce() -> R) -> R {
        let _one_at_a_time = self.swapping.lock().unwrap_or_else(|p| p.into_inner());
        self.tables.set_pending(true);
        GATE.acquire();
        let value = f();
        self.tables.set_pending(false);
        GATE.release();
        value
    }
}

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
//! **Biased** (issue #14, on Linux): a Rust host calls in through the gate
//! on every binding call, nearly always from the same thread, and a
//! compare-and-swap per call was most of such a call's cost. So a thread
//! that frees the gate stays its owner, only marked not busy, and takes it
//! again with plain stores and loads: it marks itself busy, then checks it
//! is still the owner. Another thread takes an idle owner's gate by
//! swapping the owner to itself and then running an asymmetric barrier
//! (`membarrier`, which makes every thread of the process pass a full
//! fence), after which either it sees the old owner busy (and waits for it
//! to leave) or the old owner sees the new one (and backs off): the
//! pattern of asymmetric Dekker locks (folly's `asymmetricHeavyBarrier`).
//! Where the barrier is unavailable (another OS, a kernel or sandbox
//! without `membarrier`), and once threads take turns too often for the
//! barrier to pay (a server calling in from many threads:
//! [`HANDOVERS_PER_SECOND`]), the gate is a plain lock again: taking a
//! free gate is one compare-and-swap, and only a thread that finds it taken
//! sleeps, on a condition variable.

use std::cell::Cell;
use std::sync::atomic::{compiler_fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A reentrant lock with explicit give-up and take-back.
#[derive(Debug, Default)]
pub struct Gate {
    /// The thread holding the gate, or (biased) the thread that held it
    /// last, which holds it again while its `busy` is set; null when free.
    owner: AtomicPtr<Holder>,
    /// Whether a thread keeps the gate when it frees it (see the module
    /// docs); off until the barrier is known to work, and off for good
    /// once threads take turns too often.
    biased: AtomicBool,
    /// Hand-overs of a biased gate in the current second (changed only by
    /// the thread holding the gate): the start of that second in
    /// nanoseconds since [`epoch`], and the count.
    window_start: AtomicU64,
    window_count: AtomicU64,
    /// Threads sleeping in `acquire`: a release wakes them only if any.
    waiting: AtomicUsize,
    sleep: Mutex<()>,
    changed: Condvar,
}

/// One thread's record (leaked: a gate may point to it after the thread
/// ends): whether it runs under the gate it owns.
#[derive(Debug)]
struct Holder {
    busy: AtomicBool,
}

/// Hand-overs of a biased gate between threads in one second beyond which
/// the gate stops being biased: each costs a process-wide barrier (a few
/// microseconds), a compare-and-swap per call costs a few nanoseconds.
pub const HANDOVERS_PER_SECOND: u64 = 200;

thread_local! {
    /// This thread's record (null until first used).
    static HOLDER: Cell<*const Holder> = const { Cell::new(std::ptr::null()) };
    /// How many levels this thread holds (nonzero exactly while it holds
    /// the gate).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Levels given up by [`Gate::release_all`], restored by [`Gate::restore`].
    static GIVEN_UP: Cell<usize> = const { Cell::new(0) };
}

/// This thread's record.
#[inline]
fn holder() -> &'static Holder {
    let p = HOLDER.with(|h| {
        let p = h.get();
        if !p.is_null() {
            return p;
        }
        let p: &'static Holder = Box::leak(Box::new(Holder { busy: AtomicBool::new(false) }));
        h.set(p);
        p
    });
    // SAFETY: a record is leaked, never freed.
    #[allow(unsafe_code)]
    unsafe {
        &*p
    }
}

#[inline]
fn depth() -> usize {
    DEPTH.with(Cell::get)
}

/// The process-wide barrier the biased gate needs, registered once: `true`
/// when it is available.
fn barrier_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(imp::register)
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Gate {
    pub const fn new() -> Gate {
        Gate {
            owner: AtomicPtr::new(std::ptr::null_mut()),
            biased: AtomicBool::new(false),
            window_start: AtomicU64::new(0),
            window_count: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            sleep: Mutex::new(()),
            changed: Condvar::new(),
        }
    }

    /// Take the gate (again, if this thread holds it already).
    #[inline]
    pub fn acquire(&self) {
        if depth() == 0 {
            self.take(holder());
        }
        DEPTH.with(|d| d.set(d.get() + 1));
    }

    /// Give back one level; the gate is free when every level is.
    #[inline]
    pub fn release(&self) {
        if depth() == 0 {
            return;
        }
        let left = DEPTH.with(|d| {
            let left = d.get() - 1;
            d.set(left);
            left
        });
        if left == 0 {
            self.free(holder());
        }
    }

    /// Give up every level this thread holds (around a blocking call or at
    /// a safe point); [`Gate::restore`] takes them back.
    pub fn release_all(&self) {
        let held = DEPTH.with(|d| d.replace(0));
        GIVEN_UP.with(|g| g.set(held));
        if held > 0 {
            self.free(holder());
        }
    }

    /// Take back what [`Gate::release_all`] gave up on this thread.
    pub fn restore(&self) {
        let given_up = GIVEN_UP.with(|g| g.replace(0));
        if given_up == 0 {
            return;
        }
        if depth() == 0 {
            self.take(holder());
        }
        DEPTH.with(|d| d.set(d.get() + given_up));
    }

    /// Whether this thread holds the gate.
    pub fn held_by_me(&self) -> bool {
        depth() > 0 && std::ptr::eq(self.owner.load(Ordering::Relaxed), holder())
    }

    /// Whether some thread holds the gate.
    pub fn is_held(&self) -> bool {
        let owner = self.owner.load(Ordering::Acquire);
        // SAFETY: the owner is null or a leaked record.
        #[allow(unsafe_code)]
        let owner = unsafe { owner.as_ref() };
        owner.is_some_and(|o| o.busy.load(Ordering::Acquire))
    }

    #[inline]
    fn take(&self, me: &'static Holder) {
        let me_ptr = std::ptr::from_ref(me).cast_mut();
        if self.owner.load(Ordering::Relaxed) == me_ptr {
            // Biased to this thread: busy first, then still the owner? A
            // thread taking the gate over swaps the owner first, then runs
            // the barrier, then reads `busy`: one of the two sees the other.
            me.busy.store(true, Ordering::Relaxed);
            compiler_fence(Ordering::SeqCst);
            if self.owner.load(Ordering::Relaxed) == me_ptr {
                return;
            }
            me.busy.store(false, Ordering::Release);
        }
        self.take_slow(me, me_ptr);
    }

    #[cold]
    fn take_slow(&self, me: &'static Holder, me_ptr: *mut Holder) {
        loop {
            // Busy before owning: whoever finds this thread the owner finds
            // it busy.
            me.busy.store(true, Ordering::SeqCst);
            let owner = self.owner.load(Ordering::SeqCst);
            if owner.is_null() {
                if self.owner.compare_exchange(owner, me_ptr, Ordering::SeqCst, Ordering::Relaxed).is_ok() {
                    self.bias_from_now();
                    return;
                }
                continue;
            }
            if owner == me_ptr {
                return;
            }
            // SAFETY: a non-null owner is a leaked record.
            #[allow(unsafe_code)]
            let other = unsafe { &*owner };
            if !other.busy.load(Ordering::SeqCst)
                && self.owner.compare_exchange(owner, me_ptr, Ordering::SeqCst, Ordering::Relaxed).is_ok()
            {
                // An idle owner's bias, taken over: after the barrier the
                // old owner either was seen busy (it checked the owner
                // before the swap: wait for it to leave) or will see this
                // thread and back off.
                imp::heavy_barrier();
                while other.busy.load(Ordering::SeqCst) {
                    self.wait();
                }
                self.handed_over();
                return;
            }
            me.busy.store(false, Ordering::SeqCst);
            self.wait();
        }
    }

    /// Sleep until a release (or a millisecond: a missed wake-up costs that,
    /// never a hang).
    fn wait(&self) {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let guard = self.sleep.lock().unwrap_or_else(|p| p.into_inner());
        let owner = self.owner.load(Ordering::SeqCst);
        // SAFETY: a non-null owner is a leaked record.
        #[allow(unsafe_code)]
        let busy = unsafe { owner.as_ref() }.is_some_and(|o| o.busy.load(Ordering::SeqCst));
        if busy {
            let _ = self.changed.wait_timeout(guard, Duration::from_millis(1));
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    /// Under the gate, taken while it was free: biased from now on if the
    /// barrier works and threads have not taken too many turns.
    fn bias_from_now(&self) {
        if !self.biased.load(Ordering::Relaxed)
            && self.window_count.load(Ordering::Relaxed) <= HANDOVERS_PER_SECOND
            && barrier_available()
        {
            self.biased.store(true, Ordering::Relaxed);
        }
    }

    /// Under the gate, taken over from an idle owner: count it, and stop
    /// biasing when threads take turns more often than
    /// [`HANDOVERS_PER_SECOND`].
    fn handed_over(&self) {
        let now = epoch().elapsed().as_nanos() as u64;
        let start = self.window_start.load(Ordering::Relaxed);
        if now.saturating_sub(start) > 1_000_000_000 {
            self.window_start.store(now, Ordering::Relaxed);
            self.window_count.store(1, Ordering::Relaxed);
            return;
        }
        let count = self.window_count.load(Ordering::Relaxed) + 1;
        self.window_count.store(count, Ordering::Relaxed);
        if count > HANDOVERS_PER_SECOND {
            // For good: the count stays above the limit.
            self.biased.store(false, Ordering::Relaxed);
            self.window_start.store(u64::MAX / 2, Ordering::Relaxed);
        }
    }

    #[inline]
    fn free(&self, me: &'static Holder) {
        if !self.biased.load(Ordering::Relaxed) {
            // A plain lock: free for the next compare-and-swap, then not
            // busy (so an owner found idle was always biased).
            self.owner.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
        me.busy.store(false, Ordering::Release);
        // Release, not SeqCst: a waiter that registers just as this runs may
        // miss the wake-up, and then finds the gate free when its 1 ms wait
        // times out. The common case (nobody waiting) stays cheap.
        if self.waiting.load(Ordering::Relaxed) > 0 {
            self.wake_waiters();
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_waiters(&self) {
        let _guard = self.sleep.lock().unwrap_or_else(|p| p.into_inner());
        self.changed.notify_all();
    }
}

#[cfg(target_os = "linux")]
mod imp {
    // The `membarrier(2)` commands (linux/membarrier.h).
    const PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    /// Register the process for expedited barriers: true when it worked.
    pub(super) fn register() -> bool {
        // SAFETY: a system call with integer arguments only.
        #[allow(unsafe_code)]
        let r = unsafe { libc::syscall(libc::SYS_membarrier, REGISTER_PRIVATE_EXPEDITED, 0, 0) };
        r == 0
    }

    /// Every running thread of the process passes a full memory barrier.
    pub(super) fn heavy_barrier() {
        if !super::barrier_available() {
            return;
        }
        // SAFETY: as in `register`.
        #[allow(unsafe_code)]
        let r = unsafe { libc::syscall(libc::SYS_membarrier, PRIVATE_EXPEDITED, 0, 0) };
        // Registered at the start, so it cannot fail; if it did anyway,
        // there is no way to take the gate over safely.
        assert_eq!(r, 0, "membarrier failed after it was registered");
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    /// No asymmetric barrier here: the gate is never biased.
    pub(super) fn register() -> bool {
        false
    }

    pub(super) fn heavy_barrier() {}
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

    /// Two threads taking turns slowly enough for the gate to stay biased:
    /// each hand-over goes through the barrier, and they never overlap.
    #[test]
    fn a_biased_gate_is_handed_over_and_never_shared() {
        let gate = Arc::new(Gate::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (g, i) = (gate.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..40 {
                        g.acquire();
                        assert_eq!(i.fetch_add(1, Ordering::SeqCst), 0, "two threads inside at once");
                        std::thread::yield_now();
                        i.fetch_sub(1, Ordering::SeqCst);
                        g.release();
                        std::thread::sleep(Duration::from_micros(500));
                    }
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().is_ok());
        }
        assert!(!gate.is_held());
        if barrier_available() {
            assert!(gate.biased.load(Ordering::Relaxed), "fewer hand-overs than the limit keep the bias");
        }
    }

    /// Once released, the gate stays with the thread (not held by it), which
    /// takes it again without a compare-and-swap.
    #[test]
    fn a_released_gate_stays_biased_to_its_thread() {
        let gate = Gate::new();
        gate.acquire();
        gate.release();
        assert!(!gate.is_held() && !gate.held_by_me());
        if barrier_available() {
            assert!(std::ptr::eq(gate.owner.load(Ordering::Relaxed), holder()));
        }
        gate.acquire();
        assert!(gate.is_held() && gate.held_by_me());
        gate.release();
    }
}

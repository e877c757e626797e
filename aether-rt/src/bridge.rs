//! The static bridge between a Rust host crate and the Aether modules
//! compiled into it (by `aether-build`; see docs/rust-interop.md).
//!
//! # Threading model
//!
//! All `state` of the Aether program lives in one context `C`, created on
//! the first call that needs it (its initializers run then, once) and kept
//! for the life of the process behind one mutex. A binding that touches
//! state holds the lock for the whole Aether call, so calls from many
//! threads are serialized: no data race is possible, and every call sees
//! the state every earlier call left. Pure functions take no lock.
//!
//! Reentrancy: while Aether calls a host function (`extern fn`), the
//! calling thread *lends* its context: a binding called by that host
//! function on the same thread uses the lent context instead of taking the
//! lock again, so Rust → Aether → Rust → Aether neither deadlocks nor
//! creates a second context. The lent context is never aliased: the Aether
//! caller does not touch it until the host function returns, and arguments
//! that borrowed state were copied out first by the generated code.
//!
//! A host function called from Aether must not *wait* for another thread
//! that calls into Aether (that thread would wait for the lock this one
//! holds). A runtime error in Aether panics in the calling thread through
//! a plain binding, and is returned as [`RuntimeError`] by its `try_`
//! binding ([`catch`]); either way the lock is released, and later calls
//! see the state as the failed call left it.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, PoisonError};
use std::thread::LocalKey;

/// A runtime error of Aether code called from Rust (an index out of range,
/// `panic(...)`, a failed `assert`): its message, which names the `.ae`
/// file and line. What a `try_` binding returns instead of panicking.
pub type RuntimeError = crate::abi::PanicInfo;

/// The body of a `try_` binding: `f`'s value, or the runtime error that
/// ended it. (The panic hook, if installed, has printed it already.)
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, RuntimeError> {
    crate::abi::call_guarded(AssertUnwindSafe(f))
}

/// The body of a plain binding around a fallible call: the value, or the
/// runtime error raised again as a panic in the caller (not printed again).
pub fn or_panic<R>(result: Result<R, RuntimeError>) -> R {
    result.unwrap_or_else(|e| std::panic::resume_unwind(Box::new(e.message)))
}

/// The one context of an Aether program compiled into a host crate.
pub struct Shared<C: 'static> {
    state: Mutex<Option<C>>,
    /// Per thread: the context lent to a host function, or null.
    lent: &'static LocalKey<Cell<*mut C>>,
    init: fn() -> C,
}

impl<C: Send + 'static> Shared<C> {
    /// `lent` is a `thread_local!` of the generated code (statics cannot
    /// be generic); `init` builds the context and runs the initializers.
    pub const fn new(lent: &'static LocalKey<Cell<*mut C>>, init: fn() -> C) -> Shared<C> {
        Shared { state: Mutex::new(None), lent, init }
    }

    /// Run `f` with the context: the one this thread lent to the host
    /// function it is inside, or else the shared one, locked for the call.
    pub fn call<R>(&'static self, f: impl FnOnce(&mut C) -> R) -> R {
        let lent = self.lent.with(Cell::get);
        if !lent.is_null() {
            return self.reenter(lent, f);
        }
        // A panic in an earlier call poisons the lock; the state is still
        // a valid value (Aether code never leaves a torn one), so go on.
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let ctx = guard.get_or_insert_with(self.init);
        f(ctx)
    }

    /// Lend `ctx` to the host function `f` runs, for calls back into
    /// Aether on this thread; restored (even on a panic) when it returns.
    pub fn lend<R>(&'static self, ctx: &mut C, f: impl FnOnce() -> R) -> R {
        let previous = self.lent.with(|c| c.replace(ctx as *mut C));
        let _restore = Restore { cell: self.lent, previous };
        f()
    }

    #[allow(unsafe_code)]
    fn reenter<R>(&'static self, lent: *mut C, f: impl FnOnce(&mut C) -> R) -> R {
        // SAFETY: `lent` was stored by `lend` on this thread from a
        // `&mut C` that is still live (its frame is below us on this
        // thread's stack: `lend` resets the cell before returning, even
        // when unwinding), and that frame does not use the reference until
        // `lend`'s closure, which we are inside, returns. Arguments that
        // borrowed state were copied out before `lend` by the generated
        // code, so nothing else aliases the context while we use it.
        let ctx = unsafe { &mut *lent };
        f(ctx)
    }
}

struct Restore<C: 'static> {
    cell: &'static LocalKey<Cell<*mut C>>,
    previous: *mut C,
}

impl<C> Drop for Restore<C> {
    fn drop(&mut self) {
        let previous = self.previous;
        self.cell.with(|c| c.set(previous));
    }
}

/// Mount the Aether modules that `aether_build::compile("src/<name>")`
/// generated as `mod <name>` here (`include_aether!(pub <name>)` for a
/// public one): `aether_rt::include_aether!(logic);` then
/// `logic::game::score(&player)`.
#[macro_export]
macro_rules! include_aether {
    ($vis:vis $name:ident) => {
        #[allow(missing_docs, clippy::all, clippy::pedantic)]
        $vis mod $name {
            include!(concat!(env!("OUT_DIR"), "/aether/", stringify!($name), ".rs"));
        }
    };
}

/// The whole program of an Aether project, for its `src/main.rs`: the
/// package's `build.rs` calls `aether_build::compile_program()`, which
/// checks `src/*.ae` and writes the program's Rust to `$OUT_DIR`; this
/// includes it, `fn main` and all, so plain `cargo build` and `cargo run`
/// build the same program as `aether build` and `aether run`.
///
/// ```text
/// // src/main.rs
/// aether_rt::include_program!();
/// ```
#[macro_export]
macro_rules! include_program {
    () => {
        include!(concat!(env!("OUT_DIR"), "/aether/program/src/main.rs"));
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter {
        n: i64,
    }

    thread_local! {
        static LENT: Cell<*mut Counter> = const { Cell::new(std::ptr::null_mut()) };
    }
    static SHARED: Shared<Counter> = Shared::new(&LENT, || Counter { n: 100 });

    #[test]
    fn calls_from_threads_are_serialized_and_reentry_uses_the_lent_context() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..1000 {
                        SHARED.call(|c| {
                            c.n += 1;
                            // Aether calling a host function that calls back in.
                            SHARED.lend(c, || SHARED.call(|inner| inner.n += 1));
                        });
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(SHARED.call(|c| c.n), 100 + 8000);
        assert!(LENT.with(Cell::get).is_null());
    }

    #[test]
    fn a_panicking_host_function_leaves_nothing_lent_and_the_lock_usable() {
        let caught = std::panic::catch_unwind(|| {
            SHARED.call(|c| SHARED.lend(c, || panic!("host failed")));
        });
        assert!(caught.is_err());
        assert!(LENT.with(Cell::get).is_null());
        // The poisoned lock is recovered: the state is still there.
        assert!(SHARED.call(|c| c.n) >= 100);
    }
}

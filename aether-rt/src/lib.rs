//! The Aether runtime: what generated code links against.
//!
//! Aether values map to plain Rust types (`int` → `i64`, `str` → `String`,
//! `[T]` → `Vec<T>`, `{K: V}` → [`Map`], `T?` → `Option<T>`, `T!` →
//! `Result<T, Error>`), so generated code reads like hand-written Rust. This
//! crate adds what the language promises beyond std: runtime errors that name
//! the `.ae` location ([`Location`], [`fail`]), `str(v)` for every value
//! ([`Show`]), and the prelude.
//!
//! Invariant: this crate never depends on `aether-transpile`.

// Unsafe code is denied by the workspace's lints and allowed only where
// marked, each with a `// SAFETY:` comment: in `abi` (Sync impls, reading the
// call table, `Guarded`), in the HMR loader, host, tables and state store, and
// in `bridge` (re-entering a lent context), and in `overflow/imp.rs` (the
// stack overflow handler and what it reads).

/// `$m!(A 0, B 1, ...)` once per tuple arity the runtime supports, 2 to
/// [`dynval::MAX_TUPLE`]: `Show` and `Dyn` are implemented for the same
/// tuples, from this one list (a test in `dynval` ties it to the constant).
macro_rules! for_each_tuple {
    ($m:ident) => {
        $m!(A 0, B 1);
        $m!(A 0, B 1, C 2);
        $m!(A 0, B 1, C 2, D 3);
        $m!(A 0, B 1, C 2, D 3, E 4);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
        $m!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
    };
}

pub mod abi;
pub mod bridge;
pub mod dynval;
#[cfg(feature = "hmr")]
pub mod hmr;
pub mod list;
pub mod ops;
pub mod overflow;
pub mod prelude;
pub mod quote;
pub mod show;
pub mod text;

pub use bridge::RuntimeError;
pub use overflow::{catch_stack_overflow, Frame};
pub use show::Show;

use std::fmt;

/// `{K: V}`: iterates in insertion order, like the language promises.
pub type Map<K, V> = indexmap::IndexMap<K, V>;

/// A position in a `.ae` source file, passed by generated code to the
/// helpers that can fail, so runtime errors name the user's file and line,
/// never a path in generated Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: &'static str,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Stop the program with a runtime error at `loc`.
#[cold]
#[inline(never)]
pub fn fail(loc: Location, message: impl fmt::Display) -> ! {
    panic!("{message}\n  --> {loc}")
}

/// The error side of `T!`: a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Error {
        Error(s.to_string())
    }
}

/// Make panics read as Aether runtime errors: `error: <message>` on stderr
/// (the message already names the `.ae` location), after flushing what the
/// program printed, with no Rust source location or backtrace note. Called
/// first thing by a generated `main` and by every generated test; installing
/// it more than once is harmless.
pub fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            prelude::flush_stdout();
            let payload = info.payload();
            let message = if let Some(s) = payload.downcast_ref::<String>() {
                s.as_str()
            } else if let Some(s) = payload.downcast_ref::<&str>() {
                s
            } else {
                "the program panicked"
            };
            eprintln!("error: {message}");
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_names_the_ae_location() {
        let loc = Location { file: "src/game.ae", line: 12, col: 9 };
        let err = std::panic::catch_unwind(|| fail(loc, "index 5 out of range for a list of length 3")).unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(msg, "index 5 out of range for a list of length 3\n  --> src/game.ae:12:9");
    }
}

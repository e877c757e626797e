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
pub mod interop;
pub mod json;
pub mod list;
pub mod map;
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
            editor_event(message);
        }));
    });
}

/// Under `run --hmr`, a runtime error is also appended to the events file
/// the supervisor keeps beside the status file (`AETHER_HMR_STATUS`, the
/// name `hmr::protocol::STATUS_ENV`, which is not compiled in here):
/// `aether lsp` shows it at its `.ae` line (docs/editors.md). Nothing
/// happens without hot reloading.
fn editor_event(message: &str) {
    let Some(status) = std::env::var_os("AETHER_HMR_STATUS").filter(|p| !p.is_empty()) else { return };
    let events = std::path::Path::new(&status).with_file_name("events.jsonl");
    let line = runtime_error_event(message, prelude::now_ms());
    if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(events) {
        // One write: readers never see half a line.
        let _ = std::io::Write::write_all(&mut f, line.as_bytes());
    }
}

/// The events-file line of a runtime error whose message ends in
/// `--> file:line:col` (what [`fail`] writes).
fn runtime_error_event(message: &str, unix_ms: i64) -> String {
    let (text, at) = match message.rsplit_once("\n  --> ") {
        Some((text, at)) => (text, Some(at)),
        None => (message, None),
    };
    let mut parts = at.unwrap_or_default().rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    let place = match (file, line.and_then(|l| l.parse::<u32>().ok()), col.and_then(|c| c.parse::<u32>().ok())) {
        (Some(file), Some(line), Some(col)) => {
            format!(",\"file\":{},\"line\":{line},\"col\":{col}", json_str(file))
        }
        _ => String::new(),
    };
    let shown = match at {
        Some(at) => format!("runtime error at {at}: {text}"),
        None => format!("runtime error: {text}"),
    };
    format!("{{\"unix_ms\":{unix_ms},\"outcome\":\"runtime_error\",\"message\":{}{place}}}\n", json_str(&shown))
}

/// `s` as a JSON string: the one quoting rule (`quote.rs`), whose escapes
/// are JSON's for everything but the rare other control characters, which
/// become spaces first.
fn json_str(s: &str) -> String {
    let plain: String =
        s.chars().map(|c| if c.is_control() && !matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    let mut out = String::new();
    quote::write_quoted(&plain, &[], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_errors_become_editor_events() {
        let line = runtime_error_event("index 5 out of range for a list of length 3\n  --> src/game.ae:12:9", 7);
        assert_eq!(
            line,
            "{\"unix_ms\":7,\"outcome\":\"runtime_error\",\"message\":\"runtime error at src/game.ae:12:9: index 5 out of range for a list of length 3\",\"file\":\"src/game.ae\",\"line\":12,\"col\":9}\n"
        );
        assert_eq!(
            runtime_error_event("say \"hi\"\n\u{7}", 1),
            "{\"unix_ms\":1,\"outcome\":\"runtime_error\",\"message\":\"runtime error: say \\\"hi\\\"\\n \"}\n"
        );
    }

    #[test]
    fn failure_names_the_ae_location() {
        let loc = Location { file: "src/game.ae", line: 12, col: 9 };
        let err = std::panic::catch_unwind(|| fail(loc, "index 5 out of range for a list of length 3")).unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(msg, "index 5 out of range for a list of length 3\n  --> src/game.ae:12:9");
    }
}

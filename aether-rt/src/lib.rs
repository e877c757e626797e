//! The Aether runtime: what generated code links against.
//!
//! Invariant: this crate never depends on `aether-transpile`.

#![forbid(unsafe_code)]

use std::fmt;

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
#[track_caller]
pub fn fail(loc: Location, message: impl fmt::Display) -> ! {
    panic!("{message}\n  --> {loc}")
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

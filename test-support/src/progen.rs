//! A seeded generator of well-typed Aether programs, for differential
//! testing in the manner of Csmith (issue #11): every program it writes
//! must be accepted by the checker, compile under rustc, and print the same
//! output and exit the same way in the static debug build, the static
//! release build and under `--hmr` (`cargo-aether/tests/differential.rs`).
//!
//! A program is a function of its seed alone. Programs are written in
//! batches so that hundreds of them cost a few builds: a batch is one
//! script of three modules (`a.ae` with the types, states and helpers of
//! every program, `b.ae` with their `run` functions, and `main.ae`, which
//! calls every `run` or, given an argument, just one). Each program's names
//! start with its own prefix (`g7_`, `G7`), except for a few names taken
//! from a pool of Rust keywords and of names generated Rust uses, which a
//! batch hands out once.
//!
//! Programs terminate and stay small: loops run a few times, functions call
//! only functions written before them (plus one recursion with a bound),
//! every int operation stays far from overflow unless overflow is the
//! point, and values that could double in size are not fed back into
//! themselves inside loops (see `expr.rs`). About one program in six ends
//! with a runtime error (an index out of range, a missing map key, a
//! division by zero, a failed `assert`, a `panic`, an integer overflow),
//! written on a line marked [`FAIL_MARK`] so the test knows which `.ae`
//! line the error must name.
//!
//! One file per concern under `progen/`: `rng.rs` (the random source),
//! `types.rs` (types and type declarations), `expr.rs` (expressions of a
//! given type), `stmt.rs` (statements, loops, matches), `items.rs` (a
//! program's items and its ending), `print.rs` (the text of a batch).

mod expr;
mod items;
mod print;
mod rng;
mod stmt;
mod types;

pub use print::{batch, Batch, Failure, Generated};

/// The comment on the line whose runtime error a failing program must
/// report (with that line's `.ae` location, in every build).
pub const FAIL_MARK: &str = "// progen: fails here";

/// One program alone (a batch of one), as the files of a script: the
/// `progen` binary prints this.
pub fn program(seed: u64) -> Batch {
    batch(&[seed])
}

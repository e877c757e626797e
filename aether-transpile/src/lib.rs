//! The Aether front end and code generator.
//!
//! Pipeline: [`lexer`] → [`parse`] (untyped [`ast`]) → [`project`] (loads the
//! module graph) → [`check`] (names, types, exhaustiveness; results kept in
//! side tables beside the AST) → [`codegen`] (Rust).
//!
//! Invariant: nothing in this crate panics on user input. Bad input becomes
//! [`diagnostic::Diagnostic`]s.

// No unsafe code in this crate, ever (the workspace only denies it).
#![forbid(unsafe_code)]

/// Declares `u32` index newtypes (`NodeId`, `TypeId`, ...): each a distinct
/// type, so ids of different tables cannot be mixed up, with the derives
/// every id shares written once.
macro_rules! index_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(pub u32);
        )*
    };
}

pub mod ast;
pub mod check;
pub mod codegen;
pub mod diagnostic;
pub mod driver;
pub mod format;
pub mod frontmatter;
pub mod ide;
pub mod lexer;
pub mod parse;
pub mod project;
pub mod source;
pub mod token;
pub mod ty;

/// Run `f` with at least 128 KiB of stack left, growing the stack by 2 MiB
/// when needed. The recursive parts of the front end go through this, so
/// deeply nested input is safe on any thread, whatever its stack size.
pub(crate) fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, f)
}

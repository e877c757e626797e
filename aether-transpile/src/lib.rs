//! The Aether front end and code generator.
//!
//! Pipeline: [`lexer`] → [`parse`] (untyped [`ast`]) → [`project`] (loads the
//! module graph) → [`check`] (names, types, exhaustiveness; results kept in
//! side tables beside the AST) → codegen (Rust).
//!
//! Invariant: nothing in this crate panics on user input. Bad input becomes
//! [`diagnostic::Diagnostic`]s.

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod driver;
pub mod lexer;
pub mod parse;
pub mod project;
pub mod source;
pub mod token;
pub mod ty;

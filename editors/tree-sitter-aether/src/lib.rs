//! The Aether grammar for tree-sitter: [`LANGUAGE`] for a
//! `tree_sitter::Parser`, and the highlight and injection queries editors
//! use.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_aether() -> *const ();
}

/// The tree-sitter language of `.ae` files.
// SAFETY: `tree_sitter_aether` is the generated parser's constructor in
// src/parser.c (compiled by build.rs); it returns a static `TSLanguage`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_aether) };

/// `queries/highlights.scm`.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../queries/highlights.scm");

/// `queries/injections.scm`: a script's frontmatter is TOML.
pub const INJECTIONS_QUERY: &str = include_str!("../queries/injections.scm");

/// The node kinds, as the generator describes them.
pub const NODE_TYPES: &str = include_str!("node-types.json");

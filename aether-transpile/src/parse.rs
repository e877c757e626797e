//! The parser (in progress).

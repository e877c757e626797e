//! The lexer on arbitrary UTF-8: tokens and diagnostics, never a panic.
#![no_main]

use aether_transpile::lexer::lex;
use aether_transpile::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    let _ = lex(FileId(0), src, 0);
});

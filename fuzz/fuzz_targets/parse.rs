//! The parser on arbitrary UTF-8: a module and diagnostics, never a panic,
//! whatever the nesting depth (the parser grows its stack with `stacker`).
#![no_main]

use aether_transpile::parse::parse_module;
use aether_transpile::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    let _ = parse_module(FileId(0), src);
});

//! The formatter on arbitrary UTF-8: never a panic; text that parses is
//! formatted without an internal error (the formatter checks its output
//! keeps the tree and the comments), and formatting the result again
//! changes nothing.
#![no_main]

use aether_transpile::format::{format_source, FormatError};
use aether_transpile::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    match format_source(FileId(0), src) {
        Ok(out) => match format_source(FileId(0), &out) {
            Ok(again) => assert_eq!(again, out, "formatting is not idempotent"),
            Err(e) => panic!("the formatted text does not format again: {e:?}"),
        },
        Err(FormatError::Syntax(_)) => {}
        Err(FormatError::Internal(why)) => panic!("internal formatter error: {why}"),
    }
});

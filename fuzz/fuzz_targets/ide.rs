//! The editor queries of `aether lsp` (`aether_transpile::ide`) on
//! arbitrary UTF-8: the program is checked as `check` does (a NUL splits
//! `main.ae` from `other.ae`, as in the `check` target), then hover,
//! definition, references, rename and signature help are asked at every
//! 13th offset of `main.ae`, completion at about 40 of them, symbols once:
//! answers, never a panic.
#![no_main]

use aether_transpile::check::Mode;
use aether_transpile::driver::analyze_loaded;
use aether_transpile::ide::Ide;
use aether_transpile::project::load_in_memory;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const DEFAULT_OTHER: &str = "pub struct P {\n    x: int\n}\n\npub fn f(p: P) -> int {\n    p.x\n}\n";

fn analyze(main: &str, other: &str) -> Ide {
    let files = [("main.ae", main), ("other.ae", other)];
    Ide::new(analyze_loaded(load_in_memory(&files, "main.ae"), Mode::Program))
}

fuzz_target!(|input: &str| {
    let (main, other) = input.split_once('\0').unwrap_or((input, DEFAULT_OTHER));
    let ide = analyze(main, other);
    let Some(file) = ide.file_of(Path::new("main.ae")) else { return };
    let retyped = |text: String| Some(analyze(&text, other));
    // Completion checks the program again: asked at most ~40 times, so that
    // libFuzzer's `-timeout` measures the queries, not their number (a 13 kB
    // input asked at every 13th offset took 33 s under AddressSanitizer).
    let completion_step = (main.len() / 40).max(13);
    for offset in (0..=main.len() + 1).step_by(13) {
        let _ = ide.hover(file, offset);
        let _ = ide.definition(file, offset);
        let _ = ide.references(file, offset, true);
        let _ = ide.rename(file, offset, "renamed");
        let _ = ide.signature_help(file, offset);
        if offset % completion_step < 13 {
            let _ = ide.completions(file, offset, &retyped);
        }
    }
    let _ = ide.document_symbols(file);
    let _ = ide.workspace_symbols("a");
});

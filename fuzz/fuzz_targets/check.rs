//! Loader and checker on arbitrary UTF-8, as `aether check` runs them on a
//! program: diagnostics, never a panic. A NUL splits the input into two
//! modules, `main.ae` and `other.ae` (which `main.ae` may `import other`);
//! without one, `other.ae` is a small valid module.
#![no_main]

use aether_transpile::check::Mode;
use aether_transpile::driver::analyze_loaded;
use aether_transpile::project::load_in_memory;
use libfuzzer_sys::fuzz_target;

const DEFAULT_OTHER: &str = "pub fn f() -> int { 1 }\n";

fuzz_target!(|input: &str| {
    let (main, other) = input.split_once('\0').unwrap_or((input, DEFAULT_OTHER));
    let files = [("main.ae", main), ("other.ae", other)];
    let _ = analyze_loaded(load_in_memory(&files, "main.ae"), Mode::Program);
});

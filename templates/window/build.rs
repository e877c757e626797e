// Compiles the Aether modules in src/game/ to Rust for `cargo build` and
// `cargo run` (src/main.rs includes them with `include_aether!(game)`);
// `aether run --hmr` builds them as reloadable libraries instead.
fn main() {
    aether_build::compile("src/game");
}

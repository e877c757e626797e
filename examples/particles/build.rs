// Compiles the program in src/*.ae to Rust for `cargo build` and `cargo run`
// (src/main.rs includes it); `aether build` and `aether run` build the same
// program.
fn main() {
    aether_build::compile_program();
}

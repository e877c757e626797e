// The program is written in Aether (src/*.ae); build.rs compiles it to Rust
// and this line includes it, `fn main` and all.
aether_rt::include_program!();

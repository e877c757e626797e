//! `cargo-aether`: run by Cargo as `cargo aether ...`.

fn main() -> std::process::ExitCode {
    cargo_aether::run(std::env::args_os())
}

//! `aether`: the same commands as `cargo aether`, without Cargo in front.

fn main() -> std::process::ExitCode {
    cargo_aether::run(std::env::args_os())
}

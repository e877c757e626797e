//! The `cargo aether` subcommand (also installed as the `aether` binary).
//!
//! Layout: this file parses the command line and dispatches; each
//! subcommand lives in its own module (`check.rs`, ...) with its clap `Args`
//! struct and a `run` function returning `Result<ExitCode, Error>`.
//! Shared pieces: [`input`] turns the PATH argument into a
//! [`aether_transpile::driver::Input`] (reading Cargo manifests through
//! [`manifest`]), [`report`] prints diagnostics in the chosen message format.
//!
//! Exit codes: 0 success, 1 the program has errors, 2 usage errors (bad
//! flags, bad paths, bad manifests), 101 the tool could not finish (an I/O
//! or process failure, rustc rejecting generated code, a panic); [`error`]
//! maps each kind of failure to its status.

// No unsafe code in this crate, ever (the workspace only denies it).
#![forbid(unsafe_code)]

pub mod build;
pub mod check;
pub mod error;
pub mod expand;
pub mod hmr;
pub mod input;
pub mod manifest;
pub mod new;
pub mod report;
pub mod run;
pub mod test;

pub use error::{Error, EXIT_ERRORS, EXIT_INTERNAL, EXIT_USAGE};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

/// Aether: a small, statically typed language that compiles to Rust.
#[derive(Parser, Debug)]
#[command(name = "aether", version, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check an Aether program for errors without building it.
    Check(check::CheckArgs),
    /// Check and build an Aether program into one executable.
    Build(build::BuildArgs),
    /// Build and run an Aether program (a project or a single `.ae` script).
    Run(run::RunArgs),
    /// Print the Rust code that an `.ae` file is transpiled to.
    Expand(expand::ExpandArgs),
    /// Run the program's `test "name" { ... }` blocks.
    Test(test::TestArgs),
    /// Create a new Aether project from a template.
    New(new::NewArgs),
    // A new subcommand: a module `foo.rs` with `FooArgs` and
    // `run(&FooArgs) -> Result<ExitCode, Error>`, a variant here, and
    // an arm in `run_on_this_thread`.
}

/// Run the command line `args` (including the program name) and return the
/// process exit status. Accepts both `cargo-aether aether <cmd> ...` (how
/// Cargo calls it) and `aether <cmd> ...`.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let worker = std::thread::Builder::new()
        .name("aether".into())
        .stack_size(STACK_SIZE)
        .spawn(move || run_on_this_thread(args));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        // The panic message is already on stderr from the panic hook.
        Ok(Err(_)) => {
            eprintln!("error: internal error in cargo-aether; please report it with the input that caused it");
            ExitCode::from(EXIT_INTERNAL)
        }
        Err(e) => {
            eprintln!("error: could not start a worker thread: {e}");
            ExitCode::from(EXIT_INTERNAL)
        }
    }
}

/// Deeply nested input recurses deeply in the parser and checker; their
/// depth limits are far below what this stack holds, so user input can
/// never overflow it.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// `cargo aether ...`: Cargo runs `cargo-aether aether ...`.
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    Aether(Cli),
}

fn run_on_this_thread(args: Vec<OsString>) -> ExitCode {
    let cli = match parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0, errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    let result = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Build(args) => build::run(args),
        Command::Run(args) => run::run(args),
        Command::Expand(args) => expand::run(args),
        Command::Test(args) => test::run(args),
        Command::New(args) => new::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::from(e.exit_code())
    })
}

fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if args.get(1).is_some_and(|a| a == "aether") {
        let CargoCli::Aether(cli) = CargoCli::try_parse_from(args)?;
        Ok(cli)
    } else {
        let mut command = Cli::command().bin_name("aether");
        let matches = command.try_get_matches_from_mut(args)?;
        Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        CargoCli::command().debug_assert();
    }

    #[test]
    fn cargo_form_and_direct_form_parse_alike() {
        let cargo = parse(["cargo-aether", "aether", "check", "x.ae"].map(OsString::from).to_vec()).unwrap();
        let direct = parse(["aether", "check", "x.ae"].map(OsString::from).to_vec()).unwrap();
        assert_eq!(format!("{cargo:?}"), format!("{direct:?}"));
    }

    #[test]
    fn help_is_a_subcommand_and_exits_0() {
        for args in [&["cargo-aether", "aether", "help", "check"][..], &["aether", "help"], &["aether", "check", "-h"]]
        {
            let err = parse(args.iter().map(OsString::from).collect()).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
            assert_eq!(err.exit_code(), 0, "{args:?}");
        }
    }

    #[test]
    fn usage_in_cargo_form_names_cargo_aether() {
        let err = parse(["cargo-aether", "aether", "check", "--bogus"].map(OsString::from).to_vec()).unwrap_err();
        assert!(err.to_string().contains("cargo aether check"), "{err}");
        let err = parse(["aether", "check", "--bogus"].map(OsString::from).to_vec()).unwrap_err();
        assert!(err.to_string().contains("aether check"), "{err}");
        assert!(!err.to_string().contains("cargo aether check"), "{err}");
    }
}

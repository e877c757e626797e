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
pub mod clean;
pub mod deps;
pub mod error;
pub mod expand;
pub mod fmt;
pub mod hmr;
pub mod input;
pub mod lsp;
pub mod manifest;
pub mod new;
pub mod report;
pub mod run;
pub mod runtime;
pub mod test;

pub use error::{Error, EXIT_ERRORS, EXIT_INTERNAL, EXIT_USAGE};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// Aether: a small, statically typed language that compiles to Rust.
#[derive(Parser, Debug)]
#[command(name = "aether", version, arg_required_else_help = true)]
#[command(after_help = "A script runs as `aether FILE.ae ARGS...` (so `#!/usr/bin/env aether` works).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print no progress or status messages (cargo's included).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more: cargo's verbose output.
    #[arg(short, long, global = true)]
    pub verbose: bool,
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
    /// Format `.ae` files (`--check` only reports the files that would change).
    Fmt(fmt::FmtArgs),
    /// Run the program's `test "name" { ... }` blocks.
    Test(test::TestArgs),
    /// Create a new Aether project from a template.
    New(new::NewArgs),
    /// Run the language server (LSP over stdin/stdout) for editors.
    Lsp(lsp::LspArgs),
    /// Remove what building a program wrote (its `target/aether/`, or a
    /// script's cache directory).
    Clean(clean::CleanArgs),
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

/// How much to print: `-q`, default, `-v`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

static VERBOSITY: std::sync::OnceLock<Verbosity> = std::sync::OnceLock::new();
static INVOKED_AS_CARGO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The verbosity the command line asked for (`Normal` before it is parsed).
pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// A status line on stderr (`Created ...`, `Finished ...`), unless `-q`.
pub fn status(line: &str) {
    if verbosity() > Verbosity::Quiet {
        eprintln!("{line}");
    }
}

/// `cargo aether` or `aether`: how the user ran this tool, for the
/// commands that messages suggest.
pub fn invoked_as() -> &'static str {
    if INVOKED_AS_CARGO.load(std::sync::atomic::Ordering::Relaxed) {
        "cargo aether"
    } else {
        "aether"
    }
}

/// cargo's flag for the verbosity asked for, if any.
pub(crate) fn cargo_verbosity_flag() -> Option<&'static str> {
    match verbosity() {
        Verbosity::Quiet => Some("--quiet"),
        Verbosity::Normal => None,
        Verbosity::Verbose => Some("--verbose"),
    }
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
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let _ = VERBOSITY.set(verbosity);
    let result = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Build(args) => build::run(args),
        Command::Run(args) => run::run(args),
        Command::Expand(args) => expand::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Test(args) => test::run(args),
        Command::New(args) => new::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Clean(args) => clean::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::from(e.exit_code())
    })
}

fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if args.get(1).is_some_and(|a| a == "aether") {
        INVOKED_AS_CARGO.store(true, std::sync::atomic::Ordering::Relaxed);
        let args = script_args(args, 2);
        let CargoCli::Aether(cli) = CargoCli::try_parse_from(args)?;
        Ok(cli)
    } else {
        let args = script_args(args, 1);
        let mut command = Cli::command().bin_name("aether");
        let matches = command.try_get_matches_from_mut(args)?;
        Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
    }
}

/// Scripts run like any scripting language's: `aether FILE.ae ARGS...` is
/// `aether run FILE.ae -- ARGS...` (so a `#!/usr/bin/env aether` line
/// works), and in `aether run FILE.ae ARGS...` everything after the file is
/// the script's, `--` or not. `first` is the index of the first argument
/// after the program name (and cargo's `aether`).
fn script_args(mut args: Vec<OsString>, mut first: usize) -> Vec<OsString> {
    // Global flags may come before the subcommand (`aether -q run ...`).
    while args.get(first).is_some_and(|a| ["-q", "--quiet", "-v", "--verbose"].contains(&&*a.to_string_lossy())) {
        first += 1;
    }
    // `aether help --help`: clap's `help` takes no flags; show its own help.
    if args.get(first).is_some_and(|a| a == "help") && args.get(first + 1).is_some_and(|a| a == "--help" || a == "-h") {
        args[first + 1] = "help".into();
        return args;
    }
    let is_script = |a: &OsString| {
        let path = Path::new(a);
        path.extension().is_some_and(|e| e == "ae")
            || (path.is_file() && path.file_name() != Some("Cargo.toml".as_ref()))
    };
    let Some(word) = args.get(first) else { return args };
    if !word.to_string_lossy().starts_with('-')
        && is_script(word)
        && !Cli::command().get_subcommands().any(|c| c.get_name() == word.to_string_lossy())
    {
        args.insert(first, "run".into());
        args.insert(first + 2, "--".into());
        return args;
    }
    if word != "run" {
        return args;
    }
    // The first argument of `run` that is not a flag (or a flag's value) is
    // the PATH; when it is a file, what follows is the script's.
    let mut i = first + 1;
    while let Some(arg) = args.get(i) {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text.starts_with('-') {
            let takes_value = ["--hmr-log", "--message-format"].contains(&text.as_ref());
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if Path::new(arg).is_file() && args.get(i + 1).is_some_and(|next| next != "--") {
            args.insert(i + 1, "--".into());
        }
        break;
    }
    args
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
    fn scripts_take_their_arguments_without_a_separator() {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = dir.path().join("s.ae");
        std::fs::write(&script, "fn main() {}\n").expect("write");
        let s = script.to_str().expect("utf-8");
        let words = |args: &[&str]| -> Vec<String> {
            script_args(args.iter().map(OsString::from).collect(), 1)
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        };
        let cases: &[(&[&str], &[&str])] = &[
            // `#!/usr/bin/env aether` runs `aether ./s.ae one two`.
            (&["aether", s, "one", "--two"], &["aether", "run", s, "--", "one", "--two"]),
            (&["aether", s], &["aether", "run", s, "--"]),
            (&["aether", "run", s, "one"], &["aether", "run", s, "--", "one"]),
            (&["aether", "run", "--release", s, "-x"], &["aether", "run", "--release", s, "--", "-x"]),
            (&["aether", "-q", "run", s, "one"], &["aether", "-q", "run", s, "--", "one"]),
            // Already separated, or not a file: left as written.
            (&["aether", "run", s, "--", "one"], &["aether", "run", s, "--", "one"]),
            (&["aether", "run", "--", "one"], &["aether", "run", "--", "one"]),
            (&["aether", "check", s], &["aether", "check", s]),
            (&["aether", "help", "--help"], &["aether", "help", "help"]),
        ];
        for (given, expected) in cases {
            assert_eq!(words(given), *expected, "{given:?}");
        }
        let cli = parse(words(&["aether", s, "a", "b"]).into_iter().map(OsString::from).collect()).expect("parses");
        let Command::Run(run) = cli.command else { panic!("a script runs") };
        assert_eq!(run.args, ["a", "b"].map(OsString::from));
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

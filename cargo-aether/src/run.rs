//! `cargo aether run [PATH] [--release] [-- ARGS]`: build, then run the
//! program with ARGS, passing its exit status through. With a `.ae` file
//! for PATH, the arguments after it are the script's, `--` or not
//! (`aether run hello.ae one two`; `lib.rs` rewrites the command line, and
//! turns `aether hello.ae one two` into that too).
//!
//! A single `.ae` file is a script: `cargo aether run hello.ae` works in any
//! directory, and its build is cached (see `build.rs`), so running it again
//! unchanged starts without rebuilding.

use crate::build::{self, BuildOptions, Outcome};
use crate::error::exit_code_of;
use crate::input;
use crate::report::MessageFormat;
use crate::Error;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A project directory (with Cargo.toml), a single `.ae` file, or a
    /// directory of `.ae` files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Build with optimizations.
    #[arg(long)]
    pub release: bool,

    /// Hot reloading: every module is a shared library, and saving a `.ae`
    /// file swaps the new code in while the program runs (state kept). Also
    /// on with `AETHER_HMR=1`.
    #[arg(long)]
    pub hmr: bool,

    /// With hot reloading: write its messages (reloads, diagnostics,
    /// refusals) to this file instead of the terminal, for a full-screen
    /// program (`tail -f` it elsewhere). Also `AETHER_HMR_LOG=PATH`.
    #[arg(long, value_name = "PATH")]
    pub hmr_log: Option<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,

    /// Print how long each phase took: of the build (check, generate,
    /// cargo), as `build --timings`; with hot reloading, of each reload too
    /// (watch and debounce, check, generate, build, load and swap).
    #[arg(long)]
    pub timings: bool,

    /// Arguments for the program: after `--`, or after PATH when it is a
    /// `.ae` file (`aether run hello.ae one two`).
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<OsString>,
}

pub fn run(args: &RunArgs) -> Result<ExitCode, Error> {
    let target = input::resolve(&args.path)?;
    let hmr = args.hmr || crate::hmr::requested_by_env(std::env::var("AETHER_HMR").ok().as_deref());
    if let Some(log) = &args.hmr_log {
        if !hmr {
            return Err(Error::usage("`--hmr-log` is for hot reloading: add `--hmr`"));
        }
        crate::hmr::log_to(log)?;
    }
    let options = crate::hmr::Options { release: args.release, timings: args.timings };
    if target.manifest.as_ref().is_some_and(|m| m.rust_host) {
        if hmr {
            return crate::hmr::run_rust_host(&target, options, &args.args);
        }
        return cargo_run(&target, args);
    }
    if hmr {
        return crate::hmr::run(&target, options, &args.args);
    }
    let options = BuildOptions { release: args.release, format: args.message_format, timings: args.timings };
    let exe = match build::build(&target, options)? {
        Outcome::Built(exe) => exe,
        Outcome::Failed(code) => return Ok(code),
    };
    let status = Command::new(&exe)
        .args(&args.args)
        .status()
        .map_err(|e| Error::environment(format!("cannot start `{}`: {e}", exe.display())))?;
    Ok(exit_code_of(status))
}

/// A Rust crate with Aether modules compiled in (static): plain `cargo run`.
fn cargo_run(target: &input::Target, args: &RunArgs) -> Result<ExitCode, Error> {
    let Some(manifest) = &target.manifest else { return Err(Error::usage("no Cargo.toml")) };
    let root = manifest.root.canonicalize().unwrap_or_else(|_| manifest.root.clone());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("run").arg("--manifest-path").arg(root.join("Cargo.toml"));
    if args.release {
        cmd.arg("--release");
    }
    // Run where the crate is, as `cargo run` in its directory would.
    cmd.arg("--").args(&args.args).current_dir(&root);
    let status = cmd.status().map_err(|e| Error::environment(format!("cannot run cargo: {e}")))?;
    Ok(exit_code_of(status))
}

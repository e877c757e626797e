//! `cargo aether run --hmr` (or `AETHER_HMR=1`): build every module as its
//! own shared library, start the generated host, watch the sources, and on a
//! save re-check, rebuild the changed module and tell the host to swap it in.
//! See `docs/hmr.md`.
//!
//! Failure never costs the running program: a diagnostic, a refused change
//! or a rustc failure is printed and the old code keeps running.
//!
//! This file starts a [`Session`] (an Aether program with its generated host,
//! or the Aether modules of a Rust host crate); the jobs are in `hmr/`:
//! `prepare.rs` generates and builds what a session runs (at start and for a
//! hot restart), `supervise.rs` runs it and watches the sources, and
//! `rebuild.rs` turns a save into the reload to send.

/// A message of the supervisor: whole, in one write (never split by the
/// program's output), and to the `--hmr-log` file when there is one
/// (`aether_rt::hmr::say`).
macro_rules! say {
    ($($arg:tt)*) => {
        aether_rt::hmr::say::say(&format!($($arg)*))
    };
}

mod prepare;
mod rebuild;
mod replay;
mod shared_std;
mod status;
mod supervise;
mod timings;

use crate::build::{self, Layout};
use crate::input::Target;
use crate::report::{self, Action};
use crate::Error;
use aether_transpile::codegen::hmr::{self as gen, HmrGenerated, HmrOptions};
use aether_transpile::diagnostic::Diagnostic;
use aether_transpile::driver::{self, Analysis};
use prepare::{build_rust_host, excluded_modules, prepare, workspace_dir, Host, Prepared};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use supervise::supervise;

/// Whether `AETHER_HMR` asks for hot reloading: `1` (or `true`, `on`, `yes`)
/// turns it on; unset, empty, `0` and anything else leave it off.
pub fn requested_by_env(value: Option<&str>) -> bool {
    matches!(value.map(|v| v.trim().to_ascii_lowercase()).as_deref(), Some("1" | "true" | "on" | "yes"))
}

/// Send hot reloading's messages to the file at `path` (`--hmr-log`).
pub fn log_to(path: &Path) -> Result<(), Error> {
    if aether_rt::hmr::say::log_to(path) {
        Ok(())
    } else {
        Err(Error::environment(format!("cannot write hot reloading's messages to `{}`", path.display())))
    }
}

/// Where the messages go, said on the terminal once when it is a file.
fn announce_log() {
    if let Some(path) = aether_rt::hmr::say::log_path() {
        eprintln!("[aether] hot reloading's messages go to {} (`tail -f` it in another terminal)", path.display());
    }
}

/// Where the supervisor of `target` appends the outcome of each save, one
/// JSON object per line (`hmr/status.rs`), for `aether lsp` to show.
pub fn events_file(target: &Target) -> Option<PathBuf> {
    if let Some(manifest) = target.manifest.as_ref().filter(|m| m.rust_host) {
        let root = manifest.root.canonicalize().unwrap_or_else(|_| manifest.root.clone());
        return Some(rust_host_events_file(&root, &manifest.name, &cargo_target_dir(&root)));
    }
    let layout = Layout::for_target(target).ok()?;
    Some(workspace_dir(&layout).join(status::EVENTS_FILE))
}

/// The events file of the Rust host crate at `root` (canonical) named
/// `name`, building into `target_dir`: in the crate's own directory of
/// `run --hmr` state, whatever its Aether directory is called (so an editor
/// knows where before the first build).
pub fn rust_host_events_file(root: &Path, name: &str, target_dir: &Path) -> PathBuf {
    rust_host_dirs(root, name, target_dir).1.join(status::EVENTS_FILE)
}

/// Cargo's target directory for the package at `root`: `CARGO_TARGET_DIR`
/// (relative to the package) or its `target/`.
fn cargo_target_dir(root: &Path) -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    if target_dir.is_relative() {
        root.join(target_dir)
    } else {
        target_dir
    }
}

/// A Rust host crate's library prefix and its directory of `run --hmr`
/// state: one per host crate, since crates sharing a target directory
/// (tests, a workspace) must not share the record of what they compiled,
/// nor their generated workspaces.
fn rust_host_dirs(root: &Path, name: &str, target_dir: &Path) -> (String, PathBuf) {
    let crate_name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let prefix = format!("{crate_name}_{:08x}", build::stable_hash([&*root.to_string_lossy()]) as u32);
    let base = target_dir.join("aether").join("hmr-host").join(&prefix);
    (prefix, base)
}

/// How `run --hmr` builds and reports.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Optimized libraries (fast code, slower reloads).
    pub release: bool,
    /// Print each reload's steps and their times (`--timings`).
    pub timings: bool,
}

/// Run `target` under HMR; the host's exit status.
pub fn run(target: &Target, options: Options, args: &[OsString]) -> Result<ExitCode, Error> {
    let Options { release, timings } = options;
    announce_log();
    say!("[aether] running `{}` with hot reloading ON: edit a .ae file and it is swapped in", target.name);
    let layout = Layout::for_target(target)?;
    let session = Session::Program { target };
    let analysis = session.analyze();
    if analysis.has_errors() {
        return Ok(emit(&analysis, Action::BUILD, &target.name));
    }
    emit_warnings(&analysis, &target.name);
    let ws = workspace_dir(&layout);
    let target_dir = layout.hmr_target_dir()?;
    // Programs share one target directory, and two of them may well both be
    // called `main`: the workspace's path makes their library names unique.
    let opts = HmrOptions {
        program: format!("{}_{:08x}", layout.crate_name, build::stable_hash([&*ws.to_string_lossy()]) as u32),
        rt_path: crate::runtime::Runtime::ensure()?.rt(),
        // `--release`: optimized libraries (fast code, slower reloads).
        lib_dir: target_dir.join(if release { "release" } else { "debug" }),
        exclude: excluded_modules(target),
    };
    let build = Build {
        status_dir: ws.clone(),
        ws,
        opts,
        target_dir,
        release,
        timings,
        command: command_used(),
        replay: Default::default(),
        shared_std: shared_std::config_arg(),
    };
    // The first start reuses the check done above; a hot restart checks again.
    let mut analysis_once = Some(analysis);
    let mut prepare_next = || prepare(&session, &build, Host::Generated, args, &target.name, analysis_once.take());
    match prepare_next()? {
        Ok((command, current)) => supervise(&session, &build, current, command, &mut prepare_next),
        Err(code) => Ok(code),
    }
}

/// `cargo aether run --hmr` in a Rust crate that compiles `.ae` files in from
/// its `build.rs` (`aether-build`; docs/rust-interop.md): build the crate
/// with its bindings in their `--hmr` shape (they call through the runtime's
/// table and start it on first use), build the module libraries, run the
/// crate's binary, watch the `.ae` files and swap rebuilt modules in. The
/// environment tells the build script what to generate; it records which
/// directory it compiled, which is what is watched.
pub fn run_rust_host(target: &Target, options: Options, args: &[OsString]) -> Result<ExitCode, Error> {
    let Options { release, timings } = options;
    let Some(manifest) = &target.manifest else {
        return Err(Error::usage("a Rust host crate needs its Cargo.toml"));
    };
    announce_log();
    say!("[aether] running `{}` with hot reloading ON: edit a .ae file and it is swapped in", target.name);
    let root = manifest.root.canonicalize().unwrap_or_else(|_| manifest.root.clone());
    let target_dir = cargo_target_dir(&root);
    let lib_dir = target_dir.join(if release { "release" } else { "debug" });
    let (prefix, base) = rust_host_dirs(&root, &manifest.name, &target_dir);
    std::fs::create_dir_all(&base)
        .map_err(|e| Error::environment(format!("cannot create `{}`: {e}", base.display())))?;
    let info = base.join("compiled-dirs.txt");
    let _ = std::fs::remove_file(&info);

    let started = Instant::now();
    let exe = build_rust_host(&root, &target_dir, &lib_dir, &prefix, &info, release)?;
    let Some(exe) = exe else { return Ok(ExitCode::from(crate::EXIT_ERRORS)) };
    let recorded = std::fs::read_to_string(&info).unwrap_or_default();
    let dirs: Vec<(&str, &str)> = recorded.lines().filter_map(|l| l.split_once('\t')).collect();
    let (name, src_root) = match dirs.as_slice() {
        [one] => (one.0.to_string(), PathBuf::from(one.1)),
        [] => {
            return Err(Error::usage(format!(
                "`{}` compiled no Aether modules in its build script (`aether_build::compile(\"src/...\")`)",
                target.name
            )))
        }
        _ => {
            return Err(Error::usage(
                "the build script compiles several Aether directories; `--hmr` supports one per crate for now",
            ))
        }
    };
    let Ok(input) = driver::Input::host_modules(&root, &src_root) else {
        return Err(Error::usage(format!("no `.ae` files in `{}`", src_root.display())));
    };
    let session = Session::RustHost { package: root.clone(), input, name: name.clone() };
    let opts = HmrOptions {
        program: format!("{prefix}_{name}"),
        rt_path: crate::runtime::Runtime::ensure()?.rt(),
        lib_dir: lib_dir.clone(),
        exclude: Vec::new(),
    };
    let build = Build {
        ws: base.join(&name),
        // Where an editor finds it (`rust_host_events_file`).
        status_dir: base.clone(),
        opts,
        target_dir: target_dir.clone(),
        release,
        timings,
        command: command_used(),
        replay: Default::default(),
        // The host is the user's crate, built with their flags: every
        // library links its own std, as the host does.
        shared_std: None,
    };
    let first = prepare(&session, &build, Host::Built { exe: &exe, started }, args, &target.name, None)?;
    // A hot restart builds the host crate again, then its modules.
    let mut prepare_next = || -> Result<Prepared, Error> {
        let _ = std::fs::remove_file(&info);
        let started = Instant::now();
        match build_rust_host(&root, &target_dir, &lib_dir, &prefix, &info, release)? {
            Some(exe) => prepare(&session, &build, Host::Built { exe: &exe, started }, args, &target.name, None),
            None => Ok(Err(ExitCode::from(crate::EXIT_ERRORS))),
        }
    };
    match first {
        Ok((command, current)) => supervise(&session, &build, current, command, &mut prepare_next),
        Err(code) => Ok(code),
    }
}

/// `report::emit` in the human format, where hot reloading's messages go.
fn emit(analysis: &Analysis, action: Action, name: &str) -> ExitCode {
    say!("{}", report::human(analysis, action, name));
    if analysis.has_errors() {
        ExitCode::from(crate::EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `report::emit_warnings` in the human format, where hot reloading's
/// messages go.
fn emit_warnings(analysis: &Analysis, name: &str) {
    if !analysis.diagnostics.is_empty() {
        say!("{}", report::warnings(analysis, name));
    }
}

/// Where a session's crates are generated and built: the same for its first
/// build, its reloads and its hot restarts.
struct Build {
    /// The generated workspace (one crate per module, and a generated host).
    ws: PathBuf,
    /// Where the status file and the events file are ([`events_file`]).
    status_dir: PathBuf,
    opts: HmrOptions,
    /// Cargo's target directory; the libraries are in `opts.lib_dir`, its
    /// `debug` or `release`.
    target_dir: PathBuf,
    release: bool,
    /// `--timings`: print each reload's steps and their times.
    timings: bool,
    /// The command the user ran, as a message tells them to run it again.
    command: String,
    /// The module crates' rustc commands, replayed on reloads.
    replay: replay::Recorder,
    /// `--config build.rustflags=[...]` for one std shared by the host and
    /// every library (`shared_std.rs`); `None` for a Rust host crate.
    shared_std: Option<String>,
}

/// The command line that started this supervisor, as the user typed it:
/// `aether run --hmr ...`, `cargo aether run --hmr ...`, or with
/// `AETHER_HMR=1` in front when that is what turned hot reloading on.
fn command_used() -> String {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let program = args.first().and_then(|a| Path::new(a).file_stem()).map(|s| s.to_string_lossy().into_owned());
    let (mut words, rest) = match (program.as_deref(), args.get(1).map(String::as_str)) {
        // Cargo runs `cargo-aether aether ARGS` for `cargo aether ARGS`.
        (Some("cargo-aether"), Some("aether")) => (vec!["cargo aether".to_string()], args.get(2..)),
        _ => (vec!["aether".to_string()], args.get(1..)),
    };
    words.extend(rest.unwrap_or_default().iter().cloned());
    let line = words.join(" ");
    if words.iter().any(|w| w == "--hmr") {
        line
    } else {
        format!("AETHER_HMR=1 {line}")
    }
}

/// What the supervisor knows of the running program.
struct Current {
    analysis: Analysis,
    generated: HmrGenerated,
    /// A Rust host's bindings as it was built: a change to them needs a
    /// rebuilt host, so it is refused.
    bindings: Option<String>,
}

/// What is being hot-reloaded: an Aether program (with a generated host),
/// or the Aether modules of a Rust host crate.
enum Session<'a> {
    Program { target: &'a Target },
    RustHost { package: PathBuf, input: driver::Input, name: String },
}

impl Session<'_> {
    fn watch_root(&self) -> &Path {
        match self {
            Session::Program { target } => target.input.src_root(),
            Session::RustHost { input, .. } => input.src_root(),
        }
    }

    fn name(&self) -> String {
        match self {
            Session::Program { target } => target.name.clone(),
            Session::RustHost { name, .. } => name.clone(),
        }
    }

    fn analyze(&self) -> Analysis {
        match self {
            Session::Program { target } => driver::analyze(&target.input, driver::Mode::Program),
            Session::RustHost { input, .. } => driver::analyze(input, driver::Mode::Library),
        }
    }

    fn generate(
        &self,
        analysis: &Analysis,
        opts: &HmrOptions,
    ) -> Result<(HmrGenerated, Option<String>), Vec<Diagnostic>> {
        match self {
            Session::Program { target } => gen::generate(&analysis.program, &analysis.checked, opts).map(|mut g| {
                // The crates link into the host; the modules reach them through its table.
                for (path, text) in &mut g.files {
                    if path.as_path() == Path::new("host/Cargo.toml") {
                        *text = crate::deps::add_to_manifest(text, &target.deps);
                    }
                }
                (g, None)
            }),
            Session::RustHost { .. } => {
                gen::generate_library(&analysis.program, &analysis.checked, opts).map(|(g, b)| (g, Some(b)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aether_hmr_env_values() {
        assert!(requested_by_env(Some("1")));
        assert!(requested_by_env(Some(" on ")));
        assert!(!requested_by_env(Some("0")));
        assert!(!requested_by_env(Some("")));
        assert!(!requested_by_env(None));
    }
}

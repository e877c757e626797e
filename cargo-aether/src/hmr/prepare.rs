//! Generate and build what a session runs, before its first start and again
//! for a hot restart: the module libraries (and a program's generated host,
//! or a Rust host crate), and the command that starts it. A reload's
//! rebuild (`rebuild.rs`) uses the same workspace and `cargo_build`.

use super::{Build, Current, Session};
use crate::build::rustc::Rejection;
use crate::build::{self, Layout};
use crate::input::Target;
use crate::report::Action;
use crate::Error;
use aether_transpile::codegen::hmr::HmrGenerated;
use aether_transpile::driver::Analysis;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// What starts the program.
#[derive(Clone, Copy)]
pub(super) enum Host<'a> {
    /// The host generated with the modules (an Aether program): built here,
    /// before the module libraries.
    Generated,
    /// A Rust host crate's executable, already built (since `started`).
    Built { exe: &'a Path, started: Instant },
}

/// What [`prepare`] made: the command that starts the program and what the
/// supervisor knows of it, or the exit status to stop with (the reason was
/// printed).
pub(super) type Prepared = Result<(Command, Current), ExitCode>;

/// Check (unless `analysis` is the check already made), generate and build
/// everything `session` runs. `name`: what messages call the program.
pub(super) fn prepare(
    session: &Session<'_>,
    build: &Build,
    host: Host<'_>,
    args: &[OsString],
    name: &str,
    analysis: Option<Analysis>,
) -> Result<Prepared, Error> {
    // Warnings were printed with the check when the caller ran it.
    let warned = analysis.is_some();
    let analysis = match analysis {
        Some(a) => a,
        None => {
            let a = session.analyze();
            if a.has_errors() {
                return Ok(Err(super::emit(&a, Action::BUILD, name)));
            }
            a
        }
    };
    let (generated, bindings) = match session.generate(&analysis, &build.opts) {
        Ok(g) => g,
        Err(refusals) => {
            // Each refusal says (`= help:`) that the static build runs it.
            say!("error: `{name}` uses what --hmr cannot run yet:");
            let mut analysis = analysis;
            if warned {
                analysis.diagnostics = refusals;
            } else {
                analysis.diagnostics.extend(refusals);
            }
            return Ok(Err(super::emit(&analysis, Action::BUILD, name)));
        }
    };
    write_all(&build.ws, &generated)?;
    // The constants' values, read by the host before any library runs.
    let tunables = build.ws.join("tunables.txt");
    let values: Vec<(String, aether_rt::abi::Tuned)> =
        generated.tunables.iter().map(|t| (t.key.clone(), t.value.clone())).collect();
    std::fs::write(&tunables, aether_rt::hmr::tunables::format(&values))
        .map_err(|e| Error::environment(format!("cannot write `{}`: {e}", tunables.display())))?;
    let packages: Vec<&str> = generated.modules.iter().map(|m| m.package.as_str()).collect();
    let (mut command, started) = match host {
        Host::Generated => {
            let started = Instant::now();
            if let Err(failure) = cargo_build(build, &[generated.host_package.as_str()], false, true)? {
                return Ok(Err(explain_failure(build, &analysis, &generated, &failure)));
            }
            (Command::new(&generated.host_executable), started)
        }
        Host::Built { exe, started } => (Command::new(exe), started),
    };
    if let Err(failure) = cargo_build(build, &packages, false, false)? {
        return Ok(Err(explain_failure(build, &analysis, &generated, &failure)));
    }
    let what = if matches!(host, Host::Generated) { "" } else { "the host and " };
    let libraries = if packages.len() == 1 { "library" } else { "libraries" };
    say!("[aether] built {what}{} module {libraries} in {:.1} s", packages.len(), started.elapsed().as_secs_f64());
    command.args(args).env(aether_rt::hmr::tunables::TUNABLES_ENV, &tunables);
    if let Session::RustHost { package, .. } = session {
        command.current_dir(package);
    }
    Ok(Ok((command, Current { analysis, generated, bindings })))
}

/// `cargo build` of a Rust host crate with its `--hmr` bindings; the path of
/// its executable, or `None` when the build failed (cargo said why).
pub(super) fn build_rust_host(
    root: &Path,
    target_dir: &Path,
    lib_dir: &Path,
    prefix: &str,
    info: &Path,
    release: bool,
) -> Result<Option<PathBuf>, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--features", "aether-rt/hmr", "--message-format=json-render-diagnostics"])
        .args(crate::cargo_verbosity_flag())
        .env("CARGO_TARGET_DIR", target_dir)
        .env("AETHER_HMR", "1")
        .env("AETHER_HMR_PROGRAM", prefix)
        .env("AETHER_HMR_LIB_DIR", lib_dir)
        .env("AETHER_HMR_INFO", info)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if release {
        cmd.arg("--release");
    }
    let mut child = cmd.spawn().map_err(|e| Error::environment(format!("cannot run cargo: {e}")))?;
    let manifest = root.join("Cargo.toml");
    let mut exe = None;
    if let Some(stdout) = child.stdout.take() {
        for message in cargo_metadata::Message::parse_stream(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            if let cargo_metadata::Message::CompilerArtifact(artifact) = message {
                let ours = artifact.manifest_path.as_std_path().canonicalize().ok() == manifest.canonicalize().ok();
                if ours && artifact.executable.is_some() {
                    exe = artifact.executable.map(|p| p.into_std_path_buf());
                }
            }
        }
    }
    let status = child.wait().map_err(|e| Error::environment(format!("cargo: {e}")))?;
    if !status.success() {
        return Ok(None);
    }
    exe.map(Some).ok_or_else(|| Error::usage("the crate built no executable to run"))
}

/// `[package.metadata.aether] hmr-exclude` (paths from the project root) as
/// module names (`physics`, `net.http`).
pub(super) fn excluded_modules(target: &Target) -> Vec<String> {
    let Some(manifest) = &target.manifest else { return Vec::new() };
    let src = manifest.root.join(&manifest.settings.src);
    manifest
        .settings
        .hmr_exclude
        .iter()
        .filter_map(|p| {
            let rel = manifest.root.join(p);
            let rel = rel.strip_prefix(&src).ok()?.with_extension("");
            let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            Some(parts.join("."))
        })
        .collect()
}

/// The generated workspace: `target/aether/hmr/` beside the static crate of a
/// project, `<program dir>-hmr` in the cache for a script.
pub(super) fn workspace_dir(layout: &Layout) -> PathBuf {
    if layout.crate_dir.file_name().is_some_and(|n| n == "static") {
        return layout.crate_dir.with_file_name("hmr");
    }
    let mut name = layout.crate_dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push("-hmr");
    layout.crate_dir.with_file_name(name)
}

/// Write the generated crates (only the files that changed).
pub(super) fn write_all(ws: &Path, generated: &HmrGenerated) -> Result<(), Error> {
    let mut files: Vec<(PathBuf, String)> = generated.files.clone();
    for m in &generated.modules {
        files.extend(m.files.iter().cloned());
    }
    build::write_generated(ws, &files)
        .map_err(|e| Error::environment(format!("cannot write the generated crates in `{}`: {e}", ws.display())))
}

/// Why a `cargo build` of the generated workspace failed.
#[derive(Default)]
pub(super) struct Failure {
    /// What cargo printed, without the lines `-v` adds.
    pub stderr: String,
    /// rustc's messages, when the build read them (`json`); otherwise
    /// they are in `stderr`.
    pub rejection: Rejection,
}

impl Failure {
    /// All that cargo and rustc said.
    pub fn text(&self) -> String {
        format!("{}{}", self.rejection.rendered(), self.stderr)
    }
}

/// `cargo build -v -p ...` in the generated workspace. `Ok(Err(failure))`
/// when cargo failed. Quiet builds (reloads, `-q`) keep cargo's output to
/// show it only on failure; others show it as it comes, without the lines
/// `-v` adds (with them under `aether -v`). The rustc commands `-v` prints
/// for module crates are recorded for replays (`replay.rs`). With `json`,
/// rustc's messages are read rather than printed (the host's build: an
/// error in an `extern fn`'s shim is the program's, said on its `.ae` line).
pub(super) fn cargo_build(
    build: &Build,
    packages: &[&str],
    quiet: bool,
    json: bool,
) -> Result<Result<(), Failure>, Error> {
    use std::io::BufRead;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build").arg("-v").arg("--manifest-path").arg(build.ws.join("Cargo.toml"));
    cmd.env("CARGO_TARGET_DIR", &build.target_dir);
    if let Some(config) = &build.shared_std {
        cmd.arg("--config").arg(config);
    }
    for p in packages {
        cmd.arg("-p").arg(p);
    }
    if build.release {
        cmd.arg("--release");
    }
    if json {
        cmd.arg("--message-format=json");
    }
    // With `--hmr-log`, cargo's progress must not draw over the program.
    let show = !quiet && !aether_rt::hmr::say::to_file() && crate::verbosity() > crate::Verbosity::Quiet;
    let verbose = show && crate::verbosity() == crate::Verbosity::Verbose;
    let mut child = cmd
        .stdout(if json { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::environment(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
    let messages = child.stdout.take().map(|stdout| {
        std::thread::spawn(move || {
            let mut rejection = Rejection::default();
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
                if msg["reason"].as_str() == Some("compiler-message") {
                    rejection.add(&msg["message"]);
                }
            }
            rejection
        })
    });
    let mut kept = String::new();
    let mut recorded = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let word = line.trim_start();
            let added = word.starts_with("Running `") || word.starts_with("Fresh ") || word.starts_with("Dirty ");
            if verbose {
                eprintln!("{line}");
            }
            if word.starts_with("Running `") {
                recorded.push_str(&line);
                recorded.push('\n');
            }
            if added {
                continue;
            }
            if show && !verbose {
                eprintln!("{line}");
            }
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    let status = child.wait().map_err(|e| Error::environment(format!("cargo: {e}")))?;
    let rejection = messages.and_then(|t| t.join().ok()).unwrap_or_default();
    let crates: Vec<String> = packages.iter().map(|p| p.replace('-', "_")).collect();
    build.replay.record(&recorded, &crates.iter().map(String::as_str).collect::<Vec<_>>());
    if status.success() {
        Ok(Ok(()))
    } else {
        Ok(Err(Failure { stderr: kept, rejection }))
    }
}

/// Say why the first build of the generated workspace failed, and return
/// the exit status. An error in the Rust an `extern fn` became (the host's
/// shims) is the program's, E0109 on its `.ae` line; cargo stopping before
/// rustc said anything is usually the program's dependencies (said so,
/// with cargo's words); anything else is rustc rejecting what the checker
/// accepted: Aether's bug.
fn explain_failure(build: &Build, analysis: &Analysis, generated: &HmrGenerated, failure: &Failure) -> ExitCode {
    let host_main =
        generated.files.iter().find(|(p, _)| p == Path::new("host/src/main.rs")).map_or("", |(_, text)| text.as_str());
    let at = |file: &str, line: usize| build::rustc::extern_fn_in_host(analysis, host_main, file, line);
    if let Some(bindings) = failure.rejection.bindings_by(at) {
        let text: String = bindings.iter().map(|d| d.render(&analysis.program.sources)).collect();
        say!(
            "{}error: could not build the program: {}",
            text.trim_end_matches('\n').to_string() + "\n",
            if bindings.len() == 1 {
                "an `extern fn` does not match its crate's function"
            } else {
                "`extern fn`s do not match their crates' functions"
            }
        );
        return ExitCode::from(crate::EXIT_ERRORS);
    }
    let text = failure.text();
    if !text.is_empty() {
        say!("{}", text.trim_end());
    }
    if failure.rejection.rendered.is_empty() && !failure.stderr.contains("error[E") {
        if let Some(why) = crate::deps::unfetchable(&build.ws.join("Cargo.toml")) {
            say!("error: {why}");
            return ExitCode::from(crate::EXIT_ERRORS);
        }
    }
    explain_rustc_failure(&build.ws, None);
    ExitCode::from(crate::EXIT_INTERNAL)
}

/// rustc rejected generated code the checker accepted: our bug, said so.
pub(super) fn explain_rustc_failure(ws: &Path, module: Option<&str>) {
    let from = module.map(|file| format!("  = note: generated from {file}; the old code keeps running\n"));
    say!(
        "error: rustc rejected the Rust generated for this program under --hmr\n  = note: this is a bug in Aether, \
         not in your program: the checker accepted it\n{}  = note: the generated crates are in {}\n  = help: please \
         report it with the .ae files above",
        from.unwrap_or_default(),
        ws.display()
    );
}

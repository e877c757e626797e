//! Generate and build what a session runs, before its first start and again
//! for a hot restart: the module libraries (and a program's generated host,
//! or a Rust host crate), and the command that starts it. A reload's
//! rebuild (`rebuild.rs`) uses the same workspace and `cargo_build`.

use super::{Build, Current, Session};
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
    let packages: Vec<&str> = generated.modules.iter().map(|m| m.package.as_str()).collect();
    let (mut command, started) = match host {
        Host::Generated => {
            let started = Instant::now();
            if let Err(stderr) = cargo_build(build, &[generated.host_package.as_str()], false)? {
                if !stderr.is_empty() {
                    say!("{stderr}");
                }
                explain_rustc_failure(&build.ws, None);
                return Ok(Err(ExitCode::from(crate::EXIT_INTERNAL)));
            }
            (Command::new(&generated.host_executable), started)
        }
        Host::Built { exe, started } => (Command::new(exe), started),
    };
    if let Err(stderr) = cargo_build(build, &packages, false)? {
        if !stderr.is_empty() {
            say!("{stderr}");
        }
        explain_rustc_failure(&build.ws, None);
        return Ok(Err(ExitCode::from(crate::EXIT_INTERNAL)));
    }
    let what = if matches!(host, Host::Generated) { "" } else { "the host and " };
    say!("[aether] built {what}{} module libraries in {:.1} s", packages.len(), started.elapsed().as_secs_f64());
    command.args(args);
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

/// `cargo build -p ...` in the generated workspace. `Ok(Err(stderr))` when
/// cargo failed. Quiet builds (reloads) capture cargo's output to show it
/// only on failure.
pub(super) fn cargo_build(build: &Build, packages: &[&str], quiet: bool) -> Result<Result<(), String>, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build").arg("--manifest-path").arg(build.ws.join("Cargo.toml")).env("CARGO_TARGET_DIR", &build.target_dir);
    for p in packages {
        cmd.arg("-p").arg(p);
    }
    if build.release {
        cmd.arg("--release");
    }
    // With `--hmr-log`, cargo's progress must not draw over the program.
    if quiet || aether_rt::hmr::say::to_file() {
        cmd.arg("--quiet").stderr(Stdio::piped());
    } else {
        cmd.stderr(Stdio::inherit());
    }
    let output = cmd
        .stdout(Stdio::null())
        .output()
        .map_err(|e| Error::environment(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
    if output.status.success() {
        Ok(Ok(()))
    } else {
        Ok(Err(String::from_utf8_lossy(&output.stderr).into_owned()))
    }
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

//! `cargo aether run --hmr` (or `AETHER_HMR=1`): build every module as its
//! own shared library, start the generated host, watch the sources, and on a
//! save re-check, rebuild the changed module and tell the host to swap it in.
//! See `docs/hmr.md`.
//!
//! Failure never costs the running program: a diagnostic, a refused change
//! or a rustc failure is printed and the old code keeps running.

use crate::build::{self, Layout};
use crate::input::Target;
use crate::report::{self, Action, MessageFormat};
use crate::UsageError;
use aether_transpile::codegen::hmr::{self as gen, HmrGenerated, HmrOptions};
use aether_transpile::driver::{self, Analysis};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Whether `AETHER_HMR` asks for hot reloading: `1` (or `true`, `on`, `yes`)
/// turns it on; unset, empty, `0` and anything else leave it off.
pub fn requested_by_env(value: Option<&str>) -> bool {
    matches!(value.map(|v| v.trim().to_ascii_lowercase()).as_deref(), Some("1" | "true" | "on" | "yes"))
}

/// Run `target` under HMR; the host's exit status.
pub fn run(target: &Target, release: bool, args: &[OsString]) -> Result<ExitCode, UsageError> {
    eprintln!("[aether] running `{}` with hot reloading ON: edit a .ae file and it is swapped in", target.name);
    let layout = Layout::for_target(target)?;
    let analysis = driver::analyze(&target.input);
    if analysis.has_errors() {
        return Ok(report::emit(&analysis, MessageFormat::Human, Action::BUILD, &target.name));
    }
    report::emit_warnings(&analysis, MessageFormat::Human, &target.name);
    let ws = workspace_dir(&layout);
    // Programs share one target directory, and two of them may well both be
    // called `main`: the workspace's path makes their library names unique.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&ws, &mut hasher);
    let opts = HmrOptions {
        program: format!("{}_{:08x}", layout.crate_name, std::hash::Hasher::finish(&hasher) as u32),
        rt_path: build::rt_path(),
        // `--release`: optimized libraries (fast code, slower reloads).
        lib_dir: layout.target_dir.join(if release { "release" } else { "debug" }),
        exclude: excluded_modules(target),
    };
    let generated = match gen::generate(&analysis.program, &analysis.checked, &opts) {
        Ok(g) => g,
        Err(unsupported) => {
            eprintln!("error: `{}` uses what --hmr cannot run yet:", target.name);
            for line in unsupported.lines() {
                eprintln!("  {line}");
            }
            eprintln!("  = help: `cargo aether run` without --hmr runs it as a static build");
            return Ok(ExitCode::from(crate::EXIT_ERRORS));
        }
    };
    write_all(&ws, &generated)?;
    let started = Instant::now();
    let host_ok = cargo_build(&ws, &layout.target_dir, &[generated.host_package.as_str()], false, release)?;
    let packages: Vec<&str> = generated.modules.iter().map(|m| m.package.as_str()).collect();
    let modules_ok = host_ok.is_ok() && cargo_build(&ws, &layout.target_dir, &packages, false, release)?.is_ok();
    if !modules_ok {
        explain_rustc_failure(&ws, None);
        return Ok(ExitCode::from(crate::EXIT_INTERNAL));
    }
    eprintln!("[aether] built {} module libraries in {:.1} s", packages.len(), started.elapsed().as_secs_f64());
    supervise(target, &ws, &opts, analysis, generated, args)
}

/// `[package.metadata.aether] hmr-exclude` (paths from the project root) as
/// module names (`physics`, `net.http`).
fn excluded_modules(target: &Target) -> Vec<String> {
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
fn workspace_dir(layout: &Layout) -> PathBuf {
    if layout.crate_dir.file_name().is_some_and(|n| n == "static") {
        return layout.crate_dir.with_file_name("hmr");
    }
    let mut name = layout.crate_dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push("-hmr");
    layout.crate_dir.with_file_name(name)
}

fn write_all(ws: &Path, generated: &HmrGenerated) -> Result<(), UsageError> {
    let mut files: Vec<(PathBuf, String)> = generated.files.clone();
    for m in &generated.modules {
        files.extend(m.files.iter().cloned());
    }
    build::write_changed(ws, &files)
        .map_err(|e| UsageError::new(format!("cannot write the generated crates in `{}`: {e}", ws.display())))?;
    let lock = ws.join("Cargo.lock");
    if !lock.exists() {
        if let Some(workspace_lock) = build::rt_path().parent().map(|p| p.join("Cargo.lock")) {
            let _ = std::fs::copy(workspace_lock, lock);
        }
    }
    Ok(())
}

/// `cargo build -p ...` in the generated workspace. `Ok(Err(stderr))` when
/// cargo failed. Quiet builds (reloads) capture cargo's output to show it
/// only on failure.
fn cargo_build(
    ws: &Path,
    target_dir: &Path,
    packages: &[&str],
    quiet: bool,
    release: bool,
) -> Result<Result<(), String>, UsageError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build").arg("--manifest-path").arg(ws.join("Cargo.toml")).env("CARGO_TARGET_DIR", target_dir);
    for p in packages {
        cmd.arg("-p").arg(p);
    }
    if release {
        cmd.arg("--release");
    }
    if quiet {
        cmd.arg("--quiet").stderr(Stdio::piped());
    } else {
        cmd.stderr(Stdio::inherit());
    }
    let output = cmd
        .stdout(Stdio::null())
        .output()
        .map_err(|e| UsageError::new(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
    if output.status.success() {
        Ok(Ok(()))
    } else {
        Ok(Err(String::from_utf8_lossy(&output.stderr).into_owned()))
    }
}

fn explain_rustc_failure(ws: &Path, module: Option<&str>) {
    eprintln!("error: rustc rejected the Rust generated for this program under --hmr");
    eprintln!("  = note: this is a bug in Aether, not in your program: the checker accepted it");
    if let Some(file) = module {
        eprintln!("  = note: generated from {file}; the old code keeps running");
    }
    eprintln!("  = note: the generated crates are in {}", ws.display());
    eprintln!("  = help: please report it with the .ae files above");
}

/// What the supervisor knows of the running program.
struct Current {
    analysis: Analysis,
    generated: HmrGenerated,
}

#[cfg(unix)]
fn supervise(
    target: &Target,
    ws: &Path,
    opts: &HmrOptions,
    analysis: Analysis,
    generated: HmrGenerated,
    args: &[OsString],
) -> Result<ExitCode, UsageError> {
    use aether_rt::hmr::{Watcher, WatcherConfig};
    use std::io::Write;
    use std::os::unix::net::{UnixListener, UnixStream};

    let socket = std::env::temp_dir().join(format!("aether-hmr-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket)
        .map_err(|e| UsageError::new(format!("cannot open the reload channel {}: {e}", socket.display())))?;
    let _cleanup = RemoveOnDrop(socket.clone());
    let (conn_tx, conn_rx) = std::sync::mpsc::channel::<UnixStream>();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            let _ = conn_tx.send(stream);
        }
    });
    let watcher = Watcher::new(&target.input.src_root, WatcherConfig::default())
        .map_err(|e| UsageError::new(format!("cannot watch `{}`: {e}", target.input.src_root.display())))?;
    let mut child = Command::new(&generated.host_executable)
        .args(args)
        .env(aether_rt::hmr::host::SOCKET_ENV, &socket)
        .spawn()
        .map_err(|e| UsageError::new(format!("cannot start `{}`: {e}", generated.host_executable.display())))?;
    let mut channel: Option<UnixStream> = None;
    let mut current = Current { analysis, generated };
    loop {
        if let Some(status) = child.try_wait().map_err(|e| UsageError::new(format!("lost the program: {e}")))? {
            return Ok(crate::run::exit_code_of(status));
        }
        let Some(batch) = watcher.recv_timeout(Duration::from_millis(100)) else { continue };
        if channel.is_none() {
            channel = conn_rx.recv_timeout(Duration::from_secs(10)).ok();
        }
        let saved_ms = batch
            .paths
            .iter()
            .filter_map(|p| p.metadata().ok()?.modified().ok())
            .max()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or_else(now_ms, |d| d.as_millis());
        let commands = match rebuild(target, ws, opts, &mut current) {
            Some(c) => c,
            None => continue,
        };
        let Some(stream) = channel.as_mut() else {
            eprintln!("[aether] the program has not opened its reload channel; the change is not applied");
            continue;
        };
        let mut line = format!("reload\t{saved_ms}\t{}", commands.changed);
        for (index, library) in &commands.modules {
            line.push_str(&format!("\t{index}={}", library.display()));
        }
        line.push('\n');
        if stream.write_all(line.as_bytes()).is_err() {
            eprintln!("[aether] the program closed its reload channel; the change is not applied");
        }
    }
}

#[cfg(not(unix))]
fn supervise(
    _target: &Target,
    _ws: &Path,
    _opts: &HmrOptions,
    _analysis: Analysis,
    _generated: HmrGenerated,
    _args: &[OsString],
) -> Result<ExitCode, UsageError> {
    Err(UsageError::new("`--hmr` is not yet supported on this platform (it needs Unix domain sockets)"))
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// What to send the host after a rebuild: the modules to swap together
/// (index, library) and how many functions changed in them.
struct Reload {
    modules: Vec<(usize, PathBuf)>,
    changed: usize,
}

/// Re-check, regenerate and rebuild after a save: the reload to send, or
/// `None` when nothing is to be reloaded (the reason is printed).
///
/// A module crate holds its own code and the interfaces of the modules it
/// imports (see `codegen/hmr.rs`), so the crates whose generated files
/// changed are exactly the ones to rebuild: an edited function body changes
/// one crate, a changed type or signature changes its module's crate and
/// every crate built against it. They are built in one cargo run and swapped
/// in one step.
fn rebuild(target: &Target, ws: &Path, opts: &HmrOptions, current: &mut Current) -> Option<Reload> {
    let analysis = driver::analyze(&target.input);
    if analysis.has_errors() {
        report::emit(&analysis, MessageFormat::Human, Action { verb: "reload", done: "Checked" }, &target.name);
        eprintln!("[aether] not reloaded: the old code keeps running; fix the error and save again");
        return None;
    }
    report::emit_warnings(&analysis, MessageFormat::Human, &target.name);
    let generated = match gen::generate(&analysis.program, &analysis.checked, opts) {
        Ok(g) => g,
        Err(unsupported) => {
            refused(&unsupported.lines().collect::<Vec<_>>());
            return None;
        }
    };
    let old_names: Vec<&str> = current.generated.modules.iter().map(|m| m.name.as_str()).collect();
    let new_names: Vec<&str> = generated.modules.iter().map(|m| m.name.as_str()).collect();
    if old_names != new_names {
        refused(&["modules were added, removed or renamed; restart to pick that up (not yet supported under --hmr)"]);
        return None;
    }
    let changed: Vec<usize> = current
        .generated
        .modules
        .iter()
        .zip(&generated.modules)
        .enumerate()
        .filter(|(_, (old, new))| old.files != new.files)
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        // Said out loud: after an error was fixed by undoing it, this is how
        // the user learns the program is in sync again.
        eprintln!("[aether] checked: no code changed, nothing to reload");
        current.analysis = analysis;
        return None;
    }
    let fixed: Vec<String> = changed
        .iter()
        .filter_map(|i| generated.modules.get(*i))
        .filter(|m| !m.reloadable)
        .map(|m| format!("{}: excluded from hot reloading (`@no_hmr` or `hmr-exclude`); restart to use the change", m.file))
        .collect();
    if !fixed.is_empty() {
        refused(&fixed.iter().map(String::as_str).collect::<Vec<_>>());
        return None;
    }
    if let Err(e) = write_all(ws, &generated) {
        refused(&[e.to_string().as_str()]);
        return None;
    }
    let packages: Vec<&str> =
        changed.iter().filter_map(|i| generated.modules.get(*i)).map(|m| m.package.as_str()).collect();
    let release = opts.lib_dir.ends_with("release");
    match cargo_build(ws, &opts_target_dir(opts), &packages, true, release) {
        Ok(Ok(())) => {}
        Ok(Err(stderr)) => {
            eprint!("{stderr}");
            let files: Vec<&str> =
                changed.iter().filter_map(|i| generated.modules.get(*i)).map(|m| m.file.as_str()).collect();
            explain_rustc_failure(ws, Some(&files.join(", ")));
            return None;
        }
        Err(e) => {
            refused(&[e.to_string().as_str()]);
            return None;
        }
    }
    let functions = changed.iter().map(|i| changed_functions(&current.analysis, &analysis, *i)).sum();
    let modules = changed.iter().filter_map(|i| Some((*i, generated.modules.get(*i)?.library.clone()))).collect();
    *current = Current { analysis, generated };
    Some(Reload { modules, changed: functions })
}

/// `<target>/debug` (or `release`) → `<target>`.
fn opts_target_dir(opts: &HmrOptions) -> PathBuf {
    opts.lib_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| opts.lib_dir.clone())
}

fn refused(lines: &[&str]) {
    eprintln!("[aether] reload refused; the old code and state keep running:");
    for line in lines {
        eprintln!("  {line}");
    }
}

/// How many functions of module `index` differ in their source text.
fn changed_functions(old: &Analysis, new: &Analysis, index: usize) -> usize {
    let texts = |a: &Analysis| -> HashMap<String, String> {
        let mut out = HashMap::new();
        for info in a.checked.fns.iter().filter(|f| f.module.0 as usize == index) {
            let module = a.program.module(info.module);
            let Some(item) = module.ast.items.get(info.item) else { continue };
            let text = &a.program.sources.get(module.file).text;
            let body = text.get(item.span.range()).unwrap_or_default().to_string();
            let key = match info.receiver {
                Some(t) => {
                    format!("{}.{}", a.checked.types.defs.get(t.0 as usize).map_or("", |d| d.name.as_str()), info.name)
                }
                None => info.name.clone(),
            };
            out.insert(key, body);
        }
        out
    };
    let (before, after) = (texts(old), texts(new));
    after.iter().filter(|(name, text)| before.get(*name) != Some(*text)).count()
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

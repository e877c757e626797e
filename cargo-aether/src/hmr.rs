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
use crate::Error;
use aether_transpile::codegen::hmr::{self as gen, HmrGenerated, HmrOptions};
use aether_transpile::driver::{self, Analysis};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

/// Whether `AETHER_HMR` asks for hot reloading: `1` (or `true`, `on`, `yes`)
/// turns it on; unset, empty, `0` and anything else leave it off.
pub fn requested_by_env(value: Option<&str>) -> bool {
    matches!(value.map(|v| v.trim().to_ascii_lowercase()).as_deref(), Some("1" | "true" | "on" | "yes"))
}

/// Run `target` under HMR; the host's exit status.
pub fn run(target: &Target, release: bool, args: &[OsString]) -> Result<ExitCode, Error> {
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
    let opts = HmrOptions {
        program: format!("{}_{:08x}", layout.crate_name, build::stable_hash([&*ws.to_string_lossy()]) as u32),
        rt_path: build::rt_path(),
        // `--release`: optimized libraries (fast code, slower reloads).
        lib_dir: layout.target_dir.join(if release { "release" } else { "debug" }),
        exclude: excluded_modules(target),
    };
    let session = Session::Program { target };
    let target_dir = layout.target_dir.clone();
    // The first start reuses the check done above; a hot restart checks again.
    let mut analysis_once = Some(analysis);
    let mut prepare = || prepare_program(target, &ws, &opts, &target_dir, release, args, analysis_once.take());
    match prepare()? {
        Ok((command, current)) => supervise(&session, &ws, &opts, current, command, &mut prepare),
        Err(code) => Ok(code),
    }
}

/// Generate and build the host and every module library of a program; the
/// command that starts it and what the supervisor knows of it, or the exit
/// status to stop with (the reason was printed). `analysis`: the program as
/// already checked, or `None` to check it now (a hot restart).
#[allow(clippy::too_many_arguments)]
fn prepare_program(
    target: &Target,
    ws: &Path,
    opts: &HmrOptions,
    target_dir: &Path,
    release: bool,
    args: &[OsString],
    analysis: Option<Analysis>,
) -> Result<Result<(Command, Current), ExitCode>, Error> {
    let analysis = match analysis {
        Some(a) => a,
        None => {
            let a = driver::analyze(&target.input);
            if a.has_errors() {
                return Ok(Err(report::emit(&a, MessageFormat::Human, Action::BUILD, &target.name)));
            }
            a
        }
    };
    let generated = match gen::generate(&analysis.program, &analysis.checked, opts) {
        Ok(g) => g,
        Err(unsupported) => {
            eprintln!("error: `{}` uses what --hmr cannot run yet:", target.name);
            for line in unsupported.lines() {
                eprintln!("  {line}");
            }
            eprintln!("  = help: `cargo aether run` without --hmr runs it as a static build");
            return Ok(Err(ExitCode::from(crate::EXIT_ERRORS)));
        }
    };
    write_all(ws, &generated)?;
    let started = Instant::now();
    let host_ok = cargo_build(ws, target_dir, &[generated.host_package.as_str()], false, release)?;
    let packages: Vec<&str> = generated.modules.iter().map(|m| m.package.as_str()).collect();
    let modules_ok = host_ok.is_ok() && cargo_build(ws, target_dir, &packages, false, release)?.is_ok();
    if !modules_ok {
        explain_rustc_failure(ws, None);
        return Ok(Err(ExitCode::from(crate::EXIT_INTERNAL)));
    }
    eprintln!("[aether] built {} module libraries in {:.1} s", packages.len(), started.elapsed().as_secs_f64());
    let mut command = Command::new(&generated.host_executable);
    command.args(args);
    Ok(Ok((command, Current { analysis, generated, bindings: None })))
}

/// `cargo aether run --hmr` in a Rust crate that compiles `.ae` files in from
/// its `build.rs` (`aether-build`; docs/rust-interop.md): build the crate
/// with its bindings in their `--hmr` shape (they call through the runtime's
/// table and start it on first use), build the module libraries, run the
/// crate's binary, watch the `.ae` files and swap rebuilt modules in. The
/// environment tells the build script what to generate; it records which
/// directory it compiled, which is what is watched.
pub fn run_rust_host(target: &Target, release: bool, args: &[OsString]) -> Result<ExitCode, Error> {
    let Some(manifest) = &target.manifest else {
        return Err(Error::usage("a Rust host crate needs its Cargo.toml"));
    };
    eprintln!("[aether] running `{}` with hot reloading ON: edit a .ae file and it is swapped in", target.name);
    let root = manifest.root.canonicalize().unwrap_or_else(|_| manifest.root.clone());
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_relative() { root.join(target_dir) } else { target_dir };
    let lib_dir = target_dir.join(if release { "release" } else { "debug" });
    let base = target_dir.join("aether").join("hmr-host");
    std::fs::create_dir_all(&base)
        .map_err(|e| Error::environment(format!("cannot create `{}`: {e}", base.display())))?;
    let info = base.join("compiled-dirs.txt");
    let _ = std::fs::remove_file(&info);
    let crate_name: String =
        manifest.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let prefix = format!("{crate_name}_{:08x}", build::stable_hash([&*root.to_string_lossy()]) as u32);

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
    let Some(entry) = aether_build::entry_of(&src_root) else {
        return Err(Error::usage(format!("no `.ae` files in `{}`", src_root.display())));
    };
    let session = Session::RustHost { package: root.clone(), src_root, entry, name: name.clone() };
    let opts = HmrOptions {
        program: format!("{prefix}_{name}"),
        rt_path: build::rt_path(),
        lib_dir: lib_dir.clone(),
        exclude: Vec::new(),
    };
    let ws = base.join(&name);
    let first = prepare_rust_modules(&session, &ws, &opts, &target_dir, release, &exe, args, &target.name, started)?;
    // A hot restart builds the host crate again, then its modules.
    let mut prepare = || -> Result<Result<(Command, Current), ExitCode>, Error> {
        let _ = std::fs::remove_file(&info);
        let started = Instant::now();
        match build_rust_host(&root, &target_dir, &lib_dir, &prefix, &info, release)? {
            Some(exe) => {
                prepare_rust_modules(&session, &ws, &opts, &target_dir, release, &exe, args, &target.name, started)
            }
            None => Ok(Err(ExitCode::from(crate::EXIT_ERRORS))),
        }
    };
    match first {
        Ok((command, current)) => supervise(&session, &ws, &opts, current, command, &mut prepare),
        Err(code) => Ok(code),
    }
}

/// Check, generate and build the module libraries of a Rust host crate
/// whose executable is `exe`; the command that starts it.
#[allow(clippy::too_many_arguments)]
fn prepare_rust_modules(
    session: &Session<'_>,
    ws: &Path,
    opts: &HmrOptions,
    target_dir: &Path,
    release: bool,
    exe: &Path,
    args: &[OsString],
    name: &str,
    started: Instant,
) -> Result<Result<(Command, Current), ExitCode>, Error> {
    let analysis = session.analyze();
    if analysis.has_errors() {
        return Ok(Err(report::emit(&analysis, MessageFormat::Human, Action::BUILD, name)));
    }
    let (generated, bindings) = session.generate(&analysis, opts).map_err(Error::program)?;
    write_all(ws, &generated)?;
    let packages: Vec<&str> = generated.modules.iter().map(|m| m.package.as_str()).collect();
    if cargo_build(ws, target_dir, &packages, false, release)?.is_err() {
        explain_rustc_failure(ws, None);
        return Ok(Err(ExitCode::from(crate::EXIT_INTERNAL)));
    }
    eprintln!(
        "[aether] built the host and {} module libraries in {:.1} s",
        packages.len(),
        started.elapsed().as_secs_f64()
    );
    let mut command = Command::new(exe);
    command.args(args);
    if let Session::RustHost { package, .. } = session {
        command.current_dir(package);
    }
    Ok(Ok((command, Current { analysis, generated, bindings })))
}

/// `cargo build` of a Rust host crate with its `--hmr` bindings; the path of
/// its executable, or `None` when the build failed (cargo said why).
fn build_rust_host(
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

fn write_all(ws: &Path, generated: &HmrGenerated) -> Result<(), Error> {
    let mut files: Vec<(PathBuf, String)> = generated.files.clone();
    for m in &generated.modules {
        files.extend(m.files.iter().cloned());
    }
    build::write_changed(ws, &files)
        .map_err(|e| Error::environment(format!("cannot write the generated crates in `{}`: {e}", ws.display())))?;
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
) -> Result<Result<(), String>, Error> {
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
        .map_err(|e| Error::environment(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
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
    /// A Rust host's bindings as it was built: a change to them needs a
    /// rebuilt host, so it is refused.
    bindings: Option<String>,
}

/// What is being hot-reloaded: an Aether program (with a generated host),
/// or the Aether modules of a Rust host crate.
enum Session<'a> {
    Program { target: &'a Target },
    RustHost { package: PathBuf, src_root: PathBuf, entry: PathBuf, name: String },
}

impl Session<'_> {
    fn watch_root(&self) -> &Path {
        match self {
            Session::Program { target } => &target.input.src_root,
            Session::RustHost { src_root, .. } => src_root,
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
            Session::Program { target } => driver::analyze(&target.input),
            Session::RustHost { package, src_root, entry, .. } => {
                let (program, checked, diagnostics) = aether_build::analyze(src_root, entry, package);
                Analysis { program, checked, diagnostics }
            }
        }
    }

    fn generate(&self, analysis: &Analysis, opts: &HmrOptions) -> Result<(HmrGenerated, Option<String>), String> {
        match self {
            Session::Program { .. } => gen::generate(&analysis.program, &analysis.checked, opts).map(|g| (g, None)),
            Session::RustHost { .. } => {
                gen::generate_library(&analysis.program, &analysis.checked, opts).map(|(g, b)| (g, Some(b)))
            }
        }
    }
}

/// Builds (again) what the session runs: for a hot restart.
type Prepare<'a> = dyn FnMut() -> Result<Result<(Command, Current), ExitCode>, Error> + 'a;

/// What `AETHER_HMR_RESTART` asks for a change that cannot be applied live:
/// `auto` restarts the program with its state carried over.
fn auto_restart() -> bool {
    std::env::var("AETHER_HMR_RESTART").is_ok_and(|v| v.trim().eq_ignore_ascii_case("auto"))
}

#[cfg(unix)]
fn supervise(
    session: &Session<'_>,
    ws: &Path,
    opts: &HmrOptions,
    current: Current,
    command: Command,
    prepare: &mut Prepare<'_>,
) -> Result<ExitCode, Error> {
    use aether_rt::hmr::protocol::{self, Reply};
    use aether_rt::hmr::{Watcher, WatcherConfig};
    use std::io::{BufRead, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::sync::mpsc;

    let socket = std::env::temp_dir().join(format!("aether-hmr-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket)
        .map_err(|e| Error::environment(format!("cannot open the reload channel {}: {e}", socket.display())))?;
    let _cleanup = RemoveOnDrop(socket.clone());
    // Every connection (a hot restart makes a new one), with a thread
    // forwarding what the program says back (rollbacks, saved state).
    let (conn_tx, conn_rx) = mpsc::channel::<UnixStream>();
    let (reply_tx, reply_rx) = mpsc::channel::<Reply>();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            if let Ok(reader) = stream.try_clone() {
                let tx = reply_tx.clone();
                std::thread::spawn(move || {
                    for line in std::io::BufReader::new(reader).lines().map_while(Result::ok) {
                        // What the host wrote besides its replies is not ours to act on.
                        if let Ok(reply) = line.parse() {
                            let _ = tx.send(reply);
                        }
                    }
                });
            }
            if conn_tx.send(stream).is_err() {
                break;
            }
        }
    });
    let root = session.watch_root();
    let watcher = Watcher::new(root, WatcherConfig::default())
        .map_err(|e| Error::environment(format!("cannot watch `{}`: {e}", root.display())))?;
    let spawn = |mut command: Command, restore: Option<&Path>| {
        command.env(protocol::SOCKET_ENV, &socket);
        if let Some(path) = restore {
            command.env(protocol::RESTORE_ENV, path);
        }
        command.spawn().map_err(|e| Error::environment(format!("cannot start `{:?}`: {e}", command.get_program())))
    };
    let mut child = spawn(command, None)?;
    let mut channel: Option<UnixStream> = None;
    let mut current = current;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::environment(format!("lost the program: {e}")))? {
            return Ok(crate::error::exit_code_of(status));
        }
        while let Ok(reply) = reply_rx.try_recv() {
            if let Reply::RolledBack { modules } = reply {
                // The program went back to the previous code: the next
                // save rebuilds these modules even if nothing else changed.
                for i in modules {
                    if let Some(m) = current.generated.modules.get_mut(i) {
                        m.files.clear();
                    }
                }
            }
        }
        let Some(batch) = watcher.recv_timeout(Duration::from_millis(100)) else { continue };
        if channel.is_none() {
            // A generated host connects at start; a Rust host when its
            // first call starts the Aether runtime (perhaps never).
            let wait = if matches!(session, Session::Program { .. }) { 10 } else { 0 };
            channel = conn_rx.recv_timeout(Duration::from_secs(wait)).ok();
        }
        let saved_ms = batch
            .paths
            .iter()
            .filter_map(|p| p.metadata().ok()?.modified().ok())
            .max()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or_else(protocol::now_ms, |d| d.as_millis());
        let commands = match rebuild(session, ws, opts, &mut current) {
            Rebuilt::Reload(c) => c,
            Rebuilt::Nothing => continue,
            Rebuilt::Restart(why) => {
                if !auto_restart() {
                    refused(&[why.as_str(), "set AETHER_HMR_RESTART=auto to restart with the state carried over"]);
                    continue;
                }
                eprintln!("[aether] {why}: restarting with the state carried over (AETHER_HMR_RESTART=auto)");
                let Some((command, next)) = prepare()?.ok() else {
                    eprintln!("[aether] the restart's build failed; the old program keeps running");
                    continue;
                };
                let state = ws.join("saved-state.txt");
                let _ = std::fs::remove_file(&state);
                let saved = channel.as_mut().is_some_and(|stream| {
                    let save = protocol::Command::Save { path: state.clone() };
                    let asked = stream.write_all(format!("{save}\n").as_bytes()).is_ok();
                    asked && wait_for_saved(&reply_rx, Duration::from_secs(30))
                });
                if !saved {
                    eprintln!("[aether] the program did not save its state; it restarts from its initializers");
                }
                let _ = child.kill();
                let _ = child.wait();
                child = spawn(command, saved.then_some(state.as_path()))?;
                channel = conn_rx.recv_timeout(Duration::from_secs(30)).ok();
                current = next;
                continue;
            }
        };
        let Some(stream) = channel.as_mut() else {
            eprintln!(
                "[aether] rebuilt; the program has not started its Aether code yet, so it will load the new code \
                 when it does"
            );
            continue;
        };
        let reload = protocol::Command::Reload {
            saved_ms,
            changed: commands.changed,
            restart_main: commands.restart_main,
            modules: commands.modules,
        };
        if stream.write_all(format!("{reload}\n").as_bytes()).is_err() {
            eprintln!("[aether] the program closed its reload channel; the change is not applied");
        }
    }
}

/// Wait for the program to say it saved its state.
#[cfg(unix)]
fn wait_for_saved(replies: &std::sync::mpsc::Receiver<aether_rt::hmr::protocol::Reply>, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match replies.recv_timeout(left) {
            Ok(aether_rt::hmr::protocol::Reply::Saved { .. }) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

#[cfg(not(unix))]
fn supervise(
    _session: &Session<'_>,
    _ws: &Path,
    _opts: &HmrOptions,
    _current: Current,
    _command: Command,
    _prepare: &mut Prepare<'_>,
) -> Result<ExitCode, Error> {
    Err(Error::usage("`--hmr` is not yet supported on this platform (it needs Unix domain sockets)"))
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What to send the host after a rebuild: the modules to swap together
/// (index, library), how many functions changed in them, and whether the
/// running `main` changed (it then starts again with the new code).
struct Reload {
    modules: Vec<(usize, PathBuf)>,
    changed: usize,
    restart_main: bool,
}

/// What a save leads to.
enum Rebuilt {
    Reload(Reload),
    /// Nothing to send (the reason was printed).
    Nothing,
    /// A change that cannot be applied live, and why.
    Restart(String),
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
fn rebuild(session: &Session<'_>, ws: &Path, opts: &HmrOptions, current: &mut Current) -> Rebuilt {
    let analysis = session.analyze();
    let name = session.name();
    if analysis.has_errors() {
        report::emit(&analysis, MessageFormat::Human, Action { verb: "reload", done: "Checked" }, &name);
        eprintln!("[aether] not reloaded: the old code keeps running; fix the error and save again");
        return Rebuilt::Nothing;
    }
    report::emit_warnings(&analysis, MessageFormat::Human, &name);
    let (generated, bindings) = match session.generate(&analysis, opts) {
        Ok(g) => g,
        Err(unsupported) => {
            refused(&unsupported.lines().collect::<Vec<_>>());
            return Rebuilt::Nothing;
        }
    };
    if bindings != current.bindings {
        return Rebuilt::Restart(
            "the Rust host compiles against what changed (a type, constant or signature of a module, or an \
             `extern fn`); restart `cargo aether run --hmr` to rebuild the host"
                .to_string(),
        );
    }
    let old_names: Vec<&str> = current.generated.modules.iter().map(|m| m.name.as_str()).collect();
    let new_names: Vec<&str> = generated.modules.iter().map(|m| m.name.as_str()).collect();
    if old_names != new_names {
        return Rebuilt::Restart("modules were added, removed or renamed; that needs a restart".to_string());
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
        return Rebuilt::Nothing;
    }
    let fixed: Vec<String> = changed
        .iter()
        .filter_map(|i| generated.modules.get(*i))
        .filter(|m| !m.reloadable)
        .map(|m| {
            format!("{}: excluded from hot reloading (`@no_hmr` or `hmr-exclude`); restart to use the change", m.file)
        })
        .collect();
    if !fixed.is_empty() {
        return Rebuilt::Restart(fixed.join("; "));
    }
    if let Err(e) = write_all(ws, &generated) {
        refused(&[e.to_string().as_str()]);
        return Rebuilt::Nothing;
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
            return Rebuilt::Nothing;
        }
        Err(e) => {
            refused(&[e.to_string().as_str()]);
            return Rebuilt::Nothing;
        }
    }
    let functions = changed.iter().map(|i| changed_functions(&current.analysis, &analysis, *i)).sum();
    let modules = changed.iter().filter_map(|i| Some((*i, generated.modules.get(*i)?.library.clone()))).collect();
    let restart_main = main_changed(&current.analysis, &analysis);
    *current = Current { analysis, generated, bindings };
    Rebuilt::Reload(Reload { modules, changed: functions, restart_main })
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

/// Whether the entry module's `main` differs in its source text: the
/// running `main` is then to start again with the new code.
fn main_changed(old: &Analysis, new: &Analysis) -> bool {
    let text = |a: &Analysis| -> Option<String> {
        let entry = a.program.entry?;
        let info = a.checked.fns.iter().find(|f| f.module == entry && f.name == "main" && f.receiver.is_none())?;
        let module = a.program.module(info.module);
        let item = module.ast.items.get(info.item)?;
        a.program.sources.get(module.file).text.get(item.span.range()).map(str::to_string)
    };
    text(old) != text(new)
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

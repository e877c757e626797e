//! `cargo aether build [PATH] [--release]`: check the program, generate a
//! Rust crate for it, and build that crate with cargo into one executable.
//!
//! Where things go:
//! - a project: the generated crate in `<package>/target/aether/static/`,
//!   cargo's output in `<package>/target/aether/build/`;
//! - a script or a directory of `.ae` files: a per-program directory in the
//!   user cache (`$AETHER_CACHE_DIR`, else `$XDG_CACHE_HOME/aether`, else
//!   `~/.cache/aether`), with one cargo target directory shared by all of
//!   them so the runtime is compiled once.
//!
//! The generated package is named after the program plus a hash of where it
//! lives (two scripts called `main.ae` share a target directory but no
//! artifact), and the finished executable is copied into the program's own
//! directory (`<dir>/<profile>/<name>`: `target/aether/debug/life` for a
//! project, the program's cache directory for a script) with the stamp
//! beside it, so a cached build can only ever run its own program.
//!
//! `CARGO_TARGET_DIR`, when set, wins (tests use it to share one build).
//!
//! Only generated files whose text changed are rewritten, so cargo rebuilds
//! only what changed; and when nothing changed at all and the executable is
//! still there, cargo is not even started (a stamp file records what was
//! built), so re-running an unchanged script starts at once.

pub(crate) mod rustc;

use crate::input::{self, Target};
use crate::report::{self, Action, MessageFormat};
use crate::runtime::Runtime;
use crate::Error;
use aether_transpile::ast::ItemKind;
use aether_transpile::codegen::{self, CodegenOptions};
use aether_transpile::diagnostic::Code;
use aether_transpile::driver::{self, InputKind};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// A project directory (with Cargo.toml), a single `.ae` file, or a
    /// directory of `.ae` files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Build with optimizations.
    #[arg(long)]
    pub release: bool,

    /// How to print diagnostics.
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,

    /// Print how long each phase took (check, generate, cargo).
    #[arg(long)]
    pub timings: bool,
}

/// How to build, for [`build`].
#[derive(Clone, Copy, Debug)]
pub struct BuildOptions {
    pub release: bool,
    pub format: MessageFormat,
    pub timings: bool,
}

pub fn run(args: &BuildArgs) -> Result<ExitCode, Error> {
    let target = input::resolve(&args.path)?;
    let options = BuildOptions { release: args.release, format: args.message_format, timings: args.timings };
    match build(&target, options)? {
        Outcome::Built(exe) => {
            if target.manifest.as_ref().is_some_and(|m| m.old_layout) {
                crate::status(
                    "note: this project is in the layout from before projects were Cargo packages: `aether` \
                     builds it, plain `cargo build` cannot (docs/cli.md, \"Moving a project made before this layout\")",
                );
            }
            crate::status(&format!("    Finished `{}`: {}", target.name, exe.display()));
            println!("{}", exe.display());
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Failed(code) => Ok(code),
    }
}

/// What [`build`] produced.
pub enum Outcome {
    /// The executable.
    Built(PathBuf),
    /// Nothing; the reason is printed. The exit status to return.
    Failed(ExitCode),
}

/// A checked program and its generated crate, not yet written.
pub struct Prepared {
    pub analysis: driver::Analysis,
    pub layout: Layout,
    /// What the generated crate depends on.
    pub runtime: Runtime,
    pub files: Vec<(PathBuf, String)>,
    /// (generated file, `.ae` file) for every module, to name the user's
    /// files when rustc complains.
    pub sources: Vec<(String, String)>,
}

/// What a generated crate is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The program (`build`, `run`): it starts at `main`.
    Program,
    /// Its `test` blocks (`test`): the harness never calls `main`, so a
    /// module of functions and tests needs none.
    Tests,
}

/// Check `target` and generate its crate; print diagnostics (and warnings).
/// `Err(status)` when the program cannot be built (the reason is printed):
/// the checker's report, exactly as `check` prints it, and its status.
pub fn prepare(target: &Target, format: MessageFormat, purpose: Purpose) -> Result<Result<Prepared, ExitCode>, Error> {
    let mut analysis = driver::analyze(&target.input, driver::Mode::Program);
    if purpose == Purpose::Tests && has_tests(&analysis.program) {
        analysis.diagnostics.retain(|d| d.code != Code::E0105);
    }
    if analysis.has_errors() {
        let action = if purpose == Purpose::Tests { Action::TEST } else { Action::BUILD };
        return Ok(Err(report::emit(&analysis, format, action, &target.name)));
    }
    report::emit_warnings(&analysis, format, &target.name);
    let layout = Layout::for_target(target)?;
    let runtime = Runtime::ensure()?;
    if let Some(manifest) = target.manifest.as_ref().filter(|m| !m.old_layout && !m.rust_host) {
        crate::runtime::repoint_project(&manifest.root.join("Cargo.toml"), &runtime)?;
    }
    let options = CodegenOptions { crate_name: layout.package.clone(), rt_path: runtime.rt() };
    let generated = match codegen::generate(&analysis.program, &analysis.checked, &options) {
        Ok(mut g) => {
            for (path, text) in &mut g.files {
                if path.as_path() == Path::new("Cargo.toml") {
                    *text = crate::deps::add_to_manifest(text, &target.deps);
                }
            }
            g
        }
        Err(refusals) => {
            // Reported like the checker's diagnostics (`check` reports them
            // too); the warnings were printed above.
            let mut analysis = analysis;
            analysis.diagnostics = refusals;
            return Ok(Err(report::emit(&analysis, format, Action::BUILD, &target.name)));
        }
    };
    // Module files come first, in module order.
    let sources = generated
        .files
        .iter()
        .zip(&analysis.program.modules)
        .map(|((rs, _), m)| (rs.to_string_lossy().into_owned(), analysis.program.sources.get(m.file).name.clone()))
        .collect();
    Ok(Ok(Prepared { analysis, layout, runtime, files: generated.files, sources }))
}

impl Prepared {
    /// Write the generated crate (only the files that changed).
    pub fn write(&self) -> Result<(), Error> {
        write_generated(&self.layout.crate_dir, &self.files).map_err(|e| {
            let dir = self.layout.crate_dir.display();
            Error::environment(format!("cannot write the generated crate in `{dir}`: {e}"))
        })
    }
}

/// Check, generate and build `target`; print diagnostics (and warnings) on
/// the way. Shared by `build` and `run`.
pub fn build(target: &Target, opts: BuildOptions) -> Result<Outcome, Error> {
    let BuildOptions { release, format, timings } = opts;
    let started = Instant::now();
    let prepared = match prepare(target, format, Purpose::Program)? {
        Ok(p) => p,
        Err(code) => return Ok(Outcome::Failed(code)),
    };
    let generated_at = Instant::now();
    let report_timings = |cargo: Option<Instant>| {
        if timings {
            let ms = |a: Instant, b: Instant| b.duration_since(a).as_secs_f64() * 1000.0;
            let cargo_ms =
                cargo.map_or("skipped (nothing changed)".to_string(), |c| format!("{:.0} ms", ms(generated_at, c)));
            eprintln!("[aether] timings: check + generate {:.1} ms, cargo {cargo_ms}", ms(started, generated_at));
        }
    };
    let stamp = stamp_of(&prepared.files, release);
    let layout = &prepared.layout;
    let exe = layout.executable(release);
    if exe.is_file() && std::fs::read_to_string(layout.stamp_file(release)).is_ok_and(|s| s == stamp) {
        report_timings(None);
        return Ok(Outcome::Built(exe));
    }
    prepared.write()?;
    let mut args = vec!["build"];
    if release {
        args.push("--release");
    }
    let built = cargo(&prepared, &args)?;
    report_timings(Some(Instant::now()));
    let Some(artifacts) = built else { return Ok(Outcome::Failed(ExitCode::from(crate::EXIT_INTERNAL))) };
    let Some(built) = artifacts.into_iter().find(|a| !a.is_test) else {
        return Err(Error::environment("cargo built no executable for the generated crate"));
    };
    let exe = layout.install(&built.executable, release)?;
    // Written last, once the executable is in place. A failed write only
    // costs a no-op cargo run next time.
    let _ = std::fs::write(layout.stamp_file(release), &stamp);
    Ok(Outcome::Built(exe))
}

/// Whether any module has a `test` block.
fn has_tests(program: &aether_transpile::project::Program) -> bool {
    program.modules.iter().any(|m| m.ast.items.iter().any(|item| matches!(item.kind, ItemKind::Test(_))))
}

/// Where the generated crate, cargo's output and the program live.
pub struct Layout {
    /// The program's name (the script's file stem, the package's name).
    pub crate_name: String,
    /// The generated package's name, unique to this program (its name and a
    /// hash of where it lives): cargo names a path package's artifacts by
    /// its name and version only, so two programs called `main` in one
    /// target directory would otherwise build, and run, each other's files.
    pub package: String,
    pub crate_dir: PathBuf,
    pub target_dir: PathBuf,
    /// Where the program's executable is copied after a build,
    /// `<bin_dir>/<profile>/<crate_name>`: its own directory, never shared.
    pub bin_dir: PathBuf,
}

impl Layout {
    pub(crate) fn for_target(target: &Target) -> Result<Layout, Error> {
        let env_target = env_target_dir();
        if let (InputKind::Project, Some(manifest)) = (target.input.kind(), &target.manifest) {
            // Absolute, so the printed executable path works from anywhere.
            let root = std::fs::canonicalize(&manifest.root).unwrap_or_else(|_| manifest.root.clone());
            let base = root.join("target").join("aether");
            let name = crate_name(&manifest.name);
            return Ok(Layout {
                package: unique_package(&name, &root),
                crate_name: name,
                crate_dir: base.join("static"),
                target_dir: env_target.unwrap_or_else(|| base.join("build")),
                bin_dir: base,
            });
        }
        let cache = cache_dir().ok_or_else(|| {
            Error::environment(
                "cannot find a cache directory for scripts; set AETHER_CACHE_DIR to a writable directory",
            )
        })?;
        let entry = std::fs::canonicalize(target.input.entry()).unwrap_or_else(|_| target.input.entry().to_path_buf());
        let stem = entry.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "script".into());
        let name = crate_name(&stem);
        let crate_dir =
            cache.join("programs").join(format!("{name}-{:016x}", stable_hash([&*entry.to_string_lossy()])));
        Ok(Layout {
            package: unique_package(&name, &entry),
            crate_name: name,
            bin_dir: crate_dir.clone(),
            crate_dir,
            target_dir: env_target.unwrap_or_else(|| shared_target_dir_in(&cache)),
        })
    }

    /// Where the `--hmr` build of this program puts cargo's output:
    /// `CARGO_TARGET_DIR` when set, else the cache's shared target directory,
    /// for a project too. The runtime (`aether-rt` with its `hmr` feature)
    /// and its dependencies are then built once per toolchain and profile
    /// for every program, not again in each project's `target/` (#13: the
    /// first `--hmr` start of a fresh project spent most of its time
    /// there). Every `--hmr` crate's name carries a hash of where its
    /// program lives, so programs never build each other's files.
    pub(crate) fn hmr_target_dir(&self) -> Result<PathBuf, Error> {
        if env_target_dir().is_some() {
            return Ok(self.target_dir.clone());
        }
        cache_dir().map(|cache| shared_target_dir_in(&cache)).ok_or_else(|| {
            Error::environment("cannot find a cache directory; set AETHER_CACHE_DIR or CARGO_TARGET_DIR")
        })
    }

    /// The program's own executable (a copy of what cargo built).
    fn executable(&self, release: bool) -> PathBuf {
        self.bin_dir.join(profile(release)).join(format!("{}{}", self.crate_name, std::env::consts::EXE_SUFFIX))
    }

    /// What the executable was built from; beside it, so the two always
    /// belong to the same program.
    fn stamp_file(&self, release: bool) -> PathBuf {
        self.bin_dir.join(profile(release)).join(".aether-stamp")
    }

    /// Copy the executable cargo built (in the shared target directory) to
    /// [`Layout::executable`]: through a temporary file and a rename, so a
    /// copy of the program that is still running is never overwritten in
    /// place.
    fn install(&self, built: &Path, release: bool) -> Result<PathBuf, Error> {
        let exe = self.executable(release);
        let fail =
            |e: std::io::Error| Error::environment(format!("cannot copy the program to `{}`: {e}", exe.display()));
        let dir = exe.parent().unwrap_or(&self.bin_dir);
        std::fs::create_dir_all(dir).map_err(fail)?;
        // Per process: two builds of one program at once each copy whole.
        let partial = dir.join(format!(".{}.{}.partial", self.crate_name, std::process::id()));
        std::fs::copy(built, &partial).map_err(fail)?;
        std::fs::rename(&partial, &exe).map_err(fail)?;
        Ok(exe)
    }
}

fn profile(release: bool) -> &'static str {
    if release {
        "release"
    } else {
        "debug"
    }
}

/// `<name>_<hash of path>`: see [`Layout::package`].
fn unique_package(name: &str, path: &Path) -> String {
    format!("{name}_{:016x}", stable_hash([&*path.to_string_lossy()]))
}

/// `CARGO_TARGET_DIR`, when it is set and not empty.
fn env_target_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).filter(|p| !p.as_os_str().is_empty())
}

/// The one target directory scripts, and every program's `--hmr` build,
/// share in the cache.
fn shared_target_dir_in(cache: &Path) -> PathBuf {
    cache.join("target")
}

/// The user cache: `$AETHER_CACHE_DIR`, else `$XDG_CACHE_HOME/aether`,
/// else `~/.cache/aether`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    // Absolute: generated manifests name paths under it.
    let non_empty =
        |v: std::ffi::OsString| (!v.is_empty()).then(|| std::path::absolute(&v).unwrap_or_else(|_| PathBuf::from(v)));
    if let Some(dir) = std::env::var_os("AETHER_CACHE_DIR").and_then(non_empty) {
        return Some(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").and_then(non_empty) {
        return Some(dir.join("aether"));
    }
    std::env::var_os("HOME").and_then(non_empty).map(|home| home.join(".cache").join("aether"))
}

/// A Cargo package name from a program name: lowercase letters, digits,
/// `_`, starting with a letter.
fn crate_name(name: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "ae_");
    }
    out
}

/// What identifies a build: the generated text, the profile, and this tool
/// itself (a new `cargo-aether` may bring a new runtime).
fn stamp_of(files: &[(PathBuf, String)], release: bool) -> String {
    let modified = std::env::current_exe()
        .ok()
        .and_then(|p| p.metadata().ok()?.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(String::new, |d| d.as_nanos().to_string());
    let profile = profile(release);
    let paths: Vec<String> = files.iter().map(|(path, _)| path.to_string_lossy().into_owned()).collect();
    let parts = [profile, env!("CARGO_PKG_VERSION"), &modified]
        .into_iter()
        .chain(paths.iter().zip(files).flat_map(|(path, (_, text))| [path.as_str(), text.as_str()]));
    format!("{:016x}\n", stable_hash(parts))
}

/// The hash that names what this tool keeps on disk (script directories,
/// library names, build stamps): FNV-1a, the project's one hash
/// ([`aether_rt::abi::fingerprint`]), the same in every build of the tool,
/// unlike std's `DefaultHasher`. Each part is hashed on its own and the
/// results combined in order, so `["ab", "c"]` and `["a", "bc"]` differ.
pub(crate) fn stable_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    use aether_rt::abi::{fingerprint, fingerprint_combine};
    parts.into_iter().fold(fingerprint(""), |acc, part| fingerprint_combine(acc, fingerprint(part)))
}

/// Write a generated crate or workspace into `dir`: the files that changed
/// ([`write_changed`]), and a `Cargo.lock` to start from, the one the
/// runtime was tested with: its dependencies are then already resolved, so a
/// first build needs no registry index update (and works offline once they
/// are cached).
pub(crate) fn write_generated(dir: &Path, files: &[(PathBuf, String)]) -> std::io::Result<()> {
    write_changed(dir, files)?;
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        // Only on a first write: a reload never pays for the check.
        if let Ok(runtime) = Runtime::ensure() {
            let _ = std::fs::copy(runtime.lock_file(), lock);
        }
    }
    Ok(())
}

/// Write each file whose text differs from what is on disk; leave the rest
/// untouched so their timestamps (and cargo's incremental state) survive.
fn write_changed(dir: &Path, files: &[(PathBuf, String)]) -> std::io::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    Ok(())
}

/// An executable cargo built.
pub struct Artifact {
    pub executable: PathBuf,
    /// A test harness (`cargo test --no-run`) rather than the program.
    pub is_test: bool,
}

/// Run `cargo <args>` on the generated crate, showing its progress.
/// Returns the executables built, or `None` after explaining a failure.
pub fn cargo(prepared: &Prepared, args: &[&str]) -> Result<Option<Vec<Artifact>>, Error> {
    let layout = &prepared.layout;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(args)
        .arg("--manifest-path")
        .arg(layout.crate_dir.join("Cargo.toml"))
        .arg("--message-format=json-diagnostic-rendered-ansi")
        .args(crate::cargo_verbosity_flag())
        .env("CARGO_TARGET_DIR", &layout.target_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child =
        cmd.spawn().map_err(|e| Error::environment(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
    let mut artifacts = Vec::new();
    let mut rejection = rustc::Rejection::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            match msg["reason"].as_str() {
                Some("compiler-artifact") => {
                    if let Some(exe) = msg["executable"].as_str() {
                        let is_test = msg["profile"]["test"].as_bool().unwrap_or(false);
                        artifacts.push(Artifact { executable: PathBuf::from(exe), is_test });
                    }
                }
                Some("compiler-message") => rejection.add(&msg["message"]),
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| Error::environment(format!("cargo did not finish: {e}")))?;
    if status.success() {
        return Ok(Some(artifacts));
    }
    if let Some(bindings) = rejection.bindings(prepared) {
        // The program's mistake, on its `.ae` lines: no page of rustc output.
        let text: String = bindings.iter().map(|d| d.render(&prepared.analysis.program.sources)).collect();
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        return Err(Error::program(format!(
            "could not build the program: {} its crates' functions",
            if bindings.len() == 1 { "an `extern fn` does not match" } else { "`extern fn`s do not match" }
        )));
    }
    if rejection.rendered.is_empty() && prepared.runtime.damage().is_none() {
        // cargo stopped before compiling anything: say what it could not do.
        if let Some(why) = crate::deps::unfetchable(&layout.crate_dir.join("Cargo.toml")) {
            return Err(Error::program(why));
        }
    }
    rejection.explain(prepared);
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_valid_package_names() {
        assert_eq!(crate_name("life"), "life");
        assert_eq!(crate_name("Word-Freq"), "word_freq");
        assert_eq!(crate_name("2048"), "ae_2048");
    }

    #[test]
    fn stable_hashes_do_not_change() {
        // The values on disk from one build of the tool to the next: a
        // change here orphans every cached script build.
        assert_eq!(stable_hash([]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(["/home/u/hello.ae"]), 0xa6c7_772d_72e3_583c);
        assert_ne!(stable_hash(["ab", "c"]), stable_hash(["a", "bc"]));
        assert_ne!(stable_hash(["a"]), stable_hash(["a", ""]));
        let files = vec![(PathBuf::from("src/main.rs"), "fn main() {}\n".to_string())];
        assert_eq!(stamp_of(&files, false), stamp_of(&files, false));
        assert_ne!(stamp_of(&files, false), stamp_of(&files, true));
    }

    #[test]
    fn only_changed_files_are_rewritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = vec![(PathBuf::from("src/main.rs"), "fn main() {}\n".to_string())];
        write_changed(dir.path(), &files).expect("write");
        let path = dir.path().join("src/main.rs");
        let before = path.metadata().and_then(|m| m.modified()).expect("mtime");
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_changed(dir.path(), &files).expect("rewrite");
        let after = path.metadata().and_then(|m| m.modified()).expect("mtime");
        assert_eq!(before, after);
    }
}

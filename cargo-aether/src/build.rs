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
//! `CARGO_TARGET_DIR`, when set, wins (tests use it to share one build).
//!
//! Only generated files whose text changed are rewritten, so cargo rebuilds
//! only what changed; and when nothing changed at all and the executable is
//! still there, cargo is not even started (a stamp file records what was
//! built), so re-running an unchanged script starts at once.

use crate::input::{self, Target};
use crate::report::{self, Action, MessageFormat};
use crate::UsageError;
use aether_transpile::codegen::{self, CodegenOptions};
use aether_transpile::driver::{self, InputKind};
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

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
}

pub fn run(args: &BuildArgs) -> Result<ExitCode, UsageError> {
    let target = input::resolve(&args.path)?;
    match build(&target, args.release, args.message_format)? {
        Outcome::Built(exe) => {
            eprintln!("    Finished `{}`: {}", target.name, exe.display());
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

/// Check, generate and build `target`; print diagnostics (and warnings) on
/// the way. Shared by `build` and `run`.
pub fn build(target: &Target, release: bool, format: MessageFormat) -> Result<Outcome, UsageError> {
    let analysis = driver::analyze(&target.input);
    if analysis.has_errors() {
        return Ok(Outcome::Failed(report::emit(&analysis, format, Action::BUILD, &target.name)));
    }
    report::emit_warnings(&analysis, format, &target.name);
    let layout = Layout::for_target(target)?;
    let options = CodegenOptions { crate_name: layout.crate_name.clone(), rt_path: rt_path() };
    let generated = match codegen::generate(&analysis.program, &analysis.checked, &options) {
        Ok(g) => g,
        Err(unsupported) => {
            eprintln!("error: `{}` uses what the static build cannot generate yet:", target.name);
            for line in unsupported.lines() {
                eprintln!("  {line}");
            }
            return Ok(Outcome::Failed(ExitCode::from(crate::EXIT_ERRORS)));
        }
    };
    let stamp = stamp_of(&generated.files, release);
    let exe = layout.executable(release);
    if exe.is_file() && std::fs::read_to_string(layout.stamp_file()).is_ok_and(|s| s == stamp) {
        return Ok(Outcome::Built(exe));
    }
    write_changed(&layout.crate_dir, &generated.files)
        .map_err(|e| UsageError::new(format!("cannot write the generated crate in `{}`: {e}", layout.crate_dir.display())))?;
    // Module files come first, in module order: name each by its `.ae` file.
    let sources: Vec<(String, String)> = generated
        .files
        .iter()
        .zip(&analysis.program.modules)
        .map(|((rs, _), m)| (rs.to_string_lossy().into_owned(), analysis.program.sources.get(m.file).name.clone()))
        .collect();
    match cargo_build(&layout, release, &sources)? {
        Some(built) => {
            // A failed stamp write only costs a no-op cargo run next time.
            let _ = std::fs::write(layout.stamp_file(), &stamp);
            Ok(Outcome::Built(built))
        }
        None => Ok(Outcome::Failed(ExitCode::from(crate::EXIT_INTERNAL))),
    }
}

/// Where the generated crate and cargo's output live.
struct Layout {
    crate_name: String,
    crate_dir: PathBuf,
    target_dir: PathBuf,
}

impl Layout {
    fn for_target(target: &Target) -> Result<Layout, UsageError> {
        let env_target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).filter(|p| !p.as_os_str().is_empty());
        if let (InputKind::Project, Some(manifest)) = (target.input.kind, &target.manifest) {
            let base = manifest.root.join("target").join("aether");
            return Ok(Layout {
                crate_name: crate_name(&manifest.name),
                crate_dir: base.join("static"),
                target_dir: env_target.unwrap_or_else(|| base.join("build")),
            });
        }
        let cache = cache_dir().ok_or_else(|| {
            UsageError::new("cannot find a cache directory for scripts; set AETHER_CACHE_DIR to a writable directory")
        })?;
        let entry = std::fs::canonicalize(&target.input.entry).unwrap_or_else(|_| target.input.entry.clone());
        let stem = entry.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "script".into());
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        entry.hash(&mut hasher);
        let name = crate_name(&stem);
        Ok(Layout {
            crate_dir: cache.join("programs").join(format!("{name}-{:016x}", hasher.finish())),
            crate_name: name,
            target_dir: env_target.unwrap_or_else(|| cache.join("target")),
        })
    }

    fn executable(&self, release: bool) -> PathBuf {
        let profile = if release { "release" } else { "debug" };
        self.target_dir.join(profile).join(format!("{}{}", self.crate_name, std::env::consts::EXE_SUFFIX))
    }

    fn stamp_file(&self) -> PathBuf {
        self.crate_dir.join(".aether-stamp")
    }
}

/// The runtime crate generated code depends on. It sits beside this crate
/// in the Aether repository; `cargo install --path cargo-aether` keeps that
/// path, so an installed tool builds against the checkout it came from.
pub fn rt_path() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rt = here.join("..").join("aether-rt");
    std::fs::canonicalize(&rt).unwrap_or(rt)
}

fn cache_dir() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
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
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "ae_");
    }
    out
}

/// What identifies a build: the generated text, the profile, and this tool
/// itself (a new `cargo-aether` may bring a new runtime).
fn stamp_of(files: &[(PathBuf, String)], release: bool) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    files.hash(&mut hasher);
    release.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    if let Some(modified) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()).and_then(|m| m.modified().ok()) {
        modified.hash(&mut hasher);
    }
    format!("{:016x}\n", hasher.finish())
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

/// Run cargo on the generated crate, showing its progress. Returns the
/// executable, or `None` after explaining a failure.
fn cargo_build(layout: &Layout, release: bool, sources: &[(String, String)]) -> Result<Option<PathBuf>, UsageError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(layout.crate_dir.join("Cargo.toml"))
        .arg("--message-format=json-diagnostic-rendered-ansi")
        .env("CARGO_TARGET_DIR", &layout.target_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if release {
        cmd.arg("--release");
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| UsageError::new(format!("cannot run `{}`: {e}", Path::new(&cargo).display())))?;
    let mut executable = None;
    let mut rendered = Vec::new();
    let mut files = BTreeSet::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            match msg["reason"].as_str() {
                Some("compiler-artifact") => {
                    if let Some(exe) = msg["executable"].as_str() {
                        executable = Some(PathBuf::from(exe));
                    }
                }
                Some("compiler-message") => {
                    let message = &msg["message"];
                    if let Some(text) = message["rendered"].as_str() {
                        rendered.push(text.to_string());
                    }
                    for span in message["spans"].as_array().into_iter().flatten() {
                        if let Some(f) = span["file_name"].as_str() {
                            files.insert(f.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| UsageError::new(format!("cargo did not finish: {e}")))?;
    if status.success() {
        if let Some(exe) = executable {
            return Ok(Some(exe));
        }
        return Ok(Some(layout.executable(release)));
    }
    explain_rustc_failure(layout, sources, &rendered, &files);
    Ok(None)
}

/// The checker accepted the program, so rustc rejecting the generated code
/// is our bug: say so, show rustc's words, and name the `.ae` files.
fn explain_rustc_failure(layout: &Layout, sources: &[(String, String)], rendered: &[String], files: &BTreeSet<String>) {
    let mut err = std::io::stderr().lock();
    for text in rendered {
        let _ = err.write_all(text.as_bytes());
    }
    let modules: Vec<&str> = sources
        .iter()
        .filter(|(rs, _)| files.iter().any(|f| f.ends_with(rs.as_str())))
        .map(|(_, ae)| ae.as_str())
        .collect();
    let _ = writeln!(err, "error: rustc rejected the Rust generated for this program");
    let _ = writeln!(err, "  = note: this is a bug in Aether, not in your program: the checker accepted it");
    if !modules.is_empty() {
        let _ = writeln!(err, "  = note: generated from {}", modules.join(", "));
    }
    let _ = writeln!(err, "  = note: the generated crate is in {}", layout.crate_dir.display());
    let _ = writeln!(err, "  = help: please report it with the .ae files above");
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

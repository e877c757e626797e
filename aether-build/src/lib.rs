//! Compile Aether modules into an existing Rust crate, from its `build.rs`
//! (static mode; see docs/rust-interop.md).
//!
//! ```text
//! // build.rs
//! fn main() {
//!     aether_build::compile("src/logic");
//! }
//! ```
//!
//! ```text
//! // src/main.rs
//! aether_rt::include_aether!(logic);
//!
//! fn main() {
//!     let player = logic::game::Player { name: "ada".into(), hp: 10 };
//!     println!("{}", logic::game::score(&player));
//! }
//! ```
//!
//! Every `.ae` file under the directory is a module; `src/logic/game.ae`
//! becomes `logic::game`. The modules are checked like any Aether program
//! (but need no `main`); diagnostics name the `.ae` file, line and column
//! and fail the build. The generated Rust goes to
//! `$OUT_DIR/aether/<name>.rs`, which `aether_rt::include_aether!(<name>)`
//! mounts as `mod <name>`.

// No unsafe code in this crate, ever (the workspace only denies it).
#![forbid(unsafe_code)]

use aether_transpile::codegen::hmr::{self as hmr_gen, HmrOptions};
use aether_transpile::codegen::library;
use aether_transpile::diagnostic::Diagnostic;
use aether_transpile::driver::{self, Analysis, Input, Mode};
use aether_transpile::project;
use std::fmt;
use std::path::{Path, PathBuf};

/// What [`try_compile`] wrote.
#[derive(Debug)]
pub struct Compiled {
    /// The generated file (`$OUT_DIR/aether/<name>.rs`).
    pub output: PathBuf,
    /// Every `.ae` file of the program.
    pub sources: Vec<PathBuf>,
    /// Warnings, one line each (`src/logic/game.ae:3:9: warning[W0001]: ...`).
    pub warnings: Vec<String>,
}

/// Why [`try_compile`] failed.
#[derive(Debug)]
pub enum Error {
    /// The Aether program has errors. `summary` holds one line per error
    /// (`file:line:col: error[CODE]: message`), `rendered` the full
    /// rustc-style rendering of every diagnostic.
    Diagnostics { summary: Vec<String>, rendered: String, sources: Vec<PathBuf> },
    /// Not a directory of `.ae` files, or an unusable name.
    Input(String),
    /// The generator cannot handle part of the program yet: E0700
    /// diagnostics, reported like the checker's.
    Unsupported(Refused),
    /// `OUT_DIR` is missing (not run by cargo) or not writable.
    Output(String),
}

/// What the generator refused (see [`Error::Unsupported`]).
#[derive(Debug)]
pub struct Refused {
    /// One line per refusal (`file:line:col: error[E0700]: message`).
    pub summary: Vec<String>,
    /// The rustc-style rendering of every refusal.
    pub rendered: String,
}

/// Compile the `.ae` files under `dir` (relative to the package root) as the
/// module `<last component of dir>`, for a `build.rs`. Prints
/// `cargo::rerun-if-changed` for the directory and every file, warnings as
/// `cargo::warning`, and on errors `cargo::error` lines plus the full
/// diagnostics, then exits the build script with status 1.
pub fn compile(dir: impl AsRef<Path>) {
    let dir = dir.as_ref();
    let name = default_name(dir);
    compile_named(dir, &name);
}

/// Like [`compile`], mounted as `include_aether!(<name>)`.
pub fn compile_named(dir: impl AsRef<Path>, name: &str) {
    let dir = dir.as_ref();
    println!("cargo::rerun-if-changed={}", dir.display());
    report(try_compile(dir, name));
}

/// The checking and generation of [`compile`] without printing anything:
/// `dir` is relative to `CARGO_MANIFEST_DIR` (or absolute); the output goes
/// to `$OUT_DIR/aether/<name>.rs`.
pub fn try_compile(dir: &Path, name: &str) -> Result<Compiled, Error> {
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| Error::Output("OUT_DIR is not set: call this from a build script".into()))?;
    let package = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    compile_to(&package, dir, name, &out_dir.join("aether"))
}

/// [`try_compile`] with every location explicit: `dir` relative to
/// `package` (diagnostics name files relative to it), output in
/// `out/<name>.rs`.
pub fn compile_to(package: &Path, dir: &Path, name: &str, out: &Path) -> Result<Compiled, Error> {
    if !is_rust_ident(name) {
        return Err(Error::Input(format!("`{name}` cannot name a Rust module; pass another name to `compile_named`")));
    }
    let input = Input::host_modules(package, dir).map_err(|e| Error::Input(e.to_string()))?;
    let src_root = input.src_root();
    let sources = project::ae_files(src_root);
    let Analysis { program, checked, diagnostics: diags } = driver::analyze(&input, Mode::Library);
    let line = |d: &Diagnostic| d.summary(&program.sources);
    let refused = |refusals: Vec<Diagnostic>| {
        Error::Unsupported(Refused {
            summary: refusals.iter().map(line).collect(),
            rendered: refusals.iter().map(|d| d.render(&program.sources)).collect(),
        })
    };
    let warnings: Vec<String> = diags.iter().filter(|d| !d.is_error()).map(line).collect();
    if diags.iter().any(Diagnostic::is_error) {
        let summary = diags.iter().filter(|d| d.is_error()).map(line).collect();
        let rendered = diags.iter().map(|d| d.render(&program.sources)).collect();
        return Err(Error::Diagnostics { summary, rendered, sources });
    }
    if let Some(hmr) = HmrBuild::from_env() {
        // `cargo aether run --hmr` builds this crate: bindings that call the
        // module libraries it builds itself, from the same options.
        let opts = hmr.options(name);
        let (_, bindings) = hmr_gen::generate_library(&program, &checked, &opts).map_err(refused)?;
        let output = out.join(format!("{name}.rs"));
        write_if_changed(&output, &bindings)
            .map_err(|e| Error::Output(format!("cannot write `{}`: {e}", output.display())))?;
        hmr.record(name, src_root).map_err(Error::Output)?;
        return Ok(Compiled { output, sources, warnings });
    }
    let lib = library::generate(&program, &checked).map_err(refused)?;
    let mut warnings = warnings;
    warnings.extend(lib.skipped.iter().map(|s| format!("no Rust binding for {s}")));
    let output = out.join(format!("{name}.rs"));
    write_if_changed(&output, &lib.code)
        .map_err(|e| Error::Output(format!("cannot write `{}`: {e}", output.display())))?;
    Ok(Compiled { output, sources, warnings })
}

/// The build script of an Aether project (what `aether new` writes): check
/// the program the package's `[package.metadata.aether]` describes (`src`,
/// `entry`; `src/main.ae` by default) and write its Rust to
/// `$OUT_DIR/aether/program/`, for `aether_rt::include_program!()` in
/// `src/main.rs`. Diagnostics are printed as [`compile`] prints them.
pub fn compile_program() {
    let package = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let (src, entry) = program_settings(&package);
    println!("cargo::rerun-if-changed={}", package.join(&src).display());
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let result = match out {
        Some(out) => compile_program_to(&package, &src, &entry, &out.join("aether").join("program")),
        None => Err(Error::Output("OUT_DIR is not set: call this from a build script".into())),
    };
    report(result);
}

/// [`compile_program`] with every location explicit: the program is
/// `package/src/entry`; the files go under `out` (absolute).
pub fn compile_program_to(package: &Path, src: &Path, entry: &Path, out: &Path) -> Result<Compiled, Error> {
    let manifest = std::fs::read_to_string(package.join("Cargo.toml")).unwrap_or_default();
    let input = Input::project(package, src, entry)
        .map_err(|e| Error::Input(e.to_string()))?
        .with_crates(dependency_names(&manifest));
    let sources = project::ae_files(input.src_root());
    let Analysis { program, checked, diagnostics: diags } = driver::analyze(&input, Mode::Program);
    let line = |d: &Diagnostic| d.summary(&program.sources);
    let warnings: Vec<String> = diags.iter().filter(|d| !d.is_error()).map(line).collect();
    if diags.iter().any(Diagnostic::is_error) {
        let summary = diags.iter().filter(|d| d.is_error()).map(line).collect();
        let rendered = diags.iter().map(|d| d.render(&program.sources)).collect();
        return Err(Error::Diagnostics { summary, rendered, sources });
    }
    let files = aether_transpile::codegen::generate_included(&program, &checked, out).map_err(|refusals| {
        Error::Unsupported(Refused {
            summary: refusals.iter().map(line).collect(),
            rendered: refusals.iter().map(|d| d.render(&program.sources)).collect(),
        })
    })?;
    for (rel, text) in &files {
        let path = out.join(rel);
        write_if_changed(&path, text).map_err(|e| Error::Output(format!("cannot write `{}`: {e}", path.display())))?;
    }
    Ok(Compiled { output: out.join("src").join("main.rs"), sources, warnings })
}

/// `src` and `entry` from `[package.metadata.aether]` in the package's
/// `Cargo.toml` (the defaults when absent). Read as text: a build script
/// cannot run `cargo metadata` on its own package, and these two keys are
/// all it needs; the CLI validates the whole table.
fn program_settings(package: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(package.join("Cargo.toml")).unwrap_or_default();
    let mut in_table = false;
    let (mut src, mut entry) = (PathBuf::from("src"), PathBuf::from("main.ae"));
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_table = line == "[package.metadata.aether]";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let value = value.trim().trim_matches('"');
        match (in_table, key.trim()) {
            (true, "src") => src = PathBuf::from(value),
            (true, "entry") => entry = PathBuf::from(value),
            _ => {}
        }
    }
    (src, entry)
}

/// The names of a manifest's `[dependencies]` (`name = ...`,
/// `name.workspace = true`, `[dependencies.name]`): the crates a program's
/// `extern fn`s may bind to, as the CLI finds them with `cargo metadata`
/// (which a build script cannot run on its own package). Read as text, like
/// [`program_settings`]; a name too many only lets rustc, rather than the
/// checker's E0108, report a path into it.
fn dependency_names(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_table = false;
    let unquote = |k: &str| k.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            let header = line.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            in_table = header == "dependencies";
            if let Some(name) = header.strip_prefix("dependencies.") {
                names.push(unquote(name));
            }
            continue;
        }
        if !in_table || line.starts_with('#') {
            continue;
        }
        let Some((key, _)) = line.split_once('=') else { continue };
        let key = key.split('.').next().unwrap_or(key);
        if !key.trim().is_empty() {
            names.push(unquote(key));
        }
    }
    names
}

/// Print what a build script reports: sources to watch, warnings, and on
/// failure the diagnostics, then exit with status 1.
fn report(result: Result<Compiled, Error>) {
    match result {
        Ok(done) => {
            for s in &done.sources {
                println!("cargo::rerun-if-changed={}", s.display());
            }
            for w in &done.warnings {
                println!("cargo::warning={w}");
            }
        }
        Err(e) => {
            if let Error::Diagnostics { sources, rendered, .. } = &e {
                for s in sources {
                    println!("cargo::rerun-if-changed={}", s.display());
                }
                eprint!("{rendered}");
            }
            if let Error::Unsupported(refused) = &e {
                eprint!("{}", refused.rendered);
            }
            for line in e.to_string().lines() {
                println!("cargo::error={line}");
            }
            std::process::exit(1);
        }
    }
}

/// What `cargo aether run --hmr` tells a host crate's build script through
/// the environment (see `cargo-aether/src/hmr.rs`).
pub struct HmrBuild {
    /// `AETHER_HMR_PROGRAM`: the prefix of the module libraries' package names.
    pub program: String,
    /// `AETHER_HMR_LIB_DIR`: where cargo puts the module libraries.
    pub lib_dir: PathBuf,
    /// `AETHER_HMR_INFO`: where to record which directories were compiled.
    pub info: PathBuf,
}

impl HmrBuild {
    /// Set when `AETHER_HMR=1` and the other variables are there.
    pub fn from_env() -> Option<HmrBuild> {
        for var in ["AETHER_HMR", "AETHER_HMR_PROGRAM", "AETHER_HMR_LIB_DIR", "AETHER_HMR_INFO"] {
            println!("cargo::rerun-if-env-changed={var}");
        }
        if std::env::var("AETHER_HMR").ok().as_deref() != Some("1") {
            return None;
        }
        let info = PathBuf::from(std::env::var_os("AETHER_HMR_INFO")?);
        // The CLI removes the record before each build, so this script runs
        // again each time `cargo aether run --hmr` starts.
        println!("cargo::rerun-if-changed={}", info.display());
        Some(HmrBuild {
            program: std::env::var("AETHER_HMR_PROGRAM").ok()?,
            lib_dir: PathBuf::from(std::env::var_os("AETHER_HMR_LIB_DIR")?),
            info,
        })
    }

    /// The options both sides generate with, for the modules named `name`.
    pub fn options(&self, name: &str) -> HmrOptions {
        HmrOptions {
            program: format!("{}_{name}", self.program),
            rt_path: PathBuf::new(),
            lib_dir: self.lib_dir.clone(),
            exclude: Vec::new(),
        }
    }

    /// Append `name<TAB>src_root` to the record the CLI reads.
    fn record(&self, name: &str, src_root: &Path) -> Result<(), String> {
        use std::io::Write;
        let root = src_root.canonicalize().unwrap_or_else(|_| src_root.to_path_buf());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.info)
            .map_err(|e| format!("cannot write `{}`: {e}", self.info.display()))?;
        writeln!(file, "{name}\t{}", root.display()).map_err(|e| format!("cannot write `{}`: {e}", self.info.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Diagnostics { summary, .. } => {
                for line in summary {
                    writeln!(f, "{line}")?;
                }
                write!(f, "the Aether modules have {} error(s)", summary.len())
            }
            Error::Input(m) | Error::Output(m) => f.write_str(m),
            Error::Unsupported(refused) => {
                write!(f, "the Aether modules use what a Rust host crate cannot build yet:")?;
                for line in &refused.summary {
                    write!(f, "\n{line}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// `src/logic` → `logic`.
fn default_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "aether".into())
}

fn is_rust_ident(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

/// Rewriting an unchanged file would make cargo recompile the host crate.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    #[test]
    fn generates_bindings_and_lists_sources() {
        let pkg = package(&[
            ("src/logic/game.ae", "pub struct P { hp: int }\nstate hits: int = 0\npub fn hit(mut p: P) -> int {\n    hits += 1\n    p.hp -= 1\n    hits\n}\n"),
            ("src/logic/util.ae", "pub fn twice(x: int) -> int { x * 2 }\n"),
        ]);
        let out = pkg.path().join("out");
        let done = compile_to(pkg.path(), Path::new("src/logic"), "logic", &out).expect("compiles");
        assert_eq!(done.sources.len(), 2);
        let code = std::fs::read_to_string(&done.output).expect("output");
        assert!(code.contains("pub fn hit(p: &mut P) -> i64"), "{code}");
        assert!(code.contains("pub fn twice(x: i64) -> i64"), "{code}");
        assert!(code.contains("__SHARED.call("), "{code}");
        let paths = code.lines().filter(|l| !l.trim_start().starts_with("//"));
        assert!(!paths.into_iter().any(|l| l.contains("crate::")), "generated paths must be re-rooted:\n{code}");
    }

    #[test]
    fn errors_name_the_ae_file_line_and_column() {
        let pkg = package(&[("src/logic/game.ae", "pub fn f() -> int {\n    \"no\"\n}\n")]);
        let err = compile_to(pkg.path(), Path::new("src/logic"), "logic", &pkg.path().join("out")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("src/logic/game.ae:2:5: error[E0300]: mismatched types"), "{text}");
        let Error::Diagnostics { rendered, sources, .. } = err else { panic!("diagnostics expected") };
        assert!(rendered.contains("--> src/logic/game.ae:2:5"), "{rendered}");
        assert_eq!(sources.len(), 1);
    }

    #[test]
    fn a_project_program_is_written_to_be_included() {
        let pkg = package(&[
            ("src/main.ae", "import util\nfn main() {\n    println(util.twice(2))\n}\n"),
            ("src/util.ae", "pub fn twice(x: int) -> int { x * 2 }\n"),
        ]);
        let out = pkg.path().join("out");
        let done = compile_program_to(pkg.path(), Path::new("src"), Path::new("main.ae"), &out).expect("compiles");
        assert_eq!(done.output, out.join("src/main.rs"));
        let main = std::fs::read_to_string(&done.output).expect("main.rs");
        // `include!` takes items only, and `mod` paths resolve beside the
        // including file: no inner attributes, every module pathed.
        assert!(!main.contains("#!["), "{main}");
        let util = out.join("src/util.rs").to_string_lossy().into_owned();
        assert!(main.contains(&format!("#[path = \"{util}\"]")), "{main}");
        assert!(main.contains("fn main()"), "{main}");
        assert!(out.join("src/util.rs").is_file());

        let bad = package(&[("src/main.ae", "fn main() {\n    let x: int = \"no\"\n}\n")]);
        let err = compile_program_to(bad.path(), Path::new("src"), Path::new("main.ae"), &out).unwrap_err();
        assert!(err.to_string().starts_with("src/main.ae:2:18: error[E0300]"), "{err}");
    }

    #[test]
    fn extern_fns_bind_the_packages_dependencies() {
        let manifest = "[package]\nname = \"p\"\n\n[dependencies]\naether-rt = { path = \"x\" }\nstr-sim = \"0.11\"\n\
                        serde.workspace = true\n# a comment\n\n[dependencies.'itoa']\nversion = \"1\"\n\n\
                        [dev-dependencies]\ntempfile = \"3\"\n";
        assert_eq!(dependency_names(manifest), ["aether-rt", "str-sim", "serde", "itoa"]);
        let program = "extern fn d(a: str, b: str) -> int = \"str_sim::levenshtein\"\n\
                       extern fn t() -> int = \"tempfile::t\"\n\nfn main() {\n    println(d(\"a\", \"b\") + t())\n}\n";
        let pkg = package(&[("Cargo.toml", manifest), ("src/main.ae", program)]);
        let out = pkg.path().join("out");
        let err = compile_program_to(pkg.path(), Path::new("src"), Path::new("main.ae"), &out).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("src/main.ae:2:24: error[E0108]") && text.contains("`tempfile`"), "{text}");
        assert!(!text.contains("str_sim"), "a dependency's crate is known: {text}");
    }

    #[test]
    fn bad_inputs_are_reported() {
        let pkg = package(&[("src/empty/readme.txt", "no aether here")]);
        let out = pkg.path().join("out");
        assert!(matches!(compile_to(pkg.path(), Path::new("src/empty"), "empty", &out), Err(Error::Input(_))));
        assert!(matches!(compile_to(pkg.path(), Path::new("src/missing"), "m", &out), Err(Error::Input(_))));
        assert!(matches!(compile_to(pkg.path(), Path::new("src/empty"), "1x", &out), Err(Error::Input(_))));
    }

    #[test]
    fn state_holding_a_function_is_refused() {
        let pkg = package(&[("src/logic/game.ae", "state f: fn(int) -> int = |x| x\npub fn g() -> int { f(1) }\n")]);
        let err = compile_to(pkg.path(), Path::new("src/logic"), "logic", &pkg.path().join("out")).unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("state `f` of module `game` holds a function value"), "{err}");
    }
}

//! The front end as one call: what the user pointed at → a loaded, checked
//! program with every diagnostic in reading order.
//!
//! Every command of `cargo aether` (check, build, run, the reloader,
//! expand) and `aether-build` (a host crate's build script) call
//! [`analyze`], so that they all agree on what a program is: an [`Input`]
//! says where the sources are and how to load them, a [`Mode`] what they
//! are checked as. Reading Cargo manifests is the caller's job (this crate
//! does not depend on Cargo): the caller passes the package root and the
//! `[package.metadata.aether]` settings to [`Input::project`].

use crate::check;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::project::{self, Program};
use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::check::Mode;

/// What kind of thing an [`Input`] was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A Cargo package with its Aether sources under a source directory.
    Project,
    /// A single `.ae` file: the entry; its directory is the source root.
    Script,
    /// A directory of `.ae` files without a Cargo manifest.
    Directory,
    /// The `.ae` modules a Rust crate compiles in from its build script.
    HostModules,
}

/// Where a program's sources are, resolved and validated: built only by
/// the constructors below, which check what they can on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    kind: InputKind,
    /// Every `.ae` file under this directory is a module of the program
    /// (for a script: the directory its imports are found in).
    src_root: PathBuf,
    /// The entry module's file, inside `src_root`: where loading starts.
    entry: PathBuf,
    /// Diagnostics name files relative to this directory; empty: as
    /// given (relative paths stay relative to where the user stands).
    display_base: PathBuf,
    /// The crates a program's `extern fn`s may bind to (Rust names, `_`
    /// for `-`), when the caller knows them ([`Input::with_crates`]); a
    /// path into any other crate is E0108.
    crates: Option<Vec<String>>,
}

/// Why a path cannot be turned into an [`Input`]. Each renders as one
/// sentence, fit for `error: ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    NotFound(PathBuf),
    /// A file that is not an `.ae` file.
    NotAether(PathBuf),
    /// A project's source directory is missing.
    NoSourceDir(PathBuf),
    /// A source directory with no `.ae` file under it.
    NoSources(PathBuf),
    /// The entry file does not exist.
    NoEntry(PathBuf),
    /// A directory without `main.ae` and with several top-level `.ae` files.
    AmbiguousEntry(PathBuf),
    /// A host crate's module directory is missing or not a directory.
    NotADirectory(PathBuf),
}

/// A loaded and checked program.
#[derive(Debug)]
pub struct Analysis {
    pub program: Program,
    /// What the checker learned (types, resolutions, side tables), for code
    /// generation. Its diagnostics are moved into [`Analysis::diagnostics`].
    pub checked: check::CheckResult,
    /// Loading and checking diagnostics, sorted into reading order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Input {
    /// A project rooted at `package_root` (the directory of its
    /// `Cargo.toml`). `src` is relative to the package root, `entry` to
    /// `src`; diagnostics name files relative to the package root
    /// (`src/game.ae`).
    pub fn project(package_root: &Path, src: &Path, entry: &Path) -> Result<Input, InputError> {
        let src_root = join_tidy(package_root, src);
        if !src_root.is_dir() {
            return Err(InputError::NoSourceDir(src_root));
        }
        if !has_sources(&src_root) {
            return Err(InputError::NoSources(src_root));
        }
        let entry = src_root.join(entry);
        if !entry.is_file() {
            return Err(InputError::NoEntry(entry));
        }
        Ok(Input { kind: InputKind::Project, src_root, entry, display_base: package_root.to_path_buf(), crates: None })
    }

    /// A single `.ae` file: it and the modules it imports from its
    /// directory (not every file there: a directory of scripts is not one
    /// program). Diagnostics name files the way the user named this one
    /// (`examples/hello.ae`): relative paths are shown as given.
    pub fn script(file: &Path) -> Result<Input, InputError> {
        if !file.exists() {
            return Err(InputError::NotFound(file.to_path_buf()));
        }
        if !file.is_file() || !is_ae(file) {
            return Err(InputError::NotAether(file.to_path_buf()));
        }
        let dir = parent_dir(file);
        Ok(Input {
            kind: InputKind::Script,
            entry: dir.join(file.file_name().unwrap_or(file.as_os_str())),
            display_base: PathBuf::new(),
            src_root: dir,
            crates: None,
        })
    }

    /// A directory of `.ae` files without a manifest: the directory is the
    /// source root (every `.ae` file under it is checked) and `main.ae` the
    /// entry; if there is no `main.ae` but exactly one `.ae` file directly
    /// inside, that file is the entry. Files are named as for scripts.
    pub fn directory(dir: &Path) -> Result<Input, InputError> {
        if !dir.is_dir() {
            return Err(InputError::NotFound(dir.to_path_buf()));
        }
        if !has_sources(dir) {
            return Err(InputError::NoSources(dir.to_path_buf()));
        }
        let main = dir.join("main.ae");
        let entry = if main.is_file() {
            main
        } else {
            let mut top: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_ae(p))
                .collect();
            match top.len() {
                0 => return Err(InputError::NoEntry(main)),
                1 => top.remove(0),
                _ => return Err(InputError::AmbiguousEntry(dir.to_path_buf())),
            }
        };
        Ok(Input {
            kind: InputKind::Directory,
            src_root: dir.to_path_buf(),
            entry,
            display_base: PathBuf::new(),
            crates: None,
        })
    }

    /// The `.ae` modules a Rust crate compiles in from its build script:
    /// every `.ae` file under `dir` (relative to `package`, the crate's
    /// directory, or absolute), none of them an entry; loading starts at
    /// the first in file-name order. Diagnostics name files relative to
    /// `package` (`src/logic/game.ae`). Analyze it as [`Mode::Library`].
    pub fn host_modules(package: &Path, dir: &Path) -> Result<Input, InputError> {
        let src_root = join_tidy(package, dir);
        if !src_root.is_dir() {
            return Err(InputError::NotADirectory(src_root));
        }
        let Some(entry) = project::ae_files(&src_root).into_iter().next() else {
            return Err(InputError::NoSources(src_root));
        };
        Ok(Input { kind: InputKind::HostModules, src_root, entry, display_base: package.to_path_buf(), crates: None })
    }

    /// A project as its settings describe it, without looking at the disk:
    /// for a Rust host crate, which cargo builds, whose build script names
    /// the directory it compiles ([`Input::host_modules`]); its settings'
    /// paths need not exist.
    pub fn project_unchecked(package_root: &Path, src: &Path, entry: &Path) -> Input {
        let src_root = package_root.join(src);
        Input {
            kind: InputKind::Project,
            entry: src_root.join(entry),
            src_root,
            display_base: package_root.to_path_buf(),
            crates: None,
        }
    }

    /// The crates the program depends on, by the names its Rust code uses
    /// (`serde_json` for `serde-json`): what its `extern fn`s may bind to.
    pub fn with_crates(mut self, crates: impl IntoIterator<Item = String>) -> Input {
        self.crates = Some(crates.into_iter().map(|c| c.replace('-', "_")).collect());
        self
    }

    pub fn kind(&self) -> InputKind {
        self.kind
    }

    /// The directory whose `.ae` files are the program's modules (for a
    /// script: where its imports are found).
    pub fn src_root(&self) -> &Path {
        &self.src_root
    }

    /// The entry module's file, inside [`Input::src_root`].
    pub fn entry(&self) -> &Path {
        &self.entry
    }
}

impl Analysis {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Load the program `input` describes, check it as `mode` says, and collect
/// every diagnostic in reading order. The checker runs even after load
/// errors: the parser leaves `Error` nodes the checker skips, so the user
/// sees type errors in the files that did parse.
pub fn analyze(input: &Input, mode: Mode) -> Analysis {
    let loaded = match input.kind {
        InputKind::Script => project::load_script(&input.entry, &input.display_base),
        InputKind::Project | InputKind::Directory | InputKind::HostModules => {
            project::load_from_disk(&input.src_root, &input.entry, &input.display_base)
        }
    };
    let mut analysis = analyze_loaded(loaded, mode);
    if let (Some(crates), true) = (&input.crates, mode != Mode::Library) {
        analysis.diagnostics.extend(unknown_crates(&analysis, crates));
        diagnostic::sort(&mut analysis.diagnostics);
    }
    analysis
}

/// E0108 for each `extern fn` whose path starts with a crate the program
/// does not depend on, other than `std`, `core` and `alloc` (paths without
/// a crate are the checker's E0107).
fn unknown_crates(analysis: &Analysis, crates: &[String]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for module in &analysis.program.modules {
        for item in &module.ast.items {
            let crate::ast::ItemKind::ExternFn(x) = &item.kind else { continue };
            let Some((first, _)) = x.path.split_once("::") else { continue };
            // The standard library's crates need no dependency.
            let std = matches!(first, "std" | "core" | "alloc");
            if matches!(first, "crate" | "self" | "super" | "") || std || crates.iter().any(|c| c == first) {
                continue;
            }
            let known = if crates.is_empty() {
                "the program depends on no crate".to_string()
            } else {
                format!("its crates are {}", crates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))
            };
            let mut d = Diagnostic::at(
                diagnostic::Code::E0108,
                x.path_span,
                format!("`extern fn {}` names `{first}`, which is not a dependency of this program", x.name.name),
            )
            .with_note(known);
            d = match crates.iter().find(|c| strsim_close(c, first)) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help(format!(
                    "add it with `cargo add {first}` (a script: under `[dependencies]` in its `---cargo` frontmatter)"
                )),
            };
            found.push(d);
        }
    }
    found
}

/// Whether `a` and `b` differ by at most one character (a typo).
fn strsim_close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    // One edit: skip the common prefix and suffix, at most one left each.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    a.len() - prefix - suffix <= 1 && b.len() - prefix - suffix <= 1
}

/// [`analyze`] with the text of some files taken from `overlay` (full
/// path → text) rather than the disk: what a language server checks as the
/// user types, before anything is saved.
pub fn analyze_overlaid(input: &Input, mode: Mode, overlay: &std::collections::HashMap<PathBuf, String>) -> Analysis {
    let all_files = input.kind != InputKind::Script;
    let loaded = project::load_overlaid(&input.src_root, &input.entry, &input.display_base, all_files, overlay);
    analyze_loaded(loaded, mode)
}

/// The second half of [`analyze`], for a program loaded some other way
/// ([`project::load_in_memory`], in tests and tools): check it as `mode`
/// says, and add the checker's diagnostics to the loader's.
pub fn analyze_loaded((mut program, mut diagnostics): (Program, Vec<Diagnostic>), mode: Mode) -> Analysis {
    if mode == Mode::Library {
        // A library has no entry module: the file loading started at is one
        // module among the others, and no `main` runs.
        program.entry = None;
    }
    let mut checked = check::check(&program, mode);
    diagnostics.append(&mut checked.diagnostics);
    if mode == Mode::Program && !diagnostics.iter().any(Diagnostic::is_error) {
        // What `build` would refuse, `check` reports too.
        diagnostics.extend(crate::codegen::refusals(&program, &checked));
    }
    diagnostic::sort(&mut diagnostics);
    Analysis { program, checked, diagnostics }
}

/// `base/rel`, without a leading `./` that would show in messages.
pub fn join_tidy(base: &Path, rel: &Path) -> PathBuf {
    if base.as_os_str().is_empty() || base == Path::new(".") {
        rel.to_path_buf()
    } else {
        base.join(rel)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotFound(p) => write!(f, "`{}` does not exist", p.display()),
            InputError::NotAether(p) => {
                write!(f, "`{}` is not an `.ae` file or a directory", p.display())
            }
            InputError::NoSourceDir(p) => write!(f, "source directory `{}` does not exist", p.display()),
            InputError::NoSources(p) => write!(f, "no `.ae` files found in `{}`", p.display()),
            InputError::NoEntry(p) => write!(f, "entry file `{}` does not exist", p.display()),
            InputError::AmbiguousEntry(p) => {
                write!(f, "`{}` has no `main.ae` and several `.ae` files; name the entry file instead", p.display())
            }
            InputError::NotADirectory(p) => write!(f, "`{}` is not a directory of `.ae` files", p.display()),
        }
    }
}

impl std::error::Error for InputError {}

fn is_ae(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ae")
}

/// Whether any `.ae` file lives under `dir`, at any depth.
fn has_sources(dir: &Path) -> bool {
    !project::ae_files(dir).is_empty()
}

/// The directory of `file` as the user wrote it (`.` for a bare file name).
fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "aether-driver-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn project_input_validates_source_dir_and_entry() {
        let root = temp();
        assert_eq!(
            Input::project(&root, Path::new("src"), Path::new("main.ae")),
            Err(InputError::NoSourceDir(root.join("src")))
        );
        fs::create_dir_all(root.join("src")).unwrap();
        assert_eq!(
            Input::project(&root, Path::new("src"), Path::new("main.ae")),
            Err(InputError::NoSources(root.join("src")))
        );
        fs::write(root.join("src/game.ae"), "fn f() {}\n").unwrap();
        assert_eq!(
            Input::project(&root, Path::new("src"), Path::new("main.ae")),
            Err(InputError::NoEntry(root.join("src/main.ae")))
        );
        fs::write(root.join("src/main.ae"), "fn main() {}\n").unwrap();
        let input = Input::project(&root, Path::new("src"), Path::new("main.ae")).unwrap();
        assert_eq!(input.src_root, root.join("src"));
        assert_eq!(input.entry, root.join("src/main.ae"));
        assert_eq!(input.display_base, root);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn script_input_uses_its_directory_as_source_root() {
        let root = temp();
        let file = root.join("hello.ae");
        assert_eq!(Input::script(&file), Err(InputError::NotFound(file.clone())));
        fs::write(&file, "fn main() {}\n").unwrap();
        let input = Input::script(&file).unwrap();
        assert_eq!((input.src_root, input.entry), (root.clone(), file.clone()));
        let txt = root.join("notes.txt");
        fs::write(&txt, "hi").unwrap();
        assert_eq!(Input::script(&txt), Err(InputError::NotAether(txt)));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn tidy_join_drops_the_current_directory() {
        assert_eq!(join_tidy(Path::new("."), Path::new("src")), PathBuf::from("src"));
        assert_eq!(join_tidy(Path::new(""), Path::new("src")), PathBuf::from("src"));
        assert_eq!(join_tidy(Path::new("life"), Path::new("src")), PathBuf::from("life/src"));
    }

    #[test]
    fn bare_file_name_has_current_directory_as_root() {
        assert_eq!(parent_dir(Path::new("hello.ae")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("examples/hello.ae")), PathBuf::from("examples"));
    }

    #[test]
    fn analyze_loads_checks_and_sorts() {
        let root = temp();
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/main.ae"), "import game\nimport gone\n\nfn main() {\n    game.tick()\n}\n").unwrap();
        fs::write(root.join("src/game.ae"), "pub fn tick() {\n    let = 1\n}\n").unwrap();
        let input = Input::project(&root, Path::new("src"), Path::new("main.ae")).unwrap();
        let analysis = analyze(&input, Mode::Program);
        let names: Vec<_> = analysis.program.sources.files().map(|(_, f)| f.name.clone()).collect();
        assert!(names.contains(&"src/main.ae".to_string()) && names.contains(&"src/game.ae".to_string()), "{names:?}");
        let located: Vec<_> = analysis
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.location(&analysis.program.sources).map(|l| l.0)))
            .collect();
        assert!(located.contains(&("E0100", Some("src/main.ae".to_string()))), "{located:?}");
        assert!(located.contains(&("E0007", Some("src/game.ae".to_string()))), "{located:?}");
        assert_eq!(analysis.error_count(), analysis.diagnostics.len());
        assert!(analysis.has_errors());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn host_modules_have_no_entry_and_may_bind_extern_fns() {
        let root = temp();
        assert_eq!(
            Input::host_modules(&root, Path::new("src/logic")),
            Err(InputError::NotADirectory(root.join("src/logic")))
        );
        fs::create_dir_all(root.join("src/logic")).unwrap();
        assert_eq!(
            Input::host_modules(&root, Path::new("src/logic")),
            Err(InputError::NoSources(root.join("src/logic")))
        );
        fs::write(root.join("src/logic/b.ae"), "extern fn log(s: str) = \"crate::log\"\npub fn f() { log(\"hi\") }\n")
            .unwrap();
        fs::write(root.join("src/logic/a.ae"), "pub fn g() -> int { 1 }\n").unwrap();
        let input = Input::host_modules(&root, Path::new("src/logic")).unwrap();
        assert_eq!((input.kind(), input.entry()), (InputKind::HostModules, root.join("src/logic/a.ae").as_path()));
        let library = analyze(&input, Mode::Library);
        assert_eq!(library.diagnostics, Vec::new());
        assert_eq!((library.program.entry, library.program.modules.len()), (None, 2));
        // Built on its own, the same modules have no host for `extern fn`
        // and the entry no `main`.
        let codes: Vec<_> = analyze(&input, Mode::Program).diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["E0105", "E0107"]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn module_mode_needs_no_main() {
        let root = temp();
        let file = root.join("grid.ae");
        fs::write(&file, "pub fn width() -> int { 3 }\n").unwrap();
        let input = Input::script(&file).unwrap();
        let module = analyze(&input, Mode::Module);
        assert!(module.diagnostics.is_empty(), "{:?}", module.diagnostics);
        assert!(module.program.entry.is_some());
        assert!(analyze(&input, Mode::Program).diagnostics.iter().any(|d| d.code.as_str() == "E0105"));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn directory_input_picks_main_or_the_only_file() {
        let root = temp();
        assert_eq!(Input::directory(&root), Err(InputError::NoSources(root.clone())));
        fs::write(root.join("solo.ae"), "fn main() {}\n").unwrap();
        assert_eq!(Input::directory(&root).unwrap().entry, root.join("solo.ae"));
        fs::write(root.join("other.ae"), "fn f() {}\n").unwrap();
        assert_eq!(Input::directory(&root), Err(InputError::AmbiguousEntry(root.clone())));
        fs::write(root.join("main.ae"), "fn main() {}\n").unwrap();
        assert_eq!(Input::directory(&root).unwrap().entry, root.join("main.ae"));
        fs::remove_dir_all(root).unwrap();
    }
}

//! `cargo aether check` in a Rust host crate: the crate has no Aether
//! program of its own; its build script compiles directories of `.ae`
//! modules in (`aether_build::compile("src/logic")`). Those directories
//! are checked as its build script checks them ([`driver::Mode::Library`]:
//! no entry, `extern fn`s bind to the crate's functions), without building
//! the crate: the directories are read from `build.rs`'s string literals.

use crate::manifest::Manifest;
use crate::report::{self, Action, MessageFormat};
use crate::Error;
use aether_transpile::driver::{self, Input};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(manifest: &Manifest, format: MessageFormat) -> Result<ExitCode, Error> {
    let build_rs = driver::join_tidy(&manifest.root, Path::new("build.rs"));
    let text = std::fs::read_to_string(&build_rs).map_err(|e| {
        Error::usage(format!("cannot read `{}` of Rust host crate `{}`: {e}", build_rs.display(), manifest.name))
    })?;
    let dirs = compiled_dirs(&text);
    if dirs.is_empty() {
        return Err(Error::usage(format!(
            "`{}` calls no `aether_build::compile(\"DIR\")` with a literal directory, so `check` cannot tell which \
             `.ae` files `{}` compiles; check a directory of modules with `aether check DIR` instead",
            build_rs.display(),
            manifest.name
        )));
    }
    let mut status = ExitCode::SUCCESS;
    for dir in dirs {
        let input = Input::host_modules(&manifest.root, &dir).map_err(|e| Error::usage(e.to_string()))?;
        let analysis = driver::analyze(&input, driver::Mode::Library);
        let name = format!("{} ({})", manifest.name, dir.display());
        if report::emit(&analysis, format, Action::CHECK, &name) != ExitCode::SUCCESS {
            status = ExitCode::from(crate::EXIT_ERRORS);
        }
    }
    Ok(status)
}

/// The directories a build script passes to `aether_build::compile` or
/// `compile_named` as string literals, in order, each once. Comments are
/// skipped; a directory computed at run time is not seen.
fn compiled_dirs(build_rs: &str) -> Vec<PathBuf> {
    let code: String = build_rs.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut dirs: Vec<PathBuf> = Vec::new();
    for call in ["compile(", "compile_named("] {
        for (at, _) in code.match_indices(call) {
            // `aether_build::compile(`, or `compile(` after a `use`.
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = code[at + call.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else { continue };
            let Some(end) = rest.find('"') else { continue };
            let dir = PathBuf::from(&rest[..end]);
            if !dir.as_os_str().is_empty() && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::compiled_dirs;
    use std::path::PathBuf;

    #[test]
    fn literal_directories_are_found() {
        let check = |src: &str, expect: &[&str]| {
            assert_eq!(compiled_dirs(src), expect.iter().map(PathBuf::from).collect::<Vec<_>>(), "{src}");
        };
        check("fn main() {\n    aether_build::compile(\"src/logic\");\n}\n", &["src/logic"]);
        check(
            "use aether_build::{compile, compile_named};\nfn main() {\n    compile( \"a\" );\n    compile_named(\"b\", \"bee\");\n    compile(\"a\");\n}\n",
            &["a", "b"],
        );
        check("fn main() {\n    // aether_build::compile(\"old\");\n    try_compile(p, \"x\");\n}\n", &[]);
        check("fn main() {\n    aether_build::compile(dir);\n}\n", &[]);
    }
}

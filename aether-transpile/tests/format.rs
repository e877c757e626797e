//! The formatter over every `.ae` file of the repository (those `aether fmt
//! .` formats: not under `target/`, hidden directories or a directory with a
//! `.aether-fmt-skip` marker, such as the deliberately broken corpus):
//! - every file is formatted, so CI fails when one is not;
//! - formatting is idempotent;
//! - it never changes meaning: each file laid out differently (formatted at
//!   a narrow width, which breaks most lines) generates the same Rust as the
//!   original, positions of runtime errors aside.

mod support;

use aether_transpile::check::Mode;
use aether_transpile::format::{self, FormatOptions};
use aether_transpile::source::FileId;
use aether_transpile::{codegen, driver, project};
use std::path::{Path, PathBuf};

fn repo_files() -> Vec<PathBuf> {
    let files = format::ae_files(&support::repo());
    assert!(files.len() > 30, "found only {} .ae files", files.len());
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_ae_file_in_the_repository_is_formatted() {
    let mut unformatted = Vec::new();
    for path in repo_files() {
        let src = read(&path);
        match format::format_source(FileId(0), &src) {
            Ok(out) if out == src => {}
            Ok(_) => unformatted.push(path.display().to_string()),
            Err(e) => panic!("{}: {e:?}", path.display()),
        }
    }
    assert!(
        unformatted.is_empty(),
        "these files are not formatted; run `cargo aether fmt PATH` on them:\n{}",
        unformatted.join("\n")
    );
}

#[test]
fn formatting_is_idempotent_at_any_width() {
    for path in repo_files() {
        let src = read(&path);
        for width in [40, 100, 200] {
            let options = FormatOptions { width };
            let once = format::format_with(FileId(0), &src, &options).unwrap();
            let twice = format::format_with(FileId(0), &once, &options).unwrap();
            assert_eq!(once, twice, "{} at width {width}: formatting twice changed it", path.display());
        }
    }
}

/// The Rust that `entry` (with the other `.ae` files of its directory)
/// generates, with the `.ae` positions blanked; `None` when it does not
/// check as a module on its own (a host crate's module, a subdirectory import).
fn generated(dir_files: &[(String, String)], entry: &str) -> Option<String> {
    let files: Vec<(&str, &str)> = dir_files.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    let analysis = driver::analyze_loaded(project::load_in_memory(&files, entry), Mode::Module);
    if analysis.has_errors() {
        return None;
    }
    let id = analysis.program.entry?;
    let rust = codegen::expand_module(&analysis.program, &analysis.checked, id);
    Some(blank_locations(&rust))
}

/// `__loc(12, 5)` → `__loc(_)`: a runtime error's `.ae` line moves with the layout.
fn blank_locations(rust: &str) -> String {
    let mut out = String::new();
    let mut rest = rust;
    while let Some(at) = rest.find("__loc(") {
        out.push_str(&rest[..at + "__loc(".len()]);
        rest = &rest[at + "__loc(".len()..];
        let end = rest.find(')').unwrap_or(0);
        out.push('_');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_different_layout_generates_the_same_rust() {
    let mut compared = 0;
    for path in repo_files() {
        let dir = path.parent().unwrap();
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ae"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), read(&p)))
            .collect();
        files.sort();
        let entry = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(before) = generated(&files, &entry) else { continue };
        let narrow = FormatOptions { width: 40 };
        for (name, text) in &mut files {
            if *name == entry {
                *text = format::format_with(FileId(0), text, &narrow).unwrap();
            }
        }
        let after = generated(&files, &entry).unwrap_or_else(|| panic!("{}: no longer checks", path.display()));
        assert!(before == after, "{}: the generated Rust changed with the layout", path.display());
        compared += 1;
    }
    assert!(compared > 20, "compared only {compared} files");
}

/// Every repository file with one line removed (most no longer parse; those
/// that do are new programs, some oddly laid out): never an internal error,
/// and formatting is idempotent. The same check as the `format` fuzz target.
#[test]
fn programs_with_a_line_removed_format_cleanly() {
    let mut formatted = 0;
    for path in repo_files() {
        let src = read(&path);
        let lines: Vec<&str> = src.lines().collect();
        for skip in 0..lines.len() {
            let text: String =
                lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| format!("{l}\n")).collect();
            match format::format_source(FileId(0), &text) {
                Ok(out) => {
                    let again = format::format_source(FileId(0), &out).unwrap();
                    assert_eq!(again, out, "{} without line {}: not idempotent", path.display(), skip + 1);
                    formatted += 1;
                }
                Err(format::FormatError::Syntax(_)) => {}
                Err(format::FormatError::Internal(why)) => {
                    panic!("{} without line {}: {why}\n{text}", path.display(), skip + 1)
                }
            }
        }
    }
    assert!(formatted > 500, "only {formatted} variants parsed");
}

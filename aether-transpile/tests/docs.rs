//! Keeps the documentation, the examples and the broken-program corpus in
//! step with the implementation:
//! - `docs/errors.md` documents every diagnostic code, under a heading
//!   `## CODE: title` whose title is the one in the code registry, and no code
//!   that does not exist (a renamed or removed code would leave a stale
//!   section that users would search for in vain);
//! - `tests/corpus` has a program expecting each code;
//! - every Aether snippet in `docs/language.md` parses;
//! - the example programs and benchmark programs load and check cleanly.

mod support;

use aether_transpile::check::Mode;
use aether_transpile::diagnostic::{Code, Diagnostic};
use aether_transpile::{driver, project};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read(rel: &str) -> String {
    let path = support::repo().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn errors_md() -> String {
    read("docs/errors.md")
}

/// `## E0300: mismatched types` headings, keyed by code.
fn code_headings(md: &str) -> BTreeMap<String, Vec<String>> {
    let mut headings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in md.lines() {
        let Some(rest) = line.strip_prefix("## ") else { continue };
        let Some((code, title)) = rest.split_once(": ") else { continue };
        let looks_like_code = code.len() == 5
            && matches!(code.as_bytes().first(), Some(b'E' | b'W'))
            && code[1..].bytes().all(|b| b.is_ascii_digit());
        if looks_like_code {
            headings.entry(code.to_string()).or_default().push(title.to_string());
        }
    }
    headings
}

#[test]
fn every_code_has_exactly_one_section_with_its_title() {
    let headings = code_headings(&errors_md());
    let mut problems = Vec::new();
    for code in Code::ALL {
        match headings.get(code.as_str()).map(Vec::as_slice) {
            None | Some([]) => problems.push(format!("missing: ## {}: {}", code.as_str(), code.title())),
            Some([title]) if title == code.title() => {}
            Some([title]) => {
                problems.push(format!("{}: heading title {title:?}, registry title {:?}", code.as_str(), code.title()))
            }
            Some(many) => problems.push(format!("{}: {} sections", code.as_str(), many.len())),
        }
    }
    assert!(problems.is_empty(), "docs/errors.md is out of step with codes.rs:\n{}", problems.join("\n"));
}

#[test]
fn no_section_for_an_unknown_code() {
    let headings = code_headings(&errors_md());
    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let unknown: Vec<&String> = headings.keys().filter(|k| !known.contains(&k.as_str())).collect();
    assert!(unknown.is_empty(), "docs/errors.md documents codes that codes.rs lacks: {unknown:?}");
}

#[test]
fn sections_appear_in_registry_order() {
    // Readers scan the page by number; keep it sorted like the registry.
    let md = errors_md();
    let order: Vec<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|r| r.split_once(": ").map(|(c, _)| c.to_string()))
        .filter(|c| Code::ALL.iter().any(|k| k.as_str() == c))
        .collect();
    let expected: Vec<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(order, expected);
}

/// Codes named by `// expect:` lines (first line of a `.ae` file, or a
/// `.expect` sidecar) anywhere under `dir`.
fn expected_codes(dir: &Path) -> Vec<String> {
    let mut codes = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        let is_ae = path.extension().is_some_and(|x| x == "ae");
        let is_sidecar = path.extension().is_some_and(|x| x == "expect");
        if !entry.file_type().is_file() || !(is_ae || is_sidecar) {
            continue;
        }
        // Lossy: the non-UTF-8 file's first line is still readable text.
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        if let Some(list) = text.lines().next().and_then(|l| l.strip_prefix("// expect:")) {
            codes.extend(list.split_whitespace().map(str::to_string));
        }
    }
    codes
}

#[test]
fn corpus_expects_every_code() {
    let root = support::repo().join("tests/corpus");
    let broken = expected_codes(&root.join("broken"));
    let warnings = expected_codes(&root.join("warnings"));
    // E0700 has no program the static `check` reports (see
    // `error_index_examples_report_their_code`).
    // Nor E0109, which rustc's verdict on a build becomes.
    for code in Code::ALL.iter().filter(|c| **c != Code::E0700 && **c != Code::E0109) {
        let found = if code.as_str().starts_with('W') { &warnings } else { &broken };
        assert!(found.iter().any(|c| c == code.as_str()), "no corpus program expects {}", code.as_str());
    }
    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for c in broken.iter().chain(&warnings) {
        assert!(known.contains(&c.as_str()), "corpus expects unknown code {c}");
    }
    // Files under warnings/ must be warning-only: the check exits 0 for them.
    assert!(warnings.iter().all(|c| c.starts_with('W')), "an error code under tests/corpus/warnings: {warnings:?}");
}

fn describe(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("{} {}", d.code.as_str(), d.message)).collect::<Vec<_>>().join("; ")
}

/// Check a program held in memory: `files` are (path under the source root,
/// text), the entry is `main.ae`.
fn check_in_memory(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    driver::analyze_loaded(project::load_in_memory(files, "main.ae"), Mode::Program).diagnostics
}

/// `// src/physics.ae` as a snippet's first line: one file of a
/// multi-file example; its path is `physics.ae`.
fn snippet_file_name(block: &str) -> Option<&str> {
    let first = block.lines().next()?.strip_prefix("// src/")?;
    first.ends_with(".ae").then_some(first)
}

#[test]
fn language_reference_snippets_check_cleanly() {
    let blocks = support::aether_blocks(&read("docs/language.md"));
    assert!(blocks.len() >= 25, "expected an example for every construct, found {} snippets", blocks.len());
    // Consecutive `// src/NAME.ae` snippets form one program; others stand alone.
    let mut programs: Vec<Vec<(String, String)>> = Vec::new();
    let mut group: Vec<(String, String)> = Vec::new();
    for block in &blocks {
        match snippet_file_name(block) {
            Some(name) => group.push((name.to_string(), block.clone())),
            None => {
                if !group.is_empty() {
                    programs.push(std::mem::take(&mut group));
                }
                programs.push(vec![("main.ae".to_string(), block.clone())]);
            }
        }
    }
    if !group.is_empty() {
        programs.push(group);
    }
    for files in &programs {
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let diags = check_in_memory(&refs);
        let text: Vec<&str> = refs.iter().map(|(_, t)| *t).collect();
        assert!(diags.is_empty(), "snippet is not clean: {}\n{}", describe(&diags), text.join("\n"));
    }
}

/// Split an example into files at `// name.ae` lines; the first file is
/// the entry, `main.ae`.
fn example_files(block: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("// ").filter(|rest| rest.ends_with(".ae") && !rest.contains(' ')) {
            Some(name) => files.push((name.to_string(), String::new())),
            None => {
                if files.is_empty() {
                    files.push(("main.ae".to_string(), String::new()));
                }
                if let Some((_, text)) = files.last_mut() {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    if files.len() > 1 && !files.iter().any(|(n, _)| n == "main.ae") {
        // The import-cycle example is `a.ae` + `b.ae`: enter through `a`.
        files.insert(
            0,
            ("main.ae".to_string(), format!("import {}\nfn main() {{}}\n", files[0].0.trim_end_matches(".ae"))),
        );
    }
    files
}

#[test]
fn error_index_examples_report_their_code() {
    let md = errors_md();
    for section in md.split("\n## ").skip(1) {
        let Some((code, _)) = section.split_once(':') else { continue };
        // E0006 cannot be shown as text; the E0008 example is abridged (a
        // real one is over 128 levels deep; tests/corpus has one).
        // E0700 is reported only by the shapes that refuse something
        // (`--hmr`, a Rust host crate), when they build: its example is an
        // `--hmr` refusal, which tests/state_migration.rs and
        // tests/codegen_hmr.rs check there; the static `check` accepts it.
        // E0108 needs the program's crates, which the CLI reads from Cargo
        // (tests/corpus has one, checked through the CLI); E0109 comes from
        // rustc, when a build compiles the crate (cargo-aether/tests/crates.rs).
        if code == "E0006" || code == "E0008" || code == "E0700" || code == "E0108" || code == "E0109" {
            continue;
        }
        let Some(block) = support::aether_blocks(section).into_iter().next() else {
            panic!("{code} has no ```aether example");
        };
        let files = example_files(&block);
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let diags = check_in_memory(&refs);
        assert!(diags.iter().any(|d| d.code.as_str() == code), "{code} example reports: {}", describe(&diags));
    }
}

/// Load (as a single-file script or a project directory) and check; all
/// diagnostics, errors and warnings.
///
/// Runs on a thread with the main thread's usual 8 MiB stack: test threads
/// get 2 MiB, and the unoptimized parser needs more than that to reach its
/// nesting limit on `deep_nesting.ae`. The CLI runs on the main thread.
fn load_and_check(path: &Path) -> Vec<Diagnostic> {
    let path = path.to_path_buf();
    let root = support::repo();
    let worker = std::thread::Builder::new().stack_size(8 << 20).spawn(move || {
        if path.is_dir() {
            let loaded = project::load_from_disk(&path.join("src"), &path.join("src/main.ae"), &path);
            return driver::analyze_loaded(loaded, Mode::Program).diagnostics;
        }
        // As the CLI checks a script without frontmatter: it depends on no
        // crate (E0108 for an `extern fn` into one).
        match driver::Input::script(&path) {
            Ok(input) => driver::analyze(&input.with_crates([]), Mode::Program).diagnostics,
            Err(_) => driver::analyze_loaded(project::load_script(&path, &root), Mode::Program).diagnostics,
        }
    });
    match worker.map(|handle| handle.join()) {
        Ok(Ok(diags)) => diags,
        Ok(Err(_)) => panic!("the front end panicked"),
        Err(e) => panic!("cannot spawn a thread: {e}"),
    }
}

#[test]
fn examples_and_benchmarks_are_clean() {
    let root = support::repo();
    let mut targets: Vec<PathBuf> =
        ["examples/hello.ae", "examples/wordfreq.ae", "examples/life", "examples/particles"]
            .iter()
            .map(|p| root.join(p))
            .collect();
    let bench = root.join("bench/programs");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&bench)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", bench.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ae"))
        .collect();
    programs.sort();
    // The five Benchmarks Game programs, fib for call overhead, helpers
    // for calls of functions with loops, matmul for small nests of loops,
    // and particles for state access under --hmr.
    assert_eq!(programs.len(), 9, "nine benchmark programs");
    targets.extend(programs);
    for target in &targets {
        let diags = load_and_check(target);
        assert!(diags.is_empty(), "{}: {}", target.display(), describe(&diags));
    }
}

/// A corpus program and the codes its `// expect:` line lists.
struct CorpusCase {
    path: PathBuf,
    expected: Vec<String>,
}

/// The entries of `tests/corpus`: `broken/*.ae`, `broken/cycle/a.ae`, `warnings/*.ae`
/// (`broken/lib/` holds imported modules, not entries).
fn corpus_cases() -> Vec<CorpusCase> {
    let root = support::repo().join("tests/corpus");
    let mut paths = vec![root.join("broken/cycle/a.ae")];
    for dir in ["broken", "warnings"] {
        let dir = root.join(dir);
        let listing = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        paths.extend(
            listing.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "ae")),
        );
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let sidecar = PathBuf::from(format!("{}.expect", path.display()));
            let bytes = std::fs::read(&sidecar).or_else(|_| std::fs::read(&path)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let line = text.lines().next().and_then(|l| l.strip_prefix("// expect:"));
            let Some(line) = line else { panic!("{} has no `// expect:` line", path.display()) };
            let mut expected: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            expected.sort();
            expected.dedup();
            CorpusCase { path, expected }
        })
        .collect()
}

#[test]
fn corpus_programs_report_what_they_expect() {
    let cases = corpus_cases();
    assert!(cases.len() >= 40, "at least 40 corpus programs, found {}", cases.len());
    let mut problems = Vec::new();
    for case in &cases {
        let diags = load_and_check(&case.path);
        let mut got: Vec<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
        got.sort();
        got.dedup();
        if got != case.expected {
            problems.push(format!(
                "{}: expected {:?}, got {:?}: {}",
                case.path.display(),
                case.expected,
                got,
                describe(&diags)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! End-to-end tests of `cargo aether check`: the real binaries, run in
//! temporary directories, judged by exit status and output.

use aether_test_support::{aether_cli, repo_root, Run};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cargo-aether aether <args>` in `dir`, exactly as Cargo runs it.
fn cargo_aether(dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-aether"));
    command.arg("aether").args(args).current_dir(dir);
    Run::of(&mut command)
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("file has a directory")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

/// A pure Aether project in a fresh temporary directory, shaped like the
/// examples: no Rust target of its own until the static build generates one.
fn project(name: &str, metadata: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nautobins = false\n\n\
         [[bin]]\nname = \"{name}\"\npath = \"target/aether/main.rs\"\n\n\
         [package.metadata.aether]\n{metadata}\n"
    );
    write(dir.path(), &[("Cargo.toml", manifest.as_str())]);
    write(dir.path(), files);
    dir
}

const CLEAN_MAIN: &str =
    "import physics\n\nfn main() {\n    let y = physics.fall(10.0, 0.5)\n    println(\"y = {y}\")\n}\n";
const CLEAN_PHYSICS: &str = "pub fn fall(y: float, dt: float) -> float {\n    y - 9.81 * dt\n}\n";

/// `r` exited with `code`, and its stderr contains every one of `needles`.
fn assert_exit(r: &Run, code: i32, needles: &[&str]) {
    assert_eq!(r.code, Some(code), "{r:?}");
    for needle in needles {
        assert!(r.stderr.contains(needle), "expected {needle:?} in {r:?}");
    }
}

/// `cargo aether check` of a [`project`] without metadata holding `files`.
fn check_project(name: &str, files: &[(&str, &str)]) -> Run {
    cargo_aether(project(name, "", files).path(), &["check"])
}

fn clean_project() -> tempfile::TempDir {
    project("falling", "", &[("src/main.ae", CLEAN_MAIN), ("src/physics.ae", CLEAN_PHYSICS)])
}

#[test]
fn clean_project_exits_0() {
    let dir = clean_project();
    let r = cargo_aether(dir.path(), &["check"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "Checked `falling` (2 modules): no errors\n", "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    // The same project named by path from elsewhere, and by its manifest.
    let parent = dir.path().parent().expect("tempdir has a parent");
    let name = dir.path().file_name().and_then(|n| n.to_str()).expect("utf-8 tempdir");
    assert_eq!(cargo_aether(parent, &["check", name]).code, Some(0));
    assert_eq!(cargo_aether(parent, &["check", &format!("{name}/Cargo.toml")]).code, Some(0));
}

#[test]
fn project_with_errors_exits_1_and_names_files_from_the_package_root() {
    let r = check_project(
        "broken",
        &[
            ("src/main.ae", "import game\nimport missing\n\nfn main() {\n    game.tick()\n}\n"),
            ("src/game.ae", "pub fn tick() {\n    let x = (1 +\n}\n"),
        ],
    );
    assert_exit(&r, 1, &["error[E0100]", "--> src/main.ae:2:1", "error[E0007]", "--> src/game.ae:3:1"]);
    // Source order: game.ae's error and main.ae's error each appear once, and
    // the summary comes last.
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: could not check `broken` due to "), "{r:?}");
    assert!(last.contains("previous errors"), "{r:?}");
}

#[test]
fn nested_modules_are_named_by_their_path() {
    let r = check_project(
        "nested",
        &[
            ("src/main.ae", "import net.http\n\nfn main() {\n    println(http.get(\"/\"))\n}\n"),
            ("src/net/http.ae", "pub fn get(path: str) -> int {\n    path\n}\n"),
        ],
    );
    assert_exit(&r, 1, &["error[E0300]", "--> src/net/http.ae:2:5"]);
    assert!(r.stderr.ends_with("error: could not check `nested` due to 1 previous error\n"), "{r:?}");
}

#[test]
fn custom_source_dir_and_entry_from_metadata() {
    let dir = project(
        "custom",
        "src = \"game\"\nentry = \"app.ae\"\nhmr-exclude = [\"game/app.ae\"]",
        &[("game/app.ae", "fn main() {\n    println(\"hi\")\n}\n")],
    );
    assert_exit(&cargo_aether(dir.path(), &["check"]), 0, &["Checked `custom` (1 module): no errors"]);
}

#[test]
fn single_file_is_named_as_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            ("scripts/hello.ae", "fn main() {\n    println(\"hello\")\n}\n"),
            ("scripts/bad.ae", "fn main() {\n    let = 3\n}\n"),
        ],
    );
    let ok = cargo_aether(dir.path(), &["check", "scripts/hello.ae"]);
    assert_exit(&ok, 0, &["Checked `scripts/hello.ae` (1 module): no errors"]);

    let bad = cargo_aether(dir.path(), &["check", "scripts/bad.ae"]);
    assert_exit(&bad, 1, &["error[E0007]", "--> scripts/bad.ae:2:9"]);

    // Imports resolve next to the script, and are named the same way.
    write(
        dir.path(),
        &[
            ("scripts/uses.ae", "import helper\n\nfn main() {\n    helper.greet()\n}\n"),
            ("scripts/helper.ae", "pub fn greet() {\n    println(nope)\n}\n"),
        ],
    );
    let imports = cargo_aether(dir.path(), &["check", "scripts/uses.ae"]);
    assert_exit(&imports, 1, &["error[E0200]", "--> scripts/helper.ae:2:13"]);

    let here = cargo_aether(&dir.path().join("scripts"), &["check", "bad.ae"]);
    assert_exit(&here, 1, &["--> bad.ae:2:9"]);
}

#[test]
fn directory_without_manifest_uses_main_ae() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("main.ae", CLEAN_MAIN), ("physics.ae", CLEAN_PHYSICS)]);
    assert_exit(&cargo_aether(dir.path(), &["check"]), 0, &["(2 modules): no errors"]);
}

#[test]
fn json_lines_on_stdout() {
    let dir = project("jsonny", "", &[("src/main.ae", "import nowhere\n\nfn main() {\n    let unused = 1\n}\n")]);
    let r = cargo_aether(dir.path(), &["check", "--message-format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    let objects: Vec<serde_json::Value> =
        r.stdout.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    let (summary, diagnostics) = objects.split_last().expect("at least the summary");
    assert_eq!(summary["type"], "summary", "{r:?}");
    assert!(summary["errors"].as_u64() >= Some(1), "{r:?}");
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count() as u64;
    let warnings = diagnostics.iter().filter(|d| d["severity"] == "warning").count() as u64;
    assert_eq!((summary["errors"].as_u64(), summary["warnings"].as_u64()), (Some(errors), Some(warnings)));
    let missing = diagnostics.iter().find(|d| d["code"] == "E0100").expect("an E0100 diagnostic");
    assert_eq!(missing["type"], "diagnostic");
    assert_eq!(missing["labels"][0]["file"], "src/main.ae");
    assert_eq!(missing["labels"][0]["line"], 1);
    assert_eq!(missing["labels"][0]["column"], 1);
    assert!(missing["rendered"].as_str().is_some_and(|s| s.starts_with("error[E0100]")), "{r:?}");

    let clean = clean_project();
    let r = cargo_aether(clean.path(), &["check", "--message-format=json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let summary: serde_json::Value = serde_json::from_str(r.stdout.trim()).expect("one JSON line");
    assert_eq!(summary, serde_json::json!({"type": "summary", "errors": 0, "warnings": 0}));
}

/// Exit 2 and a single `error: ...` line.
fn assert_usage_error(r: &Run, needle: &str) {
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "one sentence: {r:?}");
    assert!(r.stderr.contains(needle), "expected {needle:?} in {r:?}");
}

#[test]
fn usage_errors_exit_2() {
    let empty = tempfile::tempdir().expect("tempdir");
    assert_usage_error(&cargo_aether(empty.path(), &["check", "nowhere"]), "`nowhere` does not exist");
    assert_usage_error(&cargo_aether(empty.path(), &["check"]), "no `.ae` files found in `.`");
    write(empty.path(), &[("notes.txt", "hi")]);
    assert_usage_error(&cargo_aether(empty.path(), &["check", "notes.txt"]), "is not an `.ae` file");

    let no_sources = project("nosrc", "", &[("src/readme.txt", "nothing")]);
    assert_usage_error(&cargo_aether(no_sources.path(), &["check"]), "no `.ae` files found in");

    let no_entry = project("noentry", "", &[("src/game.ae", CLEAN_PHYSICS)]);
    assert_usage_error(&cargo_aether(no_entry.path(), &["check"]), "entry file `src/main.ae` does not exist");

    let bad_value = project("badvalue", "src = 3", &[("src/main.ae", CLEAN_MAIN)]);
    assert_usage_error(&cargo_aether(bad_value.path(), &["check"]), "`src` must be a string, found the number `3`");

    let bad_list = project("badlist", "hmr-exclude = \"src/a.ae\"", &[("src/main.ae", CLEAN_MAIN)]);
    assert_usage_error(&cargo_aether(bad_list.path(), &["check"]), "`hmr-exclude` must be a list of paths");

    let unreadable = tempfile::tempdir().expect("tempdir");
    write(unreadable.path(), &[("Cargo.toml", "[package]\nname = \n"), ("src/main.ae", CLEAN_MAIN)]);
    assert_usage_error(&cargo_aether(unreadable.path(), &["check"]), "could not read manifest `Cargo.toml`");

    // Usage errors stay on stderr even when stdout is for JSON.
    let r = cargo_aether(empty.path(), &["check", "nowhere", "--message-format", "json"]);
    assert_usage_error(&r, "`nowhere` does not exist");

    // Flags are clap's: its message starts with one `error:` sentence and
    // adds the usage line.
    let r = cargo_aether(empty.path(), &["check", "--bogus"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.starts_with("error: unexpected argument '--bogus' found"), "{r:?}");
    assert!(r.stderr.contains("Usage: cargo aether check"), "{r:?}");
    let r = cargo_aether(empty.path(), &["check", "--message-format", "xml"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.starts_with("error: invalid value 'xml'"), "{r:?}");
}

#[test]
fn aether_binary_runs_the_same_cli() {
    let dir = clean_project();
    let mut command = Command::new(env!("CARGO_BIN_EXE_aether"));
    command.args(["check", "."]).current_dir(dir.path());
    let r = Run::of(&mut command);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("Checked `falling` (2 modules): no errors"), "{r:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 100_000;
    let text = format!("fn main() {{\n    let x = {}1{}\n}}\n", "(".repeat(depth), ")".repeat(depth));
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("deep.ae", text.as_str())]);
    let r = cargo_aether(dir.path(), &["check", "deep.ae"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error[E0008]"), "{r:?}");
}

/// `cargo aether` through the alias in `.cargo/config.toml`, as a user of a
/// fresh clone runs it. This builds the binary through Cargo (usually a
/// no-op: the test build already made it).
#[test]
fn cargo_alias_runs_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("hello.ae", "fn main() {\n    println(\"hello\")\n}\n")]);
    let file = dir.path().join("hello.ae");
    let mut command = Command::new(env!("CARGO"));
    command.args(["aether", "check"]).arg(&file).current_dir(repo_root());
    let r = Run::of(&mut command);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("(1 module): no errors"), "{r:?}");
}

/// Every example checks cleanly: each `.ae` file at the top of `examples/`
/// and each directory there with a `Cargo.toml`.
#[test]
fn every_example_checks_cleanly() {
    let examples = repo_root().join("examples");
    let mut entries: Vec<PathBuf> = fs::read_dir(&examples)
        .unwrap_or_else(|e| panic!("{} must exist: {e}", examples.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ae") || is_aether_project(p))
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no examples found in {}", examples.display());
    // Check them all before failing, so one run lists every broken example.
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|path| {
            let r = cargo_aether(&repo_root(), &["check", path.to_str().expect("utf-8 path")]);
            (r.code != Some(0)).then(|| format!("{}: {r:?}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "examples that do not check:\n{}", failures.join("\n"));
}

/// A package whose program is Aether (`[package.metadata.aether]`), not a
/// Rust crate that compiles Aether modules in through `aether-build`.
fn is_aether_project(dir: &Path) -> bool {
    fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|m| m.contains("[package.metadata.aether]"))
}

/// The codes a corpus file promises: its first line `// expect: E0300 W0001`,
/// or the same line in a sidecar `NAME.ae.expect` for files that cannot carry
/// it (empty, not UTF-8). `None`: a helper module, not an entry.
fn expectation(path: &Path) -> Option<Vec<String>> {
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    let text = fs::read(if sidecar.is_file() { &sidecar } else { path }).expect("readable corpus file");
    let first = String::from_utf8_lossy(&text).lines().next().unwrap_or_default().to_string();
    let codes = first.trim().strip_prefix("// expect:")?;
    Some(codes.split_whitespace().map(str::to_string).collect())
}

/// The `.ae` files of a corpus directory, and of its subdirectories except
/// `lib/` (modules the others import), sorted.
fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{} must exist: {e}", dir.display())) {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "lib") {
            files.extend(corpus_files(&path));
        } else if path.extension().is_some_and(|e| e == "ae") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Check each corpus file and compare with its promise.
fn check_corpus(dir: &str, expected_status: i32) {
    let root = repo_root().join(dir);
    let files = corpus_files(&root);
    assert!(!files.is_empty(), "no programs found in {}", root.display());
    let mut checked = 0;
    // Check them all before failing, so one run lists every mismatch.
    let mut failures = Vec::new();
    for path in &files {
        let codes = match expectation(path) {
            Some(codes) => codes,
            // Entries in subdirectories are marked; so must every top-level file be.
            None if path.parent() == Some(root.as_path()) => {
                failures.push(format!("{}: must start with `// expect: CODES`", path.display()));
                continue;
            }
            None => continue,
        };
        checked += 1;
        if codes.is_empty() {
            failures.push(format!("{}: `// expect:` lists no codes", path.display()));
            continue;
        }
        let r = cargo_aether(&repo_root(), &["check", path.to_str().expect("utf-8 path")]);
        let missing: Vec<&String> = codes.iter().filter(|c| !r.stderr.contains(&format!("[{c}]"))).collect();
        if r.code != Some(expected_status) || !missing.is_empty() {
            failures.push(format!(
                "{}: expected exit {expected_status} with {codes:?}, missing {missing:?}: {r:?}",
                path.display()
            ));
        }
    }
    assert!(checked > 0, "no corpus file in {} has an expectation", root.display());
    assert!(failures.is_empty(), "{} corpus failures:\n{}", failures.len(), failures.join("\n"));
}

/// Every program in `tests/corpus/broken/` fails to check (exit 1) with at
/// least the codes it promises.
#[test]
fn every_broken_corpus_file_reports_its_codes() {
    check_corpus("tests/corpus/broken", 1);
}

/// Programs with only warnings still pass (exit 0) and show the warnings.
#[test]
fn every_warnings_corpus_file_passes_with_its_warnings() {
    check_corpus("tests/corpus/warnings", 0);
}

#[test]
fn warnings_alone_still_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("warn.ae", "fn main() {\n    let unused = 1\n}\n")]);
    let r = cargo_aether(dir.path(), &["check", "warn.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.starts_with("warning[W0001]"), "{r:?}");
    assert!(r.stderr.contains("--> warn.ae:2:9"), "{r:?}");
    assert!(
        r.stderr.ends_with("warning: `warn.ae` generated 1 warning\nChecked `warn.ae` (1 module): no errors\n"),
        "{r:?}"
    );
    let r = cargo_aether(dir.path(), &["check", "warn.ae", "--message-format", "json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.ends_with("{\"errors\":0,\"type\":\"summary\",\"warnings\":1}\n"), "{r:?}");
}

/// The README's examples are real: the broken program prints exactly the
/// output shown, and the language tour checks cleanly.
#[test]
fn readme_examples_are_current() {
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let between = |start: &str, end: &str, from: usize| -> (String, usize) {
        let s = readme[from..].find(start).map(|i| from + i + start.len()).expect("README marker");
        let e = readme[s..].find(end).map(|i| s + i).expect("README end marker");
        (readme[s..e].to_string(), e)
    };
    let (source, at) = between("$ cat oops.ae\n", "$ cargo aether check oops.ae\n", 0);
    let (output, _) = between("$ cargo aether check oops.ae\n", "```", at);
    let (tour, _) = between("```aether\n", "```", 0);
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("oops.ae", source.as_str()), ("tour.ae", tour.as_str())]);
    let r = cargo_aether(dir.path(), &["check", "oops.ae"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stderr, output, "README.md shows stale output for oops.ae");
    let r = cargo_aether(dir.path(), &["check", "tour.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "Checked `tour.ae` (1 module): no errors\n", "{r:?}");
    let (life, _) = between("$ cargo aether check examples/life\n", "```", 0);
    let r = cargo_aether(&repo_root(), &["check", "examples/life"]);
    assert_eq!(r.stderr, life, "{r:?}");
}

#[test]
fn new_creates_projects_that_check_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    for template in ["script", "game", "server"] {
        let name = format!("my-{template}");
        let r = cargo_aether(dir.path(), &["new", &name, "--template", template]);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert!(r.stderr.contains(&format!("Created Aether project `{name}`")), "{r:?}");
        let manifest = fs::read_to_string(dir.path().join(&name).join("Cargo.toml")).expect("manifest");
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{manifest}");
        let r = cargo_aether(&dir.path().join(&name), &["check"]);
        assert_eq!(r.code, Some(0), "{template}: {r:?}");
        assert!(r.stderr.contains(&format!("Checked `{name}`")), "{r:?}");
    }
    // The default template is the script.
    let r = cargo_aether(dir.path(), &["new", "plain"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(dir.path().join("plain/src/main.ae").is_file());
}

#[test]
fn new_refuses_bad_names_and_existing_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("taken/file.txt", "x")]);
    assert_usage_error(&cargo_aether(dir.path(), &["new", "taken"]), "already exists and is not empty");
    assert_usage_error(&cargo_aether(dir.path(), &["new", "9lives"]), "is not a valid project name");
    let r = cargo_aether(dir.path(), &["new", "x", "--template", "nope"]);
    assert_eq!(r.code, Some(2), "{r:?}");
}

/// `cargo-aether aether <args>` with builds going to one target directory
/// shared by every build test (the runtime compiles once) and scripts cached
/// in `cache`.
fn cargo_aether_build(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, cache, args))
}

#[test]
fn run_a_script_with_arguments_and_again_without_rebuilding() {
    let cache = tempfile::tempdir().expect("tempdir");
    let hello = repo_root().join("examples/hello.ae");
    let hello = hello.to_str().expect("utf-8 path");
    let first = cargo_aether_build(cache.path(), cache.path(), &["run", hello, "--", "Ada"]);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(first.stdout, "Hello, Ada!\n");
    let again = cargo_aether_build(cache.path(), cache.path(), &["run", hello]);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert_eq!(again.stdout, "Hello, world!\n");
    // Unchanged: cargo is not even started.
    assert!(!again.stderr.contains("Compiling") && !again.stderr.contains("Finished"), "{again:?}");
}

#[test]
fn run_passes_exit_codes_and_runtime_errors_name_the_ae_file() {
    let cache = tempfile::tempdir().expect("tempdir");
    write(
        cache.path(),
        &[
            ("fails.ae", "fn main() -> ()! {\n    let n = \"x\".parse_int() ?? -1\n    if n < 0 {\n        return err(\"no number\")\n    }\n}\n"),
            ("oob.ae", "fn main() {\n    let xs = [1, 2, 3]\n    let i = xs.len() + 2\n    println(xs[i])\n}\n"),
            ("shebang.ae", "#!/usr/bin/env -S cargo aether run\nfn main() {\n    println(\"scripted\")\n}\n"),
        ],
    );
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "shebang.ae"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "scripted\n"), "{r:?}");
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "fails.ae"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error: no number"), "{r:?}");
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "oob.ae"]);
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("index 5 is out of range for a list of length 3"), "{r:?}");
    assert!(r.stderr.contains("--> oob.ae:4:13"), "{r:?}");
}

#[test]
fn build_a_project_prints_the_executable_and_check_errors_stop_it() {
    let cache = tempfile::tempdir().expect("tempdir");
    let dir = clean_project();
    let r = cargo_aether_build(dir.path(), cache.path(), &["build"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let exe = PathBuf::from(r.stdout.trim());
    assert!(exe.is_file(), "{r:?}");
    let out = Command::new(&exe).output().expect("the program runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "y = 5.095\n");

    // Nothing changed: cargo is skipped, and --timings says so.
    let r = cargo_aether_build(dir.path(), cache.path(), &["build", "--timings"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("[aether] timings: check "), "{r:?}");
    assert!(r.stderr.contains("cargo skipped (nothing changed)"), "{r:?}");

    // No `main`: the checker's E0105, as `check` reports it (entry.rs).
    write(dir.path(), &[("src/main.ae", "fn helper() {}\n")]);
    let r = cargo_aether_build(dir.path(), cache.path(), &["build"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error[E0105]: module `main` has no `main` function"), "{r:?}");

    write(dir.path(), &[("src/main.ae", CLEAN_MAIN)]);
    write(dir.path(), &[("src/physics.ae", "pub fn fall(y: float, dt: float) -> float {\n    y - 9.81 * dt + 1\n}\n")]);
    let r = cargo_aether_build(dir.path(), cache.path(), &["build"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error[E0304]") || r.stderr.contains("error[E0300]"), "{r:?}");
    assert!(r.stderr.contains("could not build `falling`"), "{r:?}");
    assert!(!r.stderr.contains("Compiling"), "a program with errors is never handed to rustc: {r:?}");
}

#[test]
fn expand_prints_the_generated_rust() {
    let dir = clean_project();
    let r = cargo_aether(dir.path(), &["expand", "src/physics.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("pub fn fall(y: f64, dt: f64) -> f64"), "{r:?}");
    let r = cargo_aether(dir.path(), &["expand", "src"]);
    assert_usage_error(&r, "expand takes one `.ae` file");
}

#[test]
fn readme_quick_start_is_current() {
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let shown = |command: &str| -> String {
        let start = readme.find(command).map(|i| i + command.len()).expect("README shows the command");
        let end = readme[start..].find("```").map(|i| start + i).expect("end of the console block");
        readme[start..end].to_string()
    };
    let cache = tempfile::tempdir().expect("tempdir");
    let repo = repo_root();
    let life = cargo_aether_build(&repo, cache.path(), &["run", "examples/life", "--", "1"]);
    assert_eq!(life.code, Some(0), "{life:?}");
    assert_eq!(life.stdout, shown("$ cargo aether run examples/life -- 1\n"), "README.md shows stale output");
    let hello = cargo_aether_build(&repo, cache.path(), &["run", "examples/hello.ae", "--", "Ada"]);
    assert_eq!(hello.stdout, shown("$ cargo aether run examples/hello.ae -- Ada\n"), "README.md shows stale output");
}

/// The arcade example's bounded mode (`-- FRAMES`) draws from its own seeded
/// generator, never the clock, so a run is a fixed game with a fixed output.
#[test]
fn arcade_example_plays_the_expected_game() {
    let cache = tempfile::tempdir().expect("tempdir");
    let r = cargo_aether_build(&repo_root(), cache.path(), &["run", "examples/arcade", "--", "1000"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let want = fs::read_to_string(repo_root().join("examples/expected/arcade.out")).expect("arcade.out");
    assert_eq!(r.stdout, want, "{r:?}");
}

#[test]
fn test_runs_test_blocks_under_their_own_names() {
    let cache = tempfile::tempdir().expect("tempdir");
    let dir = project(
        "tested",
        "",
        &[(
            "src/main.ae",
            "fn double(x: int) -> int { x * 2 }\n\nfn main() { println(double(2)) }\n\n\
             test \"doubles\" {\n    assert(double(3) == 6)\n}\n\n\
             test \"breaks on purpose\" {\n    assert(double(1) == 3, \"one doubled\")\n}\n",
        )],
    );
    let r = cargo_aether_build(dir.path(), cache.path(), &["test"]);
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stdout.contains("test src/main.ae: doubles ... ok"), "{r:?}");
    assert!(r.stdout.contains("test src/main.ae: breaks on purpose ... FAILED"), "{r:?}");
    assert!(r.stdout.contains("assertion failed: one doubled\n  --> src/main.ae:10:5"), "{r:?}");
    assert!(r.stdout.contains("test result: FAILED. 1 passed; 1 failed"), "{r:?}");

    let r = cargo_aether_build(dir.path(), cache.path(), &["test", ".", "doubles"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("test result: ok. 1 passed; 0 failed"), "{r:?}");
}

#[test]
fn a_rustc_failure_is_reported_as_an_aether_bug_naming_the_ae_files() {
    // A stand-in for cargo that fails the way rustc would on generated code,
    // pointing at every generated module.
    let cache = tempfile::tempdir().expect("tempdir");
    let fake = cache.path().join("fake-cargo");
    write(
        cache.path(),
        &[(
            "fake-cargo",
            "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --manifest-path ] && m=\"$2\"; shift; done\n\
             for f in \"$(dirname \"$m\")\"/src/*.rs; do\n\
             printf '{\"reason\":\"compiler-message\",\"message\":{\"rendered\":\"error[E0308]: mismatched types (fake)\\\\n\",\"spans\":[{\"file_name\":\"%s\"}]}}\\n' \"$f\"\n\
             done\nexit 101\n",
        )],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    // A script, not a project: reading a manifest would run the fake too.
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), &[("main.ae", CLEAN_MAIN), ("physics.ae", CLEAN_PHYSICS)]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-aether"));
    command
        .args(["aether", "build", "main.ae"])
        .current_dir(dir.path())
        .env("CARGO", &fake)
        .env("CARGO_TARGET_DIR", cache.path().join("target"))
        .env("AETHER_CACHE_DIR", cache.path());
    let r = Run::of(&mut command);
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("error[E0308]: mismatched types (fake)"), "rustc's words are shown: {r:?}");
    assert!(r.stderr.contains("error: rustc rejected the Rust generated for this program"), "{r:?}");
    assert!(r.stderr.contains("this is a bug in Aether, not in your program"), "{r:?}");
    assert!(r.stderr.contains("generated from main.ae, physics.ae"), "{r:?}");
}

#[test]
fn a_static_build_links_nothing_of_hot_reloading() {
    let cache = tempfile::tempdir().expect("tempdir");
    let hello = repo_root().join("examples/hello.ae");
    let r = cargo_aether_build(cache.path(), cache.path(), &["build", hello.to_str().expect("utf-8 path")]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let exe = fs::read(r.stdout.trim()).expect("the executable");
    for hmr_only in ["libloading", "notify", "dlopen"] {
        let found = exe.windows(hmr_only.len()).any(|w| w == hmr_only.as_bytes());
        assert!(!found, "the static hello binary mentions `{hmr_only}`");
    }
}

/// Issue #11: integer overflow, even where rustc could foresee it, is a
/// runtime error at its `.ae` location in a debug build (static and
/// `--hmr`) and wraps in a release build, as docs/language.md says.
#[test]
fn integer_overflow_fails_in_debug_and_wraps_in_release() {
    let cache = tempfile::tempdir().expect("tempdir");
    let over = "fn main() {\n    let limit = 9223372036854775807\n    println(limit + 1)\n    \
                println((-9223372036854775807 - 1) / -1)\n}\n";
    write(cache.path(), &[("over.ae", over)]);
    let located = "error: integer overflow: 9223372036854775807 + 1\n  --> over.ae:3:13\n";
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "over.ae"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(101), ""), "{r:?}");
    assert!(r.stderr.ends_with(located), "{r:?}");
    // Under `--hmr` the process stays up after `main` fails, waiting for a
    // fix (docs/hmr.md): the same located error, then it is killed.
    let mut hmr = aether_test_support::run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), Path::new("over.ae"));
    hmr.current_dir(cache.path()).env("AETHER_CACHE_DIR", cache.path());
    let (_child, _out, err) = aether_test_support::spawn_followed(&mut hmr).expect("start --hmr");
    let at = err.wait_for(0, std::time::Duration::from_secs(900), |l| (l == "  --> over.ae:3:13").then_some(()));
    assert!(at.is_some(), "no located overflow under --hmr:\n{}", err.text());
    assert!(err.text().contains(located), "{}", err.text());
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "--release", "over.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "-9223372036854775808\n-9223372036854775808\n", "{r:?}");
}

/// Issue #18: a shift amount outside `0..=63` is a runtime error at the
/// shift's `.ae` location in a release build too (not only in debug).
#[test]
fn shift_out_of_range_fails_in_release_too() {
    let cache = tempfile::tempdir().expect("tempdir");
    write(cache.path(), &[("shift.ae", "fn main() {\n    let by = 64 + args().len()\n    println(1 << by)\n}\n")]);
    let r = cargo_aether_build(cache.path(), cache.path(), &["run", "--release", "shift.ae"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(101), ""), "{r:?}");
    assert!(r.stderr.ends_with("error: shift amount 64 is out of range (0 to 63)\n  --> shift.ae:3:13\n"), "{r:?}");
}

/// Issue #11: modules named like a generated file or crate (`lib.rs` made
/// cargo see a library target; `host` is the `--hmr` host crate's name)
/// build and run, statically and under `--hmr`.
#[test]
fn modules_named_like_generated_files_build_everywhere() {
    let cache = tempfile::tempdir().expect("tempdir");
    write(
        cache.path(),
        &[
            (
                "app/main.ae",
                "import lib\nimport host\n\nfn main() {\n    lib.bump()\n    println(\"{lib.n} {host.name()}\")\n}\n",
            ),
            ("app/lib.ae", "pub state n: int = 0\n\npub fn bump() { n += 1 }\n"),
            (
                "app/host.ae",
                "state calls: int = 0\n\npub fn name() -> str {\n    calls += 1\n    \"host {calls}\"\n}\n",
            ),
        ],
    );
    for args in [&["run", "app/main.ae"][..], &["run", "--hmr", "app/main.ae"]] {
        let r = cargo_aether_build(cache.path(), cache.path(), args);
        assert_eq!((r.code, r.stdout.as_str()), (Some(0), "1 host 1\n"), "{args:?}: {r:?}");
    }
}

/// Issue #11: the regression programs of `tests/programs/` print the same
/// under `--hmr` and in a release build as in the static debug build
/// (which `aether-transpile/tests/codegen_run.rs` checks).
#[test]
fn regression_programs_run_the_same_under_hmr_and_release() {
    let cache = tempfile::tempdir().expect("tempdir");
    for name in [
        "places_and_patterns",
        "hygiene",
        "generated",
        "generics",
        "stdlib",
        "syntax_v05",
        "syntax_v05_more",
        "generic_types",
        "call_shapes",
        "leaf_loops",
    ] {
        let program = repo_root().join(format!("tests/programs/{name}.ae"));
        let program = program.to_str().expect("utf-8 path");
        let want = fs::read_to_string(repo_root().join(format!("tests/programs/{name}.out"))).expect("expected output");
        for mode in ["--hmr", "--release"] {
            let r = cargo_aether_build(cache.path(), cache.path(), &["run", mode, program]);
            assert_eq!((r.code, r.stdout.as_str()), (Some(0), want.as_str()), "{name} {mode}: {r:?}");
        }
    }
}

//! End to end: crates from Aether (`extern fn` bound to a function of a
//! crates.io crate) in a project made by `aether new` and `cargo add`, and
//! in a script that names its crates in its `---cargo` frontmatter; wrong
//! bindings reported on their `.ae` lines; `aether check` in a Rust host
//! crate.
//!
//! The crate is `strsim` (small, no dependencies, well kept, and already
//! in the workspace's lock file): `jaro` returns an `f64`, `levenshtein` a
//! `usize` (an `int` through a checked conversion). Other widths (`u8`,
//! `u64`, `f32`) are std's functions on its primitive types (std, core and
//! alloc need no dependency).

use aether_test_support::{aether_cli, hmr_target_dir, repo_root, run_hmr, save, spawn_followed, Run};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn aether(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, cache, args))
}

fn cargo(dir: &Path, args: &[&str]) -> Run {
    Run::of(Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).args(args).current_dir(dir))
}

const PROGRAM: &str = "\
extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"
extern fn distance(a: str, b: str) -> int = \"strsim::levenshtein\"

state count: int = 0

fn main() {
    loop {
        count += 1
        println(\"tick {count} jaro {jaro(\"martha\", \"marhta\")} distance {distance(\"kitten\", \"sitting\")}\")
        if count == 3 && args().len() > 0 {
            return
        }
        sleep_ms(50)
    }
}
";

/// `aether new`, `cargo add strsim`, and an `extern fn` to it: run as a
/// static build, then under `--hmr`, where an edit is swapped in with the
/// program's state kept.
#[test]
fn a_project_calls_a_crate_statically_and_under_hmr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let new = aether(dir.path(), &cache, &["new", "words"]);
    assert_eq!(new.code, Some(0), "{new:?}");
    let project = dir.path().join("words");
    let add = cargo(&project, &["add", "strsim@0.11"]);
    assert_eq!(add.code, Some(0), "{add:?}");
    std::fs::write(project.join("src/main.ae"), PROGRAM).expect("write");

    // With an argument, the program stops after three ticks.
    let run = aether(&project, &cache, &["run", "--", "once"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.lines().last(), Some("tick 3 jaro 0.9444444444444445 distance 3"), "{run:?}");

    let mut hmr = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &project);
    let (child, out, err) = spawn_followed(hmr.env("AETHER_CACHE_DIR", &cache)).expect("starts");
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let ticks = |word: &'static str| {
        move |l: &str| -> Option<u64> {
            let rest = l.strip_prefix(word)?.strip_prefix(' ')?;
            let (n, jaro) = rest.split_once(" jaro ")?;
            (jaro == "0.9444444444444445 distance 3").then_some(n.parse().ok()?)
        }
    };
    let first = out.wait_for(0, Duration::from_secs(600), |l| ticks("tick")(l).filter(|n| *n >= 3));
    let Some((at, _, n0)) = first else { panic!("{}", report("the crate's function was not called under --hmr")) };
    save(&project.join("src"), "main.ae", &PROGRAM.replace("println(\"tick", "println(\"tock"));
    let tock = out.wait_for(at, Duration::from_secs(120), ticks("tock"));
    let Some((_, _, n1)) = tock else { panic!("{}", report("the edit was not swapped in")) };
    assert!(n1 > n0, "{}", report(&format!("state was reset: {n1} after {n0}")));
    drop(child);
}

/// A script names its crates in its frontmatter; a typo in a crate's name
/// is E0108 before anything is built; a binding whose types do not match
/// the crate's function is E0109 on the `extern fn`'s line.
#[test]
fn a_script_names_its_crates_and_bad_bindings_name_the_ae_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let script = "#!/usr/bin/env aether\n---cargo\n[dependencies]\nstrsim = \"0.11\"\n---\n\
                  extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"\n\n\
                  fn main() {\n    println(\"jaro {jaro(\"martha\", \"marhta\")}\")\n}\n";
    std::fs::write(dir.path().join("ok.ae"), script).expect("write");
    let run = aether(dir.path(), &cache, &["run", "ok.ae"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "jaro 0.9444444444444445\n", "{run:?}");

    std::fs::write(dir.path().join("typo.ae"), script.replace("= \"strsim::", "= \"strsm::")).expect("write");
    let check = aether(dir.path(), &cache, &["check", "typo.ae"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    for needle in ["error[E0108]", "typo.ae:6:43", "did you mean `strsim`?"] {
        assert!(check.stderr.contains(needle), "{needle:?} in {check:?}");
    }

    std::fs::write(dir.path().join("none.ae"), "extern fn f() = \"strsim::nope\"\n\nfn main() {\n    f()\n}\n")
        .expect("write");
    let check = aether(dir.path(), &cache, &["check", "none.ae"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    assert!(check.stderr.contains("error[E0108]") && check.stderr.contains("cargo add strsim"), "{check:?}");

    // `levenshtein` returns a `usize`: an `int`, not a `str`.
    let wrong = script.replace(
        "extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"",
        "extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"\nextern fn distance(a: str, b: str) -> str = \"strsim::levenshtein\"",
    );
    let wrong = wrong.replace("println(\"jaro", "println(\"{distance(\"a\", \"b\")} jaro");
    std::fs::write(dir.path().join("wrong.ae"), wrong).expect("write");
    let build = aether(dir.path(), &cache, &["build", "wrong.ae"]);
    assert_eq!(build.code, Some(1), "{build:?}");
    for needle in ["error[E0109]", "`extern fn distance` does not match `strsim::levenshtein`", "wrong.ae:7:"] {
        assert!(build.stderr.contains(needle), "{needle:?} in {build:?}");
    }
    assert!(!build.stderr.contains("bug in Aether"), "{build:?}");
    // A number of the wrong kind: `jaro` returns an `f64`, not an integer.
    std::fs::write(
        dir.path().join("kind.ae"),
        script.replace("-> float = \"strsim::jaro\"", "-> int = \"strsim::jaro\""),
    )
    .expect("write");
    let build = aether(dir.path(), &cache, &["build", "kind.ae"]);
    assert_eq!(build.code, Some(1), "{build:?}");
    let said = "rustc: Rust's `f64` cannot be returned as an Aether number (`i64`)";
    for needle in ["error[E0109]", "`extern fn jaro` does not match `strsim::jaro`", "kind.ae:6:", said] {
        assert!(build.stderr.contains(needle), "{needle:?} in {build:?}");
    }
    // The same under --hmr, where the call is in the host's shim; `-v`
    // shows cargo's verbose lines there too.
    let args = ["-v", "run", "--hmr", "wrong.ae"];
    let mut hmr = aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir.path(), &cache, &args);
    let hmr = Run::of(hmr.env("CARGO_TARGET_DIR", hmr_target_dir()));
    assert_eq!(hmr.code, Some(1), "{hmr:?}");
    for needle in ["error[E0109]", "`extern fn distance` does not match `strsim::levenshtein`", "wrong.ae:7:"] {
        assert!(hmr.stderr.contains(needle), "{needle:?} in {hmr:?}");
    }
    assert!(!hmr.stderr.contains("bug in Aether") && !hmr.stderr.contains("__host_"), "{hmr:?}");
    assert!(hmr.stderr.contains("Running `") || hmr.stderr.contains("Fresh "), "-v: {hmr:?}");
}

/// Integers and floats of other widths than `int` (`i64`) and `float`
/// (`f64`) cross the `extern fn` boundary through checked conversions: a
/// value that does not fit is a runtime error at the `extern fn`'s line.
#[test]
fn extern_fns_convert_integer_and_float_widths_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("widths.ae"), WIDTHS).expect("write");
    let run = aether(dir.path(), &cache, &["run", "widths.ae", "fits"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "3 44 1.5 4294967295\n", "{run:?}");
    let run = aether(dir.path(), &cache, &["run", "widths.ae", "param"]);
    assert_eq!(run.code, Some(101), "a runtime error: {run:?}");
    assert!(
        run.stderr.contains("`extern fn negate`: parameter `x` is -1, which does not fit in Rust's `u64`"),
        "{run:?}"
    );
    assert!(run.stderr.contains("--> widths.ae:7:11"), "{run:?}");
    let run = aether(dir.path(), &cache, &["run", "widths.ae", "result"]);
    assert_eq!(run.code, Some(101), "{run:?}");
    let said = "`extern fn negate`: `core::primitive::u64::wrapping_neg` returned 18446744073709551615, which does \
                not fit in `int`";
    assert!(run.stderr.contains(said) && run.stderr.contains("--> widths.ae:7:11"), "{run:?}");
    let run = aether(dir.path(), &cache, &["run", "widths.ae", "narrow"]);
    assert_eq!(run.code, Some(101), "{run:?}");
    assert!(run.stderr.contains("parameter `x` is 1e300, which does not fit in Rust's `f32`"), "{run:?}");
    assert!(!run.stderr.contains("bug in Aether"), "{run:?}");
}

const WIDTHS: &str = "#!/usr/bin/env aether
---cargo
[dependencies]
strsim = \"0.11\"
---
extern fn distance(a: str, b: str) -> int = \"strsim::levenshtein\"
extern fn negate(x: int) -> int = \"core::primitive::u64::wrapping_neg\"
extern fn byte_add(a: int, b: int) -> int = \"core::primitive::u8::wrapping_add\"
extern fn root(x: float) -> float = \"std::primitive::f32::sqrt\"
extern fn widest(x: int, y: int) -> int = \"core::primitive::u32::saturating_add\"

fn main() {
    let what = args()[0]
    if what == \"fits\" {
        println(\"{distance(\"kitten\", \"sitting\")} {byte_add(200, 100)} {root(2.25)} {widest(4294967290, 100)}\")
    } else if what == \"param\" {
        println(negate(-1))
    } else if what == \"result\" {
        println(negate(1))
    } else {
        println(root(1.0e300))
    }
}
";

/// A dependency cargo cannot resolve (a crate that does not exist; offline,
/// so no network is asked) is said as what it is, with cargo's words, by
/// `build` and by `run --hmr`: not as a bug in Aether.
#[test]
fn a_dependency_that_cannot_be_resolved_is_said_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let script = "---cargo\n[dependencies]\naether-no-such-crate-exists = \"1\"\n---\n\
                  extern fn f() -> int = \"aether_no_such_crate_exists::f\"\n\nfn main() {\n    println(f())\n}\n";
    std::fs::write(dir.path().join("nodep.ae"), script).expect("write");
    let check = |r: &Run| {
        assert_eq!(r.code, Some(1), "{r:?}");
        for needle in ["cargo could not resolve or download the program's dependencies", "aether-no-such-crate-exists"]
        {
            assert!(r.stderr.contains(needle), "{needle:?} in {r:?}");
        }
        assert!(!r.stderr.contains("bug in Aether"), "{r:?}");
    };
    let mut build = aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir.path(), &cache, &["build", "nodep.ae"]);
    check(&Run::of(build.env("CARGO_NET_OFFLINE", "true")));
    let mut hmr = aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir.path(), &cache, &["run", "--hmr", "nodep.ae"]);
    check(&Run::of(hmr.env("CARGO_NET_OFFLINE", "true").env("CARGO_TARGET_DIR", hmr_target_dir())));
}

/// `aether check` in a Rust host crate checks the directories its build
/// script compiles, as the build script does (`extern fn`s are the crate's).
#[test]
fn check_in_a_rust_host_crate_checks_what_its_build_script_compiles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = dir.path().join("host");
    aether_test_support::copy_host_package(&repo_root().join("tests/hmr-fixtures/rust-host"), &host, "check-host")
        .expect("copy");
    let check = aether(&host, dir.path(), &["check"]);
    assert_eq!(check.code, Some(0), "{check:?}");
    assert!(check.stderr.contains("Checked `check-host (src/logic)` (2 modules): no errors"), "{check:?}");

    let game = std::fs::read_to_string(host.join("src/logic/game.ae")).expect("read");
    std::fs::write(host.join("src/logic/game.ae"), game.replace("work_done += 1", "work_done += \"1\""))
        .expect("write");
    let check = aether(&host, dir.path(), &["check"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    assert!(check.stderr.contains("error[E0304]") && check.stderr.contains("src/logic/game.ae:12:5"), "{check:?}");
    assert!(!check.stderr.contains("E0006") && !check.stderr.contains("E0107"), "{check:?}");
}

//! Scripts share one cargo target directory but never an executable: two
//! scripts with the same file name (`a/main.ae`, `b/main.ae`) each run their
//! own program, in any order, debug and release, and `aether test` tests
//! each one's own blocks (issue #11, finding 10).

use aether_test_support::{aether_cli, Run};
use std::fs;
use std::path::Path;
use std::process::Command;

fn aether(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, cache, args))
}

/// `a/main.ae` and `b/main.ae`, printing `A` and `B`, each with a test
/// block that passes only for its own program.
fn two_mains() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (sub, letter) in [("a", "A"), ("b", "B")] {
        fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        let text = format!(
            "fn letter() -> str {{ \"{letter}\" }}\n\nfn main() {{\n    println(letter())\n}}\n\n\
             test \"is {letter}\" {{\n    assert(letter() == \"{letter}\")\n}}\n"
        );
        fs::write(dir.path().join(sub).join("main.ae"), text).expect("write");
    }
    dir
}

fn assert_prints(r: &Run, out: &str) {
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), out), "{r:?}");
}

#[test]
fn two_scripts_with_the_same_name_each_run_their_own_program() {
    let dir = two_mains();
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |path: &str| aether(dir.path(), cache.path(), &["run", path]);
    // The sequence: the third run printed `B`.
    assert_prints(&run("a/main.ae"), "A\n");
    assert_prints(&run("b/main.ae"), "B\n");
    let again = run("a/main.ae");
    assert_prints(&again, "A\n");
    assert!(!again.stderr.contains("Compiling"), "unchanged, so not rebuilt: {again:?}");
    assert_prints(&run("b/main.ae"), "B\n");

    // `build` prints two different executables, each running its own program.
    let built = |path: &str| {
        let r = aether(dir.path(), cache.path(), &["build", path]);
        assert_eq!(r.code, Some(0), "{r:?}");
        r.stdout.trim().to_string()
    };
    let (exe_a, exe_b) = (built("a/main.ae"), built("b/main.ae"));
    assert_ne!(exe_a, exe_b);
    for (exe, out) in [(&exe_a, "A\n"), (&exe_b, "B\n")] {
        let output = Command::new(exe).output().expect("the executable runs");
        assert_eq!(String::from_utf8_lossy(&output.stdout), out, "{exe}");
    }
}

#[test]
fn two_scripts_with_the_same_name_each_run_their_own_release_build() {
    let dir = two_mains();
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |path: &str| aether(dir.path(), cache.path(), &["run", "--release", path]);
    assert_prints(&run("a/main.ae"), "A\n");
    assert_prints(&run("b/main.ae"), "B\n");
    assert_prints(&run("a/main.ae"), "A\n");
    // A debug run in between leaves the release build in place.
    assert_prints(&aether(dir.path(), cache.path(), &["run", "b/main.ae"]), "B\n");
    let again = run("b/main.ae");
    assert_prints(&again, "B\n");
    assert!(!again.stderr.contains("Compiling"), "unchanged, so not rebuilt: {again:?}");
}

#[test]
fn two_scripts_with_the_same_name_each_test_their_own_blocks() {
    let dir = two_mains();
    let cache = tempfile::tempdir().expect("tempdir");
    for (path, letter) in [("a/main.ae", "A"), ("b/main.ae", "B"), ("a/main.ae", "A")] {
        let r = aether(dir.path(), cache.path(), &["test", path]);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert!(r.stdout.contains(&format!("test {path}: is {letter} ... ok")), "{r:?}");
        assert!(r.stdout.contains("test result: ok. 1 passed; 0 failed"), "{r:?}");
    }
}

//! End to end: real Cargo packages that compile Aether modules from their
//! `build.rs` (tests/interop-fixtures/host, examples/rust-game-host), built
//! and run with the real `cargo`, judged by their output. They share one
//! target directory (`target/aether-interop/`), so the build dependencies
//! compile once for all of them.

use aether_test_support::{cargo, host_manifest, interop_target_dir, repo_root, Run};
use std::path::{Path, PathBuf};

/// `cargo <args>` on the package at `dir`, with the shared target dir.
fn cargo_on(dir: &Path, args: &[&str]) -> Run {
    let (command, rest) = args.split_first().expect("a cargo command");
    // Before `--`: what follows it goes to the program.
    Run::of(
        cargo()
            .arg(command)
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .args(rest)
            .env("CARGO_TARGET_DIR", interop_target_dir()),
    )
}

fn host() -> PathBuf {
    repo_root().join("tests/interop-fixtures/host")
}

#[test]
fn rust_host_calls_aether_and_aether_calls_the_host() {
    let r = cargo_on(&host(), &["run", "-q"]);
    assert!(r.ok(), "{r:?}");
    let expected = "\
Ada moves to (2, -3)
Ada rests (14 hp)
[host] Ada says hello
Ada has said 1 things
[host] Ada says again
Ada has said 2 things
score 149
Ada the brave [\"veteran\"] (2, -3)
turns 4 history [\"hello\", \"again\"]
strongest Some(\"Bob\")
strongest of none None
max 20 clamp 20
parse Ok(7) Err(\"negative hp: -1\")
party of 1
Ada the brave the first
shown Player { name: \"Ada the brave\", hp: 14, pos: (2, -3), tags: [\"veteran\"] }
";
    assert_eq!(r.stdout, expected, "{r:?}");
}

#[test]
fn calls_from_many_threads_keep_an_exact_count() {
    let r = cargo_on(&host(), &["run", "-q", "--", "threads"]);
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.stdout, "turns 16000 expected 16000\n", "{r:?}");
}

/// A host package in a temporary directory whose only module is `game.ae`.
fn small_host(game: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = host_manifest(&host(), "interop-small").expect("fixture manifest");
    let files = [
        ("Cargo.toml", manifest),
        ("build.rs", std::fs::read_to_string(host().join("build.rs")).expect("build.rs")),
        (
            "src/main.rs",
            "aether_rt::include_aether!(logic);\nfn main() { println!(\"{}\", logic::game::f()); }\n".into(),
        ),
        ("src/logic/game.ae", game.to_string()),
    ];
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    std::fs::copy(host().join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("lock file");
    dir
}

#[test]
fn aether_errors_fail_the_build_with_their_location() {
    let dir = small_host("pub fn f() -> int {\n    let x: int = \"three\"\n    x\n}\n");
    let r = cargo_on(dir.path(), &["build", "-q"]);
    assert!(!r.ok(), "{r:?}");
    assert!(r.stderr.contains("src/logic/game.ae:2:18: error[E0300]: mismatched types"), "{r:?}");
    assert!(r.stderr.contains("--> src/logic/game.ae:2:18"), "the full diagnostic is shown: {r:?}");
    // Fixed, the same package builds and runs: the build script reran.
    std::fs::write(dir.path().join("src/logic/game.ae"), "pub fn f() -> int {\n    3\n}\n").expect("write");
    let r = cargo_on(dir.path(), &["run", "-q"]);
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.stdout, "3\n");
}

#[test]
fn game_host_example_runs_a_bounded_number_of_frames() {
    let r = cargo_on(&repo_root().join("examples/rust-game-host"), &["run", "-q", "--", "--frames", "40"]);
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.stdout.matches("frame ").count(), 40, "{r:?}");
    assert!(r.stdout.ends_with("game over after 40 frames\n"), "{r:?}");
}

#[test]
fn aether_tests_run_under_cargo_test_of_the_host() {
    let r = cargo_on(&host(), &["test", "--", "--list"]);
    assert!(r.ok(), "{r:?}");
    assert!(r.stdout.contains("logic::__aether::rules::test_1_hp_stays_in_range: test"), "{r:?}");
    let r = cargo_on(&host(), &["test", "-q"]);
    assert!(r.ok(), "{r:?}");
    assert!(r.stdout.contains("1 passed"), "{r:?}");
}

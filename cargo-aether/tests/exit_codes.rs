//! Failures of the machine, not of the command line, exit 101 as cargo's do
//! (a usage error exits 2; `cli.rs` tests those): the README's exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn cargo_aether(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-aether"));
    command.arg("aether").args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("cargo-aether runs")
}

fn assert_environment_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains(needle), "expected {needle:?} in {stderr}");
}

#[test]
fn a_cargo_that_cannot_be_started_exits_101() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.ae"), "fn main() {\n    println(\"hi\")\n}\n").expect("write");
    let cache = dir.path().join("cache");
    let missing = dir.path().join("no-such-cargo");
    let out = cargo_aether(dir.path(), &["build", "main.ae"], &[("CARGO", &missing), ("AETHER_CACHE_DIR", &cache)]);
    assert_environment_error(&out, "cannot run");
}

#[test]
fn a_project_that_cannot_be_written_exits_101() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("taken"), "a file, not a directory").expect("write");
    let out = cargo_aether(dir.path(), &["new", "taken/game"], &[]);
    assert_environment_error(&out, "cannot write");
}

//! `aether check` reports what the code generator refuses (E0700) with the
//! checker's diagnostics, so `check` and `build` agree about a program. The
//! static build refuses nothing `check` accepts any more: the last refusal,
//! a string literal in an alternative of an `|` pattern nested in a tuple,
//! is generated (issue #11), and `check`, `build` and `run` all agree.

use std::process::Command;

/// Valid Aether the generator used to refuse.
const ONCE_REFUSED: &str = "fn main() {\n    match (\"go\", 2) {\n        (\"go\" | \"walk\", 2) => println(\"moving\")\n        _ => println(\"other\")\n    }\n}\n";

/// `aether <args>` in a temporary directory holding `main.ae`, with its own
/// cache: exit code, stdout, stderr.
fn aether_on(src: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.ae"), src).expect("write main.ae");
    let out = Command::new(env!("CARGO_BIN_EXE_aether"))
        .args(args)
        .current_dir(dir.path())
        .env("AETHER_CACHE_DIR", dir.path().join("cache"))
        .env("CARGO_TARGET_DIR", aether_test_support::repo_root().join("target/cli-e2e"))
        .output()
        .expect("aether runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_accepts_the_once_refused_program() {
    let (code, stdout, stderr) = aether_on(ONCE_REFUSED, &["check", "main.ae"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert_eq!(stderr, "Checked `main.ae` (1 module): no errors\n");
}

#[test]
fn check_reports_no_refusal_as_json() {
    let (code, stdout, stderr) = aether_on(ONCE_REFUSED, &["check", "main.ae", "--message-format", "json"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let lines: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert!(lines.iter().all(|v| v["type"] != "diagnostic"), "{stdout}");
    let summary = lines.last().expect("a summary line");
    assert_eq!((summary["type"].as_str(), summary["errors"].as_u64()), (Some("summary"), Some(0)), "{stdout}");
}

#[test]
fn run_builds_and_runs_the_once_refused_program() {
    let (code, stdout, stderr) = aether_on(ONCE_REFUSED, &["run", "main.ae"]);
    assert_eq!((code, stdout.as_str()), (Some(0), "moving\n"), "{stderr}");
}

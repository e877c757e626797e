//! `aether check` reports what the code generator refuses (E0700) the way
//! it reports the checker's diagnostics, so `check` and `build` agree about
//! a program: with its code and `file:line:col`, rendered for people and as
//! JSON for tools.

use std::process::Command;

/// Valid Aether the generator cannot generate yet: a string literal in an
/// alternative of an `|` pattern nested in a tuple.
const REFUSED: &str = "fn main() {\n    match (\"go\", 2) {\n        (\"go\" | \"walk\", 2) => println(\"moving\")\n        _ => println(\"other\")\n    }\n}\n";

/// `aether <args>` in a temporary directory holding `main.ae`: exit code,
/// stdout, stderr.
fn aether_on(src: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.ae"), src).expect("write main.ae");
    let out =
        Command::new(env!("CARGO_BIN_EXE_aether")).args(args).current_dir(dir.path()).output().expect("aether runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_reports_a_refusal_with_its_code_and_location() {
    let (code, stdout, stderr) = aether_on(REFUSED, &["check", "main.ae"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "");
    let message =
        "error[E0700]: unsupported in code generation: a string literal nested in an alternative of an `|` pattern";
    assert_eq!(stderr.matches(message).count(), 2, "{stderr}");
    assert!(stderr.contains("--> main.ae:3:10"), "{stderr}");
    assert!(stderr.contains("--> main.ae:3:17"), "{stderr}");
    assert!(stderr.ends_with("error: could not check `main.ae` due to 2 previous errors\n"), "{stderr}");
}

#[test]
fn check_reports_a_refusal_as_json() {
    let (code, stdout, stderr) = aether_on(REFUSED, &["check", "main.ae", "--message-format", "json"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let lines: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let diagnostics: Vec<&serde_json::Value> = lines.iter().filter(|v| v["type"] == "diagnostic").collect();
    assert_eq!(diagnostics.len(), 2, "{stdout}");
    let at: Vec<(String, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "E0700", "{d}");
            assert_eq!(d["severity"], "error", "{d}");
            assert!(d["message"].as_str().is_some_and(|m| m.starts_with("unsupported in code generation: ")), "{d}");
            let label = &d["labels"][0];
            (
                label["file"].as_str().unwrap_or("").to_string(),
                label["line"].as_u64().unwrap_or(0),
                label["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(at, vec![("main.ae".to_string(), 3, 10), ("main.ae".to_string(), 3, 17)]);
    let summary = lines.last().expect("a summary line");
    assert_eq!((summary["type"].as_str(), summary["errors"].as_u64()), (Some("summary"), Some(2)), "{stdout}");
}

#[test]
fn build_refuses_the_same_program_through_the_same_report() {
    // Refused before anything is generated or built, so this runs no cargo.
    let (code, _, stderr) = aether_on(REFUSED, &["build", "main.ae"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error[E0700]: unsupported in code generation"), "{stderr}");
    assert!(stderr.contains("--> main.ae:3:10"), "{stderr}");
    assert!(stderr.contains("error: could not build `main.ae` due to 2 previous errors"), "{stderr}");
}

//! What the CLI accepts as a program's entry: files with a UTF-8 byte order
//! mark, and one report for a missing `main` from every command (the
//! checker's E0105, exit 1), except `test`, whose harness needs no `main`.

use aether_test_support::{aether_cli, Run};
use std::fs;
use std::path::Path;

/// `cargo-aether aether <args>` in `dir`, caching scripts in `dir/cache`.
fn aether(dir: &Path, args: &[&str]) -> Run {
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, &dir.join("cache"), args))
}

fn script(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(name), text).expect("write");
    dir
}

#[test]
fn a_file_starting_with_a_byte_order_mark_checks_and_runs() {
    let dir = script("bom.ae", "\u{feff}fn main() {\r\n    println(\"no mark\")\r\n}\r\n");
    let r = aether(dir.path(), &["check", "bom.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = aether(dir.path(), &["run", "bom.ae"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "no mark\n"), "{r:?}");
    // Columns on the first line are counted after the mark.
    fs::write(dir.path().join("bad.ae"), "\u{feff}fn main() { let = 1 }\n").expect("write");
    let r = aether(dir.path(), &["check", "bad.ae"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("--> bad.ae:1:17"), "{r:?}");
}

#[test]
fn a_missing_main_is_e0105_from_every_command() {
    let dir = script("helper.ae", "fn helper() -> int {\n    1\n}\n");
    let check = aether(dir.path(), &["check", "helper.ae"]);
    assert_eq!(check.code, Some(1), "{check:?}");
    let report = check.stderr.lines().next().unwrap_or_default().to_string();
    assert_eq!(report, "error[E0105]: module `helper` has no `main` function", "{check:?}");
    for command in ["build", "run", "test"] {
        let r = aether(dir.path(), &[command, "helper.ae"]);
        assert_eq!(r.code, Some(1), "{command}: {r:?}");
        assert!(r.stderr.starts_with(&report), "{command} reports as check does: {r:?}");
        assert!(r.stderr.contains("--> helper.ae:1:1"), "{command}: {r:?}");
        let verb = if command == "run" { "build" } else { command };
        assert!(r.stderr.contains(&format!("could not {verb} `helper.ae` due to 1 previous error")), "{r:?}");
    }
}

#[test]
fn test_needs_no_main_when_there_are_tests() {
    let dir = script(
        "tools.ae",
        "fn double(x: int) -> int {\n    x * 2\n}\n\ntest \"doubles\" {\n    assert(double(2) == 4)\n}\n",
    );
    let r = aether(dir.path(), &["test", "tools.ae"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("test tools.ae: doubles ... ok"), "{r:?}");
    // Still a program without a start for `run`.
    let r = aether(dir.path(), &["run", "tools.ae"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error[E0105]"), "{r:?}");
}

//! End-to-end tests of `aether fmt`: the real binary on files in temporary
//! directories, judged by exit status, output and the files afterwards.

use aether_test_support::Run;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const MESSY: &str = "fn main( ) {\n  let x=1+2 // three\n\n\n  println( \"{x}\" )\n}\n";
const TIDY: &str = "fn main() {\n    let x = 1 + 2 // three\n\n    println(\"{x}\")\n}\n";
const BROKEN: &str = "fn main() {\n    let = 1\n}\n";

fn aether(dir: &Path, args: &[&str]) -> Run {
    Run::of(Command::new(env!("CARGO_BIN_EXE_aether")).args(args).current_dir(dir))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

#[test]
fn formats_the_files_of_a_directory_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::create_dir_all(dir.path().join("target")).unwrap();
    fs::write(dir.path().join("src/main.ae"), MESSY).unwrap();
    fs::write(dir.path().join("target/gen.ae"), MESSY).unwrap();
    let run = aether(dir.path(), &["fmt"]);
    assert!(run.ok(), "{run:?}");
    assert_eq!(read(&dir.path().join("src/main.ae")), TIDY);
    assert_eq!(read(&dir.path().join("target/gen.ae")), MESSY, "target/ is not formatted");
}

#[test]
fn check_names_the_files_that_would_change_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("messy.ae"), MESSY).unwrap();
    fs::write(dir.path().join("tidy.ae"), TIDY).unwrap();
    let run = aether(dir.path(), &["fmt", "--check", "messy.ae", "tidy.ae"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stdout.trim(), "messy.ae", "{run:?}");
    assert_eq!(read(&dir.path().join("messy.ae")), MESSY, "--check writes nothing");
    let run = aether(dir.path(), &["fmt", "--check", "tidy.ae"]);
    assert!(run.ok(), "{run:?}");
}

#[test]
fn a_file_with_syntax_errors_is_left_alone_with_its_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("broken.ae"), BROKEN).unwrap();
    fs::write(dir.path().join("messy.ae"), MESSY).unwrap();
    let run = aether(dir.path(), &["fmt", "."]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("broken.ae:2:9"), "{run:?}");
    assert!(run.stderr.contains("E0007"), "{run:?}");
    assert_eq!(read(&dir.path().join("broken.ae")), BROKEN);
    assert_eq!(read(&dir.path().join("messy.ae")), TIDY, "the other files are still formatted");
}

#[test]
fn stdin_to_stdout_for_editors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aether"))
            .args(["fmt", "--stdin"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run(MESSY), (Some(0), TIDY.to_string(), String::new()));
    let (code, stdout, stderr) = run(BROKEN);
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    assert!(stderr.contains("<stdin>:2:9"), "{stderr}");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = aether(dir.path(), &["fmt", "nope.ae"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("nope.ae"), "{run:?}");
}

//! The CLI behaves as a Rust user expects from cargo and from a scripting
//! language: scripts run with `#!/usr/bin/env aether` and take their
//! arguments without `--`; the project is found from a subdirectory; `new`
//! makes a git repository with a `.gitignore` and suggests the command the
//! user typed; `clean`; `-q`; a runtime that cannot be written is reported
//! as that. Builds share the CLI tests' target directory.

use aether_test_support::{aether_cli, repo_root, Run};
use std::path::Path;
use std::process::Command;

fn aether(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, cache, args))
}

/// `aether ARGS` (the `aether` binary, not cargo's form).
fn aether_direct(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aether"));
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo_root().join("target/cli-e2e"))
        .env("AETHER_CACHE_DIR", cache);
    Run::of(&mut command)
}

const ECHO: &str = "#!/usr/bin/env aether\nfn main() {\n    println(\"args: {args()}\")\n}\n";

#[test]
fn a_script_runs_from_its_interpreter_line_with_its_arguments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("echo.ae");
    std::fs::write(&script, ECHO).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let bin = Path::new(env!("CARGO_BIN_EXE_aether")).parent().expect("bin dir").to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        let r = Run::of(
            Command::new("./echo.ae")
                .args(["one", "two", "--three"])
                .current_dir(dir.path())
                .env("PATH", path)
                .env("CARGO_TARGET_DIR", repo_root().join("target/cli-e2e"))
                .env("AETHER_CACHE_DIR", dir.path().join("cache")),
        );
        assert_eq!(r.code, Some(0), "{r:?}");
        assert_eq!(r.stdout, "args: [\"one\", \"two\", \"--three\"]\n", "{r:?}");
    }
    let cache = dir.path().join("cache");
    let r = aether_direct(dir.path(), &cache, &["echo.ae", "a", "b"]);
    assert_eq!(r.stdout, "args: [\"a\", \"b\"]\n", "{r:?}");
    // `run FILE ARGS`, in both forms, needs no `--`; flags after the file
    // are the script's.
    let r = aether(dir.path(), &cache, &["run", "echo.ae", "c", "--release"]);
    assert_eq!(r.stdout, "args: [\"c\", \"--release\"]\n", "{r:?}");
    let r = aether(dir.path(), &cache, &["-q", "run", "echo.ae", "--", "d"]);
    assert_eq!(r.stdout, "args: [\"d\"]\n", "{r:?}");
}

#[test]
fn the_project_is_found_from_a_subdirectory_as_cargo_finds_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let r = aether_direct(dir.path(), &cache, &["new", "found", "--vcs", "none"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = aether_direct(&dir.path().join("found/src"), &cache, &["check"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "Checked `found` (1 module): no errors\n", "{r:?}");
}

#[test]
fn new_makes_a_cargo_package_with_git_and_says_how_to_run_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let r = aether_direct(dir.path(), &cache, &["new", "direct"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("aether run") && !r.stderr.contains("cargo aether"), "{r:?}");
    let project = dir.path().join("direct");
    for file in ["Cargo.toml", "build.rs", "src/main.rs", "src/main.ae", ".gitignore"] {
        assert!(project.join(file).is_file(), "{file} missing");
    }
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    // The runtime the tool carries, written where the manifest says.
    let runtime_dir = repo_root().join("target/cli-e2e/aether-runtime");
    assert!(manifest.contains(&format!("{}/", runtime_dir.display())), "{manifest}");
    let rt_line = manifest.lines().find(|l| l.starts_with("aether-rt")).expect("aether-rt dependency");
    let rt = rt_line.split('"').nth(1).expect("a path");
    assert!(Path::new(rt).join("Cargo.toml").is_file(), "{rt}");
    if Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success()) {
        assert!(project.join(".git").is_dir(), "no git repository");
    }
    let r = aether(dir.path(), &cache, &["new", "via-cargo", "--vcs", "none"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("cargo aether run"), "{r:?}");
    assert!(!dir.path().join("via-cargo/.git").exists());
}

#[test]
fn clean_removes_what_a_build_wrote_and_quiet_prints_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let r = aether_direct(dir.path(), &cache, &["new", "tidy", "--vcs", "none"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let project = dir.path().join("tidy");
    let r = aether_direct(&project, &cache, &["-q", "build"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!r.stderr.contains("Finished") && !r.stderr.contains("Compiling"), "{r:?}");
    assert!(project.join("target/aether/debug/tidy").is_file());
    let r = aether_direct(&project, &cache, &["clean"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!project.join("target/aether").exists());
    assert!(project.join("src/main.ae").is_file());
}

#[test]
fn a_runtime_that_cannot_be_written_is_reported_as_that() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("hello.ae"), "fn main() {\n    println(\"hi\")\n}\n").expect("write");
    // The target directory is a file: nothing can be written under it.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "").expect("write");
    let r = Run::of(
        Command::new(env!("CARGO_BIN_EXE_aether"))
            .args(["run", "hello.ae"])
            .current_dir(dir.path())
            .env("CARGO_TARGET_DIR", &blocked)
            .env("AETHER_CACHE_DIR", dir.path().join("cache")),
    );
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("cannot write the Aether runtime"), "{r:?}");
    assert!(!r.stderr.contains("bug in Aether"), "{r:?}");
}

#[test]
fn a_project_in_the_old_layout_still_builds_and_says_how_to_move() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("old");
    std::fs::create_dir_all(project.join("src")).expect("mkdir");
    let manifest = "[package]\nname = \"old\"\nversion = \"0.1.0\"\nedition = \"2021\"\nautobins = false\n\n\
                    [[bin]]\nname = \"old\"\npath = \"target/aether/main.rs\"\n\n[package.metadata.aether]\nentry = \"main.ae\"\n";
    std::fs::write(project.join("Cargo.toml"), manifest).expect("write");
    std::fs::write(project.join("src/main.ae"), "fn main() {\n    println(\"old\")\n}\n").expect("write");
    let r = aether(&project, &dir.path().join("cache"), &["build"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("Moving a project made before this layout"), "{r:?}");
    let r = aether(&project, &dir.path().join("cache"), &["run"]);
    assert_eq!(r.stdout, "old\n", "{r:?}");
}

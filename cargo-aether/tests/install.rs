//! The installed tool stands alone: `cargo install` the CLI from a copy of
//! the repository into a temporary root, delete the copy, and use the
//! installed `aether` as a Rust user would on first contact: `new`, `run`,
//! `build`, `test`, plain `cargo run` and `cargo test` in the project, a
//! crates.io crate added with `cargo add` and called through `extern fn`
//! (by `run`, plain `cargo run` and `run --hmr`), `run --hmr` with an edit, and a `#!/usr/bin/env aether` script with
//! arguments. Nothing may refer to the deleted copy.
//!
//! Slow when cold (it builds the CLI, then a project's `build.rs` builds the
//! transpiler): one test, one install, and the install's target directory
//! (`target/install-e2e`) is kept between runs. The programs build as a
//! user's would, with no `CARGO_TARGET_DIR`, in the project and the cache.
#![cfg(unix)]

use aether_test_support::{copy_dir, repo_root, save, spawn_followed, Run};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// What `cargo install --path cargo-aether` needs of the repository: the
/// workspace's manifests and its members, and the templates `new` embeds
/// (the window template shares its host files with examples/window-game).
const COPIED: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "aether-rt",
    "aether-transpile",
    "aether-build",
    "cargo-aether",
    "test-support",
    "templates",
    "examples/window-game",
    // The language server's hover quotes the reference (`include_str!`).
    "docs",
];

/// The installed tool's environment: its `bin` first on `PATH`, a cache of
/// its own, and no target directory or cargo variables from this test run.
struct Installed {
    bin: PathBuf,
    cache: PathBuf,
}

impl Installed {
    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut command = Command::new(program);
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        command.current_dir(dir).env("PATH", path).env("AETHER_CACHE_DIR", &self.cache);
        // What `cargo test` sets for this test would point cargo (and the
        // tool) at the test's own build.
        for var in ["CARGO_TARGET_DIR", "CARGO", "CARGO_MANIFEST_DIR", "CARGO_BUILD_TARGET_DIR"] {
            command.env_remove(var);
        }
        command
    }

    fn aether(&self, dir: &Path, args: &[&str]) -> Run {
        Run::of(self.command(&self.bin.join("aether").to_string_lossy(), dir).args(args))
    }
}

fn assert_ok(r: &Run, what: &str) {
    assert_eq!(r.code, Some(0), "{what}: {r:?}");
}

#[test]
fn the_installed_tool_works_with_the_clone_deleted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let copy = tmp.path().join("aether-clone");
    std::fs::create_dir_all(&copy).expect("mkdir");
    for part in COPIED {
        let from = repo_root().join(part);
        if from.is_dir() {
            copy_dir(&from, &copy.join(part)).expect("copy the repository");
        } else {
            std::fs::copy(&from, copy.join(part)).expect("copy the repository");
        }
    }
    let root = tmp.path().join("root");
    let install = Run::of(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")))
            .args(["install", "--locked", "--debug", "--path"])
            .arg(copy.join("cargo-aether"))
            .arg("--root")
            .arg(&root)
            .env("CARGO_TARGET_DIR", repo_root().join("target/install-e2e")),
    );
    assert_ok(&install, "cargo install");
    std::fs::remove_dir_all(&copy).expect("delete the copy");

    let tool = Installed { bin: root.join("bin"), cache: tmp.path().join("cache") };
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");

    // A project, run by the tool and by cargo alike.
    assert_ok(&tool.aether(&work, &["new", "hello"]), "new");
    let project = work.join("hello");
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    assert!(!manifest.contains("aether-clone"), "the project names the deleted clone:\n{manifest}");
    let r = tool.aether(&project, &["run", "--", "Ada"]);
    assert_ok(&r, "aether run");
    assert_eq!(r.stdout, "Hello, Ada!\n");
    let r = tool.aether(&project, &["build"]);
    assert_ok(&r, "aether build");
    let exe = PathBuf::from(r.stdout.trim());
    let r = Run::of(Command::new(&exe).arg("Bo"));
    assert_eq!(r.stdout, "Hello, Bo!\n", "{r:?}");
    let r = tool.aether(&project, &["test"]);
    assert_ok(&r, "aether test");
    assert!(r.stdout.contains("main.ae: greets by name ... ok"), "{r:?}");
    let r = Run::of(tool.command("cargo", &project).args(["run", "-q", "--", "Cy"]));
    assert_ok(&r, "cargo run");
    assert_eq!(r.stdout, "Hello, Cy!\n");
    let r = Run::of(tool.command("cargo", &project).args(["test", "-q"]));
    assert_ok(&r, "cargo test");
    assert!(r.stdout.contains("1 passed"), "{r:?}");

    // A crates.io crate, added the usual way and called through `extern fn`
    // (`strsim`: small, and already in the workspace's lock file, so in
    // cargo's cache): by the tool, and by plain `cargo run`.
    let r = Run::of(tool.command("cargo", &project).args(["add", "strsim@0.11"]));
    assert_ok(&r, "cargo add");
    save(&project.join("src"), "main.ae", WORDS);
    let r = tool.aether(&project, &["run", "--", "martha", "marhta"]);
    assert_ok(&r, "aether run with a crate");
    assert_eq!(r.stdout, "jaro 0.9444444444444445\n");
    let r = Run::of(tool.command("cargo", &project).args(["run", "-q", "--", "martha", "marhta"]));
    assert_ok(&r, "cargo run with a crate");
    assert_eq!(r.stdout, "jaro 0.9444444444444445\n");

    // Hot reloading: an edit swaps in while the program runs, state kept;
    // the edited module calls the crate's function, linked into the host.
    save(&project.join("src"), "main.ae", TICKER);
    save(&project.join("src"), "fmt.ae", &FMT.replace("WORD", "tick"));
    let aether = tool.bin.join("aether");
    let (_child, out, err) = spawn_followed(tool.command(&aether.to_string_lossy(), &project).args(["run", "--hmr"]))
        .expect("aether run --hmr starts");
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let tick = |prefix: &'static str| {
        move |l: &str| l.strip_prefix(prefix)?.strip_suffix(" jaro 0.9444444444444445")?.parse::<u64>().ok()
    };
    let first = out.wait_for(0, Duration::from_secs(600), tick("tick "));
    let Some((at, _, before)) = first else { panic!("{}", report("--hmr: the program never ran")) };
    save(&project.join("src"), "fmt.ae", &FMT.replace("WORD", "tock"));
    let tock = out.wait_for(at, Duration::from_secs(300), tick("tock "));
    let Some((_, _, after)) = tock else { panic!("{}", report("--hmr: the edit was not swapped in")) };
    assert!(after > before, "{}", report("--hmr: the counter was reset"));
    drop(_child);

    // A script with an interpreter line, run with arguments.
    let script = work.join("greet.ae");
    std::fs::write(&script, "#!/usr/bin/env aether\nfn main() {\n    println(\"args: {args()}\")\n}\n").expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let r = Run::of(tool.command("./greet.ae", &work).args(["one", "two"]));
    assert_ok(&r, "./greet.ae");
    assert_eq!(r.stdout, "args: [\"one\", \"two\"]\n");
}

/// A program that runs until stopped: a counter in `state`, printed by a
/// function of another module (the one the test edits).
const TICKER: &str = "import fmt\n\nstate count: int = 0\n\nfn main() {\n    loop {\n        count += 1\n        println(fmt.line(count))\n        sleep_ms(50)\n    }\n}\n";

/// A program that calls a crate's function with its arguments.
const WORDS: &str = "extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"\n\nfn main() {\n    let argv = args()\n    println(\"jaro {jaro(argv[0], argv[1])}\")\n}\n";

/// The module the hot-reloading part edits (`WORD` is the word it changes):
/// it calls the crate's function through the host's table.
const FMT: &str = "extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"\n\npub fn line(n: int) -> str {\n    \"WORD {n} jaro {jaro(\"martha\", \"marhta\")}\"\n}\n";

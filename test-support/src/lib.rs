//! What the end-to-end tests (`cargo-aether/tests`, `aether-build/tests`,
//! `aether-rt/tests`) and the benchmark drivers (`bench/`) share, written
//! once: the output of a live process followed line by line
//! ([`Lines`]), processes killed with everything they started
//! ([`KillOnDrop`]), finished commands ([`Run`]), a keep-alive HTTP/1.1
//! client ([`Conn`]) and servers that print their address ([`Server`]),
//! files saved as editors save them ([`replace_file`]) and Rust host
//! packages copied out of the repository ([`copy_host_package`]).
//!
//! Waiting is always "until this line appears, or a generous timeout": the
//! tests never assert how long anything took (the machine may be busy).

mod files;
mod http;
mod lines;
mod process;

pub use files::{copy_dir, copy_example_to_edit, copy_host_package, host_manifest, replace_file, save};
pub use http::{listening_address, Conn, Reply, Server};
pub use lines::Lines;
pub use process::{cargo, hmr_host_pid, mapped_files, spawn_followed, vm_rss, KillOnDrop, Run};

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root directory (this crate sits at its top level).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("test-support sits in the repository").to_path_buf()
}

/// The target directory the hot-reload end-to-end tests share, so the
/// runtime compiles once for all of them.
pub fn hmr_target_dir() -> PathBuf {
    repo_root().join("target/hmr-e2e")
}

/// The target directory the tests that build Rust host packages (and
/// bench/server) share, so `aether-build` and its dependencies compile once.
pub fn interop_target_dir() -> PathBuf {
    repo_root().join("target/aether-interop")
}

/// `EXE aether ARGS` in `dir` building in the target directory the CLI's
/// end-to-end tests share (`target/cli-e2e`: the runtime compiles once for
/// all of them) and caching scripts in `cache`; `exe` is the `cargo-aether`
/// binary.
pub fn aether_cli(exe: impl AsRef<OsStr>, dir: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(exe);
    command
        .arg("aether")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo_root().join("target/cli-e2e"))
        .env("AETHER_CACHE_DIR", cache);
    command
}

/// `EXE aether run --hmr PATH` building in [`hmr_target_dir`]; `exe` is the
/// `cargo-aether` binary (`env!("CARGO_BIN_EXE_cargo-aether")` in its tests).
pub fn run_hmr(exe: impl AsRef<OsStr>, path: &Path) -> Command {
    let mut command = Command::new(exe);
    command.args(["aether", "run", "--hmr"]).arg(path).env("CARGO_TARGET_DIR", hmr_target_dir());
    command
}

pub mod progen;

//! `cargo aether clean [PATH]`: remove what building the program wrote: a
//! project's `target/aether/` (the generated crates, their cargo output when
//! `CARGO_TARGET_DIR` is not set, the copied executables), or a script's
//! directory in the cache. Like `cargo clean`, it leaves what other
//! programs share (a `CARGO_TARGET_DIR`, the cache's shared target
//! directory, the runtime); `cargo clean` in a project removes the rest of
//! its `target/`.

use crate::build::Layout;
use crate::input;
use crate::Error;
use aether_transpile::driver::InputKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CleanArgs {
    /// A project directory (with Cargo.toml), a single `.ae` file, or a
    /// directory of `.ae` files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
}

pub fn run(args: &CleanArgs) -> Result<ExitCode, Error> {
    let target = input::resolve(&args.path)?;
    let layout = Layout::for_target(&target)?;
    let mut dirs = vec![layout.bin_dir.clone()];
    if target.input.kind() != InputKind::Project {
        // A script's generated `--hmr` workspace sits beside its directory.
        let mut hmr = layout.crate_dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        hmr.push("-hmr");
        dirs.push(layout.crate_dir.with_file_name(hmr));
    }
    let mut removed = 0;
    for dir in dirs.iter().filter(|d| d.exists()) {
        std::fs::remove_dir_all(dir)
            .map_err(|e| Error::environment(format!("cannot remove `{}`: {e}", dir.display())))?;
        crate::status(&format!("     Removed {}", dir.display()));
        removed += 1;
    }
    if removed == 0 {
        crate::status(&format!("     Nothing to clean for `{}`", target.name));
    }
    Ok(ExitCode::SUCCESS)
}

//! `cargo aether check [PATH]`: load and check a program, report
//! diagnostics, build nothing.

use crate::input;
use crate::report::{self, Action, MessageFormat};
use crate::Error;
use aether_transpile::driver;
use std::path::PathBuf;
use std::process::ExitCode;

mod host;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// A project directory (with Cargo.toml), a single `.ae` file, or a
    /// directory of `.ae` files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// How to print diagnostics.
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode, Error> {
    let target = input::resolve(&args.path)?;
    if let Some(manifest) = target.manifest.as_ref().filter(|m| m.rust_host) {
        return host::run(manifest, args.message_format);
    }
    let analysis = driver::analyze(&target.input, driver::Mode::Program);
    Ok(report::emit(&analysis, args.message_format, Action::CHECK, &target.name))
}

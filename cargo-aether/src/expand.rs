//! `cargo aether expand FILE`: print the Rust that a module becomes, so
//! users can see exactly what their program compiles to.

use crate::input;
use crate::report::{self, Action, MessageFormat};
use crate::Error;
use aether_transpile::codegen;
use aether_transpile::driver;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExpandArgs {
    /// The `.ae` file to expand (its imports are loaded from its directory).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn run(args: &ExpandArgs) -> Result<ExitCode, Error> {
    if args.file.is_dir() {
        return Err(Error::usage(format!("`{}` is a directory; expand takes one `.ae` file", args.file.display())));
    }
    let target = input::resolve(&args.file)?;
    let analysis = driver::analyze(&target.input, driver::Mode::Module);
    if analysis.has_errors() {
        return Ok(report::emit(&analysis, MessageFormat::Human, Action::EXPAND, &target.name));
    }
    let Some(entry) = analysis.program.entry else {
        return Err(Error::usage(format!("cannot load `{}`", args.file.display())));
    };
    print!("{}", codegen::expand_module(&analysis.program, &analysis.checked, entry));
    Ok(ExitCode::SUCCESS)
}

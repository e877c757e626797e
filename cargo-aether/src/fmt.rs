//! `cargo aether fmt [--check] [PATH...]`: format `.ae` files in place with
//! `aether_transpile::format` (directories are walked: `target/`, hidden
//! directories and those with a `.aether-fmt-skip` file are left out).
//! `--stdin` formats standard input to standard output, for editors.
//!
//! A file with syntax errors is left as it is and its diagnostics printed.
//! Exit status: 0 when every file is formatted (or, with `--check`, already
//! was); 1 when `--check` found files that would change (named on stdout) or
//! a file has syntax errors; 2 for a bad path; 101 when a file cannot be
//! read or written, or the formatter refuses its own output (a bug).

use crate::Error;
use aether_transpile::format::{self, FormatError};
use aether_transpile::source::{SourceFile, SourceMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Do not write anything: list the files that would change and exit
    /// with status 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Read a program from standard input and write it formatted to
    /// standard output.
    #[arg(long, conflicts_with = "paths")]
    pub stdin: bool,
    /// `.ae` files and directories to format (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    /// Syntax errors (printed) or a formatter failure (printed).
    Failed {
        internal: bool,
    },
}

pub fn run(args: &FmtArgs) -> Result<ExitCode, Error> {
    if args.stdin {
        return stdin(args.check);
    }
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for path in &paths {
        if path.is_dir() {
            files.extend(format::ae_files(path));
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(Error::usage(format!("`{}` does not exist", path.display())));
        }
    }
    let (mut changed, mut failed, mut internal) = (0, 0, false);
    for file in &files {
        match one_file(file, args.check)? {
            Outcome::Unchanged => {}
            Outcome::Changed => {
                changed += 1;
                if args.check {
                    println!("{}", file.display());
                }
            }
            Outcome::Failed { internal: i } => {
                failed += 1;
                internal |= i;
            }
        }
    }
    if args.check && changed > 0 {
        eprintln!("{changed} file(s) would be reformatted; run `cargo aether fmt` to format them");
    }
    if failed > 0 {
        eprintln!("error: {failed} file(s) could not be formatted and were left as they are");
    }
    Ok(if internal {
        ExitCode::from(crate::EXIT_INTERNAL)
    } else if failed > 0 || (args.check && changed > 0) {
        ExitCode::from(crate::EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

fn one_file(path: &Path, check: bool) -> Result<Outcome, Error> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::environment(format!("cannot read `{}`: {e}", path.display())))?;
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: `{}` is not valid UTF-8; left as it is", path.display());
        return Ok(Outcome::Failed { internal: false });
    };
    match format_text(&path.display().to_string(), path, &text) {
        Ok(out) if out == text => Ok(Outcome::Unchanged),
        Ok(out) => {
            if !check {
                std::fs::write(path, out)
                    .map_err(|e| Error::environment(format!("cannot write `{}`: {e}", path.display())))?;
            }
            Ok(Outcome::Changed)
        }
        Err(internal) => Ok(Outcome::Failed { internal }),
    }
}

/// Format `text`; on failure print why (diagnostics with `name:line:col`)
/// and return whether it was the formatter's fault.
fn format_text(name: &str, path: &Path, text: &str) -> Result<String, bool> {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(name, path.to_path_buf(), text.to_string()));
    match format::format_source(id, text) {
        Ok(out) => Ok(out),
        Err(FormatError::Syntax(diags)) => {
            for d in &diags {
                eprint!("{}", d.render(&sources));
            }
            Err(false)
        }
        Err(FormatError::Internal(why)) => {
            eprintln!(
                "error: internal error formatting `{name}`: {why}; the file was left as it is (please report it with the file)"
            );
            Err(true)
        }
    }
}

fn stdin(check: bool) -> Result<ExitCode, Error> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::usage(format!("cannot read standard input as UTF-8 text: {e}")))?;
    match format_text("<stdin>", Path::new("<stdin>"), &text) {
        Ok(out) if check => Ok(if out == text { ExitCode::SUCCESS } else { ExitCode::from(crate::EXIT_ERRORS) }),
        Ok(out) => {
            std::io::stdout()
                .write_all(out.as_bytes())
                .map_err(|e| Error::environment(format!("cannot write standard output: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(true) => Ok(ExitCode::from(crate::EXIT_INTERNAL)),
        Err(false) => Ok(ExitCode::from(crate::EXIT_ERRORS)),
    }
}

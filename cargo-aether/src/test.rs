//! `cargo aether test [PATH]`: build the program's `test "name" { ... }`
//! blocks into a test harness and run it, reporting like `cargo test` but
//! with the tests' own names: `test main.ae: greets by name ... ok`.

use crate::build::{self, Artifact};
use crate::input;
use crate::report::MessageFormat;
use crate::Error;
use aether_transpile::ast::ItemKind;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// A project directory (with Cargo.toml), a single `.ae` file, or a
    /// directory of `.ae` files.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Run only the tests whose name contains this text.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,

    /// Build the tests with optimizations.
    #[arg(long)]
    pub release: bool,
}

pub fn run(args: &TestArgs) -> Result<ExitCode, Error> {
    let target = input::resolve(&args.path)?;
    let prepared = match build::prepare(&target, MessageFormat::Human, build::Purpose::Tests)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let names = test_names(&prepared);
    prepared.write()?;
    let mut cargo_args = vec!["test", "--no-run"];
    if args.release {
        cargo_args.push("--release");
    }
    let Some(artifacts) = build::cargo(&prepared, &cargo_args)? else {
        return Ok(ExitCode::from(crate::EXIT_INTERNAL));
    };
    let Some(Artifact { executable, .. }) = artifacts.into_iter().find(|a| a.is_test) else {
        return Err(Error::environment("cargo built no test harness for the generated crate"));
    };
    let mut cmd = Command::new(&executable);
    // The harness filters by Rust names; filter by Aether names ourselves.
    let selected: Vec<&String> = names
        .iter()
        .filter(|(_, ae)| args.filter.as_ref().is_none_or(|f| ae.contains(f.as_str())))
        .map(|(rust, _)| rust)
        .collect();
    if args.filter.is_some() {
        if selected.is_empty() {
            eprintln!("no test name contains `{}`", args.filter.as_deref().unwrap_or_default());
            return Ok(ExitCode::SUCCESS);
        }
        cmd.arg("--exact").args(&selected);
    }
    let mut child =
        cmd.stdout(Stdio::piped()).spawn().map_err(|e| Error::environment(format!("cannot run the tests: {e}")))?;
    let mut out = std::io::stdout().lock();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = writeln!(out, "{}", rename(&line, &names));
        }
    }
    let status = child.wait().map_err(|e| Error::environment(format!("the tests did not finish: {e}")))?;
    // Like `cargo test`: 101 when a test failed.
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(crate::EXIT_INTERNAL) })
}

/// Rust test path (`main::test_1_greets_by_name`) → what the user wrote
/// (`main.ae: greets by name`). Tests are numbered per module in source
/// order, matching the generator.
fn test_names(prepared: &build::Prepared) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let program = &prepared.analysis.program;
    for ((rust_file, ae_file), module) in prepared.sources.iter().zip(&program.modules) {
        let rust_module = rust_file.trim_start_matches("src/").trim_end_matches(".rs");
        let tests = module.ast.items.iter().filter_map(|item| match &item.kind {
            ItemKind::Test(t) => Some(&t.name),
            _ => None,
        });
        for (i, name) in tests.enumerate() {
            let slug: String =
                name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            let rust = format!("{rust_module}::test_{}_{}", i + 1, slug.trim_matches('_'));
            names.insert(rust, format!("{ae_file}: {name}"));
        }
    }
    names
}

/// Replace every Rust test path in a line of harness output.
fn rename(line: &str, names: &HashMap<String, String>) -> String {
    let mut line = line.to_string();
    for (rust, ae) in names {
        if line.contains(rust.as_str()) {
            line = line.replace(rust.as_str(), ae);
        }
    }
    line
}

//! `cargo aether new NAME [--template script|game|server]`: create an Aether
//! project from `templates/`. The templates are compiled into the tool, so
//! an installed `cargo-aether` can create projects anywhere.

use crate::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// The directory to create; its name is the package name.
    #[arg(value_name = "NAME")]
    pub path: PathBuf,

    /// What to start from.
    #[arg(long, value_enum, default_value_t = Template::Script)]
    pub template: Template,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// One module that greets its arguments, with a test.
    Script,
    /// A game loop with its world in `state`, made to be edited live.
    Game,
    /// A line-protocol key-value server with its store in `state`.
    Server,
}

impl Template {
    /// (path in the project, contents) of every file; `{{name}}` is
    /// replaced by the package name.
    fn files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Template::Script => &[
                ("Cargo.toml", include_str!("../../templates/script/Cargo.toml")),
                ("src/main.ae", include_str!("../../templates/script/src/main.ae")),
            ],
            Template::Game => &[
                ("Cargo.toml", include_str!("../../templates/game/Cargo.toml")),
                ("src/main.ae", include_str!("../../templates/game/src/main.ae")),
                ("src/world.ae", include_str!("../../templates/game/src/world.ae")),
            ],
            Template::Server => &[
                ("Cargo.toml", include_str!("../../templates/server/Cargo.toml")),
                ("src/main.ae", include_str!("../../templates/server/src/main.ae")),
                ("src/handlers.ae", include_str!("../../templates/server/src/handlers.ae")),
            ],
        }
    }
}

pub fn run(args: &NewArgs) -> Result<ExitCode, Error> {
    let name = package_name(&args.path)?;
    if args.path.exists() && !is_empty_dir(&args.path) {
        return Err(Error::usage(format!("`{}` already exists and is not empty", args.path.display())));
    }
    for (rel, text) in args.template.files() {
        let path = args.path.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text.replace("{{name}}", &name)));
        if let Err(e) = written {
            return Err(Error::environment(format!("cannot write `{}`: {e}", path.display())));
        }
    }
    eprintln!("     Created Aether project `{name}` ({:?} template) in {}", args.template, args.path.display());
    eprintln!("Check it with: cargo aether check {}", args.path.display());
    if matches!(args.template, Template::Game) {
        eprintln!(
            "Run it with hot reloading: cargo aether run --hmr {} (edit src/world.ae while it runs; Ctrl-C stops it)",
            args.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The directory's name, if it is a valid Cargo package name.
fn package_name(path: &Path) -> Result<String, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(Error::usage(format!(
            "`{name}` is not a valid project name: use letters, digits, `_` and `-`, starting with a letter"
        )));
    }
    Ok(name)
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

//! `cargo aether new NAME [--template script|game|server|window] [--vcs git|none]`:
//! create an Aether project from `templates/`, as `cargo new` creates a
//! package. The templates are compiled into the tool, so an installed
//! `aether` can create projects anywhere.
//!
//! A project is a real Cargo package: `Cargo.toml` (with
//! `[package.metadata.aether]`), `build.rs` calling
//! `aether_build::compile_program()`, `src/main.rs` including the program,
//! `src/*.ae`, and `.gitignore`. The `window` template is a Rust host crate
//! instead (a window and a game loop in `src/main.rs`, the gameplay in
//! `src/game/*.ae` compiled in by `aether_build::compile`), with the lock
//! file of `examples/window-game`, whose host files it shares. Their
//! `aether-rt` and `aether-build`
//! dependencies are the runtime this tool carries (`runtime.rs`), written
//! out now, so `cargo build` and `cargo run` work there as `aether build`
//! and `aether run` do.

use crate::runtime::Runtime;
use crate::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// The directory to create; its name is the package name.
    #[arg(value_name = "NAME")]
    pub path: PathBuf,

    /// What to start from.
    #[arg(long, value_enum, default_value_t = Template::Script)]
    pub template: Template,

    /// Initialize a new repository for the version control system (git),
    /// or none; as `cargo new`, git is skipped inside an existing repository.
    #[arg(long, value_enum, value_name = "VCS", default_value_t = Vcs::Git)]
    pub vcs: Vcs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// One module that greets its arguments, with a test.
    Script,
    /// A game loop with its world in `state`, made to be edited live.
    Game,
    /// A line-protocol key-value server with its store in `state`.
    Server,
    /// A windowed game: a Rust host (window, framebuffer, 60 ticks a second,
    /// the reload toast and error overlay) and the gameplay in Aether.
    Window,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vcs {
    Git,
    None,
}

/// The files every Aether project has (every template but `window`).
const COMMON: &[(&str, &str)] = &[
    ("build.rs", include_str!("../../templates/common/build.rs")),
    ("src/main.rs", include_str!("../../templates/common/src/main.rs")),
    (".gitignore", include_str!("../../templates/common/gitignore")),
];

impl Template {
    /// (path in the project, contents) of every file of the template; see
    /// [`render`] for what is replaced in them.
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
            Template::Window => &[
                ("Cargo.toml", include_str!("../../templates/window/Cargo.toml")),
                ("build.rs", include_str!("../../templates/window/build.rs")),
                ("src/main.rs", include_str!("../../templates/window/src/main.rs")),
                ("src/game/world.ae", include_str!("../../templates/window/src/game/world.ae")),
                ("src/game/render.ae", include_str!("../../templates/window/src/game/render.ae")),
                // The example's drawing API and overlay, as they are.
                ("src/canvas.rs", include_str!("../../examples/window-game/src/canvas.rs")),
                ("src/overlay.rs", include_str!("../../examples/window-game/src/overlay.rs")),
                // The versions the example was built and tested with: a first
                // build needs no index update (and works offline once cached).
                ("Cargo.lock", include_str!("../../examples/window-game/Cargo.lock")),
                (".gitignore", include_str!("../../templates/common/gitignore")),
            ],
        }
    }

    /// Every file of a project made from this template.
    fn all_files(self) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        let common: &[(&str, &str)] = if self == Template::Window { &[] } else { COMMON };
        self.files().iter().chain(common)
    }
}

/// A template file with `{{name}}` (the package name) and `{{runtime}}`
/// (the directory of the runtime the tool carries) filled in; the example's
/// package name in a lock file becomes the project's.
fn render(text: &str, name: &str, runtime: &Path) -> String {
    let runtime = runtime.to_string_lossy().replace('\\', "/");
    text.replace("{{name}}", name)
        .replace("{{runtime}}", &runtime)
        .replace("name = \"window-game\"", &format!("name = \"{name}\""))
}

pub fn run(args: &NewArgs) -> Result<ExitCode, Error> {
    let name = package_name(&args.path)?;
    if args.path.exists() && !is_empty_dir(&args.path) {
        return Err(Error::usage(format!("`{}` already exists and is not empty", args.path.display())));
    }
    let runtime = Runtime::ensure()?;
    for (rel, text) in args.template.all_files() {
        let path = args.path.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, render(text, &name, runtime.dir())));
        if let Err(e) = written {
            return Err(Error::environment(format!("cannot write `{}`: {e}", path.display())));
        }
    }
    if args.vcs == Vcs::Git && !inside_git_repository(&args.path) {
        // As cargo: a missing git is not worth failing over.
        let _ = Command::new("git")
            .arg("init")
            .arg("--quiet")
            .arg(&args.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let tool = crate::invoked_as();
    let shown = args.path.display();
    crate::status(&format!("     Created Aether project `{name}` ({:?} template) in {shown}", args.template));
    crate::status(&format!("Run it with: cd {shown} && {tool} run   (or `cargo run`)"));
    match args.template {
        Template::Game => crate::status(&format!(
            "Run it with hot reloading: {tool} run --hmr {shown} (edit src/world.ae while it runs; Ctrl-C stops it)"
        )),
        Template::Window => crate::status(&format!(
            "Run it with hot reloading: {tool} run --hmr {shown} (edit src/game/*.ae while it runs; Esc quits; \
             without a display: xvfb-run -a {tool} run --hmr {shown})"
        )),
        Template::Script | Template::Server => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `path` (not yet a repository) is inside a git work tree.
fn inside_git_repository(path: &Path) -> bool {
    let start = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    start.ancestors().skip(1).any(|dir| dir.join(".git").exists())
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

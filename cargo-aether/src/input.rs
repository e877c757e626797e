//! The PATH argument of a command → what to load. Shared by every command
//! that takes a program.
//!
//! - a directory with a `Cargo.toml`: a project; `[package.metadata.aether]`
//!   says where its sources are (`src/`, entry `main.ae` by default);
//! - a `Cargo.toml` file: the same project;
//! - a `.ae` file: a script; its directory is the source root;
//! - a directory without `Cargo.toml`: its `.ae` files, entry `main.ae`
//!   (or the only top-level `.ae` file).

use crate::deps::Deps;
use crate::manifest::{self, Manifest};
use crate::Error;
use aether_transpile::driver::{join_tidy, Input};
use std::path::Path;

/// A resolved PATH argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// What summaries call the program: the package name, or the path as given.
    pub name: String,
    pub input: Input,
    /// Present for projects.
    pub manifest: Option<Manifest>,
    /// The crates the program's `extern fn`s bind to (a project's
    /// `[dependencies]`, a script's frontmatter).
    pub deps: Deps,
}

pub fn resolve(path: &Path) -> Result<Target, Error> {
    if !path.exists() {
        return Err(Error::usage(format!("`{}` does not exist", path.display())));
    }
    if path.is_file() && path.file_name().is_some_and(|n| n == "Cargo.toml") {
        return project(path);
    }
    if path.is_dir() {
        let manifest_path = join_tidy(path, Path::new("Cargo.toml"));
        if manifest_path.is_file() {
            return project(&manifest_path);
        }
        if path == Path::new(".") {
            if let Some(manifest_path) = enclosing_project() {
                return project(&manifest_path);
            }
        }
        let input = Input::directory(path)?.with_crates([]);
        return Ok(Target { name: display_name(path), input, manifest: None, deps: Deps::default() });
    }
    let input = Input::script(path)?;
    let deps = Deps::of_script(path)?;
    let input = input.with_crates(deps.crate_names());
    Ok(Target { name: path.display().to_string(), input, manifest: None, deps })
}

fn project(manifest_path: &Path) -> Result<Target, Error> {
    let manifest = manifest::read(manifest_path)?;
    let settings = &manifest.settings;
    if manifest.rust_host {
        // A Rust crate with Aether modules compiled in by its build script:
        // cargo builds it; which directory holds the modules, the build
        // script says (`hmr.rs`). Nothing here is loaded as a program.
        let input = Input::project_unchecked(&manifest.root, &settings.src, &settings.entry);
        return Ok(Target { name: manifest.name.clone(), input, deps: Deps::default(), manifest: Some(manifest) });
    }
    let deps = manifest.deps.clone();
    let input = Input::project(&manifest.root, &settings.src, &settings.entry)?.with_crates(deps.crate_names());
    Ok(Target { name: manifest.name.clone(), input, manifest: Some(manifest), deps })
}

/// With no PATH, as cargo does: the nearest `Cargo.toml` above the current
/// directory (run from `src/`, the project is still the project), if it is
/// an Aether project (`[package.metadata.aether]`) or a Rust crate that
/// compiles `.ae` files in (`aether-build`). Other manifests (a workspace
/// around a directory of scripts) are not ours: the directory stays a
/// directory of `.ae` files.
fn enclosing_project() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let manifest = cwd.ancestors().skip(1).map(|dir| dir.join("Cargo.toml")).find(|m| m.is_file())?;
    let doc: toml_edit::DocumentMut = std::fs::read_to_string(&manifest).ok()?.parse().ok()?;
    let package = doc.get("package")?;
    let aether = package.get("metadata").and_then(|m| m.get("aether")).is_some()
        || doc.get("build-dependencies").and_then(|d| d.get("aether-build")).is_some();
    aether.then_some(manifest)
}

/// `.` says little in "could not check `.`"; name the directory instead.
fn display_name(dir: &Path) -> String {
    if dir == Path::new(".") {
        if let Some(name) = std::env::current_dir().ok().as_deref().and_then(Path::file_name) {
            return name.to_string_lossy().into_owned();
        }
    }
    dir.display().to_string()
}

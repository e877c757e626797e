//! The PATH argument of a command → what to load. Shared by every command
//! that takes a program.
//!
//! - a directory with a `Cargo.toml`: a project; `[package.metadata.aether]`
//!   says where its sources are (`src/`, entry `main.ae` by default);
//! - a `Cargo.toml` file: the same project;
//! - a `.ae` file: a script; its directory is the source root;
//! - a directory without `Cargo.toml`: its `.ae` files, entry `main.ae`
//!   (or the only top-level `.ae` file).

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
        return Ok(Target { name: display_name(path), input: Input::directory(path)?, manifest: None });
    }
    Ok(Target { name: path.display().to_string(), input: Input::script(path)?, manifest: None })
}

fn project(manifest_path: &Path) -> Result<Target, Error> {
    let manifest = manifest::read(manifest_path)?;
    let settings = &manifest.settings;
    if manifest.rust_host {
        // A Rust crate with Aether modules compiled in by its build script:
        // cargo builds it; which directory holds the modules, the build
        // script says (`hmr.rs`). Nothing here is loaded as a program.
        let input = Input::project_unchecked(&manifest.root, &settings.src, &settings.entry);
        return Ok(Target { name: manifest.name.clone(), input, manifest: Some(manifest) });
    }
    let input = Input::project(&manifest.root, &settings.src, &settings.entry)?;
    Ok(Target { name: manifest.name.clone(), input, manifest: Some(manifest) })
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

//! The open buffers and the programs they belong to. Each program (a
//! project, a script and its imports, a host crate's modules) is checked
//! as a whole with the open buffers' unsaved text in front of the disk,
//! and re-checked after every edit: the editor's diagnostics are `check`'s.

use super::convert;
use crate::manifest;
use aether_transpile::driver::{self, Input, InputKind, Mode};
use aether_transpile::ide::Ide;
use lsp_types::Url;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open buffer.
pub struct Doc {
    pub uri: Url,
    pub version: i32,
    pub text: String,
}

/// One program and what the editor was last told about it.
pub struct Program {
    pub input: Input,
    pub mode: Mode,
    /// The package root, for a project: where `target/` is.
    pub package_root: Option<PathBuf>,
    /// The last analysis; `None` after an edit, until it is checked again.
    pub ide: Option<Arc<Ide>>,
    /// The files diagnostics were last published for.
    pub published: HashSet<Url>,
    /// Changed since its diagnostics were last published.
    pub unpublished: bool,
    /// The files of the last analysis (kept while it is out of date).
    pub files: HashSet<PathBuf>,
}

#[derive(Default)]
pub struct Workspace {
    pub docs: HashMap<PathBuf, Doc>,
    pub programs: Vec<Program>,
}

impl Workspace {
    /// The text of every open buffer, by path: what the loader reads
    /// instead of the disk.
    pub fn overlay(&self) -> HashMap<PathBuf, String> {
        self.docs.iter().map(|(p, d)| (p.clone(), d.text.clone())).collect()
    }

    /// The program `path` belongs to, found (and remembered) on first use.
    pub fn program_of(&mut self, path: &Path) -> Option<usize> {
        if let Some(i) = self.programs.iter().position(|p| contains(p, path)) {
            return Some(i);
        }
        let program = discover(path)?;
        self.programs.push(program);
        Some(self.programs.len() - 1)
    }

    /// Every program holding `path` must be checked again.
    pub fn touch(&mut self, path: &Path) {
        for p in &mut self.programs {
            if contains(p, path) {
                p.ide = None;
                p.unpublished = true;
            }
        }
    }

    /// The program's analysis, checking it first if it changed.
    pub fn ide(&mut self, index: usize) -> Arc<Ide> {
        if let Some(ide) = &self.programs[index].ide {
            return ide.clone();
        }
        let overlay = self.overlay();
        let program = &mut self.programs[index];
        let ide = Arc::new(Ide::new(driver::analyze_overlaid(&program.input, program.mode, &overlay)));
        program.files = ide.analysis().program.sources.files().map(|(_, f)| f.path.clone()).collect();
        program.ide = Some(ide.clone());
        ide
    }

    /// The program checked again with `path`'s text replaced (for
    /// completion after `value.`).
    pub fn retyped(&self, index: usize, path: &Path, text: String) -> Ide {
        let mut overlay = self.overlay();
        overlay.insert(path.to_path_buf(), text);
        let program = &self.programs[index];
        Ide::new(driver::analyze_overlaid(&program.input, program.mode, &overlay))
    }
}

fn contains(program: &Program, path: &Path) -> bool {
    match program.input.kind() {
        // A script is its entry and what it imports, not its whole directory.
        InputKind::Script => path == program.input.entry() || program.files.contains(path),
        _ => path.starts_with(program.input.src_root()),
    }
}

/// What `path` is part of: the Aether project whose `Cargo.toml` is above
/// it (when the file is under its source directory), a Rust host crate's
/// module directory, or else the script it is.
fn discover(path: &Path) -> Option<Program> {
    for dir in path.ancestors().skip(1) {
        let manifest_path = dir.join("Cargo.toml");
        if !manifest_path.is_file() {
            continue;
        }
        let Ok(manifest) = manifest::read(&manifest_path) else { break };
        let root = convert::canonical(&manifest.root);
        if manifest.rust_host {
            let dir = path.parent()?;
            let input = Input::host_modules(&root, dir).ok()?;
            return Some(new(input, Mode::Library, Some(root)));
        }
        let input = Input::project(&root, &manifest.settings.src, &manifest.settings.entry);
        match input {
            Ok(input) if path.starts_with(input.src_root()) => return Some(new(input, Mode::Program, Some(root))),
            _ => break,
        }
    }
    let input = Input::script(path).ok()?;
    Some(new(input, Mode::Program, None))
}

fn new(input: Input, mode: Mode, package_root: Option<PathBuf>) -> Program {
    Program {
        input,
        mode,
        package_root,
        ide: None,
        published: HashSet::new(),
        files: HashSet::new(),
        unpublished: true,
    }
}

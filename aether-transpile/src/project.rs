//! Loading a program: the entry module, every module it imports
//! (transitively), and for a project every `.ae` file under its source root.

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap};
use crate::ty::ModuleId;

/// A loaded, parsed program: the input of the checker.
#[derive(Debug, Default)]
pub struct Program {
    pub sources: SourceMap,
    /// Indexed by [`ModuleId`].
    pub modules: Vec<ModuleInfo>,
    /// The module whose `main` runs.
    pub entry: Option<ModuleId>,
}

#[derive(Debug)]
pub struct ModuleInfo {
    /// Dotted module path relative to the source root: `net.http`. The
    /// entry file of a single-file script is named by its file stem.
    pub name: String,
    pub file: FileId,
    pub ast: ast::Module,
    /// For each of `ast.imports`, the module it names (`None`: not found,
    /// already reported).
    pub imports: Vec<Option<ModuleId>>,
}

impl Program {
    pub fn module(&self, id: ModuleId) -> &ModuleInfo {
        &self.modules[id.0 as usize]
    }

    pub fn module_ids(&self) -> impl Iterator<Item = ModuleId> {
        (0..self.modules.len() as u32).map(ModuleId)
    }

    /// Find a module by dotted name.
    pub fn find(&self, name: &str) -> Option<ModuleId> {
        self.modules.iter().position(|m| m.name == name).map(|i| ModuleId(i as u32))
    }
}

/// Diagnostics from loading (I/O, UTF-8, parsing, imports, cycles).
pub type LoadDiagnostics = Vec<Diagnostic>;

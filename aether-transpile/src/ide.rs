//! Editor queries over a checked program: hover, go to definition, find
//! references, rename, symbols, completion and signature help. What
//! `aether lsp` (in the CLI) answers with; it speaks LSP, this module
//! speaks files, byte offsets and spans.
//!
//! An [`Ide`] is one [`Analysis`] (the same `driver` entry `check` uses, so
//! the editor sees exactly `check`'s diagnostics) plus an [`index::Index`]
//! of every name in it. Nothing is kept between edits: the front end checks
//! a 2,000-line module in milliseconds (bench/lsp), so each edit builds a
//! new `Ide`, and no query can see stale facts.
//!
//! Layout: `index.rs` (the walk: every name and what it means), `hover.rs`
//! (what a name or expression is, with its `///` doc comment),
//! `complete.rs` (completion and signature help), `symbols.rs` (document
//! and workspace symbols). Every query takes any offset in any file and
//! never panics: the fuzz test in `ide/tests.rs` asks them all everywhere.

mod complete;
mod hover;
mod index;
mod reference;
mod symbols;
#[cfg(test)]
mod tests;

pub use complete::{Completion, CompletionKind, SignatureHelp};
pub use index::{Index, Occurrence, Target};
pub use symbols::{Symbol, SymbolKind};

use crate::driver::Analysis;
use crate::source::{FileId, Span};

/// A checked program and the index of its names.
#[derive(Debug)]
pub struct Ide {
    analysis: Analysis,
    index: Index,
}

/// What hovering shows: markdown, and the span it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// One replacement of a rename.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Ide {
    pub fn new(analysis: Analysis) -> Ide {
        let index = Index::build(&analysis.program, &analysis.checked);
        Ide { analysis, index }
    }

    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The file loaded from `path`, if it is part of the program.
    pub fn file_of(&self, path: &std::path::Path) -> Option<FileId> {
        self.analysis.program.sources.files().find(|(_, f)| f.path == path).map(|(id, _)| id)
    }

    /// The text of a loaded file (empty for an unknown id).
    fn text(&self, file: FileId) -> &str {
        if (file.0 as usize) < self.analysis.program.sources.len() {
            &self.analysis.program.sources.get(file).text
        } else {
            ""
        }
    }

    /// The name or expression at `offset`: its type, signature and docs.
    pub fn hover(&self, file: FileId, offset: usize) -> Option<Hover> {
        hover::hover(self, file, clamp(offset))
    }

    /// Where the name at `offset` is defined.
    pub fn definition(&self, file: FileId, offset: usize) -> Option<Span> {
        let occ = self.index.at(file, clamp(offset))?;
        self.index.definition(occ.target)
    }

    /// Every place the name at `offset` is written, across modules.
    pub fn references(&self, file: FileId, offset: usize, include_definition: bool) -> Vec<Span> {
        let Some(occ) = self.index.at(file, clamp(offset)) else { return Vec::new() };
        if matches!(occ.target, Target::Module(_)) {
            // Module "definitions" are the empty span at a file's start.
            return self.index.occurrences(occ.target).iter().filter(|o| !o.def).map(|o| o.span).collect();
        }
        let all = self.index.occurrences(occ.target);
        all.iter().filter(|o| include_definition || !o.def).map(|o| o.span).collect()
    }

    /// The span of the renamable name at `offset`, for "prepare rename".
    pub fn rename_target(&self, file: FileId, offset: usize) -> Option<Span> {
        let occ = self.index.at(file, clamp(offset))?;
        occ.target.renamable().then_some(occ.span)
    }

    /// The edits that rename the name at `offset` to `new_name` everywhere,
    /// or why it cannot be renamed.
    pub fn rename(&self, file: FileId, offset: usize, new_name: &str) -> Result<Vec<Edit>, String> {
        let occ = self.index.at(file, clamp(offset)).ok_or("no name here to rename")?;
        if !occ.target.renamable() {
            return Err("built-in names and modules cannot be renamed here".into());
        }
        if !is_identifier(new_name) {
            return Err(format!("`{new_name}` is not a valid name"));
        }
        let mut edits = Vec::new();
        for o in self.index.occurrences(occ.target) {
            let old = self.text(o.span.file).get(o.span.range()).unwrap_or_default();
            let text = if !o.shorthand {
                new_name.to_string()
            } else if matches!(o.target, Target::Field(..)) {
                format!("{new_name}: {old}")
            } else {
                format!("{old}: {new_name}")
            };
            edits.push(Edit { span: o.span, text });
        }
        Ok(edits)
    }

    pub fn document_symbols(&self, file: FileId) -> Vec<Symbol> {
        symbols::document(self, file)
    }

    /// Every item of the program whose name contains `query` (any case).
    pub fn workspace_symbols(&self, query: &str) -> Vec<Symbol> {
        symbols::workspace(self, query)
    }

    /// Completions at `offset`. For `value.`, the type of `value` comes
    /// from `retyped`: the program checked again with the `.` and what
    /// follows it blanked out (the edited line does not parse, so the
    /// current analysis may not have typed `value`); the caller provides it
    /// because only it knows how the program was loaded.
    pub fn completions(&self, file: FileId, offset: usize, retyped: &dyn Fn(String) -> Option<Ide>) -> Vec<Completion> {
        complete::completions(self, file, offset.min(self.text(file).len()), retyped)
    }

    /// The signature of the call whose arguments hold `offset`.
    pub fn signature_help(&self, file: FileId, offset: usize) -> Option<SignatureHelp> {
        complete::signature_help(self, file, offset.min(self.text(file).len()))
    }
}

fn clamp(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// A name the user may give a function, local, type or field.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && crate::token::TokenKind::keyword(s).is_none()
        && s != "_"
}

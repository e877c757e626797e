//! Document symbols (a file's outline) and workspace symbols (every item of
//! the program, by name).

use super::Ide;
use crate::ast::ItemKind;
use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Function,
    Method,
    Struct,
    Enum,
    Field,
    Variant,
    Constant,
    Variable,
    Test,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The whole item.
    pub span: Span,
    /// Its name.
    pub name_span: Span,
    /// The module it belongs to (workspace symbols), or its type (methods).
    pub container: Option<String>,
    pub children: Vec<Symbol>,
}

fn leaf(name: &str, kind: SymbolKind, span: Span, name_span: Span) -> Symbol {
    Symbol { name: name.to_string(), kind, span, name_span, container: None, children: Vec::new() }
}

pub(super) fn document(ide: &Ide, file: FileId) -> Vec<Symbol> {
    let Some(module) = ide.analysis.program.modules.iter().find(|m| m.file == file) else { return Vec::new() };
    let mut out = Vec::new();
    for item in &module.ast.items {
        let sym = match &item.kind {
            ItemKind::Fn(f) => {
                let (name, kind) = match &f.receiver {
                    Some(r) => (format!("{}.{}", r.name, f.name.name), SymbolKind::Method),
                    None => (f.name.name.clone(), SymbolKind::Function),
                };
                let mut s = leaf(&name, kind, item.span, f.name.span);
                s.container = f.receiver.as_ref().map(|r| r.name.clone());
                s
            }
            ItemKind::ExternFn(f) => leaf(&f.name.name, SymbolKind::Function, item.span, f.name.span),
            ItemKind::Struct(s) => {
                let mut sym = leaf(&s.name.name, SymbolKind::Struct, item.span, s.name.span);
                sym.children =
                    s.fields.iter().map(|f| leaf(&f.name.name, SymbolKind::Field, f.span, f.name.span)).collect();
                sym
            }
            ItemKind::Enum(e) => {
                let mut sym = leaf(&e.name.name, SymbolKind::Enum, item.span, e.name.span);
                sym.children =
                    e.variants.iter().map(|v| leaf(&v.name.name, SymbolKind::Variant, v.span, v.name.span)).collect();
                sym
            }
            ItemKind::Const(c) => leaf(&c.name.name, SymbolKind::Constant, item.span, c.name.span),
            ItemKind::State(s) => leaf(&s.name.name, SymbolKind::Variable, item.span, s.name.span),
            ItemKind::Test(t) => leaf(&format!("test \"{}\"", t.name), SymbolKind::Test, item.span, t.name_span),
        };
        out.push(sym);
    }
    out
}

pub(super) fn workspace(ide: &Ide, query: &str) -> Vec<Symbol> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for module in &ide.analysis.program.modules {
        let mut push = |mut s: Symbol| {
            if s.name.to_lowercase().contains(&query) {
                s.container = Some(module.name.clone());
                s.children.clear();
                out.push(s);
            }
        };
        for sym in document(ide, module.file) {
            for child in &sym.children {
                let mut c = child.clone();
                c.name = format!("{}.{}", sym.name, child.name);
                push(c);
            }
            push(sym);
        }
    }
    out
}

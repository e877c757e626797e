//! Completion and signature help. Both are asked while the line being
//! typed does not parse, so they read the text around the cursor to know
//! what is being completed (`physics.`, `ball.`, a bare word, the `(` of a
//! call) and the checked program to know what fits.

use super::hover::{doc_comment, fn_signature, show};
use super::{Ide, Target};
use crate::check::{builtin_names, BuiltinKind, ItemRef};
use crate::source::FileId;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Function,
    Method,
    Field,
    Variant,
    Struct,
    Enum,
    Constant,
    Variable,
    Module,
    Keyword,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// Its type or signature.
    pub detail: Option<String>,
}

/// The call around the cursor: its signature and which parameter the
/// cursor is in.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureHelp {
    pub label: String,
    /// Each parameter's byte range in `label`.
    pub params: Vec<(usize, usize)>,
    pub active: usize,
    pub doc: Option<String>,
}

const KEYWORDS: &[&str] = &[
    "fn", "let", "var", "const", "state", "struct", "enum", "pub", "import", "if", "else", "while", "loop", "for",
    "in", "break", "continue", "return", "match", "true", "false", "none", "mut", "self", "test",
];

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The identifier that ends at `end` in `text`: its start.
fn word_start(text: &[u8], end: usize) -> usize {
    let mut start = end;
    while start > 0 && is_ident_char(text[start - 1]) {
        start -= 1;
    }
    start
}

pub(super) fn completions(
    ide: &Ide,
    file: FileId,
    offset: usize,
    retyped: &dyn Fn(String) -> Option<Ide>,
) -> Vec<Completion> {
    let text = ide.text(file);
    let bytes = text.as_bytes();
    if !text.is_char_boundary(offset) {
        return Vec::new();
    }
    let Some(module) = ide.analysis.program.modules.iter().position(|m| m.file == file).map(|m| ModuleId(m as u32))
    else {
        return Vec::new();
    };
    let start = word_start(bytes, offset);
    let mut out = if start > 0 && bytes[start - 1] == b'.' {
        members(ide, module, file, start - 1, retyped)
    } else {
        scope(ide, module, file, offset as u32)
    };
    let prefix = &text[start..offset];
    out.retain(|c| c.label.starts_with(prefix));
    out
}

/// After `base.`: a module's members, a type's variants and associated
/// functions, or a value's fields and methods.
fn members(
    ide: &Ide,
    module: ModuleId,
    file: FileId,
    dot: usize,
    retyped: &dyn Fn(String) -> Option<Ide>,
) -> Vec<Completion> {
    let text = ide.text(file);
    let bytes = text.as_bytes();
    let base_start = word_start(bytes, dot);
    let base = &text[base_start..dot];
    let simple = base_start == 0 || !matches!(bytes[base_start - 1], b'.' | b')' | b']');
    let checked = &ide.analysis.checked;
    if simple && !base.is_empty() {
        let m = ide.analysis.program.module(module);
        let import = m.ast.imports.iter().position(|i| i.local_name().name == base);
        if let Some(target) = import.and_then(|i| m.imports.get(i).copied().flatten()) {
            return module_members(ide, target);
        }
        if base == "math" && import.is_some() {
            let fns = builtin_names(BuiltinKind::MathFns).into_iter().map(|n| (n, CompletionKind::Function));
            let consts = builtin_names(BuiltinKind::MathConsts).into_iter().map(|n| (n, CompletionKind::Constant));
            return fns.chain(consts).map(|(n, kind)| Completion { label: n.into(), kind, detail: None }).collect();
        }
        if base == "json" && import.is_some() {
            let fns = [("parse", CompletionKind::Function), ("stringify", CompletionKind::Function)];
            let ty = ("Json", CompletionKind::Enum);
            return fns
                .into_iter()
                .chain([ty])
                .map(|(n, kind)| Completion { label: n.into(), kind, detail: None })
                .collect();
        }
        if let Some(ItemRef::Type(t)) = checked.module(module).and_then(|tables| tables.items.get(base)) {
            return type_members(ide, *t);
        }
    }
    // `game.Shape.`: a type of an imported module.
    if base_start > 0 && bytes[base_start - 1] == b'.' {
        let module_start = word_start(bytes, base_start - 1);
        let module_name = &text[module_start..base_start - 1];
        let m = ide.analysis.program.module(module);
        let import = m.ast.imports.iter().position(|i| i.local_name().name == module_name);
        let target = import.and_then(|i| m.imports.get(i).copied().flatten());
        let item = target.and_then(|t| checked.module(t)?.items.get(base).copied());
        if let Some(ItemRef::Type(t)) = item {
            return type_members(ide, t);
        }
        // `json.Json.`: the built-in enum's variants.
        if module_name == "json" && base == "Json" && import.is_some() && target.is_none() {
            return type_members(ide, crate::ty::JSON);
        }
    }
    // A value: check the program again without the `.` (and what follows
    // on the line) so that the value's expression parses, then take its type.
    let line_end = text[dot..].find('\n').map_or(text.len(), |i| dot + i);
    let mut patched = text.to_string();
    patched.replace_range(dot..line_end, &" ".repeat(line_end - dot));
    let ty = retyped(patched).and_then(|typed| {
        let id = typed.file_of(&ide.analysis.program.sources.get(file).path).unwrap_or(file);
        let base_end = text[..dot].trim_end().len() as u32;
        typed.index.typed_ending_at(id, base_end).into_iter().find_map(|(_, m, node, _)| {
            let ty = typed.analysis.checked.module(m)?.expr_types.get(&node)?.clone();
            (!ty.is_error()).then_some(ty)
        })
    });
    ty.map_or_else(Vec::new, |ty| value_members(ide, &ty))
}

fn module_members(ide: &Ide, target: ModuleId) -> Vec<Completion> {
    let checked = &ide.analysis.checked;
    let Some(tables) = checked.module(target) else { return Vec::new() };
    let mut out: Vec<Completion> = Vec::new();
    for (name, item) in &tables.items {
        let c = match *item {
            ItemRef::Fn(f) => {
                let info = &checked.fns[f.0 as usize];
                if !info.is_pub {
                    continue;
                }
                Completion {
                    label: name.clone(),
                    kind: CompletionKind::Function,
                    detail: Some(fn_signature(ide, info)),
                }
            }
            ItemRef::Global(g) => {
                let info = &checked.globals[g.0 as usize];
                if !info.is_pub {
                    continue;
                }
                let kind = if info.is_state { CompletionKind::Variable } else { CompletionKind::Constant };
                Completion { label: name.clone(), kind, detail: Some(show(ide, &info.ty)) }
            }
            ItemRef::Type(t) => {
                let def = checked.types.get(t);
                if !def.is_pub {
                    continue;
                }
                type_item(name, &def.kind)
            }
        };
        out.push(c);
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

fn type_item(name: &str, kind: &TypeDefKind) -> Completion {
    let (kind, kw) = match kind {
        TypeDefKind::Struct(_) => (CompletionKind::Struct, "struct"),
        TypeDefKind::Enum(_) => (CompletionKind::Enum, "enum"),
    };
    Completion { label: name.to_string(), kind, detail: Some(format!("{kw} {name}")) }
}

/// `Shape.`: variants and associated functions (no `self`).
fn type_members(ide: &Ide, t: TypeId) -> Vec<Completion> {
    let checked = &ide.analysis.checked;
    let mut out = Vec::new();
    if let Some(e) = checked.types.as_enum(t) {
        for v in &e.variants {
            let fields: Vec<String> = v.fields.iter().map(|f| format!("{}: {}", f.name, show(ide, &f.ty))).collect();
            let detail = if fields.is_empty() { None } else { Some(format!("{}({})", v.name, fields.join(", "))) };
            out.push(Completion { label: v.name.clone(), kind: CompletionKind::Variant, detail });
        }
    }
    out.extend(methods(ide, t, false));
    out
}

fn methods(ide: &Ide, t: TypeId, with_self: bool) -> Vec<Completion> {
    let checked = &ide.analysis.checked;
    let mut out: Vec<Completion> = checked
        .methods
        .iter()
        .filter(|((ty, _), f)| *ty == t && checked.fns[f.0 as usize].self_param.is_some() == with_self)
        .map(|((_, name), f)| Completion {
            label: name.clone(),
            kind: if with_self { CompletionKind::Method } else { CompletionKind::Function },
            detail: Some(fn_signature(ide, &checked.fns[f.0 as usize])),
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// `value.`: fields and methods of the value's type.
fn value_members(ide: &Ide, ty: &Ty) -> Vec<Completion> {
    let checked = &ide.analysis.checked;
    let builtin = |kind| {
        builtin_names(kind)
            .into_iter()
            .map(|n| Completion { label: n.into(), kind: CompletionKind::Method, detail: None })
            .collect()
    };
    match ty {
        Ty::Struct(t, args) => {
            let mut out: Vec<Completion> = checked
                .types
                .as_struct(*t)
                .map(|s| {
                    s.fields
                        .iter()
                        .map(|f| Completion {
                            label: f.name.clone(),
                            kind: CompletionKind::Field,
                            detail: Some(show(ide, &checked.types.field_ty(f, args))),
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.extend(methods(ide, *t, true));
            out
        }
        Ty::Enum(t, _) => methods(ide, *t, true),
        Ty::Str => builtin(BuiltinKind::StrMethods),
        Ty::List(_) => builtin(BuiltinKind::ListMethods),
        Ty::Map(..) => builtin(BuiltinKind::MapMethods),
        _ => Vec::new(),
    }
}

/// A bare word: the locals declared before the cursor in the same item,
/// the module's items, its imports, the prelude and keywords.
fn scope(ide: &Ide, module: ModuleId, file: FileId, offset: u32) -> Vec<Completion> {
    let checked = &ide.analysis.checked;
    let program = &ide.analysis.program;
    let mut out: Vec<Completion> = Vec::new();
    let item = program.module(module).ast.items.iter().find(|i| i.span.start <= offset && offset <= i.span.end);
    if let (Some(item), Some(tables)) = (item, checked.module(module)) {
        for local in tables.locals.iter().rev() {
            let s = local.span;
            if s.file == file
                && s.end <= offset
                && item.span.start <= s.start
                && !out.iter().any(|c| c.label == local.name)
            {
                out.push(Completion {
                    label: local.name.clone(),
                    kind: CompletionKind::Variable,
                    detail: Some(show(ide, &local.ty)),
                });
            }
        }
    }
    if let Some(tables) = checked.module(module) {
        let mut items: Vec<Completion> = tables
            .items
            .iter()
            .map(|(name, item)| match *item {
                ItemRef::Fn(f) => Completion {
                    label: name.clone(),
                    kind: CompletionKind::Function,
                    detail: Some(fn_signature(ide, &checked.fns[f.0 as usize])),
                },
                ItemRef::Global(g) => {
                    let info = &checked.globals[g.0 as usize];
                    let kind = if info.is_state { CompletionKind::Variable } else { CompletionKind::Constant };
                    Completion { label: name.clone(), kind, detail: Some(show(ide, &info.ty)) }
                }
                ItemRef::Type(t) => type_item(name, &checked.types.get(t).kind),
            })
            .collect();
        items.sort_by(|a, b| a.label.cmp(&b.label));
        out.extend(items);
    }
    for import in &program.module(module).ast.imports {
        out.push(Completion {
            label: import.local_name().name.clone(),
            kind: CompletionKind::Module,
            detail: Some(format!("module {}", import.dotted())),
        });
    }
    for name in builtin_names(BuiltinKind::Prelude) {
        if !out.iter().any(|c| c.label == name) {
            out.push(Completion { label: name.into(), kind: CompletionKind::Function, detail: Some("prelude".into()) });
        }
    }
    // The built-in types (what `run_command` returns), unless shadowed.
    let builtin = checked.types.get(crate::ty::COMMAND_OUTPUT);
    if builtin.module == crate::ty::BUILTIN_MODULE && !out.iter().any(|c| c.label == builtin.name) {
        out.push(type_item(&builtin.name, &builtin.kind));
    }
    out.extend(KEYWORDS.iter().map(|k| Completion { label: (*k).into(), kind: CompletionKind::Keyword, detail: None }));
    out
}

pub(super) fn signature_help(ide: &Ide, file: FileId, offset: usize) -> Option<SignatureHelp> {
    let text = ide.text(file);
    let bytes = text.as_bytes();
    // Back to the `(` this argument list opened, counting top-level commas.
    let (mut depth, mut commas, mut open) = (0usize, 0usize, None);
    for i in (0..offset).rev() {
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => {
                open = Some(i);
                break;
            }
            b'[' | b'{' => return None,
            b',' if depth == 0 => commas += 1,
            b'\n' if depth == 0 && i + 1 < offset && bytes[i + 1..offset].iter().all(u8::is_ascii_whitespace) => {}
            _ => {}
        }
    }
    let open = open?;
    let callee = callee_fn(ide, file, open)?;
    let info = &ide.analysis.checked.fns[callee.0 as usize];
    let mut label = String::new();
    label.push_str(&info.name);
    label.push('(');
    let mut params = Vec::new();
    for (i, p) in info.params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(&format!("{}{}: {}", if p.mutable { "mut " } else { "" }, p.name, show(ide, &p.ty)));
        params.push((start, label.len()));
    }
    label.push(')');
    if info.ret != Ty::Unit {
        label.push_str(&format!(" -> {}", show(ide, &info.ret)));
    }
    let item = ide.analysis.program.module(info.module).ast.items.get(info.item).map(|i| i.span);
    let doc = item.and_then(|s| doc_comment(ide.text(s.file), s.start as usize));
    Some(SignatureHelp { label, params, active: commas, doc })
}

/// The user function whose name ends right before the `(` at `open`.
fn callee_fn(ide: &Ide, file: FileId, open: usize) -> Option<crate::check::FnId> {
    if let Some(occ) = ide.index.at(file, open as u32) {
        if occ.span.end as usize == open {
            if let Target::Fn(f) = occ.target {
                return Some(f);
            }
        }
    }
    // The call is being typed and did not parse: read the name before `(`.
    let text = ide.text(file);
    let bytes = text.as_bytes();
    let name_start = word_start(bytes, open);
    let name = &text[name_start..open];
    let module = ide.analysis.program.modules.iter().position(|m| m.file == file).map(|m| ModuleId(m as u32))?;
    let checked = &ide.analysis.checked;
    if name_start > 0 && bytes[name_start - 1] == b'.' {
        let base_start = word_start(bytes, name_start - 1);
        let base = &text[base_start..name_start - 1];
        let m = ide.analysis.program.module(module);
        let import = m.ast.imports.iter().position(|i| i.local_name().name == base);
        if let Some(target) = import.and_then(|i| m.imports.get(i).copied().flatten()) {
            if let Some(ItemRef::Fn(f)) = checked.module(target)?.items.get(name) {
                return Some(*f);
            }
        }
        // A method: the only one of that name, if there is just one.
        let mut found = checked.methods.iter().filter(|((_, n), _)| n == name).map(|(_, f)| *f);
        let first = found.next()?;
        return found.next().is_none().then_some(first);
    }
    match checked.module(module)?.items.get(name) {
        Some(ItemRef::Fn(f)) => Some(*f),
        _ => None,
    }
}

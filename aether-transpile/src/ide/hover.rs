//! What a name or an expression is, as hover shows it: a signature or a
//! type in an `aether` code block, then the `///` doc comment written
//! above its definition.

use super::{Hover, Ide, Target};
use crate::check::FnInfo;
use crate::source::{FileId, Span};
use crate::ty::{Ty, TypeDefKind};

pub(super) fn hover(ide: &Ide, file: FileId, offset: u32) -> Option<Hover> {
    if let Some(occ) = ide.index.at(file, offset) {
        if let Some(mut markdown) = describe(ide, occ.target, Some(occ.span)) {
            if let Target::Fn(f) = occ.target {
                markdown.push_str(&needs_text(ide, f));
            }
            // A use of a generic function: its type at this use too.
            if let Target::Fn(f) = occ.target {
                let generic = ide.analysis.checked.fns.get(f.0 as usize).is_some_and(|i| i.is_generic());
                let here = ide.index.typed_at(file, offset).and_then(|(span, m, node, pattern)| {
                    let ty = ide.analysis.checked.module(m)?.expr_types.get(&node)?;
                    (generic && !pattern && span == occ.span && !occ.def).then(|| show(ide, ty))
                });
                if let Some(here) = here {
                    markdown.push_str(&format!("\n\nhere: `{here}`"));
                }
            }
            return Some(Hover { span: occ.span, markdown });
        }
    }
    // Not a name: the narrowest typed expression or pattern under the cursor.
    let (span, module, node, pattern) = ide.index.typed_at(file, offset)?;
    let tables = ide.analysis.checked.module(module)?;
    let ty = if pattern { tables.pat_types.get(&node) } else { tables.expr_types.get(&node) }?;
    Some(Hover { span, markdown: code(&show(ide, ty)) })
}

/// The hover text of `target`; `at` is the use hovered, whose type is shown
/// for built-ins (their types depend on the call).
pub(super) fn describe(ide: &Ide, target: Target, at: Option<Span>) -> Option<String> {
    let checked = &ide.analysis.checked;
    let (signature, doc_at) = match target {
        Target::Local(m, l) => {
            let local = checked.module(m)?.locals.get(l.0 as usize)?;
            let kw = if local.mutable { "var" } else { "let" };
            (format!("{kw} {}: {}", local.name, show(ide, &local.ty)), None)
        }
        Target::Fn(f) => {
            let info = checked.fns.get(f.0 as usize)?;
            (fn_signature(ide, info), Some(item_start(ide, info.module, info.item).unwrap_or(info.span)))
        }
        Target::Global(g) => {
            let info = checked.globals.get(g.0 as usize)?;
            let kw = if info.is_state { "state" } else { "const" };
            (format!("{kw} {}: {}", info.name, show(ide, &info.ty)), item_start(ide, info.module, info.item))
        }
        Target::Type(t) => {
            let def = checked.types.defs.get(t.0 as usize)?;
            // `Pair<A, B>`: a generic type's parameters.
            let params = if def.generics.is_empty() { String::new() } else { format!("<{}>", def.generics.join(", ")) };
            let body = match &def.kind {
                TypeDefKind::Struct(s) => {
                    let fields: Vec<String> =
                        s.fields.iter().map(|f| format!("    {}: {}", f.name, show(ide, &f.ty))).collect();
                    format!("struct {}{params} {{\n{}\n}}", def.name, fields.join("\n"))
                }
                TypeDefKind::Enum(e) => {
                    let variants: Vec<String> =
                        e.variants.iter().map(|v| format!("    {}", variant(ide, &v.name, &v.fields))).collect();
                    format!("enum {}{params} {{\n{}\n}}", def.name, variants.join("\n"))
                }
            };
            // A built-in type is declared in no file: no doc comment.
            (body, (def.module != crate::ty::BUILTIN_MODULE).then_some(def.span))
        }
        Target::Field(t, i) => {
            let def = checked.types.defs.get(t.0 as usize)?;
            let field = checked.types.as_struct(t)?.fields.get(i)?;
            let span = (def.module != crate::ty::BUILTIN_MODULE).then_some(field.span);
            (format!("{}.{}: {}", def.name, field.name, show(ide, &field.ty)), span)
        }
        Target::Variant(t, i) => {
            let def = checked.types.defs.get(t.0 as usize)?;
            let v = checked.types.as_enum(t)?.variants.get(i)?;
            (format!("{}.{}", def.name, variant(ide, &v.name, &v.fields)), Some(v.span))
        }
        Target::Module(m) => {
            let module = ide.analysis.program.modules.get(m.0 as usize)?;
            (format!("module {}", module.name), None)
        }
        Target::Builtin(name) | Target::Math(name) | Target::BuiltinMethod(name) => {
            let kind = match target {
                Target::Builtin(_) => "prelude",
                Target::Math(n) if n.starts_with("json.") => "json",
                Target::Math(_) => "math",
                _ => "method",
            };
            let ty = at.and_then(|s| ide.index.typed_at(s.file, s.start)).filter(|t| t.0 == at.unwrap_or(t.0));
            let ty = ty.and_then(|(_, m, node, _)| ide.analysis.checked.module(m)?.expr_types.get(&node).cloned());
            // `math.sqrt` as written (the checker's name is `sqrt`).
            let shown = match target {
                Target::Math(n) if !n.contains('.') => format!("math.{n}"),
                _ => name.to_string(),
            };
            let sig = match ty {
                Some(ty) if !ty.is_error() => format!("{shown}: {}", show(ide, &ty)),
                _ => shown.clone(),
            };
            let reference = match target {
                Target::Builtin(n) => super::reference::prelude_fn(n),
                Target::Math(_) => super::reference::module_fn(&shown),
                _ => name.split_once('.').and_then(|(kind, method)| {
                    super::reference::method(super::reference::Receiver::named(kind)?, method)
                }),
            };
            let mut markdown = code(&format!("{sig} // {kind}"));
            if let Some(text) = reference {
                markdown.push_str("\n\n");
                markdown.push_str(&text);
            }
            return Some(markdown);
        }
    };
    let mut markdown = code(&signature);
    if let Some(doc) = doc_at.and_then(|s| doc_comment(ide.text(s.file), s.start as usize)) {
        markdown.push_str("\n\n");
        markdown.push_str(&doc);
    }
    Some(markdown)
}

/// `fn Ball.fall(mut self, dt: float) -> Ball`, `fn first<T>(xs: [T]) -> T?`.
pub(super) fn fn_signature(ide: &Ide, info: &FnInfo) -> String {
    let checked = &ide.analysis.checked;
    let mut params: Vec<String> = Vec::new();
    if let Some(mutable) = info.self_param {
        params.push(if mutable { "mut self".into() } else { "self".into() });
    }
    for p in &info.params {
        params.push(format!("{}{}: {}", if p.mutable { "mut " } else { "" }, p.name, show(ide, &p.ty)));
    }
    let recv = info.receiver.and_then(|t| checked.types.defs.get(t.0 as usize)).map(|d| format!("{}.", d.name));
    let ret = if info.ret == Ty::Unit { String::new() } else { format!(" -> {}", show(ide, &info.ret)) };
    let kw = if info.host.is_some() { "extern fn" } else { "fn" };
    // A generic type's method has its type's parameters, written on the
    // type (`fn Pair.swap(self) -> Pair<B, A>`), not on the method.
    let generics = if info.is_generic() && info.receiver.is_none() {
        format!("<{}>", info.generics.join(", "))
    } else {
        String::new()
    };
    format!("{kw} {}{}{generics}({}){ret}", recv.unwrap_or_default(), info.name, params.join(", "))
}

fn variant(ide: &Ide, name: &str, fields: &[crate::ty::FieldDef]) -> String {
    if fields.is_empty() {
        return name.to_string();
    }
    let fs: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.name, show(ide, &f.ty))).collect();
    format!("{name}({})", fs.join(", "))
}

pub(super) fn show(ide: &Ide, ty: &Ty) -> String {
    ty.display(&ide.analysis.checked.types).to_string()
}

fn code(s: &str) -> String {
    format!("```aether\n{s}\n```")
}

/// Where an item starts (its attributes and `pub` included).
fn item_start(ide: &Ide, module: crate::ty::ModuleId, item: usize) -> Option<Span> {
    let m = ide.analysis.program.modules.get(module.0 as usize)?;
    m.ast.items.get(item).map(|i| i.span)
}

/// The `///` lines right above the line holding `offset` (attribute lines
/// such as `@no_hmr` between them and the item are skipped), without
/// their markers.
pub(super) fn doc_comment(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let mut lines: Vec<&str> = Vec::new();
    for line in text[..line_start].lines().rev() {
        let t = line.trim();
        if let Some(doc) = t.strip_prefix("///") {
            lines.push(doc.strip_prefix(' ').unwrap_or(doc));
        } else if t.starts_with('@') && lines.is_empty() {
            continue;
        } else {
            break;
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// What a generic function needs of its type parameters, as its body
/// implies (`check/generics.rs`): "`T`: comparable".
fn needs_text(ide: &Ide, f: crate::check::FnId) -> String {
    let checked = &ide.analysis.checked;
    let (Some(info), Some(needs)) = (checked.fns.get(f.0 as usize), checked.needs.get(&f)) else {
        return String::new();
    };
    let lines: Vec<String> = info
        .generics
        .iter()
        .zip(needs)
        .filter(|(_, n)| !n.is_empty())
        .map(|(p, n)| {
            let names: Vec<&str> = n.iter().map(|x| x.name()).collect();
            format!("`{p}`: {}", names.join(", "))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\n\nneeds {}", lines.join("; "))
}

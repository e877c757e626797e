//! What the call table's fingerprints are computed from: canonical text of
//! a function's entry and signature, a state's name and type, and a
//! module's interface, with the structure of every user type written out,
//! so a change to a field of a type a slot holds changes its fingerprint.
//! The numbers are `aether_rt::abi::fingerprint` of this text, the same
//! function the runtime and the generated descriptors use.

use super::CallLayout;
use crate::check::{CheckResult, FnId};
use crate::project::Program;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};
use aether_rt::abi::fingerprint;

/// The canonical signature string of a function or method, as fingerprinted
/// in the descriptor (`fn(int, mut [str]) -> str`, `fn(mut self, float) -> ()`).
pub fn signature(checked: &CheckResult, f: FnId) -> String {
    let Some(info) = checked.fns.get(f.0 as usize) else { return String::new() };
    let mut params: Vec<String> = Vec::new();
    match info.self_param {
        Some(true) => params.push("mut self".into()),
        Some(false) => params.push("self".into()),
        None => {}
    }
    params.extend(
        info.params.iter().map(|p| format!("{}{}", if p.mutable { "mut " } else { "" }, p.ty.display(&checked.types))),
    );
    format!("fn({}) -> {}", params.join(", "), info.ret.display(&checked.types))
}

/// What a function's table slot is fingerprinted by: its entry name and its
/// signature with the structure of every user type in it, so a call from
/// code built against another version of it is refused at the call.
pub(super) fn slot_text(ck: &CheckResult, f: FnId) -> String {
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    let mut text = format!("{}: fn(", entry_name(ck, f));
    match info.self_param {
        Some(true) => text.push_str("mut self, "),
        Some(false) => text.push_str("self, "),
        None => {}
    }
    let mut first = info.self_param.is_none();
    for p in &info.params {
        if !first {
            text.push_str(", ");
        }
        first = false;
        if p.mutable {
            text.push_str("mut ");
        }
        structural(ck, &p.ty, &mut Vec::new(), &mut text);
    }
    text.push_str(") -> ");
    structural(ck, &info.ret, &mut Vec::new(), &mut text);
    text
}

/// What an `extern fn`'s slot in the `__host` row is fingerprinted by: its
/// module, name, signature and the Rust path it binds to.
pub(super) fn extern_slot_text(program: &Program, ck: &CheckResult, f: FnId) -> String {
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    format!("{}.{} = {}", program.module(info.module).name, slot_text(ck, f), info.host.as_deref().unwrap_or(""))
}

/// What a state's slot is fingerprinted by: its name and structural type.
pub(super) fn state_text(ck: &CheckResult, g: &crate::check::GlobalInfo) -> String {
    let mut text = format!("{}: ", g.name);
    structural(ck, &g.ty, &mut Vec::new(), &mut text);
    text
}

/// The name of a table entry: `f`, or `Type.f` for a method.
pub(super) fn entry_name(ck: &CheckResult, f: FnId) -> String {
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    match info.receiver {
        Some(t) => format!("{}.{}", ck.types.get(t).name, info.name),
        None => info.name.clone(),
    }
}

/// Fingerprint of what other modules compile against: the interface file's
/// text and the table entries with their signatures.
pub(super) fn interface_fingerprint(ck: &CheckResult, layout: &CallLayout, m: ModuleId, text: &str) -> u64 {
    let mut all = String::from(text);
    for f in layout.of_module(m) {
        all.push('\n');
        all.push_str(&slot_text(ck, *f));
    }
    fingerprint(&all)
}

/// A type written out with the structure of every user type in it, so a
/// state's type fingerprint changes when a field of a type it holds does.
pub(super) fn structural(ck: &CheckResult, t: &Ty, visiting: &mut Vec<TypeId>, out: &mut String) {
    let fields = |fields: &[crate::ty::FieldDef], out: &mut String, visiting: &mut Vec<TypeId>| {
        for f in fields {
            out.push_str(&f.name);
            out.push_str(": ");
            structural(ck, &f.ty, visiting, out);
            out.push_str(", ");
        }
    };
    let user = |tid: TypeId, args: &[Ty], out: &mut String, visiting: &mut Vec<TypeId>| {
        let def = ck.types.get(tid);
        out.push_str(&def.name);
        // A generic type's arguments, then (once) its definition with its
        // parameters by name: `Pair<int, str>` and `Pair<int, int>` differ.
        if !args.is_empty() {
            out.push('<');
            for a in args {
                structural(ck, a, visiting, out);
                out.push_str(", ");
            }
            out.push('>');
        }
        if visiting.contains(&tid) {
            return;
        }
        visiting.push(tid);
        match &def.kind {
            TypeDefKind::Struct(s) => {
                out.push('{');
                fields(&s.fields, out, visiting);
                out.push('}');
            }
            TypeDefKind::Enum(e) => {
                out.push('<');
                for v in &e.variants {
                    out.push_str(&v.name);
                    out.push('(');
                    fields(&v.fields, out, visiting);
                    out.push_str("), ");
                }
                out.push('>');
            }
        }
        visiting.pop();
    };
    match t {
        Ty::Struct(tid, args) | Ty::Enum(tid, args) => user(*tid, args, out, visiting),
        Ty::List(inner) => {
            out.push('[');
            structural(ck, inner, visiting, out);
            out.push(']');
        }
        Ty::Map(k, v) => {
            out.push('{');
            structural(ck, k, visiting, out);
            out.push_str(": ");
            structural(ck, v, visiting, out);
            out.push('}');
        }
        Ty::Optional(inner) => {
            out.push('(');
            structural(ck, inner, visiting, out);
            out.push_str(")?");
        }
        Ty::Result(inner) => {
            out.push('(');
            structural(ck, inner, visiting, out);
            out.push_str(")!");
        }
        Ty::Tuple(ts) => {
            out.push('(');
            for t in ts {
                structural(ck, t, visiting, out);
                out.push_str(", ");
            }
            out.push(')');
        }
        Ty::Fn(ps, r) => {
            out.push_str("fn(");
            for p in ps {
                structural(ck, p, visiting, out);
                out.push_str(", ");
            }
            out.push_str(") -> ");
            structural(ck, r, visiting, out);
        }
        other => out.push_str(&other.display(&ck.types).to_string()),
    }
}

/// What a function's body fingerprint is taken of: the source text of its
/// item and of every constant compiled into its crate (`included`: its
/// module and what that imports), since a constant's value is inlined into
/// the code. The runtime compares it between versions to tell a running
/// loop that its own code changed (`abi::back_edge`). Over-approximates (a
/// comment edit, or a constant it never reads, counts as a change): that
/// restarts a loop once, where missing a change would leave it running
/// code the user edited away. A tunable constant (`tunables.rs`) is left
/// out: its value is read from the host as the code runs, not compiled in.
pub(super) fn body_text(
    program: &Program,
    ck: &CheckResult,
    f: FnId,
    included: &[ModuleId],
    tunables: &std::collections::HashMap<usize, String>,
) -> String {
    let item_text = |m: ModuleId, item: usize| -> &str {
        let module = program.module(m);
        let text = &program.sources.get(module.file).text;
        module.ast.items.get(item).and_then(|it| text.get(it.span.range())).unwrap_or("")
    };
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    let mut out = item_text(info.module, info.item).to_string();
    let compiled_in = |(gi, g): &(usize, &crate::check::GlobalInfo)| {
        !g.is_state && included.contains(&g.module) && !tunables.contains_key(gi)
    };
    for (_, g) in ck.globals.iter().enumerate().filter(compiled_in) {
        out.push('\n');
        out.push_str(item_text(g.module, g.item));
    }
    // The generic functions whose instances the crate compiles in (called
    // directly): a change to one is a change to the code this body runs.
    let mut generic: Vec<FnId> =
        super::generics::used_by(ck, info.module).into_iter().map(|i| ck.instances[i].fn_id).collect();
    generic.sort();
    generic.dedup();
    for g in generic {
        if let Some(gi) = ck.fns.get(g.0 as usize) {
            out.push('\n');
            out.push_str(item_text(gi.module, gi.item));
        }
    }
    out
}

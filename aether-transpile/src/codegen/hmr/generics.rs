//! Generic functions under `--hmr`: a generic function has no slot in the
//! call table (it has no one signature); each of its instances
//! (`check::Instance`) is compiled into every crate that uses it, as a
//! plain function in that crate's copy of the defining module's file, and
//! called directly. Its body calls other functions through the table like
//! any code of the crate.
//!
//! So a generic function's body is part of its module's interface: the
//! interface carries a stamp of the generic functions' source
//! ([`stamp`]), and an edit of one changes the interface fingerprint and
//! the files of every crate that compiles against the module; those crates
//! are rebuilt and swapped together, and the runtime's link check refuses
//! a set that mixes old and new.

use crate::check::{CheckResult, Res};
use crate::project::Program;
use crate::ty::ModuleId;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The instances (indices into `ck.instances`) the crate of module `m`
/// compiles: those its concrete code uses, and those their bodies use.
pub(super) fn used_by(ck: &CheckResult, m: ModuleId) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let Some(tables) = ck.module(m) else { return out };
    let mut work: Vec<usize> = Vec::new();
    let push = |tables: &crate::check::ModuleTables, work: &mut Vec<usize>| {
        for (node, args) in &tables.instantiations {
            if args.iter().any(crate::ty::Ty::has_param) {
                continue;
            }
            let Some(Res::Fn(f) | Res::Method(f)) = tables.resolutions.get(node) else { continue };
            if let Some(i) = ck.instances.iter().position(|inst| inst.fn_id == *f && inst.args == *args) {
                work.push(i);
            }
        }
    };
    push(tables, &mut work);
    while let Some(i) = work.pop() {
        if out.insert(i) {
            push(&ck.instances[i].tables, &mut work);
        }
    }
    out
}

/// A constant in module `m`'s interface that changes with the source of
/// its generic functions (nothing when it has none).
pub(super) fn stamp(program: &Program, ck: &CheckResult, m: ModuleId) -> TokenStream {
    let module = program.module(m);
    let src = program.sources.get(module.file);
    let mut text = String::new();
    for info in ck.fns.iter().filter(|f| f.module == m && f.is_generic()) {
        if let Some(item) = module.ast.items.get(info.item) {
            text.push_str(src.text.get(item.span.start as usize..item.span.end as usize).unwrap_or(""));
            text.push('\n');
        }
    }
    if text.is_empty() {
        return quote!();
    }
    let hash = aether_rt::abi::fingerprint(&text);
    quote! {
        /// The source of this module's generic functions, whose instances
        /// importers compile into themselves.
        pub const __GENERICS: u64 = #hash;
    }
}

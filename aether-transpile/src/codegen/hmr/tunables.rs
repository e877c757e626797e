//! Constants that change without a compile under `--hmr` (the runtime's
//! `abi::tunable`): which constants are such *tunables*, their values as the
//! supervisor sends them, and their accessor.
//!
//! A tunable is a `const` of a hot-reloaded module whose type is `int`,
//! `float`, `bool` or `str` and whose initializer is a literal (a negated
//! number counts): what a developer tunes while the program runs. Its
//! accessor, in the module's interface, reads the host's cell; its value is
//! in no crate at all, so a save that changes only such values rebuilds
//! nothing (the CLI sends the values), and one that changes code too
//! rebuilds only what the code change needs. Every other `const` of an
//! `--hmr` program is a function computing its initializer (it may read a
//! tunable), so nothing is compiled with a stale value either.

use crate::ast::{Expr, ExprKind, ItemKind, StrPart, UnaryOp};
use crate::check::CheckResult;
use crate::codegen::names;
use crate::project::Program;
use crate::ty::{ModuleId, Ty};
use aether_rt::abi::Tuned;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One tunable constant: `module.NAME` (the host's key) and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Tunable {
    pub key: String,
    pub value: Tuned,
}

/// The tunables of the modules `reloadable` says are hot-reloaded, with the
/// index of each one's global (`CheckResult::globals`).
pub(crate) fn of_program(
    program: &Program,
    ck: &CheckResult,
    reloadable: impl Fn(ModuleId) -> bool,
) -> Vec<(usize, Tunable)> {
    let mut out = Vec::new();
    for (gi, g) in ck.globals.iter().enumerate().filter(|(_, g)| !g.is_state && reloadable(g.module)) {
        let module = program.module(g.module);
        let Some(ItemKind::Const(cd)) = module.ast.items.get(g.item).map(|i| &i.kind) else { continue };
        if let Some(value) = literal(&cd.value, &g.ty) {
            out.push((gi, Tunable { key: format!("{}.{}", module.name, g.name), value }));
        }
    }
    out
}

/// The value of a literal initializer of type `ty`.
fn literal(e: &Expr, ty: &Ty) -> Option<Tuned> {
    match (&e.kind, ty) {
        (ExprKind::Int(n), Ty::Int) => Some(Tuned::Int(*n)),
        (ExprKind::Float(f), Ty::Float) => Some(Tuned::Float(*f)),
        (ExprKind::Bool(b), Ty::Bool) => Some(Tuned::Bool(*b)),
        (ExprKind::Str(parts), Ty::Str) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    StrPart::Text(t) => text.push_str(t),
                    StrPart::Interp { .. } => return None,
                }
            }
            Some(Tuned::Str(text))
        }
        (ExprKind::Unary { op: UnaryOp::Neg, expr }, _) => match literal(expr, ty)? {
            Tuned::Int(n) => n.checked_neg().map(Tuned::Int),
            Tuned::Float(f) => Some(Tuned::Float(-f)),
            _ => None,
        },
        _ => None,
    }
}

/// The accessor of a tunable in its module's interface: each image caches
/// the host's cell in a static of its own.
pub(crate) fn accessor(name: &str, key: &str, ty: &Ty) -> TokenStream {
    let n = names::item(name);
    let cache = format_ident!("__TUNABLE_{}", name);
    let (rust_ty, read) = match ty {
        Ty::Int => (quote!(i64), quote!(tunable_int)),
        Ty::Float => (quote!(f64), quote!(tunable_float)),
        Ty::Bool => (quote!(bool), quote!(tunable_bool)),
        _ => (quote!(String), quote!(tunable_str)),
    };
    quote! {
        static #cache: ::aether_rt::abi::TunableRef = ::aether_rt::abi::TunableRef::new();
        pub fn #n() -> #rust_ty { ::aether_rt::abi::#read(&#cache, #key) }
    }
}

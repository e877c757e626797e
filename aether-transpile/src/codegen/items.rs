//! Items: one Rust module file per Aether module.

use super::body::{Gen, LocalKind};
use super::expr::is_scalar;
use super::names;
use super::types::TypeNames;
use super::Shared;
use crate::ast::{FnDecl, ItemKind};
use crate::check::{CheckResult, FnId, FnInfo};
use crate::diagnostic::Diagnostic;
use crate::project::Program;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Which items of a module file to generate. The static build takes all of
/// them; under `--hmr` a module's *interface* (what other modules compile
/// against: types, constants, state declarations) is generated apart from
/// its *bodies* (functions, methods, state initializers), so a module crate
/// can include the interfaces of the modules it imports without their code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    All,
    Interface,
    Bodies,
}

/// The tokens of one module file, and what could not be generated.
pub(crate) fn expand(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
) -> (TokenStream, Vec<Diagnostic>) {
    expand_part(program, ck, shared, m, Part::All)
}

/// The tokens of one part of a module file, and what could not be generated.
pub(crate) fn expand_part(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
    part: Part,
) -> (TokenStream, Vec<Diagnostic>) {
    let (items, errors) = expand_part_items(program, ck, shared, m, part);
    (quote!(#(#items)*), errors)
}

/// [`expand_part`] as its items (one Rust item, or a few that belong
/// together, each), in file order: under `--hmr` a save formats again only
/// the items whose tokens changed (`codegen::format_file` keeps what it
/// formatted).
pub(crate) fn expand_part_items(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
    part: Part,
) -> (Vec<TokenStream>, Vec<Diagnostic>) {
    let interface = part != Part::Bodies;
    let bodies = part != Part::Interface;
    let module = program.module(m);
    let file = program.sources.get(module.file).name.clone();
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let names_ = TypeNames { ck, module_names: &shared.module_names, here: m };

    if interface {
        items.push(quote! {
            const fn __loc(line: u32, col: u32) -> ::aether_rt::Location {
                ::aether_rt::Location { file: #file, line, col }
            }
        });
    }

    // Module state.
    let states: Vec<(usize, &crate::check::GlobalInfo)> =
        ck.globals.iter().enumerate().filter(|(_, g)| g.module == m && g.is_state).collect();
    if shared.hmr && bodies {
        // Under --hmr each state value lives in runtime memory on its own;
        // the glue (codegen/hmr.rs) declares `State` and calls these.
        for (_, g) in &states {
            let Some(ItemKind::State(sd)) = module.ast.items.get(g.item).map(|i| &i.kind) else {
                continue;
            };
            let t = names_.rust_ty(&g.ty);
            let z = names_.zero(&g.ty, &shared.facts, &mut Vec::new());
            let mut gen = Gen::new(program, ck, shared, m);
            gen.has_ctx = true;
            gen.ret = vec![g.ty.clone()];
            let v = gen.value(&sd.value);
            errors.append(&mut gen.errors);
            let zero = format_ident!("__state_zero_{}", g.name);
            let init = format_ident!("__state_init_{}", g.name);
            items.push(quote! {
                pub fn #zero() -> #t { #z }
                pub fn #init(ctx: &mut crate::Ctx) -> #t {
                    #[allow(unused_unsafe)]
                    unsafe { #v }
                }
            });
        }
    }
    if !states.is_empty() && !shared.hmr {
        let fields = states.iter().map(|(_, g)| {
            let n = names::item(&g.name);
            let t = names_.rust_ty(&g.ty);
            quote!(pub #n: #t)
        });
        let zeros = states.iter().map(|(_, g)| {
            let n = names::item(&g.name);
            let z = names_.zero(&g.ty, &shared.facts, &mut Vec::new());
            quote!(#n: #z)
        });
        let mut gen = Gen::new(program, ck, shared, m);
        gen.has_ctx = true;
        let mut inits = Vec::new();
        let mname = names::plain(&shared.module_names[m.0 as usize]);
        for (_, g) in &states {
            let Some(ItemKind::State(sd)) = module.ast.items.get(g.item).map(|i| &i.kind) else {
                continue;
            };
            let n = names::item(&g.name);
            gen.ret = vec![g.ty.clone()];
            let v = gen.value(&sd.value);
            inits.push(quote!(ctx.#mname.#n = #v;));
        }
        errors.append(&mut gen.errors);
        items.push(quote! {
            /// This module's `state` variables, kept in `crate::Ctx`.
            pub struct State { #(#fields),* }
            impl State {
                pub fn __zero() -> State { State { #(#zeros),* } }
            }
            /// Runs the `state` initializers, once, before `main`.
            pub fn __init(ctx: &mut crate::Ctx) { #(#inits)* }
        });
    }

    // Constants.
    for (gi, g) in ck.globals.iter().enumerate().filter(|(_, g)| interface && g.module == m && !g.is_state) {
        let Some(ItemKind::Const(cd)) = module.ast.items.get(g.item).map(|i| &i.kind) else {
            continue;
        };
        if let Some(key) = shared.tunables.get(&gi) {
            items.push(super::hmr::tunable_accessor(&g.name, key, &g.ty));
            continue;
        }
        let n = names::item(&g.name);
        let t = names_.rust_ty(&g.ty);
        let as_const = is_scalar(&g.ty) && !shared.consts_as_fns;
        let mut gen = Gen::new(program, ck, shared, m);
        gen.in_const = as_const;
        gen.ret = vec![g.ty.clone()];
        let v = gen.value(&cd.value);
        errors.append(&mut gen.errors);
        if as_const {
            items.push(quote!(pub const #n: #t = #v;));
        } else {
            items.push(quote!(pub fn #n() -> #t { #v }));
        }
    }

    // Types.
    for (i, def) in ck.types.defs.iter().enumerate().filter(|(_, d)| interface && d.module == m) {
        let tid = TypeId(i as u32);
        items.push(type_def(&names_, shared, tid, def));
        items.push(show_impl(&names_, tid, def));
        let (defaults, mut errs) = defaults_impl(program, ck, shared, m, tid, def);
        items.push(defaults);
        errors.append(&mut errs);
    }
    if shared.dyn_impls && interface {
        let (impls, mut errs) = super::dynval::expand_dyn_impls(program, ck, shared, m);
        items.push(impls);
        errors.append(&mut errs);
    }

    // Functions and methods.
    let mut methods: Vec<(TypeId, TokenStream)> = Vec::new();
    // Under --hmr a method's body is `__body_<name>`; the interface holds a
    // method of the plain name that calls it through the table.
    // A generic function is emitted only as its instances (`instance_fn`).
    let own_units = shared.hmr && part == Part::Bodies;
    for (i, info) in ck.fns.iter().enumerate().filter(|(_, f)| bodies && f.module == m && !f.is_generic()) {
        let Some(ItemKind::Fn(decl)) = module.ast.items.get(info.item).map(|it| &it.kind) else {
            continue;
        };
        let (ts, mut errs) = function(program, ck, shared, m, FnId(i as u32), decl, own_units);
        errors.append(&mut errs);
        match info.receiver {
            Some(tid) if own_units => {
                let ty = &ck.types.get(tid).name;
                let path = names_.type_path(tid);
                let unit = names::method_unit(ty, &info.name);
                items.push(quote!(mod #unit { use super::*; impl #path { #ts } }));
            }
            Some(tid) => methods.push((tid, ts)),
            None if own_units => items.push(own_unit(names::fn_unit(&info.name), names::item(&info.name), ts)),
            None => items.push(ts),
        }
    }
    // The instances of this module's generic functions (under --hmr each
    // crate gets those it uses instead: `hmr::generate_with`).
    if part == Part::All {
        for inst in ck.instances.iter().filter(|i| i.info.module == m) {
            let (ts, mut errs) = instance_fn(program, ck, shared, inst);
            errors.append(&mut errs);
            items.push(ts);
        }
    }
    let mut tids: Vec<TypeId> = methods.iter().map(|(t, _)| *t).collect();
    tids.dedup();
    tids.sort();
    tids.dedup();
    for tid in tids {
        let path = names_.type_path(tid);
        let fns = methods.iter().filter(|(t, _)| *t == tid).map(|(_, ts)| ts);
        items.push(quote!(impl #path { #(#fns)* }));
    }

    // Tests.
    let mut count = 0usize;
    for item in module.ast.items.iter().filter(|_| part == Part::All) {
        let ItemKind::Test(t) = &item.kind else {
            continue;
        };
        count += 1;
        let slug: String =
            t.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        let name = format_ident!("test_{}_{}", count, slug.trim_matches('_'));
        let mut gen = Gen::new(program, ck, shared, m);
        gen.has_ctx = true;
        gen.ret = vec![Ty::Unit];
        let body = gen.block(&t.body, &Ty::Unit);
        errors.append(&mut gen.errors);
        let doc = format!(" test \"{}\"", t.name);
        items.push(quote! {
            #[doc = #doc]
            #[cfg(test)]
            #[test]
            fn #name() {
                ::aether_rt::install_panic_hook();
                let mut ctx = crate::Ctx::new();
                let ctx = &mut ctx;
                #body
            }
        });
    }

    (items, errors)
}

/// Function `name` (`item`) in a Rust module of its own, re-exported where
/// it was: under `--hmr`, so that rustc's incremental build gives each
/// function its own codegen unit, and a body edit sends one small unit
/// through LLVM rather than all of its module's functions (the benchmark's
/// 28-function module: LLVM 26 → 12 ms of a reload's rustc run;
/// docs/performance.md). Release builds use one codegen unit, so this
/// changes nothing there.
fn own_unit(unit: Ident, name: Ident, item: TokenStream) -> TokenStream {
    quote! {
        mod #unit {
            use super::*;
            #item
        }
        pub use #unit::#name;
    }
}

fn type_def(names_: &TypeNames<'_>, shared: &Shared, tid: TypeId, def: &crate::ty::TypeDef) -> TokenStream {
    let facts = &shared.facts;
    let name = names::item(&def.name);
    let i = tid.0 as usize;
    let mut derives = vec![quote!(Clone)];
    if !facts.has_fn[i] {
        derives.push(quote!(Debug));
        derives.push(quote!(PartialEq));
    }
    if facts.copy[i] {
        derives.push(quote!(Copy));
    }
    if facts.hashable[i] {
        derives.push(quote!(Eq));
        derives.push(quote!(Hash));
    }
    // Under --hmr a value crosses between libraries built separately: a
    // `repr(C)` layout is one both sides agree on by definition.
    let repr = match &def.kind {
        TypeDefKind::Enum(e) if e.variants.is_empty() => quote!(),
        _ if shared.hmr => quote!(#[repr(C)]),
        _ => quote!(),
    };
    // A generic type's parameters: the derives bound each of them.
    let (params, _) = names_.type_params(tid, None);
    match &def.kind {
        TypeDefKind::Struct(s) => {
            let fields = s.fields.iter().enumerate().map(|(fi, f)| {
                let n = names::ident(&f.name);
                let t = names_.field_ty(&f.ty, facts.boxing(tid, 0, fi));
                quote!(pub #n: #t)
            });
            quote! {
                #[derive(#(#derives),*)]
                #repr
                pub struct #name #params { #(#fields),* }
            }
        }
        TypeDefKind::Enum(e) => {
            let variants = e.variants.iter().enumerate().map(|(vi, v)| {
                let vn = names::ident(&v.name);
                if v.fields.is_empty() {
                    quote!(#vn)
                } else {
                    let fields = v.fields.iter().enumerate().map(|(fi, f)| {
                        let n = names::ident(&f.name);
                        let t = names_.field_ty(&f.ty, facts.boxing(tid, vi, fi));
                        quote!(#n: #t)
                    });
                    quote!(#vn { #(#fields),* })
                }
            });
            quote! {
                #[derive(#(#derives),*)]
                #repr
                pub enum #name #params { #(#variants),* }
            }
        }
    }
}

/// `str(v)`: `Ball { x: 1.0, y: 2.0 }` for structs, `Circle(1.0)` and
/// `Empty` for enum values (as the language reference shows them).
fn show_impl(names_: &TypeNames<'_>, tid: TypeId, def: &crate::ty::TypeDef) -> TokenStream {
    let path = names_.type_path(tid);
    let body = match &def.kind {
        TypeDefKind::Struct(s) => {
            let mut steps = Vec::new();
            if s.fields.is_empty() {
                let text = format!("{} {{}}", def.name);
                steps.push(quote!(out.push_str(#text);));
            }
            for (i, f) in s.fields.iter().enumerate() {
                let text = if i == 0 { format!("{} {{ {}: ", def.name, f.name) } else { format!(", {}: ", f.name) };
                let n = names::ident(&f.name);
                steps.push(quote! {
                    out.push_str(#text);
                    ::aether_rt::Show::show_nested(&self.#n, out);
                });
            }
            if !s.fields.is_empty() {
                steps.push(quote!(out.push_str(" }");));
            }
            quote!(#(#steps)*)
        }
        TypeDefKind::Enum(e) => {
            let arms = e.variants.iter().map(|v| {
                let vn = names::ident(&v.name);
                let vname = &v.name;
                if v.fields.is_empty() {
                    quote!(#path::#vn => out.push_str(#vname),)
                } else {
                    let binds: Vec<_> = v.fields.iter().map(|f| names::ident(&f.name)).collect();
                    let open = format!("{}(", v.name);
                    let shows = binds.iter().enumerate().map(|(i, b)| {
                        let sep = if i == 0 { quote!() } else { quote!(out.push_str(", ");) };
                        quote!(#sep ::aether_rt::Show::show_nested(#b, out);)
                    });
                    quote!(#path::#vn { #(#binds),* } => { out.push_str(#open); #(#shows)* out.push(')'); })
                }
            });
            quote!(match self { #(#arms)* })
        }
    };
    let (params, args) = names_.type_params(tid, Some(quote!(::aether_rt::Show)));
    quote! {
        impl #params ::aether_rt::Show for #path #args {
            fn show(&self, out: &mut String) { #body }
        }
    }
}

/// `Type::__default_field()` for each field default.
fn defaults_impl(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
    tid: TypeId,
    def: &crate::ty::TypeDef,
) -> (TokenStream, Vec<Diagnostic>) {
    let module = program.module(m);
    let needs = shared.needs.defaults.get(tid.0 as usize).copied().unwrap_or(false);
    let mut fns = Vec::new();
    let mut errors = Vec::new();
    let Some(sd) = module.ast.items.iter().find_map(|it| match &it.kind {
        ItemKind::Struct(s) if s.name.name == def.name => Some(s),
        _ => None,
    }) else {
        return (TokenStream::new(), errors);
    };
    let Some(fields) = ck.types.as_struct(tid) else {
        return (TokenStream::new(), errors);
    };
    for (fi, f) in sd.fields.iter().enumerate() {
        let Some(d) = &f.default else { continue };
        let ty = fields.fields.get(fi).map(|x| x.ty.clone()).unwrap_or(Ty::Error);
        let mut gen = Gen::new(program, ck, shared, m);
        gen.has_ctx = needs;
        gen.ret = vec![ty.clone()];
        let v = gen.field_value(d, shared.facts.boxing(tid, 0, fi));
        errors.append(&mut gen.errors);
        let t = TypeNames { ck, module_names: &shared.module_names, here: m }
            .field_ty(&ty, shared.facts.boxing(tid, 0, fi));
        let name = format_ident!("__default_{}", f.name.name);
        let ctx = if needs { quote!(ctx: &mut crate::Ctx) } else { quote!() };
        if shared.hmr && needs {
            // A default that reads `state`: raw places, as in `function`.
            fns.push(quote!(pub fn #name(#ctx) -> #t { #[allow(unused_unsafe)] unsafe { #v } }));
        } else {
            fns.push(quote!(pub fn #name(#ctx) -> #t { #v }));
        }
    }
    if fns.is_empty() {
        return (TokenStream::new(), errors);
    }
    let names_ = TypeNames { ck, module_names: &shared.module_names, here: m };
    let path = names_.type_path(tid);
    // A generic struct's defaults are the same for every argument.
    let (params, args) = names_.type_params(tid, None);
    (quote!(impl #params #path #args { #(#fns)* }), errors)
}

fn function(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
    f: FnId,
    decl: &FnDecl,
    own_unit: bool,
) -> (TokenStream, Vec<Diagnostic>) {
    let Some(info) = ck.fns.get(f.0 as usize) else {
        return (TokenStream::new(), Vec::new());
    };
    let name = match info.receiver {
        Some(_) if shared.hmr => format_ident!("__body_{}", info.name),
        Some(_) => names::method(&info.name),
        None => names::item(&info.name),
    };
    let mut gen = Gen::new(program, ck, shared, m);
    if own_unit {
        // Its locations relative to its first line (`Gen::loc`), which
        // `__positions::__LINES` holds (`hmr::descriptor::body_table`).
        if let Some(item) = program.module(m).ast.items.get(info.item) {
            gen.line_base = Some((info.item, gen.position(item.span).1));
        }
    }
    function_with(gen, f, info, name, decl, true)
}

/// One generic function's instance (`check::Instance`): a plain function
/// of its own name, generated from the instance's side tables, called
/// directly (under `--hmr` it is compiled into each crate that uses it,
/// never into the call table).
pub(crate) fn instance_fn(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    inst: &crate::check::Instance,
) -> (TokenStream, Vec<Diagnostic>) {
    let m = inst.info.module;
    let Some(ItemKind::Fn(decl)) = program.module(m).ast.items.get(inst.info.item).map(|it| &it.kind) else {
        return (TokenStream::new(), Vec::new());
    };
    let mut gen = Gen::new(program, ck, shared, m);
    gen.tables = &inst.tables;
    // A generic type's method: its type's arguments are the instance's.
    gen.self_args = inst.args.clone();
    function_with(gen, inst.fn_id, &inst.info, format_ident!("{}", inst.rust_name), decl, false)
}

/// A function's Rust item: `info` is its signature (an instance's has
/// concrete types), `in_table` whether it has a call-table slot under
/// `--hmr` (its loops then check whether a reload replaced it).
fn function_with(
    mut gen: Gen<'_>,
    f: FnId,
    info: &FnInfo,
    name: Ident,
    decl: &FnDecl,
    in_table: bool,
) -> (TokenStream, Vec<Diagnostic>) {
    let (ck, shared) = (gen.ck, gen.shared);
    gen.hmr_fn = in_table.then_some(f);
    let needs = shared.needs.fn_needs(f);
    gen.has_ctx = needs;
    gen.ret = vec![info.ret.clone()];
    let mut params = Vec::new();
    if let (Some(tid), Some(mutable)) = (info.receiver, info.self_param) {
        let args = std::mem::take(&mut gen.self_args);
        let generic = !args.is_empty();
        let self_ty = match ck.types.get(tid).kind {
            TypeDefKind::Struct(_) => Ty::Struct(tid, args),
            TypeDefKind::Enum(_) => Ty::Enum(tid, args),
        };
        if generic {
            // An instance of a generic type's method is a plain function:
            // the receiver is its first parameter.
            let t = gen.rust_ty(&self_ty);
            let recv = names::plain("__recv");
            if mutable {
                params.push(quote!(#recv: &mut #t));
                gen.self_kind = Some((LocalKind::MutRef, recv));
            } else {
                params.push(quote!(#recv: &#t));
                gen.self_kind = Some((LocalKind::Ref, recv));
            }
        } else if mutable {
            params.push(quote!(&mut self));
            gen.self_kind = Some((LocalKind::MutRef, names::plain("self")));
        } else {
            params.push(quote!(&self));
            gen.self_kind = Some((LocalKind::Ref, names::plain("self")));
        }
        gen.current_self = Some(self_ty);
    }
    if needs {
        params.push(quote!(ctx: &mut crate::Ctx));
    }
    for p in &info.params {
        let n = names::local(&p.name);
        let t = gen.rust_ty(&p.ty);
        let kind = if p.mutable {
            params.push(quote!(#n: &mut #t));
            LocalKind::MutRef
        } else if gen.is_copy(&p.ty) {
            params.push(quote!(#n: #t));
            LocalKind::Owned
        } else {
            params.push(quote!(#n: &#t));
            LocalKind::Ref
        };
        if let Some(l) = p.local {
            gen.locals.insert(l, kind);
        }
    }
    gen.move_tail = true;
    let body = gen.block(&decl.body, &info.ret);
    let ret = if info.ret == Ty::Unit {
        quote!()
    } else {
        let t = gen.rust_ty(&info.ret);
        quote!(-> #t)
    };
    if shared.hmr {
        // `state` is `(*ctx.m.x.ptr())` under --hmr: a raw place, read
        // through the slot on every access (see `abi::StateRef::ptr`).
        return (quote!(pub fn #name(#(#params),*) #ret { #[allow(unused_unsafe)] unsafe #body }), gen.errors);
    }
    (quote!(pub fn #name(#(#params),*) #ret #body), gen.errors)
}

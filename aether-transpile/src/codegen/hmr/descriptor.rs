//! `lib.rs` of a module's crate: the `extern "C"` shims of its functions and
//! of its state (zero, init, drop, save, migrate), the imports it was built
//! against, and the `abi::ModuleDescriptor` the runtime reads.

use super::{
    body_text, entry_name, extern_slot_text, module_trampolines, rust_sig, slot_text, state_text, states_of,
    CallLayout, HOST_ROW,
};
use crate::ast::ItemKind;
use crate::check::{CheckResult, FnId};
use crate::codegen::{names, Shared};
use crate::project::Program;
use crate::ty::ModuleId;
use aether_rt::abi::fingerprint;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What a body edit of module `m` changes in the descriptor: each
/// function's body fingerprint (in `layout`'s order, as `lib.rs` indexes
/// them) and where each function is in the `.ae` file (the frame table).
/// They are generated into `m`'s own file, after its bodies, so that a body
/// edit leaves `lib.rs` as it was: nothing of it is formatted again, and
/// rustc's incremental build finds it unchanged.
pub(super) fn body_table(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    m: ModuleId,
    included: &[ModuleId],
) -> TokenStream {
    let bodies: Vec<u64> = layout
        .of_module(m)
        .iter()
        .map(|f| fingerprint(&body_text(program, ck, *f, included, &shared.tunables)))
        .collect();
    let nbodies = bodies.len();
    let frames: Vec<TokenStream> = crate::codegen::frames(program, ck, shared, Some(m))
        .into_iter()
        .map(|(path, name, at)| quote!(::aether_rt::abi::FrameEntry::new(#path, #name, #at)))
        .collect();
    let nframes = frames.len();
    let module = program.module(m);
    let file = program.sources.get(module.file);
    let lines: Vec<proc_macro2::Literal> = module
        .ast
        .items
        .iter()
        .map(|it| proc_macro2::Literal::u32_unsuffixed(file.line_col(it.span.start as usize).0 as u32))
        .collect();
    let nlines = lines.len();
    // Each table in a Rust module of its own, so in a codegen unit of its
    // own: a body edit changes the fingerprints' unit and the body's, and
    // lines that move change the positions' unit, never the bodies below.
    quote! {
        mod __fingerprints {
            /// Each function's body fingerprint, in call-table order
            /// (`lib.rs`'s `FUNCTIONS` points into it: a `static`, so that a
            /// body edit changes this table and not `FUNCTIONS`).
            pub(crate) static __BODY_FINGERPRINTS: [u64; #nbodies] = [#(#bodies),*];
        }
        pub(crate) use __fingerprints::__BODY_FINGERPRINTS;
        mod __positions {
            /// Where each function is, for a stack overflow's report.
            pub(crate) static __FRAMES: [::aether_rt::abi::FrameEntry; #nframes] = [#(#frames),*];
            /// The first line of each item of the module, in source order:
            /// the bodies' locations are relative to it (`__at`).
            pub(crate) static __LINES: [u32; #nlines] = [#(#lines),*];
        }
        pub(crate) use __positions::__FRAMES;
        /// The location of line `within` of item `item` (a line of its
        /// body counted from the item's first), column `col`.
        #[inline(always)]
        fn __at(item: usize, within: u32, col: u32) -> ::aether_rt::Location {
            __loc(__positions::__LINES[item] + within, col)
        }
    }
}

/// `lib.rs` of module `m`'s crate.
#[allow(clippy::too_many_arguments)]
pub(super) fn module_lib(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    m: ModuleId,
    included: &[ModuleId],
    fingerprints: &[u64],
    reloadable: bool,
) -> TokenStream {
    let mi = m.0 as usize;
    let name = &shared.module_names[mi];
    let mod_ident = names::plain(name);
    let mods = included.iter().map(|x| names::plain(&shared.module_names[x.0 as usize]));
    let state_mods: Vec<_> = included
        .iter()
        .filter(|x| !states_of(ck, **x).is_empty())
        .map(|x| names::plain(&shared.module_names[x.0 as usize]))
        .collect();
    let ctx_fields = included.iter().filter(|x| !states_of(ck, **x).is_empty()).map(|x| {
        let n = names::plain(&shared.module_names[x.0 as usize]);
        quote!(pub #n: crate::#n::State)
    });

    // Trampolines of the top-level functions of every included module;
    // this module's call their bodies directly while this library is
    // current (`direct.rs`).
    let direct = super::direct::direct_calls(program, ck);
    let mut tramp_mods = Vec::new();
    for &x in included {
        let xi = x.0 as usize;
        let xmod = names::plain(&shared.module_names[xi]);
        let own = (x == m).then_some(direct.as_slice());
        let fns = module_trampolines(program, ck, shared, layout, x, own);
        tramp_mods.push(quote!(pub mod #xmod { use crate::#xmod::*; #(#fns)* }));
    }

    // Shims and table entries of this module's functions.
    let tn = crate::codegen::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let mut shims = Vec::new();
    let mut entries = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (fi, f) in layout.of_module(m).iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        let shim = format_ident!("__shim_{}", fi);
        let sig = rust_sig(ck, shared, *f);
        let (params, args, ret) = (&sig.params, &sig.args, &sig.ret);
        let ctx_arg = if sig.needs_ctx { vec![quote!(&mut ctx)] } else { Vec::new() };
        let (self_ty, callee) = match info.receiver {
            Some(tid) => {
                let path = tn.type_path(tid);
                let body = format_ident!("__body_{}", info.name);
                let self_ty = match sig.receiver {
                    Some(true) => vec![quote!(&mut #path)],
                    Some(false) => vec![quote!(&#path)],
                    None => Vec::new(),
                };
                (self_ty, quote!(#path::#body))
            }
            None => {
                let fname = names::item(&info.name);
                (Vec::new(), quote!(#fname))
            }
        };
        let self_param: Vec<_> = self_ty.iter().map(|t| quote!(self_: #t)).collect();
        let self_arg: Vec<_> = self_ty.iter().map(|_| quote!(self_)).collect();
        let ctx_ty = if sig.needs_ctx { vec![quote!(&mut crate::Ctx)] } else { Vec::new() };
        let arg_tys = &sig.arg_tys;
        let arity = self_ty.len() + ctx_ty.len() + arg_tys.len();
        // Counted while it runs (`_active`): an old library is unloaded only
        // when no call of its code is in progress.
        shims.push(if arity <= aether_rt::abi::MAX_ARITY {
            // The callee as a `fn` pointer and the arguments as a tuple: the
            // guard is compiled once per signature (`abi::Args`).
            let ctx = sig.needs_ctx.then(|| quote!(let mut ctx = crate::Ctx::default();));
            quote! {
                pub extern "C" fn #shim(#(#self_param,)* #(#params),*) -> Guarded<#ret> {
                    let _active = ACTIVE.enter();
                    #ctx
                    Guarded::apply::<(#(#self_ty,)* #(#ctx_ty,)* #(#arg_tys,)*)>(
                        #callee,
                        (#(#self_arg,)* #(#ctx_arg,)* #(#args,)*),
                    )
                }
            }
        } else {
            quote! {
                pub extern "C" fn #shim(#(#self_param,)* #(#params),*) -> Guarded<#ret> {
                    let _active = ACTIVE.enter();
                    Guarded::call(::std::panic::AssertUnwindSafe(move || {
                        let mut ctx = crate::Ctx::default();
                        let _ = &mut ctx;
                        #callee(#(#self_arg,)* #(#ctx_arg,)* #(#args),*)
                    }))
                }
            }
        });
        let entry = entry_name(ck, *f);
        let slot = slot_text(ck, *f);
        entries.push(quote!(FnEntry::new(#entry, #slot, __shims::#shim as *const c_void)
            .with_body(&crate::#mod_ident::__BODY_FINGERPRINTS[#fi], &__STALE[#fi])));
        let index = fi as u32;
        if has_attr(program, ck, *f, "before_reload") {
            before.push(index);
        }
        if has_attr(program, ck, *f, "on_reload") {
            after.push(index);
        }
    }
    let nfns = entries.len();

    // State: one entry per variable.
    let mut state_entries = Vec::new();
    for (si, g) in states_of(ck, m).iter().enumerate() {
        let t = tn.rust_ty(&g.ty);
        let zero_fn = format_ident!("__state_zero_{}", g.name);
        let init_fn = format_ident!("__state_init_{}", g.name);
        let (zero, init, drop, size, align) = (
            format_ident!("__zero_{}", si),
            format_ident!("__init_{}", si),
            format_ident!("__drop_{}", si),
            format_ident!("__SIZE_{}", si),
            format_ident!("__ALIGN_{}", si),
        );
        let (save, migrate) = (format_ident!("__save_{}", si), format_ident!("__migrate_{}", si));
        let state_name = g.name.clone();
        let init_value = quote!(|| {
            let mut ctx = crate::Ctx::default();
            #init_fn(&mut ctx)
        });
        let migrate_call = match migrate_hook(program, ck, shared, m, &g.name) {
            Some(hook) => quote!(migrate_value_with(#state_name, &text, dst, #hook, #init_value)),
            None => quote!(migrate_value(#state_name, &text, dst, #init_value)),
        };
        shims.push(quote! {
            pub const #size: usize = ::std::mem::size_of::<#t>();
            pub const #align: usize = ::std::mem::align_of::<#t>();
            pub extern "C" fn #zero(p: *mut c_void) -> bool {
                // SAFETY: the runtime passes fresh memory of this type's
                // size and alignment.
                call_guarded(::std::panic::AssertUnwindSafe(move || unsafe { p.cast::<#t>().write(#zero_fn()) })).is_ok()
            }
            pub extern "C" fn #init(p: *mut c_void) -> bool {
                call_guarded(::std::panic::AssertUnwindSafe(move || {
                    let mut ctx = crate::Ctx::default();
                    let v = #init_fn(&mut ctx);
                    // SAFETY: the runtime passes memory `zero` initialized.
                    unsafe { *p.cast::<#t>() = v };
                }))
                .is_ok()
            }
            pub extern "C" fn #drop(p: *mut c_void) {
                // SAFETY: the runtime passes a value `zero` wrote.
                let _ = call_guarded(::std::panic::AssertUnwindSafe(move || unsafe { p.cast::<#t>().drop_in_place() }));
            }
            pub extern "C" fn #save(p: *const c_void) -> Guarded<Text> {
                // SAFETY: the runtime passes this library's value, under
                // the program lock.
                Guarded::call(::std::panic::AssertUnwindSafe(move || save_value(unsafe { &*p.cast::<#t>() })))
            }
            pub extern "C" fn #migrate(text: *const u8, len: usize, p: *mut c_void) -> Guarded<Migrated> {
                Guarded::call(::std::panic::AssertUnwindSafe(move || {
                    // SAFETY: the runtime passes the saved text and memory
                    // `zero` initialized, not yet published.
                    let text = String::from_utf8_lossy(unsafe { ::std::slice::from_raw_parts(text, len) });
                    let dst = unsafe { &mut *p.cast::<#t>() };
                    #migrate_call
                }))
            }
        });
        let text = state_text(ck, g);
        state_entries.push(quote!(StateEntry {
            name: Str::new(#state_name),
            type_fingerprint: fingerprint(#text),
            size: __shims::#size,
            align: __shims::#align,
            zero: __shims::#zero,
            init: __shims::#init,
            drop: __shims::#drop,
            save: __shims::#save,
            migrate: __shims::#migrate,
        }));
    }
    let nstates = state_entries.len();
    let (import_statics, imports) =
        import_entries(program, ck, shared, layout, included, fingerprints, &quote!(crate::), &quote!(crate::));
    let nimports = imports.len();
    let (nbefore, nafter) = (before.len(), after.len());
    let module_name = name.clone();
    let iface = fingerprints[mi];
    let nhost = layout.externs.len();
    // A library that can make a function value is never unloaded.
    let pinned = super::fn_values::makes_fn_values(program, ck, shared, m);
    let export = if reloadable {
        quote!(::aether_rt::export_module!(DESCRIPTOR);)
    } else {
        quote! {
            /// This module is linked into the host (never reloaded): the host
            /// reads its descriptor directly.
            pub extern "C" fn __aether_descriptor() -> *const ModuleDescriptor {
                &DESCRIPTOR
            }
        }
    };
    let doc =
        format!(" Generated by `cargo aether run --hmr`: module `{name}` as a hot-reloadable library. Do not edit.");
    let allow_lints = crate::codegen::allow_lints_in_crate();
    quote! {
        #allow_lints
        #![doc = #doc]

        use ::aether_rt::abi::*;
        use ::std::ffi::c_void;

        #(pub mod #mods;)*

        /// The `state` of every module this one compiles against, and the
        /// swap count (`abi::EPOCH`) when its addresses were read.
        #[derive(Default)]
        pub struct Ctx { #(#ctx_fields,)* pub __epoch: u64 }

        impl Ctx {
            /// After a safe point: read the state addresses again if a swap
            /// happened meanwhile.
            #[inline(always)]
            pub fn __sync(&mut self) {
                if ::aether_rt::abi::epoch_changed(self.__epoch) {
                    self.__refresh();
                }
            }

            // Inlined, not a cold call: a call that is given `ctx` lets it
            // escape, and LLVM then reloads the cached addresses after
            // every store into `state` (issue #14). It is a few stores.
            #[inline(always)]
            fn __refresh(&mut self) {
                self.__epoch = ::aether_rt::abi::epoch();
                #(self.#state_mods.__refresh();)*
            }
        }

        pub mod __hmr_calls { #(#tramp_mods)* }

        pub mod __shims {
            use ::aether_rt::abi::*;
            use ::std::ffi::c_void;
            use crate::#mod_ident::*;
            /// Once, when the runtime accepted this library.
            pub extern "C" fn __prepare() {
                ::aether_rt::abi::prepare_library();
            }
            #(#shims)*
        }

        /// Per function: raised by the runtime while a version with another
        /// body is current; this code's loops leave at their next iteration.
        pub static __STALE: [::std::sync::atomic::AtomicBool; #nfns] =
            [const { ::std::sync::atomic::AtomicBool::new(false) }; #nfns];

        /// Raised by the runtime while a reload waits, with `PENDING`, and
        /// while another version of this module is current: this crate's
        /// direct calls read it (`abi::is_current`), with one load.
        pub static __PENDING: ::std::sync::atomic::AtomicBool = ::std::sync::atomic::AtomicBool::new(false);

        /// The Rust host's `extern fn`s as this library calls them.
        pub static __HOST_SLOTS: [Slot; #nhost] = [const { Slot::new() }; #nhost];

        static FUNCTIONS: [FnEntry; #nfns] = [#(#entries),*];
        static STATES: [StateEntry; #nstates] = [#(#state_entries),*];
        #import_statics
        static IMPORTS: [ImportEntry; #nimports] = [#(#imports),*];
        static BEFORE_RELOAD: [u32; #nbefore] = [#(#before),*];
        static ON_RELOAD: [u32; #nafter] = [#(#after),*];
        static DESCRIPTOR: ModuleDescriptor = ModuleDescriptor {
            abi_version: ABI_VERSION,
            name: Str::new(#module_name),
            interface_fingerprint: #iface,
            functions: Slice::new(&FUNCTIONS),
            states: Slice::new(&STATES),
            imports: Slice::new(&IMPORTS),
            before_reload: Slice::new(&BEFORE_RELOAD),
            on_reload: Slice::new(&ON_RELOAD),
            host: &HOST,
            prepare: __shims::__prepare,
            pending: &PENDING,
            own_pending: &__PENDING,
            active: &ACTIVE,
            epoch: &EPOCH,
            pinned: #pinned,
            frames: Slice::new(&crate::#mod_ident::__FRAMES),
        };
        #export
    }
}

/// The imports of a library (or of a Rust host's `__host` row): for each
/// module of `modules`, its interface fingerprint and the library's slots
/// for its functions and states, with the fingerprint each must hold; and
/// the `__host` row's slots when there are `extern fn`s. `root` leads to
/// the modules (`crate::`, or nothing inside the bindings' `__aether`),
/// `host_root` to `__HOST_SLOTS`.
#[allow(clippy::too_many_arguments)]
pub(super) fn import_entries(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    modules: &[ModuleId],
    fingerprints: &[u64],
    root: &TokenStream,
    host_root: &TokenStream,
) -> (TokenStream, Vec<TokenStream>) {
    let abi = quote!(::aether_rt::abi);
    let mut statics = Vec::new();
    let mut entries = Vec::new();
    let mut push = |tag: String, name: String, fp: u64, fns: Vec<TokenStream>, states: Vec<TokenStream>| {
        let (fns_ident, states_ident) =
            (format_ident!("__IMPORT_FNS_{}", tag), format_ident!("__IMPORT_STATES_{}", tag));
        let (nf, ns) = (fns.len(), states.len());
        statics.push(quote! {
            static #fns_ident: [#abi::SlotEntry; #nf] = [#(#fns),*];
            static #states_ident: [#abi::SlotEntry; #ns] = [#(#states),*];
        });
        entries.push(quote!(#abi::ImportEntry {
            module: #abi::Str::new(#name),
            interface_fingerprint: #fp,
            functions: #abi::Slice::new(&#fns_ident),
            states: #abi::Slice::new(&#states_ident),
        }));
    };
    for &x in modules {
        let xi = x.0 as usize;
        let xmod = names::plain(&shared.module_names[xi]);
        let fns = layout
            .of_module(x)
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let fp = fingerprint(&slot_text(ck, *f));
                quote!(#abi::SlotEntry { fingerprint: #fp, slot: &#root #xmod::__FN_SLOTS[#i] })
            })
            .collect();
        let states = states_of(ck, x)
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let fp = fingerprint(&state_text(ck, g));
                quote!(#abi::SlotEntry { fingerprint: #fp, slot: &#root #xmod::__STATE_SLOTS[#i] })
            })
            .collect();
        push(xi.to_string(), shared.module_names[xi].clone(), fingerprints[xi], fns, states);
    }
    if !layout.externs.is_empty() {
        let fns = layout
            .externs
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let fp = fingerprint(&extern_slot_text(program, ck, *f));
                quote!(#abi::SlotEntry { fingerprint: #fp, slot: &#host_root __HOST_SLOTS[#k] })
            })
            .collect();
        push("host".to_string(), HOST_ROW.to_string(), layout.host_fingerprint, fns, Vec::new());
    }
    (quote!(#(#statics)*), entries)
}

/// The user's `@migrate fn migrate_<state>(old: T) -> S` of module `m`, as a
/// closure from the old shape `T` to the state's value (the checker made
/// sure of the shape).
pub(super) fn migrate_hook(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
    state: &str,
) -> Option<TokenStream> {
    let name = format!("{}{state}", crate::check::MIGRATE_PREFIX);
    let (i, info) = ck.fns.iter().enumerate().find(|(_, f)| {
        f.module == m && f.receiver.is_none() && f.name == name && f.params.len() == 1 && f.host.is_none()
    })?;
    let f = FnId(i as u32);
    if !has_attr(program, ck, f, crate::check::MIGRATE) {
        return None;
    }
    let tn = crate::codegen::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let param = info.params.first()?;
    let old_ty = tn.rust_ty(&param.ty);
    let arg = if shared.facts.is_copy(&param.ty) { quote!(old) } else { quote!(&old) };
    let ctx = if shared.needs.fn_needs(f) { vec![quote!(&mut crate::Ctx::default())] } else { Vec::new() };
    let fname = names::item(&info.name);
    Some(quote!(|old: #old_ty| #fname(#(#ctx,)* #arg)))
}

/// Whether the function's item carries `@name`.
pub(super) fn has_attr(program: &Program, ck: &CheckResult, f: FnId, name: &str) -> bool {
    let Some(info) = ck.fns.get(f.0 as usize) else { return false };
    program
        .module(info.module)
        .ast
        .items
        .get(info.item)
        .is_some_and(|item| item.attrs.iter().any(|a| a.name.name == name) && matches!(item.kind, ItemKind::Fn(_)))
}

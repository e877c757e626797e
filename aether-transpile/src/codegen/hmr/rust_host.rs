//! The bindings file of a Rust host crate under `--hmr` (see
//! [`super::generate_library`]): the host `include!`s it and calls Aether
//! through the runtime's table; the host's `extern fn`s are the `__host` row.
//!
//! What the host compiles is only what Rust code names: types, constants,
//! `pub fn` signatures and `extern fn`s. State is the runtime's (the module
//! libraries reach it through their own slots), so its layout is kept out of
//! the bindings: adding or retyping a `state` leaves them as they were, and
//! the supervisor (which restarts the host when its bindings change) applies
//! it live. For the same reason the host imports each module's functions
//! slot by slot (each slot checked against its signature's fingerprint)
//! rather than against the whole interface, whose fingerprint covers state.

use super::{extern_slot_text, import_entries, module_trampolines, rust_sig, CallLayout, HmrModule, HOST_ROW};
use crate::check::CheckResult;
use crate::codegen::{format_file, names, Shared};
use crate::project::Program;
use crate::ty::ModuleId;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The bindings file of a Rust host crate under `--hmr` (see
/// [`generate_library`]): the interfaces of every module (its types and
/// constants, as the Rust API), one binding per `pub fn` that takes the
/// program lock and calls through the table, the `__host` row's shims of the
/// `extern fn`s, and the program's spec for the embedded runtime.
pub(super) fn library_bindings(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    interfaces: &[(TokenStream, String)],
    fingerprints: &[u64],
    modules: &[HmrModule],
) -> String {
    let root1 = quote!(super);
    let root2 = quote!(super::super);
    let mut mods = Vec::new();
    let mut calls = Vec::new();
    let mut bindings = Vec::new();
    for m in program.module_ids() {
        let mi = m.0 as usize;
        let name = names::plain(&shared.module_names[mi]);
        let iface = crate::codegen::library::reroot(without_state(interfaces[mi].0.clone()), &root1);
        mods.push(quote!(pub mod #name { #iface }));
        let tramps = module_trampolines(program, ck, shared, layout, m);
        let tramps = crate::codegen::library::reroot(quote!(#(#tramps)*), &root2);
        calls.push(quote!(pub mod #name { use super::super::#name::*; #tramps }));
        bindings.push(crate::codegen::library::hmr_module_bindings(ck, shared, m));
    }

    // The `__host` row: shims of the `extern fn`s, as a linked module whose
    // imports are every module's interface (the host compiles against them
    // all: a reload that changes one needs a rebuilt host).
    let mut shims = Vec::new();
    let mut entries = Vec::new();
    for (k, f) in layout.externs.iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        let Ok(path) = syn::parse_str::<syn::Path>(info.host.as_deref().unwrap_or("")) else { continue };
        let shim = format_ident!("__host_{}", k);
        let sig = rust_sig(ck, shared, *f);
        let (params, ret) = (&sig.params, &sig.ret);
        let params = crate::codegen::library::reroot(quote!(#(#params),*), &root1);
        let ret = crate::codegen::library::reroot(ret.clone(), &root1);
        let args = crate::codegen::library::extern_args(info, &shared.facts);
        // In a module of its own beside the module's interface, so the
        // module's types are in scope by their bare names.
        let holder = format_ident!("__host_{}", shared.module_names[info.module.0 as usize]);
        let module = names::plain(&shared.module_names[info.module.0 as usize]);
        shims.push(quote! {
            pub mod #holder {
                use super::#module::*;
                pub extern "C" fn #shim(#params) -> ::aether_rt::abi::Guarded<#ret> {
                    ::aether_rt::abi::Guarded::call(::std::panic::AssertUnwindSafe(move || #path(#(#args),*)))
                }
            }
        });
        let text = extern_slot_text(program, ck, *f);
        let entry = format!("{}.{}", program.module(info.module).name, info.name);
        entries
            .push(quote!(::aether_rt::abi::FnEntry::new(#entry, #text, #holder::#shim as *const ::std::ffi::c_void)));
    }
    let nentries = entries.len();
    let all: Vec<ModuleId> = program.module_ids().collect();
    // Imported slot by slot: see the top of this file.
    let by_slot = vec![aether_rt::abi::CHECKED_BY_SLOT; fingerprints.len()];
    let (import_statics, imports) = import_entries(program, ck, shared, layout, &all, &by_slot, &quote!(), &quote!());
    let import_statics = without_state_imports(import_statics);
    let nimports = imports.len();
    let nhost = layout.externs.len();
    let host_fp = layout.host_fingerprint;
    let specs = modules.iter().enumerate().map(|(i, m)| {
        let name = shared.module_names[i].clone();
        let file = &m.file;
        let library = m.library.to_string_lossy().into_owned();
        quote!(::aether_rt::hmr::host::ModuleSpec { name: #name, file: #file, library: #library, linked: None })
    });
    let nspecs = modules.len() + 1;
    let init_order = crate::codegen::init_order(program).into_iter().map(|m| m.0 as usize);
    let glue = quote! {
        #(#mods)*

        /// What the trampolines take where generated code passes its
        /// state: nothing here (the module libraries reach state through
        /// their own slots).
        #[derive(Default)]
        pub struct Ctx {}

        pub mod __hmr_calls { #(#calls)* }

        #(#shims)*

        /// The `extern fn`s as the bindings' trampolines call them.
        pub static __HOST_SLOTS: [::aether_rt::abi::Slot; #nhost] = [const { ::aether_rt::abi::Slot::new() }; #nhost];
        static HOST_FNS: [::aether_rt::abi::FnEntry; #nentries] = [#(#entries),*];
        #import_statics
        static HOST_IMPORTS: [::aether_rt::abi::ImportEntry; #nimports] = [#(#imports),*];
        extern "C" fn __prepare() {}
        static HOST_DESCRIPTOR: ::aether_rt::abi::ModuleDescriptor = ::aether_rt::abi::ModuleDescriptor {
            abi_version: ::aether_rt::abi::ABI_VERSION,
            name: ::aether_rt::abi::Str::new(#HOST_ROW),
            interface_fingerprint: #host_fp,
            functions: ::aether_rt::abi::Slice::new(&HOST_FNS),
            states: ::aether_rt::abi::Slice::new(&[]),
            imports: ::aether_rt::abi::Slice::new(&HOST_IMPORTS),
            before_reload: ::aether_rt::abi::Slice::new(&[]),
            on_reload: ::aether_rt::abi::Slice::new(&[]),
            host: &::aether_rt::abi::HOST,
            prepare: __prepare,
            pending: &::aether_rt::abi::PENDING,
        };
        extern "C" fn __host_descriptor() -> *const ::aether_rt::abi::ModuleDescriptor {
            &HOST_DESCRIPTOR
        }
        static MODULES: [::aether_rt::hmr::host::ModuleSpec; #nspecs] = [
            #(#specs,)*
            ::aether_rt::hmr::host::ModuleSpec {
                name: #HOST_ROW, file: "the Rust host", library: "", linked: Some(__host_descriptor),
            },
        ];
        static PROGRAM: ::aether_rt::hmr::host::ProgramSpec = ::aether_rt::hmr::host::ProgramSpec {
            modules: &MODULES,
            entry_module: usize::MAX,
            init_order: &[#(#init_order),*],
        };

        /// Start the runtime (once) and take the program lock for a call.
        pub fn __enter() -> ::aether_rt::hmr::host::Entered {
            ::aether_rt::hmr::host::enter(&PROGRAM)
        }

        /// A call into Aether: under the program lock, its runtime
        /// error returned (after a rollback within the grace window,
        /// run again in the previous code).
        pub fn __call<R>(f: impl FnMut() -> R) -> ::std::result::Result<R, ::aether_rt::RuntimeError> {
            ::aether_rt::hmr::host::call(&PROGRAM, f)
        }
    };
    let glue = crate::codegen::glue_module(
        &[
            " The generated interfaces, trampolines and runtime glue. Not for",
            " direct use: call the bindings beside this module.",
        ],
        glue,
    );
    let ts = quote! {
        #glue

        /// Start the Aether runtime now (it starts on the first call anyway):
        /// load the module libraries, run the `state` initializers, and begin
        /// taking reloads from `cargo aether run --hmr`.
        #[allow(dead_code)]
        pub fn start() {
            drop(__aether::__enter());
        }

        #(#bindings)*
    };
    let header = "// Generated by aether-build for `cargo aether run --hmr`. Do not edit.\n";
    format!("{header}{}", format_file(ts))
}

/// A module's interface without its state: the `State` struct, its
/// `Default`, and the `__STATE_SLOTS` it reads.
fn without_state(interface: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(interface.clone()) else { return interface };
    file.items.retain(|item| match item {
        syn::Item::Struct(s) => s.ident != "State",
        syn::Item::Static(s) => s.ident != "__STATE_SLOTS",
        syn::Item::Impl(i) => !matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident("State")),
        _ => true,
    });
    quote!(#file)
}

/// The host's import statics with no state entries: the host reads no state.
fn without_state_imports(statics: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(statics.clone()) else { return statics };
    for item in &mut file.items {
        if let syn::Item::Static(s) = item {
            if s.ident.to_string().starts_with("__IMPORT_STATES_") {
                *s.ty = syn::parse_quote!([::aether_rt::abi::SlotEntry; 0]);
                *s.expr = syn::parse_quote!([]);
            }
        }
    }
    quote!(#file)
}

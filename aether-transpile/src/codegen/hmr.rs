//! Code generation for `--hmr`: one `cdylib` crate per module, one host
//! binary, one cargo workspace around them (see `docs/hmr.md`).
//!
//! A module crate holds the same module file as the static build, generated
//! with [`Shared::hmr`] set, which changes one thing in it: a call to a
//! top-level function (of this module or another) goes to a trampoline in
//! `crate::__hmr_calls::<module>::<fn>`, with the static function's Rust
//! signature, which looks the function up in the runtime's call table and
//! calls its `extern "C"` shim. The crate's `lib.rs` adds the glue: `Ctx`
//! (this module's state, reached through a [`Slot`] in runtime memory), a
//! shim per function, the state's init/drop shims, and the descriptor.
//!
//! This first slice supports, across the call table, parameters and results
//! of type `int`, `float`, `bool`, `str`, `()` and lists of those; it refuses
//! (with one message per construct) reading another module's state or
//! constants, using another module's types, and a `main` that takes or
//! returns anything.
//!
//! [`Slot`]: https://docs.rs/aether-rt (aether_rt::abi::Slot)

use super::{format_file, items, names, Shared};
use crate::check::{CheckResult, FnId, ItemRef, Res};
use crate::project::Program;
use crate::ty::{ModuleId, Ty};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::path::{Path, PathBuf};

/// Where the generated workspace's crates find the runtime, and what to call
/// them.
pub struct HmrOptions {
    /// Prefix of every generated package name (the program's crate name).
    pub program: String,
    /// Absolute path of the `aether-rt` crate.
    pub rt_path: PathBuf,
    /// Directory where cargo puts the built libraries (`<target>/debug`), so
    /// the host knows where to load them from.
    pub lib_dir: PathBuf,
}

/// One module's generated crate.
pub struct HmrModule {
    /// The Aether module name (`physics`, `net.http`).
    pub name: String,
    /// The `.ae` file, as diagnostics name it.
    pub file: String,
    /// The cargo package name (`-p` for a rebuild).
    pub package: String,
    /// The library cargo builds.
    pub library: PathBuf,
    /// Fingerprint of what other modules depend on: a change needs a restart
    /// in this slice.
    pub interface: u64,
    /// Files relative to the workspace root.
    pub files: Vec<(PathBuf, String)>,
}

/// The whole generated workspace.
pub struct HmrGenerated {
    pub modules: Vec<HmrModule>,
    /// The host binary's package name and executable.
    pub host_package: String,
    pub host_executable: PathBuf,
    /// The host crate and the workspace manifest, relative to the workspace root.
    pub files: Vec<(PathBuf, String)>,
}

/// Generate the HMR workspace for a checked program, or say (one line per
/// problem) what this slice of `--hmr` does not support yet.
pub fn generate(program: &Program, checked: &CheckResult, opts: &HmrOptions) -> Result<HmrGenerated, String> {
    let mut shared = Shared::new(program, checked);
    shared.hmr = true;
    let mut errors = unsupported(program, checked, &shared);
    let table = CallLayout::of(program, checked, &shared);
    let mut modules = Vec::new();
    for m in program.module_ids() {
        let (ts, mut errs) = crate::with_stack(|| items::expand(program, checked, &shared, m));
        errors.append(&mut errs);
        let name = shared.module_names[m.0 as usize].clone();
        let package = format!("{}_hmr_{}", opts.program, name.to_ascii_lowercase());
        let file = program.sources.get(program.module(m).file).name.clone();
        let lib = module_lib(checked, &shared, &table, m);
        let interface = table.interface_fingerprint(m);
        let dir = PathBuf::from("modules").join(&name);
        let files = vec![
            (dir.join(format!("src/{name}.rs")), format_file(ts)),
            (dir.join("src/lib.rs"), format_file(lib)),
            (dir.join("Cargo.toml"), module_manifest(&package, &opts.rt_path)),
        ];
        let library =
            opts.lib_dir.join(format!("{}{}{}", std::env::consts::DLL_PREFIX, package, std::env::consts::DLL_SUFFIX));
        modules.push(HmrModule { name: program.module(m).name.clone(), file, package, library, interface, files });
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(errors.join("\n"));
    }
    let host_package = format!("{}_hmr_host", opts.program);
    let host_executable = opts.lib_dir.join(format!("{host_package}{}", std::env::consts::EXE_SUFFIX));
    let mut files = vec![
        (PathBuf::from("host/src/main.rs"), format_file(host_main(program, checked, &table, &modules))),
        (PathBuf::from("host/Cargo.toml"), host_manifest(&host_package, &opts.rt_path)),
    ];
    let members: Vec<String> = modules.iter().map(|m| format!("\"modules/{}\"", shared_dir(m))).collect();
    files.push((PathBuf::from("Cargo.toml"), workspace_manifest(&members)));
    Ok(HmrGenerated { modules, host_package, host_executable, files })
}

/// The canonical signature string of a top-level function, as fingerprinted
/// in the descriptor (`fn(int, mut [str]) -> str`).
pub fn signature(checked: &CheckResult, f: FnId) -> String {
    let Some(info) = checked.fns.get(f.0 as usize) else { return String::new() };
    let params: Vec<String> = info
        .params
        .iter()
        .map(|p| format!("{}{}", if p.mutable { "mut " } else { "" }, p.ty.display(&checked.types)))
        .collect();
    format!("fn({}) -> {}", params.join(", "), info.ret.display(&checked.types))
}

/// The directory of a module crate inside `modules/`.
fn shared_dir(m: &HmrModule) -> String {
    m.files
        .first()
        .and_then(|(p, _)| p.components().nth(1))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The call table's layout: per module, its top-level functions in `FnId`
/// order. Host and every module crate are generated from the same layout.
struct CallLayout {
    fns: Vec<Vec<FnId>>,
    signatures: Vec<Vec<String>>,
    names: Vec<Vec<String>>,
}

impl CallLayout {
    fn of(program: &Program, ck: &CheckResult, _shared: &Shared) -> CallLayout {
        let mut fns = vec![Vec::new(); program.modules.len()];
        for (i, info) in ck.fns.iter().enumerate() {
            if info.receiver.is_none() {
                if let Some(list) = fns.get_mut(info.module.0 as usize) {
                    list.push(FnId(i as u32));
                }
            }
        }
        let signatures = fns.iter().map(|l| l.iter().map(|f| signature(ck, *f)).collect()).collect();
        let names = fns
            .iter()
            .map(|l| l.iter().map(|f| ck.fns.get(f.0 as usize).map(|i| i.name.clone()).unwrap_or_default()).collect())
            .collect();
        CallLayout { fns, signatures, names }
    }

    fn interface_fingerprint(&self, m: ModuleId) -> u64 {
        let i = m.0 as usize;
        let text: Vec<String> = self
            .names
            .get(i)
            .into_iter()
            .flatten()
            .zip(self.signatures.get(i).into_iter().flatten())
            .map(|(n, s)| format!("{n}: {s}"))
            .collect();
        fnv(&text.join("; "))
    }
}

/// The same FNV-1a as `aether_rt::abi::fingerprint` (the transpiler does not
/// depend on the runtime).
fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn crosses(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Unit => true,
        Ty::List(inner) => crosses(inner),
        _ => false,
    }
}

/// What this slice refuses, one line each, naming the `.ae` file.
fn unsupported(program: &Program, ck: &CheckResult, shared: &Shared) -> Vec<String> {
    let mut errors = Vec::new();
    let file_of = |m: ModuleId| program.sources.get(program.module(m).file).name.clone();
    for info in ck.fns.iter().filter(|i| i.receiver.is_none()) {
        let fine = info.params.iter().all(|p| crosses(&p.ty)) && crosses(&info.ret);
        if !fine {
            errors.push(format!(
                "{}: function `{}` has the signature `{}`; under --hmr only int, float, bool, str, () and lists of \
                 those cross the call table (not yet supported under --hmr)",
                file_of(info.module),
                info.name,
                info.fn_ty().display(&ck.types)
            ));
        }
    }
    for m in program.module_ids() {
        let Some(tables) = ck.module(m) else { continue };
        for res in tables.resolutions.values() {
            let foreign =
                match res {
                    Res::Global(g) => ck
                        .globals
                        .get(g.0 as usize)
                        .filter(|g| g.module != m)
                        .map(|g| format!("`{}` of module `{}`", g.name, shared.module_names[g.module.0 as usize])),
                    Res::Type(t) | Res::Variant(t, _) | Res::Field(t, _) => {
                        ck.types.defs.get(t.0 as usize).filter(|d| d.module != m).map(|d| {
                            format!("type `{}` of module `{}`", d.name, shared.module_names[d.module.0 as usize])
                        })
                    }
                    Res::Method(f) => ck.fns.get(f.0 as usize).filter(|i| i.module != m).map(|i| {
                        format!("method `{}` of module `{}`", i.name, shared.module_names[i.module.0 as usize])
                    }),
                    _ => None,
                };
            if let Some(what) = foreign {
                errors.push(format!(
                    "{}: uses {what}; under --hmr a module may use only the functions of another module \
                     (not yet supported under --hmr)",
                    file_of(m)
                ));
            }
        }
    }
    match program.entry.and_then(|e| entry_main(ck, e)) {
        Some(f) => {
            if let Some(info) = ck.fns.get(f.0 as usize) {
                if !info.params.is_empty() || info.ret != Ty::Unit {
                    errors.push(format!(
                        "{}: under --hmr `main` must be `fn main()` (not yet supported under --hmr)",
                        file_of(info.module)
                    ));
                }
            }
        }
        None => errors.push("the program has no `fn main()`".to_string()),
    }
    errors
}

fn entry_main(ck: &CheckResult, e: ModuleId) -> Option<FnId> {
    match ck.module(e)?.items.get("main")? {
        ItemRef::Fn(f) => Some(*f),
        _ => None,
    }
}

/// `lib.rs` of module `m`'s crate.
fn module_lib(ck: &CheckResult, shared: &Shared, table: &CallLayout, m: ModuleId) -> TokenStream {
    let mi = m.0 as usize;
    let name = &shared.module_names[mi];
    let mod_ident = names::plain(name);
    let has_state = ck.globals.iter().any(|g| g.module == m && g.is_state);
    let (ctx_struct, ctx_value) = if has_state {
        (
            quote!(pub struct Ctx { pub #mod_ident: StateRef<#mod_ident::State> }),
            quote!(Ctx { #mod_ident: StateRef::bound() }),
        )
    } else {
        (
            quote!(
                pub struct Ctx {}
            ),
            quote!(Ctx {}),
        )
    };

    // Trampolines: every top-level function of every module.
    let mut tramp_mods = Vec::new();
    for (tm, list) in table.fns.iter().enumerate() {
        let tmod = names::plain(&shared.module_names[tm]);
        let mut fns = Vec::new();
        for (fi, f) in list.iter().enumerate() {
            let Some(info) = ck.fns.get(f.0 as usize) else { continue };
            let fname = names::item(&info.name);
            let sig = rust_sig(ck, shared, *f);
            let (params, args, arg_tys) = (&sig.params, &sig.args, &sig.arg_tys);
            let ret = &sig.ret;
            let ctx_param = if shared.needs.fn_needs(*f) { quote!(ctx: &mut crate::Ctx,) } else { quote!() };
            let what = format!("{}.{}", shared.module_names[tm], info.name);
            fns.push(quote! {
                pub fn #fname(#ctx_param #(#params),*) -> #ret {
                    let p = crate::__lookup(#tm, #fi, #what);
                    // SAFETY: the loader checked the signature fingerprint of
                    // the function in this slot against the one this call was
                    // generated for.
                    let f: extern "C" fn(#(#arg_tys),*) -> ::aether_rt::abi::Guarded<#ret> =
                        unsafe { ::std::mem::transmute(p) };
                    match f(#(#args),*).into_result() {
                        Ok(v) => v,
                        // Already reported by the panic hook of the image
                        // that panicked: unwind on without a second message.
                        Err(e) => ::std::panic::resume_unwind(Box::new(e.message)),
                    }
                }
            });
        }
        tramp_mods.push(quote!(pub mod #tmod { #(#fns)* }));
    }

    // Shims and the function table entries of this module.
    let mut shims = Vec::new();
    let mut entries = Vec::new();
    for (fi, f) in table.fns.get(mi).into_iter().flatten().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        let fname = names::item(&info.name);
        let shim = format_ident!("__shim_{}", fi);
        let sig = rust_sig(ck, shared, *f);
        let (params, args, ret) = (&sig.params, &sig.args, &sig.ret);
        let ctx_arg = if shared.needs.fn_needs(*f) { quote!(&mut ctx,) } else { quote!() };
        shims.push(quote! {
            extern "C" fn #shim(#(#params),*) -> ::aether_rt::abi::Guarded<#ret> {
                ::aether_rt::install_panic_hook();
                ::aether_rt::abi::Guarded::call(::std::panic::AssertUnwindSafe(move || {
                    let mut ctx = #ctx_value;
                    let _ = &mut ctx;
                    #mod_ident::#fname(#ctx_arg #(#args),*)
                }))
            }
        });
        let fname_str = info.name.clone();
        let signature = table.signatures.get(mi).and_then(|s| s.get(fi)).cloned().unwrap_or_default();
        entries.push(quote!(FnEntry::new(#fname_str, #signature, #shim as *const c_void)));
    }
    let nfns = entries.len();

    let (state_items, state_entries, nstates) = if has_state {
        let fields: Vec<String> = ck
            .globals
            .iter()
            .filter(|g| g.module == m && g.is_state)
            .map(|g| format!("{}: {}", g.name, g.ty.display(&ck.types)))
            .collect();
        let type_text = format!("state {{{}}}", fields.join(", "));
        let items = quote! {
            extern "C" fn __state_init(p: *mut c_void) -> bool {
                ::aether_rt::install_panic_hook();
                ::aether_rt::abi::call_guarded(::std::panic::AssertUnwindSafe(move || {
                    // SAFETY: the runtime passes fresh memory of this
                    // type's size and alignment.
                    unsafe { p.cast::<#mod_ident::State>().write(#mod_ident::State::__zero()) };
                    // Bound while the initializers run, so that functions
                    // of this module they call see the value being built.
                    __STATE.set(p);
                    let mut ctx = Ctx { #mod_ident: StateRef(p.cast()) };
                    #mod_ident::__init(&mut ctx);
                }))
                .is_ok()
            }
            extern "C" fn __state_drop(p: *mut c_void) {
                // SAFETY: the runtime passes a value `__state_init` wrote.
                let _ = ::aether_rt::abi::call_guarded(::std::panic::AssertUnwindSafe(move || unsafe {
                    p.cast::<#mod_ident::State>().drop_in_place()
                }));
            }
            static __STATE: Slot = Slot::new();
        };
        let entry = quote!(StateEntry {
            name: Str::new("state"),
            type_fingerprint: fingerprint(#type_text),
            size: ::std::mem::size_of::<#mod_ident::State>(),
            align: ::std::mem::align_of::<#mod_ident::State>(),
            init: __state_init,
            drop: __state_drop,
            slot: &__STATE,
        });
        (items, vec![entry], 1usize)
    } else {
        (quote!(), Vec::new(), 0usize)
    };
    let state_ref = if has_state {
        quote! {
            /// This module's state, in memory the runtime owns. A pointer,
            /// not a `&'static mut`, so that re-entrant calls (which build a
            /// `Ctx` of their own) never alias a live `&mut`.
            pub struct StateRef<T>(*mut T);
            impl<T> StateRef<T> {
                fn bound() -> StateRef<T> {
                    let p = __STATE.get();
                    if p.is_null() {
                        panic!("this module's state is not initialized yet (a state initializer of another module called into it)");
                    }
                    StateRef(p.cast())
                }
            }
            impl<T> ::std::ops::Deref for StateRef<T> {
                type Target = T;
                fn deref(&self) -> &T {
                    // SAFETY: the slot points at an initialized value that
                    // the runtime never frees while code may use it.
                    unsafe { &*self.0 }
                }
            }
            impl<T> ::std::ops::DerefMut for StateRef<T> {
                fn deref_mut(&mut self) -> &mut T {
                    // SAFETY: as above; the borrow checker sees `ctx`
                    // borrowed for as long as this reference lives.
                    unsafe { &mut *self.0 }
                }
            }
        }
    } else {
        quote!()
    };
    let module_name = program_module_name(shared, mi);
    let doc =
        format!(" Generated by `cargo aether run --hmr`: module `{name}` as a hot-reloadable library. Do not edit.");
    let iface = table.interface_fingerprint(m);
    quote! {
        #![allow(unused, non_snake_case, non_camel_case_types, non_upper_case_globals, unreachable_code, unreachable_patterns, non_shorthand_field_patterns, improper_ctypes_definitions, clippy::all)]
        #![doc = #doc]

        use ::aether_rt::abi::*;
        use ::std::ffi::c_void;

        pub mod #mod_ident;

        #ctx_struct
        #state_ref

        pub mod __hmr_calls { #(#tramp_mods)* }

        static HOST: HostSlot = HostSlot::new();

        fn __lookup(m: usize, f: usize, what: &str) -> *const c_void {
            let p = HOST.get().map_or(::std::ptr::null(), |t| t.lookup(m, f));
            if p.is_null() {
                panic!("`{what}` is not loaded (called before the program started?)");
            }
            p
        }

        #(#shims)*
        #state_items

        static FUNCTIONS: [FnEntry; #nfns] = [#(#entries),*];
        static STATES: [StateEntry; #nstates] = [#(#state_entries),*];
        static DESCRIPTOR: ModuleDescriptor = ModuleDescriptor {
            abi_version: ABI_VERSION,
            name: Str::new(#module_name),
            interface_fingerprint: #iface,
            functions: Slice::new(&FUNCTIONS),
            states: Slice::new(&STATES),
            host: &HOST,
        };
        ::aether_rt::export_module!(DESCRIPTOR);
    }
}

fn program_module_name(shared: &Shared, m: usize) -> String {
    shared.module_names.get(m).cloned().unwrap_or_default()
}

/// The Rust signature of a function as the static build declares it
/// (without `ctx`), and how to forward its parameters.
struct RustSig {
    params: Vec<TokenStream>,
    args: Vec<TokenStream>,
    arg_tys: Vec<TokenStream>,
    ret: TokenStream,
}

fn rust_sig(ck: &CheckResult, shared: &Shared, f: FnId) -> RustSig {
    let mut sig = RustSig { params: Vec::new(), args: Vec::new(), arg_tys: Vec::new(), ret: quote!(()) };
    let Some(info) = ck.fns.get(f.0 as usize) else { return sig };
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: info.module };
    for p in &info.params {
        let n = names::local(&p.name);
        let t = tn.rust_ty(&p.ty);
        let t = if p.mutable {
            quote!(&mut #t)
        } else if is_copy(&p.ty) {
            t
        } else {
            quote!(&#t)
        };
        sig.params.push(quote!(#n: #t));
        sig.args.push(quote!(#n));
        sig.arg_tys.push(t);
    }
    if info.ret != Ty::Unit {
        sig.ret = tn.rust_ty(&info.ret);
    }
    sig
}

/// Among the types that cross the table, the ones the static build passes by
/// value (it must agree with `Gen::is_copy` for them).
fn is_copy(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Unit)
}

/// `main.rs` of the host.
fn host_main(program: &Program, ck: &CheckResult, table: &CallLayout, modules: &[HmrModule]) -> TokenStream {
    let specs = modules.iter().enumerate().map(|(i, m)| {
        let name = table_module_name(program, i);
        let file = &m.file;
        let library = m.library.to_string_lossy().into_owned();
        let fns = table
            .names
            .get(i)
            .into_iter()
            .flatten()
            .zip(table.signatures.get(i).into_iter().flatten())
            .map(|(n, s)| quote!((#n, #s)));
        let states: Vec<String> =
            ck.globals.iter().filter(|g| g.module.0 as usize == i && g.is_state).map(|g| g.name.clone()).collect();
        let iface = m.interface;
        quote! {
            ::aether_rt::hmr::host::ModuleSpec {
                name: #name,
                file: #file,
                library: #library,
                functions: &[#(#fns),*],
                state_vars: &[#(#states),*],
                interface_fingerprint: #iface,
            }
        }
    });
    let entry = program.entry.map_or(0, |e| e.0 as usize);
    let entry_fn = program
        .entry
        .and_then(|e| entry_main(ck, e))
        .and_then(|f| table.fns.get(entry).and_then(|l| l.iter().position(|g| *g == f)))
        .unwrap_or(0);
    let init_order = super::init_order(program).into_iter().map(|m| m.0 as usize);
    quote! {
        //! Generated by `cargo aether run --hmr`: the host that loads the module libraries. Do not edit.

        static MODULES: &[::aether_rt::hmr::host::ModuleSpec] = &[#(#specs),*];

        fn main() {
            ::aether_rt::install_panic_hook();
            let program = ::aether_rt::hmr::host::ProgramSpec { modules: MODULES, entry_module: #entry, entry_fn: #entry_fn, init_order: &[#(#init_order),*] };
            ::std::process::exit(::aether_rt::hmr::host::run(&program));
        }
    }
}

fn table_module_name(program: &Program, i: usize) -> String {
    let names = names::modules(program.modules.iter().map(|m| m.name.as_str()));
    names.get(i).cloned().unwrap_or_default()
}

fn rt_dep(rt: &Path, hmr: bool) -> String {
    let rt = rt.to_string_lossy().replace('\\', "/");
    if hmr {
        format!("aether-rt = {{ path = \"{rt}\", features = [\"hmr\"] }}")
    } else {
        format!("aether-rt = {{ path = \"{rt}\" }}")
    }
}

fn module_manifest(package: &str, rt: &Path) -> String {
    format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\npath = \"src/lib.rs\"\n\n[dependencies]\n{}\n",
        rt_dep(rt, false)
    )
}

fn host_manifest(package: &str, rt: &Path) -> String {
    format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [[bin]]\nname = \"{package}\"\npath = \"src/main.rs\"\n\n[dependencies]\n{}\n",
        rt_dep(rt, true)
    )
}

/// The workspace: every module crate and the host share one target
/// directory and one lock file. `panic = "unwind"` is what the shims' panic
/// guard relies on.
fn workspace_manifest(members: &[String]) -> String {
    format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\"host\", {}]\n\n\
         [profile.dev]\ndebug = 0\npanic = \"unwind\"\n",
        members.join(", ")
    )
}

//! Code generation for `--hmr`: one library crate per module, one host
//! binary, one cargo workspace around them (see `docs/hmr.md`).
//!
//! Each module's file is split in two ([`items::Part`]):
//! - its **interface**: types (`repr(C)`), constants, its `State` (one
//!   [`StateRef`] per `state` variable: a reference into runtime memory), and
//!   its methods as call-table trampolines;
//! - its **bodies**: functions, method bodies (`__body_<name>`), state
//!   initializers.
//!
//! The crate of module `m` holds `m`'s interface and bodies, plus the
//! interfaces of every module `m` imports, directly or not (their types and
//! constants are compiled into it; their code never is). So a crate's files
//! change exactly when its own code or an interface it compiles against
//! changes: the supervisor rebuilds the crates whose files changed and swaps
//! them together, and the runtime refuses a set in which a library's
//! `imports` (interface fingerprints) do not match.
//!
//! Every call to an Aether function or method, also within one module, goes
//! through the runtime's call table: a trampoline with the static signature
//! looks up `(module index, function index)` and calls the `extern "C"` shim
//! there, which runs the body under a panic guard. Indices: modules in
//! program order, each module's functions and methods in checker order.
//!
//! [`StateRef`]: https://docs.rs/aether-rt (aether_rt::abi::StateRef)

use super::items::{self, Part};
use super::{format_file, names, Shared};
use crate::ast::ItemKind;
use crate::check::{CheckResult, FnId, ItemRef};
use crate::project::Program;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;
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
    /// Modules never hot-reloaded (besides `@no_hmr` files): module names
    /// (`physics`, `net.http`), from `hmr-exclude`.
    pub exclude: Vec<String>,
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
    /// Fingerprint of what other modules compile against.
    pub interface: u64,
    /// False for a module linked into the host (`@no_hmr`, `hmr-exclude`):
    /// a change to it needs a restart.
    pub reloadable: bool,
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
/// problem) what `--hmr` cannot run.
pub fn generate(program: &Program, checked: &CheckResult, opts: &HmrOptions) -> Result<HmrGenerated, String> {
    generate_with(program, checked, opts, false).map(|(g, _)| g)
}

/// The `--hmr` build of Aether modules compiled into a Rust host crate (by
/// `aether-build`, checked as `check::Mode::Library`): the module crates (no host
/// crate: the user's crate is the host), and the bindings file the host
/// `include!`s, whose functions call through the table and whose runtime
/// starts on first use. `extern fn`s become the table's last row, `__host`,
/// filled by the host crate. Both sides of one build must be generated with
/// the same options.
pub fn generate_library(
    program: &Program,
    checked: &CheckResult,
    opts: &HmrOptions,
) -> Result<(HmrGenerated, String), String> {
    let (generated, bindings) = generate_with(program, checked, opts, true)?;
    Ok((generated, bindings.unwrap_or_default()))
}

/// The name of the table row holding a Rust host's `extern fn`s.
pub const HOST_ROW: &str = "__host";

fn generate_with(
    program: &Program,
    checked: &CheckResult,
    opts: &HmrOptions,
    library: bool,
) -> Result<(HmrGenerated, Option<String>), String> {
    let mut shared = Shared::new(program, checked);
    shared.hmr = true;
    // State that changes type is carried over through `aether_rt::dynval`.
    shared.dyn_impls = true;
    let mut errors = if library { Vec::new() } else { unsupported(program, checked) };
    let layout = CallLayout::of(program, checked);
    let ids: Vec<ModuleId> = program.module_ids().collect();

    // Every module's interface and bodies, generated once.
    let mut interfaces = Vec::new();
    let mut bodies = Vec::new();
    let mut fingerprints = Vec::new();
    for &m in &ids {
        let (mut iface, mut errs) =
            crate::with_stack(|| items::expand_part(program, checked, &shared, m, Part::Interface));
        errors.append(&mut errs);
        iface.extend(fn_slots(&layout, m));
        iface.extend(state_struct(checked, &shared, m));
        iface.extend(method_trampolines(program, checked, &shared, &layout, m));
        let (body, mut errs) = crate::with_stack(|| items::expand_part(program, checked, &shared, m, Part::Bodies));
        errors.append(&mut errs);
        let text = format_file(iface.clone());
        fingerprints.push(interface_fingerprint(checked, &layout, m, &text));
        interfaces.push((iface, text));
        bodies.push(body);
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(errors.join("\n"));
    }
    let body_texts: Vec<String> = bodies.into_iter().map(format_file).collect();

    let mut modules = Vec::new();
    for &m in &ids {
        let mi = m.0 as usize;
        let name = shared.module_names[mi].clone();
        let aether_name = program.module(m).name.clone();
        // A host crate links no module into itself: every one is a library.
        let reloadable = library || (program.module(m).ast.no_hmr.is_none() && !opts.exclude.contains(&aether_name));
        let package = format!("{}_hmr_{}", opts.program, name.to_ascii_lowercase());
        let file = program.sources.get(program.module(m).file).name.clone();
        let included = included(program, m);
        let dir = PathBuf::from("modules").join(&name);
        let mut files = Vec::new();
        for &x in &included {
            let xi = x.0 as usize;
            // The interface is formatted once (its text is also what the
            // fingerprint and the importers' crates use); a reload formats
            // only the bodies again.
            let text =
                if x == m { format!("{}{}", interfaces[xi].1, body_texts[xi]) } else { interfaces[xi].1.clone() };
            files.push((dir.join(format!("src/{}.rs", shared.module_names[xi])), text));
        }
        let lib = module_lib(program, checked, &shared, &layout, m, &included, &fingerprints, reloadable);
        files.push((dir.join("src/lib.rs"), format_file(lib)));
        files.push((dir.join("Cargo.toml"), module_manifest(&package, &opts.rt_path, reloadable)));
        let library = if reloadable {
            opts.lib_dir.join(format!("{}{}{}", std::env::consts::DLL_PREFIX, package, std::env::consts::DLL_SUFFIX))
        } else {
            PathBuf::new()
        };
        modules.push(HmrModule {
            name: aether_name,
            file,
            package,
            library,
            interface: fingerprints[mi],
            reloadable,
            files,
        });
    }
    let mut members: Vec<String> = shared.module_names.iter().map(|n| format!("\"modules/{n}\"")).collect();
    if library {
        let bindings = library_bindings(program, checked, &shared, &layout, &interfaces, &fingerprints, &modules);
        let files = vec![(PathBuf::from("Cargo.toml"), workspace_manifest(&members))];
        let generated = HmrGenerated { modules, host_package: String::new(), host_executable: PathBuf::new(), files };
        return Ok((generated, Some(bindings)));
    }
    let host_package = format!("{}_hmr_host", opts.program);
    let host_executable = opts.lib_dir.join(format!("{host_package}{}", std::env::consts::EXE_SUFFIX));
    let mut files = vec![
        (PathBuf::from("host/src/main.rs"), format_file(host_main(program, &shared, &modules))),
        (PathBuf::from("host/Cargo.toml"), host_manifest(&host_package, &opts.rt_path, &modules, &shared)),
    ];
    members.insert(0, "\"host\"".to_string());
    files.push((PathBuf::from("Cargo.toml"), workspace_manifest(&members)));
    Ok((HmrGenerated { modules, host_package, host_executable, files }, None))
}

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
fn slot_text(ck: &CheckResult, f: FnId) -> String {
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
fn extern_slot_text(program: &Program, ck: &CheckResult, f: FnId) -> String {
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    format!("{}.{} = {}", program.module(info.module).name, slot_text(ck, f), info.host.as_deref().unwrap_or(""))
}

/// What a state's slot is fingerprinted by: its name and structural type.
fn state_text(ck: &CheckResult, g: &crate::check::GlobalInfo) -> String {
    let mut text = format!("{}: ", g.name);
    structural(ck, &g.ty, &mut Vec::new(), &mut text);
    text
}

/// The call table's layout: per module, its functions and methods in
/// `FnId` order. Host and every module crate are generated from the same
/// layout.
struct CallLayout {
    fns: Vec<Vec<FnId>>,
    /// `extern fn`s of every module, in `FnId` order: the `__host` row,
    /// after the modules' rows.
    externs: Vec<FnId>,
    /// The `__host` row's interface fingerprint (0 when it is empty).
    host_fingerprint: u64,
}

impl CallLayout {
    fn of(program: &Program, ck: &CheckResult) -> CallLayout {
        let mut fns = vec![Vec::new(); program.modules.len()];
        let mut externs = Vec::new();
        for (i, info) in ck.fns.iter().enumerate() {
            if info.host.is_some() {
                externs.push(FnId(i as u32));
            } else if let Some(list) = fns.get_mut(info.module.0 as usize) {
                list.push(FnId(i as u32));
            }
        }
        let host_text: Vec<String> = externs.iter().map(|f| extern_slot_text(program, ck, *f)).collect();
        let host_fingerprint = if externs.is_empty() { 0 } else { fnv(&host_text.join("\n")) };
        CallLayout { fns, externs, host_fingerprint }
    }

    fn of_module(&self, m: ModuleId) -> &[FnId] {
        self.fns.get(m.0 as usize).map_or(&[], Vec::as_slice)
    }
}

/// The name of a table entry: `f`, or `Type.f` for a method.
fn entry_name(ck: &CheckResult, f: FnId) -> String {
    let Some(info) = ck.fns.get(f.0 as usize) else { return String::new() };
    match info.receiver {
        Some(t) => format!("{}.{}", ck.types.get(t).name, info.name),
        None => info.name.clone(),
    }
}

/// Module `m` and every module it imports, directly or not, in program order.
fn included(program: &Program, m: ModuleId) -> Vec<ModuleId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![m];
    while let Some(x) = stack.pop() {
        if seen.insert(x.0) {
            stack.extend(program.module(x).imports.iter().flatten().copied());
        }
    }
    seen.into_iter().map(ModuleId).collect()
}

/// Fingerprint of what other modules compile against: the interface file's
/// text and the table entries with their signatures.
fn interface_fingerprint(ck: &CheckResult, layout: &CallLayout, m: ModuleId, text: &str) -> u64 {
    let mut all = String::from(text);
    for f in layout.of_module(m) {
        all.push('\n');
        all.push_str(&slot_text(ck, *f));
    }
    fnv(&all)
}

/// A type written out with the structure of every user type in it, so a
/// state's type fingerprint changes when a field of a type it holds does.
fn structural(ck: &CheckResult, t: &Ty, visiting: &mut Vec<TypeId>, out: &mut String) {
    let fields = |fields: &[crate::ty::FieldDef], out: &mut String, visiting: &mut Vec<TypeId>| {
        for f in fields {
            out.push_str(&f.name);
            out.push_str(": ");
            structural(ck, &f.ty, visiting, out);
            out.push_str(", ");
        }
    };
    let user = |tid: TypeId, out: &mut String, visiting: &mut Vec<TypeId>| {
        let def = ck.types.get(tid);
        out.push_str(&def.name);
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
        Ty::Struct(tid) | Ty::Enum(tid) => user(*tid, out, visiting),
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

/// What `--hmr` refuses, one line each, naming the `.ae` file.
fn unsupported(program: &Program, ck: &CheckResult) -> Vec<String> {
    let mut errors = Vec::new();
    let file_of = |m: ModuleId| program.sources.get(program.module(m).file).name.clone();
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

fn states_of(ck: &CheckResult, m: ModuleId) -> Vec<&crate::check::GlobalInfo> {
    ck.globals.iter().filter(|g| g.module == m && g.is_state).collect()
}

/// `State` of module `m` in its interface: a zero-sized reference per
/// `state` variable, reading the value's address from the table.
fn state_struct(ck: &CheckResult, shared: &Shared, m: ModuleId) -> TokenStream {
    let states = states_of(ck, m);
    if states.is_empty() {
        return quote!();
    }
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let n = states.len();
    let fields = states.iter().map(|g| {
        let name = names::item(&g.name);
        let t = tn.rust_ty(&g.ty);
        quote!(pub #name: ::aether_rt::abi::StateRef<#t>)
    });
    let inits = states.iter().enumerate().map(|(si, g)| {
        let name = names::item(&g.name);
        let si = proc_macro2::Literal::usize_unsuffixed(si);
        quote!(#name: ::aether_rt::abi::StateRef::new(&__STATE_SLOTS[#si]))
    });
    quote! {
        /// This module's `state` as this library reads it; the runtime fills
        /// the slots.
        pub static __STATE_SLOTS: [::aether_rt::abi::Slot; #n] = [const { ::aether_rt::abi::Slot::new() }; #n];

        /// This module's `state` variables: references into runtime memory.
        pub struct State { #(#fields),* }

        impl Default for State {
            fn default() -> State {
                State { #(#inits),* }
            }
        }
    }
}

/// The Rust signature of a function as the static build declares it
/// (without `ctx` and `self`), and how to forward its parameters.
struct RustSig {
    params: Vec<TokenStream>,
    args: Vec<TokenStream>,
    arg_tys: Vec<TokenStream>,
    ret: TokenStream,
    /// `&self` / `&mut self` of a method, or nothing.
    receiver: Option<bool>,
    needs_ctx: bool,
}

fn rust_sig(ck: &CheckResult, shared: &Shared, f: FnId) -> RustSig {
    let mut sig = RustSig {
        params: Vec::new(),
        args: Vec::new(),
        arg_tys: Vec::new(),
        ret: quote!(()),
        receiver: None,
        needs_ctx: shared.needs.fn_needs(f),
    };
    let Some(info) = ck.fns.get(f.0 as usize) else { return sig };
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: info.module };
    sig.receiver = info.receiver.and(info.self_param);
    for p in &info.params {
        let n = names::local(&p.name);
        let t = tn.rust_ty(&p.ty);
        let t = if p.mutable {
            quote!(&mut #t)
        } else if shared.facts.is_copy(&p.ty) {
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

/// The body of a trampoline: look the function up, call its shim.
/// The body of a trampoline: load the function from its slot (`slot`: a
/// path to the library's `Slot` for it), call its shim.
fn trampoline_body(slot: TokenStream, what: &str, self_ty: Option<TokenStream>, sig: &RustSig) -> TokenStream {
    let (args, arg_tys, ret) = (&sig.args, &sig.arg_tys, &sig.ret);
    let (self_ty, self_arg) = match self_ty {
        Some(t) => (vec![t], vec![quote!(self)]),
        None => (Vec::new(), Vec::new()),
    };
    quote! {
        // SAFETY: the runtime stores in this slot only a function whose
        // fingerprint (name and structural signature) is the one this call
        // was generated for: its shim, of exactly this type.
        let f: extern "C" fn(#(#self_ty,)* #(#arg_tys),*) -> ::aether_rt::abi::Guarded<#ret> =
            unsafe { ::std::mem::transmute(::aether_rt::abi::call_slot(&#slot, #what)) };
        ::aether_rt::abi::unwrap_guarded(f(#(#self_arg,)* #(#args),*))
    }
}

/// `__FN_SLOTS[i]`: the slot of function `i` of the module whose interface
/// (or a glob import of it) is in scope.
fn fn_slot(i: usize) -> TokenStream {
    let i = proc_macro2::Literal::usize_unsuffixed(i);
    quote!(__FN_SLOTS[#i])
}

/// `crate::__HOST_SLOTS[k]`: the slot of the Rust host's `extern fn` `k`.
fn host_slot(k: usize) -> TokenStream {
    let k = proc_macro2::Literal::usize_unsuffixed(k);
    quote!(crate::__HOST_SLOTS[#k])
}

/// The slots a module's interface declares: one per function of its row.
fn fn_slots(layout: &CallLayout, m: ModuleId) -> TokenStream {
    let n = layout.of_module(m).len();
    quote! {
        /// This module's functions as this library calls them; the runtime
        /// fills the slots.
        pub static __FN_SLOTS: [::aether_rt::abi::Slot; #n] = [const { ::aether_rt::abi::Slot::new() }; #n];
    }
}

/// Module `m`'s methods as trampolines, in its interface.
fn method_trampolines(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    m: ModuleId,
) -> TokenStream {
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let mut by_type: Vec<(TypeId, Vec<TokenStream>)> = Vec::new();
    for (fi, f) in layout.of_module(m).iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        let Some(tid) = info.receiver else { continue };
        let sig = rust_sig(ck, shared, *f);
        let path = tn.type_path(tid);
        let name = names::method(&info.name);
        let (recv, self_ty) = match sig.receiver {
            Some(true) => (vec![quote!(&mut self)], Some(quote!(&mut #path))),
            Some(false) => (vec![quote!(&self)], Some(quote!(&#path))),
            None => (Vec::new(), None),
        };
        let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
        let params = &sig.params;
        let ret = &sig.ret;
        let what = format!("{}.{}", program.module(m).name, entry_name(ck, *f));
        let body = trampoline_body(fn_slot(fi), &what, self_ty, &sig);
        let item = quote! {
            pub fn #name(#(#recv,)* #(#ctx,)* #(#params),*) -> #ret { #body }
        };
        match by_type.iter_mut().find(|(t, _)| *t == tid) {
            Some((_, list)) => list.push(item),
            None => by_type.push((tid, vec![item])),
        }
    }
    let impls = by_type.into_iter().map(|(tid, fns)| {
        let path = tn.type_path(tid);
        quote!(impl #path { #(#fns)* })
    });
    quote!(#(#impls)*)
}

/// Trampolines of module `x`'s top-level functions and `extern fn`s, for
/// its module in `__hmr_calls` (with `x`'s interface glob-imported there).
fn module_trampolines(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    x: ModuleId,
) -> Vec<TokenStream> {
    let mut fns = Vec::new();
    for (fi, f) in layout.of_module(x).iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        if info.receiver.is_some() {
            continue;
        }
        let fname = names::item(&info.name);
        let sig = rust_sig(ck, shared, *f);
        let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
        let (params, ret) = (&sig.params, &sig.ret);
        let what = format!("{}.{}", program.module(x).name, info.name);
        let body = trampoline_body(fn_slot(fi), &what, None, &sig);
        fns.push(quote!(pub fn #fname(#(#ctx,)* #(#params),*) -> #ret { #body }));
    }
    fns.extend(extern_trampolines(program, ck, shared, layout, x));
    fns
}

/// Trampolines of module `x`'s `extern fn`s: calls into the `__host` row.
fn extern_trampolines(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    x: ModuleId,
) -> Vec<TokenStream> {
    let mut fns = Vec::new();
    for (k, f) in layout.externs.iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize).filter(|i| i.module == x) else { continue };
        let fname = names::item(&info.name);
        let sig = rust_sig(ck, shared, *f);
        let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
        let (params, ret) = (&sig.params, &sig.ret);
        let what = format!("{}.{} (a function of the Rust host)", program.module(x).name, info.name);
        let body = trampoline_body(host_slot(k), &what, None, &sig);
        fns.push(quote!(pub fn #fname(#(#ctx,)* #(#params),*) -> #ret { #body }));
    }
    fns
}

/// The bindings file of a Rust host crate under `--hmr` (see
/// [`generate_library`]): the interfaces of every module (its types and
/// constants, as the Rust API), one binding per `pub fn` that takes the
/// program lock and calls through the table, the `__host` row's shims of the
/// `extern fn`s, and the program's spec for the embedded runtime.
fn library_bindings(
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
        let iface = super::library::reroot(interfaces[mi].0.clone(), &root1);
        mods.push(quote!(pub mod #name { #iface }));
        let tramps = module_trampolines(program, ck, shared, layout, m);
        let tramps = super::library::reroot(quote!(#(#tramps)*), &root2);
        calls.push(quote!(pub mod #name { use super::super::#name::*; #tramps }));
        bindings.push(super::library::hmr_module_bindings(ck, shared, m));
    }
    let ctx_fields = program.module_ids().filter(|m| !states_of(ck, *m).is_empty()).map(|m| {
        let n = names::plain(&shared.module_names[m.0 as usize]);
        quote!(pub #n: #n::State)
    });

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
        let params = super::library::reroot(quote!(#(#params),*), &root1);
        let ret = super::library::reroot(ret.clone(), &root1);
        let args = super::library::extern_args(info, &shared.facts);
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
    let (import_statics, imports) =
        import_entries(program, ck, shared, layout, &all, fingerprints, &quote!(), &quote!());
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
    let init_order = super::init_order(program).into_iter().map(|m| m.0 as usize);
    let ts = quote! {
        /// The generated interfaces, trampolines and runtime glue. Not for
        /// direct use: call the bindings beside this module.
        #[doc(hidden)]
        #[allow(unused, non_snake_case, non_camel_case_types, non_upper_case_globals, unreachable_code, unreachable_patterns, non_shorthand_field_patterns, improper_ctypes_definitions, missing_docs, clippy::all, clippy::pedantic)]
        pub mod __aether {
            #(#mods)*

            /// The `state` of every module: references into runtime memory.
            #[derive(Default)]
            pub struct Ctx { #(#ctx_fields),* }

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
        }

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

/// The imports of a library (or of a Rust host's `__host` row): for each
/// module of `modules`, its interface fingerprint and the library's slots
/// for its functions and states, with the fingerprint each must hold; and
/// the `__host` row's slots when there are `extern fn`s. `root` leads to
/// the modules (`crate::`, or nothing inside the bindings' `__aether`),
/// `host_root` to `__HOST_SLOTS`.
#[allow(clippy::too_many_arguments)]
fn import_entries(
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
                let fp = fnv(&slot_text(ck, *f));
                quote!(#abi::SlotEntry { fingerprint: #fp, slot: &#root #xmod::__FN_SLOTS[#i] })
            })
            .collect();
        let states = states_of(ck, x)
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let fp = fnv(&state_text(ck, g));
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
                let fp = fnv(&extern_slot_text(program, ck, *f));
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
fn migrate_hook(program: &Program, ck: &CheckResult, shared: &Shared, m: ModuleId, state: &str) -> Option<TokenStream> {
    let name = format!("{}{state}", crate::check::MIGRATE_PREFIX);
    let (i, info) = ck.fns.iter().enumerate().find(|(_, f)| {
        f.module == m && f.receiver.is_none() && f.name == name && f.params.len() == 1 && f.host.is_none()
    })?;
    let f = FnId(i as u32);
    if !has_attr(program, ck, f, crate::check::MIGRATE) {
        return None;
    }
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let param = info.params.first()?;
    let old_ty = tn.rust_ty(&param.ty);
    let arg = if shared.facts.is_copy(&param.ty) { quote!(old) } else { quote!(&old) };
    let ctx = if shared.needs.fn_needs(f) { vec![quote!(&mut crate::Ctx::default())] } else { Vec::new() };
    let fname = names::item(&info.name);
    Some(quote!(|old: #old_ty| #fname(#(#ctx,)* #arg)))
}

/// Whether the function's item carries `@name`.
fn has_attr(program: &Program, ck: &CheckResult, f: FnId, name: &str) -> bool {
    let Some(info) = ck.fns.get(f.0 as usize) else { return false };
    program
        .module(info.module)
        .ast
        .items
        .get(info.item)
        .is_some_and(|item| item.attrs.iter().any(|a| a.name.name == name) && matches!(item.kind, ItemKind::Fn(_)))
}

/// `lib.rs` of module `m`'s crate.
#[allow(clippy::too_many_arguments)]
fn module_lib(
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
    let ctx_fields = included.iter().filter(|x| !states_of(ck, **x).is_empty()).map(|x| {
        let n = names::plain(&shared.module_names[x.0 as usize]);
        quote!(pub #n: crate::#n::State)
    });

    // Trampolines of the top-level functions of every included module.
    let mut tramp_mods = Vec::new();
    for &x in included {
        let xi = x.0 as usize;
        let xmod = names::plain(&shared.module_names[xi]);
        let fns = module_trampolines(program, ck, shared, layout, x);
        tramp_mods.push(quote!(pub mod #xmod { use crate::#xmod::*; #(#fns)* }));
    }

    // Shims and table entries of this module's functions.
    let tn = super::types::TypeNames { ck, module_names: &shared.module_names, here: m };
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
        let (self_param, self_arg, callee) = match info.receiver {
            Some(tid) => {
                let path = tn.type_path(tid);
                let body = format_ident!("__body_{}", info.name);
                match sig.receiver {
                    Some(true) => (vec![quote!(self_: &mut #path)], vec![quote!(self_)], quote!(#path::#body)),
                    Some(false) => (vec![quote!(self_: &#path)], vec![quote!(self_)], quote!(#path::#body)),
                    None => (Vec::new(), Vec::new(), quote!(#path::#body)),
                }
            }
            None => {
                let fname = names::item(&info.name);
                (Vec::new(), Vec::new(), quote!(#fname))
            }
        };
        shims.push(quote! {
            pub extern "C" fn #shim(#(#self_param,)* #(#params),*) -> Guarded<#ret> {
                Guarded::call(::std::panic::AssertUnwindSafe(move || {
                    let mut ctx = crate::Ctx::default();
                    let _ = &mut ctx;
                    #callee(#(#self_arg,)* #(#ctx_arg,)* #(#args),*)
                }))
            }
        });
        let entry = entry_name(ck, *f);
        let slot = slot_text(ck, *f);
        entries.push(quote!(FnEntry::new(#entry, #slot, __shims::#shim as *const c_void)));
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
    quote! {
        #![allow(unused, non_snake_case, non_camel_case_types, non_upper_case_globals, unreachable_code, unreachable_patterns, non_shorthand_field_patterns, improper_ctypes_definitions, clippy::all)]
        #![doc = #doc]

        use ::aether_rt::abi::*;
        use ::std::ffi::c_void;

        #(pub mod #mods;)*

        /// The `state` of every module this one compiles against.
        #[derive(Default)]
        pub struct Ctx { #(#ctx_fields),* }

        pub mod __hmr_calls { #(#tramp_mods)* }

        pub mod __shims {
            use ::aether_rt::abi::*;
            use ::std::ffi::c_void;
            use crate::#mod_ident::*;
            /// Once, when the runtime accepted this library.
            pub extern "C" fn __prepare() {
                ::aether_rt::install_panic_hook();
            }
            #(#shims)*
        }

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
        };
        #export
    }
}

/// `main.rs` of the host.
fn host_main(program: &Program, shared: &Shared, modules: &[HmrModule]) -> TokenStream {
    let specs = modules.iter().enumerate().map(|(i, m)| {
        let name = shared.module_names[i].clone();
        let file = &m.file;
        let library = m.library.to_string_lossy().into_owned();
        let linked = if m.reloadable {
            quote!(None)
        } else {
            let krate = format_ident!("{}", m.package);
            quote!(Some(#krate::__aether_descriptor))
        };
        quote! {
            ::aether_rt::hmr::host::ModuleSpec { name: #name, file: #file, library: #library, linked: #linked }
        }
    });
    let entry = program.entry.map_or(0, |e| e.0 as usize);
    let init_order = super::init_order(program).into_iter().map(|m| m.0 as usize);
    quote! {
        //! Generated by `cargo aether run --hmr`: the host that loads the module libraries. Do not edit.

        static MODULES: &[::aether_rt::hmr::host::ModuleSpec] = &[#(#specs),*];
        static PROGRAM: ::aether_rt::hmr::host::ProgramSpec = ::aether_rt::hmr::host::ProgramSpec {
            modules: MODULES,
            entry_module: #entry,
            init_order: &[#(#init_order),*],
        };

        fn main() {
            ::aether_rt::install_panic_hook();
            ::std::process::exit(::aether_rt::hmr::host::run(&PROGRAM));
        }
    }
}

fn rt_dep(rt: &Path, hmr: bool) -> String {
    let rt = rt.to_string_lossy().replace('\\', "/");
    if hmr {
        format!("aether-rt = {{ path = \"{rt}\", features = [\"hmr\"] }}")
    } else {
        format!("aether-rt = {{ path = \"{rt}\" }}")
    }
}

fn module_manifest(package: &str, rt: &Path, reloadable: bool) -> String {
    let kind = if reloadable { "cdylib" } else { "rlib" };
    format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"{kind}\"]\npath = \"src/lib.rs\"\n\n[dependencies]\n{}\n",
        rt_dep(rt, false)
    )
}

fn host_manifest(package: &str, rt: &Path, modules: &[HmrModule], shared: &Shared) -> String {
    let mut deps = rt_dep(rt, true);
    for (i, m) in modules.iter().enumerate().filter(|(_, m)| !m.reloadable) {
        deps.push_str(&format!("\n{} = {{ path = \"../modules/{}\" }}", m.package, shared.module_names[i]));
    }
    format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [[bin]]\nname = \"{package}\"\npath = \"src/main.rs\"\n\n[dependencies]\n{deps}\n"
    )
}

/// The workspace: every module crate and the host share one target
/// directory and one lock file. `panic = "unwind"` is what the shims' panic
/// guard relies on; `--release` builds the same crates optimized.
fn workspace_manifest(members: &[String]) -> String {
    format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n\
         [profile.dev]\ndebug = 0\npanic = \"unwind\"\n\n[profile.release]\npanic = \"unwind\"\n",
        members.join(", ")
    )
}

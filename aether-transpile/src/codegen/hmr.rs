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
//! This file is the orchestration (what is generated for which crate, what
//! `--hmr` refuses, the call table's layout); the parts it assembles are in
//! `hmr/`: `fingerprints.rs` (the canonical text every fingerprint is
//! taken of), `trampoline.rs` (calls through the table, `State`),
//! `descriptor.rs` (a module crate's `lib.rs`: shims and descriptor),
//! `rust_host.rs` (the bindings file of a Rust host crate) and `crates.rs`
//! (manifests and the host's `main.rs`).
//!
//! [`StateRef`]: https://docs.rs/aether-rt (aether_rt::abi::StateRef)

mod crates;
mod descriptor;
mod direct;
mod fingerprints;
mod fn_values;
mod generics;
pub(crate) mod loop_state;
mod rust_host;
mod trampoline;
mod tunables;

use super::items::{self, Part};
use super::{format_file, Shared};
use crate::check::{CheckResult, FnId, ItemRef};
use crate::diagnostic::{Code, Diagnostic};
use crate::project::Program;
use crate::ty::{ModuleId, Ty};
use aether_rt::abi::fingerprint;
use crates::{host_main, host_manifest, module_manifest, workspace_manifest};
use descriptor::{body_table, import_entries, module_lib};
pub use fingerprints::signature;
use fingerprints::{body_text, entry_name, extern_slot_text, interface_fingerprint, slot_text, state_text};
use rust_host::library_bindings;
use std::collections::BTreeSet;
use std::path::PathBuf;
use trampoline::{fn_slots, host_trampolines, method_trampolines, module_trampolines, rust_sig, state_struct};

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
    /// False for a module linked into the host (`@no_hmr`, `hmr-exclude`
    /// in a program): it is built as an `rlib`, not a library to load.
    pub reloadable: bool,
    /// `@no_hmr` or `hmr-exclude`: a change to it needs a restart. In a Rust
    /// host crate such a module is still a library the host loads at start
    /// (the crate links no module into itself), but it is never swapped.
    pub excluded: bool,
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
    /// The constants read from the host (`tunables.rs`) and their values:
    /// the supervisor gives them to the host at start and after a save.
    pub tunables: Vec<Tunable>,
}

/// Generate the HMR workspace for a checked program, or say (one E0700
/// diagnostic per problem) what `--hmr` cannot run.
pub fn generate(program: &Program, checked: &CheckResult, opts: &HmrOptions) -> Result<HmrGenerated, Vec<Diagnostic>> {
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
) -> Result<(HmrGenerated, String), Vec<Diagnostic>> {
    let (generated, bindings) = generate_with(program, checked, opts, true)?;
    Ok((generated, bindings.unwrap_or_default()))
}

pub use aether_rt::abi::HOST_ROW;
pub use tunables::Tunable;

pub(crate) fn tunable_accessor(name: &str, key: &str, ty: &Ty) -> proc_macro2::TokenStream {
    tunables::accessor(name, key, ty)
}

fn generate_with(
    program: &Program,
    checked: &CheckResult,
    opts: &HmrOptions,
    library: bool,
) -> Result<(HmrGenerated, Option<String>), Vec<Diagnostic>> {
    let mut shared = Shared::new(program, checked);
    shared.hmr = true;
    let reloadable = |m: ModuleId| {
        library || (program.module(m).ast.no_hmr.is_none() && !opts.exclude.contains(&program.module(m).name))
    };
    // A Rust host's bindings keep real constants (the host compiles
    // against them); a program reads its tunables from the host.
    let tunables = if library { Vec::new() } else { tunables::of_program(program, checked, reloadable) };
    shared.consts_as_fns = !library;
    shared.tunables = tunables.iter().map(|(gi, t)| (*gi, t.key.clone())).collect();
    // State that changes type is carried over through `aether_rt::dynval`.
    shared.dyn_impls = true;
    let mut errors = if library { Vec::new() } else { unsupported(program, checked) };
    let layout = CallLayout::of(program, checked);
    let importers = layout.importer_view(checked);
    let ids: Vec<ModuleId> = program.module_ids().collect();

    // Every module's interface (as its own crate and as its importers
    // compile it) and bodies, generated once.
    let mut interfaces = Vec::new();
    let mut imported = Vec::new();
    let mut bodies = Vec::new();
    let mut fingerprints = Vec::new();
    for &m in &ids {
        let (iface, mut errs) = interface_of(program, checked, &shared, &layout, m);
        errors.append(&mut errs);
        let (body, mut errs) =
            crate::with_stack(|| items::expand_part_items(program, checked, &shared, m, Part::Bodies));
        errors.append(&mut errs);
        let text = format_file(iface.clone());
        let seen_by_importers = if importers.of_module(m).len() == layout.of_module(m).len() {
            text.clone()
        } else {
            format_file(interface_of(program, checked, &shared, &importers, m).0)
        };
        fingerprints.push(interface_fingerprint(checked, &importers, m, &seen_by_importers));
        interfaces.push((iface, text));
        imported.push(seen_by_importers);
        bodies.push(body);
    }
    if !errors.is_empty() {
        // A program's refusals here are `--hmr`'s own: `check` (and so the
        // static build) reported the rest already.
        let help = "`cargo aether run` without --hmr runs it as a static build";
        let errors = errors.into_iter().map(|d| if library { d } else { d.with_help(help) });
        return Err(super::in_reading_order(errors.collect()));
    }
    // Item by item: a body edit formats the one function it changed.
    let body_texts: Vec<String> =
        bodies.into_iter().map(|items| items.into_iter().map(format_file).collect()).collect();
    // Each generic function's instances, generated once; each crate
    // compiles those it uses into its copy of their module's file.
    let mut instance_code = Vec::new();
    for inst in &checked.instances {
        let (ts, mut errs) = crate::with_stack(|| items::instance_fn(program, checked, &shared, inst));
        errors.append(&mut errs);
        instance_code.push(ts);
    }
    if !errors.is_empty() {
        return Err(super::in_reading_order(errors));
    }

    let mut modules = Vec::new();
    for &m in &ids {
        let mi = m.0 as usize;
        let name = shared.module_names[mi].clone();
        let aether_name = program.module(m).name.clone();
        let excluded = program.module(m).ast.no_hmr.is_some() || opts.exclude.contains(&aether_name);
        // A host crate links no module into itself: every one is a library.
        let reloadable = reloadable(m);
        let package = format!("{}_hmr_{}", opts.program, name.to_ascii_lowercase());
        let file = program.sources.get(program.module(m).file).name.clone();
        let included = included(program, m);
        let dir = PathBuf::from("modules").join(&name);
        let mut files = Vec::new();
        let used = generics::used_by(checked, m);
        let crate_layout = layout.seen_from(&importers, m);
        for &x in &included {
            let xi = x.0 as usize;
            // The interface is formatted once (its text is also what the
            // fingerprint and the importers' crates use); a reload formats
            // only the bodies again, and their fingerprints.
            let mut text = if x == m {
                let table = format_file(body_table(program, checked, &shared, &crate_layout, m, &included));
                format!("{}{}{table}", interfaces[xi].1, body_texts[xi])
            } else {
                imported[xi].clone()
            };
            let instances: Vec<proc_macro2::TokenStream> = used
                .iter()
                .filter(|i| checked.instances[**i].info.module == x)
                .map(|i| instance_code[*i].clone())
                .collect();
            if !instances.is_empty() {
                text.push_str(&format_file(quote::quote!(#(#instances)*)));
            }
            files.push((dir.join(format!("src/{}.rs", shared.module_names[xi])), text));
        }
        let lib = module_lib(program, checked, &shared, &crate_layout, m, &included, &fingerprints, reloadable);
        files.push((dir.join("src/lib.rs"), format_file(lib)));
        files.push((dir.join("Cargo.toml"), module_manifest(&package, &opts.rt_path, program, reloadable)));
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
            excluded,
            files,
        });
    }
    let mut members: Vec<String> = shared.module_names.iter().map(|n| format!("\"modules/{n}\"")).collect();
    if library {
        let bindings = library_bindings(program, checked, &shared, &layout, &fingerprints, &modules);
        let files = vec![(PathBuf::from("Cargo.toml"), workspace_manifest(&members))];
        let generated = HmrGenerated {
            modules,
            host_package: String::new(),
            host_executable: PathBuf::new(),
            files,
            tunables: Vec::new(),
        };
        return Ok((generated, Some(bindings)));
    }
    let host_package = format!("{}_hmr_host", opts.program);
    let host_row = (!layout.externs.is_empty())
        .then(|| rust_host::host_row(program, checked, &shared, &layout, &fingerprints, false));
    let host_executable = opts.lib_dir.join(format!("{host_package}{}", std::env::consts::EXE_SUFFIX));
    let mut files = vec![
        (PathBuf::from("host/src/main.rs"), format_file(host_main(program, &shared, &modules, host_row))),
        (PathBuf::from("host/Cargo.toml"), host_manifest(&host_package, &opts.rt_path, program, &modules, &shared)),
    ];
    members.insert(0, "\"host\"".to_string());
    files.push((PathBuf::from("Cargo.toml"), workspace_manifest(&members)));
    let tunables = tunables.into_iter().map(|(_, t)| t).collect();
    Ok((HmrGenerated { modules, host_package, host_executable, files, tunables }, None))
}

/// Module `m`'s interface as a crate compiles against it: its types and
/// constants, the slots and trampolines of the functions `layout` lists,
/// its `state`, and its generic functions' stamp.
fn interface_of(
    program: &Program,
    checked: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    m: ModuleId,
) -> (proc_macro2::TokenStream, Vec<Diagnostic>) {
    let (mut iface, errors) = crate::with_stack(|| items::expand_part(program, checked, shared, m, Part::Interface));
    iface.extend(fn_slots(layout, m));
    iface.extend(state_struct(checked, shared, m));
    iface.extend(method_trampolines(program, checked, shared, layout, m));
    iface.extend(generics::stamp(program, checked, m));
    (iface, errors)
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
        let fns = program.module_ids().map(|m| row(ck, m)).collect();
        let externs: Vec<FnId> = (0..ck.fns.len())
            .filter(|&i| ck.fns[i].host.is_some() && !ck.fns[i].is_generic())
            .map(|i| FnId(i as u32))
            .collect();
        let host_text: Vec<String> = externs.iter().map(|f| extern_slot_text(program, ck, *f)).collect();
        let host_fingerprint = if externs.is_empty() { 0 } else { fingerprint(&host_text.join("\n")) };
        CallLayout { fns, externs, host_fingerprint }
    }

    /// What the crates importing a module compile of it: the public part of
    /// its row (a prefix, see [`row`]), so a private function added,
    /// removed or changed leaves their files and the module's interface
    /// fingerprint as they were. A module with a generic function gives its
    /// whole row: an instance compiled into an importer may call any of its
    /// functions.
    fn importer_view(&self, ck: &CheckResult) -> CallLayout {
        let fns = self
            .fns
            .iter()
            .enumerate()
            .map(|(m, fns)| {
                let generic = ck.fns.iter().any(|i| i.module.0 as usize == m && i.is_generic());
                let public = fns.iter().take_while(|f| is_public(ck, **f)).count();
                fns[..if generic { fns.len() } else { public }].to_vec()
            })
            .collect();
        CallLayout { fns, externs: self.externs.clone(), host_fingerprint: self.host_fingerprint }
    }

    /// The layout as the crate of module `m` compiles it: its own row
    /// whole, every other module's as its importers see it.
    fn seen_from(&self, importers: &CallLayout, m: ModuleId) -> CallLayout {
        let fns = self
            .fns
            .iter()
            .zip(&importers.fns)
            .enumerate()
            .map(|(x, (all, public))| if x == m.0 as usize { all.clone() } else { public.clone() })
            .collect();
        CallLayout { fns, externs: self.externs.clone(), host_fingerprint: self.host_fingerprint }
    }

    /// What a Rust host crate calls of each module: its `pub` functions and
    /// every method (of the types it re-exports), not the private functions,
    /// so adding or changing one leaves the host's bindings as they were
    /// (the host imports slot by slot, matched by fingerprint).
    fn host_view(&self, ck: &CheckResult) -> CallLayout {
        CallLayout {
            fns: self.fns.iter().map(|fns| fns.iter().filter(|f| is_public(ck, **f)).copied().collect()).collect(),
            externs: self.externs.clone(),
            host_fingerprint: self.host_fingerprint,
        }
    }

    fn of_module(&self, m: ModuleId) -> &[FnId] {
        self.fns.get(m.0 as usize).map_or(&[], Vec::as_slice)
    }
}

/// Module `m`'s row of the call table: its functions and methods (not the
/// generic ones, whose instances are compiled into their users, nor the
/// `extern fn`s), the public ones (`pub fn`s and every method) first, each
/// part in `FnId` order. The public part is what importers compile against
/// ([`CallLayout::importer_view`]); private functions come after it so that
/// adding or removing one moves no importer's slot.
pub(crate) fn row(ck: &CheckResult, m: ModuleId) -> Vec<FnId> {
    let of_module = |public: bool| {
        (0..ck.fns.len()).map(|i| FnId(i as u32)).filter(move |f| {
            let info = &ck.fns[f.0 as usize];
            info.module == m && info.host.is_none() && !info.is_generic() && is_public(ck, *f) == public
        })
    };
    of_module(true).chain(of_module(false)).collect()
}

/// A `pub fn` or a method (callable on a value of its type anywhere).
fn is_public(ck: &CheckResult, f: FnId) -> bool {
    ck.fns.get(f.0 as usize).is_some_and(|i| i.is_pub || i.receiver.is_some())
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

/// What `--hmr` refuses beyond the static build (E0700 each).
fn unsupported(program: &Program, ck: &CheckResult) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    match program.entry.and_then(|e| entry_main(ck, e)) {
        Some(f) => {
            // The host runs `fn main()` and `fn main() -> ()!` (the
            // checker allows no other `main`), by their signatures'
            // fingerprints (`aether_rt::abi::FALLIBLE_MAIN_SIGNATURE`).
            let runnable = ck.fns.get(f.0 as usize).is_some_and(|info| {
                info.params.is_empty()
                    && (info.ret == Ty::Unit || slot_text(ck, f) == aether_rt::abi::FALLIBLE_MAIN_SIGNATURE)
            });
            if let (false, Some(info)) = (runnable, ck.fns.get(f.0 as usize)) {
                errors.push(super::refusal(
                    info.span,
                    "under --hmr `main` must be `fn main()` or `fn main() -> ()!` (not yet supported under --hmr)",
                ));
            }
        }
        None => errors.push(Diagnostic::new(Code::E0700, "the program has no `fn main()`")),
    }
    errors
}

/// The check a loop of generated `--hmr` code makes on each iteration (a
/// safe point, see `aether_rt::abi::back_edge`); nothing in a static build.
/// In function `f` it also leaves the loop when a reload replaced `f`'s
/// code; in code that belongs to no function (a state initializer) it only
/// lets a pending reload in. `sync` (`ctx.__sync();`, or nothing in code
/// without `ctx`) follows when a swap may have happened there.
pub(crate) fn back_edge(
    shared: &Shared,
    ck: &CheckResult,
    f: Option<FnId>,
    sync: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    if !shared.hmr {
        return quote::quote!();
    }
    let index = f.and_then(|f| row(ck, ck.fns.get(f.0 as usize)?.module).iter().position(|g| *g == f));
    match index {
        Some(fi) => {
            let shim = quote::format_ident!("__shim_{}", fi);
            let fi = proc_macro2::Literal::usize_unsuffixed(fi);
            // Only the slow path of the check can let a swap in.
            quote::quote!(if ::aether_rt::abi::back_edge(
                &crate::__STALE[#fi],
                crate::__shims::#shim as *const ::std::ffi::c_void
            ) {
                #sync
            })
        }
        None => quote::quote!(::aether_rt::abi::safe_point(); #sync),
    }
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

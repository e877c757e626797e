//! Rust code generation for the static build: every `.ae` module becomes a
//! Rust module of one generated crate, which builds one binary.
//!
//! # Design
//!
//! - One `expand_*`-style function per construct produces a
//!   `proc_macro2::TokenStream` with `quote!`; each module file is parsed back
//!   with `syn` and formatted with `prettyplease`. A parse failure is a bug in
//!   this generator: tests panic on it, users get the unformatted text.
//! - Types: see [`types`] (`int`→`i64`, `str`→`String`, `[T]`→`Vec<T>`,
//!   `{K: V}`→`aether_rt::Map` (insertion order), `T?`→`Option`, `T!`→
//!   `Result<T, aether_rt::Error>`, `fn(A) -> B`→`Rc<dyn Fn(&mut Ctx, A) -> B>`).
//!   User structs and enums derive `Clone` and, where their fields allow,
//!   `Debug`, `PartialEq`, `Copy`, `Eq` and `Hash`. Enum variants are
//!   struct-like (`Shape::Circle { r }`). Every user type implements
//!   `aether_rt::Show`: `Ball { x: 1.0, y: 2.0 }`, `Circle(1.0)`, `Empty`.
//!   Recursive fields are boxed (`Tree?` → `Option<Box<Tree>>`), boxed at
//!   construction, unboxed at reads (`as_deref().cloned()`) and matched
//!   through `as_deref()`.
//! - Names: see [`names`] (keywords become raw identifiers, `net.http` →
//!   `net__http`).
//! - Value semantics: read-only parameters of `Copy` types (`int`, `float`,
//!   `bool`, `()`, tuples/optionals of those, user types of only those) are
//!   passed by value, others as `&T`; `mut` parameters as `&mut T` (call
//!   site `&mut place`). A place used as a value is cloned unless `Copy`; in
//!   a borrow context (read-only argument, receiver, comparison operand,
//!   printing, indexing base) it is borrowed. `for x in list` binds `&T`
//!   (`.iter()`), `for mut x` binds `&mut T` (`.iter_mut()`); a fresh list is
//!   consumed and binds values. Match and `if let` bindings are references
//!   when the scrutinee is a place matched by reference. A local returned
//!   by a function (its tail, `return x`) is moved. NOTE: moving a value at
//!   its other last uses (`xs.push(row)` at the end of a loop body) instead
//!   of cloning it is a later optimisation.
//! - A loop over a list that the body changes, or over state while the
//!   body needs `ctx`, iterates a copy (`for mut`: a copy written back).
//! - State: every `state` of the program lives in `crate::Ctx` (one field
//!   per module, of type `<module>::State`). A function takes
//!   `ctx: &mut Ctx` first iff it (transitively) reads or writes state or
//!   calls a function value ([`analysis::CtxNeeds`]). Where an argument
//!   borrows state while the call needs `ctx`, the argument is copied into a
//!   temporary first and, for `mut` arguments and `mut self` receivers,
//!   written back afterwards (copy-in/copy-out: value semantics made
//!   explicit). Initializers run once, in module dependency order, in
//!   `Ctx::new()`; until then each state holds a placeholder value.
//! - `const`: `int`/`float`/`bool` constants are Rust `const`s; others are
//!   functions `fn NAME() -> T` evaluated at each use (they are literals, so
//!   this is a plain construction).
//! - Closures capture by value: each captured local is cloned into a `move`
//!   closure, `Rc::new(move |ctx: &mut Ctx, a: A| -> B { ... })`. Named
//!   functions, variant constructors and builtins used as values are wrapped
//!   the same way. A closure literal given directly to `map`, `filter` or
//!   `sort_by` (and not mentioning the list itself) is generated as a plain
//!   Rust closure over element references instead: no `Rc`, no clone of the
//!   elements, and no `ctx` unless its body needs it.
//! - Patterns: struct-like variant patterns (`Shape::Circle { r: x }`);
//!   a `str` scrutinee with literal arms is matched as `&str`; string
//!   literals nested in tuples or variants become guard conditions; a
//!   nested `|` holding string literals and a nested pattern on a boxed
//!   recursive field are tested in the guard and destructured again in the
//!   arm ([`pattern`]'s `deferred`).
//! - Runtime errors (index, key, integer arithmetic, slices, `assert`,
//!   `panic`, list `insert`/`remove`) pass `__loc(line, col)`, an
//!   `aether_rt::Location` naming the `.ae` file. Int `+ - * / %` and
//!   negation (outside `const`s) are `aether_rt::ops` calls: overflow is a
//!   runtime error at its location in debug builds and wraps in release
//!   builds, where the calls are the bare wrapping instructions.
//! - `main.rs` declares the modules and `Ctx`, installs a panic hook that
//!   prints `error: <message>` (the message names the `.ae` location) and
//!   keeps Rust's exit code 101 for runtime errors, and the stack overflow
//!   handler with the table of the program's functions ([`frame_table`]), builds `Ctx` and calls the
//!   entry module's `main`; an `Err` from `fn main() -> ()!` prints
//!   `error: <message>` and exits with 1.
//! - Refusals: a construct the generator cannot generate yet is an E0700
//!   diagnostic at its span (`Gen::unsupported`), never Rust known to be
//!   wrong. [`refusals`] runs the same pass for `check`, so `check` and
//!   `build` agree; `expand` shows each as a comment and `unreachable!()`.
//! - `test "name" {}` becomes a `#[cfg(test)] #[test]` function with its own
//!   `Ctx`. `@on_reload`/`@before_reload` hooks are generated but never
//!   called in a static build.

pub(crate) mod analysis;
pub(crate) mod body;
pub(crate) mod call;
pub mod dynval;
pub(crate) mod expr;
pub mod hmr;
mod included;
pub(crate) mod items;
pub mod library;
pub(crate) mod names;
pub(crate) mod pattern;
pub(crate) mod stmt;
pub(crate) mod types;

use crate::check::CheckResult;
use crate::diagnostic::{Code, Diagnostic};
use crate::project::Program;
use crate::source::Span;
use crate::ty::ModuleId;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;

pub use included::generate_included;

pub struct CodegenOptions {
    /// The package and binary name of the generated crate.
    pub crate_name: String,
    /// Absolute path of the `aether-rt` crate.
    pub rt_path: PathBuf,
}

/// The files of the generated crate.
pub struct Generated {
    /// Paths relative to the generated crate root: first one
    /// `src/<module>.rs` per module, in [`ModuleId`] order, then
    /// `src/main.rs`, then `Cargo.toml`.
    pub files: Vec<(PathBuf, String)>,
}

/// Generate the crate for a checked program (one without errors). Fails with
/// one diagnostic (E0700, see [`refusals`]) per construct the generator does
/// not support yet; it never produces Rust it knows to be invalid.
pub fn generate(program: &Program, checked: &CheckResult, opts: &CodegenOptions) -> Result<Generated, Vec<Diagnostic>> {
    let shared = Shared::new(program, checked);
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for m in program.module_ids() {
        let (mut ts, mut errs) = crate::with_stack(|| items::expand(program, checked, &shared, m));
        errors.append(&mut errs);
        ts.extend(library::crate_externs(program, checked, &shared, m, &mut errors));
        let name = &shared.module_names[m.0 as usize];
        files.push((PathBuf::from(format!("src/{name}.rs")), format_file(ts)));
    }
    files.push((PathBuf::from("src/main.rs"), format_file(main_rs(program, checked, &shared))));
    files.push((PathBuf::from("Cargo.toml"), cargo_toml(opts, program)));
    if !errors.is_empty() {
        return Err(in_reading_order(errors));
    }
    Ok(Generated { files })
}

/// What the generator refuses in a checked program (one without errors):
/// the constructs the static build cannot generate yet, one E0700
/// diagnostic each, in reading order. `check` reports them with the
/// checker's diagnostics (`driver`), so `check` and `build` agree about a
/// program. The same bodies are generated for every shape (`--hmr`, a
/// Rust host crate), which refuse a few things more at generation (see
/// `hmr::generate` and `library::generate`).
pub fn refusals(program: &Program, checked: &CheckResult) -> Vec<Diagnostic> {
    let shared = Shared::new(program, checked);
    let mut errors = Vec::new();
    for m in program.module_ids() {
        errors.extend(crate::with_stack(|| items::expand(program, checked, &shared, m)).1);
    }
    in_reading_order(errors)
}

/// A refusal of the generator: E0700 at `span` (the construct it cannot
/// generate) with `message`.
pub(crate) fn refusal(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at(Code::E0700, span, message)
}

/// Refusals sorted into reading order, each once (a construct can be met
/// twice, e.g. in a module's interface and in its importers').
pub(crate) fn in_reading_order(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let s = d.span().unwrap_or_default();
            (s.file, s.start)
        };
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
    errors.dedup();
    errors
}

/// The formatted Rust of one module, for `cargo aether expand`. Constructs
/// the generator does not support appear as `unreachable!()` with a comment.
pub fn expand_module(program: &Program, checked: &CheckResult, module: ModuleId) -> String {
    if module.0 as usize >= program.modules.len() {
        return String::new();
    }
    let shared = Shared::new(program, checked);
    let (ts, errors) = crate::with_stack(|| items::expand(program, checked, &shared, module));
    let mut out = String::new();
    for e in in_reading_order(errors) {
        let at = e.location(&program.sources).map(|(f, l, c)| format!("{f}:{l}:{c}: ")).unwrap_or_default();
        out.push_str(&format!("// {at}{}\n", e.message));
    }
    out.push_str(&format_file(ts));
    out
}

/// Whole-program facts every module's generation reads.
pub(crate) struct Shared {
    pub module_names: Vec<String>,
    pub facts: types::TypeFacts,
    pub needs: analysis::CtxNeeds,
    /// Generating for `--hmr`: calls to top-level functions go through the
    /// runtime's call table (see [`hmr`]).
    pub hmr: bool,
    /// Every user type implements `aether_rt::dynval::Dyn`, so `--hmr` can
    /// migrate state into changed types (see [`dynval`]).
    pub dyn_impls: bool,
    /// Constants are functions, not Rust `const`s (an `--hmr` program:
    /// `hmr/tunables.rs`), and these globals (by index) read the host's
    /// cell of their key.
    pub consts_as_fns: bool,
    pub tunables: std::collections::HashMap<usize, String>,
}

impl Shared {
    pub(crate) fn new(program: &Program, ck: &CheckResult) -> Shared {
        Shared {
            module_names: names::modules(program.modules.iter().map(|m| m.name.as_str())),
            facts: types::TypeFacts::compute(ck),
            needs: analysis::CtxNeeds::compute(program, ck),
            hmr: false,
            dyn_impls: false,
            consts_as_fns: false,
            tunables: Default::default(),
        }
    }
}

/// The lints generated code allows, written once for every shape (static
/// program, module library, Rust-host library): names follow Aether's
/// conventions rather than Rust's, every item is emitted whether or not the
/// program uses it, and the `repr(C)` glue passes Rust types through
/// `extern "C"` on purpose (both sides are Rust, of one compiler).
/// `arithmetic_overflow` and `unconditional_panic` are deny-by-default
/// lints that turn an overflow or a failing operation rustc can foresee
/// into a compile error: Aether defines them as runtime errors (integer
/// arithmetic goes through `aether_rt::ops`, so they should not fire; the
/// allow keeps a program the checker accepted from ever failing on them).
/// An `if let` whose pattern always matches (`if let (a, b) = pair`) is
/// valid Aether and is generated as it is written: `irrefutable_let_patterns`.
/// The style lints on what the program wrote (`while true`, a function that
/// always recurses, overlapping range patterns, ...) would point into
/// generated Rust the user never sees: Aether's checker is the place for
/// such advice, not rustc's output.
fn allowed_lints() -> TokenStream {
    quote!(
        unused,
        while_true,
        unconditional_recursion,
        overlapping_range_endpoints,
        redundant_semicolons,
        noop_method_call,
        for_loops_over_fallibles,
        irrefutable_let_patterns,
        arithmetic_overflow,
        unconditional_panic,
        non_snake_case,
        non_camel_case_types,
        non_upper_case_globals,
        unreachable_code,
        unreachable_patterns,
        non_shorthand_field_patterns,
        improper_ctypes_definitions,
        missing_docs,
        clippy::all,
        clippy::pedantic
    )
}

/// `#![allow(...)]` of [`allowed_lints`], for the top of a generated crate.
pub(crate) fn allow_lints_in_crate() -> TokenStream {
    let lints = allowed_lints();
    quote!(#![allow(#lints)])
}

/// `#[allow(...)]` of [`allowed_lints`], for a generated module inside a
/// user's crate.
pub(crate) fn allow_lints_on_item() -> TokenStream {
    let lints = allowed_lints();
    quote!(#[allow(#lints)])
}

/// `pub mod __aether { items }`: the generated code a host crate includes,
/// hidden from its docs and exempt from the lints generated code may trip.
/// `doc` is its doc comment, a line each.
pub(crate) fn glue_module(doc: &[&str], items: TokenStream) -> TokenStream {
    let allow_lints = allow_lints_on_item();
    quote! {
        #(#[doc = #doc])*
        #[doc(hidden)]
        #allow_lints
        pub mod __aether { #items }
    }
}

/// Format with prettyplease; unparsable tokens (a generator bug) are
/// returned unformatted outside tests.
///
/// `syn` and `prettyplease` recurse once per nesting level of the code (a
/// chain `0 + 0 + ... + 1` of thousands of terms is thousands deep), so they
/// run on a stack of their own, reserved (not committed) up front.
///
/// Formatting is most of a regeneration's time, and a save under `--hmr`
/// regenerates the whole program to change one module: the text of tokens
/// already formatted in this process is reused (keyed by the tokens' own
/// text, which is cheap to print and exact).
pub(crate) fn format_file(ts: TokenStream) -> String {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static FORMATTED: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    /// A session regenerates a few files per module; more than this means
    /// another program (tests): start afresh rather than grow.
    const KEEP: usize = 4096;
    let cache = FORMATTED.get_or_init(Default::default);
    let key = ts.to_string();
    if let Some(text) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return text.clone();
    }
    let text = stacker::grow(256 * 1024 * 1024, move || format_tokens(ts));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= KEEP {
        cache.clear();
    }
    cache.insert(key, text.clone());
    text
}

fn format_tokens(ts: TokenStream) -> String {
    match syn::parse2::<syn::File>(ts.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => {
            if cfg!(test) {
                panic!("generated Rust does not parse: {e}\n{ts}");
            }
            format!("// generated Rust did not parse ({e}); this is a bug in aether's code generator\n{ts}\n")
        }
    }
}

/// Modules in dependency order: imports before importers.
pub(crate) fn init_order(program: &Program) -> Vec<ModuleId> {
    fn visit(program: &Program, m: ModuleId, seen: &mut Vec<bool>, out: &mut Vec<ModuleId>) {
        if seen[m.0 as usize] {
            return;
        }
        seen[m.0 as usize] = true;
        for dep in program.module(m).imports.iter().flatten() {
            visit(program, *dep, seen, out);
        }
        out.push(m);
    }
    let mut seen = vec![false; program.modules.len()];
    let mut out = Vec::new();
    if let Some(e) = program.entry {
        visit(program, e, &mut seen, &mut out);
    }
    for m in program.module_ids() {
        visit(program, m, &mut seen, &mut out);
    }
    out
}

/// The static build's `Ctx` (all module state: one field per module with
/// state) and `Ctx::new()`, which runs the initializers in module
/// dependency order. Shared by a program's `main.rs` and a host crate's
/// library.
pub(crate) fn ctx_struct(program: &Program, ck: &CheckResult, shared: &Shared) -> TokenStream {
    let with_state: Vec<ModuleId> =
        init_order(program).into_iter().filter(|m| ck.globals.iter().any(|g| g.module == *m && g.is_state)).collect();
    let names: Vec<proc_macro2::Ident> =
        with_state.iter().map(|m| names::plain(&shared.module_names[m.0 as usize])).collect();
    quote! {
        /// All module state of the program.
        pub struct Ctx { #(pub #names: #names::State),* }

        impl Ctx {
            /// The state with every initializer run, in module dependency order.
            pub fn new() -> Ctx {
                let mut ctx = Ctx { #(#names: #names::State::__zero()),* };
                #(#names::__init(&mut ctx);)*
                ctx
            }
        }
    }
}

/// The program's functions for `aether_rt::catch_stack_overflow`: each
/// one's Rust path below its crate root with its `.ae` name and location, so
/// a stack overflow names the `.ae` function that recursed too deeply.
/// Strings only (no function addresses), so it changes nothing in how the
/// functions themselves are optimized. Shared by the static `main` and the
/// `--hmr` host (where a method's body is `__body_<name>`).
pub(crate) fn frame_table(program: &Program, ck: &CheckResult, shared: &Shared) -> TokenStream {
    let frames = frames(program, ck, shared, None)
        .into_iter()
        .map(|(path, name, at)| quote!(::aether_rt::Frame { path: #path, name: #name, at: #at }));
    quote!(&[#(#frames),*])
}

/// The generated functions (of module `only`, or of every module) as a
/// stack overflow names them: Rust path below the crate root, what the
/// user wrote, and where (`aether_rt::Frame`).
pub(crate) fn frames(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    only: Option<ModuleId>,
) -> Vec<(String, String, String)> {
    ck.fns
        .iter()
        .filter(|f| f.host.is_none() && only.is_none_or(|m| f.module == m))
        .filter_map(|f| {
            let module = program.modules.get(f.module.0 as usize)?;
            let item = module.ast.items.get(f.item)?;
            let rust_module = &shared.module_names[f.module.0 as usize];
            let (path, name) = match f.receiver {
                Some(tid) => {
                    let ty = &ck.types.get(tid).name;
                    let method =
                        if shared.hmr { format!("__body_{}", f.name) } else { names::method(&f.name).to_string() };
                    (format!("{rust_module}::{}::{method}", names::item(ty)), format!("fn {ty}.{}", f.name))
                }
                // Under --hmr a function's body is in a module of its own
                // (`items::own_unit`), which its symbol's path names.
                None if shared.hmr => (
                    format!("{rust_module}::{}::{}", names::fn_unit(&f.name), names::item(&f.name)),
                    format!("fn {}", f.name),
                ),
                None => (format!("{rust_module}::{}", names::item(&f.name)), format!("fn {}", f.name)),
            };
            let file = program.sources.get(item.span.file);
            let (line, col) = file.line_col(item.span.start as usize);
            let at = format!("{}:{line}:{col}", file.name);
            Some((path, name, at))
        })
        .collect()
}

fn main_rs(program: &Program, ck: &CheckResult, shared: &Shared) -> TokenStream {
    let mods = shared.module_names.iter().map(|n| {
        let n = names::plain(n);
        quote!(mod #n;)
    });
    let ctx = ctx_struct(program, ck, shared);
    let entry_main = program.entry.and_then(|e| {
        let main_fn = ck.module(e).and_then(|t| t.items.get("main")).and_then(|r| match r {
            crate::check::ItemRef::Fn(f) => Some(*f),
            _ => None,
        })?;
        Some((e, main_fn))
    });
    let call_main = match entry_main {
        Some((e, main_fn)) => {
            let n = names::plain(&shared.module_names[e.0 as usize]);
            let args = if shared.needs.fn_needs(main_fn) { quote!(ctx) } else { quote!() };
            let returns_result = ck.fns.get(main_fn.0 as usize).is_some_and(|i| i.ret != crate::ty::Ty::Unit);
            if returns_result {
                quote! {
                    if let Err(e) = #n::main(#args) {
                        ::aether_rt::prelude::flush_stdout();
                        eprintln!("error: {}", e);
                        ::std::process::exit(1);
                    }
                }
            } else {
                quote!(#n::main(#args);)
            }
        }
        // No `main`: only `cargo aether test` accepts that (the harness has
        // its own), so there is nothing to call.
        _ => quote!(),
    };
    let allow_lints = allow_lints_in_crate();
    let frames = frame_table(program, ck, shared);
    quote! {
        #allow_lints
        //! Generated by `cargo aether` from `.ae` sources. Do not edit.

        #(#mods)*

        #ctx

        fn main() {
            // Runtime errors already name the `.ae` location; a Rust
            // backtrace note would only be noise.
            ::aether_rt::install_panic_hook();
            // A stack overflow too, naming the function (no cost until then).
            static FRAMES: &[::aether_rt::Frame] = #frames;
            ::aether_rt::catch_stack_overflow(FRAMES);
            let mut ctx = Ctx::new();
            let ctx = &mut ctx;
            #call_main
        }
    }
}

/// The generated crate's manifest. Release builds use fat LTO and one
/// codegen unit: the whole program and its runtime are optimized as one
/// unit (the runtime's `#[inline]` helpers vanish into the callers), which is
/// what makes the binary fast; the cost is build time, paid once per build.
/// `panic = "unwind"` keeps the panic hook's clean message and exit code 101.
fn cargo_toml(opts: &CodegenOptions, program: &Program) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [[bin]]\nname = \"{name}\"\npath = \"src/main.rs\"\n\n\
         [dependencies]\n{rt}\n\n\
         [profile.dev]\ndebug = 0\n\n\
         [profile.release]\nopt-level = 3\nlto = \"fat\"\ncodegen-units = 1\npanic = \"unwind\"\n\n\
         # Never join a workspace around the generated crate.\n[workspace]\n",
        name = opts.crate_name,
        rt = rt_dependency(&opts.rt_path, program, &[]),
    )
}

/// The `aether-rt` dependency line of a generated crate: the runtime's
/// default features off, `json` on only for a program that imports the
/// built-in `json` module (serde and serde_json are most of a fresh
/// runtime's build otherwise), `extra` features (`hmr`) besides.
pub(crate) fn rt_dependency(rt: &std::path::Path, program: &Program, extra: &[&str]) -> String {
    let rt = rt.to_string_lossy().replace('\\', "/");
    let mut features: Vec<&str> = extra.to_vec();
    if imports_builtin_json(program) {
        features.push("json");
    }
    let features: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
    format!("aether-rt = {{ path = \"{rt}\", default-features = false, features = [{}] }}", features.join(", "))
}

/// Whether a module imports the built-in `json` (a module of the program
/// named `json` takes the name's place).
fn imports_builtin_json(program: &Program) -> bool {
    let user_json = program.modules.iter().any(|m| m.name == "json");
    !user_json && program.modules.iter().any(|m| m.ast.imports.iter().any(|i| i.dotted() == "json"))
}

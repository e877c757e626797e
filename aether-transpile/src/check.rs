//! The checker: name resolution across modules, type checking with local
//! inference, mutability and value-semantics rules, match exhaustiveness,
//! and warnings. It reads the untyped AST and records what it learns in
//! side tables ([`CheckResult`]) for code generation.
//!
//! Layout (bodies mirror codegen's `body`/`expr`/`stmt`): `items` collects
//! every module's items and resolves signature types; `body` checks one
//! body at a time (its scopes and locals), `expr` expressions, `stmt`
//! blocks and statements, and `call` the calls; `infer` holds the
//! unification table; `builtins` the prelude, `math` and the methods of
//! `str`, lists and maps; `place` the mutability rules; `pattern` patterns
//! and their lowering for [`exhaustive`]; [`tables`] the side tables handed
//! to code generation.
//!
//! Passes: collect types (so any signature can name any module's type),
//! then their fields and variants (and the infinite-size check), then fns,
//! methods, consts and states; then check every body: global initializers
//! (unannotated globals on demand, when first used), fns and methods,
//! field defaults, tests; finally `main` and unused imports.
//!
//! Error recovery: an expression that fails gets [`Ty::Error`], which
//! unifies with everything, so one mistake gives one diagnostic.
//! Inference variables live per body; [`ModuleTables`] only ever holds
//! solved types.

pub mod exhaustive;

mod body;
mod builtins;
mod call;
mod const_eval;
mod exclusive;
mod expr;
mod generics;
mod infer;
mod items;
mod pattern;
mod place;
mod stmt;
pub mod tables;

pub use generics::{Instance, Need};
pub use tables::{
    Coercion, FnId, FnInfo, GlobalId, GlobalInfo, ItemRef, LocalId, LocalInfo, ModuleTables, ParamInfo, PatRes, Res,
};

use crate::diagnostic::{Code, Diagnostic};
use crate::project::Program;
use crate::source::Span;
use crate::ty::{ModuleId, Ty, TypeId, TypeTable};
use std::collections::HashMap;

/// Everything the checker learned about a program.
#[derive(Debug, Default)]
pub struct CheckResult {
    pub diagnostics: Vec<Diagnostic>,
    /// Every user struct and enum, with resolved field types.
    pub types: TypeTable,
    /// Every user function and method, indexed by [`FnId`].
    pub fns: Vec<FnInfo>,
    /// Every `const` and `state`, indexed by [`GlobalId`].
    pub globals: Vec<GlobalInfo>,
    /// Methods and associated functions by receiver type and name.
    pub methods: HashMap<(TypeId, String), FnId>,
    /// Per module (indexed by [`ModuleId`]): expression types, name
    /// resolutions, coercions, pattern decisions and locals.
    pub modules: Vec<ModuleTables>,
    /// Every instance of a generic function the program uses, each checked
    /// with its concrete types (what code generation emits).
    pub instances: Vec<Instance>,
    /// What each generic function's body needs of its type parameters
    /// (per parameter, in order), as `check/generics.rs` inferred it.
    pub needs: HashMap<FnId, Vec<Vec<Need>>>,
}

impl CheckResult {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }

    /// The side tables of one module.
    pub fn module(&self, id: ModuleId) -> Option<&ModuleTables> {
        self.modules.get(id.0 as usize)
    }

    /// The instance of generic function `f` for the type arguments `args`.
    pub fn instance(&self, f: FnId, args: &[Ty]) -> Option<&Instance> {
        let key = generics::instance_key(f, args);
        self.instances.iter().find(|i| generics::instance_key(i.fn_id, &i.args) == key)
    }
}

/// What a loaded program is checked as: the one thing that differs between
/// `cargo aether check`, `cargo aether expand` and a host crate's build
/// script ([`crate::driver::analyze`] takes it too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A program built on its own (`cargo aether check`, `build`, `run`):
    /// the entry module must have `main` (E0105), and an `extern fn` has
    /// nothing to bind to (E0107).
    Program,
    /// One module and what it imports, on its own (`cargo aether expand
    /// src/grid.ae`): a program whose entry need not have `main`.
    Module,
    /// Modules compiled into a Rust host crate (by `aether-build`): no
    /// module needs `main`, and `extern fn`s bind to the host's functions.
    Library,
}

/// Check a whole loaded program as `mode` says.
pub fn check(program: &Program, mode: Mode) -> CheckResult {
    let mut ck = Checker::new(program, mode);
    ck.collect_items();
    ck.check_bodies();
    let instances = ck.check_generic_uses();
    let needs = ck.generic_needs();
    ck.check_exclusive_state_access();
    ck.check_migrate_hooks();
    ck.check_entry();
    ck.warn_unused_imports();
    let mut diagnostics = ck.diags;
    crate::diagnostic::sort(&mut diagnostics);
    CheckResult {
        diagnostics,
        types: ck.types,
        fns: ck.fns,
        globals: ck.globals,
        methods: ck.methods,
        modules: ck.tables,
        instances,
        needs,
    }
}

pub(crate) use items::{MIGRATE, MIGRATE_PREFIX};

/// A family of built-in names, for [`builtin_names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinKind {
    Prelude,
    MathFns,
    MathConsts,
    StrMethods,
    ListMethods,
    MapMethods,
}

/// The built-in names of one family, as the checker knows them (editors
/// complete them; the lists live in `builtins.rs` only).
pub fn builtin_names(kind: BuiltinKind) -> Vec<&'static str> {
    builtins::names(kind)
}

/// Whole-program state shared by all the passes. The per-body state lives
/// in [`body::BodyCx`], swapped in and out as bodies are checked.
struct Checker<'p> {
    program: &'p Program,
    types: TypeTable,
    fns: Vec<FnInfo>,
    globals: Vec<GlobalInfo>,
    /// Methods and associated functions, by receiver type and name.
    methods: HashMap<(TypeId, String), FnId>,
    tables: Vec<ModuleTables>,
    /// Per module, per import: whether the module's name was used.
    imports_used: Vec<Vec<bool>>,
    /// Initializer checking state of each global, for on-demand inference of
    /// unannotated `const`/`state` types.
    global_state: Vec<GlobalState>,
    diags: Vec<Diagnostic>,
    cx: body::BodyCx,
    /// Type parameters in scope, needs and uses of generic functions.
    generics: generics::GenericState,
    /// What the program is checked as.
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum GlobalState {
    /// Unannotated, initializer not checked yet: the type is unknown.
    Pending,
    /// Annotated, initializer not checked yet.
    Annotated,
    InProgress,
    Done,
}

impl<'p> Checker<'p> {
    fn new(program: &'p Program, mode: Mode) -> Checker<'p> {
        Checker {
            program,
            types: TypeTable::default(),
            fns: Vec::new(),
            globals: Vec::new(),
            methods: HashMap::new(),
            tables: program.modules.iter().map(|_| ModuleTables::default()).collect(),
            imports_used: program.modules.iter().map(|m| vec![false; m.ast.imports.len()]).collect(),
            global_state: Vec::new(),
            diags: Vec::new(),
            cx: body::BodyCx::new(ModuleId(0)),
            generics: generics::GenericState::default(),
            mode,
        }
    }

    fn emit(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::at(code, span, message));
    }

    /// `code` at `span`, with one line of help.
    fn report(&mut self, code: Code, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::at(code, span, message).with_help(help));
    }

    fn display(&self, t: &Ty) -> String {
        let t = self.zonk(t);
        t.display(&self.types).to_string()
    }

    /// A program's entry module must have `fn main()` or `fn main() -> ()!`.
    fn check_entry(&mut self) {
        if self.mode != Mode::Program {
            return;
        }
        let Some(entry) = self.program.entry else { return };
        let Some(module) = self.program.modules.get(entry.0 as usize) else { return };
        if module.ast.items.is_empty() && module.ast.imports.is_empty() {
            // Empty, unreadable or unparsable: the loader already said so.
            return;
        }
        match self.tables[entry.0 as usize].items.get("main").copied() {
            Some(ItemRef::Fn(f)) => {
                let info = &self.fns[f.0 as usize];
                let ok_ret = info.ret == Ty::Unit || info.ret == Ty::result(Ty::Unit) || info.ret == Ty::Error;
                if !info.params.is_empty() || !ok_ret {
                    let span = info.span;
                    self.report(
                        Code::E0106,
                        span,
                        "`main` must take no parameters and return `()` or `()!`",
                        "declare it as `fn main()` or `fn main() -> ()!`",
                    );
                }
            }
            _ => {
                let span = Span::new(module.file, 0, 0);
                self.report(
                    Code::E0105,
                    span,
                    format!("module `{}` has no `main` function", module.name),
                    "add `fn main() { ... }`",
                );
            }
        }
    }

    fn warn_unused_imports(&mut self) {
        for (m, module) in self.program.modules.iter().enumerate() {
            for (i, import) in module.ast.imports.iter().enumerate() {
                let used = self.imports_used[m].get(i).copied().unwrap_or(true);
                let resolved = module.imports.get(i).copied().flatten().is_some();
                // A second import of the same name is E0102 already.
                let duplicate = module.ast.imports[..i].iter().any(|p| p.local_name().name == import.local_name().name);
                if !used && !duplicate && (resolved || import.dotted() == "math" || import.dotted() == "json") {
                    self.report(
                        Code::W0004,
                        import.span,
                        format!("unused import `{}`", import.dotted()),
                        "remove the import",
                    );
                }
            }
        }
    }
}

/// "did you mean `x`?": the closest candidate within edit distance 2 (1 for
/// names under 4 characters) or with normalized similarity at least 0.7.
fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == name || c.is_empty() {
            continue;
        }
        let dist = strsim::levenshtein(name, c);
        let sim = strsim::normalized_levenshtein(name, c);
        // Two edits turn any short name into any other: short names get one.
        let max_dist = if name.chars().count() < 4 { 1 } else { 2 };
        let close = (dist <= max_dist && dist < name.chars().count().max(c.chars().count())) || sim >= 0.7;
        if close && best.is_none_or(|(s, _)| sim > s) {
            best = Some((sim, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

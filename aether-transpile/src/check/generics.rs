//! Generic functions (`fn first<T>(xs: [T]) -> T?`).
//!
//! A generic function is checked once with its type parameters as rigid
//! types ([`Ty::Param`]): a parameter unifies only with itself, has no
//! fields or methods, and the operations a body applies to it become the
//! function's *needs* of that parameter: `==`/`!=`/`contains` make it
//! [`Need::Equatable`], `<`/`<=`/`>`/`>=`/`sort` [`Need::Comparable`], a map
//! key [`Need::Hashable`]. A call passes its needs on: a generic function
//! calling another with its own parameter needs what the callee needs
//! (computed to a fixed point once every body is checked).
//!
//! Each use names its type arguments, inferred like any other type (fresh
//! variables unified with the arguments and the expected type) and recorded
//! in [`super::ModuleTables::instantiations`]. A concrete argument that does
//! not meet a need is E0320 at the use, naming the need and the type.
//!
//! Code generation monomorphises: every instance (a generic function with
//! concrete type arguments, found from the concrete uses and transitively
//! from the instances' own bodies) is checked again with the concrete types
//! into its own side tables ([`Instance::tables`]), so the generator only
//! ever sees concrete types. Anything that check still rejects (a need the
//! rules above do not express) is reported at the use as E0320 too, so an
//! accepted program never reaches rustc with an error. Instantiation that
//! does not terminate (`f<T>` calling `f<[T]>`) is E0321.
//!
//! Interfaces (`T: Ord`) are the planned next step: the needs are then
//! written as bounds, checked the same way.

use super::body::BodyCx;
use super::stmt::Tail;
use super::{Checker, FnId, FnInfo, LocalId, ModuleTables};
use crate::ast::{self, ItemKind, NodeId};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::ty::Ty;
use std::collections::HashMap;

/// What a generic function's body does with values of a type parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Compared with `==`/`!=` (also `contains`): no function inside.
    Equatable,
    /// Ordered with `<`/`<=`/`>`/`>=` (also `sort`): `int`, `float` or `str`.
    Comparable,
    /// A map key: built from `int`, `str`, `bool`, tuples and user types of those.
    Hashable,
}

impl Need {
    pub const ALL: [Need; 3] = [Need::Equatable, Need::Comparable, Need::Hashable];

    fn bit(self) -> u8 {
        match self {
            Need::Equatable => 1,
            Need::Comparable => 2,
            Need::Hashable => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Need::Equatable => "equatable",
            Need::Comparable => "comparable",
            Need::Hashable => "hashable",
        }
    }

    fn why(self) -> &'static str {
        match self {
            Need::Equatable => "compares values of type `{}` with `==`",
            Need::Comparable => "orders values of type `{}` (`<`, `sort`)",
            Need::Hashable => "uses values of type `{}` as map keys",
        }
    }

    fn which(self) -> &'static str {
        match self {
            Need::Equatable => "every type is equatable except functions and types holding one",
            Need::Comparable => "int, float and str are comparable",
            Need::Hashable => "int, str, bool, tuples and enums/structs of those are hashable",
        }
    }
}

/// One generic function with concrete type arguments, checked again with
/// them: what code generation emits.
#[derive(Clone, Debug)]
pub struct Instance {
    pub fn_id: FnId,
    pub args: Vec<Ty>,
    /// The function's signature with the arguments substituted (parameters
    /// bound to the instance's locals).
    pub info: FnInfo,
    /// The defining module's side tables with this instance's body checked
    /// into them.
    pub tables: ModuleTables,
    /// The Rust name: `__g_<name>_<hash of the arguments>`.
    pub rust_name: String,
}

/// A use of a generic function, kept until every body is checked.
#[derive(Clone, Debug)]
pub(super) struct GenericUse {
    /// The generic function whose body it is in (its parameters may occur in
    /// `args`), or `None` in concrete code.
    caller: Option<FnId>,
    callee: FnId,
    args: Vec<Ty>,
    span: Span,
}

/// How many instances one generic function may have before instantiation is
/// taken not to terminate (E0321).
const MAX_INSTANCES: usize = 64;

/// The key of an instance: its function and arguments (types by id).
pub(crate) fn instance_key(f: FnId, args: &[Ty]) -> String {
    format!("{}:{args:?}", f.0)
}

/// Checker state of generics, beside the whole-program state.
#[derive(Debug, Default)]
pub(super) struct GenericState {
    /// The type parameters in scope (name → its type: `Param` in a generic
    /// body, the concrete argument in an instance).
    pub scope: Vec<(String, Ty)>,
    /// The generic function whose body is being checked (needs are
    /// recorded for it).
    pub current: Option<FnId>,
    /// Checking an instance again: no uses or needs are recorded.
    pub instancing: bool,
    /// Each generic function's needs, per parameter (bit sets of [`Need`]).
    pub needs: std::cell::RefCell<HashMap<FnId, Vec<u8>>>,
    pub uses: Vec<GenericUse>,
}

impl Checker<'_> {
    /// Record that the current generic function needs `need` of every type
    /// parameter in `t`. `false` when `t` holds no parameter.
    pub(super) fn record_need(&self, t: &Ty, need: Need) -> bool {
        let Ty::Param(i, _) = t else { return false };
        if let Some(f) = self.generics.current {
            let mut needs = self.generics.needs.borrow_mut();
            let v = needs.entry(f).or_default();
            if v.len() <= *i as usize {
                v.resize(*i as usize + 1, 0);
            }
            v[*i as usize] |= need.bit();
        }
        true
    }

    /// Whether `t` meets `need` (type parameters in it: recorded as needs of
    /// the current generic function, and met).
    fn meets(&self, t: &Ty, need: Need) -> bool {
        match need {
            Need::Equatable => !self.holds_fn(t),
            Need::Hashable => self.is_hashable(t),
            Need::Comparable => match t {
                Ty::Param(..) => self.record_need(t, need),
                _ => matches!(t, Ty::Int | Ty::Float | Ty::Str | Ty::Error | Ty::Never | Ty::Var(_)),
            },
        }
    }

    /// Every generic function's needs, per type parameter.
    pub(super) fn generic_needs(&self) -> HashMap<FnId, Vec<Vec<Need>>> {
        let mut out = HashMap::new();
        for (f, bits) in self.generics.needs.borrow().iter() {
            let n = self.fns.get(f.0 as usize).map_or(0, |i| i.generics.len());
            let per_param = (0..n)
                .map(|i| {
                    let b = bits.get(i).copied().unwrap_or(0);
                    Need::ALL.into_iter().filter(|need| b & need.bit() != 0).collect()
                })
                .collect();
            out.insert(*f, per_param);
        }
        out
    }

    fn needs_of(&self, f: FnId) -> Vec<u8> {
        self.generics.needs.borrow().get(&f).cloned().unwrap_or_default()
    }

    /// The type parameters `<T, U>` of `f` in scope, as `Param`s; when
    /// `report`, E0202 for a repeated name.
    pub(super) fn enter_generics(&mut self, decl: &ast::FnDecl, report: bool) {
        let mut scope: Vec<(String, Ty)> = Vec::new();
        for (i, p) in decl.generics.iter().enumerate() {
            if let Some(prev) = decl.generics[..i].iter().find(|q| report && q.name.name == p.name.name) {
                let prev = prev.name.span;
                self.duplicate("type parameter", &p.name, prev);
            }
            scope.push((p.name.name.clone(), Ty::Param(i as u32, p.name.name.clone())));
        }
        self.generics.scope = scope;
    }

    /// A type parameter in scope named `name`.
    pub(super) fn type_param(&self, name: &str) -> Option<Ty> {
        self.generics.scope.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t.clone())
    }

    /// What may not be generic (E0321): methods, hooks, `@migrate`, `main`.
    pub(super) fn check_generic_decl(&mut self, item: &ast::Item, f: &ast::FnDecl) {
        let Some(first) = f.generics.first() else { return };
        let span = first.name.span;
        let what = if f.receiver.is_some() {
            Some("a method cannot have type parameters of its own yet")
        } else if !item.attrs.is_empty() {
            Some("a hook or `@migrate` function cannot be generic")
        } else if f.name.name == "main" {
            Some("`main` cannot be generic")
        } else {
            None
        };
        if let Some(what) = what {
            self.report(Code::E0321, span, what, "remove the type parameters");
        }
    }

    /// The type arguments of a use of `f` at `node`: fresh variables the
    /// call's types solve (none when `f` is not generic).
    pub(super) fn instantiate_use(&mut self, node: NodeId, f: FnId, span: Span) -> Vec<Ty> {
        let n = self.fns.get(f.0 as usize).map_or(0, |i| i.generics.len());
        if n == 0 {
            return Vec::new();
        }
        let args: Vec<Ty> = (0..n).map(|_| self.fresh(span)).collect();
        self.cx.pending_insts.push((node, f, args.clone(), span));
        args
    }

    /// The type of `f` as a value at a use (its type arguments instantiated).
    pub(super) fn fn_value_ty(&mut self, node: NodeId, f: FnId, span: Span) -> Ty {
        let args = self.instantiate_use(node, f, span);
        self.fns.get(f.0 as usize).map(|i| i.fn_ty().subst(&args)).unwrap_or(Ty::Error)
    }

    /// At the end of a body: solve the type arguments of its uses into the
    /// side table; an unsolved one is E0306 (when the body is otherwise
    /// clean).
    pub(super) fn finish_instantiations(&mut self, clean: bool, mut reported: bool) {
        let m = self.cx.module;
        for (node, f, args, span) in std::mem::take(&mut self.cx.pending_insts) {
            let args: Vec<Ty> = args.iter().map(|t| self.zonk(t)).collect();
            let unknown = args.iter().position(|t| super::infer::contains(t, &|t| matches!(t, Ty::Var(_))));
            if let Some(i) = unknown {
                if clean && !reported && !self.generics.instancing {
                    reported = true;
                    let info = &self.fns[f.0 as usize];
                    let (name, param) = (info.name.clone(), info.generics[i].clone());
                    self.report(
                        Code::E0306,
                        span,
                        format!("cannot infer the type `{param}` of this use of `{name}`"),
                        "annotate the variable the result is stored in, or the arguments",
                    );
                }
            }
            // `never` (a list of `panic(...)`s) is instantiated as `()`, its
            // Rust type everywhere.
            let args: Vec<Ty> = args.into_iter().map(|t| never_as_unit(super::infer::default_vars(t))).collect();
            if !self.generics.instancing && !args.iter().any(|t| super::infer::contains(t, &Ty::is_error)) {
                let caller = self.generics.current;
                self.generics.uses.push(GenericUse { caller, callee: f, args: args.clone(), span });
            }
            self.tables[m.0 as usize].instantiations.insert(node, args);
        }
    }

    /// After every body: the needs to a fixed point, each concrete use
    /// checked against them (E0320), then every instance checked again
    /// with its types.
    pub(super) fn check_generic_uses(&mut self) -> Vec<Instance> {
        if self.generics.uses.is_empty() {
            return Vec::new();
        }
        let uses = std::mem::take(&mut self.generics.uses);
        // Needs pass from callee to caller until nothing changes (they only
        // grow, and are finite).
        loop {
            let before = self.generics.needs.borrow().clone();
            for u in uses.iter().filter(|u| u.caller.is_some()) {
                self.generics.current = u.caller;
                let needs = self.needs_of(u.callee);
                for (arg, bits) in u.args.iter().zip(needs) {
                    for need in Need::ALL {
                        if bits & need.bit() != 0 {
                            self.meets(arg, need);
                        }
                    }
                }
            }
            self.generics.current = None;
            if *self.generics.needs.borrow() == before {
                break;
            }
        }
        let mut bad = false;
        for u in uses.iter().filter(|u| !u.args.iter().any(Ty::has_param)) {
            bad |= !self.check_needs(u);
        }
        let roots: Vec<(FnId, Vec<Ty>, Span)> = uses
            .iter()
            .filter(|u| !u.args.iter().any(Ty::has_param))
            .map(|u| (u.callee, u.args.clone(), u.span))
            .collect();
        if bad || self.has_errors() {
            return Vec::new();
        }
        self.instances(roots)
    }

    fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.is_error())
    }

    /// E0320 for each need of `u.callee` its concrete argument does not meet.
    fn check_needs(&mut self, u: &GenericUse) -> bool {
        let needs = self.needs_of(u.callee);
        let mut ok = true;
        for (i, (arg, bits)) in u.args.iter().zip(needs).enumerate() {
            for need in Need::ALL {
                if bits & need.bit() != 0 && !self.meets(arg, need) {
                    ok = false;
                    let info = &self.fns[u.callee.0 as usize];
                    let (name, param, decl) = (info.name.clone(), info.generics[i].clone(), info.span);
                    let shown = self.display(arg);
                    self.emit(
                        Diagnostic::at(
                            Code::E0320,
                            u.span,
                            format!("`{shown}` is not {}, but `{name}` needs its `{param}` to be", need.name()),
                        )
                        .secondary(decl, format!("`{name}` {}", need.why().replace("{}", &param)))
                        .with_help(need.which()),
                    );
                }
            }
        }
        ok
    }

    /// Every instance reachable from `roots`, each checked with its types.
    fn instances(&mut self, roots: Vec<(FnId, Vec<Ty>, Span)>) -> Vec<Instance> {
        let mut out: Vec<Instance> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut per_fn: HashMap<FnId, usize> = HashMap::new();
        let mut work: Vec<(FnId, Vec<Ty>, Span)> = roots;
        work.reverse();
        while let Some((f, args, span)) = work.pop() {
            let key = instance_key(f, &args);
            if seen.contains_key(&key) {
                continue;
            }
            let count = per_fn.entry(f).or_insert(0);
            *count += 1;
            if *count > MAX_INSTANCES {
                let info = &self.fns[f.0 as usize];
                let (name, decl) = (info.name.clone(), info.span);
                self.emit(
                    Diagnostic::at(Code::E0321, decl, format!("`{name}` has no end of instances"))
                        .with_note(format!("more than {MAX_INSTANCES} types: it calls itself with ever larger types"))
                        .with_help("call it with its own type parameters"),
                );
                return Vec::new();
            }
            let Some(inst) = self.check_instance(f, &args, span) else { return Vec::new() };
            seen.insert(key, out.len());
            let mut next: Vec<(FnId, Vec<Ty>, Span)> = Vec::new();
            for (node, targs) in &inst.tables.instantiations {
                if let Some(crate::check::Res::Fn(g) | crate::check::Res::Method(g)) = inst.tables.resolutions.get(node)
                {
                    if !targs.iter().any(Ty::has_param) && !seen.contains_key(&instance_key(*g, targs)) {
                        next.push((*g, targs.clone(), span));
                    }
                }
            }
            next.sort_by_key(|(g, a, _)| instance_key(*g, a));
            work.extend(next.into_iter().rev());
            out.push(inst);
        }
        out
    }

    /// Check the body of `f` again with `args` for its type parameters, into
    /// a copy of its module's side tables. What fails is E0320 at `span`
    /// (the use that needs the instance).
    fn check_instance(&mut self, f: FnId, args: &[Ty], span: Span) -> Option<Instance> {
        let generic = self.fns.get(f.0 as usize)?.clone();
        let module = self.program.module(generic.module);
        let Some(ItemKind::Fn(decl)) = module.ast.items.get(generic.item).map(|i| &i.kind) else { return None };
        let info = generic.instantiate(args);
        let mi = generic.module.0 as usize;
        let mut copy = self.tables[mi].clone();
        // The instance's locals only: codegen finds a closure's parameters
        // by span, which the generic body's locals share.
        copy.locals.clear();
        let saved_tables = std::mem::replace(&mut self.tables[mi], copy);
        let saved_cx = std::mem::replace(&mut self.cx, BodyCx::new(generic.module));
        let saved_scope = std::mem::take(&mut self.generics.scope);
        let diags_before = self.diags.len();
        self.generics.instancing = true;
        self.generics.scope = generic.generics.iter().cloned().zip(args.iter().cloned()).collect::<Vec<(String, Ty)>>();
        let mut checked = info.clone();
        let locals = self.check_fn_body(&info, decl);
        for (p, l) in checked.params.iter_mut().zip(locals) {
            p.local = l;
        }
        self.generics.instancing = false;
        self.generics.scope = saved_scope;
        self.cx = saved_cx;
        let tables = std::mem::replace(&mut self.tables[mi], saved_tables);
        let errors: Vec<Diagnostic> = self.diags.drain(diags_before..).filter(|d| d.is_error()).collect();
        let shown: Vec<String> = args.iter().map(|t| self.display(t)).collect();
        let shown = shown.join(", ");
        if let Some(first) = errors.into_iter().next() {
            self.emit(
                Diagnostic::at(
                    Code::E0320,
                    span,
                    format!("`{}` cannot be used with the types <{shown}>", generic.name),
                )
                .secondary(first.span().unwrap_or(generic.span), first.message.clone())
                .with_note(format!("checking `{}` with <{shown}>: {}", generic.name, first.message)),
            );
            return None;
        }
        // Named by the types with their modules: two modules' `Point`s are
        // different instances.
        let qualified: Vec<String> = args.iter().map(|t| self.qualified(t)).collect();
        let key = format!("{}<{}>", generic.name, qualified.join(", "));
        let rust_name = format!("__g_{}_{:016x}", generic.name, aether_rt::abi::fingerprint(&key));
        Some(Instance { fn_id: f, args: args.to_vec(), info: checked, tables, rust_name })
    }

    /// Check the body of a function with the signature `info` (an
    /// instance's is substituted); returns the locals its parameters are
    /// bound to.
    pub(super) fn check_fn_body(&mut self, info: &FnInfo, decl: &ast::FnDecl) -> Vec<Option<LocalId>> {
        let mut locals = Vec::new();
        self.begin_body(info.module);
        self.cx.returns.push(info.ret.clone());
        if let (Some(rt), Some(mutable)) = (info.receiver, info.self_param) {
            // A generic type's method: `self` with the type parameters in
            // scope (its own in the generic body, an instance's arguments).
            let args: Vec<Ty> = self.generics.scope.iter().map(|(_, t)| t.clone()).collect();
            let own = self.type_ty(rt);
            let self_ty = if args.is_empty() { own } else { own.subst(&args) };
            self.cx.self_ty = Some((self_ty, mutable));
        }
        for (i, p) in decl.params.iter().enumerate() {
            let ty = info.params.get(i).map(|p| p.ty.clone()).unwrap_or(Ty::Error);
            let local = self.new_local(&p.name, ty, p.mutable, true);
            if decl.params[..i].iter().any(|q| q.name.name == p.name.name) {
                // A duplicate (E0202 already): keep the first binding.
                self.mark_used(local);
            } else {
                self.bind(&p.name.name, local);
            }
            locals.push(Some(local));
        }
        if info.ret == Ty::Unit {
            self.block(&decl.body, Tail::Discard);
        } else {
            self.block(&decl.body, Tail::Check(&info.ret));
        }
        self.pop_scope_warn();
        self.finish_body();
        locals
    }

    /// `t` written with each user type's module (`shapes.Point`).
    fn qualified(&self, t: &Ty) -> String {
        match t {
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                let def = self.types.get(*id);
                let name = format!("{}.{}", self.program.module(def.module).name, def.name);
                if args.is_empty() {
                    return name;
                }
                format!("{name}<{}>", args.iter().map(|t| self.qualified(t)).collect::<Vec<_>>().join(", "))
            }
            Ty::List(e) => format!("[{}]", self.qualified(e)),
            Ty::Map(k, v) => format!("{{{}: {}}}", self.qualified(k), self.qualified(v)),
            Ty::Optional(e) => format!("({})?", self.qualified(e)),
            Ty::Result(e) => format!("({})!", self.qualified(e)),
            Ty::Tuple(ts) => format!("({})", ts.iter().map(|t| self.qualified(t)).collect::<Vec<_>>().join(", ")),
            Ty::Fn(ps, r) => format!(
                "fn({}) -> {}",
                ps.iter().map(|t| self.qualified(t)).collect::<Vec<_>>().join(", "),
                self.qualified(r)
            ),
            other => self.display(other),
        }
    }
}

fn never_as_unit(t: Ty) -> Ty {
    match t {
        Ty::Never => Ty::Unit,
        Ty::List(e) => Ty::list(never_as_unit(*e)),
        Ty::Map(k, v) => Ty::map(never_as_unit(*k), never_as_unit(*v)),
        Ty::Optional(e) => Ty::optional(never_as_unit(*e)),
        Ty::Result(e) => Ty::result(never_as_unit(*e)),
        Ty::Tuple(ts) => Ty::Tuple(ts.into_iter().map(never_as_unit).collect()),
        Ty::Fn(ps, r) => Ty::Fn(ps.into_iter().map(never_as_unit).collect(), Box::new(never_as_unit(*r))),
        Ty::Struct(id, ts) => Ty::Struct(id, ts.into_iter().map(never_as_unit).collect()),
        Ty::Enum(id, ts) => Ty::Enum(id, ts.into_iter().map(never_as_unit).collect()),
        other => other,
    }
}

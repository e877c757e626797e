//! Checking bodies: functions, methods, tests, global initializers and
//! field defaults, one at a time. The per-body state ([`BodyCx`]: inference
//! variables, scopes, locals, the enclosing loops and closures) is swapped
//! in for each; what a body learned goes to the side tables when it is done
//! ([`Checker::finish_body`]). Expressions are checked in `expr.rs`, blocks
//! and statements in `stmt.rs`.

use super::infer::default_vars;
use super::stmt::Tail;
use super::{Checker, FnId, GlobalId, GlobalState, ItemRef, LocalId, LocalInfo, PatRes, Res};
use crate::ast::{Expr, ExprKind, Ident, ItemKind, NodeId, StrPart};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::ty::{ModuleId, Ty};
use std::collections::HashMap;

/// The state of the body being checked.
#[derive(Debug)]
pub(super) struct BodyCx {
    pub module: ModuleId,
    pub subst: Vec<Option<Ty>>,
    /// Where each inference variable was created.
    pub var_spans: Vec<Span>,
    /// Innermost last.
    pub scopes: Vec<Vec<(String, LocalId)>>,
    /// The locals in scope by name, innermost last (mirrors `scopes`).
    pub by_name: HashMap<String, Vec<LocalId>>,
    pub meta: HashMap<LocalId, LocalMeta>,
    /// Locals declared in this body, in order.
    pub body_locals: Vec<LocalId>,
    /// Return types: the function's, then one per enclosing closure.
    pub returns: Vec<Ty>,
    /// One entry per enclosing loop (of the innermost function or closure):
    /// whether it contains a `break` (for it), and its label.
    pub loops: Vec<(bool, Option<String>)>,
    pub closure_depth: u32,
    /// The closures being checked, innermost last: their node and captures.
    pub closures: Vec<(NodeId, Vec<LocalId>)>,
    /// The type of `self` and whether it is `mut self`.
    pub self_ty: Option<(Ty, bool)>,
    pub pending_exprs: Vec<(NodeId, Ty)>,
    pub pending_pats: Vec<(NodeId, Ty)>,
    /// Uses of generic functions: the node naming one, the function, its
    /// type arguments (variables until the body is done) and the span.
    pub pending_insts: Vec<(NodeId, FnId, Vec<Ty>, Span)>,
    /// Diagnostics count when the body started, to tell whether it had errors.
    pub diags_at_start: usize,
    /// Unused variables, reported when the body is done (W0001).
    pub unused: Vec<(String, Span)>,
    /// Bindings written as a struct pattern's shorthand field (`Point { x }`):
    /// renaming one to `_x` would name another field, so W0001 says `x: _`.
    pub shorthand_fields: std::collections::HashSet<Span>,
    /// The body contains something the parser could not read; uses inside
    /// it are lost, so unused-variable warnings would be noise.
    pub saw_parse_error: bool,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct LocalMeta {
    pub used: bool,
    /// Closure nesting depth where the local was declared.
    pub depth: u32,
    pub param: bool,
    /// Writes are seen outside (a `mut` parameter, a `for mut` element), so
    /// assigning counts as a use.
    pub escapes: bool,
}

impl BodyCx {
    pub fn new(module: ModuleId) -> BodyCx {
        BodyCx {
            module,
            subst: Vec::new(),
            var_spans: Vec::new(),
            scopes: vec![Vec::new()],
            by_name: HashMap::new(),
            meta: HashMap::new(),
            body_locals: Vec::new(),
            returns: Vec::new(),
            loops: Vec::new(),
            closure_depth: 0,
            closures: Vec::new(),
            self_ty: None,
            pending_exprs: Vec::new(),
            pending_pats: Vec::new(),
            pending_insts: Vec::new(),
            diags_at_start: 0,
            unused: Vec::new(),
            shorthand_fields: Default::default(),
            saw_parse_error: false,
        }
    }
}

impl<'p> Checker<'p> {
    pub(super) fn check_bodies(&mut self) {
        for g in 0..self.globals.len() {
            if matches!(self.global_state.get(g), Some(GlobalState::Pending | GlobalState::Annotated)) {
                self.check_global(GlobalId(g as u32));
            }
        }
        for f in 0..self.fns.len() {
            self.check_fn(FnId(f as u32));
        }
        let program = self.program;
        for (mi, module) in program.modules.iter().enumerate() {
            let m = ModuleId(mi as u32);
            for item in &module.ast.items {
                match &item.kind {
                    ItemKind::Struct(s) => {
                        let Some(ItemRef::Type(tid)) = self.tables[mi].items.get(&s.name.name).copied() else {
                            continue;
                        };
                        for f in &s.fields {
                            let Some(default) = &f.default else { continue };
                            let ty = self
                                .types
                                .as_struct(tid)
                                .and_then(|sd| sd.fields.iter().find(|x| x.name == f.name.name))
                                .map(|x| x.ty.clone())
                                .unwrap_or(Ty::Error);
                            // A generic struct's parameters are in scope (`items: [T] = []`).
                            let params = self.types.get(tid).generics.clone();
                            self.generics.scope = params
                                .iter()
                                .enumerate()
                                .map(|(i, n)| (n.clone(), Ty::Param(i as u32, n.clone())))
                                .collect();
                            self.begin_body(m);
                            self.check_expr(default, &ty);
                            self.finish_body();
                            self.generics.scope.clear();
                        }
                    }
                    ItemKind::Test(t) => {
                        self.begin_body(m);
                        self.cx.returns.push(Ty::Unit);
                        self.block(&t.body, Tail::Discard);
                        self.finish_body();
                    }
                    _ => {}
                }
            }
        }
    }

    pub(super) fn begin_body(&mut self, m: ModuleId) {
        self.cx = BodyCx::new(m);
        self.cx.diags_at_start = self.diags.len();
    }

    /// Record solved types in the side tables and report what inference
    /// could not determine (only when the body had no other error).
    pub(super) fn finish_body(&mut self) {
        let m = self.cx.module.0 as usize;
        let start = self.cx.diags_at_start.min(self.diags.len());
        let clean = !self.diags[start..].iter().any(|d| d.is_error());
        let mut reported = false;
        for id in self.cx.body_locals.clone() {
            let Some(info) = self.tables[m].locals.get(id.0 as usize) else { continue };
            let ty = self.zonk(&info.ty);
            if clean && !reported && super::infer::contains(&ty, &|t| matches!(t, Ty::Var(_))) {
                reported = true;
                let shown = ty.display(&self.types).to_string();
                let (name, span) = (info.name.clone(), info.span);
                let help = if self.cx.meta.get(&id).is_some_and(|m| m.param) {
                    format!("annotate the parameter: `|{name}: {shown}|` with each `_` filled in")
                } else {
                    format!("annotate it: `let {name}: {shown} = ...` with each `_` filled in")
                };
                self.report(Code::E0306, span, format!("cannot infer the type of `{name}`"), help);
            }
            if let Some(info) = self.tables[m].locals.get_mut(id.0 as usize) {
                info.ty = default_vars(ty);
            }
        }
        let exprs = std::mem::take(&mut self.cx.pending_exprs);
        for (id, t) in exprs {
            let t = self.zonk(&t);
            if clean && !reported && super::infer::contains(&t, &|t| matches!(t, Ty::Var(_))) {
                reported = true;
                if let Some(span) = self.var_span_of(&t) {
                    self.report(
                        Code::E0306,
                        span,
                        "cannot infer the type of this expression",
                        "add a type annotation to the variable it is stored in",
                    );
                }
            }
            self.tables[m].expr_types.insert(id, default_vars(t));
        }
        self.finish_instantiations(clean, reported);
        // A body with unreadable parts has lost uses: its unused-variable
        // warnings would be noise. (Type errors do not lose uses.)
        let unused = std::mem::take(&mut self.cx.unused);
        if !self.cx.saw_parse_error {
            for (name, span) in unused {
                let help = if self.cx.shorthand_fields.contains(&span) {
                    format!("if this is intentional, ignore the field: `{name}: _`, or leave it out and end with `..`")
                } else {
                    format!("if this is intentional, prefix it with an underscore: `_{name}`")
                };
                self.report(Code::W0001, span, format!("unused variable `{name}`"), help);
            }
        }
        let pats = std::mem::take(&mut self.cx.pending_pats);
        for (id, t) in pats {
            let t = default_vars(self.zonk(&t));
            self.tables[m].pat_types.insert(id, t);
        }
    }

    fn var_span_of(&self, t: &Ty) -> Option<Span> {
        let found = std::cell::Cell::new(None);
        super::infer::contains(t, &|t| {
            if let Ty::Var(v) = t {
                found.set(Some(v.0));
                true
            } else {
                false
            }
        });
        found.get().and_then(|v| self.cx.var_spans.get(v as usize).copied())
    }

    fn check_fn(&mut self, f: FnId) {
        let Some(info) = self.fns.get(f.0 as usize).cloned() else { return };
        let module = self.program.module(info.module);
        let Some(ItemKind::Fn(decl)) = module.ast.items.get(info.item).map(|i| &i.kind) else { return };
        // A generic function's body sees its type parameters (`check/generics.rs`),
        // a generic type's method those of its type.
        self.enter_generics(decl, false);
        if info.receiver.is_some() && info.is_generic() && decl.generics.is_empty() {
            self.generics.scope =
                info.generics.iter().enumerate().map(|(i, n)| (n.clone(), Ty::Param(i as u32, n.clone()))).collect();
        }
        self.generics.current = info.is_generic().then_some(f);
        let locals = self.check_fn_body(&info, decl);
        self.generics.current = None;
        self.generics.scope.clear();
        if let Some(fi) = self.fns.get_mut(f.0 as usize) {
            for (p, l) in fi.params.iter_mut().zip(locals) {
                p.local = l;
            }
        }
    }

    /// Check a `const`/`state` initializer, fixing the type of an
    /// unannotated global.
    pub(super) fn check_global(&mut self, g: GlobalId) {
        let Some(info) = self.globals.get(g.0 as usize).cloned() else { return };
        let annotated = self.global_state.get(g.0 as usize) == Some(&GlobalState::Annotated);
        if let Some(s) = self.global_state.get_mut(g.0 as usize) {
            *s = GlobalState::InProgress;
        }
        let module = self.program.module(info.module);
        let value = match module.ast.items.get(info.item).map(|i| &i.kind) {
            Some(ItemKind::Const(c)) => &c.value,
            Some(ItemKind::State(s)) => &s.value,
            _ => return,
        };
        let saved = std::mem::replace(&mut self.cx, BodyCx::new(info.module));
        self.cx.diags_at_start = self.diags.len();
        let ty = if annotated { self.check_expr(value, &info.ty) } else { self.expr(value, None) };
        let ty = default_vars(self.zonk(&ty));
        let constant = !info.is_state && self.check_const_expr(value);
        self.finish_body();
        if constant {
            self.check_const_ints(info.module.0 as usize, value);
        }
        self.cx = saved;
        if let Some(gi) = self.globals.get_mut(g.0 as usize) {
            if !annotated {
                gi.ty = if ty == Ty::Never { Ty::Error } else { ty };
            }
        }
        if let Some(s) = self.global_state.get_mut(g.0 as usize) {
            *s = GlobalState::Done;
        }
    }

    pub(super) fn global_ty(&mut self, g: GlobalId, span: Span) -> Ty {
        match self.global_state.get(g.0 as usize).copied() {
            Some(GlobalState::Pending) => self.check_global(g),
            Some(GlobalState::InProgress) => {
                let name = self.globals.get(g.0 as usize).map(|i| i.name.clone()).unwrap_or_default();
                self.report(
                    Code::E0313,
                    span,
                    format!("the initializer of `{name}` depends on itself"),
                    "initializers cannot be recursive",
                );
                return Ty::Error;
            }
            _ => {}
        }
        self.globals.get(g.0 as usize).map(|i| i.ty.clone()).unwrap_or(Ty::Error)
    }

    /// Constant expressions: literals, consts, operators, and literals of
    /// lists, tuples, maps, structs and variants built from them (E0313).
    fn check_const_expr(&mut self, e: &Expr) -> bool {
        let m = self.cx.module.0 as usize;
        let ok = match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::None | ExprKind::Error => true,
            ExprKind::Str(parts) => parts.iter().all(|p| matches!(p, StrPart::Text(_))),
            ExprKind::Name(_) | ExprKind::Field { .. } => match self.tables[m].resolutions.get(&e.id) {
                Some(Res::Global(g)) => self.globals.get(g.0 as usize).is_some_and(|gi| !gi.is_state),
                Some(Res::Variant(..) | Res::Math("PI" | "E")) => true,
                Some(Res::Math(n)) if super::builtins::NUM_CONSTS.contains(n) => true,
                None => true,
                _ => false,
            },
            ExprKind::Unary { expr, .. } => return self.check_const_expr(expr),
            ExprKind::Binary { lhs, rhs, .. } => return self.check_const_expr(lhs) && self.check_const_expr(rhs),
            ExprKind::List(items) | ExprKind::Tuple(items) => return items.iter().all(|i| self.check_const_expr(i)),
            ExprKind::Map(pairs) => {
                return pairs.iter().all(|(k, v)| self.check_const_expr(k) && self.check_const_expr(v))
            }
            ExprKind::StructLit { fields, .. } => return fields.iter().all(|f| self.check_const_expr(&f.value)),
            ExprKind::Call { callee, args } => {
                let ctor = matches!(
                    self.tables[m].resolutions.get(&callee.id),
                    Some(Res::Variant(..) | Res::Builtin("some" | "ok" | "err"))
                );
                if ctor {
                    return args.iter().all(|a| self.check_const_expr(&a.expr));
                }
                false
            }
            _ => false,
        };
        if !ok {
            self.report(
                Code::E0313,
                e.span,
                "not a constant expression",
                "a `const` may use literals, other consts and operators; use `state` for computed values",
            );
        }
        ok
    }

    // ---- locals and scopes ----

    pub(super) fn new_local(&mut self, name: &Ident, ty: Ty, mutable: bool, param: bool) -> LocalId {
        let m = self.cx.module.0 as usize;
        let id = LocalId(self.tables[m].locals.len() as u32);
        self.tables[m].locals.push(LocalInfo { name: name.name.clone(), ty, mutable, span: name.span });
        self.cx
            .meta
            .insert(id, LocalMeta { used: false, depth: self.cx.closure_depth, param, escapes: param && mutable });
        self.cx.body_locals.push(id);
        id
    }

    pub(super) fn bind(&mut self, name: &str, id: LocalId) {
        if let Some(scope) = self.cx.scopes.last_mut() {
            scope.push((name.to_string(), id));
            self.cx.by_name.entry(name.to_string()).or_default().push(id);
        }
    }

    pub(super) fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.cx.by_name.get(name).and_then(|ids| ids.last()).copied()
    }

    pub(super) fn local_info(&self, id: LocalId) -> Option<&LocalInfo> {
        self.tables[self.cx.module.0 as usize].locals.get(id.0 as usize)
    }

    pub(super) fn push_scope(&mut self) {
        self.cx.scopes.push(Vec::new());
    }

    /// Leave a scope, warning about its unused variables (W0001).
    pub(super) fn pop_scope_warn(&mut self) {
        let Some(scope) = self.cx.scopes.pop() else { return };
        for (name, _) in scope.iter().rev() {
            if let Some(ids) = self.cx.by_name.get_mut(name) {
                ids.pop();
            }
        }
        for (name, id) in scope {
            let used = self.cx.meta.get(&id).is_none_or(|m| m.used);
            if used || name.starts_with('_') {
                continue;
            }
            let Some(span) = self.local_info(id).map(|i| i.span) else { continue };
            self.cx.unused.push((name, span));
        }
    }

    /// A local is read (or otherwise counts as used: no W0001).
    pub(super) fn mark_used(&mut self, id: LocalId) {
        if let Some(meta) = self.cx.meta.get_mut(&id) {
            meta.used = true;
        }
    }

    /// Every variable a pattern binds counts as used (no W0001).
    pub(super) fn mark_bindings_used(&mut self, p: &crate::ast::Pattern) {
        use crate::ast::PatternKind;
        match &p.kind {
            PatternKind::Binding(_) => {
                let res = self.tables[self.cx.module.0 as usize].patterns.get(&p.id).cloned();
                if let Some(PatRes::Binding(id) | PatRes::Unwrap(id)) = res {
                    self.mark_used(id);
                }
            }
            PatternKind::Tuple(ps) | PatternKind::Or(ps) => ps.iter().for_each(|sp| self.mark_bindings_used(sp)),
            PatternKind::Variant { args: Some(ps), .. } => ps.iter().for_each(|sp| self.mark_bindings_used(sp)),
            PatternKind::Struct { fields, .. } => fields.iter().for_each(|f| self.mark_bindings_used(&f.pattern)),
            _ => {}
        }
    }

    pub(super) fn record_pat(&mut self, id: NodeId, res: PatRes) {
        self.tables[self.cx.module.0 as usize].patterns.insert(id, res);
    }
}

//! Calls: user functions, methods, associated functions, enum variant
//! constructors, function values, and the dispatch to built-ins. Also the
//! `mut` argument rules.

use super::expr::StaticBase;
use super::place::PlaceRoot;
use super::{suggest, Checker, FnId, ItemRef, Res};
use crate::ast::{Arg, Expr, ExprKind, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::ty::{Ty, TypeId};

impl Checker<'_> {
    pub(super) fn call_expr(&mut self, e: &Expr, callee: &Expr, args: &[Arg], expected: Option<&Ty>) -> Ty {
        match &callee.kind {
            ExprKind::Name(n) if self.lookup_local(&n.name).is_none() => {
                let m = self.cx.module;
                match self.tables[m.0 as usize].items.get(&n.name).copied() {
                    Some(ItemRef::Fn(f)) => {
                        self.record_res(callee.id, Res::Fn(f));
                        let targs = self.record_fn_ty(callee, f);
                        return self.call_fn(f, &targs, args, e.span, None);
                    }
                    Some(ItemRef::Type(t)) => {
                        self.record_res(callee.id, Res::Type(t));
                        self.report(
                            Code::E0302,
                            callee.span,
                            format!("`{}` is a type, not a function", n.name),
                            format!("construct a struct with `{} {{ field: value }}`", n.name),
                        );
                        self.infer_args(args);
                        return Ty::Error;
                    }
                    Some(ItemRef::Global(_)) => {}
                    None => {
                        if !self.is_import_name(m, &n.name) && super::builtins::PRELUDE.contains(&n.name.as_str()) {
                            return self.builtin_call(e, callee, &n.name, args, expected);
                        }
                    }
                }
            }
            ExprKind::Field { base, name } => {
                if let Some(sb) = self.static_base(base) {
                    match sb {
                        StaticBase::Broken => {
                            self.infer_args(args);
                            return Ty::Error;
                        }
                        StaticBase::Math => return self.math_call(e, callee, name, args),
                        StaticBase::Json => return self.json_call(e, callee, name, args),
                        StaticBase::Num(ty) => {
                            if self.num_const(callee, ty, name) != Ty::Error {
                                let n = &name.name;
                                self.error(
                                    Code::E0302,
                                    callee.span,
                                    format!("`{ty}.{n}` is a constant, not a function"),
                                );
                            }
                            self.infer_args(args);
                            return Ty::Error;
                        }
                        StaticBase::Module(t) => match self.module_member(t, name) {
                            Some(ItemRef::Fn(f)) => {
                                self.record_res(callee.id, Res::Fn(f));
                                let targs = self.record_fn_ty(callee, f);
                                return self.call_fn(f, &targs, args, e.span, None);
                            }
                            Some(ItemRef::Global(_)) => {}
                            Some(ItemRef::Type(_)) => {
                                self.error(
                                    Code::E0302,
                                    callee.span,
                                    format!("`{}` is a type, not a function", name.name),
                                );
                                self.infer_args(args);
                                return Ty::Error;
                            }
                            None => {
                                self.infer_args(args);
                                return Ty::Error;
                            }
                        },
                        StaticBase::Type(tid) => return self.type_member_call(e, callee, tid, name, args),
                    }
                } else {
                    return self.method_call(e, callee, base, name, args);
                }
            }
            _ => {}
        }
        let ct = self.expr(callee, None);
        self.call_value(e.span, callee, &ct, args)
    }

    /// The callee's type at a call of `f`, and its type arguments (fresh
    /// variables when `f` is generic, none otherwise).
    fn record_fn_ty(&mut self, callee: &Expr, f: FnId) -> Vec<Ty> {
        let (id, span) = (callee.id, callee.span);
        let targs = self.instantiate_use(id, f, span);
        let t = self.fns.get(f.0 as usize).map(|i| i.fn_ty().subst(&targs)).unwrap_or(Ty::Error);
        self.cx.pending_exprs.push((id, t));
        targs
    }

    pub(super) fn infer_args(&mut self, args: &[Arg]) {
        for a in args {
            self.expr(&a.expr, None);
        }
    }

    /// Call a value of type `ct` (a closure, a function value, a variant
    /// constructor).
    fn call_value(&mut self, span: Span, callee: &Expr, ct: &Ty, args: &[Arg]) -> Ty {
        match self.shallow(ct) {
            Ty::Fn(ps, r) => {
                if ps.len() != args.len() {
                    self.arity(span, "this function", ps.len(), args.len());
                    self.infer_args(args);
                    return *r;
                }
                for (a, p) in args.iter().zip(ps.iter()) {
                    self.check_expr(&a.expr, p);
                    if a.mutable {
                        self.report(
                            Code::E0402,
                            a.span,
                            "`mut` given, but function values take no `mut` parameters",
                            "remove `mut`",
                        );
                    }
                }
                *r
            }
            Ty::Error => {
                self.infer_args(args);
                Ty::Error
            }
            Ty::Var(_) => {
                let ps: Vec<Ty> = args.iter().map(|a| self.expr(&a.expr, None)).collect();
                let r = self.fresh(span);
                self.unify(ct, &Ty::Fn(ps, Box::new(r.clone())));
                r
            }
            other => {
                let shown = self.display(&other);
                self.emit(
                    Diagnostic::new(Code::E0302, format!("a value of type `{shown}` is not a function"))
                        .primary(callee.span, format!("this is a `{shown}`")),
                );
                self.infer_args(args);
                Ty::Error
            }
        }
    }

    /// Check `args` against `params`; when their counts differ, E0301 (the
    /// arguments are still inferred) and false.
    pub(super) fn check_args(&mut self, span: Span, what: &str, params: &[Ty], args: &[Arg]) -> bool {
        if params.len() != args.len() {
            self.arity(span, what, params.len(), args.len());
            self.infer_args(args);
            return false;
        }
        for (a, p) in args.iter().zip(params) {
            self.check_expr(&a.expr, p);
        }
        true
    }

    pub(super) fn arity(&mut self, span: Span, what: &str, expected: usize, given: usize) {
        let s = if expected == 1 { "" } else { "s" };
        let was = if given == 1 { "was" } else { "were" };
        self.error(Code::E0301, span, format!("{what} takes {expected} argument{s} but {given} {was} given"));
    }

    /// Call a user function or method. `receiver` is the receiver of a
    /// method call and whether the method takes `mut self`.
    fn call_fn(&mut self, f: FnId, targs: &[Ty], args: &[Arg], span: Span, receiver: Option<(&Expr, bool)>) -> Ty {
        let Some(info) = self.fns.get(f.0 as usize).map(|i| i.instantiate(targs)) else { return Ty::Error };
        if args.len() != info.params.len() {
            self.arity(span, &format!("`{}`", info.name), info.params.len(), args.len());
            self.infer_args(args);
            return info.ret;
        }
        // The places lent as `mut` so far: root, fields below it, span. Two
        // overlap when they share a root and one's fields start the other's
        // (`p` and `p.x`, not `p.x` and `p.y`); through an index they may.
        let mut roots: Vec<(PlaceRoot, Option<Vec<String>>, Span)> = Vec::new();
        if let Some((recv, true)) = receiver {
            let what = format!("`{}` takes `mut self`, so the receiver must be mutable", info.name);
            if let Some(root) = self.require_mut_place(recv, Code::E0404, &what) {
                roots.push((root, self.field_path(recv), recv.span));
            }
        }
        for (a, p) in args.iter().zip(info.params.iter()) {
            self.check_expr(&a.expr, &p.ty);
            match (p.mutable, a.mutable) {
                (true, false) => {
                    let text = self.source_text(a.expr.span);
                    self.report(
                        Code::E0401,
                        a.span,
                        format!(
                            "parameter `{}` of `{}` is `mut`: the argument must be passed with `mut`",
                            p.name, info.name
                        ),
                        format!("write `mut {text}` to let `{}` change it", info.name),
                    );
                }
                (false, true) => {
                    self.report(
                        Code::E0402,
                        a.span,
                        format!("`mut` given, but parameter `{}` of `{}` is not `mut`", p.name, info.name),
                        "remove `mut`",
                    );
                }
                (true, true) => {
                    let Some(root) =
                        self.require_mut_place(&a.expr, Code::E0403, "a `mut` argument must be a mutable place")
                    else {
                        continue;
                    };
                    let path = self.field_path(&a.expr);
                    let overlaps = |(r, p, _): &&(PlaceRoot, Option<Vec<String>>, Span)| {
                        *r == root
                            && match (p, &path) {
                                (Some(p), Some(q)) => p.starts_with(q) || q.starts_with(p),
                                _ => true,
                            }
                    };
                    if let Some((_, _, first)) = roots.iter().find(overlaps) {
                        let first = *first;
                        self.emit(
                            Diagnostic::at(
                                Code::E0406,
                                a.expr.span,
                                "the same value, or a part of it, is passed as `mut` twice in one call",
                            )
                            .secondary(first, "first passed here")
                            .with_help("pass it once, or copy it into another `var` first"),
                        );
                    } else {
                        roots.push((root, path, a.expr.span));
                    }
                }
                (false, false) => {}
            }
        }
        info.ret
    }

    /// Methods and associated functions are private to their module unless
    /// `pub` (E0103).
    fn check_method_visible(&mut self, f: FnId, at: Span) {
        let Some(info) = self.fns.get(f.0 as usize) else { return };
        if info.is_pub || info.module == self.cx.module {
            return;
        }
        let modname = self.program.module(info.module).name.clone();
        let (name, def) = (info.name.clone(), info.span);
        self.emit(
            Diagnostic::at(Code::E0103, at, format!("`{name}` is private to module `{modname}`"))
                .secondary(def, "defined here")
                .with_help(format!("mark it `pub` in `{modname}`")),
        );
    }

    pub(super) fn source_text(&self, span: Span) -> String {
        self.program.sources.get(span.file).text.get(span.range()).unwrap_or("...").to_string()
    }

    /// `Shape.Circle(1.0)` or `Ball.new(...)`.
    fn type_member_call(&mut self, e: &Expr, callee: &Expr, tid: TypeId, name: &Ident, args: &[Arg]) -> Ty {
        if let Some(en) = self.types.as_enum(tid) {
            if let Some((i, v)) = en.variant(&name.name) {
                let fields: Vec<crate::ty::FieldDef> = v.fields.clone();
                let tname = self.types.get(tid).name.clone();
                // A generic enum's arguments: what the payload's types solve.
                let (enum_ty, targs) = self.fresh_type_ty(tid, callee.span);
                let fields: Vec<Ty> = fields.iter().map(|f| self.types.field_ty(f, &targs)).collect();
                self.record_res(callee.id, Res::Variant(tid, i));
                if fields.is_empty() {
                    self.report(
                        Code::E0302,
                        callee.span,
                        format!("`{tname}.{}` has no fields and cannot be called", name.name),
                        format!("write `{tname}.{}`", name.name),
                    );
                    self.infer_args(args);
                    return enum_ty;
                }
                let ct = Ty::Fn(fields, Box::new(enum_ty.clone()));
                self.cx.pending_exprs.push((callee.id, ct.clone()));
                if args.len() != ct_arity(&ct) {
                    self.arity(e.span, &format!("`{tname}.{}`", name.name), ct_arity(&ct), args.len());
                    self.infer_args(args);
                    return enum_ty;
                }
                return self.call_value(e.span, callee, &ct, args);
            }
        }
        match self.methods.get(&(tid, name.name.clone())).copied() {
            Some(f) => {
                self.record_res(callee.id, Res::Fn(f));
                let targs = self.record_fn_ty(callee, f);
                self.check_method_visible(f, name.span);
                if self.takes_self(f, tid, name, format!("call it on a value: `value.{}(...)`", name.name)) {
                    self.infer_args(args);
                    return self.fns.get(f.0 as usize).map(|i| i.ret.clone()).unwrap_or(Ty::Error);
                }
                self.call_fn(f, &targs, args, e.span, None)
            }
            None => {
                self.unknown_type_member(tid, name);
                self.infer_args(args);
                Ty::Error
            }
        }
    }

    fn method_call(&mut self, e: &Expr, callee: &Expr, base: &Expr, name: &Ident, args: &[Arg]) -> Ty {
        let bt = self.expr(base, None);
        match self.shallow(&bt) {
            Ty::Struct(tid, targs) | Ty::Enum(tid, targs) => {
                if let Some(f) = self.methods.get(&(tid, name.name.clone())).copied() {
                    self.record_res(callee.id, Res::Method(f));
                    let recv_args = targs.clone();
                    let targs = self.record_fn_ty(callee, f);
                    // A generic type's method: its type arguments are the
                    // receiver's.
                    if recv_args.len() == targs.len() {
                        for (a, b) in targs.iter().zip(&recv_args) {
                            self.unify(a, b);
                        }
                    }
                    self.check_method_visible(f, name.span);
                    let Some(info) = self.fns.get(f.0 as usize).cloned() else { return Ty::Error };
                    return match info.self_param {
                        Some(mutable) => self.call_fn(f, &targs, args, e.span, Some((base, mutable))),
                        None => {
                            let tname = self.types.get(tid).name.clone();
                            self.report(
                                Code::E0204,
                                name.span,
                                format!("`{}` is an associated function of `{tname}`, not a method", name.name),
                                format!("call it as `{tname}.{}(...)`", name.name),
                            );
                            self.infer_args(args);
                            info.ret
                        }
                    };
                }
                let field = self
                    .types
                    .as_struct(tid)
                    .and_then(|s| s.fields.iter().enumerate().find(|(_, f)| f.name == name.name))
                    .map(|(i, f)| (i, self.types.field_ty(f, &targs)));
                if let Some((i, ft)) = field.clone() {
                    if matches!(self.shallow(&ft), Ty::Fn(..)) {
                        self.record_res(callee.id, Res::Field(tid, i));
                        self.cx.pending_exprs.push((callee.id, ft.clone()));
                        return self.call_value(e.span, callee, &ft, args);
                    }
                }
                let tname = self.types.get(tid).name.clone();
                let mut candidates: Vec<String> =
                    self.methods.keys().filter(|(t, _)| *t == tid).map(|(_, n)| n.clone()).collect();
                candidates.sort();
                let mut d = Diagnostic::at(Code::E0204, name.span, format!("`{tname}` has no method `{}`", name.name));
                if let Some(h) = suggest(&name.name, candidates.iter().map(|s| s.as_str())) {
                    d = d.with_help(h);
                } else if field.is_some() {
                    d = d.with_help(format!("`{}` is a field, not a method", name.name));
                }
                self.emit(d);
                self.infer_args(args);
                Ty::Error
            }
            t @ (Ty::Str | Ty::List(_) | Ty::Map(..)) => self.builtin_method_call(e, callee, base, &t, name, args),
            Ty::Error => {
                self.infer_args(args);
                Ty::Error
            }
            Ty::Var(_) => {
                self.infer_args(args);
                self.must_know(base.span)
            }
            other => {
                let shown = self.display(&other);
                self.error(Code::E0204, name.span, format!("`{shown}` has no method `{}`", name.name));
                self.infer_args(args);
                Ty::Error
            }
        }
    }
}

fn ct_arity(t: &Ty) -> usize {
    match t {
        Ty::Fn(ps, _) => ps.len(),
        _ => 0,
    }
}

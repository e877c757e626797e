//! Checking expressions. Bidirectional: [`Checker::expr`] infers a type
//! using an optional expected type as a hint, [`Checker::check_expr`] also
//! coerces the result to the expected type (`T` → `T?`, `T` → `T!`,
//! `never` → any). Calls are in `call.rs`, `match` in `pattern.rs`, blocks,
//! `if` and statements in `stmt.rs`.

use super::items::ImportTarget;
use super::stmt::Tail;
use super::{suggest, Checker, Coercion, FnId, ItemRef, Res};
use crate::ast::{BinOp, Expr, ExprKind, Ident, NodeId, StrPart, UnaryOp};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};
use std::collections::HashMap;

impl<'p> Checker<'p> {
    // ---- types and coercion ----

    /// Check `e` against `expected`, coercing where allowed.
    pub(super) fn check_expr(&mut self, e: &Expr, expected: &Ty) -> Ty {
        let t = self.expr(e, Some(expected));
        if self.coerce(Some(e.id), e.span, &t, expected) {
            expected.clone()
        } else {
            Ty::Error
        }
    }

    pub(super) fn coerce(&mut self, id: Option<NodeId>, span: Span, actual: &Ty, expected: &Ty) -> bool {
        let a = self.shallow(actual);
        let x = self.shallow(expected);
        if matches!(a, Ty::Never | Ty::Error) || x.is_error() {
            return true;
        }
        if self.unify(&a, &x) {
            return true;
        }
        let wrap = match &x {
            Ty::Optional(inner) if !matches!(a, Ty::Optional(_)) && self.unify(&a, inner) => Some(Coercion::WrapSome),
            Ty::Result(inner) if !matches!(a, Ty::Result(_)) && self.unify(&a, inner) => Some(Coercion::WrapOk),
            _ => None,
        };
        if let Some(c) = wrap {
            if let Some(id) = id {
                self.tables[self.cx.module.0 as usize].coercions.insert(id, c);
            }
            return true;
        }
        self.mismatch(span, &x, &a);
        false
    }

    pub(super) fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
        let xs = self.display(expected);
        let found = self.zonk(found);
        // `none` on its own has type `_?`; say what the user wrote.
        let fs = match &found {
            Ty::Optional(inner) if matches!(**inner, Ty::Var(_)) => "none".to_string(),
            other => other.display(&self.types).to_string(),
        };
        let mut d = Diagnostic::new(Code::E0300, format!("mismatched types: expected `{xs}`, found `{fs}`"))
            .primary(span, format!("expected `{xs}`"));
        match (self.zonk(expected), found) {
            (Ty::Float, Ty::Int) => d = d.with_help("convert with `float(...)`"),
            (Ty::Int, Ty::Float) => d = d.with_help("convert with `int(...)` (truncates toward zero)"),
            (Ty::Str, Ty::Int | Ty::Float | Ty::Bool) => {
                d = d.with_help("convert with `str(...)` or use interpolation \"{...}\"")
            }
            (x, Ty::Optional(_)) if !matches!(x, Ty::Optional(_)) => {
                d = d.with_help(format!(
                    "declare it as `{xs}?` to allow `none`, or unwrap with `??`, `if let` or `match`"
                ))
            }
            _ => {}
        }
        self.emit(d);
    }

    /// Type of `e`, using `expected` as a hint only. Records it.
    pub(super) fn expr(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        // Nesting is capped by the parser, but a debug build's frames are
        // large: grow the stack on demand so any thread can check any input.
        let t = crate::with_stack(|| self.expr_kind(e, expected));
        self.cx.pending_exprs.push((e.id, t.clone()));
        t
    }

    pub(super) fn record_res(&mut self, id: NodeId, r: Res) {
        self.tables[self.cx.module.0 as usize].resolutions.insert(id, r);
    }

    fn record_ty(&mut self, id: NodeId, t: &Ty) {
        self.cx.pending_exprs.push((id, t.clone()));
    }

    /// An expression in statement position: `if`/`match` branches need not
    /// agree. Returns `never` when every path diverges.
    pub(super) fn expr_discard(&mut self, e: &Expr) -> Ty {
        let t = match &e.kind {
            ExprKind::If { cond, then, else_ } => self.if_expr(cond, then, else_.as_deref(), Tail::Discard),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, Tail::Discard),
            ExprKind::Block(b) => self.block(b, Tail::Discard),
            _ => return self.expr(e, None),
        };
        self.record_ty(e.id, &Ty::Unit);
        t
    }

    fn expr_kind(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::None => match expected.map(|t| self.shallow(t)) {
                Some(t @ Ty::Optional(_)) => t,
                _ => Ty::optional(self.fresh(e.span)),
            },
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp { expr, spec, spec_args } = p {
                        let t = self.expr(expr, None);
                        if let Some(spec) = spec {
                            // Shown with its nested arguments as `{…}`.
                            let mut shown = spec.clone();
                            for (at, _) in spec_args.iter().rev() {
                                shown.insert_str(*at, "{…}");
                            }
                            self.check_format_spec(expr, &t, &shown);
                        }
                        // A width or precision written `{expr}` is an int.
                        for (_, a) in spec_args {
                            self.check_expr(a, &Ty::Int);
                        }
                    }
                }
                Ty::Str
            }
            ExprKind::Name(n) => self.name_expr(e, n, expected),
            ExprKind::SelfValue => match self.cx.self_ty.clone() {
                Some((t, _)) => {
                    self.record_res(e.id, Res::SelfValue);
                    t
                }
                None => {
                    self.error(Code::E0200, e.span, "`self` is only available inside a method that takes `self`");
                    Ty::Error
                }
            },
            ExprKind::Field { base, name } => self.field_expr(e, base, name, expected),
            ExprKind::TupleIndex { base, index, index_span } => {
                let bt = self.expr(base, None);
                match self.shallow(&bt) {
                    Ty::Tuple(ts) => match ts.get(*index as usize) {
                        Some(t) => t.clone(),
                        None => {
                            let shown = self.display(&bt);
                            self.error(Code::E0203, *index_span, format!("the tuple `{shown}` has no field `{index}`"));
                            Ty::Error
                        }
                    },
                    Ty::Error => Ty::Error,
                    Ty::Var(_) => self.must_know(base.span),
                    other => {
                        let shown = self.display(&other);
                        self.error(
                            Code::E0203,
                            *index_span,
                            format!("`{shown}` is not a tuple; it has no field `{index}`"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Call { callee, args } => self.call_expr(e, callee, args, expected),
            ExprKind::Index { base, index } => {
                let bt = self.expr(base, None);
                match self.shallow(&bt) {
                    Ty::List(el) => {
                        self.check_expr(index, &Ty::Int);
                        *el
                    }
                    Ty::Map(k, v) => {
                        self.check_expr(index, &k);
                        *v
                    }
                    Ty::Error => {
                        self.expr(index, None);
                        Ty::Error
                    }
                    Ty::Var(_) => self.must_know(base.span),
                    Ty::Str => {
                        self.expr(index, None);
                        self.report(Code::E0303, e.span, "strings cannot be indexed", "use `s.chars()[i]`");
                        Ty::Error
                    }
                    other => {
                        self.expr(index, None);
                        let shown = self.display(&other);
                        self.error(Code::E0303, base.span, format!("a value of type `{shown}` cannot be indexed"));
                        Ty::Error
                    }
                }
            }
            ExprKind::Slice { base, start, end, .. } => {
                let bt = self.expr(base, None);
                for b in [start, end].into_iter().flatten() {
                    self.check_expr(b, &Ty::Int);
                }
                match self.shallow(&bt) {
                    t @ Ty::List(_) => t,
                    Ty::Error => Ty::Error,
                    Ty::Var(_) => self.must_know(base.span),
                    // By character positions, like `len()`.
                    Ty::Str => Ty::Str,
                    other => {
                        let shown = self.display(&other);
                        self.error(Code::E0303, base.span, format!("a value of type `{shown}` cannot be sliced"));
                        Ty::Error
                    }
                }
            }
            ExprKind::Unary { op: UnaryOp::BitNot, expr } => self.bit_not(e, expr),
            ExprKind::Unary { op, expr } => {
                let t = self.expr(expr, None);
                let st = self.shallow(&t);
                match (op, &st) {
                    (_, Ty::Error) => Ty::Error,
                    (UnaryOp::Neg, Ty::Int | Ty::Float) | (UnaryOp::Not, Ty::Bool) => st,
                    (UnaryOp::Not, Ty::Var(_)) => {
                        self.unify(&st, &Ty::Bool);
                        Ty::Bool
                    }
                    // `-x` on a value whose type is not known yet: an int
                    // or a float, the program must say which.
                    (UnaryOp::Neg, Ty::Var(_)) => self.must_know(expr.span),
                    _ => {
                        let (sym, want) = match op {
                            UnaryOp::Neg => ("-", "an int or a float"),
                            UnaryOp::Not if st == Ty::Int => ("!", "a bool (the bitwise not of an int is `~x`)"),
                            UnaryOp::Not => ("!", "a bool"),
                            UnaryOp::BitNot => ("~", "an int"),
                        };
                        let shown = self.display(&st);
                        self.report(
                            Code::E0304,
                            e.span,
                            format!("cannot apply unary `{sym}` to `{shown}`"),
                            format!("`{sym}` needs {want}"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::Range { start, end, .. } => {
                self.check_expr(start, &Ty::Int);
                self.check_expr(end, &Ty::Int);
                Ty::list(Ty::Int)
            }
            ExprKind::Try(inner) => self.try_expr(e, inner),
            ExprKind::List(items) => {
                let elem = match expected.map(|t| self.shallow(t)) {
                    Some(Ty::List(el)) => *el,
                    _ => self.fresh(e.span),
                };
                // `math.abs`, `min` and `max` take ints or floats: the other
                // items go first, so that `[math.abs, |x: int| x]` is ints.
                let (overloaded, plain): (Vec<&Expr>, Vec<&Expr>) =
                    items.iter().partition(|i| self.is_overloaded_math(i));
                for item in plain.into_iter().chain(overloaded) {
                    self.check_expr(item, &elem);
                }
                Ty::list(elem)
            }
            ExprKind::Map(pairs) => {
                let (k, v) = match expected.map(|t| self.shallow(t)) {
                    Some(Ty::Map(k, v)) => (*k, *v),
                    _ => (self.fresh(e.span), self.fresh(e.span)),
                };
                for (ke, ve) in pairs {
                    self.check_expr(ke, &k);
                    self.check_expr(ve, &v);
                }
                if let Some((first, _)) = pairs.first() {
                    self.check_map_key(&k, first.span);
                }
                Ty::map(k, v)
            }
            ExprKind::Tuple(items) if items.is_empty() => Ty::Unit,
            ExprKind::Tuple(items) => {
                let hints = match expected.map(|t| self.shallow(t)) {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => Some(ts),
                    _ => None,
                };
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match hints.as_ref().and_then(|h| h.get(i)) {
                        Some(h) => out.push(self.check_expr(item, h)),
                        None => out.push(self.expr(item, None)),
                    }
                }
                Ty::Tuple(out)
            }
            ExprKind::StructLit { path, fields } => self.struct_lit(e, path, fields),
            ExprKind::If { cond, then, else_ } => {
                let tail = match expected {
                    Some(t) => Tail::Check(t),
                    None => Tail::Infer(None),
                };
                self.if_expr(cond, then, else_.as_deref(), tail)
            }
            ExprKind::Match { scrutinee, arms } => {
                let tail = match expected {
                    Some(t) => Tail::Check(t),
                    None => Tail::Infer(None),
                };
                self.match_expr(scrutinee, arms, tail)
            }
            ExprKind::Closure { params, ret, body } => self.closure(e, params, ret.as_ref(), body, expected),
            ExprKind::Block(b) => match expected {
                Some(t) => self.block(b, Tail::Check(t)),
                None => self.block(b, Tail::Infer(None)),
            },
            ExprKind::Error => {
                self.cx.saw_parse_error = true;
                Ty::Error
            }
        }
    }

    /// Integer formats (`x X b o`) need an int, exponent formats (`e E`) a
    /// number: the generated Rust would not compile otherwise.
    fn check_format_spec(&mut self, e: &Expr, t: &Ty, spec: &str) {
        let Some(kind) = spec.chars().last() else { return };
        let t = self.shallow(t);
        let (ok, want) = match kind {
            'x' | 'X' | 'b' | 'o' => (matches!(t, Ty::Int), "an int"),
            'e' | 'E' => (matches!(t, Ty::Int | Ty::Float), "an int or a float"),
            _ => return,
        };
        if !ok && !matches!(t, Ty::Error | Ty::Var(_)) {
            let shown = self.display(&t);
            self.report(
                Code::E0300,
                e.span,
                format!("the format `:{spec}` needs {want}, found `{shown}`"),
                "remove the format spec or convert the value",
            );
        }
    }

    /// E0306 where a value's type must already be known (method calls,
    /// fields, indexing on an unannotated closure parameter).
    pub(super) fn must_know(&mut self, span: Span) -> Ty {
        self.report(
            Code::E0306,
            span,
            "the type of this value must be known here",
            "add a type annotation, e.g. `|x: int| ...` or `let x: [int] = ...`",
        );
        Ty::Error
    }

    fn name_expr(&mut self, e: &Expr, n: &Ident, expected: Option<&Ty>) -> Ty {
        if let Some(id) = self.lookup_local(&n.name) {
            if let Some(meta) = self.cx.meta.get_mut(&id) {
                meta.used = true;
                let depth = meta.depth as usize;
                // Closures deeper than the local's declaration capture it.
                for (_, caps) in self.cx.closures.iter_mut().skip(depth) {
                    if !caps.contains(&id) {
                        caps.push(id);
                    }
                }
            }
            self.record_res(e.id, Res::Local(id));
            return self.local_info(id).map(|i| i.ty.clone()).unwrap_or(Ty::Error);
        }
        let m = self.cx.module;
        match self.tables[m.0 as usize].items.get(&n.name).copied() {
            Some(ItemRef::Fn(f)) => {
                self.record_res(e.id, Res::Fn(f));
                return self.fn_value_ty(e.id, f, e.span);
            }
            Some(ItemRef::Global(g)) => {
                self.record_res(e.id, Res::Global(g));
                return self.global_ty(g, e.span);
            }
            Some(ItemRef::Type(t)) => {
                self.record_res(e.id, Res::Type(t));
                let name = &n.name;
                let help = match self.types.get(t).kind {
                    TypeDefKind::Struct(_) => format!("construct a value with `{name} {{ ... }}`"),
                    TypeDefKind::Enum(_) => format!("name a variant, e.g. `{name}.Variant`"),
                };
                self.report(Code::E0200, n.span, format!("`{name}` is a type, not a value"), help);
                return Ty::Error;
            }
            None => {}
        }
        if self.is_import_name(m, &n.name) {
            self.import_target(m, &n.name);
            self.report(
                Code::E0200,
                n.span,
                format!("module `{}` is not a value", n.name),
                format!("use one of its items: `{}.name`", n.name),
            );
            return Ty::Error;
        }
        if let Some(t) = self.builtin_value(e, &n.name, expected) {
            return t;
        }
        self.unknown_name(n);
        Ty::Error
    }

    fn unknown_name(&mut self, n: &Ident) {
        let m = self.cx.module.0 as usize;
        let mut candidates: Vec<String> = self.cx.scopes.iter().flatten().map(|(n, _)| n.clone()).collect();
        candidates.extend(self.tables[m].items.keys().cloned());
        candidates.extend(super::builtins::PRELUDE.iter().map(|s| s.to_string()));
        candidates.sort();
        let help = suggest(&n.name, candidates.iter().map(|s| s.as_str()));
        let mut d = Diagnostic::at(Code::E0200, n.span, format!("cannot find `{}` in this scope", n.name));
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.emit(d);
    }

    /// The module or type a dotted prefix names, if it names one.
    pub(super) fn static_base(&mut self, e: &Expr) -> Option<StaticBase> {
        let m = self.cx.module;
        match &e.kind {
            ExprKind::Name(n) => {
                if self.lookup_local(&n.name).is_some() {
                    return None;
                }
                match self.tables[m.0 as usize].items.get(&n.name).copied() {
                    Some(ItemRef::Type(t)) => {
                        self.record_res(e.id, Res::Type(t));
                        return Some(StaticBase::Type(t));
                    }
                    Some(_) => return None,
                    None => {}
                }
                if !self.is_import_name(m, &n.name) {
                    // `int.MAX`, `float.NAN`: the number types' constants.
                    return match n.name.as_str() {
                        "int" => Some(StaticBase::Num("int")),
                        "float" => Some(StaticBase::Num("float")),
                        _ => None,
                    };
                }
                Some(match self.import_target(m, &n.name) {
                    Some(ImportTarget::User(t)) => {
                        self.record_res(e.id, Res::Module(t));
                        StaticBase::Module(t)
                    }
                    Some(ImportTarget::Math) => StaticBase::Math,
                    Some(ImportTarget::Json) => StaticBase::Json,
                    None => StaticBase::Broken,
                })
            }
            ExprKind::Field { base, name } => match self.static_base(base)? {
                StaticBase::Module(t) => match self.tables[t.0 as usize].items.get(&name.name).copied() {
                    Some(ItemRef::Type(_)) => match self.module_member(t, name) {
                        Some(ItemRef::Type(tid)) => {
                            self.record_res(e.id, Res::Type(tid));
                            Some(StaticBase::Type(tid))
                        }
                        _ => Some(StaticBase::Broken),
                    },
                    _ => None,
                },
                // `json.Json`, as a type before `.Null` or `.Number(..)`.
                StaticBase::Json if name.name == "Json" => {
                    self.record_res(e.id, Res::Type(crate::ty::JSON));
                    Some(StaticBase::Type(crate::ty::JSON))
                }
                StaticBase::Broken => Some(StaticBase::Broken),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `e` is `math.abs`, `math.min` or `math.max` (which take
    /// ints or floats) as a value.
    fn is_overloaded_math(&self, e: &Expr) -> bool {
        let ExprKind::Field { base, name } = &e.kind else { return false };
        let ExprKind::Name(n) = &base.kind else { return false };
        let m = self.cx.module;
        ["abs", "min", "max"].contains(&name.name.as_str())
            && self.lookup_local(&n.name).is_none()
            && !self.tables[m.0 as usize].items.contains_key(&n.name)
            && {
                let module = self.program.module(m);
                let i = module.ast.imports.iter().position(|imp| imp.local_name().name == n.name);
                i.is_some_and(|i| {
                    module.imports.get(i).copied().flatten().is_none() && module.ast.imports[i].dotted() == "math"
                })
            }
    }

    fn field_expr(&mut self, e: &Expr, base: &Expr, name: &Ident, expected: Option<&Ty>) -> Ty {
        if let Some(sb) = self.static_base(base) {
            return match sb {
                StaticBase::Broken => Ty::Error,
                StaticBase::Math => self.math_value(e, name, expected),
                StaticBase::Json => self.json_value(name),
                StaticBase::Num(ty) => self.num_const(e, ty, name),
                StaticBase::Module(t) => match self.module_member(t, name) {
                    Some(ItemRef::Fn(f)) => {
                        self.record_res(e.id, Res::Fn(f));
                        self.fn_value_ty(e.id, f, e.span)
                    }
                    Some(ItemRef::Global(g)) => {
                        self.record_res(e.id, Res::Global(g));
                        self.global_ty(g, e.span)
                    }
                    Some(ItemRef::Type(_)) => {
                        self.error(Code::E0200, name.span, format!("`{}` is a type, not a value", name.name));
                        Ty::Error
                    }
                    None => Ty::Error,
                },
                StaticBase::Type(tid) => self.type_member_value(e, tid, name),
            };
        }
        let bt = self.expr(base, None);
        match self.shallow(&bt) {
            Ty::Struct(tid, targs) => {
                let found = self
                    .types
                    .as_struct(tid)
                    .and_then(|s| s.fields.iter().enumerate().find(|(_, f)| f.name == name.name))
                    .map(|(i, f)| (i, self.types.field_ty(f, &targs)));
                match found {
                    Some((i, t)) => {
                        self.record_res(e.id, Res::Field(tid, i));
                        t
                    }
                    None => {
                        self.unknown_field(tid, name);
                        Ty::Error
                    }
                }
            }
            Ty::Error => Ty::Error,
            Ty::Var(_) => self.must_know(base.span),
            other => {
                let shown = self.display(&other);
                let mut d = Diagnostic::at(Code::E0203, name.span, format!("`{shown}` has no field `{}`", name.name));
                if matches!(other, Ty::Str | Ty::List(_) | Ty::Map(..)) {
                    d = d.with_help(format!("to call a method, write `.{}()`", name.name));
                }
                self.emit(d);
                Ty::Error
            }
        }
    }

    pub(super) fn unknown_field(&mut self, tid: TypeId, name: &Ident) {
        let tname = self.types.get(tid).name.clone();
        let fields: Vec<String> =
            self.types.as_struct(tid).map(|s| s.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default();
        let mut d = Diagnostic::at(Code::E0203, name.span, format!("struct `{tname}` has no field `{}`", name.name));
        if self.methods.contains_key(&(tid, name.name.clone())) {
            d = d.with_help(format!("`{}` is a method: call it with `.{}(...)`", name.name, name.name));
        } else if let Some(h) = suggest(&name.name, fields.iter().map(|s| s.as_str())) {
            d = d.with_help(h);
        }
        self.emit(d);
    }

    /// `Type.name` names `f`, a method that takes `self`, where a plain
    /// function is wanted: E0204 with `help`. Whether it does.
    pub(super) fn takes_self(&mut self, f: FnId, tid: TypeId, name: &Ident, help: String) -> bool {
        if self.fns.get(f.0 as usize).is_none_or(|i| i.self_param.is_none()) {
            return false;
        }
        let tname = self.types.get(tid).name.clone();
        self.report(Code::E0204, name.span, format!("`{tname}.{}` is a method that takes `self`", name.name), help);
        true
    }

    /// `Shape.Empty`, `Shape.Circle` (constructor as a value), `Ball.new`.
    fn type_member_value(&mut self, e: &Expr, tid: TypeId, name: &Ident) -> Ty {
        if let Some(en) = self.types.as_enum(tid) {
            if let Some((i, v)) = en.variant(&name.name) {
                let fields: Vec<crate::ty::FieldDef> = v.fields.clone();
                self.record_res(e.id, Res::Variant(tid, i));
                // A generic enum's arguments: what the use's types solve.
                let (t, targs) = self.fresh_type_ty(tid, e.span);
                let fields: Vec<Ty> = fields.iter().map(|f| self.types.field_ty(f, &targs)).collect();
                return if fields.is_empty() { t } else { Ty::Fn(fields, Box::new(t)) };
            }
        }
        if let Some(f) = self.methods.get(&(tid, name.name.clone())).copied() {
            self.record_res(e.id, Res::Fn(f));
            let help = format!("call it on a value, or wrap it: `|v| v.{}(...)`", name.name);
            if self.takes_self(f, tid, name, help) {
                return Ty::Error;
            }
            return self.fn_value_ty(e.id, f, e.span);
        }
        self.unknown_type_member(tid, name);
        Ty::Error
    }

    pub(super) fn unknown_type_member(&mut self, tid: TypeId, name: &Ident) {
        let tname = self.types.get(tid).name.clone();
        let mut candidates: Vec<String> =
            self.methods.keys().filter(|(t, _)| *t == tid).map(|(_, n)| n.clone()).collect();
        let code = match self.types.as_enum(tid) {
            Some(en) => {
                candidates.extend(en.variants.iter().map(|v| v.name.clone()));
                Code::E0205
            }
            None => Code::E0204,
        };
        candidates.sort();
        let what = if code == Code::E0205 { "variant or function" } else { "associated function" };
        let mut d = Diagnostic::at(code, name.span, format!("`{tname}` has no {what} `{}`", name.name));
        if let Some(h) = suggest(&name.name, candidates.iter().map(|s| s.as_str())) {
            d = d.with_help(h);
        }
        self.emit(d);
    }

    fn binary(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr) -> Ty {
        if op.is_bitwise() {
            return self.bitwise(e, op, lhs, rhs);
        }
        match op {
            BinOp::And | BinOp::Or => {
                self.check_expr(lhs, &Ty::Bool);
                self.check_expr(rhs, &Ty::Bool);
                return Ty::Bool;
            }
            BinOp::Coalesce => {
                let lt = self.expr(lhs, None);
                let inner = match self.shallow(&lt) {
                    Ty::Optional(inner) => *inner,
                    Ty::Error => {
                        self.expr(rhs, None);
                        return Ty::Error;
                    }
                    Ty::Var(_) => {
                        let inner = self.fresh(lhs.span);
                        self.unify(&lt, &Ty::optional(inner.clone()));
                        inner
                    }
                    other => {
                        self.expr(rhs, None);
                        let shown = self.display(&other);
                        self.report(
                            Code::E0304,
                            lhs.span,
                            format!("`??` needs an optional on its left, found `{shown}`"),
                            "`a ?? b` gives the value inside `a: T?`, or `b` when `a` is `none`",
                        );
                        return Ty::Error;
                    }
                };
                self.check_expr(rhs, &inner);
                return inner;
            }
            _ => {}
        }
        let lt = self.expr(lhs, None);
        let rt = self.expr(rhs, Some(&lt));
        self.binary_types(e.span, op, &lt, &rt)
    }

    /// The result of `lt op rt` for arithmetic and comparisons (also used
    /// by compound assignment).
    pub(super) fn binary_types(&mut self, span: Span, op: BinOp, lt: &Ty, rt: &Ty) -> Ty {
        let (l, r) = (self.shallow(lt), self.shallow(rt));
        if l.is_error() || r.is_error() || l == Ty::Never || r == Ty::Never {
            return if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem) {
                Ty::Error
            } else {
                Ty::Bool
            };
        }
        let same = self.unify(&l, &r);
        let t = self.shallow(&l);
        let ok = same
            && match op {
                BinOp::Add => matches!(t, Ty::Int | Ty::Float | Ty::Str | Ty::Var(_)),
                BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => matches!(t, Ty::Int | Ty::Float | Ty::Var(_)),
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    matches!(t, Ty::Int | Ty::Float | Ty::Str | Ty::Var(_))
                        || self.record_need(&t, super::Need::Comparable)
                }
                // Through user types too: a struct with a function field
                // has no `==` either.
                BinOp::Eq | BinOp::Ne => !self.holds_fn(&self.zonk(&t)),
                BinOp::And | BinOp::Or | BinOp::Coalesce => false,
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr => {
                    matches!(t, Ty::Int | Ty::Var(_))
                }
            };
        if !ok {
            let (ls, rs) = (self.display(&l), self.display(&r));
            let sym = op.as_str();
            let mut d = Diagnostic::at(Code::E0304, span, format!("cannot apply `{sym}` to `{ls}` and `{rs}`"));
            d = match (self.zonk(&l), self.zonk(&r)) {
                (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => {
                    d.with_help("there is no implicit int → float conversion: write `float(i)` or `int(x)`")
                }
                (Ty::Str, _) | (_, Ty::Str) if op == BinOp::Add => {
                    d.with_help("convert with `str(...)` or use interpolation")
                }
                _ if !same => d.with_help(format!("both sides of `{sym}` must have the same type")),
                _ => match op {
                    BinOp::Add => d.with_help("`+` works on two ints, two floats or two strs"),
                    BinOp::Eq | BinOp::Ne => d.with_help("functions cannot be compared"),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        d.with_help("ordering works on int, float and str")
                    }
                    _ => d.with_help(format!("`{sym}` works on two ints or two floats")),
                },
            };
            self.emit(d);
            return if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem) {
                Ty::Error
            } else {
                Ty::Bool
            };
        }
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => t,
            _ if op.is_bitwise() => t,
            _ => Ty::Bool,
        }
    }

    /// `a & b`, `a | b`, `a ^ b`, `a << b`, `a >> b`: ints only (E0304).
    fn bitwise(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr) -> Ty {
        let lt = self.expr(lhs, Some(&Ty::Int));
        let rt = self.expr(rhs, Some(&Ty::Int));
        self.bitwise_types(e.span, op, &lt, &rt);
        Ty::Int
    }

    /// Whether `lt op rt` is a bitwise operation on two ints (E0304
    /// otherwise); also used by compound assignment (`m &= 3`).
    pub(super) fn bitwise_types(&mut self, span: Span, op: BinOp, lt: &Ty, rt: &Ty) -> bool {
        let (l, r) = (self.shallow(lt), self.shallow(rt));
        if l.is_error() || r.is_error() || l == Ty::Never || r == Ty::Never {
            return false;
        }
        let is_int = |t: &Ty| matches!(t, Ty::Int | Ty::Var(_));
        if is_int(&l) && is_int(&r) {
            self.unify(&l, &Ty::Int);
            self.unify(&r, &Ty::Int);
            return true;
        }
        let (ls, rs) = (self.display(&l), self.display(&r));
        let sym = op.as_str();
        let help = match (op, &l, &r) {
            (BinOp::BitAnd, Ty::Bool, Ty::Bool) => "for bools, logical and is `&&`".to_string(),
            (BinOp::BitOr, Ty::Bool, Ty::Bool) => "for bools, logical or is `||`".to_string(),
            (BinOp::BitXor, Ty::Bool, Ty::Bool) => "for bools, exclusive or is `a != b`".to_string(),
            _ => format!("`{sym}` works on two ints"),
        };
        self.report(Code::E0304, span, format!("cannot apply `{sym}` to `{ls}` and `{rs}`"), help);
        false
    }

    /// `~x`: the bitwise not of an int (E0304 otherwise).
    fn bit_not(&mut self, e: &Expr, inner: &Expr) -> Ty {
        let t = self.expr(inner, Some(&Ty::Int));
        match self.shallow(&t) {
            Ty::Int | Ty::Error | Ty::Never => {}
            v @ Ty::Var(_) => {
                self.unify(&v, &Ty::Int);
            }
            other => {
                let shown = self.display(&other);
                let help =
                    if other == Ty::Bool { "`~` needs an int; the not of a bool is `!b`" } else { "`~` needs an int" };
                self.report(Code::E0304, e.span, format!("cannot apply unary `~` to `{shown}`"), help);
            }
        }
        Ty::Int
    }

    fn try_expr(&mut self, e: &Expr, inner: &Expr) -> Ty {
        let t = self.expr(inner, None);
        let ret = self.cx.returns.last().cloned();
        let Some(ret) = ret else {
            self.error(Code::E0307, e.span, "`?` can only be used inside a function");
            return Ty::Error;
        };
        let ret = self.shallow(&ret);
        // What `?` unwraps, how the function's return type must wrap too.
        let (x, wrap, what, help): (Ty, fn(Ty) -> Ty, &str, &str) = match self.shallow(&t) {
            Ty::Error => return Ty::Error,
            Ty::Optional(x) => (
                *x,
                Ty::optional,
                "an optional",
                "make the return type `T?`, or handle `none` with `??`, `if let` or `match`",
            ),
            Ty::Result(x) => {
                (*x, Ty::result, "a result", "make the return type `T!`, or handle the error with `match`")
            }
            Ty::Var(_) => return self.must_know(inner.span),
            other => {
                let shown = self.display(&other);
                self.report(
                    Code::E0307,
                    e.span,
                    format!("`?` needs an optional or a result, found `{shown}`"),
                    "remove the `?`",
                );
                return Ty::Error;
            }
        };
        if let Ty::Var(_) = ret {
            let v = self.fresh(e.span);
            self.unify(&ret, &wrap(v));
        }
        let ret = self.shallow(&ret);
        // The function returns an optional (a result) too: `?` passes it on.
        if ret == Ty::Error || std::mem::discriminant(&ret) == std::mem::discriminant(&wrap(Ty::Error)) {
            return x;
        }
        let shown = self.display(&ret);
        self.report(
            Code::E0307,
            e.span,
            format!("`?` on {what} needs a function returning {what}, not `{shown}`"),
            help,
        );
        x
    }

    fn struct_lit(&mut self, e: &Expr, path: &[Ident], fields: &[crate::ast::FieldInit]) -> Ty {
        let m = self.cx.module;
        let span = path.first().map(|f| f.span).unwrap_or(e.span);
        let span = path.last().map(|l| span.to(l.span)).unwrap_or(span);
        // The name alone: a generic struct's arguments are inferred from the
        // fields (and the expected type).
        let ty = self.resolve_named_type(m, path, span);
        let tid = match ty {
            Ty::Struct(tid, _) => tid,
            Ty::Error => {
                for f in fields {
                    self.expr(&f.value, None);
                }
                return Ty::Error;
            }
            other => {
                let shown = self.display(&other);
                self.error(Code::E0201, span, format!("`{shown}` is not a struct"));
                for f in fields {
                    self.expr(&f.value, None);
                }
                return Ty::Error;
            }
        };
        self.record_res(e.id, Res::Type(tid));
        let (struct_ty, targs) = self.fresh_type_ty(tid, span);
        let defs: Vec<(String, Ty, bool)> = self
            .types
            .as_struct(tid)
            .map(|s| s.fields.iter().map(|f| (f.name.clone(), self.types.field_ty(f, &targs), f.has_default)).collect())
            .unwrap_or_default();
        let mut given: HashMap<&str, Span> = HashMap::new();
        for f in fields {
            if let Some(prev) = given.get(f.name.name.as_str()) {
                let prev = *prev;
                self.emit(
                    Diagnostic::at(Code::E0207, f.name.span, format!("field `{}` is given twice", f.name.name))
                        .secondary(prev, "first given here"),
                );
                self.expr(&f.value, None);
                continue;
            }
            given.insert(&f.name.name, f.name.span);
            match defs.iter().position(|(n, _, _)| *n == f.name.name) {
                Some(i) => {
                    let t = defs[i].1.clone();
                    self.check_expr(&f.value, &t);
                }
                None => {
                    self.expr(&f.value, None);
                    self.unknown_field(tid, &f.name);
                }
            }
        }
        let missing: Vec<String> = defs
            .iter()
            .filter(|(n, _, has_default)| !has_default && !given.contains_key(n.as_str()))
            .map(|(n, _, _)| format!("`{n}`"))
            .collect();
        if !missing.is_empty() {
            let tname = self.types.get(tid).name.clone();
            let s = if missing.len() == 1 { "" } else { "s" };
            self.report(
                Code::E0206,
                span,
                format!("missing field{s} {} in `{tname}` literal", missing.join(", ")),
                "give every field without a default a value",
            );
        }
        struct_ty
    }

    fn closure(
        &mut self,
        e: &Expr,
        params: &[crate::ast::ClosureParam],
        ret: Option<&crate::ast::TypeExpr>,
        body: &Expr,
        expected: Option<&Ty>,
    ) -> Ty {
        let hint = match expected.map(|t| self.shallow(t)) {
            Some(Ty::Fn(ps, r)) if ps.len() == params.len() => Some((ps, *r)),
            _ => None,
        };
        let m = self.cx.module;
        let mut ptys = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let hinted = hint.as_ref().and_then(|(ps, _)| ps.get(i).cloned());
            let t = match (&p.ty, hinted) {
                (Some(te), h) => {
                    let t = self.resolve_type(m, te);
                    if let Some(h) = h {
                        if !self.unify(&t, &h) {
                            self.mismatch(te.span, &h, &t);
                        }
                    }
                    t
                }
                (None, Some(h)) => h,
                (None, None) => self.fresh(p.name.span),
            };
            ptys.push(t);
        }
        let ret_ty = match (ret, &hint) {
            (Some(te), _) => self.resolve_type(m, te),
            (None, Some((_, r))) => r.clone(),
            (None, None) => self.fresh(body.span),
        };
        self.push_scope();
        self.cx.closure_depth += 1;
        self.cx.closures.push((e.id, Vec::new()));
        let saved_loops = std::mem::take(&mut self.cx.loops);
        self.cx.returns.push(ret_ty.clone());
        for (p, t) in params.iter().zip(ptys.iter()) {
            let id = self.new_local(&p.name, t.clone(), false, true);
            self.bind(&p.name.name, id);
        }
        if self.shallow(&ret_ty) == Ty::Unit {
            self.expr_discard(body);
        } else {
            self.check_expr(body, &ret_ty);
        }
        self.cx.returns.pop();
        self.cx.loops = saved_loops;
        self.cx.closure_depth -= 1;
        if let Some((id, caps)) = self.cx.closures.pop() {
            self.tables[self.cx.module.0 as usize].captures.insert(id, caps);
        }
        self.pop_scope_warn();
        Ty::Fn(ptys, Box::new(ret_ty))
    }
}

/// What a dotted prefix (`physics`, `Shape`, `geo.Shape`) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StaticBase {
    Module(ModuleId),
    Math,
    Json,
    /// `int` or `float` before `.`: their constants (`int.MAX`).
    Num(&'static str),
    Type(TypeId),
    /// An import that did not load (already reported): stay quiet.
    Broken,
}

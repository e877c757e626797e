//! Expressions.

use super::body::{atomic, hoist, paren, with_hoisted, Code, Gen, Kind, LocalKind, Part};
use super::names;
use super::types::Boxing;
use crate::ast::{BinOp, Expr, ExprKind, StrPart, UnaryOp};
use crate::check::{Coercion, Res};
use crate::ty::{Ty, TypeId};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

impl Gen<'_> {
    /// The expression's value as an owned Rust value, with its coercion.
    pub fn value(&mut self, e: &Expr) -> TokenStream {
        let t = self.expr_ty(e.id);
        let c = self.coerced(e);
        self.to_owned(c, &t)
    }

    /// The value of an expression evaluated as the function's last act
    /// (`return x`, the body's tail): a local is moved, not cloned.
    pub fn value_last_use(&mut self, e: &Expr) -> TokenStream {
        if let (ExprKind::Name(_), Some(Res::Local(id))) = (&e.kind, self.tables.resolutions.get(&e.id)) {
            if self.locals.get(id).copied().unwrap_or(LocalKind::Owned) == LocalKind::Owned {
                let c = self.expr(e);
                let v = c.ts;
                return match self.tables.coercions.get(&e.id) {
                    None => v,
                    Some(Coercion::WrapSome) => quote!(Some(#v)),
                    Some(Coercion::WrapOk) => quote!(Ok(#v)),
                };
            }
        }
        self.value(e)
    }

    /// `&T` of the expression (coerced).
    pub fn borrow(&mut self, e: &Expr) -> TokenStream {
        let c = self.coerced(e);
        self.to_ref(c)
    }

    /// A `&str` argument.
    pub fn str_arg(&mut self, e: &Expr) -> TokenStream {
        let c = self.coerced(e);
        self.to_str(c)
    }

    /// The expression with its `T` → `T?` / `T!` coercion applied.
    pub fn coerced(&mut self, e: &Expr) -> Code {
        match self.tables.coercions.get(&e.id).copied() {
            None => self.expr(e),
            Some(c) => {
                let t = self.expr_ty(e.id);
                let inner = self.expr(e);
                let v = self.to_owned(inner, &t);
                match c {
                    Coercion::WrapSome => Code::owned(quote!(Some(#v))),
                    Coercion::WrapOk => Code::owned(quote!(Ok(#v))),
                }
            }
        }
    }

    pub fn expr(&mut self, e: &Expr) -> Code {
        crate::with_stack(|| self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &Expr) -> Code {
        match &e.kind {
            ExprKind::Int(i) => Code::owned(int_lit(*i)),
            ExprKind::Float(f) => Code::owned(float_lit(*f)),
            ExprKind::Bool(b) => Code::owned(quote!(#b)),
            ExprKind::None => Code::owned(quote!(None)),
            ExprKind::Str(parts) => self.string(parts),
            ExprKind::Name(_) | ExprKind::Field { .. } | ExprKind::SelfValue => self.path_expr(e),
            ExprKind::TupleIndex { base, index, .. } => {
                let b = self.expr(base);
                let b = self.to_recv(b);
                let i = Literal::u32_unsuffixed(*index);
                Code::new(quote!(#b.#i), Kind::Place)
            }
            ExprKind::Call { callee, args } => self.call(e, callee, args),
            ExprKind::Index { base, index } => self.index(e, base, index),
            ExprKind::Slice { base, start, end, inclusive } => {
                let b = self.expr(base);
                let b = self.to_ref(b);
                let s = match start {
                    Some(s) => {
                        let v = self.value(s);
                        quote!(Some(#v))
                    }
                    None => quote!(None),
                };
                let en = match end {
                    Some(x) => {
                        let v = self.value(x);
                        quote!(Some(#v))
                    }
                    None => quote!(None),
                };
                let loc = self.loc(e.span);
                let parts = vec![Part::value(b), Part::value(s), Part::value(en)];
                let (lets, after, ts) = hoist(self, parts, false);
                let (b, s, en) = (&ts[0], &ts[1], &ts[2]);
                let f = if self.expr_ty(base.id) == Ty::Str { quote!(text) } else { quote!(ops) };
                Code::owned(with_hoisted(lets, after, quote!(::aether_rt::#f::slice(#b, #s, #en, #inclusive, #loc))))
            }
            ExprKind::Unary { op, expr } => {
                let v = self.value(expr);
                // A negated literal cannot overflow.
                let checked = self.expr_ty(e.id) == Ty::Int && !self.in_const && !matches!(expr.kind, ExprKind::Int(_));
                if *op == UnaryOp::Neg && checked {
                    let loc = self.loc(e.span);
                    return Code::owned(quote!(::aether_rt::ops::neg(#v, #loc)));
                }
                let v = paren(v);
                Code::owned(match op {
                    UnaryOp::Neg => quote!(-#v),
                    UnaryOp::Not | UnaryOp::BitNot => quote!(!#v),
                })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::Range { start, end, inclusive } => {
                let (s, en) = (self.value(start), self.value(end));
                let (s, en) = (paren(s), paren(en));
                if *inclusive {
                    Code::owned(quote!((#s..=#en).collect::<Vec<i64>>()))
                } else {
                    Code::owned(quote!((#s..#en).collect::<Vec<i64>>()))
                }
            }
            ExprKind::Try(inner) => {
                let v = self.value(inner);
                let v = paren(v);
                Code::owned(quote!(#v?))
            }
            ExprKind::List(items) => {
                let vs: Vec<TokenStream> = items.iter().map(|i| self.value(i)).collect();
                if vs.is_empty() {
                    Code::owned(quote!(Vec::new()))
                } else {
                    Code::owned(quote!(vec![#(#vs),*]))
                }
            }
            ExprKind::Map(pairs) => {
                if pairs.is_empty() {
                    return Code::owned(quote!(::aether_rt::Map::new()));
                }
                let ps: Vec<TokenStream> = pairs
                    .iter()
                    .map(|(k, v)| {
                        let (k, v) = (self.value(k), self.value(v));
                        quote!((#k, #v))
                    })
                    .collect();
                Code::owned(quote!(::aether_rt::Map::from_iter([#(#ps),*])))
            }
            ExprKind::Tuple(items) => {
                if items.is_empty() {
                    return Code::owned(quote!(()));
                }
                let vs: Vec<TokenStream> = items.iter().map(|i| self.value(i)).collect();
                Code::owned(quote!((#(#vs),*)))
            }
            ExprKind::StructLit { fields, .. } => self.struct_lit(e, fields),
            ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_) => {
                let t = self.expr_ty(e.id);
                Code::owned(self.block_like(e, &t))
            }
            ExprKind::Closure { params, body, .. } => self.closure(e, params, body),
            ExprKind::Error => Code::owned(self.unsupported(e.span, "an expression with errors")),
        }
    }

    /// Names, dotted paths and fields.
    fn path_expr(&mut self, e: &Expr) -> Code {
        let res = self.tables.resolutions.get(&e.id).cloned();
        match res {
            Some(Res::Local(id)) => {
                let info_name = self.tables.locals.get(id.0 as usize).map(|l| l.name.clone()).unwrap_or_default();
                let name = names::local(&info_name);
                match self.locals.get(&id).copied().unwrap_or(LocalKind::Owned) {
                    LocalKind::Owned if self.movable.contains(&id) => Code::new(quote!(#name), Kind::Owned),
                    LocalKind::Owned => Code::new(quote!(#name), Kind::Place),
                    LocalKind::Ref => Code::new(quote!(#name), Kind::Ref),
                    LocalKind::MutRef => Code::new(quote!(#name), Kind::MutRef),
                }
            }
            Some(Res::SelfValue) => match &self.self_kind {
                Some((k, name)) => {
                    let kind = match k {
                        LocalKind::Owned => Kind::Place,
                        LocalKind::Ref => Kind::Ref,
                        LocalKind::MutRef => Kind::MutRef,
                    };
                    Code::new(quote!(#name), kind)
                }
                None => Code::owned(self.unsupported(e.span, "`self` outside a method")),
            },
            Some(Res::Global(g)) => {
                let Some(info) = self.ck.globals.get(g.0 as usize) else {
                    return Code::owned(self.unsupported(e.span, "an unknown global"));
                };
                let name = names::item(&info.name);
                if info.is_state {
                    let m = names::plain(&self.shared.module_names[info.module.0 as usize]);
                    if self.shared.hmr {
                        // A value in runtime memory (codegen/hmr.rs), as a
                        // place: function bodies are `unsafe` under --hmr.
                        Code::new(quote!((*ctx.#m.#name.ptr())), Kind::Place)
                    } else {
                        Code::new(quote!(ctx.#m.#name), Kind::Place)
                    }
                } else if is_scalar(&info.ty) && !self.shared.consts_as_fns {
                    Code::new(self.item_path(info.module, name), Kind::Place)
                } else {
                    let p = self.item_path(info.module, name);
                    Code::owned(quote!(#p()))
                }
            }
            Some(Res::Fn(f)) => Code::owned(self.fn_value(e, f)),
            Some(Res::Variant(tid, i)) => {
                let t = self.expr_ty(e.id);
                if let Ty::Fn(ps, r) = &t {
                    let (ps, r) = (ps.clone(), (**r).clone());
                    return Code::owned(self.variant_ctor_value(tid, i, &ps, &r));
                }
                Code::owned(self.variant_path(tid, i))
            }
            Some(Res::Math(name)) => match name {
                "int.MAX" => Code::owned(quote!(i64::MAX)),
                "int.MIN" => Code::owned(quote!(i64::MIN)),
                "float.INFINITY" => Code::owned(quote!(f64::INFINITY)),
                "float.NAN" => Code::owned(quote!(::aether_rt::ops::NAN)),
                "float.EPSILON" => Code::owned(quote!(f64::EPSILON)),
                "PI" => Code::owned(quote!(::std::f64::consts::PI)),
                "E" => Code::owned(quote!(::std::f64::consts::E)),
                _ => {
                    let t = self.expr_ty(e.id);
                    Code::owned(self.math_value(name, &t))
                }
            },
            Some(Res::Builtin(name)) => {
                let t = self.expr_ty(e.id);
                Code::owned(self.builtin_value(e, name, &t))
            }
            Some(Res::Field(tid, i)) => {
                let ExprKind::Field { base, name } = &e.kind else {
                    return Code::owned(self.unsupported(e.span, "a field without a base"));
                };
                let b = self.expr(base);
                let b = self.to_recv(b);
                let f = names::ident(&name.name);
                self.field_read(quote!(#b.#f), tid, i)
            }
            _ => Code::owned(self.unsupported(e.span, "this name")),
        }
    }

    /// Reading `base.f` given the raw field place.
    pub fn field_read(&self, place: TokenStream, tid: TypeId, i: usize) -> Code {
        match self.facts().boxing(tid, 0, i) {
            None => Code::new(place, Kind::Place),
            Some(Boxing::Whole) => Code::new(quote!((*#place)), Kind::Place),
            Some(Boxing::Opt) => {
                let mut c = Code::owned(quote!(#place.as_deref().cloned()));
                c.boxopt = Some(place);
                c
            }
        }
    }

    pub fn variant_path(&self, tid: TypeId, i: usize) -> TokenStream {
        let path = self.names().type_path(tid);
        let vname = self.ck.types.as_enum(tid).and_then(|en| en.variants.get(i)).map(|v| names::ident(&v.name));
        match vname {
            Some(v) => quote!(#path::#v),
            None => quote!(#path),
        }
    }

    fn string(&mut self, parts: &[StrPart]) -> Code {
        let all_text = parts.iter().all(|p| matches!(p, StrPart::Text(_)));
        if all_text {
            let s: String = parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => t.as_str(),
                    StrPart::Interp { .. } => "",
                })
                .collect();
            let mut c = Code::owned(quote!(String::from(#s)));
            c.lit = Some(s);
            return c;
        }
        let (fmt, args, lets) = self.format_parts(parts);
        Code::owned(with_hoisted(lets, Vec::new(), quote!(format!(#fmt #(, #args)*))))
    }

    /// A `format!` string, its arguments, and the `let`s that must run
    /// first (state copied out when an argument needs `ctx`).
    pub fn format_parts(&mut self, parts: &[StrPart]) -> (String, Vec<TokenStream>, Vec<TokenStream>) {
        let mut fmt = String::new();
        let mut args = Vec::new();
        let mut shown = Vec::new();
        // A width or precision from an expression is an argument of its
        // own (`{1:>2$}`): with one, every argument is named by position,
        // so the arguments stay in source order (evaluated left to right).
        let positional = parts.iter().any(|p| matches!(p, StrPart::Interp { spec_args, .. } if !spec_args.is_empty()));
        for p in parts {
            match p {
                StrPart::Text(t) => fmt.push_str(&t.replace('{', "{{").replace('}', "}}")),
                StrPart::Interp { expr, spec, spec_args } if positional => {
                    fmt.push_str(&format!("{{{}", args.len()));
                    let (part, native) = self.interpolated(expr, spec.is_some());
                    args.push(part);
                    shown.push(!native);
                    if let Some(s) = spec {
                        fmt.push(':');
                        let mut from = 0;
                        for (at, a) in spec_args {
                            fmt.push_str(s.get(from..*at).unwrap_or(""));
                            fmt.push_str(&format!("{}$", args.len()));
                            let v = self.value(a);
                            let loc = self.loc(a.span);
                            let w = quote!(::aether_rt::ops::format_width(#v, #loc));
                            args.push(Part::shared(w.clone(), w, false));
                            shown.push(false);
                            from = *at;
                        }
                        fmt.push_str(s.get(from..).unwrap_or(""));
                    }
                    fmt.push('}');
                }
                StrPart::Interp { expr, spec, .. } => {
                    let (part, native) = self.interpolated(expr, spec.is_some());
                    args.push(part);
                    shown.push(!native);
                    match spec {
                        Some(s) => {
                            fmt.push_str("{:");
                            fmt.push_str(s);
                            fmt.push('}');
                        }
                        None => fmt.push_str("{}"),
                    }
                }
            }
        }
        let (lets, _, ts) = hoist(self, args, false);
        let args = ts
            .into_iter()
            .zip(shown)
            .map(|(a, shown)| if shown { quote!(::aether_rt::show::Shown(#a)) } else { a })
            .collect();
        (fmt, args, lets)
    }

    /// The argument of one `{expr}` or `{expr:spec}` of a string, and
    /// whether Rust's own formatting shows it as Aether does (`native`);
    /// otherwise it is wrapped in `Shown`.
    fn interpolated(&mut self, expr: &Expr, has_spec: bool) -> (Part, bool) {
        let t = self.expr_ty(expr.id);
        let coerced = self.tables.coercions.contains_key(&expr.id);
        let native = !coerced && (matches!(t, Ty::Int | Ty::Str | Ty::Bool) || (has_spec && t == Ty::Float));
        let c = self.coerced(expr);
        let owned = self.to_owned(c.clone(), &t);
        (Part::shared(self.to_ref(c), owned, true), native)
    }

    /// `{x}` of a single value: a `format!` string, argument and `let`s.
    pub fn display_arg(&mut self, e: &Expr) -> (String, Vec<TokenStream>, Vec<TokenStream>) {
        if let ExprKind::Str(parts) = &e.kind {
            if !self.tables.coercions.contains_key(&e.id) {
                return self.format_parts(parts);
            }
        }
        let t = self.expr_ty(e.id);
        let r = self.borrow(e);
        if matches!(t, Ty::Int | Ty::Str | Ty::Bool) && !self.tables.coercions.contains_key(&e.id) {
            ("{}".into(), vec![r], Vec::new())
        } else {
            ("{}".into(), vec![quote!(::aether_rt::show::Shown(#r))], Vec::new())
        }
    }

    /// A closure's body as a block returning `ret` (discarding the value
    /// when `ret` is `()`), with `return` inside it bound to the closure.
    pub(crate) fn closure_body(&mut self, body: &Expr, ret: &Ty) -> TokenStream {
        self.ret.push(ret.clone());
        let body_ts = if *ret == Ty::Unit {
            let s = self.expr_stmt(body);
            quote!({ #s })
        } else {
            let v = self.value(body);
            quote!({ #v })
        };
        self.ret.pop();
        body_ts
    }

    /// A `key`/`elem` lookup: a borrow when nothing was hoisted, otherwise
    /// an owned copy computed inside the hoisted block.
    fn hoisted_lookup(&mut self, e: &Expr, call: TokenStream, lets: Vec<TokenStream>, after: Vec<TokenStream>) -> Code {
        if lets.is_empty() {
            return Code::new(call, Kind::Ref);
        }
        let et = self.expr_ty(e.id);
        let v = self.to_owned(Code::new(call, Kind::Ref), &et);
        Code::owned(with_hoisted(lets, after, v))
    }

    fn index(&mut self, e: &Expr, base: &Expr, index: &Expr) -> Code {
        let bt = self.expr_ty(base.id);
        let loc = self.loc(e.span);
        let b = self.expr(base);
        let b_owned = {
            let c = b.clone();
            self.to_owned(c, &bt)
        };
        let b = self.to_ref(b);
        match bt {
            Ty::Map(..) => {
                let k = self.coerced(index);
                let kt = self.expr_ty(index.id);
                let k_owned = self.to_owned(k.clone(), &kt);
                let k = self.to_ref(k);
                let parts = vec![Part::shared(b, b_owned, true), Part::shared(k, k_owned, true)];
                let (lets, after, ts) = hoist(self, parts, false);
                let (b, k) = (&ts[0], &ts[1]);
                let call = quote!(::aether_rt::ops::key(#b, #k, #loc));
                self.hoisted_lookup(e, call, lets, after)
            }
            _ => {
                let i = self.value(index);
                let parts = vec![Part::shared(b, b_owned, true), Part::value(i)];
                let (lets, after, ts) = hoist(self, parts, false);
                let (b, i) = (&ts[0], &ts[1]);
                let call = quote!(::aether_rt::ops::elem(#b, #i, #loc));
                self.hoisted_lookup(e, call, lets, after)
            }
        }
    }

    fn binary(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr) -> Code {
        if op.is_bitwise() {
            return self.bitwise(e, op, lhs, rhs);
        }
        let lt = self.expr_ty(lhs.id);
        match op {
            BinOp::And | BinOp::Or => {
                let (l, r) = (self.value(lhs), self.value(rhs));
                let (l, r) = (self.infix_operand(l, lhs, op, false), self.infix_operand(r, rhs, op, true));
                return Code::owned(if op == BinOp::And { quote!(#l && #r) } else { quote!(#l || #r) });
            }
            BinOp::Coalesce => {
                let l = self.value(lhs);
                let r = self.value(rhs);
                let l = paren(l);
                if matches!(rhs.kind, ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::None) {
                    return Code::owned(quote!(#l.unwrap_or(#r)));
                }
                let l = super::body::head(l);
                return Code::owned(quote!(match #l { Some(__v) => __v, None => #r }));
            }
            _ => {}
        }
        let copy = self.is_copy(&lt);
        let arith = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem);
        if lt == Ty::Str && op == BinOp::Add {
            let l = self.value(lhs);
            let r = self.str_arg(rhs);
            let parts = vec![Part::value(l), Part::value(r)];
            let (lets, after, ts) = hoist(self, parts, false);
            let (l, r) = (paren(ts[0].clone()), paren(ts[1].clone()));
            return Code::owned(with_hoisted(lets, after, quote!(#l + #r)));
        }
        if arith || copy {
            let l = self.value(lhs);
            let r = self.value(rhs);
            let loc = self.loc(e.span);
            return Code::owned(match (op, &lt) {
                // Checked in debug builds, with the `.ae` location.
                (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem, Ty::Int) if !self.in_const => {
                    let f = int_op(op);
                    quote!(::aether_rt::ops::#f(#l, #r, #loc))
                }
                // In a `const` the checker has computed the value (no
                // overflow, no division by zero); `MIN % -1` is 0 there too.
                (BinOp::Rem, Ty::Int) => quote!(i64::wrapping_rem(#l, #r)),
                _ => {
                    let (l, r) = (self.infix_operand(l, lhs, op, false), self.infix_operand(r, rhs, op, true));
                    let o = op_tokens(op);
                    quote!(#l #o #r)
                }
            });
        }
        // Comparisons of non-Copy values compare references; strings as `&str`.
        let (lc, rc) = (self.coerced(lhs), self.coerced(rhs));
        let rt = self.expr_ty(rhs.id);
        let lo = self.to_owned(lc.clone(), &lt);
        let ro = self.to_owned(rc.clone(), &rt);
        let (l, r) = if lt == Ty::Str {
            (str_operand(self, lc), str_operand(self, rc))
        } else {
            (self.to_ref(lc), self.to_ref(rc))
        };
        let before = [l.to_string(), r.to_string()];
        let parts = vec![Part::shared(l, lo, lt != Ty::Str), Part::shared(r, ro, lt != Ty::Str)];
        let (lets, after, ts) = hoist(self, parts, false);
        let (l, r) = if lets.is_empty() || lt != Ty::Str {
            (paren(ts[0].clone()), paren(ts[1].clone()))
        } else {
            // Hoisted strings are `String`s: compare them as `&str` (the
            // operands left in place are `&str` already).
            let as_str = |i: usize| {
                let t = &ts[i];
                if t.to_string() == before[i] {
                    paren(t.clone())
                } else {
                    quote!(#t.as_str())
                }
            };
            (as_str(0), as_str(1))
        };
        let o = op_tokens(op);
        Code::owned(with_hoisted(lets, after, quote!(#l #o #r)))
    }

    /// `a & b`, `a | b`, `a ^ b` as Rust's (they cannot fail); `a << b` and
    /// `a >> b` through `aether_rt::ops`, which fails at the `.ae` location
    /// when the shift amount is outside `0..=63`. Always parenthesized.
    fn bitwise(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr) -> Code {
        let (l, r) = (self.value(lhs), self.value(rhs));
        if matches!(op, BinOp::Shl | BinOp::Shr) && !self.in_const {
            let f = names::plain(if op == BinOp::Shl { "shl" } else { "shr" });
            let loc = self.loc(e.span);
            return Code::owned(quote!(::aether_rt::ops::#f(#l, #r, #loc)));
        }
        let (l, r) = (paren(l), paren(r));
        let o = op_tokens(op);
        Code::owned(quote!((#l #o #r)))
    }

    /// An operand of an infix operator, parenthesized only where Rust's
    /// precedence needs it (`a * b + c`, `(a + b) * c`, `a - (b - c)`).
    fn infix_operand(&self, ts: TokenStream, ast: &Expr, parent: BinOp, right: bool) -> TokenStream {
        if let ExprKind::Binary { op, lhs, .. } = &ast.kind {
            let child_ty = self.expr_ty(lhs.id);
            let arith = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem);
            // The forms `binary` emits as a bare `a op b` (others are calls,
            // `match`es or blocks that may hold hoisted `let`s).
            let bare = match op {
                BinOp::And | BinOp::Or => true,
                BinOp::Coalesce => false,
                _ if arith && child_ty == Ty::Int => self.in_const,
                _ if arith => child_ty != Ty::Str,
                _ => self.is_copy(&child_ty),
            };
            if bare && !self.tables.coercions.contains_key(&ast.id) {
                let (c, p) = (precedence(*op), precedence(parent));
                let needs = c < p || (right && c == p) || (c == 7 && p == 7);
                return if needs { quote!((#ts)) } else { ts };
            }
        }
        let mut toks = ts.clone().into_iter();
        if let Some(proc_macro2::TokenTree::Punct(p)) = toks.next() {
            if matches!(p.as_char(), '*' | '-' | '!') && atomic(&toks.collect()) {
                return ts;
            }
        }
        paren(ts)
    }

    fn struct_lit(&mut self, e: &Expr, fields: &[crate::ast::FieldInit]) -> Code {
        let Some(Res::Type(tid)) = self.tables.resolutions.get(&e.id).cloned() else {
            return Code::owned(self.unsupported(e.span, "a struct literal of an unknown type"));
        };
        let path = self.names().type_path(tid);
        let Some(def) = self.ck.types.as_struct(tid).cloned() else {
            return Code::owned(self.unsupported(e.span, "a struct literal of a non-struct"));
        };
        let mut inits = Vec::new();
        for fi in fields {
            let Some(i) = def.fields.iter().position(|f| f.name == fi.name.name) else {
                continue;
            };
            let name = names::ident(&fi.name.name);
            let v = self.field_value(&fi.value, self.facts().boxing(tid, 0, i));
            if name == v.to_string() {
                inits.push(quote!(#name));
            } else {
                inits.push(quote!(#name: #v));
            }
        }
        let needs = self.needs().defaults.get(tid.0 as usize).copied().unwrap_or(false);
        for f in def.fields.iter().filter(|f| f.has_default) {
            if fields.iter().any(|fi| fi.name.name == f.name) {
                continue;
            }
            let name = names::ident(&f.name);
            let getter = quote::format_ident!("__default_{}", f.name);
            // A generic struct's: through the literal's own type (its
            // arguments), `<Pair<i64, String>>::__default_n()`.
            let owner = if self.ck.types.get(tid).generics.is_empty() {
                path.clone()
            } else {
                let t = self.rust_ty(&self.expr_ty(e.id));
                quote!(<#t>)
            };
            let call = if needs { quote!(#owner::#getter(ctx)) } else { quote!(#owner::#getter()) };
            inits.push(quote!(#name: #call));
        }
        Code::owned(quote!(#path { #(#inits),* }))
    }

    /// The value stored in a field, boxed as the field needs.
    pub fn field_value(&mut self, e: &Expr, boxing: Option<Boxing>) -> TokenStream {
        match boxing {
            None => self.value(e),
            Some(Boxing::Whole) => {
                let v = self.value(e);
                quote!(Box::new(#v))
            }
            Some(Boxing::Opt) => {
                if matches!(e.kind, ExprKind::None) {
                    return quote!(None);
                }
                if self.tables.coercions.get(&e.id) == Some(&Coercion::WrapSome) {
                    let t = self.expr_ty(e.id);
                    let c = self.expr(e);
                    let v = self.to_owned(c, &t);
                    return quote!(Some(Box::new(#v)));
                }
                let v = self.value(e);
                let v = paren(v);
                quote!(#v.map(Box::new))
            }
        }
    }

    /// A user function or method used as a value.
    fn fn_value(&mut self, e: &Expr, f: crate::check::FnId) -> TokenStream {
        let Some(mut info) = self.ck.fns.get(f.0 as usize).cloned() else {
            return self.unsupported(e.span, "an unknown function");
        };
        let mut instance = None;
        if info.is_generic() {
            let Some(inst) = self.instance_at(e.id, f) else {
                return self.unsupported(e.span, "a generic function without its instance");
            };
            info = inst.info.clone();
            instance = Some(quote::format_ident!("{}", inst.rust_name));
        }
        let params: Vec<Ty> = info.params.iter().map(|p| p.ty.clone()).collect();
        let (names_, decls) = self.wrapper_params(&params);
        let args: Vec<TokenStream> = info
            .params
            .iter()
            .zip(&names_)
            .map(|(p, n)| {
                if p.mutable {
                    quote!(&mut #n)
                } else if self.is_copy(&p.ty) {
                    quote!(#n)
                } else {
                    quote!(&#n)
                }
            })
            .collect();
        let ctx = if self.needs().fn_needs(f) { quote!(ctx,) } else { quote!() };
        let fname = names::method(&info.name);
        let target = match (info.receiver, instance) {
            // A generic type's associated function: its instance.
            (_, Some(name)) => self.item_path(info.module, name),
            (Some(tid), None) => {
                let p = self.names().type_path(tid);
                quote!(#p::#fname)
            }
            (None, None) => self.fn_item_path(info.module, names::item(&info.name)),
        };
        let ret = self.rust_ty(&info.ret);
        let fnty = self.rust_ty(&info.fn_ty());
        let mutable_params: Vec<TokenStream> =
            info.params.iter().zip(&names_).filter(|(p, _)| p.mutable).map(|(_, n)| quote!(let mut #n = #n;)).collect();
        quote!({
            let __f: #fnty = ::std::rc::Rc::new(move |ctx: &mut crate::Ctx #(, #decls)*| -> #ret {
                #(#mutable_params)*
                #target(#ctx #(#args),*)
            });
            __f
        })
    }

    pub fn wrapper_params(&mut self, params: &[Ty]) -> (Vec<proc_macro2::Ident>, Vec<TokenStream>) {
        let mut ns = Vec::new();
        let mut decls = Vec::new();
        for (i, t) in params.iter().enumerate() {
            let n = quote::format_ident!("__p{}", i);
            let rt = self.rust_ty(t);
            decls.push(quote!(#n: #rt));
            ns.push(n);
        }
        (ns, decls)
    }

    /// `Shape.Circle` as a function value; `enum_ty` is the enum with its
    /// type arguments.
    fn variant_ctor_value(&mut self, tid: TypeId, i: usize, params: &[Ty], enum_ty: &Ty) -> TokenStream {
        let (ns, decls) = self.wrapper_params(params);
        let path = self.variant_path(tid, i);
        let fields: Vec<TokenStream> = match self.ck.types.as_enum(tid).and_then(|en| en.variants.get(i)) {
            Some(v) => v
                .fields
                .iter()
                .enumerate()
                .zip(&ns)
                .map(|((fi, f), n)| {
                    let name = names::ident(&f.name);
                    match self.facts().boxing(tid, i, fi) {
                        None => quote!(#name: #n),
                        Some(Boxing::Whole) => quote!(#name: Box::new(#n)),
                        Some(Boxing::Opt) => quote!(#name: #n.map(Box::new)),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        let fnty = self.rust_ty(&Ty::Fn(params.to_vec(), Box::new(enum_ty.clone())));
        let ret = self.rust_ty(enum_ty);
        quote!({
            let __f: #fnty = ::std::rc::Rc::new(move |ctx: &mut crate::Ctx #(, #decls)*| -> #ret { #path { #(#fields),* } });
            __f
        })
    }

    fn closure(&mut self, e: &Expr, params: &[crate::ast::ClosureParam], body: &Expr) -> Code {
        let t = self.expr_ty(e.id);
        let Ty::Fn(ptys, ret) = &t else {
            return Code::owned(self.unsupported(e.span, "a closure of unknown type"));
        };
        let param_ids: Vec<Option<crate::check::LocalId>> =
            params.iter().map(|p| super::analysis::local_at(self.tables, p.name.span)).collect();
        let ids: Vec<crate::check::LocalId> = param_ids.iter().flatten().copied().collect();
        let (caps, uses_self) = super::analysis::captures(self.tables, &ids, body);
        let mut lets = Vec::new();
        let saved_locals = self.locals.clone();
        let saved_self = self.self_kind.clone();
        let saved_ctx = self.has_ctx;
        for id in &caps {
            let Some(info) = self.tables.locals.get(id.0 as usize).cloned() else {
                continue;
            };
            let name = names::local(&info.name);
            let c = self.expr_of_local(*id);
            let v = self.to_owned(c, &info.ty);
            lets.push(quote!(let #name = #v;));
            self.locals.insert(*id, LocalKind::Owned);
        }
        if uses_self {
            if let Some((k, name)) = self.self_kind.clone() {
                let kind = match k {
                    LocalKind::Owned => Kind::Place,
                    LocalKind::Ref => Kind::Ref,
                    LocalKind::MutRef => Kind::MutRef,
                };
                let st = self.self_ty();
                let v = self.to_owned(Code::new(quote!(#name), kind), &st);
                lets.push(quote!(let __self = #v;));
                self.self_kind = Some((LocalKind::Owned, names::plain("__self")));
            }
        }
        let mut decls = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let name = names::local(&p.name.name);
            let pt = ptys.get(i).cloned().unwrap_or(Ty::Error);
            let rt = self.rust_ty(&pt);
            decls.push(quote!(#name: #rt));
            if let Some(Some(id)) = param_ids.get(i) {
                self.locals.insert(*id, LocalKind::Owned);
            }
        }
        self.has_ctx = true;
        let body_ts = self.closure_body(body, ret);
        self.locals = saved_locals;
        self.self_kind = saved_self;
        self.has_ctx = saved_ctx;
        let ret_ts = self.rust_ty(ret);
        let fnty = self.rust_ty(&t);
        Code::owned(quote!({
            #(#lets)*
            let __f: #fnty = ::std::rc::Rc::new(move |ctx: &mut crate::Ctx #(, #decls)*| -> #ret_ts #body_ts);
            __f
        }))
    }

    pub fn expr_of_local(&self, id: crate::check::LocalId) -> Code {
        let info_name = self.tables.locals.get(id.0 as usize).map(|l| l.name.clone()).unwrap_or_default();
        let name = names::local(&info_name);
        match self.locals.get(&id).copied().unwrap_or(LocalKind::Owned) {
            LocalKind::Owned => Code::new(quote!(#name), Kind::Place),
            LocalKind::Ref => Code::new(quote!(#name), Kind::Ref),
            LocalKind::MutRef => Code::new(quote!(#name), Kind::MutRef),
        }
    }

    pub fn self_ty(&self) -> Ty {
        // The receiver type of the method being generated.
        self.current_self.clone().unwrap_or(Ty::Error)
    }
}

fn str_operand(gen: &Gen<'_>, c: Code) -> TokenStream {
    if let Some(s) = &c.lit {
        return quote!(#s);
    }
    let r = gen.to_recv(c);
    quote!(#r.as_str())
}

pub(crate) fn is_scalar(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Float | Ty::Bool)
}

/// Rust's binding strength of an infix operator (higher binds tighter).
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
        BinOp::Add | BinOp::Sub => 9,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 7,
        BinOp::And => 6,
        BinOp::Or => 5,
        // Emitted parenthesized (`bitwise`).
        BinOp::Coalesce | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr => 0,
    }
}

pub(crate) fn op_tokens(op: BinOp) -> TokenStream {
    match op {
        BinOp::Add => quote!(+),
        BinOp::Sub => quote!(-),
        BinOp::Mul => quote!(*),
        BinOp::Div => quote!(/),
        BinOp::Rem => quote!(%),
        BinOp::Eq => quote!(==),
        BinOp::Ne => quote!(!=),
        BinOp::Lt => quote!(<),
        BinOp::Le => quote!(<=),
        BinOp::Gt => quote!(>),
        BinOp::Ge => quote!(>=),
        BinOp::And => quote!(&&),
        BinOp::Or => quote!(||),
        BinOp::Coalesce => quote!(),
        BinOp::BitAnd => quote!(&),
        BinOp::BitOr => quote!(|),
        BinOp::BitXor => quote!(^),
        BinOp::Shl => quote!(<<),
        BinOp::Shr => quote!(>>),
    }
}

pub(crate) fn float_lit(f: f64) -> TokenStream {
    if f.is_finite() {
        let l = Literal::f64_unsuffixed(f);
        quote!(#l)
    } else if f.is_nan() {
        quote!(f64::NAN)
    } else if f > 0.0 {
        quote!(f64::INFINITY)
    } else {
        quote!(f64::NEG_INFINITY)
    }
}

trait IntoTs {
    fn into_token_stream_(self) -> TokenStream;
}
impl IntoTs for Literal {
    fn into_token_stream_(self) -> TokenStream {
        quote!(#self)
    }
}

/// The `aether_rt::ops` function of an int arithmetic operator.
pub(crate) fn int_op(op: BinOp) -> proc_macro2::Ident {
    names::plain(match op {
        BinOp::Add => "add",
        BinOp::Sub => "sub",
        BinOp::Mul => "mul",
        BinOp::Div => "div",
        BinOp::Shl => "shl",
        BinOp::Shr => "shr",
        _ => "rem",
    })
}

/// An int literal. Where nothing constrains its type (an interpolation,
/// `println(9223372036854775807)`), rustc would take it as `i32`, and a
/// value outside `i32` would be a hard error (`overflowing_literals`): such
/// a literal carries its `i64` suffix.
pub(crate) fn int_lit(i: i64) -> TokenStream {
    if i32::try_from(i).is_ok() {
        Literal::i64_unsuffixed(i).into_token_stream_()
    } else {
        Literal::i64_suffixed(i).into_token_stream_()
    }
}

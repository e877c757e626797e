//! `match`, `if let` and refutable patterns.
//!
//! A scrutinee is matched by value when it is `Copy` or a fresh value
//! (bindings then own their parts), and by reference otherwise (bindings are
//! references, by Rust's default binding modes). A `str` scrutinee with
//! literal patterns is matched as `&str`. A `T?` field stored as
//! `Option<Box<T>>` is matched through `as_deref()`.

use super::body::{ctx_use, CtxUse, Gen, Kind, LocalKind};
use super::expr::float_lit;
use super::names;
use super::types::Boxing;
use crate::ast::{Expr, FieldPattern, LitPattern, MatchArm, Pattern, PatternKind};
use crate::check::PatRes;
use crate::ty::Ty;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

mod deferred;

/// How the scrutinee is matched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Value,
    Ref,
    /// `match s.as_str()`: top-level bindings are rebound to the `&String`.
    Str,
}

impl Gen<'_> {
    /// `if let`: the pattern, the scrutinee and `let`s to run first.
    pub fn if_let_head(
        &mut self,
        pattern: &Pattern,
        value: &Expr,
        body_uses_ctx: bool,
        body_mutates_scrutinee: bool,
    ) -> (TokenStream, TokenStream, Vec<TokenStream>) {
        if let Some(PatRes::Unwrap(id)) = self.tables.patterns.get(&pattern.id).cloned() {
            let vt = self.expr_ty(value.id);
            let ctor = if matches!(vt, Ty::Result(_)) { quote!(Ok) } else { quote!(Some) };
            let name = match &pattern.kind {
                PatternKind::Binding(n) => names::local(&n.name),
                _ => names::plain("_"),
            };
            let c = self.coerced(value);
            if let Some(place) = c.boxopt.clone() {
                if !(body_mutates_scrutinee || (body_uses_ctx && ctx_use(&place) != CtxUse::None)) {
                    self.locals.insert(id, LocalKind::Ref);
                    return (quote!(Some(#name)), quote!(#place.as_deref()), Vec::new());
                }
            }
            let (scrut, mode, pre) = self.scrutinee(c, &vt, body_uses_ctx, body_mutates_scrutinee, false);
            let kind = if mode == Mode::Value { LocalKind::Owned } else { LocalKind::Ref };
            self.locals.insert(id, kind);
            return (quote!(#ctor(#name)), scrut, pre);
        }
        let vt = self.expr_ty(value.id);
        let c = self.coerced(value);
        let strs = has_str_literal(pattern);
        let (scrut, mode, pre) = self.scrutinee(c, &vt, body_uses_ctx, body_mutates_scrutinee, strs);
        let pat = self.pat(pattern, mode, true);
        (pat, scrut, pre)
    }

    /// The scrutinee tokens and how they are matched.
    fn scrutinee(
        &mut self,
        c: super::body::Code,
        t: &Ty,
        arms_use_ctx: bool,
        arms_mutate: bool,
        strs: bool,
    ) -> (TokenStream, Mode, Vec<TokenStream>) {
        // A copy first, when the arms need what the scrutinee would borrow.
        let hoist = (arms_use_ctx && ctx_use(&c.ts) != CtxUse::None) || arms_mutate;
        if strs && *t == Ty::Str {
            let r = self.to_ref(c.clone());
            let r = if hoist {
                let v = super::body::paren(self.to_owned(c, t));
                quote!(&#v)
            } else {
                r
            };
            return (quote!(__s.as_str()), Mode::Str, vec![quote!(let __s: &String = #r;)]);
        }
        if self.is_copy(t) || c.kind == Kind::Owned {
            let v = self.to_owned(c, t);
            return (v, Mode::Value, Vec::new());
        }
        if hoist {
            let v = self.to_owned(c, t);
            return (quote!(__s), Mode::Value, vec![quote!(let __s = #v;)]);
        }
        (self.to_ref(c), Mode::Ref, Vec::new())
    }

    pub fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], t: &Ty) -> TokenStream {
        let value_mode = !matches!(t, Ty::Unit | Ty::Never | Ty::Error);
        let st = self.expr_ty(scrutinee.id);
        let c = self.coerced(scrutinee);
        let arms_ctx = arms.iter().any(|a| self.arm_uses_ctx(a));
        // An arm that assigns to the matched place (or passes it as `mut`)
        // must not find it borrowed by the bindings: they are copies.
        let arms_mutate = super::analysis::place_root(self.tables, scrutinee).is_some_and(|root| {
            let roots = arms.iter().flat_map(|a| {
                std::iter::once(super::analysis::Visit::Expr(&a.body))
                    .chain(a.guard.as_ref().map(super::analysis::Visit::Expr))
            });
            super::analysis::mutated_roots_in(self.ck, self.tables, roots).contains(&root)
        });
        let strs = arms.iter().any(|a| has_str_literal(&a.pattern));
        let top_binding = arms.iter().any(|a| matches!(a.pattern.kind, PatternKind::Binding(_)));
        let (scrut, mode, pre) = match c.boxopt.clone() {
            Some(place) if !top_binding && !arms_mutate && (!arms_ctx || ctx_use(&place) == CtxUse::None) => {
                (quote!(#place.as_deref()), Mode::Ref, Vec::new())
            }
            _ => self.scrutinee(c, &st, arms_ctx, arms_mutate, strs),
        };
        // This `match` may be the scrutinee of an `if let` (or inside the
        // pattern's context of another `match`): its guards stay theirs.
        let outer_guards = self.pat_guards.take();
        let mut out = Vec::new();
        let mut pattern_conds = false;
        let mut catch_all = false;
        for arm in arms {
            let saved = self.locals.clone();
            self.pat_guards = Some(Vec::new());
            let pat = self.pat(&arm.pattern, mode, true);
            let mut conds = self.pat_guards.take().unwrap_or_default();
            pattern_conds |= !conds.is_empty();
            catch_all |= conds.is_empty() && arm.guard.is_none() && is_catch_all(&arm.pattern);
            let fix = std::mem::take(&mut self.fixups);
            if let Some(g) = &arm.guard {
                let g = self.value(g);
                if fix.is_empty() {
                    conds.push(super::body::paren(g));
                } else {
                    // The guard sees the bindings the arm rebinds (a `str`
                    // binding, a deferred sub-pattern's): after the
                    // pattern's own conditions, so the rebinding holds.
                    let fix: Vec<TokenStream> =
                        fix.iter().map(|f| self.guard_fixups.get(&f.to_string()).unwrap_or(f).clone()).collect();
                    conds.push(quote!({ #(#fix)* #g }));
                }
            }
            let guard = if conds.is_empty() { quote!() } else { quote!(if #(#conds)&&*) };
            let body = if value_mode {
                self.value(&arm.body)
            } else {
                let s = self.expr_stmt(&arm.body);
                quote!({ #s })
            };
            let body = if fix.is_empty() { body } else { quote!({ #(#fix)* #body }) };
            out.push(quote!(#pat #guard => #body,));
            self.locals = saved;
        }
        self.pat_guards = outer_guards;
        if pattern_conds && !catch_all {
            // Sub-patterns tested in guards (string literals, patterns on
            // recursive fields) are invisible to rustc's exhaustiveness
            // check; the checker already proved the arms cover every value.
            out.push(quote!(#[allow(unreachable_patterns)] _ => unreachable!(),));
        }
        let scrut = super::body::head(scrut);
        let m = quote!(match #scrut { #(#out)* });
        if pre.is_empty() {
            m
        } else {
            quote!({ #(#pre)* #m })
        }
    }

    fn arm_uses_ctx(&self, arm: &MatchArm) -> bool {
        let roots = std::iter::once(super::analysis::Visit::Expr(&arm.body));
        self.uses_ctx(roots.chain(arm.guard.as_ref().map(super::analysis::Visit::Expr)))
    }

    /// Whether code reached from `roots` (the arms of a `match`, the blocks
    /// of an `if let`) uses `ctx`: reads state, calls a function that needs
    /// it, or calls a function value (which takes it). Such code cannot run
    /// while the scrutinee still borrows state.
    pub(super) fn uses_ctx<'a>(&self, roots: impl Iterator<Item = super::analysis::Visit<'a>>) -> bool {
        let mut found = false;
        let mut f = |v: super::analysis::Visit<'_>| {
            if let super::analysis::Visit::Expr(e) = v {
                match self.tables.resolutions.get(&e.id) {
                    Some(crate::check::Res::Fn(f) | crate::check::Res::Method(f)) if self.needs().fn_needs(*f) => {
                        found = true
                    }
                    Some(crate::check::Res::Global(_)) => found = true,
                    _ => {}
                }
                if let crate::ast::ExprKind::Call { callee, .. } = &e.kind {
                    if matches!(self.tables.resolutions.get(&callee.id), Some(crate::check::Res::Local(_)) | None) {
                        found = true;
                    }
                }
            }
        };
        for root in roots {
            match root {
                super::analysis::Visit::Expr(e) => super::analysis::visit_expr(e, false, &mut f),
                super::analysis::Visit::Stmt(s) => super::analysis::visit_stmt(s, false, &mut f),
                super::analysis::Visit::Pattern(_) => {}
            }
        }
        found
    }

    /// A refutable pattern; declares its bindings' kinds.
    fn pat(&mut self, p: &Pattern, mode: Mode, top: bool) -> TokenStream {
        crate::with_stack(|| self.pat_inner(p, mode, top))
    }

    fn pat_inner(&mut self, p: &Pattern, mode: Mode, top: bool) -> TokenStream {
        let res = self.tables.patterns.get(&p.id).cloned();
        match &p.kind {
            PatternKind::Wildcard | PatternKind::Error => quote!(_),
            PatternKind::Binding(n) => match res {
                Some(PatRes::Variant(tid, i)) => self.variant_path(tid, i),
                Some(PatRes::Binding(id) | PatRes::Unwrap(id)) => {
                    let name = names::local(&n.name);
                    if mode == Mode::Str && top {
                        self.locals.insert(id, LocalKind::Ref);
                        self.fixups.push(quote!(let #name: &String = __s;));
                        return quote!(_);
                    }
                    self.locals.insert(id, if mode == Mode::Value { LocalKind::Owned } else { LocalKind::Ref });
                    quote!(#name)
                }
                _ => quote!(_),
            },
            PatternKind::Literal(l) => match l {
                LitPattern::Int(i) => {
                    if *i < 0 {
                        let l = Literal::i64_unsuffixed(i.unsigned_abs() as i64);
                        quote!(-#l)
                    } else {
                        let l = Literal::i64_unsuffixed(*i);
                        quote!(#l)
                    }
                }
                LitPattern::Float(f) => {
                    let l = float_lit(f.abs());
                    if *f < 0.0 {
                        quote!(-#l)
                    } else {
                        l
                    }
                }
                LitPattern::Bool(b) => quote!(#b),
                LitPattern::Str(s) => {
                    if mode == Mode::Str && top {
                        quote!(#s)
                    } else if self.pat_guards.is_some() && self.in_or == 0 {
                        // Rust cannot match a `String` against a literal: bind
                        // it and compare in the arm's guard.
                        let t = self.fresh("lit");
                        if let Some(g) = self.pat_guards.as_mut() {
                            g.push(quote!(#t.as_str() == #s));
                        }
                        quote!(#t)
                    } else {
                        self.unsupported(p.span, "a string literal nested in an alternative of an `|` pattern")
                    }
                }
            },
            PatternKind::None => quote!(None),
            PatternKind::Tuple(ps) => {
                if ps.is_empty() {
                    return quote!(());
                }
                let inner_mode = if mode == Mode::Str { Mode::Ref } else { mode };
                let subs: Vec<TokenStream> = ps.iter().map(|sp| self.pat(sp, inner_mode, false)).collect();
                quote!((#(#subs),*))
            }
            PatternKind::Or(_) if !(mode == Mode::Str && top) && self.needs_deferral(p) => {
                let t = self.deferred(p, |t| quote!(&#t));
                t.unwrap_or_else(|| self.unsupported(p.span, "a string literal in an `|` pattern here"))
            }
            PatternKind::Or(ps) => {
                self.in_or += 1;
                let subs: Vec<TokenStream> = ps.iter().map(|sp| self.pat(sp, mode, top)).collect();
                self.in_or -= 1;
                quote!(#(#subs)|*)
            }
            PatternKind::Struct { fields, .. } => self.struct_pat(p, fields, mode),
            PatternKind::Variant { args, .. } => {
                let inner_mode = if mode == Mode::Str { Mode::Ref } else { mode };
                let subs: Vec<&Pattern> = args.as_deref().unwrap_or(&[]).iter().collect();
                match res {
                    Some(PatRes::Some) => {
                        let s = subs.first().map(|sp| self.pat(sp, inner_mode, false)).unwrap_or(quote!(_));
                        quote!(Some(#s))
                    }
                    Some(PatRes::Ok) => {
                        let s = subs.first().map(|sp| self.pat(sp, inner_mode, false)).unwrap_or(quote!(_));
                        quote!(Ok(#s))
                    }
                    Some(PatRes::Err) => {
                        let s = subs.first().map(|sp| self.pat(sp, inner_mode, false)).unwrap_or(quote!(_));
                        quote!(Err(::aether_rt::Error(#s)))
                    }
                    Some(PatRes::Variant(tid, i)) => {
                        let path = self.variant_path(tid, i);
                        let Some(v) = self.ck.types.as_enum(tid).and_then(|en| en.variants.get(i)).cloned() else {
                            return quote!(_);
                        };
                        if v.fields.is_empty() {
                            return path;
                        }
                        let mut fs = Vec::new();
                        for (fi, (f, sp)) in v.fields.iter().zip(subs.iter()).enumerate() {
                            let fname = names::ident(&f.name);
                            let boxing = self.facts().boxing(tid, i, fi);
                            let sub = match boxing {
                                None => self.pat(sp, inner_mode, false),
                                Some(b) => self.boxed_binding(sp, b, inner_mode),
                            };
                            if fname == sub.to_string() {
                                fs.push(quote!(#fname));
                            } else {
                                fs.push(quote!(#fname: #sub));
                            }
                        }
                        quote!(#path { #(#fs),* })
                    }
                    _ => quote!(_),
                }
            }
        }
    }

    /// `Point { x, y: 0, .. }`: the Rust struct pattern, with `..` always (a
    /// field the pattern does not name is ignored) and boxed (recursive)
    /// fields rebound unboxed as variant fields are.
    fn struct_pat(&mut self, p: &Pattern, fields: &[FieldPattern], mode: Mode) -> TokenStream {
        let inner_mode = if mode == Mode::Str { Mode::Ref } else { mode };
        let Some(PatRes::Struct(tid)) = self.tables.patterns.get(&p.id).cloned() else {
            return quote!(_);
        };
        let path = self.names().type_path(tid);
        let defs: Vec<String> =
            self.ck.types.as_struct(tid).map(|s| s.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default();
        let mut fs = Vec::new();
        for f in fields {
            let Some(fi) = defs.iter().position(|n| *n == f.name.name) else { continue };
            let fname = names::ident(&f.name.name);
            let sub = match self.facts().boxing(tid, 0, fi) {
                None => self.pat(&f.pattern, inner_mode, false),
                Some(b) => self.boxed_binding(&f.pattern, b, inner_mode),
            };
            if fname == sub.to_string() {
                fs.push(quote!(#fname));
            } else {
                fs.push(quote!(#fname: #sub));
            }
        }
        quote!(#path { #(#fs,)* .. })
    }

    /// A binding of a boxed variant field: rebound unboxed in the arm.
    fn boxed_binding(&mut self, p: &Pattern, b: Boxing, mode: Mode) -> TokenStream {
        match (&p.kind, self.tables.patterns.get(&p.id).cloned()) {
            (PatternKind::Wildcard, _) => quote!(_),
            (PatternKind::Binding(n), Some(PatRes::Binding(id))) => {
                let name = names::local(&n.name);
                match (b, mode) {
                    (Boxing::Whole, Mode::Value) => {
                        let moving = quote!(let #name = *#name;);
                        self.guard_fixups.insert(moving.to_string(), quote!(let #name = (*#name).clone();));
                        self.fixups.push(moving);
                        self.locals.insert(id, LocalKind::Owned);
                    }
                    (Boxing::Whole, _) => {
                        self.fixups.push(quote!(let #name = &**#name;));
                        self.locals.insert(id, LocalKind::Ref);
                    }
                    (Boxing::Opt, Mode::Value) => {
                        let moving = quote!(let #name = #name.map(|b| *b););
                        self.guard_fixups.insert(moving.to_string(), quote!(let #name = #name.clone().map(|b| *b);));
                        self.fixups.push(moving);
                        self.locals.insert(id, LocalKind::Owned);
                    }
                    (Boxing::Opt, _) => {
                        self.fixups.push(quote!(let #name = #name.as_deref().cloned();));
                        self.locals.insert(id, LocalKind::Owned);
                    }
                }
                quote!(#name)
            }
            _ => match self.deferred_boxed(p, b, mode) {
                Some(t) => t,
                None => self.unsupported(p.span, "a nested pattern on a recursive field here"),
            },
        }
    }
}

/// `_`, a binding, or a tuple of those: matches every value in Rust's eyes.
fn is_catch_all(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Wildcard | PatternKind::Binding(_) => true,
        PatternKind::Tuple(ps) => ps.iter().all(is_catch_all),
        _ => false,
    }
}

fn has_str_literal(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Literal(LitPattern::Str(_)) => true,
        PatternKind::Or(ps) => ps.iter().any(has_str_literal),
        _ => false,
    }
}

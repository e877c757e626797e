//! Blocks, statements, `if`, loops, assignments and mutable places.

use super::analysis::{self, Root};
use super::body::{ctx_passed, ctx_use, head, paren, Code, CtxUse, Gen, Kind, LeafShape, LocalKind};
use super::names;
use super::types::Boxing;
use crate::ast::{AssignOp, BinOp, Block, Expr, ExprKind, Ident, IfCond, Pattern, PatternKind, Stmt, StmtKind};
use crate::check::{LocalId, PatRes, Res};
use crate::ty::Ty;
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

impl Gen<'_> {
    /// A block whose value has type `t`; `()` means statements only.
    pub fn block(&mut self, b: &Block, t: &Ty) -> TokenStream {
        crate::with_stack(|| self.block_inner(b, t))
    }

    fn block_inner(&mut self, b: &Block, t: &Ty) -> TokenStream {
        let saved = self.locals.clone();
        let move_tail = std::mem::take(&mut self.move_tail);
        // Locals owned by this block: its `let`s and the loop variables of
        // the `for` it is the body of.
        let mut own: Vec<LocalId> = std::mem::take(&mut self.loop_locals);
        let mut out = Vec::new();
        let n = b.stmts.len();
        let value_mode = !matches!(t, Ty::Unit | Ty::Never | Ty::Error);
        for (i, s) in b.stmts.iter().enumerate() {
            let last = i + 1 == n;
            // A local used once here and never again is moved, not cloned.
            let saved_movable = self.movable.clone();
            let mine: Vec<LocalId> = own
                .iter()
                .copied()
                .filter(|id| self.locals.get(id).copied().unwrap_or(LocalKind::Owned) == LocalKind::Owned)
                .filter(|id| analysis::single_plain_use(self.tables, s, *id))
                .filter(|id| !b.stmts[i + 1..].iter().any(|later| analysis::stmt_mentions(self.tables, later, *id)))
                .collect();
            self.movable.extend(mine);
            match (&s.kind, last && value_mode) {
                (StmtKind::Expr(e), true) if move_tail => out.push(self.value_last_use(e)),
                (StmtKind::Expr(e), true) => out.push(self.value(e)),
                _ => out.push(self.stmt(s)),
            }
            self.movable = saved_movable;
            if let StmtKind::Let { pattern, .. } = &s.kind {
                analysis::pattern_locals(self.tables, pattern, &mut own);
            }
        }
        let ends_with_expr = matches!(b.stmts.last().map(|s| &s.kind), Some(StmtKind::Expr(_)));
        if value_mode && !ends_with_expr && !self.diverges(b) {
            match t {
                Ty::Result(inner) if **inner == Ty::Unit => out.push(quote!(Ok(()))),
                Ty::Optional(inner) if **inner == Ty::Unit => out.push(quote!(Some(()))),
                _ => {}
            }
        }
        self.locals = saved;
        quote!({ #(#out)* })
    }

    /// Whether control never reaches the end of the block.
    pub fn diverges(&self, b: &Block) -> bool {
        match b.stmts.last().map(|s| &s.kind) {
            Some(StmtKind::Return(_) | StmtKind::Break(_) | StmtKind::Continue(_)) => true,
            Some(StmtKind::Expr(e)) => self.expr_ty(e.id) == Ty::Never,
            Some(StmtKind::Loop { label, body }) => !has_break(body, label.as_ref()),
            _ => false,
        }
    }

    /// `if`, `match` or a block as an expression of type `t`.
    pub fn block_like(&mut self, e: &Expr, t: &Ty) -> TokenStream {
        match &e.kind {
            ExprKind::If { cond, then, else_ } => self.if_expr(cond, then, else_.as_deref(), t),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, t),
            ExprKind::Block(b) => self.block(b, t),
            _ => self.value(e),
        }
    }

    fn if_expr(&mut self, cond: &IfCond, then: &Block, else_: Option<&Expr>, t: &Ty) -> TokenStream {
        self.if_else(cond, then, else_, t, None)
    }

    /// `if`, with `forced_else` (a block) as its `else` when given
    /// (`while let`'s `else { break; }`).
    fn if_else(
        &mut self,
        cond: &IfCond,
        then: &Block,
        else_: Option<&Expr>,
        t: &Ty,
        forced_else: Option<TokenStream>,
    ) -> TokenStream {
        let saved = self.locals.clone();
        let value_mode = !matches!(t, Ty::Unit | Ty::Never | Ty::Error);
        // With conditions from the pattern (string literals in a tuple),
        // `if let` becomes a `match` with a guard: (pattern, scrutinee, guard).
        let mut as_match: Option<(TokenStream, TokenStream, Vec<TokenStream>)> = None;
        let (head, pre) = match cond {
            IfCond::Expr(c) => {
                let v = head(self.value(c));
                (quote!(if #v), Vec::new())
            }
            IfCond::Let { pattern, value } => {
                let uses = then_ctx_use(self, then, else_);
                // The branch that assigns to the matched place must not
                // find it borrowed by the bindings (they are copies).
                let mutates = analysis::place_root(self.tables, value)
                    .is_some_and(|root| analysis::mutated_roots(self.ck, self.tables, then).contains(&root));
                // A `match` or `if let` in the scrutinee has guards of its
                // own: the outer ones are put back after them.
                let outer = self.pat_guards.replace(Vec::new());
                let (pat, scrut, pre) = self.if_let_head(pattern, value, uses, mutates);
                let scrut = head(scrut);
                // Rust reads `if let p = a || b` as a let chain: `(a || b)`.
                let lazy = scrut
                    .clone()
                    .into_iter()
                    .any(|t| matches!(&t, TokenTree::Punct(p) if matches!(p.as_char(), '|' | '&')));
                let scrut = if lazy { quote!((#scrut)) } else { scrut };
                let conds = std::mem::replace(&mut self.pat_guards, outer).unwrap_or_default();
                let head = quote!(if let #pat = #scrut);
                if !conds.is_empty() {
                    as_match = Some((pat, scrut, conds));
                }
                (head, pre)
            }
        };
        let fix = std::mem::take(&mut self.fixups);
        let then_ts = self.block(then, t);
        let then_ts = if fix.is_empty() { then_ts } else { quote!({ #(#fix)* #then_ts }) };
        self.locals = saved;
        let else_ts = match else_ {
            None if forced_else.is_some() => quote!(else #forced_else),
            None => quote!(),
            Some(x) => {
                if !value_mode {
                    match &x.kind {
                        ExprKind::If { .. } => {
                            let inner = self.block_like(x, &Ty::Unit);
                            quote!(else #inner)
                        }
                        ExprKind::Block(b) => {
                            let inner = self.block(b, &Ty::Unit);
                            quote!(else #inner)
                        }
                        _ => {
                            let inner = self.expr_stmt(x);
                            quote!(else { #inner })
                        }
                    }
                } else if matches!(x.kind, ExprKind::If { .. }) && !self.tables.coercions.contains_key(&x.id) {
                    let inner = self.block_like(x, t);
                    quote!(else #inner)
                } else {
                    let v = self.value(x);
                    if matches!(x.kind, ExprKind::Block(_)) && !self.tables.coercions.contains_key(&x.id) {
                        quote!(else #v)
                    } else {
                        quote!(else { #v })
                    }
                }
            }
        };
        let out = match as_match {
            None => quote!(#head #then_ts #else_ts),
            Some((pat, scrut, conds)) => {
                // `else X` → `X` (a block or an `if` expression).
                let other: TokenStream = else_ts.into_iter().skip(1).collect();
                let other = if other.is_empty() { quote!({}) } else { other };
                quote!(match #scrut { #pat if #(#conds)&&* => #then_ts, _ => #other })
            }
        };
        if pre.is_empty() {
            out
        } else {
            quote!({ #(#pre)* #out })
        }
    }

    /// A statement.
    pub fn stmt(&mut self, s: &Stmt) -> TokenStream {
        crate::with_stack(|| self.stmt_inner(s))
    }

    fn stmt_inner(&mut self, s: &Stmt) -> TokenStream {
        match &s.kind {
            StmtKind::Let { mutable, pattern, value, .. } => {
                let t = self.tables.pat_types.get(&pattern.id).cloned().unwrap_or_else(|| self.expr_ty(value.id));
                let v = self.value(value);
                self.let_unbox = Some(Vec::new());
                let pat = self.irrefutable(pattern, *mutable, LocalKind::Owned);
                let unbox = self.let_unbox.take().unwrap_or_default();
                if !unbox.is_empty() {
                    return quote!(let #pat = #v; #(#unbox)*);
                }
                if let PatternKind::Binding(_) = pattern.kind {
                    let rt = self.rust_ty(&t);
                    if matches!(t, Ty::Never | Ty::Error) {
                        return quote!(let #pat = #v;);
                    }
                    return quote!(let #pat: #rt = #v;);
                }
                quote!(let #pat = #v;)
            }
            StmtKind::Assign { target, op, value } => self.assign(s, target, *op, value),
            StmtKind::Expr(e) => self.expr_stmt(e),
            StmtKind::While { label, cond: IfCond::Expr(cond), body } => {
                let l = loop_label(label.as_ref());
                let c = head(self.value(cond));
                let b = self.block(body, &Ty::Unit);
                if let Some(chunked) = self.leaf_loop(LeafShape::While(&c, cond), &b, body) {
                    return chunked;
                }
                let b = self.loop_block(b, body, None);
                quote!(#l while #c #b)
            }
            // `loop { if let p = v { body } else { break; } }`: the `if let`
            // machinery matches any pattern; `continue` tests `v` again.
            StmtKind::While { label, cond, body } => {
                let l = loop_label(label.as_ref());
                let b = self.if_else(
                    cond,
                    body,
                    None,
                    &Ty::Unit,
                    Some(quote!({
                        break;
                    })),
                );
                let value = match cond {
                    IfCond::Let { value, .. } => Some(value),
                    IfCond::Expr(e) => Some(e),
                };
                let b = self.loop_block(quote!({ #b }), body, value.map(|v| &**v));
                quote!(#l loop #b)
            }
            StmtKind::Loop { label, body } => {
                let l = loop_label(label.as_ref());
                let b = self.block(body, &Ty::Unit);
                if let Some(chunked) = self.leaf_loop(LeafShape::Loop, &b, body) {
                    return chunked;
                }
                let b = self.loop_block(b, body, None);
                quote!(#l loop #b)
            }
            StmtKind::For { label, mutable, pattern, iter, body } => {
                let l = loop_label(label.as_ref());
                self.for_stmt(l, *mutable, pattern, iter, body)
            }
            StmtKind::Return(v) => {
                let ret = self.ret.last().cloned().unwrap_or(Ty::Unit);
                match v {
                    Some(v) => {
                        let v = self.value_last_use(v);
                        quote!(return #v;)
                    }
                    None => match ret {
                        Ty::Result(_) => quote!(return Ok(());),
                        Ty::Optional(_) => quote!(return Some(());),
                        _ => quote!(return;),
                    },
                }
            }
            StmtKind::Break(label) => {
                let l = label.as_ref().map(rust_label);
                quote!(break #l;)
            }
            StmtKind::Continue(label) => {
                let l = label.as_ref().map(rust_label);
                quote!(continue #l;)
            }
        }
    }

    /// An expression whose value is dropped.
    pub fn expr_stmt(&mut self, e: &Expr) -> TokenStream {
        match &e.kind {
            ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_)
                if matches!(self.expr_ty(e.id), Ty::Unit | Ty::Never) =>
            {
                self.block_like(e, &Ty::Unit)
            }
            _ => {
                self.discarding = true;
                let c = self.coerced(e);
                self.discarding = false;
                let ts = c.ts;
                quote!(#ts;)
            }
        }
    }

    fn assign(&mut self, s: &Stmt, target: &Expr, op: AssignOp, value: &Expr) -> TokenStream {
        let tt = self.expr_ty(target.id);
        // `m[k] = v` inserts.
        if let (ExprKind::Index { base, index }, AssignOp::Assign) = (&target.kind, op) {
            if let Ty::Map(..) = self.expr_ty(base.id) {
                let k = self.value(index);
                let v = self.value(value);
                let m = self.place(base);
                let m = self.to_recv(m);
                // A key that needs `ctx` (a call) cannot be computed while
                // the map, in `ctx`, is borrowed for `insert`: the key and
                // then the value are computed first, in that order.
                if ctx_use(&k) == CtxUse::Mut {
                    return quote!({ let __k = #k; let __v = #v; #m.insert(__k, __v); });
                }
                return hoist_value(v, |v| quote!(#m.insert(#k, #v);));
            }
        }
        // A `T?` field stored as `Option<Box<T>>`.
        if let (ExprKind::Field { base, name }, Some(Res::Field(tid, i))) =
            (&target.kind, self.tables.resolutions.get(&target.id).cloned())
        {
            if let Some(b @ Boxing::Opt) = self.facts().boxing(tid, 0, i) {
                let v = self.field_value(value, Some(b));
                let bp = self.place(base);
                let bp = self.to_recv(bp);
                let f = names::ident(&name.name);
                return hoist_value(v, |v| quote!(#bp.#f = #v;));
            }
        }
        let self_append = tt == Ty::Str
            && analysis::place_root(self.tables, value).is_some()
            && analysis::place_root(self.tables, value) == analysis::place_root(self.tables, target);
        // `s += text` computed before `s` is borrowed (see below): the
        // text as an owned `String`, not a `&str` of a temporary.
        let mut owned_str = None;
        let v = match op {
            AssignOp::Add if tt == Ty::Str && self_append => {
                // `s += s`: the appended text must not borrow the target.
                let v = self.value(value);
                let place = self.place(target);
                let lv = self.to_lvalue(place);
                let lv = paren(lv);
                return quote!({ let __v = #v; #lv.push_str(&__v); });
            }
            AssignOp::Add if tt == Ty::Str => {
                let c = self.coerced(value);
                owned_str = Some(self.to_owned(c.clone(), &Ty::Str));
                self.to_str(c)
            }
            _ => self.value(value),
        };
        let place = self.place(target);
        let loc = self.loc(s.span);
        let place_ctx = ctx_use(&place.ts) != CtxUse::None;
        let v_ctx = ctx_use(&v) != CtxUse::None;
        let lv = self.to_lvalue(place.clone());
        let body = |v: TokenStream| match op {
            AssignOp::Assign => quote!(#lv = #v;),
            AssignOp::Add if tt == Ty::Str => {
                let r = &lv;
                let r = paren(r.clone());
                quote!(#r.push_str(#v);)
            }
            // Int arithmetic is checked in debug builds (`aether_rt::ops`).
            // The value is computed first, as for Rust's `+=` on integers.
            // Shifts fail outside `0..=63` in every build, as `a << b` does.
            AssignOp::Add
            | AssignOp::Sub
            | AssignOp::Mul
            | AssignOp::Div
            | AssignOp::Rem
            | AssignOp::Shl
            | AssignOp::Shr
                if tt == Ty::Int =>
            {
                let f = super::expr::int_op(op.binary().unwrap_or(BinOp::Add));
                if simple_place(&lv) && !ctx_or_mut(&v) {
                    quote!(#lv = ::aether_rt::ops::#f(#lv, #v, #loc);)
                } else {
                    quote!({ let __v = #v; let __p = &mut #lv; *__p = ::aether_rt::ops::#f(*__p, __v, #loc); })
                }
            }
            _ => {
                let o = match op.binary() {
                    Some(BinOp::Add) => quote!(+=),
                    Some(BinOp::Sub) => quote!(-=),
                    Some(BinOp::Mul) => quote!(*=),
                    Some(BinOp::Div) => quote!(/=),
                    Some(BinOp::Rem) => quote!(%=),
                    // `&=`, `|=`, `^=` on ints cannot fail.
                    Some(BinOp::BitAnd) => quote!(&=),
                    Some(BinOp::BitOr) => quote!(|=),
                    Some(BinOp::BitXor) => quote!(^=),
                    _ => quote!(=),
                };
                quote!(#lv #o #v;)
            }
        };
        if place_ctx && v_ctx && ctx_passed(&v) {
            if let Some(owned) = owned_str {
                let r = paren(lv.clone());
                return quote!({ let __v: String = #owned; #r.push_str(&__v); });
            }
            let out = body(quote!(__v));
            return quote!({ let __v = #v; #out });
        }
        body(v)
    }

    /// A mutable place: the target of an assignment, a `mut` argument, a
    /// mutating receiver.
    pub fn place(&mut self, e: &Expr) -> Code {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::SelfValue => self.expr(e),
            ExprKind::Field { base, name } => match self.tables.resolutions.get(&e.id).cloned() {
                Some(Res::Field(tid, i)) => {
                    let b = self.place(base);
                    let b = self.to_recv(b);
                    let f = names::ident(&name.name);
                    match self.facts().boxing(tid, 0, i) {
                        Some(Boxing::Whole) => Code::new(quote!((*#b.#f)), Kind::Place),
                        _ => Code::new(quote!(#b.#f), Kind::Place),
                    }
                }
                _ => self.expr(e),
            },
            ExprKind::TupleIndex { base, index, .. } => {
                let b = self.place(base);
                let b = self.to_recv(b);
                let i = proc_macro2::Literal::u32_unsuffixed(*index);
                Code::new(quote!(#b.#i), Kind::Place)
            }
            ExprKind::Index { base, index } => {
                let loc = self.loc(e.span);
                match self.expr_ty(base.id) {
                    Ty::Map(..) => {
                        let k = self.borrow(index);
                        let b = self.place(base);
                        let b = self.to_mut_ref(b);
                        Code::new(quote!(::aether_rt::ops::entry_mut(#k, #b, #loc)), Kind::MutRef)
                    }
                    _ => {
                        let i = self.value(index);
                        let b = self.place(base);
                        let b = self.to_mut_ref(b);
                        Code::new(quote!(::aether_rt::ops::elem_mut(#i, #b, #loc)), Kind::MutRef)
                    }
                }
            }
            _ => self.expr(e),
        }
    }

    /// `label` is `'l_name:` or nothing, put before the Rust `for`.
    fn for_stmt(
        &mut self,
        label: TokenStream,
        mutable: bool,
        pattern: &Pattern,
        iter: &Expr,
        body: &Block,
    ) -> TokenStream {
        let saved = self.locals.clone();
        let it = self.expr_ty(iter.id);
        let out = if let ExprKind::Range { start, end, inclusive } = &iter.kind {
            let (s, en) = (self.value(start), self.value(end));
            let (s, en) = (paren(s), head(paren(en)));
            let pat = self.irrefutable(pattern, false, LocalKind::Owned);
            let b = self.loop_body(pattern, body);
            let shape = LeafShape::Range { pat: &pat, start: &s, end: &en };
            let chunked = if *inclusive { None } else { self.leaf_loop(shape, &b, body) };
            match chunked {
                Some(chunked) => chunked,
                None => {
                    let b = self.loop_block(b, body, None);
                    if *inclusive {
                        quote!(#label for #pat in #s..=#en #b)
                    } else {
                        quote!(#label for #pat in #s..#en #b)
                    }
                }
            }
        } else {
            let root = analysis::place_root(self.tables, iter);
            // `for mut` changes the list in place: an indexed list is
            // reached through `elem_mut`/`entry_mut`.
            let c = if mutable { self.place(iter) } else { self.coerced(iter) };
            let body_ctx = analysis::block_passes_ctx(self.ck, self.tables, self.needs(), body);
            let iter_ctx = ctx_use(&c.ts) != CtxUse::None;
            let changed = root.is_some_and(|r| {
                let m = analysis::mutated_roots(self.ck, self.tables, body);
                m.contains(&r) || (mutable && analysis::mentions_root(self.tables, body, r))
            });
            let conflict =
                (iter_ctx && body_ctx) || changed || matches!(root, Some(Root::SelfValue) if mutable && body_ctx);
            if mutable {
                if conflict {
                    let owned = self.to_owned(c.clone(), &it);
                    let lv = self.to_lvalue(c);
                    let (pat, unbox) = self.for_pattern(pattern, LocalKind::MutRef);
                    let b = self.block(body, &Ty::Unit);
                    let b = self.loop_block(b, body, None);
                    let b = if unbox.is_empty() { b } else { quote!({ #(#unbox)* #b }) };
                    quote!({
                        let mut __items = #owned;
                        #label for #pat in __items.iter_mut() #b
                        #lv = __items;
                    })
                } else {
                    let r = self.to_recv(c);
                    let (pat, unbox) = self.for_pattern(pattern, LocalKind::MutRef);
                    // No safe point: the iterator borrows the collection
                    // (maybe `state`), and a `for` ends by itself.
                    let b = self.block(body, &Ty::Unit);
                    let b = if unbox.is_empty() { b } else { quote!({ #(#unbox)* #b }) };
                    let r = head(quote!(#r.iter_mut()));
                    quote!(#label for #pat in #r #b)
                }
            } else {
                let owned_iter = c.kind == Kind::Owned || conflict;
                let is_map = matches!(it, Ty::Map(..));
                let single = matches!(pattern.kind, PatternKind::Binding(_));
                let src = if owned_iter {
                    let v = self.to_owned(c, &it);
                    paren(v)
                } else {
                    self.to_recv(c)
                };
                let (iter_ts, kind) = match (owned_iter, is_map, single) {
                    (true, _, _) => (quote!(#src), LocalKind::Owned),
                    (false, true, true) => (quote!(#src.iter().map(|(k, v)| (k.clone(), v.clone()))), LocalKind::Owned),
                    (false, _, _) => (quote!(#src.iter()), LocalKind::Ref),
                };
                let (pat, unbox) = self.for_pattern(pattern, kind);
                let b =
                    if kind == LocalKind::Owned { self.loop_body(pattern, body) } else { self.block(body, &Ty::Unit) };
                // A safe point only where the loop borrows nothing (see above).
                let b = if owned_iter { self.loop_block(b, body, None) } else { b };
                let b = if unbox.is_empty() { b } else { quote!({ #(#unbox)* #b }) };
                let iter_ts = head(iter_ts);
                quote!(#label for #pat in #iter_ts #b)
            }
        };
        self.locals = saved;
        out
    }

    /// A `for`'s pattern, and the statements that unbox the recursive
    /// fields it binds, for the top of the loop's body.
    fn for_pattern(&mut self, pattern: &Pattern, kind: LocalKind) -> (TokenStream, Vec<TokenStream>) {
        self.let_unbox = Some(Vec::new());
        let pat = self.irrefutable(pattern, false, kind);
        (pat, self.let_unbox.take().unwrap_or_default())
    }

    /// The body of a `for` whose variables own their values (fresh each
    /// iteration, so they may be moved at their last use).
    fn loop_body(&mut self, pattern: &Pattern, body: &Block) -> TokenStream {
        let mut own = Vec::new();
        analysis::pattern_locals(self.tables, pattern, &mut own);
        self.loop_locals = own;
        self.block(body, &Ty::Unit)
    }

    /// A `let`/`for` pattern: names, `_` and tuples of those.
    pub fn irrefutable(&mut self, p: &Pattern, mutable: bool, kind: LocalKind) -> TokenStream {
        match &p.kind {
            PatternKind::Binding(n) => {
                if let Some(PatRes::Binding(id)) = self.tables.patterns.get(&p.id) {
                    self.locals.insert(*id, kind);
                }
                let name = names::local(&n.name);
                if mutable {
                    quote!(mut #name)
                } else {
                    quote!(#name)
                }
            }
            PatternKind::Tuple(ps) => {
                let subs: Vec<TokenStream> = ps.iter().map(|sp| self.irrefutable(sp, mutable, kind)).collect();
                quote!((#(#subs),*))
            }
            // `let Point { x, y: (a, b), .. } = p`: the checker lets only
            // patterns that always match through.
            PatternKind::Struct { fields, .. } => {
                let Some(PatRes::Struct(tid)) = self.tables.patterns.get(&p.id).cloned() else {
                    return quote!(_);
                };
                let path = self.names().type_path(tid);
                let defs: Vec<String> = self
                    .ck
                    .types
                    .as_struct(tid)
                    .map(|s| s.fields.iter().map(|f| f.name.clone()).collect())
                    .unwrap_or_default();
                let mut fs = Vec::new();
                for f in fields {
                    let Some(fi) = defs.iter().position(|n| *n == f.name.name) else { continue };
                    let fname = names::ident(&f.name.name);
                    let sub = match (self.facts().boxing(tid, 0, fi), &f.pattern.kind) {
                        (None, _) => self.irrefutable(&f.pattern, mutable, kind),
                        (Some(_), PatternKind::Wildcard) => quote!(_),
                        // A recursive field bound in a `let` or a `for`:
                        // unboxed after the `let`, at the top of the body.
                        (Some(b), PatternKind::Binding(n))
                            if self.let_unbox.is_some() && !(b == Boxing::Opt && kind == LocalKind::MutRef) =>
                        {
                            let name = names::local(&n.name);
                            let m = if mutable { quote!(mut) } else { quote!() };
                            // The binding is the field as the pattern
                            // matched it: owned, `&` or `&mut` a box.
                            let (unbox, bound) = match (b, kind) {
                                (Boxing::Opt, LocalKind::Owned) => (quote!(#name.map(|b| *b)), kind),
                                (Boxing::Whole, LocalKind::Owned) => (quote!(*#name), kind),
                                (Boxing::Whole, LocalKind::Ref) => (quote!(&**#name), kind),
                                (Boxing::Whole, LocalKind::MutRef) => (quote!(&mut **#name), kind),
                                // No `&T?` can be made of a `&Box<T>?`: a copy,
                                // as the binding means under value semantics.
                                (Boxing::Opt, _) => (quote!(#name.as_ref().map(|b| (**b).clone())), LocalKind::Owned),
                            };
                            if let Some(PatRes::Binding(id)) = self.tables.patterns.get(&f.pattern.id) {
                                self.locals.insert(*id, bound);
                            }
                            if let Some(u) = self.let_unbox.as_mut() {
                                u.push(quote!(let #m #name = #unbox;));
                            }
                            quote!(#name)
                        }
                        _ => self.unsupported(
                            f.pattern.span,
                            "destructuring an optional recursive field in a `for mut`, or a recursive field \
                             further inside it (use `p.field` or a `match`)",
                        ),
                    };
                    fs.push(quote!(#fname: #sub));
                }
                quote!(#path { #(#fs,)* .. })
            }
            _ => quote!(_),
        }
    }
}

/// `let __v = value; <use>` when the value is not trivial, so a receiver
/// borrow does not overlap it.
fn hoist_value(v: TokenStream, f: impl FnOnce(TokenStream) -> TokenStream) -> TokenStream {
    if ctx_use(&v) == CtxUse::Mut {
        let body = f(quote!(__v));
        return quote!({ let __v = #v; #body });
    }
    f(v)
}

/// The Rust label of an Aether loop label: `'outer` is `'l_outer` (never a
/// keyword, which Rust refuses as a label).
fn rust_label(l: &Ident) -> syn::Lifetime {
    syn::Lifetime::new(&format!("'l_{}", l.name), proc_macro2::Span::call_site())
}

/// `'l_name:` before a loop, or nothing.
fn loop_label(l: Option<&Ident>) -> TokenStream {
    match l.map(rust_label) {
        Some(l) => quote!(#l:),
        None => quote!(),
    }
}

/// Whether a loop body has a `break` for this loop: an unlabelled one not
/// in a nested loop, or `break 'label` anywhere.
fn has_break(b: &Block, label: Option<&Ident>) -> bool {
    block_breaks(b, label, true)
}

fn block_breaks(b: &Block, label: Option<&Ident>, direct: bool) -> bool {
    b.stmts.iter().any(|s| match &s.kind {
        StmtKind::Break(None) => direct,
        StmtKind::Break(Some(l)) => label.is_some_and(|x| x.name == l.name),
        StmtKind::Expr(e) => expr_has_break(e, label, direct),
        StmtKind::While { body, .. } | StmtKind::Loop { body, .. } | StmtKind::For { body, .. } => {
            label.is_some() && block_breaks(body, label, false)
        }
        _ => false,
    })
}

fn expr_has_break(e: &Expr, label: Option<&Ident>, direct: bool) -> bool {
    match &e.kind {
        ExprKind::If { then, else_, .. } => {
            block_breaks(then, label, direct) || else_.as_deref().is_some_and(|x| expr_has_break(x, label, direct))
        }
        ExprKind::Match { arms, .. } => arms.iter().any(|a| expr_has_break(&a.body, label, direct)),
        ExprKind::Block(b) => block_breaks(b, label, direct),
        _ => false,
    }
}

/// How the branches of an `if let` use `ctx`.
fn then_ctx_use(gen: &mut Gen<'_>, then: &Block, else_: Option<&Expr>) -> bool {
    let roots = then.stmts.iter().map(analysis::Visit::Stmt);
    gen.uses_ctx(roots.chain(else_.map(analysis::Visit::Expr)))
}

/// A local, a field path or a dereference (`x`, `*x`, `p.pos.x`,
/// `ctx.main_.n`): cheap and safe to name twice in `x = f(x, v)`.
fn simple_place(ts: &TokenStream) -> bool {
    use proc_macro2::TokenTree;
    ts.clone().into_iter().all(|t| match t {
        TokenTree::Ident(_) | TokenTree::Literal(_) => true,
        TokenTree::Punct(p) => matches!(p.as_char(), '.' | '*'),
        TokenTree::Group(_) => false,
    })
}

/// Whether the tokens pass `ctx` or borrow mutably anywhere: such a value
/// could change the place it is added to, so it is computed first.
fn ctx_or_mut(ts: &TokenStream) -> bool {
    use proc_macro2::TokenTree;
    ts.clone().into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "ctx" || i == "mut",
        TokenTree::Group(g) => ctx_or_mut(&g.stream()),
        _ => false,
    })
}

//! Checking blocks and statements: `let`, assignments, loops, `break` and
//! `continue`, `return`, `if`, unreachable code (W0002), and how a block's
//! or branch's last expression gives its value ([`Tail`]).

use super::Checker;
use crate::ast::{AssignOp, Block, Expr, ExprKind, Ident, IfCond, Stmt, StmtKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::ty::Ty;

/// What to do with a block's last expression.
#[derive(Clone, Copy)]
pub(super) enum Tail<'a> {
    /// Statement position: the value is dropped, branches need not agree.
    Discard,
    Infer(Option<&'a Ty>),
    Check(&'a Ty),
}

impl<'p> Checker<'p> {
    pub(super) fn block(&mut self, b: &Block, tail: Tail<'_>) -> Ty {
        self.push_scope();
        let mut diverged: Option<Span> = None;
        let mut warned = false;
        let mut value = Ty::Unit;
        let n = b.stmts.len();
        for (i, s) in b.stmts.iter().enumerate() {
            if let (Some(at), false) = (diverged, warned) {
                warned = true;
                self.emit(
                    Diagnostic::at(Code::W0002, s.span, "unreachable code")
                        .secondary(at, "any code following this is unreachable"),
                );
            }
            let is_tail = i + 1 == n;
            let t = match (&s.kind, is_tail) {
                (StmtKind::Expr(e), true) => match tail {
                    Tail::Discard => self.expr_discard(e),
                    Tail::Infer(x) => self.expr(e, x),
                    Tail::Check(x) => {
                        let t = self.expr(e, Some(x));
                        if self.shallow(&t) == Ty::Never {
                            Ty::Never
                        } else {
                            self.coerce(Some(e.id), e.span, &t, x);
                            x.clone()
                        }
                    }
                },
                _ => self.stmt(s),
            };
            if self.shallow(&t) == Ty::Never {
                diverged.get_or_insert(s.span);
                value = Ty::Never;
            } else if is_tail && diverged.is_none() {
                value = match (&s.kind, tail) {
                    (StmtKind::Expr(_), Tail::Infer(_) | Tail::Check(_)) => t,
                    _ => Ty::Unit,
                };
            }
        }
        let ends_with_expr = matches!(b.stmts.last().map(|s| &s.kind), Some(StmtKind::Expr(_)));
        if let Tail::Check(x) = tail {
            if !ends_with_expr && diverged.is_none() {
                let end = Span { file: b.span.file, start: b.span.end.saturating_sub(1), end: b.span.end };
                self.coerce(None, end, &Ty::Unit, x);
            }
        }
        self.pop_scope_warn();
        value
    }

    /// A statement; returns `never` if it always diverges.
    fn stmt(&mut self, s: &Stmt) -> Ty {
        match &s.kind {
            StmtKind::Let { mutable, pattern, ty, value } => {
                let m = self.cx.module;
                let diags_before = self.diags.len();
                let t = match ty {
                    Some(te) => {
                        let t = self.resolve_type(m, te);
                        self.check_expr(value, &t);
                        t
                    }
                    None => self.expr(value, None),
                };
                let t = if self.shallow(&t) == Ty::Never { Ty::Error } else { t };
                self.bind_irrefutable(pattern, &t, *mutable, "let");
                // A `let` with an error already reported: whether its
                // variables are used is noise next to the error.
                if self.diags[diags_before..].iter().any(|d| d.is_error()) {
                    self.mark_bindings_used(pattern);
                }
                Ty::Unit
            }
            StmtKind::Assign { target, op, value } => {
                self.assign(target, *op, value);
                Ty::Unit
            }
            StmtKind::Expr(e) => self.expr_discard(e),
            StmtKind::While { label, cond, body } => {
                self.push_scope();
                match cond {
                    IfCond::Expr(c) => {
                        self.check_expr(c, &Ty::Bool);
                    }
                    IfCond::Let { pattern, value } => {
                        let vt = self.expr(value, None);
                        self.if_let_pattern(pattern, &vt);
                    }
                }
                self.enter_loop(label.as_ref());
                self.block(body, Tail::Discard);
                self.cx.loops.pop();
                self.pop_scope_warn();
                Ty::Unit
            }
            StmtKind::Loop { label, body } => {
                self.enter_loop(label.as_ref());
                self.block(body, Tail::Discard);
                let broke = self.cx.loops.pop().is_none_or(|(broke, _)| broke);
                if broke {
                    Ty::Unit
                } else {
                    Ty::Never
                }
            }
            StmtKind::For { label, mutable, pattern, iter, body } => {
                let it = self.expr(iter, None);
                let elem = match self.shallow(&it) {
                    Ty::List(el) => *el,
                    Ty::Map(k, v) => Ty::Tuple(vec![*k, *v]),
                    Ty::Error => Ty::Error,
                    Ty::Var(_) => self.must_know(iter.span),
                    other => {
                        let shown = self.display(&other);
                        let mut d = Diagnostic::at(Code::E0300, iter.span, format!("cannot iterate over `{shown}`"))
                            .with_note("`for` iterates over lists, maps and ranges");
                        if other == Ty::Str {
                            d = d.with_help("iterate over `s.chars()`");
                        }
                        self.emit(d);
                        Ty::Error
                    }
                };
                if *mutable {
                    if matches!(self.shallow(&it), Ty::Map(..)) || matches!(iter.kind, ExprKind::Range { .. }) {
                        self.error(Code::E0403, iter.span, "`for mut` works on lists only");
                    } else {
                        self.require_mut_place(iter, Code::E0403, "`for mut` needs a mutable list");
                    }
                }
                self.push_scope();
                self.bind_irrefutable(pattern, &elem, *mutable, "for");
                self.enter_loop(label.as_ref());
                self.block(body, Tail::Discard);
                self.cx.loops.pop();
                self.pop_scope_warn();
                Ty::Unit
            }
            StmtKind::Return(value) => {
                let Some(ret) = self.cx.returns.last().cloned() else {
                    self.error(Code::E0309, s.span, "`return` outside of a function");
                    if let Some(v) = value {
                        self.expr(v, None);
                    }
                    return Ty::Never;
                };
                match value {
                    Some(v) => {
                        self.check_expr(v, &ret);
                    }
                    None => {
                        self.coerce(None, s.span, &Ty::Unit, &ret);
                    }
                }
                Ty::Never
            }
            StmtKind::Break(label) | StmtKind::Continue(label) => {
                let word = if matches!(s.kind, StmtKind::Break(_)) { "break" } else { "continue" };
                let target = match label {
                    Some(l) => match self.cx.loops.iter().rposition(|(_, name)| name.as_deref() == Some(&l.name)) {
                        Some(i) => self.cx.loops.get_mut(i),
                        None if self.cx.loops.is_empty() => None,
                        None => {
                            self.unknown_label(l);
                            return Ty::Never;
                        }
                    },
                    None => self.cx.loops.last_mut(),
                };
                match target {
                    Some((broke, _)) => {
                        if word == "break" {
                            *broke = true;
                        }
                    }
                    None => {
                        let d = Diagnostic::at(Code::E0309, s.span, format!("`{word}` outside of a loop"));
                        let d = if self.cx.closure_depth > 0 {
                            d.with_note("a closure body is not part of the loop around it")
                        } else {
                            d
                        };
                        self.emit(d);
                        // Already an error: no unreachable-code warning after it.
                        return Ty::Unit;
                    }
                }
                Ty::Never
            }
        }
    }

    fn assign(&mut self, target: &Expr, op: AssignOp, value: &Expr) {
        // The assigned variable itself is written, not read.
        let root_local = match &target.kind {
            ExprKind::Name(n) => self.lookup_local(&n.name),
            _ => None,
        };
        let was_used = root_local
            .and_then(|id| self.cx.meta.get(&id))
            .filter(|m| op == AssignOp::Assign && !m.escapes)
            .map(|m| m.used);
        let tt = self.expr(target, None);
        if let (Some(id), Some(used)) = (root_local, was_used) {
            if let Some(meta) = self.cx.meta.get_mut(&id) {
                meta.used = used;
            }
        }
        if self.require_mut_place(target, Code::E0400, "cannot assign").is_none() {
            // One mistake, one diagnostic: the value is not compared with
            // a target that cannot be assigned anyway.
            self.expr(value, None);
            return;
        }
        match op.binary() {
            None => {
                self.check_expr(value, &tt);
            }
            Some(bin) if bin.is_bitwise() => {
                // Ints only, as the operators; the result is the target's
                // type, so nothing is left to compare.
                let vt = self.expr(value, Some(&Ty::Int));
                self.bitwise_types(target.span.to(value.span), bin, &tt, &vt);
            }
            Some(bin) => {
                let vt = self.expr(value, Some(&tt));
                let span = target.span.to(value.span);
                let rt = self.binary_types(span, bin, &tt, &vt);
                if !rt.is_error() {
                    self.coerce(None, span, &rt, &tt);
                }
            }
        }
    }

    /// Push a loop with its label; a label an enclosing loop of the same
    /// function already has is E0319 (`break 'l` would be ambiguous).
    fn enter_loop(&mut self, label: Option<&Ident>) {
        if let Some(l) = label {
            if self.cx.loops.iter().any(|(_, name)| name.as_deref() == Some(&l.name)) {
                self.report(
                    Code::E0319,
                    l.span,
                    format!("the label `'{}` is already used by an enclosing loop", l.name),
                    "give the inner loop another label",
                );
            }
        }
        self.cx.loops.push((false, label.map(|l| l.name.clone())));
    }

    /// E0319: `break 'l`/`continue 'l` inside loops none of which is `'l`.
    fn unknown_label(&mut self, l: &Ident) {
        let names: Vec<String> =
            self.cx.loops.iter().filter_map(|(_, n)| n.as_ref().map(|n| format!("'{n}"))).collect();
        let mut d = Diagnostic::at(Code::E0319, l.span, format!("no enclosing loop is labelled `'{}`", l.name));
        d = match super::suggest(&format!("'{}", l.name), names.iter().map(|s| s.as_str())) {
            Some(h) => d.with_help(h),
            None if names.is_empty() => {
                d.with_help(format!("label the loop to leave: `'{}: for x in xs {{ ... }}`", l.name))
            }
            None => d.with_help(format!(
                "the enclosing loops are labelled {}",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            )),
        };
        self.emit(d);
    }

    pub(super) fn if_expr(&mut self, cond: &IfCond, then: &Block, else_: Option<&Expr>, tail: Tail<'_>) -> Ty {
        self.push_scope();
        match cond {
            IfCond::Expr(c) => {
                self.check_expr(c, &Ty::Bool);
            }
            IfCond::Let { pattern, value } => {
                let vt = self.expr(value, None);
                self.if_let_pattern(pattern, &vt);
            }
        }
        let Some(else_) = else_ else {
            self.block(then, Tail::Discard);
            self.pop_scope_warn();
            return Ty::Unit;
        };
        let (tt, et) = match tail {
            Tail::Discard => {
                let tt = self.block(then, Tail::Discard);
                self.pop_scope_warn();
                let et = self.expr_discard(else_);
                return if tt == Ty::Never && et == Ty::Never { Ty::Never } else { Ty::Unit };
            }
            Tail::Check(x) => {
                let tt = self.block(then, Tail::Check(x));
                self.pop_scope_warn();
                let et = self.expr(else_, Some(x));
                if self.shallow(&et) != Ty::Never {
                    self.coerce(Some(else_.id), else_.span, &et, x);
                }
                return if self.shallow(&tt) == Ty::Never && self.shallow(&et) == Ty::Never {
                    Ty::Never
                } else {
                    x.clone()
                };
            }
            Tail::Infer(_) => {
                let tt = self.block(then, Tail::Infer(None));
                self.pop_scope_warn();
                let et = self.expr(else_, Some(&tt));
                (tt, et)
            }
        };
        self.join(&tt, &et, else_)
    }

    /// The type of two branches: `never` yields to the other.
    pub(super) fn join(&mut self, first: &Ty, second: &Ty, second_expr: &Expr) -> Ty {
        let (a, b) = (self.shallow(first), self.shallow(second));
        if a == Ty::Never {
            return b;
        }
        if b == Ty::Never {
            return a;
        }
        self.coerce(Some(second_expr.id), second_expr.span, &b, &a);
        a
    }

    /// Check a match arm body or closure body by tail mode, returning its type.
    pub(super) fn arm_body(&mut self, body: &Expr, tail: Tail<'_>, result: &mut Option<Ty>) -> Ty {
        match tail {
            Tail::Discard => self.expr_discard(body),
            Tail::Check(x) => {
                let t = self.expr(body, Some(x));
                if self.shallow(&t) != Ty::Never {
                    self.coerce(Some(body.id), body.span, &t, x);
                    return x.clone();
                }
                t
            }
            Tail::Infer(_) => {
                let hint = result.clone();
                let t = self.expr(body, hint.as_ref());
                if self.shallow(&t) == Ty::Never {
                    return t;
                }
                match result {
                    Some(r) => {
                        let r = r.clone();
                        self.coerce(Some(body.id), body.span, &t, &r);
                    }
                    None => *result = Some(t.clone()),
                }
                t
            }
        }
    }

    pub(super) fn match_result(&self, tail: Tail<'_>, result: Option<Ty>, all_never: bool) -> Ty {
        if all_never {
            return Ty::Never;
        }
        match tail {
            Tail::Discard => Ty::Unit,
            Tail::Check(x) => x.clone(),
            Tail::Infer(_) => result.unwrap_or(Ty::Never),
        }
    }
}

//! Blocks, statements and expressions.
//!
//! Line breaks go only where the parser reads them as whitespace: inside
//! brackets, after a binary operator, before a `.method` of a chain, and
//! between statements and arms.

use super::doc::*;
use super::items::{braced, dotted, strip_parens, Fmt, Trailing};
use crate::ast::*;

impl Fmt<'_> {
    /// A block printed one statement per line (function and loop bodies).
    pub(super) fn block_broken(&mut self, b: &Block) -> Doc {
        let close = b.span.end.saturating_sub(1);
        let body = self.vertical(&b.stmts, |s| s.span, |f, s| f.stmt(s), close);
        braced(body, b.stmts.is_empty())
    }

    /// A block that may stay on one line (`{ x }`) when it was written on
    /// one line, holds one simple statement and fits; `one_line` says the
    /// whole construct (an `if` chain, a closure) was written on one line.
    pub(super) fn block_maybe_inline(&mut self, b: &Block, one_line: bool) -> Doc {
        if one_line && self.inlinable(b) {
            let stmt = self.stmt(&b.stmts[0]);
            return concat([text("{"), nest(concat([Doc::Line, stmt])), Doc::Line, text("}")]);
        }
        self.block_broken(b)
    }

    fn inlinable(&self, b: &Block) -> bool {
        let [stmt] = b.stmts.as_slice() else { return false };
        let simple = match &stmt.kind {
            StmtKind::Expr(e) => !has_block(e),
            StmtKind::Assign { value, .. } => !has_block(value),
            StmtKind::Return(e) => e.as_ref().is_none_or(|e| !has_block(e)),
            StmtKind::Break(_) | StmtKind::Continue(_) => true,
            _ => false,
        };
        simple && !self.comment_before(b.span.end)
    }

    pub(super) fn stmt(&mut self, s: &Stmt) -> Doc {
        crate::with_stack(|| self.stmt_inner(s))
    }

    fn stmt_inner(&mut self, s: &Stmt) -> Doc {
        match &s.kind {
            StmtKind::Let { mutable, pattern, ty, value } => {
                let mut parts = vec![text(if *mutable { "var " } else { "let " }), self.pattern(pattern)];
                if let Some(ty) = ty {
                    parts.push(text(": "));
                    parts.push(self.ty(ty));
                }
                parts.push(self.assigned(" =", value));
                concat(parts)
            }
            StmtKind::Assign { target, op, value } => {
                let op = match op {
                    AssignOp::Assign => " =",
                    AssignOp::Add => " +=",
                    AssignOp::Sub => " -=",
                    AssignOp::Mul => " *=",
                    AssignOp::Div => " /=",
                    AssignOp::Rem => " %=",
                    AssignOp::BitAnd => " &=",
                    AssignOp::BitOr => " |=",
                    AssignOp::BitXor => " ^=",
                    AssignOp::Shl => " <<=",
                    AssignOp::Shr => " >>=",
                };
                concat([self.expr(target), self.assigned(op, value)])
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::While { label, cond, body } => {
                let cond = match cond {
                    IfCond::Expr(c) => self.expr(c),
                    IfCond::Let { pattern, value } => {
                        concat([text("let "), self.pattern(pattern), text(" = "), self.expr(value)])
                    }
                };
                concat([label_doc(label), text("while "), cond, text(" "), self.block_broken(body)])
            }
            StmtKind::Loop { label, body } => concat([label_doc(label), text("loop "), self.block_broken(body)]),
            StmtKind::For { label, mutable, pattern, iter, body } => concat([
                label_doc(label),
                text(if *mutable { "for mut " } else { "for " }),
                self.pattern(pattern),
                text(" in "),
                self.expr(iter),
                text(" "),
                self.block_broken(body),
            ]),
            StmtKind::Return(None) => text("return"),
            StmtKind::Return(Some(e)) => concat([text("return "), self.expr(e)]),
            StmtKind::Break(None) => text("break"),
            StmtKind::Break(Some(l)) => text(format!("break '{}", l.name)),
            StmtKind::Continue(None) => text("continue"),
            StmtKind::Continue(Some(l)) => text(format!("continue '{}", l.name)),
        }
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Doc {
        crate::with_stack(|| {
            let inner = self.expr_inner(e);
            if self.parenthesized(e) {
                group(concat([text("("), nest(concat([Doc::SoftLine, inner])), Doc::SoftLine, text(")")]))
            } else {
                inner
            }
        })
    }

    /// Whether the author wrote `e` in parentheses: its span (which the
    /// parser widens to the parentheses) starts before its first token.
    fn parenthesized(&self, e: &Expr) -> bool {
        let natural = match &e.kind {
            ExprKind::Binary { lhs, .. } => lhs.span.start,
            ExprKind::Range { start, .. } => start.span.start,
            ExprKind::Field { base, .. }
            | ExprKind::TupleIndex { base, .. }
            | ExprKind::Index { base, .. }
            | ExprKind::Slice { base, .. }
            | ExprKind::Try(base) => base.span.start,
            ExprKind::Call { callee, .. } => callee.span.start,
            ExprKind::StructLit { path, .. } => path.first().map_or(e.span.start, |p| p.span.start),
            ExprKind::Name(i) => i.span.start,
            ExprKind::Tuple(_) => return false,
            _ => return self.slice(e.span).starts_with('('),
        };
        natural > e.span.start
    }

    fn expr_inner(&mut self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) => text(strip_parens(self.slice(e.span))),
            ExprKind::Bool(b) => text(if *b { "true" } else { "false" }),
            ExprKind::None => text("none"),
            ExprKind::SelfValue => text("self"),
            ExprKind::Name(i) => text(i.name.as_str()),
            ExprKind::Field { .. } | ExprKind::Call { .. } => self.chain(e),
            ExprKind::TupleIndex { base, index_span, .. } => {
                // `1. 2` (a tuple index of an integer) must not become the
                // float `1.2`: the integer goes in parentheses.
                let base_doc = if matches!(base.kind, ExprKind::Int(_)) && !self.parenthesized(base) {
                    concat([text("("), self.expr(base), text(")")])
                } else {
                    self.expr(base)
                };
                concat([base_doc, text("."), text(self.slice(*index_span))])
            }
            ExprKind::Index { base, index } => concat([self.expr(base), text("["), self.expr(index), text("]")]),
            ExprKind::Slice { base, start, end, inclusive } => {
                let mut parts = vec![self.expr(base), text("[")];
                if let Some(s) = start {
                    parts.push(self.expr(s));
                }
                parts.push(text(if *inclusive { "..=" } else { ".." }));
                if let Some(end) = end {
                    parts.push(self.expr(end));
                }
                parts.push(text("]"));
                concat(parts)
            }
            ExprKind::Unary { op, expr } => {
                let op = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Not => "!",
                    UnaryOp::BitNot => "~",
                };
                concat([text(op), self.expr(expr)])
            }
            ExprKind::Binary { .. } => self.binary(e),
            ExprKind::Range { start, end, inclusive } => {
                let op = if *inclusive { "..=" } else { ".." };
                concat([self.expr(start), text(op), self.expr(end)])
            }
            ExprKind::Try(inner) => concat([self.expr(inner), text("?")]),
            ExprKind::List(items) => {
                let close = e.span.end.saturating_sub(1);
                self.list("[", items, |i| i.span, |f, i| f.expr(i), close, "]", Trailing::Comma, false)
            }
            ExprKind::Map(entries) => {
                let close = e.span.end.saturating_sub(1);
                self.list(
                    "{",
                    entries,
                    |(k, v)| k.span.to(v.span),
                    |f, (k, v)| concat([f.expr(k), text(": "), f.expr(v)]),
                    close,
                    "}",
                    Trailing::Comma,
                    false,
                )
            }
            ExprKind::Tuple(items) => {
                let close = e.span.end.saturating_sub(1);
                self.list("(", items, |i| i.span, |f, i| f.expr(i), close, ")", Trailing::TupleComma, false)
            }
            ExprKind::StructLit { path, fields } => {
                let close = e.span.end.saturating_sub(1);
                let body = self.list(
                    "{",
                    fields,
                    |fi| fi.name.span.to(fi.value.span),
                    |f, fi| {
                        // `Ball { x }` stays shorthand; `Ball { x: x }` stays written out.
                        let shorthand = matches!(&fi.value.kind, ExprKind::Name(n) if n.name == fi.name.name)
                            && fi.value.span == fi.name.span;
                        if shorthand {
                            text(fi.name.name.as_str())
                        } else {
                            concat([text(format!("{}: ", fi.name.name)), f.expr(&fi.value)])
                        }
                    },
                    close,
                    "}",
                    Trailing::Comma,
                    true,
                );
                concat([text(format!("{} ", dotted(path))), body])
            }
            ExprKind::If { .. } => {
                let one_line = self.one_line(e.span);
                group(self.if_chain(e, one_line))
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, scrutinee, arms),
            ExprKind::Closure { params, ret, body } => {
                let params: Vec<Doc> = params
                    .iter()
                    .map(|p| match &p.ty {
                        Some(ty) => concat([text(format!("{}: ", p.name.name)), self.ty(ty)]),
                        None => text(p.name.name.as_str()),
                    })
                    .collect();
                let mut parts = vec![text("|"), join(params, text(", ")), text("| ")];
                if let Some(ret) = ret {
                    parts.push(text("-> "));
                    parts.push(self.ty(ret));
                    parts.push(text(" "));
                }
                parts.push(self.closure_body(body, e));
                concat(parts)
            }
            ExprKind::Block(b) => {
                if self.is_bare(b) {
                    self.stmt(&b.stmts[0])
                } else {
                    let one_line = self.one_line(b.span);
                    group(self.block_maybe_inline(b, one_line))
                }
            }
            ExprKind::Error => text("<error>"),
        }
    }

    fn closure_body(&mut self, body: &Expr, closure: &Expr) -> Doc {
        match &body.kind {
            ExprKind::Block(b) if !self.is_bare(b) && !self.parenthesized(body) => {
                let one_line = self.one_line(closure.span);
                group(self.block_maybe_inline(b, one_line))
            }
            _ => self.expr(body),
        }
    }

    /// A block the parser made for a statement written where an expression
    /// goes (`none => return 0`, `Coin(v) => score += v`): no braces.
    fn is_bare(&self, b: &Block) -> bool {
        b.stmts.len() == 1 && !self.slice(b.span).starts_with('{')
    }

    fn if_chain(&mut self, e: &Expr, one_line: bool) -> Doc {
        let ExprKind::If { cond, then, else_ } = &e.kind else { return self.expr(e) };
        let cond = match cond {
            IfCond::Expr(c) => self.expr(c),
            IfCond::Let { pattern, value } => {
                concat([text("let "), self.pattern(pattern), text(" = "), self.expr(value)])
            }
        };
        let mut parts = vec![text("if "), cond, text(" "), self.block_maybe_inline(then, one_line)];
        if let Some(else_) = else_ {
            parts.push(text(" else "));
            match &else_.kind {
                ExprKind::If { .. } if !self.parenthesized(else_) => parts.push(self.if_chain(else_, one_line)),
                ExprKind::Block(b) if !self.parenthesized(else_) => parts.push(self.block_maybe_inline(b, one_line)),
                _ => parts.push(self.expr(else_)),
            }
        }
        concat(parts)
    }

    fn match_expr(&mut self, e: &Expr, scrutinee: &Expr, arms: &[MatchArm]) -> Doc {
        let head = concat([text("match "), self.expr(scrutinee), text(" ")]);
        let close = e.span.end.saturating_sub(1);
        let print = |f: &mut Self, arm: &MatchArm| {
            let mut parts = vec![f.pattern(&arm.pattern)];
            if let Some(g) = &arm.guard {
                parts.push(text(" if "));
                parts.push(f.expr(g));
            }
            parts.push(text(" => "));
            parts.push(f.expr(&arm.body));
            concat(parts)
        };
        let inline = self.one_line(e.span)
            && !self.comment_before(close)
            && arms.iter().all(|a| !has_block(&a.body) && a.guard.as_ref().is_none_or(|g| !has_block(g)));
        if inline && !arms.is_empty() {
            let docs: Vec<Doc> = arms.iter().map(|a| print(self, a)).collect();
            // Commas only on one line: broken, the arms are one per line as
            // the next run (the match no longer on one line) prints them.
            let body = join(docs, concat([if_break(Doc::Nil, text(",")), Doc::Line]));
            let body = concat([text("{"), nest(concat([Doc::Line, body])), Doc::Line, text("}")]);
            return concat([head, group(body)]);
        }
        let body = self.vertical(arms, |a| a.span, print, close);
        concat([head, braced(body, arms.is_empty())])
    }

    /// `a + b * c`: the operands of a left-leaning chain, breaking after
    /// operators (a line break after an operator continues the expression).
    fn binary(&mut self, e: &Expr) -> Doc {
        let mut ops = Vec::new();
        let mut cur = e;
        let level = match &e.kind {
            ExprKind::Binary { op, .. } => precedence(*op),
            _ => 0,
        };
        // One chain per precedence level: `a * b + c` is `[a * b] + c`.
        while let ExprKind::Binary { op, lhs, rhs } = &cur.kind {
            if !ops.is_empty() && (self.parenthesized(cur) || precedence(*op) != level) {
                break;
            }
            ops.push((*op, rhs.as_ref()));
            cur = lhs;
        }
        let first = self.expr(cur);
        let mut rest = Vec::new();
        for (op, rhs) in ops.into_iter().rev() {
            rest.push(text(format!(" {}", op.as_str())));
            // A comment after the operator stays there (and breaks the line).
            rest.extend(self.comments_here(rhs.span.start));
            rest.push(Doc::Line);
            rest.push(self.expr(rhs));
        }
        group(concat([first, nest(concat(rest))]))
    }

    /// A call or field access, and the chain of `.method(...)` calls it
    /// ends: two calls or more break one per line when they do not fit.
    fn chain(&mut self, e: &Expr) -> Doc {
        // Links from the outermost in; `root` is what the chain starts from.
        let mut links: Vec<&Expr> = Vec::new();
        let mut cur = e;
        loop {
            let next = match &cur.kind {
                ExprKind::Field { base, .. } => base,
                ExprKind::Call { callee, .. } => callee,
                _ => break,
            };
            links.push(cur);
            if self.parenthesized(next) {
                cur = next;
                break;
            }
            cur = next;
        }
        links.reverse();
        let method_calls = links
            .iter()
            .filter(
                |l| matches!(&l.kind, ExprKind::Call { callee, .. } if matches!(callee.kind, ExprKind::Field { .. })),
            )
            .count();
        let mut doc = vec![self.expr(cur)];
        let mut tail = Vec::new();
        for (i, link) in links.iter().enumerate() {
            match &link.kind {
                ExprKind::Field { name, .. } => {
                    let called = links.get(i + 1).is_some_and(|n| matches!(n.kind, ExprKind::Call { .. }));
                    // Break before `.name(` only: a field access stays with what it reads.
                    let seg = text(format!(".{}", name.name));
                    if method_calls >= 2 && called {
                        tail.push(Doc::SoftLine);
                        tail.push(seg);
                    } else if tail.is_empty() {
                        doc.push(seg);
                    } else {
                        tail.push(seg);
                    }
                }
                ExprKind::Call { args, .. } => {
                    let args = self.args(args, link.span.end.saturating_sub(1));
                    if tail.is_empty() {
                        doc.push(args);
                    } else {
                        tail.push(args);
                    }
                }
                _ => {}
            }
        }
        if tail.is_empty() {
            return concat(doc);
        }
        group(concat([concat(doc), nest(concat(tail))]))
    }

    fn args(&mut self, args: &[Arg], close: u32) -> Doc {
        // A last closure with a block body stays on the line of the call:
        // `items.map(|x| {` ... `})`.
        // So does a single argument that breaks on its own (a struct
        // literal, a list, a call) or cannot break (a long string).
        if let Some(last) = args.last() {
            let hug = match &last.expr.kind {
                ExprKind::Closure { body, .. } => {
                    matches!(&body.kind, ExprKind::Block(b) if !self.is_bare(b) && !self.one_line(last.expr.span))
                        || args.len() == 1
                }
                ExprKind::StructLit { .. }
                | ExprKind::List(_)
                | ExprKind::Map(_)
                | ExprKind::Tuple(_)
                | ExprKind::Str(_)
                | ExprKind::Call { .. }
                | ExprKind::If { .. }
                | ExprKind::Match { .. }
                | ExprKind::Block(_) => args.len() == 1,
                _ => false,
            };
            // A comment among the arguments needs the broken list.
            if hug && !self.comment_before(last.expr.span.start) {
                let docs: Vec<Doc> = args.iter().map(|a| self.arg(a)).collect();
                return concat([text("("), join(docs, text(", ")), text(")")]);
            }
        }
        self.list("(", args, |a| a.span, |f, a| f.arg(a), close, ")", Trailing::Comma, false)
    }

    fn arg(&mut self, a: &Arg) -> Doc {
        let e = self.expr(&a.expr);
        if a.mutable {
            concat([text("mut "), e])
        } else {
            e
        }
    }
}

/// Whether `e` holds a block (a multi-line construct) anywhere: `if`,
/// `match`, a closure with a braced body.
fn has_block(e: &Expr) -> bool {
    crate::with_stack(|| has_block_inner(e))
}

fn has_block_inner(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_) => true,
        ExprKind::Closure { body, .. } => has_block(body),
        ExprKind::Call { callee, args } => has_block(callee) || args.iter().any(|a| has_block(&a.expr)),
        ExprKind::Field { base, .. } | ExprKind::TupleIndex { base, .. } | ExprKind::Try(base) => has_block(base),
        ExprKind::Unary { expr, .. } => has_block(expr),
        ExprKind::Binary { lhs, rhs, .. } => has_block(lhs) || has_block(rhs),
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().any(has_block),
        ExprKind::StructLit { fields, .. } => fields.iter().any(|f| has_block(&f.value)),
        _ => false,
    }
}

/// The parser's binding power of `op` (`parse/expr.rs`).
fn precedence(op: BinOp) -> u8 {
    op.binding_power()
}

/// `'outer: ` before a labelled loop.
fn label_doc(label: &Option<Ident>) -> Doc {
    match label {
        Some(l) => text(format!("'{}: ", l.name)),
        None => text(""),
    }
}

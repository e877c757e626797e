//! Blocks and statements: `let`/`var`, assignments, loops, `return`,
//! `break` and `continue`, and where a statement ends.

use super::{PResult, Parser};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::token::TokenKind as T;

impl Parser<'_> {
    pub(super) fn block(&mut self) -> PResult<Block> {
        self.nested(Self::block_inner)
    }

    fn block_inner(&mut self) -> PResult<Block> {
        let open = self.expect(T::LBrace, "`{`")?;
        let stmts = self.with_newlines(false, |p| {
            let mut stmts = Vec::new();
            loop {
                p.skip_separators();
                if p.at(&T::RBrace) || p.at(&T::Eof) {
                    break;
                }
                let start = p.pos;
                match p.stmt() {
                    Ok(stmt) => {
                        stmts.push(stmt);
                        if !p.stmt_end() {
                            p.sync_statement();
                        }
                    }
                    Err(()) => p.sync_statement(),
                }
                if p.pos == start {
                    p.pos += 1;
                }
            }
            stmts
        });
        if self.at(&T::Eof) {
            let span = self.span();
            if std::mem::replace(&mut self.eof_reported, true) {
                return Err(());
            }
            self.error(
                Diagnostic::at(Code::E0007, span, "expected `}`, found end of file")
                    .secondary(open, "this `{` is never closed"),
            );
            return Err(());
        }
        let close = self.bump().span;
        Ok(Block { stmts, span: open.to(close) })
    }

    /// After a statement: a newline, `;`, or the block's `}`.
    fn stmt_end(&mut self) -> bool {
        if self.recovering {
            return false;
        }
        match self.tokens[self.pos].kind {
            T::Newline | T::Semi | T::RBrace | T::Eof => true,
            _ if self.prev_is(&T::RBrace) => true,
            _ => {
                let tok = self.tokens[self.pos].clone();
                self.error(
                    Diagnostic::at(
                        Code::E0007,
                        tok.span,
                        format!("expected end of statement, found {}", tok.kind.describe()),
                    )
                    .with_help("put a line break or `;` between statements"),
                );
                false
            }
        }
    }

    pub(super) fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let kind = match self.peek() {
            T::Let | T::Var => {
                let mutable = self.bump().kind == T::Var;
                let pattern = self.pattern()?;
                let ty = if self.eat(&T::Colon) { Some(self.type_expr()?) } else { None };
                // A broken initializer still declares the name, so later uses
                // don't add "cannot find" errors to the one that matters.
                let value = match self.expect(T::Eq, "`=` and a value") {
                    Ok(_) => {
                        self.skip_newlines();
                        self.expr()
                    }
                    Err(()) => Err(()),
                };
                let value = value.unwrap_or_else(|()| {
                    let span = self.span();
                    self.mk(ExprKind::Error, span)
                });
                StmtKind::Let { mutable, pattern, ty, value }
            }
            T::While | T::Loop | T::For => self.loop_stmt(None)?,
            T::Label(_) => {
                let tok = self.bump();
                let T::Label(name) = tok.kind else { return Err(()) };
                let label = Ident { name, span: tok.span };
                self.expect(T::Colon, "`:` after the loop label")?;
                if !matches!(self.peek(), T::While | T::Loop | T::For) {
                    let found = self.peek_tok().clone();
                    self.error(
                        Diagnostic::at(
                            Code::E0007,
                            found.span,
                            format!("expected a loop after the label, found {}", found.kind.describe()),
                        )
                        .secondary(label.span, "this label")
                        .with_help("a label names a `for`, `while` or `loop`: `'outer: for x in xs { ... }`"),
                    );
                    return Err(());
                }
                self.loop_stmt(Some(label))?
            }
            T::Return | T::Break | T::Continue => return self.jump(),
            _ => {
                let target = self.expr()?;
                let op = match self.tokens[self.pos].kind {
                    T::Eq => AssignOp::Assign,
                    T::PlusEq => AssignOp::Add,
                    T::MinusEq => AssignOp::Sub,
                    T::StarEq => AssignOp::Mul,
                    T::SlashEq => AssignOp::Div,
                    T::PercentEq => AssignOp::Rem,
                    T::AmpEq => AssignOp::BitAnd,
                    T::PipeEq => AssignOp::BitOr,
                    T::CaretEq => AssignOp::BitXor,
                    _ => match self.shift_assign_here() {
                        Some(op) => op,
                        None => return Ok(Stmt { span: start.to(self.prev_span()), kind: StmtKind::Expr(target) }),
                    },
                };
                let mut op_span = self.bump().span;
                if matches!(op, AssignOp::Shl | AssignOp::Shr) {
                    op_span = op_span.to(self.bump().span);
                }
                if !is_place(&target) {
                    self.error(
                        Diagnostic::at(Code::E0011, target.span, "cannot assign to this expression")
                            .secondary(op_span, "assignment here")
                            .with_help("only variables, fields (`a.b`) and elements (`a[i]`) can be assigned"),
                    );
                    return Err(());
                }
                self.skip_newlines();
                let value = self.expr()?;
                StmtKind::Assign { target, op, value }
            }
        };
        Ok(Stmt { kind, span: start.to(self.prev_span()) })
    }

    /// `while cond`, `while let pattern = value`, `loop`, `for`: at the
    /// loop's keyword, after its label if it has one.
    fn loop_stmt(&mut self, label: Option<Ident>) -> PResult<StmtKind> {
        Ok(match self.bump().kind {
            T::While => {
                let cond = if self.eat(&T::Let) {
                    let pattern = self.pattern()?;
                    self.expect(T::Eq, "`=` and the value to match")?;
                    IfCond::Let { pattern, value: Box::new(self.expr_no_struct()?) }
                } else {
                    IfCond::Expr(Box::new(self.expr_no_struct()?))
                };
                let body = self.block()?;
                StmtKind::While { label, cond, body }
            }
            T::Loop => StmtKind::Loop { label, body: self.block()? },
            _ => {
                let mutable = self.eat(&T::Mut);
                let pattern = self.pattern()?;
                self.expect(T::In, "`in`")?;
                let iter = self.expr_no_struct()?;
                let body = self.block()?;
                StmtKind::For { label, mutable, pattern, iter, body }
            }
        })
    }

    /// A `break`/`continue` label: `'outer`, on the same line.
    fn jump_label(&mut self) -> Option<Ident> {
        if let T::Label(name) = &self.tokens[self.pos].kind {
            let name = name.clone();
            let span = self.bump().span;
            return Some(Ident { name, span });
        }
        None
    }

    /// `return [value]`, `break ['label]`, `continue ['label]`.
    pub(super) fn jump(&mut self) -> PResult<Stmt> {
        let tok = self.bump();
        let kind = match tok.kind {
            T::Return => {
                let value = if self.at_expr_end() { None } else { Some(self.expr()?) };
                StmtKind::Return(value)
            }
            T::Break => StmtKind::Break(self.jump_label()),
            _ => StmtKind::Continue(self.jump_label()),
        };
        Ok(Stmt { kind, span: tok.span.to(self.prev_span()) })
    }

    fn at_expr_end(&self) -> bool {
        matches!(self.tokens[self.pos].kind, T::Newline | T::Semi | T::RBrace | T::Eof | T::Comma | T::RParen)
    }
}

fn is_place(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::SelfValue => true,
        ExprKind::Field { base, .. } | ExprKind::TupleIndex { base, .. } | ExprKind::Index { base, .. } => {
            is_place(base)
        }
        _ => false,
    }
}

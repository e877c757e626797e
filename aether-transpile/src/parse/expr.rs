//! Expressions: Pratt parsing for binary operators, unary and postfix
//! operators (calls, fields, indexing, `?`), literals, struct literals,
//! closures, `if`, `match` and string interpolation.

use super::{PResult, Parens, Parser};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer;
use crate::source::Span;
use crate::token::{StrPiece, TokenKind as T};

impl Parser<'_> {
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.nested(Self::range_expr)
    }

    pub(super) fn expr_no_struct(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.no_struct, true);
        let r = self.expr();
        self.no_struct = saved;
        r
    }

    pub(super) fn mk(&mut self, kind: ExprKind, span: Span) -> Expr {
        Expr { id: self.id(), kind, span }
    }

    fn range_expr(&mut self) -> PResult<Expr> {
        let start = self.binary(0)?;
        let inclusive = match self.peek() {
            T::DotDot => false,
            T::DotDotEq => true,
            _ => return Ok(start),
        };
        self.bump();
        self.skip_newlines();
        let end = self.binary(0)?;
        let span = start.span.to(end.span);
        Ok(self.mk(ExprKind::Range { start: Box::new(start), end: Box::new(end), inclusive }, span))
    }

    /// Pratt loop over binary operators with binding power above `min`.
    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        // An operator must be on the same line as its left operand.
        while let Some((op, bp)) = self.binary_op_here() {
            if bp <= min {
                break;
            }
            let mut op_tok = self.bump();
            if matches!(op, BinOp::Shl | BinOp::Shr) {
                // `<<` and `>>` are two adjacent `<`/`>` tokens (so that
                // nested type arguments may close with `>>`).
                let second = self.bump();
                op_tok.span = op_tok.span.to(second.span);
            }
            self.skip_newlines();
            // `??` is right-associative; the rest are left-associative.
            let rhs_min = if op == BinOp::Coalesce { bp - 1 } else { bp };
            let rhs = crate::with_stack(|| self.binary(rhs_min))?;
            if is_comparison(op) {
                if let Some((next, _)) = self.binary_op_here() {
                    if is_comparison(next) {
                        let span = self.span();
                        self.error(
                            Diagnostic::at(Code::E0007, span, "comparison operators cannot be chained")
                                .secondary(op_tok.span, "first comparison")
                                .with_help("split it: `a < b && b < c`"),
                        );
                        return Err(());
                    }
                }
            }
            let span = lhs.span.to(rhs.span);
            lhs = self.mk(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        }
        Ok(lhs)
    }

    /// The binary operator at the current token and its binding power:
    /// `<` `<` and `>` `>` written with nothing between them are the shifts.
    fn binary_op_here(&self) -> Option<(BinOp, u8)> {
        let i = self.cur_index();
        let tok = &self.tokens[i];
        if self.shift_assign_here().is_some() {
            // `<<=`/`>>=` end the expression: the statement assigns.
            return None;
        }
        if matches!(tok.kind, T::Lt | T::Gt) {
            if let Some(next) = self.tokens.get(i + 1) {
                if next.kind == tok.kind && next.span.start == tok.span.end {
                    let op = if tok.kind == T::Lt { BinOp::Shl } else { BinOp::Shr };
                    return Some((op, op.binding_power()));
                }
            }
        }
        binary_op(&tok.kind)
    }

    /// `<<=` or `>>=` at the current token: `<` `<=` or `>` `>=` written
    /// with nothing between them (the lexer keeps `<` and `>` single so
    /// that nested type arguments may close with `>>`).
    pub(super) fn shift_assign_here(&self) -> Option<AssignOp> {
        let i = self.cur_index();
        let (tok, next) = (&self.tokens[i], self.tokens.get(i + 1)?);
        if next.span.start != tok.span.end {
            return None;
        }
        match (&tok.kind, &next.kind) {
            (T::Lt, T::Le) => Some(AssignOp::Shl),
            (T::Gt, T::Ge) => Some(AssignOp::Shr),
            _ => None,
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            T::Minus => UnaryOp::Neg,
            T::Bang => UnaryOp::Not,
            T::Tilde => UnaryOp::BitNot,
            _ => return self.postfix(),
        };
        let start = self.bump().span;
        let inner = self.nested(Self::unary)?;
        let span = start.to(inner.span);
        Ok(self.mk(ExprKind::Unary { op, expr: Box::new(inner) }, span))
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            // A `.method()` chain may continue on the next line.
            if self.tokens[self.pos].kind == T::Newline && self.next_line_starts_with(&T::Dot) && !self.skips_newlines()
            {
                self.skip_newlines();
            }
            match self.tokens[self.cur_index()].kind.clone() {
                T::LParen if self.cur_index() == self.pos => {
                    self.bump();
                    let (args, _) = self.separated(&T::RParen, false, |p| {
                        let start = p.span();
                        let mutable = p.eat(&T::Mut);
                        let expr = p.expr()?;
                        Ok(Arg { mutable, span: start.to(expr.span), expr })
                    })?;
                    let close = self.expect(T::RParen, "`,` or `)` in the argument list")?;
                    let span = e.span.to(close);
                    e = self.mk(ExprKind::Call { callee: Box::new(e), args }, span);
                }
                T::LBracket if self.cur_index() == self.pos => {
                    self.bump();
                    e = self.with_newlines(true, |p| p.index(e))?;
                }
                T::Dot => {
                    self.bump();
                    match self.peek().clone() {
                        T::Int(i) => {
                            let index_span = self.bump().span;
                            let span = e.span.to(index_span);
                            let index = u32::try_from(i).unwrap_or(u32::MAX);
                            e = self.mk(ExprKind::TupleIndex { base: Box::new(e), index, index_span }, span);
                        }
                        _ => {
                            let name = self.ident("a field or method name after `.`")?;
                            let span = e.span.to(name.span);
                            e = self.mk(ExprKind::Field { base: Box::new(e), name }, span);
                        }
                    }
                }
                T::Question if self.cur_index() == self.pos => {
                    let q = self.bump().span;
                    let span = e.span.to(q);
                    e = self.mk(ExprKind::Try(Box::new(e)), span);
                }
                T::LBrace if self.cur_index() == self.pos && !self.no_struct && is_path(&e) => {
                    e = self.struct_lit(e)?;
                }
                _ => break,
            }
        }
        Ok(e)
    }

    /// After `base[`: an index or a slice, and the closing `]`.
    fn index(&mut self, base: Expr) -> PResult<Expr> {
        let range_op = |k: &T| match k {
            T::DotDot => Some(false),
            T::DotDotEq => Some(true),
            _ => None,
        };
        let (start, end, inclusive, is_slice) = if let Some(inclusive) = range_op(self.peek()) {
            self.bump();
            let end = self.binary(0)?;
            (None, Some(end), inclusive, true)
        } else {
            let first = self.binary(0)?;
            if let Some(inclusive) = range_op(self.peek()) {
                let op = self.bump().span;
                if self.at(&T::RBracket) {
                    if inclusive {
                        self.error(Diagnostic::at(Code::E0007, op, "an inclusive range `..=` needs an end"));
                        return Err(());
                    }
                    (Some(first), None, false, true)
                } else {
                    let end = self.binary(0)?;
                    (Some(first), Some(end), inclusive, true)
                }
            } else {
                (Some(first), None, false, false)
            }
        };
        let close = self.expect(T::RBracket, "`]`")?;
        let span = base.span.to(close);
        let kind = if is_slice {
            ExprKind::Slice { base: Box::new(base), start: start.map(Box::new), end: end.map(Box::new), inclusive }
        } else {
            match start {
                Some(index) => ExprKind::Index { base: Box::new(base), index: Box::new(index) },
                None => ExprKind::Error,
            }
        };
        Ok(self.mk(kind, span))
    }

    fn struct_lit(&mut self, path_expr: Expr) -> PResult<Expr> {
        let path = path_of(&path_expr);
        self.bump();
        let (fields, _) = self.separated(&T::RBrace, true, |p| {
            let name = p.ident("a field name")?;
            let value = if p.eat(&T::Colon) {
                p.expr()?
            } else {
                // Shorthand `Ball { x }` means `Ball { x: x }`.
                let id = p.id();
                Expr { id, kind: ExprKind::Name(name.clone()), span: name.span }
            };
            Ok(FieldInit { name, value })
        })?;
        let close = self.expect(T::RBrace, "`,` or `}` in the struct literal")?;
        let span = path_expr.span.to(close);
        Ok(self.mk(ExprKind::StructLit { path, fields }, span))
    }

    fn primary(&mut self) -> PResult<Expr> {
        let tok = self.peek_tok().clone();
        let span = tok.span;
        let kind = match tok.kind {
            T::Int(v) => {
                self.bump();
                ExprKind::Int(v)
            }
            T::Float(v) => {
                self.bump();
                ExprKind::Float(v)
            }
            T::True | T::False => {
                self.bump();
                ExprKind::Bool(tok.kind == T::True)
            }
            T::None => {
                self.bump();
                ExprKind::None
            }
            T::SelfValue => {
                self.bump();
                ExprKind::SelfValue
            }
            T::Ident(name) => {
                self.bump();
                ExprKind::Name(Ident { name, span })
            }
            T::Str(pieces) => {
                self.bump();
                ExprKind::Str(self.string_parts(&pieces)?)
            }
            T::LParen => return self.paren(),
            T::LBracket => {
                self.bump();
                let (items, _) = self.separated(&T::RBracket, false, |p| p.expr())?;
                let close = self.expect(T::RBracket, "`,` or `]` in the list")?;
                return Ok(self.mk(ExprKind::List(items), span.to(close)));
            }
            // `{` opens a map literal, unless what follows can only begin a
            // statement: then it is a block (`|| { break 'outer }`, a
            // closure body the checker then judges).
            T::LBrace if self.brace_opens_block() => {
                let block = self.block()?;
                return Ok(self.mk(ExprKind::Block(block), span.to(self.prev_span())));
            }
            T::LBrace => {
                self.bump();
                let (entries, _) = self.separated(&T::RBrace, true, |p| {
                    let k = p.expr()?;
                    p.expect(T::Colon, "`:` between a map key and its value")?;
                    let v = p.expr()?;
                    Ok((k, v))
                })?;
                let close = self.expect(T::RBrace, "`,` or `}` in the map literal")?;
                return Ok(self.mk(ExprKind::Map(entries), span.to(close)));
            }
            T::Pipe | T::OrOr => return self.closure(),
            T::If => return self.if_expr(),
            T::Match => return self.match_expr(),
            T::Return | T::Break | T::Continue => {
                // Allowed where an expression is, e.g. `none => return 0` or
                // `x ?? return`: wrapped in a one-statement block.
                let stmt = self.jump()?;
                let block = Block { span: stmt.span, stmts: vec![stmt] };
                return Ok(self.mk(ExprKind::Block(block), span.to(self.prev_span())));
            }
            _ => {
                self.unexpected("an expression");
                return Err(());
            }
        };
        Ok(self.mk(kind, span))
    }

    fn paren(&mut self) -> PResult<Expr> {
        let open = self.bump().span;
        match self.parens(|p| p.expr(), "`)`")? {
            (Parens::Group(mut inner), close) => {
                inner.span = open.to(close);
                Ok(inner)
            }
            (Parens::Tuple(items), close) => Ok(self.mk(ExprKind::Tuple(items), open.to(close))),
        }
    }

    /// Whether the `{` at the current position is followed (past line
    /// breaks) by a token that can only begin a statement, never a map key.
    fn brace_opens_block(&self) -> bool {
        let mut i = self.cur_index() + 1;
        while self.tokens.get(i).is_some_and(|t| t.kind == T::Newline) {
            i += 1;
        }
        self.tokens.get(i).is_some_and(|t| {
            matches!(t.kind, T::Break | T::Continue | T::Return | T::Let | T::Var | T::While | T::Loop | T::For)
        })
    }

    fn closure(&mut self) -> PResult<Expr> {
        let start = self.span();
        let mut params = Vec::new();
        if self.bump().kind == T::Pipe {
            (params, _) = self.separated(&T::Pipe, false, |p| {
                let name = p.ident("a closure parameter name")?;
                let ty = if p.eat(&T::Colon) { Some(p.type_expr()?) } else { None };
                Ok(ClosureParam { name, ty })
            })?;
            self.expect(T::Pipe, "`|` after the closure's parameters")?;
        }
        let (ret, body) = if self.eat(&T::Arrow) {
            let ret = self.type_expr()?;
            let block = self.block()?;
            let span = block.span;
            (Some(ret), self.mk(ExprKind::Block(block), span))
        } else {
            self.skip_newlines();
            let body = self.with_newlines(false, |p| p.expr())?;
            (None, body)
        };
        let span = start.to(body.span);
        Ok(self.mk(ExprKind::Closure { params, ret, body: Box::new(body) }, span))
    }

    fn if_expr(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let cond = if self.eat(&T::Let) {
            let pattern = self.pattern()?;
            self.expect(T::Eq, "`=` and the value to match")?;
            let value = self.expr_no_struct()?;
            IfCond::Let { pattern, value: Box::new(value) }
        } else {
            IfCond::Expr(Box::new(self.expr_no_struct()?))
        };
        let then = self.block()?;
        let else_ = if self.at(&T::Else) || self.next_line_starts_with(&T::Else) {
            self.skip_newlines();
            self.bump();
            if self.at(&T::If) {
                Some(Box::new(self.nested(Self::if_expr)?))
            } else {
                let block = self.block()?;
                let span = block.span;
                Some(Box::new(self.mk(ExprKind::Block(block), span)))
            }
        } else {
            None
        };
        let span = start.to(self.prev_span());
        Ok(self.mk(ExprKind::If { cond, then, else_ }, span))
    }

    fn match_expr(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let scrutinee = self.expr_no_struct()?;
        self.expect(T::LBrace, "`{` and the match arms")?;
        let arms = self.with_newlines(true, |p| {
            let mut arms = Vec::new();
            while !p.at(&T::RBrace) && !p.at(&T::Eof) {
                let start = p.pos;
                match p.match_arm() {
                    Ok(arm) => arms.push(arm),
                    // A broken arm costs only itself: skip to the next one.
                    Err(()) => p.sync_arm(),
                }
                if p.pos == start {
                    p.pos += 1;
                }
            }
            arms
        });
        let close = self.expect(T::RBrace, "`}` to close the match")?;
        Ok(self.mk(ExprKind::Match { scrutinee: Box::new(scrutinee), arms }, start.to(close)))
    }

    fn match_arm(&mut self) -> PResult<MatchArm> {
        let pattern = self.pattern()?;
        let guard = if self.eat(&T::If) { Some(self.expr()?) } else { None };
        self.expect(T::FatArrow, "`=>` after the pattern")?;
        self.skip_newlines();
        let body = if self.at(&T::LBrace) {
            let block = self.block()?;
            let span = block.span;
            self.mk(ExprKind::Block(block), span)
        } else {
            // Any statement may follow `=>`, so `Coin(v) => score += v`
            // reads as it would in a block.
            let stmt = self.with_newlines(false, |p| p.stmt())?;
            match stmt.kind {
                StmtKind::Expr(e) => e,
                _ => {
                    let span = stmt.span;
                    self.mk(ExprKind::Block(Block { stmts: vec![stmt], span }), span)
                }
            }
        };
        let span = pattern.span.to(body.span);
        // Arms are separated by commas or line breaks.
        let newline = self.tokens[self.pos].kind == T::Newline;
        if !self.eat(&T::Comma) && !newline && !self.at(&T::RBrace) {
            self.unexpected("`,`, a line break or `}` after the match arm");
            return Err(());
        }
        Ok(MatchArm { pattern, guard, body, span })
    }

    /// Skip the rest of a broken match arm: to a `,` or line break outside
    /// brackets, or the `}` that closes the match (not consumed).
    fn sync_arm(&mut self) {
        let mut depth = 0i32;
        loop {
            match &self.tokens[self.pos].kind {
                T::Eof => break,
                T::Newline | T::Comma if depth <= 0 => {
                    self.pos += 1;
                    break;
                }
                T::RBrace if depth <= 0 => break,
                T::LParen | T::LBracket | T::LBrace => depth += 1,
                T::RParen | T::RBracket | T::RBrace => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.recovering = false;
    }

    /// The expression of an interpolation (or of a width or precision in its
    /// format spec), lexed and parsed in place so its spans stay true.
    fn interpolated_expr(&mut self, at: Span) -> PResult<Expr> {
        let src = self.src.get(at.range()).unwrap_or("");
        if src.trim().is_empty() {
            // Only a nested `{}` can be empty (the lexer reports an empty
            // interpolation): point at its braces.
            let braces = Span::new(at.file, at.start as usize - 1, at.end as usize + 1);
            self.error(
                Diagnostic::at(Code::E0009, braces, "empty `{}` in a format spec")
                    .with_help("put the width or the number of digits inside: `{x:>{width}}`"),
            );
            return Err(());
        }
        let (tokens, mut diags) = lexer::lex(self.file, src, at.start as usize);
        let had_lex_errors = !diags.is_empty();
        self.diags.append(&mut diags);
        if had_lex_errors {
            return Err(());
        }
        let saved_tokens = std::mem::replace(&mut self.tokens, tokens);
        let saved_pos = std::mem::replace(&mut self.pos, 0);
        let parsed = self.with_newlines(true, |p| {
            let e = p.expr()?;
            if !p.at(&T::Eof) {
                let span = p.span();
                p.error(
                    Diagnostic::at(Code::E0009, span, "unexpected text in string interpolation")
                        .with_help("an interpolation holds one expression: `{a + b}`, `{x:.2}`"),
                );
                return Err(());
            }
            Ok(e)
        });
        self.tokens = saved_tokens;
        self.pos = saved_pos;
        parsed
    }

    /// Parse the `{expr}` parts of a string literal in place.
    fn string_parts(&mut self, pieces: &[StrPiece]) -> PResult<Vec<StrPart>> {
        let mut parts = Vec::new();
        for piece in pieces {
            match piece {
                StrPiece::Text(t) => parts.push(StrPart::Text(t.clone())),
                StrPiece::Interp { expr, spec } => {
                    let e = self.interpolated_expr(*expr)?;
                    let mut spec_args = Vec::new();
                    let spec = match spec {
                        Some((text, span)) => {
                            let nested = match validate_format_spec(text) {
                                Ok(nested) => nested,
                                Err(why) => {
                                    self.error(
                                        Diagnostic::at(
                                            Code::E0009,
                                            *span,
                                            format!("invalid format spec `{text}`: {why}"),
                                        )
                                        .with_help(
                                            "format specs look like `{x:.2}`, `{n:>5}`, `{n:05}`, `{v:?}`, \
                                             `{x:>{width}.{digits}}`",
                                        ),
                                    );
                                    return Err(());
                                }
                            };
                            // The spec as Rust will read it, each nested
                            // `{expr}` taken out and remembered by offset.
                            let mut plain = String::new();
                            let mut from = 0;
                            for range in nested {
                                plain.push_str(&text[from..range.start]);
                                let inner = Span::new(
                                    span.file,
                                    span.start as usize + range.start + 1,
                                    span.start as usize + range.end - 1,
                                );
                                spec_args.push((plain.len(), self.interpolated_expr(inner)?));
                                from = range.end;
                            }
                            plain.push_str(&text[from..]);
                            Some(plain)
                        }
                        None => None,
                    };
                    parts.push(StrPart::Interp { expr: e, spec, spec_args });
                }
            }
        }
        Ok(parts)
    }
}

/// Binding power of binary operators (higher binds tighter).
fn binary_op(kind: &T) -> Option<(BinOp, u8)> {
    let op = match kind {
        T::OrOr => BinOp::Or,
        T::AndAnd => BinOp::And,
        T::EqEq => BinOp::Eq,
        T::NotEq => BinOp::Ne,
        T::Lt => BinOp::Lt,
        T::Le => BinOp::Le,
        T::Gt => BinOp::Gt,
        T::Ge => BinOp::Ge,
        T::QuestionQuestion => BinOp::Coalesce,
        T::Pipe => BinOp::BitOr,
        T::Caret => BinOp::BitXor,
        T::Amp => BinOp::BitAnd,
        T::Plus => BinOp::Add,
        T::Minus => BinOp::Sub,
        T::Star => BinOp::Mul,
        T::Slash => BinOp::Div,
        T::Percent => BinOp::Rem,
        _ => return None,
    };
    Some((op, op.binding_power()))
}

fn is_comparison(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
}

/// `Ball` or `physics.Ball`: what may precede `{` in a struct literal.
fn is_path(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Field { base, .. } => is_path(base),
        _ => false,
    }
}

fn path_of(e: &Expr) -> Vec<Ident> {
    match &e.kind {
        ExprKind::Name(i) => vec![i.clone()],
        ExprKind::Field { base, name } => {
            let mut p = path_of(base);
            p.push(name.clone());
            p
        }
        _ => Vec::new(),
    }
}

/// Rust format spec subset accepted in interpolations:
/// `[[fill]align][sign][#][0][width][.precision][type]`, where the width and
/// the precision may each be a nested `{expr}` (an int). Returns the byte
/// ranges of the nested `{expr}`s, braces included.
fn validate_format_spec(spec: &str) -> Result<Vec<std::ops::Range<usize>>, &'static str> {
    let chars: Vec<(usize, char)> = spec.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(spec.len(), |&(o, _)| o);
    let mut nested = Vec::new();
    // A nested `{expr}` at `i`: its closing brace is the matching one.
    let mut braced = |i: &mut usize| -> Result<bool, &'static str> {
        if at(*i) != Some('{') {
            return Ok(false);
        }
        let start = *i;
        let mut depth = 0usize;
        while let Some(c) = at(*i) {
            *i += 1;
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        nested.push(offset(start)..offset(*i));
                        return Ok(true);
                    }
                }
                _ => {}
            }
        }
        Err("unclosed `{` in the format spec")
    };
    let mut i = 0;
    let is_align = |c: Option<char>| matches!(c, Some('<' | '^' | '>'));
    if chars.len() >= 2 && is_align(at(1)) && at(0) != Some('{') {
        i = 2;
    } else if is_align(at(0)) {
        i = 1;
    }
    if matches!(at(i), Some('+' | '-')) {
        i += 1;
    }
    if at(i) == Some('#') {
        i += 1;
    }
    // The `0` flag (zero padding) before a width from an expression.
    if at(i) == Some('0') && at(i + 1) == Some('{') {
        i += 1;
    }
    if !braced(&mut i)? {
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    if at(i) == Some('.') {
        i += 1;
        let digits = i;
        if !braced(&mut i)? {
            while at(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            if i == digits {
                return Err("`.` must be followed by the number of digits or a `{expr}`");
            }
        }
    }
    if matches!(at(i), Some('?' | 'x' | 'X' | 'b' | 'o' | 'e' | 'E')) {
        i += 1;
    }
    if i != chars.len() {
        return Err("unexpected characters");
    }
    Ok(nested)
}

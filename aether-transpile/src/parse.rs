//! The parser: tokens to the untyped [`ast`](crate::ast). Hand-written recursive descent
//! with Pratt parsing for operators.
//!
//! It never fails and never panics: a syntax error is reported once, the
//! parser skips to the end of the statement (or item) and goes on, so one run
//! reports the errors of every statement. Nesting deeper than
//! [`MAX_DEPTH`] is an error (E0008) rather than a stack overflow.
//!
//! Newlines: the lexer emits them; they end statements. Inside `( )` and
//! `[ ]`, and inside map and struct literals, they are whitespace. After a
//! binary operator, `,`, `=`, `->` or `=>` a line break continues the
//! expression, and a line starting with `.` or `else` continues the previous one.
//!
//! Layout: this file holds the `Parser` (token access, errors, recovery);
//! `items`, `types`, `stmt`, `expr` and `pattern` parse what they are named
//! after; `tests` holds the snapshot tests.

mod expr;
mod items;
mod pattern;
mod stmt;
#[cfg(test)]
mod tests;
mod types;

pub use items::validate_rust_path;

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer;
use crate::source::{FileId, Span};
use crate::token::{Token, TokenKind as T};

/// Deepest nesting of expressions, blocks and types the parser accepts.
pub const MAX_DEPTH: u32 = 128;

/// Attributes the language knows (see `docs/language.md`).
pub const KNOWN_ATTRIBUTES: &[&str] = &["on_reload", "before_reload", "no_hmr", "migrate"];

/// Parse one file. `src` is the whole file text.
pub fn parse_module(file: FileId, src: &str) -> (Module, Vec<Diagnostic>) {
    let (tokens, mut diags) = lexer::lex(file, src, 0);
    let mut p = Parser::new(file, src, tokens);
    let module = p.module();
    diags.append(&mut p.diags);
    (module, diags)
}

struct Parser<'a> {
    file: FileId,
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    next_id: u32,
    /// Nesting of expressions, blocks and types.
    depth: u32,
    /// After an error, further errors are suppressed until the parser has
    /// skipped to a statement or item boundary: one mistake, one message.
    recovering: bool,
    /// Top: whether newlines are whitespace here (inside `()`/`[]`).
    newline_modes: Vec<bool>,
    /// Struct literals are not allowed in `if`/`while` conditions, `for`
    /// iterables and `match` scrutinees (the `{` starts the body there).
    no_struct: bool,
    /// An unclosed block is reported once, not once per enclosing block.
    eof_reported: bool,
}

type PResult<T> = Result<T, ()>;

/// What is between parentheses: one item without a trailing `,` is that
/// item, grouped; `()`, `(x,)` and `(x, y)` are tuples.
enum Parens<N> {
    Group(N),
    Tuple(Vec<N>),
}

impl<'a> Parser<'a> {
    fn new(file: FileId, src: &'a str, tokens: Vec<Token>) -> Parser<'a> {
        Parser {
            file,
            src,
            tokens,
            pos: 0,
            diags: Vec::new(),
            next_id: 0,
            depth: 0,
            recovering: false,
            newline_modes: vec![false],
            no_struct: false,
            eof_reported: false,
        }
    }

    // ---- token access -------------------------------------------------

    fn skips_newlines(&self) -> bool {
        self.newline_modes.last().copied().unwrap_or(false)
    }

    /// Index of the current token, skipping newlines where they are whitespace.
    fn cur_index(&self) -> usize {
        let mut i = self.pos;
        if self.skips_newlines() {
            while matches!(self.tokens.get(i).map(|t| &t.kind), Some(T::Newline)) {
                i += 1;
            }
        }
        i.min(self.tokens.len().saturating_sub(1))
    }

    fn peek_tok(&self) -> &Token {
        &self.tokens[self.cur_index()]
    }

    fn peek(&self) -> &T {
        &self.peek_tok().kind
    }

    fn span(&self) -> Span {
        self.peek_tok().span
    }

    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            return self.tokens[0].span;
        }
        self.tokens[self.pos - 1].span
    }

    fn at(&self, kind: &T) -> bool {
        self.peek() == kind
    }

    fn bump(&mut self) -> Token {
        let i = self.cur_index();
        let tok = self.tokens[i].clone();
        if tok.kind != T::Eof {
            self.pos = i + 1;
        } else {
            self.pos = i;
        }
        tok
    }

    fn eat(&mut self, kind: &T) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn skip_newlines(&mut self) {
        while self.tokens[self.pos].kind == T::Newline {
            self.pos += 1;
        }
    }

    /// Whether the next non-newline token is `kind` (for `.method` chains and
    /// `else` on a new line).
    fn next_line_starts_with(&self, kind: &T) -> bool {
        let mut i = self.pos;
        while self.tokens[i].kind == T::Newline {
            i += 1;
        }
        &self.tokens[i].kind == kind
    }

    fn id(&mut self) -> NodeId {
        self.next_id += 1;
        NodeId(self.next_id - 1)
    }

    /// Items up to (not including) `close`, separated by `,`, with line
    /// breaks as whitespace; when `lines_separate`, a line break also
    /// separates items (struct fields, enum variants, literals written one per
    /// line). Returns the items and whether a trailing `,` was written.
    fn separated<R>(
        &mut self,
        close: &T,
        lines_separate: bool,
        mut item: impl FnMut(&mut Self) -> PResult<R>,
    ) -> PResult<(Vec<R>, bool)> {
        self.with_newlines(true, |p| {
            let mut items = Vec::new();
            let mut trailing = false;
            while !p.at(close) && !p.at(&T::Eof) {
                items.push(item(p)?);
                let newline = lines_separate && p.tokens[p.pos].kind == T::Newline;
                trailing = p.eat(&T::Comma);
                if !trailing && !newline {
                    break;
                }
            }
            Ok((items, trailing))
        })
    }

    /// After `(`: the comma-separated items up to the `)`, which is consumed
    /// (its span returned; `close` says what was expected if it is missing).
    fn parens<N>(&mut self, item: impl FnMut(&mut Self) -> PResult<N>, close: &str) -> PResult<(Parens<N>, Span)> {
        let (mut items, trailing) = self.separated(&T::RParen, false, item)?;
        let close = self.expect(T::RParen, close)?;
        let inside = if items.len() == 1 && !trailing { Parens::Group(items.remove(0)) } else { Parens::Tuple(items) };
        Ok((inside, close))
    }

    fn with_newlines<R>(&mut self, skip: bool, f: impl FnOnce(&mut Self) -> R) -> R {
        self.newline_modes.push(skip);
        let saved_no_struct = std::mem::replace(&mut self.no_struct, false);
        let r = f(self);
        self.no_struct = saved_no_struct;
        self.newline_modes.pop();
        r
    }

    // ---- errors -------------------------------------------------------

    fn error(&mut self, diag: Diagnostic) {
        if !self.recovering {
            self.diags.push(diag);
        }
        self.recovering = true;
    }

    /// Report `message` (with `help`) at the current token, and fail.
    fn fail_here<R>(&mut self, code: Code, message: &str, help: &str) -> PResult<R> {
        let span = self.span();
        self.error(Diagnostic::at(code, span, message).with_help(help));
        Err(())
    }

    /// When the current token is `tok`: [`Self::fail_here`].
    fn refuse_at(&mut self, tok: &T, code: Code, message: &str, help: &str) -> PResult<()> {
        if self.at(tok) {
            return self.fail_here(code, message, help);
        }
        Ok(())
    }

    fn unexpected(&mut self, expected: &str) {
        let tok = self.peek_tok().clone();
        let msg = format!("expected {expected}, found {}", tok.kind.describe());
        let mut d = Diagnostic::at(Code::E0007, tok.span, msg);
        if let Some(help) = hint_for(&tok.kind, expected) {
            d = d.with_help(help);
        }
        self.error(d);
    }

    fn expect(&mut self, kind: T, expected: &str) -> PResult<Span> {
        if matches!(kind, T::RParen | T::RBracket | T::RBrace) {
            // A closing delimiter may sit on its own line.
            self.skip_newlines();
        }
        if self.at(&kind) {
            Ok(self.bump().span)
        } else {
            self.unexpected(expected);
            Err(())
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.peek().clone() {
            T::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            _ => {
                self.unexpected(what);
                Err(())
            }
        }
    }

    /// Parse one level deeper with `parse`; past [`MAX_DEPTH`] report E0008
    /// (once) and fail. The recursion goes through [`crate::with_stack`], so
    /// the depth limit is about readable programs, not the thread's stack.
    fn nested<R>(&mut self, parse: impl FnOnce(&mut Self) -> PResult<R>) -> PResult<R> {
        if self.depth >= MAX_DEPTH {
            let message = format!("nesting is deeper than {MAX_DEPTH} levels");
            return self.fail_here(Code::E0008, &message, "split the expression into smaller parts with `let`");
        }
        self.depth += 1;
        let r = crate::with_stack(|| parse(self));
        self.depth -= 1;
        r
    }

    /// Skip to the end of the current statement: a newline or `;` outside
    /// brackets, or the `}` that closes the enclosing block (not consumed).
    fn sync_statement(&mut self) {
        let mut depth = 0i32;
        loop {
            // An unclosed bracket must not swallow the next statement: a
            // line that starts with `let`, `for`, ... begins a new one.
            let line_start = self.pos > 0 && self.tokens[self.pos - 1].kind == T::Newline;
            if line_start && depth <= 0 && is_statement_keyword(&self.tokens[self.pos].kind) {
                break;
            }
            match &self.tokens[self.pos].kind {
                T::Eof => break,
                T::Newline | T::Semi if depth <= 0 => break,
                T::LParen | T::LBracket | T::LBrace => depth += 1,
                T::RBrace if depth <= 0 => break,
                T::RParen | T::RBracket | T::RBrace => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.recovering = false;
    }

    /// Skip to the next line that starts an item.
    fn sync_item(&mut self) {
        loop {
            match &self.tokens[self.pos].kind {
                T::Eof => break,
                T::Newline => {
                    self.pos += 1;
                    if is_item_start(&self.tokens[self.pos].kind) {
                        break;
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.recovering = false;
    }
}

// ---- helpers ----------------------------------------------------------

fn is_statement_keyword(kind: &T) -> bool {
    matches!(kind, T::Let | T::Var | T::While | T::For | T::Loop | T::Return | T::Break | T::Continue)
        || is_item_start(kind)
}

fn is_item_start(kind: &T) -> bool {
    matches!(kind, T::Fn | T::Struct | T::Enum | T::Const | T::State | T::Pub | T::Import | T::Test | T::At | T::Extern)
}

/// The closest of `candidates` to `name`, for "did you mean" help.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(name.len().min(c.len()) / 3) && *d < name.len().max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Extra help for common slips, by the token found and what was expected.
fn hint_for(found: &T, expected: &str) -> Option<&'static str> {
    match found {
        T::Eq if !expected.contains("`=`") => Some("`=` assigns; to compare, use `==`"),
        T::Ident(name) if name == "elif" => Some("write `else if`"),
        T::Ident(name) if name == "def" || name == "func" || name == "function" => {
            Some("functions are declared with `fn`")
        }
        _ => None,
    }
}

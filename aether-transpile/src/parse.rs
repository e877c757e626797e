//! The parser: tokens to the untyped [`ast`]. Hand-written recursive descent
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

#[cfg(test)]
mod tests;

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer;
use crate::source::{FileId, Span};
use crate::token::{StrPiece, Token, TokenKind as T};

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

    /// Enter one level of nesting; past [`MAX_DEPTH`] report E0008 once.
    /// Callers recurse through [`crate::with_stack`], so the depth limit is
    /// about readable programs, not about the thread's stack size.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.span();
            self.error(
                Diagnostic::at(Code::E0008, span, format!("nesting is deeper than {MAX_DEPTH} levels"))
                    .with_help("split the expression into smaller parts with `let`"),
            );
            self.depth -= 1;
            return Err(());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
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

    // ---- items --------------------------------------------------------

    fn module(&mut self) -> Module {
        let mut module =
            Module { file: self.file, no_hmr: None, imports: Vec::new(), items: Vec::new(), node_count: 0 };
        let mut first = true;
        loop {
            self.skip_separators();
            if self.at(&T::Eof) {
                break;
            }
            let start = self.pos;
            let ok = if self.at(&T::Import) {
                self.import().map(|i| module.imports.push(i))
            } else {
                self.item(first, &mut module)
            };
            first = false;
            let ended = ok.is_ok() && (self.prev_is(&T::Newline) || self.item_end());
            if !ended || self.recovering {
                self.sync_item();
            }
            if self.pos == start {
                // Guarantee progress whatever went wrong.
                self.pos += 1;
            }
        }
        module.node_count = self.next_id;
        module
    }

    fn skip_separators(&mut self) {
        while matches!(self.tokens[self.pos].kind, T::Newline | T::Semi) {
            self.pos += 1;
        }
    }

    /// After an item: a newline, `;` or the end of the file; an item that
    /// ended with `}` may be followed directly by the next one.
    fn item_end(&mut self) -> bool {
        match self.peek() {
            T::Newline | T::Semi | T::Eof => true,
            _ if self.prev_is(&T::RBrace) => true,
            _ => {
                self.unexpected("a line break after the item");
                false
            }
        }
    }

    fn prev_is(&self, kind: &T) -> bool {
        self.pos > 0 && &self.tokens[self.pos - 1].kind == kind
    }

    fn import(&mut self) -> PResult<Import> {
        let start = self.bump().span;
        let mut path = vec![self.ident("a module name after `import`")?];
        while self.eat(&T::Dot) {
            path.push(self.ident("a module name after `.`")?);
        }
        Ok(Import { span: start.to(self.prev_span()), path })
    }

    fn attributes(&mut self) -> PResult<Vec<Attribute>> {
        let mut attrs = Vec::new();
        while self.at(&T::At) {
            let at = self.bump().span;
            let name = self.ident("an attribute name after `@`")?;
            let span = at.to(name.span);
            if !KNOWN_ATTRIBUTES.contains(&name.name.as_str()) {
                let mut d = Diagnostic::at(Code::E0010, span, format!("unknown attribute `@{}`", name.name));
                if let Some(close) = closest(&name.name, KNOWN_ATTRIBUTES.iter().copied()) {
                    d = d.with_help(format!("did you mean `@{close}`?"));
                } else {
                    d = d.with_help("known attributes: @on_reload, @before_reload, @no_hmr, @migrate");
                }
                self.diags.push(d);
            }
            attrs.push(Attribute { name, span });
            self.skip_newlines();
        }
        Ok(attrs)
    }

    fn item(&mut self, first: bool, module: &mut Module) -> PResult<()> {
        let start = self.span();
        let mut attrs = self.attributes()?;
        if let Some(pos) = attrs.iter().position(|a| a.name.name == "no_hmr") {
            let attr = attrs.remove(pos);
            if first {
                module.no_hmr = Some(attr.span);
            } else {
                self.diags.push(
                    Diagnostic::at(Code::E0010, attr.span, "`@no_hmr` must be the first item of the file")
                        .with_help("move `@no_hmr` to the top of the file; it applies to the whole module"),
                );
            }
            // `@no_hmr` standing alone before imports or at the end of the file.
            if attrs.is_empty() && (self.at(&T::Eof) || self.at(&T::Import)) {
                return Ok(());
            }
        }
        let is_pub = self.eat(&T::Pub);
        let kind = match self.peek() {
            T::Fn => ItemKind::Fn(self.fn_decl()?),
            T::Struct => ItemKind::Struct(self.struct_decl()?),
            T::Enum => ItemKind::Enum(self.enum_decl()?),
            T::Const => {
                self.bump();
                let (name, ty, value) = self.binding_decl("a constant name")?;
                ItemKind::Const(ConstDecl { name, ty, value })
            }
            T::State => {
                self.bump();
                let (name, ty, value) = self.binding_decl("a state variable name")?;
                ItemKind::State(StateDecl { name, ty, value })
            }
            T::Test => ItemKind::Test(self.test_decl()?),
            T::Extern => ItemKind::ExternFn(self.extern_fn_decl()?),
            T::Let | T::Var => {
                let span = self.span();
                self.error(
                    Diagnostic::at(Code::E0007, span, "`let` and `var` are not allowed at module level")
                        .with_help("use `const NAME = value` for a constant or `state name = value` for module state"),
                );
                return Err(());
            }
            _ => {
                self.unexpected("an item (`fn`, `struct`, `enum`, `const`, `state`, `test`, `extern fn` or `import`)");
                return Err(());
            }
        };
        module.items.push(Item { attrs, is_pub, kind, span: start.to(self.prev_span()) });
        Ok(())
    }

    fn binding_decl(&mut self, what: &str) -> PResult<(Ident, Option<TypeExpr>, Expr)> {
        let name = self.ident(what)?;
        let ty = if self.eat(&T::Colon) { Some(self.type_expr()?) } else { None };
        self.expect(T::Eq, "`=` and a value")?;
        self.skip_newlines();
        let value = self.expr()?;
        Ok((name, ty, value))
    }

    fn fn_decl(&mut self) -> PResult<FnDecl> {
        self.bump();
        let first = self.ident("a function name")?;
        let (receiver, name) =
            if self.eat(&T::Dot) { (Some(first), self.ident("a method name after `.`")?) } else { (None, first) };
        self.expect(T::LParen, "`(` and the parameter list")?;
        let (self_param, params) = self.with_newlines(true, |p| p.params(receiver.is_some()))?;
        self.expect(T::RParen, "`)` after the parameters")?;
        let ret = if self.eat(&T::Arrow) { Some(self.type_expr()?) } else { None };
        let body = self.block()?;
        Ok(FnDecl { receiver, name, self_param, params, ret, body })
    }

    /// `extern fn name(params) -> ret = "rust::path"`. The path is checked
    /// here, where its literal is at hand: Rust identifiers joined by `::`.
    fn extern_fn_decl(&mut self) -> PResult<ExternFnDecl> {
        self.bump();
        self.expect(T::Fn, "`fn` after `extern`")?;
        let name = self.ident("a function name")?;
        if self.at(&T::Dot) {
            let span = self.span();
            self.error(
                Diagnostic::at(Code::E0007, span, "an `extern fn` cannot be a method")
                    .with_help("declare a plain function and pass the value as a parameter"),
            );
            return Err(());
        }
        self.expect(T::LParen, "`(` and the parameter list")?;
        let (_, params) = self.with_newlines(true, |p| p.params(false))?;
        self.expect(T::RParen, "`)` after the parameters")?;
        let ret = if self.eat(&T::Arrow) { Some(self.type_expr()?) } else { None };
        if self.at(&T::LBrace) {
            let span = self.span();
            self.error(
                Diagnostic::at(Code::E0013, span, "an `extern fn` has no body; it names the Rust function to call")
                    .with_help("write `= \"crate::module::function\"` instead of the body"),
            );
            return Err(());
        }
        self.expect(T::Eq, "`=` and the Rust path of the function, as a string")?;
        self.skip_newlines();
        let tok = self.peek_tok().clone();
        let path = match &tok.kind {
            T::Str(pieces) => match pieces.as_slice() {
                [StrPiece::Text(t)] => t.clone(),
                [] => String::new(),
                _ => {
                    self.error(Diagnostic::at(
                        Code::E0013,
                        tok.span,
                        "the Rust path of an `extern fn` cannot interpolate values",
                    ));
                    return Err(());
                }
            },
            _ => {
                self.unexpected("the Rust path of the function as a string: `= \"crate::module::function\"`");
                return Err(());
            }
        };
        self.bump();
        if let Err(why) = validate_rust_path(&path) {
            self.diags.push(
                Diagnostic::at(Code::E0013, tok.span, format!("`{path}` is not a Rust function path: {why}"))
                    .with_help("write the path as in Rust: `crate::module::function` or `other_crate::function`"),
            );
        }
        Ok(ExternFnDecl { name, params, ret, path, path_span: tok.span })
    }

    fn params(&mut self, is_method: bool) -> PResult<(Option<SelfParam>, Vec<Param>)> {
        let mut self_param = None;
        let mut params = Vec::new();
        while !self.at(&T::RParen) && !self.at(&T::Eof) {
            let start = self.span();
            let mutable = self.eat(&T::Mut);
            if self.at(&T::SelfValue) {
                let span = start.to(self.bump().span);
                if !is_method {
                    self.error(
                        Diagnostic::at(Code::E0007, span, "`self` is only allowed in methods")
                            .with_help("declare a method as `fn Type.name(self, ...)`"),
                    );
                    return Err(());
                }
                if self_param.is_some() || !params.is_empty() {
                    self.error(Diagnostic::at(Code::E0007, span, "`self` must be the first parameter"));
                    return Err(());
                }
                self_param = Some(SelfParam { mutable, span });
            } else {
                let name = self.ident("a parameter name")?;
                self.expect(T::Colon, "`:` and the parameter's type")?;
                let ty = self.type_expr()?;
                params.push(Param { mutable, span: start.to(ty.span), name, ty });
            }
            if !self.eat(&T::Comma) {
                break;
            }
        }
        Ok((self_param, params))
    }

    fn struct_decl(&mut self) -> PResult<StructDecl> {
        self.bump();
        let name = self.ident("a struct name")?;
        self.expect(T::LBrace, "`{` and the struct's fields")?;
        let (fields, _) = self.separated(&T::RBrace, true, |p| {
            let name = p.ident("a field name")?;
            p.expect(T::Colon, "`:` and the field's type")?;
            let ty = p.type_expr()?;
            let default = if p.eat(&T::Eq) { Some(p.expr()?) } else { None };
            let span = name.span.to(p.prev_span());
            Ok(FieldDecl { name, ty, default, span })
        })?;
        self.expect(T::RBrace, "`}` or another field (`name: type`)")?;
        Ok(StructDecl { name, fields })
    }

    fn enum_decl(&mut self) -> PResult<EnumDecl> {
        self.bump();
        let name = self.ident("an enum name")?;
        self.expect(T::LBrace, "`{` and the enum's variants")?;
        let (variants, _) = self.separated(&T::RBrace, true, |p| {
            let name = p.ident("a variant name")?;
            let mut fields = Vec::new();
            if p.eat(&T::LParen) {
                (fields, _) = p.separated(&T::RParen, false, |p| {
                    let name = p.ident("a field name (variant fields are named: `Circle(r: float)`)")?;
                    p.expect(T::Colon, "`:` and the field's type")?;
                    let ty = p.type_expr()?;
                    Ok(VariantField { name, ty })
                })?;
                p.expect(T::RParen, "`)` after the variant's fields")?;
            }
            let span = name.span.to(p.prev_span());
            Ok(VariantDecl { name, fields, span })
        })?;
        self.expect(T::RBrace, "`}` or another variant")?;
        Ok(EnumDecl { name, variants })
    }

    fn test_decl(&mut self) -> PResult<TestDecl> {
        self.bump();
        let tok = self.peek_tok().clone();
        let name = match &tok.kind {
            T::Str(pieces) => match pieces.as_slice() {
                [StrPiece::Text(t)] => t.clone(),
                _ => {
                    self.error(Diagnostic::at(Code::E0007, tok.span, "a test name cannot interpolate values"));
                    return Err(());
                }
            },
            _ => {
                self.unexpected("the test's name as a string: `test \"name\" { ... }`");
                return Err(());
            }
        };
        self.bump();
        let body = self.block()?;
        Ok(TestDecl { name, name_span: tok.span, body })
    }

    // ---- types --------------------------------------------------------

    fn type_expr(&mut self) -> PResult<TypeExpr> {
        self.enter()?;
        let r = crate::with_stack(|| self.type_expr_inner());
        self.leave();
        r
    }

    fn type_expr_inner(&mut self) -> PResult<TypeExpr> {
        let start = self.span();
        let kind = match self.peek().clone() {
            T::Ident(_) => {
                let mut path = vec![self.ident("a type")?];
                while self.at(&T::Dot) {
                    self.bump();
                    path.push(self.ident("a type name after `.`")?);
                }
                TypeExprKind::Named(path)
            }
            T::LBracket => {
                self.bump();
                let inner = self.with_newlines(true, |p| p.type_expr())?;
                self.expect(T::RBracket, "`]` to close the list type")?;
                TypeExprKind::List(Box::new(inner))
            }
            T::LBrace => {
                self.bump();
                let (k, v) = self.with_newlines(true, |p| {
                    let k = p.type_expr()?;
                    p.expect(T::Colon, "`:` between the key and value types of a map: `{str: int}`")?;
                    let v = p.type_expr()?;
                    Ok((k, v))
                })?;
                self.expect(T::RBrace, "`}` to close the map type")?;
                TypeExprKind::Map(Box::new(k), Box::new(v))
            }
            T::LParen => {
                self.bump();
                let (mut items, trailing_comma) = self.separated(&T::RParen, false, |p| p.type_expr())?;
                self.expect(T::RParen, "`)` to close the tuple type")?;
                if items.len() == 1 && !trailing_comma {
                    let mut inner = items.remove(0);
                    inner.span = start.to(self.prev_span());
                    return self.type_postfix(inner);
                }
                TypeExprKind::Tuple(items)
            }
            T::Fn => {
                self.bump();
                self.expect(T::LParen, "`(` and the parameter types")?;
                let (params, _) = self.separated(&T::RParen, false, |p| p.type_expr())?;
                self.expect(T::RParen, "`)` after the parameter types")?;
                let ret = if self.eat(&T::Arrow) { Some(Box::new(self.type_expr()?)) } else { None };
                // The postfix `?`/`!` already went to the return type.
                return Ok(TypeExpr { kind: TypeExprKind::Fn(params, ret), span: start.to(self.prev_span()) });
            }
            _ => {
                self.unexpected("a type");
                return Err(());
            }
        };
        let ty = TypeExpr { kind, span: start.to(self.prev_span()) };
        self.type_postfix(ty)
    }

    fn type_postfix(&mut self, mut ty: TypeExpr) -> PResult<TypeExpr> {
        loop {
            // Only directly attached: `T?` / `T!`, never across a line break.
            match self.tokens[self.pos].kind {
                T::Question => {
                    let end = self.bump().span;
                    ty = TypeExpr { span: ty.span.to(end), kind: TypeExprKind::Optional(Box::new(ty)) };
                }
                T::Bang => {
                    let end = self.bump().span;
                    ty = TypeExpr { span: ty.span.to(end), kind: TypeExprKind::Result(Box::new(ty)) };
                }
                T::QuestionQuestion => {
                    let span = self.span();
                    self.error(
                        Diagnostic::at(Code::E0007, span, "a type cannot be optional twice")
                            .with_help("`T??` is the same as `T?`"),
                    );
                    return Err(());
                }
                _ => return Ok(ty),
            }
        }
    }

    // ---- blocks and statements ----------------------------------------

    fn block(&mut self) -> PResult<Block> {
        self.enter()?;
        let r = crate::with_stack(|| self.block_inner());
        self.leave();
        r
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

    fn stmt(&mut self) -> PResult<Stmt> {
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
            T::While => {
                self.bump();
                let cond = self.expr_no_struct()?;
                let body = self.block()?;
                StmtKind::While { cond, body }
            }
            T::Loop => {
                self.bump();
                StmtKind::Loop { body: self.block()? }
            }
            T::For => {
                self.bump();
                let mutable = self.eat(&T::Mut);
                let pattern = self.pattern()?;
                self.expect(T::In, "`in`")?;
                let iter = self.expr_no_struct()?;
                let body = self.block()?;
                StmtKind::For { mutable, pattern, iter, body }
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
                    _ => return Ok(Stmt { span: start.to(self.prev_span()), kind: StmtKind::Expr(target) }),
                };
                let op_span = self.bump().span;
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

    /// `return [value]`, `break`, `continue`.
    fn jump(&mut self) -> PResult<Stmt> {
        let tok = self.bump();
        let kind = match tok.kind {
            T::Return => {
                let value = if self.at_expr_end() { None } else { Some(self.expr()?) };
                StmtKind::Return(value)
            }
            T::Break => StmtKind::Break,
            _ => StmtKind::Continue,
        };
        Ok(Stmt { kind, span: tok.span.to(self.prev_span()) })
    }

    fn at_expr_end(&self) -> bool {
        matches!(self.tokens[self.pos].kind, T::Newline | T::Semi | T::RBrace | T::Eof | T::Comma | T::RParen)
    }

    // ---- expressions --------------------------------------------------

    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = crate::with_stack(|| self.range_expr());
        self.leave();
        r
    }

    fn expr_no_struct(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.no_struct, true);
        let r = self.expr();
        self.no_struct = saved;
        r
    }

    fn mk(&mut self, kind: ExprKind, span: Span) -> Expr {
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
        loop {
            // An operator must be on the same line as its left operand.
            let Some((op, bp)) = binary_op(self.peek()) else { break };
            if bp <= min {
                break;
            }
            let op_tok = self.bump();
            self.skip_newlines();
            // `??` is right-associative; the rest are left-associative.
            let rhs_min = if op == BinOp::Coalesce { bp - 1 } else { bp };
            let rhs = crate::with_stack(|| self.binary(rhs_min))?;
            if is_comparison(op) {
                if let Some((next, _)) = binary_op(self.peek()) {
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

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            T::Minus => UnaryOp::Neg,
            T::Bang => UnaryOp::Not,
            _ => return self.postfix(),
        };
        let start = self.bump().span;
        self.enter()?;
        let inner = crate::with_stack(|| self.unary());
        self.leave();
        let inner = inner?;
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
        let (mut items, trailing) = self.separated(&T::RParen, false, |p| p.expr())?;
        let close = self.expect(T::RParen, "`)`")?;
        if items.len() == 1 && !trailing {
            let mut inner = items.remove(0);
            inner.span = open.to(close);
            return Ok(inner);
        }
        Ok(self.mk(ExprKind::Tuple(items), open.to(close)))
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
                self.enter()?;
                let r = self.if_expr();
                self.leave();
                Some(Box::new(r?))
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

    /// Parse the `{expr}` parts of a string literal in place.
    fn string_parts(&mut self, pieces: &[StrPiece]) -> PResult<Vec<StrPart>> {
        let mut parts = Vec::new();
        for piece in pieces {
            match piece {
                StrPiece::Text(t) => parts.push(StrPart::Text(t.clone())),
                StrPiece::Interp { expr, spec } => {
                    let src = self.src.get(expr.range()).unwrap_or("");
                    let (tokens, mut diags) = lexer::lex(self.file, src, expr.start as usize);
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
                    let e = parsed?;
                    let spec = match spec {
                        Some((text, span)) => {
                            if let Err(why) = validate_format_spec(text) {
                                self.error(
                                    Diagnostic::at(Code::E0009, *span, format!("invalid format spec `{text}`: {why}"))
                                        .with_help("format specs look like `{x:.2}`, `{n:>5}`, `{n:05}`, `{v:?}`"),
                                );
                                return Err(());
                            }
                            Some(text.clone())
                        }
                        None => None,
                    };
                    parts.push(StrPart::Interp { expr: e, spec });
                }
            }
        }
        Ok(parts)
    }

    // ---- patterns -----------------------------------------------------

    fn pattern(&mut self) -> PResult<Pattern> {
        self.enter()?;
        let r = crate::with_stack(|| self.or_pattern());
        self.leave();
        r
    }

    fn or_pattern(&mut self) -> PResult<Pattern> {
        let first = self.single_pattern()?;
        if !self.at(&T::Pipe) {
            return Ok(first);
        }
        let mut alts = vec![first];
        while self.eat(&T::Pipe) {
            self.skip_newlines();
            alts.push(self.single_pattern()?);
        }
        let span = alts[0].span.to(alts[alts.len() - 1].span);
        Ok(Pattern { id: self.id(), kind: PatternKind::Or(alts), span })
    }

    fn single_pattern(&mut self) -> PResult<Pattern> {
        let tok = self.peek_tok().clone();
        let start = tok.span;
        let kind = match tok.kind {
            T::Ident(name) if name == "_" => {
                self.bump();
                PatternKind::Wildcard
            }
            T::Int(v) => {
                self.bump();
                PatternKind::Literal(LitPattern::Int(v))
            }
            T::Float(v) => {
                self.bump();
                PatternKind::Literal(LitPattern::Float(v))
            }
            T::Minus => {
                self.bump();
                match self.peek().clone() {
                    T::Int(v) => {
                        self.bump();
                        PatternKind::Literal(LitPattern::Int(v.wrapping_neg()))
                    }
                    T::Float(v) => {
                        self.bump();
                        PatternKind::Literal(LitPattern::Float(-v))
                    }
                    _ => {
                        self.unexpected("a number after `-` in a pattern");
                        return Err(());
                    }
                }
            }
            T::True | T::False => {
                self.bump();
                PatternKind::Literal(LitPattern::Bool(tok.kind == T::True))
            }
            T::Str(pieces) => {
                self.bump();
                match pieces.as_slice() {
                    [StrPiece::Text(t)] => PatternKind::Literal(LitPattern::Str(t.clone())),
                    _ => {
                        self.error(Diagnostic::at(Code::E0312, start, "a string pattern cannot interpolate values"));
                        return Err(());
                    }
                }
            }
            T::None => {
                self.bump();
                PatternKind::None
            }
            T::LParen => {
                self.bump();
                let (mut items, trailing) = self.separated(&T::RParen, false, |p| p.pattern())?;
                let close = self.expect(T::RParen, "`)` to close the tuple pattern")?;
                if items.len() == 1 && !trailing {
                    let mut inner = items.remove(0);
                    inner.span = start.to(close);
                    return Ok(inner);
                }
                PatternKind::Tuple(items)
            }
            T::Ident(_) => {
                let mut path = vec![self.ident("a pattern")?];
                while self.tokens[self.pos].kind == T::Dot {
                    self.bump();
                    path.push(self.ident("a variant name after `.`")?);
                }
                let args = if self.tokens[self.pos].kind == T::LParen {
                    self.bump();
                    let (args, _) = self.separated(&T::RParen, false, |p| p.pattern())?;
                    self.expect(T::RParen, "`)` to close the variant pattern")?;
                    Some(args)
                } else {
                    None
                };
                if path.len() == 1 && args.is_none() {
                    PatternKind::Binding(path.remove(0))
                } else {
                    PatternKind::Variant { path, args }
                }
            }
            _ => {
                self.unexpected("a pattern");
                return Err(());
            }
        };
        Ok(Pattern { id: self.id(), kind, span: start.to(self.prev_span()) })
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

/// Rust keywords that cannot name a path segment (`r#` forms aside, which
/// the path does not accept: the host names its own functions).
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct",
    "trait", "true", "type", "unsafe", "use", "where", "while", "yield", "try", "gen", "macro", "abstract", "become",
    "do", "final", "override", "priv", "typeof", "unsized", "virtual",
];

/// A Rust path to a function: `crate::a::f`, `::std::f`, `other::f`.
/// `crate` may only start the path. Relative paths (`self::`, `super::`)
/// are refused: they would be resolved inside the generated code, which the
/// user never sees; `crate::` is the host crate, wherever the code sits.
pub fn validate_rust_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("it is empty");
    }
    if path.chars().any(char::is_whitespace) {
        return Err("it contains whitespace");
    }
    let absolute = path.starts_with("::");
    let body = path.strip_prefix("::").unwrap_or(path);
    let segments: Vec<&str> = body.split("::").collect();
    if segments.len() < 2 {
        return Err("name the module or crate too: `crate::module::function`");
    }
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() {
            return Err("it has an empty segment");
        }
        let first_ok = seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || *seg == "_" {
            return Err("each segment must be a Rust identifier");
        }
        match *seg {
            "self" | "super" => return Err("relative paths are not supported; start from `crate::`"),
            "crate" if i > 0 || absolute => return Err("`crate` may only start the path"),
            "crate" => {}
            _ if RUST_KEYWORDS.contains(seg) => return Err("a segment is a Rust keyword"),
            _ => {}
        }
    }
    Ok(())
}

/// Binding power of binary operators (higher binds tighter).
fn binary_op(kind: &T) -> Option<(BinOp, u8)> {
    Some(match kind {
        T::OrOr => (BinOp::Or, 1),
        T::AndAnd => (BinOp::And, 2),
        T::EqEq => (BinOp::Eq, 3),
        T::NotEq => (BinOp::Ne, 3),
        T::Lt => (BinOp::Lt, 3),
        T::Le => (BinOp::Le, 3),
        T::Gt => (BinOp::Gt, 3),
        T::Ge => (BinOp::Ge, 3),
        T::QuestionQuestion => (BinOp::Coalesce, 4),
        T::Plus => (BinOp::Add, 5),
        T::Minus => (BinOp::Sub, 5),
        T::Star => (BinOp::Mul, 6),
        T::Slash => (BinOp::Div, 6),
        T::Percent => (BinOp::Rem, 6),
        _ => return None,
    })
}

fn is_comparison(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
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

/// Rust format spec subset accepted in interpolations:
/// `[[fill]align][sign][#][0][width][.precision][type]`.
fn validate_format_spec(spec: &str) -> Result<(), &'static str> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '^' | '>');
    if chars.len() >= 2 && is_align(chars[1]) {
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-') {
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        i += 1;
    }
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let digits = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits {
            return Err("`.` must be followed by the number of digits");
        }
    }
    if i < chars.len() && matches!(chars[i], '?' | 'x' | 'X' | 'b' | 'o' | 'e' | 'E') {
        i += 1;
    }
    if i != chars.len() {
        return Err("unexpected characters");
    }
    Ok(())
}

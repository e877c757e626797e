//! Items: the module's top level (imports, attributes, `fn`, `extern fn`,
//! `struct`, `enum`, `const`, `state`, `test`), and the Rust paths that
//! `extern fn` binds to.

use super::{closest, PResult, Parser, KNOWN_ATTRIBUTES};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::token::{StrPiece, TokenKind as T};

impl Parser<'_> {
    pub(super) fn module(&mut self) -> Module {
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

    pub(super) fn skip_separators(&mut self) {
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

    pub(super) fn prev_is(&self, kind: &T) -> bool {
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
                return self.fail_here(
                    Code::E0007,
                    "`let` and `var` are not allowed at module level",
                    "use `const NAME = value` for a constant or `state name = value` for module state",
                );
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
        let generics = self.type_params()?;
        self.expect(T::LParen, "`(` and the parameter list")?;
        let (self_param, params) = self.with_newlines(true, |p| p.params(receiver.is_some()))?;
        self.expect(T::RParen, "`)` after the parameters")?;
        let ret = if self.eat(&T::Arrow) { Some(self.type_expr()?) } else { None };
        let body = self.block()?;
        Ok(FnDecl { receiver, name, generics, self_param, params, ret, body })
    }

    /// `<T, U>` after a function's, struct's or enum's name: its type
    /// parameters (none without `<`).
    fn type_params(&mut self) -> PResult<Vec<TypeParam>> {
        if !self.eat(&T::Lt) {
            return Ok(Vec::new());
        }
        let (params, _) = self.with_newlines(true, |p| {
            p.separated(&T::Gt, false, |p| Ok(TypeParam { name: p.ident("a type parameter name")? }))
        })?;
        self.expect(T::Gt, "`>` after the type parameters")?;
        if params.is_empty() {
            return self.fail_here(
                Code::E0007,
                "expected a type parameter name",
                "write `fn name<T>(...)` or `struct Name<T> { ... }`",
            );
        }
        Ok(params)
    }

    /// `extern fn name(params) -> ret = "rust::path"`. The path is checked
    /// here, where its literal is at hand: Rust identifiers joined by `::`.
    fn extern_fn_decl(&mut self) -> PResult<ExternFnDecl> {
        self.bump();
        self.expect(T::Fn, "`fn` after `extern`")?;
        let name = self.ident("a function name")?;
        self.refuse_at(
            &T::Dot,
            Code::E0007,
            "an `extern fn` cannot be a method",
            "declare a plain function and pass the value as a parameter",
        )?;
        self.expect(T::LParen, "`(` and the parameter list")?;
        let (_, params) = self.with_newlines(true, |p| p.params(false))?;
        self.expect(T::RParen, "`)` after the parameters")?;
        let ret = if self.eat(&T::Arrow) { Some(self.type_expr()?) } else { None };
        self.refuse_at(
            &T::LBrace,
            Code::E0013,
            "an `extern fn` has no body; it names the Rust function to call",
            "write `= \"crate::module::function\"` instead of the body",
        )?;
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

    /// `struct Name { ... }` and `enum Name { ... }`, from the keyword: the
    /// name and the members `member` parses, one per line or `,`-separated.
    /// `expected` is what the errors say is expected: the name, the `{`, and
    /// the `}` or another member.
    fn braced_decl<R>(
        &mut self,
        expected: [&str; 3],
        member: impl FnMut(&mut Self) -> PResult<R>,
    ) -> PResult<(Ident, Vec<TypeParam>, Vec<R>)> {
        let [name_expected, open_expected, close_expected] = expected;
        self.bump();
        let name = self.ident(name_expected)?;
        let generics = self.type_params()?;
        self.expect(T::LBrace, open_expected)?;
        let (members, _) = self.separated(&T::RBrace, true, member)?;
        self.expect(T::RBrace, close_expected)?;
        Ok((name, generics, members))
    }

    fn struct_decl(&mut self) -> PResult<StructDecl> {
        let expected = ["a struct name", "`{` and the struct's fields", "`}` or another field (`name: type`)"];
        let (name, generics, fields) = self.braced_decl(expected, |p| {
            let name = p.ident("a field name")?;
            p.expect(T::Colon, "`:` and the field's type")?;
            let ty = p.type_expr()?;
            let default = if p.eat(&T::Eq) { Some(p.expr()?) } else { None };
            let span = name.span.to(p.prev_span());
            Ok(FieldDecl { name, ty, default, span })
        })?;
        Ok(StructDecl { name, generics, fields })
    }

    fn enum_decl(&mut self) -> PResult<EnumDecl> {
        let expected = ["an enum name", "`{` and the enum's variants", "`}` or another variant"];
        let (name, generics, variants) = self.braced_decl(expected, |p| {
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
        Ok(EnumDecl { name, generics, variants })
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
/// A generic function may end in its type arguments, `rand::random::<u32>`
/// (the only place with spaces: `::<(i64, i64)>`).
pub fn validate_rust_path(path: &str) -> Result<(), &'static str> {
    let path = match path.split_once("::<") {
        Some((path, args)) => {
            let Some(args) = args.strip_suffix('>') else { return Err("its type arguments must end it: `::<T>`") };
            let depth = args.chars().try_fold(0usize, |d, c| match c {
                '<' => Some(d + 1),
                '>' => d.checked_sub(1),
                _ => Some(d),
            });
            let allowed = |c: char| c.is_ascii_alphanumeric() || " _:,()[];&'<>".contains(c);
            if args.trim().is_empty() || depth != Some(0) || !args.chars().all(allowed) {
                return Err("its type arguments are not Rust types: `::<T>`");
            }
            path
        }
        None => path,
    };
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

//! The module level: imports and items, types and patterns, and the two
//! kinds of sequence every construct is printed with: vertical ones (one
//! element per line, blank lines kept: statements, items, fields, arms) and
//! lists (flat when they fit, else one element per line with a trailing `,`).
//! Both place the comments found before, after and between their elements.

use super::comments::Comment;
use super::doc::*;
use crate::ast::*;
use crate::source::Span;

pub(super) struct Fmt<'a> {
    pub(super) src: &'a str,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
}

/// How a list ends when it breaks, and whether a single element needs a `,`.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Trailing {
    /// A `,` after the last element when broken (calls, lists, literals).
    Comma,
    /// Also when flat, for one element: `(x,)` is a tuple.
    TupleComma,
    /// Never: a struct pattern's `..` ends it, as in Rust.
    None,
}

impl<'a> Fmt<'a> {
    pub(super) fn new(src: &'a str, comments: Vec<Comment>) -> Fmt<'a> {
        Fmt { src, comments, next: 0 }
    }

    pub(super) fn slice(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// Whether `span` was written on one line.
    pub(super) fn one_line(&self, span: Span) -> bool {
        !self.slice(span).contains('\n')
    }

    /// Whether the source between `from` and `to` has an empty line.
    fn blank_line(&self, from: u32, to: u32) -> bool {
        let gap = self.src.get(from as usize..to as usize).unwrap_or("");
        let mut newlines = 0;
        for c in gap.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines == 2 {
                        return true;
                    }
                }
                c if c.is_whitespace() => {}
                // Only whitespace may be between the two line breaks.
                _ => newlines = 0,
            }
        }
        false
    }

    /// Whether a comment not printed yet starts before `pos`.
    pub(super) fn comment_before(&self, pos: u32) -> bool {
        self.comments.get(self.next).is_some_and(|c| c.start < pos)
    }

    /// The comments before `pos`, kept where they are inside an expression
    /// (after an operator or `=`): each as a trailing comment, which breaks
    /// the line after it. `None` when there are none.
    pub(super) fn comments_here(&mut self, pos: u32) -> Option<Doc> {
        let comments = self.take_before(pos);
        if comments.is_empty() {
            return None;
        }
        Some(concat(comments.iter().map(|c| Doc::LineSuffix(format!(" {}", c.text).into()))))
    }

    /// The comments not printed yet that start before `pos`.
    pub(super) fn take_before(&mut self, pos: u32) -> Vec<Comment> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            out.push(c.clone());
            self.next += 1;
        }
        out
    }

    /// The comments on the same line after `end` (a trailing `// why`).
    fn take_trailing(&mut self, end: u32) -> Vec<Comment> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            // Only a separator may be between: after `f(a) // c` the comment
            // belongs to the statement, not to `a`.
            let between = self.src.get(end as usize..c.start as usize).unwrap_or("\n");
            let separator_only = between.chars().all(|ch| ch == ',' || ch == ';' || (ch.is_whitespace() && ch != '\n'));
            if c.own_line || c.start < end || !separator_only {
                break;
            }
            out.push(c.clone());
            self.next += 1;
            if out.last().is_some_and(Comment::is_line) {
                break;
            }
        }
        out
    }

    /// Elements one per line, with the comments before and after each and
    /// those before `close` (where the sequence ends), and the author's
    /// single blank lines between them. No line break before the first or
    /// after the last.
    pub(super) fn vertical<T>(
        &mut self,
        elems: &[T],
        span_of: impl Fn(&T) -> Span,
        mut print: impl FnMut(&mut Self, &T) -> Doc,
        close: u32,
    ) -> Doc {
        let mut parts = Vec::new();
        let mut last_end: Option<u32> = None;
        for elem in elems {
            let span = span_of(elem);
            for c in self.take_before(span.start) {
                self.separate(&mut parts, last_end, c.start);
                parts.push(text(c.text.as_str()));
                last_end = Some(c.end);
            }
            self.separate(&mut parts, last_end, span.start);
            parts.push(print(self, elem));
            last_end = Some(span.end);
            for c in self.take_trailing(span.end) {
                parts.push(Doc::LineSuffix(format!(" {}", c.text).into()));
                last_end = Some(c.end);
            }
        }
        for c in self.take_before(close) {
            self.separate(&mut parts, last_end, c.start);
            parts.push(text(c.text.as_str()));
            last_end = Some(c.end);
        }
        concat(parts)
    }

    fn separate(&self, parts: &mut Vec<Doc>, last_end: Option<u32>, next_start: u32) {
        if let Some(end) = last_end {
            if self.blank_line(end, next_start) {
                parts.push(Doc::EmptyLine);
            }
            parts.push(Doc::HardLine);
        }
    }

    /// `open elem, elem close`: flat when it fits, else one element per
    /// line with a trailing `,`. `pad` puts spaces inside the delimiters
    /// when flat (`{ a: 1 }`). Comments force it to break.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn list<T>(
        &mut self,
        open: &str,
        elems: &[T],
        span_of: impl Fn(&T) -> Span,
        mut print: impl FnMut(&mut Self, &T) -> Doc,
        close_pos: u32,
        close: &str,
        trailing: Trailing,
        pad: bool,
    ) -> Doc {
        let inner_line = if pad { Doc::Line } else { Doc::SoftLine };
        let mut parts = Vec::new();
        for (i, elem) in elems.iter().enumerate() {
            let span = span_of(elem);
            if i > 0 {
                parts.push(Doc::Line);
            }
            for c in self.take_before(span.start) {
                parts.push(text(c.text.as_str()));
                parts.push(Doc::HardLine);
            }
            parts.push(print(self, elem));
            let last = i + 1 == elems.len();
            let one_tuple = trailing == Trailing::TupleComma && elems.len() == 1;
            parts.push(if !last || one_tuple {
                text(",")
            } else if trailing == Trailing::None {
                Doc::Nil
            } else {
                if_break(text(","), Doc::Nil)
            });
            for c in self.take_trailing(span.end) {
                parts.push(Doc::LineSuffix(format!(" {}", c.text).into()));
            }
        }
        for c in self.take_before(close_pos) {
            parts.push(Doc::HardLine);
            parts.push(text(c.text.as_str()));
        }
        if parts.is_empty() {
            return concat([text(open), text(close)]);
        }
        group(concat([text(open), nest(concat([inner_line.clone(), concat(parts)])), inner_line, text(close)]))
    }

    // ---- the module ----------------------------------------------------

    pub(super) fn module(&mut self, module: &Module) -> Doc {
        enum Top<'m> {
            NoHmr(Span),
            Import(&'m Import),
            Item(&'m Item),
        }
        let mut tops: Vec<Top> = Vec::new();
        tops.extend(module.no_hmr.map(Top::NoHmr));
        tops.extend(module.imports.iter().map(Top::Import));
        tops.extend(module.items.iter().map(Top::Item));
        let span_of = |t: &Top| match t {
            Top::NoHmr(span) => *span,
            Top::Import(i) => i.span,
            Top::Item(i) => item_span(i),
        };
        tops.sort_by_key(|t| span_of(t).start);
        let end = self.src.len() as u32;
        self.vertical(
            &tops,
            span_of,
            |f, t| match t {
                Top::NoHmr(_) => text("@no_hmr"),
                Top::Import(i) => text(format!("import {}", i.dotted())),
                Top::Item(i) => f.item(i),
            },
            end,
        )
    }

    fn item(&mut self, item: &Item) -> Doc {
        let mut parts = Vec::new();
        for attr in &item.attrs {
            parts.push(text(format!("@{}", attr.name.name)));
            parts.push(Doc::HardLine);
        }
        if item.is_pub {
            parts.push(text("pub "));
        }
        parts.push(match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f),
            ItemKind::ExternFn(f) => self.extern_fn(f),
            ItemKind::Struct(s) => self.struct_decl(s, item.span),
            ItemKind::Enum(e) => self.enum_decl(e, item.span),
            ItemKind::Const(c) => self.binding("const ", &c.name, c.ty.as_ref(), &c.value),
            ItemKind::State(s) => self.binding("state ", &s.name, s.ty.as_ref(), &s.value),
            ItemKind::Test(t) => {
                let body = self.block_broken(&t.body);
                concat([text("test "), text(self.slice(t.name_span)), text(" "), body])
            }
        });
        concat(parts)
    }

    fn binding(&mut self, keyword: &str, name: &Ident, ty: Option<&TypeExpr>, value: &Expr) -> Doc {
        let mut parts = vec![text(keyword), text(name.name.as_str())];
        if let Some(ty) = ty {
            parts.push(text(": "));
            parts.push(self.ty(ty));
        }
        parts.push(self.assigned(" =", value));
        concat(parts)
    }

    /// ` = value`, or, with a comment after the `=`, the value on the next line.
    pub(super) fn assigned(&mut self, op: &str, value: &Expr) -> Doc {
        match self.comments_here(value.span.start) {
            Some(comments) => concat([text(op), comments, nest(concat([Doc::HardLine, self.expr(value)]))]),
            None => concat([text(format!("{op} ")), self.expr(value)]),
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) -> Doc {
        let mut name = String::from("fn ");
        if let Some(r) = &f.receiver {
            name.push_str(&r.name);
            name.push('.');
        }
        name.push_str(&f.name.name);
        name.push_str(&type_params(&f.generics));
        let params = self.params(f.self_param.as_ref(), &f.params, f.body.span.start);
        let mut parts = vec![text(name), params];
        if let Some(ret) = &f.ret {
            parts.push(text(" -> "));
            parts.push(self.ty(ret));
        }
        parts.push(text(" "));
        // `fn zero() -> int { 0 }` stays on one line when written so.
        let one_line = self.one_line(f.body.span);
        parts.push(group(self.block_maybe_inline(&f.body, one_line)));
        concat(parts)
    }

    fn extern_fn(&mut self, f: &ExternFnDecl) -> Doc {
        let params = self.params(None, &f.params, f.path_span.start);
        let mut parts = vec![text(format!("extern fn {}", f.name.name)), params];
        if let Some(ret) = &f.ret {
            parts.push(text(" -> "));
            parts.push(self.ty(ret));
        }
        parts.push(text(" = "));
        parts.push(text(self.slice(f.path_span)));
        concat(parts)
    }

    /// `(self, a: int)`. `after` is a position past the `)`.
    fn params(&mut self, self_param: Option<&SelfParam>, params: &[Param], after: u32) -> Doc {
        enum P<'p> {
            SelfP(&'p SelfParam),
            Named(&'p Param),
        }
        let mut all: Vec<P> = self_param.map(P::SelfP).into_iter().collect();
        all.extend(params.iter().map(P::Named));
        let close = self.src[..after as usize].rfind(')').map_or(after, |i| i as u32);
        self.list(
            "(",
            &all,
            |p| match p {
                P::SelfP(s) => s.span,
                P::Named(p) => p.span,
            },
            |f, p| match p {
                P::SelfP(s) => text(if s.mutable { "mut self" } else { "self" }),
                P::Named(p) => {
                    let m = if p.mutable { "mut " } else { "" };
                    concat([text(format!("{m}{}: ", p.name.name)), f.ty(&p.ty)])
                }
            },
            close,
            ")",
            Trailing::Comma,
            false,
        )
    }

    /// `struct Name { field: T = default ... }`: one field per line without
    /// commas, or on one line (`{ x: int, y: int }`) when written so and it fits.
    fn struct_decl(&mut self, s: &StructDecl, span: Span) -> Doc {
        let one_line = self.one_line(span) && !self.comment_before(span.end);
        let close = span.end.saturating_sub(1);
        let print = |f: &mut Self, field: &FieldDecl| {
            let mut parts = vec![text(format!("{}: ", field.name.name)), f.ty(&field.ty)];
            if let Some(d) = &field.default {
                parts.push(text(" = "));
                parts.push(f.expr(d));
            }
            concat(parts)
        };
        let head = text(format!("struct {}{} ", s.name.name, type_params(&s.generics)));
        if one_line && !s.fields.is_empty() {
            let docs: Vec<Doc> = s.fields.iter().map(|f| print(self, f)).collect();
            return concat([head, one_line_members(docs)]);
        }
        let body = self.vertical(&s.fields, |f| f.span, print, close);
        concat([head, braced(body, s.fields.is_empty())])
    }

    fn enum_decl(&mut self, e: &EnumDecl, span: Span) -> Doc {
        let one_line = self.one_line(span) && !self.comment_before(span.end);
        let close = span.end.saturating_sub(1);
        let print = |f: &mut Self, v: &VariantDecl| {
            if v.fields.is_empty() {
                return text(v.name.name.as_str());
            }
            let fields = f.list(
                "(",
                &v.fields,
                |vf| vf.name.span.to(vf.ty.span),
                |f, vf| concat([text(format!("{}: ", vf.name.name)), f.ty(&vf.ty)]),
                v.span.end.saturating_sub(1),
                ")",
                Trailing::Comma,
                false,
            );
            concat([text(v.name.name.as_str()), fields])
        };
        let head = text(format!("enum {}{} ", e.name.name, type_params(&e.generics)));
        if one_line && !e.variants.is_empty() {
            let docs: Vec<Doc> = e.variants.iter().map(|v| print(self, v)).collect();
            return concat([head, one_line_members(docs)]);
        }
        let body = self.vertical(&e.variants, |v| v.span, print, close);
        concat([head, braced(body, e.variants.is_empty())])
    }

    // ---- types and patterns ---------------------------------------------

    pub(super) fn ty(&mut self, t: &TypeExpr) -> Doc {
        let natural = match &t.kind {
            TypeExprKind::Optional(inner) | TypeExprKind::Result(inner) => inner.span.start,
            _ => t.span.start,
        };
        let parenthesized = match &t.kind {
            TypeExprKind::Tuple(_) => false,
            TypeExprKind::Optional(_) | TypeExprKind::Result(_) => natural > t.span.start,
            _ => self.slice(t.span).starts_with('('),
        };
        let inner = match &t.kind {
            TypeExprKind::Named(path, args) if args.is_empty() => text(dotted(path)),
            TypeExprKind::Named(path, args) => {
                // `Pair<int, str>`: broken like a tuple when too long.
                let close = t.span.end.saturating_sub(1);
                let args = self.list("<", args, |a| a.span, |f, a| f.ty(a), close, ">", Trailing::Comma, false);
                concat([text(dotted(path)), args])
            }
            TypeExprKind::List(inner) => concat([text("["), self.ty(inner), text("]")]),
            TypeExprKind::Map(k, v) => concat([text("{"), self.ty(k), text(": "), self.ty(v), text("}")]),
            TypeExprKind::Optional(inner) => concat([self.ty(inner), text("?")]),
            TypeExprKind::Result(inner) => concat([self.ty(inner), text("!")]),
            TypeExprKind::Tuple(items) => {
                let close = t.span.end.saturating_sub(1);
                self.list("(", items, |i| i.span, |f, i| f.ty(i), close, ")", Trailing::TupleComma, false)
            }
            TypeExprKind::Fn(params, ret) => {
                let close = ret.as_ref().map_or(t.span.end, |r| r.span.start);
                let close = self.src[..close as usize].rfind(')').map_or(close, |i| i as u32);
                let params = self.list("fn(", params, |i| i.span, |f, i| f.ty(i), close, ")", Trailing::Comma, false);
                match ret {
                    Some(r) => concat([params, text(" -> "), self.ty(r)]),
                    None => params,
                }
            }
            TypeExprKind::Error => text("<error>"),
        };
        if parenthesized {
            concat([text("("), inner, text(")")])
        } else {
            inner
        }
    }

    /// `Point { x, y: 0, .. }`: laid out as a struct literal is.
    fn struct_pattern(&mut self, p: &Pattern, path: &[Ident], fields: &[FieldPattern], rest: bool) -> Doc {
        enum Item<'f> {
            Field(&'f FieldPattern),
            Rest(Span),
        }
        let close = p.span.end.saturating_sub(1);
        let mut items: Vec<Item<'_>> = fields.iter().map(Item::Field).collect();
        if rest {
            // `..` is the last token before the closing brace (and a comma).
            let after = fields.last().map_or(path.last().map_or(p.span.start, |l| l.span.end), |f| f.pattern.span.end);
            let gap = self.slice(Span { file: p.span.file, start: after, end: close });
            let at = after + gap.find("..").unwrap_or(0) as u32;
            items.push(Item::Rest(Span { file: p.span.file, start: at, end: at + 2 }));
        }
        let span_of = |i: &Item<'_>| match i {
            Item::Field(f) => f.name.span.to(f.pattern.span),
            Item::Rest(s) => *s,
        };
        let body = self.list(
            "{",
            &items,
            span_of,
            |f, i| match i {
                Item::Field(fp) if fp.shorthand => text(fp.name.name.as_str()),
                Item::Field(fp) => concat([text(format!("{}: ", fp.name.name)), f.pattern(&fp.pattern)]),
                Item::Rest(_) => text(".."),
            },
            close,
            "}",
            if rest { Trailing::None } else { Trailing::Comma },
            true,
        );
        concat([text(format!("{} ", dotted(path))), body])
    }

    pub(super) fn pattern(&mut self, p: &Pattern) -> Doc {
        let parenthesized = match &p.kind {
            PatternKind::Tuple(_) => false,
            PatternKind::Or(alts) => alts[0].span.start > p.span.start,
            _ => self.slice(p.span).starts_with('('),
        };
        let inner = match &p.kind {
            PatternKind::Wildcard => text("_"),
            PatternKind::Binding(name) => text(name.name.as_str()),
            PatternKind::Literal(_) => text(strip_parens(self.slice(p.span))),
            PatternKind::None => text("none"),
            PatternKind::Tuple(items) => {
                let close = p.span.end.saturating_sub(1);
                self.list("(", items, |i| i.span, |f, i| f.pattern(i), close, ")", Trailing::TupleComma, false)
            }
            PatternKind::Variant { path, args } => {
                let name = text(dotted(path));
                match args {
                    None => name,
                    Some(args) => {
                        let close = p.span.end.saturating_sub(1);
                        let args =
                            self.list("(", args, |i| i.span, |f, i| f.pattern(i), close, ")", Trailing::Comma, false);
                        concat([name, args])
                    }
                }
            }
            PatternKind::Struct { path, fields, rest } => self.struct_pattern(p, path, fields, *rest),
            PatternKind::Or(alts) => {
                let alts: Vec<Doc> = alts.iter().map(|a| self.pattern(a)).collect();
                join(alts, text(" | "))
            }
            PatternKind::Error => text("<error>"),
        };
        if parenthesized {
            concat([text("("), inner, text(")")])
        } else {
            inner
        }
    }
}

/// `{ a: int, b: int }` when it fits, else one member per line without
/// commas, as a declaration written over several lines is laid out.
fn one_line_members(docs: Vec<Doc>) -> Doc {
    let sep = concat([if_break(Doc::Nil, text(",")), Doc::Line]);
    group(concat([text("{"), nest(concat([Doc::Line, join(docs, sep)])), Doc::Line, text("}")]))
}

/// `{`, the body one level in, `}`; `{}` when empty.
pub(super) fn braced(body: Doc, empty: bool) -> Doc {
    if empty && matches!(&body, Doc::Concat(parts) if parts.is_empty()) {
        return text("{}");
    }
    concat([text("{"), nest(concat([Doc::HardLine, body])), Doc::HardLine, text("}")])
}

pub(super) fn dotted(path: &[Ident]) -> String {
    path.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(".")
}

/// A literal's text without the parentheses the author put around it.
pub(super) fn strip_parens(s: &str) -> &str {
    let mut s = s.trim();
    while s.starts_with('(') && s.ends_with(')') {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// An item's span, from its first attribute.
fn item_span(item: &Item) -> Span {
    item.attrs.first().map_or(item.span, |a| a.span.to(item.span))
}

/// `<T, U>` after a declaration's name (empty without parameters): short,
/// kept on the name's line.
fn type_params(params: &[TypeParam]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = params.iter().map(|g| g.name.name.as_str()).collect();
    format!("<{}>", names.join(", "))
}

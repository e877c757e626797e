//! Patterns: literals, `_`, bindings, tuples, `none`, variants and
//! constructors by (dotted) name with their arguments (`Shape.Circle(r)`,
//! `some(x)`), and `|` alternatives.

use super::{PResult, Parens, Parser};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::token::{StrPiece, TokenKind as T};

impl Parser<'_> {
    pub(super) fn pattern(&mut self) -> PResult<Pattern> {
        self.nested(Self::or_pattern)
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
                match self.parens(|p| p.pattern(), "`)` to close the tuple pattern")? {
                    (Parens::Group(mut inner), close) => {
                        inner.span = start.to(close);
                        return Ok(inner);
                    }
                    (Parens::Tuple(items), _) => PatternKind::Tuple(items),
                }
            }
            T::Ident(_) => {
                let mut path = vec![self.ident("a pattern")?];
                while self.tokens[self.pos].kind == T::Dot {
                    self.bump();
                    path.push(self.ident("a variant name after `.`")?);
                }
                if self.tokens[self.pos].kind == T::LBrace {
                    return self.struct_pattern(start, path);
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

    /// `Point { x, y: pattern, .. }`, at the `{` after the struct's path.
    fn struct_pattern(&mut self, start: crate::source::Span, path: Vec<Ident>) -> PResult<Pattern> {
        self.bump();
        let mut fields = Vec::new();
        let mut rest = false;
        self.with_newlines(true, |p| -> PResult<()> {
            while !p.at(&T::RBrace) {
                if p.at(&T::DotDot) {
                    let dots = p.bump().span;
                    rest = true;
                    p.eat(&T::Comma);
                    if p.at(&T::RBrace) {
                        break;
                    }
                    // Reported, then read on: the fields after it still parse.
                    p.error(
                        Diagnostic::at(Code::E0007, dots, "`..` must be last in a struct pattern")
                            .with_help("write the fields first: `Point { x, .. }`"),
                    );
                    continue;
                }
                let name = p.ident("a field name in the struct pattern")?;
                let (pattern, shorthand) = if p.eat(&T::Colon) {
                    (p.pattern()?, false)
                } else {
                    let id = p.id();
                    (Pattern { id, kind: PatternKind::Binding(name.clone()), span: name.span }, true)
                };
                fields.push(FieldPattern { name, pattern, shorthand });
                if !p.eat(&T::Comma) {
                    break;
                }
            }
            Ok(())
        })?;
        self.expect(T::RBrace, "`}` to close the struct pattern")?;
        Ok(Pattern {
            id: self.id(),
            kind: PatternKind::Struct { path, fields, rest },
            span: start.to(self.prev_span()),
        })
    }
}

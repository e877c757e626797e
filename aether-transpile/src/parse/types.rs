//! Type expressions: names, `[T]`, `{K: V}`, tuples, `fn(..) -> T`, and the
//! `?` and `!` suffixes.

use super::{PResult, Parens, Parser};
use crate::ast::*;
use crate::diagnostic::Code;
use crate::token::TokenKind as T;

impl Parser<'_> {
    pub(super) fn type_expr(&mut self) -> PResult<TypeExpr> {
        self.nested(Self::type_expr_inner)
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
                // `Pair<int, str>`: a type's arguments, directly attached.
                let mut args = Vec::new();
                if self.tokens[self.pos].kind == T::Lt {
                    self.bump();
                    args = self.with_newlines(true, |p| {
                        let (args, _) = p.separated(&T::Gt, false, |p| p.type_expr())?;
                        p.expect(T::Gt, "`>` after the type arguments")?;
                        Ok(args)
                    })?;
                    if args.is_empty() {
                        return self.fail_here(
                            Code::E0007,
                            "expected a type argument",
                            "write the types between `<` and `>`: `Pair<int, str>`, or leave out `<>`",
                        );
                    }
                }
                TypeExprKind::Named(path, args)
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
                match self.parens(|p| p.type_expr(), "`)` to close the tuple type")? {
                    (Parens::Group(mut inner), close) => {
                        inner.span = start.to(close);
                        return self.type_postfix(inner);
                    }
                    (Parens::Tuple(items), _) => TypeExprKind::Tuple(items),
                }
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
                    return self.fail_here(Code::E0007, "a type cannot be optional twice", "`T??` is the same as `T?`");
                }
                _ => return Ok(ty),
            }
        }
    }
}

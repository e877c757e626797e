//! Patterns: `let`/`for` binders (irrefutable only, E0312), `if let`, and
//! `match` arms, lowered to [`exhaustive::Pat`] for the exhaustiveness and
//! reachability check (E0500, W0003).

use super::exhaustive;
use super::stmt::Tail;
use super::{suggest, Checker, LocalId, PatRes};
use crate::ast::{Expr, FieldPattern, Ident, LitPattern, MatchArm, NodeId, Pattern, PatternKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ty::{Ty, TypeId};
use exhaustive::{Ctor, Pat};

/// A binding made by a pattern: its name, local and pattern node.
type Binding = (Ident, LocalId, NodeId);

impl Checker<'_> {
    /// `let`/`var`/`for` patterns: a name, `_`, or a tuple of those.
    pub(super) fn bind_irrefutable(&mut self, p: &Pattern, ty: &Ty, mutable: bool, what: &str) {
        self.cx.pending_pats.push((p.id, ty.clone()));
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Error => self.cx.saw_parse_error = true,
            PatternKind::Binding(name) => {
                let id = self.new_local(name, ty.clone(), mutable, false);
                if what == "for" && mutable {
                    if let Some(meta) = self.cx.meta.get_mut(&id) {
                        meta.escapes = true;
                    }
                }
                self.record_pat(p.id, PatRes::Binding(id));
                self.bind(&name.name, id);
            }
            PatternKind::Tuple(ps) if !ps.is_empty() => {
                let elems = self.tuple_elems(p, ty, ps.len());
                for (sub, t) in ps.iter().zip(elems.iter()) {
                    self.bind_irrefutable(sub, t, mutable, what);
                }
            }
            _ => {
                // Anything else must still match every value (`()`, a
                // variant of a one-variant enum); ask the exhaustiveness
                // check, which also names a value it misses.
                let errors_before = self.diags.len();
                let mut binds = Vec::new();
                let pat = self.pattern(p, ty, &mut binds);
                let failed = self.diags[errors_before..].iter().any(|d| d.is_error());
                let scrut = self.zonk(ty);
                let unknown = super::infer::contains(&scrut, &|t| matches!(t, Ty::Var(_) | Ty::Error));
                if !failed && !unknown {
                    let check = exhaustive::check_match(&self.types, &scrut, &[(pat, false)]);
                    if !check.missing.is_empty() {
                        let list = check.missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                        self.emit(
                            Diagnostic::new(
                                Code::E0312,
                                format!("`{what}` needs a pattern that always matches: {list} not covered"),
                            )
                            .primary(p.span, format!("{list} not covered"))
                            .with_help(
                                "use a name, `_` or a tuple here; use `if let` or `match` for patterns that can fail",
                            ),
                        );
                    }
                }
                for (name, id, _) in binds {
                    if let Some(info) = self.tables[self.cx.module.0 as usize].locals.get_mut(id.0 as usize) {
                        info.mutable = mutable;
                    }
                    self.bind(&name.name, id);
                }
            }
        }
    }

    /// The element types of a tuple pattern of `n` elements against `ty`.
    fn tuple_elems(&mut self, p: &Pattern, ty: &Ty, n: usize) -> Vec<Ty> {
        match self.shallow(ty) {
            Ty::Tuple(ts) if ts.len() == n => ts,
            Ty::Error => vec![Ty::Error; n],
            Ty::Var(_) => {
                let ts: Vec<Ty> = (0..n).map(|_| self.fresh(p.span)).collect();
                self.unify(ty, &Ty::Tuple(ts.clone()));
                ts
            }
            other => {
                self.pattern_mismatch(p.span, &other, &format!("a tuple of {n}"));
                vec![Ty::Error; n]
            }
        }
    }

    /// `if let PATTERN = value`: a bare name unwraps `T?` / `T!`.
    pub(super) fn if_let_pattern(&mut self, p: &Pattern, vt: &Ty) {
        if let PatternKind::Binding(name) = &p.kind {
            let st = self.shallow(vt);
            let inner = match &st {
                Ty::Optional(t) | Ty::Result(t) => Some((**t).clone()),
                Ty::Error => Some(Ty::Error),
                Ty::Enum(tid, _) if self.unit_variant(*tid, &name.name).is_some() => None,
                Ty::Var(_) => Some(self.must_know(p.span)),
                other => {
                    let shown = self.display(other);
                    self.report(
                        Code::E0312,
                        p.span,
                        format!("`if let {}` needs an optional or a result, found `{shown}`", name.name),
                        format!("use `let {} = ...`", name.name),
                    );
                    Some(Ty::Error)
                }
            };
            if let Some(inner) = inner {
                self.cx.pending_pats.push((p.id, vt.clone()));
                let id = self.new_local(name, inner, false, false);
                self.record_pat(p.id, PatRes::Unwrap(id));
                self.bind(&name.name, id);
                return;
            }
        }
        let mut binds = Vec::new();
        self.pattern(p, vt, &mut binds);
        for (name, id, _) in binds {
            self.bind(&name.name, id);
        }
    }

    /// A pattern whose shape cannot match the scrutinee's type (E0312).
    fn pattern_mismatch(&mut self, span: crate::source::Span, expected: &Ty, found: &str) {
        let shown = self.display(expected);
        self.emit(
            Diagnostic::new(Code::E0312, format!("mismatched pattern: expected `{shown}`, found {found}"))
                .primary(span, format!("expected `{shown}`")),
        );
    }

    fn unit_variant(&self, tid: TypeId, name: &str) -> Option<usize> {
        let en = self.types.as_enum(tid)?;
        let (i, v) = en.variant(name)?;
        v.fields.is_empty().then_some(i)
    }

    pub(super) fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], tail: Tail<'_>) -> Ty {
        let st = self.expr(scrutinee, None);
        let errors_before = self.diags.len();
        let mut lowered: Vec<(Pat, bool)> = Vec::new();
        let mut result: Option<Ty> = None;
        let mut all_never = !arms.is_empty();
        for arm in arms {
            self.push_scope();
            let mut binds = Vec::new();
            let pat = self.pattern(&arm.pattern, &st, &mut binds);
            for (name, id, _) in binds {
                self.bind(&name.name, id);
            }
            if let Some(g) = &arm.guard {
                self.check_expr(g, &Ty::Bool);
            }
            let t = self.arm_body(&arm.body, tail, &mut result);
            if self.shallow(&t) != Ty::Never {
                all_never = false;
            }
            self.pop_scope_warn();
            lowered.push((pat, arm.guard.is_some()));
        }
        let pattern_errors = self.diags[errors_before..].iter().any(|d| d.is_error());
        let scrut = self.zonk(&st);
        let unknown = super::infer::contains(&scrut, &|t| matches!(t, Ty::Var(_) | Ty::Error));
        if !pattern_errors && !unknown {
            let check = exhaustive::check_match(&self.types, &scrut, &lowered);
            if !check.missing.is_empty() {
                let mut list = check.missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                if check.more > 0 {
                    list.push_str(&format!(" and {} more", check.more));
                }
                let s = if check.missing.len() + check.more == 1 { "" } else { "s" };
                self.emit(
                    Diagnostic::new(Code::E0500, format!("non-exhaustive match: pattern{s} {list} not covered"))
                        .primary(scrutinee.span, format!("pattern{s} {list} not covered"))
                        .with_help(format!("add arm{s} for {list}, or a wildcard arm `_ => ...`")),
                );
            }
            for i in check.unreachable {
                if let Some(arm) = arms.get(i) {
                    self.report(
                        Code::W0003,
                        arm.pattern.span,
                        "unreachable match arm",
                        "earlier arms already match every value this arm matches; remove it",
                    );
                }
            }
        }
        self.match_result(tail, result, all_never)
    }

    /// Check a refutable pattern against `ty`, declaring its bindings
    /// (returned in `binds`, for the caller to bring into scope).
    pub(super) fn pattern(&mut self, p: &Pattern, ty: &Ty, binds: &mut Vec<Binding>) -> Pat {
        self.cx.pending_pats.push((p.id, ty.clone()));
        match &p.kind {
            PatternKind::Wildcard => Pat::Wild,
            PatternKind::Error => {
                self.cx.saw_parse_error = true;
                Pat::Wild
            }
            PatternKind::Binding(name) => {
                if let Ty::Enum(tid, _) = self.shallow(ty) {
                    if let Some(i) = self.unit_variant(tid, &name.name) {
                        self.record_pat(p.id, PatRes::Variant(tid, i));
                        return Pat::Ctor(Ctor::Variant(tid, i), Vec::new());
                    }
                }
                let id = self.new_local(name, ty.clone(), false, false);
                self.record_pat(p.id, PatRes::Binding(id));
                binds.push((name.clone(), id, p.id));
                Pat::Wild
            }
            PatternKind::Literal(lit) => {
                let (lt, ctor) = match lit {
                    LitPattern::Int(i) => (Ty::Int, Ctor::Int(*i)),
                    LitPattern::Float(f) => (Ty::Float, Ctor::Float(f.to_bits())),
                    LitPattern::Str(s) => (Ty::Str, Ctor::Str(s.clone())),
                    LitPattern::Bool(b) => (Ty::Bool, Ctor::Bool(*b)),
                };
                if !self.unify(ty, &lt) {
                    let found = format!("`{}`", self.display(&lt));
                    self.pattern_mismatch(p.span, ty, &found);
                    return Pat::Wild;
                }
                Pat::Ctor(ctor, Vec::new())
            }
            PatternKind::None => {
                let v = self.fresh(p.span);
                let want = Ty::optional(v);
                if !self.unify(ty, &want) {
                    let found = "`none`";
                    self.pattern_mismatch(p.span, ty, found);
                    return Pat::Wild;
                }
                Pat::Ctor(Ctor::None, Vec::new())
            }
            PatternKind::Tuple(ps) if ps.is_empty() => {
                if !self.unify(ty, &Ty::Unit) {
                    self.pattern_mismatch(p.span, ty, "`()`");
                }
                Pat::Ctor(Ctor::Unit, Vec::new())
            }
            PatternKind::Tuple(ps) => {
                let elems = self.tuple_elems(p, ty, ps.len());
                let subs = ps.iter().zip(elems.iter()).map(|(sp, t)| self.pattern(sp, t, binds)).collect();
                Pat::Ctor(Ctor::Tuple(ps.len()), subs)
            }
            PatternKind::Or(alts) => self.or_pattern(alts, ty, binds),
            PatternKind::Variant { path, args } => self.variant_pattern(p, path, args.as_deref(), ty, binds),
            PatternKind::Struct { path, fields, rest } => self.struct_pattern(p, path, fields, *rest, ty, binds),
        }
    }

    /// `Point { x, y: 0, .. }`: the struct named by `path` (E0205 if it is
    /// not one), its fields by name (E0203 unknown, E0207 twice, E0206
    /// missing without `..`), lowered to one constructor whose arguments are
    /// every field in declaration order (the fields not named are `_`).
    fn struct_pattern(
        &mut self,
        p: &Pattern,
        path: &[Ident],
        fields: &[FieldPattern],
        rest: bool,
        ty: &Ty,
        binds: &mut Vec<Binding>,
    ) -> Pat {
        let subs: Vec<Pattern> = fields.iter().map(|f| f.pattern.clone()).collect();
        let m = self.cx.module;
        let span = path.first().map_or(p.span, |f| f.span.to(path[path.len() - 1].span));
        let tid = match self.resolve_named_type(m, path, span) {
            Ty::Struct(tid, _) => tid,
            Ty::Error => return self.wild_subpatterns(Some(&subs), binds),
            other => {
                let shown = self.display(&other);
                self.report(
                    Code::E0205,
                    span,
                    format!("`{shown}` is not a struct"),
                    "a pattern with `{ ... }` names a struct's fields; an enum variant is matched as `Shape.Circle(r)`",
                );
                return self.wild_subpatterns(Some(&subs), binds);
            }
        };
        // A generic struct's arguments: the matched value's.
        let (struct_ty, targs) = self.fresh_type_ty(tid, span);
        if !self.unify(ty, &struct_ty) {
            let found = format!("`{}`", self.display(&struct_ty));
            self.pattern_mismatch(p.span, ty, &found);
            return self.wild_subpatterns(Some(&subs), binds);
        }
        self.record_pat(p.id, PatRes::Struct(tid));
        let defs: Vec<(String, Ty)> = self
            .types
            .as_struct(tid)
            .map(|s| s.fields.iter().map(|f| (f.name.clone(), self.types.field_ty(f, &targs))).collect())
            .unwrap_or_default();
        let mut args: Vec<Option<Pat>> = vec![None; defs.len()];
        for f in fields {
            let Some(i) = defs.iter().position(|(n, _)| *n == f.name.name) else {
                self.unknown_field(tid, &f.name);
                self.wild_subpatterns(Some(std::slice::from_ref(&f.pattern)), binds);
                continue;
            };
            if args[i].is_some() {
                self.report(
                    Code::E0207,
                    f.name.span,
                    format!("field `{}` appears twice in the pattern", f.name.name),
                    "name each field once",
                );
                self.wild_subpatterns(Some(std::slice::from_ref(&f.pattern)), binds);
                continue;
            }
            let ft = defs[i].1.clone();
            if f.shorthand {
                self.cx.shorthand_fields.insert(f.pattern.span);
            }
            args[i] = Some(self.pattern(&f.pattern, &ft, binds));
        }
        let missing: Vec<&str> =
            defs.iter().zip(&args).filter(|(_, a)| a.is_none()).map(|((n, _), _)| n.as_str()).collect();
        if !rest && !missing.is_empty() {
            let list = missing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let tname = self.types.get(tid).name.clone();
            self.report(
                Code::E0206,
                p.span,
                format!("the pattern of struct `{tname}` does not mention {list}"),
                "name the missing fields, or end the pattern with `..` to ignore them",
            );
        }
        Pat::Ctor(Ctor::Struct(tid), args.into_iter().map(|a| a.unwrap_or(Pat::Wild)).collect())
    }

    fn or_pattern(&mut self, alts: &[Pattern], ty: &Ty, binds: &mut Vec<Binding>) -> Pat {
        let mut first: Option<Vec<Binding>> = None;
        let mut pats = Vec::new();
        for alt in alts {
            let mut these = Vec::new();
            pats.push(self.pattern(alt, ty, &mut these));
            match &first {
                None => first = Some(these),
                Some(f) => {
                    for (name, _, _) in f {
                        if !these.iter().any(|(n, _, _)| n.name == name.name) {
                            self.emit(
                                Diagnostic::at(
                                    Code::E0312,
                                    alt.span,
                                    format!("`{}` is not bound in every alternative", name.name),
                                )
                                .secondary(name.span, "bound here"),
                            );
                        }
                    }
                    for (name, id, node) in &these {
                        match f.iter().find(|(n, _, _)| n.name == name.name) {
                            Some((_, fid, _)) => {
                                let ft = self.local_info(*fid).map(|i| i.ty.clone()).unwrap_or(Ty::Error);
                                let tt = self.local_info(*id).map(|i| i.ty.clone()).unwrap_or(Ty::Error);
                                if !self.unify(&ft, &tt) {
                                    let (a, b) = (self.display(&ft), self.display(&tt));
                                    self.report(
                                        Code::E0312,
                                        name.span,
                                        format!("`{}` is a `{b}` here but a `{a}` in the first alternative", name.name),
                                        "every alternative of `|` must bind the same names with the same types",
                                    );
                                }
                                self.record_pat(*node, PatRes::Binding(*fid));
                                // The alternative's own local is never in scope.
                                self.mark_used(*id);
                            }
                            None => {
                                self.report(
                                    Code::E0312,
                                    name.span,
                                    format!("`{}` is not bound in every alternative", name.name),
                                    "every alternative of `|` must bind the same names",
                                );
                            }
                        }
                    }
                }
            }
        }
        binds.extend(first.unwrap_or_default());
        Pat::Or(pats)
    }

    fn variant_pattern(
        &mut self,
        p: &Pattern,
        path: &[Ident],
        args: Option<&[Pattern]>,
        ty: &Ty,
        binds: &mut Vec<Binding>,
    ) -> Pat {
        let st = self.shallow(ty);
        let Some(last) = path.last() else { return Pat::Wild };
        // `some(p)`, `ok(p)`, `err(p)` unless the enum has a variant of that name.
        let enum_has = |ck: &Self, n: &str| matches!(st, Ty::Enum(tid, _) if ck.types.as_enum(tid).and_then(|e| e.variant(n)).is_some());
        if path.len() == 1 && matches!(last.name.as_str(), "some" | "ok" | "err") && !enum_has(self, &last.name) {
            let inner = self.fresh(p.span);
            let (want, ctor, res, sub_ty) = match last.name.as_str() {
                "some" => (Ty::optional(inner.clone()), Ctor::Some, PatRes::Some, inner),
                "ok" => (Ty::result(inner.clone()), Ctor::Ok, PatRes::Ok, inner),
                _ => (Ty::result(inner), Ctor::Err, PatRes::Err, Ty::Str),
            };
            if !self.unify(ty, &want) {
                let found = format!("`{}(...)`", last.name);
                self.pattern_mismatch(p.span, ty, &found);
                return Pat::Wild;
            }
            self.record_pat(p.id, res);
            let sub = match args {
                Some([one]) => self.pattern(one, &sub_ty, binds),
                _ => {
                    self.report(
                        Code::E0312,
                        p.span,
                        format!("`{}` takes exactly one pattern", last.name),
                        format!("write `{}(x)` or `{}(_)`", last.name, last.name),
                    );
                    Pat::Wild
                }
            };
            return Pat::Ctor(ctor, vec![sub]);
        }
        let (tid, targs) = if path.len() == 1 {
            match st {
                Ty::Enum(tid, targs) => (tid, targs),
                Ty::Error => return self.wild_subpatterns(args, binds),
                Ty::Var(_) => {
                    self.must_know(p.span);
                    return self.wild_subpatterns(args, binds);
                }
                other => {
                    self.pattern_mismatch(p.span, &other, &format!("variant `{}`", last.name));
                    return self.wild_subpatterns(args, binds);
                }
            }
        } else {
            let m = self.cx.module;
            let prefix = &path[..path.len() - 1];
            let span = prefix.first().map(|f| f.span).unwrap_or(p.span);
            match self.resolve_named_type(m, prefix, span) {
                Ty::Enum(tid, _) => {
                    // A generic enum's arguments: the matched value's.
                    let (enum_ty, targs) = self.fresh_type_ty(tid, span);
                    if !self.unify(ty, &enum_ty) {
                        let found = format!("`{}`", self.display(&enum_ty));
                        self.pattern_mismatch(p.span, ty, &found);
                        return self.wild_subpatterns(args, binds);
                    }
                    (tid, targs)
                }
                Ty::Error => return self.wild_subpatterns(args, binds),
                other => {
                    let shown = self.display(&other);
                    self.error(Code::E0205, span, format!("`{shown}` is not an enum"));
                    return self.wild_subpatterns(args, binds);
                }
            }
        };
        let Some((i, fields)) = self
            .types
            .as_enum(tid)
            .and_then(|e| e.variant(&last.name))
            .map(|(i, v)| (i, v.fields.iter().map(|f| self.types.field_ty(f, &targs)).collect::<Vec<_>>()))
        else {
            let tname = self.types.get(tid).name.clone();
            let names: Vec<String> = self
                .types
                .as_enum(tid)
                .map(|e| e.variants.iter().map(|v| v.name.clone()).collect())
                .unwrap_or_default();
            let mut d =
                Diagnostic::at(Code::E0205, last.span, format!("enum `{tname}` has no variant `{}`", last.name));
            if let Some(h) = suggest(&last.name, names.iter().map(|s| s.as_str())) {
                d = d.with_help(h);
            }
            self.emit(d);
            return self.wild_subpatterns(args, binds);
        };
        self.record_pat(p.id, PatRes::Variant(tid, i));
        let subs_given = args.unwrap_or(&[]);
        if subs_given.len() != fields.len() {
            let tname = self.types.get(tid).name.clone();
            let n = fields.len();
            let s = if n == 1 { "" } else { "s" };
            let help = if n == 0 {
                format!("write `{}` without parentheses", last.name)
            } else {
                format!("write `{}({})`", last.name, vec!["_"; n].join(", "))
            };
            self.report(
                Code::E0312,
                p.span,
                format!("variant `{tname}.{}` has {n} field{s}, but the pattern has {}", last.name, subs_given.len()),
                help,
            );
            self.wild_subpatterns(args, binds);
            return Pat::Ctor(Ctor::Variant(tid, i), (0..n).map(|_| Pat::Wild).collect());
        }
        let subs = subs_given.iter().zip(fields.iter()).map(|(sp, t)| self.pattern(sp, t, binds)).collect();
        Pat::Ctor(Ctor::Variant(tid, i), subs)
    }

    /// Sub-patterns of a pattern that already failed: bind their names (as
    /// errors) so the arm body does not report unknown names.
    fn wild_subpatterns(&mut self, args: Option<&[Pattern]>, binds: &mut Vec<Binding>) -> Pat {
        let start = binds.len();
        for sp in args.unwrap_or(&[]) {
            self.pattern(sp, &Ty::Error, binds);
        }
        // No unused-variable noise for names in a pattern already reported.
        let new: Vec<_> = binds[start..].iter().map(|(_, id, _)| *id).collect();
        for id in new {
            self.mark_used(id);
        }
        Pat::Wild
    }
}

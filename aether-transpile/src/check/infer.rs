//! Unification: inference variables ([`Ty::Var`]) are solved in the
//! current body's substitution ([`super::body::BodyCx::subst`]).

use super::Checker;
use crate::source::Span;
use crate::ty::{Ty, TyVar};

impl Checker<'_> {
    /// A new unknown type; `span` is where it came from (for E0306).
    pub(super) fn fresh(&mut self, span: Span) -> Ty {
        self.cx.subst.push(None);
        self.cx.var_spans.push(span);
        Ty::Var(TyVar(self.cx.subst.len() as u32 - 1))
    }

    /// Follow solved variables at the top of `t`.
    pub(super) fn shallow(&self, t: &Ty) -> Ty {
        let mut t = t.clone();
        while let Ty::Var(v) = t {
            match self.cx.subst.get(v.0 as usize) {
                Some(Some(s)) => t = s.clone(),
                _ => break,
            }
        }
        t
    }

    /// Substitute every solved variable (unsolved ones stay `Var`).
    pub(super) fn zonk(&self, t: &Ty) -> Ty {
        match self.shallow(t) {
            Ty::List(e) => Ty::list(self.zonk(&e)),
            Ty::Map(k, v) => Ty::map(self.zonk(&k), self.zonk(&v)),
            Ty::Optional(e) => Ty::optional(self.zonk(&e)),
            Ty::Result(e) => Ty::result(self.zonk(&e)),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| self.zonk(t)).collect()),
            Ty::Fn(ps, r) => Ty::Fn(ps.iter().map(|t| self.zonk(t)).collect(), Box::new(self.zonk(&r))),
            Ty::Struct(id, ts) => Ty::Struct(id, ts.iter().map(|t| self.zonk(t)).collect()),
            Ty::Enum(id, ts) => Ty::Enum(id, ts.iter().map(|t| self.zonk(t)).collect()),
            other => other,
        }
    }

    /// Make `a` and `b` equal, solving variables. On failure nothing is
    /// changed.
    pub(super) fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let mut trail = Vec::new();
        let ok = self.unify_inner(a, b, &mut trail);
        if !ok {
            // Only unbound variables are ever bound, so undoing is unbinding.
            for v in trail {
                if let Some(slot) = self.cx.subst.get_mut(v.0 as usize) {
                    *slot = None;
                }
            }
        }
        ok
    }

    fn unify_inner(&mut self, a: &Ty, b: &Ty, trail: &mut Vec<TyVar>) -> bool {
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Var(x), Ty::Var(y)) if x == y => true,
            (Ty::Var(v), t) | (t, Ty::Var(v)) => {
                if self.occurs(*v, t) {
                    return false;
                }
                if let Some(slot) = self.cx.subst.get_mut(v.0 as usize) {
                    *slot = Some(t.clone());
                    trail.push(*v);
                }
                true
            }
            (Ty::List(x), Ty::List(y)) | (Ty::Optional(x), Ty::Optional(y)) | (Ty::Result(x), Ty::Result(y)) => {
                self.unify_inner(x, y, trail)
            }
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => self.unify_inner(k1, k2, trail) && self.unify_inner(v1, v2, trail),
            (Ty::Tuple(xs), Ty::Tuple(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys.iter()).all(|(x, y)| self.unify_inner(x, y, trail))
            }
            (Ty::Struct(a, xs), Ty::Struct(b, ys)) | (Ty::Enum(a, xs), Ty::Enum(b, ys)) => {
                a == b && xs.len() == ys.len() && xs.iter().zip(ys.iter()).all(|(x, y)| self.unify_inner(x, y, trail))
            }
            (Ty::Fn(p1, r1), Ty::Fn(p2, r2)) => {
                p1.len() == p2.len()
                    && p1.iter().zip(p2.iter()).all(|(x, y)| self.unify_inner(x, y, trail))
                    && self.unify_inner(r1, r2, trail)
            }
            _ => a == b,
        }
    }

    fn occurs(&self, v: TyVar, t: &Ty) -> bool {
        contains(&self.zonk(t), &|t| *t == Ty::Var(v))
    }
}

/// Whether `t` or any type inside it satisfies `pred`.
pub(super) fn contains(t: &Ty, pred: &dyn Fn(&Ty) -> bool) -> bool {
    if pred(t) {
        return true;
    }
    match t {
        Ty::List(e) | Ty::Optional(e) | Ty::Result(e) => contains(e, pred),
        Ty::Map(k, v) => contains(k, pred) || contains(v, pred),
        Ty::Tuple(ts) | Ty::Struct(_, ts) | Ty::Enum(_, ts) => ts.iter().any(|t| contains(t, pred)),
        Ty::Fn(ps, r) => ps.iter().any(|t| contains(t, pred)) || contains(r, pred),
        _ => false,
    }
}

/// Replace unsolved variables by [`Ty::Error`] (for the side tables).
pub(super) fn default_vars(t: Ty) -> Ty {
    match t {
        Ty::Var(_) => Ty::Error,
        Ty::List(e) => Ty::list(default_vars(*e)),
        Ty::Map(k, v) => Ty::map(default_vars(*k), default_vars(*v)),
        Ty::Optional(e) => Ty::optional(default_vars(*e)),
        Ty::Result(e) => Ty::result(default_vars(*e)),
        Ty::Tuple(ts) => Ty::Tuple(ts.into_iter().map(default_vars).collect()),
        Ty::Fn(ps, r) => Ty::Fn(ps.into_iter().map(default_vars).collect(), Box::new(default_vars(*r))),
        Ty::Struct(id, ts) => Ty::Struct(id, ts.into_iter().map(default_vars).collect()),
        Ty::Enum(id, ts) => Ty::Enum(id, ts.into_iter().map(default_vars).collect()),
        other => other,
    }
}

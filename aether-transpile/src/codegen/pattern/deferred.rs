//! Sub-patterns Rust cannot match in place: a string literal inside an
//! alternative of an `|` pattern (a `String` does not match a literal, and
//! guards belong to a whole arm, not to one alternative), and a nested
//! pattern on a recursive field (stored boxed; stable Rust has no `box`
//! patterns). Such a sub-pattern binds its value to a fresh name, the arm's
//! guard tests it with a `match` of its own, and the arm destructures it
//! again for the sub-pattern's bindings:
//!
//! ```text
//! Node(some(Leaf(x)), _)   →   Tree::Node { left: __sub1, .. }
//!                                  if match __sub1.as_deref() { Some(Tree::Leaf { v: x }) => true, _ => false }
//!                              => { let (x,) = match __sub1.as_deref() { Some(Tree::Leaf { v: x }) => (x,), _ => unreachable!() }; ... }
//! ```

use super::Mode;
use crate::ast::{LitPattern, Pattern, PatternKind};
use crate::check::PatRes;
use crate::codegen::body::Gen;
use crate::codegen::names;
use crate::codegen::types::Boxing;
use proc_macro2::TokenStream;
use quote::quote;

impl Gen<'_> {
    /// Whether `p` (below the top of the pattern) needs [`Gen::deferred`]
    /// somewhere inside it.
    pub(super) fn needs_deferral(&self, p: &Pattern) -> bool {
        match &p.kind {
            PatternKind::Literal(LitPattern::Str(_)) => true,
            PatternKind::Tuple(ps) | PatternKind::Or(ps) => ps.iter().any(|sp| self.needs_deferral(sp)),
            PatternKind::Variant { args: Some(args), .. } => {
                let boxed_field = |fi: usize| match self.tables.patterns.get(&p.id) {
                    Some(PatRes::Variant(tid, i)) => self.facts().boxing(*tid, *i, fi).is_some(),
                    _ => false,
                };
                args.iter().enumerate().any(|(fi, sp)| {
                    (boxed_field(fi) && !matches!(sp.kind, PatternKind::Wildcard | PatternKind::Binding(_)))
                        || self.needs_deferral(sp)
                })
            }
            PatternKind::Struct { fields, .. } => {
                let boxed_field = |name: &str| match self.tables.patterns.get(&p.id) {
                    Some(PatRes::Struct(tid)) => self
                        .ck
                        .types
                        .as_struct(*tid)
                        .and_then(|s| s.fields.iter().position(|f| f.name == name))
                        .is_some_and(|fi| self.facts().boxing(*tid, 0, fi).is_some()),
                    _ => false,
                };
                fields.iter().any(|f| {
                    (boxed_field(&f.name.name)
                        && !matches!(f.pattern.kind, PatternKind::Wildcard | PatternKind::Binding(_)))
                        || self.needs_deferral(&f.pattern)
                })
            }
            _ => false,
        }
    }

    /// `p` matched against the value `view(binding)` gives, where the
    /// binding is the fresh name this returns as the pattern in place:
    /// tested in the arm's guard, destructured again in the arm. `None`
    /// without a guard to add to (a refutable context that has none).
    pub(super) fn deferred(
        &mut self,
        p: &Pattern,
        view: impl Fn(&proc_macro2::Ident) -> TokenStream,
    ) -> Option<TokenStream> {
        self.pat_guards.as_ref()?;
        let t = self.fresh("sub");
        let subject = view(&t);
        let alternatives: Vec<&Pattern> = match &p.kind {
            PatternKind::Or(ps) => ps.iter().collect(),
            _ => vec![p],
        };
        let outer_guards = self.pat_guards.take();
        let outer_fixups = std::mem::take(&mut self.fixups);
        let outer_or = std::mem::replace(&mut self.in_or, 0);
        let bound = self.bound_names(p);
        let (mut tests, mut extracts) = (Vec::new(), Vec::new());
        for alt in alternatives {
            self.pat_guards = Some(Vec::new());
            let pat = self.pat(alt, Mode::Ref, false);
            let conds = self.pat_guards.take().unwrap_or_default();
            let fix = std::mem::take(&mut self.fixups);
            let guard = if conds.is_empty() { quote!() } else { quote!(if #(#conds)&&*) };
            tests.push(quote!(#pat #guard => true,));
            extracts.push(quote!(#pat #guard => { #(#fix)* (#(#bound,)*) }));
        }
        self.pat_guards = outer_guards;
        self.fixups = outer_fixups;
        self.in_or = outer_or;
        if let Some(g) = self.pat_guards.as_mut() {
            g.push(quote!(match #subject { #(#tests)* _ => false }));
        }
        if !bound.is_empty() {
            self.fixups.push(quote!(let (#(#bound,)*) = match #subject { #(#extracts)* _ => unreachable!() };));
        }
        Some(quote!(#t))
    }

    /// A sub-pattern of a boxed (recursive) field that is more than a
    /// binding, deferred (see the module docs).
    pub(super) fn deferred_boxed(&mut self, p: &Pattern, b: Boxing, mode: Mode) -> Option<TokenStream> {
        self.deferred(p, |t| match (b, mode) {
            (Boxing::Opt, _) => quote!(#t.as_deref()),
            (Boxing::Whole, Mode::Value) => quote!(&*#t),
            (Boxing::Whole, _) => quote!(&**#t),
        })
    }

    /// The Rust names of the bindings of `p`, in order (an `|` pattern's
    /// alternatives all bind the same names: the first one's).
    fn bound_names(&self, p: &Pattern) -> Vec<proc_macro2::Ident> {
        let mut out = Vec::new();
        self.collect_bound(p, &mut out);
        out
    }

    fn collect_bound(&self, p: &Pattern, out: &mut Vec<proc_macro2::Ident>) {
        match &p.kind {
            PatternKind::Binding(n) => {
                if matches!(self.tables.patterns.get(&p.id), Some(PatRes::Binding(_) | PatRes::Unwrap(_))) {
                    out.push(names::local(&n.name));
                }
            }
            PatternKind::Tuple(ps) => ps.iter().for_each(|sp| self.collect_bound(sp, out)),
            PatternKind::Or(ps) => {
                if let Some(first) = ps.first() {
                    self.collect_bound(first, out);
                }
            }
            PatternKind::Variant { args: Some(args), .. } => args.iter().for_each(|sp| self.collect_bound(sp, out)),
            PatternKind::Struct { fields, .. } => fields.iter().for_each(|f| self.collect_bound(&f.pattern, out)),
            _ => {}
        }
    }
}

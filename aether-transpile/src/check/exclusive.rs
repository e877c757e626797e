//! Exclusive access to `state` passed as `mut` (E0407), after Swift's
//! exclusivity enforcement: while a call runs, a `state` passed to it as a
//! `mut` argument (or as the `mut self` of a method) belongs to the call's
//! parameter alone. The callee, and every function it calls by name, may
//! not also read or change that state directly: the parameter is a copy
//! written back when the call returns (value semantics), so a direct
//! change would be lost and a direct read would see the old value.
//!
//! A whole-program pass after every body is checked: which states each
//! function uses directly (closures inside it included), closed over the
//! call graph, then every call that passes state as `mut` is checked
//! against its callee. Calls through function values and into the Rust
//! host (`extern fn`, which may call back in) are not followed: what they
//! run is not known before the program runs.

use super::{Checker, FnId, GlobalId, Res};
use crate::ast::{Expr, ExprKind, ItemKind};
use crate::codegen::analysis::{visit_stmt, Visit};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use std::collections::HashMap;

/// Where a function uses a state: its first direct use (`true`), or the
/// call that leads to one.
type Uses = HashMap<GlobalId, (Span, bool)>;

/// Per function: the functions it calls by name, with each call's span.
type Calls = Vec<Vec<(FnId, Span)>>;

impl Checker<'_> {
    pub(super) fn check_exclusive_state_access(&mut self) {
        let (mut uses, calls) = self.direct_state_uses();
        close_over_calls(&mut uses, &calls);
        let mut found = Vec::new();
        for (module, m) in self.program.modules.iter().enumerate() {
            for item in &m.ast.items {
                let body = match &item.kind {
                    ItemKind::Fn(decl) => &decl.body,
                    ItemKind::Test(t) => &t.body,
                    _ => continue,
                };
                for s in &body.stmts {
                    visit_stmt(s, true, &mut |v| {
                        if let Visit::Expr(e) = v {
                            self.mut_state_args(module, e, &uses, &mut found);
                        }
                    });
                }
            }
        }
        for d in found {
            self.emit(d);
        }
    }

    /// Per function: the states it uses directly, and the functions it
    /// calls by name (with the call's span).
    fn direct_state_uses(&self) -> (Vec<Uses>, Calls) {
        let mut uses = Vec::with_capacity(self.fns.len());
        let mut calls = Vec::with_capacity(self.fns.len());
        for info in &self.fns {
            let (mut direct, mut called) = (Uses::new(), Vec::new());
            let module = info.module.0 as usize;
            // An `extern fn` has no body here: not followed (see the
            // module docs).
            if let Some(ItemKind::Fn(decl)) =
                self.program.module(info.module).ast.items.get(info.item).map(|it| &it.kind)
            {
                for s in &decl.body.stmts {
                    visit_stmt(s, true, &mut |v| {
                        let Visit::Expr(e) = v else { return };
                        match self.tables[module].resolutions.get(&e.id) {
                            Some(Res::Global(g)) if self.is_state(*g) => {
                                direct.entry(*g).or_insert((e.span, true));
                            }
                            Some(Res::Fn(f) | Res::Method(f)) => called.push((*f, e.span)),
                            _ => {}
                        }
                    });
                }
            }
            uses.push(direct);
            calls.push(called);
        }
        (uses, calls)
    }

    fn is_state(&self, g: GlobalId) -> bool {
        self.globals.get(g.0 as usize).is_some_and(|g| g.is_state)
    }

    /// E0407 for each state `e` (a call) passes as `mut` to a callee that
    /// also uses it.
    fn mut_state_args(&self, module: usize, e: &Expr, uses: &[Uses], out: &mut Vec<Diagnostic>) {
        let ExprKind::Call { callee, args } = &e.kind else { return };
        let resolutions = &self.tables[module].resolutions;
        let (f, receiver) = match resolutions.get(&callee.id) {
            Some(Res::Fn(f)) => (*f, None),
            Some(Res::Method(f)) => match &callee.kind {
                ExprKind::Field { base, .. }
                    if self.fns.get(f.0 as usize).is_some_and(|i| i.self_param == Some(true)) =>
                {
                    (*f, Some(&**base))
                }
                _ => (*f, None),
            },
            _ => return,
        };
        let Some(callee_info) = self.fns.get(f.0 as usize) else { return };
        let passed = args.iter().filter(|a| a.mutable).map(|a| &a.expr).chain(receiver);
        for arg in passed {
            let Some(g) = self.state_root(module, arg) else { continue };
            let Some(&(at, direct)) = uses.get(f.0 as usize).and_then(|u| u.get(&g)) else { continue };
            let state = &self.globals[g.0 as usize].name;
            let how = if receiver.is_some_and(|r| std::ptr::eq(r, arg)) { "as `mut self`" } else { "as `mut`" };
            let mut d = Diagnostic::new(
                Code::E0407,
                format!(
                    "state `{state}` is passed {how} to `{}`, which also uses `{state}` directly",
                    callee_info.name
                ),
            )
            .primary(arg.span, format!("`{state}` is lent to `{}` here", callee_info.name));
            d = if direct {
                d.secondary(at, format!("`{state}` is used here while it is lent"))
            } else {
                d.secondary(at, format!("this call uses `{state}` while it is lent"))
            };
            out.push(d.with_help(format!(
                "change `{state}` through the parameter only, or do not pass it and let `{}` use `{state}` itself",
                callee_info.name
            )));
        }
    }

    /// The state a place expression is rooted in (`log`, `grid[0].cells`).
    fn state_root(&self, module: usize, e: &Expr) -> Option<GlobalId> {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Field { .. } => match self.tables[module].resolutions.get(&e.id) {
                Some(Res::Global(g)) if self.is_state(*g) => Some(*g),
                Some(Res::Field(..)) => match &e.kind {
                    ExprKind::Field { base, .. } => self.state_root(module, base),
                    _ => None,
                },
                _ => None,
            },
            ExprKind::Index { base, .. } | ExprKind::TupleIndex { base, .. } => self.state_root(module, base),
            _ => None,
        }
    }
}

/// Each function also uses what the functions it calls use (a fixpoint
/// over the call graph); the span is then the call's.
fn close_over_calls(uses: &mut [Uses], calls: &Calls) {
    let mut changed = true;
    while changed {
        changed = false;
        for (i, called) in calls.iter().enumerate() {
            for (f, at) in called {
                let Some(theirs) = uses.get(f.0 as usize) else { continue };
                let added: Vec<GlobalId> = theirs.keys().filter(|g| !uses[i].contains_key(g)).copied().collect();
                for g in added {
                    uses[i].insert(g, (*at, false));
                    changed = true;
                }
            }
        }
    }
}

//! Direct calls within a module under `--hmr` (issue #14): which functions
//! a call from the same library may reach without going through the call
//! table, and with no restart point, while the library is current.
//!
//! A call through the table is a restart point: it links itself into the
//! runtime's list of calls in progress and catches the unwind that restarts
//! a running function a reload replaced (`abi::call_restartable`). The
//! plain direct call is neither, so it is used only for callees that can
//! never need a restart (every other function of the module is called
//! directly as a restart point, `abi::call_direct`, which costs a few
//! stores more: `Direct::RestartPoint`): functions that
//! always return (as far as a reload is concerned) by themselves. A
//! *restart-free* function has no loop, makes no call through a function
//! value, creates no closure, fills no struct field
//! default, and calls only builtins and restart-free functions of its own
//! module (recursion allowed: an endless one overflows the stack). Such a
//! function, once started, finishes in the code it started in, which is
//! Erlang's rule for running code, and everything it calls after a reload
//! reaches the new code (the direct path's flag, `abi::is_current`, stays
//! raised in a library whose module has a newer current version).
//!
//! Calls into other modules never count: a callee's restart-freedom may
//! change in a library that is rebuilt alone, and the caller's library
//! would go on calling it directly.
//!
//! Between the two, a *self-restarting* function (`Direct::Unlinked`) has
//! loops but reaches no safe point other than their back-edges: it calls
//! no Aether code, no function value and no blocking builtin, and creates
//! no closure. Its direct call still catches the unwind that restarts it
//! (a back-edge of old code left running), but is not linked into the
//! list of calls in progress: that list is read only at a safe point, to
//! find the outermost running call a reload replaced (`stale_call`), and
//! the only safe points reached while such a function runs are its own
//! back-edges, which restart it by themselves (`abi::back_edge`). Linking
//! was a third of a small helper's call (issue #14).

use crate::ast::{ExprKind, ItemKind, StmtKind};
use crate::check::{CheckResult, FnId, Res};
use crate::codegen::analysis::{call_reaches_safe_point, fills_field_default, visit_block, Visit};
use crate::project::Program;
use crate::ty::Ty;
use std::collections::HashSet;

/// How a direct call within a library reaches a function's body.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Direct {
    /// A restart-free function: a plain call.
    Plain,
    /// A self-restarting function (see the module docs): a call that
    /// catches the unwind restarting it (`abi::call_direct_unlinked`); a
    /// restarted call goes on through the table.
    Unlinked,
    /// Any other function: a restart point (`abi::call_direct`: linked into
    /// the calls in progress as a call of its shim, and catching the unwind
    /// that restarts it); a restarted call goes on through the table.
    RestartPoint,
}

/// Per function (`FnId` order): how a call from its own library reaches
/// it directly; `None` for a function of the Rust host (`extern fn`).
/// A function whose body this analysis cannot see is a restart point.
pub(super) fn direct_calls(program: &Program, ck: &CheckResult) -> Vec<Option<Direct>> {
    let facts: Vec<Option<BodyFacts>> = (0..ck.fns.len()).map(|i| body_facts(program, ck, FnId(i as u32))).collect();
    let free = restart_free(ck, &facts);
    let kind = |(i, (facts, free)): (usize, (&Option<BodyFacts>, bool))| {
        if ck.fns.get(i).is_none_or(|info| info.host.is_some()) {
            return None;
        }
        Some(match facts {
            _ if free => Direct::Plain,
            Some(facts) if facts.self_restarting() => Direct::Unlinked,
            _ => Direct::RestartPoint,
        })
    };
    facts.iter().zip(free).enumerate().map(kind).collect()
}

/// What a function's body does that decides how it may be called directly.
struct BodyFacts {
    /// A `while`, `loop` or `for`.
    loops: bool,
    /// Code this analysis does not see: a closure, a call of a function
    /// value (or a builtin given one), a function named as a value, a
    /// struct literal that fills a field default.
    opaque: bool,
    /// A builtin that blocks (`sleep_ms`, ...): a safe point.
    blocking: bool,
    /// The Aether functions and methods it calls.
    callees: Vec<FnId>,
}

impl BodyFacts {
    /// Its only safe points are its own loops' back-edges.
    fn self_restarting(&self) -> bool {
        !self.opaque && !self.blocking && self.callees.is_empty()
    }
}

/// The facts of function `f`'s body; `None` for a function of the Rust host
/// or one without a body here.
fn body_facts(program: &Program, ck: &CheckResult, f: FnId) -> Option<BodyFacts> {
    let info = ck.fns.get(f.0 as usize).filter(|info| info.host.is_none())?;
    let tables = ck.module(info.module)?;
    let Some(ItemKind::Fn(decl)) = program.module(info.module).ast.items.get(info.item).map(|it| &it.kind) else {
        return None;
    };
    let mut facts = BodyFacts { loops: false, opaque: false, blocking: false, callees: Vec::new() };
    let mut callee_ids = HashSet::new();
    visit_block(&decl.body, true, &mut |v| match v {
        Visit::Stmt(s) => {
            if matches!(s.kind, StmtKind::While { .. } | StmtKind::Loop { .. } | StmtKind::For { .. }) {
                facts.loops = true;
            }
        }
        Visit::Expr(e) => {
            match &e.kind {
                ExprKind::Closure { .. } => facts.opaque = true,
                ExprKind::Call { callee, args } => {
                    match tables.resolutions.get(&callee.id) {
                        Some(Res::Fn(f) | Res::Method(f)) => {
                            callee_ids.insert(callee.id);
                            facts.callees.push(*f);
                        }
                        Some(Res::Builtin(_) | Res::BuiltinMethod(_) | Res::Math(_) | Res::Variant(..)) => {
                            // Any other builtin is straight-line code
                            // (`call_reaches_safe_point` says which block).
                            if call_reaches_safe_point(tables, callee, args) {
                                facts.blocking = true;
                            }
                        }
                        _ => facts.opaque = true,
                    }
                    // A builtin given a function value (`xs.map(f)`)
                    // calls code this analysis does not see.
                    if args.iter().any(|a| matches!(tables.expr_types.get(&a.expr.id), Some(Ty::Fn(..)))) {
                        facts.opaque = true;
                    }
                }
                ExprKind::StructLit { .. } if fills_field_default(ck, tables, e) => facts.opaque = true,
                _ => {}
            }
            // A function named as a value, not called here.
            if matches!(tables.resolutions.get(&e.id), Some(Res::Fn(_) | Res::Method(_))) && !callee_ids.contains(&e.id)
            {
                facts.opaque = true;
            }
        }
        Visit::Pattern(_) => {}
    });
    Some(facts)
}

/// Per function (`FnId` order): whether it is restart-free (see the module
/// docs). A greatest fixpoint over the call graph, so recursion qualifies.
fn restart_free(ck: &CheckResult, facts: &[Option<BodyFacts>]) -> Vec<bool> {
    let mut ok: Vec<bool> = facts.iter().map(|f| f.as_ref().is_some_and(|f| !f.loops && !f.opaque)).collect();
    let module_of = |f: FnId| ck.fns.get(f.0 as usize).map(|info| info.module);
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..ok.len() {
            if !ok[i] {
                continue;
            }
            let here = module_of(FnId(i as u32));
            let callees = facts[i].as_ref().map_or(&[][..], |f| f.callees.as_slice());
            let bad = callees.iter().any(|c| module_of(*c) != here || !ok.get(c.0 as usize).copied().unwrap_or(false));
            if bad {
                ok[i] = false;
                changed = true;
            }
        }
    }
    ok
}

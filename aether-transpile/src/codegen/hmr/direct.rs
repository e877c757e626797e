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
//! stores more: `trampoline::Direct::RestartPoint`): functions that
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

use crate::ast::{ExprKind, ItemKind, StmtKind};
use crate::check::{CheckResult, FnId, Res};
use crate::codegen::analysis::{visit_block, Visit};
use crate::project::Program;
use crate::ty::Ty;
use std::collections::HashSet;

/// Per function (`FnId` order): whether it is restart-free (see the module
/// docs). A greatest fixpoint over the call graph, so recursion qualifies.
pub(super) fn restart_free(program: &Program, ck: &CheckResult) -> Vec<bool> {
    let mut ok = vec![false; ck.fns.len()];
    let mut calls: Vec<Vec<FnId>> = vec![Vec::new(); ck.fns.len()];
    for (i, info) in ck.fns.iter().enumerate() {
        if info.host.is_some() {
            continue;
        }
        let (Some(tables), Some(ItemKind::Fn(decl))) =
            (ck.module(info.module), program.module(info.module).ast.items.get(info.item).map(|it| &it.kind))
        else {
            continue;
        };
        let mut fine = true;
        let mut callee_ids = HashSet::new();
        visit_block(&decl.body, true, &mut |v| match v {
            Visit::Stmt(s) => {
                if matches!(s.kind, StmtKind::While { .. } | StmtKind::Loop { .. } | StmtKind::For { .. }) {
                    fine = false;
                }
            }
            Visit::Expr(e) => {
                match &e.kind {
                    ExprKind::Closure { .. } => fine = false,
                    ExprKind::Call { callee, args } => {
                        match tables.resolutions.get(&callee.id) {
                            Some(Res::Fn(f) | Res::Method(f)) => {
                                callee_ids.insert(callee.id);
                                calls[i].push(*f);
                            }
                            Some(Res::Builtin(_) | Res::BuiltinMethod(_) | Res::Math(_) | Res::Variant(..)) => {}
                            _ => fine = false,
                        }
                        // A builtin given a function value (`xs.map(f)`)
                        // calls code this analysis does not see.
                        if args.iter().any(|a| matches!(tables.expr_types.get(&a.expr.id), Some(Ty::Fn(..)))) {
                            fine = false;
                        }
                    }
                    ExprKind::StructLit { fields, .. } => {
                        if let Some(Res::Type(tid)) = tables.resolutions.get(&e.id) {
                            let defaulted = ck.types.as_struct(*tid).is_some_and(|s| {
                                s.fields.iter().any(|f| f.has_default && !fields.iter().any(|g| g.name.name == f.name))
                            });
                            if defaulted {
                                fine = false;
                            }
                        }
                    }
                    _ => {}
                }
                // A function named as a value, not called here.
                if matches!(tables.resolutions.get(&e.id), Some(Res::Fn(_) | Res::Method(_)))
                    && !callee_ids.contains(&e.id)
                {
                    fine = false;
                }
            }
            Visit::Pattern(_) => {}
        });
        ok[i] = fine;
    }
    let module_of = |f: FnId| ck.fns.get(f.0 as usize).map(|info| info.module);
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..ok.len() {
            if !ok[i] {
                continue;
            }
            let here = module_of(FnId(i as u32));
            let bad = calls[i].iter().any(|c| module_of(*c) != here || !ok.get(c.0 as usize).copied().unwrap_or(false));
            if bad {
                ok[i] = false;
                changed = true;
            }
        }
    }
    ok
}

//! Whether a module's code can make a function value (issue #14,
//! unloading): a closure that is not generated inline, or a function,
//! method or variant constructor named as a value. Such a value is an
//! `Rc<dyn Fn>` whose code and vtable live in the library that made it, and
//! it may be kept anywhere (in `state`, in a local of newer code, in a list),
//! so the runtime never unloads a library that can make one
//! (`abi::PINNED`, docs/hmr.md "Memory").

use crate::ast::{Expr, ExprKind, ItemKind};
use crate::check::CheckResult;
use crate::codegen::analysis::{inline_closure, visit_block, visit_expr, Visit};
use crate::codegen::Shared;
use crate::project::Program;
use crate::ty::{ModuleId, Ty};
use std::collections::HashSet;

/// Whether any code of module `m` (function bodies, state initializers,
/// constants, field defaults) can make a function value, or one of its
/// `state` variables can hold one (the zero value of a function type, which
/// a state starts from and a migration may reset a field to, is a closure
/// made by this library).
pub(super) fn makes_fn_values(program: &Program, ck: &CheckResult, shared: &Shared, m: ModuleId) -> bool {
    if super::states_of(ck, m).iter().any(|g| shared.facts.contains_fn(&g.ty)) {
        return true;
    }
    let Some(tables) = ck.module(m) else { return false };
    // The generic instances compiled into this crate make values here too.
    for i in super::generics::used_by(ck, m) {
        let inst = &ck.instances[i];
        if let Some(ItemKind::Fn(decl)) =
            program.module(inst.info.module).ast.items.get(inst.info.item).map(|it| &it.kind)
        {
            let mut found = false;
            visit_block(&decl.body, true, &mut |v| {
                if let Visit::Expr(e) = v {
                    if matches!(e.kind, ExprKind::Closure { .. })
                        || matches!(inst.tables.expr_types.get(&e.id), Some(Ty::Fn(..)))
                    {
                        found = true;
                    }
                }
            });
            if found {
                return true;
            }
        }
    }
    let mut found = false;
    // Callees of calls and the bodies of inline closures: not values.
    let mut not_values = HashSet::new();
    let mut check = |v: Visit<'_>| {
        let Visit::Expr(e) = v else { return };
        if let ExprKind::Call { callee, args } = &e.kind {
            not_values.insert(callee.id);
            if inline_closure(tables, callee, args).is_some() {
                if let Some(arg) = args.first() {
                    not_values.insert(arg.expr.id);
                }
            }
        }
        if not_values.contains(&e.id) {
            return;
        }
        // Any function-typed value, not only a closure or a named function:
        // code may wrap a value it was given into a closure of its own
        // (a coercion), made here too.
        if matches!(e.kind, ExprKind::Closure { .. }) || matches!(tables.expr_types.get(&e.id), Some(Ty::Fn(..))) {
            found = true;
        }
    };
    for item in &program.module(m).ast.items {
        let roots: Vec<&Expr> = match &item.kind {
            ItemKind::Fn(decl) => {
                visit_block(&decl.body, true, &mut check);
                Vec::new()
            }
            ItemKind::State(s) => vec![&s.value],
            ItemKind::Const(c) => vec![&c.value],
            ItemKind::Struct(s) => s.fields.iter().filter_map(|f| f.default.as_ref()).collect(),
            _ => Vec::new(),
        };
        for e in roots {
            visit_expr(e, true, &mut check);
        }
    }
    found
}

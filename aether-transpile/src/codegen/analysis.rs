//! Whole-program facts code generation needs before emitting a body:
//! which functions take `ctx`, what a closure captures, which variables a
//! loop body changes.

use crate::ast::{Arg, Block, Expr, ExprKind, IfCond, ItemKind, Pattern, PatternKind, Stmt, StmtKind, StrPart};
use crate::check::{CheckResult, FnId, LocalId, ModuleTables, PatRes, Res};
use crate::project::Program;
use crate::ty::Ty;
use std::collections::HashSet;

/// The built-in methods that change their receiver.
pub(crate) const MUTATING: &[&str] = &[
    "list.push",
    "list.pop",
    "list.insert",
    "list.remove",
    "list.sort",
    "list.sort_by",
    "list.reverse",
    "list.sort_by_key",
    "map.insert",
    "map.remove",
    "map.update",
];

/// The built-in methods that call a function value they are given
/// (`xs.map(f)`), so they pass `ctx` on.
pub(crate) const CALLS_FN: &[&str] = &[
    "list.map",
    "list.filter",
    "list.sort_by",
    "list.fold",
    "list.min_by",
    "list.max_by",
    "list.min_by_key",
    "list.max_by_key",
    "list.sort_by_key",
    "list.any",
    "list.all",
    "list.find",
    "list.position",
    "list.flat_map",
    "map.update",
];

/// Whether `e` is a struct literal that leaves a field to its default,
/// which runs code of the struct's module (the defaults are generated as
/// its functions).
pub(crate) fn fills_field_default(ck: &CheckResult, tables: &ModuleTables, e: &Expr) -> bool {
    let ExprKind::StructLit { fields, .. } = &e.kind else { return false };
    let Some(Res::Type(tid)) = tables.resolutions.get(&e.id) else { return false };
    ck.types
        .as_struct(*tid)
        .is_some_and(|s| s.fields.iter().any(|f| f.has_default && !fields.iter().any(|g| g.name.name == f.name)))
}

/// Whether a call may reach a safe point under `--hmr` (a reload may land
/// in it, and the caller reads its `state` addresses again after it): a
/// user function or method, a function value, a blocking builtin, a builtin
/// given a function (`xs.map(f)` calls `f`).
pub(crate) fn call_reaches_safe_point(tables: &ModuleTables, callee: &Expr, args: &[Arg]) -> bool {
    match tables.resolutions.get(&callee.id) {
        Some(Res::Fn(_) | Res::Method(_)) => true,
        Some(Res::Builtin(name)) => matches!(*name, "sleep_ms" | "read_line" | "read_stdin"),
        Some(Res::BuiltinMethod(_)) => {
            args.iter().any(|a| matches!(tables.expr_types.get(&a.expr.id), Some(Ty::Fn(..))))
        }
        Some(Res::Variant(..) | Res::Math(_)) => false,
        _ => true,
    }
}

/// Visit every expression of a block (pre-order). Closure bodies are
/// entered only when `into_closures`.
pub(crate) fn visit_block<'a>(b: &'a Block, into_closures: bool, f: &mut dyn FnMut(Visit<'a>)) {
    for s in &b.stmts {
        visit_stmt(s, into_closures, f);
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Visit<'a> {
    Expr(&'a Expr),
    Stmt(&'a Stmt),
    Pattern(&'a Pattern),
}

pub(crate) fn visit_stmt<'a>(s: &'a Stmt, into_closures: bool, f: &mut dyn FnMut(Visit<'a>)) {
    crate::with_stack(|| visit_stmt_inner(s, into_closures, f))
}

fn visit_stmt_inner<'a>(s: &'a Stmt, into_closures: bool, f: &mut dyn FnMut(Visit<'a>)) {
    f(Visit::Stmt(s));
    match &s.kind {
        StmtKind::Let { pattern, value, .. } => {
            visit_pattern(pattern, f);
            visit_expr(value, into_closures, f);
        }
        StmtKind::Assign { target, value, .. } => {
            visit_expr(target, into_closures, f);
            visit_expr(value, into_closures, f);
        }
        StmtKind::Expr(e) => visit_expr(e, into_closures, f),
        StmtKind::While { cond, body, .. } => {
            match cond {
                IfCond::Expr(c) => visit_expr(c, into_closures, f),
                IfCond::Let { pattern, value } => {
                    visit_pattern(pattern, f);
                    visit_expr(value, into_closures, f);
                }
            }
            visit_block(body, into_closures, f);
        }
        StmtKind::Loop { body, .. } => visit_block(body, into_closures, f),
        StmtKind::For { pattern, iter, body, .. } => {
            visit_pattern(pattern, f);
            visit_expr(iter, into_closures, f);
            visit_block(body, into_closures, f);
        }
        StmtKind::Return(v) => {
            if let Some(v) = v {
                visit_expr(v, into_closures, f);
            }
        }
        StmtKind::Break(_) | StmtKind::Continue(_) => {}
    }
}

fn visit_pattern<'a>(p: &'a Pattern, f: &mut dyn FnMut(Visit<'a>)) {
    f(Visit::Pattern(p));
    match &p.kind {
        PatternKind::Tuple(ps) | PatternKind::Or(ps) => ps.iter().for_each(|p| visit_pattern(p, f)),
        PatternKind::Variant { args: Some(ps), .. } => ps.iter().for_each(|p| visit_pattern(p, f)),
        PatternKind::Struct { fields, .. } => fields.iter().for_each(|fp| visit_pattern(&fp.pattern, f)),
        _ => {}
    }
}

pub(crate) fn visit_expr<'a>(e: &'a Expr, into_closures: bool, f: &mut dyn FnMut(Visit<'a>)) {
    crate::with_stack(|| visit_expr_inner(e, into_closures, f))
}

fn visit_expr_inner<'a>(e: &'a Expr, into_closures: bool, f: &mut dyn FnMut(Visit<'a>)) {
    f(Visit::Expr(e));
    let mut go = |x: &'a Expr| visit_expr(x, into_closures, f);
    match &e.kind {
        crate::ast::leaf_expr_kind!() => {}
        ExprKind::Str(parts) => {
            for p in parts {
                if let StrPart::Interp { expr, spec_args, .. } = p {
                    go(expr);
                    for (_, a) in spec_args {
                        go(a);
                    }
                }
            }
        }
        ExprKind::Field { base, .. } | ExprKind::TupleIndex { base, .. } => go(base),
        ExprKind::Call { callee, args } => {
            go(callee);
            for a in args {
                go(&a.expr);
            }
        }
        ExprKind::Index { base, index } => {
            go(base);
            go(index);
        }
        ExprKind::Slice { base, start, end, .. } => {
            go(base);
            if let Some(s) = start {
                go(s);
            }
            if let Some(x) = end {
                go(x);
            }
        }
        ExprKind::Unary { expr, .. } | ExprKind::Try(expr) => go(expr),
        ExprKind::Binary { lhs, rhs, .. } => {
            go(lhs);
            go(rhs);
        }
        ExprKind::Range { start, end, .. } => {
            go(start);
            go(end);
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(go),
        ExprKind::Map(pairs) => {
            for (k, v) in pairs {
                go(k);
                go(v);
            }
        }
        ExprKind::StructLit { fields, .. } => fields.iter().for_each(|fi| go(&fi.value)),
        ExprKind::If { cond, then, else_ } => {
            match cond {
                IfCond::Expr(c) => visit_expr(c, into_closures, f),
                IfCond::Let { pattern, value } => {
                    visit_pattern(pattern, f);
                    visit_expr(value, into_closures, f);
                }
            }
            visit_block(then, into_closures, f);
            if let Some(x) = else_ {
                visit_expr(x, into_closures, f);
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            visit_expr(scrutinee, into_closures, f);
            for arm in arms {
                visit_pattern(&arm.pattern, f);
                if let Some(g) = &arm.guard {
                    visit_expr(g, into_closures, f);
                }
                visit_expr(&arm.body, into_closures, f);
            }
        }
        ExprKind::Closure { body, .. } => {
            if into_closures {
                visit_expr(body, into_closures, f);
            }
        }
        ExprKind::Block(b) => visit_block(b, into_closures, f),
    }
}

/// Whether code directly (not counting callees) needs `ctx`, and the user
/// functions it calls.
/// The body of a closure literal passed to `map`, `filter` or `sort_by`
/// that is generated inline, as a plain Rust closure borrowing its
/// surroundings, instead of as a function value: when it does not mention
/// the list it works on.
pub(crate) fn inline_closure<'a>(tables: &ModuleTables, callee: &'a Expr, args: &'a [Arg]) -> Option<&'a Expr> {
    let Some(Res::BuiltinMethod("list.map" | "list.filter" | "list.sort_by")) = tables.resolutions.get(&callee.id)
    else {
        return None;
    };
    let ExprKind::Field { base, .. } = &callee.kind else { return None };
    let [arg] = args else { return None };
    let ExprKind::Closure { body, .. } = &arg.expr.kind else { return None };
    if let Some(root) = place_root(tables, base) {
        if expr_mentions_root(tables, body, root) {
            return None;
        }
    }
    Some(body)
}

/// Whether code directly (not counting callees) needs `ctx`, and the user
/// functions it calls. Inline closure bodies count as part of the code.
fn direct_needs<'a>(ck: &CheckResult, tables: &ModuleTables, roots: Vec<Visit<'a>>) -> (bool, Vec<FnId>) {
    let (state, passes, calls) = ctx_uses(ck, tables, roots);
    (state || passes, calls)
}

/// What code does with `ctx` directly: whether it touches state, whether
/// it passes `ctx` on (calls a function value, or `map`/`filter`/`sort_by`
/// with one), and the user functions it calls (which may pass it on too).
fn ctx_uses<'a>(ck: &CheckResult, tables: &ModuleTables, roots: Vec<Visit<'a>>) -> (bool, bool, Vec<FnId>) {
    let mut state = false;
    let mut needs = false;
    let mut calls = Vec::new();
    let mut work = roots;
    while let Some(root) = work.pop() {
        let mut inline: Vec<&'a Expr> = Vec::new();
        let mut f = |v: Visit<'a>| {
            let Visit::Expr(e) = v else { return };
            match tables.resolutions.get(&e.id) {
                Some(Res::Global(g)) if ck.globals.get(g.0 as usize).is_some_and(|g| g.is_state) => state = true,
                Some(Res::Fn(f) | Res::Method(f)) => calls.push(*f),
                _ => {}
            }
            if let ExprKind::Call { callee, args } = &e.kind {
                let res = tables.resolutions.get(&callee.id);
                if matches!(res, Some(Res::BuiltinMethod(m)) if CALLS_FN.contains(m)) {
                    match inline_closure(tables, callee, args) {
                        Some(body) => inline.push(body),
                        None => needs = true,
                    }
                }
                let direct = matches!(
                    res,
                    Some(
                        Res::Fn(_)
                            | Res::Method(_)
                            | Res::Builtin(_)
                            | Res::BuiltinMethod(_)
                            | Res::Math(_)
                            | Res::Variant(..)
                    )
                );
                if !direct {
                    needs = true;
                }
            }
            // Field defaults are generated as functions of the defining module.
            if fills_field_default(ck, tables, e) {
                if let Some(Res::Type(tid)) = tables.resolutions.get(&e.id) {
                    calls.push(FnId(u32::MAX - tid.0));
                }
            }
        };
        match root {
            Visit::Expr(e) => visit_expr(e, false, &mut f),
            Visit::Stmt(s) => visit_stmt(s, false, &mut f),
            Visit::Pattern(_) => {}
        }
        work.extend(inline.into_iter().map(Visit::Expr));
    }
    (state, needs, calls)
}

/// Whether a block passes `ctx` to something (a call needing it), as
/// opposed to only reading and writing state fields.
pub(crate) fn block_passes_ctx(ck: &CheckResult, tables: &ModuleTables, needs: &CtxNeeds, b: &Block) -> bool {
    let (_, passes, calls) = ctx_uses(ck, tables, b.stmts.iter().map(Visit::Stmt).collect());
    passes
        || calls.iter().any(|f| {
            if (f.0 as usize) < needs.fns.len() {
                needs.fn_needs(*f)
            } else {
                needs.defaults.get((u32::MAX - f.0) as usize).copied().unwrap_or(false)
            }
        })
}

/// Which user functions take `ctx: &mut Ctx`: those that read or write
/// state, call a function value, or call one that does (a fixpoint over the
/// call graph). Field defaults count as pseudo-functions (see
/// [`CtxNeeds::default_needs`]).
#[derive(Debug, Default)]
pub(crate) struct CtxNeeds {
    pub fns: Vec<bool>,
    /// Per type: whether its field defaults need `ctx`.
    pub defaults: Vec<bool>,
}

impl CtxNeeds {
    pub fn compute(program: &Program, ck: &CheckResult) -> CtxNeeds {
        let nf = ck.fns.len();
        let nt = ck.types.defs.len();
        // Node ids: fns first, then one per type (its defaults).
        let mut direct = vec![false; nf + nt];
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); nf + nt];
        let node_of = |f: FnId| -> Option<usize> {
            if (f.0 as usize) < nf {
                Some(f.0 as usize)
            } else {
                let t = (u32::MAX - f.0) as usize;
                (t < nt).then_some(nf + t)
            }
        };
        for (i, info) in ck.fns.iter().enumerate() {
            // An `extern fn` lends the state to the host while it runs, so
            // the host may call back into Aether (see `codegen::library`).
            if info.host.is_some() {
                direct[i] = true;
                continue;
            }
            let module = program.module(info.module);
            let Some(tables) = ck.module(info.module) else {
                continue;
            };
            let Some(ItemKind::Fn(decl)) = module.ast.items.get(info.item).map(|it| &it.kind) else {
                continue;
            };
            let (needs, calls) = direct_needs(ck, tables, decl.body.stmts.iter().map(Visit::Stmt).collect());
            direct[i] = needs;
            edges[i] = calls.into_iter().filter_map(node_of).collect();
        }
        for (t, def) in ck.types.defs.iter().enumerate() {
            if def.module == crate::ty::BUILTIN_MODULE {
                continue; // no declared defaults
            }
            let module = program.module(def.module);
            let Some(tables) = ck.module(def.module) else {
                continue;
            };
            for item in &module.ast.items {
                let ItemKind::Struct(s) = &item.kind else {
                    continue;
                };
                if s.name.name != def.name {
                    continue;
                }
                for fd in &s.fields {
                    if let Some(d) = &fd.default {
                        let (needs, calls) = direct_needs(ck, tables, vec![Visit::Expr(d)]);
                        direct[nf + t] |= needs;
                        edges[nf + t].extend(calls.into_iter().filter_map(node_of));
                    }
                }
            }
        }
        let mut needs = direct;
        loop {
            let mut changed = false;
            for i in 0..needs.len() {
                if !needs[i] && edges[i].iter().any(|&j| needs[j]) {
                    needs[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let defaults = needs.split_off(nf);
        CtxNeeds { fns: needs, defaults }
    }

    pub fn fn_needs(&self, f: FnId) -> bool {
        self.fns.get(f.0 as usize).copied().unwrap_or(false)
    }
}

/// The locals a closure body uses that are declared outside it, in first-use
/// order, and whether it uses `self`.
pub(crate) fn captures(tables: &ModuleTables, params: &[LocalId], body: &Expr) -> (Vec<LocalId>, bool) {
    let mut declared: HashSet<LocalId> = params.iter().copied().collect();
    let mut used = Vec::new();
    let mut uses_self = false;
    visit_expr(body, true, &mut |v| match v {
        Visit::Pattern(p) => {
            if let Some(PatRes::Binding(id) | PatRes::Unwrap(id)) = tables.patterns.get(&p.id) {
                declared.insert(*id);
            }
        }
        Visit::Expr(e) => match tables.resolutions.get(&e.id) {
            Some(Res::Local(id)) if !used.contains(id) => used.push(*id),
            Some(Res::SelfValue) => uses_self = true,
            _ => {}
        },
        Visit::Stmt(_) => {}
    });
    // Nested closure parameters are declared inside too.
    visit_expr(body, true, &mut |v| {
        if let Visit::Expr(Expr { kind: ExprKind::Closure { params, .. }, .. }) = v {
            for p in params {
                if let Some(id) = local_at(tables, p.name.span) {
                    declared.insert(id);
                }
            }
        }
    });
    (used.into_iter().filter(|id| !declared.contains(id)).collect(), uses_self)
}

/// The local declared at `span` (closure parameters are found this way).
pub(crate) fn local_at(tables: &ModuleTables, span: crate::source::Span) -> Option<LocalId> {
    tables.locals.iter().position(|l| l.span == span).map(|i| LocalId(i as u32))
}

/// What a place expression is rooted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Root {
    Local(LocalId),
    Global(u32),
    SelfValue,
}

pub(crate) fn place_root(tables: &ModuleTables, e: &Expr) -> Option<Root> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Field { .. } => match tables.resolutions.get(&e.id) {
            Some(Res::Local(id)) => Some(Root::Local(*id)),
            Some(Res::Global(g)) => Some(Root::Global(g.0)),
            Some(Res::Field(..)) => match &e.kind {
                ExprKind::Field { base, .. } => place_root(tables, base),
                _ => None,
            },
            _ => None,
        },
        ExprKind::SelfValue => Some(Root::SelfValue),
        ExprKind::TupleIndex { base, .. } | ExprKind::Index { base, .. } => place_root(tables, base),
        _ => None,
    }
}

/// The roots of every place a block (including nested closures' reads, not
/// writes) assigns, passes as `mut` or calls a mutating method on.
pub(crate) fn mutated_roots(ck: &CheckResult, tables: &ModuleTables, b: &Block) -> HashSet<Root> {
    mutated_roots_in(ck, tables, b.stmts.iter().map(Visit::Stmt))
}

/// [`mutated_roots`] of any statements and expressions (the arms of a
/// `match`, with their guards).
pub(crate) fn mutated_roots_in<'a>(
    ck: &CheckResult,
    tables: &ModuleTables,
    roots: impl Iterator<Item = Visit<'a>>,
) -> HashSet<Root> {
    let mut out = HashSet::new();
    let mut f = |v: Visit<'_>| match v {
        Visit::Stmt(s) => match &s.kind {
            StmtKind::Assign { target, .. } => out.extend(place_root(tables, target)),
            StmtKind::For { mutable: true, iter, .. } => out.extend(place_root(tables, iter)),
            _ => {}
        },
        Visit::Expr(e) => {
            if let ExprKind::Call { callee, args } = &e.kind {
                for a in args.iter().filter(|a| a.mutable) {
                    out.extend(place_root(tables, &a.expr));
                }
                if let ExprKind::Field { base, .. } = &callee.kind {
                    let mutating = match tables.resolutions.get(&callee.id) {
                        Some(Res::BuiltinMethod(m)) => MUTATING.contains(m),
                        Some(Res::Method(f)) => ck.fns.get(f.0 as usize).is_some_and(|i| i.self_param == Some(true)),
                        _ => false,
                    };
                    if mutating {
                        out.extend(place_root(tables, base));
                    }
                }
            }
        }
        Visit::Pattern(_) => {}
    };
    for root in roots {
        match root {
            Visit::Expr(e) => visit_expr(e, false, &mut f),
            Visit::Stmt(s) => visit_stmt(s, false, &mut f),
            Visit::Pattern(_) => {}
        }
    }
    out
}

/// The locals a `let`/`for` pattern binds.
pub(crate) fn pattern_locals(tables: &ModuleTables, p: &Pattern, out: &mut Vec<LocalId>) {
    visit_pattern(p, &mut |v| {
        if let Visit::Pattern(q) = v {
            if let Some(PatRes::Binding(id)) = tables.patterns.get(&q.id) {
                out.push(*id);
            }
        }
    });
}

/// Whether a statement mentions a local (closures included).
pub(crate) fn stmt_mentions(tables: &ModuleTables, s: &Stmt, id: LocalId) -> bool {
    let mut found = false;
    visit_stmt(s, true, &mut |v| {
        if let Visit::Expr(e) = v {
            if tables.resolutions.get(&e.id) == Some(&Res::Local(id)) {
                found = true;
            }
        }
    });
    found
}

/// Whether a statement uses a local exactly once, and not inside a loop, a
/// closure or a match guard (where one use in the text is many at run time:
/// Rust runs a guard once per alternative of an or-pattern, so it may never
/// move).
pub(crate) fn single_plain_use(tables: &ModuleTables, s: &Stmt, id: LocalId) -> bool {
    let mut total = 0;
    let mut repeated = 0;
    let is_use = |e: &Expr| tables.resolutions.get(&e.id) == Some(&Res::Local(id));
    visit_stmt(s, true, &mut |v| match v {
        Visit::Expr(e) => {
            if is_use(e) {
                total += 1;
            }
            let mut repeats = |body: &Expr| {
                visit_expr(body, true, &mut |w| {
                    if matches!(w, Visit::Expr(x) if is_use(x)) {
                        repeated += 1;
                    }
                })
            };
            match &e.kind {
                ExprKind::Closure { body, .. } => repeats(body),
                ExprKind::Match { arms, .. } => arms.iter().filter_map(|a| a.guard.as_ref()).for_each(repeats),
                _ => {}
            }
        }
        Visit::Stmt(st) => {
            let body = match &st.kind {
                StmtKind::While { cond, body, .. } => {
                    let cond = match cond {
                        IfCond::Expr(c) => &**c,
                        IfCond::Let { value, .. } => &**value,
                    };
                    visit_expr(cond, true, &mut |w| {
                        if matches!(w, Visit::Expr(x) if is_use(x)) {
                            repeated += 1;
                        }
                    });
                    Some(body)
                }
                StmtKind::Loop { body, .. } | StmtKind::For { body, .. } => Some(body),
                _ => None,
            };
            if let Some(b) = body {
                visit_block(b, true, &mut |w| {
                    if matches!(w, Visit::Expr(x) if is_use(x)) {
                        repeated += 1;
                    }
                });
            }
        }
        Visit::Pattern(_) => {}
    });
    total == 1 && repeated == 0
}

/// Whether an expression mentions a root at all (reads included).
pub(crate) fn expr_mentions_root(tables: &ModuleTables, e: &Expr, root: Root) -> bool {
    let mut found = false;
    visit_expr(e, true, &mut |v| found |= is_root(tables, v, root));
    found
}

/// Whether a visited node is an expression naming `root`.
fn is_root(tables: &ModuleTables, v: Visit<'_>, root: Root) -> bool {
    matches!(v, Visit::Expr(x) if root_of(tables, x) == Some(root))
}

fn root_of(tables: &ModuleTables, e: &Expr) -> Option<Root> {
    match (&e.kind, tables.resolutions.get(&e.id)) {
        (_, Some(Res::Local(id))) => Some(Root::Local(*id)),
        (_, Some(Res::Global(g))) => Some(Root::Global(g.0)),
        (ExprKind::SelfValue, _) => Some(Root::SelfValue),
        _ => None,
    }
}

/// Whether a block mentions a root at all (reads included).
pub(crate) fn mentions_root(tables: &ModuleTables, b: &Block, root: Root) -> bool {
    let mut found = false;
    visit_block(b, true, &mut |v| found |= is_root(tables, v, root));
    found
}

//! A loop iteration's `state` through `&mut` parameters under `--hmr`
//! (issue #14).
//!
//! Under `--hmr` a `state` value lives in runtime memory, reached through
//! the address its `StateRef` keeps in `ctx` (`(*ctx.m.x.ptr())`). LLVM
//! cannot tell that a store into an element of a `state` list does not
//! change the list's own pointer and length, which live in that memory too,
//! so it reloads them and checks the bounds again at every access: a loop
//! updating a `state` list of structs ran about 4x slower than the static
//! build, where the list is a field of the `&mut Ctx` argument and LLVM
//! knows nothing else writes it.
//!
//! So the body of a loop iteration that cannot reach a safe point (no call
//! of Aether code, no blocking builtin, no nested safe point) and does not
//! leave the iteration early becomes a closure called at once with one
//! `&mut` per `state` it touches: a closure's `&mut` parameters are
//! `noalias`, which LLVM keeps as scoped alias facts when it inlines the
//! closure. Nothing can swap the state between the iteration's back-edge
//! (where the addresses were checked) and its end, so the references stay
//! valid for exactly the closure's call, as at any other access.

use crate::ast::{Block, Expr, ExprKind, StmtKind};
use crate::check::{CheckResult, ModuleTables};
use crate::codegen::analysis::{call_reaches_safe_point, fills_field_default, visit_block, visit_expr, Visit};
use crate::codegen::{names, types::TypeNames, Shared};
use crate::ty::ModuleId;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{format_ident, quote};

/// Whether the Aether code of a loop's iteration (its body and, for a
/// `while` or `while let`, its condition) reaches no safe point and may run
/// as a closure (`Gen::leaf_loop`, [`scoped`]): no closure (which could keep
/// a reference beyond the call), no `?`, `return`, `break` or `continue`
/// (which a closure would change the meaning of), no call that may reach a
/// safe point (`analysis::call_reaches_safe_point`: a user function or
/// method, a function value, a blocking builtin such as `sleep_ms`) and no
/// struct literal that fills a field default (code of the struct's module).
/// The generated code is checked again on its tokens ([`Leaf::of`]); this
/// check sees what the tokens do not show, such as a method call or a
/// blocking builtin in a function without `ctx`.
pub(crate) fn leaf_iteration(ck: &CheckResult, tables: &ModuleTables, body: &Block, cond: Option<&Expr>) -> bool {
    let mut leaf = true;
    let mut check = |v: Visit<'_>| {
        let reaches = match v {
            Visit::Stmt(s) => matches!(s.kind, StmtKind::Return(_) | StmtKind::Break(_) | StmtKind::Continue(_)),
            Visit::Expr(e) => match &e.kind {
                ExprKind::Closure { .. } | ExprKind::Try(_) => true,
                ExprKind::Call { callee, args } => call_reaches_safe_point(tables, callee, args),
                ExprKind::StructLit { .. } => fills_field_default(ck, tables, e),
                _ => false,
            },
            Visit::Pattern(_) => false,
        };
        if reaches {
            leaf = false;
        }
    };
    visit_block(body, false, &mut check);
    if let Some(c) = cond {
        visit_expr(c, false, &mut check);
    }
    leaf
}

/// Whether a loop whose iteration is leaf code but for its own loops (see
/// [`leaf_iteration`], which looks into them) may run as a *nest*: in
/// chunks of `abi::LEAF_CHUNK` iterations, as a leaf loop does, its inner
/// loops checking after their own full chunks (issue #14: the check in
/// every iteration of an outer loop was a fifth of a 4x4 matrix product).
/// Its inner loops must not have loops of their own, so that a nest waits
/// at most `LEAF_CHUNK`² iterations of straight-line code between checks.
pub(crate) fn nest_iteration(body: &Block) -> bool {
    let mut flat = true;
    visit_block(body, false, &mut |v| {
        if let Visit::Stmt(s) = v {
            let inner = match &s.kind {
                StmtKind::While { body, .. } | StmtKind::Loop { body, .. } | StmtKind::For { body, .. } => body,
                _ => return,
            };
            visit_block(inner, false, &mut |w| {
                if let Visit::Stmt(t) = w {
                    if matches!(t.kind, StmtKind::While { .. } | StmtKind::Loop { .. } | StmtKind::For { .. }) {
                        flat = false;
                    }
                }
            });
        }
    });
    flat
}

/// The label of a chunked leaf loop (`Gen::leaf_loop`): what a nest's
/// token check ([`nest_tokens`]) passes over, the inner loop's own checks
/// included.
pub(crate) const LEAF_LABEL: &str = "__leaf";

/// Whether the generated parts of a nest's iteration can reach a safe point
/// only in its inner leaf loops (`'__leaf: loop { .. }`, passed over): no
/// [`UNSCOPED`] ident elsewhere, but for `ctx` in a `state` place, which a
/// nest reads through `ctx` (its inner loops' checks may move the state,
/// and read the addresses again when they do).
pub(crate) fn nest_tokens(ck: &CheckResult, shared: &Shared, parts: &[&TokenStream]) -> bool {
    let states = state_names(ck, shared);
    parts.iter().all(|p| outside_leaf_loops_unscoped_free(p, &states))
}

/// Every `state` of the program: its module's and its own Rust name, and
/// its index into `ck.globals` (how [`state_place`] recognizes a place).
fn state_names(ck: &CheckResult, shared: &Shared) -> Vec<(String, String, usize)> {
    ck.globals
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_state)
        .map(|(i, g)| {
            let m = names::plain(&shared.module_names[g.module.0 as usize]).to_string();
            (m, names::item(&g.name).to_string(), i)
        })
        .collect()
}

fn outside_leaf_loops_unscoped_free(ts: &TokenStream, states: &[(String, String, usize)]) -> bool {
    crate::with_stack(|| {
        let tokens: Vec<TokenTree> = ts.clone().into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            // `'__leaf : loop { .. }`: five tokens, passed over.
            if let [TokenTree::Punct(q), TokenTree::Ident(label), TokenTree::Punct(colon), TokenTree::Ident(kw), TokenTree::Group(_), ..] =
                &tokens[i..]
            {
                if q.as_char() == '\'' && label == LEAF_LABEL && colon.as_char() == ':' && kw == "loop" {
                    i += 5;
                    continue;
                }
            }
            match &tokens[i] {
                TokenTree::Group(g) => {
                    let place = g.delimiter() == Delimiter::Parenthesis && state_place(&g.stream(), states).is_some();
                    if !place && !outside_leaf_loops_unscoped_free(&g.stream(), states) {
                        return false;
                    }
                }
                TokenTree::Ident(id) if UNSCOPED.iter().any(|u| id == u) => return false,
                _ => {}
            }
            i += 1;
        }
        true
    })
}

/// The generated iteration `b` (a block) of a loop in module `here`, with
/// its `state` places read through `&mut` closure parameters; `b` itself
/// when it touches no `state`, or when its generated code could reach a
/// safe point or uses `ctx` otherwise (checked on the tokens, so nothing the
/// generator emits can slip through).
pub(crate) fn scoped(ck: &CheckResult, shared: &Shared, here: ModuleId, b: TokenStream) -> TokenStream {
    match Leaf::of(ck, shared, here, &[&b]) {
        Some(leaf) if !leaf.params.is_empty() => {
            let body = &leaf.parts[0];
            let call = leaf.scope(body.clone());
            quote!({ #call; })
        }
        _ => b,
    }
}

/// Generated code that cannot reach a safe point or leave the code around
/// it (no [`UNSCOPED`] ident outside a `state` place): its `parts` with
/// each `state` place read through the `&mut` parameter of the closure
/// [`Leaf::scope`] makes. Nothing can swap the state while such code runs,
/// so the references stay valid for the closure's call.
pub(crate) struct Leaf {
    /// The code given, in its order, with `(*ctx.m.x.ptr())` → `(*__state_k)`.
    pub parts: Vec<TokenStream>,
    params: Vec<TokenStream>,
    args: Vec<TokenStream>,
}

impl Leaf {
    /// `parts` as leaf code, or `None` when one of them could reach a safe
    /// point, leave, or use `ctx` otherwise.
    pub(crate) fn of(ck: &CheckResult, shared: &Shared, here: ModuleId, parts: &[&TokenStream]) -> Option<Leaf> {
        let states = state_names(ck, shared);
        let mut used: Vec<usize> = Vec::new();
        let parts = parts.iter().map(|p| substitute(p, &states, &mut used)).collect::<Option<Vec<_>>>()?;
        let tn = TypeNames { ck, module_names: &shared.module_names, here };
        let mut params = Vec::new();
        let mut args = Vec::new();
        for (k, g) in used.iter().enumerate() {
            let info = ck.globals.get(*g)?;
            let p = format_ident!("__state_{}", k);
            let t = tn.rust_ty(&info.ty);
            let m = names::plain(&shared.module_names[info.module.0 as usize]);
            let name = names::item(&info.name);
            params.push(quote!(#p: &mut #t));
            args.push(quote!(&mut *ctx.#m.#name.ptr()));
        }
        Some(Leaf { parts, params, args })
    }

    /// `code` (built from [`Leaf::parts`]) given the `state` it reads: a
    /// closure called at once with one `&mut` per `state`, or `code` as a
    /// block when it touches none.
    pub(crate) fn scope(&self, code: TokenStream) -> TokenStream {
        let (params, args) = (&self.params, &self.args);
        if params.is_empty() {
            quote!({ #code })
        } else {
            quote!((|#(#params),*| { #code })(#(#args),*))
        }
    }
}

/// Idents whose presence means the code may reach a safe point or leave
/// the iteration: then it stays as it is.
const UNSCOPED: &[&str] = &[
    "ctx",
    "__sync",
    "__hmr_calls",
    "back_edge",
    "safe_point",
    "blocking",
    "call_restartable",
    "call_restartable_cold",
    "call_shim",
    "call_shim_cold",
    "return",
    "break",
    "continue",
];

/// `ts` with every `(*ctx.m.x.ptr())` replaced by `(*__state_k)` (`k` the
/// place of `x` in `used`, added on first sight), or `None` when `ts` holds
/// one of the [`UNSCOPED`] idents outside such a place.
fn substitute(ts: &TokenStream, states: &[(String, String, usize)], used: &mut Vec<usize>) -> Option<TokenStream> {
    crate::with_stack(|| {
        let mut out = Vec::new();
        for t in ts.clone() {
            match t {
                TokenTree::Group(g) => {
                    if g.delimiter() == Delimiter::Parenthesis {
                        if let Some(i) = state_place(&g.stream(), states) {
                            let k = used.iter().position(|u| *u == i).unwrap_or_else(|| {
                                used.push(i);
                                used.len() - 1
                            });
                            let p = format_ident!("__state_{}", k);
                            let mut place = Group::new(Delimiter::Parenthesis, quote!(*#p));
                            place.set_span(g.span());
                            out.push(TokenTree::Group(place));
                            continue;
                        }
                    }
                    let inner = substitute(&g.stream(), states, used)?;
                    let mut group = Group::new(g.delimiter(), inner);
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Ident(ref id) if UNSCOPED.iter().any(|u| id == u) => return None,
                t => out.push(t),
            }
        }
        Some(out.into_iter().collect())
    })
}

/// The state (index into `ck.globals`) of `*ctx.m.x.ptr()`, what
/// `codegen::expr` generates for a `state` place under `--hmr`.
fn state_place(ts: &TokenStream, states: &[(String, String, usize)]) -> Option<usize> {
    let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
    let [TokenTree::Punct(star), TokenTree::Ident(ctx), TokenTree::Punct(d1), TokenTree::Ident(m), TokenTree::Punct(d2), TokenTree::Ident(x), TokenTree::Punct(d3), TokenTree::Ident(ptr), TokenTree::Group(call)] =
        toks.as_slice()
    else {
        return None;
    };
    let dots = [d1, d2, d3].iter().all(|d| d.as_char() == '.');
    if star.as_char() != '*'
        || ctx != "ctx"
        || !dots
        || ptr != "ptr"
        || call.delimiter() != Delimiter::Parenthesis
        || !call.stream().is_empty()
    {
        return None;
    }
    let (m, x) = (m.to_string(), x.to_string());
    states.iter().find(|(sm, sx, _)| *sm == m && *sx == x).map(|(_, _, i)| *i)
}

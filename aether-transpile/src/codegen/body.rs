//! The per-body generator state, generated code fragments ([`Code`]) and
//! the conversions between value, place and reference forms.

use super::analysis::CtxNeeds;
use super::types::{TypeFacts, TypeNames};
use super::Shared;
use crate::check::{CheckResult, LocalId, ModuleTables};
use crate::diagnostic::Diagnostic;
use crate::project::Program;
use crate::source::Span;
use crate::ty::{ModuleId, Ty};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{format_ident, quote};
use std::collections::HashMap;

/// How a generated expression denotes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A fresh value (a temporary) of the Rust type.
    Owned,
    /// A place of the Rust type: a local, a field, `ctx.m.s`.
    Place,
    /// An expression of type `&T`.
    Ref,
    /// An expression of type `&mut T` (a `mut` parameter, `mut self`).
    MutRef,
}

/// The loops [`Gen::leaf_loop`] can run in chunks.
pub(crate) enum LeafShape<'t> {
    /// `while cond body`: `cond` generated (as a loop head), and its
    /// Aether expression.
    While(&'t TokenStream, &'t crate::ast::Expr),
    /// `loop body`, which never ends by itself.
    Loop,
    /// `for pat in start..end body` over an `int` range.
    Range { pat: &'t TokenStream, start: &'t TokenStream, end: &'t TokenStream },
}

/// Which loop [`Gen::chunked`] makes: a leaf loop, or a nest of them.
#[derive(Clone, Copy)]
enum Chunks {
    Leaf,
    Nest,
}

#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub ts: TokenStream,
    pub kind: Kind,
    /// A string literal: usable as `&str` without allocating.
    pub lit: Option<String>,
    /// A `T?` field stored as `Option<Box<T>>`: the raw field place.
    pub boxopt: Option<TokenStream>,
}

impl Code {
    pub fn new(ts: TokenStream, kind: Kind) -> Code {
        Code { ts, kind, lit: None, boxopt: None }
    }
    pub fn owned(ts: TokenStream) -> Code {
        Code::new(ts, Kind::Owned)
    }
}

/// How a local variable is bound in the generated Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalKind {
    Owned,
    Ref,
    MutRef,
}

/// Generates the body of one function, method, test, initializer or
/// closure tree.
pub(crate) struct Gen<'a> {
    pub program: &'a Program,
    pub ck: &'a CheckResult,
    pub shared: &'a Shared,
    pub module: ModuleId,
    pub tables: &'a ModuleTables,
    pub locals: HashMap<LocalId, LocalKind>,
    /// How `self` is bound: `None` outside methods.
    pub self_kind: Option<(LocalKind, proc_macro2::Ident)>,
    /// Whether `ctx` is in scope.
    pub has_ctx: bool,
    /// The return type of the innermost function or closure.
    pub ret: Vec<Ty>,
    /// The receiver type of the method being generated.
    pub current_self: Option<Ty>,
    /// The type arguments of the receiver's type, for an instance of a
    /// generic type's method (empty otherwise).
    pub self_args: Vec<Ty>,
    /// The next built-in method call is a statement: its result is dropped.
    pub discarding: bool,
    /// Generating a `const` initializer: plain operators only.
    pub in_const: bool,
    /// Statements a pattern adds at the start of its arm (unboxing).
    pub fixups: Vec<TokenStream>,
    /// While a `let` pattern is generated: the `let`s that unbox the
    /// recursive fields it binds (`let next = next.map(|b| *b);`), to follow it.
    pub let_unbox: Option<Vec<TokenStream>>,
    /// Conditions a `match` arm's pattern adds to its guard (string
    /// literals inside tuples and variants); `None` outside match arms.
    pub pat_guards: Option<Vec<TokenStream>>,
    /// Fixups that move out of a binding (`let x = *x;`), by their text,
    /// with what a match guard runs instead: a guard may not move out of
    /// the bindings the arm uses after it.
    pub guard_fixups: HashMap<String, TokenStream>,
    /// Depth of or-patterns being generated.
    pub in_or: u32,
    /// Locals whose next use is their last: moved instead of cloned.
    pub movable: Vec<LocalId>,
    /// The loop variables of the `for` whose body is generated next.
    pub loop_locals: Vec<LocalId>,
    /// The next block is a function body: its tail may move a local.
    pub move_tail: bool,
    pub tmp: u32,
    /// Under `--hmr`, the function whose body this is (its loops check on
    /// each iteration whether a reload replaced it).
    pub hmr_fn: Option<crate::check::FnId>,
    /// Under `--hmr`, in a body of the module's own file: its item's index
    /// and first line. Locations are then that item's line (read from the
    /// module's `__positions::__LINES` at run time) plus a line within the body,
    /// so a body's code does not change when lines above it come or go
    /// (see [`Gen::loc`]).
    pub line_base: Option<(usize, usize)>,
    /// What this body could not be generated as ([`super::refusal`]s).
    pub errors: Vec<Diagnostic>,
}

impl<'a> Gen<'a> {
    /// A loop's body `b` (a block) as generated: under `--hmr` it starts
    /// with a safe point (see `codegen::hmr::back_edge`), so a loop that
    /// makes no call still lets a reload in; unchanged in a static build.
    /// Only for loops that hold no borrow across iterations (`while`,
    /// `loop`, `for` over a range or an owned copy): a safe point may run
    /// hooks and initializers that change `state`. `body` and `cond` (a
    /// `while let`'s value, evaluated inside the iteration) are the Aether
    /// code of the iteration: when it cannot reach a safe point, its
    /// `state` is reached through `&mut` parameters
    /// (`codegen::hmr::loop_state`).
    pub fn loop_block(&self, b: TokenStream, body: &crate::ast::Block, cond: Option<&crate::ast::Expr>) -> TokenStream {
        if !self.shared.hmr {
            return b;
        }
        let edge = self.back_edge();
        let b = if self.has_ctx && super::hmr::loop_state::leaf_iteration(self.ck, self.tables, body, cond) {
            super::hmr::loop_state::scoped(self.ck, self.shared, self.module, b)
        } else {
            b
        };
        quote!({ #edge #b })
    }

    /// A loop's reload check in this body (`codegen::hmr::back_edge`).
    /// State addresses are kept in `ctx` between safe points (issue #14):
    /// read again after one in which a swap happened.
    fn back_edge(&self) -> TokenStream {
        let sync = if self.has_ctx { quote!(ctx.__sync();) } else { quote!() };
        super::hmr::back_edge(self.shared, self.ck, self.hmr_fn, sync)
    }

    /// Under `--hmr`, a loop whose iterations cannot reach a safe point and
    /// do not leave early (a *leaf* loop: no call of Aether code, no
    /// blocking builtin, no `break`, `continue`, `return` or `?`), as chunks
    /// of at most `abi::LEAF_CHUNK` iterations with the back-edge check
    /// between them rather than in every iteration (issue #14): a loop that
    /// ends within one chunk makes no check (the next call or loop of the
    /// code around it is a safe point), one that does not makes one every
    /// `LEAF_CHUNK` iterations of straight-line code. A chunk has
    /// no call in it, and its `state` is reached through `&mut` parameters
    /// (`codegen::hmr::loop_state::Leaf`) for the whole chunk, so LLVM
    /// optimizes it as it does the static build's loop. `b` is the
    /// generated body (a block). A *nest* (a loop whose iterations reach a
    /// safe point only in inner leaf loops that have no loop inside them)
    /// runs in chunks as well, without the `&mut` parameters: its inner
    /// loops' checks may move the `state`, so it goes through `ctx`, and a
    /// reload waits at most `LEAF_CHUNK`² iterations in it. `None` for any
    /// other loop, which [`Gen::loop_block`] checks on every iteration.
    pub fn leaf_loop(&self, shape: LeafShape<'_>, b: &TokenStream, body: &crate::ast::Block) -> Option<TokenStream> {
        let cond = match &shape {
            LeafShape::While(_, cond) => Some(*cond),
            LeafShape::Loop | LeafShape::Range { .. } => None,
        };
        if !self.shared.hmr || !super::hmr::loop_state::leaf_iteration(self.ck, self.tables, body, cond) {
            return None;
        }
        let mut parts = vec![b];
        if let LeafShape::While(c, _) = &shape {
            parts.push(c);
        }
        if let Some(leaf) = super::hmr::loop_state::Leaf::of(self.ck, self.shared, self.module, &parts) {
            return Some(self.chunked(shape, &leaf.parts, |code| leaf.scope(code), Chunks::Leaf));
        }
        // A nest: its iteration reaches a safe point only in inner leaf
        // loops (checked after their own full chunks), so it runs in chunks
        // too, reading its `state` through `ctx`. Unlabelled: a loop around
        // it checks in every iteration.
        let nest = super::hmr::loop_state::nest_iteration(body)
            && super::hmr::loop_state::nest_tokens(self.ck, self.shared, &parts);
        if !nest {
            return None;
        }
        let parts: Vec<TokenStream> = parts.into_iter().cloned().collect();
        Some(self.chunked(shape, &parts, |code| quote!({ #code }), Chunks::Nest))
    }

    /// A loop of `shape` as chunks of at most `abi::LEAF_CHUNK` iterations,
    /// the back-edge check after each full one; `parts` are the body and
    /// (for a `while`) the condition, `scope` makes a chunk's code.
    fn chunked(
        &self,
        shape: LeafShape<'_>,
        parts: &[TokenStream],
        scope: impl Fn(TokenStream) -> TokenStream,
        kind: Chunks,
    ) -> TokenStream {
        let span = proc_macro2::Span::call_site();
        let tick = proc_macro2::Punct::new('\'', proc_macro2::Spacing::Joint);
        // A leaf loop's outer loop is labelled (a nest's token check passes
        // over it); a chunk's block label differs between a nest and the
        // leaf loops in it, which Rust would otherwise warn shadow it.
        let (label, block) = match kind {
            Chunks::Leaf => {
                let leaf = proc_macro2::Ident::new(super::hmr::loop_state::LEAF_LABEL, span);
                (quote!(#tick #leaf:), proc_macro2::Ident::new("__chunk", span))
            }
            Chunks::Nest => (quote!(), proc_macro2::Ident::new("__nest_chunk", span)),
        };
        let edge = self.back_edge();
        let chunk = proc_macro2::Literal::u32_unsuffixed(aether_rt::abi::LEAF_CHUNK);
        let b = &parts[0];
        match shape {
            LeafShape::While(..) => {
                let c = &parts[1];
                let run = scope(quote! {
                    #tick #block: {
                        let mut __left: u32 = #chunk;
                        while #c {
                            #b
                            __left -= 1;
                            if __left == 0 {
                                break #tick #block true;
                            }
                        }
                        false
                    }
                });
                quote!(#label loop {
                    let __more: bool = #run;
                    if !__more {
                        break;
                    }
                    #edge
                })
            }
            // No `break` out of the outer loop: it is `!`, as the Aether
            // `loop` without a `break` is.
            LeafShape::Loop => {
                let run = scope(quote! {
                    let mut __left: u32 = #chunk;
                    loop {
                        #b
                        __left -= 1;
                        if __left == 0 {
                            break;
                        }
                    }
                });
                quote!(#label loop {
                    #run;
                    #edge
                })
            }
            // A chunk is a counted loop over part of the range (one exit,
            // which LLVM can vectorize or unroll); the range's ends are
            // evaluated once, first the start, as Rust's `for` does. An
            // empty range runs one empty chunk.
            LeafShape::Range { pat, start, end } => {
                let run = scope(quote!(for #pat in __lo..__end #b));
                quote!({
                    let (mut __lo, __hi): (i64, i64) = (#start, #end);
                    #label loop {
                        let __end: i64 = __lo.saturating_add(#chunk).min(__hi);
                        #run;
                        __lo = __end;
                        if __lo >= __hi {
                            break;
                        }
                        #edge
                    }
                })
            }
        }
    }

    /// Under `--hmr`, in code that has `ctx`: `c` (a call, which may be a
    /// safe point) followed by `ctx.__sync()`, which reads the state
    /// addresses `ctx` keeps again when a swap happened during the call.
    pub fn synced(&self, c: Code) -> Code {
        if !(self.shared.hmr && self.has_ctx) || c.kind != Kind::Owned {
            return c;
        }
        let ts = c.ts;
        Code::owned(quote!({ let __r = #ts; ctx.__sync(); __r }))
    }

    pub fn new(program: &'a Program, ck: &'a CheckResult, shared: &'a Shared, module: ModuleId) -> Gen<'a> {
        static EMPTY: std::sync::OnceLock<ModuleTables> = std::sync::OnceLock::new();
        let tables = ck.module(module).unwrap_or_else(|| EMPTY.get_or_init(ModuleTables::default));
        Gen {
            program,
            ck,
            shared,
            module,
            tables,
            locals: HashMap::new(),
            self_kind: None,
            has_ctx: false,
            ret: Vec::new(),
            current_self: None,
            self_args: Vec::new(),
            discarding: false,
            in_const: false,
            fixups: Vec::new(),
            let_unbox: None,
            move_tail: false,
            movable: Vec::new(),
            loop_locals: Vec::new(),
            pat_guards: None,
            guard_fixups: HashMap::new(),
            in_or: 0,
            tmp: 0,
            hmr_fn: None,
            line_base: None,
            errors: Vec::new(),
        }
    }

    pub fn facts(&self) -> &TypeFacts {
        &self.shared.facts
    }

    pub fn needs(&self) -> &CtxNeeds {
        &self.shared.needs
    }

    pub fn names(&self) -> TypeNames<'_> {
        TypeNames { ck: self.ck, module_names: &self.shared.module_names, here: self.module }
    }

    pub fn rust_ty(&self, t: &Ty) -> TokenStream {
        self.names().rust_ty(t)
    }

    pub fn is_copy(&self, t: &Ty) -> bool {
        self.shared.facts.is_copy(t)
    }

    pub fn unsupported(&mut self, span: Span, what: &str) -> TokenStream {
        self.errors.push(super::refusal(span, format!("unsupported in code generation: {what}")));
        quote!(unreachable!())
    }

    pub fn position(&self, span: Span) -> (String, usize, usize) {
        let file = self.program.sources.get(span.file);
        let (line, col) = file.line_col(span.start as usize);
        (file.name.clone(), line, col)
    }

    /// `__loc(line, col)`: the module's `aether_rt::Location` helper; in a
    /// body with a [`Gen::line_base`], `__at(item, line within it, col)`.
    ///
    /// Why relative: an edit that adds or removes a line would otherwise
    /// change the location constants of every function below it, and rustc
    /// would compile all of them again on a reload (the benchmark's module:
    /// 160–210 ms against 105–125 ms for an edit that moves no line).
    pub fn loc(&self, span: Span) -> TokenStream {
        let (_, line, col) = self.position(span);
        let col = proc_macro2::Literal::u32_unsuffixed(col as u32);
        match self.line_base {
            Some((item, first)) if line >= first => {
                let item = proc_macro2::Literal::usize_unsuffixed(item);
                let within = proc_macro2::Literal::u32_unsuffixed((line - first) as u32);
                quote!(__at(#item, #within, #col))
            }
            _ => {
                let line = proc_macro2::Literal::u32_unsuffixed(line as u32);
                quote!(__loc(#line, #col))
            }
        }
    }

    pub fn fresh(&mut self, base: &str) -> proc_macro2::Ident {
        self.tmp += 1;
        format_ident!("__{}{}", base, self.tmp)
    }

    /// The instance a use of generic function `f` at `node` names.
    pub fn instance_at(&self, node: crate::ast::NodeId, f: crate::check::FnId) -> Option<&'a crate::check::Instance> {
        let args = self.tables.instantiations.get(&node)?;
        self.ck.instance(f, args)
    }

    pub fn expr_ty(&self, id: crate::ast::NodeId) -> Ty {
        self.tables.expr_types.get(&id).cloned().unwrap_or(Ty::Error)
    }

    pub fn module_path(&self, m: ModuleId) -> TokenStream {
        let name = super::names::plain(&self.shared.module_names[m.0 as usize]);
        quote!(crate::#name)
    }

    /// The path to call the top-level function `name` of module `m`: the
    /// function itself, or under `--hmr` its call-table trampoline.
    pub fn fn_item_path(&self, m: ModuleId, name: proc_macro2::Ident) -> TokenStream {
        if self.shared.hmr {
            let module = super::names::plain(&self.shared.module_names[m.0 as usize]);
            quote!(crate::__hmr_calls::#module::#name)
        } else {
            self.item_path(m, name)
        }
    }

    /// The path of an item of module `m` as seen from here.
    pub fn item_path(&self, m: ModuleId, name: proc_macro2::Ident) -> TokenStream {
        if m == self.module {
            quote!(#name)
        } else {
            let mp = self.module_path(m);
            quote!(#mp::#name)
        }
    }

    // ---- conversions ----

    /// The value, cloned out of a place or reference unless it is `Copy`.
    pub fn to_owned(&self, c: Code, t: &Ty) -> TokenStream {
        let ts = c.ts;
        match c.kind {
            Kind::Owned => ts,
            Kind::Place if self.is_copy(t) => ts,
            Kind::Place => quote!(#ts.clone()),
            Kind::Ref | Kind::MutRef if self.is_copy(t) => quote!(*#ts),
            Kind::Ref | Kind::MutRef => quote!(#ts.clone()),
        }
    }

    /// An expression of type `&T`.
    pub fn to_ref(&self, c: Code) -> TokenStream {
        let ts = c.ts;
        match c.kind {
            Kind::Owned => {
                let ts = paren(ts);
                quote!(&#ts)
            }
            Kind::Place => quote!(&#ts),
            Kind::Ref => ts,
            Kind::MutRef => quote!(&*#ts),
        }
    }

    /// An argument for a `&str` parameter.
    /// (`.as_str()` rather than `&String`, so that an expected `&str`
    /// never drives the inference of a generic helper's element type.)
    pub fn to_str(&self, c: Code) -> TokenStream {
        match &c.lit {
            Some(s) => quote!(#s),
            None => {
                let r = self.to_recv(c);
                quote!(#r.as_str())
            }
        }
    }

    /// A method-call receiver or field base.
    pub fn to_recv(&self, c: Code) -> TokenStream {
        match c.kind {
            Kind::Owned => paren(c.ts),
            _ => c.ts,
        }
    }

    /// `&mut place`.
    pub fn to_mut_ref(&self, c: Code) -> TokenStream {
        let ts = c.ts;
        match c.kind {
            Kind::MutRef => quote!(&mut *#ts),
            _ => quote!(&mut #ts),
        }
    }

    /// A place that can be assigned as a whole.
    pub fn to_lvalue(&self, c: Code) -> TokenStream {
        let ts = c.ts;
        match c.kind {
            Kind::MutRef => quote!(*#ts),
            _ => ts,
        }
    }
}

/// An expression in the head of `if`, `while`, `for` or `match`, where
/// Rust would read `Name {` as the start of the body: parenthesized when a
/// struct literal appears at its top level (`if (P { x: 1 }) == p`).
pub(crate) fn head(ts: TokenStream) -> TokenStream {
    let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
    let struct_literal = toks.windows(2).any(
        |w| matches!((&w[0], &w[1]), (TokenTree::Ident(_), TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace),
    );
    if struct_literal {
        quote!((#ts))
    } else {
        ts
    }
}

/// Parenthesize unless the tokens are a single operand.
pub(crate) fn paren(ts: TokenStream) -> TokenStream {
    if atomic(&ts) {
        ts
    } else {
        quote!((#ts))
    }
}

/// A path, literal, call, method chain, macro call or group: safe as an
/// operand of a prefix or postfix operator.
pub(crate) fn atomic(ts: &TokenStream) -> bool {
    let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
    if toks.is_empty() {
        return false;
    }
    let mut prev_colon = false;
    for (i, t) in toks.iter().enumerate() {
        match t {
            TokenTree::Punct(p) => {
                let c = p.as_char();
                let ok = c == ':' || (c == '.' && i > 0) || (c == '!' && i > 0) || (c == '<' || c == '>') && prev_colon;
                if !ok {
                    return false;
                }
                prev_colon = c == ':';
            }
            TokenTree::Ident(id) if id == "as" => return false,
            // `if c { a } else { b }.f()` calls `f` on `b` alone.
            TokenTree::Ident(id)
                if i == 0 && ["if", "match", "loop", "while", "for", "unsafe", "move"].iter().any(|k| id == k) =>
            {
                return false
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && i == 0 => return false,
            _ => prev_colon = false,
        }
    }
    // A trailing `.` would be a float literal split; a leading `-` was rejected above.
    true
}

/// How `ctx` is used by a piece of generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CtxUse {
    None,
    /// Only `ctx.module.field` reads.
    Read,
    /// `ctx` passed on, or inside a block (which may assign).
    Mut,
}

pub(crate) fn ctx_use(ts: &TokenStream) -> CtxUse {
    fn walk(ts: &TokenStream, in_block: bool) -> CtxUse {
        crate::with_stack(|| walk_inner(ts, in_block))
    }
    fn walk_inner(ts: &TokenStream, in_block: bool) -> CtxUse {
        let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
        let mut out = CtxUse::None;
        for (i, t) in toks.iter().enumerate() {
            match t {
                TokenTree::Ident(id) if id == "ctx" => {
                    let dotted = matches!(toks.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                    out = out.max(if dotted && !in_block { CtxUse::Read } else { CtxUse::Mut });
                }
                TokenTree::Group(g) => {
                    let inner = walk(&g.stream(), in_block || g.delimiter() == Delimiter::Brace);
                    out = out.max(inner);
                }
                _ => {}
            }
        }
        out
    }
    walk(ts, false)
}

/// Whether `ctx` itself is passed on somewhere in the code (a call that
/// needs it), as opposed to only reading or writing `ctx.module.field`
/// places, which Rust's borrow checker tracks per field.
pub(crate) fn ctx_passed(ts: &TokenStream) -> bool {
    crate::with_stack(|| ctx_passed_inner(ts))
}

fn ctx_passed_inner(ts: &TokenStream) -> bool {
    let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
    toks.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Ident(id) if id == "ctx" => {
            !matches!(toks.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.')
        }
        TokenTree::Group(g) => ctx_passed(&g.stream()),
        _ => false,
    })
}

/// How a part of a call holds its value while later parts are evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartMode {
    /// Evaluated to a value; no borrow outlives it.
    Value,
    /// A `&T` kept until the call.
    Shared,
    /// A `&mut T` kept until the call (`mut` argument, mutating receiver).
    Exclusive,
}

pub(crate) struct Part {
    pub ts: TokenStream,
    pub mode: PartMode,
    /// For hoisting: the owned value (`Shared`), or the place (`Exclusive`).
    pub owned: TokenStream,
    /// For `Exclusive` parts: how to write a hoisted copy back.
    pub lvalue: TokenStream,
    /// Passed as `&` / `&mut` of the hoisted temporary.
    pub by_ref: bool,
}

impl Part {
    pub fn value(ts: TokenStream) -> Part {
        Part { owned: ts.clone(), ts, mode: PartMode::Value, lvalue: TokenStream::new(), by_ref: false }
    }

    /// A part read while the others are evaluated (`owned`: its value, for
    /// hoisting).
    pub fn shared(ts: TokenStream, owned: TokenStream, by_ref: bool) -> Part {
        Part { ts, mode: PartMode::Shared, owned, lvalue: TokenStream::new(), by_ref }
    }

    /// A part written by the call (`owned`: its place; `lvalue`: how a
    /// hoisted copy is written back).
    pub fn exclusive(ts: TokenStream, owned: TokenStream, lvalue: TokenStream, by_ref: bool) -> Part {
        Part { ts, mode: PartMode::Exclusive, owned, lvalue, by_ref }
    }
}

/// Borrow conflicts with `ctx`: when one part keeps a borrow of state and
/// another part (or the callee's own `ctx` argument) needs `ctx`, the
/// state-rooted parts are copied into temporaries first (copy-in), and
/// `Exclusive` ones are written back after the call (copy-out). That is
/// Aether's value semantics made explicit. Returns the `let`s to put before
/// the call, the write-backs to put after, and the parts' final tokens.
pub(crate) fn hoist(
    gen: &mut Gen<'_>,
    parts: Vec<Part>,
    callee_ctx: bool,
) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>) {
    let uses: Vec<CtxUse> = parts.iter().map(|p| ctx_use(&p.ts)).collect();
    let mentions = uses.iter().filter(|u| **u != CtxUse::None).count() + usize::from(callee_ctx);
    let holder_mut =
        callee_ctx || parts.iter().zip(&uses).any(|(p, u)| *u != CtxUse::None && p.mode == PartMode::Exclusive);
    let holder = holder_mut || parts.iter().zip(&uses).any(|(p, u)| *u != CtxUse::None && p.mode == PartMode::Shared);
    let any_mut_use = uses.contains(&CtxUse::Mut);
    let conflict = mentions >= 2 && holder && (holder_mut || any_mut_use);
    if !conflict {
        return (Vec::new(), Vec::new(), parts.into_iter().map(|p| p.ts).collect());
    }
    let mut lets = Vec::new();
    let mut after = Vec::new();
    let mut out = Vec::new();
    // Arguments are evaluated left to right. Everything up to the last part
    // that touches state goes into temporaries, in order; that last part may
    // stay in place when the callee itself needs no `ctx` (it is then the
    // only user of `ctx` when the call runs). Later parts never touch state,
    // so evaluating them in the call keeps the order too. Places without
    // state (locals) have no effects and stay in place wherever they are.
    let last_ctx = uses.iter().rposition(|u| *u != CtxUse::None);
    let keep = if callee_ctx { None } else { last_ctx };
    let hoist_until = last_ctx.map_or(0, |l| l + 1);
    for (i, (p, u)) in parts.into_iter().zip(uses).enumerate() {
        let effects_before_state = p.mode == PartMode::Value && i < hoist_until;
        if keep == Some(i) || (u == CtxUse::None && !effects_before_state) {
            out.push(p.ts);
            continue;
        }
        let t = gen.fresh("a");
        let owned = p.owned;
        match p.mode {
            PartMode::Value => {
                lets.push(quote!(let #t = #owned;));
                out.push(quote!(#t));
            }
            PartMode::Shared => {
                lets.push(quote!(let #t = #owned;));
                out.push(if p.by_ref { quote!(&#t) } else { quote!(#t) });
            }
            PartMode::Exclusive => {
                let lv = p.lvalue;
                lets.push(quote!(let mut #t = #owned;));
                after.push(quote!(#lv = #t;));
                out.push(if p.by_ref { quote!(&mut #t) } else { quote!(#t) });
            }
        }
    }
    (lets, after, out)
}

/// Wrap a call with its hoisted `let`s and write-backs.
pub(crate) fn with_hoisted(lets: Vec<TokenStream>, after: Vec<TokenStream>, call: TokenStream) -> TokenStream {
    if lets.is_empty() && after.is_empty() {
        return call;
    }
    if after.is_empty() {
        return quote!({ #(#lets)* #call });
    }
    quote!({ #(#lets)* let __r = #call; #(#after)* __r })
}

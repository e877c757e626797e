//! Trampolines: the functions generated code calls under `--hmr`, with the
//! static build's signatures, each loading its target from a slot the
//! runtime fills (`__FN_SLOTS`, `__HOST_SLOTS`) and calling the `extern "C"`
//! shim there; and a module's `State`, one `StateRef` per `state` variable.

use super::direct::Direct;
use super::{entry_name, states_of, CallLayout};
use crate::check::{CheckResult, FnId};
use crate::codegen::{names, Shared};
use crate::project::Program;
use crate::ty::{ModuleId, Ty, TypeId};
use proc_macro2::TokenStream;
use quote::quote;

/// `State` of module `m` in its interface: a zero-sized reference per
/// `state` variable, reading the value's address from the table.
pub(super) fn state_struct(ck: &CheckResult, shared: &Shared, m: ModuleId) -> TokenStream {
    let states = states_of(ck, m);
    if states.is_empty() {
        return quote!();
    }
    let tn = crate::codegen::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let n = states.len();
    let fields = states.iter().map(|g| {
        let name = names::item(&g.name);
        let t = tn.rust_ty(&g.ty);
        quote!(pub #name: ::aether_rt::abi::StateRef<#t>)
    });
    let names: Vec<_> = states.iter().map(|g| names::item(&g.name)).collect();
    let inits = states.iter().enumerate().map(|(si, g)| {
        let name = names::item(&g.name);
        let si = proc_macro2::Literal::usize_unsuffixed(si);
        quote!(#name: ::aether_rt::abi::StateRef::new(&__STATE_SLOTS[#si]))
    });
    quote! {
        /// This module's `state` as this library reads it; the runtime fills
        /// the slots.
        pub static __STATE_SLOTS: [::aether_rt::abi::Slot; #n] = [const { ::aether_rt::abi::Slot::new() }; #n];

        /// This module's `state` variables: references into runtime memory.
        pub struct State { #(#fields),* }

        impl Default for State {
            fn default() -> State {
                State { #(#inits),* }
            }
        }

        impl State {
            /// Read every address from its slot again at the next access.
            pub fn __refresh(&self) {
                #(self.#names.refresh();)*
            }
        }
    }
}

/// The Rust signature of a function as the static build declares it
/// (without `ctx` and `self`), and how to forward its parameters.
pub(super) struct RustSig {
    pub(super) params: Vec<TokenStream>,
    pub(super) args: Vec<TokenStream>,
    /// `args` as a call that may run again passes them (`&mut *n`).
    pub(super) reborrowed: Vec<TokenStream>,
    pub(super) arg_tys: Vec<TokenStream>,
    pub(super) ret: TokenStream,
    /// `&self` / `&mut self` of a method, or nothing.
    pub(super) receiver: Option<bool>,
    pub(super) needs_ctx: bool,
    /// A parameter is `mut` (passed as `&mut`).
    pub(super) any_mut: bool,
}

pub(super) fn rust_sig(ck: &CheckResult, shared: &Shared, f: FnId) -> RustSig {
    let mut sig = RustSig {
        params: Vec::new(),
        args: Vec::new(),
        reborrowed: Vec::new(),
        arg_tys: Vec::new(),
        ret: quote!(()),
        receiver: None,
        needs_ctx: shared.needs.fn_needs(f),
        any_mut: false,
    };
    let Some(info) = ck.fns.get(f.0 as usize) else { return sig };
    let tn = crate::codegen::types::TypeNames { ck, module_names: &shared.module_names, here: info.module };
    sig.receiver = info.receiver.and(info.self_param);
    for p in &info.params {
        let n = names::local(&p.name);
        let t = tn.rust_ty(&p.ty);
        let t = if p.mutable {
            quote!(&mut #t)
        } else if shared.facts.is_copy(&p.ty) {
            t
        } else {
            quote!(&#t)
        };
        sig.params.push(quote!(#n: #t));
        sig.reborrowed.push(if p.mutable { quote!(&mut *#n) } else { quote!(#n) });
        sig.any_mut |= p.mutable;
        sig.args.push(quote!(#n));
        sig.arg_tys.push(t);
    }
    if info.ret != Ty::Unit {
        sig.ret = tn.rust_ty(&info.ret);
    }
    sig
}

/// The body of a trampoline: load the function from its slot (`slot`: a
/// path to the library's `Slot` for it), call its shim; again with the new
/// code when the callee was a running loop a reload replaced
/// (`abi::call_restartable`).
pub(super) fn trampoline_body(
    slot: TokenStream,
    what: &str,
    self_ty: Option<TokenStream>,
    sig: &RustSig,
) -> TokenStream {
    call_through(Restart::InLine, slot, what, self_ty, sig)
}

/// [`trampoline_body`] as the slow path of a direct call, out of line
/// (`abi::call_restartable_cold`), so the caller's frame stays small.
fn cold_trampoline_body(slot: TokenStream, what: &str, sig: &RustSig) -> TokenStream {
    call_through(Restart::OutOfLine, slot, what, None, sig)
}

/// Where a call through a slot runs its restart loop.
enum Restart {
    /// In the caller (`abi::call_restartable`), inlined in an optimized build.
    InLine,
    /// Out of line (`abi::call_restartable_cold`): a direct call's slow path.
    OutOfLine,
    /// In a Rust host's binding, the callee's runtime error returned
    /// (`abi::try_call_shim`): the trampoline returns a `Result`.
    Returned,
}

fn call_through(
    loop_kind: Restart,
    slot: TokenStream,
    what: &str,
    self_ty: Option<TokenStream>,
    sig: &RustSig,
) -> TokenStream {
    let (args, arg_tys, ret) = (&sig.reborrowed, &sig.arg_tys, &sig.ret);
    let (self_ty, self_arg) = match &self_ty {
        Some(t) if sig.receiver == Some(true) => (vec![t.clone()], vec![quote!(&mut *self)]),
        Some(t) => (vec![t.clone()], vec![quote!(self)]),
        None => (Vec::new(), Vec::new()),
    };
    // A restart passes the arguments again: only shared references and
    // `Copy` values can go as a tuple (`abi::Args`), never a `&mut`.
    if !sig.any_mut && sig.receiver != Some(true) && self_ty.len() + arg_tys.len() <= aether_rt::abi::MAX_ARITY {
        let shared = match loop_kind {
            Restart::InLine => quote!(::aether_rt::abi::call_shim),
            Restart::OutOfLine => quote!(::aether_rt::abi::call_shim_cold),
            Restart::Returned => quote!(::aether_rt::abi::try_call_shim),
        };
        return quote! {
            #shared::<(#(#self_ty,)* #(#arg_tys,)*), #ret>(&#slot, #what, (#(#self_arg,)* #(#args,)*))
        };
    }
    let call = match loop_kind {
        Restart::InLine => quote!(::aether_rt::abi::call_restartable),
        Restart::OutOfLine => quote!(::aether_rt::abi::call_restartable_cold),
        Restart::Returned => quote!(::aether_rt::abi::try_call_restartable),
    };
    quote! {
        // `__p` and `__f`: no user name can start with `__`, so neither
        // shadows a parameter the arguments name.
        #call(&#slot, #what, |__p| {
            // SAFETY: the runtime stores in this slot only a function whose
            // fingerprint (name and structural signature) is the one this call
            // was generated for: its shim, of exactly this type.
            let __f: extern "C" fn(#(#self_ty,)* #(#arg_tys),*) -> ::aether_rt::abi::Guarded<#ret> =
                unsafe { ::std::mem::transmute(__p) };
            __f(#(#self_arg,)* #(#args),*)
        })
    }
}

/// `__FN_SLOTS[i]`: the slot of function `i` of the module whose interface
/// (or a glob import of it) is in scope.
pub(super) fn fn_slot(i: usize) -> TokenStream {
    let i = proc_macro2::Literal::usize_unsuffixed(i);
    quote!(__FN_SLOTS[#i])
}

/// `crate::__HOST_SLOTS[k]`: the slot of the Rust host's `extern fn` `k`.
pub(super) fn host_slot(k: usize) -> TokenStream {
    let k = proc_macro2::Literal::usize_unsuffixed(k);
    quote!(crate::__HOST_SLOTS[#k])
}

/// The slots a module's interface declares: one per function of its row.
pub(super) fn fn_slots(layout: &CallLayout, m: ModuleId) -> TokenStream {
    let n = layout.of_module(m).len();
    quote! {
        /// This module's functions as this library calls them; the runtime
        /// fills the slots.
        pub static __FN_SLOTS: [::aether_rt::abi::Slot; #n] = [const { ::aether_rt::abi::Slot::new() }; #n];
    }
}

/// Module `m`'s methods as trampolines, in its interface.
pub(super) fn method_trampolines(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    m: ModuleId,
) -> TokenStream {
    let tn = crate::codegen::types::TypeNames { ck, module_names: &shared.module_names, here: m };
    let mut by_type: Vec<(TypeId, Vec<TokenStream>)> = Vec::new();
    for (fi, f) in layout.of_module(m).iter().enumerate() {
        let Some(info) = ck.fns.get(f.0 as usize) else { continue };
        let Some(tid) = info.receiver else { continue };
        let sig = rust_sig(ck, shared, *f);
        let path = tn.type_path(tid);
        let name = names::method(&info.name);
        let (recv, self_ty) = match sig.receiver {
            Some(true) => (vec![quote!(&mut self)], Some(quote!(&mut #path))),
            Some(false) => (vec![quote!(&self)], Some(quote!(&#path))),
            None => (Vec::new(), None),
        };
        let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
        let params = &sig.params;
        let ret = &sig.ret;
        let what = format!("{}.{}", program.module(m).name, entry_name(ck, *f));
        let body = trampoline_body(fn_slot(fi), &what, self_ty, &sig);
        let item = quote! {
            pub fn #name(#(#recv,)* #(#ctx,)* #(#params),*) -> #ret { #body }
        };
        match by_type.iter_mut().find(|(t, _)| *t == tid) {
            Some((_, list)) => list.push(item),
            None => by_type.push((tid, vec![item])),
        }
    }
    let impls = by_type.into_iter().map(|(tid, fns)| {
        let path = tn.type_path(tid);
        quote!(impl #path { #(#fns)* })
    });
    quote!(#(#impls)*)
}

/// Trampolines of module `x`'s top-level functions and `extern fn`s, for
/// its module in `__hmr_calls` (with `x`'s interface glob-imported there).
/// `own` is given when `x` is the module of the crate being generated (its
/// bodies and shims are in it): per function, how its trampoline calls the
/// body directly while this library's code for it is the current one
/// (`direct::direct_calls`).
pub(super) fn module_trampolines(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    x: ModuleId,
    own: Option<&[Option<Direct>]>,
) -> Vec<TokenStream> {
    let module = &program.module(x).name;
    let rust_module = names::plain(&shared.module_names[x.0 as usize]);
    let functions = layout.of_module(x).iter().enumerate().filter_map(|(fi, f)| {
        let info = ck.fns.get(f.0 as usize).filter(|i| i.receiver.is_none())?;
        let what = format!("{module}.{}", info.name);
        let direct = own.and_then(|kinds| kinds.get(f.0 as usize).copied().flatten());
        let tramp = match direct {
            Some(direct) => direct_trampoline(ck, shared, *f, fi, &rust_module, &what, direct),
            None => free_trampoline(ck, shared, *f, fn_slot(fi), &what, Restart::InLine),
        };
        Some(tramp)
    });
    // The `extern fn`s call into the `__host` row.
    let externs = layout.externs.iter().enumerate().filter_map(|(k, f)| {
        let info = ck.fns.get(f.0 as usize).filter(|i| i.module == x)?;
        let what = format!("{module}.{} (a function of the Rust host)", info.name);
        Some(free_trampoline(ck, shared, *f, host_slot(k), &what, Restart::InLine))
    });
    functions.chain(externs).collect()
}

/// Trampolines of module `x`'s top-level functions for a Rust host's
/// bindings (`rust_host::host_row`): as [`module_trampolines`]'s, but each
/// returns the callee's runtime error instead of raising it
/// (`abi::try_call_shim`), so the binding's call needs no `catch_unwind`
/// of its own (issue #14).
pub(super) fn host_trampolines(
    ck: &CheckResult,
    shared: &Shared,
    layout: &CallLayout,
    x: ModuleId,
    module: &str,
) -> Vec<TokenStream> {
    let functions = layout.of_module(x).iter().enumerate().filter_map(|(fi, f)| {
        let info = ck.fns.get(f.0 as usize).filter(|i| i.receiver.is_none())?;
        let what = format!("{module}.{}", info.name);
        Some(free_trampoline(ck, shared, *f, fn_slot(fi), &what, Restart::Returned))
    });
    functions.collect()
}

/// The trampoline of a top-level function of the crate's own module: while
/// no reload waits and this library is its module's current version (one
/// flag, `abi::is_current`), call the body directly, where LLVM can inline
/// it; otherwise go through the table as any call.
fn direct_trampoline(
    ck: &CheckResult,
    shared: &Shared,
    f: FnId,
    fi: usize,
    rust_module: &proc_macro2::Ident,
    what: &str,
    direct: Direct,
) -> TokenStream {
    let name = ck.fns.get(f.0 as usize).map_or("", |info| info.name.as_str());
    let fname = names::item(name);
    let sig = rust_sig(ck, shared, f);
    let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
    let ctx_arg = if sig.needs_ctx { vec![quote!(&mut *ctx)] } else { Vec::new() };
    let (params, ret, args) = (&sig.params, &sig.ret, &sig.reborrowed);
    let call = quote!(crate::#rust_module::#fname(#(#ctx_arg,)* #(#args),*));
    let fast = match direct {
        Direct::Plain => quote!(return #call;),
        Direct::Unlinked | Direct::RestartPoint => {
            let shim = quote::format_ident!("__shim_{}", fi);
            let call_direct = match direct {
                Direct::Unlinked => quote!(call_direct_unlinked),
                _ => quote!(call_direct),
            };
            quote! {
                let __direct = ::aether_rt::abi::#call_direct(
                    crate::__shims::#shim as *const ::std::ffi::c_void,
                    #what,
                    || #call,
                );
                if let ::std::option::Option::Some(__v) = __direct {
                    return __v;
                }
            }
        }
    };
    let body = cold_trampoline_body(fn_slot(fi), what, &sig);
    quote! {
        #[inline]
        pub fn #fname(#(#ctx,)* #(#params),*) -> #ret {
            if ::aether_rt::abi::is_current(&crate::__PENDING) {
                #fast
            }
            #body
        }
    }
}

/// `pub fn f([ctx,] params) -> ret`: the trampoline of the top-level
/// function `f`, through `slot`; `what` names it when the slot is empty.
/// With [`Restart::Returned`] (a Rust host's binding) it returns
/// `Result<ret, PanicInfo>`.
fn free_trampoline(
    ck: &CheckResult,
    shared: &Shared,
    f: FnId,
    slot: TokenStream,
    what: &str,
    restart: Restart,
) -> TokenStream {
    let name = ck.fns.get(f.0 as usize).map_or("", |info| info.name.as_str());
    let fname = names::item(name);
    let sig = rust_sig(ck, shared, f);
    let ctx = if sig.needs_ctx { vec![quote!(ctx: &mut crate::Ctx)] } else { Vec::new() };
    let (params, ret) = (&sig.params, &sig.ret);
    let ret = match restart {
        Restart::Returned => quote!(::std::result::Result<#ret, ::aether_rt::abi::PanicInfo>),
        Restart::InLine | Restart::OutOfLine => quote!(#ret),
    };
    let body = call_through(restart, slot, what, None, &sig);
    quote!(pub fn #fname(#(#ctx,)* #(#params),*) -> #ret { #body })
}

//! Calls: user functions and methods, variant constructors, function
//! values, the prelude, `math`, and the methods of `str`, lists and maps.

use super::analysis;
use super::body::{hoist, paren, with_hoisted, Code, Gen, Kind, Part, PartMode};
use super::names;
use crate::ast::{Arg, Expr, ExprKind};
use crate::check::{FnId, Res};
use crate::ty::{Ty, TypeId};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// An argument already generated, with its Aether type.
pub(crate) type ArgCode = (Code, Ty);

impl Gen<'_> {
    pub fn call(&mut self, e: &Expr, callee: &Expr, args: &[Arg]) -> Code {
        let res = self.tables.resolutions.get(&callee.id).cloned();
        let safe_point = analysis::call_reaches_safe_point(self.tables, callee, args);
        let code = self.call_unsynced(e, callee, args, res);
        if safe_point {
            self.synced(code)
        } else {
            code
        }
    }

    fn call_unsynced(&mut self, e: &Expr, callee: &Expr, args: &[Arg], res: Option<Res>) -> Code {
        match res {
            Some(Res::Fn(f)) => self.user_call(e, f, None, args),
            Some(Res::Method(f)) => match &callee.kind {
                ExprKind::Field { base, .. } => self.user_call(e, f, Some(base), args),
                _ => Code::owned(self.unsupported(e.span, "a method call without a receiver")),
            },
            Some(Res::Variant(tid, i)) => Code::owned(self.variant_construct(tid, i, args)),
            Some(Res::Builtin(name)) => {
                if matches!(name, "print" | "println" | "eprintln") {
                    return Code::owned(self.print_call(name, args));
                }
                let codes = self.arg_codes(args);
                Code::owned(self.builtin_impl(e, name, codes))
            }
            Some(Res::BuiltinMethod(name)) => match &callee.kind {
                ExprKind::Field { base, .. } if analysis::inline_closure(self.tables, callee, args).is_some() => {
                    Code::owned(self.inline_list_call(e, name, base, &args[0].expr))
                }
                ExprKind::Field { base, .. } => {
                    let discard = std::mem::take(&mut self.discarding);
                    let bt = self.expr_ty(base.id);
                    let mutating = analysis::MUTATING.contains(&name);
                    let recv = if mutating { self.place(base) } else { self.coerced(base) };
                    let codes = self.arg_codes(args);
                    self.discarding = discard;
                    Code::owned(self.method_impl(e, name, (recv, bt), codes))
                }
                _ => Code::owned(self.unsupported(e.span, "a method call without a receiver")),
            },
            Some(Res::Math(name @ ("json.parse" | "json.stringify"))) => {
                let Some(arg) = args.first() else {
                    return Code::owned(self.unsupported(e.span, "`json` without its argument"));
                };
                let c = self.coerced(&arg.expr);
                Code::owned(if name == "json.parse" {
                    let s = self.to_str(c);
                    quote!(::aether_rt::json::parse(#s))
                } else {
                    let r = self.to_ref(c);
                    quote!(::aether_rt::json::stringify(&#r))
                })
            }
            Some(Res::Math(name)) => {
                let codes = self.arg_codes(args);
                let t = self.expr_ty(e.id);
                Code::owned(self.math_impl(name, &t, codes))
            }
            _ => {
                // A function value: a local, a field, any expression.
                let ct = self.expr_ty(callee.id);
                let c = self.coerced(callee);
                let owned = self.to_owned(c.clone(), &ct);
                let mut parts = vec![Part::shared(self.to_recv(c), owned, false)];
                for a in args {
                    let v = self.value(&a.expr);
                    parts.push(Part::value(v));
                }
                let (lets, after, ts) = hoist(self, parts, true);
                let f = paren(ts[0].clone());
                let rest = &ts[1..];
                Code::owned(with_hoisted(lets, after, quote!((#f)(ctx #(, #rest)*))))
            }
        }
    }

    /// `xs.map(|x| ...)` with the closure as a plain Rust closure over
    /// references to the elements ([`analysis::inline_closure`]).
    fn inline_list_call(&mut self, e: &Expr, name: &str, base: &Expr, closure: &Expr) -> TokenStream {
        let ExprKind::Closure { params, body, .. } = &closure.kind else {
            return self.unsupported(e.span, "an inline closure that is not a closure");
        };
        let bt = self.expr_ty(base.id);
        let elem = match &bt {
            Ty::List(el) => (**el).clone(),
            _ => Ty::Error,
        };
        let ret = match self.expr_ty(closure.id) {
            Ty::Fn(_, r) => *r,
            _ => Ty::Error,
        };
        let el_ts = self.rust_ty(&elem);
        let saved = self.locals.clone();
        let mut decls = Vec::new();
        for p in params {
            if let Some(id) = analysis::local_at(self.tables, p.name.span) {
                self.locals.insert(id, super::body::LocalKind::Ref);
            }
            let n = names::local(&p.name.name);
            decls.push(quote!(#n: &#el_ts));
        }
        let body_ts = self.closure_body(body, &ret);
        self.locals = saved;
        let rt = self.rust_ty(&ret);
        let clo = quote!(|#(#decls),*| -> #rt #body_ts);
        let sort = name == "list.sort_by";
        let recv = if sort { self.place(base) } else { self.coerced(base) };
        let owned = self.to_owned(recv.clone(), &bt);
        let part = if sort {
            let lvalue = self.to_lvalue(recv.clone());
            Part::exclusive(self.to_mut_ref(recv), owned, lvalue, true)
        } else {
            Part::shared(self.to_ref(recv), owned, true)
        };
        let uses_ctx = super::body::ctx_use(&clo) != super::body::CtxUse::None;
        let (lets, after, ts) = hoist(self, vec![part], uses_ctx);
        let r = as_slice(&ts[0], sort);
        let call = match name {
            "list.map" => quote!(::aether_rt::list::map(#r, #clo)),
            "list.filter" => quote!(::aether_rt::list::filter(#r, #clo)),
            _ => quote!(::aether_rt::list::sort_by(#r, #clo)),
        };
        with_hoisted(lets, after, call)
    }

    fn arg_codes(&mut self, args: &[Arg]) -> Vec<ArgCode> {
        args.iter()
            .map(|a| {
                let t = self.expr_ty(a.expr.id);
                (self.coerced(&a.expr), t)
            })
            .collect()
    }

    /// A call of a user function or method (`recv` for `x.method(...)`).
    fn user_call(&mut self, e: &Expr, f: FnId, recv: Option<&Expr>, args: &[Arg]) -> Code {
        let Some(mut info) = self.ck.fns.get(f.0 as usize).cloned() else {
            return Code::owned(self.unsupported(e.span, "a call of an unknown function"));
        };
        // A generic function: its instance for this call's type arguments.
        let mut instance = None;
        if info.is_generic() {
            let callee = match &e.kind {
                ExprKind::Call { callee, .. } => callee.id,
                _ => e.id,
            };
            let Some(inst) = self.instance_at(callee, f) else {
                return Code::owned(self.unsupported(e.span, "a generic function without its instance"));
            };
            info = inst.info.clone();
            instance = Some(format_ident!("{}", inst.rust_name));
        }
        let callee_ctx = self.needs().fn_needs(f);
        let mut parts = Vec::new();
        if let Some(r) = recv {
            let rt = self.expr_ty(r.id);
            // An instance (a generic type's method) takes the receiver as a
            // reference, like any parameter.
            let plain = instance.is_some();
            if info.self_param == Some(true) {
                let c = self.place(r);
                let owned = self.to_owned(c.clone(), &rt);
                let lvalue = self.to_lvalue(c.clone());
                let ts = if plain { self.to_mut_ref(c) } else { self.to_recv(c) };
                parts.push(Part::exclusive(ts, owned, lvalue, plain));
            } else {
                let c = self.coerced(r);
                let owned = self.to_owned(c.clone(), &rt);
                let ts = if plain { self.to_ref(c) } else { self.to_recv(c) };
                parts.push(Part::shared(ts, owned, plain));
            }
        }
        for (a, p) in args.iter().zip(&info.params) {
            let t = self.expr_ty(a.expr.id);
            if p.mutable {
                let c = self.place(&a.expr);
                let owned = self.to_owned(c.clone(), &t);
                let lvalue = self.to_lvalue(c.clone());
                parts.push(Part::exclusive(self.to_mut_ref(c), owned, lvalue, true));
            } else if self.is_copy(&p.ty) {
                let v = self.value(&a.expr);
                parts.push(Part::value(v));
            } else {
                let c = self.coerced(&a.expr);
                let owned = self.to_owned(c.clone(), &t);
                parts.push(Part::shared(self.to_ref(c), owned, true));
            }
        }
        // A part that reads what a `mut` part changes is evaluated first,
        // into a temporary: the callee sees the value before the call.
        let exprs: Vec<&Expr> = recv.into_iter().chain(args.iter().map(|a| &a.expr)).collect();
        let mut pre = Vec::new();
        let exclusive: Vec<analysis::Root> = parts
            .iter()
            .zip(&exprs)
            .filter(|(p, _)| p.mode == PartMode::Exclusive)
            .filter_map(|(_, e)| analysis::place_root(self.tables, e))
            .collect();
        for (part, e) in parts.iter_mut().zip(&exprs) {
            if part.mode == PartMode::Exclusive
                || !exclusive.iter().any(|r| analysis::expr_mentions_root(self.tables, e, *r))
            {
                continue;
            }
            let t = self.fresh("b");
            let owned = part.owned.clone();
            pre.push(quote!(let #t = #owned;));
            part.ts = if part.by_ref { quote!(&#t) } else { quote!(#t) };
            part.owned = quote!(#t);
            part.mode = PartMode::Value;
        }
        let (mut lets, after, ts) = hoist(self, parts, callee_ctx);
        pre.append(&mut lets);
        let lets = pre;
        let ctx = if callee_ctx { vec![quote!(ctx)] } else { Vec::new() };
        let fname = names::method(&info.name);
        let call = match (recv, info.receiver) {
            (_, Some(_)) if instance.is_some() => {
                let p = instance.map(|name| self.item_path(info.module, name));
                // The receiver (if any) first, then `ctx`, as the instance
                // declares them.
                let (first, rest) = if recv.is_some() { ts.split_at(1) } else { ts.split_at(0) };
                let all = first.iter().chain(ctx.iter()).chain(rest.iter());
                quote!(#p(#(#all),*))
            }
            (Some(_), _) => {
                let r = &ts[0];
                let rest = &ts[1..];
                let all = ctx.iter().chain(rest.iter());
                quote!(#r.#fname(#(#all),*))
            }
            (None, Some(tid)) => {
                let p = self.names().type_path(tid);
                let all = ctx.iter().chain(ts.iter());
                quote!(#p::#fname(#(#all),*))
            }
            (None, None) => {
                let p = match instance {
                    Some(name) => self.item_path(info.module, name),
                    None => self.fn_item_path(info.module, names::item(&info.name)),
                };
                let all = ctx.iter().chain(ts.iter());
                quote!(#p(#(#all),*))
            }
        };
        Code::owned(with_hoisted(lets, after, call))
    }

    fn variant_construct(&mut self, tid: TypeId, i: usize, args: &[Arg]) -> TokenStream {
        let path = self.variant_path(tid, i);
        let Some(v) = self.ck.types.as_enum(tid).and_then(|en| en.variants.get(i)).cloned() else {
            return path;
        };
        let mut fields = Vec::new();
        for (fi, (f, a)) in v.fields.iter().zip(args).enumerate() {
            let name = names::ident(&f.name);
            let boxing = self.facts().boxing(tid, i, fi);
            let val = self.field_value(&a.expr, boxing);
            fields.push(quote!(#name: #val));
        }
        quote!(#path { #(#fields),* })
    }

    fn print_call(&mut self, name: &str, args: &[Arg]) -> TokenStream {
        let mac = format_ident!("{}", name);
        let Some(a) = args.first() else {
            return quote!(println!());
        };
        let (fmt, fargs, lets) = self.display_arg(&a.expr);
        let call = if name == "print" {
            quote!({
                print!(#fmt #(, #fargs)*);
                ::aether_rt::prelude::flush_stdout();
            })
        } else {
            quote!(#mac!(#fmt #(, #fargs)*))
        };
        with_hoisted(lets, Vec::new(), call)
    }

    /// The prelude functions, on generated arguments.
    pub fn builtin_impl(&mut self, e: &Expr, name: &str, mut args: Vec<ArgCode>) -> TokenStream {
        let loc = self.loc(e.span);
        let take = |args: &mut Vec<ArgCode>| {
            if args.is_empty() {
                None
            } else {
                Some(args.remove(0))
            }
        };
        let first = take(&mut args);
        let second = take(&mut args);
        match (name, first, second) {
            ("print" | "println" | "eprintln", None, _) => quote!(println!()),
            ("print" | "println" | "eprintln", Some((c, t)), _) => {
                let mac = format_ident!("{}", name);
                let r = self.to_ref(c);
                let arg =
                    if matches!(t, Ty::Int | Ty::Str | Ty::Bool) { r } else { quote!(::aether_rt::show::Shown(#r)) };
                if name == "print" {
                    quote!({
                        print!("{}", #arg);
                        ::aether_rt::prelude::flush_stdout();
                    })
                } else {
                    quote!(#mac!("{}", #arg))
                }
            }
            ("str", Some((c, t)), _) => match t {
                Ty::Str => self.to_owned(c, &t),
                Ty::Int | Ty::Bool => {
                    let r = self.to_recv(c);
                    quote!(#r.to_string())
                }
                _ => {
                    let r = self.to_ref(c);
                    quote!(::aether_rt::Show::to_show_string(#r))
                }
            },
            ("float" | "int", Some((c, t)), _) => {
                let (target, rust) = if name == "float" { (Ty::Float, quote!(f64)) } else { (Ty::Int, quote!(i64)) };
                let v = self.to_owned(c, &t);
                if t == target {
                    v
                } else {
                    let v = paren(v);
                    quote!((#v as #rust))
                }
            }
            ("len", Some((c, t)), _) => {
                if t == Ty::Str {
                    let s = self.to_str(c);
                    quote!(::aether_rt::text::len(#s))
                } else {
                    let r = self.to_recv(c);
                    quote!((#r.len() as i64))
                }
            }
            ("assert", Some((c, t)), msg) => {
                let v = self.to_owned(c, &t);
                let m = match msg {
                    Some((m, _)) => {
                        let s = self.to_str(m);
                        quote!(Some(#s))
                    }
                    None => quote!(None),
                };
                quote!(::aether_rt::ops::assert(#v, #m, #loc))
            }
            ("panic", Some((c, _)), _) => {
                let s = self.to_str(c);
                quote!(::aether_rt::fail(#loc, #s))
            }
            ("args" | "read_line" | "now_ms" | "random_float" | "hmr_status" | "read_stdin", _, _) => {
                let f = format_ident!("{}", name);
                quote!(::aether_rt::prelude::#f())
            }
            ("read_file", Some((c, _)), _) => {
                let s = self.to_str(c);
                quote!(::aether_rt::prelude::read_file(#s))
            }
            ("write_file", Some((p, _)), Some((c, _))) => {
                let (p, c) = (self.to_str(p), self.to_str(c));
                quote!(::aether_rt::prelude::write_file(#p, #c))
            }
            ("env" | "list_dir", Some((c, _)), _) => {
                let s = self.to_str(c);
                let f = format_ident!("{}", name);
                quote!(::aether_rt::prelude::#f(#s))
            }
            ("run_command", Some((c, _)), Some((a, _))) => {
                let c = self.to_str(c);
                let a = self.to_recv(a);
                quote!(::aether_rt::prelude::run_command(#c, &#a))
            }
            ("format_time", Some((c, t)), Some((p, _))) => {
                let v = self.to_owned(c, &t);
                let p = self.to_str(p);
                quote!(::aether_rt::prelude::format_time(#v, #p))
            }
            ("exit", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                quote!(::aether_rt::prelude::exit(#v))
            }
            ("from_char_code", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                quote!(::aether_rt::text::from_char_code(#v, #loc))
            }
            ("sleep_ms", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                quote!(::aether_rt::prelude::sleep_ms(#v))
            }
            ("random_int", Some((a, at)), Some((b, bt))) => {
                let (a, b) = (self.to_owned(a, &at), self.to_owned(b, &bt));
                quote!(::aether_rt::prelude::random_int(#a, #b))
            }
            ("some", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                quote!(Some(#v))
            }
            ("ok", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                // The error type is written: a lone `ok(v)` (a receiver, a
                // list element) gives Rust nothing else to infer it from.
                quote!(Ok::<_, ::aether_rt::Error>(#v))
            }
            ("err", Some((c, t)), _) => {
                let v = self.to_owned(c, &t);
                quote!(Err(::aether_rt::Error::from(#v)))
            }
            _ => self.unsupported(e.span, &format!("the builtin `{name}` with these arguments")),
        }
    }

    /// A prelude function used as a value.
    pub fn builtin_value(&mut self, e: &Expr, name: &str, t: &Ty) -> TokenStream {
        let Ty::Fn(ps, r) = t else {
            return self.unsupported(e.span, &format!("`{name}` as a value"));
        };
        self.wrapped_value(t, ps, r, |g, codes| g.builtin_impl(e, name, codes))
    }

    /// A function value of type `t` (`fn(ps) -> r`) around generated code:
    /// `body` gets the parameters.
    fn wrapped_value(
        &mut self,
        t: &Ty,
        ps: &[Ty],
        r: &Ty,
        body: impl FnOnce(&mut Self, Vec<ArgCode>) -> TokenStream,
    ) -> TokenStream {
        let (ns, decls) = self.wrapper_params(ps);
        let codes: Vec<ArgCode> =
            ns.iter().zip(ps.iter()).map(|(n, t)| (Code::new(quote!(#n), Kind::Place), t.clone())).collect();
        let body = body(self, codes);
        let fnty = self.rust_ty(t);
        let ret = self.rust_ty(r);
        quote!({
            let __f: #fnty = ::std::rc::Rc::new(move |ctx: &mut crate::Ctx #(, #decls)*| -> #ret { #body });
            __f
        })
    }

    pub fn math_impl(&mut self, name: &str, result: &Ty, args: Vec<ArgCode>) -> TokenStream {
        let vals: Vec<TokenStream> = args.into_iter().map(|(c, t)| self.to_owned(c, &t)).collect();
        let num = if *result == Ty::Int { quote!(i64) } else { quote!(f64) };
        let f = match name {
            "pow" => format_ident!("powf"),
            other => format_ident!("{}", other),
        };
        match name {
            "abs" | "min" | "max" => quote!(#num::#f(#(#vals),*)),
            _ => quote!(f64::#f(#(#vals),*)),
        }
    }

    pub fn math_value(&mut self, name: &str, t: &Ty) -> TokenStream {
        let Ty::Fn(ps, r) = t else {
            return quote!(unreachable!());
        };
        self.wrapped_value(t, ps, r, |g, codes| g.math_impl(name, r, codes))
    }

    /// Methods of `str`, lists and maps.
    pub fn method_impl(&mut self, e: &Expr, name: &str, recv: ArgCode, args: Vec<ArgCode>) -> TokenStream {
        let loc = self.loc(e.span);
        let (rc, rt) = recv;
        let mutating = analysis::MUTATING.contains(&name);
        let callee_ctx = analysis::CALLS_FN.contains(&name);
        let elem = match &rt {
            Ty::List(el) => (**el).clone(),
            _ => Ty::Error,
        };
        // The receiver part: `&mut place`-like for mutating methods.
        let owned = self.to_owned(rc.clone(), &rt);
        let mut parts = Vec::new();
        let str_recv = rt == Ty::Str;
        if mutating {
            let lvalue = self.to_lvalue(rc.clone());
            let by_ref =
                matches!(name, "list.insert" | "list.remove" | "list.sort_by" | "list.sort_by_key" | "map.update")
                    || (name == "list.sort" && elem == Ty::Float);
            let ts = if by_ref { self.to_mut_ref(rc.clone()) } else { self.to_recv(rc.clone()) };
            parts.push(Part::exclusive(ts, owned, lvalue, by_ref));
        } else {
            let (ts, by_ref) = if str_recv
                && !matches!(
                    name,
                    "str.contains"
                        | "str.starts_with"
                        | "str.ends_with"
                        | "str.trim"
                        | "str.to_upper"
                        | "str.to_lower"
                        | "str.replace"
                ) {
                (self.to_str(rc.clone()), true)
            } else if matches!(name, "list.map" | "list.filter") || SLICE_HELPERS.contains(&name) {
                (self.to_ref(rc.clone()), true)
            } else {
                (self.to_recv(rc.clone()), false)
            };
            parts.push(Part::shared(ts, owned, by_ref));
        }
        // Argument parts: values, or borrows for lookups.
        let borrow_args = matches!(name, "list.contains" | "map.get" | "map.contains" | "map.remove");
        let str_first = matches!(name, "str.find" | "str.rfind") || (name.starts_with("str.pad_") && args.len() == 2);
        let args_n = args.len();
        let str_args = matches!(
            name,
            "str.contains" | "str.starts_with" | "str.ends_with" | "str.split" | "str.replace" | "list.join"
        );
        for (i, (c, t)) in args.into_iter().enumerate() {
            if str_first && t == Ty::Str {
                let owned = self.to_owned(c.clone(), &t);
                let ts = self.to_str(c);
                parts.push(Part::shared(ts, owned, true));
            } else if name == "map.get_or" && i == 0 {
                let owned = self.to_owned(c.clone(), &t);
                let ts = self.to_ref(c);
                parts.push(Part::shared(ts, owned, true));
            } else if name == "list.zip" {
                let owned = self.to_owned(c.clone(), &t);
                let ts = self.to_ref(c);
                parts.push(Part::shared(as_slice(&ts, false), owned, true));
            } else if borrow_args || str_args {
                let owned = self.to_owned(c.clone(), &t);
                let ts = if str_args {
                    if name == "list.join" {
                        str_slice(self, c)
                    } else {
                        self.to_str(c)
                    }
                } else if t == Ty::Str && name != "list.contains" {
                    self.to_str(c)
                } else {
                    self.to_ref(c)
                };
                let by_ref = !(str_args && name == "list.join");
                parts.push(Part::shared(ts, owned, by_ref));
            } else {
                let v = self.to_owned(c, &t);
                parts.push(Part::value(v));
            }
        }
        let (lets, after, ts) = hoist(self, parts, callee_ctx);
        let r = ts[0].clone();
        let a: Vec<TokenStream> = ts[1..].to_vec();
        let a0 = a.first().cloned().unwrap_or_default();
        let a1 = a.get(1).cloned().unwrap_or_default();
        let elem_copy = self.is_copy(&elem);
        let clone_x = if elem_copy { quote!(*__x) } else { quote!(__x.clone()) };
        let discard = std::mem::take(&mut self.discarding);
        let call = match name {
            "str.len" => quote!(::aether_rt::text::len(#r)),
            "str.contains" => quote!(#r.contains(#a0)),
            "str.starts_with" => quote!(#r.starts_with(#a0)),
            "str.ends_with" => quote!(#r.ends_with(#a0)),
            "str.split" => quote!(::aether_rt::text::split(#r, #a0)),
            "str.words" => quote!(::aether_rt::text::words(#r)),
            "str.lines" => quote!(::aether_rt::text::lines(#r)),
            "str.chars" => quote!(::aether_rt::text::chars(#r)),
            "str.trim" => quote!(#r.trim().to_string()),
            "str.to_upper" => quote!(#r.to_uppercase()),
            "str.to_lower" => quote!(#r.to_lowercase()),
            "str.replace" => quote!(#r.replace(#a0, #a1)),
            "str.parse_int" => quote!(::aether_rt::text::parse_int(#r)),
            "str.parse_float" => quote!(::aether_rt::text::parse_float(#r)),
            "str.repeat" => quote!(::aether_rt::text::repeat(#r, #a0)),
            "list.push" => quote!(#r.push(#a0)),
            "list.pop" => quote!(#r.pop()),
            "list.len" | "map.len" => quote!((#r.len() as i64)),
            "list.is_empty" | "map.is_empty" | "str.is_empty" => quote!(#r.is_empty()),
            // The arguments first: they may read the list (`xs.remove(xs.len()
            // - 1)`), which `&mut xs` would already hold in a call.
            "list.insert" => quote!({ let __i = #a0; let __v = #a1; ::aether_rt::list::insert(#r, __i, __v, #loc) }),
            "list.remove" => quote!({ let __i = #a0; ::aether_rt::list::remove(#r, __i, #loc) }),
            "list.contains" => quote!(#r.contains(#a0)),
            "list.sort" if elem == Ty::Float => quote!(::aether_rt::list::sort_floats(#r)),
            "list.sort" => quote!(#r.sort()),
            "list.reverse" => quote!(#r.reverse()),
            "list.first" => quote!(#r.first().cloned()),
            "list.last" => quote!(#r.last().cloned()),
            "list.join" => quote!(#r.join(#a0)),
            "list.map" => {
                let r = as_slice(&r, false);
                quote!({ let __f = #a0; ::aether_rt::list::map(#r, |__x| __f(ctx, #clone_x)) })
            }
            "list.filter" => {
                let r = as_slice(&r, false);
                quote!({ let __f = #a0; ::aether_rt::list::filter(#r, |__x| __f(ctx, #clone_x)) })
            }
            "list.sort_by" => {
                let (ca, cb) =
                    if elem_copy { (quote!(*__a), quote!(*__b)) } else { (quote!(__a.clone()), quote!(__b.clone())) };
                let r = as_slice(&r, true);
                quote!({ let __f = #a0; ::aether_rt::list::sort_by(#r, |__a, __b| __f(ctx, #ca, #cb)) })
            }
            _ if name.starts_with("list.") && SLICE_HELPERS.contains(&name) => {
                let f = format_ident!("{}", &name["list.".len()..]);
                let r = as_slice(&r, false);
                let (ca, cb) =
                    if elem_copy { (quote!(*__a), quote!(*__b)) } else { (quote!(__a.clone()), quote!(__b.clone())) };
                match name {
                    "list.fold" => {
                        quote!({ let __f = #a1; ::aether_rt::list::fold(#r, #a0, |__acc, __x| __f(ctx, __acc, #clone_x)) })
                    }
                    "list.sum" if elem == Ty::Float => quote!(::aether_rt::list::sum_floats(#r)),
                    "list.sum" => quote!(::aether_rt::list::sum_ints(#r, #loc)),
                    "list.min_by" | "list.max_by" => {
                        quote!({ let __f = #a0; ::aether_rt::list::#f(#r, |__a, __b| __f(ctx, #ca, #cb)) })
                    }
                    _ if analysis::CALLS_FN.contains(&name) => {
                        quote!({ let __f = #a0; ::aether_rt::list::#f(#r, |__x| __f(ctx, #clone_x)) })
                    }
                    "list.chunks" | "list.windows" => quote!(::aether_rt::list::#f(#r, #a0, #loc)),
                    _ if args_n == 1 => quote!(::aether_rt::list::#f(#r, #a0)),
                    _ => quote!(::aether_rt::list::#f(#r)),
                }
            }
            "list.sort_by_key" => {
                let r = as_slice(&r, true);
                quote!({ let __f = #a0; ::aether_rt::list::sort_by_key(#r, |__x| __f(ctx, #clone_x)) })
            }
            "map.entries" => quote!(::aether_rt::map::entries(#r)),
            "map.get_or" => quote!(::aether_rt::map::get_or(#r, #a0, #a1)),
            "map.update" => {
                let a2 = a.get(2).cloned().unwrap_or_default();
                quote!({ let __k = #a0; let __d = #a1; let __f = #a2; ::aether_rt::map::update(#r, __k, __d, |__v| __f(ctx, __v)) })
            }
            "str.find" => quote!(::aether_rt::text::find(#r, #a0)),
            "str.rfind" => quote!(::aether_rt::text::rfind(#r, #a0)),
            "str.char_code" => quote!(::aether_rt::text::char_code(#r, #loc)),
            "str.split_whitespace" => quote!(::aether_rt::text::words(#r)),
            "str.pad_left" | "str.pad_right" => {
                let f = format_ident!("{}", &name["str.".len()..]);
                let fill = if args_n == 2 { quote!(Some(#a1)) } else { quote!(None) };
                quote!(::aether_rt::text::#f(#r, #a0, #fill, #loc))
            }
            "map.insert" if discard => quote!(#r.insert(#a0, #a1)),
            "map.insert" => quote!({ #r.insert(#a0, #a1); }),
            "map.get" => quote!(#r.get(#a0).cloned()),
            "map.contains" => quote!(#r.contains_key(#a0)),
            "map.remove" => quote!(#r.shift_remove(#a0)),
            "map.keys" => quote!(#r.keys().cloned().collect::<Vec<_>>()),
            "map.values" => quote!(#r.values().cloned().collect::<Vec<_>>()),
            _ => self.unsupported(e.span, &format!("the method `{name}`")),
        };
        with_hoisted(lets, after, call)
    }
}

/// The list methods that are runtime helpers over a `&[T]` receiver
/// (`aether_rt::list`), and the map methods over `&Map`.
const SLICE_HELPERS: &[&str] = &[
    "list.fold",
    "list.sum",
    "list.min",
    "list.max",
    "list.min_by",
    "list.max_by",
    "list.min_by_key",
    "list.max_by_key",
    "list.any",
    "list.all",
    "list.enumerate",
    "list.zip",
    "list.find",
    "list.position",
    "list.flat_map",
    "list.take",
    "list.skip",
    "list.chunks",
    "list.windows",
    "list.dedup",
    "list.reversed",
    "map.entries",
    "map.get_or",
];

/// A `&str` for APIs generic over the separator type (`join`).
fn str_slice(gen: &Gen<'_>, c: Code) -> TokenStream {
    if let Some(s) = &c.lit {
        return quote!(#s);
    }
    let r = gen.to_recv(c);
    quote!(#r.as_str())
}

/// A list receiver given to a runtime helper over slices. A receiver that
/// is itself a generic lookup's result (`ops::elem(&xs, 0, ..)` for
/// `xs[0].map(...)`) would have its element type inferred from the slice
/// parameter (`T = [_]`): `AsRef`/`AsMut` to `[_]` fixes it first.
fn as_slice(r: &TokenStream, mutable: bool) -> TokenStream {
    let lookup = r.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => ["elem", "elem_mut", "key", "key_mut", "entry_mut"].iter().any(|f| i == f),
        _ => false,
    });
    match (lookup, mutable) {
        (false, _) => r.clone(),
        (true, false) => quote!(::std::convert::AsRef::<[_]>::as_ref(#r)),
        (true, true) => quote!(::std::convert::AsMut::<[_]>::as_mut(#r)),
    }
}

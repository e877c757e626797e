//! Rust types for Aether types, and what each user type can derive.
//!
//! `int`→`i64`, `float`→`f64`, `bool`→`bool`, `str`→`String`, `()`→`()`,
//! `[T]`→`Vec<T>`, `{K: V}`→`aether_rt::Map<K, V>`, `T?`→`Option<T>`,
//! `T!`→`Result<T, aether_rt::Error>`, tuples→tuples,
//! `fn(A) -> B`→`Rc<dyn Fn(&mut Ctx, A) -> B>`, user types by name (a
//! generic one with its arguments, `Pair<i64, String>`; its definition is a
//! Rust generic type whose derives bound each parameter, so the facts of a
//! generic type below hold for it when they hold for its arguments).
//!
//! Recursive types: a field whose type reaches back to its own type (through
//! struct/enum fields, `?`, `!` and tuples, but not lists or maps, which
//! already allocate) is boxed. `T?` with `T` recursive becomes
//! `Option<Box<T>>` ([`Boxing::Opt`]); any other such field becomes
//! `Box<FieldTy>` ([`Boxing::Whole`]).

use super::names;
use crate::check::CheckResult;
use crate::ty::{ModuleId, Ty, TypeDefKind, TypeId};
use proc_macro2::TokenStream;
use quote::quote;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Boxing {
    /// `Option<Box<T>>` for a `T?` field.
    Opt,
    /// `Box<FieldTy>`.
    Whole,
}

/// Per user type: field boxing and derivable traits.
#[derive(Debug, Default)]
pub(crate) struct TypeFacts {
    /// Per type, per variant (structs: one), per field.
    pub boxing: Vec<Vec<Vec<Option<Boxing>>>>,
    pub copy: Vec<bool>,
    pub hashable: Vec<bool>,
    pub has_fn: Vec<bool>,
}

impl TypeFacts {
    pub fn compute(ck: &CheckResult) -> TypeFacts {
        let n = ck.types.defs.len();
        let fields_of = |id: usize| -> Vec<Vec<&Ty>> {
            match &ck.types.defs[id].kind {
                TypeDefKind::Struct(s) => vec![s.fields.iter().map(|f| &f.ty).collect()],
                TypeDefKind::Enum(e) => e.variants.iter().map(|v| v.fields.iter().map(|f| &f.ty).collect()).collect(),
            }
        };
        // Direct edges: types stored inline (not behind a list or map).
        let mut direct: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (id, edges) in direct.iter_mut().enumerate() {
            for variant in fields_of(id) {
                for t in variant {
                    inline_types(t, edges);
                }
            }
        }
        let mut reach: Vec<Vec<bool>> = vec![vec![false; n]; n];
        for (start, row) in reach.iter_mut().enumerate() {
            let mut stack = direct[start].clone();
            while let Some(t) = stack.pop() {
                if t < n && !row[t] {
                    row[t] = true;
                    stack.extend(direct[t].iter().copied());
                }
            }
        }
        let mut boxing = Vec::with_capacity(n);
        #[allow(clippy::needless_range_loop)] // `id` is also compared against
        for id in 0..n {
            let mut per_variant = Vec::new();
            for variant in fields_of(id) {
                let mut per_field = Vec::new();
                for t in variant {
                    let mut mentioned = Vec::new();
                    inline_types(t, &mut mentioned);
                    let recursive = mentioned.iter().any(|&c| c == id || (c < n && reach[c][id]));
                    per_field.push(if !recursive {
                        None
                    } else if matches!(t, Ty::Optional(inner) if matches!(**inner, Ty::Struct(..) | Ty::Enum(..))) {
                        Some(Boxing::Opt)
                    } else {
                        Some(Boxing::Whole)
                    });
                }
                per_variant.push(per_field);
            }
            boxing.push(per_variant);
        }
        let mut facts = TypeFacts { boxing, copy: vec![true; n], hashable: vec![true; n], has_fn: vec![false; n] };
        loop {
            let mut changed = false;
            for id in 0..n {
                let variants = fields_of(id);
                let boxed = facts.boxing[id].iter().flatten().any(|b| b.is_some());
                let copy = !boxed && variants.iter().flatten().all(|t| facts.is_copy(t));
                let hashable = variants.iter().flatten().all(|t| facts.is_hashable(t));
                let has_fn = variants.iter().flatten().any(|t| facts.contains_fn(t));
                if copy != facts.copy[id] || hashable != facts.hashable[id] || has_fn != facts.has_fn[id] {
                    facts.copy[id] = copy;
                    facts.hashable[id] = hashable;
                    facts.has_fn[id] = has_fn;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        facts
    }

    /// Copy types are passed and read by value; everything else by
    /// reference, cloned where a value is needed.
    ///
    /// A type parameter (in a generic type's definition) counts as `Copy`
    /// and hashable and as holding no function: the derive bounds it, and a
    /// use checks the arguments.
    pub fn is_copy(&self, t: &Ty) -> bool {
        match t {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Unit | Ty::Never | Ty::Param(..) => true,
            Ty::Tuple(ts) => ts.iter().all(|t| self.is_copy(t)),
            Ty::Optional(t) => self.is_copy(t),
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                self.copy.get(id.0 as usize).copied().unwrap_or(false) && args.iter().all(|t| self.is_copy(t))
            }
            _ => false,
        }
    }

    fn is_hashable(&self, t: &Ty) -> bool {
        match t {
            Ty::Int | Ty::Bool | Ty::Str | Ty::Unit | Ty::Never | Ty::Param(..) => true,
            Ty::List(t) | Ty::Optional(t) | Ty::Result(t) => self.is_hashable(t),
            Ty::Tuple(ts) => ts.iter().all(|t| self.is_hashable(t)),
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                self.hashable.get(id.0 as usize).copied().unwrap_or(false) && args.iter().all(|t| self.is_hashable(t))
            }
            _ => false,
        }
    }

    pub fn contains_fn(&self, t: &Ty) -> bool {
        match t {
            Ty::Fn(..) => true,
            Ty::List(t) | Ty::Optional(t) | Ty::Result(t) => self.contains_fn(t),
            Ty::Map(k, v) => self.contains_fn(k) || self.contains_fn(v),
            Ty::Tuple(ts) => ts.iter().any(|t| self.contains_fn(t)),
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                self.has_fn.get(id.0 as usize).copied().unwrap_or(false) || args.iter().any(|t| self.contains_fn(t))
            }
            _ => false,
        }
    }

    /// The boxing of field `field` of variant `variant` (0 for structs).
    pub fn boxing(&self, tid: TypeId, variant: usize, field: usize) -> Option<Boxing> {
        self.boxing.get(tid.0 as usize)?.get(variant)?.get(field).copied().flatten()
    }
}

/// User types stored inline in a value of type `t`. A generic type's
/// arguments count as inline (its parameters may be stored so): boxing a
/// field that did not need it costs an allocation, not a wrong program.
fn inline_types(t: &Ty, out: &mut Vec<usize>) {
    match t {
        Ty::Struct(id, args) | Ty::Enum(id, args) => {
            out.push(id.0 as usize);
            args.iter().for_each(|t| inline_types(t, out));
        }
        Ty::Optional(t) | Ty::Result(t) => inline_types(t, out),
        Ty::Tuple(ts) => ts.iter().for_each(|t| inline_types(t, out)),
        _ => {}
    }
}

/// Names of modules and types as seen from one module.
pub(crate) struct TypeNames<'a> {
    pub ck: &'a CheckResult,
    pub module_names: &'a [String],
    pub here: ModuleId,
}

impl TypeNames<'_> {
    /// The path of user type `id` from the current module.
    pub fn type_path(&self, id: TypeId) -> TokenStream {
        let def = self.ck.types.get(id);
        let name = names::item(&def.name);
        if def.module == crate::ty::BUILTIN_MODULE {
            // Defined once in the runtime (with its `Show` and `Dyn`).
            let plain = names::plain(&def.name);
            return quote!(::aether_rt::prelude::#plain);
        }
        if def.module == self.here {
            quote!(#name)
        } else {
            let m = names::plain(&self.module_names[def.module.0 as usize]);
            quote!(crate::#m::#name)
        }
    }

    pub fn rust_ty(&self, t: &Ty) -> TokenStream {
        match t {
            Ty::Int => quote!(i64),
            Ty::Float => quote!(f64),
            Ty::Bool => quote!(bool),
            Ty::Str => quote!(String),
            Ty::Unit | Ty::Error | Ty::Var(_) => quote!(()),
            // Only in a generic type's definition (generic functions are
            // generated per instance, with concrete types).
            Ty::Param(_, name) => {
                let n = names::item(name);
                quote!(#n)
            }
            Ty::Never => quote!(()),
            Ty::List(t) => {
                let t = self.rust_ty(t);
                quote!(Vec<#t>)
            }
            Ty::Map(k, v) => {
                let (k, v) = (self.rust_ty(k), self.rust_ty(v));
                quote!(::aether_rt::Map<#k, #v>)
            }
            Ty::Optional(t) => {
                let t = self.rust_ty(t);
                quote!(Option<#t>)
            }
            Ty::Result(t) => {
                let t = self.rust_ty(t);
                quote!(Result<#t, ::aether_rt::Error>)
            }
            Ty::Tuple(ts) => {
                let ts = ts.iter().map(|t| self.rust_ty(t));
                quote!((#(#ts),*))
            }
            Ty::Fn(ps, r) => {
                let ps = ps.iter().map(|t| self.rust_ty(t));
                let r = self.rust_ty(r);
                quote!(::std::rc::Rc<dyn Fn(&mut crate::Ctx #(, #ps)*) -> #r>)
            }
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                let path = self.type_path(*id);
                if args.is_empty() {
                    return path;
                }
                let args = args.iter().map(|t| self.rust_ty(t));
                quote!(#path<#(#args),*>)
            }
        }
    }

    /// `<A, B>` after a generic type's name in its definition and impls
    /// (nothing for other types); `bound` is each parameter's bound.
    pub fn type_params(&self, id: TypeId, bound: Option<TokenStream>) -> (TokenStream, TokenStream) {
        let def = self.ck.types.get(id);
        if def.generics.is_empty() {
            return (quote!(), quote!());
        }
        let ps: Vec<_> = def.generics.iter().map(|g| names::item(g)).collect();
        let decl = match bound {
            Some(b) => quote!(<#(#ps: #b),*>),
            None => quote!(<#(#ps),*>),
        };
        (decl, quote!(<#(#ps),*>))
    }

    /// The Rust type of a field, with its boxing.
    pub fn field_ty(&self, t: &Ty, boxing: Option<Boxing>) -> TokenStream {
        match (boxing, t) {
            (Some(Boxing::Opt), Ty::Optional(inner)) => {
                let inner = self.rust_ty(inner);
                quote!(Option<Box<#inner>>)
            }
            (Some(_), _) => {
                let t = self.rust_ty(t);
                quote!(Box<#t>)
            }
            (None, _) => self.rust_ty(t),
        }
    }

    /// A placeholder value of type `t`: the initial content of a `state`
    /// before its initializer runs.
    pub fn zero(&self, t: &Ty, facts: &TypeFacts, visiting: &mut Vec<TypeId>) -> TokenStream {
        match t {
            Ty::Int => quote!(0),
            Ty::Float => quote!(0.0),
            Ty::Bool => quote!(false),
            Ty::Str => quote!(String::new()),
            Ty::Unit | Ty::Never | Ty::Error | Ty::Var(_) | Ty::Param(..) => quote!(()),
            Ty::List(_) => quote!(Vec::new()),
            Ty::Map(..) => quote!(::aether_rt::Map::new()),
            Ty::Optional(_) => quote!(None),
            Ty::Result(t) => {
                let z = self.zero(t, facts, visiting);
                quote!(Ok::<_, ::aether_rt::Error>(#z))
            }
            Ty::Tuple(ts) => {
                let zs = ts.iter().map(|t| self.zero(t, facts, visiting));
                quote!((#(#zs),*))
            }
            Ty::Fn(ps, _) => {
                // Typed: inside a tuple an `Rc<closure>` is not coerced to
                // the `Rc<dyn Fn>` of the type.
                let us = ps.iter().map(|_| quote!(_));
                let rt = self.rust_ty(t);
                quote!({ let __f: #rt = ::std::rc::Rc::new(|_: &mut crate::Ctx #(, #us)*| unreachable!()); __f })
            }
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                let path = self.type_path(*id);
                visiting.push(*id);
                let table = &self.ck.types;
                let out = match &self.ck.types.get(*id).kind {
                    TypeDefKind::Struct(s) => {
                        let fs = s.fields.iter().enumerate().map(|(i, f)| {
                            let name = names::ident(&f.name);
                            let ft = table.field_ty(f, args);
                            let z = self.boxed_zero(&ft, facts.boxing(*id, 0, i), facts, visiting);
                            quote!(#name: #z)
                        });
                        quote!(#path { #(#fs),* })
                    }
                    TypeDefKind::Enum(e) => {
                        // A unit variant if there is one, so recursion stops.
                        let pick = e.variants.iter().position(|v| v.fields.is_empty()).unwrap_or(0);
                        match e.variants.get(pick) {
                            Some(v) => {
                                let vname = names::ident(&v.name);
                                if v.fields.is_empty() {
                                    quote!(#path::#vname)
                                } else {
                                    let fs = v.fields.iter().enumerate().map(|(i, f)| {
                                        let name = names::ident(&f.name);
                                        let ft = table.field_ty(f, args);
                                        let z = self.boxed_zero(&ft, facts.boxing(*id, pick, i), facts, visiting);
                                        quote!(#name: #z)
                                    });
                                    quote!(#path::#vname { #(#fs),* })
                                }
                            }
                            None => quote!(unreachable!()),
                        }
                    }
                };
                visiting.pop();
                out
            }
        }
    }

    fn boxed_zero(&self, t: &Ty, boxing: Option<Boxing>, facts: &TypeFacts, visiting: &mut Vec<TypeId>) -> TokenStream {
        match boxing {
            Some(Boxing::Opt) => quote!(None),
            Some(Boxing::Whole) => {
                let z = self.zero(t, facts, visiting);
                quote!(Box::new(#z))
            }
            None => self.zero(t, facts, visiting),
        }
    }
}

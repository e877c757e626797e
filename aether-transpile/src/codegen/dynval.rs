//! `impl aether_rt::dynval::Dyn` for the user types of a module: how a hot
//! reload carries `state` into a changed type, field by field.
//!
//! Generated only with `Shared::dyn_impls` set, so the static build is
//! unchanged. The rules live in the runtime (`aether_rt::dynval`, described
//! in `docs/state-migration.md`); this file supplies what only the
//! generator knows: each type's Aether name, its fields and variants by
//! name, and the value a field takes when it is new or cannot be carried
//! over (its declared default, else its type's zero value).
//!
//! `to_dyn` names fields and variants by their Aether names; `from_dyn`
//! asks the `aether_rt::dynval::Migration` for each field of the new type by name,
//! so reordered fields are matched, new fields get their fallback, and old
//! fields nobody asked for are logged as dropped.

use super::names;
use super::types::{Boxing, TypeFacts, TypeNames};
use super::{format_file, items, Shared};
use crate::ast::ItemKind;
use crate::check::CheckResult;
use crate::diagnostic::Diagnostic;
use crate::project::Program;
use crate::ty::{FieldDef, ModuleId, Ty, TypeDef, TypeDefKind, TypeId};
use aether_rt::dynval::MAX_TUPLE;
use proc_macro2::TokenStream;
use quote::quote;

/// The formatted Rust of one module as the `--hmr` build generates it with
/// `Shared::dyn_impls` on, or the constructs it could not generate (none
/// for a module `m` the program does not have).
pub fn expand_module_with_dyn_impls(
    program: &Program,
    checked: &CheckResult,
    m: ModuleId,
) -> Result<String, Vec<Diagnostic>> {
    if m.0 as usize >= program.modules.len() {
        return Ok(String::new());
    }
    let mut shared = Shared::new(program, checked);
    shared.dyn_impls = true;
    let (ts, errors) = crate::with_stack(|| items::expand(program, checked, &shared, m));
    if !errors.is_empty() {
        return Err(super::in_reading_order(errors));
    }
    Ok(format_file(ts))
}

/// `impl ::aether_rt::dynval::Dyn` for every struct and enum declared in
/// module `m`, and what could not be generated.
pub(crate) fn expand_dyn_impls(
    program: &Program,
    ck: &CheckResult,
    shared: &Shared,
    m: ModuleId,
) -> (TokenStream, Vec<Diagnostic>) {
    let names_ = TypeNames { ck, module_names: &shared.module_names, here: m };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, def) in ck.types.defs.iter().enumerate().filter(|(_, d)| d.module == m) {
        let tid = TypeId(i as u32);
        let fields = match &def.kind {
            TypeDefKind::Struct(s) => s.fields.iter().collect::<Vec<_>>(),
            TypeDefKind::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
        };
        if let Some(f) = fields.iter().find(|f| longest_tuple(&f.ty) > MAX_TUPLE) {
            errors.push(super::refusal(
                f.span,
                format!(
                    "{}.{}: a tuple of more than {MAX_TUPLE} elements cannot be carried across a hot reload",
                    def.name, f.name
                ),
            ));
            continue;
        }
        let gen = TypeGen { names: &names_, facts: &shared.facts, tid, def };
        out.push(match &def.kind {
            TypeDefKind::Struct(s) => gen.struct_impl(&s.fields, declared_defaults(program, m, def), shared),
            TypeDefKind::Enum(e) => gen.enum_impl(&e.variants),
        });
    }
    (quote!(#(#out)*), errors)
}

struct TypeGen<'a> {
    names: &'a TypeNames<'a>,
    facts: &'a TypeFacts,
    tid: TypeId,
    def: &'a TypeDef,
}

impl TypeGen<'_> {
    /// `impl<A: Dyn, ..>` and `Pair<A, ..>` for a generic type (nothing
    /// otherwise), and its `dyn_type()` body: `Pair<int, str>` from its
    /// arguments' own.
    fn generic_parts(&self) -> (TokenStream, TokenStream, TokenStream) {
        let (params, args) = self.names.type_params(self.tid, Some(quote!(::aether_rt::dynval::Dyn)));
        let ty_name = &self.def.name;
        if self.def.generics.is_empty() {
            return (params, args, quote!(::std::string::String::from(#ty_name)));
        }
        let ps = self.def.generics.iter().map(|g| names::item(g));
        let dyn_type = quote! {{
            let __args: ::std::vec::Vec<::std::string::String> =
                ::std::vec![#(<#ps as ::aether_rt::dynval::Dyn>::dyn_type()),*];
            ::std::format!("{}<{}>", #ty_name, __args.join(", "))
        }};
        (params, args, dyn_type)
    }

    fn struct_impl(&self, fields: &[FieldDef], has_default: Vec<bool>, shared: &Shared) -> TokenStream {
        let path = self.names.type_path(self.tid);
        let ty_name = &self.def.name;
        let (params, args, dyn_type) = self.generic_parts();
        let to_fields = fields.iter().map(|f| {
            let n = names::ident(&f.name);
            let name = &f.name;
            quote!((::std::string::String::from(#name), ::aether_rt::dynval::Dyn::to_dyn(&self.#n)))
        });
        // A default that reads program state needs `ctx`, which migration
        // does not have: such a field falls back to its zero value.
        let defaults_need_ctx = shared.needs.defaults.get(self.tid.0 as usize).copied().unwrap_or(false);
        let from_fields = fields.iter().enumerate().map(|(fi, f)| {
            let n = names::ident(&f.name);
            let name = &f.name;
            if has_default.get(fi).copied().unwrap_or(false) && !defaults_need_ctx {
                let d = quote::format_ident!("__default_{}", f.name);
                quote!(#n: __m.field(__f, #name, || Self::#d()))
            } else {
                self.zero_field(f, 0, fi)
            }
        });
        let kept = fields.iter().map(|f| &f.name);
        quote! {
            impl #params ::aether_rt::dynval::Dyn for #path #args {
                fn to_dyn(&self) -> ::aether_rt::dynval::Value {
                    ::aether_rt::dynval::Value::Struct {
                        ty: ::std::string::String::from(#ty_name),
                        fields: ::std::vec![#(#to_fields),*],
                    }
                }
                fn from_dyn(
                    __v: &::aether_rt::dynval::Value,
                    __m: &mut ::aether_rt::dynval::Migration,
                ) -> ::std::option::Option<Self> {
                    let __f = __m.struct_fields(__v, #ty_name)?;
                    let __out = #path { #(#from_fields),* };
                    __m.drop_others(__f, &[#(#kept),*]);
                    ::std::option::Option::Some(__out)
                }
                fn dyn_type() -> ::std::string::String {
                    #dyn_type
                }
            }
        }
    }

    fn enum_impl(&self, variants: &[crate::ty::VariantDef]) -> TokenStream {
        let path = self.names.type_path(self.tid);
        let ty_name = &self.def.name;
        let (params, args, dyn_type) = self.generic_parts();
        let to_arms = variants.iter().map(|v| {
            let vn = names::ident(&v.name);
            let vname = &v.name;
            let binds: Vec<_> = (0..v.fields.len()).map(|i| quote::format_ident!("__f{}", i)).collect();
            let idents = v.fields.iter().map(|f| names::ident(&f.name));
            let pairs = v.fields.iter().zip(&binds).map(|(f, b)| {
                let name = &f.name;
                quote!((::std::string::String::from(#name), ::aether_rt::dynval::Dyn::to_dyn(#b)))
            });
            let pattern =
                if v.fields.is_empty() { quote!(#path::#vn) } else { quote!(#path::#vn { #(#idents: #binds),* }) };
            quote! {
                #pattern => ::aether_rt::dynval::Value::Variant {
                    ty: ::std::string::String::from(#ty_name),
                    variant: ::std::string::String::from(#vname),
                    fields: ::std::vec![#(#pairs),*],
                },
            }
        });
        let from_arms = variants.iter().enumerate().map(|(vi, v)| {
            let vn = names::ident(&v.name);
            let vname = &v.name;
            let value = if v.fields.is_empty() {
                quote!(#path::#vn)
            } else {
                let fs = v.fields.iter().enumerate().map(|(fi, f)| self.zero_field(f, vi, fi));
                quote!(#path::#vn { #(#fs),* })
            };
            let kept = v.fields.iter().map(|f| &f.name);
            quote! {
                #vname => __m.in_variant(#vname, |__m| {
                    let __out = #value;
                    __m.drop_others(__f, &[#(#kept),*]);
                    ::std::option::Option::Some(__out)
                }),
            }
        });
        // The zero value replaces an element of a list or map whose
        // variant is gone; a placeholder function must not.
        // A generic enum's own type: its parameters as arguments.
        let own = Ty::Enum(
            self.tid,
            self.def.generics.iter().enumerate().map(|(i, g)| Ty::Param(i as u32, g.clone())).collect(),
        );
        // The zero value is the first unit variant (else the first): of a
        // generic enum, only if its fields need no value of a parameter.
        let pick = variants.iter().position(|v| v.fields.is_empty()).unwrap_or(0);
        let needs_param = variants.get(pick).is_some_and(|v| v.fields.iter().any(|f| zero_needs_param(&f.ty)));
        let zero = if zero_has_fn(self.names.ck, self.facts, &own, &mut Vec::new()) || needs_param {
            quote!()
        } else {
            let z = self.names.zero(&own, self.facts, &mut Vec::new());
            quote! {
                fn dyn_zero() -> ::std::option::Option<Self> {
                    ::std::option::Option::Some(#z)
                }
            }
        };
        quote! {
            impl #params ::aether_rt::dynval::Dyn for #path #args {
                fn to_dyn(&self) -> ::aether_rt::dynval::Value {
                    match self { #(#to_arms)* }
                }
                fn from_dyn(
                    __v: &::aether_rt::dynval::Value,
                    __m: &mut ::aether_rt::dynval::Migration,
                ) -> ::std::option::Option<Self> {
                    let (__variant, __f) = __m.variant(__v, #ty_name)?;
                    match __variant {
                        #(#from_arms)*
                        __other => __m.removed_variant(__other, #ty_name),
                    }
                }
                fn dyn_type() -> ::std::string::String {
                    #dyn_type
                }
                #zero
            }
        }
    }

    /// `name: <migrated>` for field `fi` of variant `vi` (0 for structs)
    /// that falls back to its zero value. A zero value holding a function is
    /// a placeholder that panics when called: never left in live state.
    ///
    /// A field whose zero value would need a value of a type parameter
    /// (`first: A` of `Pair<A, B>`) has none to fall back on: it takes the
    /// type's `dyn_zero()` if it has one, else the value holding it cannot
    /// be carried over (`Migration::field_generic`).
    fn zero_field(&self, f: &FieldDef, vi: usize, fi: usize) -> TokenStream {
        let n = names::ident(&f.name);
        let name = &f.name;
        let boxing = self.facts.boxing(self.tid, vi, fi);
        if boxing != Some(Boxing::Opt) && zero_needs_param(&f.ty) {
            return match boxing {
                Some(_) => quote!(#n: ::std::boxed::Box::new(__m.field_generic(__f, #name)?)),
                None => quote!(#n: __m.field_generic(__f, #name)?),
            };
        }
        let zero = match boxing {
            Some(Boxing::Opt) => quote!(::std::option::Option::None),
            Some(Boxing::Whole) => {
                let z = self.names.zero(&f.ty, self.facts, &mut Vec::new());
                quote!(::std::boxed::Box::new(#z))
            }
            None => self.names.zero(&f.ty, self.facts, &mut Vec::new()),
        };
        if boxing != Some(Boxing::Opt) && zero_has_fn(self.names.ck, self.facts, &f.ty, &mut Vec::new()) {
            quote!(#n: __m.field_or_init(__f, #name, || #zero))
        } else {
            quote!(#n: __m.field(__f, #name, || #zero))
        }
    }
}

/// Per field of struct `def`: whether `items` generated a
/// `__default_<field>()` for it (the same lookup `defaults_impl` does).
fn declared_defaults(program: &Program, m: ModuleId, def: &TypeDef) -> Vec<bool> {
    program
        .module(m)
        .ast
        .items
        .iter()
        .find_map(|it| match &it.kind {
            ItemKind::Struct(s) if s.name.name == def.name => {
                Some(s.fields.iter().map(|f| f.default.is_some()).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Whether `TypeNames::zero(t)` holds a function value (it mirrors that
/// function's choices: every struct field, an enum's first unit variant).
fn zero_has_fn(ck: &CheckResult, facts: &TypeFacts, t: &Ty, visiting: &mut Vec<TypeId>) -> bool {
    match t {
        Ty::Fn(..) => true,
        Ty::Tuple(ts) => ts.iter().any(|t| zero_has_fn(ck, facts, t, visiting)),
        Ty::Result(t) => zero_has_fn(ck, facts, t, visiting),
        Ty::Struct(id, _) | Ty::Enum(id, _) => {
            if visiting.contains(id) {
                return false;
            }
            visiting.push(*id);
            let (variant, fields) = match &ck.types.get(*id).kind {
                TypeDefKind::Struct(s) => (0, s.fields.as_slice()),
                TypeDefKind::Enum(e) => {
                    let pick = e.variants.iter().position(|v| v.fields.is_empty()).unwrap_or(0);
                    (pick, e.variants.get(pick).map(|v| v.fields.as_slice()).unwrap_or(&[]))
                }
            };
            let out = fields.iter().enumerate().any(|(fi, f)| {
                facts.boxing(*id, variant, fi) != Some(Boxing::Opt) && zero_has_fn(ck, facts, &f.ty, visiting)
            });
            visiting.pop();
            out
        }
        _ => false,
    }
}

/// Whether `TypeNames::zero(t)` would need a value of a type parameter: a
/// parameter stored inline, or a generic type's argument that holds one
/// (taken as needed without looking further).
fn zero_needs_param(t: &Ty) -> bool {
    match t {
        Ty::Param(..) => true,
        Ty::Tuple(ts) => ts.iter().any(zero_needs_param),
        Ty::Result(t) => zero_needs_param(t),
        Ty::Struct(_, args) | Ty::Enum(_, args) => args.iter().any(Ty::has_param),
        _ => false,
    }
}

/// The most elements of any tuple type inside `t` (0 without tuples).
fn longest_tuple(t: &Ty) -> usize {
    match t {
        Ty::Tuple(ts) => ts.iter().map(longest_tuple).max().unwrap_or(0).max(ts.len()),
        Ty::List(t) | Ty::Optional(t) | Ty::Result(t) => longest_tuple(t),
        Ty::Map(k, v) => longest_tuple(k).max(longest_tuple(v)),
        _ => 0,
    }
}

//! Semantic types: what the checker computes, shared with the match
//! exhaustiveness check and (later) code generation.

use crate::source::Span;
use std::fmt;

index_types! {
    /// A module of a [`crate::project::Program`], by index.
    ModuleId;
    /// A user `struct` or `enum`, by index into [`TypeTable`].
    TypeId;
    /// An inference variable, solved by unification.
    TyVar;
}

/// The "module" of the types built into the language (`CommandOutput`):
/// no module of a program has this index. Generated code names them in the
/// runtime (`aether_rt::prelude::CommandOutput`) instead of defining them.
pub const BUILTIN_MODULE: ModuleId = ModuleId(u32::MAX);

/// `CommandOutput { status: int, stdout: str, stderr: str }`, what
/// `run_command` returns: the first type of every program's table.
pub const COMMAND_OUTPUT: TypeId = TypeId(0);

/// `import json`'s `Json` enum (`Null | Bool(b) | Number(n) | Str(s) |
/// Array(items) | Object(fields)`): the second type of every table.
pub const JSON: TypeId = TypeId(1);

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Str,
    /// `()`
    Unit,
    /// The type of `return`, `break`, `panic(...)`: fits anywhere.
    Never,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    /// `T?`
    Optional(Box<Ty>),
    /// `T!`: a `T` or an error message.
    Result(Box<Ty>),
    /// Never empty or a single element: `()` is [`Ty::Unit`].
    Tuple(Vec<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    /// A user struct with its type arguments (`Pair<int, str>`; empty for a
    /// type without parameters). The definition's field types hold
    /// [`Ty::Param`]s of the type, replaced by these at each use
    /// ([`TypeTable::field_ty`]).
    Struct(TypeId, Vec<Ty>),
    /// A user enum with its type arguments, as [`Ty::Struct`].
    Enum(TypeId, Vec<Ty>),
    /// Not yet known (an empty `[]`, an unannotated closure parameter).
    Var(TyVar),
    /// The `index`-th type parameter of the generic function being checked
    /// (`T` in `fn first<T>(xs: [T]) -> T?`), by index and name. Only
    /// generic signatures and bodies hold it; every instance of a generic
    /// function is checked again with concrete types (`check/generics.rs`).
    /// The field types of a generic struct or enum hold it too (`A` in
    /// `struct Pair<A, B>`), substituted by the type arguments at each use.
    Param(u32, String),
    /// The type of an expression that already produced an error; it unifies
    /// with everything so one mistake is reported once.
    Error,
}

impl Ty {
    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }
    pub fn optional(t: Ty) -> Ty {
        Ty::Optional(Box::new(t))
    }
    pub fn result(t: Ty) -> Ty {
        Ty::Result(Box::new(t))
    }
    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Box::new(k), Box::new(v))
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// `self` with each type parameter `Param(i)` replaced by `args[i]`.
    pub fn subst(&self, args: &[Ty]) -> Ty {
        match self {
            Ty::Param(i, _) => args.get(*i as usize).cloned().unwrap_or(Ty::Error),
            Ty::List(e) => Ty::list(e.subst(args)),
            Ty::Map(k, v) => Ty::map(k.subst(args), v.subst(args)),
            Ty::Optional(e) => Ty::optional(e.subst(args)),
            Ty::Result(e) => Ty::result(e.subst(args)),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| t.subst(args)).collect()),
            Ty::Fn(ps, r) => Ty::Fn(ps.iter().map(|t| t.subst(args)).collect(), Box::new(r.subst(args))),
            Ty::Struct(id, ts) => Ty::Struct(*id, ts.iter().map(|t| t.subst(args)).collect()),
            Ty::Enum(id, ts) => Ty::Enum(*id, ts.iter().map(|t| t.subst(args)).collect()),
            other => other.clone(),
        }
    }

    /// Whether a type parameter occurs in `self`.
    pub fn has_param(&self) -> bool {
        match self {
            Ty::Param(..) => true,
            Ty::List(e) | Ty::Optional(e) | Ty::Result(e) => e.has_param(),
            Ty::Map(k, v) => k.has_param() || v.has_param(),
            Ty::Tuple(ts) | Ty::Struct(_, ts) | Ty::Enum(_, ts) => ts.iter().any(Ty::has_param),
            Ty::Fn(ps, r) => ps.iter().any(Ty::has_param) || r.has_param(),
            _ => false,
        }
    }

    /// Show the type as the user writes it (`[int]`, `{str: Ball}`, `float?`).
    pub fn display<'a>(&'a self, table: &'a TypeTable) -> DisplayTy<'a> {
        DisplayTy { ty: self, table }
    }
}

pub struct DisplayTy<'a> {
    ty: &'a Ty,
    table: &'a TypeTable,
}

impl fmt::Display for DisplayTy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = self.table;
        match self.ty {
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::Bool => f.write_str("bool"),
            Ty::Str => f.write_str("str"),
            Ty::Unit => f.write_str("()"),
            Ty::Never => f.write_str("never"),
            Ty::List(t) => write!(f, "[{}]", t.display(table)),
            Ty::Map(k, v) => write!(f, "{{{}: {}}}", k.display(table), v.display(table)),
            Ty::Optional(t) => match **t {
                Ty::Fn(..) => write!(f, "({})?", t.display(table)),
                _ => write!(f, "{}?", t.display(table)),
            },
            Ty::Result(t) => match **t {
                Ty::Fn(..) => write!(f, "({})!", t.display(table)),
                _ => write!(f, "{}!", t.display(table)),
            },
            Ty::Tuple(ts) => {
                f.write_str("(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", t.display(table))?;
                }
                f.write_str(")")
            }
            Ty::Fn(params, ret) => {
                f.write_str("fn(")?;
                for (i, t) in params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", t.display(table))?;
                }
                f.write_str(")")?;
                if **ret != Ty::Unit {
                    write!(f, " -> {}", ret.display(table))?;
                }
                Ok(())
            }
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                f.write_str(&table.get(*id).name)?;
                if !args.is_empty() {
                    f.write_str("<")?;
                    for (i, t) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}", t.display(table))?;
                    }
                    f.write_str(">")?;
                }
                Ok(())
            }
            Ty::Var(_) => f.write_str("_"),
            Ty::Param(_, name) => f.write_str(name),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

/// Every user type of a program.
#[derive(Clone, Debug, Default)]
pub struct TypeTable {
    pub defs: Vec<TypeDef>,
}

impl TypeTable {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.defs[id.0 as usize]
    }

    pub fn add(&mut self, def: TypeDef) -> TypeId {
        self.defs.push(def);
        TypeId(self.defs.len() as u32 - 1)
    }

    pub fn as_struct(&self, id: TypeId) -> Option<&StructDef> {
        match &self.get(id).kind {
            TypeDefKind::Struct(s) => Some(s),
            TypeDefKind::Enum(_) => None,
        }
    }

    pub fn as_enum(&self, id: TypeId) -> Option<&EnumDef> {
        match &self.get(id).kind {
            TypeDefKind::Enum(e) => Some(e),
            TypeDefKind::Struct(_) => None,
        }
    }

    /// The type of a field (`f.ty` of `id`'s definition) in a value of
    /// `id<args>`: the type's parameters replaced by `args`.
    pub fn field_ty(&self, f: &FieldDef, args: &[Ty]) -> Ty {
        if args.is_empty() {
            f.ty.clone()
        } else {
            f.ty.subst(args)
        }
    }
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    /// The type parameters of a generic struct or enum (`A`, `B` of
    /// `struct Pair<A, B>`), by index; empty for the others.
    pub generics: Vec<String>,
    pub module: ModuleId,
    pub is_pub: bool,
    pub span: Span,
    pub kind: TypeDefKind,
}

impl TypeDef {
    /// Every field of the type: a struct's, or those of each variant of an
    /// enum in order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        let (fields, variants): (&[FieldDef], &[VariantDef]) = match &self.kind {
            TypeDefKind::Struct(s) => (&s.fields, &[]),
            TypeDefKind::Enum(e) => (&[], &e.variants),
        };
        fields.iter().chain(variants.iter().flat_map(|v| &v.fields))
    }
}

#[derive(Clone, Debug)]
pub enum TypeDefKind {
    Struct(StructDef),
    Enum(EnumDef),
}

#[derive(Clone, Debug, Default)]
pub struct StructDef {
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub has_default: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct EnumDef {
    pub variants: Vec<VariantDef>,
}

impl EnumDef {
    pub fn variant(&self, name: &str) -> Option<(usize, &VariantDef)> {
        self.variants.iter().enumerate().find(|(_, v)| v.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub span: Span,
}

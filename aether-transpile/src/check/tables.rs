//! The side tables the checker leaves for code generation. The AST stays
//! untyped; everything learned about it is keyed by [`NodeId`] here.

use crate::ast::NodeId;
use crate::source::Span;
use crate::ty::{ModuleId, Ty, TypeId};
use std::collections::HashMap;

index_types! {
    /// A user function or method, by index into [`super::CheckResult::fns`].
    FnId;
    /// A `const` or `state`, by index into [`super::CheckResult::globals`].
    GlobalId;
    /// A local variable or parameter, by index into [`ModuleTables::locals`]
    /// of the module it is declared in.
    LocalId;
}

#[derive(Clone, Debug)]
pub struct FnInfo {
    pub name: String,
    pub module: ModuleId,
    pub is_pub: bool,
    /// The type of a method or associated function (`fn Ball.fall`).
    pub receiver: Option<TypeId>,
    /// `Some(mutable)` when the method takes `self` / `mut self`.
    pub self_param: Option<bool>,
    pub params: Vec<ParamInfo>,
    pub ret: Ty,
    /// The function's name.
    pub span: Span,
    /// Index into the module's `ast.items`.
    pub item: usize,
    /// For an `extern fn`: the Rust path of the host function it calls.
    pub host: Option<String>,
    /// The type parameters of a generic function (`<T, U>`), in order;
    /// its signature holds them as [`Ty::Param`].
    pub generics: Vec<String>,
}

impl FnInfo {
    pub fn is_generic(&self) -> bool {
        !self.generics.is_empty()
    }

    /// The signature of the instance for the type arguments `args`.
    pub fn instantiate(&self, args: &[Ty]) -> FnInfo {
        let mut info = self.clone();
        for p in &mut info.params {
            p.ty = p.ty.subst(args);
        }
        info.ret = info.ret.subst(args);
        info
    }

    /// The type of the function as a value (methods: without `self`).
    pub fn fn_ty(&self) -> Ty {
        Ty::Fn(self.params.iter().map(|p| p.ty.clone()).collect(), Box::new(self.ret.clone()))
    }
}

#[derive(Clone, Debug)]
pub struct ParamInfo {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
    /// The local the parameter is bound to inside the body.
    pub local: Option<LocalId>,
}

#[derive(Clone, Debug)]
pub struct GlobalInfo {
    pub name: String,
    pub module: ModuleId,
    pub is_pub: bool,
    /// `state` (mutable module state) rather than `const`.
    pub is_state: bool,
    pub ty: Ty,
    pub span: Span,
    /// Index into the module's `ast.items`.
    pub item: usize,
}

/// What a module-level name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemRef {
    Fn(FnId),
    Type(TypeId),
    Global(GlobalId),
}

/// What a `Name`, `Field` (incl. a call's callee), `SelfValue` or
/// `StructLit` expression resolved to.
#[derive(Clone, Debug, PartialEq)]
pub enum Res {
    Local(LocalId),
    /// `self` inside a method.
    SelfValue,
    /// A user function; also `Ball.new` (associated function) and
    /// `physics.step` (module member).
    Fn(FnId),
    /// `b.fall(...)`: a method called on the receiver `b`.
    Method(FnId),
    Global(GlobalId),
    /// A module name (`physics` in `physics.step`).
    Module(ModuleId),
    /// A type name (`Shape` in `Shape.Empty`, the struct of a literal).
    Type(TypeId),
    /// An enum variant: a unit value or, as a callee, its constructor.
    Variant(TypeId, usize),
    /// A struct field.
    Field(TypeId, usize),
    /// A prelude function (`println`, `some`, `float`, ...).
    Builtin(&'static str),
    /// A method of `str`, lists or maps, named like `str.split`,
    /// `list.push`, `map.get`.
    BuiltinMethod(&'static str),
    /// A member of the built-in `math` module (`sqrt`, `PI`).
    Math(&'static str),
}

/// An implicit conversion applied to an expression's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coercion {
    /// `T` → `T?`
    WrapSome,
    /// `T` → `T!`
    WrapOk,
}

/// What a pattern node means.
#[derive(Clone, Debug, PartialEq)]
pub enum PatRes {
    /// Binds the matched value.
    Binding(LocalId),
    /// `if let x = opt`: binds the inside of a `T?` / the ok value of a `T!`.
    Unwrap(LocalId),
    Variant(TypeId, usize),
    /// `Point { x, .. }`: a struct pattern of this struct.
    Struct(TypeId),
    Some,
    Ok,
    Err,
}

#[derive(Clone, Debug)]
pub struct LocalInfo {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
}

/// The side tables of one module.
#[derive(Clone, Debug, Default)]
pub struct ModuleTables {
    /// Module-level names: fns (not methods), types, consts and states.
    pub items: HashMap<String, ItemRef>,
    /// The type of every checked expression (inference variables solved;
    /// anything left unknown is [`Ty::Error`]). Static prefixes (a module
    /// or type name before `.`) and callees naming a prelude or `math`
    /// function have a resolution but no type.
    pub expr_types: HashMap<NodeId, Ty>,
    /// The type each pattern node matches against.
    pub pat_types: HashMap<NodeId, Ty>,
    pub resolutions: HashMap<NodeId, Res>,
    pub coercions: HashMap<NodeId, Coercion>,
    pub patterns: HashMap<NodeId, PatRes>,
    pub locals: Vec<LocalInfo>,
    /// For each closure expression, the enclosing locals it reads (it
    /// holds copies of them), in order of first use.
    pub captures: HashMap<NodeId, Vec<LocalId>>,
    /// The type arguments of each use of a generic function (a callee or a
    /// function value naming it), by the node naming it.
    pub instantiations: HashMap<NodeId, Vec<Ty>>,
}

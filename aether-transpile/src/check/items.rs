//! Item collection: every module's fns, methods, types, consts and states,
//! with duplicate detection, attribute and hook rules, signature types, and
//! the infinite-size check for recursive types.

use super::{suggest, Checker, FnId, FnInfo, GlobalId, GlobalInfo, GlobalState, ItemRef, ParamInfo};
use crate::ast::{self, Ident, ItemKind, TypeExpr, TypeExprKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::ty::{
    EnumDef, FieldDef, ModuleId, StructDef, Ty, TypeDef, TypeDefKind, TypeId, VariantDef, BUILTIN_MODULE,
    COMMAND_OUTPUT, JSON,
};
use std::collections::HashMap;

/// What an imported name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ImportTarget {
    User(ModuleId),
    /// The built-in `math` module.
    Math,
    /// The built-in `json` module (its `Json` type, `parse`, `stringify`).
    Json,
}

const PRIMITIVES: &[&str] = &["int", "float", "bool", "str"];
const HOOKS: &[&str] = &["on_reload", "before_reload"];
/// `@migrate fn migrate_<state>(old: T) -> S`: takes over the migration of
/// `state <state>` of its module when its type changes under --hmr.
pub(crate) const MIGRATE: &str = "migrate";
pub(crate) const MIGRATE_PREFIX: &str = "migrate_";

impl Checker<'_> {
    pub(super) fn collect_items(&mut self) {
        let program = self.program;
        self.add_builtin_types();
        // Types first, so signatures anywhere can name types of any module.
        let mut type_items: Vec<(TypeId, ModuleId, usize)> = Vec::new();
        for (mi, module) in program.modules.iter().enumerate() {
            let m = ModuleId(mi as u32);
            for (idx, item) in module.ast.items.iter().enumerate() {
                let (name, generics, kind) = match &item.kind {
                    ItemKind::Struct(s) => (&s.name, &s.generics, TypeDefKind::Struct(StructDef::default())),
                    ItemKind::Enum(e) => (&e.name, &e.generics, TypeDefKind::Enum(EnumDef::default())),
                    _ => continue,
                };
                let id = self.types.add(TypeDef {
                    name: name.name.clone(),
                    generics: generics.iter().map(|g| g.name.name.clone()).collect(),
                    module: m,
                    is_pub: item.is_pub,
                    span: name.span,
                    kind,
                });
                self.define_item(m, name, ItemRef::Type(id));
                type_items.push((id, m, idx));
            }
        }
        for &(id, m, idx) in &type_items {
            let item = &program.module(m).ast.items[idx];
            // The type's parameters are in scope in its fields' types.
            let generics = match &item.kind {
                ItemKind::Struct(s) => &s.generics,
                ItemKind::Enum(e) => &e.generics,
                _ => continue,
            };
            self.enter_type_params(generics);
            match &item.kind {
                ItemKind::Struct(s) => {
                    let decls = s.fields.iter().map(|f| (&f.name, &f.ty, f.default.is_some()));
                    let fields = self.resolve_fields(m, decls);
                    if let Some(def) = self.types.defs.get_mut(id.0 as usize) {
                        def.kind = TypeDefKind::Struct(StructDef { fields });
                    }
                }
                ItemKind::Enum(e) => {
                    let mut variants: Vec<VariantDef> = Vec::new();
                    for v in &e.variants {
                        let fields = self.resolve_fields(m, v.fields.iter().map(|f| (&f.name, &f.ty, false)));
                        if let Some(prev) = variants.iter().find(|p| p.name == v.name.name) {
                            self.duplicate("variant", &v.name, prev.span);
                            continue;
                        }
                        variants.push(VariantDef { name: v.name.name.clone(), fields, span: v.name.span });
                    }
                    if let Some(def) = self.types.defs.get_mut(id.0 as usize) {
                        def.kind = TypeDefKind::Enum(EnumDef { variants });
                    }
                }
                _ => {}
            }
            self.generics.scope.clear();
            self.check_params_used(id, generics);
        }
        self.check_infinite_types();

        for (mi, module) in program.modules.iter().enumerate() {
            let m = ModuleId(mi as u32);
            let mut tests: HashMap<&str, Span> = HashMap::new();
            for (idx, item) in module.ast.items.iter().enumerate() {
                self.check_attrs(item);
                match &item.kind {
                    ItemKind::Fn(f) => self.collect_fn(m, idx, item, f),
                    ItemKind::Const(c) => self.collect_global(m, idx, item.is_pub, false, &c.name, c.ty.as_ref()),
                    ItemKind::State(s) => self.collect_global(m, idx, item.is_pub, true, &s.name, s.ty.as_ref()),
                    ItemKind::Test(t) => {
                        if let Some(prev) = tests.get(t.name.as_str()) {
                            let prev = *prev;
                            self.emit(
                                Diagnostic::at(
                                    Code::E0202,
                                    t.name_span,
                                    format!("test \"{}\" is defined twice", t.name),
                                )
                                .secondary(prev, "first defined here"),
                            );
                        } else {
                            tests.insert(&t.name, t.name_span);
                        }
                    }
                    ItemKind::ExternFn(x) => self.collect_extern(m, idx, item, x),
                    ItemKind::Struct(_) | ItemKind::Enum(_) => {}
                }
            }
        }
    }

    /// The parameters of a function with their types resolved (a repeated
    /// name is E0202); `check` sees each resolved type first.
    fn resolve_params(
        &mut self,
        m: ModuleId,
        decls: &[ast::Param],
        mut check: impl FnMut(&mut Self, &ast::Param, &Ty),
    ) -> Vec<ParamInfo> {
        let mut params: Vec<ParamInfo> = Vec::new();
        for p in decls {
            let ty = self.resolve_type(m, &p.ty);
            if let Some(prev) = params.iter().find(|q| q.name == p.name.name) {
                let prev = prev.span;
                self.duplicate("parameter", &p.name, prev);
            }
            check(self, p, &ty);
            params.push(ParamInfo {
                name: p.name.name.clone(),
                ty,
                mutable: p.mutable,
                span: p.name.span,
                local: None,
            });
        }
        params
    }

    fn collect_fn(&mut self, m: ModuleId, idx: usize, item: &ast::Item, f: &ast::FnDecl) {
        self.check_generic_decl(item, f);
        self.enter_generics(f, true);
        // A method of a generic type is generic in the type's parameters
        // (`fn Pair.swap(self) -> Pair<B, A>`), checked and instantiated
        // like a generic function.
        // (With type parameters of its own it is E0321, and keeps those.)
        let type_params = if f.generics.is_empty() { self.receiver_type_params(m, f) } else { Vec::new() };
        if !type_params.is_empty() {
            self.generics.scope =
                type_params.iter().enumerate().map(|(i, n)| (n.clone(), Ty::Param(i as u32, n.clone()))).collect();
        }
        // A map key in the signature is a need too (`fn empty<K>() -> {K: int}`).
        let generic = !f.generics.is_empty() || !type_params.is_empty();
        self.generics.current = generic.then_some(FnId(self.fns.len() as u32));
        let params = self.resolve_params(m, &f.params, |_, _, _| {});
        let ret = match &f.ret {
            Some(t) => self.resolve_type(m, t),
            None => Ty::Unit,
        };
        self.generics.scope.clear();
        self.generics.current = None;
        let receiver = match &f.receiver {
            Some(r) => match self.tables[m.0 as usize].items.get(&r.name) {
                Some(ItemRef::Type(t)) => Some(*t),
                _ => {
                    let help = suggest(&r.name, self.type_names(m));
                    let mut d = Diagnostic::at(Code::E0201, r.span, format!("unknown type `{}`", r.name))
                        .with_note("methods are declared in the module of their type");
                    if let Some(h) = help {
                        d = d.with_help(h);
                    }
                    self.emit(d);
                    return;
                }
            },
            None => None,
        };
        let id = FnId(self.fns.len() as u32);
        self.fns.push(FnInfo {
            name: f.name.name.clone(),
            module: m,
            is_pub: item.is_pub,
            receiver,
            self_param: f.self_param.as_ref().map(|s| s.mutable),
            params,
            ret,
            span: f.name.span,
            item: idx,
            host: None,
            generics: if type_params.is_empty() {
                f.generics.iter().map(|g| g.name.name.clone()).collect()
            } else {
                type_params
            },
        });
        match receiver {
            Some(t) => {
                let key = (t, f.name.name.clone());
                if let Some(prev) = self.methods.get(&key) {
                    let prev = self.fns[prev.0 as usize].span;
                    self.duplicate("method", &f.name, prev);
                } else if let Some(field) =
                    self.types.as_struct(t).and_then(|s| s.fields.iter().find(|x| x.name == f.name.name))
                {
                    let prev = field.span;
                    self.duplicate("field or method", &f.name, prev);
                } else {
                    self.methods.insert(key, id);
                }
            }
            None => self.define_item(m, &f.name, ItemRef::Fn(id)),
        }
        if let Some(attr) = item.attrs.iter().find(|a| a.name.name == MIGRATE) {
            let single = f.params.len() == 1 && !f.params.iter().any(|p| p.mutable);
            if f.receiver.is_some() || f.self_param.is_some() || !single || f.ret.is_none() {
                self.emit(
                    Diagnostic::at(Code::E0600, f.name.span, "a `@migrate` function takes one value and returns one")
                        .secondary(attr.span, "declared here")
                        .with_help(format!("write `@migrate fn {}(old: OldShape) -> NewType`", f.name.name)),
                );
            } else if !f.name.name.starts_with(MIGRATE_PREFIX) {
                self.emit(
                    Diagnostic::at(Code::E0600, f.name.span, "a `@migrate` function is named after its state")
                        .secondary(attr.span, "declared here")
                        .with_help("name it `migrate_<state>`, e.g. `migrate_player` for `state player`"),
                );
            }
        }
        let hook = item.attrs.iter().find(|a| HOOKS.contains(&a.name.name.as_str()));
        if let Some(attr) = hook {
            if f.receiver.is_some() || !f.params.is_empty() || f.ret.is_some() || f.self_param.is_some() {
                self.emit(
                    Diagnostic::at(
                        Code::E0600,
                        f.name.span,
                        format!("`@{}` hook must be a plain `fn {}()`", attr.name.name, f.name.name),
                    )
                    .secondary(attr.span, "hook declared here")
                    .with_help("hooks take no parameters, return nothing and are not methods"),
                );
            }
        }
    }

    /// The type parameters of a method's type (`A`, `B` of `fn Pair.swap`);
    /// empty for a function, or a method of a type without parameters.
    pub(super) fn receiver_type_params(&self, m: ModuleId, f: &ast::FnDecl) -> Vec<String> {
        match f.receiver.as_ref().and_then(|r| self.tables[m.0 as usize].items.get(&r.name)) {
            Some(ItemRef::Type(t)) => self.types.get(*t).generics.clone(),
            _ => Vec::new(),
        }
    }

    /// An `extern fn`: a signature without a body, bound to a Rust path.
    /// Function values cannot cross into Rust (they carry the program's
    /// state context), so its types must not hold one. Outside a host crate
    /// there is no `crate::` to bind to: E0107 (see [`super::Mode::Library`]);
    /// a program binds to its crates' functions (`itoa::fmt`).
    fn collect_extern(&mut self, m: ModuleId, idx: usize, item: &ast::Item, x: &ast::ExternFnDecl) {
        let params = self.resolve_params(m, &x.params, |ck, p, ty| {
            if ck.holds_fn(ty) {
                ck.emit(
                    Diagnostic::at(Code::E0013, p.ty.span, "an `extern fn` parameter cannot hold a function value")
                        .with_note(
                            "Aether function values carry the program's state context, which Rust code cannot call",
                        ),
                );
            }
        });
        let ret = match &x.ret {
            Some(t) => {
                let ty = self.resolve_type(m, t);
                if self.holds_fn(&ty) {
                    self.emit(
                        Diagnostic::at(Code::E0013, t.span, "an `extern fn` cannot return a function value").with_note(
                            "Aether function values carry the program's state context, which Rust code cannot build",
                        ),
                    );
                }
                ty
            }
            None => Ty::Unit,
        };
        // A program built on its own binds `extern fn`s to the functions of
        // the crates it depends on (which ones, the driver checks: E0108);
        // only a host crate has a `crate::` to bind to.
        let crate_path =
            x.path.split("::").next().is_some_and(|first| !matches!(first, "crate" | "self" | "super" | ""))
                && x.path.contains("::");
        if self.mode != super::Mode::Library && !crate_path {
            self.emit(
                Diagnostic::at(Code::E0107, x.name.span, format!("`extern fn {}` has no Rust host crate to bind to", x.name.name))
                    .secondary(x.path_span, "nothing provides this Rust function")
                    .with_note("`cargo aether` builds a program on its own: `crate::` names no crate of yours; a path that starts with a crate's name binds to that crate's function")
                    .with_help("add a crate with `cargo add NAME` (a script: in its `---cargo` frontmatter) and write `= \"NAME::function\"`, or compile these files from your crate's `build.rs` with `aether_build::compile` (see docs/rust-interop.md)"),
            );
        }
        let id = FnId(self.fns.len() as u32);
        self.fns.push(FnInfo {
            name: x.name.name.clone(),
            module: m,
            is_pub: item.is_pub,
            receiver: None,
            self_param: None,
            params,
            ret,
            span: x.name.span,
            item: idx,
            host: Some(x.path.clone()),
            generics: Vec::new(),
        });
        self.define_item(m, &x.name, ItemRef::Fn(id));
    }

    /// The fields of a struct or variant, (name, type, has a default) each,
    /// with their types resolved; a repeated name is E0202 and left out.
    fn resolve_fields<'a>(
        &mut self,
        m: ModuleId,
        decls: impl Iterator<Item = (&'a Ident, &'a TypeExpr, bool)>,
    ) -> Vec<FieldDef> {
        let mut fields: Vec<FieldDef> = Vec::new();
        for (name, ty, has_default) in decls {
            let ty = self.resolve_type(m, ty);
            if let Some(prev) = fields.iter().find(|p| p.name == name.name) {
                self.duplicate("field", name, prev.span);
                continue;
            }
            fields.push(FieldDef { name: name.name.clone(), ty, has_default, span: name.span });
        }
        fields
    }

    /// Whether a value of `ty` holds a function value anywhere, through
    /// containers and user types.
    pub(super) fn holds_fn(&self, ty: &Ty) -> bool {
        let mut seen = Vec::new();
        self.holds_fn_inner(ty, &mut seen)
    }

    fn holds_fn_inner(&self, ty: &Ty, seen: &mut Vec<TypeId>) -> bool {
        match ty {
            Ty::Fn(..) => true,
            Ty::Struct(t, args) | Ty::Enum(t, args) => {
                // The arguments are held wherever the type's parameters are.
                if args.iter().any(|a| self.holds_fn_inner(a, seen)) {
                    return true;
                }
                if seen.contains(t) {
                    return false;
                }
                seen.push(*t);
                self.types.get(*t).fields().any(|f| self.holds_fn_inner(&self.types.field_ty(f, args), seen))
            }
            Ty::List(t) | Ty::Optional(t) | Ty::Result(t) => self.holds_fn_inner(t, seen),
            Ty::Map(k, v) => self.holds_fn_inner(k, seen) || self.holds_fn_inner(v, seen),
            Ty::Tuple(ts) => ts.iter().any(|t| self.holds_fn_inner(t, seen)),
            Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Unit | Ty::Never | Ty::Var(_) | Ty::Error => false,
            // Compared values of a type parameter: the instance's type must
            // hold no function either (`check/generics.rs`).
            Ty::Param(..) => !self.record_need(ty, super::Need::Equatable),
        }
    }

    fn collect_global(
        &mut self,
        m: ModuleId,
        idx: usize,
        is_pub: bool,
        is_state: bool,
        name: &Ident,
        ty: Option<&TypeExpr>,
    ) {
        let (ty, state) = match ty {
            Some(t) => (self.resolve_type(m, t), GlobalState::Annotated),
            None => (Ty::Error, GlobalState::Pending),
        };
        let id = GlobalId(self.globals.len() as u32);
        self.globals.push(GlobalInfo {
            name: name.name.clone(),
            module: m,
            is_pub,
            is_state,
            ty,
            span: name.span,
            item: idx,
        });
        self.global_state.push(state);
        self.define_item(m, name, ItemRef::Global(id));
    }

    /// Hook attributes only go on functions; the parser reports unknown ones.
    /// Each well-formed `@migrate fn migrate_<state>` names a `state` of its
    /// module and returns that state's type (known once bodies are checked:
    /// a state's type may be inferred from its initializer).
    pub(super) fn check_migrate_hooks(&mut self) {
        let program = self.program;
        let mut problems = Vec::new();
        for info in &self.fns {
            let Some(item) = program.module(info.module).ast.items.get(info.item) else { continue };
            let Some(attr) = item.attrs.iter().find(|a| a.name.name == MIGRATE) else { continue };
            let Some(state) = info.name.strip_prefix(MIGRATE_PREFIX) else { continue };
            if info.params.len() != 1 || info.receiver.is_some() {
                continue;
            }
            let global = self.globals.iter().find(|g| g.module == info.module && g.is_state && g.name == state);
            match global {
                None => problems.push(
                    Diagnostic::at(
                        Code::E0600,
                        info.span,
                        format!("there is no `state {state}` in this module to migrate"),
                    )
                    .secondary(attr.span, "declared here"),
                ),
                Some(g) if g.ty != info.ret && !matches!(g.ty, Ty::Error) && !matches!(info.ret, Ty::Error) => problems
                    .push(
                        Diagnostic::at(
                            Code::E0600,
                            info.span,
                            format!(
                                "`{}` returns `{}`, but `state {state}` is a `{}`",
                                info.name,
                                info.ret.display(&self.types),
                                g.ty.display(&self.types)
                            ),
                        )
                        .secondary(g.span, "the state")
                        .with_help("a `@migrate` function returns the state's new type"),
                    ),
                Some(_) => {}
            }
        }
        for d in problems {
            self.emit(d);
        }
    }

    fn check_attrs(&mut self, item: &ast::Item) {
        if matches!(item.kind, ItemKind::Fn(_)) {
            return;
        }
        for a in &item.attrs {
            if HOOKS.contains(&a.name.name.as_str()) || a.name.name == MIGRATE {
                self.report(
                    Code::E0010,
                    a.span,
                    format!("`@{}` can only be applied to a function", a.name.name),
                    "remove the attribute",
                );
            }
        }
    }

    fn define_item(&mut self, m: ModuleId, name: &Ident, r: ItemRef) {
        let prev = self.tables[m.0 as usize].items.get(&name.name).copied();
        match prev {
            Some(p) => {
                let span = self.item_span(p);
                self.duplicate("item", name, span);
            }
            None => {
                self.tables[m.0 as usize].items.insert(name.name.clone(), r);
            }
        }
    }

    pub(super) fn item_span(&self, r: ItemRef) -> Span {
        match r {
            ItemRef::Fn(f) => self.fns.get(f.0 as usize).map(|f| f.span).unwrap_or_default(),
            ItemRef::Type(t) => self.types.get(t).span,
            ItemRef::Global(g) => self.globals.get(g.0 as usize).map(|g| g.span).unwrap_or_default(),
        }
    }

    fn item_is_pub(&self, r: ItemRef) -> bool {
        match r {
            ItemRef::Fn(f) => self.fns.get(f.0 as usize).is_some_and(|f| f.is_pub),
            ItemRef::Type(t) => self.types.get(t).is_pub,
            ItemRef::Global(g) => self.globals.get(g.0 as usize).is_some_and(|g| g.is_pub),
        }
    }

    pub(super) fn duplicate(&mut self, what: &str, name: &Ident, prev: Span) {
        self.emit(
            Diagnostic::at(Code::E0202, name.span, format!("the {what} `{}` is defined more than once", name.name))
                .secondary(prev, "first defined here"),
        );
    }

    /// The types built into the language, before any of the program's:
    /// `CommandOutput` (what `run_command` returns), at [`COMMAND_OUTPUT`].
    fn add_builtin_types(&mut self) {
        let field =
            |name: &str, ty: Ty| FieldDef { name: name.to_string(), ty, has_default: false, span: Span::default() };
        let id = self.types.add(TypeDef {
            name: "CommandOutput".to_string(),
            generics: Vec::new(),
            module: BUILTIN_MODULE,
            is_pub: true,
            span: Span::default(),
            kind: TypeDefKind::Struct(StructDef {
                fields: vec![field("status", Ty::Int), field("stdout", Ty::Str), field("stderr", Ty::Str)],
            }),
        });
        debug_assert_eq!(id, COMMAND_OUTPUT);
        let variant =
            |name: &str, fields: Vec<FieldDef>| VariantDef { name: name.to_string(), fields, span: Span::default() };
        let json = Ty::Enum(JSON, Vec::new());
        let id = self.types.add(TypeDef {
            name: "Json".to_string(),
            generics: Vec::new(),
            module: BUILTIN_MODULE,
            is_pub: true,
            span: Span::default(),
            kind: TypeDefKind::Enum(EnumDef {
                variants: vec![
                    variant("Null", vec![]),
                    variant("Bool", vec![field("b", Ty::Bool)]),
                    variant("Number", vec![field("n", Ty::Float)]),
                    variant("Str", vec![field("s", Ty::Str)]),
                    variant("Array", vec![field("items", Ty::list(json.clone()))]),
                    variant("Object", vec![field("fields", Ty::map(Ty::Str, json))]),
                ],
            }),
        });
        debug_assert_eq!(id, JSON);
    }

    /// A built-in type by name, where no item of the module has that name.
    fn builtin_type(&self, name: &str) -> Option<Ty> {
        (name == "CommandOutput").then_some(Ty::Struct(COMMAND_OUTPUT, Vec::new()))
    }

    fn type_names(&self, m: ModuleId) -> Vec<&str> {
        let mut names: Vec<&str> = PRIMITIVES.to_vec();
        names.push("CommandOutput");
        for (n, r) in &self.tables[m.0 as usize].items {
            if matches!(r, ItemRef::Type(_)) {
                names.push(n);
            }
        }
        names.sort_unstable();
        names
    }

    /// The module an import name of `m` refers to, marking the import used.
    pub(super) fn import_target(&mut self, m: ModuleId, name: &str) -> Option<ImportTarget> {
        let module = self.program.module(m);
        let i = module.ast.imports.iter().position(|imp| imp.local_name().name == name)?;
        if let Some(used) = self.imports_used[m.0 as usize].get_mut(i) {
            *used = true;
        }
        match module.imports.get(i).copied().flatten() {
            Some(target) => Some(ImportTarget::User(target)),
            None if module.ast.imports[i].dotted() == "math" => Some(ImportTarget::Math),
            None if module.ast.imports[i].dotted() == "json" => Some(ImportTarget::Json),
            // Not found: the loader already reported it.
            None => None,
        }
    }

    /// Whether `name` is an import of `m` (whatever it resolved to).
    pub(super) fn is_import_name(&self, m: ModuleId, name: &str) -> bool {
        self.program.module(m).ast.imports.iter().any(|imp| imp.local_name().name == name)
    }

    /// Look up `member` in another module, checking it is public. Errors
    /// (E0103, E0104) are reported at `span`.
    pub(super) fn module_member(&mut self, target: ModuleId, member: &Ident) -> Option<ItemRef> {
        let items = &self.tables[target.0 as usize].items;
        match items.get(&member.name).copied() {
            Some(r) if self.item_is_pub(r) => Some(r),
            Some(r) => {
                let def = self.item_span(r);
                let modname = self.program.module(target).name.clone();
                self.emit(
                    Diagnostic::at(
                        Code::E0103,
                        member.span,
                        format!("`{}` is private to module `{modname}`", member.name),
                    )
                    .secondary(def, "defined here")
                    .with_help(format!("mark it `pub` in `{modname}`")),
                );
                None
            }
            None => {
                let modname = self.program.module(target).name.clone();
                let candidates: Vec<&str> =
                    items.iter().filter(|(_, r)| self.item_is_pub(**r)).map(|(n, _)| n.as_str()).collect();
                let help = suggest(&member.name, candidates);
                let mut d = Diagnostic::at(
                    Code::E0104,
                    member.span,
                    format!("module `{modname}` has no item `{}`", member.name),
                );
                if let Some(h) = help {
                    d = d.with_help(h);
                }
                self.emit(d);
                None
            }
        }
    }

    /// Resolve a written type in module `m`. Errors become [`Ty::Error`].
    pub(super) fn resolve_type(&mut self, m: ModuleId, t: &TypeExpr) -> Ty {
        match &t.kind {
            TypeExprKind::Named(path, args) => {
                let args: Vec<Ty> = args.iter().map(|a| self.resolve_type(m, a)).collect();
                let ty = self.resolve_named_type(m, path, t.span);
                self.apply_type_args(ty, args, path, t.span)
            }
            TypeExprKind::List(e) => Ty::list(self.resolve_type(m, e)),
            TypeExprKind::Map(k, v) => {
                let kt = self.resolve_type(m, k);
                let vt = self.resolve_type(m, v);
                if !self.check_map_key(&kt, k.span) {
                    return Ty::map(Ty::Error, vt);
                }
                Ty::map(kt, vt)
            }
            TypeExprKind::Optional(e) => Ty::optional(self.resolve_type(m, e)),
            TypeExprKind::Result(e) => Ty::result(self.resolve_type(m, e)),
            TypeExprKind::Tuple(ts) if ts.is_empty() => Ty::Unit,
            TypeExprKind::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| self.resolve_type(m, t)).collect()),
            TypeExprKind::Fn(ps, r) => {
                let ps = ps.iter().map(|t| self.resolve_type(m, t)).collect();
                let r = match r {
                    Some(r) => self.resolve_type(m, r),
                    None => Ty::Unit,
                };
                Ty::Fn(ps, Box::new(r))
            }
            TypeExprKind::Error => Ty::Error,
        }
    }

    pub(super) fn resolve_named_type(&mut self, m: ModuleId, path: &[Ident], span: Span) -> Ty {
        match path {
            [one] => {
                match one.name.as_str() {
                    "int" => return Ty::Int,
                    "float" => return Ty::Float,
                    "bool" => return Ty::Bool,
                    "str" => return Ty::Str,
                    _ => {}
                }
                if let Some(t) = self.type_param(&one.name) {
                    return t;
                }
                if let Some(ItemRef::Type(id)) = self.tables[m.0 as usize].items.get(&one.name).copied() {
                    return self.type_ty(id);
                }
                if let Some(t) = self.builtin_type(&one.name) {
                    return t;
                }
                let help = suggest(&one.name, self.type_names(m));
                let mut d = Diagnostic::at(Code::E0201, one.span, format!("unknown type `{}`", one.name));
                if let Some(h) = help {
                    d = d.with_help(h);
                }
                self.emit(d);
                Ty::Error
            }
            [module, name] => match self.import_target(m, &module.name) {
                Some(ImportTarget::User(target)) => match self.module_member(target, name) {
                    Some(ItemRef::Type(id)) => self.type_ty(id),
                    Some(_) => {
                        self.error(Code::E0201, name.span, format!("`{}.{}` is not a type", module.name, name.name));
                        Ty::Error
                    }
                    None => Ty::Error,
                },
                Some(ImportTarget::Math) => {
                    self.error(Code::E0201, name.span, format!("module `math` has no type `{}`", name.name));
                    Ty::Error
                }
                Some(ImportTarget::Json) if name.name == "Json" => Ty::Enum(JSON, Vec::new()),
                Some(ImportTarget::Json) => {
                    let mut d =
                        Diagnostic::at(Code::E0201, name.span, format!("module `json` has no type `{}`", name.name));
                    d = d.with_help("its one type is `json.Json`");
                    self.emit(d);
                    Ty::Error
                }
                None if self.is_import_name(m, &module.name) => Ty::Error,
                None => {
                    self.report(
                        Code::E0201,
                        module.span,
                        format!("unknown module `{}`", module.name),
                        format!("add `import {}`", module.name),
                    );
                    Ty::Error
                }
            },
            _ => {
                self.error(Code::E0201, span, "unknown type");
                Ty::Error
            }
        }
    }

    /// The type `id` as written inside its definition: a generic type's
    /// arguments are its own parameters (`Pair<A, B>`).
    pub(super) fn type_ty(&self, id: TypeId) -> Ty {
        let def = self.types.get(id);
        let args = def.generics.iter().enumerate().map(|(i, n)| Ty::Param(i as u32, n.clone())).collect();
        match def.kind {
            TypeDefKind::Struct(_) => Ty::Struct(id, args),
            TypeDefKind::Enum(_) => Ty::Enum(id, args),
        }
    }

    /// The type `id` at a use that does not write its arguments (a struct
    /// literal, a variant): fresh variables the use's types solve.
    pub(super) fn fresh_type_ty(&mut self, id: TypeId, span: Span) -> (Ty, Vec<Ty>) {
        let n = self.types.get(id).generics.len();
        let args: Vec<Ty> = (0..n).map(|_| self.fresh(span)).collect();
        let ty = match self.types.get(id).kind {
            TypeDefKind::Struct(_) => Ty::Struct(id, args.clone()),
            TypeDefKind::Enum(_) => Ty::Enum(id, args.clone()),
        };
        (ty, args)
    }

    /// The type parameters `<A, B>` of a struct or enum in scope (E0202 for
    /// a repeated name).
    fn enter_type_params(&mut self, generics: &[ast::TypeParam]) {
        let mut scope: Vec<(String, Ty)> = Vec::new();
        for (i, p) in generics.iter().enumerate() {
            if let Some(prev) = generics[..i].iter().find(|q| q.name.name == p.name.name) {
                let prev = prev.name.span;
                self.duplicate("type parameter", &p.name, prev);
            }
            scope.push((p.name.name.clone(), Ty::Param(i as u32, p.name.name.clone())));
        }
        self.generics.scope = scope;
    }

    /// A type parameter no field uses would say nothing about the values
    /// (and Rust refuses it): E0322.
    fn check_params_used(&mut self, id: TypeId, generics: &[ast::TypeParam]) {
        let def = self.types.get(id);
        // A map keyed by a type parameter would need the parameter to be
        // hashable at every use of the type, which is not checked yet.
        let keyed: Vec<(String, Span)> =
            def.fields().filter(|f| param_map_key(&f.ty)).map(|f| (f.name.clone(), f.span)).collect();
        let tname = def.name.clone();
        for (field, span) in keyed {
            self.report(
                Code::E0322,
                span,
                format!(
                    "the field `{field}` of `{tname}` is a map keyed by a type parameter, which is not supported yet"
                ),
                "key the map by a concrete type (`{int: T}`, `{str: T}`), or hold a list of pairs `[(K, V)]`",
            );
        }
        let def = self.types.get(id);
        let mut used = vec![false; generics.len()];
        for f in def.fields() {
            mark_params(&f.ty, &mut used);
        }
        let name = def.name.clone();
        for (i, (p, used)) in generics.iter().zip(used).enumerate() {
            // A repeated name is E0202 already.
            let repeated = generics.iter().enumerate().any(|(j, q)| j != i && q.name.name == p.name.name);
            if !used && !repeated {
                self.report(
                    Code::E0322,
                    p.name.span,
                    format!("the type parameter `{}` of `{name}` is not used by any field", p.name.name),
                    format!("use `{}` in a field's type, or remove it", p.name.name),
                );
            }
        }
    }

    /// `ty` (a resolved type name) with the type arguments written after it:
    /// their number must match the type's parameters (E0322); a generic type
    /// written without them is E0322 too (only literals and variants infer
    /// them). Generic types in a map key must be hashable like any key.
    fn apply_type_args(&mut self, ty: Ty, args: Vec<Ty>, path: &[Ident], span: Span) -> Ty {
        let shown: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
        let shown = shown.join(".");
        match ty {
            Ty::Struct(id, _) | Ty::Enum(id, _) => {
                let def = self.types.get(id);
                let want = def.generics.len();
                if args.len() != want {
                    let params = def.generics.join(", ");
                    let (msg, help) = match (want, args.len()) {
                        (0, _) => {
                            (format!("`{shown}` takes no type arguments"), format!("write `{shown}` without `<...>`"))
                        }
                        (_, 0) => (
                            format!("`{shown}` needs its type arguments `<{params}>`"),
                            format!("write the types: `{shown}<...>` with {want} type{}", plural(want)),
                        ),
                        (_, got) => (
                            format!(
                                "`{shown}` takes {want} type argument{}, but {got} {} given",
                                plural(want),
                                if got == 1 { "is" } else { "are" }
                            ),
                            format!("`{shown}` is declared as `{}<{params}>`", def.name),
                        ),
                    };
                    let decl = def.span;
                    self.emit(Diagnostic::at(Code::E0322, span, msg).secondary(decl, "declared here").with_help(help));
                    return Ty::Error;
                }
                if args.is_empty() {
                    return ty;
                }
                match ty {
                    Ty::Struct(id, _) => Ty::Struct(id, args),
                    Ty::Enum(id, _) => Ty::Enum(id, args),
                    _ => unreachable!(),
                }
            }
            Ty::Error => Ty::Error,
            _ if args.is_empty() => ty,
            _ => {
                self.report(
                    Code::E0322,
                    span,
                    format!("`{shown}` takes no type arguments"),
                    format!("write `{shown}` without `<...>`"),
                );
                Ty::Error
            }
        }
    }

    /// Whether `key` can key a map; E0308 at `span` when it cannot.
    pub(super) fn check_map_key(&mut self, key: &Ty, span: Span) -> bool {
        if self.is_hashable(key) {
            return true;
        }
        let shown = self.display(key);
        self.report(
            Code::E0308,
            span,
            format!("`{shown}` cannot be a map key"),
            "map keys are built from int, str, bool, tuples, and enums/structs of those",
        );
        false
    }

    /// Map keys: int, str, bool, tuples, and user types built from those.
    pub(super) fn is_hashable(&self, t: &Ty) -> bool {
        let mut seen = Vec::new();
        self.hashable_inner(&self.zonk(t), &mut seen)
    }

    fn hashable_inner(&self, t: &Ty, seen: &mut Vec<TypeId>) -> bool {
        match t {
            Ty::Int | Ty::Str | Ty::Bool | Ty::Unit | Ty::Error | Ty::Var(_) | Ty::Never => true,
            Ty::Param(..) => self.record_need(t, super::Need::Hashable),
            Ty::Tuple(ts) => ts.iter().all(|t| self.hashable_inner(t, seen)),
            Ty::Optional(t) => self.hashable_inner(t, seen),
            Ty::Struct(id, args) | Ty::Enum(id, args) => {
                // Every argument, as Rust's derived `Hash` asks of each
                // parameter.
                if !args.iter().all(|a| self.hashable_inner(a, seen)) {
                    return false;
                }
                if seen.contains(id) {
                    return true;
                }
                seen.push(*id);
                self.types.get(*id).fields().all(|f| self.hashable_inner(&self.types.field_ty(f, args), seen))
            }
            Ty::Float | Ty::List(_) | Ty::Map(..) | Ty::Result(_) | Ty::Fn(..) => false,
        }
    }

    /// A struct containing itself other than through `?`, a list, a map or
    /// an enum would need infinite storage (E0311). Generic types are
    /// followed with their arguments (`struct S { w: Wrap<S> }` holds an `S`
    /// where `Wrap<T>` holds its `T`); a chain of ever larger arguments
    /// (`struct B<T> { b: B<[T]> }`) is infinite too.
    fn check_infinite_types(&mut self) {
        const MAX_VISITS: usize = 256;
        let n = self.types.defs.len();
        for start in 0..n {
            let start = TypeId(start as u32);
            let mut stack = self.direct_types(&self.type_ty(start));
            let mut visited: Vec<String> = Vec::new();
            let mut cyclic = false;
            while let Some(t) = stack.pop() {
                let (Ty::Struct(id, _) | Ty::Enum(id, _)) = &t else { continue };
                if *id == start {
                    cyclic = true;
                    break;
                }
                let key = format!("{t:?}");
                if visited.contains(&key) {
                    continue;
                }
                if visited.len() >= MAX_VISITS {
                    cyclic = true;
                    break;
                }
                visited.push(key);
                stack.extend(self.direct_types(&t));
            }
            if cyclic {
                let def = self.types.get(start);
                let (name, span) = (def.name.clone(), def.span);
                self.report(
                    Code::E0311,
                    span,
                    format!("recursive type `{name}` has infinite size"),
                    format!("wrap the recursive field in `?` or a list, e.g. `{name}?` or `[{name}]`"),
                );
            }
        }
    }

    /// Structs stored inline (not behind `?`, a list or a map) in a value
    /// of `t`, a struct type with its arguments.
    fn direct_types(&self, t: &Ty) -> Vec<Ty> {
        fn inline(t: &Ty, out: &mut Vec<Ty>) {
            match t {
                Ty::Struct(..) => out.push(t.clone()),
                Ty::Tuple(ts) => ts.iter().for_each(|t| inline(t, out)),
                Ty::Result(t) => inline(t, out),
                _ => {}
            }
        }
        let mut out = Vec::new();
        let Ty::Struct(id, args) = t else { return out };
        match &self.types.get(*id).kind {
            TypeDefKind::Struct(s) => s.fields.iter().for_each(|f| inline(&self.types.field_ty(f, args), &mut out)),
            // Enum payloads may be boxed by code generation, so recursive
            // enums (expression trees) are fine.
            TypeDefKind::Enum(_) => {}
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Mark each type parameter that occurs in `t`.
fn mark_params(t: &Ty, used: &mut [bool]) {
    match t {
        Ty::Param(i, _) => {
            if let Some(u) = used.get_mut(*i as usize) {
                *u = true;
            }
        }
        Ty::List(e) | Ty::Optional(e) | Ty::Result(e) => mark_params(e, used),
        Ty::Map(k, v) => {
            mark_params(k, used);
            mark_params(v, used);
        }
        Ty::Tuple(ts) | Ty::Struct(_, ts) | Ty::Enum(_, ts) => ts.iter().for_each(|t| mark_params(t, used)),
        Ty::Fn(ps, r) => {
            ps.iter().for_each(|t| mark_params(t, used));
            mark_params(r, used);
        }
        _ => {}
    }
}

/// Whether `t` holds a map whose key type holds a type parameter.
fn param_map_key(t: &Ty) -> bool {
    match t {
        Ty::Map(k, v) => k.has_param() || param_map_key(v),
        Ty::List(e) | Ty::Optional(e) | Ty::Result(e) => param_map_key(e),
        Ty::Tuple(ts) | Ty::Struct(_, ts) | Ty::Enum(_, ts) => ts.iter().any(param_map_key),
        Ty::Fn(ps, r) => ps.iter().any(param_map_key) || param_map_key(r),
        _ => false,
    }
}

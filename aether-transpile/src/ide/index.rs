//! Every name in a program, where it is written and what it means: the one
//! walk over the AST the editor queries share. Definitions come from the
//! checker's tables (their spans are the names' spans); uses come from the
//! side tables keyed by `NodeId` ([`crate::check::Res`], [`PatRes`]), and
//! the few names the checker resolves without recording (types written in
//! signatures, module names in paths) are resolved here the same way.

use crate::ast::{
    Block, Expr, ExprKind, Ident, IfCond, Item, ItemKind, NodeId, Pattern, PatternKind, Stmt, StmtKind, StrPart,
    TypeExpr, TypeExprKind,
};
use crate::check::{CheckResult, FnId, GlobalId, ItemRef, LocalId, ModuleTables, PatRes, Res};
use crate::project::Program;
use crate::source::{FileId, Span};
use crate::ty::{ModuleId, TypeDefKind, TypeId};
use std::collections::HashMap;

/// What a name means, wherever it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A local or parameter of the module.
    Local(ModuleId, LocalId),
    Fn(FnId),
    Global(GlobalId),
    Type(TypeId),
    Variant(TypeId, usize),
    /// A field of a struct, by index.
    Field(TypeId, usize),
    Module(ModuleId),
    /// A prelude function.
    Builtin(&'static str),
    /// A method of `str`, lists or maps (`str.split`).
    BuiltinMethod(&'static str),
    /// A member of `math`.
    Math(&'static str),
}

impl Target {
    /// Whether renaming it is ours to do (not a built-in, not a file).
    pub fn renamable(self) -> bool {
        matches!(
            self,
            Target::Local(..)
                | Target::Fn(_)
                | Target::Global(_)
                | Target::Type(_)
                | Target::Variant(..)
                | Target::Field(..)
        )
    }
}

/// One name as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub target: Target,
    /// The definition itself (a declaration, a binding), not a use.
    pub def: bool,
    /// `Ball { x }`: one name that is both the field and the local; a
    /// rename of either writes both out (`x: y`).
    pub shorthand: bool,
}

/// The names and typed expressions of every file, sorted by position.
#[derive(Debug, Default)]
pub struct Index {
    names: HashMap<FileId, Vec<Occurrence>>,
    /// Every expression and pattern with a type: (span, module, node).
    typed: HashMap<FileId, Vec<(Span, ModuleId, NodeId, bool)>>,
}

impl Index {
    pub fn build(program: &Program, checked: &CheckResult) -> Index {
        let mut w = Walker { program, checked, module: ModuleId(0), index: Index::default() };
        w.definitions();
        for m in program.module_ids() {
            w.module = m;
            w.module_body();
        }
        for list in w.index.names.values_mut() {
            list.sort_by_key(|o| (o.span.start, o.span.end));
            list.dedup();
        }
        for list in w.index.typed.values_mut() {
            list.sort_by_key(|t| (t.0.start, t.0.end));
        }
        w.index
    }

    /// The name at `offset` (inside it, or just after its last character).
    pub fn at(&self, file: FileId, offset: u32) -> Option<&Occurrence> {
        let list = self.names.get(&file)?;
        let inside = list.iter().filter(|o| o.span.start <= offset && offset < o.span.end);
        // The narrowest first: `Ball { x }` has the field and the local on one span.
        let best = inside.min_by_key(|o| (o.span.end - o.span.start, !o.def));
        best.or_else(|| list.iter().find(|o| o.span.end == offset && o.span.start < offset))
    }

    /// Every occurrence of `target`, definitions included, in file order.
    pub fn occurrences(&self, target: Target) -> Vec<Occurrence> {
        let mut all: Vec<Occurrence> = self.names.values().flatten().filter(|o| o.target == target).copied().collect();
        all.sort_by_key(|o| (o.span.file, o.span.start));
        all
    }

    /// Where `target` is defined, if it is defined in the program.
    pub fn definition(&self, target: Target) -> Option<Span> {
        self.names.values().flatten().find(|o| o.def && o.target == target).map(|o| o.span)
    }

    /// The narrowest typed expression or pattern containing `offset`:
    /// (span, module, node, is_pattern).
    pub fn typed_at(&self, file: FileId, offset: u32) -> Option<(Span, ModuleId, NodeId, bool)> {
        let list = self.typed.get(&file)?;
        list.iter().filter(|t| t.0.start <= offset && offset <= t.0.end).min_by_key(|t| t.0.end - t.0.start).copied()
    }

    /// Typed expressions ending exactly at `offset` (the widest first): what
    /// stands before a `.` being completed.
    pub fn typed_ending_at(&self, file: FileId, offset: u32) -> Vec<(Span, ModuleId, NodeId, bool)> {
        let Some(list) = self.typed.get(&file) else { return Vec::new() };
        let mut found: Vec<_> = list.iter().filter(|t| t.0.end == offset && !t.3).copied().collect();
        found.sort_by_key(|t| std::cmp::Reverse(t.0.end - t.0.start));
        found
    }
}

struct Walker<'a> {
    program: &'a Program,
    checked: &'a CheckResult,
    module: ModuleId,
    index: Index,
}

impl Walker<'_> {
    fn push(&mut self, span: Span, target: Target, def: bool) {
        self.index.names.entry(span.file).or_default().push(Occurrence { span, target, def, shorthand: false });
    }

    fn tables(&self) -> Option<&ModuleTables> {
        self.checked.module(self.module)
    }

    fn definitions(&mut self) {
        let checked = self.checked;
        for (i, f) in checked.fns.iter().enumerate() {
            self.push(f.span, Target::Fn(FnId(i as u32)), true);
        }
        for (i, g) in checked.globals.iter().enumerate() {
            self.push(g.span, Target::Global(GlobalId(i as u32)), true);
        }
        for (i, t) in checked.types.defs.iter().enumerate() {
            if t.module == crate::ty::BUILTIN_MODULE {
                continue; // declared nowhere in the program
            }
            let id = TypeId(i as u32);
            self.push(t.span, Target::Type(id), true);
            match &t.kind {
                TypeDefKind::Struct(s) => {
                    for (j, field) in s.fields.iter().enumerate() {
                        self.push(field.span, Target::Field(id, j), true);
                    }
                }
                TypeDefKind::Enum(e) => {
                    for (j, v) in e.variants.iter().enumerate() {
                        self.push(v.span, Target::Variant(id, j), true);
                    }
                }
            }
        }
        for (m, tables) in checked.modules.iter().enumerate() {
            for (l, local) in tables.locals.iter().enumerate() {
                self.push(local.span, Target::Local(ModuleId(m as u32), LocalId(l as u32)), true);
            }
        }
    }

    fn module_body(&mut self) {
        let program = self.program;
        let module = program.module(self.module);
        // Where a module starts: its definition, for "go to" on its name.
        self.push(Span::new(module.file, 0, 0), Target::Module(self.module), true);
        for (i, import) in module.ast.imports.iter().enumerate() {
            if let Some(Some(target)) = module.imports.get(i) {
                self.push(import.local_name().span, Target::Module(*target), false);
            }
        }
        for item in &module.ast.items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Fn(f) => {
                if let Some(recv) = &f.receiver {
                    if let Some(ItemRef::Type(t)) = self.item_named(self.module, &recv.name) {
                        self.push(recv.span, Target::Type(t), false);
                    }
                }
                for p in &f.params {
                    self.ty(&p.ty);
                }
                if let Some(ret) = &f.ret {
                    self.ty(ret);
                }
                self.block(&f.body);
            }
            ItemKind::ExternFn(f) => {
                for p in &f.params {
                    self.ty(&p.ty);
                }
                if let Some(ret) = &f.ret {
                    self.ty(ret);
                }
            }
            ItemKind::Struct(s) => {
                for field in &s.fields {
                    self.ty(&field.ty);
                    if let Some(d) = &field.default {
                        self.expr(d);
                    }
                }
            }
            ItemKind::Enum(e) => {
                for v in &e.variants {
                    for field in &v.fields {
                        self.ty(&field.ty);
                    }
                }
            }
            ItemKind::Const(c) => {
                if let Some(t) = &c.ty {
                    self.ty(t);
                }
                self.expr(&c.value);
            }
            ItemKind::State(s) => {
                if let Some(t) = &s.ty {
                    self.ty(t);
                }
                self.expr(&s.value);
            }
            ItemKind::Test(t) => self.block(&t.body),
        }
    }

    fn item_named(&self, module: ModuleId, name: &str) -> Option<ItemRef> {
        self.checked.module(module)?.items.get(name).copied()
    }

    /// The module an import of the current module names `name`, if any.
    fn imported(&self, name: &str) -> Option<ModuleId> {
        let module = self.program.module(self.module);
        let i = module.ast.imports.iter().position(|imp| imp.local_name().name == name)?;
        module.imports.get(i).copied().flatten()
    }

    /// A type's name (`Ball`, `shapes.Ball`), without its arguments.
    fn named_ty(&mut self, path: &[Ident]) {
        match path {
            [name] => {
                match self.item_named(self.module, &name.name) {
                    Some(ItemRef::Type(id)) => self.push(name.span, Target::Type(id), false),
                    // A built-in type (what `run_command` returns).
                    None if self
                        .checked
                        .types
                        .defs
                        .get(crate::ty::COMMAND_OUTPUT.0 as usize)
                        .is_some_and(|d| d.module == crate::ty::BUILTIN_MODULE && d.name == name.name) =>
                    {
                        self.push(name.span, Target::Type(crate::ty::COMMAND_OUTPUT), false)
                    }
                    _ => {}
                }
            }
            [module, name] => {
                if let Some(m) = self.imported(&module.name) {
                    self.push(module.span, Target::Module(m), false);
                    if let Some(ItemRef::Type(id)) = self.item_named(m, &name.name) {
                        self.push(name.span, Target::Type(id), false);
                    }
                }
            }
            _ => {}
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeExprKind::Named(path, args) => {
                args.iter().for_each(|a| self.ty(a));
                self.named_ty(path)
            }
            TypeExprKind::List(inner) | TypeExprKind::Optional(inner) | TypeExprKind::Result(inner) => self.ty(inner),
            TypeExprKind::Map(k, v) => {
                self.ty(k);
                self.ty(v);
            }
            TypeExprKind::Tuple(ts) => ts.iter().for_each(|t| self.ty(t)),
            TypeExprKind::Fn(ps, ret) => {
                ps.iter().for_each(|t| self.ty(t));
                if let Some(r) = ret {
                    self.ty(r);
                }
            }
            TypeExprKind::Error => {}
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { pattern, ty, value, .. } => {
                self.pattern(pattern);
                if let Some(t) = ty {
                    self.ty(t);
                }
                self.expr(value);
            }
            StmtKind::Assign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::While { cond, body, .. } => {
                match cond {
                    IfCond::Expr(c) => self.expr(c),
                    IfCond::Let { pattern, value } => {
                        self.pattern(pattern);
                        self.expr(value);
                    }
                }
                self.block(body);
            }
            StmtKind::Loop { body, .. } => self.block(body),
            StmtKind::For { pattern, iter, body, .. } => {
                self.pattern(pattern);
                self.expr(iter);
                self.block(body);
            }
            StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Return(None) | StmtKind::Break(_) | StmtKind::Continue(_) => {}
        }
    }

    fn res_target(&self, r: &Res) -> Option<Target> {
        Some(match r {
            Res::Local(l) => Target::Local(self.module, *l),
            Res::SelfValue => return None,
            Res::Fn(f) | Res::Method(f) => Target::Fn(*f),
            Res::Global(g) => Target::Global(*g),
            Res::Module(m) => Target::Module(*m),
            Res::Type(t) => Target::Type(*t),
            Res::Variant(t, i) => Target::Variant(*t, *i),
            Res::Field(t, i) => Target::Field(*t, *i),
            Res::Builtin(n) => Target::Builtin(n),
            Res::BuiltinMethod(n) => Target::BuiltinMethod(n),
            Res::Math(n) => Target::Math(n),
        })
    }

    fn resolution(&self, id: NodeId) -> Option<Target> {
        let r = self.tables()?.resolutions.get(&id)?;
        self.res_target(r)
    }

    fn note_typed(&mut self, span: Span, id: NodeId, pattern: bool) {
        let Some(tables) = self.tables() else { return };
        let typed = if pattern { tables.pat_types.contains_key(&id) } else { tables.expr_types.contains_key(&id) };
        if typed {
            let m = self.module;
            self.index.typed.entry(span.file).or_default().push((span, m, id, pattern));
        }
    }

    fn expr(&mut self, e: &Expr) {
        crate::with_stack(|| self.expr_inner(e));
    }

    fn expr_inner(&mut self, e: &Expr) {
        self.note_typed(e.span, e.id, false);
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::SelfValue
            | ExprKind::Error => {}
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interp { expr, spec_args, .. } = part {
                        self.expr(expr);
                        for (_, a) in spec_args {
                            self.expr(a);
                        }
                    }
                }
            }
            ExprKind::Name(ident) => {
                if let Some(t) = self.resolution(e.id) {
                    self.push(ident.span, t, false);
                }
            }
            ExprKind::Field { base, name } => {
                self.expr(base);
                if let Some(t) = self.resolution(e.id) {
                    self.push(name.span, t, false);
                }
            }
            ExprKind::TupleIndex { base, .. } => self.expr(base),
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                for a in args {
                    self.expr(&a.expr);
                }
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Slice { base, start, end, .. } => {
                self.expr(base);
                if let Some(s) = start {
                    self.expr(s);
                }
                if let Some(x) = end {
                    self.expr(x);
                }
            }
            ExprKind::Unary { expr, .. } | ExprKind::Try(expr) => self.expr(expr),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Range { start, end, .. } => {
                self.expr(start);
                self.expr(end);
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|x| self.expr(x)),
            ExprKind::Map(pairs) => {
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::StructLit { path, fields } => {
                let ty = match self.resolution(e.id) {
                    Some(Target::Type(t)) => Some(t),
                    _ => None,
                };
                if let (Some(t), Some(last)) = (ty, path.last()) {
                    self.push(last.span, Target::Type(t), false);
                }
                if let [module, _] = path.as_slice() {
                    if let Some(m) = self.imported(&module.name) {
                        self.push(module.span, Target::Module(m), false);
                    }
                }
                for init in fields {
                    let field = ty.and_then(|t| {
                        let s = self.checked.types.as_struct(t)?;
                        s.fields.iter().position(|f| f.name == init.name.name).map(|i| Target::Field(t, i))
                    });
                    let shorthand = init.value.span == init.name.span;
                    if let Some(target) = field {
                        let o = Occurrence { span: init.name.span, target, def: false, shorthand };
                        self.index.names.entry(o.span.file).or_default().push(o);
                    }
                    if shorthand {
                        self.note_typed(init.value.span, init.value.id, false);
                        if let Some(target) = self.resolution(init.value.id) {
                            let o = Occurrence { span: init.name.span, target, def: false, shorthand };
                            self.index.names.entry(o.span.file).or_default().push(o);
                        }
                    } else {
                        self.expr(&init.value);
                    }
                }
            }
            ExprKind::If { cond, then, else_ } => {
                match cond {
                    IfCond::Expr(c) => self.expr(c),
                    IfCond::Let { pattern, value } => {
                        self.pattern(pattern);
                        self.expr(value);
                    }
                }
                self.block(then);
                if let Some(e) = else_ {
                    self.expr(e);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    self.expr(&arm.body);
                }
            }
            ExprKind::Closure { params, ret, body } => {
                for p in params {
                    if let Some(t) = &p.ty {
                        self.ty(t);
                    }
                }
                if let Some(r) = ret {
                    self.ty(r);
                }
                self.expr(body);
            }
            ExprKind::Block(b) => self.block(b),
        }
    }

    fn pattern(&mut self, p: &Pattern) {
        crate::with_stack(|| self.pattern_inner(p));
    }

    fn pattern_inner(&mut self, p: &Pattern) {
        self.note_typed(p.span, p.id, true);
        let res = self.tables().and_then(|t| t.patterns.get(&p.id)).cloned();
        match &p.kind {
            PatternKind::Binding(ident) => {
                if let Some(PatRes::Variant(t, i)) = res {
                    self.push(ident.span, Target::Variant(t, i), false);
                }
            }
            PatternKind::Variant { path, args } => {
                if let Some(PatRes::Variant(t, i)) = res {
                    if let Some(last) = path.last() {
                        self.push(last.span, Target::Variant(t, i), false);
                    }
                    if path.len() >= 2 {
                        self.push(path[path.len() - 2].span, Target::Type(t), false);
                    }
                    if path.len() == 3 {
                        if let Some(m) = self.imported(&path[0].name) {
                            self.push(path[0].span, Target::Module(m), false);
                        }
                    }
                }
                for a in args.iter().flatten() {
                    self.pattern(a);
                }
            }
            PatternKind::Struct { path, fields, .. } => {
                if let Some(PatRes::Struct(t)) = res {
                    if let Some(last) = path.last() {
                        self.push(last.span, Target::Type(t), false);
                    }
                    if path.len() == 2 {
                        if let Some(m) = self.imported(&path[0].name) {
                            self.push(path[0].span, Target::Module(m), false);
                        }
                    }
                    let names: Vec<String> = self
                        .checked
                        .types
                        .as_struct(t)
                        .map(|s| s.fields.iter().map(|f| f.name.clone()).collect())
                        .unwrap_or_default();
                    for f in fields {
                        // A shorthand field is also the binding: the binding
                        // (the pattern below) is what its name means.
                        if let (false, Some(i)) = (f.shorthand, names.iter().position(|n| *n == f.name.name)) {
                            self.push(f.name.span, Target::Field(t, i), false);
                        }
                    }
                }
                for f in fields {
                    self.pattern(&f.pattern);
                }
            }
            PatternKind::Tuple(ps) | PatternKind::Or(ps) => ps.iter().for_each(|x| self.pattern(x)),
            PatternKind::Wildcard | PatternKind::Literal(_) | PatternKind::None | PatternKind::Error => {}
        }
    }
}

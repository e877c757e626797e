//! Mutability and value semantics: which expressions are mutable places
//! (E0400, E0403, E0404, E0405) and the `mut` argument rules (E0401,
//! E0402, E0406).

use super::{Checker, GlobalId, LocalId, Res};
use crate::ast::{Expr, ExprKind};
use crate::diagnostic::{Code, Diagnostic};

/// The variable a place is rooted in (for E0406).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PlaceRoot {
    Local(LocalId),
    Global(GlobalId),
    SelfValue,
}

/// Why an expression is not a mutable place.
pub(super) struct NotMutable {
    message: String,
    help: Option<String>,
    /// A variable captured by the enclosing closure (E0405).
    captured: bool,
}

impl Checker<'_> {
    /// Whether an already-checked expression is a place that may be
    /// mutated, and its root variable.
    pub(super) fn place(&self, e: &Expr) -> Result<PlaceRoot, NotMutable> {
        let m = self.cx.module.0 as usize;
        let res = self.tables[m].resolutions.get(&e.id);
        match (&e.kind, res) {
            (ExprKind::Name(n), Some(Res::Local(id))) => {
                let info = self.local_info(*id);
                let meta = self.cx.meta.get(id);
                if meta.is_some_and(|meta| meta.depth < self.cx.closure_depth) {
                    return Err(NotMutable {
                        message: format!("`{}` is captured by the closure, which holds its own copy", n.name),
                        help: Some("closures capture by value: return the new value instead".into()),
                        captured: true,
                    });
                }
                if info.is_some_and(|i| i.mutable) {
                    return Ok(PlaceRoot::Local(*id));
                }
                let (message, help) = if meta.is_some_and(|m| m.param) {
                    (
                        format!("`{}` is a parameter that is not `mut`", n.name),
                        format!("declare the parameter as `mut {}` (callers then pass `mut`)", n.name),
                    )
                } else {
                    (format!("`{}` is declared with `let`", n.name), format!("declare it with `var {}`", n.name))
                };
                Err(NotMutable { message, help: Some(help), captured: false })
            }
            (ExprKind::Name(_) | ExprKind::Field { .. }, Some(Res::Global(g))) => {
                let Some(info) = self.globals.get(g.0 as usize) else {
                    return Ok(PlaceRoot::Global(*g));
                };
                if !info.is_state {
                    return Err(NotMutable {
                        message: format!("`{}` is a constant", info.name),
                        help: Some(format!("use `state {}` for module state that changes", info.name)),
                        captured: false,
                    });
                }
                if info.module != self.cx.module {
                    let modname = self.program.module(info.module).name.clone();
                    return Err(NotMutable {
                        message: format!(
                            "`{}` is state of module `{modname}`; other modules may only read it",
                            info.name
                        ),
                        help: Some(format!("add a `pub fn` to `{modname}` that changes it")),
                        captured: false,
                    });
                }
                Ok(PlaceRoot::Global(*g))
            }
            (_, Some(Res::Fn(_))) => {
                Err(NotMutable { message: "a function cannot be assigned to".into(), help: None, captured: false })
            }
            (ExprKind::SelfValue, _) => match self.cx.self_ty {
                Some((_, true)) => Ok(PlaceRoot::SelfValue),
                _ => Err(NotMutable {
                    message: "`self` is not mutable in this method".into(),
                    help: Some("declare the method with `mut self`".into()),
                    captured: false,
                }),
            },
            (ExprKind::Field { base, .. }, Some(Res::Field(..))) => self.place(base),
            (ExprKind::TupleIndex { base, .. } | ExprKind::Index { base, .. }, _) => self.place(base),
            _ => Err(NotMutable {
                message: "this is a temporary value, not a variable".into(),
                help: Some("store it in a `var` first".into()),
                captured: false,
            }),
        }
    }

    /// The fields (and tuple positions) a place selects below its root
    /// variable, `p.a.0` → `["a", "0"]`; `None` when it goes through an
    /// index (`xs[i]`: which element is known only at run time).
    pub(super) fn field_path(&self, e: &Expr) -> Option<Vec<String>> {
        let m = self.cx.module.0 as usize;
        match (&e.kind, self.tables[m].resolutions.get(&e.id)) {
            (ExprKind::Name(_) | ExprKind::SelfValue, _) => Some(Vec::new()),
            // `module.state`: the root itself.
            (ExprKind::Field { .. }, Some(Res::Global(_))) => Some(Vec::new()),
            (ExprKind::Field { base, name }, Some(Res::Field(..))) => {
                let mut path = self.field_path(base)?;
                path.push(name.name.clone());
                Some(path)
            }
            (ExprKind::TupleIndex { base, index, .. }, _) => {
                let mut path = self.field_path(base)?;
                path.push(index.to_string());
                Some(path)
            }
            _ => None,
        }
    }

    /// Report when `e` is not a mutable place, with `code` (E0405 instead
    /// for captured variables). Returns the root when it is one.
    pub(super) fn require_mut_place(&mut self, e: &Expr, code: Code, what: &str) -> Option<PlaceRoot> {
        if self.expr_is_error(e) {
            return None;
        }
        match self.place(e) {
            Ok(root) => Some(root),
            Err(nm) => {
                let code = if nm.captured { Code::E0405 } else { code };
                let mut d = Diagnostic::new(code, format!("{what}: {}", nm.message)).primary(e.span, "");
                if let Some(h) = nm.help {
                    d = d.with_help(h);
                }
                self.emit(d);
                None
            }
        }
    }

    /// Whether the expression's type is already an error (no follow-on
    /// mutability diagnostics for it).
    fn expr_is_error(&self, e: &Expr) -> bool {
        if matches!(e.kind, ExprKind::Error) {
            return true;
        }
        let m = self.cx.module.0 as usize;
        let res = self.tables[m].resolutions.get(&e.id);
        match &e.kind {
            ExprKind::Name(_) => res.is_none(),
            ExprKind::Field { base, .. } => res.is_none() || self.expr_is_error(base),
            ExprKind::TupleIndex { base, .. } | ExprKind::Index { base, .. } => self.expr_is_error(base),
            ExprKind::SelfValue => self.cx.self_ty.is_none(),
            _ => false,
        }
    }
}

//! Int arithmetic in `const` initializers is evaluated here: an `int`
//! const is a Rust `const`, which rustc evaluates while it compiles, and an
//! overflow or a division by zero there is a compile error of generated
//! code. So the checker reports it first (E0313), at the operation.

use super::{Checker, GlobalId, Res};
use crate::ast::{BinOp, Expr, ExprKind, ItemKind, UnaryOp};
use crate::diagnostic::Code;
use crate::ty::Ty;

/// Why a constant int was not computed.
enum NoValue {
    /// Not an int the checker computes (or it depends on an error).
    Unknown,
    /// Overflow or division by zero, already reported.
    Reported,
}

/// How deep `const` references are followed (a cycle is E0313 already).
const MAX_DEPTH: u32 = 64;

impl Checker<'_> {
    /// Report the int operations of a const initializer that overflow or
    /// divide by zero.
    pub(super) fn check_const_ints(&mut self, module: usize, e: &Expr) {
        if self.tables[module].expr_types.get(&e.id) == Some(&Ty::Int) {
            let _ = self.const_int(module, e, 0);
            return;
        }
        match &e.kind {
            ExprKind::Unary { expr, .. } => self.check_const_ints(module, expr),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.check_const_ints(module, lhs);
                self.check_const_ints(module, rhs);
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().for_each(|i| self.check_const_ints(module, i))
            }
            ExprKind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
                self.check_const_ints(module, k);
                self.check_const_ints(module, v);
            }),
            ExprKind::StructLit { fields, .. } => fields.iter().for_each(|f| self.check_const_ints(module, &f.value)),
            ExprKind::Call { args, .. } => args.iter().for_each(|a| self.check_const_ints(module, &a.expr)),
            _ => {}
        }
    }

    fn const_int(&mut self, module: usize, e: &Expr, depth: u32) -> Result<i64, NoValue> {
        if depth > MAX_DEPTH {
            return Err(NoValue::Unknown);
        }
        match &e.kind {
            ExprKind::Int(n) => Ok(*n),
            ExprKind::Unary { op: UnaryOp::Neg, expr } => {
                let v = self.const_int(module, expr, depth + 1)?;
                v.checked_neg().ok_or_else(|| self.const_fails(e, format!("`-({v})` overflows an int")))
            }
            ExprKind::Unary { op: UnaryOp::BitNot, expr } => Ok(!self.const_int(module, expr, depth + 1)?),
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.const_int(module, lhs, depth + 1);
                let b = self.const_int(module, rhs, depth + 1);
                let (a, b) = (a?, b?);
                let value = match op {
                    BinOp::Add => a.checked_add(b),
                    BinOp::Sub => a.checked_sub(b),
                    BinOp::Mul => a.checked_mul(b),
                    BinOp::Div | BinOp::Rem if b == 0 => {
                        let what = if *op == BinOp::Div { "division" } else { "remainder" };
                        return Err(self.const_fails(e, format!("{what} by zero")));
                    }
                    BinOp::Div => a.checked_div(b),
                    BinOp::Rem => Some(a.wrapping_rem(b)),
                    BinOp::BitAnd => Some(a & b),
                    BinOp::BitOr => Some(a | b),
                    BinOp::BitXor => Some(a ^ b),
                    BinOp::Shl | BinOp::Shr if !(0..64).contains(&b) => {
                        return Err(self.const_fails(e, format!("shift amount {b} is out of range (0 to 63)")));
                    }
                    BinOp::Shl => Some(a << b),
                    BinOp::Shr => Some(a >> b),
                    _ => return Err(NoValue::Unknown),
                };
                value.ok_or_else(|| self.const_fails(e, format!("`{a} {} {b}` overflows an int", op.as_str())))
            }
            ExprKind::Name(_) | ExprKind::Field { .. } => match self.tables[module].resolutions.get(&e.id) {
                Some(Res::Global(g)) => self.const_global(*g, depth + 1),
                Some(Res::Math("int.MAX")) => Ok(i64::MAX),
                Some(Res::Math("int.MIN")) => Ok(i64::MIN),
                _ => Err(NoValue::Unknown),
            },
            _ => Err(NoValue::Unknown),
        }
    }

    /// The value of another int const (an error in it is reported there).
    fn const_global(&mut self, g: GlobalId, depth: u32) -> Result<i64, NoValue> {
        let Some(info) = self.globals.get(g.0 as usize) else { return Err(NoValue::Unknown) };
        if info.is_state || info.ty != Ty::Int {
            return Err(NoValue::Unknown);
        }
        let module = info.module;
        let Some(ItemKind::Const(c)) = self.program.module(module).ast.items.get(info.item).map(|i| &i.kind) else {
            return Err(NoValue::Unknown);
        };
        let diags = self.diags.len();
        let value = self.const_int(module.0 as usize, &c.value, depth);
        // Reported when that const is checked itself.
        self.diags.truncate(diags);
        value.map_err(|_| NoValue::Unknown)
    }

    fn const_fails(&mut self, e: &Expr, message: String) -> NoValue {
        self.report(
            Code::E0313,
            e.span,
            format!("this constant cannot be computed: {message}"),
            "a `const` is computed when the program is compiled; use `state` for a value computed at run time",
        );
        NoValue::Reported
    }
}

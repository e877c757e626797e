//! The untyped syntax tree, exactly as written. Names are not resolved here:
//! `a.b` may be a field, a module member or an enum variant, and a bare
//! pattern `Empty` may be a unit variant or a binding; the checker decides
//! and records its decisions in side tables keyed by [`NodeId`], so this tree
//! stays the parser's output and the typed view lives beside it.

use crate::source::{FileId, Span};

index_types! {
    /// Unique per module: every [`Expr`] and [`Pattern`] has one.
    NodeId;
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One `.ae` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub file: FileId,
    /// Span of a leading `@no_hmr`, if the file has one.
    pub no_hmr: Option<Span>,
    pub imports: Vec<Import>,
    pub items: Vec<Item>,
    /// One past the largest [`NodeId`] used in this module.
    pub node_count: u32,
}

/// `import net.http`: the module is then used by its last segment, `http`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: Vec<Ident>,
    pub span: Span,
}

impl Import {
    /// The name the importing module uses: the last path segment.
    pub fn local_name(&self) -> &Ident {
        &self.path[self.path.len() - 1]
    }

    /// `net.http`.
    pub fn dotted(&self) -> String {
        self.path.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(".")
    }
}

/// `@name` before an item.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub attrs: Vec<Attribute>,
    pub is_pub: bool,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Fn(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Const(ConstDecl),
    State(StateDecl),
    Test(TestDecl),
    ExternFn(ExternFnDecl),
}

/// `extern fn name(params) -> ret = "rust::path"`: a function of the Rust
/// host crate (or a crate it depends on), called from Aether. It has no
/// body; only a host crate built through `aether-build` can bind it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternFnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    /// The Rust path, as written between the quotes: `crate::render::draw`.
    pub path: String,
    /// The string literal holding the path.
    pub path_span: Span,
}

/// `fn name(params) -> ret { body }` or a method `fn Type.name(self, ...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    /// `Ball` in `fn Ball.fall(...)`.
    pub receiver: Option<Ident>,
    pub name: Ident,
    /// `<T, U>`: the type parameters of a generic function (empty when it
    /// has none). A parameter may later carry bounds (`T: Ord`).
    pub generics: Vec<TypeParam>,
    /// `self` or `mut self` (methods only).
    pub self_param: Option<SelfParam>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
}

/// `T` in `fn first<T>(xs: [T]) -> T?`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeParam {
    pub name: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelfParam {
    pub mutable: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    /// `<A, B>` of a generic struct (empty when it has none).
    pub generics: Vec<TypeParam>,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    /// `<T>` of a generic enum (empty when it has none).
    pub generics: Vec<TypeParam>,
    pub variants: Vec<VariantDecl>,
}

/// `Circle(r: float)` or `Empty`.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantDecl {
    pub name: Ident,
    pub fields: Vec<VariantField>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantField {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// `const LIMIT: int = 10`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
}

/// `state score: int = 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct StateDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
}

/// `test "name" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: String,
    pub name_span: Span,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `Ball`, `physics.Ball`, and with type arguments
    /// `Pair<int, str>` (empty when none are written).
    Named(Vec<Ident>, Vec<TypeExpr>),
    /// `[T]`
    List(Box<TypeExpr>),
    /// `{K: V}`
    Map(Box<TypeExpr>, Box<TypeExpr>),
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `T!`
    Result(Box<TypeExpr>),
    /// `(A, B)`; `()` is the unit type.
    Tuple(Vec<TypeExpr>),
    /// `fn(A, B) -> C`; no `->` means `-> ()`.
    Fn(Vec<TypeExpr>, Option<Box<TypeExpr>>),
    /// A type the parser could not read (an error was reported).
    Error,
}

/// `{ stmt* }`. Its value is its last statement when that is an expression
/// statement; where the context expects `()`, the value is discarded.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let p: T = e` (`mutable: false`) or `var p: T = e` (`mutable: true`).
    Let {
        mutable: bool,
        pattern: Pattern,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `target op value`; `target` is a name, field, tuple index or index expression.
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    Expr(Expr),
    /// `while cond { }` or `while let pattern = value { }` (the loop ends
    /// when the pattern does not match), each maybe labelled: `'outer: while`.
    While {
        label: Option<Ident>,
        cond: IfCond,
        body: Block,
    },
    Loop {
        label: Option<Ident>,
        body: Block,
    },
    /// `for p in iter`, `for mut x in list`, `for (k, v) in map`.
    For {
        label: Option<Ident>,
        mutable: bool,
        pattern: Pattern,
        iter: Expr,
        body: Block,
    },
    Return(Option<Expr>),
    /// `break` or `break 'outer` (the label's name without the quote).
    Break(Option<Ident>),
    Continue(Option<Ident>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Assign,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl AssignOp {
    /// The binary operator of a compound assignment (`+=` is `Add`).
    pub fn binary(self) -> Option<BinOp> {
        Some(match self {
            AssignOp::Assign => return None,
            AssignOp::Add => BinOp::Add,
            AssignOp::Sub => BinOp::Sub,
            AssignOp::Mul => BinOp::Mul,
            AssignOp::Div => BinOp::Div,
            AssignOp::Rem => BinOp::Rem,
            AssignOp::BitAnd => BinOp::BitAnd,
            AssignOp::BitOr => BinOp::BitOr,
            AssignOp::BitXor => BinOp::BitXor,
            AssignOp::Shl => BinOp::Shl,
            AssignOp::Shr => BinOp::Shr,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub id: NodeId,
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `none`
    None,
    /// A string literal; `"a{b}c"` is `[Text("a"), Interp(b), Text("c")]`.
    Str(Vec<StrPart>),
    /// A bare name: a local, a function, a const or state, a module, a type.
    Name(Ident),
    /// `self` inside a method.
    SelfValue,
    /// `base.name`: a field, a module member (`physics.step`), an enum
    /// variant (`Shape.Empty`), or, as a call's callee, a method.
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    /// `t.0`
    TupleIndex {
        base: Box<Expr>,
        index: u32,
        index_span: Span,
    },
    /// `callee(args)`; a method call is a call whose callee is a `Field`.
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `base[index]`
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `base[start..end]`, either bound optional.
    Slice {
        base: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
        inclusive: bool,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `start..end` / `start..=end` (in `for` and as values).
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    /// `expr?`
    Try(Box<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v}`; `{}` is the empty map.
    Map(Vec<(Expr, Expr)>),
    /// `(a, b)`; `()` is the unit value. `(a)` is just `a`, not a tuple.
    Tuple(Vec<Expr>),
    /// `Ball { x: 1.0 }` or `physics.Ball { x }` (shorthand field).
    StructLit {
        path: Vec<Ident>,
        fields: Vec<FieldInit>,
    },
    /// `if cond { } else ...`; `else_` is a `Block` or another `If`.
    If {
        cond: IfCond,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `|x| x * 2`, `|a: int| -> int { a }`.
    Closure {
        params: Vec<ClosureParam>,
        ret: Option<TypeExpr>,
        body: Box<Expr>,
    },
    /// A `{ ... }` block in expression position (an `else` branch, an arm body,
    /// a closure body).
    Block(Block),
    /// Something the parser could not read (an error was reported).
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    /// `{expr}` or `{expr:spec}`; `spec` is a Rust format spec, already
    /// validated, without the widths and precisions written as `{expr}`
    /// (`{x:>{w}.{p}}`): those are `spec_args`, each with the byte offset in
    /// `spec` where it was.
    Interp {
        expr: Expr,
        spec: Option<String>,
        spec_args: Vec<(usize, Expr)>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum IfCond {
    Expr(Box<Expr>),
    /// `if let pattern = value`: a bare binding unwraps `T?` (and the `ok`
    /// side of `T!`); other patterns match like a one-armed `match`.
    Let {
        pattern: Pattern,
        value: Box<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `mut` written at the call site.
    pub mutable: bool,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClosureParam {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
    /// `~x`: bitwise not of an int.
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// `??`
    Coalesce,
    /// `&`, `|`, `^`: bitwise and, or, exclusive or of ints.
    BitAnd,
    BitOr,
    BitXor,
    /// `<<`, `>>`: shifts of an int (`>>` keeps the sign).
    Shl,
    Shr,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Coalesce => "??",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }

    /// The bitwise operators, on ints only.
    pub fn is_bitwise(self) -> bool {
        matches!(self, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr)
    }

    /// The parser's binding power (higher binds tighter), as Rust's:
    /// `||` < `&&` < comparisons < `??` < `|` < `^` < `&` < shifts < `+ -` < `* / %`.
    pub fn binding_power(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 3,
            BinOp::Coalesce => 4,
            BinOp::BitOr => 5,
            BinOp::BitXor => 6,
            BinOp::BitAnd => 7,
            BinOp::Shl | BinOp::Shr => 8,
            BinOp::Add | BinOp::Sub => 9,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub id: NodeId,
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// `x`: a binding, unless the scrutinee's enum has a unit variant of
    /// that name, in which case it is that variant (the checker decides).
    Binding(Ident),
    /// `1`, `-1`, `"s"`, `true`, `1.5`
    Literal(LitPattern),
    /// `none`
    None,
    /// `(a, b)`
    Tuple(Vec<Pattern>),
    /// `Circle(r)`, `Shape.Circle(r)`, `m.Shape.Empty`, `some(v)`, `ok(v)`,
    /// `err(e)`. `args` is `None` when no parentheses were written.
    Variant { path: Vec<Ident>, args: Option<Vec<Pattern>> },
    /// `Point { x, y: 0, .. }`, `shapes.Point { x }`: a struct's fields by
    /// name; `rest` when `..` ends it (the fields not named are ignored).
    Struct { path: Vec<Ident>, fields: Vec<FieldPattern>, rest: bool },
    /// `A | B`
    Or(Vec<Pattern>),
    /// A pattern the parser could not read (an error was reported).
    Error,
}

/// `x: pattern` in a struct pattern; `x` alone (`shorthand`) binds the field
/// to a variable of its name (`pattern` is then that binding).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldPattern {
    pub name: Ident,
    pub pattern: Pattern,
    pub shorthand: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LitPattern {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

/// Dropping an expression tree recursively would take one stack frame per
/// level, and a long flat chain (`0 + 0 + ... + 1`, a long method chain) is
/// thousands of levels deep even though it is not nested in the source. So
/// expressions are torn down with an explicit stack instead.
impl Drop for Expr {
    fn drop(&mut self) {
        if is_leaf(&self.kind) {
            return;
        }
        let mut pending = Vec::new();
        take_children(&mut self.kind, &mut pending);
        while let Some(mut e) = pending.pop() {
            take_children(&mut e.kind, &mut pending);
            // `e` now has no children: dropping it does not recurse.
        }
    }
}

/// The pattern of the [`ExprKind`]s without child expressions: a match over
/// an expression's children uses it as one arm, and stays exhaustive.
macro_rules! leaf_expr_kind {
    () => {
        $crate::ast::ExprKind::Int(_)
            | $crate::ast::ExprKind::Float(_)
            | $crate::ast::ExprKind::Bool(_)
            | $crate::ast::ExprKind::None
            | $crate::ast::ExprKind::Name(_)
            | $crate::ast::ExprKind::SelfValue
            | $crate::ast::ExprKind::Error
    };
}
pub(crate) use leaf_expr_kind;

fn is_leaf(kind: &ExprKind) -> bool {
    matches!(kind, leaf_expr_kind!())
}

/// Move every direct child expression of `kind` into `out`.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    fn block(b: Block, out: &mut Vec<Expr>) {
        for stmt in b.stmts {
            match stmt.kind {
                StmtKind::Let { value, .. } => out.push(value),
                StmtKind::Assign { target, value, .. } => out.extend([target, value]),
                StmtKind::Expr(e) => out.push(e),
                StmtKind::While { cond, body, .. } => {
                    match cond {
                        IfCond::Expr(e) => out.push(*e),
                        IfCond::Let { value, .. } => out.push(*value),
                    }
                    block(body, out);
                }
                StmtKind::Loop { body, .. } => block(body, out),
                StmtKind::For { iter, body, .. } => {
                    out.push(iter);
                    block(body, out);
                }
                StmtKind::Return(e) => out.extend(e),
                StmtKind::Break(_) | StmtKind::Continue(_) => {}
            }
        }
    }
    match std::mem::replace(kind, ExprKind::Error) {
        ExprKind::Str(parts) => {
            for part in parts {
                if let StrPart::Interp { expr, spec_args, .. } = part {
                    out.push(expr);
                    out.extend(spec_args.into_iter().map(|(_, a)| a));
                }
            }
        }
        ExprKind::Field { base, .. } | ExprKind::TupleIndex { base, .. } => out.push(*base),
        ExprKind::Call { callee, args } => {
            out.push(*callee);
            out.extend(args.into_iter().map(|a| a.expr));
        }
        ExprKind::Index { base, index } => out.extend([*base, *index]),
        ExprKind::Slice { base, start, end, .. } => {
            out.push(*base);
            out.extend(start.map(|b| *b));
            out.extend(end.map(|b| *b));
        }
        ExprKind::Unary { expr, .. } | ExprKind::Try(expr) => out.push(*expr),
        ExprKind::Binary { lhs, rhs, .. } => out.extend([*lhs, *rhs]),
        ExprKind::Range { start, end, .. } => out.extend([*start, *end]),
        ExprKind::List(items) | ExprKind::Tuple(items) => out.extend(items),
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                out.extend([k, v]);
            }
        }
        ExprKind::StructLit { fields, .. } => out.extend(fields.into_iter().map(|f| f.value)),
        ExprKind::If { cond, then, else_ } => {
            match cond {
                IfCond::Expr(e) => out.push(*e),
                IfCond::Let { value, .. } => out.push(*value),
            }
            block(then, out);
            out.extend(else_.map(|b| *b));
        }
        ExprKind::Match { scrutinee, arms } => {
            out.push(*scrutinee);
            for arm in arms {
                out.extend(arm.guard);
                out.push(arm.body);
            }
        }
        ExprKind::Closure { body, .. } => out.push(*body),
        ExprKind::Block(b) => block(b, out),
        leaf_expr_kind!() => {}
    }
}

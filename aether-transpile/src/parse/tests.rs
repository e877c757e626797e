//! Parser snapshot tests: each snapshot holds the source and the parsed tree
//! (as compact S-expressions) or the rendered diagnostics.

use super::*;
use crate::source::{SourceFile, SourceMap};
use std::fmt::Write;

/// Parse `src` and render the tree plus any diagnostics, source first.
fn check(src: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new("test.ae", Default::default(), src.to_string()));
    let (module, diags) = parse_module(file, src);
    let mut out = format!("{src}\n---\n");
    out.push_str(&dump_module(&module));
    for d in &diags {
        out.push_str(&d.render(&sources));
    }
    out
}

fn parse_ok(src: &str) -> String {
    let out = check(src);
    assert!(!out.contains("error["), "unexpected parse errors:\n{out}");
    out
}

fn parse_err(src: &str) -> String {
    let out = check(src);
    assert!(out.contains("error["), "expected a parse error:\n{out}");
    out
}

/// `parses!(name, "source")`: a snapshot test of source that parses
/// cleanly; `fails_to_parse!` of source with errors.
macro_rules! parses {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(parse_ok($src));
        }
    };
}

macro_rules! fails_to_parse {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(parse_err($src));
        }
    };
}

// ---- a compact printer ------------------------------------------------

fn dump_module(m: &Module) -> String {
    let mut out = String::new();
    if m.no_hmr.is_some() {
        out.push_str("@no_hmr\n");
    }
    for i in &m.imports {
        let _ = writeln!(out, "(import {})", i.dotted());
    }
    for item in &m.items {
        out.push_str(&dump_item(item));
        out.push('\n');
    }
    out
}

fn dump_item(item: &Item) -> String {
    let mut s = String::new();
    for a in &item.attrs {
        let _ = write!(s, "@{} ", a.name.name);
    }
    if item.is_pub {
        s.push_str("pub ");
    }
    match &item.kind {
        ItemKind::Fn(f) => {
            let recv = f.receiver.as_ref().map(|r| format!("{}.", r.name)).unwrap_or_default();
            let mut params: Vec<String> = Vec::new();
            if let Some(sp) = &f.self_param {
                params.push(if sp.mutable { "mut self".into() } else { "self".into() });
            }
            params.extend(
                f.params
                    .iter()
                    .map(|p| format!("{}{}: {}", if p.mutable { "mut " } else { "" }, p.name.name, ty(&p.ty))),
            );
            let ret = f.ret.as_ref().map(|t| format!(" -> {}", ty(t))).unwrap_or_default();
            let generics = type_params(&f.generics);
            let _ = write!(s, "(fn {recv}{}{generics} ({}){ret} {})", f.name.name, params.join(", "), block(&f.body));
        }
        ItemKind::Struct(st) => {
            let fields: Vec<String> = st
                .fields
                .iter()
                .map(|f| match &f.default {
                    Some(d) => format!("{}: {} = {}", f.name.name, ty(&f.ty), expr(d)),
                    None => format!("{}: {}", f.name.name, ty(&f.ty)),
                })
                .collect();
            let _ = write!(s, "(struct {}{} {{{}}})", st.name.name, type_params(&st.generics), fields.join(", "));
        }
        ItemKind::Enum(e) => {
            let vs: Vec<String> = e
                .variants
                .iter()
                .map(|v| {
                    if v.fields.is_empty() {
                        v.name.name.clone()
                    } else {
                        let fs: Vec<String> =
                            v.fields.iter().map(|f| format!("{}: {}", f.name.name, ty(&f.ty))).collect();
                        format!("{}({})", v.name.name, fs.join(", "))
                    }
                })
                .collect();
            let _ = write!(s, "(enum {}{} {{{}}})", e.name.name, type_params(&e.generics), vs.join(", "));
        }
        ItemKind::Const(c) => {
            let t = c.ty.as_ref().map(|t| format!(": {}", ty(t))).unwrap_or_default();
            let _ = write!(s, "(const {}{t} {})", c.name.name, expr(&c.value));
        }
        ItemKind::State(c) => {
            let t = c.ty.as_ref().map(|t| format!(": {}", ty(t))).unwrap_or_default();
            let _ = write!(s, "(state {}{t} {})", c.name.name, expr(&c.value));
        }
        ItemKind::Test(t) => {
            let _ = write!(s, "(test {:?} {})", t.name, block(&t.body));
        }
        ItemKind::ExternFn(x) => {
            let params: Vec<String> = x
                .params
                .iter()
                .map(|p| format!("{}{}: {}", if p.mutable { "mut " } else { "" }, p.name.name, ty(&p.ty)))
                .collect();
            let ret = x.ret.as_ref().map(|t| format!(" -> {}", ty(t))).unwrap_or_default();
            let _ = write!(s, "(extern fn {} ({}){ret} = {:?})", x.name.name, params.join(", "), x.path);
        }
    }
    s
}

fn type_params(params: &[TypeParam]) -> String {
    let names: Vec<&str> = params.iter().map(|g| g.name.name.as_str()).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("<{}>", names.join(", "))
    }
}

fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Named(p, args) => {
            let name = p.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(".");
            if args.is_empty() {
                name
            } else {
                format!("{name}<{}>", args.iter().map(ty).collect::<Vec<_>>().join(", "))
            }
        }
        TypeExprKind::List(i) => format!("[{}]", ty(i)),
        TypeExprKind::Map(k, v) => format!("{{{}: {}}}", ty(k), ty(v)),
        TypeExprKind::Optional(i) => format!("{}?", ty(i)),
        TypeExprKind::Result(i) => format!("{}!", ty(i)),
        TypeExprKind::Tuple(ts) => format!("({})", ts.iter().map(ty).collect::<Vec<_>>().join(", ")),
        TypeExprKind::Fn(ps, r) => format!(
            "fn({}){}",
            ps.iter().map(ty).collect::<Vec<_>>().join(", "),
            r.as_ref().map(|r| format!(" -> {}", ty(r))).unwrap_or_default()
        ),
        TypeExprKind::Error => "<error>".into(),
    }
}

pub(super) fn block(b: &Block) -> String {
    let stmts: Vec<String> = b.stmts.iter().map(stmt).collect();
    format!("{{{}}}", stmts.join("; "))
}

pub(super) fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let { mutable, pattern, ty: t, value } => {
            let t = t.as_ref().map(|t| format!(": {}", ty(t))).unwrap_or_default();
            format!("({} {}{t} {})", if *mutable { "var" } else { "let" }, pat(pattern), expr(value))
        }
        StmtKind::Assign { target, op, value } => {
            let op = op.binary().map(|b| format!("{}=", b.as_str())).unwrap_or_else(|| "=".into());
            format!("({op} {} {})", expr(target), expr(value))
        }
        StmtKind::Expr(e) => expr(e),
        StmtKind::While { label, cond, body } => {
            let c = match cond {
                IfCond::Expr(c) => expr(c),
                IfCond::Let { pattern, value } => format!("(let {} {})", pat(pattern), expr(value)),
            };
            format!("({}while {c} {})", label_of(label), block(body))
        }
        StmtKind::Loop { label, body } => format!("({}loop {})", label_of(label), block(body)),
        StmtKind::For { label, mutable, pattern, iter, body } => {
            let m = if *mutable { "mut " } else { "" };
            format!("({}for {m}{} {} {})", label_of(label), pat(pattern), expr(iter), block(body))
        }
        StmtKind::Return(Some(e)) => format!("(return {})", expr(e)),
        StmtKind::Return(None) => "(return)".into(),
        StmtKind::Break(None) => "(break)".into(),
        StmtKind::Break(Some(l)) => format!("(break '{})", l.name),
        StmtKind::Continue(None) => "(continue)".into(),
        StmtKind::Continue(Some(l)) => format!("(continue '{})", l.name),
    }
}

fn label_of(label: &Option<Ident>) -> String {
    label.as_ref().map(|l| format!("'{}: ", l.name)).unwrap_or_default()
}

pub(super) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::None => "none".into(),
        ExprKind::Str(parts) => {
            let ps: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => format!("{t:?}"),
                    StrPart::Interp { expr: x, spec: Some(sp), spec_args } => {
                        let mut sp = sp.clone();
                        for (at, a) in spec_args.iter().rev() {
                            sp.insert_str(*at, &format!("{{{}}}", expr(a)));
                        }
                        format!("{{{}:{sp}}}", expr(x))
                    }
                    StrPart::Interp { expr: x, spec: None, .. } => format!("{{{}}}", expr(x)),
                })
                .collect();
            format!("(str {})", ps.join(" "))
        }
        ExprKind::Name(i) => i.name.clone(),
        ExprKind::SelfValue => "self".into(),
        ExprKind::Field { base, name } => format!("(. {} {})", expr(base), name.name),
        ExprKind::TupleIndex { base, index, .. } => format!("(. {} {index})", expr(base)),
        ExprKind::Call { callee, args } => {
            let a: Vec<String> =
                args.iter().map(|a| format!("{}{}", if a.mutable { "mut " } else { "" }, expr(&a.expr))).collect();
            if a.is_empty() {
                format!("(call {})", expr(callee))
            } else {
                format!("(call {} {})", expr(callee), a.join(" "))
            }
        }
        ExprKind::Index { base, index } => format!("(index {} {})", expr(base), expr(index)),
        ExprKind::Slice { base, start, end, inclusive } => format!(
            "(slice {} {} {} {})",
            expr(base),
            start.as_ref().map(|x| expr(x)).unwrap_or("_".into()),
            if *inclusive { "..=" } else { ".." },
            end.as_ref().map(|x| expr(x)).unwrap_or("_".into())
        ),
        ExprKind::Unary { op, expr: x } => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "!",
                UnaryOp::BitNot => "~",
            };
            format!("({op} {})", expr(x))
        }
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.as_str(), expr(lhs), expr(rhs)),
        ExprKind::Range { start, end, inclusive } => {
            format!("({} {} {})", if *inclusive { "..=" } else { ".." }, expr(start), expr(end))
        }
        ExprKind::Try(x) => format!("(? {})", expr(x)),
        ExprKind::List(xs) => format!("[{}]", xs.iter().map(expr).collect::<Vec<_>>().join(" ")),
        ExprKind::Map(kv) => format!(
            "(map {})",
            kv.iter().map(|(k, v)| format!("{}: {}", expr(k), expr(v))).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Tuple(xs) => format!("(tuple {})", xs.iter().map(expr).collect::<Vec<_>>().join(" ")),
        ExprKind::StructLit { path, fields } => format!(
            "(new {} {})",
            path.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join("."),
            fields.iter().map(|f| format!("{}: {}", f.name.name, expr(&f.value))).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::If { cond, then, else_ } => {
            let c = match cond {
                IfCond::Expr(c) => expr(c),
                IfCond::Let { pattern, value } => format!("(let {} {})", pat(pattern), expr(value)),
            };
            match else_ {
                Some(e) => format!("(if {c} {} {})", block(then), expr(e)),
                None => format!("(if {c} {})", block(then)),
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            let arms: Vec<String> = arms
                .iter()
                .map(|a| match &a.guard {
                    Some(g) => format!("{} if {} => {}", pat(&a.pattern), expr(g), expr(&a.body)),
                    None => format!("{} => {}", pat(&a.pattern), expr(&a.body)),
                })
                .collect();
            format!("(match {} {})", expr(scrutinee), arms.join(", "))
        }
        ExprKind::Closure { params, ret, body } => {
            let ps: Vec<String> = params
                .iter()
                .map(|p| match &p.ty {
                    Some(t) => format!("{}: {}", p.name.name, ty(t)),
                    None => p.name.name.clone(),
                })
                .collect();
            let r = ret.as_ref().map(|t| format!(" -> {}", ty(t))).unwrap_or_default();
            format!("(|{}|{r} {})", ps.join(", "), expr(body))
        }
        ExprKind::Block(b) => block(b),
        ExprKind::Error => "<error>".into(),
    }
}

fn pat(p: &Pattern) -> String {
    match &p.kind {
        PatternKind::Wildcard => "_".into(),
        PatternKind::Binding(i) => i.name.clone(),
        PatternKind::Literal(LitPattern::Int(v)) => v.to_string(),
        PatternKind::Literal(LitPattern::Float(v)) => format!("{v:?}"),
        PatternKind::Literal(LitPattern::Str(v)) => format!("{v:?}"),
        PatternKind::Literal(LitPattern::Bool(v)) => v.to_string(),
        PatternKind::None => "none".into(),
        PatternKind::Tuple(ps) => format!("({})", ps.iter().map(pat).collect::<Vec<_>>().join(", ")),
        PatternKind::Variant { path, args } => {
            let p = path.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(".");
            match args {
                Some(a) => format!("{p}({})", a.iter().map(pat).collect::<Vec<_>>().join(", ")),
                None => p,
            }
        }
        PatternKind::Struct { path, fields, rest } => {
            let mut fs: Vec<String> = fields
                .iter()
                .map(
                    |f| if f.shorthand { f.name.name.clone() } else { format!("{}: {}", f.name.name, pat(&f.pattern)) },
                )
                .collect();
            if *rest {
                fs.push("..".into());
            }
            let path: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
            format!("(struct {} {{{}}})", path.join("."), fs.join(", "))
        }
        PatternKind::Or(ps) => ps.iter().map(pat).collect::<Vec<_>>().join(" | "),
        PatternKind::Error => "<error>".into(),
    }
}

// ---- tests ------------------------------------------------------------

parses!(
    modules_imports_and_attributes,
    "@no_hmr\nimport physics\nimport net.http\n\n@on_reload\nfn reloaded() {}\n@before_reload fn saving() {}\n"
);

parses!(
    items,
    r#"const LIMIT: int = 10
pub const NAME = "ae"
state score: int = 0
state names: [str] = []
pub struct Ball { x: float, y: float, vy: float = 0.0 }
struct Player {
    name: str
    hp: int = 100
}
enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }
pub enum Dir {
    Up
    Down
}
test "adds" { assert(1 + 1 == 2) }
"#
);

parses!(
    functions_and_methods,
    r#"fn area(s: Shape) -> float { 0.0 }
fn Ball.fall(mut self, dt: float) { self.vy += 9.8 * dt; self.y += self.vy * dt }
fn Ball.new(x: float) -> Ball { Ball { x, y: 0.0 } }
fn grow(mut xs: [int]) { xs.push(1) }
fn parse(s: str) -> int! { let n = s.parse_int()?; n }
fn main() -> ()! {}
"#
);

parses!(types, "fn f(a: [int], b: {str: [float]}, c: int?, d: str!, e: (int, str), g: fn(int, int) -> bool, h: fn(), i: physics.Ball, j: [int?]?, k: (fn(int) -> int)?, u: ()) {}\n");

parses!(
    statements,
    r#"fn f() {
    let x = 1
    var y: float = 2.0; y = 3.0
    let (a, b) = (1, 2)
    y += 1.0
    y -= 1.0; y *= 2.0; y /= 2.0
    var n = 10
    n %= 3
    while n > 0 { n -= 1 }
    loop { break }
    for i in 0..10 { continue }
    for i in 0..=10 {}
    for mut p in particles { p.x += 1.0 }
    for (k, v) in counts { println(k) }
    xs[0] = 5
    m["a"] = 1
    b.pos.x = 2.0
    t.0 = 1
    return
}
fn g() -> int { return 5 }
"#
);

// Rust's levels: `|` < `^` < `&` < shifts < `+`, all above comparisons;
// `<<`/`>>` are two adjacent tokens; `|` after an operand is an operator,
// at the start of an operand a closure.
parses!(
    bitwise_operator_precedence,
    r#"fn f() {
    a | b ^ c & d << 1 + e
    a & b == c | d
    ~a & ~-b >> 2
    opt ?? a | b
    |x| x | 1
    xs.map(|x| x >> 1 | x << 1)
    0xff_ff & 0b1010_1010
    a |
        b
}
"#
);

fails_to_parse!(bitwise_shift_with_space, "fn f() {\n    a < < b\n}\n");

// Struct patterns: shorthand fields, `field: pattern`, `..` last (a
// trailing comma allowed), dotted paths, nested in other patterns.
parses!(
    struct_patterns,
    r#"fn f() {
    let Point { x, y } = p
    let Point { x: px, .. } = p
    match s {
        Shape.Dot(Point { x: 0, y }) => y,
        (Point { x, .. }, geo.Point { y: some(v), x: _, }) => x,
        Point {
            x,
            ..,
        } => x,
        Point {} => 0,
    }
}
"#
);

fails_to_parse!(struct_pattern_rest_not_last, "fn f() {\n    let Point { .., x } = p\n}\n");

// Widths and precisions from expressions: `{expr}` in place of the digits,
// parsed in place (their spans point into the string).
parses!(
    format_spec_nested_arguments,
    r#"fn f() {
    println("{x:>{w}} {x:.{p}} {x:>{w}.{p}} {x:*^{w + 1}} {n:0{w}x} {n:+#{w}b} {s:<{f(a, b)}}")
}
"#
);

fails_to_parse!(
    format_spec_nested_argument_misplaced,
    r#"fn f() {
    println("{x:{w}>5}")
    println("{x:>{}}")
    println("{x:.{p}{q}}")
    println("{x:>{w}")
}
"#
);

// `<<=`/`>>=` are `<` `<=` and `>` `>=` with nothing between them, as the
// shifts are; `a < <= b` with a space is not one.
parses!(
    compound_bitwise_assignment,
    r#"fn f() {
    m &= 3
    m |= a | b
    m ^= ~m
    m <<= 2
    xs[i] >>= n << 1
    p.bits |= 1 << k
}
"#
);

fails_to_parse!(compound_shift_with_space, "fn f() {\n    a < <= b\n}\n");

parses!(
    labelled_loops_and_while_let,
    r#"fn f() {
    'outer: for i in 0..3 {
        'inner: while let some(x) = xs.pop() {
            if x == i { continue 'outer }
            if x > 9 { break 'inner }
            break
        }
        'forever: loop { break 'forever }
    }
    while let (a, 1) = pair { continue }
}
"#
);

fails_to_parse!(label_without_a_loop, "fn f() {\n    'outer: if x { break 'outer }\n}\n");

parses!(
    operator_precedence,
    r#"fn f() {
    a + b * c - d / e % f
    -a * !b
    a || b && c == d
    x < y + 1
    opt ?? 0 + 1
    a ?? b ?? c
    0..n + 1
    f(x)?.y
    xs[i][j].len()
    a +
        b
    let total = items
        .filter(|x| x > 0)
        .map(|x| x * 2)
}
"#
);

parses!(
    literals_and_collections,
    r#"fn f() {
    let a = [1, 2, 3]
    let b = []
    let m = {"a": 1, "b": 2}
    let e = {}
    let t = (1, "x", true)
    let u = ()
    let one = (1)
    let p = physics.Ball { x: 1.0, y }
    let s = Shape.Circle(1.0)
    let n = none
    let big = 1_000_000
    let h = 0xff
    let fl = 1.5e3
    let sl = xs[1..3]
    let sl2 = xs[..2]
    let sl3 = xs[1..]
    let sl4 = xs[a..=b]
    let multi = [
        1,
        2,
    ]
}
"#
);

parses!(
    strings_and_interpolation,
    r#"fn f() {
    let a = "plain\n\t\"quoted\" \{braces\} {{also}}"
    let b = "hp: {p.hp} of {max(a, b)}"
    let c = "{x:.9} {n:>5} {n:05} {v:?} {w:<8.3}"
    let d = "nested {m["key"]} ok"
    let e = "unicode \u{1F600}"
}
"#
);

parses!(
    control_flow_expressions,
    r#"fn f() {
    let a = if x > 0 { 1 } else { 2 }
    if a { b() } else if c { d() } else { e() }
    if x {
        y()
    }
    else {
        z()
    }
    if let v = opt { use(v) } else { nothing() }
    if let Circle(r) = shape { r }
    let m = match s {
        Circle(r) => r * r,
        Shape.Rect(w, h) if w > 0.0 => w * h
        geo.Shape.Empty => 0.0
        _ => { let z = 1.0; z }
    }
    match opt {
        some(v) => v
        none => return 0
    }
    match r { ok(v) => v, err(e) => panic(e) }
    match n { 0 | 1 => "small", -1 => "neg", _ => "big" }
    match (a, b) { (true, _) => 1, (false, x) => x }
    match s { "a" => 1, _ => 2 }
    while (Ball { x: 1.0 }).x > 0.0 {}
}
"#
);

parses!(
    match_arms_may_be_statements,
    r#"fn f() {
    match e {
        Coin(v) => score += v
        Hit(d) => player.hp -= d,
        Quit => return
        Skip => continue
        _ => {}
    }
}
"#
);

fails_to_parse!(
    a_broken_match_arm_costs_only_itself,
    r#"fn f() {
    let s = match x {
        1 => "one"
        2 => ) oops
        3 => "three"
    }
    let t = 1 +
}
"#
);

// After a closure's parameters, `{` opens a map literal unless what follows
// can only begin a statement: then it is a block.
parses!(
    closure_block_or_map_body,
    r#"fn f() {
    let a = || { break 'outer }
    let b = |x| { continue }
    let c = |x| {
        return x
    }
    let d = || {
        let y = 1
        y
    }
    let e = |k| { k: 1 }
    let g = || {
        "a": 1
    }
}
"#
);

parses!(
    closures_and_mut_args,
    r#"fn f() {
    let d = |x| x * 2
    let add = |a: int, b: int| -> int { a + b }
    let nothing = || println("hi")
    grow(mut list)
    xs.sort_by(|a, b| a - b)
    call(mut self.items, 3)
}
"#
);

parses!(shebang_and_comments, "#!/usr/bin/env -S cargo aether run\n// line comment\n/* block /* nested */ comment */\nfn main() { println(\"hi\") } // trailing\n");

fails_to_parse!(
    errors_recover_per_statement,
    r#"fn f() {
    let x = 1 +
    let ok = 1
    foo bar
    let y = [1, 2 3]
    ok = 2
}
fn g( {
}
struct S { a: int b: int }
fn h() { return 1 }
"#
);

#[test]
fn error_messages() {
    insta::assert_snapshot!(parse_err("fn f() { a < b < c }\n"));
    insta::assert_snapshot!(parse_err("fn f() { 1 + 2 = 3 }\n"));
    insta::assert_snapshot!(parse_err("let x = 1\n"));
    insta::assert_snapshot!(parse_err("fn f() { let s = \"open\n}\n"));
    insta::assert_snapshot!(parse_err("fn f() { let s = \"a {b\" }\n"));
    insta::assert_snapshot!(parse_err("fn f() { let s = \"{x:abc}\" }\n"));
    insta::assert_snapshot!(parse_err("fn f() { let s = \"{}\" }\n"));
    insta::assert_snapshot!(parse_err("fn f() {\n  if x == 1 {\n"));
    insta::assert_snapshot!(parse_err("/* never closed\nfn f() {}\n"));
    insta::assert_snapshot!(parse_err("fn f() { let x = 1 $ 2 }\n"));
    insta::assert_snapshot!(parse_err("@on_relaod\nfn f() {}\n"));
    insta::assert_snapshot!(parse_err("fn f() {}\n@no_hmr\n"));
    insta::assert_snapshot!(parse_err("fn f(self) {}\n"));
    insta::assert_snapshot!(parse_err("fn f() { let n = 99999999999999999999 }\n"));
    insta::assert_snapshot!(parse_err("enum E { A(float) }\n"));
    insta::assert_snapshot!(parse_err("fn f() { if x = 1 { } }\n"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Run on a small stack (the size of a test thread) to prove the depth
    // limit keeps recursion bounded.
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let deep = format!("fn f() {{ let x = {}1{} }}\n", "(".repeat(10_000), ")".repeat(10_000));
            let (_, diags) = parse_module(FileId(0), &deep);
            let unary = format!("fn f() {{ let x = {}1 }}\n", "-".repeat(10_000));
            let (_, diags2) = parse_module(FileId(0), &unary);
            let blocks = format!("fn f() {}{}\n", "{ if x ".repeat(5_000), "}".repeat(5_001));
            let (_, diags3) = parse_module(FileId(0), &blocks);
            (diags, diags2, diags3)
        })
        .expect("spawn");
    let (a, b, c) = handle.join().expect("parser overflowed its stack");
    for diags in [a, b, c] {
        assert!(diags.iter().any(|d| d.code == Code::E0008), "{diags:?}");
    }
}

#[test]
fn empty_file_parses_to_nothing() {
    let (m, diags) = parse_module(FileId(0), "");
    assert!(m.items.is_empty() && diags.is_empty());
}

// ---- extern fn ----------------------------------------------------------

parses!(
    extern_fns,
    r#"extern fn draw_rect(x: float, y: float, w: float, h: float) = "crate::render::draw_rect"
pub extern fn log(line: str) = "crate::host::log"
extern fn grow(mut xs: [int], n: int) -> int? = "::host_utils::grow"
extern fn multi(a: int,
          b: int) -> (int, int) =
    "other_crate::pairs::multi"
fn main() { draw_rect(0.0, 0.0, 1.0, 1.0) }
"#
);

fails_to_parse!(extern_fn_with_a_body, "extern fn log(line: str) { println(line) }\nfn main() {}\n");

fails_to_parse!(extern_fn_without_a_path, "extern fn log(line: str)\nfn main() {}\n");

fails_to_parse!(extern_fn_path_not_a_string, "extern fn log(line: str) = crate.log\nfn main() {}\n");

fails_to_parse!(
    extern_fn_bad_paths,
    r#"extern fn a() = "draw"
extern fn b() = "self::draw"
extern fn c() = "crate::fn::draw"
extern fn d() = "crate::render::"
extern fn e() = "crate::re nder::draw"
extern fn f() = "render::crate::draw"
extern fn g() = "crate::{x}"
extern fn h() = ""
fn main() {}
"#
);

fails_to_parse!(
    extern_without_fn_and_extern_method,
    "extern draw() = \"crate::draw\"\nextern fn Ball.draw() = \"crate::draw\"\nfn main() {}\n"
);

#[test]
fn rust_paths_are_validated() {
    for ok in [
        "crate::a::b",
        "crate::f",
        "::std::f",
        "host::f",
        "a_b::c_1::_d",
        "rand::random::<u32>",
        "m::f::<(i64, Vec<u8>)>",
    ] {
        assert_eq!(validate_rust_path(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "f",
        "::",
        "crate",
        "crate::",
        "a::::b",
        "super::f",
        "a::self::f",
        "::crate::f",
        "a::1b",
        "a::_",
        "a::match",
        "rand::random::<>",
        "rand::random::<u32",
        "rand::random::<u32>::x",
        "a::<u8>",
        "rand::random::<u32>>",
    ] {
        assert!(validate_rust_path(bad).is_err(), "{bad:?} should be refused");
    }
}

parses!(
    generic_functions,
    "fn first<T>(xs: [T]) -> T? { xs.pop() }\nfn pair<A, B,>(a: A, b: B) -> (A, B) { (a, b) }\n"
);

parses!(
    generic_types,
    "struct Pair<A, B> { a: A, b: B }\nenum Tree<T> { Leaf, Node(left: Tree<T>, value: T, right: Tree<T>) }\n\
     fn f(p: Pair<int, Pair<[str], shapes.Point<float>>>, t: Tree<(int, str)>?) -> Pair<\n  int,\n  str,\n> {}\n"
);

fails_to_parse!(
    generic_type_syntax_errors,
    "struct Pair<> { a: int }\nfn f(p: Pair<>) {}\nfn g(p: Pair<int str>) {}\nenum E<T { A }\n"
);

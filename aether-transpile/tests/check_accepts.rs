//! Checker snapshot tests of programs it accepts, one per construct group
//! (each snapshot shows the sources and `no diagnostics`), and the side
//! tables it records for code generation.

mod support;

use aether_transpile::ast;
use aether_transpile::check::Mode;
use support::check;

check!(smoke, support::SMOKE);

check!(
    accepts_bindings_and_operators,
    r#"fn main() {
    let a = 1
    var b: int = 2
    b += a * 3 - 4 / 2 % 3
    b -= 1
    b *= 2
    b /= 2
    b %= 5
    let f: float = 1.5 * 2.0 - -0.5
    let s = "x" + "y"
    let c = a < b && b <= 3 || !(a == b) && a != 2 && f >= 1.0 && f > 0.5 && s < "z"
    let t = (a, "two", 3.0)
    let (x, _, z) = t
    let u = ()
    let n = t.0 + x
    let r = 0..10
    let opt: int? = none
    let d = opt ?? 7
    let e: int? = 5
    println("{a} {b} {f:.2} {s} {c} {n} {z} {d} {e ?? 0} {r.len():>5} {u}")
}
"#
);

check!(
    accepts_bitwise_operators,
    r#"const FLAGS: int = 0b0101 | 1 << 4
const ALL: int = ~0 & 0xffff_ffff
fn main() {
    let a = 0xff_00
    let b = a & 0x0f_f0 | a ^ 3 << 2 >> 1
    let inv = ~b
    let f = |x| x & 1
    let flags: [int] = [1, 2].map(|x| x | FLAGS)
    println("{b} {inv} {f(3)} {flags} {ALL}")
}
"#
);

check!(
    accepts_labelled_loops_and_while_let,
    r#"fn first_pair(xs: [int], target: int) -> (int, int)? {
    var out: (int, int)? = none
    'search: for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            if xs[i] + xs[j] == target {
                out = some((i, j))
                break 'search
            }
            if xs[j] < 0 { continue 'search }
        }
    }
    out
}

fn spin() -> int {
    var n = 0
    'run: loop {
        while true {
            n += 1
            if n > 3 { break 'run }
        }
    }
    n
}

fn main() {
    var stack = [(1, "a"), (2, "b")]
    while let some((n, s)) = stack.pop() {
        println("{n}{s}")
    }
    var opt: int? = some(3)
    'count: while let some(k) = opt {
        opt = if k > 0 { some(k - 1) } else { none }
        if k == 1 { continue 'count }
    }
    println("{first_pair([1, 2, 3], 5)} {spin()}")
}
"#
);

check!(
    accepts_structs_and_methods,
    r#"struct Vec2 { x: float, y: float }
struct Ball {
    pos: Vec2
    vel: Vec2 = Vec2 { x: 0.0, y: 0.0 }
    tags: [str] = []
}
struct Tree { left: Tree?, right: Tree?, kids: [Tree] = [] }
fn Vec2.new(x: float, y: float) -> Vec2 { Vec2 { x, y } }
fn Vec2.len(self) -> float { self.x * self.x + self.y * self.y }
fn Ball.fall(mut self, dt: float) {
    self.vel.y += 9.8 * dt
    self.pos.y += self.vel.y * dt
    self.tags.push("fell")
}
fn Ball.speed(self) -> float { self.vel.len() }
fn grow(mut xs: [int], n: int) { xs.push(n) }
fn main() {
    var b = Ball { pos: Vec2.new(1.0, 2.0) }
    b.fall(0.1)
    b.pos.x = 3.0
    var list = [1, 2]
    grow(mut list, 3)
    let t = Tree { left: none, right: some(Tree { left: none, right: none }) }
    println("{b.speed()} {list} {t.kids.len()}")
}
"#
);

check!(
    accepts_enums_and_match,
    r#"enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }
enum Expr { Num(n: int), Add(l: Expr, r: Expr), Neg(e: Expr) }
fn area(s: Shape) -> float {
    match s {
        Circle(r) => 3.14 * r * r
        Shape.Rect(w, h) if w > 0.0 => w * h
        Rect(_, _) => 0.0
        Empty => 0.0
    }
}
fn eval(e: Expr) -> int {
    match e {
        Num(n) => n,
        Add(l, r) => eval(l) + eval(r),
        Neg(inner) => -eval(inner),
    }
}
fn classify(n: int, flag: bool, name: str, pair: (int, bool)) -> str {
    let a = match n { 0 => "zero", 1 | 2 => "small", _ => "big" }
    let b = match flag { true => "yes", false => "no" }
    let c = match name { "bob" => 1, other => other.len() }
    let d = match pair { (0, true) => 0, (x, _) => x }
    "{a}{b}{c}{d}"
}
fn main() {
    let s = Shape.Circle(1.0)
    let e = Shape.Empty
    println(area(s) + area(e))
    println(eval(Expr.Add(Expr.Num(1), Expr.Neg(Expr.Num(2)))))
    if let Circle(r) = s { println(r) }
    match e {
        Empty => println("empty")
        _ => {}
    }
    println(classify(1, true, "x", (1, false)))
}
"#
);

check!(
    accepts_control_flow,
    r#"fn find(xs: [int], target: int) -> int? {
    var i = 0
    while i < xs.len() {
        if xs[i] == target { return i }
        i += 1
    }
    none
}
fn sign(n: int) -> int {
    if n < 0 { -1 } else if n == 0 { 0 } else { 1 }
}
fn spin() -> int {
    var n = 0
    loop {
        n += 1
        if n > 10 { break }
        if n % 2 == 0 { continue }
    }
    n
}
fn forever() -> int {
    loop { }
}
fn main() {
    var xs = [3, 1, 2]
    for x in xs { println(x) }
    for mut x in xs { x *= 2 }
    for i in 0..=3 { println(i) }
    for (k, v) in {"a": 1, "b": 2} { println("{k}={v}") }
    for (a, b) in [(1, 2)] { println(a + b) }
    for _ in 0..2 { }
    println(find(xs, 2) ?? -1)
    println(sign(-5) + spin())
}
"#
);

check!(
    accepts_closures_and_fn_values,
    r#"fn double(x: int) -> int { x * 2 }
fn apply(f: fn(int) -> int, x: int) -> int { f(x) }
fn main() {
    let xs = [1, 2, 3]
    let ys = xs.map(|x| x * 2).filter(|x| x > 2)
    let zs = xs.map(double)
    let add = |a: int, b: int| -> int { a + b }
    let k = 10
    let addk = |x| x + k
    var sorted = ["b", "a"]
    sorted.sort_by(|a, b| if a < b { -1 } else { 1 })
    println(apply(double, 3) + add(1, 2) + addk(1) + apply(|x| x - 1, 5))
    println(xs.map(str).join(", "))
    println("{ys} {zs} {sorted}")
}
"#
);

check!(
    accepts_optionals_and_results,
    r#"fn parse(s: str) -> int! {
    match s.parse_int() {
        some(n) => n
        none => err("not a number: {s}")
    }
}
fn first_even(xs: [int]) -> int? {
    for x in xs {
        if x % 2 == 0 { return some(x) }
    }
    none
}
fn head_plus_one(xs: [int]) -> int? {
    let h = xs.first()?
    h + 1
}
fn total(a: str, b: str) -> int! {
    let x = parse(a)?
    let y = parse(b)?
    ok(x + y)
}
fn main() -> ()! {
    let r = total("1", "2")
    match r {
        ok(v) => println(v)
        err(e) => eprintln(e)
    }
    if let v = first_even([1, 2]) { println(v) } else { println("none") }
    if let some(v) = head_plus_one([]) { println(v) }
    let text = read_file("x.txt")?
    write_file("y.txt", text)?
    let line = read_line() ?? ""
    println(line)
}
"#
);

check!(
    accepts_builtins_and_methods,
    r#"import math
fn main() {
    let s = "  Hello World  "
    let t = s.trim().to_upper().to_lower().replace("l", "L")
    let parts = t.split(" ")
    let w = s.words()
    let ls = "a\nb".lines()
    let cs = s.chars()
    let b = s.contains("x") || s.starts_with(" ") || s.ends_with(" ")
    let n = "42".parse_int() ?? 0
    let f = "4.5".parse_float() ?? 0.0
    let rep = "ab".repeat(3)
    var xs = [5, 3, 1]
    xs.push(4)
    let popped = xs.pop()
    xs.insert(0, 9)
    let removed = xs.remove(1)
    xs.sort()
    xs.reverse()
    let has = xs.contains(3)
    let empty = xs.is_empty()
    let fst = xs.first()
    let lst = xs.last()
    let sl = xs[1..3]
    let sl2 = xs[..2]
    let sl3 = xs[1..]
    let sl4 = xs[0..=1]
    var m: {str: int} = {}
    m.insert("a", 1)
    m["b"] = 2
    let g = m.get("a")
    let c = m.contains("b")
    let r = m.remove("a")
    let ks = m.keys()
    let vs = m.values()
    let ml = m.len() + len(m) + len(xs) + len(s)
    let me = m.is_empty()
    let root = math.sqrt(2.0) + math.sin(1.0) + math.cos(1.0) + math.tan(1.0) + math.atan2(1.0, 2.0)
    let more = math.floor(1.5) + math.ceil(1.5) + math.round(1.5) + math.pow(2.0, 3.0) + math.exp(1.0) + math.ln(2.0)
    let mixed = math.abs(-1) + math.min(1, 2) + math.max(3, 4)
    let fl = math.abs(-1.0) + math.PI + math.E
    let conv = float(3) + float(1.0)
    let ci = int(2.7) + int(true) + int(3)
    let st = str(1) + str(xs) + str(none ?? 1)
    let now = now_ms()
    sleep_ms(1)
    let ri = random_int(1, 6)
    let rf = random_float()
    let a = args()
    assert(ri >= 1)
    assert(rf < 1.0, "random_float is below 1")
    print("x")
    println()
    println("{t}{parts}{w}{ls}{cs}{b}{n}{f}{rep}{popped}{removed}{has}{empty}{fst}{lst}{sl}{sl2}{sl3}{sl4}")
    println("{g}{c}{r}{ks}{vs}{ml}{me}{root}{more}{mixed}{fl}{conv}{ci}{st}{now}{a}")
    if xs.len() > 100 { panic("too many") }
}
"#
);

check!(
    accepts_module_items,
    r#"const LIMIT: int = 10
const NAMES: [str] = ["a", "b"]
const HALF = LIMIT / 2
const ORIGIN = (0, 0)
enum Mode { On, Off }
const DEFAULT_MODE = Mode.Off
state score: int = 0
state history = [LIMIT]
@on_reload
fn reloaded() { score = 0 }
@before_reload
fn saving() { history.push(score) }
fn bump() { score += HALF }
fn main() {
    bump()
    println("{score} {LIMIT} {NAMES} {ORIGIN} {history}")
    match DEFAULT_MODE { On => {}, Off => {} }
}
test "limit is ten" {
    assert(LIMIT == 10)
}
"#
);

check!(
    accepts_multiple_modules,
    [
        (
            "main.ae",
            r#"import geo
import net.http
fn main() {
    let s = geo.Shape.Circle(2.0)
    let e = geo.Shape.Empty
    let p = geo.Point { x: 1.0, y: 2.0 }
    let q = geo.Point.origin()
    let shape: geo.Shape = s
    println(geo.area(shape) + geo.area(e) + p.x + q.y + geo.UNIT)
    match s {
        geo.Shape.Circle(r) => println(r)
        Empty => {}
    }
    println(http.get("x") + geo.counter)
}
"#
        ),
        (
            "geo.ae",
            r#"pub enum Shape { Circle(r: float), Empty }
pub struct Point { x: float, y: float }
pub const UNIT: float = 1.0
pub state counter: int = 0
pub fn Point.origin() -> Point { Point { x: 0.0, y: 0.0 } }
pub fn area(s: Shape) -> float {
    counter += 1
    match s {
        Circle(r) => r * r
        Empty => helper()
    }
}
fn helper() -> float { 0.0 }
"#
        ),
        ("net/http.ae", "pub fn get(url: str) -> int { url.len() }\n"),
    ]
);

check!(
    accepts_inference_from_later_use,
    r#"fn main() {
    var xs = []
    xs.push(1)
    var best = none
    for x in xs {
        if x > 2 { best = some(x) }
    }
    var m = {}
    m.insert("k", [1.5])
    var names = []
    names.push("a")
    let joined = names.join(",")
    let pairs = xs.map(|x| (x, str(x)))
    let flags = [true] == [false]
    println("{best ?? 0} {m} {joined} {pairs} {flags}")
}
"#
);

check!(
    accepts_a_realistic_program,
    r#"import math
enum Cell { Alive, Dead }
struct Grid { w: int, h: int, cells: [Cell] = [] }
struct Rule { name: str, apply: fn(int, bool) -> bool }
state generation = 0
fn Grid.new(w: int, h: int) -> Grid {
    var g = Grid { w, h }
    for _ in 0..w * h { g.cells.push(Cell.Dead) }
    g
}
fn Grid.get(self, x: int, y: int) -> bool {
    if x < 0 || y < 0 || x >= self.w || y >= self.h { return false }
    match self.cells[y * self.w + x] { Alive => true, Dead => false }
}
fn Grid.neighbours(self, x: int, y: int) -> int {
    var n = 0
    for dy in -1..=1 {
        for dx in -1..=1 {
            if (dx, dy) != (0, 0) && self.get(x + dx, y + dy) { n += 1 }
        }
    }
    n
}
fn Grid.step(mut self, rule: Rule) {
    var next: [Cell] = []
    for y in 0..self.h {
        for x in 0..self.w {
            let alive = (rule.apply)(self.neighbours(x, y), self.get(x, y))
            next.push(if alive { Cell.Alive } else { Cell.Dead })
        }
    }
    self.cells = next
    generation += 1
}
fn parse_size(s: str) -> (int, int)? {
    let parts = s.split("x")
    if parts.len() != 2 { return none }
    let w = parts[0].trim().parse_int()?
    let h = parts[1].trim().parse_int()?
    some((w, h))
}
fn main() -> ()! {
    let (w, h) = parse_size("8x6") ?? (4, 4)
    var g = Grid.new(w, h)
    let life = Rule { name: "life", apply: |n, alive| n == 3 || (alive && n == 2) }
    g.step(life)
    let alive = g.cells.filter(|c| c == Cell.Alive).len()
    let ratio = float(alive) / float(g.cells.len())
    println("{life.name}: {alive} alive, ratio {ratio:.2}, gen {generation}, r={math.sqrt(ratio)}")
    var scores: {str: [int]} = {}
    scores["a"] = [1]
    if let xs = scores.get("a") { println(xs.len()) }
    let text = read_file("none.txt")?
    println(text.lines().map(|l| l.len()))
}
"#
);

// ---- side tables for code generation ----

/// Every expression of a module with its source text, in source order.
fn collect_exprs<'a>(module: &'a ast::Module, out: &mut Vec<&'a ast::Expr>) {
    fn block<'a>(b: &'a ast::Block, out: &mut Vec<&'a ast::Expr>) {
        for s in &b.stmts {
            match &s.kind {
                ast::StmtKind::Let { value, .. } => expr(value, out),
                ast::StmtKind::Assign { target, value, .. } => {
                    expr(target, out);
                    expr(value, out);
                }
                ast::StmtKind::Expr(e) => expr(e, out),
                ast::StmtKind::While { cond, body, .. } => {
                    match cond {
                        ast::IfCond::Expr(c) => expr(c, out),
                        ast::IfCond::Let { value, .. } => expr(value, out),
                    }
                    block(body, out);
                }
                ast::StmtKind::Loop { body, .. } => block(body, out),
                ast::StmtKind::For { iter, body, .. } => {
                    expr(iter, out);
                    block(body, out);
                }
                ast::StmtKind::Return(Some(e)) => expr(e, out),
                ast::StmtKind::Return(None) | ast::StmtKind::Break(_) | ast::StmtKind::Continue(_) => {}
            }
        }
    }
    fn expr<'a>(e: &'a ast::Expr, out: &mut Vec<&'a ast::Expr>) {
        use ast::ExprKind as K;
        out.push(e);
        match &e.kind {
            K::Str(parts) => parts.iter().for_each(|p| {
                if let ast::StrPart::Interp { expr: x, .. } = p {
                    expr(x, out)
                }
            }),
            K::Field { base, .. } | K::TupleIndex { base, .. } | K::Unary { expr: base, .. } | K::Try(base) => {
                expr(base, out)
            }
            K::Call { callee, args } => {
                expr(callee, out);
                args.iter().for_each(|a| expr(&a.expr, out));
            }
            K::Index { base, index } => {
                expr(base, out);
                expr(index, out);
            }
            K::Binary { lhs, rhs, .. } | K::Range { start: lhs, end: rhs, .. } => {
                expr(lhs, out);
                expr(rhs, out);
            }
            K::List(xs) | K::Tuple(xs) => xs.iter().for_each(|x| expr(x, out)),
            K::StructLit { fields, .. } => fields.iter().for_each(|f| expr(&f.value, out)),
            K::If { cond, then, else_ } => {
                match cond {
                    ast::IfCond::Expr(c) => expr(c, out),
                    ast::IfCond::Let { value, .. } => expr(value, out),
                }
                block(then, out);
                if let Some(x) = else_ {
                    expr(x, out);
                }
            }
            K::Match { scrutinee, arms } => {
                expr(scrutinee, out);
                arms.iter().for_each(|a| expr(&a.body, out));
            }
            K::Closure { body, .. } => expr(body, out),
            K::Block(b) => block(b, out),
            _ => {}
        }
    }
    for item in &module.items {
        if let ast::ItemKind::Fn(f) = &item.kind {
            block(&f.body, out);
        }
    }
}

#[test]
fn side_tables_record_types_resolutions_and_coercions() {
    let src = r#"enum Shape { Circle(r: float), Empty }
struct P { x: int }
fn P.get(self) -> int { self.x }
fn half(n: int) -> int? { n / 2 }
fn main() {
    var xs = []
    xs.push(P { x: 1 })
    let s = Shape.Circle(2.0)
    let k = 2
    let f = |p: P| p.get() + k
    let g = |a: int| |b: int| a + b + k
    println(g(1)(2))
    println(half(xs[0].x) ?? f(xs[0]))
    match s { Circle(r) => println(r), Empty => {} }
}
"#;
    let analysis = support::analyze(&[("main.ae", src)], Mode::Program);
    let (program, result) = (&analysis.program, &analysis.checked);
    let module = program.modules.first().expect("one module");
    let tables = result.module(aether_transpile::ty::ModuleId(0)).expect("tables");
    let mut exprs = Vec::new();
    collect_exprs(&module.ast, &mut exprs);
    let mut out = format!("{src}=== expressions\n");
    for e in exprs {
        let text = &src[e.span.range()];
        let text = if text.len() > 30 { format!("{}...", &text[..27]) } else { text.to_string() };
        let ty = tables.expr_types.get(&e.id).map(|t| t.display(&result.types).to_string());
        let res = tables.resolutions.get(&e.id).map(|r| format!(" -> {r:?}")).unwrap_or_default();
        let co = tables.coercions.get(&e.id).map(|c| format!(" (coerced: {c:?})")).unwrap_or_default();
        out.push_str(&format!("`{text}`: {}{res}{co}\n", ty.unwrap_or_else(|| "NOT RECORDED".into())));
    }
    out.push_str("=== patterns\n");
    let mut pats: Vec<_> = tables.patterns.iter().collect();
    pats.sort_by_key(|(id, _)| **id);
    for (id, p) in pats {
        let ty = tables.pat_types.get(id).map(|t| t.display(&result.types).to_string()).unwrap_or_default();
        out.push_str(&format!("{id:?}: {p:?} : {ty}\n"));
    }
    out.push_str("=== closure captures\n");
    let mut caps: Vec<_> = tables.captures.iter().collect();
    caps.sort_by_key(|(id, _)| **id);
    for (id, locals) in caps {
        let names: Vec<&str> =
            locals.iter().filter_map(|l| tables.locals.get(l.0 as usize)).map(|l| l.name.as_str()).collect();
        out.push_str(&format!("{id:?}: {names:?}\n"));
    }
    out.push_str("=== locals\n");
    for l in &tables.locals {
        out.push_str(&format!("{} : {} (mutable: {})\n", l.name, l.ty.display(&result.types), l.mutable));
    }
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    insta::assert_snapshot!(out);
}

//! Checker snapshot tests: each case is Aether source (one file or several
//! modules) and the rendered diagnostics the checker produces for it.

use aether_transpile::{ast, check, diagnostic, project};

/// Load `files` (the first is the entry), check them, and render every
/// diagnostic in reading order; the snapshot shows the sources too.
fn check_files(files: &[(&str, &str)]) -> String {
    let entry = files.first().map(|f| f.0).unwrap_or("main.ae");
    let (program, mut diags) = project::load_in_memory(files, entry);
    let result = check::check(&program, check::Mode::Program);
    diags.extend(result.diagnostics);
    diagnostic::sort(&mut diags);
    let mut out = String::new();
    for (name, src) in files {
        out.push_str(&format!("--- {name}\n{src}"));
        if !src.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str("=== diagnostics\n");
    if diags.is_empty() {
        out.push_str("no diagnostics\n");
    }
    for d in &diags {
        out.push_str(&d.render(&program.sources));
    }
    out
}

macro_rules! check {
    ($name:ident, [$(($file:expr, $src:expr)),+ $(,)?]) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(check_files(&[$(($file, $src)),+]));
        }
    };
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(check_files(&[("main.ae", $src)]));
        }
    };
}

check!(
    smoke,
    r#"import math
struct Ball { x: float, y: float, vy: float = 0.0 }
enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }
state balls: [Ball] = []
fn area(s: Shape) -> float {
    match s {
        Circle(r) => math.PI * r * r
        Rect(w, h) => w * h
        Empty => 0.0
    }
}
fn Ball.fall(mut self, dt: float) { self.vy += 9.8 * dt; self.y += self.vy * dt }
fn main() {
    var b = Ball { x: 1.0, y: 2.0 }
    b.fall(0.1)
    let xs = [1, 2, 3].map(|x| x * 2)
    for i in 0..xs.len() { println("{i}: {xs[i]:>4}") }
    let m = {"a": 1}
    println(m.get("a") ?? 3)
    println(area(Shape.Circle(1.0)))
}
"#
);

// ---- programs the checker accepts, one per construct group ----

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

// ---- modules and items ----

check!(e0010_hook_attribute_on_a_struct, "@on_reload\nstruct S { a: int }\nfn main() { let _s = S { a: 1 } }\n");

check!(e0103_e0104_private_and_unknown_members, [
    ("main.ae", "import util\nfn main() {\n    util.secret()\n    util.hepler()\n    let _p: util.Hidden = util.make()\n}\n"),
    ("util.ae", "fn secret() {}\npub fn helper() {}\nstruct Hidden { a: int }\npub fn make() -> int { 1 }\n"),
]);

check!(e0105_missing_main, "fn mian() {}\n");

check!(e0106_bad_main_signature, "fn main(args: [str]) -> int { args.len() }\n");

check!(
    e0200_unknown_names,
    r#"fn main() {
    let count = 1
    println(cuont)
    printn("x")
    let _s = self
    let _t = Point
}
struct Point { x: int }
"#
);

check!(
    e0201_unknown_types,
    r#"struct S { a: Strng, b: [Flaot] }
fn f(x: mystery.T) {}
fn Missing.m(self) {}
fn main() { let _n: intt = 1 }
"#
);

check!(
    e0202_duplicates,
    r#"struct A { x: int, x: float }
enum E { One, One }
fn A.go(self) {}
fn A.go(self) {}
fn f(a: int, a: int) {}
fn f() {}
const A: int = 1
test "t" {}
test "t" {}
fn main() {}
"#
);

check!(
    e0203_e0204_e0205_unknown_members,
    r#"struct Ball { x: float, y: float }
enum Shape { Circle(r: float), Empty }
fn Ball.fall(mut self) {}
fn main() {
    let b = Ball { x: 1.0, y: 2.0 }
    println(b.z)
    println(b.yy)
    b.flal()
    let _s = Shape.Cirle(1.0)
    let _t = (1, 2).2
    "s".lenght()
    match Shape.Empty { Circel(_) => {}, _ => {} }
}
"#
);

check!(
    e0206_e0207_struct_literals,
    r#"struct P { x: int, y: int, z: int = 0 }
fn main() {
    let _a = P { x: 1 }
    let _b = P { x: 1, y: 2, x: 3 }
    let _c = P { x: 1, y: 2, w: 5 }
}
"#
);

// ---- types ----

check!(
    e0300_mismatched_types,
    r#"fn f(x: float) -> int { x }
fn g() -> int {
    let _ = 1
}
fn main() {
    let a: float = 1
    let b: str = 2
    f(1)
    let c = if true { 1 } else { "no" }
    let xs = [1, "two"]
    println("{a}{b}{c}{xs}")
}
"#
);

check!(
    e0301_wrong_argument_counts,
    r#"enum E { Pair(a: int, b: int) }
fn two(a: int, b: int) -> int { a + b }
fn main() {
    two(1)
    two(1, 2, 3)
    "s".split()
    let _e = E.Pair(1)
    println(1, 2)
}
"#
);

check!(
    e0302_calling_non_functions,
    r#"struct S { a: int }
enum E { Empty }
fn main() {
    let x = 5
    x(1)
    S(1)
    let _e = E.Empty()
}
"#
);

check!(
    e0303_indexing,
    r#"fn main() {
    let s = "hello"
    println(s[0])
    let n = 5
    println(n[0])
    let xs = [1, 2]
    println(xs["a"])
}
"#
);

check!(
    e0304_operators,
    r#"fn main() {
    let a = 1 + 2.0
    let b = "a" - "b"
    let c = true < false
    let d = -"x"
    let e = 5 ?? 1
    let f = [1] + [2]
    let g = "n: " + 1
    println("{a}{b}{c}{d}{e}{f}{g}")
}
"#
);

check!(
    e0306_cannot_infer,
    r#"fn main() {
    let xs = []
    println(xs.len())
}
fn other() {
    let f = |x| x.len()
    println(f)
}
fn third() {
    let id = |x| x
    println(id)
}
"#
);

check!(
    e0307_question_mark,
    r#"fn a(x: int?) -> int {
    x?
}
fn b(r: int!) -> int? {
    r?
}
fn c(n: int) -> int! {
    n?
}
fn main() {}
"#
);

check!(
    e0308_map_keys,
    r#"fn main() {
    let m: {float: int} = {}
    let n = {1.5: "x"}
    let o: {[int]: int} = {}
    println("{m}{n}{o}")
}
"#
);

check!(
    e0309_break_outside_loop,
    r#"fn main() {
    break
    continue
    for x in [1] {
        let f = || -> () { if x > 0 { break } }
        f()
    }
}
"#
);

check!(
    e0311_infinite_struct,
    r#"struct Node { value: int, next: Node }
struct A { b: B }
struct B { a: (A, int) }
struct Fine { next: Fine?, kids: [Fine], map: {str: Fine} }
fn main() {}
"#
);

check!(
    e0312_invalid_patterns,
    r#"enum E { A(x: int), B }
fn main() {
    let some(x) = some(1)
    let e = E.B
    match e { A(a, b) => {}, B(z) => {} }
    match some(1) { some(v) | none => {}, _ => {} }
    if let n = 5 { println(n) }
    println(x)
}
"#
);

check!(
    e0313_constant_initializers,
    r#"fn compute() -> int { 4 }
state s: int = compute()
const A: int = compute()
const B: int = s + 1
const C: str = "{A}"
const D = D + 1
fn main() {}
"#
);

// ---- mutability and value semantics ----

check!(
    e0400_assign_to_immutable,
    [
        (
            "main.ae",
            r#"import other
const LIMIT: int = 3
struct P { x: int }
fn P.set(self) { self.x = 1 }
fn f(p: P, n: int) {
    n = 2
    p.x = 3
}
fn main() {
    let a = 1
    a = 2
    let p = P { x: 1 }
    p.x = 5
    let xs = [1]
    xs[0] = 2
    LIMIT = 4
    main = f
    other.total = 1
    f(p, 1)
}
"#
        ),
        ("other.ae", "pub state total: int = 0\n"),
    ]
);

check!(
    e0401_e0402_e0403_mut_arguments,
    r#"fn grow(mut xs: [int]) { xs.push(1) }
fn show(xs: [int]) { println(xs) }
fn main() {
    var a = [1]
    grow(a)
    show(mut a)
    let b = [2]
    grow(mut b)
    grow(mut [3])
}
"#
);

check!(
    e0404_mutating_methods_on_immutable,
    r#"struct C { n: int }
fn C.inc(mut self) { self.n += 1 }
fn main() {
    let xs = [1]
    xs.push(2)
    let m = {"a": 1}
    m.insert("b", 2)
    let c = C { n: 0 }
    c.inc()
    var ok = [1]
    ok.push(2)
    ok.sort()
}
"#
);

check!(
    e0405_closure_assigns_captured,
    r#"fn main() {
    var count = 0
    let f = || -> () { count += 1 }
    var xs = [1]
    let g = || xs.push(2)
    f()
    g()
    println(count)
}
"#
);

check!(
    e0406_same_value_mut_twice,
    r#"fn swap(mut _a: [int], mut _b: [int]) {}
fn main() {
    var xs = [1]
    var ys = [2]
    swap(mut xs, mut xs)
    swap(mut xs, mut ys)
}
"#
);

check!(
    for_mut_needs_a_mutable_list,
    r#"fn main() {
    let xs = [1, 2]
    for mut x in xs { x += 1 }
    for mut i in 0..3 { i += 1 }
}
"#
);

// ---- match ----

check!(
    e0500_non_exhaustive_match,
    r#"enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }
fn f(s: Shape, o: bool?, n: int) -> int {
    let a = match s { Circle(_) => 1 }
    let b = match o { some(true) => 1, none => 2 }
    let c = match n { 0 => 1, 1 => 2 }
    a + b + c
}
fn main() {}
"#
);

// ---- hooks ----

check!(
    e0600_invalid_hooks,
    r#"struct S { a: int }
@on_reload
fn f(_x: int) {}
@before_reload
fn g() -> int { 1 }
@on_reload
fn S.h(self) {}
fn main() {}
"#
);

// ---- warnings ----

check!(
    w0001_unused_variables,
    r#"fn f(unused_param: int, _ignored: int) {}
fn main() {
    let x = 1
    let _y = 2
    var z = 3
    z = 4
    let (a, b) = (1, 2)
    println(a)
    match some(1) { some(v) => {}, none => {} }
}
"#
);

check!(
    w0002_unreachable_code,
    r#"fn f() -> int {
    return 1
    let x = 2
    x
}
fn g() {
    loop {
        break
        println("never")
    }
    panic("stop")
    println("never either")
}
fn main() {}
"#
);

check!(
    w0003_unreachable_arms,
    r#"fn f(n: int?) -> int {
    match n {
        _ => 0
        some(x) => x
        none => 1
    }
}
fn main() {}
"#
);

check!(
    w0004_unused_imports,
    [("main.ae", "import math\nimport util\nfn main() {}\n"), ("util.ae", "pub fn f() {}\n"),]
);

// ---- recovery: one mistake, one diagnostic ----

check!(
    one_mistake_one_diagnostic,
    r#"fn main() {
    let x = undefined_thing
    let y = x + 1
    let z = y.field.more
    println(z[0])
    x.call()
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
                ast::StmtKind::While { cond, body } => {
                    expr(cond, out);
                    block(body, out);
                }
                ast::StmtKind::Loop { body } => block(body, out),
                ast::StmtKind::For { iter, body, .. } => {
                    expr(iter, out);
                    block(body, out);
                }
                ast::StmtKind::Return(Some(e)) => expr(e, out),
                ast::StmtKind::Return(None) | ast::StmtKind::Break | ast::StmtKind::Continue => {}
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
    let (program, diags) = project::load_in_memory(&[("main.ae", src)], "main.ae");
    assert!(diags.is_empty());
    let result = check::check(&program, check::Mode::Program);
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
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
    insta::assert_snapshot!(out);
}

check!(
    e0103_private_methods_and_e0104_math,
    [
        (
            "main.ae",
            r#"import math
import shapes
fn main() {
    var p = shapes.make()
    p.grow()
    p.secret()
    let _q = shapes.P.hidden()
    println(math.sqroot(2.0) + math.PI)
}
"#
        ),
        (
            "shapes.ae",
            r#"pub struct P { size: int }
pub fn make() -> P { P { size: 1 } }
pub fn P.grow(mut self) { self.size += 1 }
fn P.secret(self) -> int { self.size }
fn P.hidden() -> P { P { size: 0 } }
"#
        ),
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
    e0304_equality_needs_same_types,
    r#"fn main() {
    let a = 1 == "one"
    let f = |x: int| x
    let b = f == f
    println("{a}{b}")
}
"#
);

check!(
    format_specs_need_matching_types,
    r#"fn main() {
    let n = 255
    let f = 1.5
    let s = "x"
    println("{n:x} {n:#b} {f:e} {f:.3} {s:>8} {s:?}")
    println("{s:x} {f:o}")
}
"#
);

check!(
    e0312_pattern_shapes,
    r#"enum E { A(x: int), B(x: str) }
fn main() {
    let (a, b) = (1, 2, 3)
    match 5 { "five" => {}, _ => {} }
    match 5 { none => {}, _ => {} }
    match E.A(1) { A(v) | B(v) => println(v) }
    match 1 { Circle(r) => println(r), _ => {} }
    println(a + b)
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

check!(
    let_patterns_may_be_any_irrefutable_pattern,
    r#"enum Wrap { W(n: int) }
fn unit() {}
fn main() {
    let () = unit()
    let Wrap.W(n) = Wrap.W(3)
    var (a, W(b)) = (1, Wrap.W(2))
    a += b
    println(n + a)
    let ok(v) = ok(1)
    println(v)
}
"#
);

check!(
    helpful_messages_for_common_mistakes,
    r#"fn main() {
    let xs = [1, 2]
    let a = xs.get(0)
    let s: str = none
    let n = "text".len
    for c in "abc" { println(c) }
    println("{a}{s}{n}")
}
"#
);

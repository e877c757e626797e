//! Checker snapshot tests of programs with mistakes: each case is Aether
//! source (one file or several modules) and the rendered diagnostics the
//! checker produces for it, grouped by code. Programs it accepts are in
//! `check_accepts.rs`.

mod support;

use support::check;

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

// A closure body `{` followed by a jump is a block, not a map literal
// whose key failed to parse (E0007): the jump is then judged as one.
check!(
    e0309_jump_in_a_closure_block_body,
    r#"fn main() {
    'outer: for x in [1, 2] {
        let stop = || { break 'outer }
        let skip = |_y: int| {
            continue
        }
        let early = |y: int| { return y + x }
        println(early(1))
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

// Exclusive access (issue #11): a state lent as `mut` is the callee's
// parameter alone while the call runs; the callee, or a function it calls
// by name, using the state directly is E0407. Passing other state, or a
// local, is fine.
check!(
    e0407_state_lent_as_mut_and_used_by_the_callee,
    r#"state log: [str] = ["start"]
state other: [str] = []

struct Counter { n: int }
state counter: Counter = Counter { n: 0 }

fn grow(mut xs: [str]) {
    xs.push("grown")
    log.push("inside")
}

fn note(s: str) { log.push(s) }

fn grow_quietly(mut xs: [str]) {
    xs.push("grown")
    note("inside")
}

fn peek(mut xs: [str]) -> int { xs.len() + log.len() }

fn Counter.bump(mut self) {
    self.n += 1
    counter.n += 10
}

fn main() {
    grow(mut log)
    grow_quietly(mut log)
    println(peek(mut log))
    grow(mut other)
    var mine = ["a"]
    grow(mut mine)
    counter.bump()
    var c = Counter { n: 0 }
    c.bump()
}
"#
);

// `-x` on a value of unknown type asks for an annotation (it used to say
// "cannot apply unary `-` to `_`"), and a `let` whose value has an error
// gets no "unused variable" warning on top.
check!(
    e0306_negating_an_unknown_type_and_failed_lets_are_not_unused,
    r#"fn main() {
    let f = |x| -x
    let xs = []
    let y = -xs[0]
    let n: int = "a"
    let (a, b): (int, int) = (1, "b")
    let fine = 1
}
"#
);

// Int arithmetic in a `const` is computed by the checker: rustc would
// reject the generated `const` (issue #11).
check!(
    e0313_constants_that_overflow_or_divide_by_zero,
    r#"const MAX: int = 9223372036854775807
const A: int = MAX + 1
const B: int = 7 / (3 - 3)
const C: [int] = [1, MAX * 2]
const D: int = -MAX - 1
const E: int = D % -1
const F: int = D / -1
const G: int = -D
const H: int = 5 % 0
fn main() {
    println("{A} {B} {C} {D} {E} {F} {G} {H}")
}
"#
);

// Bitwise operators take ints only; shifts in a `const` are computed.
check!(
    e0304_e0313_bitwise_operators,
    r#"const BAD: int = 1 << 64
const NEG: int = 8 >> -1
fn main() {
    let a = true & false
    let b = 1.5 | 2
    let c = ~true
    let d = !3
    let e = "x" ^ 1
    let f = 0x1_0000_0000_0000_0000
    println("{a} {b} {c} {d} {e} {f} {BAD} {NEG}")
}
"#
);

// Struct patterns name fields of a struct (E0203 unknown, E0207 twice,
// E0206 missing without `..`, E0205 not a struct); `let` needs one that
// always matches (E0312); exhaustiveness sees through them (E0500, W0003).
check!(
    struct_patterns,
    r#"struct Point { x: int, y: int }
enum E { A(p: Point), B }
fn main() {
    let p = Point { x: 1, y: 2 }
    let Point { x } = p
    let Point { x: a, z, .. } = p
    let Point { x: b, x: c, .. } = p
    let E { q } = E.B
    let Point { x: 1, .. } = p
    match E.A(p) {
        E.A(Point { x: 0, .. }) => println("0"),
        E.A(Point { y: 1, x }) => println("{x}"),
        E.B => println("b"),
    }
    match p {
        Point { x: 1, y } => println("{y}"),
        Point { .. } => println("any"),
        _ => println("never"),
    }
}
"#
);

// An unused shorthand field binding cannot be renamed `_y` (that names
// another field): the help says `y: _` or `..`.
check!(
    w0001_unused_shorthand_field,
    r#"struct P { x: int, y: int }
fn main() {
    let P { x, y } = P { x: 1, y: 2 }
    let P { x: unused, .. } = P { x: 3, y: 4 }
    println(x)
}
"#
);

// `import json`: its one type `json.Json` (an enum, matched exhaustively),
// `json.parse(str)` and `json.stringify(json.Json)`, called only.
check!(
    json_module,
    r#"import json

fn kind(j: json.Json) -> str {
    match j {
        Null => "null",
        Number(n) => "number",
        json.Json.Bool(_) => "bool",
    }
}

fn main() {
    let a: json.Jsn = json.Json.Null
    let b = json.parse(1)
    let c = json.load("x")
    let f = json.parse
    let d = json.Json.Nope
    println("{kind(json.Json.Null)} {b} {c} {d} {json.stringify("text")}")
}
"#
);

// Compound bitwise assignment takes ints only, as the operators do.
check!(
    e0304_compound_bitwise_assignment,
    r#"fn main() {
    var b = true
    b &= false
    var x = 1.5
    x |= 2.0
    var s = "a"
    s <<= 1
    var n = 1
    n >>= 1.0
    println("{b} {x} {s} {n}")
}
"#
);

// Labels name an enclosing loop of the same function or closure.
check!(
    e0319_loop_labels,
    r#"fn main() {
    'outer: for i in 0..3 {
        'outer: while i > 5 { break 'outer }
        for j in 0..i {
            if j == 1 { continue 'outr }
            if j == 2 { break 'nowhere }
        }
    }
    'a: loop {
        let f = || -> int { break 'a }
        println(f())
        break
    }
    break 'a
    while let some(x) = 5 { println(x) }
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

// Parts overlap when one contains the other, or when an index selects them
// (which element is known only at run time); two different fields do not.
check!(
    e0406_overlapping_parts_mut_twice,
    r#"struct P { x: int, y: int, t: (int, int) }
fn swap(mut _a: int, mut _b: int) {}
fn take(mut _p: P, mut _n: int) {}
fn P.bump(mut self, mut _n: int) {}
fn main() {
    var p = P { x: 1, y: 2, t: (3, 4) }
    var ps = [p]
    take(mut p, mut p.x)
    p.bump(mut p.t.0)
    swap(mut ps[0].x, mut ps[0].y)
    swap(mut p.t.1, mut p.t.1)
    swap(mut p.x, mut p.y)
    swap(mut p.t.0, mut p.t.1)
    p.t.0 += ps.len()
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

// ---- more diagnostics ----

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

// A width or precision written `{expr}` is an int; the value's own format
// type is still checked.
check!(
    format_spec_widths_from_expressions,
    r#"fn main() {
    let w = 8
    let f = 1.5
    let s = "x"
    println("{s:>{w}} {f:>{w}.{w / 4}} {w:0{w}x}")
    println("{s:>{f}} {f:.{s}} {s:>{w}x} {f:.{nope}}")
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

//! Programs real users wrote that the checker accepted and the generator or
//! rustc then got wrong (issue #11): each must build and print what the
//! reference says.

/// Closure-taking list methods on an indexed receiver, `for mut` over
/// indexed places, parenthesised struct literals in `if`/`while`/`for`
/// heads, string literals in nested `|` patterns, nested patterns through a
/// recursive optional field, and an int builtin as a function value.
pub const PLACES_AND_PATTERNS: &str = r#"import math

enum Tree { Leaf(v: int), Node(left: Tree?, right: Tree?) }
struct P { x: int, y: int }
struct Bag { xs: [int] }
state sm: {str: [int]} = {"k": [1, 2]}

fn leftmost(t: Tree) -> int {
    if let Node(some(Leaf(x)), _) = t {
        return x
    }
    match t {
        Node(some(Node(some(Leaf(y)), _)), _) => y * 10
        Node(none, some(Leaf(z))) => z * 100
        Leaf(v) => v
        _ => -1
    }
}

fn word(cmd: (str, int)) -> str {
    match cmd {
        ("go" | "walk", 2) => "move two"
        ("go" | "walk", _) => "move"
        ("stop", n) if n > 0 => "stop {n}"
        _ => "other"
    }
}

fn apply_all(xs: [int], f: fn(int) -> int) -> [int] { xs.map(f) }

fn extend(mut xs: [int]) { xs.push(xs.len()) }

fn main() {
    let xs = [[1, 2]]
    let m = {"a": [1, 2, 3]}
    let i = 0
    println("{xs[0].map(|x| x + 1)} {m["a"].filter(|x| x > 1)} {xs[i].filter(|x| x == 2).map(|x| x * 3)}")
    var ys = [[3, 1, 2]]
    ys[0].sort_by(|a, b| a - b)
    println(ys)

    var g = [[1, 2]]
    for mut c in g[0] { c += 1 }
    var mm = {"k": [1, 2]}
    for mut c in mm["k"] { c += 10 }
    var bags = [Bag { xs: [5] }]
    for mut c in bags[i].xs { c += 100 }
    for mut c in sm["k"] { c += 7 }
    println("{g} {mm} {bags[0].xs} {sm}")
    extend(mut sm["k"])
    println(sm)

    let p = P { x: 1, y: 2 }
    if (P { x: 1, y: 2 }) == p { println("eq") }
    var n = 0
    while (P { x: n, y: 2 }) != p { n += 1 }
    for q in [(P { x: 1, y: 2 })] { println("{q.x} {n}") }

    println("{word(("go", 2))} {word(("walk", 3))} {word(("stop", 4))} {word(("run", 2))}")

    let deep = Tree.Node(Tree.Node(Tree.Leaf(7), none), none)
    let right = Tree.Node(none, Tree.Leaf(3))
    println("{leftmost(Tree.Node(Tree.Leaf(4), none))} {leftmost(deep)} {leftmost(right)} {leftmost(Tree.Leaf(9))}")

    println("{[-3, 2].map(math.abs)} {apply_all([-5], math.abs)} {[-1.5].map(math.abs)}")
}
"#;

pub const PLACES_AND_PATTERNS_OUT: &str = "[2, 3] [2, 3] [6]
[[1, 2, 3]]
[[2, 3]] {\"k\": [11, 12]} [105] {\"k\": [8, 9]}
{\"k\": [8, 9, 2]}
eq
1 1
move two move stop 4 other
4 70 300 9
[3, 2] [5] [1.5]
";

/// Locals, parameters, functions and fields named like every helper the
/// generator uses: they must not capture or shadow the generated names.
pub const HYGIENE: &str = r#"struct __S { __v: int, ctx_: int }

state __count: int = 0

fn __init() -> int { 40 }
fn __zero(ctx: int) -> int { ctx + 2 }

fn __helper(__loc: int, __f: fn(int) -> int) -> int { __f(__loc) }

fn main() {
    let __loc = 3
    let __zero_ = 4
    let ctx = 5
    let ctx_ = 6
    let __f = 7
    let __v = 8
    let __m = {"a": 1}
    let __x = [10, 20, 30, 40]
    let __s = "s"
    let __out = 1
    let __p = 2
    let __a = 1
    let __b = 2
    let __r = 0
    let __items = [1]
    let __other = 1
    let __variant = 1
    let __self = 1
    let __enter = 1
    let __prepare = 1
    let __host = 1
    let __aether = 1
    let __shims = 1
    let __hmr_calls = 1
    let __tmp = 1
    let __i = 1
    let __e = 1
    let __k = 1
    let __init_ = 1
    __count += __x[__loc] / __b
    let s = __S { __v: __v, ctx_: ctx_ }
    let add = |__a: int| __a + __loc + ctx
    println("{__x[__loc - 2]} {__m["a"]} {__s} {__init()} {__zero(ctx)} {s.__v} {s.ctx_} {ctx} {ctx_} {__zero_}")
    println("{__helper(__loc, add)} {__count} {__f + __out + __p + __a + __r + __items[0] + __other}")
    println(__variant + __self + __enter + __prepare + __host + __aether + __shims + __hmr_calls + __tmp + __i + __e + __k + __init_)
}
"#;

pub const HYGIENE_OUT: &str = "20 1 s 40 7 8 6 5 6 4
11 20 13
13
";

/// Modules named like generated files and crates (`lib.rs`, `build.rs`,
/// the `--hmr` host crate).
pub const LIB_MAIN: &str = "import lib\nimport build\nimport host\n\nfn main() {\n    lib.bump()\n    lib.bump()\n    \
println(\"{lib.n} {build.k()} {host.name()}\")\n}\n";
pub const LIB_LIB: &str = "pub state n: int = 0\n\npub fn bump() { n += 1 }\n";
pub const LIB_BUILD: &str = "pub fn k() -> int { 10 }\n";
pub const LIB_HOST: &str = "state calls: int = 0\n\npub fn name() -> str {\n    calls += 1\n    \"host {calls}\"\n}\n";
pub const LIB_OUT: &str = "2 10 host 1\n";

/// Integer overflow (issue #11, findings 5, 11, 14): arithmetic rustc could
/// fold at compile time must still build, and in a debug build every
/// overflowing operation is a runtime error at its `.ae` location. The
/// case is the first argument.
pub const OVERFLOW: &str = r#"fn main() {
    let limit = 9223372036854775807
    let low = -9223372036854775807 - 1
    let case = args()[0]
    if case == "add" {
        println(limit + 1)
    } else if case == "sub" {
        println(low - 1)
    } else if case == "mul" {
        println(limit * 2)
    } else if case == "neg" {
        println(-low)
    } else if case == "div" {
        println((-9223372036854775807 - 1) / -1)
    } else if case == "rem" {
        println("{low % -1} {7 % -2}")
    } else if case == "compound" {
        var xs = [limit]
        xs[0] += 1
        println(xs)
    } else if case == "fine" {
        println("{limit - 1 + 1} {low + 0} {-(low + 1)} {low / 1} {LOWEST} {NO_REMAINDER} {SMALLER}")
    }
}

const LOWEST: int = -9223372036854775807 - 1
const NO_REMAINDER: int = LOWEST % -1
const SMALLER: bool = LOWEST + 1 < (LOWEST + 1) * -1
"#;

//! Snapshot tests of the generated Rust, one per construct: each snapshot
//! holds the Aether source and the formatted Rust of its module. Whether
//! the Rust compiles and runs correctly is `codegen_run.rs`'s job; these pin
//! down its shape.

mod support;

use aether_transpile::check::{self, Mode};
use aether_transpile::codegen::{expand_module, generate, CodegenOptions};
use aether_transpile::project::load_in_memory;
use std::path::{Path, PathBuf};

/// The generated Rust of every module of a program (entry `main.ae`).
fn expand_all(files: &[(&str, &str)]) -> String {
    let (program, checked) = support::checked(files, Mode::Program);
    let opts = CodegenOptions { crate_name: "snap".into(), rt_path: PathBuf::from("/rt") };
    if let Err(e) = generate(&program, &checked, &opts) {
        panic!("generate failed: {e:?}");
    }
    let mut out = String::new();
    for (path, _) in files {
        let m = program.find(&aether_transpile::project::module_name(Path::new(path))).expect("module");
        let rust = expand_module(&program, &checked, m);
        assert!(!rust.contains("did not parse"), "{rust}");
        if files.len() > 1 {
            out.push_str(&format!("// ---- {path}\n"));
        }
        out.push_str(&rust);
    }
    out
}

/// Snapshot the source and its generated Rust together.
fn check(name: &str, src: &str) {
    let rust = expand_all(&[("main.ae", src)]);
    insta::assert_snapshot!(name, format!("{src}\n// ==== generated Rust ====\n{rust}"));
}

fn check_files(name: &str, files: &[(&str, &str)]) {
    let rust = expand_all(files);
    let src: String = files.iter().map(|(p, t)| format!("// ---- {p}\n{t}")).collect();
    insta::assert_snapshot!(name, format!("{src}\n// ==== generated Rust ====\n{rust}"));
}

#[test]
fn functions_and_parameters() {
    check(
        "functions_and_parameters",
        r#"fn area(w: float, h: float) -> float { w * h }

fn total(xs: [int]) -> int {
    var t = 0
    for x in xs { t += x }
    t
}

fn grow(mut xs: [int], n: int) {
    xs.push(n)
}

fn clamp(x: int, lo: int, hi: int) -> int {
    if x < lo { return lo }
    if x > hi { return hi }
    x
}

fn main() {
    var list = [1, 2]
    grow(mut list, 3)
    println("{area(2.0, 3.0)} {total(list)} {clamp(12, 0, 10)} {7 / 2} {7 % 2}")
}
"#,
    );
}

#[test]
fn structs_methods_and_defaults() {
    check(
        "structs_methods_and_defaults",
        r#"struct Ball {
    x: float
    y: float
    vy: float = 0.0
    label: str = "ball"
}

fn Ball.new(x: float, y: float) -> Ball {
    Ball { x, y }
}

fn Ball.height(self) -> float { self.y }

fn Ball.fall(mut self, dt: float) {
    self.vy -= 9.81 * dt
    self.y += self.vy * dt
}

fn main() {
    var b = Ball.new(0.0, 10.0)
    b.fall(0.1)
    b.label = "moved"
    println("{b.height():.3} {b}")
}
"#,
    );
}

#[test]
fn enums_and_match() {
    check(
        "enums_and_match",
        r#"enum Shape {
    Circle(r: float)
    Rect(w: float, h: float)
    Empty
}

fn describe(s: Shape) -> str {
    match s {
        Circle(r) if r <= 0.0 => "degenerate circle"
        Circle(r) => "circle of radius {r}"
        Shape.Rect(w, h) if w == h => "square of side {w}"
        Rect(w, _) => "rectangle of width {w}"
        Empty => "nothing"
    }
}

fn classify(n: int) -> str {
    match n {
        0 => "zero"
        1 | 2 | 3 => "small"
        -1 => "minus one"
        other if other < 0 => "negative"
        _ => "large"
    }
}

fn point(p: (int, int)) -> str {
    match p {
        (0, 0) => "origin",
        (0, y) => "on the y axis at {y}",
        (x, _) => "at x {x}",
    }
}

fn main() {
    println(describe(Shape.Rect(2.0, 2.0)))
    println(classify(2))
    println(point((0, 5)))
    let word = match "yes" {
        "yes" | "y" => true
        _ => false
    }
    let cmd = match ("go", 2) {
        ("go", n) if n > 1 => "far"
        ("go", _) => "near"
        (_, _) => "stay"
    }
    if let ("go", n) = ("go", 4) { println("go {n}") } else { println("stop") }
    var total = 0
    match some(3) {
        some(h) => total += h
        none => println("none")
    }
    println("{word} {cmd} {total} {Shape.Empty}")
}
"#,
    );
}

#[test]
fn optionals_and_results() {
    check(
        "optionals_and_results",
        r#"fn find(xs: [str], target: str) -> int? {
    for i in 0..xs.len() {
        if xs[i] == target { return i }
    }
    none
}

fn first_even(xs: [int]) -> int? {
    let first = xs.first()?
    if first % 2 == 0 { some(first) } else { none }
}

fn parse_port(s: str) -> int! {
    let n = s.trim().parse_int() ?? -1
    if n < 1 || n > 65535 {
        return err("bad port: {s}")
    }
    n
}

fn load(path: str) -> int! {
    let text = read_file(path)?
    parse_port(text)
}

fn main() -> ()! {
    if let i = find(["a", "b"], "b") { println("found at {i}") } else { println("missing") }
    match parse_port("8080") {
        ok(p) => println("port {p}")
        err(e) => eprintln("error: {e}")
    }
    let p = load("port.txt")?
    println("{p} {first_even([4])}")
}
"#,
    );
}

#[test]
fn closures_and_function_values() {
    check(
        "closures_and_function_values",
        r#"enum Wrap { Num(n: int) }

fn apply(f: fn(int) -> int, x: int) -> int { f(x) }

fn double(x: int) -> int { x * 2 }

fn main() {
    var offset = 10
    let add = |x: int| x + offset
    offset = 100
    let mul = |a: int, b: int| -> int {
        let p = a * b
        p
    }
    let xs = [1, 2, 3].map(|x| x * 2).filter(|x| x > 2)
    let names = [1, 2].map(str)
    let wrapped = [1].map(Wrap.Num)
    println("{add(1)} {mul(3, 4)} {xs} {apply(double, 5)} {names} {wrapped}")
}
"#,
    );
}

#[test]
fn state_and_ctx() {
    check_files(
        "state_and_ctx",
        &[
            (
                "main.ae",
                r#"import world

state score: int = 0
state names: [str] = []

fn add_point() {
    score += 1
}

fn pure(x: int) -> int { x + 1 }

fn record(mut xs: [str], name: str) {
    xs.push(name)
    add_point()
}

fn main() {
    add_point()
    record(mut names, "ada")
    world.tick()
    for n in names { add_point() }
    println("score {score}, names {names}, {world.total} {pure(1)}")
}
"#,
            ),
            (
                "world.ae",
                r#"pub state total: int = start()
state items: [int] = [1, 2, 3]

fn start() -> int { 40 }

pub fn tick() {
    for mut i in items { i += total }
    total += items.len()
}
"#,
            ),
        ],
    );
}

#[test]
fn strings() {
    check(
        "strings",
        r#"struct Player { name: str, hp: int }

fn main() {
    let p = Player { name: "Ada", hp: 7 }
    let pi = 3.14159265358979
    println("{p.name} has {p.hp * 2} half-hp and {{braces}}")
    println("{pi:.9} [{p.hp:>5}] {255:x} {1.0} {[1.5]}")
    var s = "a" + "b"
    s += p.name
    let t = "  Hello, World  ".trim()
    println("{t.len()} {t.contains("World")} {t.split(", ")} {t.to_upper()} {t.replace("World", "Aether")}")
    println("{"42".parse_int()} {"x".chars()} {"ab".repeat(3)} {s < t} {str(1.5)} {s.is_empty()}")
}
"#,
    );
}

#[test]
fn lists_and_maps() {
    check(
        "lists_and_maps",
        r#"fn main() {
    var xs = [3, 1, 2]
    xs.push(5)
    xs.insert(0, 9)
    let last = xs.pop()
    let removed = xs.remove(0)
    xs.sort()
    xs.reverse()
    xs[0] = 30
    xs[xs.len() - 1] += 1
    var pairs = [("b", 2), ("a", 2)]
    pairs.sort_by(|p, q| q.1 - p.1)
    var counts: {str: int} = {}
    for w in "the cat the hat".words() {
        counts[w] = (counts.get(w) ?? 0) + 1
    }
    counts["the"] += 1
    let gone = counts.remove("dog")
    for (k, v) in counts { println("{k}: {v}") }
    var grid = [[0, 0], [0, 0]]
    grid[1][0] = 5
    for mut row in grid { row.push(1) }
    println("{xs} {last} {removed} {pairs} {counts.keys()} {gone} {xs[1..]} {xs[..2]} {grid}")
}
"#,
    );
}

#[test]
fn recursive_types_are_boxed() {
    check(
        "recursive_types_are_boxed",
        r#"struct Tree {
    value: int
    left: Tree?
    right: Tree?
}

enum Expr {
    Num(n: int)
    Neg(inner: Expr?)
}

fn Tree.sum(self) -> int {
    var n = self.value
    if let l = self.left { n += l.sum() }
    match self.right {
        some(r) => n += r.sum()
        none => {}
    }
    n
}

fn eval(e: Expr) -> int {
    match e {
        Num(n) => n
        Neg(inner) => -(eval(inner ?? Expr.Num(0)))
    }
}

fn main() {
    var t = Tree { value: 1, left: Tree { value: 2, left: none, right: none }, right: none }
    t.right = Tree { value: 3, left: none, right: none }
    println("{t.sum()} {eval(Expr.Neg(Expr.Num(4)))} {t.left}")
}
"#,
    );
}

#[test]
fn consts_math_and_loops() {
    check(
        "consts_math_and_loops",
        r#"import math

const LIMIT: int = 10
const HALF: float = 1.0 / 2.0
const NAMES: [str] = ["ada", "alan"]
const MASS: float = 4.0 * math.PI * math.PI

fn main() {
    var i = 0
    while i < LIMIT { i += 1 }
    var tries = 0
    loop {
        tries += 1
        if tries == 2 { continue }
        if tries >= 4 { break }
    }
    var total = 0
    for j in 1..=3 { total += j }
    for _ in 0..2 { total -= 1 }
    println("{i} {tries} {total} {HALF} {NAMES} {MASS:.3} {math.sqrt(2.0):.4} {math.abs(-3)} {math.max(2.0, 3.0)} {int(math.floor(2.7))}")
}
"#,
    );
}

#[test]
fn tests_hooks_and_keywords() {
    check(
        "tests_hooks_and_keywords",
        r#"@on_reload
fn reloaded() {
    println("reloaded")
}

struct Item { type: str, impl: int }

fn move(ref: int) -> int { ref + 1 }

fn add(a: int, b: int) -> int { a + b }

test "addition works" {
    assert(add(2, 2) == 4)
    assert(add(-1, 1) == 0, "identity")
}

fn main() {
    let ctx = Item { type: "t", impl: move(1) }
    println("{ctx.type} {ctx.impl}")
}
"#,
    );
}

#[test]
fn dotted_modules() {
    check_files(
        "dotted_modules",
        &[
            ("main.ae", "import net.http\n\nfn main() {\n    let r = http.Request { path: \"/\" }\n    println(http.get(r))\n}\n"),
            (
                "net/http.ae",
                "pub struct Request { path: str }\n\npub fn get(r: Request) -> str {\n    \"GET {r.path}\"\n}\n",
            ),
        ],
    );
}

/// Places borrowed and changed in one statement, copies that must not
/// alias, state passed where `ctx` is needed too.
#[test]
fn value_semantics_and_borrows() {
    check(
        "value_semantics_and_borrows",
        r#"struct Ball { x: float, tags: [str] }

state balls: [Ball] = [Ball { x: 1.0, tags: [] }]
state hits: int = 0

fn Ball.push(mut self, t: str) {
    self.tags.push(t)
    hits += 1
}

fn Ball.moved(self, dx: float) -> Ball {
    var c = self
    c.x += dx
    c
}

fn grow(mut xs: [int], n: int) {
    xs.push(n)
}

fn count(xs: [int]) -> int { xs.len() }

fn bump(mut b: Ball) {
    b.x += 1.0
    hits += 1
}

fn main() {
    var xs = [1, 2, 3]
    grow(mut xs, xs.len())
    xs[0] = xs[3]
    xs[xs.len() - 1] += xs[1]
    let copy = xs
    xs.push(count(copy))
    var grid = [[1], [2]]
    grow(mut grid[1], 7)
    var b = Ball { x: 0.0, tags: ["a"] }
    let b2 = b.moved(2.0)
    b.push("b")
    bump(mut balls[0])
    balls[0].push("c")
    var s = "ab"
    s += s
    let f = |n: int| n + xs.len()
    println("{xs} {copy} {grid} {b.x} {b2.x} {b.tags} {b2.tags} {balls[0].x} {balls[0].tags} {hits} {s} {f(1)}")
}
"#,
    );
}

#[test]
fn generated_crate_files() {
    let (program, _) = load_in_memory(&[("main.ae", "fn main() {\n    println(\"hi\")\n}\n")], "main.ae");
    let checked = check::check(&program, Mode::Program);
    let opts = CodegenOptions { crate_name: "hi".into(), rt_path: PathBuf::from("/abs/aether-rt") };
    let generated = generate(&program, &checked, &opts).expect("generate");
    let names: Vec<String> = generated.files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert_eq!(names, vec!["src/main_.rs", "src/main.rs", "Cargo.toml"]);
    let all: String = generated.files.iter().map(|(p, t)| format!("==== {}\n{t}", p.display())).collect();
    insta::assert_snapshot!("generated_crate_files", all);
}

/// The runtime's serde_json (its `json` feature) is built only for a
/// program that imports the built-in `json`; a module of the program named
/// `json` is not that.
#[test]
fn the_runtime_json_feature_is_on_only_for_an_import_of_json() {
    let manifest = |files: &[(&str, &str)]| {
        let (program, _) = load_in_memory(files, "main.ae");
        let checked = check::check(&program, Mode::Program);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let opts = CodegenOptions { crate_name: "x".into(), rt_path: PathBuf::from("/rt") };
        let generated = generate(&program, &checked, &opts).map_err(|e| format!("{e:?}")).expect("generates");
        let (_, text) = generated.files.iter().find(|(p, _)| p == Path::new("Cargo.toml")).expect("manifest");
        text.lines().find(|l| l.starts_with("aether-rt = ")).expect("the runtime's line").to_string()
    };
    let uses = "import json\n\nfn main() {\n    println(json.stringify(json.Json.Null))\n}\n";
    let json_on = r#"aether-rt = { path = "/rt", default-features = false, features = ["json"] }"#;
    assert_eq!(manifest(&[("main.ae", uses)]), json_on);
    let own = "pub fn stringify() -> str {\n    \"mine\"\n}\n";
    let json_off = r#"aether-rt = { path = "/rt", default-features = false, features = [] }"#;
    assert_eq!(manifest(&[("main.ae", uses.replace("json.Json.Null", "").as_str()), ("json.ae", own)]), json_off);
    assert_eq!(manifest(&[("main.ae", "fn main() {\n    println(1)\n}\n")]), json_off);
}

/// A string literal in an alternative of a nested `|` pattern was the
/// generator's last refusal (E0700) of a checked program: it now generates,
/// and `check` (which reports the generator's refusals) has nothing to say.
#[test]
fn string_literals_in_nested_or_patterns_generate() {
    let src = "fn main() {\n    let p = (\"a\", 1)\n    match p {\n        (\"a\", 1) | (\"b\", 2) => println(\"a1\")\n        _ => println(\"other\")\n    }\n}\n";
    let (program, _) = load_in_memory(&[("main.ae", src)], "main.ae");
    let checked = check::check(&program, Mode::Program);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let opts = CodegenOptions { crate_name: "x".into(), rt_path: PathBuf::from("/rt") };
    let generated = generate(&program, &checked, &opts).map_err(|e| format!("{e:?}")).expect("generates");
    assert!(generated.files[0].1.contains("as_str() == \"b\""), "{}", generated.files[0].1);
    assert!(aether_transpile::codegen::refusals(&program, &checked).is_empty());
}

/// A flat chain of thousands of operators is thousands of levels deep in
/// the tree: generation and formatting must not overflow a test thread's
/// small stack.
#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let ints = vec!["1"; 3000].join(" + ");
    let strs = vec!["\"a\""; 1000].join(" + ");
    let src = format!("fn main() {{\n    let x = {ints}\n    let s = {strs}\n    println(\"{{x}} {{s.len()}}\")\n}}\n");
    let (program, checked) = support::checked(&[("main.ae", &src)], Mode::Program);
    let opts = CodegenOptions { crate_name: "deep".into(), rt_path: PathBuf::from("/rt") };
    let generated = generate(&program, &checked, &opts).expect("generate");
    let module = &generated.files[0].1;
    assert!(!module.contains("did not parse"));
    assert_eq!(module.matches("::aether_rt::ops::add(").count(), 2999);
    assert_eq!(module.matches("+ \"a\"").count(), 999);
}

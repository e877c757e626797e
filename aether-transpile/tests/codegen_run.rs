//! End to end: load, check and generate the examples and benchmark
//! programs, build all the generated crates with ONE `cargo build` (as
//! members of one generated workspace under `target/aether-e2e/`, sharing a
//! target directory so `aether-rt` and `indexmap` build once), run each
//! binary and compare its output with the expected one.

#[path = "codegen_run/issue11.rs"]
mod issue11;
mod support;

use aether_transpile::check::{self, Mode};
use aether_transpile::codegen::{generate, CodegenOptions};
use aether_transpile::project::{self, Program};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use support::{repo, write_if_changed};

/// A program under test, by name.
enum Source {
    /// A single-file script, relative to the repository.
    Script(&'static str),
    /// A project directory (entry `src/main.ae`), relative to the repository.
    Project(&'static str),
    /// In-memory files: (path, text), entry `main.ae`.
    Memory(&'static [(&'static str, &'static str)]),
    /// The program of a `tests/snapshots/codegen__*.snap` snapshot.
    Snapshot(String),
}

const PROGRAMS: &[(&str, Source)] = &[
    ("hello", Source::Script("examples/hello.ae")),
    ("wordfreq", Source::Script("examples/wordfreq.ae")),
    ("life", Source::Project("examples/life")),
    ("particles", Source::Project("examples/particles")),
    ("binarytrees", Source::Script("bench/programs/binarytrees.ae")),
    ("fannkuchredux", Source::Script("bench/programs/fannkuchredux.ae")),
    ("mandelbrot", Source::Script("bench/programs/mandelbrot.ae")),
    ("nbody", Source::Script("bench/programs/nbody.ae")),
    ("spectralnorm", Source::Script("bench/programs/spectralnorm.ae")),
    ("helpers", Source::Script("bench/programs/helpers.ae")),
    ("matmul", Source::Script("bench/programs/matmul.ae")),
    ("template_script", Source::Project("templates/script")),
    ("template_game", Source::Project("templates/game")),
    ("template_server", Source::Project("templates/server")),
    ("index_error", Source::Memory(&[("main.ae", INDEX_ERROR)])),
    ("tests_fail", Source::Memory(&[("main.ae", TESTS_FAIL)])),
    ("features", Source::Memory(&[("main.ae", FEATURES), ("shapes.ae", SHAPES)])),
    ("features2", Source::Memory(&[("main.ae", FEATURES2)])),
    ("evaluation_order", Source::Memory(&[("main.ae", EVALUATION_ORDER)])),
    ("places_and_patterns", Source::Memory(&[("main.ae", issue11::PLACES_AND_PATTERNS)])),
    ("hygiene", Source::Memory(&[("main.ae", issue11::HYGIENE)])),
    ("generated", Source::Memory(&[("main.ae", issue11::GENERATED)])),
    ("generics", Source::Memory(&[("main.ae", issue11::GENERICS)])),
    ("stdlib", Source::Memory(&[("main.ae", issue11::STDLIB)])),
    (
        "generics_modules",
        Source::Memory(&[
            ("main.ae", issue11::GENERICS_MAIN),
            ("a.ae", issue11::GENERICS_A),
            ("b.ae", issue11::GENERICS_B),
        ]),
    ),
    (
        "generated_file_names",
        Source::Memory(&[
            ("main.ae", issue11::LIB_MAIN),
            ("lib.ae", issue11::LIB_LIB),
            ("build.ae", issue11::LIB_BUILD),
            ("host.ae", issue11::LIB_HOST),
        ]),
    ),
    ("overflow", Source::Memory(&[("main.ae", issue11::OVERFLOW)])),
    ("syntax_v05", Source::Memory(&[("main.ae", SYNTAX_V05)])),
    ("syntax_v05_more", Source::Memory(&[("main.ae", SYNTAX_V05_MORE)])),
    (
        "generic_types",
        Source::Memory(&[
            ("main.ae", include_str!("../../tests/programs/generic_types.ae")),
            ("containers.ae", include_str!("../../tests/programs/containers.ae")),
        ]),
    ),
    ("call_shapes", Source::Memory(&[("main.ae", include_str!("../../tests/programs/call_shapes.ae"))])),
    ("leaf_loops", Source::Memory(&[("main.ae", include_str!("../../tests/programs/leaf_loops.ae"))])),
];

/// Issue #18: bitwise operators, radix literals, labelled loops, `while let`
/// and destructuring patterns (`tests/programs/syntax_v05.ae`).
const SYNTAX_V05: &str = include_str!("../../tests/programs/syntax_v05.ae");

/// Issue #18: compound assignment with the bitwise operators, struct
/// patterns, `run_command` and `import json` (`tests/programs/syntax_v05_more.ae`).
const SYNTAX_V05_MORE: &str = include_str!("../../tests/programs/syntax_v05_more.ae");

/// Arguments run left to right, even where reading state next to a call
/// that changes it forces the generator to use temporaries.
const EVALUATION_ORDER: &str = "state calls: int = 0\nstate log: [str] = []\n\n\
fn f(tag: str) -> int {\n    calls += 1\n    log.push(tag)\n    calls\n}\n\n\
fn pair(a: int, b: int, c: int) -> str { \"{a} {b} {c}\" }\n\n\
fn main() {\n    println(\"{f(\"a\")} after {calls}\")\n    println(pair(calls, f(\"b\"), calls))\n\
    println(log.join(\",\"))\n}\n";

const TESTS_FAIL: &str = "state n: int = 1\n\ntest \"passes\" {\n    n += 1\n    assert(n == 2)\n}\n\n\
                          test \"fails\" {\n    assert(n == 5, \"n is five\")\n}\n\nfn main() {}\n";

const INDEX_ERROR: &str = "fn main() {\n    let xs = [1, 2, 3]\n    let i = 5\n    println(xs[i])\n}\n";

/// Constructs the examples do not reach: closures, maps, optionals,
/// results, enums with payloads, tuples, strings, recursion through `?`.
const FEATURES: &str = r#"import shapes
import math

state log: [str] = []
state calls: int = 0

struct Counter { name: str, n: int = 0 }

fn Counter.bump(mut self, by: int) {
    self.n += by
    calls += 1
}

fn note(s: str) {
    log.push(s)
}

fn apply(f: fn(int) -> int, x: int) -> int { f(x) }

fn twice(x: int) -> int { x * 2 }

fn parse_all(xs: [str]) -> [int]! {
    var out: [int] = []
    for x in xs {
        match x.parse_int() {
            some(n) => out.push(n)
            none => return err("not a number: {x}")
        }
    }
    out
}

fn first_big(xs: [int]) -> int? {
    for x in xs {
        if x > 10 { return x }
    }
    none
}

fn grow(mut xs: [int], n: int) {
    for i in 0..n { xs.push(i) }
}

fn main() {
    var c = Counter { name: "c" }
    c.bump(2)
    c.bump(3)
    println("{c.name} {c.n} {calls} {c}")

    var offset = 10
    let add = |x: int| x + offset
    offset = 100
    println("{add(1)} {apply(add, 5)} {apply(twice, 4)} {offset}")
    println([1, 2, 3].map(|x| x * x).filter(|x| x > 1))

    var counts: {str: int} = {}
    for w in "b a b c b a".words() {
        counts[w] = (counts.get(w) ?? 0) + 1
    }
    counts["c"] += 10
    println(counts)
    for (k, v) in counts { note("{k}={v}") }
    println(log.join(","))

    println(parse_all(["1", "2"]))
    println(parse_all(["1", "x"]))
    println("{first_big([1, 20, 30])} {first_big([1])}")

    var xs = [5]
    grow(mut xs, 3)
    xs.sort()
    xs.reverse()
    println("{xs} {xs[1..3]} {xs.len()} {xs.contains(2)} {xs.first()}")

    let all = [shapes.Shape.Circle(1.0), shapes.Shape.Rect(2.0, 3.0), shapes.Shape.Empty]
    var total = 0.0
    for s in all { total += shapes.area(s) }
    println("{total:.3} {all[1]} {shapes.describe(all[0])}")

    var pairs = [("b", 2), ("a", 2), ("c", 5)]
    pairs.sort_by(|p, q| if p.1 != q.1 { q.1 - p.1 } else if p.0 < q.0 { -1 } else { 1 })
    println(pairs)

    let t = shapes.leaf(1)
    let tree = shapes.Tree { value: 0, left: t, right: shapes.leaf(2) }
    println("{shapes.sum(tree)} {math.max(3, 7)} {math.sqrt(16.0)} {int(2.9)} {float(3)}")
    let word = match "yes" {
        "yes" | "y" => true
        _ => false
    }
    var grid = [[1, 2], [3, 4]]
    grid[1][0] = 30
    println("{word} {grid} {-7 / 2} {-7 % 2} {str(1.5) + "!"} {"héllo".len()}")
}
"#;

const SHAPES: &str = r#"pub enum Shape {
    Circle(r: float)
    Rect(w: float, h: float)
    Empty
}

pub fn area(s: Shape) -> float {
    match s {
        Circle(r) => 3.0 * r * r
        Rect(w, h) => w * h
        Empty => 0.0
    }
}

pub fn describe(s: Shape) -> str {
    match s {
        Circle(r) if r <= 0.0 => "degenerate"
        Circle(r) => "circle of radius {r}"
        _ => "other"
    }
}

pub struct Tree {
    value: int
    left: Tree?
    right: Tree?
}

pub fn leaf(v: int) -> Tree {
    Tree { value: v, left: none, right: none }
}

pub fn sum(t: Tree) -> int {
    var n = t.value
    if let l = t.left { n += sum(l) }
    if let r = t.right { n += sum(r) }
    n
}
"#;

const FEATURES_OUT: &str = "c 5 2 Counter { name: \"c\", n: 5 }
11 15 8 100
[4, 9]
{\"b\": 3, \"a\": 2, \"c\": 11}
b=3,a=2,c=11
ok([1, 2])
err(\"not a number: x\")
some(20) none
[5, 2, 1, 0] [2, 1] 4 true some(5)
9.000 Rect(2.0, 3.0) circle of radius 1.0
[(\"c\", 5), (\"a\", 2), (\"b\", 2)]
3 7 4.0 2 3.0
true [[1, 2], [30, 4]] -3 -1 1.5! 5
";

/// The Aether files of a codegen snapshot: the part before the generated
/// Rust, split at `// ---- path` lines when there are several files.
fn snapshot_files(snap: &str) -> Vec<(String, String)> {
    let body = snap.splitn(3, "---\n").nth(2).unwrap_or_default();
    let src = body.split("\n// ==== generated Rust ====").next().unwrap_or_default();
    if !src.starts_with("// ---- ") {
        return vec![("main.ae".into(), src.to_string())];
    }
    src.split("// ---- ")
        .filter(|chunk| !chunk.is_empty())
        .filter_map(|chunk| chunk.split_once('\n'))
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// Every codegen snapshot program: they must compile too.
fn snapshot_programs() -> Vec<(String, Source)> {
    let dir = repo().join("aether-transpile/tests/snapshots");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("snapshots").filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_prefix("codegen__").and_then(|n| n.strip_suffix(".snap")) else {
            continue;
        };
        let text = std::fs::read_to_string(e.path()).expect("snapshot");
        if text.contains("// ==== generated Rust ====") {
            out.push((format!("snap_{stem}"), Source::Snapshot(text)));
        }
    }
    out
}

/// The expected output of the snapshot programs written to test semantics.
const SNAPSHOT_OUTPUTS: &[(&str, &str)] = &[
    (
        "snap_value_semantics_and_borrows",
        "[3, 2, 3, 5, 4] [3, 2, 3, 5] [[1], [2, 7]] 0.0 2.0 [\"a\", \"b\"] [\"a\"] 2.0 [\"c\"] 3 abab 6\n",
    ),
    ("snap_enums_and_match", "square of side 2.0\nsmall\non the y axis at 5\ngo 4\ntrue far 3 Empty\n"),
];

/// Function-typed fields and state, nested places, closures returning
/// closures, equality, sorting, shadowing.
const FEATURES2: &str = r#"struct Btn { label: str, on_click: fn(int) -> int }

struct Vec2 { x: float, y: float }
struct Body { pos: Vec2, name: str }

state handler: fn(int) -> int = |x| x + 1
state seen: {str: int} = {"a": 1, "b": 2}
state total: int = 0

fn add(n: int) {
    total += n
}

fn Body.scaler(self) -> fn(float) -> float {
    |k: float| self.pos.x * k
}

fn divmod(a: int, b: int) -> (int, int) {
    (a / b, a % b)
}

fn fib(n: int) -> int {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

fn check(r: int!) -> str {
    if let err(e) = r {
        return "failed: {e}"
    }
    "fine"
}

fn main() {
    let b = Btn { label: "ok", on_click: |x| x * 10 }
    println("{b.label} {b.on_click(3)} {handler(2)}")

    var m: {str: [int]} = {}
    m["a"] = []
    m["a"].push(1)
    m["a"].push(2)
    println(m)

    var bodies = [Body { pos: Vec2 { x: 1.0, y: 2.0 }, name: "p" }]
    bodies[0].pos.x += 1.5
    let s = bodies[0].scaler()
    println("{bodies[0].pos.x} {s(2.0)}")

    println("a,b".split(",").map(|w| w.to_upper()).join("-"))
    let (q, r) = divmod(7, 2)
    println("{q} {r} {fib(15)}")
    println("{[1, 2] == [1, 2]} {bodies[0].pos == Vec2 { x: 2.5, y: 2.0 }} {Vec2 { x: 0.0, y: 0.0 } != bodies[0].pos}")

    var words = ["pear", "apple", "fig"]
    words.sort()
    var fs = [2.5, -1.0, 0.5]
    fs.sort()
    println("{words} {fs}")

    println("{check(ok(1))} {check(err("boom"))}")

    for (k, v) in seen {
        add(v)
        println("{k} -> {v}")
    }
    var xs = [4]
    let last = xs.pop() ?? 0
    let none_left = xs.pop() ?? -1
    println("{total} {last} {none_left} {len(words)} {len("héllo")} {len(seen)}")

    let x = 1
    let x = x + 1
    let adder = |a: int| -> fn(int) -> int { |c: int| a + c }
    let add2 = adder(x)
    println("{add2(3)}")
    assert(add2(1) == 3, "adder")
    print("end ")
    print(x)
    println()
}
"#;

const FEATURES2_OUT: &str = "ok 30 3
{\"a\": [1, 2]}
2.5 5.0
A-B
3 1 610
true true true
[\"apple\", \"fig\", \"pear\"] [-1.0, 0.5, 2.5]
fine failed: boom
a -> 1
b -> 2
3 4 -1 3 5 2
5
end 2
";

fn load(source: &Source) -> Program {
    let root = repo();
    let (program, diags) = match source {
        Source::Script(p) => project::load_script(&root.join(p), &root),
        Source::Project(dir) => {
            let dir = root.join(dir);
            project::load_from_disk(&dir.join("src"), &dir.join("src/main.ae"), &dir)
        }
        Source::Memory(files) => project::load_in_memory(files, "main.ae"),
        Source::Snapshot(text) => {
            let files = snapshot_files(text);
            let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            project::load_in_memory(&refs, "main.ae")
        }
    };
    assert!(diags.iter().all(|d| !d.is_error()), "load errors: {diags:?}");
    program
}

/// Generate every program and build them all at once; the directory of
/// the built binaries.
fn built() -> &'static PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = BUILT.get_or_init(|| {
        let root = repo().join("target/aether-e2e");
        let mut members = Vec::new();
        let snapshots = snapshot_programs();
        let all = PROGRAMS.iter().map(|(n, s)| (n.to_string(), s)).chain(snapshots.iter().map(|(n, s)| (n.clone(), s)));
        for (name, source) in all {
            let program = load(source);
            let checked = check::check(&program, Mode::Program);
            if checked.has_errors() {
                return Err(format!("{name}: check errors: {:?}", checked.diagnostics));
            }
            let opts = CodegenOptions { crate_name: format!("ae_{name}"), rt_path: repo().join("aether-rt") };
            let generated = generate(&program, &checked, &opts).map_err(|e| format!("{name}: {e:?}"))?;
            let dir = root.join(&name);
            for (rel, text) in &generated.files {
                let text = if rel == Path::new("Cargo.toml") { as_member(text) } else { text.clone() };
                write_if_changed(&dir.join(rel), &text);
            }
            members.push(format!("\"{name}\""));
        }
        let manifest =
            format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[profile.dev]\ndebug = 0\n", members.join(", "));
        write_if_changed(&root.join("Cargo.toml"), &manifest);
        let out = Command::new(env!("CARGO"))
            .args(["build", "--offline", "--quiet", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env_remove("RUSTFLAGS")
            .output()
            .map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("cargo build failed:\n{stderr}"));
        }
        // Generated code is warning-free (a lint it may trip on purpose is
        // allowed in the generated crate): cargo replays the warnings of
        // crates it does not rebuild, so this holds on every run.
        if stderr.lines().any(|l| l.starts_with("warning")) {
            return Err(format!("rustc warned about generated code:\n{stderr}"));
        }
        Ok(root.join("target/debug"))
    });
    match r {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// A generated manifest as a member of the test workspace: no `[workspace]`
/// of its own, and profiles come from the workspace root.
fn as_member(manifest: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            skipping = line.starts_with("[profile") || line == "[workspace]";
        }
        if !skipping && !line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn run(name: &str, args: &[&str]) -> Output {
    let bin = built().join(format!("ae_{name}{}", std::env::consts::EXE_SUFFIX));
    Command::new(&bin).args(args).current_dir(repo()).output().unwrap_or_else(|e| panic!("run {}: {e}", bin.display()))
}

fn run_with_stdin(name: &str, input: &str) -> Output {
    run_with_stdin_args(name, &[], input)
}

fn run_with_stdin_args(name: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let bin = built().join(format!("ae_{name}{}", std::env::consts::EXE_SUFFIX));
    let mut child = Command::new(&bin)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn expected(file: &str) -> String {
    std::fs::read_to_string(repo().join("examples/expected").join(file)).expect("expected output")
}

fn assert_output(name: &str, args: &[&str], want: &str) {
    let out = run(name, args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} failed with {:?}:\n{stderr}", out.status.code());
    assert_eq!(stdout, want, "{name}: unexpected output (stderr: {stderr})");
}

#[test]
fn hello() {
    assert_output("hello", &[], &expected("hello.out"));
    assert_output("hello", &["Ada"], "Hello, Ada!\n");
}

#[test]
fn life() {
    assert_output("life", &[], &expected("life.out"));
}

#[test]
fn wordfreq() {
    assert_output("wordfreq", &["examples/wordfreq.txt"], &expected("wordfreq.out"));
    let out = run("wordfreq", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: usage: wordfreq FILE\n");
}

#[test]
fn particles() {
    assert_output("particles", &[], &expected("particles.out"));
}

fn bench_expected(name: &str) -> String {
    std::fs::read_to_string(repo().join("bench/expected").join(format!("{name}.out"))).expect("expected output")
}

/// `name(size)`: a test running the benchmark program `name` at `size`
/// and comparing its output with `bench/expected/<name>.out`.
macro_rules! benchmark {
    ($($name:ident($size:literal)),* $(,)?) => {$(
        #[test]
        fn $name() {
            assert_output(stringify!($name), &[$size], &bench_expected(stringify!($name)));
        }
    )*};
}

// The benchmark programs at their reference sizes (bench/README.md).
benchmark!(
    binarytrees("10"),
    fannkuchredux("7"),
    mandelbrot("200"),
    nbody("1000"),
    spectralnorm("100"),
    matmul("1000"),
    helpers("1000"),
);

#[test]
fn features() {
    assert_output("features", &[], FEATURES_OUT);
    assert_output("features2", &[], FEATURES2_OUT);
    assert_output("evaluation_order", &[], "1 after 1\n1 2 2\na,b\n");
}

/// The `cargo aether new` templates.
#[test]
fn templates() {
    assert_output("template_script", &["Ada", "Alan"], "Hello, Ada!\nHello, Alan!\n");
    assert_output("template_script", &[], "Hello, world!\n");
    let out = run("template_game", &["12"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 13, "{stdout}");
    assert_eq!(lines[6], "tick   7  x   10.5  hp 2  score 10");
    assert_eq!(lines[12], "final score: 20");
    let out = run_with_stdin("template_server", "set a 1 2\nget a\ncount\ndel a\nget a\nfoo\n\nquit\nget a\n");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok\n1 2\n1 keys after 3 requests\ndeleted\n(none)\nerror: unknown command `foo`\nerror: empty request\n"
    );
}

/// `test` blocks become `#[test]` functions of the generated crate, each
/// with its own freshly initialized state.
#[test]
fn generated_tests_run() {
    built();
    let root = repo().join("target/aether-e2e");
    let out = Command::new(env!("CARGO"))
        .args(["test", "--offline", "--no-fail-fast", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "ae_template_script", "-p", "ae_tests_fail"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("cargo test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("test main_::test_1_greets_by_name ... ok"), "{stdout}");
    assert!(stdout.contains("test main_::test_1_passes ... ok"), "{stdout}");
    assert!(stdout.contains("test main_::test_2_fails ... FAILED"), "{stdout}");
    assert!(stdout.contains("assertion failed: n is five\n  --> main.ae:9:5"), "{stdout}");
}

/// Every program of the codegen snapshots compiles (`built()` builds them
/// with the rest) and the deterministic ones run to completion.
#[test]
fn snapshot_programs_compile_and_run() {
    let names: Vec<String> = snapshot_programs().into_iter().map(|(n, _)| n).collect();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let out = run(&name, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected_failure = name == "snap_optionals_and_results"; // reads a missing port.txt
        if expected_failure {
            assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        } else {
            assert!(out.status.success(), "{name} failed: {stderr}");
        }
        if let Some((_, want)) = SNAPSHOT_OUTPUTS.iter().find(|(n, _)| *n == name) {
            assert_eq!(String::from_utf8_lossy(&out.stdout), *want, "{name}");
        }
    }
}

#[test]
fn runtime_errors_name_the_ae_location() {
    let out = run("index_error", &[]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: index 5 is out of range for a list of length 3\n  --> main.ae:4:13\n"
    );
    assert!(out.stdout.is_empty());
}

/// Issue #11: programs the checker accepted that did not build or ran wrong.
#[test]
fn issue11_accepted_programs_build_and_run() {
    assert_output("places_and_patterns", &[], issue11::PLACES_AND_PATTERNS_OUT);
    assert_output("hygiene", &[], issue11::HYGIENE_OUT);
    assert_output("generated", &[], issue11::GENERATED_OUT);
    assert_output("generated_file_names", &[], issue11::LIB_OUT);
    assert_output("generics", &[], issue11::GENERICS_OUT);
    assert_output("generics_modules", &[], issue11::GENERICS_MODULES_OUT);
}

/// Issue #18: the everyday library; its runtime errors name the `.ae`
/// location, `exit` sets the status, `read_stdin` reads to the end.
#[test]
fn issue18_library_runs() {
    assert_output("stdlib", &[], issue11::STDLIB_OUT);
    let cases = [
        ("slice", "slice 2..9 is out of range for a string of length 5", "131:17"),
        ("char", "`char_code` needs a string of one character, found one of length 2", "133:17"),
        ("chunks", "chunk size must be positive, found 0", "135:17"),
    ];
    for (case, message, at) in cases {
        let out = run("stdlib", &[case]);
        assert_eq!(out.status.code(), Some(101), "{case}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), format!("error: {message}\n  --> main.ae:{at}\n"), "{case}");
    }
    let out = run("stdlib", &["exit"]);
    assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()), (Some(3), "leaving\n"));
    let out = run_with_stdin_args("stdlib", &["stdin"], "one two\nthree\n\nfour");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4 lines, 4 words\n");
}

/// Issue #18: the new operators, loops and patterns run as the reference
/// says, and a shift by 64 fails at its `.ae` location.
#[test]
fn issue18_syntax_builds_and_runs() {
    assert_output("syntax_v05", &[], include_str!("../../tests/programs/syntax_v05.out"));
    let out = run("syntax_v05", &["shift"]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: shift amount 64 is out of range (0 to 63)\n  --> main.ae:80:17\n"
    );
    assert!(out.stdout.is_empty());
}

/// Issue #18: generic structs and enums across two modules
/// (`tests/programs/generic_types.ae` and `containers.ae`) print what the
/// reference says.
#[test]
fn generic_types_build_and_run() {
    assert_output("generic_types", &[], include_str!("../../tests/programs/generic_types.out"));
}

/// Issue #13: every shape of call the `--hmr` glue passes arguments in
/// (`tests/programs/call_shapes.ae`); `cargo-aether/tests/cli.rs` runs it
/// under `--hmr`.
#[test]
fn call_shapes_build_and_run() {
    assert_output("call_shapes", &[], include_str!("../../tests/programs/call_shapes.out"));
}

/// Issue #14: loops that reach no safe point run in chunks under `--hmr`
/// (`tests/programs/leaf_loops.ae`; `cargo-aether/tests/cli.rs` runs it
/// under `--hmr` and in a release build): trip counts around the chunk size,
/// ranges at the ends of `int`, a `loop` left by `exit`, and an index past
/// the end reported at its `.ae` location.
#[test]
fn leaf_loops_build_and_run() {
    assert_output("leaf_loops", &[], include_str!("../../tests/programs/leaf_loops.out"));
    assert_output("leaf_loops", &["spin"], "spun 1000\n");
    let out = run("leaf_loops", &["oob"]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: index 300 is out of range for a list of length 300\n  --> main.ae:43:14\n"
    );
}

/// Issue #18: the rest of the syntax and library (compound bitwise
/// assignment, widths and precisions from expressions, struct patterns,
/// `run_command`, `import json`) runs as the
/// reference says; a `<<=` by 64 and a negative width fail at their `.ae`
/// location.
#[test]
fn issue18_more_builds_and_runs() {
    assert_output("syntax_v05_more", &[], include_str!("../../tests/programs/syntax_v05_more.out"));
    let out = run("syntax_v05_more", &["shift"]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: shift amount 64 is out of range (0 to 63)\n  --> main.ae:226:9\n"
    );
    assert!(out.stdout.is_empty());
    let out = run("syntax_v05_more", &["width"]);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: format width or precision -1 is out of range (0 to 65535)\n  --> main.ae:230:24\n"
    );
}

/// Integer overflow in a debug build: a runtime error naming the `.ae`
/// operation, for every operator, even where rustc could see it coming.
#[test]
fn integer_overflow_is_a_located_runtime_error() {
    let cases = [
        ("add", "9223372036854775807 + 1", "6:17"),
        ("sub", "-9223372036854775808 - 1", "8:17"),
        ("mul", "9223372036854775807 * 2", "10:17"),
        ("neg", "-(-9223372036854775808)", "12:17"),
        ("div", "-9223372036854775808 / -1", "14:17"),
        ("compound", "9223372036854775807 + 1", "19:9"),
    ];
    for (case, operation, at) in cases {
        let out = run("overflow", &[case]);
        assert_eq!(out.status.code(), Some(101), "{case}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("error: integer overflow: {operation}\n  --> main.ae:{at}\n"),
            "{case}"
        );
        assert!(out.stdout.is_empty(), "{case}");
    }
    // The remainder of `MIN % -1` is 0: no overflow.
    assert_output("overflow", &["rem"], "0 1\n");
    assert_output(
        "overflow",
        &["fine"],
        "9223372036854775807 -9223372036854775808 9223372036854775807 -9223372036854775808 -9223372036854775808 0 true\n",
    );
}

//! Feeds the parser and checker random and mutated programs and asserts
//! that they never panic and always terminate: bad input gets diagnostics.

use aether_transpile::{check, project};
use proptest::prelude::*;

/// Fragments that make up plausible (and implausible) Aether code.
const VOCAB: &[&str] = &[
    "fn",
    "main",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "let",
    "var",
    "x",
    "y",
    "=",
    "==",
    "+",
    "-",
    "*",
    "/",
    "%",
    "1",
    "2.5",
    "\"s\"",
    "\"a{x}b\"",
    "\"{",
    "}\"",
    "if",
    "else",
    "match",
    "=>",
    "_",
    ",",
    ":",
    ";",
    "\n",
    ".",
    "..",
    "..=",
    "?",
    "??",
    "!",
    "|",
    "||",
    "&&",
    "->",
    "struct",
    "enum",
    "S",
    "E",
    "A",
    "B(v: int)",
    "int",
    "float",
    "str",
    "bool",
    "[int]",
    "{str: int}",
    "int?",
    "int!",
    "return",
    "while",
    "for",
    "in",
    "loop",
    "break",
    "continue",
    "mut",
    "self",
    "state",
    "const",
    "pub",
    "import",
    "math",
    "@on_reload",
    "@no_hmr",
    "test",
    "none",
    "some",
    "ok",
    "err",
    "true",
    "false",
    "/*",
    "*/",
    "//",
    "xs.push(1)",
    "print",
    "(a, b)",
    "t.0",
    "S { a: 1 }",
    "E.A",
    "$",
    "é",
    "\t",
    "other",
    "other.f()",
    "import other",
];

const SEED_PROGRAM: &str = r#"import math
import other
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
    println(m.get("a") ?? other.f())
    println(area(Shape.Circle(1.0)))
}
"#;

fn check_source(src: &str) {
    let (program, _) =
        project::load_in_memory(&[("main.ae", src), ("other.ae", "pub fn f() -> int { 1 }\n")], "main.ae");
    let _ = check::check(&program, check::Mode::Program);
}

/// The largest char boundary at or below `pos`.
fn floor_boundary(s: &str, mut pos: usize) -> usize {
    pos = pos.min(s.len());
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(words in prop::collection::vec(prop::sample::select(VOCAB), 0..80)) {
        check_source(&words.join(" "));
    }

    #[test]
    fn mutated_programs_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..4u8, prop::sample::select(VOCAB)), 1..6)
    ) {
        let mut src = SEED_PROGRAM.to_string();
        for (at, kind, word) in edits {
            let pos = floor_boundary(&src, at.index(src.len() + 1));
            match kind {
                0 => {
                    let end = floor_boundary(&src, pos + 7);
                    src.replace_range(pos..end, "");
                }
                1 => src.insert_str(pos, word),
                2 => {
                    let end = floor_boundary(&src, pos + 30);
                    let chunk = src[pos..end].to_string();
                    src.insert_str(pos, &chunk);
                }
                _ => src.truncate(pos),
            }
        }
        check_source(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        check_source(&src);
    }
}

#[test]
fn the_seed_program_loads_cleanly() {
    let (program, diags) =
        project::load_in_memory(&[("main.ae", SEED_PROGRAM), ("other.ae", "pub fn f() -> int { 1 }\n")], "main.ae");
    assert!(diags.is_empty(), "{diags:?}");
    let result = check::check(&program, check::Mode::Program);
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
}

#[test]
fn deep_nesting_is_safe_on_a_small_stack() {
    // A reloader or an editor plugin may run the front end on a worker
    // thread; the stack must not be the limit.
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let n = 10_000;
            let sources = [
                format!("fn main() {{ let x = {}1{} }}\n", "(".repeat(n), ")".repeat(n)),
                format!("fn main() {{ let x = {}1 }}\n", "-".repeat(n)),
                format!("fn main() {{ let x: {}int{} = 1 }}\n", "[".repeat(n), "]".repeat(n)),
                format!("fn main() {}{}\n", "{ if true ".repeat(n), "}".repeat(n + 1)),
                format!("fn main() {{ let x = 1 }}\nfn f() -> int {{ {}1 }}\n", "0 + ".repeat(n)),
                format!("fn main() {{ let x = 1 }}\nfn f(o: int?) -> int {{ {}1 }}\n", "o ?? ".repeat(n)),
                format!("fn main() {{ let x = 1 }}\nfn f(s: str) -> str {{ s{} }}\n", ".trim()".repeat(n)),
            ];
            sources
                .iter()
                .map(|src| {
                    let (program, mut diags) = project::load_in_memory(&[("main.ae", src)], "main.ae");
                    diags.extend(check::check(&program, check::Mode::Program).diagnostics);
                    diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .expect("spawn");
    let codes = handle.join().expect("the front end overflowed a 512 KiB stack");
    for c in &codes[..4] {
        assert!(c.contains(&"E0008"), "{codes:?}");
    }
    // Long flat chains are not nesting: they must check cleanly.
    for c in &codes[4..] {
        assert!(c.iter().all(|c| c.starts_with('W')), "{codes:?}");
    }
}

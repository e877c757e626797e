//! Feeds the parser and checker random and mutated programs and asserts
//! that they never panic and always terminate: bad input gets diagnostics.

mod support;

use aether_transpile::check::Mode;
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

/// The checker's smoke program, also calling into a second module.
fn seed_program() -> String {
    support::SMOKE.replacen("import math\n", "import math\nimport other\n", 1).replacen("?? 3", "?? other.f()", 1)
}

fn check_source(src: &str) {
    let _ = support::analyze(&[("main.ae", src), ("other.ae", "pub fn f() -> int { 1 }\n")], Mode::Program);
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
        let mut src = seed_program();
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
    let seed = seed_program();
    let analysis = support::analyze(&[("main.ae", &seed), ("other.ae", "pub fn f() -> int { 1 }\n")], Mode::Program);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
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
                    let analysis = support::analyze(&[("main.ae", src)], Mode::Program);
                    analysis.diagnostics.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
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

//! Programs real users wrote that the checker accepted and the generator or
//! rustc then got wrong (issue #11): each must build and print what the
//! reference says.

/// Closure-taking list methods on an indexed receiver, `for mut` over
/// indexed places, parenthesised struct literals in `if`/`while`/`for`
/// heads, string literals in nested `|` patterns, nested patterns through a
/// recursive optional field, and an int builtin as a function value.
pub const PLACES_AND_PATTERNS: &str = include_str!("../../../tests/programs/places_and_patterns.ae");

pub const PLACES_AND_PATTERNS_OUT: &str = include_str!("../../../tests/programs/places_and_patterns.out");

/// Locals, parameters, functions and fields named like every helper the
/// generator uses: they must not capture or shadow the generated names.
pub const HYGIENE: &str = include_str!("../../../tests/programs/hygiene.ae");

/// Programs the program generator (`test-support/src/progen*`) found
/// that rustc rejected, reduced by hand.
pub const GENERATED: &str = include_str!("../../../tests/programs/generated.ae");

pub const GENERATED_OUT: &str = include_str!("../../../tests/programs/generated.out");

pub const HYGIENE_OUT: &str = include_str!("../../../tests/programs/hygiene.out");

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
pub const OVERFLOW: &str = include_str!("../../../tests/programs/overflow.ae");

/// Generic functions (issue #18): instances with scalars, strings, lists,
/// optionals, results, closures and `mut` parameters.
pub const GENERICS: &str = include_str!("../../../tests/programs/generics.ae");
pub const GENERICS_OUT: &str = include_str!("../../../tests/programs/generics.out");

/// Issue #18: the list, map and string methods, the number constants and
/// the script prelude (`env`, `exit`, `read_stdin`, `list_dir`, `format_time`).
pub const STDLIB: &str = include_str!("../../../tests/programs/stdlib.ae");

pub const STDLIB_OUT: &str = include_str!("../../../tests/programs/stdlib.out");

/// Two modules' types of the same name are two instances of a generic
/// function (issue #18).
pub const GENERICS_MAIN: &str = "import a\nimport b\n\nfn first<T>(xs: [T]) -> T? {\n    if xs.len() == 0 {\n        return none\n    }\n    xs[0]\n}\n\nfn main() {\n    println(first([a.Point { x: 1 }]))\n    println(first([b.Point { y: 2.5 }]))\n}\n";
pub const GENERICS_A: &str = "pub struct Point {\n    x: int\n}\n";
pub const GENERICS_B: &str = "pub struct Point {\n    y: float\n}\n";
pub const GENERICS_MODULES_OUT: &str = "some(Point { x: 1 })\nsome(Point { y: 2.5 })\n";

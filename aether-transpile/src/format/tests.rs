//! The formatter's layout, one case per construct: `check(input, expect)`
//! formats `input` and compares with `expect`, then formats `expect` and
//! checks nothing changes (idempotence).

use super::{format_source, FormatError};
use crate::source::FileId;

fn check(input: &str, expect: &str) {
    let out = format_source(FileId(0), input).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(out, expect, "\n--- got ---\n{out}\n--- expected ---\n{expect}");
    let again = format_source(FileId(0), &out).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(again, out, "not idempotent");
}

#[test]
fn items_and_blank_lines() {
    check(
        "import  a.b\n\n\n\nconst X:int=1\nconst Y = 2\n\npub fn f( a:int ,b : str)->int{ let x=a+1;x }\n",
        "import a.b\n\nconst X: int = 1\nconst Y = 2\n\npub fn f(a: int, b: str) -> int {\n    let x = a + 1\n    x\n}\n",
    );
}

#[test]
fn comments_are_kept() {
    check(
        "// head\n\n/// doc\nfn f() { // after brace\n    g() // trailing\n\n    // own line\n    h()\n    // dangling\n}\n",
        "// head\n\n/// doc\nfn f() {\n    // after brace\n    g() // trailing\n\n    // own line\n    h()\n    // dangling\n}\n",
    );
}

#[test]
fn parentheses_the_author_wrote_stay() {
    check("fn f() -> int {\n(1 + 2) * (3) }\n", "fn f() -> int {\n    (1 + 2) * (3)\n}\n");
    check("fn f() -> int { (1+2) * (3) }\n", "fn f() -> int { (1 + 2) * (3) }\n");
}

#[test]
fn long_calls_break_one_argument_per_line() {
    let long = "a".repeat(40);
    check(
        &format!("fn f() {{ g({long}, {long}, {long}) }}\n"),
        &format!("fn f() {{\n    g(\n        {long},\n        {long},\n        {long},\n    )\n}}\n"),
    );
}

#[test]
fn short_ifs_and_structs_stay_on_one_line() {
    check(
        "struct P { x: int, y: int }\nfn f(a: int) -> int { if a < 0 { -a } else { a } }\n",
        "struct P { x: int, y: int }\nfn f(a: int) -> int {\n    if a < 0 { -a } else { a }\n}\n",
    );
}

#[test]
fn match_arms_and_bare_statements() {
    check(
        "fn f(x: int?) -> int {\n  match x {\n    some(v) if v > 0 => v,\n    none => return 0\n    _ => { 1 }\n  }\n}\n",
        "fn f(x: int?) -> int {\n    match x {\n        some(v) if v > 0 => v\n        none => return 0\n        _ => { 1 }\n    }\n}\n",
    );
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    let Err(FormatError::Syntax(diags)) = format_source(FileId(0), "fn f( {\n") else {
        panic!("formatted broken input")
    };
    assert!(!diags.is_empty());
}

#[test]
fn comments_inside_expressions_stay_near_where_they_were() {
    check(
        "fn f() {\n    let x = foo(\n        1, // one\n        // two\n        2\n    )\n    let z = a + // plus\n        b\n    y = // why\n        3\n}\n",
        "fn f() {\n    let x = foo(\n        1, // one\n        // two\n        2,\n    )\n    let z = a + // plus\n        b\n    y = // why\n        3\n}\n",
    );
}

#[test]
fn a_shebang_line_and_an_empty_file() {
    check("#!/usr/bin/env aether\nfn main() {   }\n", "#!/usr/bin/env aether\nfn main() {}\n");
    check("", "");
    check("// only a comment\n", "// only a comment\n");
}

#[test]
fn method_chains_break_before_each_call() {
    let arg = "a".repeat(30);
    check(
        &format!("fn f() {{ xs.filter(|x| x > {arg}).map(|x| x * {arg}).sum() }}\n"),
        &format!(
            "fn f() {{\n    xs\n        .filter(|x| x > {arg})\n        .map(|x| x * {arg})\n        .sum()\n}}\n"
        ),
    );
}

#[test]
fn a_comment_after_a_statement_stays_after_it() {
    check(
        "fn f() {\n    grow(mut list)   // the caller sees it\n    let (a, b) = (3, 4) // pair\n    let s = str([1, 2]) + str(f) // sum\n}\n",
        "fn f() {\n    grow(mut list) // the caller sees it\n    let (a, b) = (3, 4) // pair\n    let s = str([1, 2]) + str(f) // sum\n}\n",
    );
}

#[test]
fn a_scripts_frontmatter_is_kept_as_written() {
    check(
        "#!/usr/bin/env aether\n---cargo\n[dependencies]\nurl = { git = \"https://x.org/u\" } // not Aether\n---\nfn main(){ }\n",
        "#!/usr/bin/env aether\n---cargo\n[dependencies]\nurl = { git = \"https://x.org/u\" } // not Aether\n---\nfn main() {}\n",
    );
}

/// Formats `input` at `width` twice: the second pass changes nothing.
fn idempotent_at(input: &str, width: usize) -> String {
    let options = super::FormatOptions { width };
    let once = super::format_with(FileId(0), input, &options).unwrap_or_else(|e| panic!("{e:?}"));
    let twice = super::format_with(FileId(0), &once, &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(twice, once, "not idempotent at width {width}:\n--- once ---\n{once}\n--- twice ---\n{twice}");
    once
}

#[test]
fn a_parenthesised_match_in_an_if_let_head_is_idempotent_when_narrow() {
    let src = "fn f(n: int) -> int {\n    if let some(v) = (match n { 0 => (some(1)), 1 => (some(2)), _ => none }) { v } else { 0 }\n}\n";
    for width in [20, 30, 40, 50, 60, 100] {
        idempotent_at(src, width);
    }
}

/// Found by the `format` fuzz target (its crash-450fbd89 input, shrunk):
/// `1. 2`, a tuple index of an integer, was printed as the float `1.2`.
#[test]
fn a_tuple_index_of_an_integer_does_not_become_a_float() {
    check("fn main() {\n    println(add(1. 2))\n}\n", "fn main() {\n    println(add((1).2))\n}\n");
}

#[test]
fn generic_functions() {
    check(
        "fn first< T >( xs:[T] )->T?{ xs.pop() }\nfn pair<A,B>(a:A,b:B)->(A,B){(a,b)}\n",
        "fn first<T>(xs: [T]) -> T? { xs.pop() }\nfn pair<A, B>(a: A, b: B) -> (A, B) { (a, b) }\n",
    );
}

/// Issue #18: struct patterns laid out as struct literals are (shorthand
/// kept, `..` last and never followed by a comma, comments kept), format
/// arguments and compound bitwise assignment printed as written.
#[test]
fn struct_patterns_and_issue18_syntax() {
    check(
        "fn f() {\n    let P{x,y:py,..}=p\n    m <<= 2\n    m&=3\n    println(\"{x:>{w}.{p}}\")\n}\n",
        "fn f() {\n    let P { x, y: py, .. } = p\n    m <<= 2\n    m &= 3\n    println(\"{x:>{w}.{p}}\")\n}\n",
    );
    let long = "b".repeat(60);
    check(
        &format!("fn f() {{\n    let P {{ x, // the x\n        y: {long}, .. }} = p\n}}\n"),
        &format!("fn f() {{\n    let P {{\n        x, // the x\n        y: {long},\n        ..\n    }} = p\n}}\n"),
    );
}

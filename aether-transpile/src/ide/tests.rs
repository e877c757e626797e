//! Editor queries on small programs: `$0` marks the cursor in the file that
//! holds it; each test states what the query must answer.

use super::*;
use crate::check::Mode;
use crate::driver::analyze_loaded;
use crate::project::load_in_memory;

const GAME: &str = "\
/// A ball in flight.
pub struct Ball {
    /// Height above the floor.
    y: float,
    vy: float,
}

pub enum Shape {
    Circle(r: float),
    Empty,
}

/// Let `b` fall for `dt` seconds.
pub fn fall(b: Ball, dt: float) -> Ball {
    Ball { y: b.y + b.vy * dt, vy: b.vy - 9.8 * dt }
}

pub fn Ball.height(self) -> float {
    self.y
}

pub const GRAVITY: float = 9.8
";

/// The program `files` (one of them holding `$0`), analyzed, and the cursor.
fn setup(files: &[(&str, &str)]) -> (Ide, FileId, usize, Vec<(String, String)>) {
    let mut cursor = None;
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| {
            if let Some(at) = text.find("$0") {
                cursor = Some((name.to_string(), at));
            }
            (name.to_string(), text.replace("$0", ""))
        })
        .collect();
    let ide = analyze(&owned);
    let (name, offset) = cursor.expect("a $0 cursor");
    let file = ide.file_of(std::path::Path::new(&name)).expect("the cursor's file is loaded");
    (ide, file, offset, owned)
}

fn analyze(files: &[(String, String)]) -> Ide {
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    Ide::new(analyze_loaded(load_in_memory(&refs, "main.ae"), Mode::Program))
}

/// `file:line:col` of a span's start, and the text it covers.
fn at(ide: &Ide, span: Span) -> String {
    let f = ide.analysis().program.sources.get(span.file);
    let (l, c) = f.line_col(span.start as usize);
    format!("{}:{l}:{c} {}", f.name, &f.text[span.range()])
}

fn check_hover(files: &[(&str, &str)], expect: &str) {
    let (ide, file, offset, _) = setup(files);
    let got = ide.hover(file, offset).map(|h| h.markdown).unwrap_or_default();
    assert_eq!(got, expect);
}

fn check_definition(files: &[(&str, &str)], expect: &str) {
    let (ide, file, offset, _) = setup(files);
    let got = ide.definition(file, offset).map(|s| at(&ide, s)).unwrap_or_default();
    assert_eq!(got, expect);
}

fn check_completions(files: &[(&str, &str)], expect: &[&str]) {
    let (ide, file, offset, owned) = setup(files);
    let name = ide.analysis().program.sources.get(file).name.clone();
    let retyped = |text: String| {
        let files: Vec<(String, String)> =
            owned.iter().map(|(n, t)| (n.clone(), if *n == name { text.clone() } else { t.clone() })).collect();
        Some(analyze(&files))
    };
    let got: Vec<String> = ide.completions(file, offset, &retyped).into_iter().map(|c| c.label).collect();
    for want in expect {
        assert!(got.iter().any(|g| g == want), "`{want}` missing from {got:?}");
    }
}

#[test]
fn hover_shows_signatures_types_and_docs() {
    check_hover(
        &[
            ("main.ae", "import game\nfn main() {\n    let b = game.fa$0ll(game.Ball { y: 1.0, vy: 0.0 }, 0.1)\n}\n"),
            ("game.ae", GAME),
        ],
        "```aether\nfn fall(b: Ball, dt: float) -> Ball\n```\n\nLet `b` fall for `dt` seconds.",
    );
    check_hover(
        &[
            (
                "main.ae",
                "import game\nfn main() {\n    let b = game.Ball { y: 1.0, vy: 0.0 }\n    println(\"{b.$0y}\")\n}\n",
            ),
            ("game.ae", GAME),
        ],
        "```aether\nBall.y: float\n```\n\nHeight above the floor.",
    );
    check_hover(
        &[("main.ae", "fn main() {\n    var count = [1, 2]\n    count$0.push(3)\n}\n")],
        "```aether\nvar count: [int]\n```",
    );
    check_hover(
        &[("main.ae", "import game\nfn main() {\n    let b = game.Ba$0ll { y: 1.0, vy: 0.0 }\n}\n"), ("game.ae", GAME)],
        "```aether\nstruct Ball {\n    y: float\n    vy: float\n}\n```\n\nA ball in flight.",
    );
    // A generic function: its type parameters; a use's result type is the
    // instance's.
    check_hover(
        &[("main.ae", "fn first<T>(xs: [T]) -> T? { xs.pop() }\nfn main() {\n    println(\"{fir$0st([1])}\")\n}\n")],
        "```aether\nfn first<T>(xs: [T]) -> T?\n```\n\nhere: `fn([int]) -> int?`",
    );
    check_hover(
        &[("main.ae", "fn first<T>(xs: [T]) -> T? { xs.pop() }\nfn main() {\n    let x = first([\"a\"])$0\n    println(\"{x}\")\n}\n")],
        "```aether\nstr?\n```",
    );
    check_hover(
        &[("main.ae", "fn big<T>(a: T, b: T) -> T {\n    if a > b { a } else { b }\n}\nfn main() {\n    println(b$0ig(1, 2))\n}\n")],
        "```aether\nfn big<T>(a: T, b: T) -> T\n```\n\nneeds `T`: comparable\n\nhere: `fn(int, int) -> int`",
    );
    // Not a name: the type of the expression under the cursor.
    check_hover(
        &[("main.ae", "fn main() {\n    let x = (1 +$0 2) * 3\n    println(\"{x}\")\n}\n")],
        "```aether\nint\n```",
    );
    check_hover(
        &[
            (
                "main.ae",
                "import game\nfn main() {\n    let b = game.Ball { y: 1.0, vy: 0.0 }\n    let h = b.hei$0ght()\n}\n",
            ),
            ("game.ae", GAME),
        ],
        "```aether\nfn Ball.height(self) -> float\n```",
    );
}

#[test]
fn definition_crosses_modules() {
    let main = "import game\nfn main() {\n    let b = game.fall(game.Ball { y: 1.0, vy: 0.0 }, game.GRAV$0ITY)\n}\n";
    check_definition(&[("main.ae", main), ("game.ae", GAME)], "game.ae:22:11 GRAVITY");
    let main = "import game\nfn main() {\n    let b = game.Ball { y$0: 1.0, vy: 0.0 }\n}\n";
    check_definition(&[("main.ae", main), ("game.ae", GAME)], "game.ae:4:5 y");
    let main = "import game\nfn main() {\n    match game.Shape.Empty {\n        game.Shape.Cir$0cle(r) => println(\"{r}\")\n        _ => {}\n    }\n}\n";
    check_definition(&[("main.ae", main), ("game.ae", GAME)], "game.ae:9:5 Circle");
    let main = "fn main() {\n    let total = 1\n    println(\"{tot$0al}\")\n}\n";
    check_definition(&[("main.ae", main)], "main.ae:2:9 total");
    let main = "import ga$0me\nfn main() {\n    game.fall(game.Ball { y: 1.0, vy: 0.0 }, 1.0)\n}\n";
    check_definition(&[("main.ae", main), ("game.ae", GAME)], "game.ae:1:1 ");
    // A type written in a signature.
    check_definition(
        &[("main.ae", "fn main() {}\n"), ("game.ae", &GAME.replace("b: Ball,", "b: Ba$0ll,"))],
        "game.ae:2:12 Ball",
    );
}

#[test]
fn references_and_rename_cross_modules() {
    let main = "import game\nfn main() {\n    let b = game.fall(game.Ball { y: 1.0, vy: 0.0 }, 0.5)\n    println(\"{b.y}\")\n}\n";
    let (ide, file, _, _) = setup(&[("main.ae", main), ("game.ae", &GAME.replace("    y: float", "    $0y: float"))]);
    let refs: Vec<String> =
        ide.references(file, ide_offset(&ide, file, "y: float"), true).iter().map(|s| at(&ide, *s)).collect();
    assert_eq!(
        refs,
        ["main.ae:3:35 y", "main.ae:4:17 y", "game.ae:4:5 y", "game.ae:15:12 y", "game.ae:15:17 y", "game.ae:19:10 y"]
    );
    let edits = ide.rename(file, ide_offset(&ide, file, "y: float"), "height").unwrap();
    assert_eq!(edits.len(), 6);
    assert!(edits.iter().all(|e| e.text == "height"));
    assert!(ide.rename(file, ide_offset(&ide, file, "y: float"), "fn").is_err());
    // A shorthand field keeps meaning what it meant.
    let (ide, file, offset, _) = setup(&[(
        "main.ae",
        "struct P {\n    x: int,\n}\nfn main() {\n    let x$0 = 1\n    let p = P { x }\n    println(\"{p.x}\")\n}\n",
    )]);
    let texts: Vec<String> = ide.rename(file, offset, "k").unwrap().into_iter().map(|e| e.text).collect();
    assert_eq!(texts, ["k", "x: k"]);
}

fn ide_offset(ide: &Ide, file: FileId, needle: &str) -> usize {
    ide.text(file).find(needle).unwrap()
}

#[test]
fn completion_after_module_value_and_in_scope() {
    let main = "import game\nfn main() {\n    let b = game.$0\n}\n";
    check_completions(&[("main.ae", main), ("game.ae", GAME)], &["Ball", "fall", "GRAVITY", "Shape"]);
    let main = "import game\nfn main() {\n    let b = game.Ball { y: 1.0, vy: 0.0 }\n    let h = b.$0\n}\n";
    check_completions(&[("main.ae", main), ("game.ae", GAME)], &["y", "vy", "height"]);
    let main = "import game\nfn main() {\n    let b = game.Ball { y: 1.0, vy: 0.0 }\n    let h = b.v$0\n}\n";
    check_completions(&[("main.ae", main), ("game.ae", GAME)], &["vy"]);
    let main = "fn main() {\n    let words = \"a b\"\n    let n = words.$0\n}\n";
    check_completions(&[("main.ae", main)], &["split", "len"]);
    let main = "import game\nfn main() {\n    let s = game.Shape.$0\n}\n";
    check_completions(&[("main.ae", main), ("game.ae", GAME)], &["Circle", "Empty"]);
    let main = "fn helper() -> int { 1 }\nfn main() {\n    let total = 1\n    let t = $0\n}\n";
    check_completions(&[("main.ae", main)], &["total", "helper", "println", "match"]);
}

/// Issue #18: `run_command` and its built-in `CommandOutput` complete and
/// hover (the type has no file, so no doc comment is borrowed from one);
/// a struct pattern's field names and a format spec's `{width}` are names.
#[test]
fn issue18_builtins_struct_patterns_and_format_arguments() {
    let main = "fn main() {\n    let o: Comm$0\n}\n";
    check_completions(&[("main.ae", main)], &["CommandOutput"]);
    let main = "fn main() {\n    let o = run$0\n}\n";
    check_completions(&[("main.ae", main)], &["run_command"]);
    let main = "// not the doc of CommandOutput\nfn main() {\n    let o: Command$0Output? = none\n}\n";
    check_hover(
        &[("main.ae", main)],
        "```aether\nstruct CommandOutput {\n    status: int\n    stdout: str\n    stderr: str\n}\n```",
    );
    let main = "fn main() {\n    if let ok(o) = run_command(\"true\", []) {\n        println(o.std$0out)\n    }\n}\n";
    check_hover(&[("main.ae", main)], "```aether\nCommandOutput.stdout: str\n```");
    let main = "/// A point.\nstruct P { x: int, y: int }\nfn main() {\n    let P { x: a$0x, .. } = P { x: 1, y: 2 }\n    println(ax)\n}\n";
    check_hover(&[("main.ae", main)], "```aether\nlet ax: int\n```");
    let main =
        "struct P { x: int, y: int }\nfn main() {\n    let P { y$0: b, .. } = P { x: 1, y: 2 }\n    println(b)\n}\n";
    check_definition(&[("main.ae", main)], "main.ae:1:20 y");
    let main = "import json\nfn main() {\n    let j = json.$0\n}\n";
    check_completions(&[("main.ae", main)], &["parse", "stringify", "Json"]);
    let main = "import json\nfn main() {\n    let j = json.Json.$0\n}\n";
    check_completions(&[("main.ae", main)], &["Null", "Number", "Object"]);
    let main = "import json\nfn main() {\n    let j = json.pa$0rse(\"1\")\n}\n";
    check_hover(&[("main.ae", main)], &format!("```aether\njson.parse // json\n```\n\n{JSON_PARSE}"));
    let main = "fn main() {\n    let width = 5\n    println(\"{1:>{wid$0th}}\")\n}\n";
    check_definition(&[("main.ae", main)], "main.ae:2:9 width");
}

/// Issue #18: generic structs and enums hover with their parameters, and
/// values of them with their type arguments.
#[test]
fn hover_shows_type_parameters_and_arguments() {
    let types = "struct Pair<A, B> { first: A, second: B }\nenum Opt<T> { Nothing, Just(value: T) }\n";
    let main = format!("{types}fn main() {{\n    let p$0 = Pair {{ first: 1, second: \"a\" }}\n    println(p)\n}}\n");
    check_hover(&[("main.ae", &main)], "```aether\nlet p: Pair<int, str>\n```");
    let main = format!("{types}fn main() {{\n    let o: O$0pt<[str]> = Opt.Nothing\n    println(o)\n}}\n");
    check_hover(&[("main.ae", &main)], "```aether\nenum Opt<T> {\n    Nothing\n    Just(value: T)\n}\n```");
    let main =
        format!("{types}fn main() {{\n    let p = Pair {{ first: 1, second: [2.5] }}\n    println(p.sec$0ond)\n}}\n");
    check_hover(&[("main.ae", &main)], "```aether\nPair.second: B\n```");
    let main = format!("{types}fn main() {{\n    let p = Pair {{ first: 1, second: [2.5] }}\n    let q = p.$0\n}}\n");
    check_completions(&[("main.ae", &main)], &["first", "second"]);
    let main = format!(
        "{types}fn Pair.swap(self) -> Pair<B, A> {{ Pair {{ first: self.second, second: self.first }} }}\n\
         fn main() {{\n    let p = Pair {{ first: 1, second: 2.5 }}\n    println(p.sw$0ap())\n}}\n"
    );
    check_hover(&[("main.ae", &main)], "```aether\nfn Pair.swap(self) -> Pair<B, A>\n```");
}

#[test]
fn signature_help_names_the_active_parameter() {
    let main = "import game\nfn main() {\n    let b = game.fall(game.Ball { y: 1.0, vy: 0.0 }, $0\n}\n";
    let (ide, file, offset, _) = setup(&[("main.ae", main), ("game.ae", GAME)]);
    let help = ide.signature_help(file, offset).expect("signature help");
    assert_eq!(help.label, "fall(b: Ball, dt: float) -> Ball");
    assert_eq!(help.active, 1);
    assert_eq!(&help.label[help.params[1].0..help.params[1].1], "dt: float");
    assert_eq!(help.doc.as_deref(), Some("Let `b` fall for `dt` seconds."));
}

#[test]
fn symbols_outline_and_search() {
    let (ide, _, _, _) = setup(&[("main.ae", "import game\nfn main() {$0}\n"), ("game.ae", GAME)]);
    let game = ide.file_of(std::path::Path::new("game.ae")).unwrap();
    let names: Vec<String> = ide.document_symbols(game).into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Ball", "Shape", "fall", "Ball.height", "GRAVITY"]);
    let found: Vec<String> = ide.workspace_symbols("circ").into_iter().map(|s| s.name).collect();
    assert_eq!(found, ["Shape.Circle"]);
}

/// Every query at every offset of mangled programs: none may panic.
#[test]
fn queries_never_panic_on_broken_input() {
    use proptest::prelude::*;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 24, ..ProptestConfig::default() });
    let base = format!("{GAME}\nfn main() {{\n    let b = fall(Ball {{ y: 1.0, vy: 0.0 }}, 0.5)\n    println(\"{{b.y}} {{b.height()}}\")\n}}\n");
    let strategy = (0..base.len(), 0usize..12, "[a-z(){}.,:\"\n |=]{0,6}");
    runner
        .run(&strategy, |(at, cut, insert)| {
            let mut at = at.min(base.len());
            while !base.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + cut).min(base.len());
            while !base.is_char_boundary(end) {
                end -= 1;
            }
            let text = format!("{}{}{}", &base[..at], insert, &base[end..]);
            let files = vec![("main.ae".to_string(), text.clone())];
            let ide = analyze(&files);
            let file = ide.file_of(std::path::Path::new("main.ae")).unwrap();
            let retyped = |t: String| Some(analyze(&[("main.ae".to_string(), t)]));
            for offset in 0..=text.len() + 1 {
                let _ = ide.hover(file, offset);
                let _ = ide.definition(file, offset);
                let _ = ide.references(file, offset, true);
                let _ = ide.rename(file, offset, "renamed");
                let _ = ide.signature_help(file, offset);
                if offset % 7 == 0 {
                    let _ = ide.completions(file, offset, &retyped);
                }
            }
            let _ = ide.document_symbols(file);
            let _ = ide.workspace_symbols("a");
            Ok(())
        })
        .unwrap();
}

/// A built-in function or method hovers with its type at the use and its
/// row of the language reference (docs/language.md), the one place it is
/// described; a method's row is the one for its receiver's type.
#[test]
fn builtins_hover_with_their_reference_row() {
    check_hover(
        &[("main.ae", "fn main() {\n    printl$0n(\"hi\")\n}\n")],
        "```aether\nprintln // prelude\n```\n\n`print(v)`, `println(v)`, `println()`: write `str(v)` (and a newline) to stdout",
    );
    check_hover(
        &[("main.ae", "fn main() {\n    var xs = [1]\n    xs.pu$0sh(2)\n}\n")],
        "```aether\nlist.push // method\n```\n\n`xs.push(x)`: `()` (Mutates: yes)",
    );
    check_hover(
        &[("main.ae", "fn main() {\n    let s = \"abc\"\n    println(s.l$0en())\n}\n")],
        "```aether\nstr.len // method\n```\n\n`s.len()`: `int`, number of characters",
    );
    check_hover(
        &[("main.ae", "fn main() {\n    let m = {\"a\": 1}\n    println(m.le$0n())\n}\n")],
        "```aether\nmap.len // method\n```\n\n`m.len()`: `int`",
    );
    check_hover(
        &[("main.ae", "import json\nfn main() {\n    let j = json.pa$0rse(\"1\")\n}\n")],
        &format!("```aether\njson.parse // json\n```\n\n{JSON_PARSE}"),
    );
    check_hover(
        &[("main.ae", "import math\nfn main() {\n    println(math.sq$0rt(2.0))\n}\n")],
        "```aether\nmath.sqrt // math\n```\n\n`math.sqrt sin cos tan atan2 abs floor ceil round min max pow exp ln` and the constants `math.PI`, `math.E`. `abs`, `min` and `max` take ints or floats (both arguments the same type) and return that type; the rest take and return `float` (`floor`, `ceil`, `round` return `float`: convert with `int(...)`).",
    );
}

const JSON_PARSE: &str = "`json.parse(text: str) -> json.Json!`: one JSON value; anything else (a syntax error, trailing text, nesting deeper than 128) is an error naming the line and column, never a crash. Numbers become `float`s; an object keeps its keys in the order written.";

/// Every built-in function and method has its entry in the reference that
/// hovers quote: a new built-in documented nowhere fails here.
#[test]
fn every_builtin_is_described_in_the_reference() {
    use super::reference::{method, module_fn, prelude_fn, Receiver};
    use crate::check::{builtin_names, BuiltinKind};
    let mut missing = Vec::new();
    for name in builtin_names(BuiltinKind::Prelude) {
        if prelude_fn(name).is_none() {
            missing.push(name.to_string());
        }
    }
    for (kind, receiver) in [
        (BuiltinKind::StrMethods, Receiver::Str),
        (BuiltinKind::ListMethods, Receiver::List),
        (BuiltinKind::MapMethods, Receiver::Map),
    ] {
        for name in builtin_names(kind) {
            if method(receiver, name).is_none() {
                missing.push(format!("{receiver:?}.{name}"));
            }
        }
    }
    for name in ["json.parse", "json.stringify"] {
        if module_fn(name).is_none_or(|t| !t.starts_with(&format!("`{name}("))) {
            missing.push(name.to_string());
        }
    }
    assert!(missing.is_empty(), "not in docs/language.md's tables: {missing:?}");
}

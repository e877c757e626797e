//! Checker snapshot tests for `extern fn`: accepted in a program compiled
//! into a Rust host crate (`Mode::Library`), bound to a crate's function
//! (or refused, E0107, for a `crate::` path) in one built on its own (`Mode::Module`: a module needing no `main`), and typed like
//! any other function.

mod support;

use aether_transpile::check::Mode;

/// Check `src` as module `logic.ae`, with a host (`library`) or without,
/// and render the source and every diagnostic.
fn render(src: &str, library: bool) -> String {
    // Neither needs `main`.
    let analysis = support::analyze(&[("logic.ae", src)], if library { Mode::Library } else { Mode::Module });
    let header = format!("--- logic.ae ({})\n{src}", if library { "library" } else { "cargo aether" });
    header + &support::rendered_diagnostics(&analysis)
}

const GOOD: &str = r#"pub struct Player { name: str, hp: int }
pub enum Hit { Miss, Damage(amount: int) }
extern fn log(line: str) = "crate::host::log"
extern fn roll(sides: int) -> int = "crate::host::roll"
extern fn heal(mut p: Player, by: int) -> bool = "crate::host::heal"
pub extern fn scores() -> [int]? = "crate::host::scores"
state hits: int = 0

pub fn attack(mut p: Player) -> Hit {
    hits += 1
    let r = roll(6)
    log("{p.name} rolled {r}")
    if r > 3 {
        let _ = heal(mut p, 1)
        Hit.Damage(r)
    } else {
        Hit.Miss
    }
}
"#;

#[test]
fn extern_fns_check_in_a_host_crate() {
    let out = render(GOOD, true);
    assert!(out.contains("no diagnostics"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn extern_fns_are_refused_without_a_host_crate() {
    insta::assert_snapshot!(render(GOOD, false));
}

/// A program built on its own binds its crates' functions: a path that
/// starts with a crate's name is accepted (which crates it has, the driver
/// checks: E0108); `crate::` is not.
#[test]
fn extern_fns_bind_crates_without_a_host_crate() {
    let out = render(
        "extern fn jaro(a: str, b: str) -> float = \"strsim::jaro\"\npub fn f() -> float {\n    jaro(\"a\", \"b\")\n}\n",
        false,
    );
    assert!(out.contains("no diagnostics"), "{out}");
}

#[test]
fn extern_fn_calls_are_typed() {
    insta::assert_snapshot!(render(
        r#"extern fn roll(sides: int) -> int = "crate::host::roll"
extern fn heal(mut hp: int) = "crate::host::heal"
pub fn f() -> str {
    var hp = 3
    heal(hp)
    roll("six")
}
"#,
        true
    ));
}

#[test]
fn extern_fns_cannot_carry_function_values() {
    insta::assert_snapshot!(render(
        r#"struct Handler { run: fn(int) -> int }
extern fn each(f: fn(int)) = "crate::host::each"
extern fn make() -> Handler = "crate::host::make"
extern fn many(hs: [Handler?]) = "crate::host::many"
extern fn twice(x: int, x: int) = "crate::host::twice"
extern fn unknown(x: Nope) = "crate::host::unknown"
"#,
        true
    ));
}

/// The Aether snippets of docs/rust-interop.md are modules of a host crate:
/// each checks cleanly there.
#[test]
fn rust_interop_snippets_check_in_a_host_crate() {
    let path = support::repo().join("docs/rust-interop.md");
    let md = std::fs::read_to_string(&path).expect("docs/rust-interop.md");
    let blocks = support::aether_blocks(&md);
    assert!(blocks.len() >= 3, "expected the guide's snippets, found {}", blocks.len());
    for block in &blocks {
        let out = render(block, true);
        assert!(out.contains("no diagnostics"), "{out}");
    }
}

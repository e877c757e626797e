//! The bindings a Rust host crate compiles under `--hmr` (issue 12,
//! finding 6): they hold what Rust code names (types, constants, `pub fn`
//! signatures, `extern fn`s), never the layout of a module's `state`, so
//! adding or retyping a private `state` leaves them as they were and the CLI
//! applies the change live instead of asking for a restart. Nor do they
//! hold a module's private functions: adding one before the `pub` ones, or
//! changing its signature, is applied live too (the host imports slot by
//! slot, matched by fingerprint, not by position).

mod support;

use aether_transpile::check::Mode;
use aether_transpile::codegen::hmr::{generate_library, HmrOptions};
use std::path::PathBuf;

fn bindings(game: &str) -> String {
    let fmt = "pub fn show(word: str, n: int) -> str {\n    \"{word} {n}\"\n}\n";
    let (program, checked) = support::checked(&[("fmt.ae", fmt), ("game.ae", game)], Mode::Library);
    let options = HmrOptions {
        program: "host_1234".into(),
        rt_path: PathBuf::from("/rt"),
        lib_dir: PathBuf::from("/target/debug"),
        exclude: Vec::new(),
    };
    match generate_library(&program, &checked, &options) {
        Ok((_, bindings)) => bindings,
        Err(e) => panic!("generate_library failed: {e:?}"),
    }
}

const GAME: &str = "import fmt\n\nstate frames: int = 0\nstate mood: str = \"calm\"\n\nextern fn host_note(n: int) -> int = \"crate::note\"\n\n\
                    pub fn line() -> str {\n    frames += 1\n    fmt.show(\"tick\", frames + host_note(1))\n}\n";

#[test]
fn a_private_state_added_or_retyped_leaves_the_bindings_as_they_were() {
    let before = bindings(GAME);
    let added = bindings(&GAME.replace("state frames: int = 0\n", "state frames: int = 0\nstate combo: int = 7\n"));
    assert_eq!(before, added, "adding a private state changed what the host compiles");
    let retyped = bindings(&GAME.replace("state mood: str = \"calm\"", "state mood: int = 3"));
    assert_eq!(before, retyped, "retyping a private state changed what the host compiles");
}

#[test]
fn a_private_function_added_or_changed_leaves_the_bindings_as_they_were() {
    let before = bindings(GAME);
    let helper = "fn bonus(n: int) -> int {\n    n * 2\n}\n\n";
    let with_helper = GAME
        .replace("pub fn line()", &format!("{helper}pub fn line()"))
        .replace("frames + host", "bonus(frames) + host");
    let added = bindings(&with_helper);
    assert_eq!(before, added, "adding a private function changed what the host compiles");
    let changed = bindings(
        &with_helper
            .replace("fn bonus(n: int) -> int", "fn bonus(n: int, m: int) -> int")
            .replace("bonus(frames)", "bonus(frames, 1)"),
    );
    assert_eq!(before, changed, "changing a private function's signature changed what the host compiles");
}

#[test]
fn what_rust_code_names_still_changes_the_bindings() {
    let before = bindings(GAME);
    let signature = bindings(&GAME.replace("pub fn line() -> str", "pub fn line(x: int) -> str"));
    assert_ne!(before, signature, "a `pub fn` signature is what the host compiles against");
    let external = bindings(
        &GAME
            .replace("host_note(n: int) -> int", "host_note(n: int, m: int) -> int")
            .replace("host_note(1)", "host_note(1, 2)"),
    );
    assert_ne!(before, external, "an `extern fn` is what the host compiles against");
}

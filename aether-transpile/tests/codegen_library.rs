//! The library shape of the static build (`codegen::library`): what a Rust
//! host crate includes. Snapshots show the whole generated file; the
//! end-to-end tests in aether-build build and run it.

mod support;

use aether_transpile::check::Mode;
use aether_transpile::codegen::library;

/// The library file, or the generator's refusals one per line.
fn generate(files: &[(&str, &str)]) -> Result<library::Library, String> {
    let (program, checked) = support::checked(files, Mode::Library);
    library::generate(&program, &checked)
        .map_err(|refusals| refusals.iter().map(|d| d.summary(&program.sources)).collect::<Vec<_>>().join("\n"))
}

#[test]
fn bindings_state_and_extern_fns() {
    let lib = generate(&[
        (
            "game.ae",
            r#"import util
pub struct Player { name: str, hp: int }
pub struct Pos { x: int, y: int }
pub enum Hit { Miss, Damage(amount: int) }
pub const LIMIT: int = 3
state hits: int = 0
extern fn log(line: str) = "crate::host::log"
extern fn near(p: Pos, mut q: Pos) -> bool = "crate::host::near"

pub fn attack(mut p: Player, at: Pos, times: int) -> Hit {
    hits += times
    log("{p.name} at {at.x}")
    if util.twice(times) > LIMIT { Hit.Damage(hits) } else { Hit.Miss }
}

pub fn greet(name: str) -> str { "hi {name}" }

pub fn close(a: Pos) -> bool {
    var b = Pos { x: 0, y: 0 }
    near(a, mut b)
}

pub fn apply(f: fn(int) -> int) -> int { f(1) }

fn Player.hurt(mut self) { self.hp -= 1 }
"#,
        ),
        ("util.ae", "pub fn twice(x: int) -> int { x * 2 }\n"),
    ])
    .expect("generates");
    assert_eq!(lib.skipped, vec!["game.apply: its signature holds a function value".to_string()]);
    insta::assert_snapshot!(lib.code);
}

#[test]
fn state_holding_functions_is_refused() {
    let err = generate(&[("game.ae", "state on_hit: [fn(int)] = []\npub fn fire() { for f in on_hit { f(1) } }\n")])
        .err()
        .expect("refused");
    assert_eq!(
        err,
        "game.ae:1:7: error[E0700]: state `on_hit` of module `game` holds a function value, which cannot be shared \
         between the host's threads"
    );
}

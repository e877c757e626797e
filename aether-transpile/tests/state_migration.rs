//! End to end: state migration between two versions of a program's types.
//!
//! One program holds both versions as modules `v1` and `v2` (same type
//! names, changed fields and variants). It is generated with `Dyn` impls on
//! (as `--hmr` does), built with one `cargo build` into the target
//! directory the other generated-code tests share, and run with a Rust
//! entry point (`CHECK` below) that turns version-1 values into version-2
//! values through `to_dyn`/`from_dyn`, directly and through the text
//! encoding, and checks every value and every logged change.

mod support;

use aether_transpile::check::Mode;
use aether_transpile::codegen::dynval::expand_module_with_dyn_impls;
use aether_transpile::codegen::{generate, CodegenOptions};
use std::path::Path;
use std::process::Command;
use support::{repo, write_if_changed};

const MAIN: &str = "import v1\nimport v2\n\nfn main() {\n    println(\"{v1.Mode.Idle} {v2.Mode.Idle}\")\n}\n";

const V1: &str = r#"pub struct Vec2 { x: int, y: int }

pub enum Mode {
    Idle
    Chase(target: int)
    Flee(speed: float)
}

pub struct Enemy {
    name: str
    hp: int
    pos: Vec2
    mode: Mode
    tag: str
}

pub struct Player {
    name: str
    score: int
    pos: Vec2
    lives: int
    hat: str?
    inventory: [str]
    best: int
    weapon: str
}

pub struct Tree { v: int, left: Tree?, right: Tree? }

pub struct World {
    player: Player
    enemies: [Enemy]
    teams: {str: Enemy}
    boss: Enemy?
    pair: (int, str)
    tree: Tree?
    modes: [Mode]
}

pub struct Weapon { name: str, hit: fn(int) -> int }

pub struct Armed { name: str, power: fn(int) -> int }

pub struct Box { type: str, ref: int }

pub struct Chain { v: int, next: (Chain, int)? }

pub enum Option { Nothing, Some(v: int) }

pub struct Pair<A, B> { first: A, second: B }

pub struct Wrap<T> { v: T }

pub enum Opt<T> { Nothing, Just(value: T) }
"#;

/// Against `V1`: fields reordered, widened, added with and without a
/// default, removed and retyped incompatibly; a variant added, one removed,
/// a payload field added.
const V2: &str = r#"pub struct Vec2 { y: float, x: float, z: float = 1.5 }

pub enum Mode {
    Idle
    Chase(target: int, since: int)
    Patrol(route: [int])
}

pub struct Enemy {
    hp: float
    name: str
    pos: Vec2
    mode: Mode
    shield: int = 5
}

pub struct Player {
    name: str
    score: str = "unscored"
    pos: Vec2
    lives: int?
    hat: str?
    inventory: [str]
    best: [int]
    level: int
    weapon: int
}

pub struct Tree { v: float, left: Tree?, right: Tree? }

pub struct World {
    player: Player
    enemies: [Enemy]
    teams: {str: Enemy}
    boss: Enemy?
    pair: (float, str)
    tree: Tree?
    modes: [Mode]
    extra: [Vec2]
}

pub struct Weapon { name: str, hit: fn(int) -> int }

pub struct Armed { name: str, power: fn(int) -> int = |x| x * 2 }

pub struct Box { ref: float, type: str, move: bool = true }

pub struct Chain { v: float, next: (Chain, int)? }

pub enum Option { Nothing, Some(v: int), Many(vs: [int]) }

pub struct Pair<A, B> { second: B, first: A, count: int = 7, seen: [A] = [] }

pub struct Wrap<T> { v: T, w: T }

pub enum Opt<T> { Nothing, Just(value: T), Many(values: [T]) }
"#;

/// The entry point of the test binary.
const CHECK: &str = r#"
use crate::{v1, v2};
use aether_rt::dynval::{migrate, Dyn, Outcome, Tally, Value};
use aether_rt::Map;

fn old_enemy(name: &str, hp: i64, mode: v1::Mode) -> v1::Enemy {
    v1::Enemy { name: name.into(), hp, pos: v1::Vec2 { x: hp, y: -hp }, mode, tag: "t".into() }
}

fn new_enemy(name: &str, hp: f64, mode: v2::Mode) -> v2::Enemy {
    v2::Enemy { hp, name: name.into(), pos: v2::Vec2 { y: -hp, x: hp, z: 1.5 }, mode, shield: 5 }
}

fn old_world() -> v1::World {
    let mut teams = Map::new();
    teams.insert("red".to_string(), old_enemy("ork", 7, v1::Mode::Chase { target: 2 }));
    v1::World {
        player: v1::Player {
            name: "ada".into(),
            score: 120,
            pos: v1::Vec2 { x: 3, y: 4 },
            lives: 3,
            hat: Some("cap".into()),
            inventory: vec!["key".into(), "map".into()],
            best: 99,
            weapon: "axe".into(),
        },
        enemies: vec![
            old_enemy("a", 10, v1::Mode::Idle),
            old_enemy("b", 20, v1::Mode::Flee { speed: 2.5 }),
            old_enemy("c", 30, v1::Mode::Chase { target: 1 }),
        ],
        teams,
        boss: Some(old_enemy("boss", 100, v1::Mode::Idle)),
        pair: (4, "four".into()),
        tree: Some(v1::Tree { v: 1, left: Some(Box::new(v1::Tree { v: 2, left: None, right: None })), right: None }),
        modes: vec![v1::Mode::Chase { target: 1 }, v1::Mode::Flee { speed: 2.0 }, v1::Mode::Idle],
    }
}

fn new_world() -> v2::World {
    let mut teams = Map::new();
    teams.insert("red".to_string(), new_enemy("ork", 7.0, v2::Mode::Chase { target: 2, since: 0 }));
    v2::World {
        player: v2::Player {
            name: "ada".into(),
            score: "unscored".into(),
            pos: v2::Vec2 { y: 4.0, x: 3.0, z: 1.5 },
            lives: Some(3),
            hat: Some("cap".into()),
            inventory: vec!["key".into(), "map".into()],
            best: vec![99],
            level: 0,
            weapon: 0,
        },
        enemies: vec![
            new_enemy("a", 10.0, v2::Mode::Idle),
            new_enemy("b", 20.0, v2::Mode::Idle),
            new_enemy("c", 30.0, v2::Mode::Chase { target: 1, since: 0 }),
        ],
        teams,
        boss: Some(new_enemy("boss", 100.0, v2::Mode::Idle)),
        pair: (4.0, "four".into()),
        tree: Some(v2::Tree { v: 1.0, left: Some(Box::new(v2::Tree { v: 2.0, left: None, right: None })), right: None }),
        modes: vec![v2::Mode::Chase { target: 1, since: 0 }, v2::Mode::Idle, v2::Mode::Idle],
        extra: vec![],
    }
}

/// What migrating one `v1::Enemy` logs, apart from its `mode`.
fn enemy_changes(at: &str) -> Vec<String> {
    vec![
        format!("converted `{at}.hp` (int to float)"),
        format!("converted `{at}.pos.y` (int to float)"),
        format!("converted `{at}.pos.x` (int to float)"),
        format!("added `{at}.pos.z` (new field of type float)"),
        format!("added `{at}.shield` (new field of type int)"),
        format!("dropped `{at}.tag` (no longer a field)"),
    ]
}

fn log(m: &aether_rt::dynval::Migration) -> Vec<String> {
    m.changes()
        .iter()
        .map(|c| {
            let kind = format!("{:?}", c.kind).to_lowercase();
            format!("{kind} `{}` ({})", c.path, c.detail)
        })
        .collect()
}

fn expected_world_log() -> Vec<String> {
    let mut want = vec![
        "reset `world.player.score` (`world.player.score` was int, now str)".to_string(),
        "converted `world.player.pos.y` (int to float)".to_string(),
        "converted `world.player.pos.x` (int to float)".to_string(),
        "added `world.player.pos.z` (new field of type float)".to_string(),
        "converted `world.player.lives` (int to int?)".to_string(),
        "converted `world.player.best` (int to a one-element list)".to_string(),
        "added `world.player.level` (new field of type int)".to_string(),
        "reset `world.player.weapon` (`world.player.weapon` was str, now int)".to_string(),
    ];
    for (i, mode) in [(0, None), (1, Some("flee")), (2, Some("chase"))] {
        let at = format!("world.enemies[{i}]");
        let mut e = enemy_changes(&at);
        match mode {
            Some("flee") => e.insert(
                4,
                format!("reset `{at}.mode` (`{at}.mode` was variant `Flee`, which `Mode` no longer has)"),
            ),
            Some(_) => e.insert(4, format!("added `{at}.mode.Chase.since` (new field of type int)")),
            None => {}
        }
        want.extend(e);
    }
    let mut red = enemy_changes("world.teams[\"red\"]");
    red.insert(4, "added `world.teams[\"red\"].mode.Chase.since` (new field of type int)".to_string());
    want.extend(red);
    want.extend(enemy_changes("world.boss"));
    want.push("converted `world.pair.0` (int to float)".to_string());
    want.push("converted `world.tree.v` (int to float)".to_string());
    want.push("converted `world.tree.left.v` (int to float)".to_string());
    want.push("added `world.modes[0].Chase.since` (new field of type int)".to_string());
    want.push(
        "reset `world.modes[1]` (`world.modes[1]` was variant `Flee`, which `Mode` no longer has; now Idle)".to_string(),
    );
    want.push("added `world.extra` (new field of type [Vec2])".to_string());
    want
}

fn check_world(world: v2::World, m: &aether_rt::dynval::Migration) {
    assert_eq!(world, new_world());
    let got = log(m);
    let want = expected_world_log();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "change {i}");
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
    assert_eq!(m.outcome(), Outcome::Migrated);
    assert_eq!(m.resets(), 4);
    assert_eq!(
        m.warnings(),
        vec![
            "state `world`: `world.player.score` reset (`world.player.score` was int, now str)",
            "state `world`: `world.player.weapon` reset (`world.player.weapon` was str, now int)",
            "state `world`: `world.enemies[1].mode` reset (`world.enemies[1].mode` was variant `Flee`, which `Mode` no longer has)",
            "state `world`: `world.modes[1]` reset (`world.modes[1]` was variant `Flee`, which `Mode` no longer has; now Idle)",
        ]
    );
}

pub fn run() {
    let old = old_world().to_dyn();

    // In memory, as a hot reload does.
    let (world, m) = migrate::<v2::World>("world", &old, || panic!("the world is migrated, not re-initialized"));
    check_world(world, &m);

    // Through text, as a hot restart does.
    let text = old.encode();
    assert!(!text.contains('\n'));
    let decoded = Value::decode(&text).expect("decode");
    assert_eq!(decoded, old);
    let (world, m) = migrate::<v2::World>("world", &decoded, || panic!("the world is migrated, not re-initialized"));
    check_world(world, &m);

    // The new version's values come through unchanged.
    let (same, m) = migrate::<v2::World>("world", &new_world().to_dyn(), || panic!("kept"));
    assert_eq!(same, new_world());
    assert_eq!(m.outcome(), Outcome::Kept, "{:?}", m.changes());

    // A state whose whole value is a removed variant takes its initializer.
    let (mode, m) = migrate::<v2::Mode>("mode", &v1::Mode::Flee { speed: 1.0 }.to_dyn(), || {
        v2::Mode::Patrol { route: vec![1, 2] }
    });
    assert_eq!(mode, v2::Mode::Patrol { route: vec![1, 2] });
    assert_eq!(m.outcome(), Outcome::Reset);
    assert_eq!(
        m.warnings(),
        vec!["state `mode`: `mode` reset (`mode` was variant `Flee`, which `Mode` no longer has; initializer run again)"]
    );

    let (idle, m) = migrate::<v2::Mode>("idle", &v1::Mode::Idle.to_dyn(), || panic!("kept"));
    assert_eq!(idle, v2::Mode::Idle);
    assert_eq!(m.outcome(), Outcome::Kept);

    // A list of structs and a map of structs as states of their own.
    let (enemies, m) = migrate::<Vec<v2::Enemy>>("enemies", &old_world().enemies.to_dyn(), Vec::new);
    assert_eq!(enemies, new_world().enemies);
    assert_eq!(m.warnings(), vec![
        "state `enemies`: `enemies[1].mode` reset (`enemies[1].mode` was variant `Flee`, which `Mode` no longer has)"
    ]);
    let (teams, m) = migrate::<Map<String, v2::Enemy>>("teams", &old_world().teams.to_dyn(), Map::new);
    assert_eq!(teams, new_world().teams);
    assert_eq!(m.changes()[0].path, "teams[\"red\"].hp");

    // A type of the same shape but another name does not match.
    let (v, m) = migrate::<v2::Vec2>("v", &v1::Tree { v: 1, left: None, right: None }.to_dyn(), || v2::Vec2 { y: 0.0, x: 0.0, z: 0.0 });
    assert_eq!(v, v2::Vec2 { y: 0.0, x: 0.0, z: 0.0 });
    assert_eq!(m.outcome(), Outcome::Reset);

    // A function value never migrates: a field holding one takes its
    // declared default, and without one the whole state its initializer
    // (never a placeholder that would panic when called).
    let mut ctx = crate::Ctx::new();
    let old_armed = v1::Armed { name: "ada".into(), power: std::rc::Rc::new(|_: &mut crate::Ctx, x: i64| x + 1) };
    let (armed, m) = migrate::<v2::Armed>("armed", &old_armed.to_dyn(), || panic!("migrated"));
    assert_eq!((armed.name.as_str(), (armed.power)(&mut ctx, 3)), ("ada", 6));
    assert_eq!(m.outcome(), Outcome::Migrated);
    assert_eq!(m.warnings(), vec![
        "state `armed`: `armed.power` reset (`armed.power` is a function value, which cannot be carried across a reload)"
    ]);
    let old_weapon = v1::Weapon { name: "axe".into(), hit: std::rc::Rc::new(|_: &mut crate::Ctx, x: i64| x + 1) };
    let (weapon, m) = migrate::<v2::Weapon>("weapon", &old_weapon.to_dyn(), || v2::Weapon {
        name: "fists".into(),
        hit: std::rc::Rc::new(|_: &mut crate::Ctx, x: i64| x - 1),
    });
    assert_eq!((weapon.name.as_str(), (weapon.hit)(&mut ctx, 3)), ("fists", 2));
    assert_eq!(m.outcome(), Outcome::Reset);
    assert_eq!(m.warnings(), vec![
        "state `weapon`: `weapon.hit` reset (`weapon.hit` is a function value, which cannot be carried across a reload)",
        "state `weapon`: `weapon` reset (`weapon.hit` would hold a function that cannot be carried across a reload; initializer run again)",
    ]);

    // Names that are Rust keywords or std names, and a recursive type boxed
    // as a whole.
    let (b, m) = migrate::<v2::Box_>("b", &v1::Box_ { r#type: "t".into(), r#ref: 3 }.to_dyn(), || panic!("migrated"));
    assert_eq!(b, v2::Box_ { r#ref: 3.0, r#type: "t".into(), r#move: true });
    assert_eq!(log(&m), vec!["converted `b.ref` (int to float)", "added `b.move` (new field of type bool)"]);
    let old_chain = v1::Chain { v: 1, next: Box::new(Some((v1::Chain { v: 2, next: Box::new(None) }, 7))) };
    let (chain, m) = migrate::<v2::Chain>("c", &old_chain.to_dyn(), || panic!("migrated"));
    assert_eq!(chain, v2::Chain { v: 1.0, next: Box::new(Some((v2::Chain { v: 2.0, next: Box::new(None) }, 7))) });
    assert_eq!(log(&m), vec!["converted `c.v` (int to float)", "converted `c.next.0.v` (int to float)"]);
    let (o, m) = migrate::<v2::Option_>("o", &v1::Option_::Some { v: 4 }.to_dyn(), || panic!("kept"));
    assert_eq!((o, m.outcome()), (v2::Option_::Some { v: 4 }, Outcome::Kept));

    // Generic types: fields by name, each argument migrating as its own
    // type; a new field of a type parameter's type has no value to start
    // from, so the value holding it takes its initializer.
    let old_pair = v1::Pair { first: 3i64, second: String::from("ada") };
    let (pair, m) = migrate::<v2::Pair<f64, String>>("pair", &old_pair.to_dyn(), || panic!("migrated"));
    assert_eq!(pair, v2::Pair { second: "ada".into(), first: 3.0, count: 7, seen: vec![] });
    assert_eq!(log(&m), vec![
        "converted `pair.first` (int to float)",
        "added `pair.count` (new field of type int)",
        "added `pair.seen` (new field of type [float])",
    ]);
    assert_eq!(<v2::Pair<f64, String> as Dyn>::dyn_type(), "Pair<float, str>");
    let (opt, m) = migrate::<v2::Opt<f64>>("opt", &v1::Opt::Just { value: 4i64 }.to_dyn(), || panic!("migrated"));
    assert_eq!(opt, v2::Opt::Just { value: 4.0 });
    assert_eq!(log(&m), vec!["converted `opt.Just.value` (int to float)"]);
    let (wrap, m) = migrate::<v2::Wrap<i64>>("wrap", &v1::Wrap { v: 1i64 }.to_dyn(), || v2::Wrap { v: 7, w: 8 });
    assert_eq!((wrap, m.outcome()), (v2::Wrap { v: 7, w: 8 }, Outcome::Reset));
    assert_eq!(m.warnings(), vec![
        "state `wrap`: `wrap` reset (`wrap.w` is a new field of type int, with no value to start from; initializer run again)"
    ]);
    let (wraps, m) = migrate::<Vec<v2::Wrap<v2::Opt<i64>>>>("ws", &vec![v1::Wrap { v: v1::Opt::<i64>::Nothing }].to_dyn(), Vec::new);
    assert_eq!((wraps, m.outcome()), (vec![v2::Wrap { v: v2::Opt::Nothing, w: v2::Opt::Nothing }], Outcome::Migrated));

    // The reload line, for the three states `world`, `mode` and `idle`.
    let mut tally = Tally::default();
    tally.add(migrate::<v2::World>("world", &old, new_world).1.outcome());
    tally.add(migrate::<v2::Mode>("mode", &v1::Mode::Flee { speed: 1.0 }.to_dyn(), || v2::Mode::Idle).1.outcome());
    tally.add(migrate::<v2::Mode>("idle", &v1::Mode::Idle.to_dyn(), || v2::Mode::Idle).1.outcome());
    println!("{tally}");
}
"#;

#[test]
fn state_migrates_field_by_field_between_generated_versions() {
    let (program, checked) = support::checked(&[("main.ae", MAIN), ("v1.ae", V1), ("v2.ae", V2)], Mode::Program);
    let opts = CodegenOptions { crate_name: "ae_state_migration".into(), rt_path: repo().join("aether-rt") };
    let generated = generate(&program, &checked, &opts).expect("generate");

    let dir = repo().join("target/aether-e2e-dynval");
    let modules: Vec<_> = program.module_ids().collect();
    for (i, (rel, text)) in generated.files.iter().enumerate() {
        let text = match modules.get(i) {
            Some(&m) => {
                assert!(!text.contains("dynval"), "the static build must not implement Dyn");
                expand_module_with_dyn_impls(&program, &checked, m).expect("generate with Dyn impls")
            }
            None if rel == Path::new("src/main.rs") => {
                assert_eq!(text.matches("fn main() {").count(), 1, "{text}");
                let text = text.replace("fn main() {", "fn aether_main() {");
                format!("{text}\nmod migrate_check;\n\nfn main() {{\n    migrate_check::run();\n}}\n")
            }
            None => text.clone(),
        };
        write_if_changed(&dir.join(rel), &text);
    }
    write_if_changed(&dir.join("src/migrate_check.rs"), CHECK);

    let target = repo().join("target/aether-e2e/target");
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "cargo build failed:\n{}", String::from_utf8_lossy(&out.stderr));

    let bin = target.join(format!("debug/ae_state_migration{}", std::env::consts::EXE_SUFFIX));
    let run = Command::new(&bin).output().expect("run the migration check");
    assert!(run.status.success(), "migration check failed:\n{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "state kept: 1, migrated: 1, reset: 1\n");
}

#[test]
fn a_type_holding_a_tuple_too_long_to_migrate_is_reported() {
    let long = format!("({})", vec!["int"; 13].join(", "));
    let src = format!("pub struct Wide {{ ok: (int, int), t: {long}? }}\n\nfn main() {{}}\n");
    let (program, checked) = support::checked(&[("main.ae", src.as_str())], Mode::Program);
    let entry = program.module_ids().next().expect("a module");
    let refused = expand_module_with_dyn_impls(&program, &checked, entry)
        .map_err(|refusals| refusals.iter().map(|d| d.summary(&program.sources)).collect::<Vec<_>>());
    assert_eq!(
        refused,
        Err(vec![
            "main.ae:1:35: error[E0700]: Wide.t: a tuple of more than 12 elements cannot be carried across a hot reload"
                .to_string()
        ])
    );
}

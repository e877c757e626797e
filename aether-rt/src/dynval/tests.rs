//! The migration rules, the text codec and the builtin `Dyn` impls, tested
//! through hand-written impls like the generated ones.

use super::*;
use crate::{Error, Map};
use std::rc::Rc;

/// What generated code does for `struct Pos { x: float, y: float }`.
#[derive(Clone, Debug, PartialEq)]
struct Pos {
    x: f64,
    y: f64,
}

impl Dyn for Pos {
    fn to_dyn(&self) -> Value {
        Value::Struct { ty: "Pos".into(), fields: vec![("x".into(), self.x.to_dyn()), ("y".into(), self.y.to_dyn())] }
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Pos> {
        let f = m.struct_fields(v, "Pos")?;
        let out = Pos { x: m.field(f, "x", || 0.0), y: m.field(f, "y", || 0.0) };
        m.drop_others(f, &["x", "y"]);
        Some(out)
    }
    fn dyn_type() -> String {
        "Pos".into()
    }
}

/// Version 2 of an enemy: `kind` became an int, `hp` a float, `shield`
/// is new with default 5, `name` is gone.
#[derive(Clone, Debug, PartialEq)]
struct Enemy {
    hp: f64,
    kind: i64,
    shield: i64,
    pos: Pos,
}

impl Dyn for Enemy {
    fn to_dyn(&self) -> Value {
        Value::Struct {
            ty: "Enemy".into(),
            fields: vec![
                ("hp".into(), self.hp.to_dyn()),
                ("kind".into(), self.kind.to_dyn()),
                ("shield".into(), self.shield.to_dyn()),
                ("pos".into(), self.pos.to_dyn()),
            ],
        }
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Enemy> {
        let f = m.struct_fields(v, "Enemy")?;
        let out = Enemy {
            hp: m.field(f, "hp", || 0.0),
            kind: m.field(f, "kind", || 0),
            shield: m.field(f, "shield", || 5),
            pos: m.field(f, "pos", || Pos { x: 0.0, y: 0.0 }),
        };
        m.drop_others(f, &["hp", "kind", "shield", "pos"]);
        Some(out)
    }
    fn dyn_type() -> String {
        "Enemy".into()
    }
}

/// What generated code does for `enum Mode { Idle, Chase(target: int) }`.
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    Idle,
    Chase { target: i64 },
}

impl Dyn for Mode {
    fn to_dyn(&self) -> Value {
        match self {
            Mode::Idle => Value::Variant { ty: "Mode".into(), variant: "Idle".into(), fields: vec![] },
            Mode::Chase { target } => Value::Variant {
                ty: "Mode".into(),
                variant: "Chase".into(),
                fields: vec![("target".into(), target.to_dyn())],
            },
        }
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Mode> {
        let (variant, f) = m.variant(v, "Mode")?;
        match variant {
            "Idle" => m.in_variant("Idle", |m| {
                m.drop_others(f, &[]);
                Some(Mode::Idle)
            }),
            "Chase" => m.in_variant("Chase", |m| {
                let out = Mode::Chase { target: m.field(f, "target", || 0) };
                m.drop_others(f, &["target"]);
                Some(out)
            }),
            other => m.removed_variant(other, "Mode"),
        }
    }
    fn dyn_type() -> String {
        "Mode".into()
    }
    fn dyn_zero() -> Option<Mode> {
        Some(Mode::Idle)
    }
}

/// A `Value::Struct` of type `ty`, as an old program left it.
fn record<const N: usize>(ty: &str, fields: [(&str, Value); N]) -> Value {
    Value::Struct { ty: ty.into(), fields: fields.into_iter().map(|(name, v)| (name.into(), v)).collect() }
}

/// A `Value::Variant` `ty.variant`, as an old program left it.
fn variant<const N: usize>(ty: &str, variant: &str, fields: [(&str, Value); N]) -> Value {
    let fields = fields.into_iter().map(|(name, v)| (name.into(), v)).collect();
    Value::Variant { ty: ty.into(), variant: variant.into(), fields }
}

fn old_enemy(hp: i64, kind: &str, x: f64) -> Value {
    record(
        "Enemy",
        [
            ("name", Value::Str("orc".into())),
            ("pos", record("Pos", [("y", Value::Float(2.0)), ("x", Value::Float(x))])),
            ("kind", Value::Str(kind.into())),
            ("hp", Value::Int(hp)),
        ],
    )
}

fn round_trip<T: Dyn + PartialEq + fmt::Debug>(x: T) {
    let v = x.to_dyn();
    let (back, m) = migrate::<T>("s", &v, || panic!("reset"));
    assert_eq!(back, x);
    assert_eq!(m.outcome(), Outcome::Kept, "{:?}", m.changes());
    let text = v.encode();
    assert_eq!(Value::decode(&text), Ok(v), "{text}");
}

#[test]
fn builtin_values_round_trip_unchanged() {
    round_trip(42i64);
    round_trip(i64::MIN);
    round_trip(-0.0f64);
    round_trip(1e300f64);
    round_trip(f64::INFINITY);
    round_trip(f64::NEG_INFINITY);
    round_trip(f64::MIN_POSITIVE);
    round_trip(true);
    round_trip(String::from("quote \" backslash \\ newline \n tab \t nul \0 bell \u{7} sep \u{2028} é 🦀"));
    round_trip(());
    round_trip(vec![vec![1i64, 2], vec![]]);
    let mut map: Map<String, Vec<f64>> = Map::new();
    map.insert("b".into(), vec![1.5]);
    map.insert("a".into(), vec![]);
    round_trip(map);
    round_trip(Some(Some(3i64)));
    round_trip(Some(None::<i64>));
    round_trip(None::<String>);
    round_trip((1i64, "x".to_string(), (true, 2.5f64)));
    round_trip((1i64, 2i64, 3i64, 4i64, 5i64, 6i64, 7i64, 8i64, 9i64, 10i64, 11i64, 12i64));
    round_trip(Ok::<i64, Error>(3));
    round_trip(Err::<i64, Error>(Error("bad \"input\"".into())));
    round_trip(Box::new(Pos { x: 1.0, y: -2.0 }));
    round_trip(Mode::Chase { target: 7 });
    round_trip(Mode::Idle);
}

#[test]
fn nan_survives_encoding() {
    let v = Value::decode(&Value::Float(f64::NAN).encode());
    assert!(matches!(v, Ok(Value::Float(x)) if x.is_nan()));
}

#[test]
fn encoding_is_one_compact_line() {
    let v = Value::List(vec![
        Value::Struct { ty: "Pos".into(), fields: vec![("x".into(), Value::Float(1.0)), ("y".into(), Value::Int(-2))] },
        Value::Variant { ty: "Mode".into(), variant: "Idle".into(), fields: vec![] },
        Value::Map(vec![(Value::Str("a\nb".into()), Value::Opt(Some(Box::new(Value::Bool(true)))))]),
        Value::Tuple(vec![
            Value::Unit,
            Value::Opt(None),
            Value::Fn,
            Value::Ok(Box::new(Value::Int(1))),
            Value::Err("e".into()),
        ]),
    ]);
    let text = v.encode();
    assert_eq!(text, r#"[S"Pos"{"x":f1.0,"y":i-2},V"Mode""Idle"{},{"a\nb":?T},(u,n,@,oi1,x"e")]"#);
    assert!(!text.contains('\n'));
    assert_eq!(Value::decode(&text), Ok(v));
}

#[test]
fn malformed_text_is_an_error() {
    let bad = [
        "",
        "q",
        "i",
        "i-",
        "i12x",
        "i99999999999999999999",
        "f",
        "fabc",
        "\"open",
        "\"bad \\q escape\"",
        "\"\\u{110000}\"",
        "\"\\u{zz}\"",
        "\"\\u{41\"",
        "[",
        "[i1",
        "[i1,",
        "[i1;i2]",
        "[,]",
        "{i1}",
        "{i1:}",
        "(i1 i2)",
        "?",
        "o",
        "x",
        "xi1",
        "S",
        "S\"P\"",
        "S\"P\"{x:i1}",
        "S\"P\"{\"x\"i1}",
        "V\"E\"{}",
        "V\"E\"\"A\"",
        "uu",
        "i1 ",
        " i1",
        "\\",
        "[\u{0}]",
    ];
    for text in bad {
        assert!(Value::decode(text).is_err(), "accepted {text:?}");
    }
    let err = Value::decode("[i1,Z]").unwrap_err();
    assert_eq!(err.pos, 4);
    assert_eq!(err.to_string(), "malformed state text at byte 4: unexpected `Z`");
}

#[test]
fn every_prefix_of_a_valid_encoding_is_refused_without_panicking() {
    let v = Value::Map(vec![(
        Value::Tuple(vec![Value::Int(1), Value::Str("é\"🦀".into())]),
        Value::Variant { ty: "Mode".into(), variant: "Chase".into(), fields: vec![("t".into(), Value::Float(0.5))] },
    )]);
    let text = v.encode();
    for (cut, _) in text.char_indices().skip(1) {
        let prefix = &text[..cut];
        // A prefix may itself be a complete number (`i1` of `i12`);
        // it must never be taken for the whole value.
        assert_ne!(Value::decode(prefix).ok(), Some(v.clone()), "{prefix}");
    }
    assert!(Value::decode(&text[..text.len() - 1]).is_err());
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let text = "[".repeat(1_000_000);
    assert_eq!(Value::decode(&text).map_err(|e| e.message), Err("values nested too deeply".to_string()));
    let ok = format!("{}u", "?".repeat(MAX_DEPTH - 1));
    assert!(Value::decode(&ok).is_ok());
}

#[test]
fn int_widens_to_float_when_exact() {
    let (x, m) = migrate::<f64>("speed", &Value::Int(3), || -1.0);
    assert_eq!(x, 3.0);
    assert_eq!(m.outcome(), Outcome::Migrated);
    assert_eq!(
        m.changes(),
        &[Change { kind: ChangeKind::Converted, path: "speed".into(), detail: "int to float".into() }]
    );

    let (x, m) = migrate::<f64>("speed", &Value::Int(i64::MAX), || -1.0);
    assert_eq!(x, -1.0);
    assert_eq!(m.outcome(), Outcome::Reset);
    assert_eq!(
        m.warnings(),
        vec![format!(
            "state `speed`: `speed` reset (`speed` was int {}, which no float holds exactly; initializer run again)",
            i64::MAX
        )]
    );
}

#[test]
fn float_never_narrows_to_int() {
    let (x, m) = migrate::<i64>("n", &Value::Float(3.0), || 7);
    assert_eq!(x, 7);
    assert_eq!(m.warnings(), vec!["state `n`: `n` reset (`n` was float, now int; initializer run again)"]);
}

#[test]
fn a_value_widens_to_optional_result_and_list() {
    let (x, m) = migrate::<Option<f64>>("a", &Value::Int(2), || None);
    assert_eq!(x, Some(2.0));
    let kinds: Vec<_> = m.changes().iter().map(|c| (c.kind, c.detail.as_str())).collect();
    assert_eq!(kinds, vec![(ChangeKind::Converted, "int to float"), (ChangeKind::Converted, "int to float?")]);

    let (x, m) = migrate::<Result<String, Error>>("r", &Value::Str("s".into()), || Ok(String::new()));
    assert_eq!(x, Ok("s".to_string()));
    assert_eq!(m.outcome(), Outcome::Migrated);

    let (x, m) = migrate::<Vec<Pos>>("ps", &Pos { x: 1.0, y: 2.0 }.to_dyn(), Vec::new);
    assert_eq!(x, vec![Pos { x: 1.0, y: 2.0 }]);
    assert_eq!(m.changes()[0].detail, "Pos to a one-element list");

    let (x, m) = migrate::<Vec<f64>>("xs", &vec![1i64, 2].to_dyn(), Vec::new);
    assert_eq!(x, vec![1.0, 2.0]);
    let paths: Vec<_> = m.changes().iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["xs[0]", "xs[1]"]);
}

#[test]
fn optional_never_narrows() {
    let (x, m) = migrate::<i64>("a", &Some(1i64).to_dyn(), || 0);
    assert_eq!(x, 0);
    assert_eq!(m.outcome(), Outcome::Reset);
    let (x, m) = migrate::<i64>("a", &None::<i64>.to_dyn(), || 0);
    assert_eq!(x, 0);
    assert_eq!(m.warnings(), vec!["state `a`: `a` reset (`a` was none, now int; initializer run again)"]);
}

#[test]
fn struct_fields_are_matched_by_name() {
    let old = old_enemy(30, "orc", 1.0);
    let (e, m) = migrate::<Enemy>("boss", &old, || panic!("whole reset"));
    assert_eq!(e, Enemy { hp: 30.0, kind: 0, shield: 5, pos: Pos { x: 1.0, y: 2.0 } });
    assert_eq!(m.outcome(), Outcome::Migrated);
    let log: Vec<String> = m.changes().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        log,
        vec![
            "`boss.hp` converted (int to float)",
            "`boss.kind` reset (`boss.kind` was str, now int)",
            "`boss.shield` added (new field of type int)",
            "`boss.name` dropped (no longer a field)",
        ]
    );
    assert_eq!(m.warnings(), vec!["state `boss`: `boss.kind` reset (`boss.kind` was str, now int)"]);
    assert_eq!(m.resets(), 1);
}

#[test]
fn reordered_fields_are_kept() {
    let old = record("Pos", [("y", Value::Float(2.0)), ("x", Value::Float(1.0))]);
    let (p, m) = migrate::<Pos>("p", &old, || panic!("reset"));
    assert_eq!(p, Pos { x: 1.0, y: 2.0 });
    assert_eq!(m.outcome(), Outcome::Kept);
}

#[test]
fn a_renamed_type_does_not_match() {
    let old = record("Point", [("x", Value::Float(1.0))]);
    let (p, m) = migrate::<Pos>("p", &old, || Pos { x: 9.0, y: 9.0 });
    assert_eq!(p, Pos { x: 9.0, y: 9.0 });
    assert_eq!(m.warnings(), vec!["state `p`: `p` reset (`p` was Point, now Pos; initializer run again)"]);
}

#[test]
fn list_elements_carry_their_index_in_paths() {
    let old = Value::List(vec![old_enemy(1, "a", 0.0), old_enemy(2, "b", 0.0)]);
    let (es, m) = migrate::<Vec<Enemy>>("enemies", &old, Vec::new);
    assert_eq!(es.iter().map(|e| e.hp).collect::<Vec<_>>(), vec![1.0, 2.0]);
    assert!(m
        .warnings()
        .contains(&"state `enemies`: `enemies[1].kind` reset (`enemies[1].kind` was str, now int)".to_string()));
}

#[test]
fn one_bad_element_resets_the_whole_list_and_names_it() {
    #[derive(Debug, PartialEq)]
    struct Holder {
        xs: Vec<i64>,
    }
    impl Dyn for Holder {
        fn to_dyn(&self) -> Value {
            Value::Struct { ty: "Holder".into(), fields: vec![("xs".into(), self.xs.to_dyn())] }
        }
        fn from_dyn(v: &Value, m: &mut Migration) -> Option<Holder> {
            let f = m.struct_fields(v, "Holder")?;
            Some(Holder { xs: m.field(f, "xs", Vec::new) })
        }
        fn dyn_type() -> String {
            "Holder".into()
        }
    }
    let old = record("Holder", [("xs", Value::List(vec![Value::Int(1), Value::Str("two".into())]))]);
    let (h, m) = migrate::<Holder>("h", &old, || panic!("whole reset"));
    assert_eq!(h, Holder { xs: vec![] });
    assert_eq!(m.warnings(), vec!["state `h`: `h.xs` reset (`h.xs[1]` was str, now int)"]);
}

#[test]
fn map_entries_carry_their_key_in_paths() {
    let old = Value::Map(vec![(Value::Str("ada".into()), Value::Int(3)), (Value::Str("bob".into()), Value::Int(4))]);
    let (x, m) = migrate::<Map<String, f64>>("scores", &old, Map::new);
    assert_eq!(x.get("bob"), Some(&4.0));
    assert_eq!(x.keys().collect::<Vec<_>>(), vec!["ada", "bob"]);
    assert_eq!(m.changes()[0].path, "scores[\"ada\"]");

    let dup = Value::Map(vec![(Value::Int(1), Value::Unit), (Value::Int(1), Value::Unit)]);
    let (x, m) = migrate::<Map<i64, ()>>("d", &dup, Map::new);
    assert!(x.is_empty());
    assert_eq!(m.outcome(), Outcome::Reset);
}

#[test]
fn removed_variant_resets_with_a_warning() {
    let old = variant("Mode", "Flee", []);
    let (x, m) = migrate::<Mode>("mode", &old, || Mode::Idle);
    assert_eq!(x, Mode::Idle);
    assert_eq!(
        m.warnings(),
        vec![
            "state `mode`: `mode` reset (`mode` was variant `Flee`, which `Mode` no longer has; initializer run again)"
        ]
    );

    // In a list or map, only that element resets, to the enum's zero.
    let chase = Mode::Chase { target: 3 }.to_dyn();
    let (x, m) = migrate::<Vec<Mode>>("modes", &Value::List(vec![chase.clone(), old.clone()]), Vec::new);
    assert_eq!(x, vec![Mode::Chase { target: 3 }, Mode::Idle]);
    assert_eq!(m.outcome(), Outcome::Migrated);
    assert_eq!(
        m.warnings(),
        vec!["state `modes`: `modes[1]` reset (`modes[1]` was variant `Flee`, which `Mode` no longer has; now Idle)"]
    );
    let (x, m) = migrate::<Map<i64, Mode>>("by_id", &Value::Map(vec![(Value::Int(7), old.clone())]), Map::new);
    assert_eq!(x.get(&7), Some(&Mode::Idle));
    assert_eq!(m.resets(), 1);

    // A type without a zero (here a tuple) resets its whole container.
    let pair = |v: &Value| Value::Tuple(vec![v.clone(), Value::Int(1)]);
    let (x, m) = migrate::<Vec<(Mode, i64)>>("pairs", &Value::List(vec![pair(&chase), pair(&old)]), Vec::new);
    assert!(x.is_empty());
    assert_eq!(m.outcome(), Outcome::Reset);

    // Any other mismatch is not a removed variant: the list resets.
    let other = variant("Shape", "Idle", []);
    let (x, m) = migrate::<Vec<Mode>>("modes", &Value::List(vec![chase, other]), Vec::new);
    assert!(x.is_empty());
    assert_eq!(m.outcome(), Outcome::Reset);
}

#[test]
fn variant_payload_fields_are_matched_by_name() {
    let old = variant("Mode", "Chase", [("speed", Value::Float(1.0)), ("target", Value::Int(4))]);
    let (x, m) = migrate::<Mode>("mode", &old, || Mode::Idle);
    assert_eq!(x, Mode::Chase { target: 4 });
    assert_eq!(m.changes().len(), 1);
    assert_eq!(m.changes()[0].to_string(), "`mode.Chase.speed` dropped (no longer a field)");
}

#[test]
fn functions_never_migrate() {
    let f: Rc<dyn Fn(i64) -> i64> = Rc::new(|x| x + 1);
    assert_eq!(f.to_dyn(), Value::Fn);
    let (g, m) = migrate::<Rc<dyn Fn(i64) -> i64>>("handler", &Value::Fn, || Rc::new(|x| x * 2));
    assert_eq!(g(4), 8);
    assert_eq!(
        m.warnings(),
        vec!["state `handler`: `handler` reset (`handler` is a function value, which cannot be carried across a reload; initializer run again)"]
    );
}

#[test]
fn a_function_placeholder_never_survives_migration() {
    /// `struct Hook { n: int, run: fn(int) -> int }`, as generated.
    struct Hook {
        n: i64,
        run: Rc<dyn Fn(i64) -> i64>,
    }
    impl Dyn for Hook {
        fn to_dyn(&self) -> Value {
            Value::Struct {
                ty: "Hook".into(),
                fields: vec![("n".into(), self.n.to_dyn()), ("run".into(), self.run.to_dyn())],
            }
        }
        fn from_dyn(v: &Value, m: &mut Migration) -> Option<Hook> {
            let f = m.struct_fields(v, "Hook")?;
            Some(Hook { n: m.field(f, "n", || 0), run: m.field_or_init(f, "run", || Rc::new(|_| unreachable!())) })
        }
        fn dyn_type() -> String {
            "Hook".into()
        }
    }
    let old = Hook { n: 4, run: Rc::new(|x| x + 1) }.to_dyn();
    let (h, m) = migrate::<Hook>("hook", &old, || Hook { n: -1, run: Rc::new(|x| x * 10) });
    assert_eq!((h.n, (h.run)(2)), (-1, 20));
    assert!(m.needs_init());
    assert_eq!(m.outcome(), Outcome::Reset);
    assert_eq!(m.warnings().len(), 2);
    assert_eq!(
        m.warnings()[1],
        "state `hook`: `hook` reset (`hook.run` would hold a function that cannot be carried across a reload; \
         initializer run again)"
    );
    // However deep the placeholder sits, the state takes its initializer.
    let (hs, m) = migrate::<Vec<Hook>>("hooks", &Value::List(vec![old]), Vec::new);
    assert!(hs.is_empty());
    assert_eq!(m.outcome(), Outcome::Reset);
}

#[test]
fn a_migrate_function_takes_over_when_the_old_shape_matches() {
    // The running program has `struct Point { x: float, y: float }`; the
    // new one calls it `Pos` and swaps the axes, which no automatic rule
    // would do. The hook's parameter type (`Pos`) need not be named
    // like the old type.
    let old = record("Point", [("x", Value::Float(1.0)), ("y", Value::Float(2.0))]);
    let swap = |p: Pos| Pos { x: p.y, y: p.x };
    let (p, m) = migrate_with::<Pos, Pos>("p", &old, swap, || panic!("hooked"));
    assert_eq!(p, Pos { x: 2.0, y: 1.0 });
    assert_eq!(m.outcome(), Outcome::Migrated);
    assert_eq!(m.changes()[0].to_string(), "`p` converted (by its `@migrate` function)");
    assert!(m.notes().is_empty());

    // Another shape (here a field more): the hook is not used, the
    // automatic rules apply, and a note says why.
    let newer = Pos { x: 5.0, y: 6.0 }.to_dyn();
    let mut three = old.clone();
    if let Value::Struct { fields, .. } = &mut three {
        fields.push(("z".into(), Value::Float(3.0)));
    }
    let (p, m) = migrate_with::<Pos, Pos>("p", &three, swap, || Pos { x: 0.0, y: 0.0 });
    assert_eq!(p, Pos { x: 0.0, y: 0.0 });
    assert_eq!(
        m.notes(),
        &["the `@migrate` function of state `p` was not used: the old value is not a Pos (`p.z` dropped (no longer a field))"]
    );

    // A value of the new type is kept, so a hook left in place does not
    // apply its change again on the next reload.
    let (p, m) = migrate_with::<Pos, Pos>("p", &newer, swap, || panic!("kept"));
    assert_eq!((p, m.outcome()), (Pos { x: 5.0, y: 6.0 }, Outcome::Kept));
    assert_eq!(m.notes(), &["the `@migrate` function of state `p` was not used: the value is a Pos already"]);
    let (x, m) = migrate_with::<Pos, f64>("n", &Value::Int(3), |_| 0.0, || 9.0);
    assert_eq!((x, m.outcome()), (3.0, Outcome::Migrated));
    assert_eq!(
        m.notes(),
        &["the `@migrate` function of state `n` was not used: the old value is not a Pos (`n` was int, now Pos)"]
    );
}

#[test]
fn state_text_migrates_or_resets_with_the_reason() {
    let text = vec![1i64, 2].to_dyn().encode();
    let (xs, m) = migrate_text::<Vec<f64>>("xs", &text, Vec::new);
    assert_eq!((xs, m.outcome()), (vec![1.0, 2.0], Outcome::Migrated));
    let (xs, m) = migrate_text::<Vec<f64>>("xs", "[i1,", || vec![9.0]);
    assert_eq!((xs, m.outcome()), (vec![9.0], Outcome::Reset));
    assert_eq!(
        m.warnings(),
        vec!["state `xs`: `xs` reset (malformed state text at byte 4: expected a value, found the end; initializer run again)"]
    );
}

#[test]
fn a_tally_reads_like_the_reload_line() {
    let mut t = Tally::default();
    for o in [Outcome::Kept, Outcome::Migrated, Outcome::Kept, Outcome::Reset] {
        t.add(o);
    }
    assert_eq!(t.to_string(), "state kept: 2, migrated: 1, reset: 1");
}

#[test]
fn max_tuple_is_the_longest_tuple_with_dyn() {
    // The code generator refuses longer tuples in migratable types by
    // this constant (`aether_transpile::codegen::dynval`).
    fn has_dyn<T: Dyn>() -> String {
        T::dyn_type()
    }
    type Longest = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let shape = has_dyn::<Longest>();
    assert_eq!(shape.matches("int").count(), MAX_TUPLE, "{shape}");
}

#[test]
fn tuples_match_by_position_and_arity() {
    let (x, m) = migrate::<(f64, String)>("t", &(1i64, "a".to_string()).to_dyn(), || (0.0, String::new()));
    assert_eq!(x, (1.0, "a".to_string()));
    assert_eq!(m.changes()[0].path, "t.0");
    let (x, m) = migrate::<(i64, i64)>("t", &(1i64, 2i64, 3i64).to_dyn(), || (0, 0));
    assert_eq!(x, (0, 0));
    assert_eq!(m.outcome(), Outcome::Reset);
}

#[test]
fn type_names_read_like_aether() {
    assert_eq!(<Map<String, Vec<Option<(i64, f64)>>>>::dyn_type(), "{str: [(int, float)?]}");
    assert_eq!(<Result<Box<Pos>, Error>>::dyn_type(), "Pos!");
    assert_eq!(Value::List(vec![]).type_name(), "[]");
    assert_eq!(Value::Variant { ty: "Mode".into(), variant: "Idle".into(), fields: vec![] }.type_name(), "Mode.Idle");
    assert_eq!(
        old_enemy(1, "x", 0.0).to_string(),
        "Enemy { name: \"orc\", pos: Pos { y: 2.0, x: 0.0 }, kind: \"x\", hp: 1 }"
    );
}

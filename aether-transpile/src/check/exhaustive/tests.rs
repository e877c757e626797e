//! Unit tests of the usefulness algorithm on hand-built patterns and types
//! (the checker's snapshot tests in `tests/check.rs` cover it from source).

use super::*;
use crate::source::Span;
use crate::ty::{FieldDef, ModuleId, StructDef, TypeDef, TypeDefKind, VariantDef};
use std::time::{Duration, Instant};

fn add_enum(table: &mut TypeTable, name: &str, variants: &[(&str, Vec<Ty>)]) -> TypeId {
    let variants = variants
        .iter()
        .map(|(vname, fields)| VariantDef {
            name: vname.to_string(),
            fields: fields
                .iter()
                .enumerate()
                .map(|(i, ty)| FieldDef {
                    name: format!("f{i}"),
                    ty: ty.clone(),
                    has_default: false,
                    span: Span::default(),
                })
                .collect(),
            span: Span::default(),
        })
        .collect();
    table.add(TypeDef {
        name: name.to_string(),
        generics: Vec::new(),
        module: ModuleId(0),
        is_pub: false,
        span: Span::default(),
        kind: TypeDefKind::Enum(EnumDef { variants }),
    })
}

/// `enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }`
fn shapes() -> (TypeTable, TypeId) {
    let mut table = TypeTable::default();
    let id = add_enum(
        &mut table,
        "Shape",
        &[("Circle", vec![Ty::Float]), ("Rect", vec![Ty::Float, Ty::Float]), ("Empty", vec![])],
    );
    (table, id)
}

fn circle(id: TypeId) -> Pat {
    Pat::Ctor(Ctor::Variant(id, 0), vec![Pat::Wild])
}
fn rect(id: TypeId) -> Pat {
    Pat::Ctor(Ctor::Variant(id, 1), vec![Pat::Wild, Pat::Wild])
}
fn empty(id: TypeId) -> Pat {
    Pat::Ctor(Ctor::Variant(id, 2), vec![])
}
fn b(v: bool) -> Pat {
    Pat::Ctor(Ctor::Bool(v), vec![])
}
fn int(n: i64) -> Pat {
    Pat::Ctor(Ctor::Int(n), vec![])
}
fn some(p: Pat) -> Pat {
    Pat::Ctor(Ctor::Some, vec![p])
}
fn none() -> Pat {
    Pat::Ctor(Ctor::None, vec![])
}
fn ok(p: Pat) -> Pat {
    Pat::Ctor(Ctor::Ok, vec![p])
}
fn err(p: Pat) -> Pat {
    Pat::Ctor(Ctor::Err, vec![p])
}
fn tuple(ps: Vec<Pat>) -> Pat {
    Pat::Ctor(Ctor::Tuple(ps.len()), ps)
}
fn or(ps: Vec<Pat>) -> Pat {
    Pat::Or(ps)
}
fn arms(ps: Vec<Pat>) -> Vec<(Pat, bool)> {
    ps.into_iter().map(|p| (p, false)).collect()
}
fn check(table: &TypeTable, ty: &Ty, arms: &[(Pat, bool)]) -> MatchCheck {
    check_match(table, ty, arms)
}
fn missing(ws: &[&str]) -> Vec<String> {
    ws.iter().map(|w| w.to_string()).collect()
}

/// The witnesses `check` reports missing are exactly `want`.
#[track_caller]
fn assert_missing(table: &TypeTable, ty: &Ty, arms: &[(Pat, bool)], want: &[&str]) {
    assert_eq!(check(table, ty, arms).missing, missing(want));
}

#[test]
fn exhaustive_enum() {
    let (table, id) = shapes();
    let r = check(&table, &Ty::Enum(id, vec![]), &arms(vec![circle(id), rect(id), empty(id)]));
    assert_eq!(r, MatchCheck::default());
    assert!(r.is_exhaustive());
}

#[test]
fn missing_variant() {
    let (table, id) = shapes();
    let r = check(&table, &Ty::Enum(id, vec![]), &arms(vec![circle(id), empty(id)]));
    assert_eq!(r.missing, missing(&["Shape.Rect(_, _)"]));
    assert_eq!(r.more, 0);
    assert!(r.unreachable.is_empty());
}

#[test]
fn no_arms_lists_every_variant() {
    let (table, id) = shapes();
    assert_missing(&table, &Ty::Enum(id, vec![]), &[], &["Shape.Circle(_)", "Shape.Rect(_, _)", "Shape.Empty"]);
    assert_missing(&table, &Ty::Bool, &[], &["true", "false"]);
    assert_missing(&table, &Ty::Int, &[], &["_"]);
}

#[test]
fn more_counts_witnesses_beyond_three() {
    let mut table = TypeTable::default();
    let names: Vec<String> = (0..10).map(|i| format!("V{i}")).collect();
    let variants: Vec<(&str, Vec<Ty>)> = names.iter().map(|n| (n.as_str(), vec![])).collect();
    let id = add_enum(&mut table, "Big", &variants);
    let r = check(&table, &Ty::Enum(id, vec![]), &arms(vec![Pat::Ctor(Ctor::Variant(id, 1), vec![])]));
    assert_eq!(r.missing, missing(&["Big.V0", "Big.V2", "Big.V3"]));
    assert_eq!(r.more, 6);
}

#[test]
fn nested_optional_of_enum() {
    let (table, id) = shapes();
    let ty = Ty::optional(Ty::Enum(id, vec![]));
    assert_missing(
        &table,
        &ty,
        &arms(vec![some(circle(id)), none()]),
        &["some(Shape.Rect(_, _))", "some(Shape.Empty)"],
    );

    assert_missing(
        &table,
        &ty,
        &arms(vec![some(empty(id))]),
        &["some(Shape.Circle(_))", "some(Shape.Rect(_, _))", "none"],
    );

    // The inner enum is never mentioned, so one `_` stands for all of it.
    assert_missing(&table, &ty, &arms(vec![none()]), &["some(_)"]);

    let r = check(&table, &ty, &arms(vec![some(Pat::Wild), none()]));
    assert!(r.is_exhaustive());
}

#[test]
fn tuple_of_bools() {
    let table = TypeTable::default();
    let ty = Ty::Tuple(vec![Ty::Bool, Ty::Bool]);
    assert_missing(
        &table,
        &ty,
        &arms(vec![tuple(vec![b(true), b(true)]), tuple(vec![b(true), b(false)]), tuple(vec![b(false), b(false)])]),
        &["(false, true)"],
    );

    // A wildcard in the second column covers the whole `true` row at once.
    assert_missing(&table, &ty, &arms(vec![tuple(vec![b(false), Pat::Wild])]), &["(true, _)"]);

    assert_missing(
        &table,
        &ty,
        &arms(vec![tuple(vec![b(true), Pat::Wild]), tuple(vec![Pat::Wild, b(false)])]),
        &["(false, true)"],
    );

    let r = check(
        &table,
        &ty,
        &arms(vec![
            tuple(vec![b(true), Pat::Wild]),
            tuple(vec![Pat::Wild, b(false)]),
            tuple(vec![b(false), b(true)]),
            tuple(vec![b(true), b(true)]),
        ]),
    );
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![3]);
}

#[test]
fn int_literals() {
    let table = TypeTable::default();
    let r = check(&table, &Ty::Int, &arms(vec![int(1), int(2), int(-3)]));
    assert_eq!(r.missing, missing(&["_"]));
    assert!(r.unreachable.is_empty());

    let r = check(&table, &Ty::Int, &arms(vec![int(1), int(2), Pat::Wild]));
    assert_eq!(r, MatchCheck::default());

    let r = check(&table, &Ty::Int, &arms(vec![int(1), int(1), Pat::Wild, int(3)]));
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![1, 3]);

    // Witnesses through a literal column: `_` stands for any int.
    let ty = Ty::Tuple(vec![Ty::Int, Ty::Bool]);
    assert_missing(
        &table,
        &ty,
        &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![Pat::Wild, b(false)])]),
        &["(_, true)"],
    );

    // `(1, false)` is uncovered too, but `(_, false)` already says so.
    assert_missing(
        &table,
        &ty,
        &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![Pat::Wild, b(true)])]),
        &["(_, false)"],
    );
    assert_missing(&table, &ty, &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![int(2), b(false)])]), &["(_, _)"]);
    let s = Ty::Tuple(vec![Ty::Int, Ty::Int]);
    assert_missing(&table, &s, &arms(vec![tuple(vec![int(1), int(5)]), tuple(vec![Pat::Wild, int(6)])]), &["(_, _)"]);
}

#[test]
fn other_literal_kinds() {
    let table = TypeTable::default();
    let s = |v: &str| Pat::Ctor(Ctor::Str(v.to_string()), vec![]);
    let r = check(&table, &Ty::Str, &arms(vec![s("a"), s("b"), s("a")]));
    assert_eq!(r.missing, missing(&["_"]));
    assert_eq!(r.unreachable, vec![2]);

    let f = |v: f64| Pat::Ctor(Ctor::Float(v.to_bits()), vec![]);
    let r = check(&table, &Ty::Float, &arms(vec![f(1.5), Pat::Wild, f(2.0)]));
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![2]);

    let unit = Pat::Ctor(Ctor::Unit, vec![]);
    let r = check(&table, &Ty::Unit, &arms(vec![unit.clone(), unit]));
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![1]);
    assert_eq!(check(&table, &Ty::Unit, &[]).missing, missing(&["()"]));
}

#[test]
fn guarded_arms_do_not_cover() {
    let (table, id) = shapes();
    let ty = Ty::Enum(id, vec![]);
    let r = check(&table, &ty, &[(circle(id), true), (rect(id), false), (empty(id), false)]);
    assert_eq!(r.missing, missing(&["Shape.Circle(_)"]));
    assert!(r.unreachable.is_empty());

    let r = check(&table, &ty, &[(circle(id), true), (circle(id), false), (rect(id), false), (empty(id), false)]);
    assert_eq!(r, MatchCheck::default());

    assert_missing(&table, &Ty::Int, &[(Pat::Wild, true)], &["_"]);

    // A guarded arm behind a catch-all is still reported.
    let r = check(&table, &ty, &[(Pat::Wild, false), (empty(id), true)]);
    assert_eq!(r.unreachable, vec![1]);
}

#[test]
fn unreachable_after_wildcard() {
    let (table, id) = shapes();
    let ty = Ty::Enum(id, vec![]);
    let r = check(&table, &ty, &arms(vec![empty(id), Pat::Wild, empty(id), circle(id)]));
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![2, 3]);

    let r = check(&table, &ty, &arms(vec![circle(id), rect(id), empty(id), Pat::Wild]));
    assert_eq!(r.unreachable, vec![3]);

    // Nested: `some(_)` already covers `some(Shape.Empty)`.
    let opt = Ty::optional(Ty::Enum(id, vec![]));
    let r = check(&table, &opt, &arms(vec![some(Pat::Wild), some(empty(id)), none()]));
    assert_eq!(r.unreachable, vec![1]);
}

#[test]
fn or_patterns() {
    let (table, id) = shapes();
    let ty = Ty::Enum(id, vec![]);
    let r = check(&table, &ty, &arms(vec![or(vec![circle(id), empty(id)]), rect(id)]));
    assert_eq!(r, MatchCheck::default());

    // Partly new: reachable, and the covered alternative is not reported.
    let r = check(&table, &ty, &arms(vec![or(vec![circle(id), empty(id)]), or(vec![empty(id), rect(id)])]));
    assert_eq!(r, MatchCheck::default());

    let r = check(&table, &ty, &arms(vec![circle(id), empty(id), or(vec![empty(id), circle(id)]), rect(id)]));
    assert_eq!(r.unreachable, vec![2]);

    // Alternatives nested inside a constructor.
    let opt = Ty::optional(Ty::Enum(id, vec![]));
    assert_missing(
        &table,
        &opt,
        &arms(vec![some(or(vec![circle(id), empty(id)])), none()]),
        &["some(Shape.Rect(_, _))"],
    );
    let r = check(&table, &opt, &arms(vec![some(or(vec![circle(id), empty(id)])), or(vec![none(), some(rect(id))])]));
    assert_eq!(r, MatchCheck::default());

    // An empty or-pattern matches nothing, so it is unreachable.
    let r = check(&table, &Ty::Bool, &arms(vec![or(vec![]), Pat::Wild]));
    assert_eq!(r.unreachable, vec![0]);
}

#[test]
fn results() {
    let table = TypeTable::default();
    let ty = Ty::result(Ty::Bool);
    assert_missing(&table, &ty, &arms(vec![ok(b(true)), err(Pat::Wild)]), &["ok(false)"]);

    assert_missing(&table, &ty, &arms(vec![ok(Pat::Wild)]), &["err(_)"]);

    let msg = Pat::Ctor(Ctor::Str("boom".to_string()), vec![]);
    assert_missing(&table, &ty, &arms(vec![ok(Pat::Wild), err(msg)]), &["err(_)"]);

    let r = check(&table, &ty, &arms(vec![err(Pat::Wild), ok(Pat::Wild), ok(b(true))]));
    assert!(r.is_exhaustive());
    assert_eq!(r.unreachable, vec![2]);
}

#[test]
fn witness_rendering() {
    let (table, id) = shapes();
    let nested = some(tuple(vec![empty(id), ok(Pat::Wild), err(Pat::Wild), none()]));
    assert_eq!(render_pat(&table, &nested), "some((Shape.Empty, ok(_), err(_), none))");
    assert_eq!(render_pat(&table, &Pat::Ctor(Ctor::Unit, vec![])), "()");
    assert_eq!(render_pat(&table, &int(-7)), "-7");
    let f = Pat::Ctor(Ctor::Float(2.0f64.to_bits()), vec![]);
    assert_eq!(render_pat(&table, &f), "2.0");
    let s = Pat::Ctor(Ctor::Str("a\"{b}\n".to_string()), vec![]);
    assert_eq!(render_pat(&table, &s), r#""a\"{{b}}\n""#);
    assert_eq!(render_pat(&table, &or(vec![b(true), b(false)])), "true | false");
    // Dangling ids render as `?` rather than panicking.
    let bad = Pat::Ctor(Ctor::Variant(TypeId(99), 5), vec![Pat::Wild]);
    assert_eq!(render_pat(&table, &bad), "?.?(_)");

    // Witnesses nest through several levels of types.
    let ty = Ty::Tuple(vec![Ty::optional(Ty::Enum(id, vec![])), Ty::Unit]);
    let unit = Pat::Ctor(Ctor::Unit, vec![]);
    assert_missing(
        &table,
        &ty,
        &arms(vec![
            tuple(vec![some(circle(id)), Pat::Wild]),
            tuple(vec![some(rect(id)), unit]),
            tuple(vec![none(), Pat::Wild]),
        ]),
        &["(some(Shape.Empty), ())"],
    );
}

#[test]
fn irrefutable_patterns() {
    let (table, id) = shapes();
    let pair = Ty::Tuple(vec![Ty::Int, Ty::Unit]);
    let unit = Pat::Ctor(Ctor::Unit, vec![]);
    assert!(is_irrefutable(&table, &pair, &tuple(vec![Pat::Wild, unit])));
    assert!(is_irrefutable(&table, &pair, &Pat::Wild));
    assert!(!is_irrefutable(&table, &pair, &tuple(vec![int(0), Pat::Wild])));
    assert!(!is_irrefutable(&table, &Ty::optional(Ty::Int), &some(Pat::Wild)));
    assert!(!is_irrefutable(&table, &Ty::Enum(id, vec![]), &circle(id)));
}

#[test]
fn unknown_scrutinee_reports_nothing_missing() {
    let (table, id) = shapes();
    for ty in [Ty::Error, Ty::Var(crate::ty::TyVar(0)), Ty::Never] {
        assert_eq!(check(&table, &ty, &arms(vec![int(1)])), MatchCheck::default());
        assert_eq!(check(&table, &ty, &[]), MatchCheck::default());
        // Reachability still works on what the arms themselves say.
        let r = check(&table, &ty, &arms(vec![int(1), int(1), circle(id)]));
        assert_eq!(r.unreachable, vec![1]);
        assert!(r.missing.is_empty());
    }
    // An unknown type inside a known one is not reported either.
    let ty = Ty::optional(Ty::Error);
    let r = check(&table, &ty, &arms(vec![some(int(1)), none()]));
    assert_eq!(r, MatchCheck::default());
}

#[test]
fn opaque_types_need_a_wildcard() {
    let mut table = TypeTable::default();
    let sid = table.add(TypeDef {
        name: "Ball".to_string(),
        generics: Vec::new(),
        module: ModuleId(0),
        is_pub: false,
        span: Span::default(),
        kind: TypeDefKind::Struct(StructDef::default()),
    });
    for ty in [Ty::Struct(sid, vec![]), Ty::list(Ty::Int), Ty::map(Ty::Str, Ty::Int)] {
        assert_eq!(check(&table, &ty, &[]).missing, missing(&["_"]));
        let r = check(&table, &ty, &arms(vec![Pat::Wild, Pat::Wild]));
        assert_eq!(r.unreachable, vec![1]);
        assert!(r.is_exhaustive());
    }
    // A struct id used as if it were an enum has no variants to list.
    assert_missing(&table, &Ty::Enum(sid, vec![]), &[], &["_"]);
}

#[test]
fn empty_enum_is_exhaustive() {
    let mut table = TypeTable::default();
    let id = add_enum(&mut table, "Void", &[]);
    assert_eq!(check(&table, &Ty::Enum(id, vec![]), &[]), MatchCheck::default());
    assert_eq!(check(&table, &Ty::Enum(id, vec![]), &arms(vec![Pat::Wild])), MatchCheck::default());
}

#[test]
fn inconsistent_input_does_not_panic_or_cascade() {
    let (table, id) = shapes();
    let ty = Ty::Enum(id, vec![]);
    let bad_arms = [
        Pat::Ctor(Ctor::Variant(id, 7), vec![]),
        Pat::Ctor(Ctor::Variant(TypeId(42), 0), vec![]),
        Pat::Ctor(Ctor::Variant(id, 0), vec![Pat::Wild, Pat::Wild]),
        int(3),
        tuple(vec![Pat::Wild]),
        or(vec![circle(id), b(true)]),
    ];
    for bad in bad_arms {
        // The bad arm is neither reported nor allowed to trigger a
        // missing-case report of its own.
        let r = check(&table, &ty, &arms(vec![bad.clone(), circle(id), Pat::Wild]));
        assert_eq!(r, MatchCheck::default(), "{bad:?}");
        let r = check(&table, &ty, &arms(vec![bad.clone()]));
        assert_eq!(r, MatchCheck::default(), "{bad:?}");
        assert!(is_irrefutable(&table, &ty, &bad));
    }
    // Ill-formed arms elsewhere do not hide unreachable ones.
    let r = check(&table, &ty, &arms(vec![int(3), Pat::Wild, empty(id)]));
    assert_eq!(r.unreachable, vec![2]);
    // A tuple type of the wrong width.
    let pair = Ty::Tuple(vec![Ty::Bool, Ty::Bool]);
    let r = check(&table, &pair, &arms(vec![tuple(vec![b(true), b(true), b(true)])]));
    assert_eq!(r, MatchCheck::default());
}

#[test]
fn deep_patterns_stay_bounded() {
    let table = TypeTable::default();
    let mut ty = Ty::Bool;
    let mut pat = b(true);
    for _ in 0..5_000 {
        ty = Ty::optional(ty);
        pat = some(pat);
    }
    // Too deep to analyse: the quiet answer, without overflowing the stack.
    assert_eq!(check(&table, &ty, &arms(vec![pat])), MatchCheck::default());

    let mut ty = Ty::Bool;
    let mut pat = b(true);
    for _ in 0..50 {
        ty = Ty::optional(ty);
        pat = some(pat);
    }
    let r = check(&table, &ty, &arms(vec![pat]));
    assert_eq!(r.missing.len(), 3);
    assert!(r.missing[0].starts_with("some(some("));
    assert_eq!(r.more, 48);
}

#[test]
fn deep_types_stay_bounded() {
    let table = TypeTable::default();
    // A wildcard on a single-constructor type is split into its fields,
    // so recursion follows the type's size, not the pattern's: each
    // level here is two columns, so 195 levels come close to the cap.
    for (depth, gives_up) in [(195, false), (3_000, true)] {
        let mut ty = Ty::Bool;
        for _ in 0..depth {
            ty = Ty::Tuple(vec![ty, Ty::Unit]);
        }
        let (r, gave_up) = check_match_with_budget(&table, &ty, &[], BUDGET);
        assert_eq!(gave_up, gives_up);
        if gives_up {
            assert_eq!(r, MatchCheck::default());
        } else {
            assert_eq!(r.missing.len(), 1);
            assert!(r.missing[0].starts_with("(((("));
        }
        let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(vec![Pat::Wild, Pat::Wild]), BUDGET);
        assert_eq!(gave_up, gives_up);
        if !gives_up {
            assert_eq!(r.unreachable, vec![1]);
        }
    }
}

#[test]
fn budget_cap() {
    let (table, id) = shapes();
    // A tiny budget gives up, and giving up means silence.
    let r = check_match_with_budget(&table, &Ty::Enum(id, vec![]), &arms(vec![circle(id)]), 3);
    assert_eq!(r, (MatchCheck::default(), true));
    let r = check_match_with_budget(&table, &Ty::Enum(id, vec![]), &arms(vec![Pat::Wild, Pat::Wild]), 1);
    assert_eq!(r, (MatchCheck::default(), true));
    // Every budget gives either the exact answer or a quiet subset of
    // it; some budgets suffice for reachability but not for the witness
    // search, and then the (complete) reachability answer stays.
    let exact = check(&table, &Ty::Enum(id, vec![]), &arms(vec![circle(id), circle(id)]));
    assert_eq!(exact.unreachable, vec![1]);
    let (mut partial_seen, mut exact_seen) = (false, false);
    for budget in 0..100 {
        let (r, gave_up) =
            check_match_with_budget(&table, &Ty::Enum(id, vec![]), &arms(vec![circle(id), circle(id)]), budget);
        if !gave_up {
            assert_eq!(r, exact);
            exact_seen = true;
        } else if r.unreachable.is_empty() {
            assert_eq!(r, MatchCheck::default());
        } else {
            assert_eq!(r, MatchCheck { unreachable: vec![1], ..MatchCheck::default() });
            partial_seen = true;
        }
    }
    assert!(partial_seen && exact_seen);

    // Many arms: a thousand int literals stay within the budget.
    let start = Instant::now();
    let mut many: Vec<Pat> = (0..1_000).map(int).collect();
    many.push(int(500));
    let (r, gave_up) = check_match_with_budget(&table, &Ty::Int, &arms(many), BUDGET);
    assert!(!gave_up);
    assert_eq!(r.missing, missing(&["_"]));
    assert_eq!(r.unreachable, vec![1_000]);
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// Random three-literal rows over many bool columns: deciding whether
/// they cover everything is a tautology check of a DNF formula
/// (co-NP-complete), so no budget-free algorithm is fast on all of them.
fn random_rows(n: usize, m: usize, seed: u64) -> Vec<Pat> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..m)
        .map(|_| {
            let mut ps = vec![Pat::Wild; n];
            for _ in 0..3 {
                let col = next() % n;
                ps[col] = b(next() % 2 == 0);
            }
            tuple(ps)
        })
        .collect()
}

#[test]
fn budget_cap_on_pathological_input() {
    let table = TypeTable::default();
    let n = 40;
    let ty = Ty::Tuple(vec![Ty::Bool; n]);
    let rows = random_rows(n, 170, 1);
    let start = Instant::now();
    let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(rows), BUDGET);
    assert!(gave_up);
    assert_eq!(r, MatchCheck::default());
    // Generous even for an unoptimized build: the cap is what bounds it.
    assert!(start.elapsed() < Duration::from_secs(20));

    // Smaller instances of the same kind are answered exactly.
    let n = 8;
    let ty = Ty::Tuple(vec![Ty::Bool; n]);
    let rows = random_rows(n, 12, 7);
    let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(rows.clone()), BUDGET);
    assert!(!gave_up);
    assert_eq!(r.is_exhaustive(), brute_force_uncovered(&rows, n).is_empty());
    // Every reported witness really is uncovered.
    let uncovered = brute_force_uncovered(&rows, n);
    for w in &r.missing {
        let fixed: Vec<Option<bool>> = w
            .trim_matches(|c| c == '(' || c == ')')
            .split(", ")
            .map(|x| match x {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            })
            .collect();
        assert!(
            uncovered.iter().any(|v| fixed.iter().zip(v).all(|(f, x)| f.is_none_or(|f| f == *x))),
            "{w} is covered"
        );
    }
}

/// Every assignment of `n` bools that no row matches, by enumeration.
fn brute_force_uncovered(rows: &[Pat], n: usize) -> Vec<Vec<bool>> {
    let matches = |p: &Pat, v: bool| match p {
        Pat::Ctor(Ctor::Bool(x), _) => *x == v,
        _ => true,
    };
    (0..1u32 << n)
        .map(|bits| (0..n).map(|i| bits >> i & 1 == 1).collect::<Vec<bool>>())
        .filter(|vals| {
            !rows.iter().any(|row| match row {
                Pat::Ctor(_, ps) => ps.iter().zip(vals).all(|(p, v)| matches(p, *v)),
                _ => true,
            })
        })
        .collect()
}

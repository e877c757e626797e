//! Checker snapshot tests of generic functions (`check/generics.rs`): what
//! is accepted, the needs inferred from a body and checked at each use
//! (E0320), uses whose type arguments cannot be inferred (E0306), and what
//! may not be generic (E0321).

mod support;

use support::check;

check!(
    accepts_generic_functions,
    r#"fn first<T>(xs: [T]) -> T? {
    if xs.len() == 0 {
        return none
    }
    return xs[0]
}
fn pair<A, B>(a: A, b: B) -> (A, B) { (a, b) }
fn apply<T, U>(xs: [T], f: fn(T) -> U) -> [U] {
    var out: [U] = []
    for x in xs {
        out.push(f(x))
    }
    return out
}
fn count<T>(xs: [T], x: T) -> int {
    var n = 0
    for y in xs {
        if y == x {
            n += 1
        }
    }
    return n
}
fn index<K>(keys: [K]) -> {K: int} {
    var m: {K: int} = {}
    for k in keys {
        m[k] = m.len()
    }
    return m
}
fn largest<T>(xs: [T]) -> T? {
    var sorted = xs
    sorted.sort()
    return sorted.pop()
}
fn twice<T>(xs: [T]) -> T? { largest(xs) }
fn main() {
    let a: int? = first([1, 2])
    let p: (int, str) = pair(1, "one")
    let words = apply([1, 2], |x| "n{x}")
    let f = first
    let b: bool? = f([true])
    println("{a} {p} {words} {b} {count(["a"], "a")} {index([(1, "x")])} {twice([0.5])}")
}
"#
);

check!(
    e0320_needs_not_met,
    r#"enum Shape { Dot, Circle(r: float) }
fn largest<T>(xs: [T]) -> T? {
    var best: T? = none
    for x in xs {
        if let b = best {
            if x > b {
                best = x
            }
        } else {
            best = x
        }
    }
    return best
}
fn passes_on<T>(xs: [T]) -> T? { largest(xs) }
fn keys<K>(k: K) -> {K: int} { {k: 1} }
fn empty<K>() -> {K: str} { {} }
fn same<T>(a: T, b: T) -> bool { a == b }
fn main() {
    let _a = passes_on([Shape.Dot])
    let _b = keys(1.5)
    let _c: {float: str} = {}
    let _d = same(|x: int| x, |y: int| y)
    let _e = largest([[1]])
}
"#
);

check!(
    e0320_e0321_generic_rules,
    r#"struct S { a: int }
fn add<T>(a: T, b: T) -> T { a + b }
fn field<T>(x: T) -> int { x.a }
fn S.get<T>(self, x: T) -> T { x }
@on_reload
fn hook<T>() {}
fn dup<T, T>(x: T) -> T { x }
fn main() {
    let _n: int = add(1, 2)
}
"#
);

check!(
    e0306_type_argument_not_inferred,
    r#"fn first<T>(xs: [T]) -> T? {
    if xs.len() == 0 {
        return none
    }
    return xs[0]
}
fn main() {
    let x = first([])
    println("{x}")
}
"#
);

check!(
    e0321_instances_without_end,
    r#"fn grow<T>(x: T, n: int) -> int {
    if n == 0 {
        return 0
    }
    return grow([x], n - 1)
}
fn main() {
    println("{grow(1, 3)}")
}
"#
);

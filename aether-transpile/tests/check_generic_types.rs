//! Checker snapshot tests of generic structs and enums (`struct Pair<A, B>`,
//! `enum Tree<T>`): type arguments written in types and inferred at
//! literals, variants and patterns, generic functions over them, the needs
//! (`==`, map keys) asked of their arguments, exhaustiveness through them,
//! methods of generic types, and what is refused (E0322, E0300, E0311,
//! E0320, E0321).

mod support;

use support::check;

check!(
    accepts_generic_types,
    [
        (
            "main.ae",
            r#"import shapes
struct Pair<A, B> { first: A, second: B }
enum Tree<T> {
    Leaf
    Node(left: Tree<T>, value: T, right: Tree<T>)
}
fn first_of<T>(p: Pair<T, T>) -> T { p.first }
fn swap<A, B>(p: Pair<A, B>) -> Pair<B, A> { Pair { first: p.second, second: p.first } }
fn size<T>(t: Tree<T>) -> int {
    match t {
        Leaf => 0
        Node(l, _, r) => size(l) + 1 + size(r)
    }
}
fn same<T>(a: T, b: T) -> bool { a == b }
fn Pair.flip(self) -> Pair<B, A> { swap(self) }
fn Pair.set(mut self, a: A) { self.first = a }
fn Pair.of(a: A, b: B) -> Pair<A, B> { Pair { first: a, second: b } }
fn Tree.has(self, v: T) -> bool {
    match self {
        Leaf => false
        Node(l, x, r) => x == v || l.has(v) || r.has(v)
    }
}
state best: Pair<int, str> = Pair { first: 0, second: "none" }
fn main() {
    let p = Pair { first: 1, second: "a" }
    let q: Pair<int, str> = Pair { first: 2, second: "b" }
    let t = Tree.Node(Tree.Leaf, 3, Tree.Leaf)
    let u: Tree<str> = Tree.Leaf
    let b = shapes.Boxed { item: shapes.Shape.Dot }
    let o: shapes.Opt<[int]> = shapes.Opt.Some([1])
    let keys: {Pair<int, str>: bool} = {p: true}
    let Pair { first, second } = q
    match o {
        Some(xs) => println("{xs}")
        None => println("none")
    }
    match shapes.Opt.Some(b) {
        Some(shapes.Boxed { item: Dot }) => println("dot")
        Some(shapes.Boxed { item: Circle(r) }) => println("{r}")
        None => {}
    }
    best.first += first
    best.set(3)
    let of = Pair.of
    let flipped: Pair<bool, [int]> = of([1], true).flip()
    println("{flipped} {t.has(3)} {Pair.of(1, 2).flip()}")
    println("{p == q} {swap(p)} {first_of(Pair { first: 1, second: 2 })} {size(t)} {u} {keys} {second}")
    println("{same(p, q)} {best} {shapes.unbox(b)}")
}
"#
        ),
        (
            "shapes.ae",
            r#"pub enum Shape { Dot, Circle(r: float) }
pub struct Boxed<T> { item: T }
pub enum Opt<T> { None, Some(value: T) }
pub fn unbox<T>(b: Boxed<T>) -> T { b.item }
"#
        ),
    ]
);

check!(
    e0322_invalid_generic_types,
    r#"struct Pair<A, B> { first: A, second: B }
struct Plain { x: int }
struct Unused<T> { x: int }
struct Twice<T, T> { x: T }
struct Defaulted<T> { x: T, n: int = 0, xs: [T] = [] }
struct Keyed<K> { m: {K: int}, ok: {int: K} }
fn Pair.own<T>(self, x: T) -> T { x }
fn one(_p: Pair<int>) {}
fn bare(_p: Pair) {}
fn plain(_p: Plain<int>) {}
fn prim(_x: int<str>) {}
fn main() {}
"#
);

check!(
    generic_type_mismatches,
    r#"struct Pair<A, B> { first: A, second: B }
struct Wrap<T> { inner: T }
struct Loop { w: Wrap<Loop> }
enum Opt<T> { None, Some(value: T) }
enum Shape { Dot, Circle(r: float) }
struct Bad<A> { x: B }
fn same<T>(a: T, b: T) -> bool { a == b }
fn main() {
    let p: Pair<int, str> = Pair { first: "a", second: 1 }
    let o: Opt<int> = Opt.Some("no")
    let w = Wrap { inner: |x: int| x }
    let _eq = same(w, w)
    let _m: {Wrap<float>: int} = {}
    let s: Opt<Shape> = Opt.Some(Shape.Dot)
    match s {
        Some(Dot) => {}
        None => {}
    }
    let n: Opt<int> = Opt.None
    let i: int = n
    println("{p} {o} {i}")
}
"#
);

check!(
    e0306_type_arguments_not_inferred,
    r#"enum Opt<T> { None, Some(value: T) }
struct Bag<T> { items: [T] }
fn main() {
    println(Opt.None)
}
fn other() {
    let b = Bag { items: [] }
    println("{b}")
}
fn fine() {
    let b: Bag<str> = Bag { items: [] }
    let o: Opt<Bag<int>> = Opt.None
    println("{b} {o}")
}
"#
);

check!(
    generic_methods_check_their_needs_and_receivers,
    r#"struct Pair<A, B> { first: A, second: B }
fn Pair.bigger(self, other: Pair<A, B>) -> bool { self.first > other.first }
fn Pair.keyed(self) -> {A: B} { {self.first: self.second} }
fn main() {
    let p = Pair { first: [1], second: [2] }
    println(p.bigger(p))
    let q = Pair { first: 1.5, second: 2 }
    println(q.keyed())
    let r: Pair<int, int> = Pair { first: 1, second: 2 }
    let s: Pair<str, int> = r.bigger(r)
}
"#
);

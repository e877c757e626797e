//! Times typed calls from Rust into Aether: `[N]` calls each of a pure
//! binding and a stateful one, in whatever mode the crate was built
//! (static with `cargo run --release`, hot-reloadable under
//! `cargo aether run --hmr --release`).

aether_rt::include_aether!(logic);

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let n: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    // `pure`, `stateful` or `pointer` makes only those calls (the others
    // none): how `valgrind --tool=cachegrind` counts one kind's
    // instructions.
    let only = std::env::args().nth(2);
    let calls = |kind: &str| if only.as_deref().is_none_or(|o| o == kind) { n } else { 0 };
    // The first call starts the runtime under --hmr: not part of the timing.
    black_box(logic::calls::add(1, 2));
    let started = Instant::now();
    let mut acc = 0;
    for i in 0..calls("pure") {
        acc = logic::calls::add(black_box(acc), black_box(i & 7));
    }
    let pure = started.elapsed();
    let started = Instant::now();
    for _ in 0..calls("stateful") {
        logic::calls::bump();
    }
    let stateful = started.elapsed();
    // The target's yardstick (issue #14: within 3 ns of the static call
    // plus one indirect call): the same addition, as a Rust function called
    // through a pointer the compiler cannot see through.
    let through_pointer: fn(i64, i64) -> i64 = black_box(add_checked);
    let started = Instant::now();
    let mut acc2 = 0;
    for i in 0..calls("pointer") {
        acc2 = through_pointer(black_box(acc2), black_box(i & 7));
    }
    let indirect = started.elapsed();
    let per = |d: std::time::Duration| d.as_nanos() as f64 / n as f64;
    println!(
        "{n} calls: pure {:.2} ns/call, stateful {:.2} ns/call, a Rust call through a pointer {:.2} ns/call \
         (checks: {acc}, {}, {acc2})",
        per(pure),
        per(stateful),
        per(indirect),
        logic::calls::total()
    );
}

/// `a + b` as Aether adds (an overflow is an error).
#[inline(never)]
fn add_checked(a: i64, b: i64) -> i64 {
    a.checked_add(b).expect("overflow")
}

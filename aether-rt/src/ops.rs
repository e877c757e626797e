//! Operations that can fail at run time, each taking the `.ae` location so
//! the error names the user's code. They are `#[inline]` and the failure
//! paths `#[cold]`, so the happy path costs what the bare Rust would.

use crate::{fail, Location, Map};
use std::hash::Hash;

/// `float.NAN`. Through this constant rather than `f64::NAN`, so that
/// `x == float.NAN` (always false, as Aether says) draws no rustc warning
/// in generated code.
pub const NAN: f64 = f64::NAN;

/// `xs[i]`
#[inline]
pub fn index<T>(xs: &[T], i: i64, loc: Location) -> &T {
    if in_bounds(i, xs.len()) {
        return &xs[i as usize];
    }
    index_fail(i, xs.len(), loc.file, loc.line, loc.col)
}

/// Whether `i` indexes a list of length `len`: one unsigned comparison,
/// since a negative `i` is beyond any length as a `u64` (issue #14: a loop's
/// bounds check was a sign test and a comparison, and LLVM kept both). The
/// slice indexing after it checks `i as usize` again, which LLVM removes.
#[inline(always)]
fn in_bounds(i: i64, len: usize) -> bool {
    (i as u64) < len as u64
}

/// `xs[i] = v`, `xs[i].f += 1`
#[inline]
pub fn index_mut<T>(xs: &mut [T], i: i64, loc: Location) -> &mut T {
    if in_bounds(i, xs.len()) {
        return &mut xs[i as usize];
    }
    index_fail(i, xs.len(), loc.file, loc.line, loc.col)
}

/// `xs[i]` where the list's type must fix the element type (an
/// `&[T]` parameter would let `&str` expectations infer `T = str`).
#[inline]
#[allow(clippy::ptr_arg)]
pub fn elem<T>(xs: &Vec<T>, i: i64, loc: Location) -> &T {
    index(xs, i, loc)
}

/// `xs[i] = v` with the index computed before the list is borrowed, so
/// the index expression may read the list (`xs[xs.len() - 1] = 0`).
#[inline]
pub fn elem_mut<T>(i: i64, xs: &mut [T], loc: Location) -> &mut T {
    index_mut(xs, i, loc)
}

/// `m[k] += 1`, with the key computed before the map is borrowed.
#[inline]
pub fn entry_mut<'m, K: Hash + Eq + crate::Show, V>(k: &K, m: &'m mut Map<K, V>, loc: Location) -> &'m mut V {
    key_mut(m, k, loc)
}

/// The location comes in its parts: a `Location` is passed by address, so
/// each indexing would write one to the stack before its bounds check
/// (LLVM merges the failing paths); the parts travel in registers and are
/// written only here.
#[cold]
#[inline(never)]
fn index_fail(i: i64, len: usize, file: &'static str, line: u32, col: u32) -> ! {
    fail(Location { file, line, col }, format!("index {i} is out of range for a list of length {len}"))
}

/// `m[k]`
#[inline]
pub fn key<'m, K: Hash + Eq + crate::Show, V>(m: &'m Map<K, V>, k: &K, loc: Location) -> &'m V {
    match m.get(k) {
        Some(v) => v,
        None => key_fail(k, loc),
    }
}

/// `m[k] += 1` (a missing key is an error; `m[k] = v` inserts instead).
#[inline]
pub fn key_mut<'m, K: Hash + Eq + crate::Show, V>(m: &'m mut Map<K, V>, k: &K, loc: Location) -> &'m mut V {
    match m.get_index_of(k) {
        Some(i) => &mut m[i],
        None => key_fail(k, loc),
    }
}

#[cold]
fn key_fail<K: crate::Show>(k: &K, loc: Location) -> ! {
    let mut shown = String::new();
    k.show_nested(&mut shown);
    fail(loc, format!("key {shown} is not in the map"))
}

// Integer arithmetic. Overflow is a runtime error at the `.ae` location in
// debug builds and wraps in release builds (docs/language.md). The
// profile is read with `cfg!(debug_assertions)` here, in the runtime, which
// is always built with the program's profile; `#[inline(always)]` keeps the
// checks inline even in unoptimized builds, and in release each function
// is exactly the wrapping instruction (the location is a constant that
// vanishes).

/// A binary int operation: checked in debug builds, wrapping in release.
macro_rules! int_op {
    ($(#[$doc:meta])* $name:ident, $checked:ident, $wrapping:ident, $symbol:literal) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(a: i64, b: i64, loc: Location) -> i64 {
            if cfg!(debug_assertions) {
                match a.$checked(b) {
                    Some(v) => v,
                    None => overflow(format_args!(concat!("{} ", $symbol, " {}"), a, b), loc),
                }
            } else {
                a.$wrapping(b)
            }
        }
    };
}

int_op!(
    /// `a + b` on ints.
    add, checked_add, wrapping_add, "+"
);
int_op!(
    /// `a - b` on ints.
    sub, checked_sub, wrapping_sub, "-"
);
int_op!(
    /// `a * b` on ints.
    mul, checked_mul, wrapping_mul, "*"
);

/// `-a` on ints.
#[inline(always)]
pub fn neg(a: i64, loc: Location) -> i64 {
    if cfg!(debug_assertions) {
        match a.checked_neg() {
            Some(v) => v,
            None => overflow(format_args!("-({a})"), loc),
        }
    } else {
        a.wrapping_neg()
    }
}

/// `a / b` on ints. Division by zero is an error in every build; the one
/// overflowing division, `-9223372036854775808 / -1`, is an overflow like
/// the others (an error in debug, wrapping to itself in release).
#[inline(always)]
pub fn div(a: i64, b: i64, loc: Location) -> i64 {
    if b == 0 {
        fail(loc, "division by zero");
    }
    if cfg!(debug_assertions) && a == i64::MIN && b == -1 {
        overflow(format_args!("{a} / {b}"), loc);
    }
    a.wrapping_div(b)
}

/// `a % b` on ints. `-9223372036854775808 % -1` is 0, as in mathematics:
/// the remainder never overflows.
#[inline(always)]
pub fn rem(a: i64, b: i64, loc: Location) -> i64 {
    if b == 0 {
        fail(loc, "remainder by zero");
    }
    a.wrapping_rem(b)
}

/// `a << b` on ints: bits shifted past the top are dropped (`1 << 63` is
/// the smallest int). A shift amount outside `0..=63` is an error in every
/// build.
#[inline(always)]
pub fn shl(a: i64, b: i64, loc: Location) -> i64 {
    if !(0..64).contains(&b) {
        shift_fail(b, loc);
    }
    a << b
}

/// `a >> b` on ints: an arithmetic shift (the sign is kept, `-8 >> 1` is
/// `-4`). A shift amount outside `0..=63` is an error in every build.
#[inline(always)]
pub fn shr(a: i64, b: i64, loc: Location) -> i64 {
    if !(0..64).contains(&b) {
        shift_fail(b, loc);
    }
    a >> b
}

/// A width or precision written `{expr}` in a format spec
/// (`{x:>{w}.{p}}`): Rust's formatter takes `0..=65535`, anything else is
/// an error at the expression's location, in every build.
#[inline(always)]
pub fn format_width(n: i64, loc: Location) -> usize {
    match u16::try_from(n) {
        Ok(n) => usize::from(n),
        Err(_) => format_width_fail(n, loc),
    }
}

#[cold]
#[inline(never)]
fn format_width_fail(n: i64, loc: Location) -> ! {
    fail(loc, format!("format width or precision {n} is out of range (0 to 65535)"))
}

#[cold]
#[inline(never)]
fn shift_fail(b: i64, loc: Location) -> ! {
    fail(loc, format!("shift amount {b} is out of range (0 to 63)"))
}

#[cold]
#[inline(never)]
fn overflow(operation: std::fmt::Arguments<'_>, loc: Location) -> ! {
    fail(loc, format!("integer overflow: {operation}"))
}

/// `xs[start..end]` (either bound optional; `inclusive` for `..=`).
pub fn slice<T: Clone>(xs: &[T], start: Option<i64>, end: Option<i64>, inclusive: bool, loc: Location) -> Vec<T> {
    let len = xs.len() as i64;
    let s = start.unwrap_or(0);
    let e = match end {
        Some(e) if inclusive => e.saturating_add(1),
        Some(e) => e,
        None => len,
    };
    if s < 0 || e > len || s > e {
        fail(loc, format!("slice {s}..{e} is out of range for a list of length {len}"));
    }
    xs[s as usize..e as usize].to_vec()
}

/// `assert(cond)` / `assert(cond, msg)`
#[inline]
pub fn assert(cond: bool, message: Option<&str>, loc: Location) {
    if !cond {
        fail(loc, message.map_or_else(|| "assertion failed".to_string(), |m| format!("assertion failed: {m}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOC: Location = Location { file: "t.ae", line: 3, col: 7 };

    fn message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let err = std::panic::catch_unwind(f).expect_err("should fail");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn failures_name_the_location() {
        assert_eq!(
            message(|| {
                index(&[1, 2, 3], 5, LOC);
            }),
            "index 5 is out of range for a list of length 3\n  --> t.ae:3:7"
        );
        assert!(message(|| {
            index(&[1], -1, LOC);
        })
        .starts_with("index -1 is out of range"));
        assert_eq!(
            message(|| {
                div(1, 0, LOC);
            }),
            "division by zero\n  --> t.ae:3:7"
        );
        let m: Map<String, i64> = Map::new();
        assert_eq!(
            message(|| {
                key(&m, &"k".to_string(), LOC);
            }),
            "key \"k\" is not in the map\n  --> t.ae:3:7"
        );
        assert!(message(|| {
            slice(&[1, 2], Some(1), Some(5), false, LOC);
        })
        .starts_with("slice 1..5"));
    }

    #[test]
    fn happy_paths() {
        assert_eq!(*index(&[1, 2, 3], 1, LOC), 2);
        assert_eq!(slice(&[1, 2, 3, 4], Some(1), Some(2), true, LOC), vec![2, 3]);
        assert_eq!(slice(&[1, 2, 3], None, None, false, LOC), vec![1, 2, 3]);
        assert_eq!(div(-7, 2, LOC), -3);
        assert_eq!(rem(-7, 2, LOC), -1);
        assert_eq!(rem(i64::MIN, -1, LOC), 0);
        assert_eq!(add(2, 3, LOC), 5);
        assert_eq!(sub(2, 3, LOC), -1);
        assert_eq!(mul(-4, 3, LOC), -12);
        assert_eq!(neg(i64::MAX, LOC), -i64::MAX);
        assert_eq!(shl(1, 63, LOC), i64::MIN);
        assert_eq!(shl(3, 2, LOC), 12);
        assert_eq!(shr(-8, 1, LOC), -4);
        assert_eq!(shr(i64::MAX, 62, LOC), 1);
        assert_eq!(
            message(|| {
                shl(1, 64, LOC);
            }),
            "shift amount 64 is out of range (0 to 63)\n  --> t.ae:3:7"
        );
        assert!(message(|| {
            shr(1, -1, LOC);
        })
        .starts_with("shift amount -1 is out of range"));
    }

    /// In a debug build overflow fails at the location.
    #[cfg(debug_assertions)]
    #[test]
    fn overflow_names_the_operation_and_location() {
        assert_eq!(
            message(|| {
                let _ = add(i64::MAX, 1, LOC);
            }),
            "integer overflow: 9223372036854775807 + 1\n  --> t.ae:3:7"
        );
        assert_eq!(
            message(|| {
                let _ = sub(i64::MIN, 1, LOC);
            }),
            "integer overflow: -9223372036854775808 - 1\n  --> t.ae:3:7"
        );
        assert_eq!(
            message(|| {
                let _ = mul(i64::MAX, 2, LOC);
            }),
            "integer overflow: 9223372036854775807 * 2\n  --> t.ae:3:7"
        );
        assert_eq!(
            message(|| {
                let _ = neg(i64::MIN, LOC);
            }),
            "integer overflow: -(-9223372036854775808)\n  --> t.ae:3:7"
        );
        assert_eq!(
            message(|| {
                let _ = div(i64::MIN, -1, LOC);
            }),
            "integer overflow: -9223372036854775808 / -1\n  --> t.ae:3:7"
        );
    }
}

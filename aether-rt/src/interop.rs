//! The `extern fn` boundary's number widths. Aether has one integer type,
//! `int` (`i64`), and one float, `float` (`f64`); Rust functions take and
//! return whichever width suits them (`usize` for lengths, `u8` for bytes,
//! `f32` for graphics). Generated code passes every `int`/`float` argument
//! of an `extern fn` through [`arg`] and its `int`/`float` result through
//! [`ret`]: the Rust function's own types choose the conversion, which is
//! checked. A value the other side cannot hold (`-1` for a `usize`, a
//! `u64` above `i64::MAX`, a finite `float` beyond `f32`'s range) is an
//! Aether runtime error at the `extern fn`'s `.ae` location ([`Declared`]),
//! never a silent truncation.

use crate::{fail, Location};
use std::fmt::Debug;

/// A Rust parameter type that an Aether value of type `A` converts to:
/// `None` when the value does not fit.
#[diagnostic::on_unimplemented(
    message = "an Aether number (`{A}`) cannot be passed as Rust's `{Self}`",
    label = "the Rust function takes `{Self}` here",
    note = "an `int` goes to any Rust integer type, a `float` to `f64` or `f32` (docs/rust-interop.md)"
)]
pub trait FromAether<A>: Sized {
    fn from_aether(value: A) -> Option<Self>;
}

/// A Rust result type that converts to an Aether value of type `A`:
/// `None` when the value does not fit.
#[diagnostic::on_unimplemented(
    message = "Rust's `{Self}` cannot be returned as an Aether number (`{A}`)",
    label = "the Rust function returns `{Self}`",
    note = "an `int` comes from any Rust integer type, a `float` from `f64` or `f32` (docs/rust-interop.md)"
)]
pub trait IntoAether<A> {
    fn into_aether(self) -> Option<A>;
}

macro_rules! integers {
    ($($t:ty)*) => {$(
        impl FromAether<i64> for $t {
            fn from_aether(value: i64) -> Option<$t> {
                <$t>::try_from(value).ok()
            }
        }
        impl IntoAether<i64> for $t {
            fn into_aether(self) -> Option<i64> {
                i64::try_from(self).ok()
            }
        }
    )*};
}

integers!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl FromAether<f64> for f64 {
    fn from_aether(value: f64) -> Option<f64> {
        Some(value)
    }
}

impl IntoAether<f64> for f64 {
    fn into_aether(self) -> Option<f64> {
        Some(self)
    }
}

/// Rounded to the nearest `f32`; infinities and NaN pass as they are, a
/// finite value beyond `f32::MAX` does not fit.
impl FromAether<f64> for f32 {
    fn from_aether(value: f64) -> Option<f32> {
        let narrow = value as f32;
        (narrow.is_finite() || !value.is_finite()).then_some(narrow)
    }
}

impl IntoAether<f64> for f32 {
    fn into_aether(self) -> Option<f64> {
        Some(f64::from(self))
    }
}

/// Where the `extern fn` that converts is declared, for its errors: its
/// `.ae` location; or, in the shims an `--hmr` host compiles, only its file
/// (the host is not rebuilt when an edit moves the declaration's line, so
/// it must not hold the line).
#[derive(Clone, Copy, Debug)]
pub enum Declared {
    At(Location),
    In(&'static str),
}

impl Declared {
    fn fail(self, message: std::fmt::Arguments<'_>) -> ! {
        match self {
            Declared::At(loc) => fail(loc, message),
            Declared::In(file) => panic!("{message}\n  --> {file}"),
        }
    }
}

/// The argument `value` as the Rust parameter type `R`; `what` names the
/// parameter (`` `extern fn at`: parameter `i` ``) for the error.
pub fn arg<A: Copy + Debug, R: FromAether<A>>(value: A, what: &str, at: Declared) -> R {
    match R::from_aether(value) {
        Some(r) => r,
        None => {
            at.fail(format_args!("{what} is {value:?}, which does not fit in Rust's `{}`", std::any::type_name::<R>()))
        }
    }
}

/// The Rust result `value` as the Aether type `A`; `what` names the call
/// (`` `extern fn len`: `strsim::levenshtein` ``) for the error.
pub fn ret<A: AetherName, R: IntoAether<A> + Copy + Debug>(value: R, what: &str, at: Declared) -> A {
    match value.into_aether() {
        Some(a) => a,
        None => at.fail(format_args!("{what} returned {value:?}, which does not fit in `{}`", A::NAME)),
    }
}

/// What Aether calls a number type, for messages.
pub trait AetherName {
    const NAME: &'static str;
}

impl AetherName for i64 {
    const NAME: &'static str = "int";
}

impl AetherName for f64 {
    const NAME: &'static str = "float";
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: Declared = Declared::At(Location { file: "t.ae", line: 3, col: 1 });

    fn caught<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).err().expect("a runtime error");
        payload.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn values_that_fit_convert_exactly() {
        assert_eq!(arg::<i64, usize>(7, "p", HERE), 7usize);
        assert_eq!(arg::<i64, u8>(255, "p", HERE), 255u8);
        assert_eq!(arg::<i64, i32>(-5, "p", HERE), -5i32);
        assert_eq!(arg::<i64, i64>(i64::MIN, "p", HERE), i64::MIN);
        assert_eq!(arg::<f64, f32>(0.5, "p", HERE), 0.5f32);
        assert!(arg::<f64, f32>(f64::NAN, "p", HERE).is_nan());
        assert_eq!(arg::<f64, f32>(f64::INFINITY, "p", HERE), f32::INFINITY);
        assert_eq!(ret::<i64, u64>(u64::try_from(i64::MAX).unwrap(), "r", HERE), i64::MAX);
        assert_eq!(ret::<i64, usize>(3, "r", HERE), 3);
        assert_eq!(ret::<i64, i8>(-3, "r", HERE), -3);
        assert_eq!(ret::<f64, f32>(1.5, "r", HERE), 1.5);
    }

    #[test]
    fn values_that_do_not_fit_are_runtime_errors_at_the_location() {
        let m = caught(|| arg::<i64, usize>(-1, "`extern fn f`: parameter `n`", HERE));
        assert_eq!(m, "`extern fn f`: parameter `n` is -1, which does not fit in Rust's `usize`\n  --> t.ae:3:1");
        let m = caught(|| arg::<i64, u8>(256, "p", HERE));
        assert!(m.contains("p is 256, which does not fit in Rust's `u8`"), "{m}");
        let m = caught(|| arg::<f64, f32>(1e300, "p", HERE));
        assert!(m.contains("p is 1e300, which does not fit in Rust's `f32`"), "{m}");
        let m = caught(|| ret::<i64, u64>(u64::MAX, "`extern fn g`: `c::g`", HERE));
        assert_eq!(
            m,
            "`extern fn g`: `c::g` returned 18446744073709551615, which does not fit in `int`\n  --> t.ae:3:1"
        );
    }
}

//! `str(v)` for every Aether value, and what `print` prints.
//!
//! Top-level strings show bare (`println("hi")` prints `hi`); strings inside
//! a collection are quoted (`["a", "b"]`) so the structure stays readable.
//! Floats always show a decimal point (`1.0`, not `1`) so an `int` and a
//! `float` never print alike.

use crate::{Error, Map};
use std::fmt::{self, Write};

pub trait Show {
    /// Append the value as `str(v)` shows it.
    fn show(&self, out: &mut String);

    /// Append the value as it appears inside a collection.
    fn show_nested(&self, out: &mut String) {
        self.show(out)
    }

    fn to_show_string(&self) -> String {
        let mut s = String::new();
        self.show(&mut s);
        s
    }
}

impl Show for i64 {
    fn show(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Show for f64 {
    fn show(&self, out: &mut String) {
        if self.is_finite() && self.fract() == 0.0 && self.abs() < 1e16 {
            let _ = write!(out, "{self:.1}");
        } else {
            let _ = write!(out, "{self}");
        }
    }
}

impl Show for bool {
    fn show(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Show for () {
    fn show(&self, out: &mut String) {
        out.push_str("()");
    }
}

impl Show for String {
    fn show(&self, out: &mut String) {
        out.push_str(self);
    }

    fn show_nested(&self, out: &mut String) {
        let _ = write!(out, "{self:?}");
    }
}

impl Show for str {
    fn show(&self, out: &mut String) {
        out.push_str(self);
    }

    fn show_nested(&self, out: &mut String) {
        let _ = write!(out, "{self:?}");
    }
}

impl<T: Show + ?Sized> Show for &T {
    fn show(&self, out: &mut String) {
        (**self).show(out)
    }

    fn show_nested(&self, out: &mut String) {
        (**self).show_nested(out)
    }
}

impl<T: Show + ?Sized> Show for Box<T> {
    fn show(&self, out: &mut String) {
        (**self).show(out)
    }

    fn show_nested(&self, out: &mut String) {
        (**self).show_nested(out)
    }
}

impl<T: Show> Show for Vec<T> {
    fn show(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            v.show_nested(out);
        }
        out.push(']');
    }
}

impl<K: Show, V: Show> Show for Map<K, V> {
    fn show(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            k.show_nested(out);
            out.push_str(": ");
            v.show_nested(out);
        }
        out.push('}');
    }
}

impl<T: Show> Show for Option<T> {
    fn show(&self, out: &mut String) {
        match self {
            Some(v) => {
                out.push_str("some(");
                v.show_nested(out);
                out.push(')');
            }
            None => out.push_str("none"),
        }
    }
}

impl<T: Show> Show for Result<T, Error> {
    fn show(&self, out: &mut String) {
        match self {
            Ok(v) => {
                out.push_str("ok(");
                v.show_nested(out);
                out.push(')');
            }
            Err(e) => {
                let _ = write!(out, "err({:?})", e.0);
            }
        }
    }
}

/// A function value: functions have no readable text.
impl<T: ?Sized> Show for std::rc::Rc<T> {
    fn show(&self, out: &mut String) {
        out.push_str("<fn>");
    }
}

/// Formats a value as `str(v)` does, for `format!`: `{}` and, with a spec,
/// the spec's width and alignment applied to that text.
pub struct Shown<'a, T: Show + ?Sized>(pub &'a T);

impl<T: Show + ?Sized> fmt::Display for Shown<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.0.show(&mut s);
        f.pad(&s)
    }
}

macro_rules! show_tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Show),+> Show for ($($name,)+) {
            fn show(&self, out: &mut String) {
                out.push('(');
                $(
                    if $idx > 0 {
                        out.push_str(", ");
                    }
                    self.$idx.show_nested(out);
                )+
                out.push(')');
            }
        }
    };
}

for_each_tuple!(show_tuple);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_as_the_language_writes_them() {
        assert_eq!(1.0f64.to_show_string(), "1.0");
        assert_eq!(2.5f64.to_show_string(), "2.5");
        assert_eq!(String::from("hi").to_show_string(), "hi");
        assert_eq!(vec![String::from("a"), String::from("b")].to_show_string(), "[\"a\", \"b\"]");
        let mut m = Map::new();
        m.insert(String::from("z"), 1i64);
        m.insert(String::from("a"), 2i64);
        assert_eq!(m.to_show_string(), "{\"z\": 1, \"a\": 2}");
        assert_eq!(Some(3i64).to_show_string(), "some(3)");
        assert_eq!(None::<i64>.to_show_string(), "none");
        assert_eq!((1i64, String::from("x")).to_show_string(), "(1, \"x\")");
        let r: Result<i64, Error> = Err(Error::from("bad"));
        assert_eq!(r.to_show_string(), "err(\"bad\")");
    }
}

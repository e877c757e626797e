//! [`Dyn`] for every Rust type an Aether builtin type maps to (`int` →
//! `i64`, `[T]` → `Vec<T>`, `{K: V}` → `Map`, tuples, ...): how each is
//! described as a [`Value`] and rebuilt from one, with the lossless
//! widenings of `docs/state-migration.md`.

use super::{ChangeKind, Dyn, Migration, Value};
use crate::{Error, Map};
use std::hash::Hash;

/// An element of a list or map: converted, or replaced by the type's zero
/// value if its variant is gone (see [`Dyn::dyn_zero`]).
fn element<T: Dyn>(v: &Value, m: &mut Migration) -> Option<T> {
    m.variant_gone = false;
    if let Some(x) = T::from_dyn(v, m) {
        return Some(x);
    }
    if !m.variant_gone {
        return None;
    }
    let zero = T::dyn_zero()?;
    let why = m.reason.take().unwrap_or_default();
    m.log(ChangeKind::Reset, format!("{why}; now {}", zero.to_dyn()));
    Some(zero)
}

/// `Dyn` for a type that is one variant of [`Value`] and converts from no
/// other: `|x| to` describes a value, `pattern => value` rebuilds one.
macro_rules! exact_dyn {
    ($t:ty, $name:literal, |$x:ident| $to:expr, $pat:pat => $from:expr) => {
        impl Dyn for $t {
            fn to_dyn(&self) -> Value {
                let $x = self;
                $to
            }
            fn from_dyn(v: &Value, m: &mut Migration) -> Option<$t> {
                match v {
                    $pat => Some($from),
                    _ => m.mismatch(v),
                }
            }
            fn dyn_type() -> String {
                $name.into()
            }
        }
    };
}

exact_dyn!(i64, "int", |x| Value::Int(*x), Value::Int(i) => *i);
exact_dyn!(bool, "bool", |x| Value::Bool(*x), Value::Bool(b) => *b);
exact_dyn!(String, "str", |x| Value::Str(x.clone()), Value::Str(s) => s.clone());
exact_dyn!((), "()", |_x| Value::Unit, Value::Unit => ());

/// The largest integer magnitude below which every `int` is exactly a
/// `float` (2^53).
const EXACT_FLOAT_INT: i64 = 1 << 53;

impl Dyn for f64 {
    fn to_dyn(&self) -> Value {
        Value::Float(*self)
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<f64> {
        match v {
            Value::Float(x) => Some(*x),
            Value::Int(i) if (-EXACT_FLOAT_INT..=EXACT_FLOAT_INT).contains(i) => {
                m.converted("int to float");
                Some(*i as f64)
            }
            Value::Int(i) => m.incompatible(format_args!("was int {i}, which no float holds exactly")),
            _ => m.mismatch(v),
        }
    }
    fn dyn_type() -> String {
        "float".into()
    }
}

impl<T: Dyn> Dyn for Vec<T> {
    fn to_dyn(&self) -> Value {
        Value::List(self.iter().map(Dyn::to_dyn).collect())
    }
    /// All elements or none: one element that cannot convert resets the
    /// whole list, so a list never silently loses items.
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Vec<T>> {
        match v {
            Value::List(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                for (i, x) in xs.iter().enumerate() {
                    out.push(m.at(format!("[{i}]"), |m| element(x, m))?);
                }
                Some(out)
            }
            _ => match T::from_dyn(v, m) {
                Some(x) => {
                    m.converted(format_args!("{} to a one-element list", v.type_name()));
                    Some(vec![x])
                }
                None => m.mismatch(v),
            },
        }
    }
    fn dyn_type() -> String {
        format!("[{}]", T::dyn_type())
    }
}

impl<K: Dyn + Hash + Eq, V: Dyn> Dyn for Map<K, V> {
    fn to_dyn(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.to_dyn(), v.to_dyn())).collect())
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Map<K, V>> {
        let Value::Map(kvs) = v else {
            return m.mismatch(v);
        };
        let mut out = Map::with_capacity(kvs.len());
        for (k, val) in kvs {
            let segment = format!("[{k}]");
            let key = m.at(segment.clone(), |m| K::from_dyn(k, m))?;
            let val = m.at(segment, |m| element(val, m))?;
            if out.insert(key, val).is_some() {
                return m.incompatible(format_args!("has two keys equal to {k} in the new key type"));
            }
        }
        Some(out)
    }
    fn dyn_type() -> String {
        format!("{{{}: {}}}", K::dyn_type(), V::dyn_type())
    }
}

/// `T` → `T?` or `T` → `T!`: a value of the inner type, wrapped, logged as
/// a conversion.
fn widened<T: Dyn, W: Dyn>(v: &Value, m: &mut Migration, wrap: impl FnOnce(T) -> W) -> Option<W> {
    let x = T::from_dyn(v, m)?;
    m.converted(format_args!("{} to {}", v.type_name(), W::dyn_type()));
    Some(wrap(x))
}

impl<T: Dyn> Dyn for Option<T> {
    fn to_dyn(&self) -> Value {
        Value::Opt(self.as_ref().map(|x| Box::new(x.to_dyn())))
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Option<T>> {
        match v {
            Value::Opt(None) => Some(None),
            Value::Opt(Some(x)) => T::from_dyn(x, m).map(Some),
            _ => widened(v, m, Some),
        }
    }
    fn dyn_type() -> String {
        format!("{}?", T::dyn_type())
    }
}

impl<T: Dyn> Dyn for Result<T, Error> {
    fn to_dyn(&self) -> Value {
        match self {
            Ok(x) => Value::Ok(Box::new(x.to_dyn())),
            Err(e) => Value::Err(e.0.clone()),
        }
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Result<T, Error>> {
        match v {
            Value::Ok(x) => T::from_dyn(x, m).map(Ok),
            Value::Err(e) => Some(Err(Error(e.clone()))),
            _ => widened(v, m, Ok),
        }
    }
    fn dyn_type() -> String {
        format!("{}!", T::dyn_type())
    }
}

/// Recursive fields are boxed; the box is invisible in the tree.
impl<T: Dyn> Dyn for Box<T> {
    fn to_dyn(&self) -> Value {
        (**self).to_dyn()
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Box<T>> {
        T::from_dyn(v, m).map(Box::new)
    }
    fn dyn_type() -> String {
        T::dyn_type()
    }
}

/// Function values (`Rc<dyn Fn(&mut Ctx, ..) -> R>`): they point into code
/// that a reload replaces, so they never migrate.
impl<F: ?Sized> Dyn for std::rc::Rc<F> {
    fn to_dyn(&self) -> Value {
        Value::Fn
    }
    fn from_dyn(_: &Value, m: &mut Migration) -> Option<std::rc::Rc<F>> {
        m.incompatible("is a function value, which cannot be carried across a reload")
    }
    fn dyn_type() -> String {
        "fn".into()
    }
}

macro_rules! tuple_dyn {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Dyn),+> Dyn for ($($t,)+) {
            fn to_dyn(&self) -> Value {
                Value::Tuple(vec![$(self.$i.to_dyn()),+])
            }
            fn from_dyn(v: &Value, m: &mut Migration) -> Option<Self> {
                const ARITY: usize = [$($i),+].len();
                match v {
                    Value::Tuple(vs) if vs.len() == ARITY => Some(($(
                        m.at(format!(".{}", $i), |m| $t::from_dyn(vs.get($i)?, m))?,
                    )+)),
                    _ => m.mismatch(v),
                }
            }
            fn dyn_type() -> String {
                let parts: Vec<String> = vec![$($t::dyn_type()),+];
                format!("({})", parts.join(", "))
            }
        }
    };
}

for_each_tuple!(tuple_dyn);

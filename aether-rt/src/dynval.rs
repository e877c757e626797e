//! Self-describing values, for carrying `state` across a change of its type.
//!
//! A hot reload may change the type of a `state` variable. Its old value is
//! never reinterpreted as the new type: the old code turns it into a
//! [`Value`] tree ([`Dyn::to_dyn`]), and the new code rebuilds a value of the
//! new type from that tree ([`Dyn::from_dyn`]), field by field, following
//! the rules of `docs/state-migration.md`:
//!
//! - struct fields and enum variants are matched by name (and user types by
//!   their name); a field whose name and type are unchanged is copied;
//! - a new field takes its declared default, or its type's zero value;
//! - a removed field is dropped;
//! - a lossless widening converts: `int` → `float` (when exact), `T` → `T?`,
//!   `T` → `T!`, a value → a one-element list;
//! - anything else resets that field (to its default or zero value), with a
//!   warning; a value of a removed enum variant resets the same way.
//!
//! [`Migration`] records what happened on the way, with the path of each
//! field (`player.pos.x`, `enemies[3].hp`), so the reload can report
//! `state kept: N, migrated: M, reset: K` and name every reset.
//!
//! [`Value::encode`] and [`Value::decode`] turn a tree into one line of text
//! and back, for a hot restart that carries state across processes.
//!
//! This file is the value model ([`Value`], [`Dyn`]); `dynval/migration.rs`
//! holds the log and the entry points of a migration, `dynval/codec.rs` the
//! text form, `dynval/impls.rs` the `Dyn` impls of the builtin types.

mod codec;
mod impls;
mod migration;
#[cfg(test)]
mod tests;

pub use codec::{DecodeError, MAX_DEPTH};
pub use migration::{migrate, migrate_text, migrate_with, Change, ChangeKind, Migration, Outcome, Tally};
use std::fmt;

/// An Aether value, described by its shape rather than by its Rust layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Unit,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    List(Vec<Value>),
    /// `{K: V}`, in insertion order.
    Map(Vec<(Value, Value)>),
    /// `T?`: `None` is `none`.
    Opt(Option<Box<Value>>),
    Tuple(Vec<Value>),
    /// The `ok` side of a `T!`.
    Ok(Box<Value>),
    /// The error side of a `T!`: its message.
    Err(String),
    /// A user struct: its name and its fields, in declaration order.
    Struct {
        ty: String,
        fields: Vec<(String, Value)>,
    },
    /// A value of a user enum: the enum's name, the variant's name and its
    /// payload fields by name (empty for a unit variant).
    Variant {
        ty: String,
        variant: String,
        fields: Vec<(String, Value)>,
    },
    /// A function value. It points into code that a reload replaces, so it
    /// never migrates: the field it is in resets.
    Fn,
}

/// A type whose values can be described as a [`Value`] and rebuilt from one.
///
/// Implemented here for every Rust type that an Aether builtin type maps to,
/// and by generated code for every user struct and enum.
pub trait Dyn: Sized {
    /// The value as a tree.
    fn to_dyn(&self) -> Value;

    /// A value of this type made from `v` by the migration rules, recording
    /// every conversion in `m`. `None` means `v` cannot become this type
    /// (the reason is recorded with [`Migration::incompatible`]); the caller
    /// then resets the field.
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Self>;

    /// The Aether spelling of the type, for messages: `int`, `[Enemy]`.
    fn dyn_type() -> String;

    /// What an element of a list or map becomes when its old value is of
    /// an enum variant this type no longer has, so one such element does
    /// not cost the whole container. `None` (the default): the container
    /// resets. Generated enums return their zero value.
    fn dyn_zero() -> Option<Self> {
        None
    }
}

/// The longest tuple that implements [`Dyn`].
pub const MAX_TUPLE: usize = 12;

/// Shows a value the way Aether source writes it (`"ada"`, `[1, 2]`),
/// used in paths for map keys: `scores["ada"]`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, open: &str, close: &str, xs: &[Value]) -> fmt::Result {
            f.write_str(open)?;
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{x}")?;
            }
            f.write_str(close)
        }
        fn fields(f: &mut fmt::Formatter<'_>, fs: &[(String, Value)]) -> fmt::Result {
            for (i, (n, v)) in fs.iter().enumerate() {
                write!(f, "{}{n}: {v}", if i == 0 { "" } else { ", " })?;
            }
            Ok(())
        }
        match self {
            Value::Unit => f.write_str("()"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::List(xs) => list(f, "[", "]", xs),
            Value::Map(kvs) => {
                f.write_str("{")?;
                for (i, (k, v)) in kvs.iter().enumerate() {
                    write!(f, "{}{k}: {v}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("}")
            }
            Value::Opt(None) => f.write_str("none"),
            Value::Opt(Some(v)) => write!(f, "{v}"),
            Value::Tuple(vs) => list(f, "(", ")", vs),
            Value::Ok(v) => write!(f, "{v}"),
            Value::Err(msg) => write!(f, "error({msg:?})"),
            Value::Struct { ty, fields: fs } => {
                write!(f, "{ty} {{ ")?;
                fields(f, fs)?;
                f.write_str(" }")
            }
            Value::Variant { variant, fields: fs, .. } if fs.is_empty() => f.write_str(variant),
            Value::Variant { variant, fields: fs, .. } => {
                write!(f, "{variant}(")?;
                fields(f, fs)?;
                f.write_str(")")
            }
            Value::Fn => f.write_str("<fn>"),
        }
    }
}

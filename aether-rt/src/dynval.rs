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

use crate::{Error, Map};
use std::fmt;
use std::hash::Hash;

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

/// What happened to one part of a migrated value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A field that is new in the new type took its default or zero value.
    Added,
    /// A field (or variant payload field) of the old type is gone.
    Dropped,
    /// A lossless widening (`int` → `float`, `T` → `T?`, `T` → `T!`,
    /// `T` → `[T]`), or the work of a `@migrate` function.
    Converted,
    /// The old value could not become the new type; the part took its
    /// default, zero value or initializer instead. A warning.
    Reset,
}

/// One entry of a [`Migration`]'s log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Where, starting with the state variable: `player.pos.x`.
    pub path: String,
    /// Why or how, for people: `was str, now int`.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ChangeKind::Added => "added",
            ChangeKind::Dropped => "dropped",
            ChangeKind::Converted => "converted",
            ChangeKind::Reset => "reset",
        };
        write!(f, "`{}` {what}", self.path)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// How one state variable came through a migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Copied unchanged (fields may have been reordered).
    Kept,
    /// Something was added, dropped, converted or reset inside it.
    Migrated,
    /// The whole value was replaced by the state's initializer.
    Reset,
}

/// The outcomes of a reload's state migrations, shown as the reload line
/// reports them: `state kept: 2, migrated: 1, reset: 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub kept: usize,
    pub migrated: usize,
    pub reset: usize,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Kept => self.kept += 1,
            Outcome::Migrated => self.migrated += 1,
            Outcome::Reset => self.reset += 1,
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "state kept: {}, migrated: {}, reset: {}", self.kept, self.migrated, self.reset)
    }
}

/// The log of one value's migration, and the path to the part being
/// migrated right now.
#[derive(Clone, Debug)]
pub struct Migration {
    /// Path segments: the root name, then `.field`, `[3]`, `["key"]`.
    path: Vec<String>,
    changes: Vec<Change>,
    /// Why the innermost failed conversion failed, with its path.
    reason: Option<String>,
    whole_reset: bool,
    /// The path of a part that only a placeholder could fill (see
    /// [`Migration::field_or_init`]).
    needs_init: Option<String>,
    /// Whether the innermost failed conversion was a removed variant.
    variant_gone: bool,
    /// Whether structs and enums must have the same name to match (false
    /// only when matching the parameter of a `@migrate` function).
    names_matter: bool,
    notes: Vec<String>,
}

impl Migration {
    /// A migration of the value named `root` (a state variable's name).
    pub fn new(root: &str) -> Migration {
        Migration {
            path: vec![root.to_string()],
            changes: Vec::new(),
            reason: None,
            whole_reset: false,
            needs_init: None,
            variant_gone: false,
            names_matter: true,
            notes: Vec::new(),
        }
    }

    /// Everything that happened, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// One line per reset, naming the state variable and the field.
    pub fn warnings(&self) -> Vec<String> {
        let root = self.path.first().map(String::as_str).unwrap_or("");
        self.changes.iter().filter(|c| c.kind == ChangeKind::Reset).map(|c| format!("state `{root}`: {c}")).collect()
    }

    /// Remarks that are neither changes nor warnings: a `@migrate` function
    /// that did not apply.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Whether the new value differs from a field-by-field copy of the old.
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }

    /// How many parts were reset.
    pub fn resets(&self) -> usize {
        self.changes.iter().filter(|c| c.kind == ChangeKind::Reset).count()
    }

    pub fn outcome(&self) -> Outcome {
        if self.whole_reset {
            Outcome::Reset
        } else if self.changed() {
            Outcome::Migrated
        } else {
            Outcome::Kept
        }
    }

    /// The path of the part being migrated: `player.pos.x`.
    pub fn path(&self) -> String {
        self.path.concat()
    }

    /// Record why `v` cannot become the type being built, and fail.
    pub fn incompatible<T>(&mut self, why: impl fmt::Display) -> Option<T> {
        self.reason = Some(format!("`{}` {why}", self.path()));
        self.variant_gone = false;
        None
    }

    /// Record that the old value is of `variant`, which enum `ty` no longer
    /// has, and fail.
    pub fn removed_variant<T>(&mut self, variant: &str, ty: &str) -> Option<T> {
        self.incompatible::<T>(format_args!("was variant `{variant}`, which `{ty}` no longer has"));
        self.variant_gone = true;
        None
    }

    /// Record that `v` is not of type `T` at all, and fail.
    pub fn mismatch<T: Dyn>(&mut self, v: &Value) -> Option<T> {
        self.incompatible(format_args!("was {}, now {}", v.type_name(), T::dyn_type()))
    }

    /// Record a lossless conversion at the current path.
    pub fn converted(&mut self, detail: impl fmt::Display) {
        self.log(ChangeKind::Converted, detail.to_string());
    }

    /// Field `name` of a struct or variant being built, from the old
    /// `fields`: converted if present and convertible; `fallback()` (the
    /// field's default or zero value) if new or not convertible, the latter
    /// with a reset warning.
    pub fn field<T: Dyn>(&mut self, fields: &[(String, Value)], name: &str, fallback: impl FnOnce() -> T) -> T {
        self.field_filled(fields, name, fallback).0
    }

    /// Like [`Migration::field`], for a field whose type's zero value holds
    /// a function that must never run (the placeholder generated code uses
    /// for `fn` types) and which has no declared default: if the field is
    /// new or resets, the value being built is only good for throwing away,
    /// and [`migrate`] runs the state's initializer instead.
    pub fn field_or_init<T: Dyn>(
        &mut self,
        fields: &[(String, Value)],
        name: &str,
        placeholder: impl FnOnce() -> T,
    ) -> T {
        let (out, fell_back) = self.field_filled(fields, name, placeholder);
        if fell_back && self.needs_init.is_none() {
            self.needs_init = Some(format!("{}.{name}", self.path()));
        }
        out
    }

    /// Whether a part could only be filled with a placeholder, so the value
    /// built must be replaced by the state's initializer ([`migrate`] does).
    pub fn needs_init(&self) -> bool {
        self.needs_init.is_some()
    }

    /// Record the old `fields` not named in `kept` as dropped.
    pub fn drop_others(&mut self, fields: &[(String, Value)], kept: &[&str]) {
        for (name, _) in fields {
            if !kept.contains(&name.as_str()) {
                self.path.push(format!(".{name}"));
                self.log(ChangeKind::Dropped, "no longer a field".to_string());
                self.path.pop();
            }
        }
    }

    /// The fields of `v` if it is a value of struct `ty`; otherwise record
    /// why not and fail.
    pub fn struct_fields<'v>(&mut self, v: &'v Value, ty: &str) -> Option<&'v [(String, Value)]> {
        match v {
            Value::Struct { ty: old, fields } if old == ty || !self.names_matter => Some(fields),
            _ => self.incompatible(format_args!("was {}, now {ty}", v.type_name())),
        }
    }

    /// The variant name and payload of `v` if it is a value of enum `ty`;
    /// otherwise record why not and fail.
    pub fn variant<'v>(&mut self, v: &'v Value, ty: &str) -> Option<(&'v str, &'v [(String, Value)])> {
        match v {
            Value::Variant { ty: old, variant, fields } if old == ty || !self.names_matter => Some((variant, fields)),
            _ => self.incompatible(format_args!("was {}, now {ty}", v.type_name())),
        }
    }

    /// Build the payload of variant `name` in a nested path segment.
    pub fn in_variant<T>(&mut self, name: &str, build: impl FnOnce(&mut Migration) -> T) -> T {
        self.path.push(format!(".{name}"));
        let out = build(self);
        self.path.pop();
        out
    }

    /// [`Migration::field`], and whether the field took `fallback()`.
    fn field_filled<T: Dyn>(
        &mut self,
        fields: &[(String, Value)],
        name: &str,
        fallback: impl FnOnce() -> T,
    ) -> (T, bool) {
        self.path.push(format!(".{name}"));
        let out = match fields.iter().find(|(n, _)| n == name) {
            Some((_, old)) => {
                self.reason = None;
                match T::from_dyn(old, self) {
                    Some(v) => (v, false),
                    None => {
                        let why = self.reason.take().unwrap_or_else(|| {
                            format!("`{}` was {}, now {}", self.path(), old.type_name(), T::dyn_type())
                        });
                        self.log(ChangeKind::Reset, why);
                        (fallback(), true)
                    }
                }
            }
            None => {
                self.log(ChangeKind::Added, format!("new field of type {}", T::dyn_type()));
                (fallback(), true)
            }
        };
        self.path.pop();
        out
    }

    fn log(&mut self, kind: ChangeKind, detail: String) {
        self.changes.push(Change { kind, path: self.path(), detail });
    }

    fn at<T>(&mut self, segment: String, f: impl FnOnce(&mut Migration) -> T) -> T {
        self.path.push(segment);
        let out = f(self);
        self.path.pop();
        out
    }
}

/// Migrate the old value of state `name` into its new type `T`: field by
/// field where possible, and to `init()` (the state's initializer) when the
/// value as a whole cannot become a `T`, with a warning.
pub fn migrate<T: Dyn>(name: &str, old: &Value, init: impl FnOnce() -> T) -> (T, Migration) {
    let mut m = Migration::new(name);
    m.reason = None;
    let value = match T::from_dyn(old, &mut m) {
        Some(v) if m.needs_init.is_none() => v,
        Some(_) => {
            let at = m.needs_init.clone().unwrap_or_default();
            m.log(
                ChangeKind::Reset,
                format!("`{at}` would hold a function that cannot be carried across a reload; initializer run again"),
            );
            m.whole_reset = true;
            init()
        }
        None => {
            let why = m.reason.take().unwrap_or_else(|| format!("was {}, now {}", old.type_name(), T::dyn_type()));
            m.log(ChangeKind::Reset, format!("{why}; initializer run again"));
            m.whole_reset = true;
            init()
        }
    };
    (value, m)
}

/// [`migrate`] from the text form of the old value ([`Value::encode`]): how
/// state crosses a process restart, or a boundary between two copies of
/// this crate. Text that does not decode resets the state to `init()`, with
/// a warning saying why.
pub fn migrate_text<T: Dyn>(name: &str, text: &str, init: impl FnOnce() -> T) -> (T, Migration) {
    match Value::decode(text) {
        Ok(old) => migrate(name, &old, init),
        Err(e) => {
            let mut m = Migration::new(name);
            m.log(ChangeKind::Reset, format!("{e}; initializer run again"));
            m.whole_reset = true;
            (init(), m)
        }
    }
}

/// Migrate state `name` with a user's `@migrate` function `hook`, whose
/// parameter type `O` describes the shape of the old value.
///
/// A value that is already exactly a `T` is kept: the hook is stale (left
/// in after the change it was written for), and running it again on every
/// reload would apply its change again. Otherwise, if the old value has
/// exactly the shape `O` (every field present; nothing added, dropped,
/// converted or reset; type names are not compared, so `O` may be a type
/// written for the purpose), the new value is `hook(old)`. Otherwise the
/// automatic rules of [`migrate`] apply, and a note says why the hook was
/// not used.
pub fn migrate_with<O: Dyn, T: Dyn>(
    name: &str,
    old: &Value,
    hook: impl FnOnce(O) -> T,
    init: impl FnOnce() -> T,
) -> (T, Migration) {
    let mut exact = Migration::new(name);
    if let Some(same) = T::from_dyn(old, &mut exact) {
        if !exact.changed() && exact.needs_init.is_none() {
            exact.notes.push(format!(
                "the `@migrate` function of state `{name}` was not used: the value is a {} already",
                T::dyn_type()
            ));
            return (same, exact);
        }
    }
    let mut shape = Migration::new(name);
    shape.names_matter = false;
    let matched = O::from_dyn(old, &mut shape);
    let why_not = match (&matched, shape.changes.first()) {
        (Some(_), None) if shape.needs_init.is_none() => None,
        (Some(_), Some(c)) => Some(c.to_string()),
        (Some(_), None) => Some(format!("`{name}` holds a function value")),
        (None, _) => Some(shape.reason.take().unwrap_or_else(|| format!("`{name}` was {}", old.type_name()))),
    };
    match (matched, why_not) {
        (Some(o), None) => {
            let mut m = Migration::new(name);
            m.log(ChangeKind::Converted, "by its `@migrate` function".to_string());
            (hook(o), m)
        }
        (_, why) => {
            let (value, mut m) = migrate(name, old, init);
            m.notes.push(format!(
                "the `@migrate` function of state `{name}` was not used: the old value is not a {} ({})",
                O::dyn_type(),
                why.unwrap_or_default()
            ));
            (value, m)
        }
    }
}

impl Value {
    /// The Aether type this value has, as far as it shows: `[int]`,
    /// `Player`, `Shape.Circle`. Empty containers say `[]`, `{}`, `none`.
    pub fn type_name(&self) -> String {
        match self {
            Value::Unit => "()".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Bool(_) => "bool".into(),
            Value::Str(_) => "str".into(),
            Value::List(xs) => match xs.first() {
                Some(x) => format!("[{}]", x.type_name()),
                None => "[]".into(),
            },
            Value::Map(kvs) => match kvs.first() {
                Some((k, v)) => format!("{{{}: {}}}", k.type_name(), v.type_name()),
                None => "{}".into(),
            },
            Value::Opt(None) => "none".into(),
            Value::Opt(Some(v)) => format!("{}?", v.type_name()),
            Value::Tuple(vs) => format!("({})", vs.iter().map(Value::type_name).collect::<Vec<_>>().join(", ")),
            Value::Ok(v) => format!("{}!", v.type_name()),
            Value::Err(_) => "error".into(),
            Value::Struct { ty, .. } => ty.clone(),
            Value::Variant { ty, variant, .. } => format!("{ty}.{variant}"),
            Value::Fn => "fn".into(),
        }
    }

    /// One line of text that [`Value::decode`] turns back into this value.
    ///
    /// Grammar: `u` unit; `i-42` int; `f1.5`, `fNaN`, `finf` float; `T`,
    /// `F` bool; `"..."` str (escapes `\\ \" \n \r \t \u{hex}`); `[a,b]`
    /// list; `{k:v,k:v}` map; `n` none, `?v` some; `(a,b)` tuple; `ov` ok,
    /// `x"msg"` error; `S"Name"{"field":v,...}` struct;
    /// `V"Enum""Variant"{"field":v,...}` enum value; `@` function.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    /// Parse text made by [`Value::encode`]. Malformed text is an error,
    /// never a panic; values nested deeper than [`MAX_DEPTH`] are refused.
    pub fn decode(text: &str) -> Result<Value, DecodeError> {
        let mut p = Parser { text, pos: 0 };
        let v = p.parse()?;
        if p.pos != text.len() {
            return Err(p.error("unexpected text after the value"));
        }
        Ok(v)
    }

    fn encode_into(&self, out: &mut String) {
        match self {
            Value::Unit => out.push('u'),
            Value::Int(i) => {
                out.push('i');
                out.push_str(&i.to_string());
            }
            Value::Float(x) => {
                // `{:?}` prints the shortest text that parses back to the
                // same number (`1.0`, `1e300`, `-0.0`, `NaN`, `inf`).
                out.push('f');
                out.push_str(&format!("{x:?}"));
            }
            Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
            Value::Str(s) => encode_str(s, out),
            Value::List(xs) => encode_seq(out, '[', ']', xs, |x, out| x.encode_into(out)),
            Value::Map(kvs) => encode_seq(out, '{', '}', kvs, |(k, v), out| {
                k.encode_into(out);
                out.push(':');
                v.encode_into(out);
            }),
            Value::Opt(None) => out.push('n'),
            Value::Opt(Some(v)) => {
                out.push('?');
                v.encode_into(out);
            }
            Value::Tuple(vs) => encode_seq(out, '(', ')', vs, |x, out| x.encode_into(out)),
            Value::Ok(v) => {
                out.push('o');
                v.encode_into(out);
            }
            Value::Err(msg) => {
                out.push('x');
                encode_str(msg, out);
            }
            Value::Struct { ty, fields } => {
                out.push('S');
                encode_str(ty, out);
                encode_fields(fields, out);
            }
            Value::Variant { ty, variant, fields } => {
                out.push('V');
                encode_str(ty, out);
                encode_str(variant, out);
                encode_fields(fields, out);
            }
            Value::Fn => out.push('@'),
        }
    }
}

/// The longest tuple that implements [`Dyn`].
pub const MAX_TUPLE: usize = 12;

/// How deeply [`Value::decode`] lets values nest.
pub const MAX_DEPTH: usize = 1000;

/// Why [`Value::decode`] refused its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset into the text.
    pub pos: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed state text at byte {}: {}", self.pos, self.message)
    }
}

impl std::error::Error for DecodeError {}

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

fn encode_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Control characters (and the line separators some tools split
            // on) are escaped so the text stays one printable line.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn encode_seq<T>(out: &mut String, open: char, close: char, xs: &[T], mut each: impl FnMut(&T, &mut String)) {
    out.push(open);
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(x, out);
    }
    out.push(close);
}

fn encode_fields(fields: &[(String, Value)], out: &mut String) {
    encode_seq(out, '{', '}', fields, |(n, v), out| {
        encode_str(n, out);
        out.push(':');
        v.encode_into(out);
    });
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

/// A container being parsed: what it holds so far. The parser keeps these
/// on a stack of its own, so nesting never grows the thread's stack.
enum Open {
    List(Vec<Value>),
    /// Entries so far, and the key whose value comes next.
    Map(Vec<(Value, Value)>, Option<Value>),
    Tuple(Vec<Value>),
    Some,
    Ok,
    /// Name, fields so far, the field whose value comes next.
    Struct(String, Vec<(String, Value)>, String),
    /// Enum, variant, fields so far, the field whose value comes next.
    Variant(String, String, Vec<(String, Value)>, String),
}

impl Parser<'_> {
    fn parse(&mut self) -> Result<Value, DecodeError> {
        let mut stack: Vec<Open> = Vec::new();
        'value: loop {
            if stack.len() >= MAX_DEPTH {
                return Err(self.error("values nested too deeply"));
            }
            let start = self.pos;
            let Some(c) = self.bump() else {
                return Err(self.error("expected a value, found the end"));
            };
            let mut done = match c {
                '[' | '(' => {
                    let close = if c == '[' { ']' } else { ')' };
                    if !self.eat(close) {
                        stack.push(if c == '[' { Open::List(Vec::new()) } else { Open::Tuple(Vec::new()) });
                        continue 'value;
                    }
                    if c == '[' {
                        Value::List(Vec::new())
                    } else {
                        Value::Tuple(Vec::new())
                    }
                }
                '{' => {
                    if !self.eat('}') {
                        stack.push(Open::Map(Vec::new(), None));
                        continue 'value;
                    }
                    Value::Map(Vec::new())
                }
                '?' => {
                    stack.push(Open::Some);
                    continue 'value;
                }
                'o' => {
                    stack.push(Open::Ok);
                    continue 'value;
                }
                'S' | 'V' => {
                    let ty = self.string()?;
                    let variant = if c == 'V' { Some(self.string()?) } else { None };
                    self.expect('{')?;
                    if self.eat('}') {
                        match variant {
                            Some(variant) => Value::Variant { ty, variant, fields: Vec::new() },
                            None => Value::Struct { ty, fields: Vec::new() },
                        }
                    } else {
                        let name = self.field_name()?;
                        stack.push(match variant {
                            Some(variant) => Open::Variant(ty, variant, Vec::new(), name),
                            None => Open::Struct(ty, Vec::new(), name),
                        });
                        continue 'value;
                    }
                }
                c => self.leaf(c, start)?,
            };
            // `done` is complete: put it into the containers around it,
            // closing each that it completes.
            loop {
                let Some(open) = stack.pop() else {
                    return Ok(done);
                };
                match open {
                    Open::Some => done = Value::Opt(Some(Box::new(done))),
                    Open::Ok => done = Value::Ok(Box::new(done)),
                    Open::List(mut xs) => {
                        xs.push(done);
                        if self.next_item(']')? {
                            stack.push(Open::List(xs));
                            continue 'value;
                        }
                        done = Value::List(xs);
                    }
                    Open::Tuple(mut xs) => {
                        xs.push(done);
                        if self.next_item(')')? {
                            stack.push(Open::Tuple(xs));
                            continue 'value;
                        }
                        done = Value::Tuple(xs);
                    }
                    Open::Map(kvs, None) => {
                        self.expect(':')?;
                        stack.push(Open::Map(kvs, Some(done)));
                        continue 'value;
                    }
                    Open::Map(mut kvs, Some(k)) => {
                        kvs.push((k, done));
                        if self.next_item('}')? {
                            stack.push(Open::Map(kvs, None));
                            continue 'value;
                        }
                        done = Value::Map(kvs);
                    }
                    Open::Struct(ty, mut fields, name) => {
                        fields.push((name, done));
                        if self.next_item('}')? {
                            let name = self.field_name()?;
                            stack.push(Open::Struct(ty, fields, name));
                            continue 'value;
                        }
                        done = Value::Struct { ty, fields };
                    }
                    Open::Variant(ty, variant, mut fields, name) => {
                        fields.push((name, done));
                        if self.next_item('}')? {
                            let name = self.field_name()?;
                            stack.push(Open::Variant(ty, variant, fields, name));
                            continue 'value;
                        }
                        done = Value::Variant { ty, variant, fields };
                    }
                }
            }
        }
    }

    /// After an item: `true` on `,` (another item follows), `false` on
    /// `close`.
    fn next_item(&mut self, close: char) -> Result<bool, DecodeError> {
        match self.bump() {
            Some(',') => Ok(true),
            Some(c) if c == close => Ok(false),
            Some(c) => Err(self.error(&format!("expected `,` or `{close}`, found `{c}`"))),
            None => Err(self.error(&format!("expected `,` or `{close}`, found the end"))),
        }
    }

    fn field_name(&mut self) -> Result<String, DecodeError> {
        let name = self.string()?;
        self.expect(':')?;
        Ok(name)
    }

    /// A value that contains no other value, starting with `c` at `start`.
    fn leaf(&mut self, c: char, start: usize) -> Result<Value, DecodeError> {
        Ok(match c {
            'u' => Value::Unit,
            'T' => Value::Bool(true),
            'F' => Value::Bool(false),
            'n' => Value::Opt(None),
            '@' => Value::Fn,
            'i' => {
                let digits = self.take_while(|c| c.is_ascii_digit() || c == '-');
                match digits.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => return Err(DecodeError { pos: start, message: format!("bad int `{digits}`") }),
                }
            }
            'f' => {
                let text = self.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
                match text.parse::<f64>() {
                    Ok(x) => Value::Float(x),
                    Err(_) => return Err(DecodeError { pos: start, message: format!("bad float `{text}`") }),
                }
            }
            '"' => {
                self.pos = start;
                Value::Str(self.string()?)
            }
            'x' => Value::Err(self.string()?),
            c => return Err(DecodeError { pos: start, message: format!("unexpected `{c}`") }),
        })
    }

    fn error(&self, message: &str) -> DecodeError {
        DecodeError { pos: self.pos, message: message.to_string() }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consume `want` if it comes next.
    fn eat(&mut self, want: char) -> bool {
        let here = self.peek() == Some(want);
        if here {
            self.pos += want.len_utf8();
        }
        here
    }

    fn expect(&mut self, want: char) -> Result<(), DecodeError> {
        match self.peek() {
            Some(c) if c == want => {
                self.pos += c.len_utf8();
                Ok(())
            }
            Some(c) => Err(self.error(&format!("expected `{want}`, found `{c}`"))),
            None => Err(self.error(&format!("expected `{want}`, found the end"))),
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                '"' => return Ok(out),
                '\\' => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        self.expect('{')?;
                        let hex = self.take_while(|c| c.is_ascii_hexdigit()).to_string();
                        self.expect('}')?;
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) => out.push(c),
                            None => return Err(self.error(&format!("bad escape `\\u{{{hex}}}`"))),
                        }
                    }
                    Some(c) => return Err(self.error(&format!("unknown escape `\\{c}`"))),
                    None => return Err(self.error("unterminated string")),
                },
                c => out.push(c),
            }
        }
    }
}

// ---- Builtin representations ----

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

impl Dyn for i64 {
    fn to_dyn(&self) -> Value {
        Value::Int(*self)
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            _ => m.mismatch(v),
        }
    }
    fn dyn_type() -> String {
        "int".into()
    }
}

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

impl Dyn for bool {
    fn to_dyn(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => m.mismatch(v),
        }
    }
    fn dyn_type() -> String {
        "bool".into()
    }
}

impl Dyn for String {
    fn to_dyn(&self) -> Value {
        Value::Str(self.clone())
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<String> {
        match v {
            Value::Str(s) => Some(s.clone()),
            _ => m.mismatch(v),
        }
    }
    fn dyn_type() -> String {
        "str".into()
    }
}

impl Dyn for () {
    fn to_dyn(&self) -> Value {
        Value::Unit
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<()> {
        match v {
            Value::Unit => Some(()),
            _ => m.mismatch(v),
        }
    }
    fn dyn_type() -> String {
        "()".into()
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

impl<T: Dyn> Dyn for Option<T> {
    fn to_dyn(&self) -> Value {
        Value::Opt(self.as_ref().map(|x| Box::new(x.to_dyn())))
    }
    fn from_dyn(v: &Value, m: &mut Migration) -> Option<Option<T>> {
        match v {
            Value::Opt(None) => Some(None),
            Value::Opt(Some(x)) => T::from_dyn(x, m).map(Some),
            _ => {
                let x = T::from_dyn(v, m)?;
                m.converted(format_args!("{} to {}", v.type_name(), Self::dyn_type()));
                Some(Some(x))
            }
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
            _ => {
                let x = T::from_dyn(v, m)?;
                m.converted(format_args!("{} to {}", v.type_name(), Self::dyn_type()));
                Some(Ok(x))
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    /// What generated code does for `struct Pos { x: float, y: float }`.
    #[derive(Clone, Debug, PartialEq)]
    struct Pos {
        x: f64,
        y: f64,
    }

    impl Dyn for Pos {
        fn to_dyn(&self) -> Value {
            Value::Struct {
                ty: "Pos".into(),
                fields: vec![("x".into(), self.x.to_dyn()), ("y".into(), self.y.to_dyn())],
            }
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

    fn old_enemy(hp: i64, kind: &str, x: f64) -> Value {
        Value::Struct {
            ty: "Enemy".into(),
            fields: vec![
                ("name".into(), Value::Str("orc".into())),
                (
                    "pos".into(),
                    Value::Struct {
                        ty: "Pos".into(),
                        fields: vec![("y".into(), Value::Float(2.0)), ("x".into(), Value::Float(x))],
                    },
                ),
                ("kind".into(), Value::Str(kind.into())),
                ("hp".into(), Value::Int(hp)),
            ],
        }
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
            Value::Struct {
                ty: "Pos".into(),
                fields: vec![("x".into(), Value::Float(1.0)), ("y".into(), Value::Int(-2))],
            },
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
            Value::Variant {
                ty: "Mode".into(),
                variant: "Chase".into(),
                fields: vec![("t".into(), Value::Float(0.5))],
            },
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
        let old = Value::Struct {
            ty: "Pos".into(),
            fields: vec![("y".into(), Value::Float(2.0)), ("x".into(), Value::Float(1.0))],
        };
        let (p, m) = migrate::<Pos>("p", &old, || panic!("reset"));
        assert_eq!(p, Pos { x: 1.0, y: 2.0 });
        assert_eq!(m.outcome(), Outcome::Kept);
    }

    #[test]
    fn a_renamed_type_does_not_match() {
        let old = Value::Struct { ty: "Point".into(), fields: vec![("x".into(), Value::Float(1.0))] };
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
        let old = Value::Struct {
            ty: "Holder".into(),
            fields: vec![("xs".into(), Value::List(vec![Value::Int(1), Value::Str("two".into())]))],
        };
        let (h, m) = migrate::<Holder>("h", &old, || panic!("whole reset"));
        assert_eq!(h, Holder { xs: vec![] });
        assert_eq!(m.warnings(), vec!["state `h`: `h.xs` reset (`h.xs[1]` was str, now int)"]);
    }

    #[test]
    fn map_entries_carry_their_key_in_paths() {
        let old =
            Value::Map(vec![(Value::Str("ada".into()), Value::Int(3)), (Value::Str("bob".into()), Value::Int(4))]);
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
        let old = Value::Variant { ty: "Mode".into(), variant: "Flee".into(), fields: vec![] };
        let (x, m) = migrate::<Mode>("mode", &old, || Mode::Idle);
        assert_eq!(x, Mode::Idle);
        assert_eq!(
            m.warnings(),
            vec!["state `mode`: `mode` reset (`mode` was variant `Flee`, which `Mode` no longer has; initializer run again)"]
        );

        // In a list or map, only that element resets, to the enum's zero.
        let chase = Mode::Chase { target: 3 }.to_dyn();
        let (x, m) = migrate::<Vec<Mode>>("modes", &Value::List(vec![chase.clone(), old.clone()]), Vec::new);
        assert_eq!(x, vec![Mode::Chase { target: 3 }, Mode::Idle]);
        assert_eq!(m.outcome(), Outcome::Migrated);
        assert_eq!(
            m.warnings(),
            vec![
                "state `modes`: `modes[1]` reset (`modes[1]` was variant `Flee`, which `Mode` no longer has; now Idle)"
            ]
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
        let other = Value::Variant { ty: "Shape".into(), variant: "Idle".into(), fields: vec![] };
        let (x, m) = migrate::<Vec<Mode>>("modes", &Value::List(vec![chase, other]), Vec::new);
        assert!(x.is_empty());
        assert_eq!(m.outcome(), Outcome::Reset);
    }

    #[test]
    fn variant_payload_fields_are_matched_by_name() {
        let old = Value::Variant {
            ty: "Mode".into(),
            variant: "Chase".into(),
            fields: vec![("speed".into(), Value::Float(1.0)), ("target".into(), Value::Int(4))],
        };
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
        let old = Value::Struct {
            ty: "Point".into(),
            fields: vec![("x".into(), Value::Float(1.0)), ("y".into(), Value::Float(2.0))],
        };
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
        assert_eq!(
            Value::Variant { ty: "Mode".into(), variant: "Idle".into(), fields: vec![] }.type_name(),
            "Mode.Idle"
        );
        assert_eq!(
            old_enemy(1, "x", 0.0).to_string(),
            "Enemy { name: \"orc\", pos: Pos { y: 2.0, x: 0.0 }, kind: \"x\", hp: 1 }"
        );
    }
}

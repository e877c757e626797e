//! The migration of one value into a changed type: the log of what was
//! added, dropped, converted or reset on the way (with the path of each
//! part), and the entry points the generated `migrate` shims call.

use super::{Dyn, Value};
use std::fmt;

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
    pub(super) reason: Option<String>,
    whole_reset: bool,
    /// The path of a part that only a placeholder could fill (see
    /// [`Migration::field_or_init`]).
    needs_init: Option<String>,
    /// Whether the innermost failed conversion was a removed variant.
    pub(super) variant_gone: bool,
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

    /// Like [`Migration::field`], for a field whose type is a type parameter
    /// of a generic struct or enum (`first: A` of `Pair<A, B>`): generated
    /// code has no value of every type to fall back on, so a field that is
    /// new or cannot be carried over takes its type's [`Dyn::dyn_zero`] if
    /// it has one, and otherwise fails the value holding it (`None`), which
    /// then resets like any value that cannot be carried over.
    pub fn field_generic<T: Dyn>(&mut self, fields: &[(String, Value)], name: &str) -> Option<T> {
        if let Some(zero) = T::dyn_zero() {
            return Some(self.field(fields, name, || zero));
        }
        self.path.push(format!(".{name}"));
        let out = match fields.iter().find(|(n, _)| n == name) {
            Some((_, old)) => {
                self.reason = None;
                let v = T::from_dyn(old, self);
                if v.is_none() && self.reason.is_none() {
                    self.reason = Some(format!("`{}` was {}, now {}", self.path(), old.type_name(), T::dyn_type()));
                }
                v
            }
            None => {
                self.incompatible(format_args!("is a new field of type {}, with no value to start from", T::dyn_type()))
            }
        };
        self.path.pop();
        out
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

    pub(super) fn log(&mut self, kind: ChangeKind, detail: String) {
        self.changes.push(Change { kind, path: self.path(), detail });
    }

    pub(super) fn at<T>(&mut self, segment: String, f: impl FnOnce(&mut Migration) -> T) -> T {
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

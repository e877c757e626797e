//! Constants that change without a compile (`--hmr` only).
//!
//! Under `--hmr` a constant whose initializer is a literal (`pub const
//! GRAVITY: float = 4.0`) is not compiled into anything: every image reads
//! it from a cell the host owns, reached once per image through
//! [`HostHooks::tunable`](super::HostHooks) and cached in a [`TunableRef`].
//! The supervising CLI gives the host every value at start and, when a save
//! changes nothing but such values, sends the new ones (`tune`, see
//! `hmr::protocol`), which the host stores at a safe point: no rustc run,
//! and no importer rebuilt, since no crate's text holds the value. The
//! static build keeps real Rust `const`s.
//!
//! [`Tuned`] is also the value's text on the wire and in the start-up file,
//! written and read only here.

use super::{Str, HOST};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

/// A constant's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Tuned {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl fmt::Display for Tuned {
    /// `i:-3`, `f:<the f64's bits in hex>` (exact), `b:1`, `s:<text>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tuned::Int(v) => write!(f, "i:{v}"),
            Tuned::Float(v) => write!(f, "f:{:x}", v.to_bits()),
            Tuned::Bool(v) => write!(f, "b:{}", u8::from(*v)),
            Tuned::Str(v) => write!(f, "s:{v}"),
        }
    }
}

impl FromStr for Tuned {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Tuned, &'static str> {
        let (kind, v) = text.split_once(':').ok_or("a constant's value is not `<kind>:<value>`")?;
        match kind {
            "i" => v.parse().map(Tuned::Int).map_err(|_| "not an int"),
            "f" => u64::from_str_radix(v, 16).map(|b| Tuned::Float(f64::from_bits(b))).map_err(|_| "not a float"),
            "b" => match v {
                "1" => Ok(Tuned::Bool(true)),
                "0" => Ok(Tuned::Bool(false)),
                _ => Err("not a bool"),
            },
            "s" => Ok(Tuned::Str(v.to_string())),
            _ => Err("unknown kind of constant"),
        }
    }
}

impl Tuned {
    /// As the program's source would write it, for messages.
    pub fn human(&self) -> String {
        match self {
            Tuned::Int(v) => v.to_string(),
            Tuned::Float(v) => format!("{v:?}"),
            Tuned::Bool(v) => v.to_string(),
            Tuned::Str(v) => format!("{v:?}"),
        }
    }
}

/// The host's cell of one constant. Created once per key and never freed
/// (images keep pointers to it); a `str` value's text is leaked on each
/// change, as old libraries are.
#[derive(Debug)]
pub struct TunableCell {
    bits: AtomicU64,
    text: AtomicPtr<String>,
    set: AtomicBool,
}

impl TunableCell {
    pub const fn new() -> TunableCell {
        TunableCell { bits: AtomicU64::new(0), text: AtomicPtr::new(std::ptr::null_mut()), set: AtomicBool::new(false) }
    }

    /// Store a new value (the host, at a safe point or before `main`).
    pub fn store(&self, value: &Tuned) {
        match value {
            Tuned::Int(v) => self.bits.store(*v as u64, Ordering::Release),
            Tuned::Float(v) => self.bits.store(v.to_bits(), Ordering::Release),
            Tuned::Bool(v) => self.bits.store(u64::from(*v), Ordering::Release),
            Tuned::Str(v) => self.text.store(Box::into_raw(Box::new(v.clone())), Ordering::Release),
        }
        self.set.store(true, Ordering::Release);
    }

    fn bits(&self, key: &str) -> u64 {
        self.check(key);
        self.bits.load(Ordering::Acquire)
    }

    fn check(&self, key: &str) {
        if !self.set.load(Ordering::Acquire) {
            panic!("internal error: the constant `{key}` was given no value by `cargo aether run --hmr`");
        }
    }
}

impl Default for TunableCell {
    fn default() -> Self {
        TunableCell::new()
    }
}

/// One image's cached pointer to the host's cell of one constant.
#[derive(Debug)]
pub struct TunableRef(AtomicPtr<TunableCell>);

impl TunableRef {
    pub const fn new() -> TunableRef {
        TunableRef(AtomicPtr::new(std::ptr::null_mut()))
    }

    fn cell(&self, key: &'static str) -> &'static TunableCell {
        let mut ptr = self.0.load(Ordering::Acquire);
        if ptr.is_null() {
            let Some(table) = HOST.get() else {
                panic!("internal error: the constant `{key}` was read outside a `--hmr` program");
            };
            ptr = (table.hooks.tunable)(Str::new(key)).cast_mut();
            self.0.store(ptr, Ordering::Release);
        }
        // SAFETY: the host hands out cells it leaked (`&'static`), never
        // null, never freed.
        #[allow(unsafe_code)]
        unsafe {
            &*ptr
        }
    }
}

impl Default for TunableRef {
    fn default() -> Self {
        TunableRef::new()
    }
}

pub fn tunable_int(r: &TunableRef, key: &'static str) -> i64 {
    r.cell(key).bits(key) as i64
}

pub fn tunable_float(r: &TunableRef, key: &'static str) -> f64 {
    f64::from_bits(r.cell(key).bits(key))
}

pub fn tunable_bool(r: &TunableRef, key: &'static str) -> bool {
    r.cell(key).bits(key) != 0
}

pub fn tunable_str(r: &TunableRef, key: &'static str) -> String {
    let cell = r.cell(key);
    cell.check(key);
    let text = cell.text.load(Ordering::Acquire);
    // SAFETY: `store` publishes only leaked boxes, never freed.
    #[allow(unsafe_code)]
    unsafe {
        text.as_ref().cloned().unwrap_or_default()
    }
}

/// A hook for images with no host: no constant has a cell.
pub(super) extern "C" fn no_tunable(_key: Str) -> *const TunableCell {
    static NONE: TunableCell = TunableCell::new();
    &NONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_through_their_text_unchanged() {
        for v in [
            Tuned::Int(-3),
            Tuned::Int(i64::MAX),
            Tuned::Float(0.1),
            Tuned::Float(-0.0),
            Tuned::Bool(true),
            Tuned::Bool(false),
            Tuned::Str("a:b".into()),
        ] {
            assert_eq!(v.to_string().parse::<Tuned>(), Ok(v));
        }
        assert!("x:1".parse::<Tuned>().is_err());
        assert!("i:1.5".parse::<Tuned>().is_err());
    }

    #[test]
    fn a_cell_keeps_the_last_value() {
        let cell = TunableCell::new();
        cell.store(&Tuned::Float(4.0));
        assert_eq!(f64::from_bits(cell.bits("k")), 4.0);
        cell.store(&Tuned::Float(5.5));
        assert_eq!(f64::from_bits(cell.bits("k")), 5.5);
    }
}

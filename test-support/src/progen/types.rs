//! Types, the program's struct and enum declarations, and their text.

use super::rng::Rng;

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Opt(Box<Ty>),
    Res(Box<Ty>),
    Tuple(Vec<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    Struct(usize),
    Enum(usize),
}

impl Ty {
    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }
    pub fn opt(t: Ty) -> Ty {
        Ty::Opt(Box::new(t))
    }
    pub fn res(t: Ty) -> Ty {
        Ty::Res(Box::new(t))
    }
    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Box::new(k), Box::new(v))
    }
    pub fn func(params: Vec<Ty>, ret: Ty) -> Ty {
        Ty::Fn(params, Box::new(ret))
    }

    /// Whether values of the type can grow without bound when fed back
    /// into themselves (strings, collections, and what holds them).
    pub fn growable(&self) -> bool {
        !matches!(self, Ty::Int | Ty::Float | Ty::Bool | Ty::Unit | Ty::Fn(..))
    }

    /// Whether `T` may be wrapped as `T?` or `T!` (no `T??`, no optional
    /// function: its type would need parentheses).
    pub fn wrappable(&self) -> bool {
        !matches!(self, Ty::Opt(_) | Ty::Res(_) | Ty::Fn(..) | Ty::Unit)
    }
}

pub struct Field {
    pub name: String,
    pub ty: Ty,
    /// A constant default value, when the field has one.
    pub default: Option<String>,
}

pub struct StructDef {
    pub name: String,
    pub fields: Vec<Field>,
}

pub struct Variant {
    pub name: String,
    pub fields: Vec<(String, Ty)>,
}

pub struct EnumDef {
    pub name: String,
    pub variants: Vec<Variant>,
}

/// A program's user types; they all live in module `a`.
#[derive(Default)]
pub struct Types {
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
}

impl Types {
    /// The type as written in module `a` (`in_a`) or `b`.
    pub fn text(&self, t: &Ty, in_a: bool) -> String {
        let q = if in_a { "" } else { "a." };
        match t {
            Ty::Int => "int".into(),
            Ty::Float => "float".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "str".into(),
            Ty::Unit => "()".into(),
            Ty::List(e) => format!("[{}]", self.text(e, in_a)),
            Ty::Map(k, v) => format!("{{{}: {}}}", self.text(k, in_a), self.text(v, in_a)),
            Ty::Opt(e) => format!("{}?", self.text(e, in_a)),
            Ty::Res(e) => format!("{}!", self.text(e, in_a)),
            Ty::Tuple(ts) => format!("({})", ts.iter().map(|t| self.text(t, in_a)).collect::<Vec<_>>().join(", ")),
            Ty::Fn(ps, r) => {
                let ps = ps.iter().map(|t| self.text(t, in_a)).collect::<Vec<_>>().join(", ");
                if **r == Ty::Unit {
                    format!("fn({ps})")
                } else {
                    format!("fn({ps}) -> {}", self.text(r, in_a))
                }
            }
            Ty::Struct(i) => format!("{q}{}", self.structs[*i].name),
            Ty::Enum(i) => format!("{q}{}", self.enums[*i].name),
        }
    }

    /// Whether `==` applies (no function anywhere inside, through user
    /// types too).
    pub fn eq_ok(&self, t: &Ty) -> bool {
        self.eq_ok_seen(t, &mut Vec::new())
    }

    fn eq_ok_seen(&self, t: &Ty, seen: &mut Vec<Ty>) -> bool {
        match t {
            Ty::Fn(..) => false,
            Ty::List(e) | Ty::Opt(e) | Ty::Res(e) => self.eq_ok_seen(e, seen),
            Ty::Map(k, v) => self.eq_ok_seen(k, seen) && self.eq_ok_seen(v, seen),
            Ty::Tuple(ts) => ts.iter().all(|t| self.eq_ok_seen(t, seen)),
            Ty::Struct(_) | Ty::Enum(_) if seen.contains(t) => true,
            Ty::Struct(i) => {
                seen.push(t.clone());
                self.structs[*i].fields.iter().all(|f| self.eq_ok_seen(&f.ty, seen))
            }
            Ty::Enum(i) => {
                seen.push(t.clone());
                self.enums[*i].variants.iter().all(|v| v.fields.iter().all(|(_, ft)| self.eq_ok_seen(ft, seen)))
            }
            _ => true,
        }
    }

    /// A random type of at most `depth` levels, using the types declared
    /// so far.
    pub fn random(&self, rng: &mut Rng, depth: u32) -> Ty {
        let leaf = [Ty::Int, Ty::Int, Ty::Float, Ty::Bool, Ty::Str, Ty::Str];
        if depth == 0 || rng.chance(40) {
            if !self.structs.is_empty() && rng.chance(15) {
                return Ty::Struct(rng.below(self.structs.len()));
            }
            if !self.enums.is_empty() && rng.chance(15) {
                return Ty::Enum(rng.below(self.enums.len()));
            }
            return rng.pick(&leaf).clone();
        }
        match rng.weighted(&[6, 3, 4, 2, 3, 2]) {
            0 => Ty::list(self.random(rng, depth - 1)),
            1 => {
                let k = if rng.chance(50) { Ty::Int } else { Ty::Str };
                Ty::map(k, self.random(rng, depth - 1))
            }
            2 => {
                let t = self.random(rng, depth - 1);
                if t.wrappable() {
                    Ty::opt(t)
                } else {
                    Ty::opt(Ty::Int)
                }
            }
            3 => {
                let t = self.random(rng, depth - 1);
                if t.wrappable() {
                    Ty::res(t)
                } else {
                    Ty::res(Ty::Str)
                }
            }
            4 => Ty::Tuple((0..rng.range(2, 3)).map(|_| self.random(rng, depth - 1)).collect()),
            _ => {
                let params = (0..rng.range(1, 2)).map(|_| self.random(rng, depth - 1)).collect();
                Ty::func(params, self.random(rng, depth - 1))
            }
        }
    }

    /// A type without functions (for `==`, sorting keys, ...).
    pub fn random_eq(&self, rng: &mut Rng, depth: u32) -> Ty {
        for _ in 0..8 {
            let t = self.random(rng, depth);
            if self.eq_ok(&t) {
                return t;
            }
        }
        Ty::Int
    }
}

/// Field and variant names, mixed with names that are keywords or
/// reserved in the generated Rust.
pub const FIELD_NAMES: &[&str] = &[
    "x", "y", "hp", "name", "tag", "items", "count", "data", "value", "label", "score", "type", "ref", "move", "ctx",
    "clone", "len", "fmt", "eq", "self_", "__v", "loc", "box", "match_", "impl", "crate", "super", "Self_", "new",
    "iter",
];

pub const VARIANT_NAMES: &[&str] = &[
    "Circle", "Rect", "Empty", "Leaf", "Node", "Idle", "Run", "Jump", "Some", "None", "Ok", "Err", "Box", "Vec",
    "Self_", "Default", "Clone", "Ctx", "State", "Red", "Green", "Blue",
];

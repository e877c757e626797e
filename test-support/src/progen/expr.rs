//! Expressions of a given type, and the generator's state while it writes
//! one function body (`G`).
//!
//! Two rules keep generated programs small and terminating:
//! - ints stay far from overflow: `*` multiplies remainders below 1000,
//!   `/` and `%` divide by `r % 7 + 8` (never zero), conversions and
//!   parsing take a remainder, so an int never leaves about ±10^9;
//! - inside a loop, a value of a type that can grow (strings, lists, ...)
//!   is never built from a variable of such a type (`growable_ok`), so no
//!   loop doubles a string; outside loops, statements are few.

use super::rng::Rng;
use super::types::{Ty, Types};

/// A variable in scope: a local, a parameter, or a `state`.
#[derive(Clone)]
pub struct Var {
    /// How it is written here (`g1_count`, `a.g1_count`, `x`).
    pub text: String,
    pub ty: Ty,
    pub mutable: bool,
    pub state: bool,
    /// The closure nesting it was declared at: a closure may read but
    /// never assign what it captures.
    pub level: usize,
}

pub struct Param {
    pub ty: Ty,
    pub is_mut: bool,
}

/// A function or method of the program, as callers see it.
pub struct FnSig {
    pub name: String,
    pub in_a: bool,
    pub params: Vec<Param>,
    pub ret: Ty,
    /// Reads or changes a `state`, itself or through a call (a state lent
    /// as `mut` to it would be E0407).
    pub uses_state: bool,
    /// A method of this struct (`self` first, not in `params`).
    pub method_of: Option<usize>,
    pub self_mut: bool,
}

impl FnSig {
    /// A plain function usable as a value of type `fn(..) -> ..`.
    pub fn as_value_ty(&self) -> Option<Ty> {
        if self.method_of.is_some() || self.params.iter().any(|p| p.is_mut) {
            return None;
        }
        Some(Ty::func(self.params.iter().map(|p| p.ty.clone()).collect(), self.ret.clone()))
    }
}

/// The generator while it writes one program.
pub struct G {
    pub rng: Rng,
    pub types: Types,
    pub fns: Vec<FnSig>,
    /// Functions callable from the body being written: `fns[..callable]`.
    pub callable: usize,
    /// The states of the program, as `Var`s written in module `a`.
    pub states: Vec<(Var, bool)>,
    pub in_a: bool,
    pub scopes: Vec<Vec<Var>>,
    pub loop_depth: usize,
    pub closure_level: usize,
    /// The current function's return type.
    pub ret: Ty,
    pub growable_ok: bool,
    /// Inside `{...}` of a string: no nested interpolation.
    pub in_interp: bool,
    pub uses_state: bool,
    pub fresh: usize,
    /// Roots of places a `for mut` loop is iterating: not to be touched.
    pub hidden: Vec<String>,
    /// The lines of the body being written, and their indentation.
    pub lines: Vec<String>,
    pub indent: usize,
    /// No expected type here (a receiver, a scrutinee, an operand of
    /// `==`, a `let` without a type): the expression must fix its own
    /// type, so no `none`, `[]`, `{}`, `err(..)`, and no `T` as `T?`.
    pub self_typed: bool,
    /// `return` is allowed (not in `run`, which must reach its end).
    pub may_return: bool,
    /// Writing a value to store in a `state` that holds a function: the
    /// value calls no function value, no function that uses state and
    /// reads no variable holding a function, so no stored function can
    /// reach a state and call itself for ever (a state is read when the
    /// function runs, not captured: `s = |x| s(x)` never ends).
    pub storing_fn_in_state: bool,
}

pub const M: i64 = 1000;

/// Local names: a pool with keywords and names generated Rust uses
/// (functions and states never take these, so a local never hides one).
pub const LOCAL_NAMES: &[&str] = &[
    "x",
    "y",
    "n",
    "acc",
    "s",
    "t",
    "items",
    "total",
    "v",
    "w",
    "k",
    "tmp",
    "type",
    "impl",
    "ref",
    "move",
    "mod",
    "use",
    "where",
    "dyn",
    "trait",
    "static",
    "as",
    "yield",
    "async",
    "await",
    "unsafe",
    "box",
    "crate",
    "super",
    "ctx",
    "ctx_",
    "__loc",
    "__ctx",
    "__s",
    "__tmp",
    "self_",
    "loc",
    "r",
    "e",
    "vec",
    "string",
    "result",
    "option",
    "i64",
    "f64",
    "usize",
    "std",
    "core",
    "alloc",
    "aether_rt",
    "fmt",
    "new",
    "clone",
    "iter",
    "into",
    "drop",
    "default",
    "u__loc",
    "try",
    "gen",
    "macro",
    "final",
    "priv",
    "virtual",
    "become",
    "abstract",
    "do",
    "typeof",
    "unsized",
    "override",
    "union",
    "Ok_",
    "Some_",
];

impl G {
    /// An expression that must fix its own type (see `self_typed`).
    pub fn typed_expr(&mut self, t: &Ty, depth: u32) -> String {
        let saved = std::mem::replace(&mut self.self_typed, true);
        let e = self.expr(t, depth);
        self.self_typed = saved;
        e
    }

    /// An expression where the expected type is known (an argument, a
    /// field, a return value).
    pub fn known_expr(&mut self, t: &Ty, depth: u32) -> String {
        let saved = std::mem::replace(&mut self.self_typed, false);
        let e = self.expr(t, depth);
        self.self_typed = saved;
        e
    }

    /// A receiver of a method call: self-typed, in parentheses unless
    /// it is a name or a path.
    pub fn recv(&mut self, t: &Ty, depth: u32) -> String {
        let e = self.typed_expr(t, depth);
        if e.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') || e.starts_with('(') && e.ends_with(')') {
            e
        } else {
            format!("({e})")
        }
    }

    pub fn ty(&self, t: &Ty) -> String {
        self.types.text(t, self.in_a)
    }

    /// A new local name: from a pool with keywords and reserved words,
    /// or numbered.
    pub fn local_name(&mut self) -> String {
        const POOL: &[&str] = LOCAL_NAMES;
        self.fresh += 1;
        if self.rng.chance(55) {
            self.rng.pick(POOL).to_string()
        } else {
            format!("l{}", self.fresh)
        }
    }

    pub fn declare(&mut self, text: String, ty: Ty, mutable: bool) {
        let level = self.closure_level;
        self.scopes.last_mut().expect("a scope").push(Var { text, ty, mutable, state: false, level });
    }

    /// Every variable visible here, the innermost of each name only.
    pub fn visible(&self) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for scope in self.scopes.iter().rev() {
            for v in scope.iter().rev() {
                if self.hidden.contains(&v.text) {
                    continue;
                }
                if !out.iter().any(|o| o.text == v.text) {
                    out.push(v.clone());
                }
            }
        }
        out
    }

    /// Places of type `t` to read: variables, their fields and tuple
    /// elements (one level deep).
    pub fn readable(&self, t: &Ty) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        if self.storing_fn_in_state && !self.types.eq_ok(t) {
            return out;
        }
        for v in self.visible() {
            if v.ty.growable() && !self.growable_ok {
                continue;
            }
            if &v.ty == t {
                out.push((v.text.clone(), v.state));
            }
            match &v.ty {
                Ty::Struct(i) => {
                    for f in &self.types.structs[*i].fields {
                        if &f.ty == t {
                            out.push((format!("{}.{}", v.text, f.name), v.state));
                        }
                    }
                }
                Ty::Tuple(ts) => {
                    for (j, et) in ts.iter().enumerate() {
                        if et == t {
                            out.push((format!("{}.{j}", v.text), v.state));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Mutable places of type `t`: (text, is a state).
    pub fn assignable(&self, t: &Ty) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        for v in self.visible() {
            if !v.mutable || v.level < self.closure_level {
                continue;
            }
            if &v.ty == t {
                out.push((v.text.clone(), v.state));
            }
            if let Ty::Struct(i) = &v.ty {
                for f in &self.types.structs[*i].fields {
                    if &f.ty == t {
                        out.push((format!("{}.{}", v.text, f.name), v.state));
                    }
                }
            }
        }
        out
    }

    /// Reads a place: a read of a state marks the function as using state.
    pub fn read(&mut self, place: (String, bool)) -> String {
        if place.1 {
            self.uses_state = true;
        }
        place.0
    }

    pub fn int_lit(&mut self) -> String {
        let n = match self.rng.below(4) {
            0 => self.rng.range(0, 3),
            1 => self.rng.range(-20, 20),
            2 => self.rng.range(0, 999),
            _ => *self.rng.pick(&[0, 1, 2, 7, 10, 42, 100, 255, 1_000]),
        };
        if n < 0 {
            format!("({n})")
        } else if n > 99 && self.rng.chance(10) {
            format!("{:#x}", n)
        } else {
            n.to_string()
        }
    }

    pub fn float_lit(&mut self) -> String {
        let s = *self.rng.pick(&["0.0", "1.0", "0.5", "2.25", "3.14159", "100.0", "1.0e-3", "2E3", "7.5"]);
        if self.rng.chance(20) {
            format!("(-{s})")
        } else {
            s.to_string()
        }
    }

    pub fn str_lit(&mut self) -> String {
        let s = *self.rng.pick(&[
            "",
            "a",
            "go",
            "walk",
            "hello",
            "a,b,c",
            "x y  z",
            "héllo",
            "tab\\there",
            "quote\\\"d",
            "\\u{263A}",
            "line\\nbreak",
            "{{braces}}",
            "\\{esc\\}",
            "  pad  ",
            "Ab",
            "42",
            "3.5",
            "-7",
            "é",
        ]);
        format!("\"{s}\"")
    }

    /// An expression of type `t`; `depth` bounds its nesting.
    pub fn expr(&mut self, t: &Ty, depth: u32) -> String {
        if depth == 0 || self.rng.chance(25) {
            return self.leaf(t);
        }
        // Sometimes: a call, an `if`, a `match`, a field of something.
        match self.rng.below(if depth >= 2 { 10 } else { 14 }) {
            0 => {
                if let Some(e) = self.call_returning(t, depth - 1) {
                    return e;
                }
            }
            1 => {
                let c = self.expr(&Ty::Bool, depth - 1);
                let a = self.expr(t, depth - 1);
                let b = self.expr(t, depth - 1);
                return format!("(if {c} {{ {} }} else {{ {} }})", block_safe(&a), block_safe(&b));
            }
            2 if depth >= 2 => {
                if let Some(e) = self.match_expr(t, depth - 1) {
                    return e;
                }
            }
            3 => {
                if let Some(e) = self.safe_index(t, depth - 1) {
                    return e;
                }
            }
            4 => {
                if let Some(e) = self.call_fn_value(t, depth - 1) {
                    return e;
                }
            }
            _ => {}
        }
        self.shaped(t, depth)
    }

    /// An expression built for the type's own operations.
    fn shaped(&mut self, t: &Ty, depth: u32) -> String {
        let d = depth - 1;
        match t {
            Ty::Int => self.int_expr(d),
            Ty::Float => self.float_expr(d),
            Ty::Bool => self.bool_expr(d),
            Ty::Str => self.str_expr(d),
            Ty::Unit => "()".into(),
            Ty::List(e) => self.list_expr(e, d),
            Ty::Map(k, v) => {
                if self.rng.chance(20) && !self.self_typed {
                    return "({})".into();
                }
                let n = self.rng.range(1, 3);
                let entries: Vec<String> =
                    (0..n).map(|_| format!("{}: {}", self.expr(k, d.min(1)), self.expr(v, d))).collect();
                format!("({{{}}})", entries.join(", "))
            }
            Ty::Opt(e) => match self.rng.below(5) {
                0 if !self.self_typed => "none".into(),
                1 if !self.self_typed => self.expr(e, d),
                2 if **e == Ty::Int => {
                    let xs = self.recv(&Ty::list((**e).clone()), d);
                    format!("{xs}.first()")
                }
                3 if **e == Ty::Int => {
                    let s = self.recv(&Ty::Str, d);
                    format!("{s}.parse_int()")
                }
                _ => format!("some({})", self.expr(e, d)),
            },
            Ty::Res(e) => match self.rng.below(3) {
                0 if !self.self_typed => {
                    let m = self.str_expr(d.min(1));
                    format!("err({m})")
                }
                1 if !self.self_typed => self.expr(e, d),
                _ => format!("ok({})", self.expr(e, d)),
            },
            Ty::Tuple(ts) => {
                let parts: Vec<String> = ts.clone().iter().map(|t| self.expr(t, d)).collect();
                format!("({})", parts.join(", "))
            }
            Ty::Fn(ps, r) => self.fn_value(ps, r, d),
            Ty::Struct(i) => self.struct_lit(*i, d),
            Ty::Enum(i) => self.enum_value(*i, d),
        }
    }

    /// A variable or a literal (a constructor when there is no literal).
    pub fn leaf(&mut self, t: &Ty) -> String {
        let places = self.readable(t);
        if !places.is_empty() && self.rng.chance(65) {
            let p = self.rng.pick(&places).clone();
            return self.read(p);
        }
        match t {
            Ty::Int => self.int_lit(),
            Ty::Float => self.float_lit(),
            Ty::Bool => (if self.rng.chance(50) { "true" } else { "false" }).into(),
            Ty::Str => self.str_lit(),
            Ty::Unit => "()".into(),
            Ty::List(e) => {
                if self.rng.chance(30) && !self.self_typed {
                    "[]".into()
                } else {
                    let x = self.leaf(e);
                    format!("[{x}]")
                }
            }
            Ty::Map(..) if !self.self_typed => "({})".into(),
            Ty::Opt(_) if !self.self_typed => "none".into(),
            Ty::Opt(e) => {
                let x = self.leaf(e);
                format!("some({x})")
            }
            Ty::Res(e) => {
                let x = self.leaf(e);
                format!("ok({x})")
            }
            _ => self.shaped(t, 1),
        }
    }

    fn int_expr(&mut self, d: u32) -> String {
        match self.rng.below(16) {
            0 | 1 => format!("({} + {})", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            2 | 3 => format!("({} - {})", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            4 => format!("({} % {M} * ({} % {M}))", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            5 => format!("({} / ({} % 7 + 8))", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            6 => format!("({} % ({} % 7 + 8))", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            7 => format!("(-{})", self.expr(&Ty::Int, d)),
            8 => {
                let xs = self.any_list(d);
                format!("{xs}.len()")
            }
            9 => {
                let s = self.recv(&Ty::Str, d);
                if self.rng.chance(50) {
                    format!("{s}.len()")
                } else {
                    format!("len({s})")
                }
            }
            10 => format!("(int({}) % {M})", self.expr(&Ty::Float, d)),
            11 => format!("int({})", self.expr(&Ty::Bool, d)),
            12 => {
                let f = *self.rng.pick(&["abs", "min", "max"]);
                if f == "abs" {
                    format!("math.abs({})", self.expr(&Ty::Int, d))
                } else {
                    format!("math.{f}({}, {})", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d))
                }
            }
            13 => {
                let o = self.typed_expr(&Ty::opt(Ty::Int), d);
                format!("(({o} ?? {}) % {M})", self.int_lit())
            }
            14 => {
                let m = self.any_map(d);
                format!("{m}.len()")
            }
            _ => self.leaf(&Ty::Int),
        }
    }

    fn float_expr(&mut self, d: u32) -> String {
        match self.rng.below(9) {
            0 => format!("({} + {})", self.expr(&Ty::Float, d), self.expr(&Ty::Float, d)),
            1 => format!("({} - {})", self.expr(&Ty::Float, d), self.expr(&Ty::Float, d)),
            2 => format!("({} * {})", self.expr(&Ty::Float, d), self.expr(&Ty::Float, d)),
            3 => format!("({} / {})", self.expr(&Ty::Float, d), self.float_lit()),
            4 => format!("float({})", self.expr(&Ty::Int, d)),
            5 => format!("math.sqrt(math.abs({}))", self.expr(&Ty::Float, d)),
            6 => {
                let f = *self.rng.pick(&["floor", "ceil", "round", "sin", "cos"]);
                format!("math.{f}({})", self.expr(&Ty::Float, d))
            }
            7 => format!("(-{})", self.expr(&Ty::Float, d)),
            _ => {
                let s = self.recv(&Ty::Str, d);
                format!("({s}.parse_float() ?? {})", self.float_lit())
            }
        }
    }

    fn bool_expr(&mut self, d: u32) -> String {
        match self.rng.below(10) {
            0 => format!("({} && {})", self.expr(&Ty::Bool, d), self.expr(&Ty::Bool, d)),
            1 => format!("({} || {})", self.expr(&Ty::Bool, d), self.expr(&Ty::Bool, d)),
            2 => format!("!{}", self.expr(&Ty::Bool, d)),
            3 | 4 => {
                let t = self.rng.pick(&[Ty::Int, Ty::Float, Ty::Str]).clone();
                let op = *self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                format!("({} {op} {})", self.typed_expr(&t, d), self.typed_expr(&t, d))
            }
            5 => {
                let t = self.types.random_eq(&mut self.rng, 2);
                let op = *self.rng.pick(&["==", "!="]);
                format!("({} {op} {})", self.typed_expr(&t, d), self.typed_expr(&t, d))
            }
            6 => {
                let e = self.types.random_eq(&mut self.rng, 1);
                let xs = self.recv(&Ty::list(e.clone()), d);
                let x = self.known_expr(&e, d);
                format!("{xs}.contains({x})")
            }
            7 => {
                let s = self.recv(&Ty::Str, d);
                let m = *self.rng.pick(&["contains", "starts_with", "ends_with"]);
                let t = self.known_expr(&Ty::Str, d);
                format!("{s}.{m}({t})")
            }
            8 => {
                let xs = self.any_list(d);
                format!("{xs}.is_empty()")
            }
            _ => {
                let k = if self.rng.chance(50) { Ty::Int } else { Ty::Str };
                let v = self.types.random(&mut self.rng, 1);
                let m = self.recv(&Ty::map(k.clone(), v), d);
                let key = self.known_expr(&k, d);
                format!("{m}.contains({key})")
            }
        }
    }

    fn str_expr(&mut self, d: u32) -> String {
        match self.rng.below(12) {
            0 | 1 if !self.in_interp => self.interpolation(d),
            2 => format!("({} + {})", self.expr(&Ty::Str, d), self.expr(&Ty::Str, d)),
            3 => {
                let t = self.types.random(&mut self.rng, 2);
                format!("str({})", self.typed_expr(&t, d))
            }
            4 => {
                let m = *self.rng.pick(&["to_upper", "to_lower", "trim"]);
                format!("{}.{m}()", self.recv(&Ty::Str, d))
            }
            5 => {
                let (a, b) = (self.str_lit(), self.str_lit());
                format!("{}.replace({a}, {b})", self.recv(&Ty::Str, d))
            }
            6 => {
                let xs = self.recv(&Ty::list(Ty::Str), d);
                let sep = self.str_lit();
                format!("{xs}.join({sep})")
            }
            7 => format!("{}.repeat({})", self.recv(&Ty::Str, d), self.rng.range(0, 2)),
            _ => self.leaf(&Ty::Str),
        }
    }

    /// `"text {expr} {expr:spec}"`.
    fn interpolation(&mut self, d: u32) -> String {
        self.in_interp = true;
        let mut out = String::from("\"");
        for _ in 0..self.rng.range(1, 3) {
            const TEXT: [&str; 8] = ["", "v=", " ", "[", "] ", "é ", "{{", "}}"];
            let text = TEXT[self.rng.below(TEXT.len())];
            out.push_str(text);
            let t = self.rng.pick(&[Ty::Int, Ty::Float, Ty::Str, Ty::Bool]).clone();
            let t = if self.rng.chance(25) { self.types.random(&mut self.rng, 2) } else { t };
            let e = self.typed_expr(&t, d.min(2));
            let spec = match t {
                Ty::Int if self.rng.chance(50) => {
                    *self.rng.pick(&[":>5", ":<4", ":^6", ":05", ":x", ":X", ":#b", ":o", ":+", ":?", ":*>7"])
                }
                Ty::Float if self.rng.chance(50) => *self.rng.pick(&[":.2", ":8.3", ":e", ":.0", ":+.1", ":>9", ":?"]),
                Ty::Str if self.rng.chance(40) => *self.rng.pick(&[":>8", ":-<6", ":^5", ":?", ":.2"]),
                Ty::Bool if self.rng.chance(30) => *self.rng.pick(&[":>6", ":?"]),
                _ => "",
            };
            // A closure's parameters' `:`s do not start a format spec; a
            // closure in parentheses is the other way to write it.
            let e = if e.starts_with('|') && self.rng.chance(50) { format!("({e})") } else { e };
            out.push('{');
            out.push_str(&e);
            out.push_str(spec);
            out.push('}');
        }
        out.push('"');
        self.in_interp = false;
        out
    }

    fn list_expr(&mut self, e: &Ty, d: u32) -> String {
        match self.rng.below(8) {
            0 => {
                let src_t = self.types.random(&mut self.rng, 1);
                let src = self.recv(&Ty::list(src_t.clone()), d);
                let p = self.local_name();
                let saved = std::mem::replace(&mut self.self_typed, true);
                let body = self.closure_body(&[(p.clone(), src_t)], e, d);
                self.self_typed = saved;
                format!("{src}.map(|{p}| {body})")
            }
            1 => {
                let src = self.recv(&Ty::list(e.clone()), d);
                let p = self.local_name();
                let body = self.closure_body(&[(p.clone(), e.clone())], &Ty::Bool, d);
                format!("{src}.filter(|{p}| {body})")
            }
            2 if self.growable_ok => {
                // A slice that is always in range.
                let places = self.readable(&Ty::list(e.clone()));
                if places.is_empty() {
                    return self.leaf(&Ty::list(e.clone()));
                }
                let p = self.rng.pick(&places).clone();
                let xs = self.read(p);
                match self.rng.below(3) {
                    0 => format!("{xs}[0..{xs}.len()]"),
                    1 => format!("{xs}[..math.min(2, {xs}.len())]"),
                    _ => format!("{xs}[math.min(1, {xs}.len())..]"),
                }
            }
            3 if *e == Ty::Str => {
                let s = self.recv(&Ty::Str, d);
                let m = *self.rng.pick(&["split(\",\")", "words()", "lines()", "chars()", "split(\" \")"]);
                format!("{s}.{m}")
            }
            4 => {
                let k = if self.rng.chance(50) { Ty::Int } else { Ty::Str };
                if &k == e {
                    let v = self.types.random(&mut self.rng, 1);
                    let m = self.recv(&Ty::map(k, v), d);
                    return format!("{m}.keys()");
                }
                let m = self.recv(&Ty::map(k, e.clone()), d);
                format!("{m}.values()")
            }
            _ => {
                let n = self.rng.range(if self.self_typed { 1 } else { 0 }, 3);
                if n == 0 {
                    return "[]".into();
                }
                let mut xs: Vec<String> = (0..n).map(|_| self.expr(e, d)).collect();
                // `math.abs` takes ints or floats: in a list that must fix
                // its own type, another item fixes it, before or after.
                if xs.len() > 1 && *e == Ty::func(vec![Ty::Int], Ty::Int) && self.rng.chance(40) {
                    let i = self.rng.below(xs.len());
                    xs[i] = "math.abs".into();
                }
                format!("[{}]", xs.join(", "))
            }
        }
    }

    fn any_list(&mut self, d: u32) -> String {
        let e = self.types.random(&mut self.rng, 1);
        self.recv(&Ty::list(e), d)
    }

    fn any_map(&mut self, d: u32) -> String {
        let k = if self.rng.chance(50) { Ty::Int } else { Ty::Str };
        let v = self.types.random(&mut self.rng, 1);
        self.recv(&Ty::map(k, v), d)
    }

    /// `xs[i]` where `i` is always in range, or `m[k]` where `k` is there.
    fn safe_index(&mut self, t: &Ty, d: u32) -> Option<String> {
        if self.rng.chance(70) {
            let places = self.readable(&Ty::list(t.clone()));
            if places.is_empty() {
                return None;
            }
            let p = self.rng.pick(&places).clone();
            let xs = self.read(p);
            let i = self.expr(&Ty::Int, d);
            let dflt = self.expr(t, d);
            Some(format!(
                "(if {xs}.is_empty() {{ {dflt} }} else {{ {xs}[({i} % {xs}.len() + {xs}.len()) % {xs}.len()] }})"
            ))
        } else {
            let k = if self.rng.chance(50) { Ty::Int } else { Ty::Str };
            let places = self.readable(&Ty::map(k.clone(), t.clone()));
            if places.is_empty() {
                return None;
            }
            let p = self.rng.pick(&places).clone();
            let m = self.read(p);
            let key = self.known_expr(&k, d.min(1));
            let dflt = self.expr(t, d);
            if self.rng.chance(50) {
                Some(format!("({m}.get({key}) ?? {dflt})"))
            } else {
                Some(format!("(if {m}.contains({key}) {{ {m}[{key}] }} else {{ {dflt} }})"))
            }
        }
    }

    /// A call of a function or method of the program returning `t`.
    pub fn call_returning(&mut self, t: &Ty, d: u32) -> Option<String> {
        let candidates: Vec<usize> = (0..self.callable)
            .filter(|&i| &self.fns[i].ret == t && (self.in_a <= self.fns[i].in_a))
            .filter(|&i| !self.fns[i].self_mut)
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = *self.rng.pick(&candidates);
        self.call(i, d)
    }

    /// A call of `fns[i]`; `None` when a `mut` argument has no place.
    pub fn call(&mut self, i: usize, d: u32) -> Option<String> {
        let params: Vec<(Ty, bool)> = self.fns[i].params.iter().map(|p| (p.ty.clone(), p.is_mut)).collect();
        let callee_uses_state = self.fns[i].uses_state;
        if callee_uses_state && self.storing_fn_in_state {
            return None;
        }
        // A function lent a state holding a function could store in it one
        // that calls that state (see `storing_fn_in_state`).
        let lends_fn_state = |g: &Self, is_state: bool, t: &Ty| is_state && !g.types.eq_ok(t);
        let mut args = Vec::new();
        let mut lent: Vec<String> = Vec::new();
        for (t, is_mut) in params {
            if is_mut {
                let places: Vec<(String, bool)> = self
                    .assignable(&t)
                    .into_iter()
                    .filter(|(p, st)| !(lent.iter().any(|l| overlaps(l, p)) || *st && callee_uses_state))
                    .filter(|(_, st)| !lends_fn_state(self, *st, &t))
                    .collect();
                if places.is_empty() {
                    return None;
                }
                let p = self.rng.pick(&places).clone();
                lent.push(p.0.clone());
                let p = self.read(p);
                args.push(format!("mut {p}"));
            } else {
                args.push(self.known_expr(&t, d));
            }
        }
        // An argument read after a `mut` one of the same place would be
        // an overlapping access: keep reads off lent places.
        if args.iter().filter(|a| !a.starts_with("mut ")).any(|a| lent.iter().any(|l| mentions(a, l))) {
            return None;
        }
        if self.fns[i].uses_state {
            self.uses_state = true;
        }
        let f = &self.fns[i];
        let q = if f.in_a && !self.in_a { "a." } else { "" };
        match f.method_of {
            None => Some(format!("{q}{}({})", f.name, args.join(", "))),
            Some(s) => {
                let st = Ty::Struct(s);
                let self_mut = f.self_mut;
                let name = f.name.clone();
                let recv = if self_mut {
                    let places: Vec<(String, bool)> = self
                        .assignable(&st)
                        .into_iter()
                        .filter(|(p, is_state)| {
                            !(args.iter().any(|a| mentions(a, p)) || *is_state && callee_uses_state)
                        })
                        .filter(|(_, is_state)| !lends_fn_state(self, *is_state, &st))
                        .collect();
                    if places.is_empty() {
                        return None;
                    }
                    let p = self.rng.pick(&places).clone();
                    self.read(p)
                } else {
                    self.recv(&st, d)
                };
                Some(format!("{recv}.{name}({})", args.join(", ")))
            }
        }
    }

    /// A call of a function value (a local, a field, a state) returning `t`.
    fn call_fn_value(&mut self, t: &Ty, d: u32) -> Option<String> {
        if self.storing_fn_in_state {
            return None;
        }
        let mut found = Vec::new();
        for v in self.visible() {
            if let Ty::Fn(ps, r) = &v.ty {
                if **r == *t {
                    found.push((v.text.clone(), v.state, ps.clone()));
                }
            }
            if let Ty::Struct(i) = &v.ty {
                for f in &self.types.structs[*i].fields {
                    if let Ty::Fn(ps, r) = &f.ty {
                        if **r == *t {
                            found.push((format!("{}.{}", v.text, f.name), v.state, ps.clone()));
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let (f, st, ps) = self.rng.pick(&found).clone();
        let f = self.read((f, st));
        let args: Vec<String> = ps.iter().map(|p| self.known_expr(p, d)).collect();
        Some(format!("{f}({})", args.join(", ")))
    }

    /// A function value: a closure (capturing what is in scope), a named
    /// function of the program, or `math.abs`/`math.sqrt`.
    fn fn_value(&mut self, ps: &[Ty], r: &Ty, d: u32) -> String {
        let want = Ty::func(ps.to_vec(), r.clone());
        if self.rng.chance(25) {
            let named: Vec<String> = (0..self.callable)
                .filter(|&i| self.fns[i].as_value_ty().as_ref() == Some(&want))
                .filter(|&i| self.in_a <= self.fns[i].in_a)
                .map(|i| {
                    let q = if self.fns[i].in_a && !self.in_a { "a." } else { "" };
                    format!("{q}{}", self.fns[i].name)
                })
                .collect();
            if !named.is_empty() && !self.storing_fn_in_state {
                let f = self.rng.pick(&named).clone();
                if self.fns.iter().take(self.callable).any(|s| s.uses_state && f.ends_with(&s.name)) {
                    self.uses_state = true;
                }
                return f;
            }
            if ps == [Ty::Int] && *r == Ty::Int && !self.self_typed {
                return "math.abs".into();
            }
        }
        let params: Vec<(String, Ty)> = ps.iter().map(|p| (self.local_name(), p.clone())).collect();
        let mut seen = Vec::new();
        let params: Vec<(String, Ty)> = params
            .into_iter()
            .enumerate()
            .map(|(j, (n, t))| {
                let n = if seen.contains(&n) { format!("p{j}") } else { n };
                seen.push(n.clone());
                (n, t)
            })
            .collect();
        let typed: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {}", self.ty(t))).collect();
        if *r != Ty::Unit && self.rng.chance(30) {
            let saved = std::mem::replace(&mut self.self_typed, false);
            let body = self.closure_body(&params, r, d);
            self.self_typed = saved;
            format!("|{}| -> {} {{ {} }}", typed.join(", "), self.ty(r), block_safe(&body))
        } else {
            // Without `-> T` the body's own type is the closure's.
            let saved = std::mem::replace(&mut self.self_typed, true);
            let body = self.closure_body(&params, r, d);
            self.self_typed = saved;
            format!("|{}| {body}", typed.join(", "))
        }
    }

    /// The body of a closure with these parameters: an expression of
    /// type `r` that may read (capture) whatever is in scope.
    pub fn closure_body(&mut self, params: &[(String, Ty)], r: &Ty, d: u32) -> String {
        self.closure_level += 1;
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        self.scopes.push(Vec::new());
        for (n, t) in params {
            self.declare(n.clone(), t.clone(), false);
        }
        let body = if *r == Ty::Unit { "()".to_string() } else { self.expr(r, d.min(2)) };
        self.scopes.pop();
        self.loop_depth = saved_loop;
        self.closure_level -= 1;
        body
    }

    fn struct_lit(&mut self, i: usize, d: u32) -> String {
        let places = self.readable(&Ty::Struct(i));
        let name = self.ty(&Ty::Struct(i));
        let fields: Vec<(String, Ty, bool)> =
            self.types.structs[i].fields.iter().map(|f| (f.name.clone(), f.ty.clone(), f.default.is_some())).collect();
        let _ = places;
        let mut parts = Vec::new();
        for (n, t, has_default) in fields {
            if has_default && self.rng.chance(50) {
                continue;
            }
            let v = if matches!(t, Ty::Opt(ref e) if **e == Ty::Struct(i)) && (d == 0 || self.rng.chance(60)) {
                "none".to_string()
            } else {
                self.known_expr(&t, d.saturating_sub(1))
            };
            parts.push(format!("{n}: {v}"));
        }
        format!("{name} {{ {} }}", parts.join(", "))
    }

    fn enum_value(&mut self, i: usize, d: u32) -> String {
        let name = self.ty(&Ty::Enum(i));
        let nv = self.types.enums[i].variants.len();
        let v = self.rng.below(nv);
        let (vname, fields) = {
            let var = &self.types.enums[i].variants[v];
            (var.name.clone(), var.fields.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
        };
        if fields.is_empty() {
            return format!("{name}.{vname}");
        }
        let args: Vec<String> = fields
            .iter()
            .map(|t| {
                let recursive = matches!(t, Ty::Opt(e) if **e == Ty::Enum(i));
                if recursive && (d == 0 || self.rng.chance(50)) {
                    "none".to_string()
                } else {
                    self.known_expr(t, d.saturating_sub(1))
                }
            })
            .collect();
        format!("{name}.{vname}({})", args.join(", "))
    }
}

/// A value written where a block could start (an arm, a branch, a
/// body's last line): a map literal there needs parentheses.
pub fn block_safe(e: &str) -> String {
    if e.starts_with('{') {
        format!("({e})")
    } else {
        e.to_string()
    }
}

/// Whether place `a` and place `b` overlap (one is a prefix of the other).
pub fn overlaps(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

/// Whether expression text `e` may read place `p` (or a part of it).
pub fn mentions(e: &str, p: &str) -> bool {
    let root = p.split('.').next().unwrap_or(p);
    let bytes = e.as_bytes();
    let mut from = 0;
    while let Some(at) = e[from..].find(root) {
        let start = from + at;
        let end = start + root.len();
        let before = start == 0 || !is_ident(bytes[start - 1]) && bytes[start - 1] != b'.';
        let after = end == e.len() || !is_ident(bytes[end]);
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

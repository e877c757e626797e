//! The prelude, the built-in `math` module, and the methods of `str`,
//! lists and maps, with the signatures of decisions.md.

use super::{suggest, Checker, Res};
use crate::ast::{Arg, Expr, Ident};
use crate::diagnostic::{Code, Diagnostic};
use crate::ty::Ty;

/// Names available everywhere without an import (shadowed by user items).
pub(super) const PRELUDE: &[&str] = &[
    "print",
    "println",
    "eprintln",
    "assert",
    "panic",
    "len",
    "args",
    "read_line",
    "read_file",
    "write_file",
    "now_ms",
    "hmr_status",
    "sleep_ms",
    "random_int",
    "random_float",
    "some",
    "ok",
    "err",
    "float",
    "int",
    "str",
    "from_char_code",
    "env",
    "exit",
    "read_stdin",
    "list_dir",
    "format_time",
    "run_command",
];

const MATH_UNARY: &[&str] = &["sqrt", "sin", "cos", "tan", "floor", "ceil", "round", "exp", "ln"];
const MATH_BINARY: &[&str] = &["atan2", "pow"];
const MATH_GENERIC: &[&str] = &["abs", "min", "max"];
const MATH_CONSTS: &[&str] = &["PI", "E"];
/// `int.MAX`, `float.NAN`: the number types' constants, as [`Res::Math`]
/// names.
pub(super) const NUM_CONSTS: &[&str] = &["int.MAX", "int.MIN", "float.INFINITY", "float.NAN", "float.EPSILON"];

const STR_METHODS: &[&str] = &[
    "len",
    "contains",
    "split",
    "words",
    "lines",
    "trim",
    "to_upper",
    "to_lower",
    "starts_with",
    "ends_with",
    "replace",
    "parse_int",
    "parse_float",
    "chars",
    "repeat",
    "is_empty",
    "find",
    "rfind",
    "char_code",
    "split_whitespace",
    "pad_left",
    "pad_right",
];
const LIST_METHODS: &[&str] = &[
    "push",
    "pop",
    "len",
    "insert",
    "remove",
    "contains",
    "sort",
    "sort_by",
    "map",
    "filter",
    "reverse",
    "join",
    "is_empty",
    "first",
    "last",
    "fold",
    "sum",
    "min",
    "max",
    "min_by",
    "max_by",
    "min_by_key",
    "max_by_key",
    "sort_by_key",
    "any",
    "all",
    "enumerate",
    "zip",
    "find",
    "position",
    "flat_map",
    "take",
    "skip",
    "chunks",
    "windows",
    "dedup",
    "reversed",
];
const MAP_METHODS: &[&str] =
    &["insert", "get", "contains", "remove", "keys", "values", "len", "is_empty", "entries", "get_or", "update"];

/// The names the prelude, `math` and the built-in methods offer, for
/// editors' completion ([`super::builtin_names`]).
pub(super) fn names(kind: super::BuiltinKind) -> Vec<&'static str> {
    let lists: &[&[&'static str]] = match kind {
        super::BuiltinKind::Prelude => &[PRELUDE],
        super::BuiltinKind::MathFns => &[MATH_UNARY, MATH_BINARY, MATH_GENERIC],
        super::BuiltinKind::MathConsts => &[MATH_CONSTS],
        super::BuiltinKind::StrMethods => &[STR_METHODS],
        super::BuiltinKind::ListMethods => &[LIST_METHODS],
        super::BuiltinKind::MapMethods => &[MAP_METHODS],
    };
    lists.concat()
}

/// A prelude function with a fixed signature.
fn fixed_sig(name: &str) -> Option<(Vec<Ty>, Ty)> {
    Some(match name {
        "panic" => (vec![Ty::Str], Ty::Never),
        "args" => (vec![], Ty::list(Ty::Str)),
        "read_line" => (vec![], Ty::optional(Ty::Str)),
        "read_file" => (vec![Ty::Str], Ty::result(Ty::Str)),
        "write_file" => (vec![Ty::Str, Ty::Str], Ty::result(Ty::Unit)),
        "now_ms" => (vec![], Ty::Int),
        "hmr_status" => (vec![], Ty::optional(Ty::Str)),
        "sleep_ms" => (vec![Ty::Int], Ty::Unit),
        "random_int" => (vec![Ty::Int, Ty::Int], Ty::Int),
        "random_float" => (vec![], Ty::Float),
        "from_char_code" => (vec![Ty::Int], Ty::Str),
        "env" => (vec![Ty::Str], Ty::optional(Ty::Str)),
        "exit" => (vec![Ty::Int], Ty::Never),
        "read_stdin" => (vec![], Ty::Str),
        "list_dir" => (vec![Ty::Str], Ty::result(Ty::list(Ty::Str))),
        "format_time" => (vec![Ty::Int, Ty::Str], Ty::result(Ty::Str)),
        "run_command" => {
            (vec![Ty::Str, Ty::list(Ty::Str)], Ty::result(Ty::Struct(crate::ty::COMMAND_OUTPUT, Vec::new())))
        }
        _ => return None,
    })
}

/// Interns a method name as `kind.name` for [`Res::BuiltinMethod`]. The
/// names are made once from the method lists above (so a method added there
/// has its name here), and live as long as the process.
fn method_res(kind: &str, name: &str) -> &'static str {
    static ALL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        [("str", STR_METHODS), ("list", LIST_METHODS), ("map", MAP_METHODS)]
            .iter()
            .flat_map(|(kind, names)| names.iter().map(move |n| &*Box::leak(format!("{kind}.{n}").into_boxed_str())))
            .collect()
    });
    let key = format!("{kind}.{name}");
    all.iter().find(|s| **s == key).copied().unwrap_or("unknown")
}

fn intern(list: &[&'static str], name: &str) -> &'static str {
    list.iter().find(|s| **s == name).copied().unwrap_or("unknown")
}

impl Checker<'_> {
    /// A prelude name used as a value (`xs.map(str)`), if it is one.
    pub(super) fn builtin_value(&mut self, e: &Expr, name: &str, expected: Option<&Ty>) -> Option<Ty> {
        if !PRELUDE.contains(&name) {
            return None;
        }
        self.record_res(e.id, Res::Builtin(intern(PRELUDE, name)));
        if let Some((ps, r)) = fixed_sig(name) {
            return Some(Ty::Fn(ps, Box::new(r)));
        }
        let hint = match expected.map(|t| self.shallow(t)) {
            Some(Ty::Fn(ps, _)) if ps.len() == 1 => ps.first().map(|p| self.shallow(p)),
            _ => None,
        };
        let param = match hint {
            Some(t) => t,
            None => self.fresh(e.span),
        };
        let t = match name {
            "print" | "println" | "eprintln" => Ty::Fn(vec![param], Box::new(Ty::Unit)),
            "assert" => Ty::Fn(vec![Ty::Bool], Box::new(Ty::Unit)),
            "len" => Ty::Fn(vec![param], Box::new(Ty::Int)),
            "some" => Ty::Fn(vec![param.clone()], Box::new(Ty::optional(param))),
            "ok" => Ty::Fn(vec![param.clone()], Box::new(Ty::result(param))),
            "err" => {
                let v = self.fresh(e.span);
                Ty::Fn(vec![Ty::Str], Box::new(Ty::result(v)))
            }
            "str" => Ty::Fn(vec![param], Box::new(Ty::Str)),
            "float" => {
                let p = if param == Ty::Float { Ty::Float } else { Ty::Int };
                Ty::Fn(vec![p], Box::new(Ty::Float))
            }
            "int" => {
                let p = if matches!(param, Ty::Int | Ty::Bool) { param } else { Ty::Float };
                Ty::Fn(vec![p], Box::new(Ty::Int))
            }
            _ => Ty::Error,
        };
        Some(t)
    }

    /// A call of a prelude function.
    pub(super) fn builtin_call(
        &mut self,
        e: &Expr,
        callee: &Expr,
        name: &str,
        args: &[Arg],
        expected: Option<&Ty>,
    ) -> Ty {
        self.record_res(callee.id, Res::Builtin(intern(PRELUDE, name)));
        for a in args.iter().filter(|a| a.mutable) {
            self.report(
                Code::E0402,
                a.span,
                format!("`mut` given, but `{name}` takes no `mut` parameters"),
                "remove `mut`",
            );
        }
        if let Some((ps, r)) = fixed_sig(name) {
            self.check_args(e.span, &format!("`{name}`"), &ps, args);
            return r;
        }
        let (min, max) = match name {
            "println" => (0, 1),
            "assert" => (1, 2),
            _ => (1, 1),
        };
        if args.len() < min || args.len() > max {
            let takes = if min == max { format!("{min}") } else { format!("{min} or {max}") };
            let s = if max == 1 { "" } else { "s" };
            let was = if args.len() == 1 { "was" } else { "were" };
            self.error(
                Code::E0301,
                e.span,
                format!("`{name}` takes {takes} argument{s} but {} {was} given", args.len()),
            );
            self.infer_args(args);
            return match name {
                "len" | "int" => Ty::Int,
                "float" => Ty::Float,
                "str" => Ty::Str,
                "print" | "println" | "eprintln" | "assert" => Ty::Unit,
                _ => Ty::Error,
            };
        }
        let first = args.first().map(|a| &a.expr);
        match (name, first) {
            ("print" | "println" | "eprintln", _) => {
                self.infer_args(args);
                Ty::Unit
            }
            ("assert", Some(c)) => {
                self.check_expr(c, &Ty::Bool);
                if let Some(m) = args.get(1) {
                    self.check_expr(&m.expr, &Ty::Str);
                }
                Ty::Unit
            }
            ("len", Some(x)) => {
                let t = self.expr(x, None);
                match self.shallow(&t) {
                    Ty::Str | Ty::List(_) | Ty::Map(..) | Ty::Error => {}
                    Ty::Var(_) => {
                        self.must_know(x.span);
                    }
                    other => {
                        let shown = self.display(&other);
                        self.error(Code::E0300, x.span, format!("`len` takes a str, a list or a map, found `{shown}`"));
                    }
                }
                Ty::Int
            }
            ("some", Some(x)) => {
                let inner = match expected.map(|t| self.shallow(t)) {
                    Some(Ty::Optional(t)) => self.check_expr(x, &t),
                    _ => self.expr(x, None),
                };
                Ty::optional(inner)
            }
            ("ok", Some(x)) => {
                let inner = match expected.map(|t| self.shallow(t)) {
                    Some(Ty::Result(t)) => self.check_expr(x, &t),
                    _ => self.expr(x, None),
                };
                Ty::result(inner)
            }
            ("err", Some(x)) => {
                self.check_expr(x, &Ty::Str);
                match expected.map(|t| self.shallow(t)) {
                    Some(t @ Ty::Result(_)) => t,
                    _ => Ty::result(self.fresh(e.span)),
                }
            }
            ("float" | "int", Some(x)) => {
                let t = self.expr(x, None);
                let st = self.shallow(&t);
                let ok = match name {
                    "float" => matches!(st, Ty::Int | Ty::Float | Ty::Error),
                    _ => matches!(st, Ty::Int | Ty::Float | Ty::Bool | Ty::Error),
                };
                if !ok {
                    let shown = self.display(&st);
                    let want = if name == "float" { "an int or a float" } else { "a float, an int or a bool" };
                    let mut d =
                        Diagnostic::at(Code::E0300, x.span, format!("`{name}(...)` converts {want}, not `{shown}`"));
                    if st == Ty::Str {
                        d = d.with_help(format!("parse a string with `s.parse_{name}()`, which returns `{name}?`"));
                    }
                    self.emit(d);
                }
                if name == "float" {
                    Ty::Float
                } else {
                    Ty::Int
                }
            }
            ("str", Some(x)) => {
                self.expr(x, None);
                Ty::Str
            }
            _ => {
                self.infer_args(args);
                Ty::Error
            }
        }
    }

    /// `math.PI`, or a math function used as a value.
    pub(super) fn math_value(&mut self, e: &Expr, name: &Ident, expected: Option<&Ty>) -> Ty {
        let n = name.name.as_str();
        if MATH_CONSTS.contains(&n) {
            self.record_res(e.id, Res::Math(intern(MATH_CONSTS, n)));
            return Ty::Float;
        }
        // `abs`, `min` and `max` take ints or floats: an expected function
        // type whose (inferred) first parameter is `int` picks ints.
        let num = match expected.map(|t| self.shallow(t)) {
            Some(Ty::Fn(ps, _)) if ps.first().is_some_and(|p| self.shallow(p) == Ty::Int) => Ty::Int,
            _ => Ty::Float,
        };
        if MATH_UNARY.contains(&n) {
            self.record_res(e.id, Res::Math(intern(MATH_UNARY, n)));
            Ty::Fn(vec![Ty::Float], Box::new(Ty::Float))
        } else if MATH_BINARY.contains(&n) {
            self.record_res(e.id, Res::Math(intern(MATH_BINARY, n)));
            Ty::Fn(vec![Ty::Float, Ty::Float], Box::new(Ty::Float))
        } else if n == "abs" {
            self.record_res(e.id, Res::Math("abs"));
            Ty::Fn(vec![num.clone()], Box::new(num))
        } else if MATH_GENERIC.contains(&n) {
            self.record_res(e.id, Res::Math(intern(MATH_GENERIC, n)));
            Ty::Fn(vec![num.clone(), num.clone()], Box::new(num))
        } else {
            self.unknown_math(name);
            Ty::Error
        }
    }

    /// `int.MAX`, `int.MIN`, `float.INFINITY`, `float.NAN`, `float.EPSILON`.
    pub(super) fn num_const(&mut self, e: &Expr, ty: &str, name: &Ident) -> Ty {
        let key = format!("{ty}.{}", name.name);
        match NUM_CONSTS.iter().find(|c| **c == key) {
            Some(c) => {
                self.record_res(e.id, Res::Math(c));
                if ty == "int" {
                    Ty::Int
                } else {
                    Ty::Float
                }
            }
            None => {
                let prefix = format!("{ty}.");
                let names = NUM_CONSTS.iter().filter_map(|c| c.strip_prefix(prefix.as_str()));
                let mut d = Diagnostic::at(Code::E0104, name.span, format!("`{ty}` has no constant `{}`", name.name));
                d = match suggest(&name.name, names.clone()) {
                    Some(h) => d.with_help(h),
                    None => d.with_help(format!("`{ty}` has {}", names.collect::<Vec<_>>().join(", "))),
                };
                self.emit(d);
                Ty::Error
            }
        }
    }

    /// `json.parse(text: str) -> json.Json!`, `json.stringify(v: json.Json) -> str`.
    pub(super) fn json_call(&mut self, e: &Expr, callee: &Expr, name: &Ident, args: &[Arg]) -> Ty {
        let json = Ty::Enum(crate::ty::JSON, Vec::new());
        let (res, param, ret) = match name.name.as_str() {
            "parse" => ("json.parse", Ty::Str, Ty::result(json)),
            "stringify" => ("json.stringify", json, Ty::Str),
            _ => {
                self.unknown_json(name);
                self.infer_args(args);
                return Ty::Error;
            }
        };
        self.record_res(callee.id, Res::Math(res));
        if args.len() != 1 {
            self.arity(e.span, &format!("`{res}`"), 1, args.len());
            self.infer_args(args);
            return ret;
        }
        self.check_expr(&args[0].expr, &param);
        ret
    }

    /// `json.parse` without a call: only calls are supported.
    pub(super) fn json_value(&mut self, name: &Ident) -> Ty {
        if matches!(name.name.as_str(), "parse" | "stringify") {
            self.report(
                Code::E0104,
                name.span,
                format!("`json.{}` can only be called", name.name),
                format!("wrap it in a closure: `|x| json.{}(x)`", name.name),
            );
        } else {
            self.unknown_json(name);
        }
        Ty::Error
    }

    fn unknown_json(&mut self, name: &Ident) {
        let mut d = Diagnostic::at(Code::E0104, name.span, format!("module `json` has no item `{}`", name.name));
        if let Some(h) = suggest(&name.name, ["parse", "stringify", "Json"]) {
            d = d.with_help(h);
        }
        self.emit(d);
    }

    fn unknown_math(&mut self, name: &Ident) {
        let all = MATH_UNARY.iter().chain(MATH_BINARY).chain(MATH_GENERIC).chain(MATH_CONSTS).copied();
        let mut d = Diagnostic::at(Code::E0104, name.span, format!("module `math` has no item `{}`", name.name));
        if let Some(h) = suggest(&name.name, all) {
            d = d.with_help(h);
        }
        self.emit(d);
    }

    pub(super) fn math_call(&mut self, e: &Expr, callee: &Expr, name: &Ident, args: &[Arg]) -> Ty {
        let n = name.name.as_str();
        let arity = if MATH_UNARY.contains(&n) || n == "abs" {
            1
        } else if MATH_BINARY.contains(&n) || MATH_GENERIC.contains(&n) {
            2
        } else if MATH_CONSTS.contains(&n) {
            self.record_res(callee.id, Res::Math(intern(MATH_CONSTS, n)));
            self.error(Code::E0302, callee.span, format!("`math.{n}` is a constant, not a function"));
            self.infer_args(args);
            return Ty::Error;
        } else {
            self.unknown_math(name);
            self.infer_args(args);
            return Ty::Error;
        };
        let all = [MATH_UNARY, MATH_BINARY, MATH_GENERIC].concat();
        self.record_res(callee.id, Res::Math(intern(&all, n)));
        if args.len() != arity {
            self.arity(e.span, &format!("`math.{n}`"), arity, args.len());
            self.infer_args(args);
            return if MATH_GENERIC.contains(&n) { Ty::Error } else { Ty::Float };
        }
        if !MATH_GENERIC.contains(&n) {
            for a in args {
                self.check_expr(&a.expr, &Ty::Float);
            }
            return Ty::Float;
        }
        // abs/min/max: int or float, all arguments the same type.
        let mut t: Option<Ty> = None;
        for a in args {
            match &t {
                Some(t) => {
                    let t = t.clone();
                    self.check_expr(&a.expr, &t);
                }
                None => {
                    let at = self.expr(&a.expr, None);
                    match self.shallow(&at) {
                        x @ (Ty::Int | Ty::Float) => t = Some(x),
                        Ty::Error => t = Some(Ty::Error),
                        other => {
                            let shown = self.display(&other);
                            self.error(
                                Code::E0300,
                                a.expr.span,
                                format!("`math.{n}` takes ints or floats, found `{shown}`"),
                            );
                            t = Some(Ty::Error);
                        }
                    }
                }
            }
        }
        t.unwrap_or(Ty::Error)
    }

    /// A method of `str`, a list or a map.
    pub(super) fn builtin_method_call(
        &mut self,
        e: &Expr,
        callee: &Expr,
        base: &Expr,
        recv: &Ty,
        name: &Ident,
        args: &[Arg],
    ) -> Ty {
        let n = name.name.as_str();
        let (kind, names) = match recv {
            Ty::Str => ("str", STR_METHODS),
            Ty::List(_) => ("list", LIST_METHODS),
            _ => ("map", MAP_METHODS),
        };
        if !names.contains(&n) {
            let shown = self.display(recv);
            let mut d = Diagnostic::at(Code::E0204, name.span, format!("`{shown}` has no method `{n}`"));
            if kind == "list" && n == "get" {
                d = d.with_help("index a list with `xs[i]`; `first()` and `last()` return optionals");
            } else if let Some(h) = suggest(n, names.iter().copied()) {
                d = d.with_help(h);
            }
            self.emit(d);
            self.infer_args(args);
            return Ty::Error;
        }
        self.record_res(callee.id, Res::BuiltinMethod(method_res(kind, n)));
        for a in args.iter().filter(|a| a.mutable) {
            self.report(
                Code::E0402,
                a.span,
                format!("`mut` given, but `{n}` takes no `mut` parameters"),
                "remove `mut`",
            );
        }
        let (params, ret, mutating): (Vec<Ty>, Ty, bool) = match recv {
            Ty::Str => match n {
                "len" => (vec![], Ty::Int, false),
                "is_empty" => (vec![], Ty::Bool, false),
                "contains" | "starts_with" | "ends_with" => (vec![Ty::Str], Ty::Bool, false),
                "split" => (vec![Ty::Str], Ty::list(Ty::Str), false),
                "words" | "lines" | "chars" => (vec![], Ty::list(Ty::Str), false),
                "trim" | "to_upper" | "to_lower" => (vec![], Ty::Str, false),
                "replace" => (vec![Ty::Str, Ty::Str], Ty::Str, false),
                "parse_int" => (vec![], Ty::optional(Ty::Int), false),
                "parse_float" => (vec![], Ty::optional(Ty::Float), false),
                "find" | "rfind" => (vec![Ty::Str], Ty::optional(Ty::Int), false),
                "char_code" => (vec![], Ty::Int, false),
                "split_whitespace" => (vec![], Ty::list(Ty::Str), false),
                // The fill is optional: a space by default.
                "pad_left" | "pad_right" if args.len() == 2 => (vec![Ty::Int, Ty::Str], Ty::Str, false),
                _ => (vec![Ty::Int], Ty::Str, false),
            },
            Ty::List(el) => {
                let el = (**el).clone();
                match n {
                    "push" => (vec![el], Ty::Unit, true),
                    "pop" => (vec![], Ty::optional(el), true),
                    "len" => (vec![], Ty::Int, false),
                    "insert" => (vec![Ty::Int, el], Ty::Unit, true),
                    "remove" => (vec![Ty::Int], el, true),
                    "contains" => {
                        // `contains` compares with `==`, which functions lack.
                        let shown = self.display(recv);
                        if self.holds_fn(&self.zonk(&el)) {
                            self.report(
                                Code::E0304,
                                callee.span,
                                format!("cannot apply `contains` to `{shown}`"),
                                "functions cannot be compared",
                            );
                        }
                        (vec![el], Ty::Bool, false)
                    }
                    "sort" | "reverse" => (vec![], Ty::Unit, true),
                    "sort_by" => (vec![Ty::Fn(vec![el.clone(), el], Box::new(Ty::Int))], Ty::Unit, true),
                    "map" => {
                        let u = self.fresh(e.span);
                        (vec![Ty::Fn(vec![el], Box::new(u.clone()))], Ty::list(u), false)
                    }
                    "filter" => (vec![Ty::Fn(vec![el.clone()], Box::new(Ty::Bool))], Ty::list(el), false),
                    "join" => (vec![Ty::Str], Ty::Str, false),
                    "is_empty" => (vec![], Ty::Bool, false),
                    "fold" => {
                        let u = self.fresh(e.span);
                        (vec![u.clone(), Ty::Fn(vec![u.clone(), el], Box::new(u.clone()))], u, false)
                    }
                    "sum" => (vec![], el, false),
                    "min" | "max" => (vec![], Ty::optional(el), false),
                    "min_by" | "max_by" => {
                        (vec![Ty::Fn(vec![el.clone(), el.clone()], Box::new(Ty::Int))], Ty::optional(el), false)
                    }
                    "min_by_key" | "max_by_key" => {
                        let k = self.fresh(e.span);
                        (vec![Ty::Fn(vec![el.clone()], Box::new(k))], Ty::optional(el), false)
                    }
                    "sort_by_key" => {
                        let k = self.fresh(e.span);
                        (vec![Ty::Fn(vec![el], Box::new(k))], Ty::Unit, true)
                    }
                    "any" | "all" => (vec![Ty::Fn(vec![el], Box::new(Ty::Bool))], Ty::Bool, false),
                    "find" => (vec![Ty::Fn(vec![el.clone()], Box::new(Ty::Bool))], Ty::optional(el), false),
                    "position" => (vec![Ty::Fn(vec![el], Box::new(Ty::Bool))], Ty::optional(Ty::Int), false),
                    "enumerate" => (vec![], Ty::list(Ty::Tuple(vec![Ty::Int, el])), false),
                    "zip" => {
                        let u = self.fresh(e.span);
                        (vec![Ty::list(u.clone())], Ty::list(Ty::Tuple(vec![el, u])), false)
                    }
                    "flat_map" => {
                        let u = self.fresh(e.span);
                        (vec![Ty::Fn(vec![el], Box::new(Ty::list(u.clone())))], Ty::list(u), false)
                    }
                    "take" | "skip" => (vec![Ty::Int], Ty::list(el), false),
                    "chunks" | "windows" => (vec![Ty::Int], Ty::list(Ty::list(el)), false),
                    "dedup" | "reversed" => (vec![], Ty::list(el), false),
                    _ => (vec![], Ty::optional(el), false),
                }
            }
            Ty::Map(k, v) => {
                let (k, v) = ((**k).clone(), (**v).clone());
                match n {
                    "insert" => (vec![k, v], Ty::Unit, true),
                    "get" => (vec![k], Ty::optional(v), false),
                    "contains" => (vec![k], Ty::Bool, false),
                    "remove" => (vec![k], Ty::optional(v), true),
                    "keys" => (vec![], Ty::list(k), false),
                    "values" => (vec![], Ty::list(v), false),
                    "len" => (vec![], Ty::Int, false),
                    "entries" => (vec![], Ty::list(Ty::Tuple(vec![k, v])), false),
                    "get_or" => (vec![k, v.clone()], v, false),
                    "update" => (vec![k, v.clone(), Ty::Fn(vec![v.clone()], Box::new(v))], Ty::Unit, true),
                    _ => (vec![], Ty::Bool, false),
                }
            }
            _ => return Ty::Error,
        };
        if mutating {
            let what = format!("`{n}` changes the {kind}, so it must be mutable");
            self.require_mut_place(base, Code::E0404, &what);
        }
        self.cx.pending_exprs.push((callee.id, Ty::Fn(params.clone(), Box::new(ret.clone()))));
        if !self.check_args(e.span, &format!("`{n}`"), &params, args) {
            return ret;
        }
        if let Ty::List(el) = recv {
            let el = self.shallow(el);
            match n {
                "sum" if !matches!(el, Ty::Int | Ty::Float | Ty::Error | Ty::Var(_)) => {
                    let shown = self.display(&el);
                    self.report(
                        Code::E0304,
                        name.span,
                        format!("cannot sum a list of `{shown}`"),
                        "`sum` adds ints or floats; use `fold(init, |acc, x| ...)`",
                    );
                }
                "min" | "max"
                    if !matches!(el, Ty::Int | Ty::Float | Ty::Str | Ty::Error | Ty::Var(_))
                        && !self.record_need(&el, super::Need::Comparable) =>
                {
                    let shown = self.display(&el);
                    self.report(
                        Code::E0304,
                        name.span,
                        format!("cannot take the {n} of a list of `{shown}`"),
                        format!(
                            "`{n}` compares ints, floats and strs; use `{n}_by_key(|x| ...)` or `{n}_by(|a, b| ...)`"
                        ),
                    );
                }
                "dedup" if !self.record_need(&el, super::Need::Equatable) && self.holds_fn(&self.zonk(&el)) => {
                    let shown = self.display(recv);
                    self.report(
                        Code::E0304,
                        name.span,
                        format!("cannot apply `dedup` to `{shown}`"),
                        "functions cannot be compared",
                    );
                }
                "min_by_key" | "max_by_key" | "sort_by_key" => {
                    if let Some(Ty::Fn(_, k)) = params.first().map(|p| self.zonk(p)) {
                        let k = self.shallow(&k);
                        if !matches!(k, Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::Error | Ty::Var(_))
                            && !self.record_need(&k, super::Need::Comparable)
                        {
                            let shown = self.display(&k);
                            self.report(
                                Code::E0304,
                                name.span,
                                format!("cannot order by a key of type `{shown}`"),
                                "a key is an int, a float, a str or a bool",
                            );
                        }
                    }
                }
                "sort"
                    if !matches!(el, Ty::Int | Ty::Float | Ty::Str | Ty::Error | Ty::Var(_))
                        && !self.record_need(&el, super::Need::Comparable) =>
                {
                    let shown = self.display(&el);
                    self.report(
                        Code::E0304,
                        name.span,
                        format!("cannot sort a list of `{shown}`"),
                        "`sort` works on ints, floats and strs; use `sort_by(|a, b| ...)`",
                    );
                }
                "join" if !self.unify(&el, &Ty::Str) => {
                    let shown = self.display(&el);
                    self.report(
                        Code::E0300,
                        name.span,
                        format!("`join` needs a list of `str`, found a list of `{shown}`"),
                        "convert first: `xs.map(str).join(sep)`",
                    );
                }
                _ => {}
            }
        }
        ret
    }
}

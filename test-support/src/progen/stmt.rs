//! Statements: bindings, assignments, collection methods, `if`, loops
//! with `break`/`continue`, `match` and `if let` with nested, or-, literal
//! and guarded patterns, prints, calls, early returns and `?`.

use super::expr::{block_safe, G, M};
use super::types::Ty;

impl G {
    pub fn line(&mut self, text: impl AsRef<str>) {
        let pad = "    ".repeat(self.indent);
        self.lines.push(format!("{pad}{}", text.as_ref()));
    }

    /// `n` statements in the current scope.
    pub fn stmts(&mut self, n: usize, depth: u32) {
        for _ in 0..n {
            self.stmt(depth);
        }
    }

    /// `{` + statements in a new scope + `}` (the caller wrote the head).
    pub fn block(&mut self, head: &str, n: usize, depth: u32, tail: &str) {
        self.line(format!("{head} {{"));
        self.indent += 1;
        self.scopes.push(Vec::new());
        self.stmts(n, depth);
        self.scopes.pop();
        self.indent -= 1;
        self.line(format!("}}{tail}"));
    }

    pub fn stmt(&mut self, depth: u32) {
        let compound = depth > 0;
        let w = [
            10,                                                              // let / var
            9,                                                               // assignment
            5,                                                               // collection method
            if compound { 5 } else { 0 },                                    // if
            if compound && self.loop_depth < 2 { 6 } else { 0 },             // loop
            if compound { 4 } else { 0 },                                    // match
            if compound { 3 } else { 0 },                                    // if let
            6,                                                               // print
            3,                                                               // call
            if self.loop_depth > 0 { 3 } else { 0 },                         // break / continue
            if self.may_return { 2 } else { 0 },                             // early return
            if matches!(self.ret, Ty::Res(_) | Ty::Opt(_)) { 2 } else { 0 }, // `?`
        ];
        match self.rng.weighted(&w) {
            0 => self.let_stmt(),
            1 => self.assign_stmt(),
            2 => self.method_stmt(),
            3 => self.if_stmt(depth),
            4 => self.loop_stmt(depth),
            5 => self.match_stmt(depth),
            6 => self.if_let_stmt(depth),
            7 => self.print_stmt(),
            8 => self.call_stmt(),
            9 => {
                let c = self.expr(&Ty::Bool, 2);
                let kw = if self.rng.chance(50) { "break" } else { "continue" };
                self.line(format!("if {} {{ {kw} }}", paren_head(&c)));
            }
            10 => self.return_stmt(),
            _ => self.question_stmt(),
        }
    }

    /// Whether a `let` of `text` needs its type written: empty literals
    /// and `none` leave it open.
    fn needs_annotation(text: &str) -> bool {
        ["[]", "{}", "none", "err(", "|", "ok("].iter().any(|p| text.contains(p))
    }

    pub fn let_stmt(&mut self) {
        let t = self.types.random(&mut self.rng, 2);
        if let Ty::Tuple(ts) = &t {
            if self.rng.chance(40) {
                let e = self.value_typed(&t, 2);
                let names: Vec<String> = ts.iter().enumerate().map(|(j, _)| format!("d{}_{j}", self.fresh)).collect();
                self.fresh += 1;
                self.line(format!("let ({}) = {e}", names.join(", ")));
                for (n, et) in names.into_iter().zip(ts.clone()) {
                    self.declare(n, et, false);
                }
                return;
            }
        }
        let annotate = self.rng.chance(50);
        let e = if annotate {
            self.value(&t, 2)
        } else {
            let saved = std::mem::replace(&mut self.self_typed, true);
            let e = self.value(&t, 2);
            self.self_typed = saved;
            e
        };
        let name = self.local_name();
        let kw = if self.rng.chance(55) { "var" } else { "let" };
        if annotate || Self::needs_annotation(&e) {
            let ty = self.ty(&t);
            self.line(format!("{kw} {name}: {ty} = {e}"));
        } else {
            self.line(format!("{kw} {name} = {e}"));
        }
        self.declare(name, t, kw == "var");
    }

    /// A value of type `t` to store: inside a loop, not built from
    /// growable variables when `t` itself can grow.
    pub fn value(&mut self, t: &Ty, depth: u32) -> String {
        let saved = self.growable_ok;
        if self.loop_depth > 0 && t.growable() {
            self.growable_ok = false;
        }
        let e = self.expr(t, depth);
        self.growable_ok = saved;
        e
    }

    /// `value`, fixing its own type (a `for` iterable).
    pub fn value_typed(&mut self, t: &Ty, depth: u32) -> String {
        let saved = std::mem::replace(&mut self.self_typed, true);
        let e = self.value(t, depth);
        self.self_typed = saved;
        e
    }

    /// Some mutable place in scope, with its type.
    fn some_place(&mut self) -> Option<(String, bool, Ty)> {
        let mut all = Vec::new();
        for v in self.visible() {
            if !v.mutable || v.level < self.closure_level {
                continue;
            }
            all.push((v.text.clone(), v.state, v.ty.clone()));
            if let Ty::Struct(i) = &v.ty {
                for f in &self.types.structs[*i].fields {
                    all.push((format!("{}.{}", v.text, f.name), v.state, f.ty.clone()));
                }
            }
        }
        if all.is_empty() {
            return None;
        }
        Some(self.rng.pick(&all).clone())
    }

    fn assign_stmt(&mut self) {
        let Some((place, is_state, t)) = self.some_place() else {
            return self.let_stmt();
        };
        let p = self.read((place, is_state));
        self.storing_fn_in_state = is_state && !self.types.eq_ok(&t);
        self.assign_value(&p, &t);
        self.storing_fn_in_state = false;
    }

    /// `p = ...` (or `p += ...`, an element, an entry) of type `t`.
    fn assign_value(&mut self, p: &str, t: &Ty) {
        match t {
            Ty::Int if self.rng.chance(60) => {
                let e = self.value(&Ty::Int, 2);
                match self.rng.below(5) {
                    0 => self.line(format!("{p} += {e}")),
                    1 => self.line(format!("{p} -= {e}")),
                    2 => self.line(format!("{p} %= {e} % 7 + 8")),
                    3 => self.line(format!("{p} /= {e} % 7 + 8")),
                    _ => self.line(format!("{p} = ({p} + {e}) % {M}")),
                }
            }
            Ty::Float if self.rng.chance(50) => {
                let e = self.value(&Ty::Float, 2);
                let op = *self.rng.pick(&["+=", "-=", "*=", "/="]);
                self.line(format!("{p} {op} {e}"));
            }
            Ty::Str if self.rng.chance(30) => {
                let e = self.value(&Ty::Str, 1);
                self.line(format!("{p} += {e}"));
            }
            Ty::List(e) if self.rng.chance(50) => {
                let e = (**e).clone();
                let i = self.expr(&Ty::Int, 1);
                let v = self.value(&e, 2);
                self.line(format!("if !{p}.is_empty() {{"));
                self.indent += 1;
                self.line(format!("{p}[({i} % {p}.len() + {p}.len()) % {p}.len()] = {v}"));
                self.indent -= 1;
                self.line("}");
            }
            Ty::Map(k, v) if self.rng.chance(50) => {
                let (k, v) = ((**k).clone(), (**v).clone());
                let key = self.expr(&k, 1);
                if v == Ty::Int && self.rng.chance(50) {
                    let e = self.value(&Ty::Int, 1);
                    self.line(format!("if {p}.contains({key}) {{ {p}[{key}] += {e} }}"));
                } else {
                    let e = self.value(&v, 2);
                    self.line(format!("{p}[{key}] = {e}"));
                }
            }
            _ => {
                let e = self.value(t, 2);
                self.line(format!("{p} = {e}"));
            }
        }
    }

    fn method_stmt(&mut self) {
        let Some((place, is_state, t)) = self.some_place() else {
            return self.print_stmt();
        };
        match &t {
            Ty::List(e) => {
                let e = (**e).clone();
                let p = self.read((place, is_state));
                match self.rng.below(7) {
                    0 | 1 => {
                        let v = self.value(&e, 2);
                        self.line(format!("{p}.push({v})"));
                    }
                    2 => {
                        let v = self.value(&e, 2);
                        self.line(format!("{p}.insert(0, {v})"));
                    }
                    3 => {
                        if self.rng.chance(50) {
                            self.line(format!("if !{p}.is_empty() {{ {p}.remove({p}.len() - 1) }}"));
                        } else {
                            let name = self.local_name();
                            self.line(format!("let {name} = {p}.pop()"));
                            self.declare(name, Ty::opt(e), false);
                        }
                    }
                    4 if matches!(e, Ty::Int | Ty::Float | Ty::Str) => self.line(format!("{p}.sort()")),
                    5 if e == Ty::Int => {
                        let (a, b) = (self.local_name(), self.local_name());
                        let b = if a == b { format!("{b}2") } else { b };
                        self.line(format!("{p}.sort_by(|{a}, {b}| {b} - {a})"));
                    }
                    _ => self.line(format!("{p}.reverse()")),
                }
            }
            Ty::Map(k, v) => {
                let (k, v) = ((**k).clone(), (**v).clone());
                let p = self.read((place, is_state));
                let key = self.expr(&k, 1);
                if self.rng.chance(60) {
                    let val = self.value(&v, 2);
                    self.line(format!("{p}.insert({key}, {val})"));
                } else {
                    let name = self.local_name();
                    self.line(format!("let {name} = {p}.remove({key})"));
                    self.declare(name, Ty::opt(v), false);
                }
            }
            Ty::Struct(i) => {
                let i = *i;
                let methods: Vec<usize> =
                    (0..self.callable).filter(|&f| self.fns[f].method_of == Some(i) && self.fns[f].self_mut).collect();
                if methods.is_empty() {
                    return self.print_stmt();
                }
                let f = *self.rng.pick(&methods);
                if let Some(c) = self.call(f, 2) {
                    self.line(c);
                }
            }
            _ => self.assign_stmt(),
        }
    }

    fn if_stmt(&mut self, depth: u32) {
        let c = self.expr(&Ty::Bool, 3);
        let n = self.rng.range(1, 3) as usize;
        if self.rng.chance(50) {
            self.block(&format!("if {}", paren_head(&c)), n, depth - 1, "");
        } else {
            self.block(&format!("if {}", paren_head(&c)), n, depth - 1, " else {");
            self.indent += 1;
            self.scopes.push(Vec::new());
            let n = self.rng.range(1, 2) as usize;
            self.stmts(n, depth - 1);
            self.scopes.pop();
            self.indent -= 1;
            self.line("}");
        }
    }

    fn loop_body(&mut self, head: &str, vars: Vec<(String, Ty, bool)>, depth: u32, first: &[String]) {
        self.line(format!("{head} {{"));
        self.indent += 1;
        self.scopes.push(Vec::new());
        for (n, t, m) in vars {
            self.declare(n, t, m);
        }
        self.loop_depth += 1;
        for l in first {
            self.line(l);
        }
        let n = self.rng.range(1, 4) as usize;
        self.stmts(n, depth - 1);
        self.loop_depth -= 1;
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    fn loop_stmt(&mut self, depth: u32) {
        match self.rng.below(6) {
            0 => {
                let i = self.local_name();
                let lo = self.rng.range(-2, 2);
                let hi = lo + self.rng.range(0, 4);
                let op = if self.rng.chance(50) { ".." } else { "..=" };
                self.loop_body(&format!("for {i} in {lo}{op}{hi}"), vec![(i, Ty::Int, false)], depth, &[]);
            }
            1 => {
                let e = self.types.random(&mut self.rng, 1);
                let xs = self.value_typed(&Ty::list(e.clone()), 2);
                let x = self.local_name();
                self.loop_body(&format!("for {x} in {}", paren_head(&xs)), vec![(x, e, false)], depth, &[]);
            }
            2 => {
                let k = if self.rng.chance(50) { Ty::Int } else { Ty::Str };
                let v = self.types.random(&mut self.rng, 1);
                let m = self.value_typed(&Ty::map(k.clone(), v.clone()), 2);
                let (a, b) = (format!("k{}", self.fresh), format!("v{}", self.fresh));
                self.fresh += 1;
                self.loop_body(
                    &format!("for ({a}, {b}) in {}", paren_head(&m)),
                    vec![(a, k, false), (b, v, false)],
                    depth,
                    &[],
                );
            }
            3 => {
                // `for mut` over a list place, which the body leaves alone.
                let lists: Vec<(String, bool, Ty)> = {
                    let mut out = Vec::new();
                    for v in self.visible() {
                        if !v.mutable || v.level < self.closure_level {
                            continue;
                        }
                        if let Ty::List(_) = v.ty {
                            out.push((v.text.clone(), v.state, v.ty.clone()));
                        }
                        if let Ty::Struct(i) = &v.ty {
                            for f in &self.types.structs[*i].fields {
                                if let Ty::List(_) = f.ty {
                                    out.push((format!("{}.{}", v.text, f.name), v.state, f.ty.clone()));
                                }
                            }
                        }
                    }
                    out
                };
                if lists.is_empty() {
                    return self.print_stmt();
                }
                let (p, st, t) = self.rng.pick(&lists).clone();
                let Ty::List(e) = t else { unreachable!() };
                let p = self.read((p, st));
                let root = p.split('.').next().unwrap_or(&p).to_string();
                let root = if root == "a" { p.clone() } else { root };
                let x = self.local_name();
                self.hidden.push(root);
                self.loop_body(&format!("for mut {x} in {p}"), vec![(x, *e, true)], depth, &[]);
                self.hidden.pop();
            }
            4 => {
                let c = format!("w{}", self.fresh);
                self.fresh += 1;
                self.line(format!("var {c} = 0"));
                let n = self.rng.range(0, 4);
                self.loop_body(&format!("while {c} < {n}"), vec![], depth, &[format!("{c} += 1")]);
            }
            _ => {
                let c = format!("w{}", self.fresh);
                self.fresh += 1;
                self.line(format!("var {c} = 0"));
                let n = self.rng.range(1, 4);
                let first = [format!("{c} += 1"), format!("if {c} > {n} {{ break }}")];
                self.loop_body("loop", vec![], depth, &first);
            }
        }
    }

    /// A pattern for type `t` and the names it binds.
    pub fn pattern(&mut self, t: &Ty, depth: u32, binds: &mut Vec<(String, Ty)>) -> String {
        let bind = |g: &mut G, binds: &mut Vec<(String, Ty)>| -> String {
            let n = format!("b{}", g.fresh);
            g.fresh += 1;
            binds.push((n.clone(), t.clone()));
            n
        };
        let r = self.rng.below(10);
        if r == 0 {
            return "_".into();
        }
        if r == 1 {
            return bind(self, binds);
        }
        match t {
            Ty::Int => match self.rng.below(3) {
                0 => format!("{} | {}", self.rng.range(-1, 3), self.rng.range(4, 9)),
                1 => self.rng.range(-3, 3).to_string(),
                _ => bind(self, binds),
            },
            Ty::Bool => (if self.rng.chance(50) { "true" } else { "false" }).into(),
            Ty::Str => match self.rng.below(3) {
                0 => format!("{} | {}", self.str_lit(), self.str_lit()),
                1 => self.str_lit(),
                _ => bind(self, binds),
            },
            Ty::Opt(e) if depth > 0 => {
                if self.rng.chance(30) {
                    "none".into()
                } else {
                    format!("some({})", self.pattern(e, depth - 1, binds))
                }
            }
            Ty::Res(e) if depth > 0 => {
                if self.rng.chance(40) {
                    format!("err({})", self.pattern(&Ty::Str, depth - 1, binds))
                } else {
                    format!("ok({})", self.pattern(e, depth - 1, binds))
                }
            }
            Ty::Tuple(ts) if depth > 0 => {
                let ps: Vec<String> = ts.clone().iter().map(|et| self.pattern(et, depth - 1, binds)).collect();
                format!("({})", ps.join(", "))
            }
            Ty::Enum(i) => {
                let i = *i;
                let nv = self.types.enums[i].variants.len();
                let v = self.rng.below(nv);
                let vname = self.types.enums[i].variants[v].name.clone();
                let fields: Vec<Ty> = self.types.enums[i].variants[v].fields.iter().map(|(_, t)| t.clone()).collect();
                let qual = match self.rng.below(3) {
                    0 => String::new(),
                    _ => format!("{}.", self.ty(&Ty::Enum(i))),
                };
                if fields.is_empty() {
                    // An or-pattern of unit variants binds nothing.
                    if self.rng.chance(30) && nv > 1 {
                        let w = self.types.enums[i].variants[(v + 1) % nv].name.clone();
                        let wf = self.types.enums[i].variants[(v + 1) % nv].fields.len();
                        let other = if wf == 0 { w } else { format!("{w}({})", vec!["_"; wf].join(", ")) };
                        return format!("{qual}{vname} | {qual}{other}");
                    }
                    return format!("{qual}{vname}");
                }
                let ps: Vec<String> = if depth == 0 {
                    fields.iter().map(|_| "_".to_string()).collect()
                } else {
                    fields.iter().map(|ft| self.pattern(ft, depth - 1, binds)).collect()
                };
                format!("{qual}{vname}({})", ps.join(", "))
            }
            _ => bind(self, binds),
        }
    }

    /// A scrutinee type and expression for a `match`.
    fn scrutinee(&mut self) -> (Ty, String) {
        let mut cands = vec![Ty::Int, Ty::Str, Ty::opt(Ty::Int), Ty::Tuple(vec![Ty::Str, Ty::Int])];
        for i in 0..self.types.enums.len() {
            cands.push(Ty::Enum(i));
            cands.push(Ty::Enum(i));
            cands.push(Ty::opt(Ty::Enum(i)));
        }
        cands.push(Ty::res(Ty::Int));
        cands.push(Ty::Tuple(vec![Ty::opt(Ty::Str), Ty::Bool]));
        let t = if self.rng.chance(20) { self.types.random(&mut self.rng, 2) } else { self.rng.pick(&cands).clone() };
        let e = self.typed_expr(&t, 2);
        (t, e)
    }

    /// `match` as an expression of type `t`.
    pub fn match_expr(&mut self, t: &Ty, d: u32) -> Option<String> {
        if self.in_interp {
            return None;
        }
        let (st, s) = self.scrutinee();
        let mut arms = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            let mut binds = Vec::new();
            let p = self.pattern(&st, 2, &mut binds);
            self.scopes.push(Vec::new());
            for (n, bt) in binds {
                self.declare(n, bt, false);
            }
            let guard = if self.rng.chance(25) { format!(" if {}", self.expr(&Ty::Bool, 1)) } else { String::new() };
            let v = self.expr(t, d);
            self.scopes.pop();
            arms.push(format!("{p}{guard} => {}", block_safe(&v)));
        }
        let v = self.expr(t, d);
        arms.push(format!("_ => {}", block_safe(&v)));
        Some(format!("(match {} {{ {} }})", paren_head(&s), arms.join(", ")))
    }

    fn match_stmt(&mut self, depth: u32) {
        let (st, s) = self.scrutinee();
        self.line(format!("match {} {{", paren_head(&s)));
        self.indent += 1;
        for _ in 0..self.rng.range(1, 4) {
            let mut binds = Vec::new();
            let p = self.pattern(&st, 3, &mut binds);
            self.scopes.push(Vec::new());
            for (n, bt) in binds {
                self.declare(n, bt, false);
            }
            let guard = if self.rng.chance(25) { format!(" if {}", self.expr(&Ty::Bool, 2)) } else { String::new() };
            if self.rng.chance(40) {
                let e = self.print_text();
                self.line(format!("{p}{guard} => {e}"));
            } else {
                self.line(format!("{p}{guard} => {{"));
                self.indent += 1;
                let n = self.rng.range(1, 2) as usize;
                self.stmts(n, depth - 1);
                self.indent -= 1;
                self.line("}");
            }
            self.scopes.pop();
        }
        let e = self.print_text();
        self.line(format!("_ => {e}"));
        self.indent -= 1;
        self.line("}");
    }

    fn if_let_stmt(&mut self, depth: u32) {
        let (st, s) = self.scrutinee();
        let mut binds = Vec::new();
        let p = if let (Ty::Opt(e) | Ty::Res(e), true) = (&st, self.rng.chance(40)) {
            let n = format!("b{}", self.fresh);
            self.fresh += 1;
            binds.push((n.clone(), (**e).clone()));
            n
        } else {
            // A bare name in `if let` unwraps: not what `pattern` means.
            let mut p = self.pattern(&st, 3, &mut binds);
            let mut tries = 0;
            while binds.len() == 1 && p == binds[0].0 || p == "_" {
                tries += 1;
                if tries > 8 {
                    // Nothing but a name fits: unwrap an optional of it.
                    let n = format!("b{}", self.fresh);
                    self.fresh += 1;
                    let s = self.typed_expr(&Ty::opt(st.clone()), 2);
                    binds = vec![(n.clone(), st.clone())];
                    return self.if_let_rest(&n, &s, binds, depth);
                }
                binds.clear();
                p = self.pattern(&st, 3, &mut binds);
            }
            p
        };
        self.if_let_rest(&p, &s, binds, depth)
    }

    fn if_let_rest(&mut self, p: &str, s: &str, binds: Vec<(String, Ty)>, depth: u32) {
        self.line(format!("if let {p} = {} {{", paren_head(s)));
        self.indent += 1;
        self.scopes.push(Vec::new());
        for (n, bt) in binds {
            self.declare(n, bt, false);
        }
        let n = self.rng.range(1, 2) as usize;
        self.stmts(n, depth - 1);
        self.scopes.pop();
        self.indent -= 1;
        if self.rng.chance(50) {
            self.line("} else {");
            self.indent += 1;
            self.scopes.push(Vec::new());
            self.stmts(1, depth - 1);
            self.scopes.pop();
            self.indent -= 1;
        }
        self.line("}");
    }

    /// `println(...)` of something.
    pub fn print_text(&mut self) -> String {
        let t = self.types.random(&mut self.rng, 2);
        let e = self.typed_expr(&t, 2);
        if self.rng.chance(15) {
            format!("print({e})")
        } else {
            format!("println({e})")
        }
    }

    fn print_stmt(&mut self) {
        let e = self.print_text();
        self.line(e);
    }

    fn call_stmt(&mut self) {
        if self.callable == 0 {
            return self.print_stmt();
        }
        let i = self.rng.below(self.callable);
        if !self.fns[i].in_a && self.in_a {
            return self.print_stmt();
        }
        let ret = self.fns[i].ret.clone();
        let Some(c) = self.call(i, 2) else {
            return self.print_stmt();
        };
        if ret == Ty::Unit {
            self.line(c);
        } else if self.rng.chance(50) {
            self.line(format!("let _ = {c}"));
        } else {
            self.line(format!("println({c})"));
        }
    }

    fn return_stmt(&mut self) {
        let c = self.expr(&Ty::Bool, 2);
        let ret = self.ret.clone();
        if ret == Ty::Unit {
            self.line(format!("if {} {{ return }}", paren_head(&c)));
        } else {
            let e = self.value(&ret, 2);
            self.line(format!("if {} {{ return {e} }}", paren_head(&c)));
        }
    }

    fn question_stmt(&mut self) {
        let inner = self.types.random(&mut self.rng, 1);
        let inner = if inner.wrappable() { inner } else { Ty::Int };
        let t = match self.ret {
            Ty::Res(_) => Ty::res(inner.clone()),
            _ => Ty::opt(inner.clone()),
        };
        let e = self.typed_expr(&t, 2);
        let name = self.local_name();
        self.line(format!("let {name} = {}?", paren_question(&e)));
        self.declare(name, inner, false);
    }
}

/// An `if`/`while`/`match`/`for` head: a struct literal in it needs
/// parentheses.
pub fn paren_head(e: &str) -> String {
    if e.contains('{') || e.starts_with('|') {
        format!("({e})")
    } else {
        e.to_string()
    }
}

fn paren_question(e: &str) -> String {
    if e.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') || e.starts_with('(') && e.ends_with(')') {
        e.to_string()
    } else {
        format!("({e})")
    }
}

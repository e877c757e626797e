//! One program: its types, states, functions and methods (module `a`),
//! its helpers and `run` function (module `b`), and how it ends.

use super::expr::{FnSig, Param, Var, G};
use super::rng::Rng;
use super::types::{EnumDef, Field, StructDef, Ty, Types, FIELD_NAMES, VARIANT_NAMES};
use super::FAIL_MARK;
use std::collections::HashSet;

/// A program's text, by module.
pub struct Parts {
    pub a: Vec<String>,
    pub b: Vec<String>,
    /// How the program fails at run time, if it does.
    pub failure: Option<(&'static str, bool)>,
}

/// Names that shadow what generated Rust uses, handed out once per batch.
const TYPE_NAMES: &[&str] = &[
    "Vec", "String", "Box", "Option", "Result", "Ctx", "State", "Show", "Rc", "Fn", "Default", "Clone", "Self_",
    "Some", "None", "Ok", "Err", "Iterator", "Hash", "Dyn", "Location", "Main", "Point", "Debug",
];
const FN_NAMES: &[&str] = &[
    "type", "impl", "main", "new", "clone", "drop", "fmt", "ctx", "__loc", "crate", "super", "Some", "Box", "Vec",
    "show", "eq", "default", "init", "run", "host", "lib", "std", "core", "__init", "ctx_", "self_", "Ok",
];
const STATE_NAMES: &[&str] =
    &["type", "ctx", "__loc", "crate", "count", "__count", "self_", "static", "Ctx", "value", "mod", "super"];
const METHOD_NAMES: &[&str] =
    &["norm", "bump", "describe", "clone", "eq", "fmt", "len", "new", "show", "hash", "to_string", "into", "step"];

fn exotic(rng: &mut Rng, pool: &[&str], taken: &mut HashSet<String>, fallback: String) -> String {
    if rng.chance(30) {
        let n = rng.pick(pool).to_string();
        if !super::expr::LOCAL_NAMES.contains(&n.as_str()) && taken.insert(n.clone()) {
            return n;
        }
    }
    fallback
}

/// Program `k` of a batch, from `seed`; `taken` holds the batch's exotic
/// names already given out.
pub fn program(seed: u64, k: usize, taken: &mut HashSet<String>) -> Parts {
    let mut g = G {
        rng: Rng::new(seed),
        types: Types::default(),
        fns: Vec::new(),
        callable: 0,
        states: Vec::new(),
        in_a: true,
        scopes: vec![Vec::new()],
        loop_depth: 0,
        closure_level: 0,
        ret: Ty::Unit,
        growable_ok: true,
        in_interp: false,
        uses_state: false,
        fresh: 0,
        hidden: Vec::new(),
        lines: Vec::new(),
        indent: 0,
        self_typed: false,
        may_return: true,
        storing_fn_in_state: false,
    };
    let mut a = vec![format!("// program {k}: seed {seed}")];
    types(&mut g, k, taken, &mut a);
    let mut b = Vec::new();
    states(&mut g, k, taken, &mut a, &mut b);
    // Functions and methods in `a`, then helpers in `b`.
    let n_a = g.rng.range(1, 4);
    for j in 0..n_a {
        let method = !g.types.structs.is_empty() && g.rng.chance(35);
        function(&mut g, k, j, taken, method, true, &mut a);
    }
    if g.rng.chance(30) {
        recursion(&mut g, k, &mut a);
    }
    for j in 0..g.rng.range(0, 2) {
        function(&mut g, k, 10 + j, taken, false, false, &mut b);
    }
    let failure = run(&mut g, k, &mut a, &mut b);
    Parts { a, b, failure }
}

fn types(g: &mut G, k: usize, taken: &mut HashSet<String>, out: &mut Vec<String>) {
    for j in 0..g.rng.range(0, 2) {
        let base = *g.rng.pick(&["Point", "Ball", "Item", "Node", "Player", "Cell"]);
        let name = exotic(&mut g.rng, TYPE_NAMES, taken, format!("G{k}{base}{j}"));
        let recursive = g.rng.chance(25);
        let mut fields: Vec<Field> = Vec::new();
        let mut used = HashSet::new();
        for _ in 0..g.rng.range(1, 4) {
            let fname = g.rng.pick(FIELD_NAMES).to_string();
            if !used.insert(fname.clone()) {
                continue;
            }
            let ty = g.types.random(&mut g.rng, 2);
            let default = match ty {
                Ty::Int if g.rng.chance(30) => Some(g.int_lit()),
                Ty::Str if g.rng.chance(30) => Some(g.str_lit()),
                _ => None,
            };
            fields.push(Field { name: fname, ty, default });
        }
        let index = g.types.structs.len();
        if recursive {
            fields.push(Field { name: "next".into(), ty: Ty::opt(Ty::Struct(index)), default: None });
        }
        g.types.structs.push(StructDef { name, fields });
        let s = &g.types.structs[index];
        out.push(format!("pub struct {} {{", s.name));
        for f in &s.fields {
            let ty = g.types.text(&f.ty, true);
            match &f.default {
                Some(d) => out.push(format!("    {}: {ty} = {d}", f.name)),
                None => out.push(format!("    {}: {ty}", f.name)),
            }
        }
        out.push("}".into());
        out.push(String::new());
    }
    for j in 0..g.rng.range(0, 2) {
        let base = *g.rng.pick(&["Shape", "Tree", "Cmd", "Mode", "Token"]);
        let name = exotic(&mut g.rng, TYPE_NAMES, taken, format!("G{k}{base}{j}"));
        let index = g.types.enums.len();
        let mut variants = Vec::new();
        let mut used = HashSet::new();
        for _ in 0..g.rng.range(1, 4) {
            let vname = g.rng.pick(VARIANT_NAMES).to_string();
            if !used.insert(vname.clone()) {
                continue;
            }
            let mut fields = Vec::new();
            let mut fused = HashSet::new();
            for _ in 0..g.rng.range(0, 2) {
                let fname = g.rng.pick(FIELD_NAMES).to_string();
                if fused.insert(fname.clone()) {
                    fields.push((fname, g.types.random(&mut g.rng, 2)));
                }
            }
            variants.push(super::types::Variant { name: vname, fields });
        }
        if g.rng.chance(35) {
            let t = Ty::opt(Ty::Enum(index));
            variants.push(super::types::Variant {
                name: "Branch".into(),
                fields: vec![("left".into(), t.clone()), ("right".into(), t)],
            });
            if !used.contains("Leaf") {
                variants.push(super::types::Variant { name: "Leaf".into(), fields: vec![("v".into(), Ty::Int)] });
            }
        }
        g.types.enums.push(EnumDef { name, variants });
        let e = &g.types.enums[index];
        out.push(format!("pub enum {} {{", e.name));
        for v in &e.variants {
            if v.fields.is_empty() {
                out.push(format!("    {}", v.name));
            } else {
                let fs: Vec<String> = v.fields.iter().map(|(n, t)| format!("{n}: {}", g.types.text(t, true))).collect();
                out.push(format!("    {}({})", v.name, fs.join(", ")));
            }
        }
        out.push("}".into());
        out.push(String::new());
    }
}

fn states(g: &mut G, k: usize, taken: &mut HashSet<String>, a: &mut Vec<String>, b: &mut Vec<String>) {
    for j in 0..g.rng.range(0, 3) {
        let name = exotic(&mut g.rng, STATE_NAMES, taken, format!("g{k}_s{j}"));
        let in_a = g.rng.chance(60);
        g.in_a = in_a;
        let ty = if g.rng.chance(25) { Ty::func(vec![Ty::Int], Ty::Int) } else { g.types.random(&mut g.rng, 2) };
        g.storing_fn_in_state = !g.types.eq_ok(&ty);
        let init = g.expr(&ty, 2);
        g.storing_fn_in_state = false;
        let text = g.ty(&ty);
        let line =
            if in_a { format!("pub state {name}: {text} = {init}") } else { format!("state {name}: {text} = {init}") };
        if in_a {
            a.push(line);
            a.push(String::new());
        } else {
            b.push(line);
            b.push(String::new());
        }
        g.states.push((Var { text: name, ty, mutable: true, state: true, level: 0 }, in_a));
    }
}

/// Start a body in module `a` (`in_a`) or `b`: states in scope.
fn enter(g: &mut G, in_a: bool, ret: Ty) {
    g.in_a = in_a;
    g.ret = ret;
    g.uses_state = false;
    g.loop_depth = 0;
    g.closure_level = 0;
    g.growable_ok = true;
    g.lines.clear();
    g.indent = 1;
    let mut base = Vec::new();
    for (v, st_in_a) in &g.states {
        if *st_in_a == in_a {
            base.push(v.clone());
        } else if *st_in_a && !in_a {
            base.push(Var { text: format!("a.{}", v.text), mutable: false, ..v.clone() });
        }
    }
    g.scopes = vec![base, Vec::new()];
}

fn function(g: &mut G, k: usize, j: i64, taken: &mut HashSet<String>, method: bool, in_a: bool, out: &mut Vec<String>) {
    let ret = match g.rng.below(6) {
        0 | 1 => Ty::Unit,
        2 => {
            let t = g.types.random(&mut g.rng, 1);
            if t.wrappable() {
                Ty::res(t)
            } else {
                Ty::res(Ty::Int)
            }
        }
        _ => g.types.random(&mut g.rng, 2),
    };
    let owner = if method { Some(g.rng.below(g.types.structs.len())) } else { None };
    let name = match owner {
        Some(_) => g.rng.pick(METHOD_NAMES).to_string(),
        None => exotic(&mut g.rng, FN_NAMES, taken, format!("g{k}_f{j}")),
    };
    if let Some(s) = owner {
        let field = g.types.structs[s].fields.iter().any(|f| f.name == name);
        if field || g.fns.iter().any(|f| f.method_of == Some(s) && f.name == name) {
            return;
        }
    }
    let self_mut = method && g.rng.chance(50);
    enter(g, in_a, ret.clone());
    let mut params = Vec::new();
    let mut texts = Vec::new();
    if let Some(s) = owner {
        texts.push(if self_mut { "mut self".to_string() } else { "self".to_string() });
        g.declare("self".into(), Ty::Struct(s), self_mut);
    }
    for p in 0..g.rng.range(0, 3) {
        let t = g.types.random(&mut g.rng, 2);
        let is_mut = g.rng.chance(20);
        let pname = format!("{}{p}", g.local_name());
        texts.push(format!("{}{pname}: {}", if is_mut { "mut " } else { "" }, g.ty(&t)));
        g.declare(pname.clone(), t.clone(), is_mut);
        params.push(Param { ty: t, is_mut });
    }
    let n = g.rng.range(1, 5) as usize;
    g.stmts(n, 2);
    if ret != Ty::Unit {
        let e = g.value(&ret, 2);
        g.line(super::expr::block_safe(&e));
    }
    let head_name = match owner {
        Some(s) => format!("{}.{name}", g.types.structs[s].name),
        None => name.clone(),
    };
    let ret_text = if ret == Ty::Unit { String::new() } else { format!(" -> {}", g.ty(&ret)) };
    let vis = if in_a { "pub " } else { "" };
    out.push(format!("{vis}fn {head_name}({}){ret_text} {{", texts.join(", ")));
    out.append(&mut g.lines);
    out.push("}".into());
    out.push(String::new());
    g.fns.push(FnSig { name, in_a, params, ret, uses_state: g.uses_state, method_of: owner, self_mut });
    g.callable = g.fns.len();
}

/// A recursion with a bound: `rec(n, acc)` calls itself `n` times.
fn recursion(g: &mut G, k: usize, out: &mut Vec<String>) {
    enter(g, true, Ty::Int);
    g.declare("n".into(), Ty::Int, false);
    g.declare("acc".into(), Ty::Int, false);
    let step = g.expr(&Ty::Int, 2);
    let name = format!("g{k}_rec");
    out.push(format!("pub fn {name}(n: int, acc: int) -> int {{"));
    out.push(format!("    if n <= 0 {{ acc }} else {{ {name}(n - 1, (acc + {step}) % 1000) }}"));
    out.push("}".into());
    out.push(String::new());
    // Called with a small `n` only, here: other callers would pass
    // whatever int they have.
    out.push(format!("pub fn g{k}_recursed() -> int {{"));
    out.push(format!("    {name}({}, 0)", g.rng.range(0, 30)));
    out.push("}".into());
    out.push(String::new());
    g.fns.push(FnSig {
        name: format!("g{k}_recursed"),
        in_a: true,
        params: vec![],
        ret: Ty::Int,
        uses_state: g.uses_state,
        method_of: None,
        self_mut: false,
    });
    g.callable = g.fns.len();
}

/// `run` in `b`: statements, a digest of its locals, and maybe a runtime
/// error (the kind, and whether a release build wraps instead).
fn run(g: &mut G, k: usize, a: &mut Vec<String>, b: &mut Vec<String>) -> Option<(&'static str, bool)> {
    enter(g, false, Ty::Unit);
    g.line(format!("println(\"== program {k}\")"));
    let n = g.rng.range(3, 9) as usize;
    g.may_return = false;
    g.stmts(n, 2);
    g.may_return = true;
    let locals: Vec<Var> = g.scopes[1].clone();
    for v in locals.iter().filter(|v| !matches!(v.ty, Ty::Fn(..))) {
        g.line(format!("println({})", v.text));
    }
    let failure = if g.rng.chance(16) { Some(fail(g, k, a)) } else { None };
    b.push(format!("pub fn g{k}_run() {{"));
    b.append(&mut g.lines);
    b.push("}".into());
    b.push(String::new());
    failure
}

/// The failing end of a program: in `run` or in a function of `a` it
/// calls; the line carries [`FAIL_MARK`].
fn fail(g: &mut G, k: usize, a: &mut Vec<String>) -> (&'static str, bool) {
    let kinds = ["index", "map key", "division by zero", "assert", "panic", "overflow", "remainder by zero"];
    let kind = *g.rng.pick(&kinds);
    let x = g.int_lit();
    let (setup, failing) = match kind {
        "index" => ("let xs = [1, 2, 3]".to_string(), format!("println(xs[xs.len() + math.abs({x}) % 3])")),
        "map key" => ("let m = {\"a\": 1}".to_string(), "println(m[\"zz\"])".to_string()),
        "division by zero" => ("let z = [0].len() - 1".to_string(), format!("println({x} / z)")),
        "remainder by zero" => ("var z = 0".to_string(), "z %= z".to_string()),
        "assert" => ("let ok = [1].is_empty()".to_string(), format!("assert(ok, \"program {k} asserts\")")),
        "panic" => ("let why = \"on purpose\"".to_string(), format!("panic(\"program {k} panics: {{why}}\")")),
        _ => ("let big = 9223372036854775000".to_string(), "println(big + 1000)".to_string()),
    };
    if g.rng.chance(50) {
        // In a function of `a`, called from `run`.
        a.push(format!("pub fn g{k}_fail() {{"));
        a.push(format!("    {setup}"));
        a.push(format!("    {failing} {FAIL_MARK}"));
        a.push("}".into());
        a.push(String::new());
        g.line(format!("a.g{k}_fail()"));
    } else {
        g.line(setup);
        g.line(format!("{failing} {FAIL_MARK}"));
    }
    (kind, kind == "overflow")
}

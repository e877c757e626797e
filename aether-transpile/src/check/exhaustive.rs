//! Match exhaustiveness and reachability (the usefulness algorithm of
//! Maranget, "Warnings for pattern matching", 2007), over patterns the
//! checker has already resolved against types.
//!
//! The checker lowers each arm's pattern to a [`Pat`] (bindings become
//! [`Pat::Wild`], literals and variants become [`Ctor`]s) and asks
//! [`check_match`] two questions: which arms can never run, and which values
//! no arm covers. Both reduce to "is this pattern vector useful against this
//! matrix of earlier rows?", answered column by column: a constructor pattern
//! specializes the matrix, a wildcard either splits over every constructor of
//! the column's type (when the rows mention all of them) or falls back to the
//! rows that start with a wildcard.
//!
//! Input comes from a program that may already have errors, so nothing here
//! trusts it: a pattern that does not fit its type makes its arm invisible
//! (and silences the missing-case report, which would only repeat the error),
//! and a work budget plus a recursion cap keep pathological matches from
//! hanging or overflowing the stack; when either runs out the answer is the
//! quiet one (exhaustive, nothing unreachable), except that a reachability
//! answer already completed is kept when only the witness search runs out.

use crate::ty::{EnumDef, Ty, TypeId, TypeTable};
use std::collections::HashSet;
use std::fmt::Write as _;

/// A pattern after name resolution, reduced to what coverage depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pat {
    /// `_` or a binding.
    Wild,
    /// A constructor applied to one sub-pattern per field.
    Ctor(Ctor, Vec<Pat>),
    /// `a | b | ...`
    Or(Vec<Pat>),
}

/// The head of a constructor pattern. Literals of infinite types are
/// constructors too: they are matched exactly but can never exhaust the type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ctor {
    /// A variant of an enum, by index into its `EnumDef::variants`.
    Variant(TypeId, usize),
    Bool(bool),
    Some,
    None,
    Ok,
    Err,
    /// A tuple of this many elements.
    Tuple(usize),
    Unit,
    Int(i64),
    /// The bits of an `f64`, so the type can be `Eq` and `Hash`.
    Float(u64),
    Str(String),
}

/// The verdict on one `match`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchCheck {
    /// Up to three values no unguarded arm covers, in Aether syntax
    /// (`Shape.Empty`, `some(_)`, `(false, true)`); empty when exhaustive.
    pub missing: Vec<String>,
    /// How many further uncovered patterns exist beyond `missing`, for an
    /// "and N more" note. The search stops after a few hundred, so for huge
    /// enums this is a lower bound.
    pub more: usize,
    /// Indexes of arms that no value can reach, because earlier unguarded
    /// arms cover everything they match.
    pub unreachable: Vec<usize>,
}

impl MatchCheck {
    pub fn is_exhaustive(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Check the arms of a `match` on a value of type `scrutinee`. Each arm is
/// its pattern and whether it has a guard: a guarded arm may be skipped at
/// run time, so it never counts toward covering a value, but it can still be
/// unreachable itself.
pub fn check_match(table: &TypeTable, scrutinee: &Ty, arms: &[(Pat, bool)]) -> MatchCheck {
    check_match_with_budget(table, scrutinee, arms, BUDGET).0
}

/// Whether `pat` matches every value of `ty`, as `let` patterns must.
pub fn is_irrefutable(table: &TypeTable, ty: &Ty, pat: &Pat) -> bool {
    check_match(table, ty, &[(pat.clone(), false)]).missing.is_empty()
}

/// Show a pattern the way a user would write it (`some(Shape.Circle(_))`).
pub fn render_pat(table: &TypeTable, pat: &Pat) -> String {
    let mut out = String::new();
    write_pat(table, pat, &mut out);
    out
}

/// Work units (matrix rows visited) each phase may spend. Ordinary matches
/// use a few hundred; a thousand-arm literal match about a million.
const BUDGET: usize = 2_000_000;

/// Deepest recursion allowed. Each level consumes one column: one node on a
/// path through the patterns (and, under wildcards, through the tuple types
/// they split into), so only a pattern of some 400 nodes trips it. 400
/// unoptimized frames still fit a 2 MiB thread stack with room to spare
/// for the checker's own recursion.
const MAX_DEPTH: usize = 400;

/// Witnesses shown in [`MatchCheck::missing`].
const LISTED: usize = 3;

/// Witnesses searched for in total: enough to say "and N more" for any
/// realistic enum without enumerating an exponential number of them.
const WITNESS_LIMIT: usize = 300;

/// Placeholders for columns a wildcard expands into, and for a column whose
/// type is unknown, and the type of an `err(...)` message: statics so rows
/// and column types can keep borrowing instead of cloning.
static WILD: Pat = Pat::Wild;
static UNKNOWN: Ty = Ty::Error;
static STR: Ty = Ty::Str;

/// [`check_match`] with an explicit budget per phase; also says whether the
/// analysis gave up (budget or depth cap) and fell back to the quiet answer.
fn check_match_with_budget(
    table: &TypeTable,
    scrutinee: &Ty,
    arms: &[(Pat, bool)],
    budget: usize,
) -> (MatchCheck, bool) {
    let mut cx = Cx { table, budget, exhausted: false };
    let tys = [scrutinee];

    // An ill-fitting arm is already an error; leaving it out of the matrix
    // keeps the algorithm simple, and not reporting cases it might have meant
    // to cover avoids a second, confusing error.
    let mut ill_formed = false;
    let mut rows: Vec<Row> = Vec::new();
    let mut unreachable = Vec::new();
    for (index, (pat, guarded)) in arms.iter().enumerate() {
        if depth_exceeds(pat, MAX_DEPTH) {
            return (MatchCheck::default(), true);
        }
        if !fits(table, scrutinee, pat) {
            ill_formed = true;
            continue;
        }
        if !cx.useful(&rows, &[pat], &tys, 0) {
            unreachable.push(index);
        }
        if cx.exhausted {
            return (MatchCheck::default(), true);
        }
        if !guarded {
            rows.push(vec![pat]);
        }
    }

    if ill_formed || is_unknown(scrutinee) {
        return (MatchCheck { unreachable, ..MatchCheck::default() }, false);
    }

    cx.budget = budget;
    let witnesses = cx.missing(&rows, &tys, WITNESS_LIMIT, true, 0);
    // Running out before "and more" is certain could understate the problem
    // as a short, complete-looking list; saying nothing is safer. Past that
    // point every witness found is genuine and only the count is low.
    if cx.exhausted && witnesses.len() <= LISTED {
        return (MatchCheck { unreachable, ..MatchCheck::default() }, true);
    }
    let more = witnesses.len().saturating_sub(LISTED);
    let missing = witnesses
        .iter()
        .take(LISTED)
        .map(|w| w.first().map_or_else(|| "_".to_string(), |p| render_pat(table, p)))
        .collect();
    (MatchCheck { missing, more, unreachable }, cx.exhausted)
}

/// A row of the pattern matrix: one pattern per column.
type Row<'p> = Vec<&'p Pat>;

struct Cx<'t> {
    table: &'t TypeTable,
    budget: usize,
    exhausted: bool,
}

impl<'t> Cx<'t> {
    /// Pay for visiting `rows` rows at recursion `depth`; false once the
    /// budget or the depth cap is spent, after which every answer is void.
    fn enter(&mut self, rows: usize, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            self.exhausted = true;
        }
        self.spend(rows.saturating_add(1))
    }

    fn spend(&mut self, cost: usize) -> bool {
        if self.exhausted || self.budget < cost {
            self.exhausted = true;
            return false;
        }
        self.budget -= cost;
        true
    }

    /// S(c, P), paid for by the rows it scans.
    fn specialize<'p>(&mut self, rows: &[Row<'p>], ctor: &Ctor, arity: usize) -> Vec<Row<'p>> {
        if !self.spend(rows.len()) {
            return Vec::new();
        }
        specialize(rows, ctor, arity)
    }

    /// D(P), paid for by the rows it scans.
    fn default_rows<'p>(&mut self, rows: &[Row<'p>]) -> Vec<Row<'p>> {
        if !self.spend(rows.len()) {
            return Vec::new();
        }
        default_rows(rows)
    }

    /// Whether the vector `q` matches some value that no row of `rows`
    /// matches (Maranget's U(P, q)).
    fn useful<'p>(&mut self, rows: &[Row<'p>], q: &[&'p Pat], tys: &[&'t Ty], depth: usize) -> bool {
        if !self.enter(rows.len(), depth) {
            return false;
        }
        let Some((&head, q_rest)) = q.split_first() else {
            return rows.is_empty();
        };
        if rows.iter().any(|r| all_wild(r)) {
            return false;
        }
        let expanded = expand_or(rows);
        let rows = expanded.as_deref().unwrap_or(rows);
        let (ty, tys_rest) = split_ty(tys);

        match head {
            Pat::Or(alts) => {
                let mut q2 = q.to_vec();
                alts.iter().any(|alt| {
                    if let Some(first) = q2.first_mut() {
                        *first = alt;
                    }
                    self.useful(rows, &q2, tys, depth + 1)
                })
            }
            Pat::Ctor(ctor, args) => {
                // Callers filter ill-fitting arms; should one slip through,
                // calling it useful keeps it from being reported unreachable.
                let Some(fields) = ctor_fields(self.table, ty, ctor) else {
                    return true;
                };
                if fields.len() != args.len() {
                    return true;
                }
                let sub = self.specialize(rows, ctor, fields.len());
                let q2: Row<'p> = args.iter().chain(q_rest.iter().copied()).collect();
                let tys2 = concat(fields, tys_rest);
                self.useful(&sub, &q2, &tys2, depth + 1)
            }
            Pat::Wild => {
                let used = head_ctors(rows);
                match complete_signature(self.table, ty, &used) {
                    Some(sig) => sig.iter().any(|ctor| {
                        let Some(fields) = ctor_fields(self.table, ty, ctor) else {
                            return false;
                        };
                        let sub = self.specialize(rows, ctor, fields.len());
                        let q2: Row<'p> =
                            std::iter::repeat_n(&WILD, fields.len()).chain(q_rest.iter().copied()).collect();
                        let tys2 = concat(fields, tys_rest);
                        self.useful(&sub, &q2, &tys2, depth + 1)
                    }),
                    None => {
                        let sub = self.default_rows(rows);
                        self.useful(&sub, q_rest, tys_rest, depth + 1)
                    }
                }
            }
        }
    }

    /// Up to `limit` pattern vectors (one pattern per column of `tys`) that
    /// no row matches: the witnesses of U(P, _ ... _). Splitting on every
    /// constructor the rows mention, not just the missing ones, is what
    /// finds several witnesses instead of one.
    ///
    /// `top` marks the scrutinee's own column, where an unmentioned enum is
    /// listed variant by variant; deeper down a single `_` reads better.
    fn missing<'p>(
        &mut self,
        rows: &[Row<'p>],
        tys: &[&'t Ty],
        limit: usize,
        top: bool,
        depth: usize,
    ) -> Vec<Vec<Pat>> {
        let mut out = Vec::new();
        if limit == 0 || !self.enter(rows.len(), depth) {
            return out;
        }
        if tys.is_empty() {
            if rows.is_empty() {
                out.push(Vec::new());
            }
            return out;
        }
        if rows.iter().any(|r| all_wild(r)) {
            return out;
        }
        let expanded = expand_or(rows);
        let rows = expanded.as_deref().unwrap_or(rows);
        let (ty, tys_rest) = split_ty(tys);

        let Some(sig) = signature(self.table, ty) else {
            // Infinite or opaque: literals never cover the type, and the
            // rows under any one literal include every wildcard row, so all
            // that can be missing is what the wildcard rows miss, and `_`
            // names it. A column of unknown type only reports through its
            // wildcard rows, never on its own: its values are a guess.
            let defaults = self.default_rows(rows);
            if !(is_unknown(ty) && defaults.is_empty()) {
                for w in self.missing(&defaults, tys_rest, limit, false, depth + 1) {
                    out.push(prepend(Pat::Wild, w));
                }
            }
            return out;
        };

        // An enum with no variants has no values, so nothing can be missing.
        if sig.is_empty() {
            return out;
        }
        let used = head_ctors(rows);
        let complete = sig.len() == 1 || sig.iter().all(|c| used.contains(&c));
        if !complete && used.is_empty() && !top {
            let defaults = self.default_rows(rows);
            for w in self.missing(&defaults, tys_rest, limit, false, depth + 1) {
                out.push(prepend(Pat::Wild, w));
            }
            return out;
        }
        let mut defaults: Option<Vec<Vec<Pat>>> = None;
        for ctor in &sig {
            if out.len() >= limit {
                break;
            }
            if complete || used.contains(&ctor) {
                self.missing_under(rows, ty, ctor, tys_rest, limit, depth, &mut out);
                continue;
            }
            // A constructor no row mentions is covered exactly where the
            // wildcard rows cover the remaining columns.
            let arity = ctor_fields(self.table, ty, ctor).map_or(0, |f| f.len());
            let rest = defaults.get_or_insert_with(|| {
                let defaults = self.default_rows(rows);
                self.missing(&defaults, tys_rest, limit, false, depth + 1)
            });
            for w in rest.iter() {
                if out.len() >= limit {
                    break;
                }
                let head = Pat::Ctor(ctor.clone(), vec![Pat::Wild; arity]);
                out.push(prepend(head, w.clone()));
            }
        }
        out
    }

    /// Witnesses starting with `ctor`: those of the rows specialized to it,
    /// re-wrapped so the constructor's fields become its arguments again.
    #[allow(clippy::too_many_arguments)]
    fn missing_under<'p>(
        &mut self,
        rows: &[Row<'p>],
        ty: &'t Ty,
        ctor: &Ctor,
        tys_rest: &[&'t Ty],
        limit: usize,
        depth: usize,
        out: &mut Vec<Vec<Pat>>,
    ) {
        let Some(fields) = ctor_fields(self.table, ty, ctor) else {
            return;
        };
        let arity = fields.len();
        let sub = self.specialize(rows, ctor, arity);
        let tys2 = concat(fields, tys_rest);
        let budget = limit.saturating_sub(out.len());
        for mut w in self.missing(&sub, &tys2, budget, false, depth + 1) {
            let rest = w.split_off(arity.min(w.len()));
            out.push(prepend(Pat::Ctor(ctor.clone(), w), rest));
        }
    }
}

fn split_ty<'a, 's>(tys: &'s [&'a Ty]) -> (&'a Ty, &'s [&'a Ty]) {
    match tys.split_first() {
        Some((&ty, rest)) => (ty, rest),
        None => (&UNKNOWN, &[]),
    }
}

fn concat<'a>(mut first: Vec<&'a Ty>, rest: &[&'a Ty]) -> Vec<&'a Ty> {
    first.extend_from_slice(rest);
    first
}

fn prepend(head: Pat, rest: Vec<Pat>) -> Vec<Pat> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(head);
    v.extend(rest);
    v
}

fn all_wild(row: &[&Pat]) -> bool {
    row.iter().all(|p| matches!(p, Pat::Wild))
}

/// Or-patterns in the first column split their row into one row per
/// alternative, so the other helpers only ever see wildcards and
/// constructors at the head. `None` when no row needs it.
fn expand_or<'p>(rows: &[Row<'p>]) -> Option<Vec<Row<'p>>> {
    if !rows.iter().any(|r| matches!(r.first(), Some(Pat::Or(_)))) {
        return None;
    }
    fn push<'p>(out: &mut Vec<Row<'p>>, head: &'p Pat, rest: &[&'p Pat]) {
        match head {
            Pat::Or(alts) => alts.iter().for_each(|alt| push(out, alt, rest)),
            _ => out.push(prepend_ref(head, rest)),
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match row.split_first() {
            Some((&head, rest)) => push(&mut out, head, rest),
            None => out.push(Vec::new()),
        }
    }
    Some(out)
}

fn prepend_ref<'p>(head: &'p Pat, rest: &[&'p Pat]) -> Row<'p> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(head);
    v.extend_from_slice(rest);
    v
}

/// The distinct constructors at the head of the rows, in first-use order so
/// witnesses come out in source order for literals.
fn head_ctors<'p>(rows: &[Row<'p>]) -> Vec<&'p Ctor> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        if let Some(Pat::Ctor(ctor, _)) = row.first().copied() {
            if seen.insert(ctor) {
                out.push(ctor);
            }
        }
    }
    out
}

/// S(c, P): the rows that match constructor `ctor`, with its `arity` fields
/// in place of the first column. A row whose constructor has the wrong
/// number of arguments matches nothing.
fn specialize<'p>(rows: &[Row<'p>], ctor: &Ctor, arity: usize) -> Vec<Row<'p>> {
    let mut out = Vec::new();
    for row in rows {
        let Some((&head, rest)) = row.split_first() else {
            continue;
        };
        match head {
            Pat::Wild => {
                let mut r = Vec::with_capacity(arity + rest.len());
                r.extend(std::iter::repeat_n(&WILD, arity));
                r.extend_from_slice(rest);
                out.push(r);
            }
            Pat::Ctor(c, args) if c == ctor && args.len() == arity => {
                let mut r = Vec::with_capacity(arity + rest.len());
                r.extend(args.iter());
                r.extend_from_slice(rest);
                out.push(r);
            }
            _ => {}
        }
    }
    out
}

/// D(P): the rows that start with a wildcard, without that column.
fn default_rows<'p>(rows: &[Row<'p>]) -> Vec<Row<'p>> {
    rows.iter()
        .filter_map(|row| match row.split_first() {
            Some((Pat::Wild, rest)) => Some(rest.to_vec()),
            _ => None,
        })
        .collect()
}

/// Types whose values the checker could not pin down: reporting values of
/// them as missing would only echo an earlier error.
fn is_unknown(ty: &Ty) -> bool {
    matches!(ty, Ty::Error | Ty::Var(_) | Ty::Never)
}

fn enum_def(table: &TypeTable, id: TypeId) -> Option<&EnumDef> {
    table.defs.get(id.0 as usize)?;
    table.as_enum(id)
}

/// Every constructor of a type with finitely many, in declaration order;
/// `None` for infinite (`int`, `str`) and opaque (struct, list) types.
fn signature(table: &TypeTable, ty: &Ty) -> Option<Vec<Ctor>> {
    match ty {
        Ty::Enum(id) => {
            let def = enum_def(table, *id)?;
            Some((0..def.variants.len()).map(|i| Ctor::Variant(*id, i)).collect())
        }
        Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
        Ty::Optional(_) => Some(vec![Ctor::Some, Ctor::None]),
        Ty::Result(_) => Some(vec![Ctor::Ok, Ctor::Err]),
        Ty::Tuple(ts) => Some(vec![Ctor::Tuple(ts.len())]),
        Ty::Unit => Some(vec![Ctor::Unit]),
        _ => None,
    }
}

/// The signature, if a wildcard in this column should split over it: the
/// rows mention every constructor, or there is only one (so splitting costs
/// nothing and lets the columns inside be checked). An empty enum never
/// splits, so a wildcard arm on it is not called unreachable.
fn complete_signature(table: &TypeTable, ty: &Ty, used: &[&Ctor]) -> Option<Vec<Ctor>> {
    let sig = signature(table, ty)?;
    let complete = !sig.is_empty() && (sig.len() == 1 || sig.iter().all(|c| used.contains(&c)));
    complete.then_some(sig)
}

/// The types of `ctor`'s fields when it is a constructor of `ty`; `None`
/// when it is not (a `Ctor::Int` against a `bool`, a variant of another enum,
/// a variant index past the end). Under an unknown type any constructor is
/// accepted, with fields as precise as the constructor alone tells.
fn ctor_fields<'a>(table: &'a TypeTable, ty: &'a Ty, ctor: &Ctor) -> Option<Vec<&'a Ty>> {
    let variant_fields = |id: TypeId, index: usize| -> Option<Vec<&'a Ty>> {
        let variant = enum_def(table, id)?.variants.get(index)?;
        Some(variant.fields.iter().map(|f| &f.ty).collect())
    };
    match (ty, ctor) {
        (Ty::Enum(id), Ctor::Variant(vid, index)) if id == vid => variant_fields(*vid, *index),
        (Ty::Bool, Ctor::Bool(_))
        | (Ty::Optional(_), Ctor::None)
        | (Ty::Unit, Ctor::Unit)
        | (Ty::Int, Ctor::Int(_))
        | (Ty::Float, Ctor::Float(_))
        | (Ty::Str, Ctor::Str(_)) => Some(Vec::new()),
        (Ty::Optional(t), Ctor::Some) | (Ty::Result(t), Ctor::Ok) => Some(vec![&**t]),
        (Ty::Result(_), Ctor::Err) => Some(vec![&STR]),
        (Ty::Tuple(ts), Ctor::Tuple(n)) if ts.len() == *n => Some(ts.iter().collect()),
        (ty, ctor) if is_unknown(ty) => match ctor {
            Ctor::Variant(id, index) => variant_fields(*id, *index),
            Ctor::Some | Ctor::Ok => Some(vec![&UNKNOWN]),
            Ctor::Err => Some(vec![&STR]),
            Ctor::Tuple(n) => Some(vec![&UNKNOWN; *n]),
            Ctor::Bool(_) | Ctor::None | Ctor::Unit | Ctor::Int(_) | Ctor::Float(_) | Ctor::Str(_) => Some(Vec::new()),
        },
        _ => None,
    }
}

/// Whether every constructor in `pat` belongs to the type at its position
/// with the right number of arguments.
fn fits(table: &TypeTable, ty: &Ty, pat: &Pat) -> bool {
    match pat {
        Pat::Wild => true,
        Pat::Or(alts) => alts.iter().all(|alt| fits(table, ty, alt)),
        Pat::Ctor(ctor, args) => match ctor_fields(table, ty, ctor) {
            Some(fields) => fields.len() == args.len() && args.iter().zip(&fields).all(|(arg, t)| fits(table, t, arg)),
            None => false,
        },
    }
}

/// Checked before anything else recurses over the pattern, so the walk
/// itself stops at the limit.
fn depth_exceeds(pat: &Pat, limit: usize) -> bool {
    if limit == 0 {
        return true;
    }
    match pat {
        Pat::Wild => false,
        Pat::Ctor(_, args) | Pat::Or(args) => args.iter().any(|p| depth_exceeds(p, limit - 1)),
    }
}

fn write_pat(table: &TypeTable, pat: &Pat, out: &mut String) {
    match pat {
        Pat::Wild => out.push('_'),
        Pat::Or(alts) => write_list(table, alts, " | ", out),
        Pat::Ctor(ctor, args) => match ctor {
            Ctor::Variant(id, index) => {
                let def = table.defs.get(id.0 as usize);
                out.push_str(def.map_or("?", |d| d.name.as_str()));
                out.push('.');
                let variant = enum_def(table, *id).and_then(|e| e.variants.get(*index));
                out.push_str(variant.map_or("?", |v| v.name.as_str()));
                if !args.is_empty() {
                    write_parens(table, args, out);
                }
            }
            Ctor::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Ctor::Some => {
                out.push_str("some");
                write_parens(table, args, out);
            }
            Ctor::None => out.push_str("none"),
            Ctor::Ok => {
                out.push_str("ok");
                write_parens(table, args, out);
            }
            Ctor::Err => {
                out.push_str("err");
                write_parens(table, args, out);
            }
            Ctor::Tuple(_) | Ctor::Unit => write_parens(table, args, out),
            Ctor::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Ctor::Float(bits) => {
                let _ = write!(out, "{:?}", f64::from_bits(*bits));
            }
            Ctor::Str(s) => write_str_literal(s, out),
        },
    }
}

fn write_parens(table: &TypeTable, args: &[Pat], out: &mut String) {
    out.push('(');
    write_list(table, args, ", ", out);
    out.push(')');
}

fn write_list(table: &TypeTable, pats: &[Pat], sep: &str, out: &mut String) {
    for (i, p) in pats.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write_pat(table, p, out);
    }
}

/// Aether string literals interpolate `{...}`, so braces are doubled.
fn write_str_literal(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use crate::ty::{FieldDef, ModuleId, StructDef, TypeDef, TypeDefKind, VariantDef};
    use std::time::{Duration, Instant};

    fn add_enum(table: &mut TypeTable, name: &str, variants: &[(&str, Vec<Ty>)]) -> TypeId {
        let variants = variants
            .iter()
            .map(|(vname, fields)| VariantDef {
                name: vname.to_string(),
                fields: fields
                    .iter()
                    .enumerate()
                    .map(|(i, ty)| FieldDef {
                        name: format!("f{i}"),
                        ty: ty.clone(),
                        has_default: false,
                        span: Span::default(),
                    })
                    .collect(),
                span: Span::default(),
            })
            .collect();
        table.add(TypeDef {
            name: name.to_string(),
            module: ModuleId(0),
            is_pub: false,
            span: Span::default(),
            kind: TypeDefKind::Enum(EnumDef { variants }),
        })
    }

    /// `enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }`
    fn shapes() -> (TypeTable, TypeId) {
        let mut table = TypeTable::default();
        let id = add_enum(
            &mut table,
            "Shape",
            &[("Circle", vec![Ty::Float]), ("Rect", vec![Ty::Float, Ty::Float]), ("Empty", vec![])],
        );
        (table, id)
    }

    fn circle(id: TypeId) -> Pat {
        Pat::Ctor(Ctor::Variant(id, 0), vec![Pat::Wild])
    }
    fn rect(id: TypeId) -> Pat {
        Pat::Ctor(Ctor::Variant(id, 1), vec![Pat::Wild, Pat::Wild])
    }
    fn empty(id: TypeId) -> Pat {
        Pat::Ctor(Ctor::Variant(id, 2), vec![])
    }
    fn b(v: bool) -> Pat {
        Pat::Ctor(Ctor::Bool(v), vec![])
    }
    fn int(n: i64) -> Pat {
        Pat::Ctor(Ctor::Int(n), vec![])
    }
    fn some(p: Pat) -> Pat {
        Pat::Ctor(Ctor::Some, vec![p])
    }
    fn none() -> Pat {
        Pat::Ctor(Ctor::None, vec![])
    }
    fn ok(p: Pat) -> Pat {
        Pat::Ctor(Ctor::Ok, vec![p])
    }
    fn err(p: Pat) -> Pat {
        Pat::Ctor(Ctor::Err, vec![p])
    }
    fn tuple(ps: Vec<Pat>) -> Pat {
        Pat::Ctor(Ctor::Tuple(ps.len()), ps)
    }
    fn or(ps: Vec<Pat>) -> Pat {
        Pat::Or(ps)
    }
    fn arms(ps: Vec<Pat>) -> Vec<(Pat, bool)> {
        ps.into_iter().map(|p| (p, false)).collect()
    }
    fn check(table: &TypeTable, ty: &Ty, arms: &[(Pat, bool)]) -> MatchCheck {
        check_match(table, ty, arms)
    }
    fn missing(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn exhaustive_enum() {
        let (table, id) = shapes();
        let r = check(&table, &Ty::Enum(id), &arms(vec![circle(id), rect(id), empty(id)]));
        assert_eq!(r, MatchCheck::default());
        assert!(r.is_exhaustive());
    }

    #[test]
    fn missing_variant() {
        let (table, id) = shapes();
        let r = check(&table, &Ty::Enum(id), &arms(vec![circle(id), empty(id)]));
        assert_eq!(r.missing, missing(&["Shape.Rect(_, _)"]));
        assert_eq!(r.more, 0);
        assert!(r.unreachable.is_empty());
    }

    #[test]
    fn no_arms_lists_every_variant() {
        let (table, id) = shapes();
        let r = check(&table, &Ty::Enum(id), &[]);
        assert_eq!(r.missing, missing(&["Shape.Circle(_)", "Shape.Rect(_, _)", "Shape.Empty"]));
        let r = check(&table, &Ty::Bool, &[]);
        assert_eq!(r.missing, missing(&["true", "false"]));
        let r = check(&table, &Ty::Int, &[]);
        assert_eq!(r.missing, missing(&["_"]));
    }

    #[test]
    fn more_counts_witnesses_beyond_three() {
        let mut table = TypeTable::default();
        let names: Vec<String> = (0..10).map(|i| format!("V{i}")).collect();
        let variants: Vec<(&str, Vec<Ty>)> = names.iter().map(|n| (n.as_str(), vec![])).collect();
        let id = add_enum(&mut table, "Big", &variants);
        let r = check(&table, &Ty::Enum(id), &arms(vec![Pat::Ctor(Ctor::Variant(id, 1), vec![])]));
        assert_eq!(r.missing, missing(&["Big.V0", "Big.V2", "Big.V3"]));
        assert_eq!(r.more, 6);
    }

    #[test]
    fn nested_optional_of_enum() {
        let (table, id) = shapes();
        let ty = Ty::optional(Ty::Enum(id));
        let r = check(&table, &ty, &arms(vec![some(circle(id)), none()]));
        assert_eq!(r.missing, missing(&["some(Shape.Rect(_, _))", "some(Shape.Empty)"]));

        let r = check(&table, &ty, &arms(vec![some(empty(id))]));
        assert_eq!(r.missing, missing(&["some(Shape.Circle(_))", "some(Shape.Rect(_, _))", "none"]));

        // The inner enum is never mentioned, so one `_` stands for all of it.
        let r = check(&table, &ty, &arms(vec![none()]));
        assert_eq!(r.missing, missing(&["some(_)"]));

        let r = check(&table, &ty, &arms(vec![some(Pat::Wild), none()]));
        assert!(r.is_exhaustive());
    }

    #[test]
    fn tuple_of_bools() {
        let table = TypeTable::default();
        let ty = Ty::Tuple(vec![Ty::Bool, Ty::Bool]);
        let r = check(
            &table,
            &ty,
            &arms(vec![tuple(vec![b(true), b(true)]), tuple(vec![b(true), b(false)]), tuple(vec![b(false), b(false)])]),
        );
        assert_eq!(r.missing, missing(&["(false, true)"]));

        // A wildcard in the second column covers the whole `true` row at once.
        let r = check(&table, &ty, &arms(vec![tuple(vec![b(false), Pat::Wild])]));
        assert_eq!(r.missing, missing(&["(true, _)"]));

        let r = check(&table, &ty, &arms(vec![tuple(vec![b(true), Pat::Wild]), tuple(vec![Pat::Wild, b(false)])]));
        assert_eq!(r.missing, missing(&["(false, true)"]));

        let r = check(
            &table,
            &ty,
            &arms(vec![
                tuple(vec![b(true), Pat::Wild]),
                tuple(vec![Pat::Wild, b(false)]),
                tuple(vec![b(false), b(true)]),
                tuple(vec![b(true), b(true)]),
            ]),
        );
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![3]);
    }

    #[test]
    fn int_literals() {
        let table = TypeTable::default();
        let r = check(&table, &Ty::Int, &arms(vec![int(1), int(2), int(-3)]));
        assert_eq!(r.missing, missing(&["_"]));
        assert!(r.unreachable.is_empty());

        let r = check(&table, &Ty::Int, &arms(vec![int(1), int(2), Pat::Wild]));
        assert_eq!(r, MatchCheck::default());

        let r = check(&table, &Ty::Int, &arms(vec![int(1), int(1), Pat::Wild, int(3)]));
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![1, 3]);

        // Witnesses through a literal column: `_` stands for any int.
        let ty = Ty::Tuple(vec![Ty::Int, Ty::Bool]);
        let r = check(&table, &ty, &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![Pat::Wild, b(false)])]));
        assert_eq!(r.missing, missing(&["(_, true)"]));

        // `(1, false)` is uncovered too, but `(_, false)` already says so.
        let r = check(&table, &ty, &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![Pat::Wild, b(true)])]));
        assert_eq!(r.missing, missing(&["(_, false)"]));
        let r = check(&table, &ty, &arms(vec![tuple(vec![int(1), b(true)]), tuple(vec![int(2), b(false)])]));
        assert_eq!(r.missing, missing(&["(_, _)"]));
        let s = Ty::Tuple(vec![Ty::Int, Ty::Int]);
        let r = check(&table, &s, &arms(vec![tuple(vec![int(1), int(5)]), tuple(vec![Pat::Wild, int(6)])]));
        assert_eq!(r.missing, missing(&["(_, _)"]));
    }

    #[test]
    fn other_literal_kinds() {
        let table = TypeTable::default();
        let s = |v: &str| Pat::Ctor(Ctor::Str(v.to_string()), vec![]);
        let r = check(&table, &Ty::Str, &arms(vec![s("a"), s("b"), s("a")]));
        assert_eq!(r.missing, missing(&["_"]));
        assert_eq!(r.unreachable, vec![2]);

        let f = |v: f64| Pat::Ctor(Ctor::Float(v.to_bits()), vec![]);
        let r = check(&table, &Ty::Float, &arms(vec![f(1.5), Pat::Wild, f(2.0)]));
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![2]);

        let unit = Pat::Ctor(Ctor::Unit, vec![]);
        let r = check(&table, &Ty::Unit, &arms(vec![unit.clone(), unit]));
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![1]);
        assert_eq!(check(&table, &Ty::Unit, &[]).missing, missing(&["()"]));
    }

    #[test]
    fn guarded_arms_do_not_cover() {
        let (table, id) = shapes();
        let ty = Ty::Enum(id);
        let r = check(&table, &ty, &[(circle(id), true), (rect(id), false), (empty(id), false)]);
        assert_eq!(r.missing, missing(&["Shape.Circle(_)"]));
        assert!(r.unreachable.is_empty());

        let r = check(&table, &ty, &[(circle(id), true), (circle(id), false), (rect(id), false), (empty(id), false)]);
        assert_eq!(r, MatchCheck::default());

        let r = check(&table, &Ty::Int, &[(Pat::Wild, true)]);
        assert_eq!(r.missing, missing(&["_"]));

        // A guarded arm behind a catch-all is still reported.
        let r = check(&table, &ty, &[(Pat::Wild, false), (empty(id), true)]);
        assert_eq!(r.unreachable, vec![1]);
    }

    #[test]
    fn unreachable_after_wildcard() {
        let (table, id) = shapes();
        let ty = Ty::Enum(id);
        let r = check(&table, &ty, &arms(vec![empty(id), Pat::Wild, empty(id), circle(id)]));
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![2, 3]);

        let r = check(&table, &ty, &arms(vec![circle(id), rect(id), empty(id), Pat::Wild]));
        assert_eq!(r.unreachable, vec![3]);

        // Nested: `some(_)` already covers `some(Shape.Empty)`.
        let opt = Ty::optional(Ty::Enum(id));
        let r = check(&table, &opt, &arms(vec![some(Pat::Wild), some(empty(id)), none()]));
        assert_eq!(r.unreachable, vec![1]);
    }

    #[test]
    fn or_patterns() {
        let (table, id) = shapes();
        let ty = Ty::Enum(id);
        let r = check(&table, &ty, &arms(vec![or(vec![circle(id), empty(id)]), rect(id)]));
        assert_eq!(r, MatchCheck::default());

        // Partly new: reachable, and the covered alternative is not reported.
        let r = check(&table, &ty, &arms(vec![or(vec![circle(id), empty(id)]), or(vec![empty(id), rect(id)])]));
        assert_eq!(r, MatchCheck::default());

        let r = check(&table, &ty, &arms(vec![circle(id), empty(id), or(vec![empty(id), circle(id)]), rect(id)]));
        assert_eq!(r.unreachable, vec![2]);

        // Alternatives nested inside a constructor.
        let opt = Ty::optional(Ty::Enum(id));
        let r = check(&table, &opt, &arms(vec![some(or(vec![circle(id), empty(id)])), none()]));
        assert_eq!(r.missing, missing(&["some(Shape.Rect(_, _))"]));
        let r =
            check(&table, &opt, &arms(vec![some(or(vec![circle(id), empty(id)])), or(vec![none(), some(rect(id))])]));
        assert_eq!(r, MatchCheck::default());

        // An empty or-pattern matches nothing, so it is unreachable.
        let r = check(&table, &Ty::Bool, &arms(vec![or(vec![]), Pat::Wild]));
        assert_eq!(r.unreachable, vec![0]);
    }

    #[test]
    fn results() {
        let table = TypeTable::default();
        let ty = Ty::result(Ty::Bool);
        let r = check(&table, &ty, &arms(vec![ok(b(true)), err(Pat::Wild)]));
        assert_eq!(r.missing, missing(&["ok(false)"]));

        let r = check(&table, &ty, &arms(vec![ok(Pat::Wild)]));
        assert_eq!(r.missing, missing(&["err(_)"]));

        let msg = Pat::Ctor(Ctor::Str("boom".to_string()), vec![]);
        let r = check(&table, &ty, &arms(vec![ok(Pat::Wild), err(msg)]));
        assert_eq!(r.missing, missing(&["err(_)"]));

        let r = check(&table, &ty, &arms(vec![err(Pat::Wild), ok(Pat::Wild), ok(b(true))]));
        assert!(r.is_exhaustive());
        assert_eq!(r.unreachable, vec![2]);
    }

    #[test]
    fn witness_rendering() {
        let (table, id) = shapes();
        let nested = some(tuple(vec![empty(id), ok(Pat::Wild), err(Pat::Wild), none()]));
        assert_eq!(render_pat(&table, &nested), "some((Shape.Empty, ok(_), err(_), none))");
        assert_eq!(render_pat(&table, &Pat::Ctor(Ctor::Unit, vec![])), "()");
        assert_eq!(render_pat(&table, &int(-7)), "-7");
        let f = Pat::Ctor(Ctor::Float(2.0f64.to_bits()), vec![]);
        assert_eq!(render_pat(&table, &f), "2.0");
        let s = Pat::Ctor(Ctor::Str("a\"{b}\n".to_string()), vec![]);
        assert_eq!(render_pat(&table, &s), r#""a\"{{b}}\n""#);
        assert_eq!(render_pat(&table, &or(vec![b(true), b(false)])), "true | false");
        // Dangling ids render as `?` rather than panicking.
        let bad = Pat::Ctor(Ctor::Variant(TypeId(99), 5), vec![Pat::Wild]);
        assert_eq!(render_pat(&table, &bad), "?.?(_)");

        // Witnesses nest through several levels of types.
        let ty = Ty::Tuple(vec![Ty::optional(Ty::Enum(id)), Ty::Unit]);
        let unit = Pat::Ctor(Ctor::Unit, vec![]);
        let r = check(
            &table,
            &ty,
            &arms(vec![
                tuple(vec![some(circle(id)), Pat::Wild]),
                tuple(vec![some(rect(id)), unit]),
                tuple(vec![none(), Pat::Wild]),
            ]),
        );
        assert_eq!(r.missing, missing(&["(some(Shape.Empty), ())"]));
    }

    #[test]
    fn irrefutable_patterns() {
        let (table, id) = shapes();
        let pair = Ty::Tuple(vec![Ty::Int, Ty::Unit]);
        let unit = Pat::Ctor(Ctor::Unit, vec![]);
        assert!(is_irrefutable(&table, &pair, &tuple(vec![Pat::Wild, unit])));
        assert!(is_irrefutable(&table, &pair, &Pat::Wild));
        assert!(!is_irrefutable(&table, &pair, &tuple(vec![int(0), Pat::Wild])));
        assert!(!is_irrefutable(&table, &Ty::optional(Ty::Int), &some(Pat::Wild)));
        assert!(!is_irrefutable(&table, &Ty::Enum(id), &circle(id)));
    }

    #[test]
    fn unknown_scrutinee_reports_nothing_missing() {
        let (table, id) = shapes();
        for ty in [Ty::Error, Ty::Var(crate::ty::TyVar(0)), Ty::Never] {
            assert_eq!(check(&table, &ty, &arms(vec![int(1)])), MatchCheck::default());
            assert_eq!(check(&table, &ty, &[]), MatchCheck::default());
            // Reachability still works on what the arms themselves say.
            let r = check(&table, &ty, &arms(vec![int(1), int(1), circle(id)]));
            assert_eq!(r.unreachable, vec![1]);
            assert!(r.missing.is_empty());
        }
        // An unknown type inside a known one is not reported either.
        let ty = Ty::optional(Ty::Error);
        let r = check(&table, &ty, &arms(vec![some(int(1)), none()]));
        assert_eq!(r, MatchCheck::default());
    }

    #[test]
    fn opaque_types_need_a_wildcard() {
        let mut table = TypeTable::default();
        let sid = table.add(TypeDef {
            name: "Ball".to_string(),
            module: ModuleId(0),
            is_pub: false,
            span: Span::default(),
            kind: TypeDefKind::Struct(StructDef::default()),
        });
        for ty in [Ty::Struct(sid), Ty::list(Ty::Int), Ty::map(Ty::Str, Ty::Int)] {
            assert_eq!(check(&table, &ty, &[]).missing, missing(&["_"]));
            let r = check(&table, &ty, &arms(vec![Pat::Wild, Pat::Wild]));
            assert_eq!(r.unreachable, vec![1]);
            assert!(r.is_exhaustive());
        }
        // A struct id used as if it were an enum has no variants to list.
        let r = check(&table, &Ty::Enum(sid), &[]);
        assert_eq!(r.missing, missing(&["_"]));
    }

    #[test]
    fn empty_enum_is_exhaustive() {
        let mut table = TypeTable::default();
        let id = add_enum(&mut table, "Void", &[]);
        assert_eq!(check(&table, &Ty::Enum(id), &[]), MatchCheck::default());
        assert_eq!(check(&table, &Ty::Enum(id), &arms(vec![Pat::Wild])), MatchCheck::default());
    }

    #[test]
    fn inconsistent_input_does_not_panic_or_cascade() {
        let (table, id) = shapes();
        let ty = Ty::Enum(id);
        let bad_arms = [
            Pat::Ctor(Ctor::Variant(id, 7), vec![]),
            Pat::Ctor(Ctor::Variant(TypeId(42), 0), vec![]),
            Pat::Ctor(Ctor::Variant(id, 0), vec![Pat::Wild, Pat::Wild]),
            int(3),
            tuple(vec![Pat::Wild]),
            or(vec![circle(id), b(true)]),
        ];
        for bad in bad_arms {
            // The bad arm is neither reported nor allowed to trigger a
            // missing-case report of its own.
            let r = check(&table, &ty, &arms(vec![bad.clone(), circle(id), Pat::Wild]));
            assert_eq!(r, MatchCheck::default(), "{bad:?}");
            let r = check(&table, &ty, &arms(vec![bad.clone()]));
            assert_eq!(r, MatchCheck::default(), "{bad:?}");
            assert!(is_irrefutable(&table, &ty, &bad));
        }
        // Ill-formed arms elsewhere do not hide unreachable ones.
        let r = check(&table, &ty, &arms(vec![int(3), Pat::Wild, empty(id)]));
        assert_eq!(r.unreachable, vec![2]);
        // A tuple type of the wrong width.
        let pair = Ty::Tuple(vec![Ty::Bool, Ty::Bool]);
        let r = check(&table, &pair, &arms(vec![tuple(vec![b(true), b(true), b(true)])]));
        assert_eq!(r, MatchCheck::default());
    }

    #[test]
    fn deep_patterns_stay_bounded() {
        let table = TypeTable::default();
        let mut ty = Ty::Bool;
        let mut pat = b(true);
        for _ in 0..5_000 {
            ty = Ty::optional(ty);
            pat = some(pat);
        }
        // Too deep to analyse: the quiet answer, without overflowing the stack.
        assert_eq!(check(&table, &ty, &arms(vec![pat])), MatchCheck::default());

        let mut ty = Ty::Bool;
        let mut pat = b(true);
        for _ in 0..50 {
            ty = Ty::optional(ty);
            pat = some(pat);
        }
        let r = check(&table, &ty, &arms(vec![pat]));
        assert_eq!(r.missing.len(), 3);
        assert!(r.missing[0].starts_with("some(some("));
        assert_eq!(r.more, 48);
    }

    #[test]
    fn deep_types_stay_bounded() {
        let table = TypeTable::default();
        // A wildcard on a single-constructor type is split into its fields,
        // so recursion follows the type's size, not the pattern's: each
        // level here is two columns, so 195 levels come close to the cap.
        for (depth, gives_up) in [(195, false), (3_000, true)] {
            let mut ty = Ty::Bool;
            for _ in 0..depth {
                ty = Ty::Tuple(vec![ty, Ty::Unit]);
            }
            let (r, gave_up) = check_match_with_budget(&table, &ty, &[], BUDGET);
            assert_eq!(gave_up, gives_up);
            if gives_up {
                assert_eq!(r, MatchCheck::default());
            } else {
                assert_eq!(r.missing.len(), 1);
                assert!(r.missing[0].starts_with("(((("));
            }
            let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(vec![Pat::Wild, Pat::Wild]), BUDGET);
            assert_eq!(gave_up, gives_up);
            if !gives_up {
                assert_eq!(r.unreachable, vec![1]);
            }
        }
    }

    #[test]
    fn budget_cap() {
        let (table, id) = shapes();
        // A tiny budget gives up, and giving up means silence.
        let r = check_match_with_budget(&table, &Ty::Enum(id), &arms(vec![circle(id)]), 3);
        assert_eq!(r, (MatchCheck::default(), true));
        let r = check_match_with_budget(&table, &Ty::Enum(id), &arms(vec![Pat::Wild, Pat::Wild]), 1);
        assert_eq!(r, (MatchCheck::default(), true));
        // Every budget gives either the exact answer or a quiet subset of
        // it; some budgets suffice for reachability but not for the witness
        // search, and then the (complete) reachability answer stays.
        let exact = check(&table, &Ty::Enum(id), &arms(vec![circle(id), circle(id)]));
        assert_eq!(exact.unreachable, vec![1]);
        let (mut partial_seen, mut exact_seen) = (false, false);
        for budget in 0..100 {
            let (r, gave_up) =
                check_match_with_budget(&table, &Ty::Enum(id), &arms(vec![circle(id), circle(id)]), budget);
            if !gave_up {
                assert_eq!(r, exact);
                exact_seen = true;
            } else if r.unreachable.is_empty() {
                assert_eq!(r, MatchCheck::default());
            } else {
                assert_eq!(r, MatchCheck { unreachable: vec![1], ..MatchCheck::default() });
                partial_seen = true;
            }
        }
        assert!(partial_seen && exact_seen);

        // Many arms: a thousand int literals stay within the budget.
        let start = Instant::now();
        let mut many: Vec<Pat> = (0..1_000).map(int).collect();
        many.push(int(500));
        let (r, gave_up) = check_match_with_budget(&table, &Ty::Int, &arms(many), BUDGET);
        assert!(!gave_up);
        assert_eq!(r.missing, missing(&["_"]));
        assert_eq!(r.unreachable, vec![1_000]);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    /// Random three-literal rows over many bool columns: deciding whether
    /// they cover everything is a tautology check of a DNF formula
    /// (co-NP-complete), so no budget-free algorithm is fast on all of them.
    fn random_rows(n: usize, m: usize, seed: u64) -> Vec<Pat> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        (0..m)
            .map(|_| {
                let mut ps = vec![Pat::Wild; n];
                for _ in 0..3 {
                    let col = next() % n;
                    ps[col] = b(next() % 2 == 0);
                }
                tuple(ps)
            })
            .collect()
    }

    #[test]
    fn budget_cap_on_pathological_input() {
        let table = TypeTable::default();
        let n = 40;
        let ty = Ty::Tuple(vec![Ty::Bool; n]);
        let rows = random_rows(n, 170, 1);
        let start = Instant::now();
        let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(rows), BUDGET);
        assert!(gave_up);
        assert_eq!(r, MatchCheck::default());
        // Generous even for an unoptimized build: the cap is what bounds it.
        assert!(start.elapsed() < Duration::from_secs(20));

        // Smaller instances of the same kind are answered exactly.
        let n = 8;
        let ty = Ty::Tuple(vec![Ty::Bool; n]);
        let rows = random_rows(n, 12, 7);
        let (r, gave_up) = check_match_with_budget(&table, &ty, &arms(rows.clone()), BUDGET);
        assert!(!gave_up);
        assert_eq!(r.is_exhaustive(), brute_force_uncovered(&rows, n).is_empty());
        // Every reported witness really is uncovered.
        let uncovered = brute_force_uncovered(&rows, n);
        for w in &r.missing {
            let fixed: Vec<Option<bool>> = w
                .trim_matches(|c| c == '(' || c == ')')
                .split(", ")
                .map(|x| match x {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                })
                .collect();
            assert!(
                uncovered.iter().any(|v| fixed.iter().zip(v).all(|(f, x)| f.is_none_or(|f| f == *x))),
                "{w} is covered"
            );
        }
    }

    /// Every assignment of `n` bools that no row matches, by enumeration.
    fn brute_force_uncovered(rows: &[Pat], n: usize) -> Vec<Vec<bool>> {
        let matches = |p: &Pat, v: bool| match p {
            Pat::Ctor(Ctor::Bool(x), _) => *x == v,
            _ => true,
        };
        (0..1u32 << n)
            .map(|bits| (0..n).map(|i| bits >> i & 1 == 1).collect::<Vec<bool>>())
            .filter(|vals| {
                !rows.iter().any(|row| match row {
                    Pat::Ctor(_, ps) => ps.iter().zip(vals).all(|(p, v)| matches(p, *v)),
                    _ => true,
                })
            })
            .collect()
    }
}

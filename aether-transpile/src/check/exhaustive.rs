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
use std::borrow::Cow;
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
    /// A struct, with every field in declaration order (its one constructor).
    Struct(TypeId),
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
    let tys = [Cow::Borrowed(scrutinee)];

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
    fn useful<'p>(&mut self, rows: &[Row<'p>], q: &[&'p Pat], tys: &[Cow<'t, Ty>], depth: usize) -> bool {
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
        tys: &[Cow<'t, Ty>],
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
    // `ty` stays a `Cow`: whether it is borrowed says whether its fields
    // can be too (`ctor_fields`).
    #[allow(clippy::too_many_arguments, clippy::ptr_arg)]
    fn missing_under<'p>(
        &mut self,
        rows: &[Row<'p>],
        ty: &Cow<'t, Ty>,
        ctor: &Ctor,
        tys_rest: &[Cow<'t, Ty>],
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

fn split_ty<'a, 's>(cols: &'s [Cow<'a, Ty>]) -> (&'s Cow<'a, Ty>, &'s [Cow<'a, Ty>]) {
    static UNKNOWN_COL: Cow<'static, Ty> = Cow::Borrowed(&UNKNOWN);
    match cols.split_first() {
        Some((ty, rest)) => (ty, rest),
        None => (&UNKNOWN_COL, &[]),
    }
}

fn concat<'a>(mut first: Vec<Cow<'a, Ty>>, rest: &[Cow<'a, Ty>]) -> Vec<Cow<'a, Ty>> {
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
/// A field's type in a value of `id<args>`; without the arguments (an
/// unknown type), the type's own parameters are unknown too.
fn field_ty<'a>(table: &TypeTable, id: TypeId, ty: &'a Ty, args: &[Ty]) -> Cow<'a, Ty> {
    if !args.is_empty() {
        return Cow::Owned(ty.subst(args));
    }
    let n = table.get(id).generics.len();
    if n == 0 {
        Cow::Borrowed(ty)
    } else {
        Cow::Owned(ty.subst(&vec![Ty::Error; n]))
    }
}

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
        Ty::Enum(id, _) => {
            let def = enum_def(table, *id)?;
            Some((0..def.variants.len()).map(|i| Ctor::Variant(*id, i)).collect())
        }
        Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
        Ty::Optional(_) => Some(vec![Ctor::Some, Ctor::None]),
        Ty::Result(_) => Some(vec![Ctor::Ok, Ctor::Err]),
        Ty::Tuple(ts) => Some(vec![Ctor::Tuple(ts.len())]),
        Ty::Struct(id, _) if table.as_struct(*id).is_some() => Some(vec![Ctor::Struct(*id)]),
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
/// A generic type's fields come with its arguments substituted (an unknown
/// argument is the unknown type): owned, where the others are borrowed (a
/// column's type is never copied, however deep).
fn ctor_fields<'t>(table: &'t TypeTable, ty: &Cow<'t, Ty>, ctor: &Ctor) -> Option<Vec<Cow<'t, Ty>>> {
    match ty {
        Cow::Borrowed(t) => ctor_fields_in(table, t, ctor),
        Cow::Owned(t) => {
            Some(ctor_fields_in(table, t, ctor)?.into_iter().map(|c| Cow::Owned(c.into_owned())).collect())
        }
    }
}

fn ctor_fields_in<'a>(table: &'a TypeTable, ty: &'a Ty, ctor: &Ctor) -> Option<Vec<Cow<'a, Ty>>> {
    let variant_fields = |id: TypeId, index: usize, args: &[Ty]| -> Option<Vec<Cow<'a, Ty>>> {
        let variant = enum_def(table, id)?.variants.get(index)?;
        Some(variant.fields.iter().map(|f| field_ty(table, id, &f.ty, args)).collect())
    };
    let struct_fields = |id: TypeId, args: &[Ty]| -> Option<Vec<Cow<'a, Ty>>> {
        table.defs.get(id.0 as usize)?;
        Some(table.as_struct(id)?.fields.iter().map(|f| field_ty(table, id, &f.ty, args)).collect())
    };
    match (ty, ctor) {
        (Ty::Enum(id, args), Ctor::Variant(vid, index)) if id == vid => variant_fields(*vid, *index, args),
        (Ty::Struct(id, args), Ctor::Struct(sid)) if id == sid => struct_fields(*sid, args),
        (Ty::Bool, Ctor::Bool(_))
        | (Ty::Optional(_), Ctor::None)
        | (Ty::Unit, Ctor::Unit)
        | (Ty::Int, Ctor::Int(_))
        | (Ty::Float, Ctor::Float(_))
        | (Ty::Str, Ctor::Str(_)) => Some(Vec::new()),
        (Ty::Optional(t), Ctor::Some) | (Ty::Result(t), Ctor::Ok) => Some(vec![Cow::Borrowed(&**t)]),
        (Ty::Result(_), Ctor::Err) => Some(vec![Cow::Borrowed(&STR)]),
        (Ty::Tuple(ts), Ctor::Tuple(n)) if ts.len() == *n => Some(ts.iter().map(Cow::Borrowed).collect()),
        (ty, ctor) if is_unknown(ty) => match ctor {
            Ctor::Variant(id, index) => variant_fields(*id, *index, &[]),
            Ctor::Some | Ctor::Ok => Some(vec![Cow::Borrowed(&UNKNOWN)]),
            Ctor::Err => Some(vec![Cow::Borrowed(&STR)]),
            Ctor::Tuple(n) => Some(vec![Cow::Borrowed(&UNKNOWN); *n]),
            Ctor::Struct(id) => struct_fields(*id, &[]),
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
        Pat::Ctor(ctor, args) => match ctor_fields_in(table, ty, ctor) {
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
            // The fields a value needs, by name; a struct whose every field
            // is `_` is just `_` (as for a struct never matched by field).
            Ctor::Struct(id) => {
                let def = table.defs.get(id.0 as usize);
                let names: Vec<&str> = table
                    .as_struct(*id)
                    .map(|s| s.fields.iter().map(|f| f.name.as_str()).collect())
                    .unwrap_or_default();
                let named: Vec<(&str, &Pat)> =
                    names.iter().zip(args).filter(|(_, a)| !matches!(a, Pat::Wild)).map(|(n, a)| (*n, a)).collect();
                if named.is_empty() {
                    out.push('_');
                    return;
                }
                out.push_str(def.map_or("?", |d| d.name.as_str()));
                out.push_str(" { ");
                for (n, a) in named {
                    out.push_str(n);
                    out.push_str(": ");
                    write_pat(table, a, out);
                    out.push_str(", ");
                }
                out.push_str(".. }");
            }
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
    aether_rt::quote::write_quoted(s, &[('\0', "\\0"), ('{', "{{"), ('}', "}}")], out);
}

#[cfg(test)]
mod tests;

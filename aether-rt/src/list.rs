//! List methods with Aether semantics.

use crate::{fail, Location};
use std::cmp::Ordering;

/// `xs.sort()` for `[float]`: a total order, so NaN cannot break sorting.
pub fn sort_floats(xs: &mut [f64]) {
    xs.sort_by(f64::total_cmp);
}

/// `xs.sort_by(cmp)`: `cmp(a, b)` negative means `a` first. Stable.
pub fn sort_by<T>(xs: &mut [T], mut cmp: impl FnMut(&T, &T) -> i64) {
    xs.sort_by(|a, b| cmp(a, b).cmp(&0).then(Ordering::Equal));
}

/// `xs.map(f)`
pub fn map<T, U>(xs: &[T], f: impl FnMut(&T) -> U) -> Vec<U> {
    xs.iter().map(f).collect()
}

/// `xs.filter(f)`
pub fn filter<T: Clone>(xs: &[T], mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
    xs.iter().filter(|x| keep(x)).cloned().collect()
}

/// `xs.insert(i, v)`: `i` may be the length (append).
pub fn insert<T>(xs: &mut Vec<T>, i: i64, v: T, loc: Location) {
    match usize::try_from(i) {
        Ok(i) if i <= xs.len() => xs.insert(i, v),
        _ => fail(loc, format!("insert position {i} is out of range for a list of length {}", xs.len())),
    }
}

/// `xs.remove(i)`
pub fn remove<T>(xs: &mut Vec<T>, i: i64, loc: Location) -> T {
    match usize::try_from(i) {
        Ok(i) if i < xs.len() => xs.remove(i),
        _ => fail(loc, format!("remove index {i} is out of range for a list of length {}", xs.len())),
    }
}

/// What `sort_by_key`, `min_by_key` and `max_by_key` compare (and `min`,
/// `max`): ints, strs and bools by their order, floats by a total order
/// (NaN after every number, as `sort` places it).
pub trait Key {
    fn key_cmp(&self, other: &Self) -> Ordering;
}

impl Key for i64 {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl Key for f64 {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
}

impl Key for String {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl Key for bool {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// `xs.fold(init, f)`
pub fn fold<T, U>(xs: &[T], init: U, f: impl FnMut(U, &T) -> U) -> U {
    xs.iter().fold(init, f)
}

/// `xs.sum()` for `[int]`: overflow as `+` reports it.
pub fn sum_ints(xs: &[i64], loc: Location) -> i64 {
    xs.iter().fold(0, |a, b| crate::ops::add(a, *b, loc))
}

/// `xs.sum()` for `[float]`
pub fn sum_floats(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

/// `xs.min()`: the first of the least elements.
pub fn min<T: Key + Clone>(xs: &[T]) -> Option<T> {
    min_by(xs, |a, b| ordering_int(a.key_cmp(b)))
}

/// `xs.max()`: the last of the greatest elements.
pub fn max<T: Key + Clone>(xs: &[T]) -> Option<T> {
    max_by(xs, |a, b| ordering_int(a.key_cmp(b)))
}

fn ordering_int(o: Ordering) -> i64 {
    o as i64
}

/// `xs.min_by(cmp)`: the first element no other is less than.
pub fn min_by<T: Clone>(xs: &[T], mut cmp: impl FnMut(&T, &T) -> i64) -> Option<T> {
    xs.iter().min_by(|a, b| cmp(a, b).cmp(&0)).cloned()
}

/// `xs.max_by(cmp)`: the last element no other is greater than.
pub fn max_by<T: Clone>(xs: &[T], mut cmp: impl FnMut(&T, &T) -> i64) -> Option<T> {
    xs.iter().max_by(|a, b| cmp(a, b).cmp(&0)).cloned()
}

/// `xs.min_by_key(f)`
pub fn min_by_key<T: Clone, K: Key>(xs: &[T], mut key: impl FnMut(&T) -> K) -> Option<T> {
    let keys: Vec<K> = xs.iter().map(&mut key).collect();
    (0..xs.len()).min_by(|a, b| keys[*a].key_cmp(&keys[*b])).map(|i| xs[i].clone())
}

/// `xs.max_by_key(f)`
pub fn max_by_key<T: Clone, K: Key>(xs: &[T], mut key: impl FnMut(&T) -> K) -> Option<T> {
    let keys: Vec<K> = xs.iter().map(&mut key).collect();
    (0..xs.len()).max_by(|a, b| keys[*a].key_cmp(&keys[*b])).map(|i| xs[i].clone())
}

/// `xs.sort_by_key(f)`: stable; `f` runs once per element.
pub fn sort_by_key<T: Clone, K: Key>(xs: &mut [T], key: impl FnMut(&T) -> K) {
    let keys: Vec<K> = xs.iter().map(key).collect();
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| keys[*a].key_cmp(&keys[*b]));
    let sorted: Vec<T> = order.into_iter().map(|i| xs[i].clone()).collect();
    xs.clone_from_slice(&sorted);
}

/// `xs.any(f)`
pub fn any<T>(xs: &[T], f: impl FnMut(&T) -> bool) -> bool {
    xs.iter().any(f)
}

/// `xs.all(f)`
pub fn all<T>(xs: &[T], f: impl FnMut(&T) -> bool) -> bool {
    xs.iter().all(f)
}

/// `xs.enumerate()`
pub fn enumerate<T: Clone>(xs: &[T]) -> Vec<(i64, T)> {
    xs.iter().enumerate().map(|(i, x)| (i as i64, x.clone())).collect()
}

/// `xs.zip(ys)`: as long as the shorter list.
pub fn zip<T: Clone, U: Clone>(xs: &[T], ys: &[U]) -> Vec<(T, U)> {
    xs.iter().zip(ys).map(|(x, y)| (x.clone(), y.clone())).collect()
}

/// `xs.find(f)`
pub fn find<T: Clone>(xs: &[T], mut f: impl FnMut(&T) -> bool) -> Option<T> {
    xs.iter().find(|x| f(x)).cloned()
}

/// `xs.position(f)`
pub fn position<T>(xs: &[T], f: impl FnMut(&T) -> bool) -> Option<i64> {
    xs.iter().position(f).map(|i| i as i64)
}

/// `xs.flat_map(f)`
pub fn flat_map<T, U>(xs: &[T], f: impl FnMut(&T) -> Vec<U>) -> Vec<U> {
    xs.iter().flat_map(f).collect()
}

/// `xs.take(n)`: the first `n` (all of a shorter list, none for `n <= 0`).
pub fn take<T: Clone>(xs: &[T], n: i64) -> Vec<T> {
    let n = usize::try_from(n).unwrap_or(0).min(xs.len());
    xs[..n].to_vec()
}

/// `xs.skip(n)`: all but the first `n`.
pub fn skip<T: Clone>(xs: &[T], n: i64) -> Vec<T> {
    let n = usize::try_from(n).unwrap_or(0).min(xs.len());
    xs[n..].to_vec()
}

fn positive(what: &str, n: i64, loc: Location) -> usize {
    match usize::try_from(n) {
        Ok(n) if n > 0 => n,
        _ => fail(loc, format!("{what} size must be positive, found {n}")),
    }
}

/// `xs.chunks(n)`: the last chunk may be shorter. `n <= 0` is an error.
pub fn chunks<T: Clone>(xs: &[T], n: i64, loc: Location) -> Vec<Vec<T>> {
    xs.chunks(positive("chunk", n, loc)).map(<[T]>::to_vec).collect()
}

/// `xs.windows(n)`: every run of `n` neighbours. `n <= 0` is an error.
pub fn windows<T: Clone>(xs: &[T], n: i64, loc: Location) -> Vec<Vec<T>> {
    xs.windows(positive("window", n, loc)).map(<[T]>::to_vec).collect()
}

/// `xs.dedup()`: without consecutive repeats.
pub fn dedup<T: Clone + PartialEq>(xs: &[T]) -> Vec<T> {
    let mut out = xs.to_vec();
    out.dedup();
    out
}

/// `xs.reversed()`
pub fn reversed<T: Clone>(xs: &[T]) -> Vec<T> {
    xs.iter().rev().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_and_editing() {
        let mut xs = vec![3.0, f64::NAN, 1.0];
        sort_floats(&mut xs);
        assert_eq!(&xs[..2], &[1.0, 3.0]);
        let mut words = vec![("b", 2), ("a", 2), ("c", 5)];
        sort_by(&mut words, |x, y| y.1 - x.1);
        assert_eq!(words, vec![("c", 5), ("b", 2), ("a", 2)]);
        let loc = Location { file: "t.ae", line: 1, col: 1 };
        let mut v = vec![1, 3];
        insert(&mut v, 1, 2, loc);
        insert(&mut v, 3, 4, loc);
        assert_eq!(v, vec![1, 2, 3, 4]);
        assert_eq!(remove(&mut v, 0, loc), 1);
    }

    #[test]
    fn folding_searching_and_slicing() {
        let loc = Location { file: "t.ae", line: 1, col: 1 };
        let xs = vec![3, 1, 4, 1, 5];
        assert_eq!(fold(&xs, 0, |a, x| a + x), 14);
        assert_eq!(sum_ints(&xs, loc), 14);
        assert_eq!(sum_floats(&[0.5, 0.25]), 0.75);
        assert_eq!((min(&xs), max(&xs)), (Some(1), Some(5)));
        assert_eq!(min::<i64>(&[]), None);
        assert_eq!(max(&[1.0, f64::NAN]).map(f64::is_nan), Some(true));
        let words = vec!["bb".to_string(), "a".to_string(), "cc".to_string()];
        assert_eq!(min_by_key(&words, |w| w.len() as i64).as_deref(), Some("a"));
        assert_eq!(max_by_key(&words, |w| w.len() as i64).as_deref(), Some("cc"));
        assert_eq!(max_by(&words, |a, b| a.len() as i64 - b.len() as i64).as_deref(), Some("cc"));
        assert_eq!(min_by(&words, |a, b| a.len() as i64 - b.len() as i64).as_deref(), Some("a"));
        let mut ws = words.clone();
        sort_by_key(&mut ws, |w| -(w.len() as i64));
        assert_eq!(ws, vec!["bb", "cc", "a"]);
        assert_eq!(enumerate(&["x"]), vec![(0, "x")]);
        assert_eq!(zip(&[1, 2, 3], &["a", "b"]), vec![(1, "a"), (2, "b")]);
        assert_eq!((find(&xs, |x| *x > 3), position(&xs, |x| *x > 3)), (Some(4), Some(2)));
        assert_eq!(flat_map(&[1, 2], |x| vec![*x; *x as usize]), vec![1, 2, 2]);
        assert_eq!((take(&xs, 2), skip(&xs, 4), take(&xs, -1), skip(&xs, 9)), (vec![3, 1], vec![5], vec![], vec![]));
        assert_eq!(chunks(&xs, 2, loc), vec![vec![3, 1], vec![4, 1], vec![5]]);
        assert_eq!(windows(&[1, 2, 3], 2, loc), vec![vec![1, 2], vec![2, 3]]);
        assert_eq!(dedup(&[1, 1, 2, 1]), vec![1, 2, 1]);
        assert_eq!(reversed(&xs), vec![5, 1, 4, 1, 3]);
        assert!(any(&xs, |x| *x == 4) && !all(&xs, |x| *x > 1));
    }
}

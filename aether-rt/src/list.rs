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
}

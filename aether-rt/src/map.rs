//! Map methods with Aether semantics.

use crate::Map;
use std::hash::Hash;

/// `m.entries()`: the pairs in insertion order.
pub fn entries<K: Clone, V: Clone>(m: &Map<K, V>) -> Vec<(K, V)> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// `m.get_or(k, default)`
pub fn get_or<K: Hash + Eq, V: Clone>(m: &Map<K, V>, k: &K, default: V) -> V {
    m.get(k).cloned().unwrap_or(default)
}

/// `m.update(k, default, f)`: `m[k] = f(m[k])`, starting from `default`
/// when `k` is missing (a new key goes last).
pub fn update<K: Hash + Eq, V: Clone>(m: &mut Map<K, V>, k: K, default: V, mut f: impl FnMut(V) -> V) {
    let old = m.get(&k).cloned().unwrap_or(default);
    let new = f(old);
    m.insert(k, new);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_defaults_and_updates() {
        let mut m: Map<String, i64> = Map::default();
        update(&mut m, "a".to_string(), 0, |n| n + 1);
        update(&mut m, "b".to_string(), 10, |n| n * 2);
        update(&mut m, "a".to_string(), 0, |n| n + 1);
        assert_eq!(entries(&m), vec![("a".to_string(), 2), ("b".to_string(), 20)]);
        assert_eq!(get_or(&m, &"c".to_string(), -1), -1);
        assert_eq!(get_or(&m, &"b".to_string(), -1), 20);
    }
}

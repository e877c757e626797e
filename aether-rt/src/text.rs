//! `str` methods whose meaning differs from the Rust method of the same name
//! (lengths count characters, parsing returns `T?`), or that Rust lacks.

/// `s.len()`: Unicode scalar values, not bytes.
#[inline]
pub fn len(s: &str) -> i64 {
    s.chars().count() as i64
}

/// `s.split(sep)`; an empty separator splits into characters.
pub fn split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return chars(s);
    }
    s.split(sep).map(str::to_string).collect()
}

/// `s.words()`: split on runs of whitespace.
pub fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// `s.lines()`
pub fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

/// `s.chars()`: each character as a one-character string.
pub fn chars(s: &str) -> Vec<String> {
    s.chars().map(String::from).collect()
}

/// `s.parse_int()`: surrounding whitespace allowed.
pub fn parse_int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// `s.parse_float()`
pub fn parse_float(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// `s.repeat(n)`; a negative count gives the empty string.
pub fn repeat(s: &str, n: i64) -> String {
    s.repeat(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_methods() {
        assert_eq!(len("héllo"), 5);
        assert_eq!(split("a,b,,c", ","), vec!["a", "b", "", "c"]);
        assert_eq!(words("  the quick\n brown\tfox "), vec!["the", "quick", "brown", "fox"]);
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("4x"), None);
        assert_eq!(parse_float("2.5"), Some(2.5));
        assert_eq!(repeat("ab", 3), "ababab");
        assert_eq!(repeat("ab", -1), "");
    }
}

//! `str` methods whose meaning differs from the Rust method of the same name
//! (lengths count characters, parsing returns `T?`), or that Rust lacks.

use crate::{fail, Location};

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

/// The character position of a byte offset of `s`.
fn char_pos(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

/// `s.find(t)`: the character position of the first `t`.
pub fn find(s: &str, t: &str) -> Option<i64> {
    s.find(t).map(|b| char_pos(s, b))
}

/// `s.rfind(t)`: the character position of the last `t`.
pub fn rfind(s: &str, t: &str) -> Option<i64> {
    s.rfind(t).map(|b| char_pos(s, b))
}

/// `s[a..b]`, `s[a..=b]`, `s[a..]`, `s[..b]`: by character positions.
pub fn slice(s: &str, start: Option<i64>, end: Option<i64>, inclusive: bool, loc: Location) -> String {
    let len = len(s);
    let a = start.unwrap_or(0);
    let b = match end {
        Some(e) if inclusive => e.saturating_add(1),
        Some(e) => e,
        None => len,
    };
    if a < 0 || b > len || a > b {
        fail(loc, format!("slice {a}..{b} is out of range for a string of length {len}"));
    }
    s.chars().skip(a as usize).take((b - a) as usize).collect()
}

/// `s.char_code()`: the Unicode code point of a one-character string.
pub fn char_code(s: &str, loc: Location) -> i64 {
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => i64::from(u32::from(c)),
        _ => fail(loc, format!("`char_code` needs a string of one character, found one of length {}", len(s))),
    }
}

/// `from_char_code(n)`: the one-character string of a code point.
pub fn from_char_code(n: i64, loc: Location) -> String {
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => c.to_string(),
        None => fail(loc, format!("{n} is not a Unicode code point")),
    }
}

fn pad(s: &str, width: i64, fill: Option<&str>, left: bool, loc: Location) -> String {
    let fill = match fill {
        None => ' ',
        Some(f) => {
            let mut cs = f.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => fail(loc, format!("the fill must be one character, found {:?}", f)),
            }
        }
    };
    let n = usize::try_from(width.saturating_sub(len(s))).unwrap_or(0);
    let padding: String = std::iter::repeat_n(fill, n).collect();
    if left {
        padding + s
    } else {
        s.to_string() + &padding
    }
}

/// `s.pad_left(width)`, `s.pad_left(width, fill)`: right-aligned in `width` characters.
pub fn pad_left(s: &str, width: i64, fill: Option<&str>, loc: Location) -> String {
    pad(s, width, fill, true, loc)
}

/// `s.pad_right(width)`, `s.pad_right(width, fill)`: left-aligned in `width` characters.
pub fn pad_right(s: &str, width: i64, fill: Option<&str>, loc: Location) -> String {
    pad(s, width, fill, false, loc)
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

    #[test]
    fn positions_slices_codes_and_padding() {
        let loc = Location { file: "t.ae", line: 1, col: 1 };
        assert_eq!((find("héllo", "l"), rfind("héllo", "l"), find("a", "z")), (Some(2), Some(3), None));
        assert_eq!(slice("héllo", Some(1), Some(4), false, loc), "éll");
        assert_eq!(slice("héllo", None, Some(1), true, loc), "hé");
        assert_eq!(slice("héllo", Some(5), None, false, loc), "");
        assert_eq!((char_code("é", loc), from_char_code(97, loc)), (233, "a".to_string()));
        assert_eq!(pad_left("7", 3, Some("0"), loc), "007");
        assert_eq!(pad_right("ab", 4, None, loc), "ab  ");
        assert_eq!(pad_left("long", 2, None, loc), "long");
    }
}

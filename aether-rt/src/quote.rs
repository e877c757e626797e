//! Double-quoted string literals with backslash escapes: the state text
//! format ([`crate::dynval`]) and the transpiler's diagnostics (an Aether
//! literal in a "pattern not covered" message) write them with the same
//! rules and differ only in a few extra characters.

use std::fmt::Write as _;

/// Escapes every quoted string needs: the quote, the backslash and the
/// whitespace that would break the line.
const BASE: &[(char, &str)] = &[('"', "\\\""), ('\\', "\\\\"), ('\n', "\\n"), ('\r', "\\r"), ('\t', "\\t")];

/// Write `s` between double quotes. A character of [`BASE`] or of `extra`
/// becomes its replacement; any other control character becomes
/// `\u{hex}`, so the literal stays on one printable line.
pub fn write_quoted(s: &str, extra: &[(char, &str)], out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match BASE.iter().chain(extra).find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            None => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::write_quoted;

    fn quoted(s: &str, extra: &[(char, &str)]) -> String {
        let mut out = String::new();
        write_quoted(s, extra, &mut out);
        out
    }

    #[test]
    fn base_escapes_then_extra_then_control_as_hex() {
        assert_eq!(quoted("a\"b\\c\nd\re\tf", &[]), r#""a\"b\\c\nd\re\tf""#);
        assert_eq!(quoted("{\0}\u{1}", &[('{', "{{"), ('\0', "\\0")]), r#""{{\0}\u{1}""#);
    }
}

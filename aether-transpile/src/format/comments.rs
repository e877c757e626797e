//! Comments, which the lexer drops: they are whatever is not whitespace
//! between two tokens. Taking them from the gaps between the lexer's own
//! tokens (rather than scanning the text again) means a `//` inside a string
//! literal or an interpolation can never be mistaken for one.

use crate::lexer;
use crate::source::FileId;

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub start: u32,
    pub end: u32,
    /// The text, `//` or `/*` included, trailing spaces removed.
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

impl Comment {
    /// A `//` comment runs to the end of its line, so a line break must follow.
    pub fn is_line(&self) -> bool {
        self.text.starts_with("//")
    }
}

/// Every comment of `src`, in order. `src` must lex without errors.
pub fn collect(src: &str) -> Vec<Comment> {
    let (tokens, _) = lexer::lex(FileId(0), src, 0);
    let mut comments = Vec::new();
    // A `#!` line is not a comment: the formatter keeps it as the first line.
    let mut prev_end = if src.starts_with("#!") { src.find('\n').unwrap_or(src.len()) } else { 0 };
    // Nor is a script's frontmatter (TOML, kept as written).
    if let Ok(Some(fm)) = crate::frontmatter::find(src) {
        prev_end = fm.span.end;
    }
    for tok in &tokens {
        let start = tok.span.start as usize;
        if start > prev_end {
            gap(src, prev_end, start, &mut comments);
        }
        prev_end = prev_end.max(tok.span.end as usize);
    }
    comments
}

/// The comments in `src[from..to]`, which holds only whitespace and comments.
fn gap(src: &str, from: usize, to: usize, out: &mut Vec<Comment>) {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < to {
        match (bytes[i], bytes.get(i + 1).copied()) {
            (b'/', Some(b'/')) => {
                let end = src[i..to].find('\n').map_or(to, |n| i + n);
                push(src, i, end, out);
                i = end;
            }
            (b'/', Some(b'*')) => {
                let mut depth = 0;
                let mut j = i;
                while j < to {
                    if src[j..].starts_with("/*") {
                        depth += 1;
                        j += 2;
                    } else if src[j..].starts_with("*/") {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                push(src, i, j, out);
                i = j;
            }
            _ => i += 1,
        }
    }
}

fn push(src: &str, start: usize, end: usize, out: &mut Vec<Comment>) {
    let line_start = src[..start].rfind('\n').map_or(0, |n| n + 1);
    let own_line = src[line_start..start].trim().is_empty();
    let text = src[start..end].trim_end().to_string();
    out.push(Comment { start: start as u32, end: end as u32, text, own_line });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_between_tokens_only() {
        let src = "// a\nlet x = \"//not\" /* b */ // c\n";
        let texts: Vec<_> = collect(src).into_iter().map(|c| (c.text, c.own_line)).collect();
        assert_eq!(texts, vec![("// a".into(), true), ("/* b */".into(), false), ("// c".into(), false)]);
    }
}

//! The lexer: source text to tokens. It never fails: bad input becomes a
//! diagnostic and lexing goes on, so one run reports every lexical error.
//!
//! Line breaks are tokens ([`TokenKind::Newline`], runs collapsed) because
//! they end statements; the parser decides where they are insignificant.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::token::{StrPiece, Token, TokenKind};

/// Lex `src`, whose first byte is at `base` in file `file` (`base` is
/// non-zero when the parser lexes the expression inside a `{...}`
/// interpolation in place).
pub fn lex(file: FileId, src: &str, base: usize) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer { file, src, bytes: src.as_bytes(), pos: 0, base, tokens: Vec::new(), diags: Vec::new() };
    lexer.run();
    (lexer.tokens, lexer.diags)
}

struct Lexer<'a> {
    file: FileId,
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start, self.base + end)
    }

    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(0)
    }

    fn peek_at(&self, n: usize) -> u8 {
        self.bytes.get(self.pos + n).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = self.span(start, self.pos);
        self.tokens.push(Token { kind, span });
    }

    fn newline(&mut self, start: usize) {
        if !matches!(self.tokens.last(), Some(Token { kind: TokenKind::Newline, .. }) | None) {
            self.push(TokenKind::Newline, start);
        }
    }

    fn error(&mut self, code: Code, start: usize, end: usize, message: impl Into<String>) -> &mut Diagnostic {
        let span = self.span(start, end);
        self.diags.push(Diagnostic::at(code, span, message));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    fn run(&mut self) {
        // A `#!` line at the very start makes a script runnable.
        if self.base == 0 && self.src.starts_with("#!") {
            self.pos = self.src.find('\n').unwrap_or(self.src.len());
        }
        // A script's frontmatter (its Cargo manifest) is not Aether.
        if self.base == 0 {
            match crate::frontmatter::find(self.src) {
                Ok(Some(fm)) => self.pos = fm.span.end,
                Ok(None) => {}
                Err(e) => {
                    self.error(Code::E0014, e.at.start, e.at.end, e.message).with_help_mut(e.help);
                    self.pos = self.src.len();
                }
            }
        }
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let c = self.peek();
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.newline(start);
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'/' if self.peek_at(1) == b'/' => {
                    while self.pos < self.bytes.len() && self.peek() != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek_at(1) == b'*' => self.block_comment(),
                b'0'..=b'9' => self.number(),
                b'\'' if self.label() => {}
                b'"' => self.string(),
                c if c == b'_' || c.is_ascii_alphabetic() => self.word(),
                _ => self.punct(),
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token { kind: TokenKind::Eof, span: self.span(end, end) });
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1;
        let mut saw_newline = false;
        while depth > 0 {
            match (self.peek(), self.peek_at(1)) {
                (0, _) if self.pos >= self.bytes.len() => {
                    self.error(Code::E0002, start, start + 2, "unterminated block comment")
                        .with_help_mut("close the comment with `*/`");
                    return;
                }
                (b'/', b'*') => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    self.pos += 2;
                }
                (b'\n', _) => {
                    saw_newline = true;
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        if saw_newline {
            self.newline(start);
        }
    }

    fn word(&mut self) {
        let start = self.pos;
        while self.peek() == b'_' || self.peek().is_ascii_alphanumeric() {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        let kind = TokenKind::keyword(word).unwrap_or_else(|| TokenKind::Ident(word.to_string()));
        self.push(kind, start);
    }

    /// `'outer`: a loop label, unless the word is closed by another `'`
    /// (`'text'`, a mistaken string: E0003 from `punct`).
    fn label(&mut self) -> bool {
        let start = self.pos;
        let first = self.peek_at(1);
        if !(first == b'_' || first.is_ascii_alphabetic()) {
            return false;
        }
        let mut end = start + 1;
        while end < self.bytes.len() && (self.bytes[end] == b'_' || self.bytes[end].is_ascii_alphanumeric()) {
            end += 1;
        }
        if self.bytes.get(end) == Some(&b'\'') {
            return false;
        }
        self.pos = end;
        self.push(TokenKind::Label(self.src[start + 1..end].to_string()), start);
        true
    }

    fn number(&mut self) {
        let start = self.pos;
        // After a `.`, only an integer can follow: `t.0.1` is two tuple indexes.
        let after_dot = matches!(self.tokens.last(), Some(Token { kind: TokenKind::Dot, .. }));
        if self.peek() == b'0' && matches!(self.peek_at(1), b'x' | b'b' | b'o') {
            let radix = match self.peek_at(1) {
                b'x' => 16,
                b'b' => 2,
                _ => 8,
            };
            self.pos += 2;
            let digits_start = self.pos;
            self.skip_word_chars();
            let digits: String = self.src[digits_start..self.pos].chars().filter(|&c| c != '_').collect();
            match i64::from_str_radix(&digits, radix) {
                Ok(v) => self.push(TokenKind::Int(v), start),
                Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => {
                    self.error(Code::E0004, start, self.pos, "integer literal is too large for `int`").with_help_mut(
                        "`int` is 64-bit: the largest value is 0x7fff_ffff_ffff_ffff; `~0` has every bit set",
                    );
                    self.push(TokenKind::Int(0), start);
                }
                Err(_) => self.invalid_number(start, "integer"),
            }
            return;
        }
        self.digits();
        let mut is_float = false;
        if !after_dot && self.peek() == b'.' && self.peek_at(1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            self.digits();
        }
        if !after_dot && matches!(self.peek(), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek_at(1), b'+' | b'-'));
            if self.peek_at(1 + sign).is_ascii_digit() {
                is_float = true;
                self.pos += 1 + sign;
                self.digits();
            }
        }
        // Trailing letters glued to a number (`12abc`) are a typo, not two tokens.
        if self.peek().is_ascii_alphabetic() || self.peek() == b'_' {
            self.skip_word_chars();
            self.invalid_number(start, "number");
            return;
        }
        let text: String = self.src[start..self.pos].chars().filter(|&c| c != '_').collect();
        if is_float {
            let v = text.parse::<f64>().unwrap_or(0.0);
            self.push(TokenKind::Float(v), start);
        } else {
            match text.parse::<i64>() {
                Ok(v) => self.push(TokenKind::Int(v), start),
                Err(_) => {
                    self.error(Code::E0004, start, self.pos, "integer literal is too large for `int`")
                        .with_help_mut("`int` is 64-bit: the largest value is 9223372036854775807");
                    self.push(TokenKind::Int(0), start);
                }
            }
        }
    }

    fn digits(&mut self) {
        while self.peek().is_ascii_digit() || self.peek() == b'_' {
            self.pos += 1;
        }
    }

    /// Past letters, digits and `_`: the rest of a malformed or radix literal.
    fn skip_word_chars(&mut self) {
        while self.peek().is_ascii_alphanumeric() || self.peek() == b'_' {
            self.pos += 1;
        }
    }

    /// E0004 for the `what` literal from `start` to here; it lexes as `0`
    /// so parsing goes on.
    fn invalid_number(&mut self, start: usize, what: &str) {
        let message = format!("invalid {what} literal `{}`", &self.src[start..self.pos]);
        self.error(Code::E0004, start, self.pos, message);
        self.push(TokenKind::Int(0), start);
    }

    fn string(&mut self) {
        let start = self.pos;
        self.pos += 1;
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            let c = self.peek();
            if self.pos >= self.bytes.len() || c == b'\n' {
                self.error(Code::E0001, start, self.pos, "unterminated string literal")
                    .with_help_mut("close the string with `\"` on the same line (use `\\n` for a line break)");
                break;
            }
            match c {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => self.escape(&mut text),
                b'{' if self.peek_at(1) == b'{' => {
                    text.push('{');
                    self.pos += 2;
                }
                b'}' if self.peek_at(1) == b'}' => {
                    text.push('}');
                    self.pos += 2;
                }
                b'{' => {
                    if !text.is_empty() {
                        pieces.push(StrPiece::Text(std::mem::take(&mut text)));
                    }
                    if let Some(piece) = self.interpolation() {
                        pieces.push(piece);
                    }
                }
                b'}' => {
                    self.error(Code::E0009, self.pos, self.pos + 1, "unmatched `}` in string")
                        .with_help_mut("write `}}` for a literal `}`");
                    self.pos += 1;
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('\u{FFFD}');
                    text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        if !text.is_empty() || pieces.is_empty() {
            pieces.push(StrPiece::Text(text));
        }
        self.push(TokenKind::Str(pieces), start);
    }

    fn escape(&mut self, text: &mut String) {
        let start = self.pos;
        self.pos += 1;
        let c = self.peek();
        self.pos += 1;
        match c {
            b'n' => text.push('\n'),
            b't' => text.push('\t'),
            b'r' => text.push('\r'),
            b'0' => text.push('\0'),
            b'\\' => text.push('\\'),
            b'"' => text.push('"'),
            b'\'' => text.push('\''),
            b'{' => text.push('{'),
            b'}' => text.push('}'),
            b'u' if self.peek() == b'{' => {
                let open = self.pos;
                while self.pos < self.bytes.len() && self.peek() != b'}' && self.peek() != b'"' && self.peek() != b'\n'
                {
                    self.pos += 1;
                }
                let hex = &self.src[open + 1..self.pos];
                if self.peek() == b'}' {
                    self.pos += 1;
                }
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => text.push(ch),
                    None => {
                        self.error(Code::E0005, start, self.pos, format!("invalid unicode escape `\\u{{{hex}}}`"));
                    }
                }
            }
            0 if self.pos > self.bytes.len() => {
                self.pos = self.bytes.len();
            }
            _ => {
                // Step back over a multi-byte character so positions stay on char boundaries.
                self.pos -= 1;
                let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                if ch != '\n' {
                    self.pos += ch.len_utf8();
                }
                self.error(Code::E0005, start, self.pos, format!("unknown escape sequence `\\{}`", ch.escape_debug()))
                    .with_help_mut("known escapes: \\n \\t \\r \\0 \\\\ \\\" \\{ \\} \\u{...}");
            }
        }
    }

    /// At `{` inside a string: find the matching `}` and the optional format
    /// spec, skipping nested brackets and nested string literals.
    fn interpolation(&mut self) -> Option<StrPiece> {
        let open = self.pos;
        self.pos += 1;
        let expr_start = self.pos;
        let mut depth = 0usize;
        let mut colon = None;
        // A closure first (`{|v: int| v}`), or a closure's body that is
        // a closure: the `:`s of its parameters are not a format spec; the
        // two `|` around them are still to come.
        let closure_at = |at: usize| {
            let lead = self.src[at..].trim_start();
            if lead.starts_with('|') && !lead.starts_with("||") {
                2u8
            } else {
                0
            }
        };
        let mut closure_bars = closure_at(expr_start);
        loop {
            if self.pos >= self.bytes.len() || self.peek() == b'\n' {
                // Most likely a stray `{` in text: resume at the first quote
                // after it, which then closes the string.
                let line_end = self.pos.min(self.bytes.len());
                let rest = &self.src[open..line_end];
                self.pos = rest.find('"').map_or(line_end, |q| open + q);
                self.error(Code::E0009, open, open + 1, "unclosed `{` in string interpolation")
                    .with_help_mut("close it with `}`, or write `{{` for a literal `{`");
                return None;
            }
            match self.peek() {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' => depth = depth.saturating_sub(1),
                b'}' if depth == 0 => break,
                b'}' => depth -= 1,
                b'|' if depth == 0 && closure_bars == 2 => closure_bars = 1,
                b'|' if depth == 0 && closure_bars == 1 => closure_bars = closure_at(self.pos + 1),
                b':' if depth == 0 && colon.is_none() && closure_bars == 0 => colon = Some(self.pos),
                b'"' => {
                    // A nested string literal: skip it whole.
                    self.pos += 1;
                    while self.pos < self.bytes.len() && !matches!(self.peek(), b'"' | b'\n') {
                        if self.peek() == b'\\' {
                            self.pos += 1;
                        }
                        self.pos += 1;
                    }
                    if self.peek() != b'"' {
                        continue;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        let close = self.pos;
        self.pos += 1;
        let expr_end = colon.unwrap_or(close);
        if self.src[expr_start..expr_end].trim().is_empty() {
            self.error(Code::E0009, open, self.pos, "empty `{}` in string interpolation")
                .with_help_mut("put an expression inside, or write `{{}}` for literal braces");
            return None;
        }
        let spec = colon.map(|c| (self.src[c + 1..close].to_string(), self.span(c + 1, close)));
        Some(StrPiece::Interp { expr: self.span(expr_start, expr_end), spec })
    }

    fn punct(&mut self) {
        use TokenKind::*;
        let start = self.pos;
        let two = [self.peek(), self.peek_at(1)];
        let (kind, len) = match &two {
            b".." if self.peek_at(2) == b'=' => (DotDotEq, 3),
            b".." => (DotDot, 2),
            b"->" => (Arrow, 2),
            b"=>" => (FatArrow, 2),
            b"==" => (EqEq, 2),
            b"!=" => (NotEq, 2),
            b"<=" => (Le, 2),
            b">=" => (Ge, 2),
            b"+=" => (PlusEq, 2),
            b"-=" => (MinusEq, 2),
            b"*=" => (StarEq, 2),
            b"/=" => (SlashEq, 2),
            b"%=" => (PercentEq, 2),
            b"&=" => (AmpEq, 2),
            b"|=" => (PipeEq, 2),
            b"^=" => (CaretEq, 2),
            b"&&" => (AndAnd, 2),
            b"||" => (OrOr, 2),
            b"??" => (QuestionQuestion, 2),
            _ => match two[0] {
                b'(' => (LParen, 1),
                b')' => (RParen, 1),
                b'{' => (LBrace, 1),
                b'}' => (RBrace, 1),
                b'[' => (LBracket, 1),
                b']' => (RBracket, 1),
                b',' => (Comma, 1),
                b':' => (Colon, 1),
                b';' => (Semi, 1),
                b'.' => (Dot, 1),
                b'=' => (Eq, 1),
                b'<' => (Lt, 1),
                b'>' => (Gt, 1),
                b'+' => (Plus, 1),
                b'-' => (Minus, 1),
                b'*' => (Star, 1),
                b'/' => (Slash, 1),
                b'%' => (Percent, 1),
                b'!' => (Bang, 1),
                b'?' => (Question, 1),
                b'|' => (Pipe, 1),
                b'&' => (Amp, 1),
                b'^' => (Caret, 1),
                b'~' => (Tilde, 1),
                b'@' => (At, 1),
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or('\u{FFFD}');
                    self.pos += ch.len_utf8().max(1);
                    let msg = format!("unexpected character `{}`", ch.escape_debug());
                    let d = self.error(Code::E0003, start, self.pos, msg);
                    if ch == '\'' {
                        d.with_help_mut("strings use double quotes: \"text\"; a loop label is `'name`");
                    }
                    return;
                }
            },
        };
        self.pos += len;
        self.push(kind, start);
    }
}

impl Diagnostic {
    /// In-place `with_help`, for diagnostics already pushed.
    pub(crate) fn with_help_mut(&mut self, help: impl Into<String>) -> &mut Diagnostic {
        self.help.push(help.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let (tokens, diags) = lex(FileId(0), src, 0);
        assert!(diags.is_empty(), "{diags:?}");
        tokens.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn numbers_ranges_and_tuple_indexes() {
        use TokenKind::*;
        assert_eq!(kinds("0..10"), vec![Int(0), DotDot, Int(10), Eof]);
        assert_eq!(kinds("1.5e3"), vec![Float(1500.0), Eof]);
        assert_eq!(kinds("t.0.1"), vec![Ident("t".into()), Dot, Int(0), Dot, Int(1), Eof]);
        assert_eq!(kinds("1_000 0xff"), vec![Int(1000), Int(255), Eof]);
        assert_eq!(kinds("0b1010_0101 0xFF_ff 0o17"), vec![Int(0xa5), Int(0xffff), Int(15), Eof]);
        assert_eq!(
            kinds("a&b|c^~d"),
            vec![
                Ident("a".into()),
                Amp,
                Ident("b".into()),
                Pipe,
                Ident("c".into()),
                Caret,
                Tilde,
                Ident("d".into()),
                Eof
            ]
        );
        assert_eq!(kinds("&& ||"), vec![AndAnd, OrOr, Eof]);
    }

    #[test]
    fn newlines_collapse_and_comments_vanish() {
        use TokenKind::*;
        assert_eq!(kinds("a // c\n\n/* x\n */ b"), vec![Ident("a".into()), Newline, Ident("b".into()), Eof]);
    }

    #[test]
    fn interpolation_pieces() {
        let (tokens, diags) = lex(FileId(0), r#""hp: {p.hp:>5} {{x}}""#, 0);
        assert!(diags.is_empty());
        let TokenKind::Str(pieces) = &tokens[0].kind else { panic!("not a string") };
        assert_eq!(pieces.len(), 3);
        assert!(matches!(&pieces[1], StrPiece::Interp { spec: Some((s, _)), .. } if s == ">5"));
        assert_eq!(pieces[2], StrPiece::Text(" {x}".into()));
    }

    #[test]
    fn a_closure_first_in_an_interpolation_keeps_its_parameter_types() {
        let src = r#""{|v: int| v} { |a: int, b: int| a + b:?}{|a: int| |b: int| a + b}""#;
        let (tokens, diags) = lex(FileId(0), src, 0);
        assert!(diags.is_empty(), "{diags:?}");
        let TokenKind::Str(pieces) = &tokens[0].kind else { panic!("not a string") };
        let StrPiece::Interp { expr, spec: None } = &pieces[0] else { panic!("{pieces:?}") };
        assert_eq!(&src[expr.start as usize..expr.end as usize], "|v: int| v");
        let StrPiece::Interp { expr, spec: Some((s, _)) } = &pieces[2] else { panic!("{pieces:?}") };
        assert_eq!((&src[expr.start as usize..expr.end as usize], s.as_str()), (" |a: int, b: int| a + b", "?"));
        let StrPiece::Interp { expr, spec: None } = &pieces[3] else { panic!("{pieces:?}") };
        assert_eq!(&src[expr.start as usize..expr.end as usize], "|a: int| |b: int| a + b");
    }

    #[test]
    fn errors_do_not_stop_lexing() {
        let (tokens, diags) = lex(FileId(0), "a $ b \"open", 0);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::E0003, Code::E0001]);
        assert_eq!(tokens.last().map(|t| &t.kind), Some(&TokenKind::Eof));
    }
}

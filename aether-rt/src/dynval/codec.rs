//! The text form of a [`Value`]: one line that a hot restart carries
//! across processes, and its parser (bounded in depth, never panicking on
//! malformed text).

use super::Value;
use std::fmt;

impl Value {
    /// The Aether type this value has, as far as it shows: `[int]`,
    /// `Player`, `Shape.Circle`. Empty containers say `[]`, `{}`, `none`.
    pub fn type_name(&self) -> String {
        match self {
            Value::Unit => "()".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Bool(_) => "bool".into(),
            Value::Str(_) => "str".into(),
            Value::List(xs) => match xs.first() {
                Some(x) => format!("[{}]", x.type_name()),
                None => "[]".into(),
            },
            Value::Map(kvs) => match kvs.first() {
                Some((k, v)) => format!("{{{}: {}}}", k.type_name(), v.type_name()),
                None => "{}".into(),
            },
            Value::Opt(None) => "none".into(),
            Value::Opt(Some(v)) => format!("{}?", v.type_name()),
            Value::Tuple(vs) => format!("({})", vs.iter().map(Value::type_name).collect::<Vec<_>>().join(", ")),
            Value::Ok(v) => format!("{}!", v.type_name()),
            Value::Err(_) => "error".into(),
            Value::Struct { ty, .. } => ty.clone(),
            Value::Variant { ty, variant, .. } => format!("{ty}.{variant}"),
            Value::Fn => "fn".into(),
        }
    }

    /// One line of text that [`Value::decode`] turns back into this value.
    ///
    /// Grammar: `u` unit; `i-42` int; `f1.5`, `fNaN`, `finf` float; `T`,
    /// `F` bool; `"..."` str (escapes `\\ \" \n \r \t \u{hex}`); `[a,b]`
    /// list; `{k:v,k:v}` map; `n` none, `?v` some; `(a,b)` tuple; `ov` ok,
    /// `x"msg"` error; `S"Name"{"field":v,...}` struct;
    /// `V"Enum""Variant"{"field":v,...}` enum value; `@` function.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    /// Parse text made by [`Value::encode`]. Malformed text is an error,
    /// never a panic; values nested deeper than [`MAX_DEPTH`] are refused.
    pub fn decode(text: &str) -> Result<Value, DecodeError> {
        let mut p = Parser { text, pos: 0 };
        let v = p.parse()?;
        if p.pos != text.len() {
            return Err(p.error("unexpected text after the value"));
        }
        Ok(v)
    }

    fn encode_into(&self, out: &mut String) {
        match self {
            Value::Unit => out.push('u'),
            Value::Int(i) => {
                out.push('i');
                out.push_str(&i.to_string());
            }
            Value::Float(x) => {
                // `{:?}` prints the shortest text that parses back to the
                // same number (`1.0`, `1e300`, `-0.0`, `NaN`, `inf`).
                out.push('f');
                out.push_str(&format!("{x:?}"));
            }
            Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
            Value::Str(s) => encode_str(s, out),
            Value::List(xs) => encode_seq(out, '[', ']', xs, |x, out| x.encode_into(out)),
            Value::Map(kvs) => encode_seq(out, '{', '}', kvs, |(k, v), out| {
                k.encode_into(out);
                out.push(':');
                v.encode_into(out);
            }),
            Value::Opt(None) => out.push('n'),
            Value::Opt(Some(v)) => {
                out.push('?');
                v.encode_into(out);
            }
            Value::Tuple(vs) => encode_seq(out, '(', ')', vs, |x, out| x.encode_into(out)),
            Value::Ok(v) => {
                out.push('o');
                v.encode_into(out);
            }
            Value::Err(msg) => {
                out.push('x');
                encode_str(msg, out);
            }
            Value::Struct { ty, fields } => {
                out.push('S');
                encode_str(ty, out);
                encode_fields(fields, out);
            }
            Value::Variant { ty, variant, fields } => {
                out.push('V');
                encode_str(ty, out);
                encode_str(variant, out);
                encode_fields(fields, out);
            }
            Value::Fn => out.push('@'),
        }
    }
}

/// How deeply [`Value::decode`] lets values nest.
pub const MAX_DEPTH: usize = 1000;

/// Why [`Value::decode`] refused its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset into the text.
    pub pos: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed state text at byte {}: {}", self.pos, self.message)
    }
}

impl std::error::Error for DecodeError {}

fn encode_str(s: &str, out: &mut String) {
    // The line separators some tools split on are escaped too, so the text
    // stays one printable line.
    crate::quote::write_quoted(s, &[('\u{2028}', "\\u{2028}"), ('\u{2029}', "\\u{2029}")], out);
}

fn encode_seq<T>(out: &mut String, open: char, close: char, xs: &[T], mut each: impl FnMut(&T, &mut String)) {
    out.push(open);
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(x, out);
    }
    out.push(close);
}

fn encode_fields(fields: &[(String, Value)], out: &mut String) {
    encode_seq(out, '{', '}', fields, |(n, v), out| {
        encode_str(n, out);
        out.push(':');
        v.encode_into(out);
    });
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

/// A container being parsed: what it holds so far. The parser keeps these
/// on a stack of its own, so nesting never grows the thread's stack.
enum Open {
    /// A list (closed by `]`) or a tuple (closed by `)`): its closing
    /// character and the items so far.
    Seq(char, Vec<Value>),
    /// Entries so far, and the key whose value comes next.
    Map(Vec<(Value, Value)>, Option<Value>),
    Some,
    Ok,
    /// Name, fields so far, the field whose value comes next.
    Struct(String, Vec<(String, Value)>, String),
    /// Enum, variant, fields so far, the field whose value comes next.
    Variant(String, String, Vec<(String, Value)>, String),
}

/// The list (closed by `]`) or tuple (closed by `)`) of `items`.
fn seq(close: char, items: Vec<Value>) -> Value {
    if close == ']' {
        Value::List(items)
    } else {
        Value::Tuple(items)
    }
}

impl Parser<'_> {
    fn parse(&mut self) -> Result<Value, DecodeError> {
        let mut stack: Vec<Open> = Vec::new();
        'value: loop {
            if stack.len() >= MAX_DEPTH {
                return Err(self.error("values nested too deeply"));
            }
            let start = self.pos;
            let Some(c) = self.bump() else {
                return Err(self.error("expected a value, found the end"));
            };
            let mut done = match c {
                '[' | '(' => {
                    let close = if c == '[' { ']' } else { ')' };
                    if !self.eat(close) {
                        stack.push(Open::Seq(close, Vec::new()));
                        continue 'value;
                    }
                    seq(close, Vec::new())
                }
                '{' => {
                    if !self.eat('}') {
                        stack.push(Open::Map(Vec::new(), None));
                        continue 'value;
                    }
                    Value::Map(Vec::new())
                }
                '?' => {
                    stack.push(Open::Some);
                    continue 'value;
                }
                'o' => {
                    stack.push(Open::Ok);
                    continue 'value;
                }
                'S' | 'V' => {
                    let ty = self.string()?;
                    let variant = if c == 'V' { Some(self.string()?) } else { None };
                    self.expect('{')?;
                    if self.eat('}') {
                        match variant {
                            Some(variant) => Value::Variant { ty, variant, fields: Vec::new() },
                            None => Value::Struct { ty, fields: Vec::new() },
                        }
                    } else {
                        let name = self.field_name()?;
                        stack.push(match variant {
                            Some(variant) => Open::Variant(ty, variant, Vec::new(), name),
                            None => Open::Struct(ty, Vec::new(), name),
                        });
                        continue 'value;
                    }
                }
                c => self.leaf(c, start)?,
            };
            // `done` is complete: put it into the containers around it,
            // closing each that it completes.
            loop {
                let Some(open) = stack.pop() else {
                    return Ok(done);
                };
                match open {
                    Open::Some => done = Value::Opt(Some(Box::new(done))),
                    Open::Ok => done = Value::Ok(Box::new(done)),
                    Open::Seq(close, mut xs) => {
                        xs.push(done);
                        if self.next_item(close)? {
                            stack.push(Open::Seq(close, xs));
                            continue 'value;
                        }
                        done = seq(close, xs);
                    }
                    Open::Map(kvs, None) => {
                        self.expect(':')?;
                        stack.push(Open::Map(kvs, Some(done)));
                        continue 'value;
                    }
                    Open::Map(mut kvs, Some(k)) => {
                        kvs.push((k, done));
                        if self.next_item('}')? {
                            stack.push(Open::Map(kvs, None));
                            continue 'value;
                        }
                        done = Value::Map(kvs);
                    }
                    Open::Struct(ty, mut fields, name) => {
                        fields.push((name, done));
                        if self.next_item('}')? {
                            let name = self.field_name()?;
                            stack.push(Open::Struct(ty, fields, name));
                            continue 'value;
                        }
                        done = Value::Struct { ty, fields };
                    }
                    Open::Variant(ty, variant, mut fields, name) => {
                        fields.push((name, done));
                        if self.next_item('}')? {
                            let name = self.field_name()?;
                            stack.push(Open::Variant(ty, variant, fields, name));
                            continue 'value;
                        }
                        done = Value::Variant { ty, variant, fields };
                    }
                }
            }
        }
    }

    /// After an item: `true` on `,` (another item follows), `false` on
    /// `close`.
    fn next_item(&mut self, close: char) -> Result<bool, DecodeError> {
        match self.bump() {
            Some(',') => Ok(true),
            Some(c) if c == close => Ok(false),
            Some(c) => Err(self.error(&format!("expected `,` or `{close}`, found `{c}`"))),
            None => Err(self.error(&format!("expected `,` or `{close}`, found the end"))),
        }
    }

    fn field_name(&mut self) -> Result<String, DecodeError> {
        let name = self.string()?;
        self.expect(':')?;
        Ok(name)
    }

    /// A value that contains no other value, starting with `c` at `start`.
    fn leaf(&mut self, c: char, start: usize) -> Result<Value, DecodeError> {
        Ok(match c {
            'u' => Value::Unit,
            'T' => Value::Bool(true),
            'F' => Value::Bool(false),
            'n' => Value::Opt(None),
            '@' => Value::Fn,
            'i' => {
                let digits = self.take_while(|c| c.is_ascii_digit() || c == '-');
                match digits.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => return Err(DecodeError { pos: start, message: format!("bad int `{digits}`") }),
                }
            }
            'f' => {
                let text = self.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
                match text.parse::<f64>() {
                    Ok(x) => Value::Float(x),
                    Err(_) => return Err(DecodeError { pos: start, message: format!("bad float `{text}`") }),
                }
            }
            '"' => {
                self.pos = start;
                Value::Str(self.string()?)
            }
            'x' => Value::Err(self.string()?),
            c => return Err(DecodeError { pos: start, message: format!("unexpected `{c}`") }),
        })
    }

    fn error(&self, message: &str) -> DecodeError {
        DecodeError { pos: self.pos, message: message.to_string() }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consume `want` if it comes next.
    fn eat(&mut self, want: char) -> bool {
        let here = self.peek() == Some(want);
        if here {
            self.pos += want.len_utf8();
        }
        here
    }

    fn expect(&mut self, want: char) -> Result<(), DecodeError> {
        match self.peek() {
            Some(c) if c == want => {
                self.pos += c.len_utf8();
                Ok(())
            }
            Some(c) => Err(self.error(&format!("expected `{want}`, found `{c}`"))),
            None => Err(self.error(&format!("expected `{want}`, found the end"))),
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                '"' => return Ok(out),
                '\\' => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        self.expect('{')?;
                        let hex = self.take_while(|c| c.is_ascii_hexdigit()).to_string();
                        self.expect('}')?;
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) => out.push(c),
                            None => return Err(self.error(&format!("bad escape `\\u{{{hex}}}`"))),
                        }
                    }
                    Some(c) => return Err(self.error(&format!("unknown escape `\\{c}`"))),
                    None => return Err(self.error("unterminated string")),
                },
                c => out.push(c),
            }
        }
    }
}

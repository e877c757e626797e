//! Tokens produced by the lexer.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// A piece of a string literal: literal text, or an interpolated `{expr}`
/// (with an optional format spec after a top-level `:`).
#[derive(Clone, Debug, PartialEq)]
pub enum StrPiece {
    Text(String),
    /// `expr` is the byte range of the expression's source text in the file;
    /// the parser lexes and parses it in place, so spans stay true.
    Interp {
        expr: Span,
        spec: Option<(String, Span)>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    Ident(String),
    Int(i64),
    Float(f64),
    Str(Vec<StrPiece>),
    /// `'outer`: a loop label (the name without the quote).
    Label(String),
    // Keywords
    Fn,
    Let,
    Var,
    Const,
    State,
    Struct,
    Enum,
    Pub,
    Import,
    If,
    Else,
    While,
    Loop,
    For,
    In,
    Break,
    Continue,
    Return,
    Match,
    True,
    False,
    None,
    Mut,
    SelfValue,
    Test,
    Extern,
    // Punctuation
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Semi,
    Dot,
    DotDot,
    DotDotEq,
    Arrow,
    FatArrow,
    Eq,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
    /// `&=`, `|=`, `^=` (`<<=` and `>>=` are `<` `<=` and `>` `>=`
    /// written with nothing between them, as the shifts are).
    AmpEq,
    PipeEq,
    CaretEq,
    AndAnd,
    OrOr,
    Bang,
    Question,
    QuestionQuestion,
    Pipe,
    /// `&` (bitwise and; `&&` is its own token).
    Amp,
    /// `^` (bitwise exclusive or).
    Caret,
    /// `~` (bitwise not).
    Tilde,
    At,
    /// One or more line breaks (statement terminator).
    Newline,
    Eof,
}

impl TokenKind {
    pub fn keyword(word: &str) -> Option<TokenKind> {
        use TokenKind::*;
        Some(match word {
            "fn" => Fn,
            "let" => Let,
            "var" => Var,
            "const" => Const,
            "state" => State,
            "struct" => Struct,
            "enum" => Enum,
            "pub" => Pub,
            "import" => Import,
            "if" => If,
            "else" => Else,
            "while" => While,
            "loop" => Loop,
            "for" => For,
            "in" => In,
            "break" => Break,
            "continue" => Continue,
            "return" => Return,
            "match" => Match,
            "true" => True,
            "false" => False,
            "none" => None,
            "mut" => Mut,
            "self" => SelfValue,
            "test" => Test,
            "extern" => Extern,
            _ => return Option::None,
        })
    }

    /// How the token is named in "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        use TokenKind::*;
        match self {
            Ident(name) => format!("identifier `{name}`"),
            Int(_) => "integer literal".into(),
            Float(_) => "float literal".into(),
            Str(_) => "string literal".into(),
            Label(name) => format!("label `'{name}`"),
            Newline => "end of line".into(),
            Eof => "end of file".into(),
            other => format!("`{}`", other.text()),
        }
    }

    /// Source text of fixed tokens (keywords and punctuation).
    pub fn text(&self) -> &'static str {
        use TokenKind::*;
        match self {
            Fn => "fn",
            Let => "let",
            Var => "var",
            Const => "const",
            State => "state",
            Struct => "struct",
            Enum => "enum",
            Pub => "pub",
            Import => "import",
            If => "if",
            Else => "else",
            While => "while",
            Loop => "loop",
            For => "for",
            In => "in",
            Break => "break",
            Continue => "continue",
            Return => "return",
            Match => "match",
            True => "true",
            False => "false",
            None => "none",
            Mut => "mut",
            SelfValue => "self",
            Test => "test",
            Extern => "extern",
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            Comma => ",",
            Colon => ":",
            Semi => ";",
            Dot => ".",
            DotDot => "..",
            DotDotEq => "..=",
            Arrow => "->",
            FatArrow => "=>",
            Eq => "=",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            PlusEq => "+=",
            MinusEq => "-=",
            StarEq => "*=",
            SlashEq => "/=",
            PercentEq => "%=",
            AmpEq => "&=",
            PipeEq => "|=",
            CaretEq => "^=",
            AndAnd => "&&",
            OrOr => "||",
            Bang => "!",
            Question => "?",
            QuestionQuestion => "??",
            Pipe => "|",
            Amp => "&",
            Caret => "^",
            Tilde => "~",
            At => "@",
            Newline => "\\n",
            Eof => "<eof>",
            Ident(_) | Int(_) | Float(_) | Str(_) | Label(_) => "<literal>",
        }
    }
}

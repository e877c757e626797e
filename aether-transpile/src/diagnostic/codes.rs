//! The registry of diagnostic codes. Codes are stable: never renumber one,
//! only add. `docs/errors.md` documents each (a test checks it lists all).
//! `E` codes are errors, `W` codes are warnings.

use super::Severity;

macro_rules! codes {
    ($($name:ident = $title:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($name,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// `"E0300"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }

            /// A one-line description, used in `docs/errors.md`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }
        }
    };
}

codes! {
    // Lexing and parsing: E00xx
    E0001 = "unterminated string literal",
    E0002 = "unterminated block comment",
    E0003 = "unexpected character",
    E0004 = "invalid number literal",
    E0005 = "invalid escape sequence in a string",
    E0006 = "source file is not valid UTF-8",
    E0007 = "syntax error: unexpected token",
    E0008 = "nesting too deep",
    E0009 = "invalid string interpolation",
    E0010 = "misplaced or unknown attribute",
    E0011 = "invalid assignment target",
    E0012 = "empty source file",
    E0013 = "invalid `extern fn` declaration",
    E0014 = "invalid script frontmatter",
    // Modules: E01xx
    E0100 = "imported module not found",
    E0101 = "import cycle",
    E0102 = "duplicate import",
    E0103 = "item is private to its module",
    E0104 = "no such item in module",
    E0105 = "entry module has no `main` function",
    E0106 = "invalid `main` signature",
    E0107 = "`extern fn` outside a Rust host crate",
    E0108 = "unknown crate in an `extern fn` path",
    E0109 = "an `extern fn` does not match the Rust function it names",
    // Names: E02xx
    E0200 = "unknown name",
    E0201 = "unknown type",
    E0202 = "duplicate definition",
    E0203 = "unknown field",
    E0204 = "unknown method",
    E0205 = "unknown enum variant",
    E0206 = "missing fields in struct literal",
    E0207 = "field given twice in struct literal",
    // Types: E03xx
    E0300 = "mismatched types",
    E0301 = "wrong number of arguments",
    E0302 = "value is not callable",
    E0303 = "value cannot be indexed",
    E0304 = "operator cannot be applied to these types",
    E0306 = "cannot infer type",
    E0307 = "`?` used where the function cannot propagate it",
    E0308 = "invalid map key type",
    E0309 = "`break`, `continue` or `return` outside its context",
    E0311 = "recursive type has infinite size",
    E0312 = "invalid pattern",
    E0313 = "invalid constant initializer",
    E0319 = "unknown or repeated loop label",
    E0320 = "type argument does not meet what a generic function needs",
    E0321 = "invalid generic function",
    E0322 = "invalid generic struct or enum",
    // Mutability and value semantics: E04xx
    E0400 = "assignment to an immutable value",
    E0401 = "`mut` parameter needs `mut` at the call site",
    E0402 = "`mut` given for a parameter that is not `mut`",
    E0403 = "`mut` argument is not a mutable place",
    E0404 = "mutating method called on an immutable value",
    E0405 = "closure assigns to a captured variable",
    E0406 = "the same value passed as `mut` twice",
    E0407 = "state passed as `mut` is also used by the callee",
    // Match: E05xx
    E0500 = "non-exhaustive match",
    // Hooks, attributes and tests: E06xx
    E0600 = "invalid hook function",
    // Code generation: E07xx
    E0700 = "unsupported in code generation",
    // Warnings
    W0001 = "unused variable",
    W0002 = "unreachable code",
    W0003 = "unreachable match arm",
    W0004 = "unused import",
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

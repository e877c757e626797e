//! Rust names for Aether names.
//!
//! - An Aether identifier that is a Rust keyword becomes a raw identifier
//!   (`type` → `r#type`), except `self`, `super`, `crate` and `Self`, which
//!   cannot be raw and get a trailing underscore (`crate_`).
//! - Generated helpers and temporaries start with `__`; no user name can
//!   produce one: a user name starting with `__` (after any `u`s) gets a `u`
//!   in front (`__loc` → `u__loc`, `u__loc` → `uu__loc`).
//! - Locals named `ctx` become `ctx_`: `ctx` is the generated state parameter.
//! - Types and functions whose names would shadow what generated code uses
//!   unqualified (`Option`, `Some`, `Box`, `String`, `State`, `Ctx`, ...) get a
//!   trailing underscore, and so do methods named like the std trait methods
//!   generated code calls (`clone`, `eq`, ...). Each renaming also applies to
//!   the name followed by underscores (`ctx_` → `ctx__`), so two user names
//!   never become one Rust name.
//! - A dotted module `net.http` becomes the Rust module `net__http` (segments
//!   joined by a double underscore, which Aether identifiers cannot produce
//!   from a single segment without the user writing it); modules named like
//!   a generated file or crate (`main`, `lib`, `build`, `host`, `std`,
//!   `aether_rt`, ...) get a trailing underscore, and so do their files
//!   (`lib.ae` → `src/lib_.rs`).

use proc_macro2::{Ident, Span};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

/// Names that generated code uses unqualified in type or value position.
const RESERVED_ITEMS: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Rc",
    "Clone",
    "Copy",
    "Default",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "PartialOrd",
    "Ord",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
    "Iterator",
    "Into",
    "From",
    "ToString",
    "Send",
    "Sync",
    "Sized",
    "State",
    "Ctx",
    "Show",
    "ctx",
];

/// Method names that would shadow trait methods generated code calls.
const RESERVED_METHODS: &[&str] = &[
    "clone",
    "eq",
    "ne",
    "fmt",
    "show",
    "show_nested",
    "to_show_string",
    "hash",
    "to_owned",
    "into",
    "as_deref",
    "map",
];

/// A Rust identifier for an Aether name (keywords made raw).
pub(crate) fn ident(name: &str) -> Ident {
    if let Some(escaped) = escape_generated(name) {
        return Ident::new(&escaped, Span::call_site());
    }
    if name == "_" {
        return Ident::new("__", Span::call_site());
    }
    if let Some(renamed) = reserved(name, NOT_RAW) {
        return renamed;
    }
    if RUST_KEYWORDS.contains(&name) {
        return Ident::new_raw(name, Span::call_site());
    }
    Ident::new(name, Span::call_site())
}

/// Generated helpers and temporaries start with `__` (`__loc`, `__f`,
/// `__sub1`, ...): a user name that would (after any leading `u`s) gets one
/// more `u` in front, so no user name can produce one: `__loc` → `u__loc`,
/// `u__loc` → `uu__loc`, and every other name is left alone.
fn escape_generated(name: &str) -> Option<String> {
    name.trim_start_matches('u').starts_with("__").then(|| format!("u{name}"))
}

/// A name from `list` gets a trailing underscore; so does a name that is
/// one of them followed by underscores (`ctx` → `ctx_`, `ctx_` → `ctx__`),
/// so that two user names never become one Rust name.
fn reserved(name: &str, list: &[&str]) -> Option<Ident> {
    let base = name.trim_end_matches('_');
    (!base.is_empty() && list.contains(&base)).then(|| Ident::new(&format!("{name}_"), Span::call_site()))
}

/// A local variable or parameter.
pub(crate) fn local(name: &str) -> Ident {
    if escape_generated(name).is_none() {
        if let Some(renamed) = reserved(name, &["ctx"]) {
            return renamed;
        }
    }
    ident(name)
}

/// A user type, function, const or state.
pub(crate) fn item(name: &str) -> Ident {
    if escape_generated(name).is_none() {
        if let Some(renamed) = reserved(name, RESERVED_ITEMS) {
            return renamed;
        }
    }
    ident(name)
}

/// A method or associated function.
pub(crate) fn method(name: &str) -> Ident {
    if escape_generated(name).is_none() {
        if let Some(renamed) = reserved(name, RESERVED_METHODS) {
            return renamed;
        }
    }
    ident(name)
}

/// Module names that would collide with a generated file or crate: the
/// crate roots `src/main.rs` and `src/lib.rs` (a `src/lib.rs` makes cargo
/// see a library target), a build script's name, the `--hmr` host crate
/// (`<program>_hmr_host`, beside the module crates `<program>_hmr_<module>`),
/// and the crates generated code names (`std`, `aether_rt`, ...).
const GENERATED_FILES_AND_CRATES: &[&str] =
    &["main", "lib", "build", "host", "std", "core", "alloc", "aether_rt", "crate", "self", "super"];

/// The Rust module of a dotted Aether module name. File names that are not
/// identifiers (`my-game.ae`, loaded as part of a project) have their other
/// characters replaced by `_`.
pub(crate) fn module(dotted: &str) -> String {
    let mut joined: String = dotted
        .replace('.', "__")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if joined.is_empty() || joined.starts_with(|c: char| c.is_ascii_digit()) || joined == "_" {
        joined.insert_str(0, "m_");
    }
    if GENERATED_FILES_AND_CRATES.contains(&joined.as_str()) {
        return format!("{joined}_");
    }
    if RUST_KEYWORDS.contains(&joined.as_str()) {
        return format!("{joined}_");
    }
    joined
}

/// The Rust module names of all modules, unique.
pub(crate) fn modules<'a>(dotted: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in dotted {
        let base = module(d);
        let mut name = base.clone();
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

/// Under `--hmr`, the Rust module that holds function `name`'s body alone
/// (`codegen::items::own_unit`): `__fn_<name>`, unique since a module's
/// functions have distinct names and no other generated name starts so.
pub(crate) fn fn_unit(name: &str) -> Ident {
    Ident::new(&format!("__fn_{name}"), Span::call_site())
}

/// Under `--hmr`, the Rust module that holds method `ty.name`'s body alone:
/// `__m<len>_<ty>_<name>`; the length of the type's name keeps `A_b.c` and
/// `A.b_c` apart.
pub(crate) fn method_unit(ty: &str, name: &str) -> Ident {
    Ident::new(&format!("__m{}_{ty}_{name}", ty.len()), Span::call_site())
}

/// An identifier generated code chose (a module name, `self`, a temporary).
pub(crate) fn plain(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_rust() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(local("ctx").to_string(), "ctx_");
        assert_eq!(local("ctx_").to_string(), "ctx__");
        assert_eq!(local("__loc").to_string(), "u__loc");
        assert_eq!(local("u__loc").to_string(), "uu__loc");
        assert_eq!(local("_x").to_string(), "_x");
        assert_eq!(item("Option_").to_string(), "Option__");
        assert_eq!(method("__x").to_string(), "u__x");
        assert_eq!(item("Option").to_string(), "Option_");
        assert_eq!(method("clone").to_string(), "clone_");
        assert_eq!(module("net.http"), "net__http");
        assert_eq!(module("main"), "main_");
        assert_eq!(module("lib"), "lib_");
        assert_eq!(module("host"), "host_");
        assert_eq!(module("my-game"), "my_game");
        assert_eq!(module("3d"), "m_3d");
        assert_eq!(modules(["a.b", "a__b", "a.b"].into_iter()), vec!["a__b", "a__b_2", "a__b_3"]);
    }
}

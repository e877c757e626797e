//! The formatter behind `aether fmt` (and the language server's formatting):
//! one canonical layout for every construct, printed from the parser's AST
//! with a Wadler/Lindig-style document printer at [`WIDTH`] columns.
//!
//! What it keeps from the source, and why:
//! - comments (the lexer drops them; `comments.rs` takes them from the gaps
//!   between tokens) and single blank lines between statements, items,
//!   fields, variants and arms: they are how the author grouped the code;
//! - literals exactly as written (`1_000`, `0xff`, escapes in strings,
//!   string interpolations whole): reprinting a value could change it;
//! - parentheses the author wrote (the AST drops them, `parens` finds them
//!   again from spans), so precedence never needs reconstructing;
//! - whether a short `if`/`match`/block, struct or enum was written on one
//!   line: it stays on one line when it fits (and stays broken otherwise),
//!   which keeps the layout stable (formatting twice gives the same bytes).
//!
//! It never changes meaning, and checks that it did not: the output is
//! parsed again and its tree compared with the input's (spans and node ids
//! aside), and its comments with the input's. A mismatch is a bug of the
//! formatter, reported as [`FormatError::Internal`], and the file is left as
//! it was. A file with syntax errors is never formatted
//! ([`FormatError::Syntax`] carries the parser's diagnostics).
//!
//! Layout: `doc.rs` is the document algebra and printer, `comments.rs`
//! finds comments, `items.rs` prints the module level (items, types,
//! patterns, and the comment-aware sequences everything uses), `expr.rs`
//! statements and expressions.

mod comments;
mod doc;
mod expr;
mod items;

use crate::ast::Module;
use crate::diagnostic::Diagnostic;
use crate::parse;
use crate::source::FileId;
use comments::Comment;

/// Line width, as in the code base's Rust (`rustfmt.toml` says 120 there;
/// Aether lines read better a little shorter, as Gleam's and rustfmt's defaults).
pub const WIDTH: usize = 100;

#[derive(Debug)]
pub enum FormatError {
    /// The source does not parse: these are the parser's errors. The file
    /// must not be rewritten.
    Syntax(Vec<Diagnostic>),
    /// The formatter failed to keep the program's meaning or its comments:
    /// a bug of the formatter (say what to report). The file must not be rewritten.
    Internal(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(diags) => write!(f, "the file has {} syntax error(s)", diags.len()),
            FormatError::Internal(why) => write!(f, "internal formatter error: {why}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// How to format. Only tests change it (to lay code out differently and
/// check the meaning stays); `aether fmt` has one layout.
#[derive(Clone, Debug)]
pub struct FormatOptions {
    pub width: usize,
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions { width: WIDTH }
    }
}

/// Format one `.ae` file's text. `file` is the id the diagnostics of a
/// [`FormatError::Syntax`] point into.
pub fn format_source(file: FileId, src: &str) -> Result<String, FormatError> {
    format_with(file, src, &FormatOptions::default())
}

/// [`format_source`] with other [`FormatOptions`].
pub fn format_with(file: FileId, src: &str, options: &FormatOptions) -> Result<String, FormatError> {
    // The loader skips a byte order mark; the formatter drops it.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let (module, diags) = parse::parse_module(file, src);
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let comments = comments::collect(src);
    let out = crate::with_stack(|| print_module(src, &module, comments.clone(), options.width));
    verify(src, &module, &comments, &out)?;
    Ok(out)
}

fn print_module(src: &str, module: &Module, comments: Vec<Comment>, width: usize) -> String {
    let mut f = items::Fmt::new(src, comments);
    let doc = f.module(module);
    let mut out = String::new();
    if src.starts_with("#!") {
        let line = src.lines().next().unwrap_or("").trim_end();
        out.push_str(line);
        out.push('\n');
    }
    // A script's frontmatter is its Cargo manifest, not Aether: kept as written.
    if let Ok(Some(fm)) = crate::frontmatter::find(src) {
        out.push_str(&src[fm.span.clone()]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    let body = doc::render(&doc, width);
    if body.trim().is_empty() {
        if out.is_empty() {
            // An empty file stays empty.
            return String::new();
        }
        return out;
    }
    out.push_str(&body);
    out
}

/// The formatter's promise, checked on every run: same tree, same comments.
fn verify(src: &str, before: &Module, comments: &[Comment], out: &str) -> Result<(), FormatError> {
    let (after, diags) = parse::parse_module(before.file, out);
    if diags.iter().any(Diagnostic::is_error) {
        let first = diags.iter().find(|d| d.is_error()).map(|d| d.message.clone()).unwrap_or_default();
        return Err(FormatError::Internal(format!("the formatted text does not parse ({first})")));
    }
    if shape(before) != shape(&after) {
        return Err(FormatError::Internal("formatting would change the program's syntax tree".into()));
    }
    let texts = |cs: &[Comment]| cs.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    if texts(comments) != texts(&comments::collect(out)) {
        return Err(FormatError::Internal("formatting would lose or reorder a comment".into()));
    }
    let _ = src;
    Ok(())
}

/// The tree without positions: its `Debug` form with every span and node id
/// blanked. (The AST's `PartialEq` compares spans, which formatting moves.)
fn shape(module: &Module) -> String {
    // `Debug` recurses once per level, and long flat chains are deep trees.
    let debug = stacker::grow(256 * 1024 * 1024, || {
        format!("{:?}", (&module.no_hmr.is_some(), &module.imports, &module.items))
    });
    blank_positions(&debug)
}

fn blank_positions(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    loop {
        let span = rest.find("Span {");
        let id = rest.find("NodeId(");
        let (at, close) = match (span, id) {
            (Some(s), Some(i)) if i < s => (i, ')'),
            (Some(s), _) => (s, '}'),
            (None, Some(i)) => (i, ')'),
            (None, None) => break,
        };
        out.push_str(&rest[..at]);
        out.push('_');
        rest = &rest[at..];
        rest = rest.find(close).map_or("", |e| &rest[e + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

/// A directory holding a file of this name is skipped when `aether fmt`
/// walks a directory: its `.ae` files are broken on purpose (the
/// diagnostics corpus) or laid out as a test needs them.
pub const SKIP_MARKER: &str = ".aether-fmt-skip";

/// The `.ae` files under `dir`, sorted, as `aether fmt DIR` formats them:
/// `target/` and hidden directories and those holding a [`SKIP_MARKER`]
/// are skipped.
pub fn ae_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(name.starts_with('.') || name == "target" || e.path().join(SKIP_MARKER).exists())
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "ae"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

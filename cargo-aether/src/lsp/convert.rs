//! Between the front end's byte offsets and spans and LSP's positions
//! (lines and UTF-16 code units, the protocol's default encoding) and
//! locations; and diagnostics, with their codes linking to docs/errors.md.

use aether_transpile::diagnostic::{Code, Diagnostic, Severity};
use aether_transpile::source::{SourceFile, SourceMap, Span};
use lsp_types as lsp;
use std::path::{Path, PathBuf};

/// The LSP position of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> lsp::Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    lsp::Position { line: line as u32, character: character as u32 }
}

/// The byte offset of an LSP position in `text` (clamped to the line's
/// end and the text's end: clients may send positions past either).
pub fn offset(text: &str, pos: lsp::Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0u32;
    for (i, c) in text[line_start..].char_indices() {
        if units >= pos.character || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

pub fn range(file: &SourceFile, span: Span) -> lsp::Range {
    lsp::Range { start: position(&file.text, span.start as usize), end: position(&file.text, span.end as usize) }
}

pub fn url(path: &Path) -> Option<lsp::Url> {
    lsp::Url::from_file_path(path).ok()
}

/// A file's path from its URL, with symbolic links resolved so that it
/// matches the paths the loader builds from the (canonical) source root.
pub fn path(url: &lsp::Url) -> Option<PathBuf> {
    let path = url.to_file_path().ok()?;
    Some(canonical(&path))
}

/// `path` with its directory canonicalized (the file itself may not exist
/// yet: an unsaved buffer).
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent().and_then(|d| d.canonicalize().ok()), path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

pub fn location(sources: &SourceMap, span: Span) -> Option<lsp::Location> {
    if span.file.0 as usize >= sources.len() {
        return None;
    }
    let file = sources.get(span.file);
    Some(lsp::Location { uri: url(&file.path)?, range: range(file, span) })
}

/// Where a code is explained: `docs/errors.md`, under its heading. The
/// base comes from `AETHER_ERRORS_URL` (say, the page on the project's
/// site); by default the file in the source tree this binary was built
/// from, when it is there.
pub fn code_href(code: Code) -> Option<lsp::Url> {
    let anchor = heading_anchor(code);
    if let Ok(base) = std::env::var("AETHER_ERRORS_URL") {
        return lsp::Url::parse(&format!("{base}#{anchor}")).ok();
    }
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
    let doc = doc.canonicalize().ok()?;
    let mut url = lsp::Url::from_file_path(doc).ok()?;
    url.set_fragment(Some(&anchor));
    Some(url)
}

/// The anchor Markdown renderers give `## E0300: title`.
fn heading_anchor(code: Code) -> String {
    let heading = format!("{} {}", code.as_str(), code.title()).to_lowercase();
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// One diagnostic as the editor shows it: the primary span as its range,
/// the label, help and notes in the message, secondary labels as related
/// information.
pub fn diagnostic(sources: &SourceMap, d: &Diagnostic) -> lsp::Diagnostic {
    let primary = d.span().filter(|s| (s.file.0 as usize) < sources.len());
    let range = primary.map_or_else(lsp::Range::default, |s| range(sources.get(s.file), s));
    let mut message = d.message.clone();
    for label in d.labels.iter().filter(|l| l.primary && !l.message.is_empty()) {
        message.push_str(&format!("\n{}", label.message));
    }
    for h in &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let location = location(sources, l.span)?;
            let message = if l.message.is_empty() { "see here".to_string() } else { l.message.clone() };
            Some(lsp::DiagnosticRelatedInformation { location, message })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: code_href(d.code).map(|href| lsp::CodeDescription { href }),
        source: Some("aether".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "let a = 1\nlet é = \"😀x\"\n";
        let x = text.find('x').unwrap();
        let pos = position(text, x);
        assert_eq!((pos.line, pos.character), (1, 11));
        assert_eq!(offset(text, pos), x);
        assert_eq!(offset(text, lsp::Position { line: 0, character: 99 }), 9);
        assert_eq!(offset(text, lsp::Position { line: 9, character: 0 }), text.len());
        assert_eq!(heading_anchor(Code::E0001), "e0001-unterminated-string-literal");
    }
}

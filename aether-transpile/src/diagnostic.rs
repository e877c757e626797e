//! Diagnostics: what the front end reports, and how it is rendered.
//!
//! Every diagnostic has a stable [`Code`]; `docs/errors.md` lists them all (a
//! test keeps the two in step). Rendering is rustc-style through
//! codespan-reporting with ASCII characters, so the output reads
//! `error[E0300]: ...` / `--> src/game.ae:12:9`. Tools get the same data as
//! JSON through [`Diagnostic::to_json`].

mod codes;

pub use codes::Code;

use crate::source::{SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;
use serde::Serialize;

/// Source lines longer than this are not echoed in rendered diagnostics.
pub const MAX_SHOWN_LINE: usize = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with a message under it. The first primary label is where the
/// diagnostic "is" (its `file:line:col`).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    /// `help: ...` lines.
    pub help: Vec<String>,
    /// `note: ...` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error; its severity comes from the code (`W` codes are warnings).
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            labels: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Shorthand for the common case: one code, one message, one primary span.
    pub fn at(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, message).primary(span, "")
    }

    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: true });
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).or(self.labels.first()).map(|l| l.span)
    }

    /// `file:line:col` of the primary span.
    pub fn location(&self, sources: &SourceMap) -> Option<(String, usize, usize)> {
        let span = self.span()?;
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.start as usize);
        Some((file.name.clone(), line, col))
    }

    /// The diagnostic on one line, `file:line:col: error[E0300]: message`
    /// (without the location when it has no span), as a build script's
    /// `cargo::error` or a list of refusals shows it.
    pub fn summary(&self, sources: &SourceMap) -> String {
        let at = self.location(sources).map(|(f, l, c)| format!("{f}:{l}:{c}: ")).unwrap_or_default();
        format!("{at}{}[{}]: {}", self.severity_word(), self.code.as_str(), self.message)
    }

    /// Render rustc-style, without colour.
    pub fn render(&self, sources: &SourceMap) -> String {
        if let Some(long) = self.longest_labelled_line(sources).filter(|&n| n > MAX_SHOWN_LINE) {
            return self.render_without_source(sources, long);
        }
        let files = FilesAdapter(sources);
        let config = term::Config { chars: term::Chars::ascii(), ..Default::default() };
        let mut diag = match self.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_code(self.code.as_str())
        .with_message(&self.message);
        diag = diag.with_labels(
            self.labels
                .iter()
                .map(|l| {
                    let style = if l.primary { cs::LabelStyle::Primary } else { cs::LabelStyle::Secondary };
                    cs::Label::new(style, l.span.file.0 as usize, l.span.range()).with_message(&l.message)
                })
                .collect(),
        );
        let notes = self
            .help
            .iter()
            .map(|h| format!("help: {h}"))
            .chain(self.notes.iter().map(|n| format!("note: {n}")))
            .collect();
        diag = diag.with_notes(notes);
        term::emit_into_string(&config, &files, &diag).unwrap_or_else(|e| {
            // Rendering only fails on spans outside their file, which is our bug;
            // still show the user the message rather than nothing.
            format!(
                "{}[{}]: {} (could not render source: {e})\n",
                self.severity_word(),
                self.code.as_str(),
                self.message
            )
        })
    }

    /// The length of the longest source line a label points into.
    fn longest_labelled_line(&self, sources: &SourceMap) -> Option<usize> {
        self.labels
            .iter()
            .filter_map(|l| {
                let file = sources.get(l.span.file);
                let (line, _) = file.line_col(l.span.start as usize);
                let start = *file.line_starts().get(line - 1)?;
                let end = file.line_starts().get(line).copied().unwrap_or(file.text.len());
                Some(end - start)
            })
            .max()
    }

    /// A very long line (generated code, a minified file) would flood the
    /// terminal: show the location and the messages, not the line.
    fn render_without_source(&self, sources: &SourceMap, line_len: usize) -> String {
        let mut out = format!("{}[{}]: {}\n", self.severity_word(), self.code.as_str(), self.message);
        if let Some((file, line, col)) = self.location(sources) {
            out.push_str(&format!("  --> {file}:{line}:{col}\n"));
        }
        out.push_str(&format!("  = note: the source line is {line_len} characters long and is not shown\n"));
        for h in &self.help {
            out.push_str(&format!("  = help: {h}\n"));
        }
        for n in &self.notes {
            out.push_str(&format!("  = note: {n}\n"));
        }
        out.push('\n');
        out
    }

    fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// The machine-readable form used by `--message-format json`.
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let span_json = |span: Span| {
            let file = sources.get(span.file);
            let (line, column) = file.line_col(span.start as usize);
            let (end_line, end_column) = file.line_col(span.end as usize);
            serde_json::json!({
                "file": file.name,
                "byte_start": span.start,
                "byte_end": span.end,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
            })
        };
        let labels: Vec<_> = self
            .labels
            .iter()
            .map(|l| {
                let mut v = span_json(l.span);
                v["message"] = l.message.clone().into();
                v["primary"] = l.primary.into();
                v
            })
            .collect();
        serde_json::json!({
            "severity": self.severity,
            "code": self.code.as_str(),
            "message": self.message,
            "labels": labels,
            "help": self.help,
            "notes": self.notes,
            "rendered": self.render(sources),
        })
    }
}

/// Sort diagnostics into reading order: by file, then position; errors of the
/// same place before warnings.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        let s = d.span().unwrap_or_default();
        (s.file, s.start, d.severity != Severity::Error)
    });
}

struct FilesAdapter<'a>(&'a SourceMap);

impl<'a> Files<'a> for FilesAdapter<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.file(id).map(|f| f.name.as_str())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.file(id).map(|f| f.text.as_str())
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        let starts = self.file(id)?.line_starts();
        Ok(match starts.binary_search(&byte_index) {
            Ok(l) => l,
            Err(l) => l - 1,
        })
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        let file = self.file(id)?;
        let starts = file.line_starts();
        let start =
            *starts.get(line_index).ok_or(files::Error::LineTooLarge { given: line_index, max: starts.len() - 1 })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(file.text.len());
        Ok(start..end)
    }
}

impl<'a> FilesAdapter<'a> {
    fn file(&self, id: usize) -> Result<&'a crate::source::SourceFile, files::Error> {
        if id < self.0.len() {
            Ok(self.0.get(crate::source::FileId(id as u32)))
        } else {
            Err(files::Error::FileMissing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn one_file(text: &str) -> SourceMap {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new("src/game.ae", Default::default(), text.to_string()));
        sources
    }

    #[test]
    fn renders_rustc_style() {
        let sources = one_file("fn main() {\n    let x: int = \"s\"\n}\n");
        let span = Span::new(crate::source::FileId(0), 29, 32);
        let d = Diagnostic::at(Code::E0300, span, "mismatched types").with_help("convert it");
        let text = d.render(&sources);
        assert!(text.starts_with("error[E0300]: mismatched types\n  --> src/game.ae:2:18\n"), "{text}");
        assert!(text.contains("^^^") && text.contains("= help: convert it"), "{text}");
        let json = d.to_json(&sources);
        assert_eq!(json["labels"][0]["line"], 2);
        assert_eq!(json["labels"][0]["column"], 18);
    }

    #[test]
    fn very_long_lines_are_not_echoed() {
        let line = format!("let x = {}", "1 + ".repeat(500));
        let sources = one_file(&line);
        let d = Diagnostic::at(Code::E0007, Span::new(crate::source::FileId(0), 8, 9), "oops");
        let text = d.render(&sources);
        assert!(text.len() < 400, "{text}");
        assert!(text.contains("--> src/game.ae:1:9"), "{text}");
    }
}

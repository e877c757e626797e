//! Printing diagnostics and the closing summary, human- or machine-readable.

use aether_transpile::driver::Analysis;
use std::io::Write;
use std::process::ExitCode;

/// `--message-format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MessageFormat {
    /// Rendered diagnostics and a summary on stderr.
    #[default]
    Human,
    /// One JSON object per line on stdout: each diagnostic
    /// (`"type":"diagnostic"`), then `{"type":"summary","errors":N,"warnings":M}`.
    Json,
}

/// What a command did, for its summary line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    /// Completes "could not ... `name`".
    pub verb: &'static str,
    /// Starts the success line: "Checked `name` (3 modules): no errors".
    pub done: &'static str,
}

impl Action {
    pub const CHECK: Action = Action { verb: "check", done: "Checked" };
    pub const BUILD: Action = Action { verb: "build", done: "Built" };
    pub const TEST: Action = Action { verb: "test", done: "Tested" };
    pub const EXPAND: Action = Action { verb: "expand", done: "Expanded" };
}

/// Print `analysis`'s diagnostics and a summary; return the exit status
/// (1 if there were errors).
pub fn emit(analysis: &Analysis, format: MessageFormat, action: Action, name: &str) -> ExitCode {
    let text = match format {
        MessageFormat::Human => human(analysis, action, name),
        MessageFormat::Json => json(analysis),
    };
    // A closed pipe (`| head`) is not worth a panic; the status still tells.
    let _ = match format {
        MessageFormat::Human => std::io::stderr().lock().write_all(text.as_bytes()),
        MessageFormat::Json => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    if analysis.has_errors() {
        ExitCode::from(crate::EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Print the warnings of an error-free analysis (a build goes on after
/// them, so there is no summary line yet).
pub fn emit_warnings(analysis: &Analysis, format: MessageFormat, name: &str) {
    if analysis.diagnostics.is_empty() {
        return;
    }
    let text = match format {
        MessageFormat::Human => warnings(analysis, name),
        MessageFormat::Json => json(analysis),
    };
    let _ = match format {
        MessageFormat::Human => std::io::stderr().lock().write_all(text.as_bytes()),
        MessageFormat::Json => std::io::stdout().lock().write_all(text.as_bytes()),
    };
}

/// The human form of an error-free analysis's warnings, with their count.
pub fn warnings(analysis: &Analysis, name: &str) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&d.render(&analysis.program.sources));
    }
    out.push_str(&format!("warning: `{name}` generated {}\n", count(analysis.warning_count(), "warning")));
    out
}

/// The human form: every diagnostic rendered, then one summary line like
/// Cargo's.
pub fn human(analysis: &Analysis, action: Action, name: &str) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&d.render(&analysis.program.sources));
    }
    let (errors, warnings) = (analysis.error_count(), analysis.warning_count());
    if errors > 0 {
        let verb = action.verb;
        out.push_str(&format!("error: could not {verb} `{name}` due to {}", count(errors, "previous error")));
        if warnings > 0 {
            out.push_str(&format!("; {} emitted", count(warnings, "warning")));
        }
        out.push('\n');
    } else {
        if warnings > 0 {
            out.push_str(&format!("warning: `{name}` generated {}\n", count(warnings, "warning")));
        }
        let done = action.done;
        out.push_str(&format!("{done} `{name}` ({}): no errors\n", count(analysis.program.modules.len(), "module")));
    }
    out
}

/// The JSON-lines form.
pub fn json(analysis: &Analysis) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let mut value = d.to_json(&analysis.program.sources);
        if let Some(object) = value.as_object_mut() {
            object.insert("type".into(), "diagnostic".into());
        }
        out.push_str(&value.to_string());
        out.push('\n');
    }
    let summary = serde_json::json!({
        "type": "summary",
        "errors": analysis.error_count(),
        "warnings": analysis.warning_count(),
    });
    out.push_str(&summary.to_string());
    out.push('\n');
    out
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count(0, "module"), "0 modules");
        assert_eq!(count(1, "warning"), "1 warning");
        assert_eq!(count(2, "previous error"), "2 previous errors");
    }
}

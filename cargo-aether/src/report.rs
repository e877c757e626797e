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

/// Print `analysis`'s diagnostics and a summary; return the exit status
/// (1 if there were errors). `verb` completes "could not ... `name`".
pub fn emit(analysis: &Analysis, format: MessageFormat, verb: &str, name: &str) -> ExitCode {
    let text = match format {
        MessageFormat::Human => human(analysis, verb, name),
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

/// The human form: every diagnostic rendered, then one summary line like
/// Cargo's.
pub fn human(analysis: &Analysis, verb: &str, name: &str) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        out.push_str(&d.render(&analysis.program.sources));
    }
    let (errors, warnings) = (analysis.error_count(), analysis.warning_count());
    if errors > 0 {
        out.push_str(&format!("error: could not {verb} `{name}` due to {}", count(errors, "previous error")));
        if warnings > 0 {
            out.push_str(&format!("; {} emitted", count(warnings, "warning")));
        }
        out.push('\n');
    } else {
        if warnings > 0 {
            out.push_str(&format!("warning: `{name}` generated {}\n", count(warnings, "warning")));
        }
        let past = past_tense(verb);
        out.push_str(&format!("{past} `{name}` ({}): no errors\n", count(analysis.program.modules.len(), "module")));
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

/// `check` → `Checked`.
fn past_tense(verb: &str) -> String {
    let mut chars = verb.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let rest: String = chars.collect();
    if rest.ends_with('e') {
        format!("{first}{rest}d")
    } else {
        format!("{first}{rest}ed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_verbs_read_naturally() {
        assert_eq!(count(1, "warning"), "1 warning");
        assert_eq!(count(2, "previous error"), "2 previous errors");
        assert_eq!(past_tense("check"), "Checked");
    }
}

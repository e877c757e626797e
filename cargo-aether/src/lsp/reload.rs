//! Live reload status: what `aether run --hmr`, running on the same
//! program, did with each save, shown in the editor.
//!
//! The channel is a file. The supervisor appends one JSON object per line
//! to `events.jsonl` in its generated workspace (`target/aether/hmr/` of a
//! project; the script's directory in the user cache; a Rust host crate's
//! `target/aether/hmr-host/<prefix>/`), one per save's
//! outcome (`cargo-aether/src/hmr/status.rs` writes them, docs/editors.md
//! documents the fields). A file rather than a socket: the server and the
//! supervisor start and stop independently, in either order, any number of
//! editors may read it, and a line appended is never half-read (each is
//! one `write`). The server polls the file's length every [`POLL`], reads
//! what was appended, shows the outcome (`window/showMessage` for failures,
//! an `aether/reloadStatus` notification for every event, which the VS Code
//! extension puts in its status bar) and, when a save was not reloaded
//! because of an error at a `file:line`, a diagnostic there until the next
//! outcome.

use super::convert;
use super::workspace::Program;
use crate::input;
use lsp_types as lsp;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The notification carrying each event to the client (`{outcome, message,
/// text, ms, file, line}`).
pub const NOTIFICATION: &str = "aether/reloadStatus";

/// How often the events file is looked at when nothing else happens.
pub const POLL: Duration = Duration::from_millis(250);

/// One outcome, as the supervisor wrote it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// `started`, `reloaded`, `refused`, `rolled_back`, `not_reloaded`,
    /// `checked`, `runtime_error` (written by the running program).
    pub outcome: String,
    pub message: String,
    /// Save to reload, for `reloaded`.
    pub ms: Option<u64>,
    /// Where the error is, relative to the package root (or as `check` names it).
    pub file: Option<String>,
    pub line: Option<u32>,
    pub col: Option<u32>,
}

impl Event {
    pub fn parse(line: &str) -> Option<Event> {
        let v: Value = serde_json::from_str(line).ok()?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(Event {
            outcome: text("outcome")?,
            message: text("message").unwrap_or_default(),
            ms: num("ms"),
            file: text("file"),
            line: num("line").map(|n| n as u32),
            col: num("col").map(|n| n as u32),
        })
    }

    fn failed(&self) -> bool {
        matches!(self.outcome.as_str(), "refused" | "rolled_back" | "not_reloaded" | "runtime_error")
    }

    /// The one line the editor shows.
    pub fn text(&self) -> String {
        match (self.outcome.as_str(), self.ms) {
            ("reloaded", Some(ms)) => format!("aether run --hmr: {} in {ms} ms", self.message),
            _ => format!("aether run --hmr: {}", self.message),
        }
    }
}

#[derive(Default)]
struct Followed {
    /// The events file, once known (`None`: this program cannot have one).
    path: Option<PathBuf>,
    /// Bytes of it already read.
    read: u64,
    last: Option<Event>,
    /// Where the program's files are named from (`file` in events).
    base: PathBuf,
}

impl Followed {
    /// Read what was appended since last time; whether an event came.
    fn read_new(&mut self) -> bool {
        let Some(path) = &self.path else { return false };
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if len < self.read {
            // A new session started the file again.
            self.read = 0;
        }
        if len == self.read {
            return false;
        }
        let Ok(bytes) = std::fs::read(path) else { return false };
        let start = (self.read as usize).min(bytes.len());
        let new = String::from_utf8_lossy(&bytes[start..]);
        // Only whole lines: the rest is read next time.
        let Some(end) = new.rfind('\n') else { return false };
        let last = new[..end].lines().rev().find_map(Event::parse);
        self.read += end as u64 + 1;
        match last {
            Some(event) => {
                self.last = Some(event);
                true
            }
            None => false,
        }
    }
}

#[derive(Default)]
pub struct Watcher {
    followed: HashMap<usize, Followed>,
    /// Turned off by the client (`initializationOptions.reloadStatus`).
    pub disabled: bool,
}

impl Watcher {
    /// Read the client's `initializationOptions`: `{"reloadStatus": false}`
    /// turns the feature off.
    pub fn configure(&mut self, init: &Value) {
        let off = init.pointer("/initializationOptions/reloadStatus").and_then(Value::as_bool) == Some(false);
        self.disabled = off;
    }

    /// The programs whose supervisor wrote something new.
    pub fn poll(&mut self, programs: &[Program]) -> Vec<usize> {
        if self.disabled {
            return Vec::new();
        }
        let mut changed = Vec::new();
        for (i, program) in programs.iter().enumerate() {
            let f = self.followed.entry(i).or_insert_with(|| follow(program));
            if f.read_new() {
                changed.push(i);
            }
        }
        changed
    }

    pub fn last(&self, program: usize) -> Option<&Event> {
        self.followed.get(&program)?.last.as_ref()
    }

    /// A failure pops up; a success shows in the status notification only.
    pub fn message(&self, program: usize) -> Option<lsp::ShowMessageParams> {
        let e = self.last(program)?;
        e.failed().then(|| lsp::ShowMessageParams { typ: lsp::MessageType::WARNING, message: e.text() })
    }

    /// The last outcome's diagnostic, at its `file:line:col`, by file.
    pub fn diagnostics(&self, program: &Program) -> Vec<(lsp::Url, Vec<lsp::Diagnostic>)> {
        let Some(f) = self.followed.values().find(|f| f.path.is_some() && f.base == base_of(program)) else {
            return Vec::new();
        };
        let Some(e) = f.last.as_ref().filter(|e| e.failed()) else { return Vec::new() };
        let (Some(file), Some(line)) = (&e.file, e.line) else { return Vec::new() };
        let Some(url) = convert::url(&f.base.join(file)) else { return Vec::new() };
        let pos = lsp::Position { line: line.saturating_sub(1), character: e.col.unwrap_or(1).saturating_sub(1) };
        let diag = lsp::Diagnostic {
            range: lsp::Range { start: pos, end: pos },
            severity: Some(lsp::DiagnosticSeverity::INFORMATION),
            source: Some("aether run --hmr".into()),
            message: e.text(),
            ..Default::default()
        };
        vec![(url, vec![diag])]
    }
}

/// Where file names in a program's events are relative to.
fn base_of(program: &Program) -> PathBuf {
    match &program.package_root {
        Some(root) => root.clone(),
        None => program.input.src_root().to_path_buf(),
    }
}

fn follow(program: &Program) -> Followed {
    let base = base_of(program);
    let named: &Path = program.package_root.as_deref().unwrap_or(program.input.entry());
    let path = input::resolve(named).ok().and_then(|t| crate::hmr::events_file(&t));
    Followed { path, read: 0, last: None, base }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_events_are_read_once_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut f = Followed { path: Some(path.clone()), ..Followed::default() };
        assert!(!f.read_new(), "no file yet");
        std::fs::write(&path, "{\"seq\":0,\"outcome\":\"started\",\"message\":\"hot reloading on\"}\n").unwrap();
        assert!(f.read_new());
        assert!(!f.read_new(), "nothing new");
        let failed = "{\"seq\":1,\"outcome\":\"not_reloaded\",\"message\":\"not reloaded: src/game.ae:3:5: error[E0300]: x\",\"file\":\"src/game.ae\",\"line\":3,\"col\":5}\n";
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(failed);
        text.push_str("{\"seq\":2,\"outco"); // half a line: left for later
        std::fs::write(&path, &text).unwrap();
        assert!(f.read_new());
        let e = f.last.clone().unwrap();
        assert_eq!(
            (e.outcome.as_str(), e.file.as_deref(), e.line, e.col),
            ("not_reloaded", Some("src/game.ae"), Some(3), Some(5))
        );
        assert!(e.failed());
        text.push_str("me\":\"reloaded\",\"message\":\"reloaded src/game.ae\",\"ms\":212}\n");
        std::fs::write(&path, &text).unwrap();
        assert!(f.read_new());
        assert_eq!(f.last.as_ref().unwrap().text(), "aether run --hmr: reloaded src/game.ae in 212 ms");
    }
}

//! The outcome of the last save, where the user sees it even when the
//! program draws over the terminal: one line in the file the program's
//! `hmr_status()` reads (`aether_rt::hmr::protocol::STATUS_ENV`), and, when
//! stderr is a terminal, the terminal's title (which a full-screen redraw
//! does not erase). Each outcome is also appended, as one JSON object, to
//! [`EVENTS_FILE`] beside it: the channel `aether lsp` reads to show each
//! save's fate in the editor (`lsp/reload.rs`, docs/editors.md).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime};

static FILE: OnceLock<PathBuf> = OnceLock::new();

/// The events file's name, in the generated workspace beside the status file.
pub(crate) const EVENTS_FILE: &str = "events.jsonl";

/// When the save being handled was seen, for "reloaded in N ms".
static SAVE_SEEN: Mutex<Option<Instant>> = Mutex::new(None);
static SEQ: AtomicU64 = AtomicU64::new(0);

/// A save was seen: the next outcome's time counts from now.
pub(super) fn save_seen() {
    if let Ok(mut seen) = SAVE_SEEN.lock() {
        *seen = Some(Instant::now());
    }
}

/// Keep the status in `path` from now on (for the program started with
/// `STATUS_ENV` naming it).
pub(super) fn keep_in(path: &Path) {
    let _ = FILE.set(path.to_path_buf());
    // A new session: the editor reads the file again from the start.
    let _ = std::fs::write(path.with_file_name(EVENTS_FILE), "");
    set("hot reloading on");
}

/// The outcome of the last save, on one line.
pub(super) fn set(line: &str) {
    let line = line.lines().next().unwrap_or_default().trim();
    if let Some(path) = FILE.get() {
        // A new file renamed over the old: the program never reads half.
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, format!("{line}\n")).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
        append_event(&path.with_file_name(EVENTS_FILE), line);
    }
    if std::io::stderr().is_terminal() && aether_rt::hmr::say::log_path().is_none() {
        // OSC 2: the window title, in one write.
        let title: String = line.chars().filter(|c| !c.is_control()).take(200).collect();
        let _ = std::io::stderr().lock().write_all(format!("\x1b]2;aether: {title}\x07").as_bytes());
    }
}

/// The status of a failed check: its first error, `file:line:col: message`.
pub(super) fn first_error(analysis: &aether_transpile::driver::Analysis) -> String {
    let sources = &analysis.program.sources;
    let first = analysis.diagnostics.iter().find(|d| d.is_error());
    first.map_or_else(|| "error: not reloaded".to_string(), |d| format!("not reloaded: {}", d.summary(sources)))
}

/// One outcome as the editor reads it: `{"seq", "unix_ms", "outcome",
/// "message", "ms"?, "file"?, "line"?, "col"?}` on one line, appended in
/// one write (a reader never sees half a line).
fn append_event(events: &Path, line: &str) {
    let outcome = outcome_of(line);
    let mut event = serde_json::json!({
        "seq": SEQ.fetch_add(1, Ordering::Relaxed),
        "unix_ms": SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        "outcome": outcome,
        "message": line,
    });
    let seen = SAVE_SEEN.lock().ok().and_then(|mut s| if outcome == "started" { None } else { s.take() });
    if let Some(at) = seen {
        event["ms"] = serde_json::json!(at.elapsed().as_millis() as u64);
    }
    if let Some((file, l, c)) = location_in(line) {
        event["file"] = serde_json::json!(file);
        event["line"] = serde_json::json!(l);
        event["col"] = serde_json::json!(c);
    }
    let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(events) else { return };
    let _ = f.write_all(format!("{event}\n").as_bytes());
}

/// The kind of outcome a status line tells.
fn outcome_of(line: &str) -> &'static str {
    const KINDS: &[(&str, &str)] = &[
        ("hot reloading on", "started"),
        ("reloaded", "reloaded"),
        ("refused", "refused"),
        ("rolled back", "rolled_back"),
        ("not reloaded", "not_reloaded"),
        ("checked", "checked"),
    ];
    KINDS.iter().find(|(prefix, _)| line.starts_with(prefix)).map_or("other", |(_, kind)| kind)
}

/// `src/game.ae:3:5` in "not reloaded: src/game.ae:3:5: error[E0300]: ...".
fn location_in(line: &str) -> Option<(String, u32, u32)> {
    let rest = line.split_once(": ")?.1;
    let mut parts = rest.splitn(4, ':');
    let (file, l, c) = (parts.next()?, parts.next()?, parts.next()?);
    if !file.ends_with(".ae") {
        return None;
    }
    Some((file.to_string(), l.trim().parse().ok()?, c.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_become_events() {
        assert_eq!(outcome_of("reloaded src/game.ae"), "reloaded");
        assert_eq!(outcome_of("not reloaded: src/game.ae:3:5: error[E0300]: x"), "not_reloaded");
        assert_eq!(
            location_in("not reloaded: src/game.ae:3:5: error[E0300]: mismatched types"),
            Some(("src/game.ae".into(), 3, 5))
        );
        assert_eq!(location_in("refused: the type of `x` changed"), None);
    }
}

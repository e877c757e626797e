//! The outcome of the last save, where the user sees it even when the
//! program draws over the terminal: one line in the file the program's
//! `hmr_status()` reads (`aether_rt::hmr::protocol::STATUS_ENV`), and, when
//! stderr is a terminal, the terminal's title (which a full-screen redraw
//! does not erase).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static FILE: OnceLock<PathBuf> = OnceLock::new();

/// Keep the status in `path` from now on (for the program started with
/// `STATUS_ENV` naming it).
pub(super) fn keep_in(path: &Path) {
    let _ = FILE.set(path.to_path_buf());
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

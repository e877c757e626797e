//! Where hot reloading's messages go: every `[aether]` line of the host and
//! of the supervising CLI, and what comes with them (diagnostics, refusals).
//!
//! Each message is written whole with one write call, so a program printing
//! at the same time on the same terminal cannot split it (the program's
//! output comes from other copies of std, whose stderr lock is not ours).
//!
//! With `AETHER_HMR_LOG=PATH` (the CLI's `--hmr-log PATH` sets it for the
//! program it starts) messages are appended to that file instead, for a
//! full-screen program that would overdraw them: `tail -f PATH` in another
//! terminal shows them.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The environment variable naming the message file.
pub const LOG_ENV: &str = "AETHER_HMR_LOG";

/// The file messages go to, once chosen (`None`: stderr).
static LOG: OnceLock<Option<Log>> = OnceLock::new();

struct Log {
    path: PathBuf,
    file: Mutex<File>,
}

/// Send messages to `path` from now on (the CLI's `--hmr-log`); false when
/// the file cannot be opened or messages were already sent elsewhere.
pub fn log_to(path: &Path) -> bool {
    let Some(log) = open(path) else { return false };
    LOG.set(Some(log)).is_ok()
}

/// The file messages go to (for the program the CLI starts), if any.
pub fn log_path() -> Option<&'static Path> {
    log().map(|l| l.path.as_path())
}

fn log() -> Option<&'static Log> {
    LOG.get_or_init(|| log_path_from_env().and_then(|p| open(&p))).as_ref()
}

/// The message file `AETHER_HMR_LOG` names, if any.
pub fn log_path_from_env() -> Option<PathBuf> {
    std::env::var_os(LOG_ENV).filter(|p| !p.is_empty()).map(PathBuf::from)
}

fn open(path: &Path) -> Option<Log> {
    match std::fs::OpenOptions::new().create(true).append(true).open(path) {
        // Absolute, so the program started in another directory finds it.
        Ok(file) => Some(Log { path: std::path::absolute(path).unwrap_or(path.to_path_buf()), file: Mutex::new(file) }),
        Err(e) => {
            write_whole(
                &mut std::io::stderr().lock(),
                &format!("[aether] cannot open the message file {} ({e}); messages stay on stderr\n", path.display()),
            );
            None
        }
    }
}

/// Write `message` (one or more lines; a final newline is added if it has
/// none) where messages go, whole.
pub fn say(message: &str) {
    let mut text = message.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match log() {
        Some(log) => write_whole(&mut *log.file.lock().unwrap_or_else(|p| p.into_inner()), &text),
        None => write_whole(&mut std::io::stderr().lock(), &text),
    }
}

/// Messages go to a file rather than the terminal.
pub fn to_file() -> bool {
    log().is_some()
}

/// Migration warnings with one line per list element (`enemies[3].hp`)
/// folded into one line per field: `enemies[*].hp`, with how many values it
/// was. Lines are kept in their first order.
pub fn fold_elements(warnings: &[String]) -> Vec<String> {
    let mut folded: Vec<(String, String, usize)> = Vec::new();
    for warning in warnings {
        let key = without_indices(warning);
        match folded.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, n)) => *n += 1,
            None => folded.push((key, warning.clone(), 1)),
        }
    }
    folded.into_iter().map(|(key, first, n)| if n == 1 { first } else { format!("{key}, in {n} values") }).collect()
}

/// `text` with every `[123]` written `[*]`.
fn without_indices(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && after[digits..].starts_with(']') {
            out.push_str("[*]");
            rest = &after[digits + 1..];
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// One `write_all` of the whole text: one write call unless the kernel
/// takes less (never for a terminal or a pipe below its buffer size).
fn write_whole(out: &mut impl Write, text: &str) {
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_element_warnings_fold_into_one_per_field() {
        let mut warnings: Vec<String> = (0..10)
            .map(|i| format!("state `foes`: `foes[{i}].kind` reset (`foes[{i}].kind` was str, now int)"))
            .collect();
        warnings.push("state `boss`: `boss.kind` reset (`boss.kind` was str, now int)".to_string());
        assert_eq!(
            fold_elements(&warnings),
            [
                "state `foes`: `foes[*].kind` reset (`foes[*].kind` was str, now int), in 10 values",
                "state `boss`: `boss.kind` reset (`boss.kind` was str, now int)",
            ]
        );
        let one = vec!["`a[1]` reset [x]".to_string()];
        assert_eq!(fold_elements(&one), one);
    }

    #[test]
    fn a_message_is_written_whole_with_its_newline() {
        let mut out = Vec::new();
        write_whole(&mut out, "[aether] one\n  two\n");
        assert_eq!(out, b"[aether] one\n  two\n");
    }
}

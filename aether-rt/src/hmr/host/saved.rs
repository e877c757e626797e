//! The state file of a hot restart: the old process writes every state
//! value (its text form, the one migration reads) when the CLI asks, the new
//! one reads the file named by `AETHER_HMR_RESTORE` at start-up. One line per
//! value, `module<TAB>state<TAB>text`, the text escaped as the protocol
//! escapes a field.

use super::{Host, APPLYING};
use crate::hmr::protocol::{escape, unescape, Reply};
use crate::hmr::ModuleId;
use std::collections::HashMap;
use std::path::Path;

/// Saved values: module → state → text.
pub(super) type Saved = HashMap<String, HashMap<String, String>>;

impl Host {
    /// Write every state value to `path`, for a hot restart. Taken at a safe
    /// point; the file appears complete or not at all.
    pub(super) fn save_state(&self, path: &Path) {
        let out = self.pass_everyone_through_a_safe_point(|| {
            APPLYING.with(|a| a.set(true));
            let mut out = String::new();
            for (i, spec) in self.program.modules.iter().enumerate() {
                let Some(module) = self.tables.current(ModuleId(i)) else { continue };
                let ptrs = self.tables.current_states(ModuleId(i));
                for (state, ptr) in module.states.iter().zip(ptrs) {
                    if ptr.is_null() {
                        continue;
                    }
                    if let Ok(text) = (state.save)(ptr.cast_const()).into_result() {
                        out.push_str(&line(spec.name, &state.name, &text.into_string()));
                    }
                }
            }
            APPLYING.with(|a| a.set(false));
            out
        });
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".partial");
        let written = std::fs::write(&tmp, out).and_then(|()| std::fs::rename(&tmp, path));
        match written {
            Ok(()) => self.send_reply(&Reply::Saved { path: path.to_path_buf() }),
            Err(e) => eprintln!("[aether] cannot save the state to {}: {e}", path.display()),
        }
    }
}

/// One saved value as its line of the file.
fn line(module: &str, state: &str, text: &str) -> String {
    format!("{module}\t{state}\t{}\n", escape(text))
}

/// A state file written by `save_state`. A file that cannot be read
/// restores nothing (every state starts at its initializer).
pub(super) fn read(path: &Path) -> Saved {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text),
        Err(_) => {
            eprintln!("[aether] warning: cannot read the saved state {}; starting afresh", path.display());
            Saved::new()
        }
    }
}

/// The values of a state file's text; lines without three fields are
/// passed over.
fn parse(text: &str) -> Saved {
    let mut out = Saved::new();
    for line in text.lines() {
        let mut fields = line.splitn(3, '\t');
        if let (Some(m), Some(s), Some(v)) = (fields.next(), fields.next(), fields.next()) {
            out.entry(m.to_string()).or_default().insert(s.to_string(), unescape(v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_values_read_back_as_written() {
        let values = [("main", "score", "42"), ("main", "log", "a\tb\nc\\d"), ("net.http", "routes", "")];
        let text: String = values.iter().map(|(m, s, v)| line(m, s, v)).collect();
        let saved = parse(&(text + "no fields here\n"));
        for (m, s, v) in values {
            assert_eq!(saved.get(m).and_then(|states| states.get(s)).map(String::as_str), Some(v), "{m}.{s}");
        }
        assert_eq!(saved.values().map(HashMap::len).sum::<usize>(), values.len());
    }
}

//! The host's side of constants that change without a compile
//! (`abi::tunable`): one leaked cell per `module.NAME`, created on first
//! use by whichever comes first (an image's read or the supervisor's value),
//! filled at start from the file named by [`TUNABLES_ENV`] and later by the
//! `tune` command, always while the program lock is held.

use crate::abi::{Str, TunableCell, Tuned};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// The environment variable naming the file of every constant's value at
/// start, one `module.NAME<TAB>value` line each (`Tuned`'s text, escaped as
/// the protocol escapes a field).
pub const TUNABLES_ENV: &str = "AETHER_HMR_TUNABLES";

fn registry() -> &'static Mutex<HashMap<String, &'static TunableCell>> {
    static CELLS: OnceLock<Mutex<HashMap<String, &'static TunableCell>>> = OnceLock::new();
    CELLS.get_or_init(Default::default)
}

/// The cell of `key`, created empty the first time.
pub fn cell(key: &str) -> &'static TunableCell {
    let mut cells = registry().lock().unwrap_or_else(|p| p.into_inner());
    cells.entry(key.to_string()).or_insert_with(|| Box::leak(Box::new(TunableCell::new())))
}

/// The hook images call (`HostHooks::tunable`).
pub(crate) extern "C" fn tunable_hook(key: Str) -> *const TunableCell {
    let (ptr, len) = key.raw_parts();
    // SAFETY: generated code passes `Str::new` of a `&'static str` literal.
    #[allow(unsafe_code)]
    let key = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) };
    cell(key)
}

/// Store every value of `values`.
pub fn set_all(values: &[(String, Tuned)]) {
    for (key, value) in values {
        cell(key).store(value);
    }
}

/// `module.NAME<TAB>value` lines; a line that is not one is passed over.
pub fn parse(text: &str) -> Vec<(String, Tuned)> {
    text.lines()
        .filter_map(|l| {
            let (key, value) = l.split_once('\t')?;
            Some((key.to_string(), crate::hmr::protocol::unescape(value).parse().ok()?))
        })
        .collect()
}

/// The lines [`parse`] reads.
pub fn format(values: &[(String, Tuned)]) -> String {
    values.iter().map(|(k, v)| format!("{k}\t{}\n", crate::hmr::protocol::escape(&v.to_string()))).collect()
}

/// Read the start-up values, if the supervisor wrote any.
pub(crate) fn load_from_env() {
    let Some(path) = std::env::var_os(TUNABLES_ENV).filter(|p| !p.is_empty()) else { return };
    match std::fs::read_to_string(Path::new(&path)) {
        Ok(text) => set_all(&parse(&text)),
        Err(e) => eprintln!("[aether] cannot read the constants' values {}: {e}", Path::new(&path).display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_goes_through_unchanged() {
        let values = vec![
            ("config.GRAVITY".to_string(), Tuned::Float(4.5)),
            ("ui.TITLE".to_string(), Tuned::Str("a\tb\\n".to_string())),
        ];
        assert_eq!(parse(&format(&values)), values);
    }
}

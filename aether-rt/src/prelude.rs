//! The prelude functions that touch the world: arguments, input, files,
//! time, randomness.

use crate::Error;
use std::cell::Cell;
use std::io::BufRead;
use std::time::{SystemTime, UNIX_EPOCH};

/// `args()`: the arguments after the program name.
pub fn args() -> Vec<String> {
    std::env::args().skip(1).collect()
}

/// `read_line()`: a line of standard input without its line break, or
/// `none` at end of input.
pub fn read_line() -> Option<String> {
    let mut line = String::new();
    // Waiting for input is a safe point: a hot reload may land meanwhile.
    match crate::abi::blocking(|| std::io::stdin().lock().read_line(&mut line)) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            let trimmed = line.trim_end_matches(['\n', '\r']).len();
            line.truncate(trimmed);
            Some(line)
        }
    }
}

/// After `print(v)`: text without a line break (a prompt) shows at once.
pub fn flush_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

/// `read_file(path)`
pub fn read_file(path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error(format!("cannot read `{path}`: {e}")))
}

/// `write_file(path, s)`
pub fn write_file(path: &str, contents: &str) -> Result<(), Error> {
    std::fs::write(path, contents).map_err(|e| Error(format!("cannot write `{path}`: {e}")))
}

/// `hmr_status()`: under `--hmr`, the outcome of the last save on one line
/// (`reloaded fmt.ae`, `error: fmt.ae:2:5: ...`, `refused: ...`), for a
/// program to show in its own screen; `none` without hot reloading. The
/// supervising CLI keeps it in the file `AETHER_HMR_STATUS` names (the
/// name is `hmr::protocol::STATUS_ENV`; this module is compiled without the
/// `hmr` feature too).
pub fn hmr_status() -> Option<String> {
    let path = std::env::var_os("AETHER_HMR_STATUS").filter(|p| !p.is_empty())?;
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = text.lines().next().unwrap_or_default().trim();
    Some(if line.is_empty() { "hot reloading on".to_string() } else { line.to_string() })
}

/// `now_ms()`: milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// `sleep_ms(ms)`; zero or negative returns at once.
pub fn sleep_ms(ms: i64) {
    if let Ok(ms) = u64::try_from(ms) {
        // A safe point: a hot reload may land while this thread sleeps.
        crate::abi::blocking(|| std::thread::sleep(std::time::Duration::from_millis(ms)));
    }
}

// A small xorshift generator instead of the `rand` crate: games and scripts
// need cheap, decent randomness, and a static Aether binary should not carry
// a dependency tree for it. Not for cryptography.
thread_local! {
    static RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    if let Some(s) = std::env::var("AETHER_SEED").ok().and_then(|s| s.parse::<u64>().ok()) {
        return s.max(1);
    }
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    (t ^ (std::process::id() as u64).rotate_left(32)) | 1
}

fn next_u64() -> u64 {
    RNG.with(|r| {
        // xorshift64*
        let mut x = r.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        r.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// `random_int(lo, hi)`: uniform in `lo..=hi` (the bounds may come in either order).
pub fn random_int(lo: i64, hi: i64) -> i64 {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = (hi as i128 - lo as i128 + 1) as u128;
    (lo as i128 + (next_u64() as u128 % span) as i128) as i64
}

/// `random_float()`: uniform in `[0, 1)`.
pub fn random_float() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_stay_in_range() {
        for _ in 0..10_000 {
            let n = random_int(-3, 3);
            assert!((-3..=3).contains(&n));
            let f = random_float();
            assert!((0.0..1.0).contains(&f));
        }
        assert_eq!(random_int(5, 5), 5);
        // The widest range must not overflow.
        let _ = random_int(i64::MIN, i64::MAX);
    }

    #[test]
    fn files_round_trip_and_errors_are_values() {
        let dir = std::env::temp_dir().join(format!("aether-rt-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("f.txt");
        let path = path.to_string_lossy();
        write_file(&path, "hello").expect("write");
        assert_eq!(read_file(&path).expect("read"), "hello");
        let missing = read_file("/nonexistent/aether/file").expect_err("missing file");
        assert!(missing.0.starts_with("cannot read `/nonexistent/aether/file`"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

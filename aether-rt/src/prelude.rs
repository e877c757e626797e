//! The prelude functions that touch the world: arguments, input, files,
//! time, randomness.

/// The built-in types live where generated code names them.
pub use crate::json::Json;
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

/// `env(name)`: an environment variable, `none` when it is unset (or not
/// valid UTF-8).
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `exit(code)`: ends the program with the exit status `code` (what the
/// platform keeps of it: the low 8 bits on Unix), after flushing stdout.
pub fn exit(code: i64) -> ! {
    flush_stdout();
    std::process::exit(code as i32)
}

/// `read_stdin()`: the rest of standard input (empty at its end; bytes
/// that are not UTF-8 become U+FFFD).
pub fn read_stdin() -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    // Waiting for input is a safe point: a hot reload may land meanwhile.
    let _ = crate::abi::blocking(|| std::io::stdin().lock().read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `list_dir(path)`: the names of a directory's entries, sorted.
pub fn list_dir(path: &str) -> Result<Vec<String>, Error> {
    let fail = |e: std::io::Error| Error(format!("cannot list `{path}`: {e}"));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path).map_err(fail)? {
        names.push(entry.map_err(fail)?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// What `run_command` returns: the built-in struct `CommandOutput` of the
/// language (the checker knows its fields; generated code names this type
/// instead of generating one). `repr(C)` like every struct under `--hmr`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct CommandOutput {
    pub status: i64,
    pub stdout: String,
    pub stderr: String,
}

/// `run_command(program, args)`: runs `program` (looked up in `PATH`) with
/// `args`, no shell, standard input empty, and waits for it. Its output
/// is read whole (bytes that are not UTF-8 become U+FFFD). A program that
/// cannot be started is an error; one that starts and fails is not (its
/// `status` says so). A program ended by a signal has status `-1`.
pub fn run_command(program: &str, args: &[String]) -> Result<CommandOutput, Error> {
    let output = crate::abi::blocking(|| {
        std::process::Command::new(program).args(args).stdin(std::process::Stdio::null()).output()
    })
    .map_err(|e| Error(format!("cannot run `{program}`: {e}")))?;
    Ok(CommandOutput {
        status: output.status.code().map_or(-1, i64::from),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

impl crate::Show for CommandOutput {
    fn show(&self, out: &mut String) {
        out.push_str("CommandOutput { status: ");
        crate::Show::show_nested(&self.status, out);
        out.push_str(", stdout: ");
        crate::Show::show_nested(&self.stdout, out);
        out.push_str(", stderr: ");
        crate::Show::show_nested(&self.stderr, out);
        out.push_str(" }");
    }
}

/// As the generated `Dyn` of a struct: `state` holding one migrates.
impl crate::dynval::Dyn for CommandOutput {
    fn to_dyn(&self) -> crate::dynval::Value {
        crate::dynval::Value::Struct {
            ty: String::from("CommandOutput"),
            fields: vec![
                (String::from("status"), self.status.to_dyn()),
                (String::from("stdout"), self.stdout.to_dyn()),
                (String::from("stderr"), self.stderr.to_dyn()),
            ],
        }
    }
    fn from_dyn(v: &crate::dynval::Value, m: &mut crate::dynval::Migration) -> Option<Self> {
        let f = m.struct_fields(v, "CommandOutput")?;
        let out = CommandOutput {
            status: m.field(f, "status", || 0),
            stdout: m.field(f, "stdout", String::new),
            stderr: m.field(f, "stderr", String::new),
        };
        m.drop_others(f, &["status", "stdout", "stderr"]);
        Some(out)
    }
    fn dyn_type() -> String {
        String::from("CommandOutput")
    }
}

/// `format_time(ms, pattern)`: a time in milliseconds since the Unix epoch
/// (`now_ms()`), in UTC, with `%Y` (year), `%m` (month, 01-12), `%d` (day),
/// `%H`, `%M`, `%S` (hour, minute, second), `%L` (milliseconds, 000-999)
/// and `%%`. Another `%` directive is an error. Written here rather than
/// with `chrono` or `time`: UTC needs no time zone database, and every
/// generated program compiles this runtime.
pub fn format_time(ms: i64, pattern: &str) -> Result<String, Error> {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&format!("{year:04}")),
            Some('m') => out.push_str(&format!("{month:02}")),
            Some('d') => out.push_str(&format!("{day:02}")),
            Some('H') => out.push_str(&format!("{:02}", in_day / 3_600_000)),
            Some('M') => out.push_str(&format!("{:02}", in_day / 60_000 % 60)),
            Some('S') => out.push_str(&format!("{:02}", in_day / 1000 % 60)),
            Some('L') => out.push_str(&format!("{:03}", in_day % 1000)),
            Some('%') => out.push('%'),
            Some(other) => {
                return Err(Error(format!(
                    "unknown directive `%{other}` in the time pattern `{pattern}` (known: %Y %m %d %H %M %S %L %%)"
                )))
            }
            None => return Err(Error(format!("the time pattern `{pattern}` ends with a lone `%`"))),
        }
    }
    Ok(out)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
    fn times_format_in_utc() {
        let f = |ms, p| format_time(ms, p).expect("format");
        assert_eq!(f(0, "%Y-%m-%d %H:%M:%S.%L"), "1970-01-01 00:00:00.000");
        assert_eq!(f(951_782_400_000, "%Y-%m-%d"), "2000-02-29");
        assert_eq!(f(1_700_000_000_123, "%d/%m/%Y %H:%M:%S.%L 100%%"), "14/11/2023 22:13:20.123 100%");
        assert_eq!(f(-1, "%Y-%m-%d %H:%M:%S.%L"), "1969-12-31 23:59:59.999");
        assert_eq!(f(253_402_300_799_000, "%Y-%m-%d"), "9999-12-31");
        assert!(format_time(0, "%Q").expect_err("bad directive").0.contains("unknown directive `%Q`"));
        assert!(format_time(0, "50%").is_err());
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
        write_file(&dir.join("a.txt").to_string_lossy(), "").expect("write");
        assert_eq!(list_dir(&dir.to_string_lossy()).expect("list"), vec!["a.txt", "f.txt"]);
        let missing = list_dir("/nonexistent/aether").expect_err("missing dir");
        assert!(missing.0.starts_with("cannot list `/nonexistent/aether`"), "{}", missing.0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    #[cfg(unix)]
    fn run_command_captures_output_and_status() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let out = run_command("sh", &args(&["-c", "printf out; printf err >&2; exit 4"])).expect("sh runs");
        assert_eq!(out, CommandOutput { status: 4, stdout: "out".into(), stderr: "err".into() });
        let killed = run_command("sh", &args(&["-c", "kill -9 $$"])).expect("sh runs");
        assert_eq!(killed.status, -1);
        let missing = run_command("/nonexistent/aether", &[]).expect_err("cannot start");
        assert!(missing.0.starts_with("cannot run `/nonexistent/aether`: "), "{}", missing.0);
        assert_eq!(crate::Show::to_show_string(&out), "CommandOutput { status: 4, stdout: \"out\", stderr: \"err\" }");
    }
}

//! The one owner of the reload channel's wire format: what `cargo aether run
//! --hmr` (the supervisor) and the program it runs (the host, `host.rs`) say
//! to each other. Both sides format and parse through these types, so the
//! format lives here and nowhere else.
//!
//! The channel is a Unix domain socket whose path the supervisor puts in
//! [`SOCKET_ENV`]; the program's stdin and stdout stay the user's. Every
//! message is one line, its fields separated by tabs:
//!
//! | direction | line | meaning |
//! | --- | --- | --- |
//! | supervisor → host | `reload <saved ms> <functions changed> main\|- <index>=<library>...` | [`Command::Reload`] |
//! | supervisor → host | `save <path>` | [`Command::Save`] |
//! | supervisor → host | `tune <saved ms> <module.NAME>=<value>...` | [`Command::Tune`] |
//! | host → supervisor | `reloaded` | [`Reply::Reloaded`] |
//! | host → supervisor | `refused <reason>` | [`Reply::Refused`] |
//! | host → supervisor | `rolledback <error> <index>...` | [`Reply::RolledBack`] |
//! | host → supervisor | `saved <path>` | [`Reply::Saved`] |
//! | host → supervisor | `tuned` | [`Reply::Tuned`] |
//!
//! Every `reload` is answered with `reloaded` or `refused`, in order: the
//! supervisor counts a reload's libraries as what runs only once the host
//! said it swapped them in.
//!
//! Paths, a refusal's reason and a rollback's error are the free text: a backslash, tab or newline in a path is
//! written `\\`, `\t`, `\n`, so it cannot split the line or its fields. A
//! path may contain `=` (a module's index ends at the first `=`). Paths go
//! over the wire as UTF-8 (a path that is not is sent lossily, as
//! `Path::display` shows it).
//!
//! Only `std` is used: the module has no dependencies of its own.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the command socket.
pub const SOCKET_ENV: &str = "AETHER_HMR_SOCKET";

/// The environment variable naming a file of state saved by the previous
/// run (a hot restart), read once at start-up.
pub const RESTORE_ENV: &str = "AETHER_HMR_RESTORE";

/// The environment variable naming the file where the supervisor keeps the
/// outcome of the last save, one line, for the prelude's `hmr_status()`
/// (written whole: a new file renamed over the old one).
pub const STATUS_ENV: &str = "AETHER_HMR_STATUS";

/// Milliseconds since the epoch: the unit of [`Command::Reload`]'s
/// `saved_ms`, so the host can say how long a reload took from the save.
pub fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// What the supervisor asks of the host.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Swap these module libraries in, all together, as one transaction.
    Reload {
        /// When the edit was saved ([`now_ms`]'s unit).
        saved_ms: u128,
        /// How many functions changed, for the report line.
        changed: usize,
        /// The running `main` changed: it starts again with the new code.
        restart_main: bool,
        /// (module index, library path); never empty.
        modules: Vec<(usize, PathBuf)>,
    },
    /// Write every state value to a file (a hot restart carries them over).
    Save { path: PathBuf },
    /// New values of constants (`abi::tunable`), stored together at a safe
    /// point; answered `tuned`. Values are `Tuned`'s text, escaped.
    Tune { saved_ms: u128, values: Vec<(String, crate::abi::Tuned)> },
}

/// What the host tells the supervisor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The last [`Command::Reload`] was applied: its libraries run now.
    Reloaded,
    /// The last [`Command::Reload`] was refused (and why): nothing changed,
    /// the libraries that ran before it still do.
    Refused { reason: String },
    /// The last reload failed at once and was rolled back: these modules
    /// run their previous code again, so the next save rebuilds them even if
    /// nothing else changed. `error`: the runtime error that caused it,
    /// with its `.ae` location (one line), for the status a program shows.
    RolledBack { modules: Vec<usize>, error: String },
    /// The state was written to `path` (answers [`Command::Save`]).
    Saved { path: PathBuf },
    /// The last [`Command::Tune`] was applied.
    Tuned,
}

/// A line that is not a message of this protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed reload-channel line: {}", self.reason)
    }
}

impl std::error::Error for Malformed {}

fn malformed<T>(reason: &'static str) -> Result<T, Malformed> {
    Err(Malformed { reason })
}

impl fmt::Display for Command {
    /// The line without its newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Reload { saved_ms, changed, restart_main, modules } => {
                let main = if *restart_main { "main" } else { "-" };
                let modules = modules.iter().map(|(index, library)| format!("{index}={}", escape_path(library)));
                write_line(
                    f,
                    "reload",
                    [saved_ms.to_string(), changed.to_string(), main.to_string()].into_iter().chain(modules),
                )
            }
            Command::Save { path } => write_line(f, "save", [escape_path(path)]),
            Command::Tune { saved_ms, values } => write_line(
                f,
                "tune",
                std::iter::once(saved_ms.to_string())
                    .chain(values.iter().map(|(k, v)| format!("{}={}", escape(k), escape(&v.to_string())))),
            ),
        }
    }
}

impl FromStr for Command {
    type Err = Malformed;

    fn from_str(line: &str) -> Result<Command, Malformed> {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("save") => Ok(Command::Save { path: only_path(fields)? }),
            Some("tune") => {
                let saved_ms = fields
                    .next()
                    .ok_or(Malformed { reason: "no save time" })?
                    .parse()
                    .or(malformed("the save time is not a number"))?;
                let values = fields
                    .map(|field| {
                        let Some((key, value)) = field.split_once('=') else {
                            return malformed("a constant is not `<module.NAME>=<value>`");
                        };
                        let value = unescape(value).parse().or(malformed("a constant's value is malformed"))?;
                        Ok((unescape(key), value))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Command::Tune { saved_ms, values })
            }
            Some("reload") => {
                let mut number = |what| fields.next().ok_or(Malformed { reason: what });
                let saved_ms = number("no save time")?.parse().or(malformed("the save time is not a number"))?;
                let changed =
                    number("no function count")?.parse().or(malformed("the function count is not a number"))?;
                let restart_main = match number("no `main` flag")? {
                    "main" => true,
                    "-" => false,
                    _ => return malformed("the `main` flag is neither `main` nor `-`"),
                };
                let modules = fields
                    .map(|field| {
                        let Some((index, path)) = field.split_once('=') else {
                            return malformed("a module is not `<index>=<library>`");
                        };
                        let index = index.parse().or(malformed("a module index is not a number"))?;
                        Ok((index, PathBuf::from(unescape(path))))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if modules.is_empty() {
                    return malformed("a reload names no module");
                }
                Ok(Command::Reload { saved_ms, changed, restart_main, modules })
            }
            _ => malformed("not a command (`reload`, `save` or `tune`)"),
        }
    }
}

impl fmt::Display for Reply {
    /// The line without its newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Reloaded => f.write_str("reloaded"),
            Reply::Tuned => f.write_str("tuned"),
            Reply::Refused { reason } => write_line(f, "refused", [escape(reason)]),
            Reply::RolledBack { modules, error } => write_line(
                f,
                "rolledback",
                std::iter::once(escape(error)).chain(modules.iter().map(ToString::to_string)),
            ),
            Reply::Saved { path } => write_line(f, "saved", [escape_path(path)]),
        }
    }
}

impl FromStr for Reply {
    type Err = Malformed;

    fn from_str(line: &str) -> Result<Reply, Malformed> {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or_default();
        match kind {
            "saved" => return Ok(Reply::Saved { path: only_path(fields)? }),
            "reloaded" if line == kind => return Ok(Reply::Reloaded),
            "tuned" if line == kind => return Ok(Reply::Tuned),
            "refused" => {
                let reason = fields.next().ok_or(Malformed { reason: "a refusal without its reason" })?;
                if fields.next().is_some() {
                    return malformed("a refusal's reason is one field");
                }
                return Ok(Reply::Refused { reason: unescape(reason) });
            }
            "rolledback" => {}
            _ => return malformed("not a reply (`reloaded`, `tuned`, `refused`, `rolledback` or `saved`)"),
        }
        let error = unescape(fields.next().ok_or(Malformed { reason: "a rollback without its error" })?);
        let modules = fields.map(|i| i.parse().or(malformed("a module index is not a number")));
        Ok(Reply::RolledBack { modules: modules.collect::<Result<_, _>>()?, error })
    }
}

/// A message's kind, then each field after a tab.
fn write_line<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    kind: &str,
    fields: impl IntoIterator<Item = T>,
) -> fmt::Result {
    f.write_str(kind)?;
    for field in fields {
        write!(f, "\t{field}")?;
    }
    Ok(())
}

/// The last field of `save`/`saved`: one non-empty path.
fn only_path<'a>(mut fields: impl Iterator<Item = &'a str>) -> Result<PathBuf, Malformed> {
    let path = fields.next().filter(|p| !p.is_empty()).ok_or(Malformed { reason: "no path" })?;
    if fields.next().is_some() {
        return malformed("more than one path");
    }
    Ok(PathBuf::from(unescape(path)))
}

fn escape_path(path: &Path) -> String {
    escape(&path.to_string_lossy())
}

/// `text` as one tab-separated field of one line: backslash, tab and newline
/// written `\\`, `\t`, `\n`. Also the escaping of the saved-state file
/// (`host.rs`), which has the same shape.
pub(crate) fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t")
}

/// The inverse of [`escape`]; a lone backslash before anything else stands
/// for that character.
pub(crate) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip_command(command: Command) {
        let line = command.to_string();
        assert!(!line.contains('\n'), "one line: {line:?}");
        assert_eq!(line.parse::<Command>(), Ok(command), "{line:?}");
    }

    fn round_trip_reply(reply: Reply) {
        let line = reply.to_string();
        assert!(!line.contains('\n'), "one line: {line:?}");
        assert_eq!(line.parse::<Reply>(), Ok(reply), "{line:?}");
    }

    /// Paths that stress the format: `=` (the index separator), tabs and
    /// newlines (the field and line separators), backslashes (the escape).
    const AWKWARD: [&str; 6] =
        ["/t/a.so", "/t/b=c.so", "/t/=/==.so", "/t/tab\there.so", "/t/line\nbreak.so", "C:\\t\\back\\slash\\n.dll"];

    #[test]
    fn every_command_round_trips() {
        for restart_main in [false, true] {
            round_trip_command(Command::Reload {
                saved_ms: 1_733_000_000_123,
                changed: 2,
                restart_main,
                modules: AWKWARD.iter().enumerate().map(|(i, p)| (i * 3, PathBuf::from(p))).collect(),
            });
        }
        round_trip_command(Command::Reload {
            saved_ms: u128::MAX,
            changed: 0,
            restart_main: false,
            modules: vec![(0, PathBuf::from("a"))],
        });
        for path in AWKWARD {
            round_trip_command(Command::Save { path: PathBuf::from(path) });
            round_trip_command(Command::Tune {
                saved_ms: 7,
                values: vec![
                    ("config.GRAVITY".into(), crate::abi::Tuned::Float(9.81)),
                    ("ui.TITLE".into(), crate::abi::Tuned::Str(path.to_string())),
                ],
            });
        }
    }

    #[test]
    fn every_reply_round_trips() {
        round_trip_reply(Reply::Reloaded);
        for reason in ["", "module `main_` was built against another version", "two\nlines\tand\\ a tab"] {
            round_trip_reply(Reply::Refused { reason: reason.to_string() });
        }
        round_trip_reply(Reply::RolledBack { modules: vec![], error: String::new() });
        round_trip_reply(Reply::RolledBack { modules: vec![3], error: "game.ae:3:9: index 5 out of range".into() });
        round_trip_reply(Reply::RolledBack { modules: vec![0, 4, 17], error: "a\ttab\nand a line".into() });
        for path in AWKWARD {
            round_trip_reply(Reply::Saved { path: PathBuf::from(path) });
            round_trip_reply(Reply::Tuned);
        }
    }

    /// The lines as the two sides wrote them by hand before this module:
    /// plain paths are unchanged on the wire.
    #[test]
    fn plain_lines_keep_their_shape() {
        let reload = "reload\t17\t2\tmain\t0=/t/a.so\t3=/t/b=c.so";
        assert_eq!(
            reload.parse(),
            Ok(Command::Reload {
                saved_ms: 17,
                changed: 2,
                restart_main: true,
                modules: vec![(0, PathBuf::from("/t/a.so")), (3, PathBuf::from("/t/b=c.so"))],
            })
        );
        assert_eq!(reload.parse::<Command>().map(|c| c.to_string()).as_deref(), Ok(reload));
        assert_eq!("save\t/tmp/s.txt".parse(), Ok(Command::Save { path: PathBuf::from("/tmp/s.txt") }));
        assert_eq!("saved\t/tmp/s.txt".parse(), Ok(Reply::Saved { path: PathBuf::from("/tmp/s.txt") }));
        assert_eq!(
            "rolledback\tm.ae:1:2: boom\t0\t2".parse(),
            Ok(Reply::RolledBack { modules: vec![0, 2], error: "m.ae:1:2: boom".into() })
        );
    }

    /// Moved here with the parser from `host.rs`, as it was.
    #[test]
    fn reload_commands_parse_and_malformed_ones_are_refused() {
        let Ok(Command::Reload { saved_ms, changed, restart_main, modules }) =
            "reload\t17\t2\tmain\t0=/t/a.so\t3=/t/b=c.so".parse()
        else {
            panic!("a valid command must parse");
        };
        assert_eq!((saved_ms, changed, restart_main), (17, 2, true));
        assert_eq!(modules, vec![(0, PathBuf::from("/t/a.so")), (3, PathBuf::from("/t/b=c.so"))]);
        assert!(matches!("save\t/tmp/s.txt".parse(), Ok(Command::Save { path }) if path == Path::new("/tmp/s.txt")));
        for text in ["plain", "tab\there", "line\nbreak", "back\\slash\\n"] {
            assert_eq!(unescape(&escape(text)), text);
            assert!(!escape(text).contains(['\n', '\t']));
        }
        for bad in [
            "",
            "reload",
            "reload\t1\t1\t-",
            "reload\tx\t1\t-\t0=a",
            "reload\t1\tx\t-\t0=a",
            "reload\t1\t1\t-\tnope",
            "reload\t1\t1\t-\tx=a",
            "reload\t1\t1\tx\t0=a",
            "quit\t1",
            "save",
            "save\t",
            "save\ta\tb",
            "saved\t/tmp/s.txt",
        ] {
            assert!(bad.parse::<Command>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn malformed_replies_are_refused() {
        for bad in [
            "",
            "saved",
            "saved\t",
            "rolledback",
            "rolledback\terror\tx",
            "reloaded\t1",
            "refused",
            "refused\ta\tb",
            "rolledback\t1\t",
            "save\t/tmp/s.txt",
            "reload",
        ] {
            assert!(bad.parse::<Reply>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn fields_escape_and_unescape() {
        for text in ["plain", "tab\there", "line\nbreak", "back\\slash\\n", "\\", ""] {
            assert_eq!(unescape(&escape(text)), text);
            assert!(!escape(text).contains(['\n', '\t']));
        }
    }
}

//! Processes: live ones killed with everything they started, finished ones
//! with their output.

use crate::Lines;
use std::process::{Child, Command, Stdio};

/// A live process, killed when dropped (also when a test fails) together
/// with every process it started: it runs in a process group of its own
/// (on Unix), and the whole group is killed. `cargo aether run` starts the
/// program it built, and that one must not outlive the test.
pub struct KillOnDrop(pub Child);

impl KillOnDrop {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> std::io::Result<KillOnDrop> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        command.spawn().map(KillOnDrop)
    }

    /// Its stdout, followed line by line (empty unless it was piped).
    pub fn follow_stdout(&mut self) -> Lines {
        let lines = Lines::default();
        if let Some(stream) = self.0.stdout.take() {
            lines.follow(stream);
        }
        lines
    }

    /// Its stderr, followed line by line (empty unless it was piped).
    pub fn follow_stderr(&mut self) -> Lines {
        let lines = Lines::default();
        if let Some(stream) = self.0.stderr.take() {
            lines.follow(stream);
        }
        lines
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.0.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `command` started with no stdin and its stdout and stderr followed: the
/// process, its stdout lines and its stderr lines.
pub fn spawn_followed(command: &mut Command) -> std::io::Result<(KillOnDrop, Lines, Lines)> {
    let mut child = KillOnDrop::spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))?;
    let (out, err) = (child.follow_stdout(), child.follow_stderr());
    Ok((child, out, err))
}

/// `cargo` as Cargo itself named it for the process running (`$CARGO`), or
/// the one on the path.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A finished command: its exit code and output, shown in full by `{:?}`
/// (what a failed assertion prints).
pub struct Run {
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` to its end, collecting its output; panics when it
    /// cannot start.
    pub fn of(command: &mut Command) -> Run {
        let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// It exited with status 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// The `--hmr` host started by the CLI process `cli`: its child whose
/// command line names the `_hmr_host` binary (Linux: read from `/proc`).
pub fn hmr_host_pid(cli: u32) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after the last ')'.
        let Some(ppid) = stat.rsplit(')').next().and_then(|s| s.split_whitespace().nth(1)?.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if ppid == cli && cmdline.contains("_hmr_host") {
            return Some(pid);
        }
    }
    None
}

/// The resident memory of process `pid` in kB (`VmRSS`).
pub fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many distinct files whose path contains `part` process `pid` has
/// mapped (loaded module libraries: `lib<program>_hmr_<module>-hot-`).
pub fn mapped_files(pid: u32, part: &str) -> Option<usize> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).ok()?;
    let files: std::collections::BTreeSet<&str> =
        maps.lines().filter_map(|l| l.split_whitespace().nth(5)).filter(|p| p.contains(part)).collect();
    Some(files.len())
}

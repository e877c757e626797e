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

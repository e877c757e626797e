//! How a command ends when it cannot do its job, and the exit status each
//! kind of failure maps to. The statuses (also in the README):
//!
//! | status | meaning |
//! | --- | --- |
//! | 0 | success (warnings are fine) |
//! | 1 | the program has errors: diagnostics, or what the generator refuses ([`Error::Program`]) |
//! | 2 | the command was used wrong: bad flags, paths or manifests ([`Error::Usage`]) |
//! | 101 | the tool could not finish: a file it could not write, a process it could not run ([`Error::Environment`]), rustc rejecting generated code (an Aether bug), or a crash |
//!
//! 101 is what cargo and rustc exit with when they fail for such reasons.
//! `run` passes the program's own status through ([`exit_code_of`]).

use std::fmt;
use std::process::ExitCode;

/// Exit status when the checked program has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit status for usage errors, as clap uses.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when the tool itself could not finish (an I/O or process
/// failure, a rustc failure on generated code, a panic), as cargo and rustc
/// use.
pub const EXIT_INTERNAL: u8 = 101;

/// Why a command stopped; printed as `error: <sentence>`, one sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The user asked for something that cannot be done as asked: a path
    /// that does not exist or holds no program, an invalid manifest, a
    /// crate with nothing to run, a feature this platform lacks (exit 2).
    Usage(String),
    /// The machine did not cooperate: a file or directory could not be
    /// written, a process (cargo, the program) could not be started or
    /// waited for, the reload channel could not be opened (exit 101).
    Environment(String),
    /// The program cannot be built as it is, for a reason not reported as
    /// a diagnostic: what the code generator refuses (exit 1).
    Program(String),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }

    pub fn environment(message: impl Into<String>) -> Error {
        Error::Environment(message.into())
    }

    pub fn program(message: impl Into<String>) -> Error {
        Error::Program(message.into())
    }

    /// The sentence, without `error: `.
    pub fn message(&self) -> &str {
        match self {
            Error::Usage(m) | Error::Environment(m) | Error::Program(m) => m,
        }
    }

    /// The exit status this failure ends the command with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Environment(_) => EXIT_INTERNAL,
            Error::Program(_) => EXIT_ERRORS,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message())
    }
}

impl std::error::Error for Error {}

/// A PATH argument that names no program is a usage error.
impl From<aether_transpile::driver::InputError> for Error {
    fn from(e: aether_transpile::driver::InputError) -> Error {
        Error::Usage(e.to_string())
    }
}

/// A program's own status (`run`), passed through; killed by a signal is
/// reported as 128 + the signal number, as shells do.
pub fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from((128 + signal).clamp(0, 255) as u8);
        }
    }
    ExitCode::from(EXIT_INTERNAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_documented_status() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::environment("x").exit_code(), 101);
        assert_eq!(Error::program("x").exit_code(), 1);
        assert_eq!(Error::environment("cannot run cargo").to_string(), "error: cannot run cargo");
    }

    #[cfg(unix)]
    #[test]
    fn a_program_status_passes_through() {
        use std::os::unix::process::ExitStatusExt;
        let code = |raw| format!("{:?}", exit_code_of(std::process::ExitStatus::from_raw(raw)));
        assert_eq!(code(3 << 8), format!("{:?}", ExitCode::from(3)));
        // Killed by SIGKILL (9): 128 + 9.
        assert_eq!(code(9), format!("{:?}", ExitCode::from(137)));
    }
}

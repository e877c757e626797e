//! Usage errors: the user asked for something we cannot do (exit status 2).

use std::fmt;

/// One sentence telling the user what is wrong with how they called us;
/// printed as `error: <sentence>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> UsageError {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.0)
    }
}

impl std::error::Error for UsageError {}

impl From<aether_transpile::driver::InputError> for UsageError {
    fn from(e: aether_transpile::driver::InputError) -> UsageError {
        UsageError(e.to_string())
    }
}

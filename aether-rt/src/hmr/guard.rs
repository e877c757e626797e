//! Panics must not cross `extern "C"`: since Rust 1.81 a panic leaving an
//! `extern "C"` function aborts the process. Every generated shim wraps the
//! Aether function's body in [`call_guarded`] and returns the failure as a
//! value (the alternative, the `"C-unwind"` ABI, would let the panic reach
//! the host's caller instead; Aether's shims do not use it).

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, UnwindSafe};

/// A panic caught at the module boundary: its message (which, for Aether
/// runtime errors, already names the `.ae` location: see [`crate::fail`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicInfo {
    pub message: String,
}

impl fmt::Display for PanicInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PanicInfo {}

/// Run `f`, turning a panic into `Err` with the panic's message.
///
/// The panic hook still runs (and prints) in the image that panicked; a host
/// that wants only its own report installs a quiet hook there.
pub fn call_guarded<R>(f: impl FnOnce() -> R + UnwindSafe) -> Result<R, PanicInfo> {
    catch_unwind(f).map_err(|payload| PanicInfo { message: payload_message(payload.as_ref()) })
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let literal = call_guarded(|| -> i64 { panic!("boom") });
        let formatted = call_guarded(|| -> i64 { panic!("index {} out of range", 5) });
        let custom = call_guarded(|| std::panic::panic_any(17_u8));
        std::panic::set_hook(quiet);
        assert_eq!(literal, Err(PanicInfo { message: "boom".into() }));
        assert_eq!(formatted.map_err(|e| e.to_string()), Err("index 5 out of range".to_string()));
        assert_eq!(custom.map_err(|e| e.message), Err("panic with a non-string payload".to_string()));
        assert_eq!(call_guarded(|| 3), Ok(3));
    }
}

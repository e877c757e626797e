//! What crosses `extern "C"` besides plain data: a call's outcome with a
//! panic caught at the boundary ([`Guarded`]) and owned strings ([`Text`]),
//! both as a `String`'s raw parts, freed in another image than the one that
//! allocated them (every image uses the system allocator).

use std::any::Any;
use std::fmt;
use std::mem::{ManuallyDrop, MaybeUninit};
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
/// Panics must not cross `extern "C"` (since Rust 1.81 that aborts the
/// process), so every generated shim runs the Aether function inside this,
/// through [`Guarded::apply`] (or [`Guarded::call`]). The panic hook still runs (and prints) in the
/// image that panicked.
pub fn call_guarded<R>(f: impl FnOnce() -> R + UnwindSafe) -> Result<R, PanicInfo> {
    catch_unwind(f).map_err(|payload| PanicInfo { message: payload_message(payload.as_ref()) })
}

/// What a generated shim returns across `extern "C"`: the value, or the
/// message of the panic that ended the call. The message's buffer is
/// allocated in the module and freed in the host, which is sound because
/// every image uses the system allocator (a module must not declare a
/// `#[global_allocator]`). Consume it with [`Guarded::into_result`];
/// dropping it otherwise leaks (never frees wrongly).
#[repr(C)]
pub struct Guarded<T> {
    // Initialized exactly when `panic` is null.
    value: MaybeUninit<T>,
    /// The panic's message (a `Box<String>` given up), or null. One
    /// pointer, not the string's three words: a `Guarded` of a scalar is
    /// then two words, which `extern "C"` returns in registers rather than
    /// through memory the caller reads back (issue #14: the round trip was
    /// on the critical path of every call through a shim).
    panic: *mut String,
}

/// A `String`'s parts, `#[repr(C)]`; `ptr` is null for "no string".
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct RawString {
    ptr: *mut u8,
    len: usize,
    cap: usize,
}

impl<T> Guarded<T> {
    /// Run `f` under [`call_guarded`] and package the outcome for return.
    ///
    /// In a debug build, through [`Guarded::call_dyn`]: `catch_unwind`'s
    /// machinery is then compiled once per return type rather than once per
    /// shim, which is most of a module library's glue, and so of what a
    /// reload compiles and links (issue #13). An optimized build keeps the
    /// closure's own instance, which LLVM inlines.
    #[inline]
    pub fn call(f: impl FnOnce() -> T + UnwindSafe) -> Guarded<T> {
        #[cfg(debug_assertions)]
        {
            let mut f = Some(f);
            Guarded::call_dyn(&mut || (f.take().expect("a shim's body runs once"))())
        }
        #[cfg(not(debug_assertions))]
        {
            Guarded::from_result(call_guarded(f))
        }
    }

    /// Call `f` with `args` under [`call_guarded`]: a generated shim's body.
    /// Compiled once per signature, not once per shim ([`super::Args`]).
    /// Name the tuple's type (`Guarded::apply::<(i64, &String)>(f, (n, s))`):
    /// inference cannot find it from `f`.
    #[inline]
    pub fn apply<A: super::Args<T>>(f: A::Fn, args: A) -> Guarded<T> {
        Guarded::from_result(call_guarded(std::panic::AssertUnwindSafe(move || args.apply(f))))
    }

    /// [`Guarded::call`] of a closure behind a reference: one instance per
    /// return type.
    pub fn call_dyn(f: &mut dyn FnMut() -> T) -> Guarded<T> {
        Guarded::from_result(call_guarded(std::panic::AssertUnwindSafe(f)))
    }

    pub fn from_result(result: Result<T, PanicInfo>) -> Guarded<T> {
        match result {
            Ok(value) => Guarded { value: MaybeUninit::new(value), panic: std::ptr::null_mut() },
            Err(info) => Guarded { value: MaybeUninit::uninit(), panic: Box::into_raw(Box::new(info.message)) },
        }
    }

    pub fn into_result(self) -> Result<T, PanicInfo> {
        let this = ManuallyDrop::new(self);
        if this.panic.is_null() {
            // SAFETY: the fields are private and both constructors keep the
            // invariant: `value` is initialized when `panic` is null. It is
            // read once, since `self` was consumed.
            #[allow(unsafe_code)]
            Ok(unsafe { this.value.assume_init_read() })
        } else {
            // SAFETY: the pointer comes from `Box::into_raw` in
            // `from_result`, taken back exactly once here; all images share
            // the system allocator (see the type's docs).
            #[allow(unsafe_code)]
            let message = unsafe { *Box::from_raw(this.panic) };
            Err(PanicInfo { message })
        }
    }
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

/// A `String` handed across `extern "C"`: its parts, `#[repr(C)]`. Built
/// from a `String` and turned back into one exactly once (dropping it
/// unconverted leaks, never frees wrongly). Sound across libraries because
/// every image uses the system allocator.
#[repr(C)]
#[derive(Debug)]
pub struct Text(RawString);

impl From<String> for Text {
    fn from(s: String) -> Text {
        let mut s = ManuallyDrop::new(s);
        Text(RawString { ptr: s.as_mut_ptr(), len: s.len(), cap: s.capacity() })
    }
}

impl Text {
    pub fn into_string(self) -> String {
        let RawString { ptr, len, cap } = self.0;
        // SAFETY: the parts come from a `String` given up in `from`
        // (`ManuallyDrop`) and `self` is consumed, so this runs once.
        #[allow(unsafe_code)]
        unsafe {
            String::from_raw_parts(ptr, len, cap)
        }
    }
}

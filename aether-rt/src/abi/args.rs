//! A call's arguments as one tuple ([`Args`]), so that the glue generated
//! for every function of the same signature shares one compiled copy.
//!
//! Each generated shim used to wrap its call in a closure of its own, and
//! each call through a slot passed a closure of its own to the restart loop:
//! every function then brought its own instances of the guard and of the
//! loop (a closure is a type of its own), most of what rustc compiles,
//! tracks and links in a module library. With the arguments as a tuple and
//! the callee as a plain `fn` pointer, those are instantiated once per
//! signature instead: on the benchmark's 30-function module, a reload's
//! rustc run is about 13 ms shorter (issue #13, docs/performance.md). In an
//! optimized build they are inlined and the constant `fn` pointer folds
//! into a direct call, as before.

// Calling a shim behind a slot's pointer is what this file is for; each
// unsafe block says what makes it sound.
#![allow(unsafe_code)]

use super::Guarded;
use std::ffi::c_void;

/// The arguments of a call, as a tuple of up to [`MAX_ARITY`] values.
pub trait Args<R>: Sized {
    /// A plain function taking these arguments: a shim's callee.
    type Fn: Copy;

    /// Call `f` with these arguments.
    fn apply(self, f: Self::Fn) -> R;

    /// Call the shim at `shim` with these arguments.
    ///
    /// # Safety
    /// `shim` is an `extern "C" fn` taking exactly these arguments' types
    /// and returning `Guarded<R>` (what the runtime checks with each
    /// function's fingerprint before it fills a slot).
    unsafe fn call_shim(self, shim: *const c_void) -> Guarded<R>;
}

/// The most arguments (the receiver and `ctx` included) a call can pass as
/// [`Args`]; the code generator passes a closure for a longer list.
pub const MAX_ARITY: usize = 12;

macro_rules! args_of_arity {
    ($($a:ident $i:tt),*) => {
        impl<R, $($a),*> Args<R> for ($($a,)*) {
            type Fn = fn($($a),*) -> R;

            #[inline(always)]
            fn apply(self, f: Self::Fn) -> R {
                f($(self.$i),*)
            }

            #[inline(always)]
            unsafe fn call_shim(self, shim: *const c_void) -> Guarded<R> {
                // SAFETY: the caller's promise: `shim` has exactly this type.
                let f: extern "C" fn($($a),*) -> Guarded<R> = unsafe { std::mem::transmute(shim) };
                f($(self.$i),*)
            }
        }
    };
}

args_of_arity!();
args_of_arity!(A0 0);
args_of_arity!(A0 0, A1 1);
args_of_arity!(A0 0, A1 1, A2 2);
args_of_arity!(A0 0, A1 1, A2 2, A3 3);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10);
args_of_arity!(A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11);

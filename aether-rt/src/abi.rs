//! The stable ABI between an HMR host and its module libraries: the one place
//! that owns it. Layouts here are `#[repr(C)]` and change only together with
//! [`ABI_VERSION`]; docs/hmr-abi.md describes the same contract in prose.
//!
//! # Symbol names (the whole scheme)
//! A module library (`cdylib`) exports exactly two symbols, both `#[no_mangle]`
//! and `extern "C"`, both emitted by [`crate::export_module!`]:
//!
//! | symbol                        | type                                   | stable across ABI versions |
//! |-------------------------------|----------------------------------------|----------------------------|
//! | `aether_abi_version`          | `extern "C" fn() -> u32`               | yes, forever               |
//! | `aether_module_v{ABI_VERSION}`| `extern "C" fn() -> *const ModuleDescriptor` | no: the name carries the version |
//!
//! The host calls `aether_abi_version` first and refuses the library unless it
//! returns [`ABI_VERSION`]; only then does it look up the versioned entry and
//! read the descriptor, so a descriptor of another layout is never read.
//! Functions of the module are reached only through the descriptor's table:
//! their own symbols are not part of the ABI.
//!
//! # Fingerprints
//! [`fingerprint`] is 64-bit FNV-1a over UTF-8 text, computable in `const`
//! context and identical in every process and compilation (unlike std's
//! randomized hasher). The code generator fingerprints canonical type and
//! signature strings (e.g. `"fn(int, str) -> int"`); the runtime compares
//! numbers, never the strings.
//!
//! # State
//! `state` variables live in memory owned by the runtime, so their values
//! survive a reload. A [`StateEntry`] says what the module needs (name, type
//! fingerprint, size, alignment, how to zero, initialize and drop a value);
//! the runtime publishes each value's address in the [`TableView`] next to
//! the functions, and generated code reads state only through it. Same name
//! and same type fingerprint: the old value is handed to the new library
//! unchanged; a changed fingerprint: fresh memory, never old bytes
//! reinterpreted.
//!
//! # Reloads and the program lock
//! Aether code runs under one program-wide lock that the host owns
//! ([`HostHooks`]). A reload is prepared on another thread, then applied at a
//! safe point of the running code: a call (generated code checks
//! [`CallTable::safe_point`] before each) or a blocking builtin
//! ([`blocking`]). No borrow of `state` is live across a call in generated
//! code, so hooks and swaps there never alias a running function's borrows.

//! # Layout of this module
//! This file is the contract itself: version, symbols, fingerprints, the
//! `#[repr(C)]` descriptors and the state shims' bodies, and the macro that
//! exports a library. `abi/table.rs` is the call table generated code calls
//! through (slots, `StateRef`, safe points); `abi/guard.rs` the panic guard
//! and the strings that cross `extern "C"`.

/// `unsafe impl Sync` and `Send` for each type; every use says why that is
/// sound (`// SAFETY:`).
macro_rules! shared_between_threads {
    ($($t:ty),+) => {
        $(
            #[allow(unsafe_code)]
            unsafe impl Sync for $t {}
            #[allow(unsafe_code)]
            unsafe impl Send for $t {}
        )+
    };
}

mod args;
mod guard;
mod table;
#[cfg(test)]
mod tests;
mod tunable;

pub use args::{Args, MAX_ARITY};
pub use guard::{call_guarded, Guarded, PanicInfo, Text};
use std::ffi::c_void;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64};
pub use table::{
    back_edge, blocking, call_direct, call_direct_unlinked, call_restartable, call_restartable_cold, call_shim,
    call_shim_cold, call_slot, epoch, epoch_changed, is_current, restart_target, safe_point, try_call_restartable,
    try_call_shim, unwrap_guarded, Active, ActiveCalls, Call, CallTable, HostHooks, HostSlot, Row, Slot, StateRef,
    TableView, ACTIVE, EPOCH, HOST, LEAF_CHUNK, PENDING, RESTART_CALL, RESTART_MAIN, STALE,
};
pub use tunable::{tunable_bool, tunable_float, tunable_int, tunable_str, TunableCell, TunableRef, Tuned};

/// The version of every layout and symbol in this file. Bump it on any change.
pub const ABI_VERSION: u32 = 9;

/// The unversioned symbol of `extern "C" fn() -> u32`, returning the ABI
/// version the library was built with.
pub const VERSION_SYMBOL: &str = "aether_abi_version";

/// The prefix of the versioned entry symbol; see [`entry_symbol`].
pub const ENTRY_SYMBOL_PREFIX: &str = "aether_module_v";

/// The name of the table row (and of the linked descriptor) holding a Rust
/// host crate's `extern fn`s, after the modules' rows.
pub const HOST_ROW: &str = "__host";

/// The signature text (its fingerprint is the `FnEntry`'s) of a `main`
/// that returns its error, `fn main() -> ()!`, as the code generator writes
/// it: its shim is `extern "C" fn() -> Guarded<Result<(), crate::Error>>`.
pub const FALLIBLE_MAIN_SIGNATURE: &str = "main: fn() -> (())!";

/// The type of the function behind [`VERSION_SYMBOL`].
pub type VersionFn = extern "C" fn() -> u32;

/// The type of the function behind [`entry_symbol`].
pub type EntryFn = extern "C" fn() -> *const ModuleDescriptor;

/// What a module library does once, when the runtime accepted it (its
/// descriptor's `prepare`): install the panic hook that reports Aether
/// runtime errors, in the library's own copy of std.
///
/// Under `run --hmr` std is one shared library for the host and every
/// module library (`-C prefer-dynamic`, with `--cfg aether_shared_std` in
/// the same flags, so both are set or neither): then the host's hook is the
/// only one, because a hook a library installs is code of that library,
/// which unloading it unmaps. For the same reason nothing in this crate that
/// library code runs may register a thread-local with a destructor (glibc
/// keeps a library mapped for its own registrations, not for a shared
/// std's).
pub fn prepare_library() {
    #[cfg(not(aether_shared_std))]
    crate::install_panic_hook();
}

/// `aether_module_v{ABI_VERSION}`: the entry symbol of this ABI version.
pub fn entry_symbol() -> String {
    format!("{ENTRY_SYMBOL_PREFIX}{ABI_VERSION}")
}

/// 64-bit FNV-1a of `text`. Stable across processes, compilations and
/// platforms; usable in `const` items so descriptors carry precomputed values.
pub const fn fingerprint(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let bytes = text.as_bytes();
    let mut hash = OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(PRIME);
        i += 1;
    }
    hash
}

/// Combine fingerprints in order (e.g. a module's interface fingerprint from
/// its functions' and states' fingerprints). Order matters.
pub const fn fingerprint_combine(acc: u64, next: u64) -> u64 {
    // One FNV-1a round per byte of `next`, so the result stays FNV-shaped.
    let mut hash = acc;
    let mut i = 0;
    while i < 8 {
        hash ^= (next >> (i * 8)) & 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// An FFI-safe string: pointer and length of UTF-8 bytes. Built only from
/// `&'static str`; what a loaded library hands over is validated by the
/// loader before use (it may not be UTF-8, the pointer may be null).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Str {
    ptr: *const u8,
    len: usize,
}

impl Str {
    pub const fn new(s: &'static str) -> Str {
        Str { ptr: s.as_ptr(), len: s.len() }
    }

    /// The raw pointer and length, for the loader's validation.
    pub fn raw_parts(&self) -> (*const u8, usize) {
        (self.ptr, self.len)
    }
}

/// An FFI-safe slice: pointer and length. Built only from `&'static [T]`.
#[repr(C)]
#[derive(Debug)]
pub struct Slice<T> {
    ptr: *const T,
    len: usize,
    _marker: PhantomData<[T]>,
}

impl<T> Clone for Slice<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slice<T> {}

impl<T> Slice<T> {
    pub const fn new(items: &'static [T]) -> Slice<T> {
        Slice { ptr: items.as_ptr(), len: items.len(), _marker: PhantomData }
    }

    /// The raw pointer and length, for the loader's validation.
    pub fn raw_parts(&self) -> (*const T, usize) {
        (self.ptr, self.len)
    }
}

/// What a module library's entry symbol points at: one `static` per library.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ModuleDescriptor {
    /// Must equal [`ABI_VERSION`] (checked again after the version function).
    pub abi_version: u32,
    /// The module's name as the program knows it (e.g. `physics`).
    pub name: Str,
    /// Fingerprint of everything other modules may depend on (its types,
    /// constants, state declarations, functions and their signatures):
    /// libraries built against another interface of this module must be
    /// replaced together with it.
    pub interface_fingerprint: u64,
    /// Top-level functions and methods, in table order: generated code
    /// calls `table.lookup(module index, position in this list)`.
    pub functions: Slice<FnEntry>,
    /// One entry per `state` variable, in declaration order: generated code
    /// reads the value at `table.state(module index, position in this list)`.
    pub states: Slice<StateEntry>,
    /// The interfaces this library was built against (its own and every
    /// module it imports, directly or not). A set of libraries is published
    /// only when every import matches the module in the set.
    pub imports: Slice<ImportEntry>,
    /// Indices into `functions` of the `@before_reload` hooks (`fn()`), run
    /// in this (old) library just before a reload that replaces it.
    pub before_reload: Slice<u32>,
    /// Indices into `functions` of the `@on_reload` hooks (`fn()`), run in
    /// this (new) library right after it was swapped in.
    pub on_reload: Slice<u32>,
    /// The library's copy of [`HOST`], where the runtime stores its
    /// [`CallTable`] before any call.
    pub host: *const HostSlot,
    /// Called once when the library was accepted, before any other of its
    /// functions: sets up what every call would otherwise check (the
    /// library's panic hook, in its own copy of std).
    pub prepare: extern "C" fn(),
    /// The library's copy of [`PENDING`].
    pub pending: *const AtomicBool,
    /// The library crate's own "reload pending" flag (ABI 7), which its
    /// direct calls test ([`is_current`]); the runtime raises it with
    /// `pending`, and keeps it raised while another version of the module
    /// is current (ABI 8: the direct calls of old code then go through the
    /// table, with no check of their slot). A static of the library crate itself is read with one
    /// RIP-relative load, where [`PENDING`], a static of another crate, is
    /// reached through the GOT: on a call-heavy function that is a load and
    /// a saved register per call (`fib 40` under `--hmr --release`: 0.34 →
    /// 0.28 s, static 0.23 s). A descriptor with no such flag of its own
    /// (a host's, a hand-written one) gives `pending` again.
    pub own_pending: *const AtomicBool,
    /// The library's copy of [`ACTIVE`]: its calls in progress, counted by
    /// its shims. An old library is unloaded only while it is zero.
    pub active: *const ActiveCalls,
    /// The library's copy of [`EPOCH`], which the runtime sets to the
    /// generation at each swap.
    pub epoch: *const AtomicU64,
    /// True when the library's code can make a function value (a closure
    /// whose code and vtable are in it, which may outlive any call): the
    /// runtime never unloads it.
    pub pinned: bool,
    /// Where each of the module's functions is in its `.ae` file, by its
    /// Rust path: what a stack overflow in this library's code reports
    /// (`crate::catch_stack_overflow`), registered when the library is
    /// published: a generated host holds no table of its own.
    pub frames: Slice<FrameEntry>,
}

/// One generated function as a stack overflow names it: [`crate::Frame`]
/// across the ABI.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FrameEntry {
    /// The Rust path below the crate root (`game::Ship::__body_steer`).
    pub path: Str,
    /// `fn depth`, `fn Ship.steer`.
    pub name: Str,
    /// `src/main.ae:3:1`.
    pub at: Str,
}

impl FrameEntry {
    pub const fn new(path: &'static str, name: &'static str, at: &'static str) -> FrameEntry {
        FrameEntry { path: Str::new(path), name: Str::new(name), at: Str::new(at) }
    }
}

/// One function of a module, reachable through the function table.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FnEntry {
    /// `name` for a top-level function, `Type.name` for a method.
    pub name: Str,
    /// [`fingerprint`] of the canonical signature string.
    pub signature_fingerprint: u64,
    /// The generated `extern "C"` shim, cast to a data pointer; the caller
    /// casts it back to the type the signature fingerprint promises.
    pub ptr: *const c_void,
    /// Where the fingerprint of what the function's code was generated from
    /// (its source and the constants compiled into it) is: a `'static u64`
    /// of the library, in the file of the module's bodies, so that a body
    /// edit changes that file's small table and not this entry, which rustc
    /// then need not evaluate and compile again (ABI 8, issue #13). Null:
    /// not tracked.
    pub body_fingerprint: *const u64,
    /// The library's flag for this function, raised by the runtime while a
    /// newer version of the function with another body is current: a loop
    /// of this (old) code checks it on its back-edges ([`back_edge`]) and
    /// unwinds to start again with the new code. Null: not tracked.
    pub stale: *const AtomicBool,
}

impl FnEntry {
    /// `signature` is the canonical signature text, fingerprinted here.
    pub const fn new(name: &'static str, signature: &'static str, ptr: *const c_void) -> FnEntry {
        FnEntry {
            name: Str::new(name),
            signature_fingerprint: fingerprint(signature),
            ptr,
            body_fingerprint: std::ptr::null(),
            stale: std::ptr::null(),
        }
    }

    /// The same entry with its body fingerprint and its stale flag (see
    /// the fields).
    pub const fn with_body(self, body_fingerprint: &'static u64, stale: &'static AtomicBool) -> FnEntry {
        FnEntry { body_fingerprint, stale, ..self }
    }
}

/// One `state` variable of a module; its value lives in runtime memory.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StateEntry {
    pub name: Str,
    /// [`fingerprint`] of the canonical type string (with the structure of
    /// every user type in it); equal means the old value may be handed to
    /// the new library as it is.
    pub type_fingerprint: u64,
    pub size: usize,
    pub align: usize,
    /// Writes the type's zero value into uninitialized memory of
    /// `size`/`align`; false (memory left uninitialized) if it panicked.
    pub zero: extern "C" fn(*mut c_void) -> bool,
    /// Runs the variable's initializer and assigns the result to the
    /// (initialized) value; false if the initializer panicked, the value
    /// then still holds a valid value. Both shims catch panics with
    /// [`call_guarded`].
    pub init: extern "C" fn(*mut c_void) -> bool,
    /// Drops the value in place (the memory itself belongs to the runtime);
    /// must not unwind either.
    pub drop: extern "C" fn(*mut c_void),
    /// The value in the text form of [`crate::dynval::Value`]: how it
    /// crosses into another library's type (or a process restart).
    pub save: extern "C" fn(*const c_void) -> Guarded<Text>,
    /// Assign into the (initialized) value the migration of a saved text
    /// (`ptr`, `len`: UTF-8) into this library's type; what happened.
    pub migrate: extern "C" fn(*const u8, usize, *mut c_void) -> Guarded<Migrated>,
}

/// What [`StateEntry::migrate`] did.
#[repr(C)]
#[derive(Debug)]
pub struct Migrated {
    /// 0: copied unchanged, 1: migrated (fields added, dropped, converted
    /// or reset), 2: the initializer ran instead.
    pub outcome: u32,
    /// One warning per line, naming the variable and the field.
    pub warnings: Text,
}

impl Migrated {
    pub fn new(outcome: crate::dynval::Outcome, warnings: Vec<String>) -> Migrated {
        let outcome = match outcome {
            crate::dynval::Outcome::Kept => 0,
            crate::dynval::Outcome::Migrated => 1,
            crate::dynval::Outcome::Reset => 2,
        };
        Migrated { outcome, warnings: Text::from(warnings.join("\n")) }
    }
}

/// The body of a generated `save` shim.
pub fn save_value<T: crate::dynval::Dyn>(value: &T) -> Text {
    Text::from(value.to_dyn().encode())
}

/// The body of a generated `migrate` shim: `text` (the old value, saved by
/// another library) into `dst`, or `init()` where it does not fit.
pub fn migrate_value<T: crate::dynval::Dyn>(name: &str, text: &str, dst: &mut T, init: impl FnOnce() -> T) -> Migrated {
    let (value, m) = crate::dynval::migrate_text(name, text, init);
    *dst = value;
    Migrated::new(m.outcome(), m.warnings())
}

/// [`migrate_value`] with the user's `@migrate` function `hook` for this
/// state: it takes over when the old value has exactly the shape `O`
/// (`aether_rt::dynval::migrate_with`). Its notes (why it was not used)
/// are reported with the warnings.
pub fn migrate_value_with<O: crate::dynval::Dyn, T: crate::dynval::Dyn>(
    name: &str,
    text: &str,
    dst: &mut T,
    hook: impl FnOnce(O) -> T,
    init: impl FnOnce() -> T,
) -> Migrated {
    let (value, m) = match crate::dynval::Value::decode(text) {
        Ok(old) => crate::dynval::migrate_with(name, &old, hook, init),
        Err(_) => crate::dynval::migrate_text(name, text, init),
    };
    *dst = value;
    let mut lines = m.warnings();
    lines.extend(m.notes().iter().map(|n| n.to_string()));
    Migrated::new(m.outcome(), lines)
}

/// An [`ImportEntry`]'s fingerprint saying "any interface": each slot is
/// checked on its own (a Rust host's bindings, which name no state and which
/// the supervisor rebuilds when what they name changes).
pub const CHECKED_BY_SLOT: u64 = 0;

/// An interface a library was built against, and the library's slots for
/// that module's functions and states: the runtime fills them at every
/// publish, so a call or a state access is one load (see [`Slot`]).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ImportEntry {
    pub module: Str,
    /// The module's interface fingerprint this library was built against,
    /// or [`CHECKED_BY_SLOT`].
    pub interface_fingerprint: u64,
    /// One per function of the module's row, in its order.
    pub functions: Slice<SlotEntry>,
    /// One per state of the module's row, in its order.
    pub states: Slice<SlotEntry>,
}

/// A slot and the fingerprint of what it must hold: the runtime stores the
/// address only when the published entry has this fingerprint, and null
/// otherwise (code built against another version then fails at the call,
/// as a runtime error).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SlotEntry {
    pub fingerprint: u64,
    pub slot: *const Slot,
}

// SAFETY (every type below): these types hold pointers only to immutable
// `'static` data (string bytes, entry arrays, code). Nothing in this crate
// writes through them, and reading immutable data from several threads is
// sound, so a descriptor can be a `static` and cross threads.
shared_between_threads!(Str, FnEntry, StateEntry, SlotEntry, ImportEntry, FrameEntry, ModuleDescriptor);
#[allow(unsafe_code)]
unsafe impl<T: Sync> Sync for Slice<T> {}
#[allow(unsafe_code)]
unsafe impl<T: Sync> Send for Slice<T> {}

/// Export a module library's two ABI symbols. Use once, at the root of the
/// module's `cdylib` crate (a `#[no_mangle]` item of a dependency is not
/// exported, so these must expand in the module crate itself):
///
/// ```text
/// static DESCRIPTOR: aether_rt::abi::ModuleDescriptor = /* … */;
/// aether_rt::export_module!(DESCRIPTOR);
/// ```
#[macro_export]
macro_rules! export_module {
    ($descriptor:path) => {
        #[no_mangle]
        pub extern "C" fn aether_abi_version() -> u32 {
            $crate::abi::ABI_VERSION
        }

        // The name must equal `entry_symbol()`; a test in aether-rt checks it.
        #[no_mangle]
        pub extern "C" fn aether_module_v9() -> *const $crate::abi::ModuleDescriptor {
            &$descriptor
        }
    };
}

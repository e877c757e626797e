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

use std::any::Any;
use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{catch_unwind, UnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// The version of every layout and symbol in this file. Bump it on any change.
pub const ABI_VERSION: u32 = 2;

/// The unversioned symbol of `extern "C" fn() -> u32`, returning the ABI
/// version the library was built with.
pub const VERSION_SYMBOL: &str = "aether_abi_version";

/// The prefix of the versioned entry symbol; see [`entry_symbol`].
pub const ENTRY_SYMBOL_PREFIX: &str = "aether_module_v";

/// The name of the table row (and of the linked descriptor) holding a Rust
/// host crate's `extern fn`s, after the modules' rows.
pub const HOST_ROW: &str = "__host";

/// The type of the function behind [`VERSION_SYMBOL`].
pub type VersionFn = extern "C" fn() -> u32;

/// The type of the function behind [`entry_symbol`].
pub type EntryFn = extern "C" fn() -> *const ModuleDescriptor;

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
}

impl FnEntry {
    /// `signature` is the canonical signature text, fingerprinted here.
    pub const fn new(name: &'static str, signature: &'static str, ptr: *const c_void) -> FnEntry {
        FnEntry { name: Str::new(name), signature_fingerprint: fingerprint(signature), ptr }
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

/// An interface a library was built against, and the library's slots for
/// that module's functions and states: the runtime fills them at every
/// publish, so a call or a state access is one load (see [`Slot`]).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ImportEntry {
    pub module: Str,
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

/// A pointer-sized cell in a library that the runtime fills in: a function
/// to call or a state value's address. Atomic, so a `static` needs no
/// unsafe; stores happen while the program lock is held, so a relaxed load
/// sees a complete generation.
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct Slot(AtomicPtr<c_void>);

impl Slot {
    pub const fn new() -> Slot {
        Slot(AtomicPtr::new(std::ptr::null_mut()))
    }

    #[inline]
    pub fn get(&self) -> *mut c_void {
        self.0.load(Ordering::Relaxed)
    }

    pub fn set(&self, ptr: *mut c_void) {
        self.0.store(ptr, Ordering::Release)
    }
}

/// Each image's flag, raised by the runtime in every library while a reload
/// waits for a safe point; generated code checks it before each call.
pub static PENDING: AtomicBool = AtomicBool::new(false);

/// A `state` variable as generated code sees it under HMR: a reference to
/// the library's slot for it, which the runtime points at the value (and
/// re-points when a reload resets or migrates it; null when a reload
/// changed its declaration, so code from before it never reads it as the
/// wrong type).
pub struct StateRef<T> {
    slot: &'static Slot,
    _type: PhantomData<fn() -> T>,
}

impl<T> StateRef<T> {
    pub const fn new(slot: &'static Slot) -> StateRef<T> {
        StateRef { slot, _type: PhantomData }
    }

    /// The value's address (checked non-null). Generated code writes
    /// `(*ctx.m.x.ptr())`, a place like the static build's `ctx.m.x`, so a
    /// call such as `x.insert(k, x.get(k))` borrows it as the static build
    /// does (a `&mut` through `DerefMut` would be taken before the
    /// arguments are read).
    #[inline]
    pub fn ptr(&self) -> *mut T {
        let p = self.slot.get();
        if p.is_null() {
            stale_state();
        }
        p.cast()
    }
}

#[cold]
fn stale_state() -> ! {
    panic!(
        "this code is from before a reload that changed a `state` declaration it uses (or the program has not \
         started); it stops here {STALE}"
    )
}

impl<T> std::ops::Deref for StateRef<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the runtime stores in the slot only the address of an
        // initialized `T` whose fingerprint (name and structural type) is
        // the one this library was built for, and never frees it while
        // code may use it; Aether code runs under the program lock, so no
        // other thread touches it meanwhile.
        #[allow(unsafe_code)]
        unsafe {
            &*self.ptr()
        }
    }
}

impl<T> std::ops::DerefMut for StateRef<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; generated code borrows state only through
        // `&mut ctx`, and never across a call, so this borrow is unique.
        #[allow(unsafe_code)]
        unsafe {
            &mut *self.ptr()
        }
    }
}

/// Ends the message of a runtime error raised by code from before a reload
/// meeting the new code: the host starts `main` again with the new code
/// when it sees it.
pub const STALE: &str = "(stale after a reload: a running loop starts again with the new code)";

/// Generated code's way to a function through its slot: the pointer, after
/// letting a pending reload in. `what` names the function when the slot is
/// empty (the function changed in a reload, or the program has not started).
#[inline]
pub fn call_slot(slot: &Slot, what: &str) -> *const c_void {
    if PENDING.load(Ordering::Relaxed) {
        if let Some(table) = HOST.get() {
            (table.hooks.yield_to_reload)();
            if (table.hooks.unwind_requested)() {
                // Caught by the shim around us and passed up as an error,
                // boundary by boundary, to the host that called `main`.
                std::panic::resume_unwind(Box::new(RESTART_MAIN.to_string()));
            }
        }
    }
    let p = slot.get();
    if p.is_null() {
        stale_call(what);
    }
    p.cast_const()
}

#[cold]
fn stale_call(what: &str) -> ! {
    panic!(
        "`{what}` changed in a reload (its signature, or its place in the module) and this call is from code \
         built before it, or it is not loaded; that code stops here {STALE}"
    )
}

/// The value of a guarded call, or the panic unwound further in this image
/// (already reported by the panic hook of the image that panicked).
#[inline]
pub fn unwrap_guarded<T>(guarded: Guarded<T>) -> T {
    match guarded.into_result() {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(Box::new(e.message)),
    }
}

/// Each image's (library's, host's) cell for the runtime's [`CallTable`]:
/// generated code and the builtins reach the runtime through it. Null in a
/// static build, where nothing is loaded.
pub static HOST: HostSlot = HostSlot::new();

/// Run a blocking builtin (a sleep, reading input): under HMR the thread
/// gives up the program lock meanwhile, so a reload can be applied while it
/// waits. Generated code holds no borrow of `state` across a call, so this
/// is a safe point.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match HOST.get() {
        Some(table) => {
            (table.hooks.release)();
            let result = f();
            (table.hooks.acquire)();
            result
        }
        None => f(),
    }
}

/// The module's cell for the runtime's [`CallTable`]. Only a `&'static
/// CallTable` can be stored, so reading it back is sound.
#[repr(transparent)]
#[derive(Debug)]
pub struct HostSlot(AtomicPtr<CallTable>);

impl HostSlot {
    pub const fn new() -> HostSlot {
        HostSlot(AtomicPtr::new(std::ptr::null_mut()))
    }

    pub fn set(&self, table: &'static CallTable) {
        self.0.store((table as *const CallTable).cast_mut(), Ordering::Release)
    }

    pub fn get(&self) -> Option<&'static CallTable> {
        let ptr = self.0.load(Ordering::Acquire);
        // SAFETY: only `set` writes this cell, always from a `&'static
        // CallTable`, and a CallTable is never freed or moved.
        #[allow(unsafe_code)]
        unsafe {
            ptr.cast_const().as_ref()
        }
    }
}

impl Default for HostSlot {
    fn default() -> Self {
        HostSlot::new()
    }
}

/// The runtime's function table as generated code sees it: one atomic
/// pointer to an immutable [`TableView`]. A reload builds a whole new view
/// (every module swapped in it at once, functions and state addresses
/// together) and publishes it with one store, so a call sees either the old
/// program or the new one, never a mix; a call already running keeps the
/// code it started in. Views are never freed.
///
/// A reload is published only at a safe point of the thread running Aether
/// code: the reloading thread raises `pending`, and the running code gives
/// up the program lock at its next call ([`CallTable::safe_point`]) or
/// blocking builtin ([`blocking`]).
#[repr(C)]
#[derive(Debug)]
pub struct CallTable {
    current: AtomicPtr<TableView>,
    pending: AtomicBool,
    hooks: HostHooks,
}

/// The host's side of the program lock, called from any image.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct HostHooks {
    /// Called at a safe point while a reload is pending: give up the lock,
    /// wait until the reload is applied, take it again.
    pub yield_to_reload: extern "C" fn(),
    /// Give up the program lock around a blocking builtin...
    pub release: extern "C" fn(),
    /// ...and take it back.
    pub acquire: extern "C" fn(),
    /// Asked at a safe point after yielding: true when this thread must
    /// unwind (the running `main` is to start again with new code).
    pub unwind_requested: extern "C" fn() -> bool,
}

/// One immutable generation of function pointers (`modules[m].fns[f]`) and
/// state addresses (`modules[m].states[s]`); indices are fixed by the
/// descriptors' orders.
#[repr(C)]
#[derive(Debug)]
pub struct TableView {
    generation: u64,
    modules: *const ModuleView,
    len: usize,
}

#[repr(C)]
#[derive(Debug)]
struct ModuleView {
    fns: *const *const c_void,
    fn_fingerprints: *const u64,
    len: usize,
    states: *const *mut c_void,
    state_fingerprints: *const u64,
    states_len: usize,
}

/// One module's row of a [`TableView`]: its functions and its state
/// addresses, each with the fingerprint its descriptor gave it.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub fns: Vec<(*const c_void, u64)>,
    pub states: Vec<(*mut c_void, u64)>,
}

extern "C" fn no_op() {}

extern "C" fn never() -> bool {
    false
}

impl HostHooks {
    /// Hooks that do nothing: one thread, nothing to wait for (tests, tools).
    pub const fn none() -> HostHooks {
        HostHooks { yield_to_reload: no_op, release: no_op, acquire: no_op, unwind_requested: never }
    }
}

/// The payload of the unwind that ends a running `main` so that it starts
/// again with new code (not an error: no message is printed for it).
pub const RESTART_MAIN: &str = "[aether] main restarts with the new code";

impl CallTable {
    /// A table whose lock hooks do nothing (one thread, no reloads).
    pub const fn new() -> CallTable {
        CallTable::with_hooks(HostHooks::none())
    }

    pub const fn with_hooks(hooks: HostHooks) -> CallTable {
        CallTable { current: AtomicPtr::new(std::ptr::null_mut()), pending: AtomicBool::new(false), hooks }
    }

    /// The function pointer in slot `f` of module `m` in the current view,
    /// or null when there is none (nothing published, index out of range,
    /// module not loaded yet).
    #[inline]
    pub fn lookup(&self, m: usize, f: usize) -> *const c_void {
        self.lookup_checked(m, f, None)
    }

    /// [`CallTable::lookup`], and null unless the slot's fingerprint is
    /// `fingerprint` (when given): code from before a reload that changed
    /// the function's signature or position never calls the wrong thing.
    #[inline]
    pub fn lookup_checked(&self, m: usize, f: usize, fingerprint: Option<u64>) -> *const c_void {
        match self.module(m) {
            Some(module) if f < module.len => {
                // SAFETY: in bounds of leaked, immutable arrays (see `module`).
                #[allow(unsafe_code)]
                unsafe {
                    if fingerprint.is_some_and(|fp| *module.fn_fingerprints.add(f) != fp) {
                        return std::ptr::null();
                    }
                    *module.fns.add(f)
                }
            }
            _ => std::ptr::null(),
        }
    }

    /// The address of state `s` of module `m` in the current view, or null
    /// (also when its fingerprint is not `fingerprint`, when given).
    #[inline]
    pub fn state(&self, m: usize, s: usize, fingerprint: Option<u64>) -> *mut c_void {
        match self.module(m) {
            Some(module) if s < module.states_len => {
                // SAFETY: as in `lookup_checked`.
                #[allow(unsafe_code)]
                unsafe {
                    if fingerprint.is_some_and(|fp| *module.state_fingerprints.add(s) != fp) {
                        return std::ptr::null_mut();
                    }
                    *module.states.add(s)
                }
            }
            _ => std::ptr::null_mut(),
        }
    }

    /// Whether module `m` has a function at `f` (of any fingerprint).
    pub fn has_function(&self, m: usize, f: usize) -> bool {
        !self.lookup(m, f).is_null()
    }

    #[inline]
    fn module(&self, m: usize) -> Option<&'static ModuleView> {
        let view = self.view()?;
        if m >= view.len {
            return None;
        }
        // SAFETY: `current` holds null or a pointer from `TableView::leak`,
        // which is never freed; a view's arrays are leaked with it, never
        // written after publication, and `len` fields are their true lengths.
        #[allow(unsafe_code)]
        unsafe {
            Some(&*view.modules.add(m))
        }
    }

    /// Called by generated code before every call: lets a pending reload in.
    #[inline]
    pub fn safe_point(&self) {
        if self.pending.load(Ordering::Relaxed) {
            (self.hooks.yield_to_reload)();
        }
    }

    /// Whether a reload waits for the running code to reach a safe point.
    pub fn is_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    pub fn set_pending(&self, pending: bool) {
        self.pending.store(pending, Ordering::Release)
    }

    /// The generation of the current view (0 before the first publish).
    pub fn generation(&self) -> u64 {
        self.view().map_or(0, |v| v.generation)
    }

    /// Make `view` current; calls starting after this see it.
    pub fn publish(&self, view: &'static TableView) {
        self.current.store((view as *const TableView).cast_mut(), Ordering::Release)
    }

    #[inline]
    fn view(&self) -> Option<&'static TableView> {
        // SAFETY: null or a leaked, never-freed view.
        #[allow(unsafe_code)]
        unsafe {
            self.current.load(Ordering::Acquire).cast_const().as_ref()
        }
    }
}

impl Default for CallTable {
    fn default() -> Self {
        CallTable::new()
    }
}

impl TableView {
    /// Build a view from per-module function pointers and state addresses
    /// and leak it: a call may still be reading an old view, so none is ever
    /// freed (a view costs a few bytes per function per reload).
    pub fn leak(generation: u64, modules: Vec<Row>) -> &'static TableView {
        let modules: Vec<ModuleView> = modules
            .into_iter()
            .map(|row| {
                let (fns, fn_fps): (Vec<*const c_void>, Vec<u64>) = row.fns.into_iter().unzip();
                let (states, state_fps): (Vec<*mut c_void>, Vec<u64>) = row.states.into_iter().unzip();
                let (fns, fn_fps) = (Vec::leak(fns), Vec::leak(fn_fps));
                let (states, state_fps) = (Vec::leak(states), Vec::leak(state_fps));
                ModuleView {
                    fns: fns.as_ptr(),
                    fn_fingerprints: fn_fps.as_ptr(),
                    len: fns.len(),
                    states: states.as_ptr(),
                    state_fingerprints: state_fps.as_ptr(),
                    states_len: states.len(),
                }
            })
            .collect();
        let modules: &'static [ModuleView] = Vec::leak(modules);
        Box::leak(Box::new(TableView { generation, modules: modules.as_ptr(), len: modules.len() }))
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }
}

// SAFETY (all four impls): these types hold pointers only to immutable
// `'static` data (string bytes, entry arrays, code). Nothing in this crate writes through them, and reading
// immutable data from several threads is sound, so a descriptor can be a
// `static` and cross threads.
#[allow(unsafe_code)]
unsafe impl Sync for Str {}
#[allow(unsafe_code)]
unsafe impl Send for Str {}
#[allow(unsafe_code)]
unsafe impl<T: Sync> Sync for Slice<T> {}
#[allow(unsafe_code)]
unsafe impl<T: Sync> Send for Slice<T> {}
#[allow(unsafe_code)]
unsafe impl Sync for FnEntry {}
#[allow(unsafe_code)]
unsafe impl Send for FnEntry {}
#[allow(unsafe_code)]
unsafe impl Sync for StateEntry {}
#[allow(unsafe_code)]
unsafe impl Send for StateEntry {}
#[allow(unsafe_code)]
unsafe impl Sync for SlotEntry {}
#[allow(unsafe_code)]
unsafe impl Send for SlotEntry {}
#[allow(unsafe_code)]
unsafe impl Sync for ImportEntry {}
#[allow(unsafe_code)]
unsafe impl Send for ImportEntry {}
#[allow(unsafe_code)]
unsafe impl Sync for ModuleDescriptor {}
#[allow(unsafe_code)]
unsafe impl Send for ModuleDescriptor {}
// SAFETY: a view is immutable after `leak` and its pointers reach only other
// immutable leaked arrays and code, so sharing it between threads is sound.
#[allow(unsafe_code)]
unsafe impl Sync for TableView {}
#[allow(unsafe_code)]
unsafe impl Send for TableView {}
#[allow(unsafe_code)]
unsafe impl Sync for ModuleView {}
#[allow(unsafe_code)]
unsafe impl Send for ModuleView {}

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
/// through [`Guarded::call`]. The panic hook still runs (and prints) in the
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
    // Initialized exactly when `panic.ptr` is null.
    value: MaybeUninit<T>,
    panic: RawString,
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
    pub fn call(f: impl FnOnce() -> T + UnwindSafe) -> Guarded<T> {
        Guarded::from_result(call_guarded(f))
    }

    pub fn from_result(result: Result<T, PanicInfo>) -> Guarded<T> {
        match result {
            Ok(value) => Guarded {
                value: MaybeUninit::new(value),
                panic: RawString { ptr: std::ptr::null_mut(), len: 0, cap: 0 },
            },
            Err(info) => {
                // Never a null pointer: an empty String still has a dangling,
                // non-null one.
                let mut message = ManuallyDrop::new(info.message);
                let panic = RawString { ptr: message.as_mut_ptr(), len: message.len(), cap: message.capacity() };
                Guarded { value: MaybeUninit::uninit(), panic }
            }
        }
    }

    pub fn into_result(self) -> Result<T, PanicInfo> {
        let this = ManuallyDrop::new(self);
        if this.panic.ptr.is_null() {
            // SAFETY: the fields are private and both constructors keep the
            // invariant: `value` is initialized when `panic.ptr` is null. It
            // is read once, since `self` was consumed.
            #[allow(unsafe_code)]
            Ok(unsafe { this.value.assume_init_read() })
        } else {
            let RawString { ptr, len, cap } = this.panic;
            // SAFETY: the parts come from a `String` given up in
            // `from_result` (`ManuallyDrop`), rebuilt exactly once here; all
            // images share the system allocator (see the type's docs).
            #[allow(unsafe_code)]
            let message = unsafe { String::from_raw_parts(ptr, len, cap) };
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
        pub extern "C" fn aether_module_v2() -> *const $crate::abi::ModuleDescriptor {
            &$descriptor
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(unsafe_code)] // #[no_mangle]
    mod exported {
        extern "C" fn answer() -> i64 {
            1
        }
        static FUNCTIONS: [super::FnEntry; 1] =
            [super::FnEntry::new("answer", "fn() -> int", answer as *const std::ffi::c_void)];
        static DESCRIPTOR: super::ModuleDescriptor = super::ModuleDescriptor {
            abi_version: super::ABI_VERSION,
            name: super::Str::new("m"),
            interface_fingerprint: 7,
            functions: super::Slice::new(&FUNCTIONS),
            states: super::Slice::new(&[]),
            imports: super::Slice::new(&[]),
            before_reload: super::Slice::new(&[]),
            on_reload: super::Slice::new(&[]),
            host: &super::HOST,
            prepare: super::no_op,
            pending: &super::PENDING,
        };
        crate::export_module!(DESCRIPTOR);
        pub fn entry() -> *const super::ModuleDescriptor {
            aether_module_v2()
        }
        pub fn version() -> u32 {
            aether_abi_version()
        }
    }

    #[test]
    fn the_macro_exports_the_entry_symbol_of_this_version() {
        // The macro cannot paste ABI_VERSION into an identifier, so its
        // spelled-out name is checked against entry_symbol() here.
        let source = include_str!("abi.rs");
        let spelled = format!("pub extern \"C\" fn {}()", entry_symbol());
        assert!(source.contains(&spelled), "export_module! must define {spelled}");
        assert_eq!(exported::version(), ABI_VERSION);
        assert!(!exported::entry().is_null());
    }

    #[test]
    fn fingerprints_are_fnv1a_and_stable() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
        const AT_COMPILE_TIME: u64 = fingerprint("fn() -> int");
        assert_eq!(AT_COMPILE_TIME, fingerprint("fn() -> int"));
        assert_ne!(fingerprint("fn() -> int"), fingerprint("fn() -> float"));
        assert_ne!(fingerprint_combine(fingerprint("a"), 1), fingerprint_combine(fingerprint("a"), 2));
        assert_ne!(
            fingerprint_combine(fingerprint_combine(0, 1), 2),
            fingerprint_combine(fingerprint_combine(0, 2), 1)
        );
    }

    #[test]
    fn str_and_slice_keep_pointer_and_length() {
        let s = Str::new("physics");
        assert_eq!(s.raw_parts().1, 7);
        static XS: [u32; 3] = [1, 2, 3];
        let xs = Slice::new(&XS);
        assert_eq!(xs.raw_parts(), (XS.as_ptr(), 3));
    }

    #[test]
    fn a_call_table_publishes_whole_views() {
        extern "C" fn one() -> i64 {
            1
        }
        extern "C" fn two() -> i64 {
            2
        }
        static TABLE: CallTable = CallTable::new();
        static HOST: HostSlot = HostSlot::new();
        assert!(HOST.get().is_none());
        HOST.set(&TABLE);
        let table = HOST.get().map(|t| t as *const CallTable);
        assert_eq!(table, Some(&TABLE as *const CallTable));
        assert!(TABLE.lookup(0, 0).is_null());
        assert_eq!(TABLE.generation(), 0);
        let p1 = one as *const c_void;
        let p2 = two as *const c_void;
        TABLE.publish(TableView::leak(
            1,
            vec![Row { fns: vec![(p1, 1)], states: vec![] }, Row { fns: vec![(p1, 1), (p2, 2)], states: vec![] }],
        ));
        assert_eq!(TABLE.lookup(1, 1), p2);
        assert!(TABLE.lookup(0, 1).is_null());
        assert!(TABLE.lookup(2, 0).is_null());
        TABLE.publish(TableView::leak(
            2,
            vec![Row { fns: vec![(p2, 2)], states: vec![] }, Row { fns: vec![(p2, 2), (p1, 1)], states: vec![] }],
        ));
        assert_eq!((TABLE.generation(), TABLE.lookup(0, 0), TABLE.lookup(1, 1)), (2, p2, p1));
        assert_eq!(TABLE.lookup_checked(1, 1, Some(1)), p1);
        assert!(TABLE.lookup_checked(1, 1, Some(2)).is_null(), "a stale fingerprint finds nothing");
    }

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let literal = call_guarded(|| -> i64 { panic!("boom") });
        let formatted = Guarded::call(|| -> i64 { panic!("index {} out of range", 5) });
        let custom = call_guarded(|| std::panic::panic_any(17_u8));
        std::panic::set_hook(quiet);
        assert_eq!(literal, Err(PanicInfo { message: "boom".into() }));
        assert_eq!(formatted.into_result().map_err(|e| e.to_string()), Err("index 5 out of range".to_string()));
        assert_eq!(custom.map_err(|e| e.message), Err("panic with a non-string payload".to_string()));
        assert_eq!(call_guarded(|| 3), Ok(3));
        assert_eq!(Guarded::call(|| String::from("kept")).into_result(), Ok("kept".to_string()));
        let empty = Guarded::<i64>::from_result(Err(PanicInfo { message: String::new() }));
        assert_eq!(empty.into_result(), Err(PanicInfo { message: String::new() }));
    }
}

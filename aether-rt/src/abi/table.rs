//! The runtime's call table as generated code sees it: the slots the
//! runtime fills in each library (functions and state addresses), the safe
//! points where a pending reload is let in, and the immutable views a
//! reload publishes whole.

use super::Guarded;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};

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

    #[inline]
    pub fn set(&self, ptr: *mut c_void) {
        self.0.store(ptr, Ordering::Release)
    }
}

/// Each image's flag, raised by the runtime in every library while a reload
/// waits for a safe point; generated code checks it before each call.
pub static PENDING: AtomicBool = AtomicBool::new(false);

/// Each image's count of calls in progress through its shims (every way
/// into a library's code from outside it: calls within one library that
/// skip the shim start inside one). Zero means no thread runs the
/// library's code, so the runtime may unload an old version (issue #14).
pub static ACTIVE: ActiveCalls = ActiveCalls::new();

/// A count of calls in progress ([`ACTIVE`]).
#[repr(transparent)]
#[derive(Debug, Default)]
pub struct ActiveCalls(AtomicUsize);

impl ActiveCalls {
    pub const fn new() -> ActiveCalls {
        ActiveCalls(AtomicUsize::new(0))
    }

    /// Count a call until the guard is dropped. A plain load and store, not
    /// a locked add: only the thread holding the program lock runs Aether
    /// code (a thread in a blocking builtin keeps its count and changes it
    /// again only once it holds the lock), as for [`CallTable::set_calls`].
    #[inline(always)]
    pub fn enter(&'static self) -> Active {
        self.0.store(self.0.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
        Active(self)
    }

    /// The calls in progress (read by the runtime under the program lock).
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// A call counted in [`ACTIVE`] while it lives (the shim's whole body: a
/// panic is caught inside it, so the guard always drops normally).
#[derive(Debug)]
pub struct Active(&'static ActiveCalls);

impl Drop for Active {
    #[inline(always)]
    fn drop(&mut self) {
        let count = &self.0 .0;
        count.store(count.load(Ordering::Relaxed).wrapping_sub(1), Ordering::Relaxed);
    }
}

/// Each image's count of generations published (issue #14): the runtime
/// stores the new generation in every library at each swap. Generated code
/// keeps the state addresses it read in its `Ctx` and reads them again when
/// this moved ([`epoch_changed`]), after a call or a blocking builtin and at
/// a loop's back-edge: the only places a swap can happen.
pub static EPOCH: AtomicU64 = AtomicU64::new(0);

/// The current [`EPOCH`] (what a `Ctx` remembers when it reads addresses).
#[inline]
pub fn epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// Whether a swap happened since a `Ctx` read its addresses at `seen`.
#[inline(always)]
pub fn epoch_changed(seen: u64) -> bool {
    EPOCH.load(Ordering::Relaxed) != seen
}

/// A `state` variable as generated code sees it under HMR: a reference to
/// the library's slot for it, which the runtime points at the value (and
/// re-points when a reload resets or migrates it; null when a reload
/// changed its declaration, so code from before it never reads it as the
/// wrong type), and the address last read from it.
///
/// The address is read from the slot at the first access and kept until
/// [`StateRef::refresh`], which generated code calls when the [`EPOCH`]
/// moved: so between two safe points an access is a load from the `Ctx`,
/// which LLVM keeps in a register across a loop, instead of an atomic load
/// of the slot (issue #14, item 2). Nothing is lost between safe points,
/// since only a swap changes a slot.
pub struct StateRef<T> {
    slot: &'static Slot,
    cached: std::cell::Cell<*mut T>,
}

impl<T> StateRef<T> {
    pub const fn new(slot: &'static Slot) -> StateRef<T> {
        StateRef { slot, cached: std::cell::Cell::new(std::ptr::null_mut()) }
    }

    /// The value's address (checked non-null). Generated code writes
    /// `(*ctx.m.x.ptr())`, a place like the static build's `ctx.m.x`, so a
    /// call such as `x.insert(k, x.get(k))` borrows it as the static build
    /// does (a `&mut` through `DerefMut` would be taken before the
    /// arguments are read).
    #[inline]
    pub fn ptr(&self) -> *mut T {
        let p = self.cached.get();
        if p.is_null() {
            // `read_slot` is given the slot, not `self`: a `self` passed to
            // a function that is not inlined would let `ctx` escape, and
            // LLVM would then reload every cached address after each store
            // into `state` (issue #14).
            let p: *mut T = read_slot(self.slot).cast();
            self.cached.set(p);
            return p;
        }
        p
    }

    /// Forget the address: the next access reads the slot again.
    #[inline]
    pub fn refresh(&self) {
        self.cached.set(std::ptr::null_mut());
    }
}

/// The address in a `state` slot (checked non-null).
#[cold]
#[inline(never)]
fn read_slot(slot: &'static Slot) -> *mut c_void {
    let p = slot.get();
    if p.is_null() {
        stale_state();
    }
    p
}

#[cold]
fn stale_state() -> ! {
    restart_replaced_call_now();
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
    safe_point();
    let p = slot.get();
    if p.is_null() {
        slot_empty(what);
    }
    p.cast_const()
}

/// Whether a call may go straight to this library's own code (issue #14):
/// no reload waits and this library is its module's current version. Both
/// are one flag, the library crate's own (`ModuleDescriptor::own_pending`),
/// which the runtime raises with `PENDING` and keeps raised while another
/// version of the module is current (`hmr::FnTables::set_flags`): one
/// relaxed load of a static of the crate itself. This is not a safe point,
/// so it must not skip one: the generated direct path
/// (`codegen/hmr/direct.rs`) falls back to [`call_shim`] when it is false.
#[inline(always)]
pub fn is_current(own_pending: &AtomicBool) -> bool {
    !own_pending.load(Ordering::Relaxed)
}

/// A safe point: a pending reload is let in here (the thread gives up the
/// program lock until it is applied), and a `main` that is to start again
/// unwinds. One relaxed load and a predictable branch when nothing waits.
#[inline(always)]
pub fn safe_point() {
    if PENDING.load(Ordering::Relaxed) {
        let_reload_in();
    }
}

#[cold]
#[inline(never)]
fn let_reload_in() {
    if let Some(table) = HOST.get() {
        (table.hooks.yield_to_reload)();
        if (table.hooks.unwind_requested)() {
            // Caught by the shim around us and passed up as an error,
            // boundary by boundary, to the host that called `main`.
            std::panic::resume_unwind(Box::new(RESTART_MAIN.to_string()));
        }
        // A running function further out that a reload replaced a while
        // ago (its code waits for this call, which may not return): unwind
        // to the call that started it, which runs the new version. Not
        // sooner: a call that ends on its own finishes in its old code.
        let stale = (table.hooks.stale_call)(false);
        if !stale.is_null() {
            std::panic::resume_unwind(Box::new(format!("{RESTART_CALL}{:x}", stale as usize)));
        }
    }
}

/// How many iterations of a *leaf* loop (one whose iterations cannot reach
/// a safe point: no call of Aether code, no blocking builtin) run between
/// two [`back_edge`] checks (issue #14). The generated loop runs in chunks
/// of at most this many iterations with no check inside
/// (`codegen::hmr::loop_state::leaf`), so LLVM optimizes a chunk as it
/// would the static build's loop (no call in it, `state` in registers,
/// vectorized or unrolled), and a pending reload or a stale loop still
/// waits no longer than this many iterations of straight-line code. A loop
/// whose iterations only run such loops (a *nest*, `Gen::leaf_loop`) runs in
/// chunks of this many iterations of its own too: this squared, there.
pub const LEAF_CHUNK: u32 = 256;

/// The check generated code makes on every loop back-edge under `--hmr`
/// (as JVM and Go safepoints do), so a loop that makes no call still lets a
/// reload in within one iteration. `stale` is the running function's flag
/// (raised by the runtime while a version of it with another body is
/// current) and `mine` its shim: old code stuck in a loop unwinds to the
/// call that started it, which calls the new version
/// ([`call_restartable`]), or to the host, which starts `main` again.
///
/// True when it took the slow path, the only one in which a swap can
/// happen: generated code reads its `state` addresses again
/// ([`epoch_changed`]) only then, so a loop's iteration costs two relaxed
/// loads and one branch.
#[inline(always)]
pub fn back_edge(stale: &AtomicBool, mine: *const c_void) -> bool {
    if PENDING.load(Ordering::Relaxed) | stale.load(Ordering::Relaxed) {
        leave_stale_loop(stale, mine);
        return true;
    }
    false
}

#[cold]
#[inline(never)]
fn leave_stale_loop(stale: &AtomicBool, mine: *const c_void) {
    safe_point();
    // A loop that ends soon finishes in its old code; one still running a
    // while after the reload is taken as stuck and starts again.
    if stale.load(Ordering::Acquire) && HOST.get().is_some_and(|t| (t.hooks.restart_due)()) {
        std::panic::resume_unwind(Box::new(format!("{RESTART_CALL}{:x}", mine as usize)));
    }
}

/// The payload of the unwind that ends a running call of old code so that
/// it starts again with the new code: this prefix and the old shim's
/// address in hex (not an error: no message is printed for it).
pub const RESTART_CALL: &str = "[aether] restart with the new code: ";

/// The shim address a [`RESTART_CALL`] payload names.
pub fn restart_target(message: &str) -> Option<usize> {
    usize::from_str_radix(message.strip_prefix(RESTART_CALL)?, 16).ok()
}

/// A call through `slot` that starts again, with the same arguments and
/// the newest code, when the callee was old code left at a loop back-edge
/// because a reload replaced it ([`back_edge`]): the call is the restart
/// point of a running function, its arguments are what it keeps (a `mut`
/// one as the old code left it), its locals start afresh. `call` calls the
/// shim it is given.
///
/// In a debug build the loop is compiled once per return type, the call
/// behind a reference ([`call_restartable_dyn`]), not once per calling
/// function: a module library's glue is smaller, and so is what a reload
/// compiles and links (issue #13). An optimized build inlines it.
#[inline]
pub fn call_restartable<R>(slot: &Slot, what: &'static str, call: impl FnMut(*const c_void) -> Guarded<R>) -> R {
    #[cfg(debug_assertions)]
    {
        let mut call = call;
        call_restartable_dyn(slot, what, &mut call)
    }
    #[cfg(not(debug_assertions))]
    {
        restartable(slot, what, call)
    }
}

/// [`call_restartable`] of the shim behind `slot` with `args` (shared
/// references and `Copy` values, which a restart passes again): compiled
/// once per signature, not once per calling function ([`super::Args`]).
#[inline]
pub fn call_shim<A: super::Args<R> + Copy, R>(slot: &Slot, what: &'static str, args: A) -> R {
    // SAFETY: the runtime stores in a slot only a function whose
    // fingerprint (name and structural signature) is the one the generated
    // call was made for: its shim, taking exactly `A`.
    #[allow(unsafe_code)]
    restartable(slot, what, move |p| unsafe { args.call_shim(p) })
}

/// [`call_shim`] out of line, for the slow path of a direct call (see
/// [`call_restartable_cold`]).
#[cold]
#[inline(never)]
pub fn call_shim_cold<A: super::Args<R> + Copy, R>(slot: &Slot, what: &'static str, args: A) -> R {
    call_shim(slot, what, args)
}

/// [`call_shim`] for a Rust host's bindings (`hmr::host::call`): the
/// callee's runtime error is returned, not raised, so the host needs no
/// `catch_unwind` of its own around the call. The common path (no reload
/// waits, the slot is filled, the call returns) is inlined into the
/// binding: a Rust-to-Aether call is then one indirect call and the
/// bookkeeping around it (issue #14). Anything else (a safe point, an empty
/// slot, a restart) takes [`call_shim`]'s own way, out of line, under
/// [`super::call_guarded`].
#[inline(always)]
pub fn try_call_shim<A: super::Args<R> + Copy, R>(
    slot: &Slot,
    what: &'static str,
    args: A,
) -> Result<R, super::PanicInfo> {
    let p = slot.get();
    if !PENDING.load(Ordering::Relaxed) && !p.is_null() {
        let p = p.cast_const();
        // SAFETY: as in `call_shim`: the slot holds this call's shim.
        #[allow(unsafe_code)]
        let result = linked_call(HOST.get(), p, |p| unsafe { args.call_shim(p) });
        return match result.into_result() {
            Ok(v) => Ok(v),
            Err(e) => try_call_shim_failed(slot, what, args, p, e),
        };
    }
    try_call_shim_slow(slot, what, args)
}

/// [`try_call_shim`] after the call through `p` failed: its error, or the
/// call again if the error was old code left at a loop's back-edge (as
/// `restartable` does).
#[cold]
#[inline(never)]
fn try_call_shim_failed<A: super::Args<R> + Copy, R>(
    slot: &Slot,
    what: &'static str,
    args: A,
    p: *const c_void,
    error: super::PanicInfo,
) -> Result<R, super::PanicInfo> {
    if restart_target(&error.message) != Some(p as usize) {
        return Err(error);
    }
    say_restarted(what);
    try_call_shim_slow(slot, what, args)
}

#[cold]
#[inline(never)]
fn try_call_shim_slow<A: super::Args<R> + Copy, R>(
    slot: &Slot,
    what: &'static str,
    args: A,
) -> Result<R, super::PanicInfo> {
    super::call_guarded(std::panic::AssertUnwindSafe(move || call_shim(slot, what, args)))
}

/// [`call_restartable`] for a Rust host's bindings, its runtime error
/// returned (see [`try_call_shim`]): the trampolines of functions whose
/// arguments cannot go as a tuple.
#[inline]
pub fn try_call_restartable<R>(
    slot: &Slot,
    what: &'static str,
    call: impl FnMut(*const c_void) -> Guarded<R>,
) -> Result<R, super::PanicInfo> {
    super::call_guarded(std::panic::AssertUnwindSafe(move || call_restartable(slot, what, call)))
}

#[cold]
#[inline(never)]
fn say_restarted(what: &'static str) {
    if let Some(table) = HOST.get() {
        (table.hooks.restarted)(super::Str::new(what));
    }
}

/// [`call_restartable`] of a call behind a reference: one instance per
/// return type.
pub fn call_restartable_dyn<R>(
    slot: &Slot,
    what: &'static str,
    call: &mut dyn FnMut(*const c_void) -> Guarded<R>,
) -> R {
    restartable(slot, what, call)
}

#[inline]
fn restartable<R>(slot: &Slot, what: &'static str, mut call: impl FnMut(*const c_void) -> Guarded<R>) -> R {
    let table = HOST.get();
    loop {
        let p = call_slot(slot, what);
        let result = linked_call(table, p, &mut call);
        match result.into_result() {
            Ok(v) => return v,
            Err(e) if restart_target(&e.message) == Some(p as usize) => say_restarted(what),
            Err(e) => std::panic::resume_unwind(Box::new(e.message)),
        }
    }
}

/// `call(p)` with the call linked into the list of calls in progress
/// (`CallTable::calls`) while it runs: the restart points old code left at
/// a back-edge unwinds to.
#[inline(always)]
fn linked_call<T>(table: Option<&CallTable>, p: *const c_void, call: impl FnOnce(*const c_void) -> T) -> T {
    let outer = table.map_or(std::ptr::null(), |t| t.calls());
    let this = Call { callee: p, outer };
    // Plain stores, not swaps: only the thread holding the program lock
    // runs Aether code, so nothing else writes the list meanwhile, and a
    // locked exchange twice per call would be most of a call's cost.
    if let Some(t) = table {
        t.set_calls(&this);
    }
    let result = call(p);
    if let Some(t) = table {
        t.set_calls(outer);
    }
    result
}

/// A direct call of this library's own code for a function that is not
/// restart-free (it has a loop, say), while [`is_current`] holds: `call`
/// runs the body itself, where LLVM can inline it, and is still a restart
/// point, as a call through the table is ([`call_restartable`]): it is
/// linked into the list of calls in progress as a call of `mine` (this
/// library's shim of the function, what the slot holds while the library
/// is current), and the unwind that restarts `mine` ends here. `None` then:
/// the caller goes on with its slow path, which calls the new code through
/// the slot with the same arguments (issue #14: a call of a function with a
/// loop cost an indirect call, a shim and a `Guarded` result each time).
#[inline(always)]
pub fn call_direct<R>(mine: *const c_void, what: &'static str, call: impl FnOnce() -> R) -> Option<R> {
    linked_call(HOST.get(), mine, |_| call_direct_unlinked(mine, what, call))
}

/// [`call_direct`] not linked into the calls in progress, for a function
/// whose only safe points are its own loops' back-edges
/// (`codegen/hmr/direct.rs`, `Direct::Unlinked`): the list is read only at a
/// safe point, to find the outermost running call a reload replaced, and
/// such a function's back-edge restarts the function itself
/// ([`back_edge`]), which this call catches. Its library is counted as
/// running by the caller's shim ([`ACTIVE`]): a direct call is
/// always from the same library.
#[inline(always)]
pub fn call_direct_unlinked<R>(mine: *const c_void, what: &'static str, call: impl FnOnce() -> R) -> Option<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        Ok(v) => Some(v),
        Err(payload) => {
            direct_unwound(mine, what, payload);
            None
        }
    }
}

/// A [`call_direct`] that unwound: returns when it was the restart of
/// `mine` (said as any restart is), and unwinds further with the same
/// payload otherwise (a runtime error, already reported where it happened,
/// or the restart of a call further out).
#[cold]
#[inline(never)]
fn direct_unwound(mine: *const c_void, what: &'static str, payload: Box<dyn std::any::Any + Send>) {
    let message = payload.downcast_ref::<String>().map(String::as_str);
    if message.and_then(restart_target) == Some(mine as usize) {
        say_restarted(what);
        return;
    }
    std::panic::resume_unwind(payload)
}

/// [`call_restartable`] out of line, for the slow path of a direct call
/// (the generated code's `is_current` check failed): kept out of the
/// caller, whose frame then stays as small as the function's own, which is
/// most of a call-heavy function's cost (fib under `--hmr --release` went
/// from 1.6-1.7x the static build to 1.4x, issue #14).
///
/// Its loop is compiled once per return type ([`call_restartable_dyn`]):
/// a slow path need not be fast, and one copy per function was most of
/// a module library's code.
#[cold]
#[inline(never)]
pub fn call_restartable_cold<R>(
    slot: &Slot,
    what: &'static str,
    mut call: impl FnMut(*const c_void) -> Guarded<R>,
) -> R {
    call_restartable_dyn(slot, what, &mut call)
}

#[cold]
fn slot_empty(what: &str) -> ! {
    restart_replaced_call_now();
    panic!(
        "`{what}` changed in a reload (its signature, or its place in the module) and this call is from code \
         built before it, or it is not loaded; that code stops here {STALE}"
    )
}

/// Old code met a slot the reload emptied for it (a changed signature or
/// `state` declaration): it cannot go on, so the outermost call of replaced
/// code in progress starts again with the new code now, without waiting
/// (`HostHooks::stale_call`). Returns when there is none (the caller fails
/// as a runtime error).
fn restart_replaced_call_now() {
    if let Some(table) = HOST.get() {
        let stale = (table.hooks.stale_call)(true);
        if !stale.is_null() {
            std::panic::resume_unwind(Box::new(format!("{RESTART_CALL}{:x}", stale as usize)));
        }
    }
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

    #[inline]
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
    pub(super) hooks: HostHooks,
    /// The innermost call in progress of the thread that holds the program
    /// lock (a list through the trampolines' stack frames; the host sets it
    /// aside while that thread gives the lock up). Read at a safe point to
    /// find a running function that a reload replaced further out.
    calls: AtomicPtr<Call>,
}

/// A call in progress, on its trampoline's stack: the shim it called and
/// the call around it.
#[repr(C)]
#[derive(Debug)]
pub struct Call {
    pub callee: *const c_void,
    pub outer: *const Call,
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
    /// Told that a running call of `what` (`module.function`) left its old
    /// code and starts again with the new one ([`call_restartable`]).
    pub restarted: extern "C" fn(super::Str),
    /// Asked at a safe point after yielding: the shim of the outermost call
    /// in progress ([`CallTable::calls`]) whose code a reload replaced, or
    /// null. Null too while such a call may still end on its own, unless
    /// the argument is true (its old code met a slot empty for it).
    pub stale_call: extern "C" fn(bool) -> *const c_void,
    /// Asked by a loop of replaced code at each iteration: true once it has
    /// run long enough after the reload to start again with the new code.
    pub restart_due: extern "C" fn() -> bool,
    /// The host's cell of the constant `module.NAME` (`abi::tunable`),
    /// created on first use; never null.
    pub tunable: extern "C" fn(super::Str) -> *const super::TunableCell,
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

impl ModuleView {
    /// The functions and their fingerprints.
    #[inline]
    fn fns(&self) -> (&[*const c_void], &[u64]) {
        // SAFETY: a view's arrays are leaked by `TableView::leak` with their
        // true lengths, never freed, never written after publication.
        #[allow(unsafe_code)]
        unsafe {
            (std::slice::from_raw_parts(self.fns, self.len), std::slice::from_raw_parts(self.fn_fingerprints, self.len))
        }
    }

    /// The state addresses and their fingerprints.
    #[inline]
    fn states(&self) -> (&[*mut c_void], &[u64]) {
        // SAFETY: as in `fns`.
        #[allow(unsafe_code)]
        unsafe {
            (
                std::slice::from_raw_parts(self.states, self.states_len),
                std::slice::from_raw_parts(self.state_fingerprints, self.states_len),
            )
        }
    }
}

/// Entry `i` of a view's row, if there is one and (when `fingerprint` is
/// given) it has that fingerprint.
#[inline]
fn checked<T: Copy>((items, fingerprints): (&[T], &[u64]), i: usize, fingerprint: Option<u64>) -> Option<T> {
    if fingerprint.is_some_and(|fp| fingerprints.get(i) != Some(&fp)) {
        return None;
    }
    items.get(i).copied()
}

/// One module's row of a [`TableView`]: its functions and its state
/// addresses, each with the fingerprint its descriptor gave it.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub fns: Vec<(*const c_void, u64)>,
    pub states: Vec<(*mut c_void, u64)>,
}

pub(super) extern "C" fn no_op() {}

extern "C" fn never() -> bool {
    false
}

extern "C" fn ignore(_: super::Str) {}

extern "C" fn no_call(_at_once: bool) -> *const c_void {
    std::ptr::null()
}

impl HostHooks {
    /// Hooks that do nothing: one thread, nothing to wait for (tests, tools).
    pub const fn none() -> HostHooks {
        HostHooks {
            yield_to_reload: no_op,
            release: no_op,
            acquire: no_op,
            unwind_requested: never,
            restarted: ignore,
            stale_call: no_call,
            restart_due: never,
            tunable: super::tunable::no_tunable,
        }
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
        CallTable {
            current: AtomicPtr::new(std::ptr::null_mut()),
            pending: AtomicBool::new(false),
            hooks,
            calls: AtomicPtr::new(std::ptr::null_mut()),
        }
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
        let module = self.module(m);
        module.and_then(|v| checked(v.fns(), f, fingerprint)).unwrap_or(std::ptr::null())
    }

    /// The address of state `s` of module `m` in the current view, or null
    /// (also when its fingerprint is not `fingerprint`, when given).
    #[inline]
    pub fn state(&self, m: usize, s: usize, fingerprint: Option<u64>) -> *mut c_void {
        let module = self.module(m);
        module.and_then(|v| checked(v.states(), s, fingerprint)).unwrap_or(std::ptr::null_mut())
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

    /// The innermost call in progress of the thread holding the program
    /// lock (null: none); see [`Call`].
    #[inline]
    pub fn calls(&self) -> *const Call {
        self.calls.load(Ordering::Relaxed)
    }

    /// Set the list of calls in progress (generated code, which holds the
    /// program lock: no other thread writes it meanwhile).
    #[inline]
    pub fn set_calls(&self, calls: *const Call) {
        self.calls.store(calls.cast_mut(), Ordering::Relaxed)
    }

    /// Replace the list of calls in progress (the host, when the program
    /// lock changes hands); the previous list.
    pub fn swap_calls(&self, calls: *const Call) -> *const Call {
        self.calls.swap(calls.cast_mut(), Ordering::Relaxed)
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

// SAFETY: a view is immutable after `leak` and its pointers reach only other
// immutable leaked arrays and code, so sharing it between threads is sound.
shared_between_threads!(TableView, ModuleView);

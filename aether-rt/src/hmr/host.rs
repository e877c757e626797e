//! The host side of `cargo aether run --hmr`: what the generated host binary
//! runs. It loads every module library, publishes the call table, runs the
//! entry `main` through it, and meanwhile applies reload commands from the
//! supervising CLI.
//!
//! Commands come over a Unix domain socket whose path is in
//! `AETHER_HMR_SOCKET` (the program's stdin and stdout are the user's), one
//! line each, in the format [`super::protocol`] owns.
//!
//! One command replaces any number of modules at once (a module whose
//! interface changed and the modules built against it). Everything that can
//! fail happens first, on the listener thread, while the program runs on:
//! load and validate every library, check that the new set links (every
//! library's imports match), allocate and initialize new or changed state.
//! Only then is the swap applied, at a safe point of the running code (see
//! [`super::gate`]): `@before_reload` hooks of the replaced libraries run,
//! the new generation (functions and state addresses) is published with one
//! atomic store, `@on_reload` hooks of the new libraries run. A failure
//! before that leaves the old code and state running and prints why.
//!
//! A runtime error (panic) in Aether code is caught at every module boundary
//! and unwinds, as an error, to `main`'s shim. With the supervisor connected
//! the process then keeps running: `main` has stopped, the state stays, and
//! after the next successful reload `main` is called again (a game loop in
//! `main` resumes with its state; its locals start afresh).
//!
//! This file starts the program and holds what every part shares (the
//! [`Host`], the program lock and its hooks); `host/reload.rs` is the reload
//! transaction and its rollback, `host/saved.rs` the state file of a hot
//! restart.
#![allow(unsafe_code)]

mod reload;
mod restart;
mod saved;
mod tune;

use super::protocol::{Command, Reply, RESTORE_ENV, SOCKET_ENV};
use super::{FnTables, Gate, LoadedModule, Loader, ModuleId, StatePlan, States};
use crate::abi::{fingerprint, CallTable, Guarded, HostHooks, ModuleDescriptor};
use reload::Rollback;
use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// One module, as the host was generated for it.
#[derive(Debug)]
pub struct ModuleSpec {
    pub name: &'static str,
    /// The `.ae` file, for messages.
    pub file: &'static str,
    /// Where cargo builds the library (unused for a linked module).
    pub library: &'static str,
    /// A module excluded from reloading (`@no_hmr`, `hmr-exclude`) is linked
    /// into the host: its descriptor, reached without loading anything.
    pub linked: Option<extern "C" fn() -> *const ModuleDescriptor>,
}

/// The program: its modules in table order and which one has `main`.
#[derive(Debug)]
pub struct ProgramSpec {
    pub modules: &'static [ModuleSpec],
    pub entry_module: usize,
    /// Module indices, imports before importers: the order state
    /// initializers run in.
    pub init_order: &'static [usize],
}

/// Load everything, start listening for reloads, run `main`; the exit status.
pub fn run(program: &'static ProgramSpec) -> i32 {
    eprintln!("[aether] hot reloading is ON: modules are shared libraries; edit a .ae file to swap it in");
    let host = match start(program) {
        Ok(host) => host,
        Err(message) => {
            eprintln!("error: the program cannot start: {message}");
            return 1;
        }
    };
    let _ = MAIN_THREAD.set(std::thread::current().id());
    loop {
        let Some(main) = host.entry_main(program.entry_module) else {
            eprintln!("error: the program has no `fn main()` to run");
            return 1;
        };
        let started = host.tables.generation();
        GATE.acquire();
        // `main` starts afresh: a restart a reload asked of a `main` that
        // had already stopped (with an error, waiting for this fix) is moot,
        // and would run the new `main`'s first steps twice.
        if RESTART_MAIN.swap(false, Ordering::AcqRel) {
            host.tables.lower_flags_unless_pending();
        }
        let outcome = main.call();
        GATE.release();
        match outcome {
            Ok(None) => {
                crate::prelude::flush_stdout();
                return 0;
            }
            // As the static build says it; under the supervisor, like a
            // runtime error, the program waits for a fix.
            Ok(Some(error)) => {
                crate::prelude::flush_stdout();
                eprintln!("error: {error}");
                if !host.listening.load(Ordering::Acquire) {
                    return 1;
                }
                eprintln!(
                    "[aether] `main` returned the error above; the program keeps running with its state: fix the \
                     code and save, and `main` starts again"
                );
                wait_for_next_reload(host);
            }
            Err(e) if e.message == crate::abi::RESTART_MAIN => {
                eprintln!("[aether] `main` changed: it starts again with the new code (state kept)");
            }
            // `main`'s own loop was old code left at a back-edge.
            Err(e) if crate::abi::restart_target(&e.message).is_some() => {
                eprintln!("[aether] `main` changed while it ran: it starts again with the new code (state kept)");
            }
            // The panic hook of the module that panicked printed the error.
            Err(e) if host.listening.load(Ordering::Acquire) => {
                crate::prelude::flush_stdout();
                if e.message.contains(crate::abi::STALE) && host.tables.generation() != started {
                    // Old code of this `main` met the new code (a changed
                    // signature or state declaration): not a bug to fix.
                    eprintln!("[aether] `main` starts again with the new code (state kept)");
                    continue;
                }
                if host.roll_back_if_recent(&e.message) {
                    continue;
                }
                eprintln!(
                    "[aether] `main` stopped with the runtime error above; the program keeps running with its \
                     state: fix the code and save, and `main` starts again"
                );
                wait_for_next_reload(host);
            }
            Err(_) => return 101,
        }
    }
}

/// Wait for the next reload from now on, not one that landed while `main`
/// ran (the generation `main` started at may be older than that).
fn wait_for_next_reload(host: &Host) {
    let stopped = host.tables.generation();
    while host.tables.generation() == stopped {
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("[aether] `main` starts again (state kept)");
}

/// Load every module, publish the table, run the state initializers, and
/// (under the supervisor) start listening for reloads. Once per process.
fn start(program: &'static ProgramSpec) -> Result<&'static Host, String> {
    let names = program.modules.iter().map(|m| m.name.to_string()).collect();
    let hooks = HostHooks {
        yield_to_reload,
        release: release_gate,
        acquire: acquire_gate,
        unwind_requested,
        restarted,
        stale_call,
        restart_due,
        tunable: super::tunables::tunable_hook,
    };
    let tables = FnTables::new(names, hooks);
    let _ = TABLE.set(tables.call_table());
    // This image's own cell: bindings of a Rust host call through it.
    crate::abi::HOST.set(tables.call_table());
    let host: &'static Host = Box::leak(Box::new(Host {
        program,
        loader: Loader::in_temp_dir(),
        tables,
        states: Mutex::new(SharedStates(States::new())),
        listening: AtomicBool::new(false),
        last_reload: Mutex::new(None),
        reply: Mutex::new(None),
        swapping: Mutex::new(()),
    }));
    let _ = HOST_REF.set(host);
    // Before any library runs: state initializers may read constants.
    super::tunables::load_from_env();
    host.load_all()?;
    if let Some(socket) = std::env::var_os(SOCKET_ENV).filter(|s| !s.is_empty()) {
        host.start_listening(&PathBuf::from(socket));
    }
    Ok(host)
}

/// A Rust host's call into Aether holds the program lock while this lives.
#[derive(Debug)]
pub struct Entered(());

impl Drop for Entered {
    #[inline]
    fn drop(&mut self) {
        GATE.release();
    }
}

/// Set once the runtime has started (for [`enter`]'s fast path).
static RUNNING: AtomicBool = AtomicBool::new(false);

/// For the bindings of a Rust host crate under `--hmr`: start the runtime
/// on first use (loading the module libraries of `program`), then take the
/// program lock for one call. Calls from many threads are serialized; a
/// reload waits for the calls in flight. Panics if the runtime cannot start
/// (a library is missing or refused), like a failed call would.
///
/// Inlined into each binding (issue #14): on the common path it is two
/// relaxed loads and the biased gate's plain stores.
#[inline(always)]
pub fn enter(program: &'static ProgramSpec) -> Entered {
    if !RUNNING.load(Ordering::Acquire) {
        start_once(program);
    }
    // A reload waiting for the calls in flight goes first: new calls wait
    // until it is applied (unless this thread is inside a call already).
    // This image's flag is raised with every library's while one waits.
    if crate::abi::PENDING.load(Ordering::Relaxed) {
        wait_while_a_reload_is_pending();
    }
    GATE.acquire();
    Entered(())
}

#[cold]
#[inline(never)]
fn start_once(program: &'static ProgramSpec) {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    let started = STARTED.get_or_init(|| {
        eprintln!(
            "[aether] hot reloading is ON: the Aether modules are shared libraries; edit a .ae file to swap it in"
        );
        start(program).map(|_| ())
    });
    if let Err(message) = started {
        panic!("the Aether modules cannot start: {message}");
    }
    RUNNING.store(true, Ordering::Release);
}

#[cold]
#[inline(never)]
fn wait_while_a_reload_is_pending() {
    if let Some(table) = TABLE.get() {
        while table.is_pending() && !GATE.held_by_me() {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// A Rust host's call into Aether under `--hmr` (what its bindings run):
/// `f` under the program lock, its runtime error as an `Err`. Within the
/// grace window after a reload, a runtime error rolls the reload back (as
/// for `main`, docs/hmr.md) and `f` runs again in the previous code, so the
/// host gets that code's value. A call from inside Aether code (a host
/// function calling back in) is never rolled back under its caller.
///
/// `f` returns the callee's runtime error rather than raising it (the
/// bindings' trampolines call [`crate::abi::try_call_shim`]), so the common
/// path has no `catch_unwind` of its own and is inlined whole into the
/// binding: the lock, one indirect call, the release (issue #14).
#[inline(always)]
pub fn call<R>(
    program: &'static ProgramSpec,
    mut f: impl FnMut() -> Result<R, crate::abi::PanicInfo>,
) -> Result<R, crate::abi::PanicInfo> {
    match call_once(program, &mut f) {
        Ok(value) => Ok(value),
        Err(error) => call_again_after(program, f, error),
    }
}

/// `f` once under the program lock.
#[inline(always)]
fn call_once<R>(
    program: &'static ProgramSpec,
    f: &mut impl FnMut() -> Result<R, crate::abi::PanicInfo>,
) -> Result<R, crate::abi::PanicInfo> {
    let _entered = enter(program);
    f()
}

/// [`call`] after `f` failed: roll a recent reload back and run `f` again
/// in the previous code, for as long as that helps. Out of line, so the
/// common path of a binding stays small.
#[cold]
#[inline(never)]
fn call_again_after<R>(
    program: &'static ProgramSpec,
    mut f: impl FnMut() -> Result<R, crate::abi::PanicInfo>,
    mut error: crate::abi::PanicInfo,
) -> Result<R, crate::abi::PanicInfo> {
    loop {
        let outermost = !GATE.held_by_me();
        match HOST_REF.get() {
            Some(host)
                if outermost && host.listening.load(Ordering::Acquire) && host.roll_back_if_recent(&error.message) => {}
            _ => return Err(error),
        }
        match call_once(program, &mut f) {
            Ok(value) => return Ok(value),
            Err(again) => error = again,
        }
    }
}

/// The program's `main`, as the host calls it.
#[derive(Clone, Copy)]
enum EntryMain {
    /// `fn main()`.
    Unit(extern "C" fn() -> Guarded<()>),
    /// `fn main() -> ()!`: an `err` it returns is the program's error.
    /// `Result` is not `#[repr(C)]`, but the host and the libraries are
    /// built by one toolchain, as for every value the shims pass.
    #[allow(improper_ctypes_definitions)]
    Fallible(extern "C" fn() -> Guarded<Result<(), crate::Error>>),
}

impl EntryMain {
    /// Run it: `Ok(None)` when it returned, `Ok(Some(e))` when it returned
    /// `err(e)`, `Err` when it failed (a runtime error, a restart).
    fn call(self) -> Result<Option<crate::Error>, crate::abi::PanicInfo> {
        match self {
            EntryMain::Unit(main) => main().into_result().map(|()| None),
            EntryMain::Fallible(main) => main().into_result().map(Result::err),
        }
    }
}

/// The fingerprint of `fn name()` as the code generator writes it: the
/// entry's name and its signature.
fn unit_fn_fingerprint(name: &str) -> u64 {
    fingerprint(&format!("{name}: fn() -> ()"))
}

/// The program lock (see [`super::gate`]).
static GATE: Gate = Gate::new();
/// The call table, for the lock hooks (which the ABI passes no argument).
static TABLE: OnceLock<&'static CallTable> = OnceLock::new();

thread_local! {
    /// Set on the thread applying a reload: its hooks and initializers call
    /// Aether code, whose safe points must not wait for that same reload.
    static APPLYING: Cell<bool> = const { Cell::new(false) };
}

extern "C" fn yield_to_reload() {
    if APPLYING.with(Cell::get) {
        return;
    }
    set_calls_aside();
    GATE.release_all();
    if let Some(table) = TABLE.get() {
        while table.is_pending() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    GATE.restore();
    take_calls_back();
}

thread_local! {
    /// This thread's calls in progress while it has given the program lock
    /// up (`abi::CallTable::calls` belongs to the thread holding it).
    static CALLS_ASIDE: Cell<*const crate::abi::Call> = const { Cell::new(std::ptr::null()) };
}

fn set_calls_aside() {
    if let Some(table) = TABLE.get() {
        let mine = table.swap_calls(std::ptr::null());
        CALLS_ASIDE.with(|c| c.set(mine));
    }
}

fn take_calls_back() {
    if let Some(table) = TABLE.get() {
        table.swap_calls(CALLS_ASIDE.with(|c| c.replace(std::ptr::null())));
    }
}

/// The shim of the outermost call in progress on this thread whose code a
/// reload replaced (its library's stale flag is raised), or null; null too
/// while such a call may still end on its own (`host/restart.rs`), unless
/// `at_once` (its old code cannot go on: a slot is empty for it).
extern "C" fn stale_call(at_once: bool) -> *const std::ffi::c_void {
    let (Some(table), Some(host)) = (TABLE.get(), HOST_REF.get()) else { return std::ptr::null() };
    if !at_once && !restart::due() {
        return std::ptr::null();
    }
    let mut outermost = std::ptr::null();
    let mut call = table.calls();
    while !call.is_null() {
        // SAFETY: the list is this thread's (it holds the program lock):
        // each `Call` lives in a trampoline frame below us on this stack,
        // which unlinks it before it returns.
        let this = unsafe { &*call };
        if host.tables.is_stale(this.callee) {
            outermost = this.callee;
        }
        call = this.outer;
    }
    outermost
}

/// Whether a loop of replaced code is to start again now
/// (`host/restart.rs`).
extern "C" fn restart_due() -> bool {
    restart::due()
}

/// The thread that runs `main` (of a generated host).
static MAIN_THREAD: OnceLock<std::thread::ThreadId> = OnceLock::new();
/// Set by a reload that changed `main`: the running `main` unwinds at its
/// next call and starts again with the new code.
static RESTART_MAIN: AtomicBool = AtomicBool::new(false);
static HOST_REF: OnceLock<&'static Host> = OnceLock::new();

extern "C" fn unwind_requested() -> bool {
    if MAIN_THREAD.get() != Some(&std::thread::current().id()) || !RESTART_MAIN.swap(false, Ordering::AcqRel) {
        return false;
    }
    if let Some(host) = HOST_REF.get() {
        host.tables.set_flags(false);
    }
    true
}

/// A running call of old code started again with the new code
/// (`abi::call_restartable`).
extern "C" fn restarted(what: crate::abi::Str) {
    let (ptr, len) = what.raw_parts();
    // SAFETY: generated code passes a `Str` made from a `&'static str` of a
    // library that is never unloaded.
    let what = std::str::from_utf8(unsafe { std::slice::from_raw_parts(ptr, len) }).unwrap_or("?");
    eprintln!(
        "[aether] `{what}` changed while it ran: it starts again with the new code (state and its arguments kept, \
         its locals start afresh)"
    );
}

extern "C" fn release_gate() {
    if !APPLYING.with(Cell::get) {
        set_calls_aside();
        GATE.release_all();
    }
}

extern "C" fn acquire_gate() {
    if !APPLYING.with(Cell::get) {
        GATE.restore();
        take_calls_back();
    }
}

struct Host {
    program: &'static ProgramSpec,
    loader: Loader,
    tables: FnTables,
    states: Mutex<SharedStates>,
    /// Connected to the supervisor: reloads can come.
    listening: AtomicBool,
    /// What the last reload replaced, to roll it back if its code fails
    /// within the grace window.
    last_reload: Mutex<Option<Rollback>>,
    /// The way back to the supervisor (rollbacks, saved state).
    reply: Mutex<Option<Box<dyn Write + Send>>>,
    /// Held by whoever stops the program at a safe point (a reload, a tune,
    /// a state save, a restart's deadline): one at a time.
    swapping: Mutex<()>,
}

/// `States` holds raw pointers to the values it owns, so it is not `Send`
/// by itself.
struct SharedStates(States);

// SAFETY: the values behind the pointers are owned by `States` alone (the
// module libraries reach them through the published table), every access from
// the host goes through the mutex, and Aether code runs under the gate.
unsafe impl Send for SharedStates {}

impl std::ops::Deref for SharedStates {
    type Target = States;
    fn deref(&self) -> &States {
        &self.0
    }
}

impl std::ops::DerefMut for SharedStates {
    fn deref_mut(&mut self) -> &mut States {
        &mut self.0
    }
}

impl Host {
    /// The first generation: every module, all or nothing. Functions and
    /// zeroed state are published first, then the state initializers run in
    /// module dependency order, so an initializer may call functions and read
    /// other state (as in the static build, a state read before its
    /// initializer ran holds its type's zero value).
    fn load_all(&self) -> Result<(), String> {
        let mut loaded = Vec::new();
        for i in 0..self.program.modules.len() {
            loaded.push(self.load(i, None)?);
        }
        let mut plans: Vec<StatePlan> = Vec::new();
        let mut update = self.tables.update();
        {
            let states = self.lock_states();
            for (i, module) in loaded.into_iter().enumerate() {
                let plan = states.prepare(&module).map_err(|e| e.to_string())?;
                update.replace(ModuleId(i), module).map_err(|e| e.to_string())?;
                update.set_states(ModuleId(i), plan.addresses()).map_err(|e| e.to_string())?;
                plans.push(plan);
            }
        }
        update.publish().map_err(|e| e.to_string())?;
        // A hot restart: the values the previous process saved.
        let restored = std::env::var_os(RESTORE_ENV).map(|p| saved::read(Path::new(&p))).unwrap_or_default();
        GATE.acquire();
        let mut result = Ok(());
        for &i in self.program.init_order {
            let name = self.program.modules.get(i).map_or("", |m| m.name);
            let saved = restored.get(name).cloned().unwrap_or_default();
            if let Some(plan) = plans.get_mut(i) {
                if let Err(e) = plan.initialize_from(&saved) {
                    result = Err(e.to_string());
                    break;
                }
            }
        }
        GATE.release();
        result?;
        let mut states = self.lock_states();
        let mut tally = (0, 0, 0, 0);
        for plan in plans {
            let report = plan.commit(&mut states);
            if !restored.is_empty() {
                tally.0 += report.migrated.len();
                tally.1 += report.reset.len();
                tally.2 += report.new.len();
                tally.3 += report.kept.len();
                for w in &report.warnings {
                    eprintln!("[aether] warning: {w}");
                }
            }
        }
        if !restored.is_empty() {
            eprintln!(
                "[aether] hot restart: state carried over from the previous run (kept: {}, migrated: {}, reset: {}, new: {})",
                tally.3, tally.0, tally.1, tally.2
            );
        }
        Ok(())
    }

    /// Load module `i` from `path` (its built library by default), or take
    /// its linked descriptor.
    fn load(&self, i: usize, path: Option<&Path>) -> Result<LoadedModule, String> {
        let spec = self.program.modules.get(i).ok_or_else(|| format!("no module with index {i}"))?;
        if let Some(linked) = spec.linked {
            if path.is_some() {
                return Err(format!(
                    "{} is excluded from hot reloading (`@no_hmr` or `hmr-exclude`): restart to use the change",
                    spec.file
                ));
            }
            return super::loader::read_descriptor(linked(), Path::new(spec.file), spec.name)
                .map_err(|e| e.to_string());
        }
        let path = path.unwrap_or(Path::new(spec.library));
        self.loader.load(path, spec.name).map_err(|e| e.to_string())
    }

    /// A `fn()`-shaped Aether function of module `m`, checked against its
    /// signature fingerprint.
    fn function(&self, m: usize, name: &str) -> Option<extern "C" fn() -> Guarded<()>> {
        let module = self.tables.current(ModuleId(m))?;
        let (_, f) = module.function(name)?;
        if f.signature_fingerprint != unit_fn_fingerprint(name) {
            return None;
        }
        // SAFETY: the signature fingerprint says the shim is
        // `extern "C" fn() -> Guarded<()>`.
        Some(unsafe { std::mem::transmute::<*const std::ffi::c_void, extern "C" fn() -> Guarded<()>>(f.ptr.as_ptr()) })
    }

    /// The entry module's `main`, `fn main()` or `fn main() -> ()!`,
    /// checked against its signature fingerprint.
    fn entry_main(&self, m: usize) -> Option<EntryMain> {
        if let Some(main) = self.function(m, "main") {
            return Some(EntryMain::Unit(main));
        }
        let module = self.tables.current(ModuleId(m))?;
        let (_, f) = module.function("main")?;
        if f.signature_fingerprint != fingerprint(crate::abi::FALLIBLE_MAIN_SIGNATURE) {
            return None;
        }
        // SAFETY: the signature fingerprint says the shim is
        // `extern "C" fn() -> Guarded<Result<(), Error>>`: both sides are
        // built by one toolchain, as every value crossing libraries is.
        Some(EntryMain::Fallible(unsafe {
            std::mem::transmute::<*const std::ffi::c_void, extern "C" fn() -> Guarded<Result<(), crate::Error>>>(
                f.ptr.as_ptr(),
            )
        }))
    }

    /// Run hooks (indices into `module`'s functions); a failing hook is
    /// reported and the others still run.
    fn run_hooks(&self, module: &LoadedModule, hooks: &[usize], what: &str, file: &str) {
        for &h in hooks {
            let Some(f) = module.functions.get(h) else { continue };
            if f.signature_fingerprint != unit_fn_fingerprint(&f.name) {
                eprintln!("[aether] the {what} hook `{}` of {file} must be `fn {}()`; skipped", f.name, f.name);
                continue;
            }
            // SAFETY: checked above: the shim of a `fn()`.
            let hook: extern "C" fn() -> Guarded<()> = unsafe { std::mem::transmute(f.ptr.as_ptr()) };
            if hook().into_result().is_err() {
                eprintln!("[aether] the {what} hook `{}` of {file} failed (error above); the reload goes on", f.name);
            }
        }
    }

    fn lock_states(&self) -> std::sync::MutexGuard<'_, SharedStates> {
        self.states.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Connects to the supervisor's reload channel before `main` runs, then
    /// reads its commands on a thread of its own. Connecting here, not on
    /// that thread, is what makes a `main` that fails at once wait for a
    /// fix: `run` decides between waiting and exiting by `listening`, and a
    /// fast `main` used to fail before the thread had connected (the
    /// program then exited with 101, seen on CI's faster machine).
    fn start_listening(&'static self, socket: &Path) {
        let stream = match connect(socket) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "[aether] cannot reach the reload channel {} ({e}); running without reloads",
                    socket.display()
                );
                return;
            }
        };
        if let Ok(writer) = stream.try_clone() {
            *self.reply.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(writer));
        }
        let spawned = std::thread::Builder::new().name("aether-hmr-reload".into()).spawn(move || self.listen(stream));
        match spawned {
            Ok(_) => self.listening.store(true, Ordering::Release),
            Err(e) => eprintln!("[aether] cannot start the reload listener ({e}); running without reloads"),
        }
    }

    fn listen(&self, stream: impl std::io::Read) {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            match line.parse() {
                Ok(Command::Reload { saved_ms, changed, restart_main, modules }) => {
                    self.reload(&modules, saved_ms, changed, restart_main)
                }
                Ok(Command::Save { path }) => self.save_state(&path),
                Ok(Command::Tune { saved_ms, values }) => self.tune(&values, saved_ms),
                Err(_) => eprintln!("[aether] ignored a malformed command: {line}"),
            }
        }
        // The supervisor is gone (killed, or crashed): without it nothing
        // watches the sources, and an orphaned program would run unseen.
        crate::prelude::flush_stdout();
        eprintln!("[aether] the `cargo aether run --hmr` that started this program is gone; stopping");
        std::process::exit(1);
    }

    fn send_reply(&self, reply: &Reply) {
        if let Some(w) = self.reply.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            let _ = w.write_all(format!("{reply}\n").as_bytes());
            let _ = w.flush();
        }
    }
}

#[cfg(unix)]
fn connect(socket: &Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    std::os::unix::net::UnixStream::connect(socket)
}

#[cfg(not(unix))]
fn connect(_socket: &Path) -> std::io::Result<std::fs::File> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "reloads need Unix domain sockets"))
}

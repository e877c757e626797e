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
#![allow(unsafe_code)]

use super::protocol::{self, now_ms, Command, Reply, RESTORE_ENV, SOCKET_ENV};
use super::{FnTables, Gate, LoadedModule, Loader, ModuleId, StatePlan, StateReport, States};
use crate::abi::{fingerprint, CallTable, Guarded, HostHooks, ModuleDescriptor};
use std::cell::Cell;
use std::collections::HashMap;
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
        let Some(main) = host.function(program.entry_module, "main") else {
            eprintln!("error: the program has no `fn main()` to run");
            return 1;
        };
        let started = host.tables.generation();
        GATE.acquire();
        let outcome = main().into_result();
        GATE.release();
        match outcome {
            Ok(()) => {
                crate::prelude::flush_stdout();
                return 0;
            }
            Err(e) if e.message == crate::abi::RESTART_MAIN => {
                eprintln!("[aether] `main` changed: it starts again with the new code (state kept)");
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
                if host.roll_back_if_recent() {
                    continue;
                }
                eprintln!(
                    "[aether] `main` stopped with the runtime error above; the program keeps running with its \
                     state: fix the code and save, and `main` starts again"
                );
                while host.tables.generation() == started {
                    std::thread::sleep(Duration::from_millis(20));
                }
                eprintln!("[aether] `main` starts again (state kept)");
            }
            Err(_) => return 101,
        }
    }
}

/// Load every module, publish the table, run the state initializers, and
/// (under the supervisor) start listening for reloads. Once per process.
fn start(program: &'static ProgramSpec) -> Result<&'static Host, String> {
    let names = program.modules.iter().map(|m| m.name.to_string()).collect();
    let hooks = HostHooks { yield_to_reload, release: release_gate, acquire: acquire_gate, unwind_requested };
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
    }));
    let _ = HOST_REF.set(host);
    host.load_all()?;
    if let Some(socket) = std::env::var_os(SOCKET_ENV).filter(|s| !s.is_empty()) {
        let socket = PathBuf::from(socket);
        let spawned = std::thread::Builder::new().name("aether-hmr-reload".into()).spawn(move || host.listen(&socket));
        if let Err(e) = spawned {
            eprintln!("[aether] cannot start the reload listener ({e}); running without reloads");
        }
    }
    Ok(host)
}

/// A Rust host's call into Aether holds the program lock while this lives.
#[derive(Debug)]
pub struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        GATE.release();
    }
}

/// For the bindings of a Rust host crate under `--hmr`: start the runtime
/// on first use (loading the module libraries of `program`), then take the
/// program lock for one call. Calls from many threads are serialized; a
/// reload waits for the calls in flight. Panics if the runtime cannot start
/// (a library is missing or refused), like a failed call would.
pub fn enter(program: &'static ProgramSpec) -> Entered {
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
    // A reload waiting for the calls in flight goes first: new calls wait
    // until it is applied (unless this thread is inside a call already).
    if let Some(table) = TABLE.get() {
        while table.is_pending() && !GATE.held_by_me() {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    GATE.acquire();
    Entered(())
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
    GATE.release_all();
    if let Some(table) = TABLE.get() {
        while table.is_pending() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    GATE.restore();
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

extern "C" fn release_gate() {
    if !APPLYING.with(Cell::get) {
        GATE.release_all();
    }
}

extern "C" fn acquire_gate() {
    if !APPLYING.with(Cell::get) {
        GATE.restore();
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
    reply: Mutex<Option<Box<dyn std::io::Write + Send>>>,
}

/// Enough of the program before a reload to go back to it.
struct Rollback {
    at: std::time::Instant,
    files: Vec<&'static str>,
    indices: Vec<usize>,
    /// Per replaced row: the old library, its state addresses, its cells.
    rows: Vec<(usize, LoadedModule, Vec<*mut std::ffi::c_void>, super::Snapshot)>,
    /// Kept states (shared memory): their values at the swap, as text, and
    /// how to put them back (the old library's `migrate`).
    kept: Vec<(String, *mut std::ffi::c_void, super::LoadedState)>,
}

// SAFETY: the pointers are addresses of runtime-owned state values, used
// only under the program lock.
unsafe impl Send for Rollback {}

/// The grace window: a runtime error in `main` this soon after a reload
/// rolls the reload back (`AETHER_HMR_GRACE_MS`, default 2000; 0 turns it
/// off).
fn grace() -> Duration {
    let ms = std::env::var("AETHER_HMR_GRACE_MS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(2000);
    Duration::from_millis(ms)
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

/// The state addresses row `i` will have in `update`.
fn update_states_of(update: &super::Update<'_>, i: usize) -> Vec<*mut std::ffi::c_void> {
    update.states_of(ModuleId(i))
}

/// What a reload changed, for its report line.
struct Applied {
    files: Vec<&'static str>,
    reports: Vec<(&'static str, StateReport)>,
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
        let restored = std::env::var_os(RESTORE_ENV).map(|p| read_saved(Path::new(&p))).unwrap_or_default();
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
        let mut tally = (0, 0, 0);
        for plan in plans {
            let report = plan.commit(&mut states);
            if !restored.is_empty() {
                tally.0 += report.migrated.len();
                tally.1 += report.reset.len();
                tally.2 += report.new.len();
                for w in &report.warnings {
                    eprintln!("[aether] warning: {w}");
                }
            }
        }
        if !restored.is_empty() {
            eprintln!(
                "[aether] hot restart: state carried over from the previous run (migrated: {}, reset: {}, restored or new: {})",
                tally.0, tally.1, tally.2
            );
        }
        Ok(())
    }

    /// Write every state value (its text form) to `path`, for a hot restart:
    /// `module<TAB>state<TAB>text` per line, escaped. Taken at a safe point.
    fn save_state(&self, path: &Path) {
        self.tables.set_pending(true);
        GATE.acquire();
        APPLYING.with(|a| a.set(true));
        let mut out = String::new();
        for (i, spec) in self.program.modules.iter().enumerate() {
            let Some(module) = self.tables.current(ModuleId(i)) else { continue };
            let ptrs = self.tables.current_states(ModuleId(i));
            for (state, ptr) in module.states.iter().zip(ptrs) {
                if ptr.is_null() {
                    continue;
                }
                if let Ok(text) = (state.save)(ptr.cast_const()).into_result() {
                    let text = protocol::escape(&text.into_string());
                    out.push_str(&format!("{}\t{}\t{text}\n", spec.name, state.name));
                }
            }
        }
        APPLYING.with(|a| a.set(false));
        self.tables.set_pending(false);
        GATE.release();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".partial");
        let written = std::fs::write(&tmp, out).and_then(|()| std::fs::rename(&tmp, path));
        match written {
            Ok(()) => self.send_reply(&Reply::Saved { path: path.to_path_buf() }),
            Err(e) => eprintln!("[aether] cannot save the state to {}: {e}", path.display()),
        }
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

    fn listen(&self, socket: &Path) {
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
        self.listening.store(true, Ordering::Release);
        if let Ok(writer) = stream.try_clone() {
            *self.reply.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(writer));
        }
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            match line.parse() {
                Ok(Command::Reload { saved_ms, changed, restart_main, modules }) => {
                    self.reload(&modules, saved_ms, changed, restart_main)
                }
                Ok(Command::Save { path }) => self.save_state(&path),
                Err(_) => eprintln!("[aether] ignored a malformed command: {line}"),
            }
        }
        // The supervisor is gone (killed, or crashed): without it nothing
        // watches the sources, and an orphaned program would run unseen.
        crate::prelude::flush_stdout();
        eprintln!("[aether] the `cargo aether run --hmr` that started this program is gone; stopping");
        std::process::exit(1);
    }

    fn reload(&self, modules: &[(usize, PathBuf)], saved_ms: u128, changed: usize, restart_main: bool) {
        let files: Vec<&'static str> =
            modules.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect();
        match self.apply(modules, restart_main) {
            Ok(applied) => {
                let ms = now_ms().saturating_sub(saved_ms);
                let (mut kept, mut migrated, mut reset, mut new) = (0, 0, 0, 0);
                for (file, report) in &applied.reports {
                    kept += report.kept.len();
                    migrated += report.migrated.len();
                    reset += report.reset.len();
                    new += report.new.len();
                    for warning in &report.warnings {
                        eprintln!("[aether] warning: {file}: {warning}");
                    }
                    for name in &report.reset {
                        let tick = format!("state `{name}`");
                        if report.warnings.iter().any(|w| w.contains(&tick)) {
                            continue;
                        }
                        eprintln!(
                            "[aether] warning: state `{name}` of {file} changed type and could not be carried over; \
                             reset to its initializer"
                        );
                    }
                }
                let new = if new > 0 { format!(", new: {new}") } else { String::new() };
                eprintln!(
                    "[aether] reloaded {} in {ms} ms ({changed} function{} changed, state kept: {kept}, migrated: {migrated}, reset: {reset}{new})",
                    applied.files.join(", "),
                    if changed == 1 { "" } else { "s" }
                );
            }
            Err(why) => {
                eprintln!("[aether] reload of {} refused; the old code and state keep running:", files.join(", "));
                eprintln!("  {why}");
            }
        }
    }

    /// The transaction: prepare everything, then swap at a safe point.
    fn apply(&self, modules: &[(usize, PathBuf)], restart_main: bool) -> Result<Applied, String> {
        let mut loaded = Vec::new();
        for (i, path) in modules {
            loaded.push((*i, self.load(*i, Some(path))?));
        }
        // Before `update()`, which holds the tables' writer lock.
        let old: Vec<(usize, LoadedModule)> =
            loaded.iter().filter_map(|(i, _)| Some((*i, self.tables.current(ModuleId(*i))?))).collect();
        let old_rows: Vec<(usize, LoadedModule, Vec<*mut std::ffi::c_void>, super::Snapshot)> = {
            let states = self.lock_states();
            old.iter()
                .map(|(i, m)| (*i, m.clone(), self.tables.current_states(ModuleId(*i)), states.snapshot(&m.name)))
                .collect()
        };
        let mut update = self.tables.update();
        let mut plans = Vec::new();
        {
            let states = self.lock_states();
            for (i, module) in &loaded {
                let plan = states.prepare(module).map_err(|e| e.to_string())?;
                update.replace(ModuleId(*i), module.clone()).map_err(|e| e.to_string())?;
                update.set_states(ModuleId(*i), plan.addresses()).map_err(|e| e.to_string())?;
                plans.push((*i, plan));
            }
        }
        update.check().map_err(|e| e.to_string())?;

        // Wait for the running code to reach a safe point, then hold the gate.
        self.tables.set_pending(true);
        GATE.acquire();
        APPLYING.with(|a| a.set(true));
        let result = (|| {
            for (_, plan) in plans.iter_mut() {
                plan.initialize().map_err(|e| e.to_string())?;
            }
            for (i, module) in &old {
                let file = self.program.modules.get(*i).map_or("?", |m| m.file);
                self.run_hooks(module, &module.before_reload, "@before_reload", file);
            }
            // The values of states the new code shares with the old, as they
            // are now: what a rollback puts back.
            let mut kept = Vec::new();
            for (i, module, ptrs, _) in &old_rows {
                let new_ptrs = update_states_of(&update, *i);
                for (s, state) in module.states.iter().enumerate() {
                    let Some(&ptr) = ptrs.get(s) else { continue };
                    if !new_ptrs.contains(&ptr) || ptr.is_null() {
                        continue;
                    }
                    if let Ok(text) = (state.save)(ptr.cast_const()).into_result() {
                        kept.push((text.into_string(), ptr, state.clone()));
                    }
                }
            }
            update.publish().map_err(|e| e.to_string())?;
            *self.last_reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(Rollback {
                at: std::time::Instant::now(),
                files: loaded.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect(),
                indices: loaded.iter().map(|(i, _)| *i).collect(),
                rows: old_rows,
                kept,
            });
            let mut states = self.lock_states();
            let mut reports = Vec::new();
            for (i, plan) in plans {
                let file = self.program.modules.get(i).map_or("?", |m| m.file);
                reports.push((file, plan.commit(&mut states)));
            }
            drop(states);
            for (i, module) in &loaded {
                let file = self.program.modules.get(*i).map_or("?", |m| m.file);
                self.run_hooks(module, &module.on_reload, "@on_reload", file);
            }
            let files = loaded.iter().map(|(i, _)| self.program.modules.get(*i).map_or("?", |m| m.file)).collect();
            Ok(Applied { files, reports })
        })();
        APPLYING.with(|a| a.set(false));
        self.tables.set_pending(false);
        if restart_main && result.is_ok() && MAIN_THREAD.get().is_some() {
            // The running `main` unwinds at its next call (see
            // `unwind_requested`) and starts again with the new code.
            RESTART_MAIN.store(true, Ordering::Release);
            self.tables.set_flags(true);
        }
        GATE.release();
        result
    }

    /// After `main` failed: if a reload landed within the grace window, put
    /// the program back as it was before it (old code, and the state values
    /// as they were at the swap) and say so. True when it rolled back.
    fn roll_back_if_recent(&self) -> bool {
        let record = {
            let mut last = self.last_reload.lock().unwrap_or_else(|p| p.into_inner());
            match last.as_ref() {
                Some(r) if r.at.elapsed() <= grace() => last.take(),
                _ => None,
            }
        };
        let Some(record) = record else { return false };
        GATE.acquire();
        let mut update = self.tables.update();
        let mut ok = true;
        for (i, module, ptrs, _) in &record.rows {
            ok &= update.replace(ModuleId(*i), module.clone()).is_ok();
            ok &= update.set_states(ModuleId(*i), ptrs.clone()).is_ok();
        }
        let published = ok && update.publish().is_ok();
        if published {
            for (text, ptr, state) in &record.kept {
                let _ =
                    (state.migrate)(text.as_ptr(), text.len(), *ptr).into_result().map(|m| m.warnings.into_string());
            }
            let mut states = self.lock_states();
            for (_, _, _, snapshot) in record.rows {
                states.restore(snapshot);
            }
        }
        GATE.release();
        if !published {
            eprintln!("[aether] the previous version could not be put back; the program keeps the new code");
            return false;
        }
        eprintln!(
            "[aether] the new code of {} failed within {} ms of the reload: rolled back to the previous version, \
             state restored as it was at the reload; save again to retry",
            record.files.join(", "),
            grace().as_millis()
        );
        self.send_reply(&Reply::RolledBack { modules: record.indices });
        true
    }

    fn send_reply(&self, reply: &Reply) {
        if let Some(w) = self.reply.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            let _ = w.write_all(format!("{reply}\n").as_bytes());
            let _ = w.flush();
        }
    }
}

/// A state file written by `save_state`: module → state → text. A file that
/// cannot be read restores nothing (every state starts at its initializer).
fn read_saved(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("[aether] warning: cannot read the saved state {}; starting afresh", path.display());
        return out;
    };
    for line in text.lines() {
        let mut fields = line.splitn(3, '\t');
        if let (Some(m), Some(s), Some(v)) = (fields.next(), fields.next(), fields.next()) {
            out.entry(m.to_string()).or_default().insert(s.to_string(), protocol::unescape(v));
        }
    }
    out
}

#[cfg(unix)]
fn connect(socket: &Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    std::os::unix::net::UnixStream::connect(socket)
}

#[cfg(not(unix))]
fn connect(_socket: &Path) -> std::io::Result<std::fs::File> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "reloads need Unix domain sockets"))
}

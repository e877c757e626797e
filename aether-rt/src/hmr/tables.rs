//! The host's side of the function table: which library each module's row of
//! the [`CallTable`] comes from, and all-or-nothing updates.
//!
//! Modules are in program order; each module's row holds its functions and
//! its state addresses in its descriptor's order, so generated code calls
//! `table.lookup(m, f)` and reads `table.state(m, s)` with constant indices.
//! An [`Update`] prepares a whole new generation (any number of modules
//! replaced), and [`Update::publish`] checks that every library's imports
//! match the interfaces of the modules in the new set before it makes the
//! set current with one atomic store. Dropping an `Update` without
//! publishing changes nothing.

use super::loader::{FnPtr, LoadedModule};
use crate::abi::{CallTable, HostHooks, Row, TableView, HOST_ROW};
use std::collections::HashMap;
use std::ffi::c_void;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The program's function tables.
#[derive(Debug)]
pub struct FnTables {
    table: &'static CallTable,
    names: Vec<String>,
    writer: Mutex<Published>,
    /// The "reload pending" flag of every library ever published (and of
    /// this image): raised together, so running code of any version sees it.
    flags: Mutex<Vec<&'static AtomicBool>>,
    /// The own flags of the published libraries that are not their
    /// module's current version: kept raised ([`FnTables::set_flags`]).
    superseded: Mutex<Vec<&'static AtomicBool>>,
    /// The swap count of every library published (and of this image):
    /// set to the generation at each swap (`abi::EPOCH`).
    epochs: Mutex<Vec<&'static std::sync::atomic::AtomicU64>>,
    /// Every published function's shim, to its library's stale flag.
    stale: Mutex<HashMap<usize, &'static AtomicBool>>,
}

/// A module's index in the table (its position in the program).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleId(pub usize);

/// A generation being prepared; holds the writer lock, so updates never
/// interleave.
#[derive(Debug)]
pub struct Update<'a> {
    tables: &'a FnTables,
    guard: MutexGuard<'a, Published>,
    modules: Vec<Option<LoadedModule>>,
    states: Vec<Vec<StatePtr>>,
}

/// Why a generation cannot be published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwapError {
    UnknownModule(ModuleId),
    WrongModule {
        slot: String,
        found: String,
    },
    /// A module's library was built against an interface of `import` that
    /// is not the one in the new set.
    StaleImport {
        module: String,
        import: String,
    },
    /// A module imports one that is not in the program.
    MissingImport {
        module: String,
        import: String,
    },
    /// A module's state addresses do not match its state declarations.
    StateCount {
        module: String,
    },
}

impl fmt::Display for SwapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwapError::UnknownModule(id) => write!(f, "no module with index {}", id.0),
            SwapError::WrongModule { slot, found } => write!(f, "module `{found}` cannot replace `{slot}`"),
            SwapError::StaleImport { module, import } if module == HOST_ROW || import == HOST_ROW => {
                let changed = if module == HOST_ROW { import } else { module };
                write!(
                    f,
                    "the Rust host compiles against `{changed}` (its types, constants, signatures or `extern fn`s), \
                     which changed; restart `cargo aether run --hmr` to rebuild the host"
                )
            }
            SwapError::StaleImport { module, import } => write!(
                f,
                "module `{module}` was built against another version of `{import}`'s interface; \
                 both must be rebuilt and swapped together"
            ),
            SwapError::MissingImport { module, import } => {
                write!(f, "module `{module}` needs module `{import}`, which the program does not have")
            }
            SwapError::StateCount { module } => write!(f, "module `{module}` got the wrong number of state values"),
        }
    }
}

impl std::error::Error for SwapError {}

impl FnTables {
    /// Tables for the modules `names` (in program order), nothing loaded
    /// yet; `hooks` are the host's program-lock functions.
    pub fn new(names: Vec<String>, hooks: HostHooks) -> FnTables {
        let table: &'static CallTable = Box::leak(Box::new(CallTable::with_hooks(hooks)));
        let n = names.len();
        FnTables {
            table,
            names,
            writer: Mutex::new(Published {
                generation: 0,
                modules: vec![None; n],
                previous: vec![None; n],
                states: vec![Vec::new(); n],
                every: Vec::new(),
            }),
            flags: Mutex::new(vec![&crate::abi::PENDING]),
            superseded: Mutex::new(Vec::new()),
            epochs: Mutex::new(vec![&crate::abi::EPOCH]),
            stale: Mutex::new(HashMap::new()),
        }
    }

    /// The table generated code calls through (stored in every library's
    /// [`crate::abi::HOST`] on publish).
    pub fn call_table(&self) -> &'static CallTable {
        self.table
    }

    pub fn module_id(&self, name: &str) -> Option<ModuleId> {
        self.names.iter().position(|n| n == name).map(ModuleId)
    }

    /// The function pointer at `(m, f)` in the current generation.
    pub fn get(&self, m: ModuleId, f: usize) -> Option<*const c_void> {
        let ptr = self.table.lookup(m.0, f);
        (!ptr.is_null()).then_some(ptr)
    }

    pub fn generation(&self) -> u64 {
        self.table.generation()
    }

    /// The library currently published for `m`.
    pub fn current(&self, m: ModuleId) -> Option<LoadedModule> {
        self.lock().modules.get(m.0).cloned().flatten()
    }

    /// The state addresses currently published for `m`.
    pub fn current_states(&self, m: ModuleId) -> Vec<*mut c_void> {
        self.lock().states.get(m.0).map(|s| s.iter().map(|p| p.0).collect()).unwrap_or_default()
    }

    /// Start preparing the next generation from the current one.
    pub fn update(&self) -> Update<'_> {
        let guard = self.lock();
        let modules = guard.modules.clone();
        let states = guard.states.clone();
        Update { tables: self, guard, modules, states }
    }

    /// Whether the function whose shim is `shim` (of any library ever
    /// published) has been replaced by a version with another body.
    pub fn is_stale(&self, shim: *const c_void) -> bool {
        let stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        stale.get(&(shim as usize)).is_some_and(|flag| flag.load(Ordering::Acquire))
    }

    /// The old libraries nothing can reach any more, taken out of the
    /// tables (issue #14): neither current nor the previous version of
    /// their module (what a rollback needs), not pinned (they cannot have
    /// made a function value), and no call of their code in progress on any
    /// thread (their shims' count, `abi::ACTIVE`, is zero). Call it while
    /// holding the program lock, so no call starts meanwhile; then close each
    /// one ([`super::loader::unload`]) after forgetting what else points into
    /// it (state values only its code can drop).
    pub fn unloadable(&self) -> Vec<LoadedModule> {
        let mut guard = self.lock();
        let same = |a: &LoadedModule, b: &LoadedModule| a.copy == b.copy && a.name == b.name;
        let every = std::mem::take(&mut guard.every);
        let published = &*guard;
        let kept = |m: &LoadedModule| {
            m.pinned
                || m.active.is_none_or(|a| a.get() != 0)
                || published.modules.iter().chain(&published.previous).flatten().any(|k| same(k, m))
        };
        let (stay, gone): (Vec<LoadedModule>, Vec<LoadedModule>) = every.into_iter().partition(|m| kept(m));
        guard.every = stay;
        drop(guard);
        if !gone.is_empty() {
            let mut flags = self.flags.lock().unwrap_or_else(|p| p.into_inner());
            flags.retain(|f| !gone.iter().any(|m| m.pending.iter().any(|p| std::ptr::eq(*p, *f))));
            let mut superseded = self.superseded.lock().unwrap_or_else(|p| p.into_inner());
            superseded.retain(|f| !gone.iter().any(|m| m.own_pending.is_some_and(|p| std::ptr::eq(p, *f))));
            let mut epochs = self.epochs.lock().unwrap_or_else(|p| p.into_inner());
            epochs.retain(|e| !gone.iter().any(|m| m.epoch.is_some_and(|p| std::ptr::eq(p, *e))));
            let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
            for f in gone.iter().flat_map(|m| &m.functions) {
                stale.remove(&(FnPtr::as_ptr(f.ptr) as usize));
            }
        }
        gone
    }

    /// Raise or lower "a reload is pending" for all running code.
    pub fn set_pending(&self, pending: bool) {
        self.table.set_pending(pending);
        self.set_flags(pending);
    }

    /// Lower every image's flag unless a reload is pending (which needs them
    /// raised). A reload that becomes pending meanwhile raises them itself,
    /// after marking itself pending: lowering first, then reading the
    /// pending mark, loses neither.
    pub fn lower_flags_unless_pending(&self) {
        self.set_flags(false);
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.table.is_pending() {
            self.set_flags(true);
        }
    }

    /// Raise or lower every image's flag only: running code then calls the
    /// host at its next call, without waiting for anything (how a running
    /// `main` learns that it is to start again).
    ///
    /// A library's own flag (`ModuleDescriptor::own_pending`) is never
    /// lowered while another version of its module is current: its direct
    /// calls (`abi::is_current`, one load) then go through the table, to
    /// the current code.
    pub fn set_flags(&self, raised: bool) {
        // `flags` before `superseded`, as an unload takes them.
        let flags = self.flags.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let superseded = self.superseded.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for flag in flags.iter() {
            flag.store(raised || superseded.iter().any(|s| std::ptr::eq(*s, *flag)), Ordering::Release);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Published> {
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Update<'_> {
    /// Put `module` in row `m` of the new generation (its states keep the
    /// row's current addresses until [`Update::set_states`]).
    pub fn replace(&mut self, m: ModuleId, module: LoadedModule) -> Result<(), SwapError> {
        let slot = self.tables.names.get(m.0).ok_or(SwapError::UnknownModule(m))?;
        if &module.name != slot {
            return Err(SwapError::WrongModule { slot: slot.clone(), found: module.name });
        }
        if let Some(row) = self.modules.get_mut(m.0) {
            *row = Some(module);
        }
        Ok(())
    }

    /// The state addresses of row `m`, in its descriptor's order.
    pub fn set_states(&mut self, m: ModuleId, states: Vec<*mut c_void>) -> Result<(), SwapError> {
        let row = self.states.get_mut(m.0).ok_or(SwapError::UnknownModule(m))?;
        *row = states.into_iter().map(StatePtr).collect();
        Ok(())
    }

    /// The state addresses row `m` will hold.
    pub fn states_of(&self, m: ModuleId) -> Vec<*mut c_void> {
        self.states.get(m.0).map(|r| r.iter().map(|p| p.0).collect()).unwrap_or_default()
    }

    /// The library row `m` will hold.
    pub fn module(&self, m: ModuleId) -> Option<&LoadedModule> {
        self.modules.get(m.0)?.as_ref()
    }

    /// Every loaded module's imports match the interface of the module of
    /// that name in this generation, and every state row fits.
    pub fn check(&self) -> Result<(), SwapError> {
        for (i, module) in self.modules.iter().enumerate() {
            let Some(module) = module else { continue };
            for import in &module.imports {
                let Some(pos) = self.tables.names.iter().position(|n| *n == import.module) else {
                    return Err(SwapError::MissingImport {
                        module: module.name.clone(),
                        import: import.module.clone(),
                    });
                };
                match self.modules.get(pos).and_then(Option::as_ref) {
                    Some(other) if other.interface_fingerprint == import.fingerprint => {}
                    // Checked slot by slot when the slots are filled.
                    Some(_) if import.fingerprint == crate::abi::CHECKED_BY_SLOT => {}
                    // Not loaded yet (start-up loads in order): checked when it is.
                    None => {}
                    Some(_) => {
                        return Err(SwapError::StaleImport {
                            module: module.name.clone(),
                            import: import.module.clone(),
                        })
                    }
                }
            }
            if self.states.get(i).map_or(0, Vec::len) != module.states.len() {
                return Err(SwapError::StateCount { module: module.name.clone() });
            }
        }
        Ok(())
    }

    /// The rows this generation publishes: every module's functions and
    /// state addresses with their fingerprints.
    fn rows(&self) -> Vec<Row> {
        self.modules
            .iter()
            .zip(&self.states)
            .map(|(module, states)| match module {
                Some(m) => Row {
                    fns: m.functions.iter().map(|f| (FnPtr::as_ptr(f.ptr), f.signature_fingerprint)).collect(),
                    states: states.iter().zip(&m.states).map(|(p, s)| (p.0, s.type_fingerprint)).collect(),
                },
                None => Row::default(),
            })
            .collect()
    }

    /// Point the slots of the libraries new in this generation (never
    /// published yet, so no running code reads them) at what it will
    /// publish: their state initializers run before the swap, against the
    /// program as it will be (docs/hmr.md, "State"). Published libraries
    /// are untouched.
    pub fn bind_new_libraries(&self) {
        let rows = self.rows();
        for module in self.modules.iter().flatten() {
            if !self.guard.every.iter().any(|m| m.copy == module.copy && m.name == module.name) {
                if let Some(host) = module.host {
                    host.set(self.tables.table);
                }
                fill_slots(module, &self.tables.names, &rows);
            }
        }
    }

    /// Check, then make this generation current with one atomic store; the
    /// new generation number. Nothing changes on an error.
    pub fn publish(mut self) -> Result<u64, SwapError> {
        self.check()?;
        for module in self.modules.iter().flatten() {
            if let Some(host) = module.host {
                host.set(self.tables.table);
            }
        }
        let rows = self.rows();
        let generation = self.guard.generation + 1;
        // Every library ever published, old versions included (their code
        // may still be running): point its slots at this generation.
        for module in self.modules.iter().flatten() {
            if !self.guard.every.iter().any(|m| m.copy == module.copy && m.name == module.name) {
                self.guard.every.push(module.clone());
                self.tables.flags.lock().unwrap_or_else(|p| p.into_inner()).extend(module.pending.iter().copied());
                if let Some(epoch) = module.epoch {
                    self.tables.epochs.lock().unwrap_or_else(|p| p.into_inner()).push(epoch);
                }
                let mut stale = self.tables.stale.lock().unwrap_or_else(|p| p.into_inner());
                for f in &module.functions {
                    if let Some(flag) = f.stale {
                        stale.insert(FnPtr::as_ptr(f.ptr) as usize, flag);
                    }
                }
            }
        }
        for library in &self.guard.every {
            fill_slots(library, &self.tables.names, &rows);
        }
        mark_stale_code(&self.guard.every, &self.modules);
        self.tables.table.publish(TableView::leak(generation, rows));
        // Code running in any library reads its state addresses again at
        // its next safe point.
        for epoch in self.tables.epochs.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            epoch.store(generation, Ordering::Release);
        }
        let same = |a: &LoadedModule, b: &LoadedModule| a.copy == b.copy && a.name == b.name;
        for (i, new) in self.modules.iter().enumerate() {
            let Some(old) = self.guard.modules.get(i).cloned().flatten() else { continue };
            if new.as_ref().is_none_or(|new| !same(new, &old)) {
                if let Some(p) = self.guard.previous.get_mut(i) {
                    *p = Some(old);
                }
            }
        }
        crate::overflow::replace_reloaded_frames(
            self.modules.iter().flatten().flat_map(|m| m.frames.iter().copied()).collect(),
        );
        self.guard.generation = generation;
        self.guard.modules = std::mem::take(&mut self.modules);
        self.guard.states = std::mem::take(&mut self.states);
        self.mark_superseded();
        Ok(generation)
    }
}

impl Update<'_> {
    /// Raise the own flag of every published library that is not its
    /// module's current version (its direct calls then go through the
    /// table), and keep it raised; lower the current ones' unless a reload
    /// is pending.
    fn mark_superseded(&self) {
        let current =
            |m: &LoadedModule| self.guard.modules.iter().flatten().any(|c| c.copy == m.copy && c.name == m.name);
        let mut superseded = self.tables.superseded.lock().unwrap_or_else(|p| p.into_inner());
        superseded.clear();
        let pending = self.tables.table.is_pending();
        for library in &self.guard.every {
            let Some(flag) = library.own_pending else { continue };
            if current(library) {
                flag.store(pending, Ordering::Release);
            } else {
                superseded.push(flag);
                flag.store(true, Ordering::Release);
            }
        }
    }
}

/// Raise the stale flag of every function of `every` library whose version
/// in `current` (same module, same name) has another body, or is gone;
/// lower it for the others. A loop of stale code leaves it at its next
/// back-edge (`abi::back_edge`).
fn mark_stale_code(every: &[LoadedModule], current: &[Option<LoadedModule>]) {
    let bodies: HashMap<(&str, &str), u64> = current
        .iter()
        .flatten()
        .flat_map(|m| m.functions.iter().map(move |f| ((m.name.as_str(), f.name.as_str()), f.body_fingerprint)))
        .collect();
    for library in every {
        for f in &library.functions {
            if let Some(flag) = f.stale {
                let now = bodies.get(&(library.name.as_str(), f.name.as_str()));
                flag.store(now != Some(&f.body_fingerprint), Ordering::Release);
            }
        }
    }
}

#[derive(Debug)]
struct Published {
    generation: u64,
    modules: Vec<Option<LoadedModule>>,
    states: Vec<Vec<StatePtr>>,
    /// Per row: the library it held before its current one (kept loaded for
    /// a rollback).
    previous: Vec<Option<LoadedModule>>,
    /// Every library published and not unloaded.
    every: Vec<LoadedModule>,
}

/// Point `library`'s slots at the entries of `rows` (one row per module of
/// `names`) whose fingerprints are the ones it was built for; null the rest.
fn fill_slots(library: &LoadedModule, names: &[String], rows: &[Row]) {
    for import in &library.imports {
        let row = names.iter().position(|n| *n == import.module).and_then(|i| rows.get(i));
        // Built against the whole interface: the slots are the row's, in its
        // order. Checked slot by slot (a Rust host, which imports only what
        // it calls): each slot is the row's entry with its fingerprint (which
        // covers the function's name), wherever it is.
        let by_slot = import.fingerprint == crate::abi::CHECKED_BY_SLOT;
        for (i, (fingerprint, slot)) in import.functions.iter().enumerate() {
            let entry = match row {
                Some(r) if by_slot => r.fns.iter().find(|(_, fp)| fp == fingerprint),
                Some(r) => r.fns.get(i).filter(|(_, fp)| fp == fingerprint),
                None => None,
            };
            slot.set(entry.map_or(std::ptr::null_mut(), |(p, _)| p.cast_mut()));
        }
        for (i, (fingerprint, slot)) in import.states.iter().enumerate() {
            let entry = row.and_then(|r| r.states.get(i)).filter(|(_, fp)| fp == fingerprint);
            slot.set(entry.map_or(std::ptr::null_mut(), |(p, _)| *p));
        }
    }
}

/// A state value's address in runtime memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StatePtr(*mut c_void);

// SAFETY: the address of a value owned by `States`; the tables only store and
// publish it, never dereference it. Access to the value itself is serialized
// by the program lock (`Gate`).
#[allow(unsafe_code)]
unsafe impl Send for StatePtr {}
#[allow(unsafe_code)]
unsafe impl Sync for StatePtr {}

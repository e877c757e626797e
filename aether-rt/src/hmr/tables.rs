//! The host's side of the function table: which module and function each
//! slot of the [`CallTable`] holds, and all-or-nothing updates.
//!
//! The slot layout is fixed when the program is built (modules in order,
//! each module's functions in order), so generated code calls through
//! `table.lookup(m, f)` with constant indices. An [`Update`] prepares a whole
//! new generation (any number of modules replaced), checks every module
//! before anything is visible, and [`Update::publish`] makes it current with
//! one atomic store. Dropping an `Update` without publishing changes nothing.

use super::loader::{FnPtr, Interface, LoadedModule};
use crate::abi::{CallTable, TableView};
use std::ffi::c_void;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

/// The program's function tables.
#[derive(Debug)]
pub struct FnTables {
    table: &'static CallTable,
    layout: Vec<Interface>,
    writer: Mutex<Published>,
}

/// Index of a module in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleId(pub usize);

/// A generation being prepared; holds the writer lock until published or
/// dropped, so two reloads never interleave.
#[derive(Debug)]
pub struct Update<'a> {
    tables: &'a FnTables,
    guard: MutexGuard<'a, Published>,
    ptrs: Vec<Vec<*const c_void>>,
    modules: Vec<Option<LoadedModule>>,
}

/// Why a module cannot go into a generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwapError {
    UnknownModule(ModuleId),
    WrongModule { slot: String, found: String },
    MissingFunction { module: String, function: String },
    SignatureMismatch { module: String, function: String },
}

impl fmt::Display for SwapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwapError::UnknownModule(id) => write!(f, "no module with index {}", id.0),
            SwapError::WrongModule { slot, found } => write!(f, "module `{found}` cannot replace `{slot}`"),
            SwapError::MissingFunction { module, function } => {
                write!(f, "module `{module}` lacks `{function}`")
            }
            SwapError::SignatureMismatch { module, function } => {
                write!(f, "`{module}.{function}` has another signature than its callers expect")
            }
        }
    }
}

impl std::error::Error for SwapError {}

impl FnTables {
    /// Tables with one module per interface, in this order; every slot is
    /// empty (lookups give null) until a module is published.
    pub fn new(layout: Vec<Interface>) -> FnTables {
        // Leaked: module libraries hold `&'static CallTable` in their host
        // slot, and libraries are never unloaded.
        let table: &'static CallTable = Box::leak(Box::new(CallTable::new()));
        let modules = vec![None; layout.len()];
        FnTables { table, layout, writer: Mutex::new(Published { generation: 0, modules }) }
    }

    /// What the host slots of module libraries are set to.
    pub fn call_table(&self) -> &'static CallTable {
        self.table
    }

    pub fn module_id(&self, name: &str) -> Option<ModuleId> {
        self.layout.iter().position(|i| i.module == name).map(ModuleId)
    }

    /// Index of `function` in module `m`'s slots.
    pub fn slot(&self, m: ModuleId, function: &str) -> Option<usize> {
        self.layout.get(m.0)?.functions.iter().position(|(name, _)| name == function)
    }

    /// The current function in slot `f` of module `m`, if one is published.
    pub fn get(&self, m: ModuleId, f: usize) -> Option<*const c_void> {
        let ptr = self.table.lookup(m.0, f);
        (!ptr.is_null()).then_some(ptr)
    }

    pub fn generation(&self) -> u64 {
        self.table.generation()
    }

    /// The module currently published in `m`, if any.
    pub fn current(&self, m: ModuleId) -> Option<LoadedModule> {
        self.lock().modules.get(m.0).cloned().flatten()
    }

    /// Start a new generation from the current one.
    pub fn update(&self) -> Update<'_> {
        let guard = self.lock();
        let ptrs = self
            .layout
            .iter()
            .enumerate()
            .map(|(m, i)| (0..i.functions.len()).map(|f| self.table.lookup(m, f)).collect())
            .collect();
        let modules = guard.modules.clone();
        Update { tables: self, guard, ptrs, modules }
    }

    fn lock(&self) -> MutexGuard<'_, Published> {
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Update<'_> {
    /// Put `module` in slot `m` of the new generation; checked against the
    /// layout (the loader checked it already; this guards against mixing up
    /// modules). On error the generation is unchanged.
    pub fn replace(&mut self, m: ModuleId, module: LoadedModule) -> Result<(), SwapError> {
        let interface = self.tables.layout.get(m.0).ok_or(SwapError::UnknownModule(m))?;
        if module.name != interface.module {
            return Err(SwapError::WrongModule { slot: interface.module.clone(), found: module.name });
        }
        let mut fns = Vec::with_capacity(interface.functions.len());
        for (name, fingerprint) in &interface.functions {
            let f = module
                .functions
                .iter()
                .find(|f| &f.name == name)
                .ok_or_else(|| SwapError::MissingFunction { module: module.name.clone(), function: name.clone() })?;
            if f.signature_fingerprint != *fingerprint {
                return Err(SwapError::SignatureMismatch { module: module.name.clone(), function: name.clone() });
            }
            fns.push(FnPtr::as_ptr(f.ptr));
        }
        if let (Some(slot), Some(modules)) = (self.ptrs.get_mut(m.0), self.modules.get_mut(m.0)) {
            *slot = fns;
            *modules = Some(module);
        }
        Ok(())
    }

    /// Make the new generation current: host slots of the new libraries are
    /// set first, then one atomic store publishes every module at once.
    /// Returns the new generation number.
    pub fn publish(mut self) -> u64 {
        for module in self.modules.iter().flatten() {
            if let Some(host) = module.host {
                host.set(self.tables.table);
            }
        }
        let generation = self.guard.generation + 1;
        let view = TableView::leak(generation, std::mem::take(&mut self.ptrs));
        self.tables.table.publish(view);
        self.guard.generation = generation;
        self.guard.modules = std::mem::take(&mut self.modules);
        generation
    }
}

#[derive(Debug)]
struct Published {
    generation: u64,
    modules: Vec<Option<LoadedModule>>,
}

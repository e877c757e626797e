//! `state` variables in memory owned by the runtime, so their values survive
//! a reload.
//!
//! A reload binds the new library's states in two steps, so a refused
//! reload loses nothing ("abort", never "fail"):
//! 1. [`States::prepare`]: for each state of the new library, reuse the
//!    current value when name, type fingerprint, size and alignment are
//!    unchanged (kept); otherwise allocate fresh memory holding the type's
//!    zero value (new, or reset when the type changed), and
//!    [`StatePlan::initialize`] runs the new library's initializers into it.
//!    Nothing current is touched. Dropping the [`StatePlan`] frees what it
//!    allocated.
//! 2. [`StatePlan::commit`], when the generation holding
//!    [`StatePlan::addresses`] is published: record the values.
//!
//! A value replaced by a reset is never freed: code of the old library may
//! still be running with a pointer to it. That leaks one value per type
//! change, which is what a development loop can afford; the migration work
//! that follows can convert old values instead.

#![allow(unsafe_code)]

use super::loader::{LoadedModule, LoadedState};
use std::alloc::Layout;
use std::collections::HashMap;
use std::ffi::c_void;
use std::fmt;
use std::ptr::NonNull;

/// Every state value of the program, by module and name.
#[derive(Debug, Default)]
pub struct States {
    cells: HashMap<(String, String), Cell>,
}

/// A prepared binding of one module's states; commit it or drop it.
#[derive(Debug)]
pub struct StatePlan {
    module: String,
    bindings: Vec<Binding>,
    warnings: Vec<String>,
}

/// A module's state cells at one moment (see [`States::snapshot`]).
#[derive(Debug)]
pub struct Snapshot {
    module: String,
    cells: Vec<((String, String), Cell)>,
}

/// What a reload did with each state variable, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateReport {
    /// Same type: the value was handed to the new code.
    pub kept: Vec<String>,
    /// Changed type: carried into the new type field by field.
    pub migrated: Vec<String>,
    /// Changed type and nothing could be carried over (or the old value
    /// could not be saved): reset to its initializer.
    pub reset: Vec<String>,
    /// Not there before: initialized.
    pub new: Vec<String>,
    /// What a migration dropped or reset, one line each, naming the
    /// variable and the field.
    pub warnings: Vec<String>,
}

/// Why a module's states cannot be bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateError {
    /// The initializer of this state panicked (the shim caught it).
    InitFailed { module: String, state: String },
    /// Size and alignment do not form a valid layout.
    BadLayout { module: String, state: String },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::InitFailed { module, state } => {
                write!(f, "the initializer of state `{state}` in module `{module}` failed")
            }
            StateError::BadLayout { module, state } => {
                write!(f, "state `{state}` in module `{module}` has an invalid size or alignment")
            }
        }
    }
}

impl std::error::Error for StateError {}

impl States {
    pub fn new() -> States {
        States::default()
    }

    /// Bind the states of `module`: kept values, and fresh zeroed memory
    /// for new and changed ones. Runs no initializer yet.
    pub fn prepare(&self, module: &LoadedModule) -> Result<StatePlan, StateError> {
        let mut plan = StatePlan {
            module: module.name.clone(),
            bindings: Vec::with_capacity(module.states.len()),
            warnings: Vec::new(),
        };
        for state in &module.states {
            let key = (module.name.clone(), state.name.clone());
            let current = self.cells.get(&key);
            if let Some(cell) = current.filter(|c| c.matches(state)) {
                // The same type: from now on the new library drops and
                // saves it, so the one that made it can be unloaded.
                let cell = Cell { drop: state.drop, save: state.save, ..cell.clone() };
                plan.bindings.push(Binding {
                    state: state.clone(),
                    cell,
                    outcome: Outcome::Kept,
                    previous: None,
                    fresh: false,
                });
                continue;
            }
            let bad_layout = || StateError::BadLayout { module: module.name.clone(), state: state.name.clone() };
            let layout = Layout::from_size_align(state.size, state.align).map_err(|_| bad_layout())?;
            let ptr = allocate(layout).ok_or_else(bad_layout)?;
            if !(state.zero)(ptr.as_ptr().cast()) {
                deallocate(ptr, layout);
                return Err(StateError::InitFailed { module: module.name.clone(), state: state.name.clone() });
            }
            let cell =
                Cell { type_fingerprint: state.type_fingerprint, layout, ptr, drop: state.drop, save: state.save };
            let outcome = if current.is_some() { Outcome::Reset } else { Outcome::New };
            plan.bindings.push(Binding {
                state: state.clone(),
                cell,
                outcome,
                previous: current.cloned(),
                fresh: true,
            });
        }
        Ok(plan)
    }

    /// Forget the values only `module`'s code can drop or save (a state it
    /// declared that the program no longer has), before the library is
    /// unloaded: they leak, and a later state of that name starts afresh.
    pub fn forget_library(&mut self, module: &LoadedModule) {
        let fns: Vec<usize> = module.states.iter().flat_map(|s| [s.drop as usize, s.save as usize]).collect();
        self.cells.retain(|_, cell| !fns.contains(&(cell.drop as usize)) && !fns.contains(&(cell.save as usize)));
    }

    /// The current values of `module`'s states, to put back with
    /// [`States::restore`] (a rollback).
    pub fn snapshot(&self, module: &str) -> Snapshot {
        let cells = self.cells.iter().filter(|((m, _), _)| m == module).map(|(k, c)| (k.clone(), c.clone())).collect();
        Snapshot { module: module.to_string(), cells }
    }

    /// Make a snapshot's values `module`'s states again.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.cells.retain(|(m, _), _| *m != snapshot.module);
        self.cells.extend(snapshot.cells);
    }

    /// The current address of `module`'s state `state`.
    pub fn address(&self, module: &str, state: &str) -> Option<*mut c_void> {
        self.cells.get(&(module.to_string(), state.to_string())).map(|c| c.ptr.as_ptr().cast())
    }
}

impl StatePlan {
    /// Every state's address, in the library's declaration order: the row
    /// to publish.
    pub fn addresses(&self) -> Vec<*mut c_void> {
        self.bindings.iter().map(|b| b.cell.ptr.as_ptr().cast()).collect()
    }

    /// Give every new or changed state its value, in declaration order: a
    /// changed one is migrated from its current value (saved by the library
    /// that owns it, read into the new type field by field; see
    /// `aether_rt::dynval`), a new one (or one whose old value cannot be
    /// saved) runs its initializer. The caller holds the program lock; an
    /// initializer reads other state through the currently published table.
    pub fn initialize(&mut self) -> Result<(), StateError> {
        self.initialize_from(&HashMap::new())
    }

    /// [`StatePlan::initialize`], taking the value of a new state from
    /// `saved` (state name → text of a value saved before a restart) when
    /// it is there: a hot restart carries state through the migration path.
    pub fn initialize_from(&mut self, saved: &HashMap<String, String>) -> Result<(), StateError> {
        for binding in &mut self.bindings {
            if !binding.fresh {
                continue;
            }
            let dst: *mut c_void = binding.cell.ptr.as_ptr().cast();
            let saved = binding
                .previous
                .as_ref()
                .and_then(|old| (old.save)(old.ptr.as_ptr().cast_const().cast()).into_result().ok())
                .map(crate::abi::Text::into_string)
                .or_else(|| saved.get(&binding.state.name).cloned());
            if let Some(text) = saved {
                let migrated = (binding.state.migrate)(text.as_ptr(), text.len(), dst).into_result();
                let Ok(migrated) = migrated else {
                    return Err(StateError::InitFailed {
                        module: self.module.clone(),
                        state: binding.state.name.clone(),
                    });
                };
                binding.outcome = match migrated.outcome {
                    0 => Outcome::Kept,
                    1 => Outcome::Migrated,
                    _ => Outcome::Reset,
                };
                let warnings = migrated.warnings.into_string();
                self.warnings.extend(warnings.lines().filter(|l| !l.is_empty()).map(str::to_string));
                continue;
            }
            if !(binding.state.init)(dst) {
                return Err(StateError::InitFailed { module: self.module.clone(), state: binding.state.name.clone() });
            }
        }
        Ok(())
    }

    /// Record the values as current (their generation was published).
    pub fn commit(mut self, states: &mut States) -> StateReport {
        let mut report = StateReport { warnings: std::mem::take(&mut self.warnings), ..StateReport::default() };
        for binding in std::mem::take(&mut self.bindings) {
            let name = binding.state.name.clone();
            match binding.outcome {
                Outcome::Kept => report.kept.push(name.clone()),
                Outcome::Migrated => report.migrated.push(name.clone()),
                Outcome::Reset => report.reset.push(name.clone()),
                Outcome::New => report.new.push(name.clone()),
            }
            // A replaced cell is forgotten, never freed: see the module docs.
            states.cells.insert((self.module.clone(), name), binding.cell);
        }
        report
    }
}

impl Drop for StatePlan {
    /// An uncommitted plan frees the values it created; kept ones belong to
    /// the current program and stay.
    fn drop(&mut self) {
        for binding in self.bindings.drain(..) {
            if binding.fresh {
                (binding.cell.drop)(binding.cell.ptr.as_ptr().cast());
                deallocate(binding.cell.ptr, binding.cell.layout);
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Cell {
    type_fingerprint: u64,
    layout: Layout,
    ptr: NonNull<u8>,
    drop: extern "C" fn(*mut c_void),
    /// Of the library whose type the value has.
    save: extern "C" fn(*const c_void) -> crate::abi::Guarded<crate::abi::Text>,
}

impl Cell {
    fn matches(&self, state: &LoadedState) -> bool {
        self.type_fingerprint == state.type_fingerprint
            && self.layout.size() == state.size
            && self.layout.align() == state.align
    }
}

#[derive(Debug)]
struct Binding {
    state: LoadedState,
    cell: Cell,
    outcome: Outcome,
    /// For a changed type: the current value, to migrate from.
    previous: Option<Cell>,
    /// The cell was allocated by this plan (freed if it is dropped).
    fresh: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Kept,
    Migrated,
    Reset,
    New,
}

fn allocate(layout: Layout) -> Option<NonNull<u8>> {
    if layout.size() == 0 {
        // A zero-sized value needs no memory, only an aligned address.
        return NonNull::new(std::ptr::without_provenance_mut(layout.align()));
    }
    // SAFETY: the layout has a non-zero size (checked above).
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
}

fn deallocate(ptr: NonNull<u8>, layout: Layout) {
    if layout.size() != 0 {
        // SAFETY: `ptr` came from `allocate` with this same layout, and each
        // cell is deallocated at most once (only by an uncommitted plan).
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) }
    }
}

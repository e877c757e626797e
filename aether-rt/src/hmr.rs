//! The hot-reload runtime (feature `hmr`): load module libraries safely
//! ([`loader`]), swap their functions atomically between calls ([`tables`]),
//! keep `state` values across reloads ([`state`]), serialize Aether code
//! behind the program lock ([`gate`]), and watch the sources ([`watcher`]).
//! [`host`] is the generated host's main loop; [`protocol`] is what it and
//! the supervising CLI say to each other.
//! The ABI itself, with the panic guard that generated shims use
//! ([`crate::abi::Guarded`]), is [`crate::abi`].

pub mod gate;
pub mod host;
pub mod loader;
pub mod protocol;
pub mod state;
pub mod tables;
pub mod watcher;

pub use crate::abi::{call_guarded, Guarded, PanicInfo};
pub use gate::Gate;
pub use loader::{kept_libraries, FnPtr, LoadError, LoadedFn, LoadedImport, LoadedModule, LoadedState, Loader};
pub use state::{Snapshot, StateError, StatePlan, StateReport, States};
pub use tables::{FnTables, ModuleId, SwapError, Update};
pub use watcher::{Batch, Watcher, WatcherConfig, WatcherKind};

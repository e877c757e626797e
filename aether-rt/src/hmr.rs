//! The hot-reload runtime (feature `hmr`): load module libraries safely
//! ([`loader`]), swap their functions atomically between calls ([`tables`]),
//! keep `state` values across reloads ([`state`]), and watch the sources ([`watcher`]). The ABI itself, with the panic guard
//! that generated shims use ([`crate::abi::Guarded`]), is [`crate::abi`].

pub mod host;
pub mod loader;
pub mod state;
pub mod tables;
pub mod watcher;

pub use crate::abi::{call_guarded, Guarded, PanicInfo};
pub use loader::{kept_libraries, FnPtr, Interface, LoadError, LoadedFn, LoadedModule, LoadedState, Loader};
pub use state::{StateError, StatePlan, StateReport, States};
pub use tables::{FnTables, ModuleId, SwapError, Update};
pub use watcher::{Batch, Watcher, WatcherConfig, WatcherKind};

//! The hot-reload runtime (feature `hmr`): load module libraries safely
//! ([`loader`]), swap their functions atomically between calls ([`tables`]),
//! watch the sources ([`watcher`]), and keep panics inside the module
//! boundary ([`guard`]). The ABI itself is [`crate::abi`].

pub mod guard;
pub mod loader;
pub mod tables;
pub mod watcher;

pub use guard::{call_guarded, PanicInfo};
pub use loader::{kept_libraries, Interface, LoadError, LoadedFn, LoadedModule, LoadedState, Loader};
pub use tables::{FnTables, ModuleId, SwapError, Update};
pub use watcher::{Batch, Watcher, WatcherConfig, WatcherKind};

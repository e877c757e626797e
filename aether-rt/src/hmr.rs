//! The hot-reload runtime (feature `hmr`): load module libraries safely
//! ([`loader`]), swap their functions atomically between calls ([`tables`]),
//! keep `state` values across reloads ([`state`]), serialize Aether code
//! behind the program lock ([`gate`]), and watch the sources ([`watcher`]).
//! [`host`] is the generated host's main loop; [`protocol`] is what it and
//! the supervising CLI say to each other.
//! The ABI itself, with the panic guard that generated shims use
//! ([`crate::abi::Guarded`]), is [`crate::abi`].

pub mod say;

/// Every message of the hot-reload runtime goes through [`say::say`]: whole,
/// in one write (never split by the program's own output), and to the
/// `AETHER_HMR_LOG` file when there is one. Shadowing `eprintln!` here, before
/// the modules that print, makes that true of every message they have and
/// will have, without a second way to print.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::hmr::say::say(&format!($($arg)*))
    };
}

pub mod gate;
pub mod host;
pub mod loader;
pub mod protocol;
pub mod state;
pub mod tables;
pub mod tunables;
pub mod watcher;

pub use crate::abi::{call_guarded, Guarded, PanicInfo};
pub use gate::Gate;
pub use loader::{kept_libraries, FnPtr, LoadError, LoadedFn, LoadedImport, LoadedModule, LoadedState, Loader};
pub use state::{Snapshot, StateError, StatePlan, StateReport, States};
pub use tables::{FnTables, ModuleId, SwapError, Update};
pub use watcher::{Batch, Watcher, WatcherConfig, WatcherKind};

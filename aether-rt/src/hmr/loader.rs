//! Load a module library, check it against the ABI and against what its
//! callers were built for, and keep it loaded for the rest of the process.
//!
//! Order of checks (each refusal is a [`LoadError`]; nothing panics and no
//! function of a refused library is called, beyond its initializers that the
//! system loader runs on open):
//! 1. copy the file to a fresh, uniquely named path (dlopen caches by path:
//!    opening the same path again would return the old library);
//! 2. open it; look up `aether_abi_version` and call it; refuse unless it
//!    returns [`ABI_VERSION`];
//! 3. look up `aether_module_v{N}`, call it, and validate the descriptor:
//!    non-null and aligned pointers, UTF-8 names, no duplicate names,
//!    non-null function pointers, sane state sizes;
//! 4. check that it holds the expected module (by name). Whether its
//!    interface fits the other modules is checked when a set of modules is
//!    published ([`super::Update::publish`]), against every library's imports.
//!
//! A library stays loaded until the function tables let it go
//! ([`super::FnTables::unloadable`], issue #14): only an old version that is
//! neither current nor the previous one of its module, that no call is
//! running (its [`crate::abi::ACTIVE`] count is zero) and that cannot have
//! made a function value (`pinned`: a closure's code and vtable may be kept
//! anywhere) is closed again with [`unload`]. Refused libraries stay loaded.
//! glibc keeps a library mapped anyway while a thread-local destructor it
//! registered is pending; closing it is still safe then.

#![allow(unsafe_code)]

use crate::abi::{
    entry_symbol, ActiveCalls, EntryFn, HostSlot, ModuleDescriptor, Slice, SlotEntry, Str, VersionFn, ABI_VERSION,
    VERSION_SYMBOL,
};
use std::collections::HashSet;
use std::ffi::c_void;
use std::fmt;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Makes the fresh copies and loads them.
#[derive(Debug)]
pub struct Loader {
    copies: PathBuf,
}

/// A loaded, validated module. Its pointers stay valid while the library
/// is loaded: until [`unload`], which the runtime calls only once nothing
/// can reach the library any more.
#[derive(Clone, Debug)]
pub struct LoadedModule {
    pub name: String,
    pub interface_fingerprint: u64,
    pub functions: Vec<LoadedFn>,
    pub states: Vec<LoadedState>,
    /// The interfaces it was built against, with its slots for them.
    pub imports: Vec<LoadedImport>,
    /// Indices into `functions` of its `@before_reload` / `@on_reload` hooks.
    pub before_reload: Vec<usize>,
    pub on_reload: Vec<usize>,
    pub host: Option<&'static HostSlot>,
    /// The library's "reload pending" flags: its copy of the runtime's and
    /// its crate's own (`ModuleDescriptor::own_pending`).
    pub pending: Vec<&'static std::sync::atomic::AtomicBool>,
    /// Its crate's own flag alone, which also stays raised while another
    /// version of its module is current (`FnTables::set_flags`).
    pub own_pending: Option<&'static std::sync::atomic::AtomicBool>,
    /// The library's count of calls in progress (`abi::ACTIVE`).
    pub active: Option<&'static ActiveCalls>,
    /// The library's count of swaps (`abi::EPOCH`).
    pub epoch: Option<&'static AtomicU64>,
    /// The library can make function values: never unloaded.
    pub pinned: bool,
    /// Its functions as a stack overflow names them (the strings are the
    /// library's own: valid while it is loaded, and the runtime registers
    /// only the newest library's, which is never unloaded).
    pub frames: Vec<crate::Frame>,
    /// The unique copy that was opened (on Unix already deleted again: the
    /// mapping outlives the file).
    pub copy: PathBuf,
    /// Size of the library file: roughly what stays mapped per reload.
    pub bytes: u64,
}

#[derive(Clone, Debug)]
pub struct LoadedFn {
    pub name: String,
    pub signature_fingerprint: u64,
    pub ptr: FnPtr,
    /// What the code was generated from (0: not tracked).
    pub body_fingerprint: u64,
    /// The library's flag saying a newer version with another body is
    /// current (`abi::FnEntry::stale`).
    pub stale: Option<&'static std::sync::atomic::AtomicBool>,
}

/// A function pointer of a loaded library, as a data pointer; cast it to the
/// type its signature fingerprint promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FnPtr(NonNull<c_void>);

impl FnPtr {
    pub fn as_ptr(self) -> *const c_void {
        self.0.as_ptr().cast_const()
    }
}

// SAFETY: an `FnPtr` points at code of a library that is never unloaded;
// code is immutable, so the address may be shared and sent freely.
unsafe impl Send for FnPtr {}
unsafe impl Sync for FnPtr {}

#[derive(Clone, Debug)]
pub struct LoadedState {
    pub name: String,
    pub type_fingerprint: u64,
    pub size: usize,
    pub align: usize,
    pub zero: extern "C" fn(*mut c_void) -> bool,
    pub init: extern "C" fn(*mut c_void) -> bool,
    pub drop: extern "C" fn(*mut c_void),
    pub save: extern "C" fn(*const c_void) -> crate::abi::Guarded<crate::abi::Text>,
    pub migrate: extern "C" fn(*const u8, usize, *mut c_void) -> crate::abi::Guarded<crate::abi::Migrated>,
}

/// One interface a library was built against, and its slots for that
/// module's functions and states: (fingerprint, slot) in row order.
#[derive(Clone, Debug)]
pub struct LoadedImport {
    pub module: String,
    pub fingerprint: u64,
    pub functions: Vec<(u64, &'static crate::abi::Slot)>,
    pub states: Vec<(u64, &'static crate::abi::Slot)>,
}

impl LoadedModule {
    /// The function called `name` and its index in the table.
    pub fn function(&self, name: &str) -> Option<(usize, &LoadedFn)> {
        self.functions.iter().enumerate().find(|(_, f)| f.name == name)
    }
}

/// Why a library was refused. Nothing of it was published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    Copy { path: PathBuf, message: String },
    Open { path: PathBuf, message: String },
    NotAModule { path: PathBuf },
    AbiVersion { path: PathBuf, found: u32, expected: u32 },
    MissingEntry { path: PathBuf, symbol: String },
    Invalid { path: PathBuf, problem: String },
    WrongModule { path: PathBuf, found: String, expected: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Copy { path, message } => write!(f, "cannot copy {}: {message}", path.display()),
            LoadError::Open { path, message } => write!(f, "cannot open {}: {message}", path.display()),
            LoadError::NotAModule { path } => {
                write!(f, "{} is not an Aether module library (no `{VERSION_SYMBOL}` symbol)", path.display())
            }
            LoadError::AbiVersion { path, found, expected } => write!(
                f,
                "{} was built for Aether ABI version {found}, this runtime speaks version {expected}",
                path.display()
            ),
            LoadError::MissingEntry { path, symbol } => {
                write!(f, "{} has no entry symbol `{symbol}`", path.display())
            }
            LoadError::Invalid { path, problem } => {
                write!(f, "{} has an invalid module descriptor: {problem}", path.display())
            }
            LoadError::WrongModule { path, found, expected } => {
                write!(f, "{} holds module `{found}`, expected `{expected}`", path.display())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Libraries loaded now (refused ones included, unloaded ones not) and the
/// bytes of their files.
pub fn kept_libraries() -> (usize, u64) {
    let kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    (kept.len(), kept.iter().map(|k| k.bytes).sum())
}

impl Loader {
    /// Copies go to `copies` (created if missing).
    pub fn new(copies: impl Into<PathBuf>) -> Loader {
        Loader { copies: copies.into() }
    }

    /// Copies go to `<temp>/aether-hmr-<pid>`.
    pub fn in_temp_dir() -> Loader {
        Loader::new(std::env::temp_dir().join(format!("aether-hmr-{}", std::process::id())))
    }

    /// Load the library at `path`, which must hold module `expected`.
    pub fn load(&self, path: &Path, expected: &str) -> Result<LoadedModule, LoadError> {
        let (copy, bytes) = self.copy(path)?;
        // SAFETY: opening runs the library's initializers. Aether module
        // libraries are built by `cargo aether` from generated code whose
        // initializers are std's; an arbitrary library is the user's choice.
        let opened = unsafe { open_now(&copy) };
        // Unix keeps the mapping after the file is gone; removing the copy
        // keeps the temp dir from growing by one image per reload.
        let remove_copy = || {
            if cfg!(unix) {
                let _ = std::fs::remove_file(&copy);
            }
        };
        let library = match opened {
            Ok(library) => library,
            Err(e) => {
                let _ = std::fs::remove_file(&copy);
                return Err(LoadError::Open { path: path.to_path_buf(), message: e.to_string() });
            }
        };
        remove_copy();
        let result = inspect(&library, path, expected);
        let mut kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.push(Kept { library: Some(library), copy: copy.clone(), bytes });
        result.map(|mut module| {
            module.copy = copy.clone();
            module.bytes = bytes;
            module
        })
    }

    fn copy(&self, path: &Path) -> Result<(PathBuf, u64), LoadError> {
        let copy_error = |e: std::io::Error| LoadError::Copy { path: path.to_path_buf(), message: e.to_string() };
        std::fs::create_dir_all(&self.copies).map_err(copy_error)?;
        let n = NEXT_COPY.fetch_add(1, Ordering::Relaxed);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("module");
        let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("so");
        let name = format!("{stem}-hot-{}-{n}.{ext}", std::process::id());
        let partial = self.copies.join(format!("{name}.partial"));
        let copy = self.copies.join(name);
        // Copy under another name, then rename: a copy is opened only whole.
        let bytes = std::fs::copy(path, &partial).map_err(copy_error)?;
        std::fs::rename(&partial, &copy).map_err(copy_error)?;
        Ok((copy, bytes))
    }
}

/// Opens a library with every symbol bound at once (`RTLD_NOW`), here on
/// the reload thread: with lazy binding (libloading's default) the first
/// call of each function after a swap resolved it on the program's own
/// thread, inside a frame; and a library missing a symbol is refused now
/// rather than failing at a call.
///
/// # Safety
/// As [`libloading::Library::new`]: opening runs the library's initializers.
#[cfg(unix)]
unsafe fn open_now(path: &Path) -> Result<libloading::Library, libloading::Error> {
    use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
    // SAFETY: as this function's.
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }.map(libloading::Library::from)
}

/// Windows binds a library's imports when it loads.
#[cfg(not(unix))]
unsafe fn open_now(path: &Path) -> Result<libloading::Library, libloading::Error> {
    // SAFETY: as this function's.
    unsafe { libloading::Library::new(path) }
}

/// Process-wide, so two loaders sharing a directory never make the same
/// name: glibc would hand back the library already opened under it.
static NEXT_COPY: AtomicU64 = AtomicU64::new(0);

struct Kept {
    library: Option<libloading::Library>,
    /// The unique copy it was opened from: how [`unload`] names it.
    copy: PathBuf,
    bytes: u64,
}

/// Every library opened and not unloaded.
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// Close the library opened from `copy` (a [`LoadedModule::copy`]); false
/// when no open library has that name.
///
/// # Safety
/// Nothing may use the library afterwards: no call into its code is in
/// progress or will be made, and no pointer into it (its statics, a
/// function value, a vtable, its descriptor) is read again. The function
/// tables decide this ([`super::FnTables::unloadable`]).
pub unsafe fn unload(copy: &Path) -> bool {
    let library = {
        let mut kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(i) = kept.iter().position(|k| k.copy == copy) else { return false };
        kept.swap_remove(i).library
    };
    // Closed outside the lock: the library's finalizers run here.
    drop(library);
    true
}

/// Limit on name lengths: longer is certainly not generated code.
const MAX_NAME: usize = 4096;
/// Limit on table lengths, for the same reason.
const MAX_ENTRIES: usize = 1 << 20;

fn inspect(library: &libloading::Library, path: &Path, expected: &str) -> Result<LoadedModule, LoadError> {
    // SAFETY: every Aether module exports `aether_abi_version` with type
    // `VersionFn` (the one signature that never changes between versions).
    // A library of another kind lacks the symbol and is refused here.
    let version: VersionFn = match unsafe { library.get::<VersionFn>(VERSION_SYMBOL) } {
        Ok(symbol) => *symbol,
        Err(_) => return Err(LoadError::NotAModule { path: path.to_path_buf() }),
    };
    let found = version();
    if found != ABI_VERSION {
        return Err(LoadError::AbiVersion { path: path.to_path_buf(), found, expected: ABI_VERSION });
    }
    let symbol = entry_symbol();
    // SAFETY: the library speaks this ABI version (checked above), whose
    // entry symbol has type `EntryFn`.
    let entry: EntryFn = match unsafe { library.get::<EntryFn>(symbol.as_str()) } {
        Ok(symbol) => *symbol,
        Err(_) => return Err(LoadError::MissingEntry { path: path.to_path_buf(), symbol }),
    };
    read_descriptor(entry(), path, expected)
}

/// Validate a module descriptor: one returned by a library's entry symbol,
/// or one linked into the host itself (a module excluded from reloading).
///
/// The pointer must be null or point at a descriptor that lives for the
/// rest of the process (a library's `static`, never unloaded).
pub(crate) fn read_descriptor(
    descriptor: *const ModuleDescriptor,
    path: &Path,
    expected: &str,
) -> Result<LoadedModule, LoadError> {
    let invalid = |problem: String| LoadError::Invalid { path: path.to_path_buf(), problem };
    if descriptor.is_null() || !descriptor.is_aligned() {
        return Err(invalid("the entry returned a null or misaligned pointer".into()));
    }
    // SAFETY: non-null and aligned (checked), and by this ABI version a
    // pointer to a `'static ModuleDescriptor` in the library, which stays
    // loaded for the process lifetime.
    let descriptor: &'static ModuleDescriptor = unsafe { &*descriptor };
    if descriptor.abi_version != ABI_VERSION {
        return Err(LoadError::AbiVersion {
            path: path.to_path_buf(),
            found: descriptor.abi_version,
            expected: ABI_VERSION,
        });
    }
    let name = read_str(descriptor.name).map_err(|p| invalid(format!("module name: {p}")))?;
    if name != expected {
        return Err(LoadError::WrongModule { path: path.to_path_buf(), found: name, expected: expected.to_string() });
    }
    let mut functions = Vec::new();
    for (fn_name, entry) in named_entries(descriptor.functions, "function", |e| e.name).map_err(invalid)? {
        let ptr = NonNull::new(entry.ptr.cast_mut())
            .ok_or_else(|| invalid(format!("function `{fn_name}` has a null pointer")))?;
        // SAFETY: null or, by this ABI version, a `'static AtomicBool` of the
        // library, which is never unloaded (alignment 1: any address is).
        let stale = unsafe { entry.stale.as_ref() };
        // SAFETY: null or, by this ABI version, a `'static u64` of the
        // library, read once here while it is loaded.
        let body_fingerprint = unsafe { entry.body_fingerprint.as_ref() }.copied().unwrap_or(0);
        functions.push(LoadedFn {
            name: fn_name,
            signature_fingerprint: entry.signature_fingerprint,
            ptr: FnPtr(ptr),
            body_fingerprint,
            stale,
        });
    }
    let mut states = Vec::new();
    for (state_name, entry) in named_entries(descriptor.states, "state", |e| e.name).map_err(invalid)? {
        if !entry.align.is_power_of_two() || entry.size > isize::MAX as usize / 2 {
            return Err(invalid(format!("state `{state_name}` has size {} and alignment {}", entry.size, entry.align)));
        }
        states.push(LoadedState {
            name: state_name,
            type_fingerprint: entry.type_fingerprint,
            size: entry.size,
            align: entry.align,
            zero: entry.zero,
            init: entry.init,
            drop: entry.drop,
            save: entry.save,
            migrate: entry.migrate,
        });
    }
    let host = if descriptor.host.is_null() {
        None
    } else if !descriptor.host.is_aligned() {
        return Err(invalid("misaligned host slot".into()));
    } else {
        // SAFETY: non-null, aligned, a `'static HostSlot` of a library that
        // is never unloaded.
        Some(unsafe { &*descriptor.host })
    };
    let import_entries = read_slice(descriptor.imports).map_err(|p| invalid(format!("imports: {p}")))?;
    let mut imports = Vec::with_capacity(import_entries.len());
    for entry in import_entries {
        let module = read_str(entry.module).map_err(|p| invalid(format!("import name: {p}")))?;
        let slots = |slice: Slice<SlotEntry>, what: &str| {
            let entries = read_slice(slice).map_err(|p| invalid(format!("{what} slots of `{module}`: {p}")))?;
            entries
                .iter()
                .map(|e| {
                    if e.slot.is_null() || !e.slot.is_aligned() {
                        return Err(invalid(format!("a null or misaligned {what} slot for `{module}`")));
                    }
                    // SAFETY: non-null and aligned (checked), and by the ABI a
                    // `'static Slot` of the library, which is never unloaded.
                    Ok((e.fingerprint, unsafe { &*e.slot }))
                })
                .collect::<Result<Vec<_>, LoadError>>()
        };
        let functions = slots(entry.functions, "function")?;
        let states = slots(entry.states, "state")?;
        imports.push(LoadedImport { module, fingerprint: entry.interface_fingerprint, functions, states });
    }
    let hooks = |slice: Slice<u32>, what: &str| -> Result<Vec<usize>, LoadError> {
        let indices = read_slice(slice).map_err(|p| invalid(format!("{what} hooks: {p}")))?;
        indices
            .iter()
            .map(|&i| {
                let i = i as usize;
                if i < functions.len() {
                    Ok(i)
                } else {
                    Err(invalid(format!("{what} hook index {i} is out of range")))
                }
            })
            .collect()
    };
    let before_reload = hooks(descriptor.before_reload, "before_reload")?;
    let on_reload = hooks(descriptor.on_reload, "on_reload")?;
    let mut pending = Vec::new();
    for flag in [descriptor.pending, descriptor.own_pending] {
        if flag.is_null() || !flag.is_aligned() {
            return Err(invalid("a null or misaligned pending flag".into()));
        }
        // SAFETY: non-null and aligned (checked), a `'static` of the library.
        pending.push(unsafe { &*flag });
    }
    let active = if descriptor.active.is_null() || !descriptor.active.is_aligned() {
        return Err(invalid("a null or misaligned count of active calls".into()));
    } else {
        // SAFETY: non-null and aligned (checked), a `'static` of the library.
        Some(unsafe { &*descriptor.active })
    };
    let epoch = if descriptor.epoch.is_null() || !descriptor.epoch.is_aligned() {
        return Err(invalid("a null or misaligned epoch".into()));
    } else {
        // SAFETY: non-null and aligned (checked), a `'static` of the library.
        Some(unsafe { &*descriptor.epoch })
    };
    let mut frames = Vec::new();
    for entry in read_slice(descriptor.frames).map_err(|p| invalid(format!("frames: {p}")))? {
        let text = |s: Str, what: &str| read_static_str(s).map_err(|p| invalid(format!("a frame's {what}: {p}")));
        frames.push(crate::Frame {
            path: text(entry.path, "path")?,
            name: text(entry.name, "name")?,
            at: text(entry.at, "location")?,
        });
    }
    // Accepted: let the library set itself up (its panic hook) once.
    (descriptor.prepare)();
    Ok(LoadedModule {
        name,
        interface_fingerprint: descriptor.interface_fingerprint,
        functions,
        states,
        imports,
        before_reload,
        on_reload,
        host,
        own_pending: pending.last().copied(),
        pending,
        active,
        epoch,
        pinned: descriptor.pinned,
        frames,
        copy: PathBuf::new(),
        bytes: 0,
    })
}

fn read_str(s: Str) -> Result<String, String> {
    read_static_str(s).map(str::to_string)
}

/// The library's own string (see [`LoadedModule::frames`] for how long it
/// lives).
fn read_static_str(s: Str) -> Result<&'static str, String> {
    let (ptr, len) = s.raw_parts();
    if len > MAX_NAME {
        return Err(format!("{len} bytes long"));
    }
    if len == 0 {
        return Err("empty".into());
    }
    if ptr.is_null() {
        return Err("null pointer".into());
    }
    // SAFETY: non-null with a bounded length; by the ABI the bytes are a
    // `'static` string of the never-unloaded library. UTF-8 is checked below.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).map_err(|_| "not UTF-8".into())
}

/// The entries of one of the descriptor's named lists (functions, states),
/// each with its name read: every name valid and none twice. `what` names
/// an entry in messages.
fn named_entries<T>(
    list: Slice<T>,
    what: &str,
    name_of: impl Fn(&T) -> Str,
) -> Result<Vec<(String, &'static T)>, String> {
    let entries = read_slice(list).map_err(|p| format!("{what}s: {p}"))?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let name = read_str(name_of(entry)).map_err(|p| format!("{what} name: {p}"))?;
        if !seen.insert(name.clone()) {
            return Err(format!("{what} `{name}` appears twice"));
        }
        out.push((name, entry));
    }
    Ok(out)
}

fn read_slice<T>(list: Slice<T>) -> Result<&'static [T], String> {
    let (ptr, len) = list.raw_parts();
    if len == 0 {
        return Ok(&[]);
    }
    if len > MAX_ENTRIES {
        return Err(format!("{len} entries"));
    }
    if ptr.is_null() || !ptr.is_aligned() {
        return Err("null or misaligned pointer".into());
    }
    // SAFETY: non-null, aligned, bounded length; by the ABI a `'static`
    // array of the never-unloaded library.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

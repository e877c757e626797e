//! The host side of `cargo aether run --hmr`: what the generated host binary
//! runs. It loads every module library, publishes the call table, runs the
//! entry `main` through it, and meanwhile applies reload commands from the
//! supervising CLI.
//!
//! Commands come over a Unix domain socket whose path is in
//! `AETHER_HMR_SOCKET` (the program's stdin and stdout are the user's), one
//! line each, fields separated by tabs:
//!
//! `reload <module index> <library path> <saved at, ms since the epoch> <functions changed>`
//!
//! A reload loads and validates the library, prepares its state, replaces
//! the module in a new table generation, commits the state and publishes;
//! any failure before the publish leaves the old code and state running and
//! prints why.
//!
//! A runtime error (panic) in Aether code is caught at every module boundary
//! and unwinds, as an error, to `main`'s shim. With the supervisor connected
//! the process then keeps running: `main` has stopped, the state stays, and
//! after the next successful reload `main` is called again (a game loop in
//! `main` resumes with its state; its locals start afresh).
#![allow(unsafe_code)]

use super::{FnTables, Interface, LoadedModule, Loader, ModuleId, States};
use crate::abi::Guarded;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the command socket.
pub const SOCKET_ENV: &str = "AETHER_HMR_SOCKET";

/// One module library, as the host was generated for it.
#[derive(Debug)]
pub struct ModuleSpec {
    pub name: &'static str,
    /// The `.ae` file, for messages.
    pub file: &'static str,
    /// Where cargo builds the library.
    pub library: &'static str,
    /// Every top-level function, in table order: name and canonical signature.
    pub functions: &'static [(&'static str, &'static str)],
    /// The module's `state` variables (kept or reset together).
    pub state_vars: &'static [&'static str],
    pub interface_fingerprint: u64,
}

/// The program: its modules in table order and where `main` is.
#[derive(Debug)]
pub struct ProgramSpec {
    pub modules: &'static [ModuleSpec],
    pub entry_module: usize,
    pub entry_fn: usize,
    /// Module indices, imports before importers: the order state
    /// initializers run in.
    pub init_order: &'static [usize],
}

/// Load everything, start listening for reloads, run `main`; the exit status.
pub fn run(program: &ProgramSpec) -> i32 {
    eprintln!("[aether] hot reloading is ON: modules are shared libraries; edit a .ae file to swap it in");
    let interfaces: Vec<Interface> = program
        .modules
        .iter()
        .map(|m| m.functions.iter().fold(Interface::new(m.name), |i, (n, s)| i.function(*n, s)))
        .collect();
    let host: &'static Host = Box::leak(Box::new(Host {
        program: leak_spec(program),
        interfaces: interfaces.clone(),
        loader: Loader::in_temp_dir(),
        tables: FnTables::new(interfaces),
        states: Mutex::new(SharedStates(States::new())),
        listening: AtomicBool::new(false),
    }));
    if let Err(message) = host.load_all() {
        eprintln!("error: the program cannot start: {message}");
        return 1;
    }
    if let Some(socket) = std::env::var_os(SOCKET_ENV).filter(|s| !s.is_empty()) {
        let socket = std::path::PathBuf::from(socket);
        let spawned = std::thread::Builder::new().name("aether-hmr-reload".into()).spawn(move || host.listen(&socket));
        if let Err(e) = spawned {
            eprintln!("[aether] cannot start the reload listener ({e}); running without reloads");
        }
    }
    loop {
        let Some(ptr) = host.tables.get(ModuleId(program.entry_module), program.entry_fn) else {
            eprintln!("error: the program has no `main` to run");
            return 1;
        };
        // SAFETY: the slot holds `main`, whose signature fingerprint
        // (`fn() -> ()`) the loader checked: its shim is
        // `extern "C" fn() -> Guarded<()>`.
        let main: extern "C" fn() -> Guarded<()> = unsafe { std::mem::transmute(ptr) };
        match main().into_result() {
            Ok(()) => {
                crate::prelude::flush_stdout();
                return 0;
            }
            // The panic hook of the module that panicked printed the error.
            Err(_) if host.listening.load(Ordering::Acquire) => {
                crate::prelude::flush_stdout();
                // Taken after the failure: a reload that landed while the
                // failing run went on must not restart it straight away.
                let generation = host.tables.generation();
                eprintln!(
                    "[aether] `main` stopped with the runtime error above; the program keeps running with its \
                     state: fix the code and save, and `main` starts again"
                );
                while host.tables.generation() == generation {
                    std::thread::sleep(Duration::from_millis(20));
                }
                eprintln!("[aether] `main` starts again (state kept)");
            }
            Err(_) => return 101,
        }
    }
}

struct Host {
    program: &'static ProgramSpec,
    interfaces: Vec<Interface>,
    loader: Loader,
    tables: FnTables,
    states: Mutex<SharedStates>,
    /// Connected to the supervisor: reloads can come.
    listening: AtomicBool,
}

/// `States` holds raw pointers to the values it owns, so it is not `Send`
/// by itself.
struct SharedStates(States);

// SAFETY: the values behind the pointers are owned by `States` alone (the
// module libraries reach them through their slots, which is the point of
// runtime-owned state), and every access from the host goes through the mutex.
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

fn leak_spec(program: &ProgramSpec) -> &'static ProgramSpec {
    Box::leak(Box::new(ProgramSpec {
        modules: program.modules,
        entry_module: program.entry_module,
        entry_fn: program.entry_fn,
        init_order: program.init_order,
    }))
}

impl Host {
    /// The first generation: every module, all or nothing. Functions are
    /// published first and the states bound after, in module dependency
    /// order, so a `state` initializer may call functions (as in the static
    /// build, a state read before its initializer ran holds a placeholder).
    fn load_all(&self) -> Result<(), String> {
        let mut loaded = Vec::new();
        for (i, spec) in self.program.modules.iter().enumerate() {
            let module = self.load(i, Path::new(spec.library))?;
            loaded.push(module);
        }
        let mut update = self.tables.update();
        for (i, module) in loaded.iter().enumerate() {
            update.replace(ModuleId(i), module.clone()).map_err(|e| e.to_string())?;
        }
        update.publish();
        let mut states = self.lock_states();
        for &i in self.program.init_order {
            let Some(module) = loaded.get(i) else { continue };
            let plan = states.prepare(module).map_err(|e| e.to_string())?;
            plan.commit(&mut states);
        }
        Ok(())
    }

    fn load(&self, i: usize, path: &Path) -> Result<LoadedModule, String> {
        let (Some(spec), Some(interface)) = (self.program.modules.get(i), self.interfaces.get(i)) else {
            return Err(format!("no module with index {i}"));
        };
        let module = self.loader.load(path, interface).map_err(|e| e.to_string())?;
        if module.interface_fingerprint != spec.interface_fingerprint {
            return Err(format!(
                "module `{}` changed its interface (the functions other modules call); restart to use it \
                 (not yet supported under --hmr)",
                spec.name
            ));
        }
        Ok(module)
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
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["reload", index, path, saved, changed] => {
                    let (Ok(index), Ok(saved), Ok(changed)) =
                        (index.parse::<usize>(), saved.parse::<u128>(), changed.parse::<usize>())
                    else {
                        eprintln!("[aether] ignored a malformed reload command: {line}");
                        continue;
                    };
                    self.reload(index, Path::new(path), saved, changed);
                }
                _ => eprintln!("[aether] ignored an unknown command: {line}"),
            }
        }
        // The supervisor is gone (killed, or crashed): without it nothing
        // watches the sources, and an orphaned program would run unseen.
        crate::prelude::flush_stdout();
        eprintln!("[aether] the `cargo aether run --hmr` that started this program is gone; stopping");
        std::process::exit(1);
    }

    fn reload(&self, index: usize, path: &Path, saved_ms: u128, changed: usize) {
        let file = self.program.modules.get(index).map_or("?", |m| m.file);
        let vars = self.program.modules.get(index).map_or(&[][..], |m| m.state_vars);
        let outcome = (|| -> Result<super::StateReport, String> {
            let module = self.load(index, path)?;
            let mut states = self.lock_states();
            let plan = states.prepare(&module).map_err(|e| e.to_string())?;
            let mut update = self.tables.update();
            update.replace(ModuleId(index), module).map_err(|e| e.to_string())?;
            let report = plan.commit(&mut states);
            update.publish();
            Ok(report)
        })();
        match outcome {
            Ok(report) => {
                let ms = now_ms().saturating_sub(saved_ms);
                let (kept, reset) = if report.reset.is_empty() { (vars.len(), 0) } else { (0, vars.len()) };
                if reset > 0 {
                    eprintln!(
                        "[aether] warning: the state of {file} changed type; reset to its initializers: {}",
                        vars.join(", ")
                    );
                }
                eprintln!(
                    "[aether] reloaded {file} in {ms} ms ({changed} function{} changed, state kept: {kept}, reset: {reset})",
                    if changed == 1 { "" } else { "s" }
                );
            }
            Err(why) => {
                eprintln!("[aether] reload of {file} refused; the old code and state keep running:");
                eprintln!("  {why}");
            }
        }
    }
}

/// Milliseconds since the epoch (the CLI sends the save time in the same unit).
pub fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

#[cfg(unix)]
fn connect(socket: &Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    std::os::unix::net::UnixStream::connect(socket)
}

#[cfg(not(unix))]
fn connect(_socket: &Path) -> std::io::Result<std::fs::File> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "reloads need Unix domain sockets"))
}

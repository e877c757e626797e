//! Real module libraries, built at test time: a tiny `cdylib` crate per test
//! that exports a descriptor through `aether_rt::abi`, built with cargo into
//! one shared target dir (`<repo>/target/hmr-tests`) so rebuilds are
//! incremental, then loaded, validated, swapped and called.

use aether_rt::abi::{fingerprint, Guarded, HostHooks, PanicInfo};
use aether_rt::hmr::{
    kept_libraries, FnTables, LoadError, LoadedModule, Loader, ModuleId, StateError, StateReport, States, SwapError,
};
use aether_test_support::{cargo, repo_root};
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::time::Instant;

type AnswerFn = extern "C" fn() -> Guarded<i64>;
type IsExpected = fn(&LoadError) -> bool;

/// Table slots of the fixture module's functions.
const ANSWER: usize = 0;
const TWICE: usize = 1;
const BUMP: usize = 2;

fn new_tables(names: &[&str]) -> FnTables {
    FnTables::new(names.iter().map(|n| n.to_string()).collect(), HostHooks::none())
}

/// Publish `module` in row `m` with no state (the tests that use state bind it themselves).
fn publish(tables: &FnTables, m: ModuleId, module: LoadedModule) -> u64 {
    let states = vec![std::ptr::null_mut(); module.states.len()];
    let mut update = tables.update();
    update.replace(m, module).expect("it fits the layout");
    update.set_states(m, states).expect("a row");
    update.publish().expect("it links")
}

#[test]
fn a_rebuilt_library_is_swapped_in_between_calls() {
    let fixture = Fixture::new("hmr_fx_swap");
    let loader = &fixture.loader;
    let tables = new_tables(&["counter"]);
    let counter = tables.module_id("counter").expect("the layout names `counter`");
    let (answer, twice) = (ANSWER, TWICE);
    assert_eq!(tables.get(counter, answer), None, "nothing is published before the first load");

    let first = fixture.build(&module_source(&Module::default()));
    let module = loader.load(&first, "counter").expect("the first build loads");
    assert_eq!(module.name, "counter");
    assert_eq!(module.function("twice").map(|(i, _)| i), Some(TWICE));
    assert_eq!(publish(&tables, counter, module), 1);
    assert_eq!(call(&tables, counter, answer), Ok(1));
    // `twice` calls `answer` through the runtime's table (its host slot).
    assert_eq!(call(&tables, counter, twice), Ok(2));
    let old_answer = tables.get(counter, answer).expect("published");

    let build_started = Instant::now();
    let second = fixture.build(&module_source(&Module { answer: 2, ..Module::default() }));
    let build = build_started.elapsed();
    let load_started = Instant::now();
    let module = loader.load(&second, "counter").expect("the second build loads");
    let load = load_started.elapsed();
    assert_ne!(module.copy, first, "each load opens a fresh copy");
    let swap_started = Instant::now();
    assert_eq!(publish(&tables, counter, module), 2);
    let swap = swap_started.elapsed();

    assert_eq!(call(&tables, counter, answer), Ok(2), "the next call reaches the new code");
    assert_eq!(call(&tables, counter, twice), Ok(4), "calls inside the module go through the table too");
    // The old library stays loaded: a call that started in it can finish.
    assert_eq!(call_ptr(old_answer), Ok(1));
    // What never unloading costs: reload the same build 20 more times.
    let (before_count, before_bytes) = kept_libraries();
    let rss_before = resident_kib();
    for _ in 0..20 {
        let module = loader.load(&second, "counter").expect("reloads");
        publish(&tables, counter, module);
    }
    let (after_count, after_bytes) = kept_libraries();
    assert!(after_count >= before_count + 20, "every opened library is kept");
    assert_eq!(call(&tables, counter, answer), Ok(2));
    if let (Some(before), Some(after)) = (rss_before, resident_kib()) {
        eprintln!(
            "hmr memory: 20 reloads kept {} KiB of library files; resident set grew {} KiB ({} KiB per reload)",
            (after_bytes - before_bytes) / 1024,
            after.saturating_sub(before),
            after.saturating_sub(before) / 20
        );
    }
    let (libraries, bytes) = kept_libraries();
    eprintln!(
        "hmr timings: rebuild after a one-line change {build:?}, load + validate {load:?}, \
         swap {swap:?}; {libraries} libraries kept, {} KiB mapped in total",
        bytes / 1024
    );
}

/// ABI 7: a library's own pending flag (what its direct calls test, with
/// one load) is raised and lowered with the runtime's, so a reload that
/// waits is let in by a call-heavy function of that library too; ABI 8: it
/// stays raised while another version of the module is current.
#[test]
fn a_librarys_own_pending_flag_is_raised_with_the_runtimes() {
    let fixture = Fixture::new("hmr_fx_own_pending");
    let tables = new_tables(&["counter"]);
    let counter = tables.module_id("counter").expect("the layout names `counter`");
    let body = "if OWN_PENDING.load(std::sync::atomic::Ordering::SeqCst) { 7 } else { 1 }";
    let built = fixture.build(&module_source(&Module { answer_body: body, ..Module::default() }));
    let module = fixture.loader.load(&built, "counter").expect("it loads");
    publish(&tables, counter, module);
    assert_eq!(call(&tables, counter, ANSWER), Ok(1), "nothing pending yet");
    tables.set_flags(true);
    assert_eq!(call(&tables, counter, ANSWER), Ok(7), "raised with the runtime's flag");
    tables.set_flags(false);
    assert_eq!(call(&tables, counter, ANSWER), Ok(1), "lowered with it");

    // ABI 8: while another version of the module is current, the old
    // library's flag stays raised (its direct calls go through the table),
    // and it is lowered again when the old version is current again.
    let old = tables.get(counter, ANSWER).expect("the first version's shim");
    let first_again = fixture.loader.load(&built, "counter").expect("the first version loads again");
    let newer_body = "if OWN_PENDING.load(std::sync::atomic::Ordering::SeqCst) { 8 } else { 2 }";
    let newer = fixture.build(&module_source(&Module { answer_body: newer_body, ..Module::default() }));
    let newer = fixture.loader.load(&newer, "counter").expect("the second version loads");
    publish(&tables, counter, newer);
    let newer = tables.get(counter, ANSWER).expect("the second version's shim");
    assert_eq!(call_ptr(newer), Ok(2), "the new version is current, nothing pending");
    assert_eq!(call_ptr(old), Ok(7), "the superseded library's own flag is raised");
    tables.set_flags(false);
    assert_eq!(call_ptr(old), Ok(7), "and stays raised when the others are lowered");
    publish(&tables, counter, first_again);
    assert_eq!(call(&tables, counter, ANSWER), Ok(1), "the first version, current again, is not pending");
    assert_eq!(call_ptr(newer), Ok(8), "the second version is superseded in turn");
}

#[test]
fn a_panic_inside_a_guarded_call_comes_back_as_an_error() {
    let fixture = Fixture::new("hmr_fx_panic");
    let source = module_source(&Module { answer_body: "panic!(\"boom\\n  --> counter.ae:3:5\")", ..Module::default() });
    let module = fixture.loader.load(&fixture.build(&source), "counter").expect("the library loads");
    let tables = new_tables(&["counter"]);
    let m = ModuleId(0);
    publish(&tables, m, module);
    let outcome = call(&tables, m, 0);
    assert_eq!(outcome, Err(PanicInfo { message: "boom\n  --> counter.ae:3:5".into() }));
    // The process and the module survive: the next call panics again, cleanly.
    assert!(call(&tables, m, 0).is_err());
}

#[test]
fn mismatched_libraries_are_refused_and_the_old_table_stays() {
    let fixture = Fixture::new("hmr_fx_refuse");
    let loader = &fixture.loader;
    let tables = new_tables(&["counter"]);
    let m = ModuleId(0);
    let good = fixture.load(&Module::default());
    publish(&tables, m, good);

    let refusals: Vec<(&str, Module, IsExpected)> = vec![
        ("another ABI version", Module { abi_version: 99, ..Module::default() }, |e| {
            matches!(e, LoadError::AbiVersion { found: 99, expected: aether_rt::abi::ABI_VERSION, .. })
        }),
        (
            "no entry symbol",
            Module { export_entry: false, ..Module::default() },
            |e| matches!(e, LoadError::MissingEntry { symbol, .. } if *symbol == aether_rt::abi::entry_symbol()),
        ),
        ("no version symbol", Module { export_version: false, ..Module::default() }, |e| {
            matches!(e, LoadError::NotAModule { .. })
        }),
        (
            "another module",
            Module { name: "physics", ..Module::default() },
            |e| matches!(e, LoadError::WrongModule { found, .. } if found == "physics"),
        ),
        (
            "a hook index out of range",
            Module { on_reload: "[7]", ..Module::default() },
            |e| matches!(e, LoadError::Invalid { problem, .. } if problem.contains("hook index 7")),
        ),
        (
            "a duplicate function",
            Module { twice_name: "answer", ..Module::default() },
            |e| matches!(e, LoadError::Invalid { problem, .. } if problem.contains("`answer` appears twice")),
        ),
        (
            "a null function pointer",
            Module { twice_ptr: "std::ptr::null()", ..Module::default() },
            |e| matches!(e, LoadError::Invalid { problem, .. } if problem.contains("null pointer")),
        ),
        (
            "a name that is not UTF-8",
            Module { name_bytes: Some(b"\xff\xfe"), ..Module::default() },
            |e| matches!(e, LoadError::Invalid { problem, .. } if problem.contains("not UTF-8")),
        ),
    ];
    for (what, module, expected) in refusals {
        let path = fixture.build(&module_source(&module));
        let error = match loader.load(&path, "counter") {
            Ok(_) => panic!("a library with {what} was accepted"),
            Err(error) => error,
        };
        assert!(expected(&error), "{what}: unexpected refusal {error:?}");
        assert!(!error.to_string().is_empty());
        assert_eq!(tables.generation(), 1, "{what}: nothing was published");
        assert_eq!(call(&tables, m, 0), Ok(1), "{what}: the old code keeps running");
    }

    let not_a_library = fixture.dir.path().join("libnot.so");
    std::fs::write(&not_a_library, "not an ELF file").expect("write");
    assert!(matches!(loader.load(&not_a_library, "counter"), Err(LoadError::Open { .. })));
    assert!(matches!(loader.load(&fixture.dir.path().join("missing.so"), "counter"), Err(LoadError::Copy { .. })));

    // A library built against another interface of a module it imports is
    // refused when the set is published: here `counter` imports `physics`.
    let tables = new_tables(&["counter", "physics"]);
    let physics = fixture.load(&Module { name: "physics", ..Module::default() });
    let importer = Module { imports: "[ImportEntry { module: Str::new(\"physics\"), interface_fingerprint: 12345, functions: Slice::new(&[]), states: Slice::new(&[]) }]", ..Module::default() };
    let counter = fixture.load(&importer);
    let mut update = tables.update();
    update.replace(ModuleId(0), counter).expect("fits");
    update.set_states(ModuleId(0), vec![std::ptr::null_mut()]).expect("row");
    update.replace(ModuleId(1), physics).expect("fits");
    update.set_states(ModuleId(1), vec![std::ptr::null_mut()]).expect("row");
    assert!(
        matches!(update.publish(), Err(SwapError::StaleImport { module, import }) if module == "counter" && import == "physics")
    );
    assert_eq!(tables.generation(), 0, "nothing was published");
}

#[test]
fn a_half_prepared_update_publishes_nothing() {
    let fixture = Fixture::new("hmr_fx_partial");
    let tables = new_tables(&["counter", "physics"]);
    let (c, p) = (ModuleId(0), ModuleId(1));
    let module = fixture.load(&Module::default());

    // Two modules swap together or not at all: the second one does not fit
    // its slot, so the update is dropped and the first is not visible.
    let mut update = tables.update();
    update.replace(c, module.clone()).expect("counter fits its slot");
    assert!(update.replace(p, module.clone()).is_err(), "counter cannot fill physics' slot");
    drop(update);
    assert_eq!(tables.generation(), 0);
    assert_eq!(tables.get(c, 0), None);

    publish(&tables, c, module);
    assert_eq!(call(&tables, c, 0), Ok(1));
    assert_eq!(tables.get(p, 0), None, "a module never loaded stays empty");
}

#[test]
fn state_survives_a_reload_and_migrates_when_its_type_changes() {
    let fixture = Fixture::new("hmr_fx_state");
    let tables = new_tables(&["counter"]);
    let m = ModuleId(0);
    let mut states = States::new();
    // As the host does it: bind (kept or zeroed), initialize, publish, commit.
    let reload = |states: &mut States, module: &Module| -> StateReport {
        let loaded = fixture.load(module);
        let mut plan = states.prepare(&loaded).expect("states bind");
        plan.initialize().expect("initializers run");
        let mut update = tables.update();
        update.replace(m, loaded).expect("fits");
        update.set_states(m, plan.addresses()).expect("row");
        update.publish().expect("links");
        plan.commit(states)
    };

    let report = reload(&mut states, &Module::default());
    assert_eq!(report.new, ["count"]);
    let bump = || call(&tables, m, BUMP);
    assert_eq!((bump(), bump(), bump()), (Ok(101), Ok(102), Ok(103)));

    let report = reload(&mut states, &Module { step: 10, ..Module::default() });
    assert_eq!((report.kept, report.reset), (vec!["count".to_string()], vec![]));
    assert_eq!(bump(), Ok(113), "the new code continues from the old value");

    // A reload that is prepared but refused before publishing loses nothing.
    let changed = Module { state_type: "float", step: 1000, ..Module::default() };
    let loaded = fixture.load(&changed);
    let mut plan = states.prepare(&loaded).expect("prepares");
    plan.initialize().expect("initializes");
    drop(plan);
    assert_eq!(bump(), Ok(123), "the old code and its value are untouched");

    // An initializer that panics refuses the reload, with the state's name.
    let broken = Module { state_name: "fresh", state_init: "panic!(\"bad init\")", ..Module::default() };
    let loaded = fixture.load(&broken);
    let mut plan = states.prepare(&loaded).expect("zeroed memory binds");
    assert_eq!(plan.initialize(), Err(StateError::InitFailed { module: "counter".into(), state: "fresh".into() }));
    drop(plan);
    assert_eq!(bump(), Ok(133), "the old code and its value are untouched");

    // A changed type is migrated from the old value (saved by the old
    // library, read by the new one), never reinterpreted.
    let report = reload(&mut states, &Module { migrate_bonus: 5, ..changed });
    assert_eq!((report.kept, report.migrated, report.reset), (vec![], vec!["count".to_string()], vec![]));
    assert_eq!(bump(), Ok(1138), "the old value 133, migrated (+5), then one step of 1000");
}

/// Resident set size of this process, where the platform tells it cheaply.
fn resident_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // statm counts pages; 4 KiB on the platforms CI runs on.
    Some(pages * 4)
}

fn call(tables: &FnTables, m: ModuleId, slot: usize) -> Result<i64, PanicInfo> {
    call_ptr(tables.get(m, slot).expect("a function is published in this slot"))
}

#[allow(unsafe_code)] // calls a loaded shim, as the host does
fn call_ptr(ptr: *const c_void) -> Result<i64, PanicInfo> {
    // SAFETY: every slot of these tests holds a shim checked to have the
    // signature `fn() -> int`, i.e. `extern "C" fn() -> Guarded<i64>`.
    let f: AnswerFn = unsafe { std::mem::transmute::<*const c_void, AnswerFn>(ptr) };
    f().into_result()
}

/// What to vary in the generated module crate.
struct Module {
    name: &'static str,
    name_bytes: Option<&'static [u8]>,
    answer: i64,
    answer_body: &'static str,
    answer_signature: &'static str,
    twice_name: &'static str,
    twice_ptr: &'static str,
    abi_version: u32,
    export_version: bool,
    export_entry: bool,
    state_type: &'static str,
    state_init: &'static str,
    step: i64,
    imports: &'static str,
    on_reload: &'static str,
    migrate_bonus: i64,
    state_name: &'static str,
}

impl Default for Module {
    fn default() -> Self {
        Module {
            name: "counter",
            name_bytes: None,
            answer: 1,
            answer_body: "",
            answer_signature: "fn() -> int",
            twice_name: "twice",
            twice_ptr: "twice as *const c_void",
            abi_version: aether_rt::abi::ABI_VERSION,
            export_version: true,
            export_entry: true,
            state_type: "int",
            state_init: "*p.cast::<i64>() = 100",
            step: 1,
            imports: "[]",
            on_reload: "[]",
            migrate_bonus: 0,
            state_name: "count",
        }
    }
}

/// The module library as the code generator would emit it, by hand.
fn module_source(m: &Module) -> String {
    let body = if m.answer_body.is_empty() { m.answer.to_string() } else { m.answer_body.to_string() };
    let name = match m.name_bytes {
        // A `Str` is built only from `&str`; bad bytes need its raw layout.
        Some(bytes) => format!(
            "{{ static BYTES: [u8; {}] = {bytes:?}; \
             unsafe {{ std::mem::transmute::<RawStr, Str>(RawStr(BYTES.as_ptr(), BYTES.len())) }} }}",
            bytes.len()
        ),
        None => format!("Str::new({:?})", m.name),
    };
    let name_item = if m.name_bytes.is_some() {
        format!("fn module_name() -> Str {name}")
    } else {
        format!("const fn module_name() -> Str {{ {name} }}")
    };
    let descriptor = if m.name_bytes.is_some() {
        // Not const-constructible: build it once at first use.
        "static DESCRIPTOR: std::sync::LazyLock<ModuleDescriptor> = std::sync::LazyLock::new(|| descriptor());"
    } else {
        "static DESCRIPTOR: ModuleDescriptor = descriptor();"
    };
    let descriptor_fn = if m.name_bytes.is_some() { "fn" } else { "const fn" };
    let version = if m.export_version {
        format!("#[no_mangle] pub extern \"C\" fn aether_abi_version() -> u32 {{ {} }}", m.abi_version)
    } else {
        String::new()
    };
    let entry = if m.export_entry {
        format!(
            "#[no_mangle] pub extern \"C\" fn {}() -> *const ModuleDescriptor {{ let d: &ModuleDescriptor = &DESCRIPTOR; d }}",
            aether_rt::abi::entry_symbol()
        )
    } else {
        String::new()
    };
    format!(
        r#"#![allow(clippy::all, dead_code)]
use aether_rt::abi::*;
use std::ffi::c_void;

#[repr(C)]
struct RawStr(*const u8, usize);

extern "C" fn answer() -> Guarded<i64> {{
    Guarded::call(|| {body})
}}

extern "C" fn twice() -> Guarded<i64> {{
    Guarded::call(|| {{
        let table = HOST.get().expect("the runtime set the host slot");
        let f = table.lookup(0, 0);
        assert!(!f.is_null(), "answer is published");
        let f: extern "C" fn() -> Guarded<i64> = unsafe {{ std::mem::transmute(f) }};
        match f().into_result() {{
            Ok(v) => 2 * v,
            Err(p) => panic!("{{p}}"),
        }}
    }})
}}

extern "C" fn count_zero(p: *mut c_void) -> bool {{
    unsafe {{ p.cast::<i64>().write(0) }};
    true
}}

extern "C" fn count_init(p: *mut c_void) -> bool {{
    call_guarded(|| unsafe {{ {state_init} }}).is_ok()
}}

extern "C" fn count_drop(_: *mut c_void) {{}}

extern "C" fn count_save(p: *const c_void) -> Guarded<Text> {{
    Guarded::call(|| Text::from(unsafe {{ *p.cast::<i64>() }}.to_string()))
}}

extern "C" fn count_migrate(text: *const u8, len: usize, p: *mut c_void) -> Guarded<Migrated> {{
    Guarded::call(|| {{
        let text = String::from_utf8_lossy(unsafe {{ std::slice::from_raw_parts(text, len) }}).into_owned();
        let old: i64 = text.parse().unwrap_or(0);
        unsafe {{ *p.cast::<i64>() = old + {migrate_bonus} }};
        Migrated {{ outcome: 1, warnings: Text::from(String::new()) }}
    }})
}}

static STATES: [StateEntry; 1] = [StateEntry {{
    name: Str::new({state_name:?}),
    type_fingerprint: fingerprint({state_type:?}),
    size: std::mem::size_of::<i64>(),
    align: std::mem::align_of::<i64>(),
    zero: count_zero,
    init: count_init,
    drop: count_drop,
    save: count_save,
    migrate: count_migrate,
}}];

extern "C" fn bump() -> Guarded<i64> {{
    Guarded::call(|| {{
        let count = HOST.get().expect("published").state(0, 0, None).cast::<i64>();
        assert!(!count.is_null(), "the runtime bound `count`");
        unsafe {{
            *count += {step};
            *count
        }}
    }})
}}

static FUNCTIONS: [FnEntry; 3] = [
    FnEntry::new("answer", {answer_sig:?}, answer as *const c_void),
    FnEntry::new({twice_name:?}, "fn() -> int", {twice_ptr}),
    FnEntry::new("bump", "fn() -> int", bump as *const c_void),
];

{name_item}

{descriptor_fn} descriptor() -> ModuleDescriptor {{
    ModuleDescriptor {{
        abi_version: {abi},
        name: module_name(),
        interface_fingerprint: {interface},
        functions: Slice::new(&FUNCTIONS),
        states: Slice::new(&STATES),
        imports: Slice::new(&IMPORTS),
        before_reload: Slice::new(&[]),
        on_reload: Slice::new(&ON_RELOAD),
        host: &HOST,
        prepare,
        pending: &PENDING,
        own_pending: &OWN_PENDING,
        active: &ACTIVE,
        epoch: &EPOCH,
        pinned: false,
        frames: Slice::new(&[]),
    }}
}}

extern "C" fn prepare() {{}}

/// The crate's own "reload pending" flag, as generated code has it.
static OWN_PENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

static IMPORTS: [ImportEntry; {nimports}] = {imports};
static ON_RELOAD: [u32; {nhooks}] = {on_reload};

{descriptor}
{version}
{entry}
"#,
        answer_sig = m.answer_signature,
        state_type = m.state_type,
        state_init = m.state_init,
        step = m.step,
        twice_name = m.twice_name,
        twice_ptr = m.twice_ptr,
        abi = m.abi_version,
        interface = fingerprint("answer: fn() -> int; twice: fn() -> int"),
        imports = m.imports,
        nimports = m.imports.matches("ImportEntry").count(),
        on_reload = m.on_reload,
        migrate_bonus = m.migrate_bonus,
        state_name = m.state_name,
        nhooks = if m.on_reload == "[]" { 0 } else { m.on_reload.matches(',').count() + 1 },
    )
}

/// A module crate in a temp dir, built into the shared target dir, and a
/// loader whose copies go to the same temp dir.
struct Fixture {
    dir: tempfile::TempDir,
    name: &'static str,
    loader: Loader,
}

impl Fixture {
    fn new(name: &'static str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let rt = Path::new(env!("CARGO_MANIFEST_DIR"));
        let manifest = format!(
            "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\npath = \"lib.rs\"\n\n\
             [dependencies]\naether-rt = {{ path = {rt:?} }}\n\n\
             [profile.dev]\ndebug = 0\n\n[workspace]\n",
            rt = rt.display().to_string(),
        );
        std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("write Cargo.toml");
        // The workspace's lock file pins the same dependency versions, so
        // the shared target dir's compiled dependencies are reused.
        let _ = std::fs::copy(repo_root().join("Cargo.lock"), dir.path().join("Cargo.lock"));
        let loader = Loader::new(dir.path().join("copies"));
        Fixture { dir, name, loader }
    }

    /// Write `source` as the crate's lib.rs, build, return the library path.
    fn build(&self, source: &str) -> PathBuf {
        std::fs::write(self.dir.path().join("lib.rs"), source).expect("write lib.rs");
        let target = repo_root().join("target/hmr-tests");
        let output = cargo()
            .arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(self.dir.path().join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "building the fixture failed:\n{}\n--- source ---\n{source}",
            String::from_utf8_lossy(&output.stderr)
        );
        let file = format!("{}{}{}", std::env::consts::DLL_PREFIX, self.name, std::env::consts::DLL_SUFFIX);
        let path = target.join("debug").join(file);
        assert!(path.is_file(), "cargo built {}", path.display());
        path
    }

    /// `module` built and loaded (as the module it names).
    fn load(&self, module: &Module) -> LoadedModule {
        self.loader.load(&self.build(&module_source(module)), module.name).expect("the library loads")
    }
}

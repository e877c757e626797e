//! The ABI's symbols, fingerprints, call table and panic guard.

use super::*;

#[allow(unsafe_code)] // #[no_mangle]
mod exported {
    extern "C" fn answer() -> i64 {
        1
    }
    static FUNCTIONS: [super::FnEntry; 1] =
        [super::FnEntry::new("answer", "fn() -> int", answer as *const std::ffi::c_void)];
    static DESCRIPTOR: super::ModuleDescriptor = super::ModuleDescriptor {
        abi_version: super::ABI_VERSION,
        name: super::Str::new("m"),
        interface_fingerprint: 7,
        functions: super::Slice::new(&FUNCTIONS),
        states: super::Slice::new(&[]),
        imports: super::Slice::new(&[]),
        before_reload: super::Slice::new(&[]),
        on_reload: super::Slice::new(&[]),
        host: &super::HOST,
        prepare: crate::abi::table::no_op,
        pending: &super::PENDING,
        own_pending: &super::PENDING,
        active: &super::ACTIVE,
        epoch: &super::EPOCH,
        pinned: false,
        frames: super::Slice::new(&[]),
    };
    crate::export_module!(DESCRIPTOR);
    pub fn entry() -> *const super::ModuleDescriptor {
        aether_module_v9()
    }
    pub fn version() -> u32 {
        aether_abi_version()
    }
}

#[test]
fn the_macro_exports_the_entry_symbol_of_this_version() {
    // The macro cannot paste ABI_VERSION into an identifier, so its
    // spelled-out name is checked against entry_symbol() here.
    let source = include_str!("../abi.rs");
    let spelled = format!("pub extern \"C\" fn {}()", entry_symbol());
    assert!(source.contains(&spelled), "export_module! must define {spelled}");
    assert_eq!(exported::version(), ABI_VERSION);
    assert!(!exported::entry().is_null());
}

#[test]
fn fingerprints_are_fnv1a_and_stable() {
    // Reference values of 64-bit FNV-1a.
    assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
    const AT_COMPILE_TIME: u64 = fingerprint("fn() -> int");
    assert_eq!(AT_COMPILE_TIME, fingerprint("fn() -> int"));
    assert_ne!(fingerprint("fn() -> int"), fingerprint("fn() -> float"));
    assert_ne!(fingerprint_combine(fingerprint("a"), 1), fingerprint_combine(fingerprint("a"), 2));
    assert_ne!(fingerprint_combine(fingerprint_combine(0, 1), 2), fingerprint_combine(fingerprint_combine(0, 2), 1));
}

#[test]
fn str_and_slice_keep_pointer_and_length() {
    let s = Str::new("physics");
    assert_eq!(s.raw_parts().1, 7);
    static XS: [u32; 3] = [1, 2, 3];
    let xs = Slice::new(&XS);
    assert_eq!(xs.raw_parts(), (XS.as_ptr(), 3));
}

#[test]
fn a_call_table_publishes_whole_views() {
    extern "C" fn one() -> i64 {
        1
    }
    extern "C" fn two() -> i64 {
        2
    }
    static TABLE: CallTable = CallTable::new();
    static HOST: HostSlot = HostSlot::new();
    assert!(HOST.get().is_none());
    HOST.set(&TABLE);
    let table = HOST.get().map(|t| t as *const CallTable);
    assert_eq!(table, Some(&TABLE as *const CallTable));
    assert!(TABLE.lookup(0, 0).is_null());
    assert_eq!(TABLE.generation(), 0);
    let p1 = one as *const c_void;
    let p2 = two as *const c_void;
    TABLE.publish(TableView::leak(
        1,
        vec![Row { fns: vec![(p1, 1)], states: vec![] }, Row { fns: vec![(p1, 1), (p2, 2)], states: vec![] }],
    ));
    assert_eq!(TABLE.lookup(1, 1), p2);
    assert!(TABLE.lookup(0, 1).is_null());
    assert!(TABLE.lookup(2, 0).is_null());
    TABLE.publish(TableView::leak(
        2,
        vec![Row { fns: vec![(p2, 2)], states: vec![] }, Row { fns: vec![(p2, 2), (p1, 1)], states: vec![] }],
    ));
    assert_eq!((TABLE.generation(), TABLE.lookup(0, 0), TABLE.lookup(1, 1)), (2, p2, p1));
    assert_eq!(TABLE.lookup_checked(1, 1, Some(1)), p1);
    assert!(TABLE.lookup_checked(1, 1, Some(2)).is_null(), "a stale fingerprint finds nothing");
}

#[test]
fn a_panic_becomes_an_error_with_its_message() {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let literal = call_guarded(|| -> i64 { panic!("boom") });
    let formatted = Guarded::call(|| -> i64 { panic!("index {} out of range", 5) });
    let custom = call_guarded(|| std::panic::panic_any(17_u8));
    std::panic::set_hook(quiet);
    assert_eq!(literal, Err(PanicInfo { message: "boom".into() }));
    assert_eq!(formatted.into_result().map_err(|e| e.to_string()), Err("index 5 out of range".to_string()));
    assert_eq!(custom.map_err(|e| e.message), Err("panic with a non-string payload".to_string()));
    assert_eq!(call_guarded(|| 3), Ok(3));
    assert_eq!(Guarded::call(|| String::from("kept")).into_result(), Ok("kept".to_string()));
    let empty = Guarded::<i64>::from_result(Err(PanicInfo { message: String::new() }));
    assert_eq!(empty.into_result(), Err(PanicInfo { message: String::new() }));
}

/// ABI 9: a shim's result for a scalar is two words, which `extern "C"`
/// returns in registers (three words or more go through memory the caller
/// reads back, on the critical path of every call through a shim).
#[test]
fn a_guarded_scalar_is_two_words() {
    let word = size_of::<usize>();
    assert_eq!(size_of::<Guarded<i64>>(), 2 * word);
    assert_eq!(size_of::<Guarded<f64>>(), 2 * word);
    assert_eq!(size_of::<Guarded<bool>>(), 2 * word);
    assert_eq!(size_of::<Guarded<()>>(), word);
}

#[test]
fn a_restart_of_the_called_function_calls_again_through_the_slot_and_others_unwind() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn old() -> Guarded<i64> {
        // A reload put the new version in the slot; this old code left its
        // loop at a back-edge, and the restart names this shim.
        CALLS.fetch_add(1, Ordering::SeqCst);
        SLOT.set((new as *const c_void).cast_mut());
        let me = old as *const c_void as usize;
        Guarded::from_result(Err(PanicInfo { message: format!("{RESTART_CALL}{me:x}") }))
    }
    extern "C" fn new() -> Guarded<i64> {
        Guarded::from_result(Ok(42))
    }
    static SLOT: Slot = Slot::new();
    SLOT.set((old as *const c_void).cast_mut());
    let value = call_restartable(&SLOT, "m.f", |p| shim(p)());
    assert_eq!((value, CALLS.load(Ordering::SeqCst)), (42, 1));
    assert_eq!(restart_target(&format!("{RESTART_CALL}ff")), Some(255));
    assert_eq!(restart_target("boom"), None);

    // A restart meant for a function further out unwinds through this call.
    extern "C" fn inner() -> Guarded<i64> {
        Guarded::from_result(Err(PanicInfo { message: format!("{RESTART_CALL}1") }))
    }
    SLOT.set((inner as *const c_void).cast_mut());
    let unwound = std::panic::catch_unwind(|| call_restartable(&SLOT, "m.g", |p| shim(p)()));
    let message = unwound.err().and_then(|e| e.downcast_ref::<String>().cloned());
    assert_eq!(message, Some(format!("{RESTART_CALL}1")));
}

#[test]
fn a_call_with_its_arguments_as_a_tuple_restarts_with_the_same_arguments() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    // As generated shims are (`Guarded<String>` is `#[repr(C)]` around a
    // `MaybeUninit<String>` that only Rust reads).
    #[allow(improper_ctypes_definitions)]
    extern "C" fn old(a: i64, text: &String) -> Guarded<String> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        SLOT.set((new as *const c_void).cast_mut());
        let me = old as *const c_void as usize;
        let _ = (a, text);
        Guarded::from_result(Err(PanicInfo { message: format!("{RESTART_CALL}{me:x}") }))
    }
    #[allow(improper_ctypes_definitions)]
    extern "C" fn new(a: i64, text: &String) -> Guarded<String> {
        Guarded::apply::<(i64, &String)>(body, (a, text))
    }
    fn body(a: i64, text: &String) -> String {
        if a < 0 {
            panic!("negative {a}");
        }
        format!("{text}{a}")
    }
    static SLOT: Slot = Slot::new();
    SLOT.set((old as *const c_void).cast_mut());
    let text = String::from("n=");
    let value = call_shim::<(i64, &String), String>(&SLOT, "m.f", (7, &text));
    assert_eq!((value.as_str(), CALLS.load(Ordering::SeqCst)), ("n=7", 1), "the restart passed the same arguments");
    let cold = call_shim_cold::<(i64, &String), String>(&SLOT, "m.f", (8, &text));
    assert_eq!(cold, "n=8");

    // A panic in the callee is caught by the shim and unwinds in the caller.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let unwound = std::panic::catch_unwind(|| call_shim::<(i64, &String), String>(&SLOT, "m.f", (-1, &text)));
    std::panic::set_hook(quiet);
    let message = unwound.err().and_then(|e| e.downcast_ref::<String>().cloned());
    assert_eq!(message.as_deref(), Some("negative -1"));
}

#[test]
fn a_hosts_call_returns_the_callees_error_and_restarts_as_other_calls_do() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn old(a: i64) -> Guarded<i64> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        SLOT.set((new as *const c_void).cast_mut());
        let me = old as *const c_void as usize;
        let _ = a;
        Guarded::from_result(Err(PanicInfo { message: format!("{RESTART_CALL}{me:x}") }))
    }
    extern "C" fn new(a: i64) -> Guarded<i64> {
        Guarded::apply::<(i64,)>(body, (a,))
    }
    fn body(a: i64) -> i64 {
        if a < 0 {
            panic!("negative {a}");
        }
        a * 2
    }
    static SLOT: Slot = Slot::new();
    static EMPTY: Slot = Slot::new();
    SLOT.set((old as *const c_void).cast_mut());
    // Old code left at a back-edge: called again, with the same argument.
    assert_eq!(try_call_shim::<(i64,), i64>(&SLOT, "m.f", (21,)), Ok(42));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);

    // A runtime error comes back as a value: nothing unwinds in the caller.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failed = std::panic::catch_unwind(|| try_call_shim::<(i64,), i64>(&SLOT, "m.f", (-1,)));
    let empty = std::panic::catch_unwind(|| try_call_shim::<(i64,), i64>(&EMPTY, "m.gone", (1,)));
    std::panic::set_hook(quiet);
    let failed = failed.expect("the error is returned, not raised");
    assert_eq!(failed.map_err(|e| e.message), Err("negative -1".to_string()));
    // So is an empty slot's (the slow path, under its own guard).
    let empty = empty.expect("the error is returned, not raised").map_err(|e| e.message);
    assert!(empty.as_ref().is_err_and(|m| m.contains("`m.gone` changed in a reload")), "{empty:?}");
}

/// The shim behind `p`, as generated trampolines transmute it.
fn shim(p: *const c_void) -> extern "C" fn() -> Guarded<i64> {
    // SAFETY: every pointer this test stores is an `extern "C" fn() -> Guarded<i64>`.
    #[allow(unsafe_code)]
    unsafe {
        std::mem::transmute::<*const c_void, extern "C" fn() -> Guarded<i64>>(p)
    }
}

//! The Linux side of [`super`]: the `SIGSEGV`/`SIGBUS` handler, the
//! alternate stack it runs on, and what it reads (the stack, the loaded
//! images' symbol tables). Nothing here allocates once the handler runs.

use super::{demangle, function_at, is_frame, message, Fixed, Frame};
use libc::{c_int, c_void, siginfo_t};
use std::cell::Cell;
use std::sync::{Once, OnceLock, RwLock};

/// The generated functions, from the first [`install`].
static FRAMES: OnceLock<&'static [Frame]> = OnceLock::new();
/// Under `--hmr`, the current libraries' functions (see
/// [`super::replace_reloaded_frames`]). The handler only ever tries to read
/// it: a fault while a reload holds the lock falls back to [`FRAMES`].
static RELOADED: RwLock<Vec<Frame>> = RwLock::new(Vec::new());
/// The handlers installed before ours (Rust's own), for `SIGSEGV` and
/// `SIGBUS`: every fault that is not an overflow of a watched thread.
static PREVIOUS: OnceLock<[Previous; 2]> = OnceLock::new();

/// A saved `sigaction`: the handler address and its flags.
#[derive(Clone, Copy)]
struct Previous {
    action: libc::sighandler_t,
    flags: c_int,
}

thread_local! {
    /// This thread's stack, `(lowest, highest)` address; `(0, 0)` when the
    /// thread is not watched. Const-initialized and without `Drop`, so the
    /// handler can read it at any time.
    static STACK: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// How far from the end of the stack a fault still counts as an overflow:
/// the kernel's and glibc's idea of where the main thread's stack ends
/// differ by a few pages.
const SLACK: usize = 256 * 1024;
/// The alternate stack the handler runs on (it needs a few KiB).
const ALT_STACK: usize = 128 * 1024;
/// How much of the stack top is searched for return addresses.
const SCAN: usize = 256 * 1024;

#[cfg(feature = "hmr")]
pub(super) fn replace_reloaded(frames: Vec<Frame>) {
    *RELOADED.write().unwrap_or_else(std::sync::PoisonError::into_inner) = frames;
}

pub(super) fn install(frames: &'static [Frame]) {
    let _ = FRAMES.set(frames);
    let Some(bounds) = stack_bounds() else { return };
    if !alternate_stack() {
        return;
    }
    STACK.with(|s| s.set(bounds));
    // SAFETY: `sysconf` only reads a system constant.
    #[allow(unsafe_code)]
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    PAGE.store(usize::try_from(page).unwrap_or(4096), std::sync::atomic::Ordering::Relaxed);
    static HANDLERS: Once = Once::new();
    HANDLERS.call_once(install_handlers);
}

/// This thread's stack from its pthread attributes.
#[allow(unsafe_code)]
fn stack_bounds() -> Option<(usize, usize)> {
    // SAFETY: `attr` is initialized by `pthread_getattr_np` before it is
    // read and destroyed once; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let (mut addr, mut size) = (std::ptr::null_mut::<c_void>(), 0usize);
        let got = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (got == 0 && !addr.is_null()).then(|| (addr as usize, addr as usize + size))
    }
}

/// Give this thread an alternate signal stack big enough for the handler
/// (Rust's own is the minimum size). Never freed: a thread that overflows
/// exits the process, and the watched thread is the program's.
#[allow(unsafe_code)]
fn alternate_stack() -> bool {
    // SAFETY: `sigaltstack` reads and writes the `stack_t` locals; the new
    // stack is a fresh private mapping of `ALT_STACK` bytes that is never
    // unmapped, so it outlives every signal delivered on it.
    unsafe {
        let mut current: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut current) == 0
            && current.ss_flags & libc::SS_DISABLE == 0
            && current.ss_size >= ALT_STACK
        {
            return true;
        }
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        let mem = libc::mmap(std::ptr::null_mut(), ALT_STACK, prot, flags, -1, 0);
        if mem == libc::MAP_FAILED {
            return false;
        }
        let stack = libc::stack_t { ss_sp: mem, ss_flags: 0, ss_size: ALT_STACK };
        libc::sigaltstack(&stack, std::ptr::null_mut()) == 0
    }
}

#[allow(unsafe_code)]
fn install_handlers() {
    let mut previous = [Previous { action: libc::SIG_DFL, flags: 0 }; 2];
    for (i, signal) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
        // SAFETY: plain `sigaction` calls on zero-initialized structs; the
        // handler is an `extern "C"` function with the `SA_SIGINFO` signature.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) == 0 {
                previous[i] = Previous { action: old.sa_sigaction, flags: old.sa_flags };
            }
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_fault as *const () as libc::sighandler_t;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut new.sa_mask);
            libc::sigaction(signal, &new, std::ptr::null_mut());
        }
    }
    let _ = PREVIOUS.set(previous);
}

/// The fault handler. An overflow of a watched thread's stack ends the
/// process with the Aether message; anything else goes to the previous
/// handler as if this one were not there.
#[allow(unsafe_code)]
unsafe extern "C" fn on_fault(signal: c_int, info: *mut siginfo_t, context: *mut c_void) {
    // SAFETY: the kernel passes a valid `siginfo_t` for SIGSEGV/SIGBUS.
    let addr = unsafe { (*info).si_addr() } as usize;
    let (low, high) = STACK.with(Cell::get);
    let overflow = low != 0 && addr < low.saturating_add(SLACK) && addr.saturating_add(SLACK) >= low;
    if !overflow {
        // SAFETY: forwarding the kernel's own arguments.
        unsafe { call_previous(signal, info, context) };
        return;
    }
    // SAFETY: `alarm` and `signal` are async-signal-safe; `on_alarm` only
    // writes and exits.
    unsafe {
        libc::signal(libc::SIGALRM, on_alarm as *const () as libc::sighandler_t);
        libc::alarm(5);
    }
    // SAFETY: `context` is the `ucontext_t` of the faulting thread.
    let sp = unsafe { stack_pointer(context) };
    die(recursing_frame(sp.clamp(low, high), high));
}

/// The watchdog: looking symbols up hung (the fault hit inside a lock).
extern "C" fn on_alarm(_: c_int) {
    die(None);
}

/// Print the overflow's message and exit with a runtime error's status,
/// running nothing else (the stack is gone).
#[allow(unsafe_code)]
fn die(frame: Option<Frame>) -> ! {
    let mut out = Fixed { buf: [0; 1024], len: 0 };
    let _ = message(frame.as_ref(), &mut out);
    // SAFETY: writing an initialized buffer to stderr, then `_exit`.
    unsafe {
        libc::write(2, out.buf.as_ptr().cast(), out.len);
        libc::_exit(101)
    }
}

/// Hand a fault to the handler installed before ours; with none, restore
/// the default action, so returning re-raises the fault and it kills the
/// process as it would have.
#[allow(unsafe_code)]
unsafe fn call_previous(signal: c_int, info: *mut siginfo_t, context: *mut c_void) {
    let index = usize::from(signal == libc::SIGBUS);
    let previous = PREVIOUS.get().map(|p| p[index]);
    match previous {
        Some(p) if p.action != libc::SIG_DFL && p.action != libc::SIG_IGN => {
            if p.flags & libc::SA_SIGINFO != 0 {
                // SAFETY: installed with SA_SIGINFO, so it has this signature.
                let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) = unsafe { std::mem::transmute(p.action) };
                f(signal, info, context);
            } else {
                // SAFETY: installed without SA_SIGINFO: a plain handler.
                let f: extern "C" fn(c_int) = unsafe { std::mem::transmute(p.action) };
                f(signal);
            }
        }
        // SAFETY: resetting a signal's disposition is async-signal-safe.
        _ => unsafe {
            libc::signal(signal, libc::SIG_DFL);
        },
    }
}

#[allow(unsafe_code)]
unsafe fn stack_pointer(context: *mut c_void) -> usize {
    let context = context.cast::<libc::ucontext_t>();
    // SAFETY: the caller passes the handler's `ucontext_t`.
    #[cfg(target_arch = "x86_64")]
    let sp = unsafe { (*context).uc_mcontext.gregs[libc::REG_RSP as usize] as usize };
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    let sp = unsafe { (*context).uc_mcontext.sp as usize };
    sp
}

/// Executable code of one loaded image (the program or a library).
#[derive(Clone, Copy)]
struct Code {
    start: usize,
    end: usize,
    /// Load address: symbol values are relative to it.
    bias: usize,
    /// The image's file; null or empty for the program itself.
    name: *const libc::c_char,
}

/// At most this many code segments are looked at.
const MAX_CODE: usize = 64;

struct Images {
    code: [Code; MAX_CODE],
    len: usize,
}

/// Every executable segment of every loaded image.
#[allow(unsafe_code)]
fn loaded_code() -> Images {
    let empty = Code { start: 0, end: 0, bias: 0, name: std::ptr::null() };
    let mut images = Images { code: [empty; MAX_CODE], len: 0 };
    unsafe extern "C" fn each(info: *mut libc::dl_phdr_info, _: usize, data: *mut c_void) -> c_int {
        // SAFETY: `dl_iterate_phdr` passes a valid `info` whose `dlpi_phdr`
        // has `dlpi_phnum` entries; `data` is the `Images` passed below.
        unsafe {
            let images = &mut *data.cast::<Images>();
            let info = &*info;
            for i in 0..usize::from(info.dlpi_phnum) {
                let ph = &*info.dlpi_phdr.add(i);
                if ph.p_type == libc::PT_LOAD && ph.p_flags & libc::PF_X != 0 && images.len < MAX_CODE {
                    let start = info.dlpi_addr as usize + ph.p_vaddr as usize;
                    let bias = info.dlpi_addr as usize;
                    images.code[images.len] =
                        Code { start, end: start + ph.p_memsz as usize, bias, name: info.dlpi_name };
                    images.len += 1;
                }
            }
        }
        0
    }
    // SAFETY: `images` outlives the call; the callback only writes into it.
    unsafe { libc::dl_iterate_phdr(Some(each), (&raw mut images).cast()) };
    images
}

/// A whole file mapped read-only, never unmapped.
#[allow(unsafe_code)]
fn map_file(path: *const libc::c_char) -> Option<&'static [u8]> {
    // SAFETY: `path` is a NUL-terminated name from the loader (or a literal);
    // the mapping is private, read-only and never unmapped, so the slice is
    // valid for the rest of the process.
    unsafe {
        let fd = libc::open(path, libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let mut st: libc::stat = std::mem::zeroed();
        let size = if libc::fstat(fd, &mut st) == 0 { st.st_size as usize } else { 0 };
        let mem = if size > 0 {
            libc::mmap(std::ptr::null_mut(), size, libc::PROT_READ, libc::MAP_PRIVATE, fd, 0)
        } else {
            libc::MAP_FAILED
        };
        libc::close(fd);
        (mem != libc::MAP_FAILED).then(|| std::slice::from_raw_parts(mem.cast::<u8>(), size))
    }
}

/// The file behind a code mapping, through `/proc/self/map_files`: it
/// still reads when the file is gone (`--hmr` loads a copy of each library
/// and deletes it once loaded).
fn map_mapped(code: &Code) -> Option<&'static [u8]> {
    use std::fmt::Write;
    let page = PAGE.load(std::sync::atomic::Ordering::Relaxed).max(1);
    let (start, end) = (code.start / page * page, code.end.div_ceil(page) * page);
    let mut path = Fixed { buf: [0; 1024], len: 0 };
    write!(path, "/proc/self/map_files/{start:x}-{end:x}\0").ok()?;
    let path = std::ffi::CStr::from_bytes_with_nul(&path.buf[..path.len]).ok()?;
    map_file(path.as_ptr())
}

/// The page size, read when the handler is installed.
static PAGE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(4096);

/// The generated function that was recursing: the code addresses found most
/// often on the top `SCAN` bytes of the stack (above `sp`), looked up until
/// one is a generated function.
#[allow(unsafe_code)]
fn recursing_frame(sp: usize, high: usize) -> Option<Frame> {
    let first_build = FRAMES.get()?;
    let reloaded = RELOADED.try_read().ok();
    let reloaded = reloaded.as_deref().map_or(&[][..], Vec::as_slice);
    let images = loaded_code();
    let code = &images.code[..images.len];
    // Open addressing: (return address, times seen).
    const SLOTS: usize = 1024;
    let mut seen = [(0usize, 0u32); SLOTS];
    let end = high.min(sp.saturating_add(SCAN));
    let mut at = sp & !7;
    while at + 8 <= end {
        // SAFETY: `[sp, high)` is the live part of this thread's stack.
        let word = unsafe { std::ptr::read_volatile(at as *const usize) };
        at += 8;
        if !code.iter().any(|c| (c.start..c.end).contains(&word)) {
            continue;
        }
        let mut slot = word.wrapping_mul(0x9e37_79b9_7f4a_7c15) % SLOTS;
        for _ in 0..SLOTS {
            if seen[slot].0 == word || seen[slot].1 == 0 {
                seen[slot] = (word, seen[slot].1 + 1);
                break;
            }
            slot = (slot + 1) % SLOTS;
        }
    }
    let mut mapped: [Option<&'static [u8]>; MAX_CODE] = [None; MAX_CODE];
    for _ in 0..32 {
        let best = (0..SLOTS).max_by_key(|&i| seen[i].1)?;
        let (word, count) = seen[best];
        if count == 0 {
            return None;
        }
        seen[best].1 = 0;
        let Some(i) = code.iter().position(|c| (c.start..c.end).contains(&word)) else { continue };
        let is_program = code[i].name.is_null() || {
            // SAFETY: a non-null `dlpi_name` is a NUL-terminated string.
            unsafe { *code[i].name == 0 }
        };
        let elf = *mapped[i].get_or_insert_with(|| {
            let image = if is_program { c"/proc/self/exe".as_ptr() } else { code[i].name };
            map_file(image).or_else(|| map_mapped(&code[i])).unwrap_or(&[])
        });
        // A return address is just past its call: look up the byte before.
        let Some(symbol) = function_at(elf, (word - 1 - code[i].bias) as u64) else { continue };
        let Some((segments, n)) = demangle(symbol) else { continue };
        let is_this = |f: &&Frame| is_frame(segments[..n].iter().copied(), f);
        if let Some(frame) = reloaded.iter().find(is_this).or_else(|| first_build.iter().find(is_this)) {
            return Some(*frame);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn a_function_to_find(x: u64) -> u64 {
        std::hint::black_box(x).wrapping_mul(3)
    }

    #[test]
    fn a_code_address_is_found_in_the_symbol_table_of_its_image() {
        let addr = a_function_to_find as *const () as usize;
        assert_eq!(a_function_to_find(2), 6);
        let images = loaded_code();
        let code = images.code[..images.len].iter().find(|c| (c.start..c.end).contains(&addr)).expect("in the program");
        let elf = map_file(c"/proc/self/exe".as_ptr()).expect("this executable");
        let symbol = function_at(elf, (addr + 1 - code.bias) as u64).expect("a symbol");
        let (segments, n) = demangle(symbol).expect("a legacy symbol");
        assert_eq!(segments[n - 1], b"a_function_to_find");
        let frame = Frame { path: "overflow::imp::tests::a_function_to_find", name: "fn f", at: "x.ae:1:1" };
        assert!(is_frame(segments[..n].iter().copied(), &frame));
    }

    #[test]
    fn this_thread_has_stack_bounds_around_its_locals() {
        let local = 0u8;
        let (low, high) = stack_bounds().expect("bounds");
        assert!((low..high).contains(&(&raw const local as usize)));
    }
}

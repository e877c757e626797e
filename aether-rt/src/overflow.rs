//! Stack overflow as an Aether runtime error: `error: stack overflow in
//! `fn depth` ...` with the function's `.ae` location and exit status 101,
//! like every other runtime error, instead of Rust's `thread 'main' has
//! overflowed its stack` and an abort (134).
//!
//! It costs nothing until the stack overflows: no counter, no check in any
//! generated function. Rust's own runtime finds overflows the same way: the
//! stack ends in a guard page, touching it raises `SIGSEGV`, and a handler
//! running on an alternate stack recognises the address. This one then finds
//! which `.ae` function was recursing: a deep recursion fills the stack with
//! the same return address over and over, so the most frequent code
//! addresses on the top of the stack are looked up in the symbol table of
//! the executable (or module library, under `--hmr`) that holds them, and
//! the Rust names matched against the table of generated functions
//! ([`Frame`]) the generated `main` passes to [`catch_stack_overflow`].
//!
//! The handler never returns on an overflow. Looking symbols up is not
//! async-signal-safe in general (it maps files), so a watchdog alarm ends
//! the process with the plain message should it ever hang. Other faults go
//! to the handler that was there before (Rust's), unchanged. Linux only
//! (x86-64, AArch64); elsewhere [`catch_stack_overflow`] does nothing and
//! Rust's message stays.

/// A function of the generated program: its Rust path below the crate root
/// (`main_::depth`, `game::Ship::steer`) and what the user wrote.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub path: &'static str,
    /// `fn depth`, `fn Ship.steer`.
    pub name: &'static str,
    /// `src/main.ae:3:1`.
    pub at: &'static str,
}

/// Report a stack overflow on this thread as an Aether runtime error naming
/// the function of `frames` that overflowed (see the module comment). Call
/// it on the thread that runs the program, before it runs; calling it again
/// (another thread, a hot restart) is harmless.
pub fn catch_stack_overflow(frames: &'static [Frame]) {
    #[cfg(all(target_os = "linux", target_env = "gnu", any(target_arch = "x86_64", target_arch = "aarch64")))]
    imp::install(frames);
    #[cfg(not(all(target_os = "linux", target_env = "gnu", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    let _ = frames;
}

/// Under `--hmr`: the frames of the libraries current now (every reload
/// replaces them), looked up before the table the host was started with,
/// which knows only the first build. Only the runtime's loader calls this.
#[cfg(feature = "hmr")]
pub(crate) fn replace_reloaded_frames(frames: Vec<Frame>) {
    #[cfg(all(target_os = "linux", target_env = "gnu", any(target_arch = "x86_64", target_arch = "aarch64")))]
    imp::replace_reloaded(frames);
    #[cfg(not(all(target_os = "linux", target_env = "gnu", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    let _ = frames;
}

/// The message for an overflow in `frame` (none when no generated function
/// was found on the stack).
fn message(frame: Option<&Frame>, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    match frame {
        Some(f) => write!(
            out,
            "error: stack overflow in `{}`: too many nested calls (a recursion too deep, or endless)\n  --> {}\n",
            f.name, f.at
        ),
        None => out.write_str("error: stack overflow: too many nested calls (a recursion too deep, or endless)\n"),
    }
}

/// Whether the Rust symbol path `segments` (crate first, no hash) is the
/// generated function `frame`: its path is the symbol's without the crate
/// (the static crate's or a module library's).
fn is_frame<'a>(segments: impl DoubleEndedIterator<Item = &'a [u8]>, frame: &Frame) -> bool {
    let mut want = frame.path.rsplit("::");
    let mut have = segments.rev();
    loop {
        match (want.next(), have.next()) {
            (None, _) => return true,
            (Some(w), Some(h)) if w.strip_prefix("r#").unwrap_or(w).as_bytes() == h => {}
            _ => return false,
        }
    }
}

/// The path segments of a legacy-mangled Rust symbol (`_ZN4main5depth17h…E`),
/// without the trailing hash: `["main", "depth"]`. At most 16.
fn demangle(symbol: &[u8]) -> Option<([&[u8]; 16], usize)> {
    let mut rest = symbol.strip_prefix(b"_ZN")?;
    let mut out: [&[u8]; 16] = [&[]; 16];
    let mut n = 0;
    while let Some(&c) = rest.first() {
        if c == b'E' {
            break;
        }
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let len: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        let segment = rest.get(digits..digits + len)?;
        rest = &rest[digits + len..];
        let is_hash = len == 17 && segment[0] == b'h' && rest.first() == Some(&b'E');
        if !is_hash {
            *out.get_mut(n)? = segment;
            n += 1;
        }
    }
    Some((out, n))
}

/// The name of the `FUNC` symbol of the ELF image `elf` that contains
/// address `addr` (relative to where the image is loaded).
fn function_at(elf: &[u8], addr: u64) -> Option<&[u8]> {
    let u16_at = |o: usize| Some(u16::from_ne_bytes(elf.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_ne_bytes(elf.get(o..o + 4)?.try_into().ok()?));
    let u64_at = |o: usize| Some(u64::from_ne_bytes(elf.get(o..o + 8)?.try_into().ok()?));
    // ELF64 only: magic, class 2.
    if elf.get(..5)? != b"\x7fELF\x02" {
        return None;
    }
    let shoff = usize::try_from(u64_at(0x28)?).ok()?;
    let shentsize = usize::from(u16_at(0x3a)?);
    let shnum = usize::from(u16_at(0x3c)?);
    let section = |i: usize| shoff + i * shentsize;
    const SHT_SYMTAB: u32 = 2;
    let symtab = (0..shnum).find(|&i| u32_at(section(i) + 4) == Some(SHT_SYMTAB))?;
    let (sym_off, sym_size) = (u64_at(section(symtab) + 0x18)?, u64_at(section(symtab) + 0x20)?);
    let strtab = section(usize::try_from(u32_at(section(symtab) + 0x28)?).ok()?);
    let str_off = usize::try_from(u64_at(strtab + 0x18)?).ok()?;
    const SYM_SIZE: usize = 24;
    const STT_FUNC: u8 = 2;
    let (sym_off, count) = (usize::try_from(sym_off).ok()?, usize::try_from(sym_size).ok()? / SYM_SIZE);
    (0..count).find_map(|i| {
        let sym = sym_off + i * SYM_SIZE;
        let (info, value, size) = (*elf.get(sym + 4)?, u64_at(sym + 8)?, u64_at(sym + 16)?);
        if info & 0xf != STT_FUNC || addr < value || addr >= value.saturating_add(size) {
            return None;
        }
        let name = str_off + usize::try_from(u32_at(sym)?).ok()?;
        let len = elf.get(name..)?.iter().position(|&b| b == 0)?;
        elf.get(name..name + len)
    })
}

/// A message built without allocating (the heap may be mid-update when the
/// stack overflows).
struct Fixed {
    buf: [u8; 1024],
    len: usize,
}

impl std::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = (self.len + s.len()).min(self.buf.len());
        self.buf[self.len..end].copy_from_slice(&s.as_bytes()[..end - self.len]);
        self.len = end;
        Ok(())
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp;

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTH: Frame = Frame { path: "main_::depth", name: "fn depth", at: "main.ae:1:1" };
    const STEER: Frame = Frame { path: "game::Ship::steer", name: "fn Ship.steer", at: "game.ae:9:1" };

    fn segments(symbol: &str) -> Vec<&[u8]> {
        let (parts, n) = demangle(symbol.as_bytes()).expect("a legacy symbol");
        parts[..n].to_vec()
    }

    #[test]
    fn legacy_symbols_demangle_to_their_path() {
        assert_eq!(
            segments("_ZN21main_0123456789abcdef5main_5depth17h0123456789abcdefE"),
            [&b"main_0123456789abcdef"[..], b"main_", b"depth"]
        );
        assert_eq!(segments("_ZN4game4Ship5steer17habcdefabcdefabcdE.llvm.42").len(), 3);
        assert!(demangle(b"_RNvCs123_4main5depth").is_none(), "v0 symbols are not read");
        assert!(demangle(b"_ZN99short").is_none());
    }

    #[test]
    fn symbols_match_the_generated_functions_by_path() {
        let is = |symbol: &str, frame: &Frame| is_frame(segments(symbol).into_iter(), frame);
        assert!(is("_ZN21main_0123456789abcdef5main_5depth17h0123456789abcdefE", &DEPTH));
        assert!(is("_ZN4game4game4Ship5steer17habcdefabcdefabcdE", &STEER));
        assert!(!is("_ZN4game4Ship5steer17habcdefabcdefabcdE", &DEPTH));
        assert!(!is("_ZN3std2rt10lang_start17habcdefabcdefabcdE", &DEPTH));
        let raw = Frame { path: "main_::r#type", name: "fn type", at: "main.ae:1:1" };
        assert!(is("_ZN4main5main_4type17habcdefabcdefabcdE", &raw));
    }

    #[test]
    fn the_message_names_the_function_and_its_location() {
        let mut out = String::new();
        message(Some(&DEPTH), &mut out).expect("formats");
        assert_eq!(
            out,
            "error: stack overflow in `fn depth`: too many nested calls (a recursion too deep, or endless)\n  \
             --> main.ae:1:1\n"
        );
        let mut fixed = Fixed { buf: [0; 1024], len: 0 };
        message(None, &mut fixed).expect("formats");
        assert!(fixed.buf[..fixed.len].starts_with(b"error: stack overflow: too many nested calls"));
    }
}

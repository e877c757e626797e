//! How a replay links a module library, fastest first ([`Way`]).
//!
//! rustc links through `cc` by default, which runs `collect2`, which runs
//! rust-lld through a wrapper: three processes and the C runtime's start
//! and end files before the linker starts. A module library needs none of
//! that when it links std as a shared library (`shared_std.rs`): nothing of
//! std's start-up or thread-local machinery is in it, so the C runtime's
//! files (`crtbeginS.o`'s `__dso_handle`, the `_init`/`_fini` stubs) have
//! nothing to serve. rustc can call rust-lld itself (`-C linker=rust-lld -C
//! linker-flavor=ld.lld`), given the directories `cc` would have searched
//! for `-lc` and `-lgcc_s`, and the `-Wl,` arguments unwrapped: on the
//! benchmark's module that takes about 7 ms off a rustc run of about 100 ms
//! (docs/performance.md). A small library links faster on one thread than
//! with lld's thread pool on two busy cores, so every way that ends in
//! rust-lld asks for `--threads=1`.
//!
//! Faster still, when the `wild` linker is installed (on `PATH`; `cargo
//! install wild-linker`): it links the same arguments in about two thirds
//! of rust-lld's time, most of the difference being rust-lld's own start
//! (it loads LLVM's shared library before it reads an argument): 5–9 ms of
//! a reload of about 110 (docs/performance.md). `AETHER_HMR_WILD=0`
//! leaves it out.
//!
//! A way that fails is not tried again in the session once a later one
//! passed ([`Ways::refuse_before`]): an older toolchain whose default linker
//! is the system's `ld`, a C compiler that prints no search directories.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// One way of linking, in the order a replay tries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Way {
    /// The `wild` linker called by rustc itself, when it is installed.
    Wild,
    /// rust-lld called by rustc itself, single-threaded.
    Direct,
    /// Through `cc` as cargo's build did, rust-lld single-threaded.
    SingleThreaded,
    /// The recorded command as it is.
    AsRecorded,
}

const ALL: [Way; 4] = [Way::Wild, Way::Direct, Way::SingleThreaded, Way::AsRecorded];

/// The variable that leaves `wild` out when it is `0`.
const WILD_ENV: &str = "AETHER_HMR_WILD";

/// rust-lld's argument for a single-threaded link.
const ONE_THREAD: &str = "--threads=1";

impl Way {
    /// What a session's message says when this way failed.
    pub fn refusal(self) -> &'static str {
        match self {
            Way::Wild => "linking with `wild` failed",
            Way::Direct => "linking with rust-lld directly failed",
            Way::SingleThreaded => "this toolchain's linker refused `-C link-arg=-Wl,--threads=1`",
            Way::AsRecorded => "linking as cargo did failed",
        }
    }

    /// What the `--timings` line says of a reload linked this way.
    pub fn linked_by(self) -> &'static str {
        match self {
            Way::Wild => "linked by wild",
            Way::Direct => "linked by rust-lld",
            Way::SingleThreaded => "linked through cc",
            Way::AsRecorded => "linked as cargo did",
        }
    }

    /// How reloads link after a refusal.
    pub fn describe(self) -> &'static str {
        match self {
            Way::Wild => "with `wild`",
            Way::Direct => "with rust-lld directly",
            Way::SingleThreaded => "through `cc`, single-threaded",
            Way::AsRecorded => "as cargo did",
        }
    }
}

/// The ways a session may still try, and what the direct way needs.
#[derive(Default)]
pub(in crate::hmr) struct Ways {
    /// The index in [`ALL`] of the first way still tried.
    first: AtomicUsize,
    /// The C compiler's library directories, asked once (`None`: it would
    /// not say).
    search_dirs: OnceLock<Option<Vec<PathBuf>>>,
    /// The `wild` executable, looked for once (`None`: not installed, or
    /// left out).
    wild: OnceLock<Option<PathBuf>>,
}

impl Ways {
    /// The ways to try, in order.
    pub fn to_try(&self) -> impl Iterator<Item = Way> {
        ALL.into_iter().skip(self.first.load(Ordering::Relaxed))
    }

    /// `way` passed where every way before it failed: try it first from now on.
    pub fn refuse_before(&self, way: Way) {
        let index = ALL.iter().position(|w| *w == way).unwrap_or(0);
        self.first.fetch_max(index, Ordering::Relaxed);
    }

    /// The rustc command `words` linking `way`, or `None` when `way` does
    /// not apply to it.
    pub fn command(&self, way: Way, words: &[String]) -> Option<Vec<String>> {
        match way {
            Way::AsRecorded => Some(words.to_vec()),
            Way::SingleThreaded => {
                links_with_rust_lld(words).then(|| with(words, &["-C", &format!("link-arg=-Wl,{ONE_THREAD}")]))
            }
            Way::Wild => {
                let wild = self.wild.get_or_init(|| find_wild(std::env::var_os(WILD_ENV), std::env::var_os("PATH")));
                let wild = wild.as_ref()?;
                let mut out = self.without_cc(words)?;
                out.extend(["-C".into(), format!("linker={}", wild.display())]);
                out.extend(["-C".into(), "linker-flavor=ld".into()]);
                Some(out)
            }
            Way::Direct => {
                let lld = rust_lld_of(words)?;
                let mut out = self.without_cc(words)?;
                out.extend(["-C".into(), format!("linker={}", lld.display())]);
                out.extend(["-C".into(), "linker-flavor=ld.lld".into()]);
                out.extend(["-C".into(), format!("link-arg={ONE_THREAD}")]);
                Some(out)
            }
        }
    }

    /// `words` made ready for rustc to call a linker itself rather than
    /// `cc`: only for a library that shares std and would have linked with
    /// rustc's default linker (see the module's comment), with the `-Wl,`
    /// arguments unwrapped and `cc`'s library directories given.
    fn without_cc(&self, words: &[String]) -> Option<Vec<String>> {
        if !(links_with_rust_lld(words) && shares_std(words)) {
            return None;
        }
        let dirs = self.search_dirs.get_or_init(cc_search_dirs).as_ref()?;
        let mut out = unwrapped_link_args(words)?;
        for dir in dirs {
            out.extend(["-C".into(), format!("link-arg=-L{}", dir.display())]);
        }
        Some(out)
    }
}

/// The `wild` executable on `path`, unless `setting` (`AETHER_HMR_WILD`)
/// is `0`.
fn find_wild(setting: Option<std::ffi::OsString>, path: Option<std::ffi::OsString>) -> Option<PathBuf> {
    if setting.is_some_and(|s| s == "0") {
        return None;
    }
    std::env::split_paths(&path?).map(|dir| dir.join("wild")).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn with(words: &[String], extra: &[&str]) -> Vec<String> {
    words.iter().cloned().chain(extra.iter().map(|w| w.to_string())).collect()
}

/// Whether `words` (a rustc command) leaves the linker to rustc on a target
/// where rustc's default is rust-lld: nothing names a linker, a linker
/// flavour or `-fuse-ld`, and the target is x86_64 Linux (rustc's default
/// there since 1.90; an older rustc's `cc` and `ld` are the failed replay
/// [`super::Recorder::replay`] recovers from).
fn links_with_rust_lld(words: &[String]) -> bool {
    let target_ok = super::option(words, "--target").is_none_or(|t| t == "x86_64-unknown-linux-gnu");
    let host_ok = cfg!(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"));
    let names_linker = words.iter().any(|w| {
        ["linker=", "linker-flavor=", "link-self-contained=", "fuse-ld"].iter().any(|k| w.contains(k))
            || w.starts_with("-Zlinker")
            || w.contains("linker-features")
    });
    target_ok && host_ok && !names_linker
}

/// Whether the command links std as a shared library with the session's
/// own flags (`shared_std.rs`): then the library needs no C runtime file.
fn shares_std(words: &[String]) -> bool {
    let pairs = || words.windows(2);
    pairs().any(|w| w[0] == "--cfg" && w[1] == "aether_shared_std")
        && pairs().any(|w| w[0] == "-C" && w[1] == "prefer-dynamic")
}

/// The rust-lld of the toolchain whose rustc the command runs (the first
/// word named `rustc`: a `RUSTC_WRAPPER` comes before it), if it has one.
fn rust_lld_of(words: &[String]) -> Option<PathBuf> {
    let rustc = words.iter().map(Path::new).find(|p| p.file_name().is_some_and(|n| n == "rustc"))?;
    let sysroot = rustc.parent()?.parent()?;
    let lld = sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
    lld.is_file().then_some(lld)
}

/// The command with each `-C link-arg=-Wl,a,b` as `-C link-arg=a -C
/// link-arg=b` (what `cc` would have passed the linker), or `None` when a
/// link argument is meant for `cc` itself.
fn unwrapped_link_args(words: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let (value, taken) = match words[i].as_str() {
            "-C" => (words.get(i + 1).map(String::as_str), 2),
            w => (w.strip_prefix("-C"), 1),
        };
        match value {
            Some(v) if v.starts_with("link-arg=") || v.starts_with("link-args=") => {
                let (_, arg) = v.split_once('=')?;
                if v.starts_with("link-args=") && arg.contains(' ') {
                    return None;
                }
                for part in arg.strip_prefix("-Wl,")?.split(',') {
                    out.extend(["-C".into(), format!("link-arg={part}")]);
                }
            }
            _ => out.extend(words[i..(i + taken).min(words.len())].iter().cloned()),
        }
        i += taken;
    }
    Some(out)
}

/// The library directories of `cc -print-search-dirs` (the C compiler rustc
/// links through by default), those that exist.
fn cc_search_dirs() -> Option<Vec<PathBuf>> {
    let out = Command::new("cc").arg("-print-search-dirs").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("libraries: "))?;
    let dirs: Vec<PathBuf> = line
        .trim_start_matches('=')
        .split(':')
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .filter(|d| d.is_dir())
        .fold(Vec::new(), |mut seen, d| {
            if !seen.contains(&d) {
                seen.push(d);
            }
            seen
        });
    (!dirs.is_empty()).then_some(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(extra: &[&str]) -> Vec<String> {
        ["/tc/bin/rustc", "--crate-name", "a", "--crate-type", "cdylib"]
            .iter()
            .chain(extra)
            .map(|w| w.to_string())
            .collect()
    }

    #[test]
    fn only_rustcs_default_linker_is_asked_to_link_single_threaded() {
        let on_rust_lld_host = cfg!(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"));
        assert_eq!(links_with_rust_lld(&words(&[])), on_rust_lld_host);
        assert_eq!(links_with_rust_lld(&words(&["--target", "x86_64-unknown-linux-gnu"])), on_rust_lld_host);
        for named in [
            &["-C", "linker=clang"][..],
            &["-Clinker=clang"],
            &["-C", "link-arg=-fuse-ld=mold"],
            &["-C", "linker-flavor=gcc"],
            &["-C", "link-self-contained=-linker"],
            &["-Zlinker-features=-lld"],
            &["--target", "aarch64-unknown-linux-gnu"],
        ] {
            assert!(!links_with_rust_lld(&words(named)), "{named:?}");
            assert_eq!(Ways::default().command(Way::SingleThreaded, &words(named)), None, "{named:?}");
        }
    }

    #[test]
    fn a_cc_argument_is_unwrapped_for_the_linker_and_a_driver_argument_stops_it() {
        let recorded = words(&["-C", "link-arg=-Wl,-rpath,/tc/lib", "-Clink-arg=-Wl,-z,now"]);
        let unwrapped = unwrapped_link_args(&recorded).expect("only -Wl, arguments");
        let expected =
            words(&["-C", "link-arg=-rpath", "-C", "link-arg=/tc/lib", "-C", "link-arg=-z", "-C", "link-arg=now"]);
        assert_eq!(unwrapped, expected);
        assert_eq!(unwrapped_link_args(&words(&["-C", "link-arg=-static-libgcc"])), None);
        assert_eq!(unwrapped_link_args(&words(&["-C", "link-args=-Wl,-a -Wl,-b"])), None);
    }

    #[test]
    fn only_a_library_sharing_std_links_directly() {
        let shared = ["-C", "prefer-dynamic", "--cfg", "aether_shared_std"];
        assert!(shares_std(&words(&shared)));
        assert!(!shares_std(&words(&shared[..2])), "std shared by a user's flags alone");
        assert!(!shares_std(&words(&["--cfg", "aether_shared_std"])));
        // No rust-lld beside this made-up rustc: the direct way does not apply.
        assert_eq!(Ways::default().command(Way::Direct, &words(&shared)), None);
    }

    #[test]
    fn wild_is_found_on_the_path_unless_left_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (with, without) = (dir.path().join("with"), dir.path().join("without"));
        for d in [&with, &without] {
            std::fs::create_dir(d).expect("mkdir");
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(with.join("wild"), "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(with.join("wild"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // Not executable: not a linker.
        std::fs::write(without.join("wild"), "").expect("write");
        let path = std::env::join_paths([&without, &with]).expect("a path");
        assert_eq!(find_wild(None, Some(path.clone())), Some(with.join("wild")));
        assert_eq!(find_wild(Some("1".into()), Some(path.clone())), Some(with.join("wild")));
        assert_eq!(find_wild(Some("0".into()), Some(path)), None, "AETHER_HMR_WILD=0 leaves it out");
        assert_eq!(find_wild(None, Some(without.into_os_string())), None);
        assert_eq!(find_wild(None, None), None);
    }

    #[test]
    fn wild_links_what_rust_lld_would_with_the_same_arguments() {
        let shared =
            words(&["-C", "prefer-dynamic", "--cfg", "aether_shared_std", "-C", "link-arg=-Wl,-rpath,/tc/lib"]);
        let ways = Ways::default();
        let _ = ways.wild.set(Some(PathBuf::from("/opt/wild/bin/wild")));
        let Some(command) = ways.command(Way::Wild, &shared) else {
            // Not a host where rustc links with rust-lld, or `cc` says no
            // library directories: no direct way at all.
            assert!(!links_with_rust_lld(&shared) || cc_search_dirs().is_none());
            return;
        };
        let text = command.join(" ");
        assert!(text.contains("-C linker=/opt/wild/bin/wild -C linker-flavor=ld"), "{text}");
        assert!(text.contains("-C link-arg=-rpath -C link-arg=/tc/lib"), "{text}");
        assert!(!text.contains(ONE_THREAD), "{text}");
        assert!(text.contains("link-arg=-L/"), "cc's library directories: {text}");
        // Not for a library with its own std, nor with a linker of the user's.
        assert_eq!(ways.command(Way::Wild, &words(&["-C", "prefer-dynamic"])), None);
        let mut own = shared.clone();
        own.extend(["-C".to_string(), "linker=clang".to_string()]);
        assert_eq!(ways.command(Way::Wild, &own), None);
        // Not installed: the next way.
        assert_eq!(
            Ways::default().command(Way::Wild, &shared).is_some(),
            find_wild(std::env::var_os(WILD_ENV), std::env::var_os("PATH")).is_some()
        );
    }

    #[test]
    fn a_refused_way_is_not_tried_again() {
        let ways = Ways::default();
        assert_eq!(ways.to_try().collect::<Vec<_>>(), ALL.to_vec());
        ways.refuse_before(Way::AsRecorded);
        ways.refuse_before(Way::SingleThreaded);
        assert_eq!(ways.to_try().collect::<Vec<_>>(), vec![Way::AsRecorded]);
    }
}

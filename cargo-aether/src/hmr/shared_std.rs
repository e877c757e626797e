//! One std for the host and every module library of a `run --hmr` program.
//!
//! Without it each library links its own copy of std: rust-lld reads std's
//! archives on every reload (the link is a third of a module crate's
//! rebuild), and each copy keeps its own globals. With `-C prefer-dynamic`
//! std is the toolchain's shared library, loaded once: a body edit's rustc
//! run is about 10 ms shorter on the benchmark's module (113 ms against
//! 123 ms, docs/performance.md).
//!
//! The flags are cargo's `build.rustflags`, given with `--config`, which
//! cargo appends to a `build.rustflags` of the user's configuration; a
//! `RUSTFLAGS` or `target.<triple>.rustflags` the user set replaces them
//! all, and then every crate of the session links its own std as before.
//! `--cfg aether_shared_std` travels in the same flags, so the runtime knows
//! which of the two it is built for (`aether_rt::abi::prepare_library`),
//! and an rpath to the toolchain's library directory lets the host find
//! `libstd-*.so` when it is run directly. Only for programs (a Rust host
//! crate is built by the user's cargo, with their flags) and only on Linux;
//! `AETHER_HMR_SHARED_STD=0` turns it off.

use std::path::Path;
use std::process::Command;

/// The `--config` argument that gives every crate of the session one
/// shared std, or `None` where that is not done.
pub(super) fn config_arg() -> Option<String> {
    if !cfg!(target_os = "linux") || std::env::var("AETHER_HMR_SHARED_STD").is_ok_and(|v| v.trim() == "0") {
        return None;
    }
    let libdir = target_libdir()?;
    let flags = flags(&libdir)?;
    let quoted: Vec<String> = flags.iter().map(|f| toml_string(f)).collect::<Option<_>>()?;
    Some(format!("build.rustflags=[{}]", quoted.join(", ")))
}

/// rustc's flags for a shared std found in `libdir` at run time.
fn flags(libdir: &Path) -> Option<Vec<String>> {
    let libdir = libdir.to_str()?;
    Some(vec![
        "-C".into(),
        "prefer-dynamic".into(),
        "--cfg".into(),
        "aether_shared_std".into(),
        "--check-cfg".into(),
        "cfg(aether_shared_std)".into(),
        "-C".into(),
        format!("link-arg=-Wl,-rpath,{libdir}"),
    ])
}

/// Where the toolchain cargo will use keeps std's shared library
/// (`rustc --print target-libdir`, with cargo's `RUSTC` if set, run from the
/// directory cargo runs in, so a `rust-toolchain.toml` there applies).
fn target_libdir() -> Option<std::path::PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).args(["--print", "target-libdir"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = std::path::PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    let has_std = std::fs::read_dir(&dir).ok()?.filter_map(Result::ok).any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with("libstd-") && name.ends_with(std::env::consts::DLL_SUFFIX)
    });
    has_std.then_some(dir)
}

/// `s` as a TOML basic string; `None` for a control character.
fn toml_string(s: &str) -> Option<String> {
    if s.chars().any(char::is_control) {
        return None;
    }
    Some(format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_are_one_toml_array_of_strings() {
        let flags = flags(Path::new("/opt/rust \"x\"/lib")).expect("flags");
        let quoted: Vec<String> = flags.iter().map(|f| toml_string(f).expect("quoted")).collect();
        let text = format!("rustflags = [{}]", quoted.join(", "));
        let parsed: toml_edit::DocumentMut = text.parse().expect("valid TOML");
        let back: Vec<&str> =
            parsed["rustflags"].as_array().expect("an array").iter().filter_map(|v| v.as_str()).collect();
        assert_eq!(back, flags.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(back.contains(&"prefer-dynamic") && back.contains(&"aether_shared_std"));
        assert_eq!(back.last(), Some(&"link-arg=-Wl,-rpath,/opt/rust \"x\"/lib"));
        assert_eq!(toml_string("a\nb"), None);
    }
}

//! Reloads without cargo: rustc replayed for the module crates that changed.
//!
//! Cargo costs 40–60 ms per reload before rustc starts (reading manifests,
//! resolving, fingerprinting every unit), on top of a rustc run of about
//! 100 ms. Every cargo build of the session runs with `-v`, which prints
//! each rustc command line it runs (`Running `...``); the ones of module
//! crates are kept, and a later rebuild of those crates runs the same rustc
//! commands directly, all at once, then puts each library where cargo would
//! have (its uplifted path in the profile directory).
//!
//! The command line is cargo's, so everything cargo decided stays true: the
//! user's `RUSTC_WRAPPER` (sccache) is its first word, `CARGO_TARGET_DIR`
//! and cargo configuration (`rustflags`, profiles) are in its paths and
//! flags. A replay is only tried when nothing but the crates' Rust sources
//! changed: a manifest, the workspace, a crate never built with `-v` in this
//! session, or a failed replay goes to cargo (which reports rustc's errors
//! and records the command again). `AETHER_HMR_REPLAY=0` always uses cargo.
//!
//! How a replay links ([`link`]): straight with rust-lld when it can, else
//! through `cc` as cargo's build did, single-threaded when that linker is
//! rust-lld; a way of linking that fails is not tried again in the session.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

mod link;

/// The recorded rustc command lines, by crate name.
#[derive(Default)]
pub(super) struct Recorder {
    commands: Mutex<HashMap<String, Vec<String>>>,
    /// The ways of linking a replay may still try.
    links: link::Ways,
}

/// One crate to rebuild: its crate name and where the host loads it from.
pub(super) struct Unit<'a> {
    pub krate: &'a str,
    pub library: &'a Path,
}

/// Why a replay was not possible or failed: cargo builds instead.
#[derive(Debug)]
pub(super) enum NoReplay {
    /// Turned off, or a crate was never built with a recorded command.
    NotRecorded,
    /// rustc (or the copy of its output) failed; cargo will say why.
    Failed(String),
}

impl Recorder {
    /// Whether replays are allowed (`AETHER_HMR_REPLAY=0` turns them off).
    pub fn enabled() -> bool {
        std::env::var("AETHER_HMR_REPLAY").map_or(true, |v| v.trim() != "0")
    }

    /// Keep the rustc commands of `cargo build -v`'s output that build one
    /// of `crates`.
    pub fn record(&self, cargo_stderr: &str, crates: &[&str]) {
        let mut commands = self.commands.lock().unwrap_or_else(|p| p.into_inner());
        for line in cargo_stderr.lines() {
            if let Some(words) = running(line) {
                if let Some(name) = crate_name(&words).filter(|n| crates.contains(n)) {
                    commands.insert(name.to_string(), words);
                }
            }
        }
    }

    /// Forget what was recorded (a crate's manifest changed).
    pub fn forget(&self, krate: &str) {
        self.commands.lock().unwrap_or_else(|p| p.into_inner()).remove(krate);
    }

    /// Run the recorded rustc of every unit, all at once, in `ws` (cargo's
    /// working directory for workspace members); then uplift each library.
    /// How the libraries were linked, for the `--timings` line.
    pub fn replay(&self, ws: &Path, units: &[Unit<'_>]) -> Result<&'static str, NoReplay> {
        if !Self::enabled() {
            return Err(NoReplay::NotRecorded);
        }
        let commands: Vec<Vec<String>> = {
            let recorded = self.commands.lock().unwrap_or_else(|p| p.into_inner());
            units.iter().map(|u| recorded.get(u.krate).cloned()).collect::<Option<_>>().ok_or(NoReplay::NotRecorded)?
        };
        // The fastest way of linking first; one that fails makes way for
        // the next, and is not tried again once a later one passed.
        let mut failed: Vec<(link::Way, String)> = Vec::new();
        for way in self.links.to_try() {
            let Some(rewritten) = commands.iter().map(|c| self.links.command(way, c)).collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            match run_all(ws, units, &rewritten) {
                // Any failure makes way for the next way of linking, not
                // only a failed link: an older rustc may refuse the direct
                // way's flags themselves. Code rustc rejects (an Aether bug)
                // fails every way, and cargo then says why.
                Err(NoReplay::Failed(why)) if way != link::Way::AsRecorded => failed.push((way, why)),
                Ok(()) => {
                    if let Some((_, why)) = failed.first() {
                        self.links.refuse_before(way);
                        let refusals: Vec<&str> = failed.iter().map(|(w, _)| w.refusal()).collect();
                        say!("[aether] {}; reloads link {} from now on\n{why}", refusals.join("; "), way.describe());
                    }
                    return Ok(way.linked_by());
                }
                Err(other) => return Err(other),
            }
        }
        Err(NoReplay::NotRecorded)
    }
}

/// Run `commands` (one per unit), at most [`jobs`] at once, then uplift each
/// library.
fn run_all(ws: &Path, units: &[Unit<'_>], commands: &[Vec<String>]) -> Result<(), NoReplay> {
    // As many rustc processes at once as cargo would run (`-j`): more
    // only compete for the same cores.
    let jobs = jobs();
    let mut running: std::collections::VecDeque<(std::process::Child, &Unit<'_>)> = Default::default();
    let mut failed = Vec::new();
    let finish =
        |(child, unit): (std::process::Child, &Unit<'_>), failed: &mut Vec<String>| match child.wait_with_output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => failed.push(format!("{}: {}", unit.krate, String::from_utf8_lossy(&out.stderr))),
            Err(e) => failed.push(format!("{}: {e}", unit.krate)),
        };
    for (words, unit) in commands.iter().zip(units) {
        if running.len() >= jobs {
            if let Some(oldest) = running.pop_front() {
                finish(oldest, &mut failed);
            }
        }
        let (program, args) = words.split_first().ok_or(NoReplay::NotRecorded)?;
        let child = Command::new(program)
            .args(args)
            .current_dir(ws)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| NoReplay::Failed(format!("cannot run {program}: {e}")))?;
        running.push_back((child, unit));
    }
    while let Some(oldest) = running.pop_front() {
        finish(oldest, &mut failed);
    }
    if !failed.is_empty() {
        return Err(NoReplay::Failed(failed.join("\n")));
    }
    for (words, unit) in commands.iter().zip(units) {
        let built = output_of(words, unit.krate).ok_or(NoReplay::NotRecorded)?;
        uplift(&built, unit.library).map_err(|e| NoReplay::Failed(format!("{}: {e}", unit.library.display())))?;
    }
    Ok(())
}

/// How many rustc processes a replay runs at once: cargo's own setting
/// (`CARGO_BUILD_JOBS`) when it is a positive number, else one per core.
fn jobs() -> usize {
    let configured = std::env::var("CARGO_BUILD_JOBS").ok().and_then(|v| v.trim().parse::<usize>().ok());
    configured
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// The words of cargo's `     Running `rustc ...`` line (`-v`).
fn running(line: &str) -> Option<Vec<String>> {
    let command = line.trim_start().strip_prefix("Running `")?.strip_suffix('`')?;
    shlex::split(command)
}

/// The value of `--crate-name`.
fn crate_name(words: &[String]) -> Option<&str> {
    let i = words.iter().position(|w| w == "--crate-name")?;
    words.get(i + 1).map(String::as_str)
}

/// The value of an option given as `NAME VALUE` or `NAME=VALUE`.
pub(super) fn option<'a>(words: &'a [String], name: &str) -> Option<&'a str> {
    words.iter().enumerate().find_map(|(i, w)| {
        if w == name {
            words.get(i + 1).map(String::as_str)
        } else {
            w.strip_prefix(name)?.strip_prefix('=')
        }
    })
}

/// The library rustc writes: `<out-dir>/lib<crate><extra-filename>.so`.
fn output_of(words: &[String], krate: &str) -> Option<PathBuf> {
    let out_dir = option(words, "--out-dir")?;
    let extra = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| {
            let flag = if w == "-C" { words.get(i + 1)? } else { w.strip_prefix("-C")? };
            flag.strip_prefix("extra-filename=")
        })
        .unwrap_or("");
    let file = format!("{}{krate}{extra}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    Some(Path::new(out_dir).join(file))
}

/// Put `built` where cargo uplifts it (a hard link, as cargo makes; a copy
/// where linking fails).
fn uplift(built: &Path, to: &Path) -> std::io::Result<()> {
    if built == to {
        return Ok(());
    }
    let _ = std::fs::remove_file(to);
    std::fs::hard_link(built, to).or_else(|_| std::fs::copy(built, to).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "     Running `/usr/bin/sccache /rt/bin/rustc --crate-name p_hmr_base --edition=2021 \
                        modules/base/src/lib.rs --crate-type cdylib --emit=dep-info,link -C embed-bitcode=no \
                        --check-cfg 'cfg(feature, values())' -C metadata=c2ef --out-dir '/t dir/debug/deps' -C \
                        incremental=/t/debug/incremental --extern aether_rt=/t/debug/deps/libaether_rt-60f.rlib`";

    #[test]
    fn a_running_line_is_a_command_to_replay() {
        let words = running(LINE).expect("a command");
        assert_eq!(words[0], "/usr/bin/sccache", "the wrapper stays first");
        assert_eq!(crate_name(&words), Some("p_hmr_base"));
        assert!(words.contains(&"cfg(feature, values())".to_string()), "quotes are undone: {words:?}");
        let out = output_of(&words, "p_hmr_base").expect("an output");
        assert_eq!(
            out,
            Path::new("/t dir/debug/deps").join(format!(
                "{}p_hmr_base{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ))
        );
        assert!(running("   Compiling p v0.1.0").is_none());
    }

    #[test]
    fn only_module_crates_are_recorded() {
        let recorder = Recorder::default();
        recorder.record(
            &format!("   Compiling x\n{LINE}\n     Running `rustc --crate-name aether_rt --out-dir /t`\n"),
            &["p_hmr_base"],
        );
        let recorded = recorder.commands.lock().expect("lock");
        assert_eq!(recorded.keys().collect::<Vec<_>>(), vec!["p_hmr_base"]);
    }

    #[test]
    fn an_extra_filename_is_part_of_the_output() {
        let words: Vec<String> =
            ["rustc", "--crate-name", "a", "-C", "extra-filename=-0f", "--out-dir", "/o"].map(String::from).to_vec();
        let name = format!("{}a-0f{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
        assert_eq!(output_of(&words, "a"), Some(Path::new("/o").join(name)));
    }
}

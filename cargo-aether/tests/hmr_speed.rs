//! End to end, the fast paths of a reload (issue #13), asserted by what
//! happens rather than by time (timings live in bench/hmr):
//!
//! - a save that changes only constants' values is applied with no rustc
//!   run at all, and every importer sees the new value;
//! - a body edit rebuilds one crate by replaying the rustc command cargo
//!   ran for it, through the user's `RUSTC_WRAPPER` (the recording wrapper
//!   below stands for sccache); a crate whose command was not recorded in
//!   this session (built by an earlier one) goes through cargo once;
//! - an interface edit rebuilds the crates built against it, replayed too;
//! - a replay links with rust-lld directly and single-threaded
//!   (`--threads=1`), and a linker that refuses costs retries, not the
//!   reload;
//! - with the `wild` linker installed, a replay links with it, and the
//!   library it links unwinds as rust-lld's does (a runtime error in it is
//!   rolled back).
#![cfg(unix)]

use aether_test_support::{run_hmr, save, spawn_followed};
use std::path::Path;
use std::time::Duration;

/// The arguments of a single-threaded link, as a replay passes them: through
/// `cc`, or to rust-lld itself.
const SINGLE_THREADED: &str = "link-arg=-Wl,--threads=1|link-arg=--threads=1";

/// How a replay asks rustc to link with rust-lld itself, not through `cc`.
const DIRECT: &str = "linker-flavor=ld.lld";

/// How a replay asks rustc to link with `wild` (a plain `ld` flavor).
const WILD: &str = "linker-flavor=ld";

/// A `RUSTC_WRAPPER` that logs the crate each rustc run compiles (and, in
/// `<log>.threads`, the runs asked to link single-threaded, in
/// `<log>.direct` those linking with rust-lld directly, in `<log>.wild`
/// those linking with `wild`), then runs it: `$1`
/// is rustc, the rest its arguments. With `refuse_single_threaded`, a run
/// asked to link single-threaded fails, as an older toolchain does: its
/// rustc or its linker refuses the flags.
fn recording_wrapper(dir: &Path, log: &Path, refuse_single_threaded: bool) -> std::path::PathBuf {
    let script = dir.join("record-rustc.sh");
    let refuse = if refuse_single_threaded {
        "echo 'error: unknown linker flavor, or ld: unrecognized option --threads=1' >&2; exit 1"
    } else {
        ":"
    };
    let text = format!(
        "#!/bin/sh\nname=\nthreads=\ndirect=\nwild=\nfor a in \"$@\"; do case \"$prev\" in --crate-name) name=\"$a\";; esac; \
         case \"$a\" in {SINGLE_THREADED}) threads=1;; {DIRECT}) direct=1;; {WILD}) wild=1;; esac; prev=\"$a\"; done\n\
         echo \"$name\" >> '{log}'\nif [ -n \"$direct\" ]; then echo \"$name\" >> '{log}.direct'; fi\n\
         if [ -n \"$wild\" ]; then echo \"$name\" >> '{log}.wild'; fi\n\
         if [ -n \"$threads\" ]; then echo \"$name\" >> '{log}.threads'; {refuse}; fi\nexec \"$@\"\n",
        log = log.display()
    );
    std::fs::write(&script, text).expect("write the wrapper");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

fn base(k: i64, factor: i64) -> String {
    format!(
        "pub const K: int = {k}\npub const SPEED: float = 1.5\npub const DOUBLE_K: int = K * 2\n\npub fn scale(x: int) \
         -> int {{\n    x * {factor}\n}}\n"
    )
}

/// What built the crates of the reload whose `--timings` line comes after
/// line `from` of stderr: `rustc` (replayed) or `cargo`.
fn built_by(err: &aether_test_support::Lines, from: usize) -> Option<String> {
    let builder = |l: &str| {
        let after = l.strip_prefix("[aether] timings: ")?.split("build ").nth(1)?;
        after.split('(').nth(1)?.split(',').next().map(str::to_string)
    };
    err.wait_for(from, Duration::from_secs(10), builder).map(|(_, _, by)| by)
}

fn imp(i: usize) -> String {
    format!("import base\n\npub fn value() -> int {{\n    base.scale(base.K) + base.DOUBLE_K + {i}\n}}\n")
}

#[test]
fn a_constant_edit_reaches_every_importer_with_no_rustc_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("tune");
    std::fs::create_dir_all(&program).expect("mkdir");
    save(&program, "base.ae", &base(1, 2));
    for i in 0..2 {
        save(
            &program,
            &format!("imp{i}.ae"),
            &format!("import base\n\npub fn value() -> int {{\n    base.scale(base.K) + base.DOUBLE_K + {i}\n}}\n"),
        );
    }
    save(
        &program,
        "main.ae",
        "import base\nimport imp0\nimport imp1\n\nfn main() {\n    loop {\n        let k = base.K\n        let a = \
         imp0.value()\n        let b = imp1.value()\n        println(\"k{k} {a} {b} {base.SPEED}\")\n        \
         sleep_ms(20)\n    }\n}\n",
    );
    let log = dir.path().join("rustc.log");
    let wrapper = recording_wrapper(dir.path(), &log, false);
    let start = || {
        let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &program);
        command.arg("--timings").env("AETHER_CACHE_DIR", dir.path().join("cache")).env("RUSTC_WRAPPER", &wrapper);
        // rust-lld's ways, whether `wild` is installed or not (it has a
        // test of its own below).
        command.env("AETHER_HMR_WILD", "0");
        spawn_followed(&mut command).expect("cargo-aether starts")
    };
    let (child, out, err) = start();
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.tail(5), err.text());
    let line = |k: i64, factor: i64| format!("k{k} {} {} ", k * factor + 2 * k, k * factor + 2 * k + 1);
    let seen = |expected: String| move |l: &str| format!("{l} ").starts_with(&expected).then_some(());

    assert!(out.wait_for(0, Duration::from_secs(600), seen(line(1, 2))).is_some(), "{}", report("first line"));
    let compiled = || std::fs::read_to_string(&log).unwrap_or_default().lines().count();
    assert!(compiled() > 0, "{}", report("the first build went through RUSTC_WRAPPER"));

    // Constants only: the host is told the new values; nothing compiles.
    let before = compiled();
    let (from_out, from_err) = (out.len(), err.len());
    save(&program, "base.ae", &base(5, 2).replace("1.5", "2.25"));
    let shown = out.wait_for(from_out, Duration::from_secs(60), |l| {
        (format!("{l} ").starts_with(&line(5, 2)) && l.ends_with(" 2.25")).then_some(())
    });
    assert!(shown.is_some(), "{}", report("every importer sees K = 5 and SPEED = 2.25"));
    let tuned = err.wait_for(from_err, Duration::from_secs(10), |l| l.contains("[aether] tuned").then_some(()));
    assert!(tuned.is_some(), "{}", report("the `tuned` line"));
    assert!(err.text_from(from_err).contains("base.K = 5"), "{}", report("the line names the constant"));
    assert_eq!(compiled(), before, "{}", report("no rustc ran for a constant edit"));

    // A body edit builds the one crate that changed, through the wrapper.
    let from_out = out.len();
    save(&program, "base.ae", &base(5, 3).replace("1.5", "2.25"));
    let rebuilt = out.wait_for(from_out, Duration::from_secs(120), seen(line(5, 3)));
    assert!(rebuilt.is_some(), "{}", report("the body edit reached the program"));
    let runs = std::fs::read_to_string(&log).unwrap_or_default();
    let new_runs: Vec<&str> = runs.lines().skip(before).collect();
    assert_eq!(new_runs.len(), 1, "{}", report(&format!("one crate rebuilt, not {new_runs:?}")));
    assert!(new_runs[0].ends_with("_hmr_base"), "{}", report(&format!("the base crate rebuilt: {new_runs:?}")));
    assert_eq!(built_by(&err, from_err).as_deref(), Some("rustc"), "{}", report("cargo's rustc command was replayed"));
    let single_threaded = || std::fs::read_to_string(dir.path().join("rustc.log.threads")).unwrap_or_default();
    assert!(
        single_threaded().lines().any(|l| l.ends_with("_hmr_base")),
        "{}",
        report("the replay linked single-threaded")
    );
    // With std shared (`shared_std.rs`), on the host where rustc's linker
    // is rust-lld, rustc calls rust-lld itself, not through `cc`.
    if cfg!(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu")) {
        let direct = std::fs::read_to_string(dir.path().join("rustc.log.direct")).unwrap_or_default();
        assert!(direct.lines().any(|l| l.ends_with("_hmr_base")), "{}", report("the replay linked with rust-lld"));
        let said = err.text_from(from_err).contains("linked by rust-lld)");
        assert!(said, "{}", report("`--timings` says rust-lld linked it"));
    }

    drop(child);

    // A new session on the warm target dir: cargo finds imp0 fresh and runs
    // no rustc for it, so the first rebuild of imp0 is cargo's, the next a
    // replay.
    let (_child, out, err) = start();
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.tail(5), err.text());
    assert!(out.wait_for(0, Duration::from_secs(600), seen(line(5, 3))).is_some(), "{}", report("restarted"));
    for (extra, by) in [(100, "cargo"), (200, "rustc")] {
        let (from_out, from_err) = (out.len(), err.len());
        save(&program, "imp0.ae", &imp(0).replace("+ 0\n", &format!("+ {extra}\n")));
        let expected = format!("k5 {} ", 5 * 3 + 2 * 5 + extra);
        let shown = out.wait_for(from_out, Duration::from_secs(120), seen(expected));
        assert!(shown.is_some(), "{}", report(&format!("the edit adding {extra} reached the program")));
        assert_eq!(
            built_by(&err, from_err).as_deref(),
            Some(by),
            "{}",
            report(&format!("the edit adding {extra} built by {by}"))
        );
    }

    // Interface edits (one more `pub fn` each) rebuild `base` and every
    // crate built against it. `imp1` was not built in this session, so the
    // first goes through cargo; the second is replayed, although the host's
    // generated files change too (its table of functions): a reload never
    // rebuilds the host, so the module crates' build graph is the same.
    let mut interface = base(5, 3).replace("1.5", "2.25");
    for (n, by) in [(1, "cargo"), (2, "rustc")] {
        let (before, from_err) = (compiled(), err.len());
        interface.push_str(&format!("\npub fn added{n}() -> int {{\n    {n}\n}}\n"));
        save(&program, "base.ae", &interface);
        let reloaded =
            err.wait_for(from_err, Duration::from_secs(120), |l| l.starts_with("[aether] reloaded").then_some(()));
        assert!(reloaded.is_some(), "{}", report(&format!("interface edit {n} was reloaded")));
        assert_eq!(built_by(&err, from_err).as_deref(), Some(by), "{}", report(&format!("interface edit {n}: {by}")));
        assert!(compiled() >= before + 4, "{}", report("`base` and its three importers were rebuilt"));
    }

    // A linker that refuses `--threads=1` (the system's `ld` of a toolchain
    // older than rust-lld by default): the replay runs again without it (the
    // direct link asks too, and is refused as well), the reload goes
    // through, and later replays no longer ask.
    recording_wrapper(dir.path(), &log, true);
    let mut body = interface.clone();
    let mut factor = 3;
    for extra in [7, 8] {
        let (from_out, from_err) = (out.len(), err.len());
        let asked_before = single_threaded().lines().count();
        body = body.replace(&format!("x * {factor}\n"), &format!("x * {extra}\n"));
        factor = extra;
        save(&program, "base.ae", &body);
        let expected = format!("k5 {} ", 5 * extra + 2 * 5 + 200);
        let shown = out.wait_for(from_out, Duration::from_secs(120), seen(expected));
        assert!(shown.is_some(), "{}", report(&format!("the body edit to x * {extra} reached the program")));
        assert_eq!(built_by(&err, from_err).as_deref(), Some("rustc"), "{}", report("still replayed"));
        let asked = single_threaded().lines().count() - asked_before;
        let refused = err.text_from(from_err).contains("linker refused");
        if extra == 7 {
            assert!(asked > 0 && refused, "{}", report("the first replay asked, was refused and said so"));
        } else {
            assert!(asked == 0 && !refused, "{}", report("later replays do not ask again"));
        }
    }
}

/// Where .ci/run installs `wild` (`cargo install wild-linker --root
/// target/tools`), or the `PATH`'s.
fn installed_wild() -> Option<std::path::PathBuf> {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(ours).chain(std::env::split_paths(&path)).find(|dir| dir.join("wild").is_file())
}

#[test]
fn with_wild_installed_a_replay_links_with_it_and_its_library_unwinds() {
    let wild_dir = installed_wild().expect(
        "this test needs the `wild` linker: `cargo install wild-linker --version 0.10.0 --locked --root target/tools` \
         (.ci/run installs it)",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("linked");
    std::fs::create_dir_all(&program).expect("mkdir");
    let module = |body: &str| format!("pub fn f(x: int) -> int {{\n    {body}\n}}\n");
    save(&program, "m.ae", &module("x * 2"));
    save(
        &program,
        "main.ae",
        "import m\n\nfn main() {\n    loop {\n        println(\"v {m.f(21)}\")\n        sleep_ms(20)\n    }\n}\n",
    );
    let log = dir.path().join("rustc.log");
    let wrapper = recording_wrapper(dir.path(), &log, false);
    let mut path = vec![wild_dir];
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &program);
    command
        .arg("--timings")
        .env("AETHER_CACHE_DIR", dir.path().join("cache"))
        .env("RUSTC_WRAPPER", &wrapper)
        .env("PATH", std::env::join_paths(path).expect("a PATH"))
        .env_remove("AETHER_HMR_WILD");
    let (_child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.tail(5), err.text());
    let seen = |expected: &'static str| move |l: &str| (l == expected).then_some(());
    assert!(out.wait_for(0, Duration::from_secs(600), seen("v 42")).is_some(), "{}", report("first line"));

    // A body edit: replayed, linked by `wild`.
    let (from_out, from_err) = (out.len(), err.len());
    save(&program, "m.ae", &module("x * 3"));
    assert!(out.wait_for(from_out, Duration::from_secs(120), seen("v 63")).is_some(), "{}", report("the edit"));
    assert_eq!(built_by(&err, from_err).as_deref(), Some("rustc"), "{}", report("cargo's rustc command was replayed"));
    let linked_by_wild = std::fs::read_to_string(dir.path().join("rustc.log.wild")).unwrap_or_default();
    assert!(linked_by_wild.lines().any(|l| l.ends_with("_hmr_m")), "{}", report("the replay linked with wild"));
    assert!(err.text_from(from_err).contains("linked by wild)"), "{}", report("`--timings` says wild linked it"));
    assert!(!err.text_from(from_err).contains("failed"), "{}", report("no way of linking failed"));

    // A runtime error in the library `wild` linked unwinds to its shim, as
    // in rust-lld's: right after the reload, it is rolled back and the
    // program goes on in the previous code.
    let (from_out, from_err) = (out.len(), err.len());
    save(&program, "m.ae", &module("x / (x - 21)"));
    let rolled = err.wait_for(from_err, Duration::from_secs(120), |l| l.contains("rolled back").then_some(()));
    assert!(rolled.is_some(), "{}", report("the failing reload was rolled back"));
    let on = out.wait_for(out.len().max(from_out), Duration::from_secs(30), seen("v 63"));
    assert!(on.is_some(), "{}", report("the program goes on in the previous code"));
}

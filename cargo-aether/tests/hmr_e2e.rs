//! End to end: the real `cargo-aether aether run --hmr` on a program whose
//! counter lives in `state` and whose output line is formatted by another
//! module; the test edits that module while the program runs.
//!
//! Waits are generous (a cold first build compiles the runtime) and nothing
//! is asserted about time; the reload latency is printed (`--nocapture`).
#![cfg(unix)]

use aether_test_support::{
    copy_example_to_edit, copy_host_package, repo_root, run_hmr, save, spawn_followed, KillOnDrop, Lines, Run,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `cargo aether run --hmr PATH ARGS` as a live process (the shared target
/// dir, `env` on top), killed when dropped; its stdout and stderr lines.
fn start_hmr(path: &Path, args: &[&str], env: &[(&str, std::ffi::OsString)]) -> (KillOnDrop, Lines, Lines) {
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), path);
    command.args(args).envs(env.iter().map(|(k, v)| (k, v)));
    spawn_followed(&mut command).expect("cargo-aether starts")
}

/// A copy of `files` of `tests/hmr-fixtures/NAME` in `dir/NAME`.
fn copy_fixture(dir: &Path, name: &str, files: &[&str]) -> PathBuf {
    let program = dir.join(name);
    std::fs::create_dir_all(&program).expect("mkdir");
    for file in files {
        std::fs::copy(repo_root().join("tests/hmr-fixtures").join(name).join(file), program.join(file)).expect("copy");
    }
    program
}

fn counter(prefix: &'static str) -> impl FnMut(&str) -> Option<u64> {
    move |line| line.strip_prefix(prefix)?.strip_prefix(' ')?.trim().parse().ok()
}

fn write_fmt(dir: &Path, body: &str) {
    save(dir, "fmt.ae", body)
}

#[test]
fn edit_a_module_while_it_runs_and_keep_its_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "counter", &["main.ae", "fmt.ae"]);
    let (mut child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());

    // Running: a few ticks of the original code.
    let first = out.wait_for(0, Duration::from_secs(300), counter("tick"));
    assert!(first.is_some(), "{}", report("the program never printed `tick N`"));
    let (at, _, _) =
        out.wait_for(0, Duration::from_secs(30), |l| counter("tick")(l).filter(|n| *n >= 3)).expect("ticks");
    assert!(err.text().contains("hot reloading is ON"), "{}", report("the mode is announced"));

    // Edit the formatting function: the new prefix appears, the count goes on.
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tick")(l)).max().unwrap_or(0);
    let saved = Instant::now();
    write_fmt(&program, "pub fn line(n: int) -> str {\n    \"tock {n}\"\n}\n");
    let tock = out.wait_for(at, Duration::from_secs(60), counter("tock"));
    let Some((tock_at, tock_seen, n)) = tock else { panic!("{}", report("no output from the edited code")) };
    println!(
        "reload latency (file write -> first line of new code): {} ms",
        tock_seen.duration_since(saved).as_millis()
    );
    assert!(n > before, "{}", report(&format!("the counter was reset: {n} after {before}")));
    let reloaded = err.wait_for(0, Duration::from_secs(10), |l| l.contains("[aether] reloaded").then_some(()));
    assert!(reloaded.is_some(), "{}", report("the reload line on stderr"));
    assert!(err.text().contains("fmt.ae in"), "{}", report("the reload line names the file"));

    // A syntax error: the diagnostic is printed, the old code keeps running.
    let errors_from = err.snapshot().len();
    write_fmt(&program, "pub fn line(n: int) -> str {\n    \"broken {n}\" +\n}\n");
    let diag = err.wait_for(errors_from, Duration::from_secs(60), |l| l.contains("not reloaded").then_some(()));
    assert!(diag.is_some(), "{}", report("no diagnostic for the syntax error"));
    let shown = err.text();
    assert!(shown.contains("error") && shown.contains("fmt.ae:"), "{}", report("the diagnostic names fmt.ae"));
    let last_tock = out.snapshot().len();
    let still = out.wait_for(last_tock, Duration::from_secs(10), counter("tock"));
    assert!(still.is_some(), "{}", report("the old code stopped after the syntax error"));

    // Fixed: reloads normally, counter still carried over.
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tock")(l)).max().unwrap_or(0);
    let saved = Instant::now();
    write_fmt(&program, "pub fn line(n: int) -> str {\n    \"tack {n}\"\n}\n");
    let tack = out.wait_for(tock_at, Duration::from_secs(60), counter("tack"));
    let Some((_, tack_seen, n)) = tack else { panic!("{}", report("no reload after fixing the error")) };
    println!("reload latency after the fix: {} ms", tack_seen.duration_since(saved).as_millis());
    assert!(n > before, "{}", report(&format!("the counter was reset: {n} after {before}")));
    assert!(!out.text().contains("broken"), "{}", report("the broken version never ran"));

    // A signature change used by another module: both modules are rebuilt
    // and swapped together. The running `main` loop is old code calling the
    // old signature: that call is refused as a runtime error, and `main`
    // starts again with the new code and its state. The new fmt.ae's
    // `@on_reload` hook runs in the new code, and its new `state` starts at
    // its initializer.
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tack")(l)).max().unwrap_or(0);
    let lines_before = out.snapshot().len();
    let errors_from = err.snapshot().len();
    let main_src = std::fs::read_to_string(program.join("main.ae")).expect("read main.ae");
    write_fmt(
        &program,
        "state calls: int = 100\n\npub fn line(n: int, word: str) -> str {\n    calls += 1\n    \"{word} {n}\"\n}\n\n\
         @on_reload\nfn hello() {\n    println(\"hook ran with calls {calls}\")\n}\n",
    );
    save(&program, "main.ae", &main_src.replace("fmt.line(count)", "fmt.line(count, \"tuck\")"));
    let tuck = out.wait_for(lines_before, Duration::from_secs(120), counter("tuck"));
    let Some((_, _, n)) = tuck else { panic!("{}", report("no output after a signature change in two modules")) };
    assert!(n > before, "{}", report(&format!("the counter was reset: {n} after {before}")));
    let both = err.wait_for(errors_from, Duration::from_secs(10), |l| {
        (l.contains("[aether] reloaded") && l.contains("main.ae") && l.contains("fmt.ae")).then_some(())
    });
    assert!(both.is_some(), "{}", report("one reload line naming both modules"));
    assert!(out.text().contains("hook ran with calls 100"), "{}", report("the @on_reload hook ran in the new code"));
    assert!(err.text().contains("starts again with the new code"), "{}", report("main restarted"));

    // A runtime error right after a reload (within the grace window): the
    // reload is rolled back, the state restored, the old code runs on.
    let errors_from = err.snapshot().len();
    write_fmt(
        &program,
        "pub fn line(n: int, word: str) -> str {\n    if n > 0 {\n        panic(\"boom at {n}\")\n    }\n    \"never {n}\"\n}\n",
    );
    let rolled = err.wait_for(errors_from, Duration::from_secs(60), |l| l.contains("rolled back").then_some(()));
    assert!(rolled.is_some(), "{}", report("a panic right after the reload was not rolled back"));
    let shown = err.text();
    assert!(shown.contains("boom at") && shown.contains("fmt.ae:3:"), "{}", report("the error names fmt.ae"));
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tuck")(l)).max().unwrap_or(0);
    let lines_before = out.snapshot().len();
    let again = out.wait_for(lines_before, Duration::from_secs(30), counter("tuck"));
    let Some((_, _, n)) = again else { panic!("{}", report("the previous code did not run again")) };
    assert!(n >= before, "{}", report(&format!("the counter went back: {n} after {before}")));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the process ended after the runtime error"));

    // A runtime error later than the grace window: `main` stops, the process
    // stays; the fix restarts `main` with the state.
    let errors_from = err.snapshot().len();
    write_fmt(
        &program,
        "state late: int = 0\n\npub fn line(n: int, word: str) -> str {\n    late += 1\n    if late > 60 {\n        \
         panic(\"late boom at {n}\")\n    }\n    \"{word} {n}\"\n}\n",
    );
    let stopped = err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("`main` stopped").then_some(()));
    assert!(stopped.is_some(), "{}", report("a late runtime error was not survived"));
    assert!(err.text().contains("late boom at"), "{}", report("the late error is shown"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the process ended after the runtime error"));
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tuck")(l)).max().unwrap_or(0);
    let lines_before = out.snapshot().len();
    write_fmt(&program, "pub fn line(n: int, word: str) -> str {\n    \"back {n}\"\n}\n");
    let back = out.wait_for(lines_before, Duration::from_secs(60), counter("back"));
    let Some((_, _, n)) = back else { panic!("{}", report("`main` did not start again after the fix")) };
    assert!(n > before, "{}", report(&format!("the counter was reset: {n} after {before}")));
    // Shown with `--nocapture`: what a user saw on stderr.
    println!("--- the program's stderr\n{}", err.text());
}

/// Issue #13: a private function added to an imported module (above the
/// `pub fn` its importer calls), then another, then changed, rebuilds that
/// module alone each time: its importers compile only its `pub` functions.
#[test]
fn a_private_function_added_to_an_imported_module_rebuilds_it_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "counter", &["main.ae", "fmt.ae"]);
    let (_child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(10), err.text());
    let (mut at, _, _) = out
        .wait_for(0, Duration::from_secs(300), |l| counter("tick")(l).filter(|n| *n >= 3))
        .unwrap_or_else(|| panic!("{}", report("the program never printed `tick N`")));
    let edits = [
        ("fn word() -> str {\n    \"tock\"\n}\n\npub fn line(n: int) -> str {\n    \"{word()} {n}\"\n}\n", "tock"),
        (
            "fn other() -> str {\n    \"tack\"\n}\n\nfn word() -> str {\n    other()\n}\n\npub fn line(n: int) -> str {\n    \"{word()} {n}\"\n}\n",
            "tack",
        ),
        ("fn word(n: int) -> str {\n    \"tuck\"\n}\n\npub fn line(n: int) -> str {\n    \"{word(n)} {n}\"\n}\n", "tuck"),
    ];
    for (text, prefix) in edits {
        let errors_from = err.snapshot().len();
        write_fmt(&program, text);
        let seen = out.wait_for(at, Duration::from_secs(120), |l| counter(prefix)(l));
        let Some((i, _, _)) = seen else { panic!("{}", report(&format!("no `{prefix} N` line after the edit"))) };
        at = i;
        let line = err
            .wait_for(errors_from, Duration::from_secs(10), |l| l.contains("[aether] reloaded").then(|| l.to_string()));
        let Some((_, _, line)) = line else { panic!("{}", report("no reload line")) };
        assert!(
            line.contains("fmt.ae in") && !line.contains("main.ae"),
            "{}",
            report(&format!("not fmt.ae alone: {line}"))
        );
    }
}

/// A generic function's body is compiled into the modules that use it:
/// editing it live rebuilds its module and its user and swaps them
/// together, with the state kept.
#[test]
fn editing_a_generic_function_swaps_it_with_its_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "generic", &["main.ae", "util.ae"]);
    let (_child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let (at, _, _) = out
        .wait_for(0, Duration::from_secs(300), |l| counter("tick")(l).filter(|n| *n >= 3))
        .unwrap_or_else(|| panic!("{}", report("the program never printed `tick N`")));
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tick")(l)).max().unwrap_or(0);
    let errors_from = err.snapshot().len();
    let util = std::fs::read_to_string(program.join("util.ae")).expect("read util.ae");
    save(&program, "util.ae", &util.replace("\"tick {x}\"", "\"tock {x}\""));
    let tock = out.wait_for(at, Duration::from_secs(120), counter("tock"));
    let Some((_, _, n)) = tock else { panic!("{}", report("no output from the edited generic function")) };
    assert!(n > before, "{}", report(&format!("the state was reset: {n} after {before}")));
    let both = err.wait_for(errors_from, Duration::from_secs(10), |l| {
        (l.contains("[aether] reloaded") && l.contains("main.ae") && l.contains("util.ae")).then_some(())
    });
    assert!(both.is_some(), "{}", report("one reload line naming the generic's module and its user"));
}

/// Issue #18: `state` of generic types (`Pair<int, str>`, `Opt<int>`)
/// survives a reload that changes their type arguments (`int` to `float`):
/// migrated field by field, the count goes on.
#[test]
fn generic_types_in_state_migrate_when_their_arguments_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "generic-types", &["main.ae", "pair.ae"]);
    let (_child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    // `tick N best Just(N)`, N an int before the edit and a float after.
    let tick = |float: bool| {
        move |l: &str| -> Option<f64> {
            let (n, rest) = l.strip_prefix("tick ")?.split_once(' ')?;
            (n.contains('.') == float && rest == format!("best Just({n})")).then_some(())?;
            n.parse().ok()
        }
    };
    let (at, _, _) = out
        .wait_for(0, Duration::from_secs(300), |l| tick(false)(l).filter(|n| *n >= 3.0))
        .unwrap_or_else(|| panic!("{}", report("the program never printed `tick N best Just(N)`")));
    let before = out.snapshot().iter().filter_map(|(_, l)| tick(false)(l)).fold(0.0, f64::max);
    let errors_from = err.snapshot().len();
    let src = std::fs::read_to_string(program.join("main.ae")).expect("read main.ae");
    let edited = src
        .replace("pair.Pair<int, str> = pair.Pair { first: 0,", "pair.Pair<float, str> = pair.Pair { first: 0.0,")
        .replace("pair.Opt<int>", "pair.Opt<float>")
        .replace("best.first += 1\n", "best.first += 1.0\n");
    assert_eq!(edited.matches("float").count(), 3, "{edited}");
    save(&program, "main.ae", &edited);
    let after = out.wait_for(at, Duration::from_secs(120), tick(true));
    let Some((_, _, n)) = after else { panic!("{}", report("no output from the edited program")) };
    assert!(n > before, "{}", report(&format!("the state was reset: {n} after {before}")));
    let migrated = err.wait_for(errors_from, Duration::from_secs(10), |l| {
        (l.contains("[aether] reloaded") && l.contains("migrated: 2")).then_some(())
    });
    assert!(migrated.is_some(), "{}", report("the reload line counts both migrated states"));
}

fn cargo_aether(args: &[&str], path: &Path, cache: &Path) -> Run {
    cargo_aether_env(args, path, cache, &[])
}

fn cargo_aether_env(args: &[&str], path: &Path, cache: &Path, env: &[(&str, &str)]) -> Run {
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_cargo-aether"))
            .envs(env.iter().copied())
            .arg("aether")
            .args(args)
            .arg(path)
            .env("CARGO_TARGET_DIR", aether_test_support::hmr_target_dir())
            .env("AETHER_CACHE_DIR", cache)
            .stdin(Stdio::null()),
    )
}

#[test]
fn a_program_prints_under_hmr_what_it_prints_in_a_static_build() {
    let cache = tempfile::tempdir().expect("tempdir");
    let program = repo_root().join("tests/hmr-fixtures/same");
    let static_run = cargo_aether_env(&["run"], &program, cache.path(), &[("AETHER_HMR", "0")]);
    // `AETHER_HMR=1` is the other spelling of `--hmr`.
    let hmr_run = cargo_aether_env(&["run"], &program, cache.path(), &[("AETHER_HMR", "1")]);
    assert_eq!(static_run.code, Some(0), "{static_run:?}");
    assert_eq!(hmr_run.code, Some(0), "{hmr_run:?}");
    assert_eq!(hmr_run.stdout, static_run.stdout);
    assert!(hmr_run.stdout.contains("fib(15) = 610 after 1973 calls"), "{hmr_run:?}");
    // Generic functions of util.ae, instantiated in main.ae's library.
    assert!(hmr_run.stdout.contains("largest some(9) some(\"pear\") some(0.5)"), "{hmr_run:?}");
    assert!(hmr_run.stdout.contains("mapped [\"<1>\", \"<2>\"] counted 6"), "{hmr_run:?}");
    assert!(hmr_run.stdout.contains("counted to 3"), "{hmr_run:?}");
    // `print` without a newline, from two libraries in turn.
    assert!(hmr_run.stdout.contains("\nabc!\n"), "{hmr_run:?}");
    assert!(hmr_run.stderr.contains("hot reloading is ON"), "{hmr_run:?}");
    // Nothing rustc says about generated code is for the user (the module
    // crates warned `denote infinite loops with loop` for `while true`);
    // cargo replays a cached crate's warnings, so this holds on every run.
    for run in [&static_run, &hmr_run] {
        assert!(!run.stderr.lines().any(|l| l.starts_with("warning")), "{run:?}");
    }
}

#[test]
fn what_hmr_cannot_run_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Thirteen elements: more than a value carried across a reload may have.
    let wide = "(int, int, int, int, int, int, int, int, int, int, int, int, int)";
    let program = format!("struct Wide {{\n    t: {wide}\n}}\n\nfn main() {{\n    println(\"hi\")\n}}\n");
    std::fs::write(dir.path().join("main.ae"), program).expect("write");
    let out = cargo_aether(&["run", "--hmr"], dir.path(), &dir.path().join("cache"));
    let stderr = &out.stderr;
    assert_eq!(out.code, Some(1), "{stderr}");
    assert!(stderr.contains("uses what --hmr cannot run yet"), "{stderr}");
    assert!(stderr.contains("Wide.t: a tuple of more than 12 elements"), "{stderr}");
    assert!(stderr.contains("without --hmr runs it as a static build"), "{stderr}");
}

/// A Rust host crate (its own loop and four worker threads calling in)
/// whose Aether modules are edited while it runs under `--hmr`.
#[test]
fn a_rust_host_keeps_running_while_its_aether_modules_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = dir.path().join("host");
    copy_host_package(&repo_root().join("tests/hmr-fixtures/rust-host"), &host, "hmr-rust-host").expect("copy");
    // The workspace's lock file: the dependencies built for the other tests
    // in the shared target dir are reused.
    std::fs::copy(repo_root().join("Cargo.lock"), host.join("Cargo.lock")).expect("lock");
    let (mut child, out, err) = start_hmr(&host, &[], &[]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    // `tick 3 noted 10 work 57`: the frame count and the work count live in
    // Aether state; `noted 10` came from the host function `note`.
    let parse = |word: &'static str| {
        move |l: &str| -> Option<(u64, u64)> {
            let rest = l.strip_prefix(word)?.strip_prefix(' ')?;
            let (n, rest) = rest.split_once(" noted 10 work ")?;
            Some((n.parse().ok()?, rest.trim().parse().ok()?))
        }
    };

    let first = out.wait_for(0, Duration::from_secs(600), parse("tick"));
    assert!(first.is_some(), "{}", report("the host never printed `tick N`"));
    assert!(err.text().contains("hot reloading is ON"), "{}", report("the mode is announced"));
    let (at, _, _) =
        out.wait_for(0, Duration::from_secs(30), |l| parse("tick")(l).filter(|(n, _)| *n >= 3)).expect("ticks");

    // A body edit in the module the host calls: new output, state kept.
    let (n0, w0) = out.snapshot().iter().filter_map(|(_, l)| parse("tick")(l)).max().unwrap_or((0, 0));
    // Both modules have several `extern fn`s (one holder of shims each).
    let game = std::fs::read_to_string(host.join("src/logic/game.ae")).expect("read");
    save(&host.join("src/logic"), "game.ae", &game.replace("fmt.show(\"tick\"", "fmt.show(\"tock\""));
    let tock = out.wait_for(at, Duration::from_secs(120), parse("tock"));
    let Some((tock_at, _, (n, w))) = tock else { panic!("{}", report("no output from the edited module")) };
    assert!(n > n0 && w > w0, "{}", report(&format!("state was reset: {n}/{w} after {n0}/{w0}")));
    // Each save's outcome is in the events file `aether lsp` reads, where
    // the server looks for this crate's.
    let events = cargo_aether::hmr::rust_host_events_file(
        &host.canonicalize().expect("host dir"),
        "hmr-rust-host",
        &aether_test_support::hmr_target_dir(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let events_text = loop {
        let text = std::fs::read_to_string(&events).unwrap_or_default();
        if text.contains("\"outcome\":\"reloaded\"") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        events_text.contains("\"outcome\":\"started\"") && events_text.contains("reloaded src/logic/game.ae"),
        "{}",
        report(&format!("{}: {events_text}", events.display()))
    );

    // A body edit in a module it imports.
    let fmt = std::fs::read_to_string(host.join("src/logic/fmt.ae")).expect("read");
    save(&host.join("src/logic"), "fmt.ae", &fmt.replace("\"{word} {n}", "\"{word}! {n}"));
    let bang = out.wait_for(tock_at, Duration::from_secs(120), |l| parse("tock!")(l));
    assert!(bang.is_some(), "{}", report("no output after editing the imported module"));

    // A change the Rust host compiles against (a signature) needs a rebuilt
    // host: refused, and the old code keeps running.
    let errors_from = err.snapshot().len();
    save(&host.join("src/logic"), "fmt.ae", "pub fn show(word: str, n: int) -> str {\n    \"{word} {n}\"\n}\n");
    save(
        &host.join("src/logic"),
        "game.ae",
        &game.replace(
            "fmt.show(\"tick\", frames, host_note(1) + host_zero())",
            "fmt.show(\"tuck\", frames + host_zero())",
        ),
    );
    let refused = err.wait_for(errors_from, Duration::from_secs(120), |l| {
        // The command as it was run (with its path): `cargo aether run --hmr <dir>`.
        (l.contains("restart `cargo aether run --hmr ") && l.contains("` to rebuild the host")).then_some(())
    });
    assert!(refused.is_some(), "{}", report("an interface change of a Rust host was not refused"));
    let lines_now = out.snapshot().len();
    assert!(
        out.wait_for(lines_now, Duration::from_secs(10), |l| parse("tock!")(l)).is_some(),
        "{}",
        report("old code stopped")
    );
    assert!(!out.text().contains("tuck"), "{}", report("the refused version ran"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the host ended"));
    println!("--- the host's stderr\n{}", err.text());
}

/// Types of live `state` change (fields added with and without a default,
/// removed, reordered, retyped; enum variants added and removed; inside a
/// list and a map): every value is carried over field by field.
#[test]
fn state_is_migrated_when_its_type_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "migrate", &["main.ae", "world.ae"]);
    let (mut child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let ticks = |tag: &'static str| {
        move |l: &str| -> Option<u64> { l.strip_prefix(tag)?.strip_prefix(" ticks ")?.split(' ').next()?.parse().ok() }
    };
    let v1 = out.wait_for(0, Duration::from_secs(300), |l| ticks("v1")(l).filter(|n| *n >= 3));
    assert!(v1.is_some(), "{}", report("the program never ran"));
    let before = out.snapshot().iter().filter_map(|(_, l)| ticks("v1")(l)).max().unwrap_or(0);

    // v2: Player's `hp` removed, `score` int → float and moved first, `level`
    // new with a default, `tag` new without one; Mode loses `Fleeing`, gains
    // `Sleeping`.
    let v2 = std::fs::read_to_string(program.join("world.ae"))
        .expect("read")
        .replace(
            "    name: str\n    hp: int\n    score: int\n",
            "    score: float\n    name: str\n    level: int = 1\n    tag: str\n",
        )
        .replace("    Fleeing\n", "    Sleeping(hours: int)\n")
        .replace("players[i].score += 1", "players[i].score += 1.0")
        .replace(", hp: 10, score: 0 }", ", score: 0.0, tag: \"init\" }")
        .replace(", hp: 7, score: 0 }", ", score: 0.0, tag: \"init\" }")
        .replace(", hp: 3, score: 0 }", ", score: 0.0, tag: \"init\" }")
        .replace("\"v1 ticks", "\"v2 ticks");
    let lines_before = out.snapshot().len();
    save(&program, "world.ae", &v2);
    let seen = out.wait_for(lines_before, Duration::from_secs(120), ticks("v2"));
    let Some((i, _, n)) = seen else { panic!("{}", report("no output from the migrated version")) };
    assert!(n > before, "{}", report(&format!("ticks went from {before} to {n}")));
    let line = out.snapshot()[i].1.clone();
    // Every score carried over (as a float), names kept, new fields at their
    // default or zero value, the removed field gone.
    let score = |name: &str| -> Option<f64> {
        let at = line.find(&format!("name: \"{name}\""))?;
        let head = &line[..at];
        head.rsplit("score: ").next()?.split(',').next()?.trim().parse().ok()
    };
    for who in ["ann", "bob", "cy"] {
        let s = score(who).unwrap_or(-1.0);
        assert!(s >= 0.0, "{}", report(&format!("{who}'s score did not come through: {line}")));
    }
    assert!(
        score("ann").unwrap_or(0.0) >= before as f64 - 1.0,
        "{}",
        report(&format!("ann's score was reset: {line}"))
    );
    assert!(line.contains("level: 1, tag: \"\""), "{}", report(&format!("new fields: {line}")));
    assert!(!line.contains("hp:"), "{}", report(&format!("the removed field: {line}")));
    assert!(line.contains("mode Hunting(\"bob\")"), "{}", report(&format!("the enum value: {line}")));
    let migrated = err.wait_for(0, Duration::from_secs(10), |l| {
        (l.contains("[aether] reloaded") && l.contains("migrated: 2")).then_some(())
    });
    assert!(migrated.is_some(), "{}", report("the reload line counts the migrated states"));

    // v3: the variant the live value holds is removed: that state goes to the
    // new type's default, with a warning that names it; the others stay.
    let v3 = v2
        .replace("    Hunting(target: str)\n", "")
        .replace("Mode.Hunting(\"bob\")", "Mode.Sleeping(8)")
        .replace("\"v2 ticks", "\"v3 ticks");
    let lines_before = out.snapshot().len();
    let errors_from = err.snapshot().len();
    save(&program, "world.ae", &v3);
    let seen = out.wait_for(lines_before, Duration::from_secs(120), ticks("v3"));
    let Some((i, _, _)) = seen else { panic!("{}", report("no output from v3")) };
    let line = out.snapshot()[i].1.clone();
    assert!(
        line.contains("mode Idle") || line.contains("mode Sleeping(8)"),
        "{}",
        report(&format!("the removed variant's value is the type's default or the initializer's: {line}"))
    );
    assert!(line.contains("name: \"ann\""), "{}", report(&format!("players kept: {line}")));
    let warned = err.wait_for(errors_from, Duration::from_secs(10), |l| {
        (l.contains("warning") && l.contains("mode") && l.contains("Hunting")).then_some(())
    });
    assert!(warned.is_some(), "{}", report("a warning names the state and the removed variant"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the program ended"));
    println!("--- the program's stderr\n{}", err.text());
}

/// One save that touches two modules, one of them broken: nothing swaps.
/// Then a change no reload can apply (a new module): with
/// `AETHER_HMR_RESTART=auto` the program restarts with its state carried over.
#[test]
fn a_broken_pair_swaps_nothing_and_a_new_module_hot_restarts_with_the_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "counter", &["main.ae", "fmt.ae"]);
    let (mut child, out, err) = start_hmr(
        &program,
        &[],
        &[("AETHER_CACHE_DIR", dir.path().join("cache").into()), ("AETHER_HMR_RESTART", "auto".into())],
    );
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let ticks = out.wait_for(0, Duration::from_secs(300), |l| counter("tick")(l).filter(|n| *n >= 3));
    assert!(ticks.is_some(), "{}", report("the program never ran"));

    // fmt.ae changes validly, main.ae breaks, in one save.
    let errors_from = err.snapshot().len();
    let main_src = std::fs::read_to_string(program.join("main.ae")).expect("read");
    write_fmt(&program, "pub fn line(n: int) -> str {\n    \"half {n}\"\n}\n");
    save(&program, "main.ae", &main_src.replace("count += 1", "count += \"one\""));
    let refused = err.wait_for(errors_from, Duration::from_secs(60), |l| l.contains("not reloaded").then_some(()));
    assert!(refused.is_some(), "{}", report("the broken pair was not refused"));
    let lines_now = out.snapshot().len();
    assert!(
        out.wait_for(lines_now, Duration::from_secs(10), counter("tick")).is_some(),
        "{}",
        report("old code stopped")
    );
    assert!(!out.text().contains("half"), "{}", report("half of a broken pair ran"));
    assert!(!err.text_from(errors_from).contains("[aether] reloaded"), "{}", report("something swapped"));

    // Fixed, and a new module imported: no reload can add a module, so the
    // program is rebuilt and restarted, its state saved and migrated in.
    let before = out.snapshot().iter().filter_map(|(_, l)| counter("tick")(l)).max().unwrap_or(0);
    let lines_before = out.snapshot().len();
    save(&program, "extra.ae", "pub fn word() -> str {\n    \"fresh\"\n}\n");
    write_fmt(&program, "import extra\n\npub fn line(n: int) -> str {\n    \"{extra.word()} {n}\"\n}\n");
    save(&program, "main.ae", &main_src);
    let fresh = out.wait_for(lines_before, Duration::from_secs(300), counter("fresh"));
    let Some((_, _, n)) = fresh else { panic!("{}", report("no output after the hot restart")) };
    assert!(n > before, "{}", report(&format!("the counter was not carried over: {n} after {before}")));
    assert!(err.text().contains("hot restart: state carried over"), "{}", report("the restart says what it did"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the CLI ended"));
}

/// `examples/rust-game-host` (a Rust game loop calling Aether gameplay each
/// frame) under `--hmr`: an edit of the gameplay shows in the next frames,
/// and the game's state (its frame count and score line) goes on.
#[test]
fn the_rust_game_host_plays_on_while_its_gameplay_is_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let game = dir.path().join("game");
    let hud = "\"score {w.score} | best {best} | hp {hearts}\"";
    let world = copy_example_to_edit("rust-game-host", &game, "rust-game-host-hmr-e2e", "src/gameplay/world.ae", hud);

    let (mut child, out, err) = start_hmr(&game, &["--", "--frames", "100000"], &[("GAME_FRAME_MS", "20".into())]);
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(30), err.text());
    let frame = |marker: &'static str| {
        move |l: &str| -> Option<u64> {
            let rest = l.strip_prefix("frame ")?;
            let (n, hud) = rest.split_once(" | ")?;
            hud.starts_with(marker).then(|| n.trim().parse().ok()).flatten()
        }
    };
    let first = out.wait_for(0, Duration::from_secs(600), |l| frame("score")(l).filter(|n| *n >= 5));
    assert!(first.is_some(), "{}", report("the game never drew a frame"));
    let before = out.snapshot().iter().filter_map(|(_, l)| frame("score")(l)).max().unwrap_or(0);
    let lines_before = out.snapshot().len();
    save(
        &game.join("src/gameplay"),
        "world.ae",
        &world.replace(hud, "\"LIVE points {w.score} | best {best} | hp {hearts}\""),
    );
    let live = out.wait_for(lines_before, Duration::from_secs(120), frame("LIVE points"));
    let Some((_, _, n)) = live else { panic!("{}", report("the edited HUD never showed")) };
    assert!(n > before, "{}", report(&format!("the game restarted: frame {n} after {before}")));
    assert!(err.text().contains("[aether] reloaded src/gameplay/world.ae"), "{}", report("the reload line"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the game ended"));
}

/// A user's `@migrate fn migrate_<state>` takes over the migration of its
/// state when the old value has the shape it names; other states still
/// migrate automatically.
#[test]
fn a_migrate_function_takes_over_for_its_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = copy_fixture(dir.path(), "migrate", &["main.ae", "world.ae"]);
    let (child, out, err) = start_hmr(&program, &[], &[("AETHER_CACHE_DIR", dir.path().join("cache").into())]);
    let report = |what: &str| format!("{what}\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    let ticks = |tag: &'static str| {
        move |l: &str| -> Option<u64> { l.strip_prefix(tag)?.strip_prefix(" ticks ")?.split(' ').next()?.parse().ok() }
    };
    assert!(
        out.wait_for(0, Duration::from_secs(300), |l| ticks("v1")(l).filter(|n| *n >= 3)).is_some(),
        "{}",
        report("no start")
    );

    // `hp: int` becomes `health: float` (a percentage): not something the
    // automatic rules can do; the hook does it for `players`, and `teams`
    // migrates automatically (its `health` starts at zero).
    let v2 = std::fs::read_to_string(program.join("world.ae"))
        .expect("read")
        .replace("    hp: int\n", "    health: float\n")
        .replace(", hp: 10, ", ", health: 1.0, ")
        .replace(", hp: 7, ", ", health: 1.0, ")
        .replace(", hp: 3, ", ", health: 1.0, ")
        .replace("\"v1 ticks", "\"v2 ticks")
        + "\nstruct OldPlayer {\n    name: str\n    hp: int\n    score: int\n}\n\n@migrate\n\
           fn migrate_players(old: [OldPlayer]) -> [Player] {\n    var out: [Player] = []\n    for p in old {\n        \
           out.push(Player { name: p.name, health: float(p.hp) / 100.0, score: p.score })\n    }\n    out\n}\n";
    let lines_before = out.snapshot().len();
    save(&program, "world.ae", &v2);
    let seen = out.wait_for(lines_before, Duration::from_secs(120), ticks("v2"));
    let Some((i, _, _)) = seen else { panic!("{}", report("no output from the version with the hook")) };
    let line = out.snapshot()[i].1.clone();
    assert!(line.contains("name: \"ann\", health: 0.1,"), "{}", report(&format!("the hook's value for ann: {line}")));
    assert!(line.contains("name: \"bob\", health: 0.07,"), "{}", report(&format!("the hook's value for bob: {line}")));
    assert!(
        line.contains("name: \"cy\", health: 0.0,"),
        "{}",
        report(&format!("teams migrated automatically: {line}"))
    );
    let mut child = child;
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the program ended"));
}

/// Two fresh projects started with `--hmr` and no `CARGO_TARGET_DIR` build
/// in the cache's shared target directory, so the second compiles only its
/// own crates: not the runtime, none of its dependencies (#13: a fresh
/// project's first `--hmr` start used to build them all in its `target/`).
#[test]
fn a_fresh_project_reuses_the_runtime_another_one_built() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Kept between test runs: only the first run on a machine builds the
    // runtime in its shared target directory.
    let cache = repo_root().join("target/hmr-shared-cache");
    let exe = env!("CARGO_BIN_EXE_cargo-aether");
    for name in ["first", "second"] {
        let new = Run::of(&mut aether_test_support::aether_cli(exe, dir.path(), &cache, &["new", name]));
        assert_eq!(new.code, Some(0), "{new:?}");
        let project = dir.path().join(name);
        save(&project.join("src"), "main.ae", &format!("fn main() {{\n    println(\"{name} ran\")\n}}\n"));
        let mut command = Command::new(exe);
        command.args(["aether", "run", "--hmr"]).arg(&project).env_remove("CARGO_TARGET_DIR");
        let run = Run::of(command.env("AETHER_CACHE_DIR", &cache).current_dir(&project));
        assert_eq!(run.code, Some(0), "{run:?}");
        assert_eq!(run.stdout, format!("{name} ran\n"), "{run:?}");
        assert!(!project.join("target/aether/build").exists(), "built in the project's own target: {run:?}");
        if name == "second" {
            let compiled: Vec<&str> =
                run.stderr.lines().filter_map(|l| l.trim_start().strip_prefix("Compiling ")).collect();
            assert!(!compiled.is_empty(), "cargo's progress is shown on a first start: {run:?}");
            for package in compiled {
                assert!(package.starts_with("second_"), "`{package}` was built again for a second project: {run:?}");
            }
        }
    }
}

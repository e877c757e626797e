//! End to end, issue #12: edits that used to leave a running `--hmr`
//! program stuck (a new `state` whose initializer reads state or calls a
//! function, a loop that makes no call, an edit of a loop that is running,
//! a runtime error after an earlier reload). Each test edits a live
//! `cargo aether run --hmr` process the way a user would and waits, with
//! generous timeouts, for what must follow. Nothing is asserted about time.
#![cfg(unix)]

use aether_test_support::{copy_host_package, repo_root, run_hmr, save, spawn_followed, KillOnDrop, Lines};
use std::time::Duration;

/// `main` calls `live`, which loops for ever: a frame counter in `state`
/// and a second one in game.ae, one line per frame (`v1 <frames> <shots>`).
const MAIN: &str = "import game

const PAUSE_MS: int = 30

state frames: int = 0

fn main() {
    live()
}

fn live() {
    loop {
        frames += 1
        println(\"v1 {frames} {game.step()}\")
        sleep_ms(PAUSE_MS)
    }
}
";

const GAME: &str = "pub state rocks_shot: int = 0

pub fn step() -> int {
    rocks_shot += 1
    rocks_shot
}

pub fn count(what: str) -> int {
    what.len() - 1
}
";

/// The program in a temporary directory, running under `--hmr` with `env`;
/// waits until it printed a few frames.
fn start(env: &[(&str, &str)]) -> (tempfile::TempDir, KillOnDrop, Lines, Lines) {
    let dir = tempfile::tempdir().expect("tempdir");
    save(dir.path(), "main.ae", MAIN);
    save(dir.path(), "game.ae", GAME);
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), dir.path());
    command.env("AETHER_CACHE_DIR", dir.path().join("cache")).envs(env.iter().copied());
    let (child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let ran = out.wait_for(0, Duration::from_secs(600), |l| frame("v1")(l).filter(|(n, _)| *n >= 3));
    assert!(ran.is_some(), "the program never ran\n--- stdout\n{}--- stderr\n{}", out.text(), err.text());
    (dir, child, out, err)
}

/// `<tag> <frames> <rest>`: the frame count and the rest of the line.
fn frame(tag: &'static str) -> impl Fn(&str) -> Option<(u64, String)> {
    move |l: &str| {
        let rest = l.strip_prefix(tag)?.strip_prefix(' ')?;
        let (n, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        Some((n.trim().parse().ok()?, rest.to_string()))
    }
}

fn last_frame(out: &Lines) -> u64 {
    out.snapshot()
        .iter()
        .filter_map(|(_, l)| frame("v1")(l).or_else(|| frame("v2")(l)))
        .map(|(n, _)| n)
        .max()
        .unwrap_or(0)
}

fn report(out: &Lines, err: &Lines, what: &str) -> String {
    format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(20), err.text())
}

/// Saves `game.ae` as `spinning` (new code that never returns) and waits
/// until it is swapped in and the program has been stuck in it a while:
/// the last frame before, and how many lines were printed by then.
fn swap_in_spinning(dir: &std::path::Path, out: &Lines, err: &Lines, spinning: &str) -> (u64, usize) {
    let errors_from = err.len();
    save(dir, "game.ae", spinning);
    let swapped =
        err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("[aether] reloaded").then_some(()));
    assert!(swapped.is_some(), "{}", report(out, err, "the spinning version was not swapped in"));
    // Stuck: no frame for a while.
    std::thread::sleep(Duration::from_secs(2));
    (last_frame(out), out.len())
}

/// Waits for a frame of the fixed code (its `rocks_shot` part 1000000 or
/// more) after line `lines`, its count not below `stuck_at` (state kept).
fn wait_for_fixed_frame(out: &Lines, err: &Lines, lines: usize, stuck_at: u64, what: &str) {
    let back = out.wait_for(lines, Duration::from_secs(120), |l| frame("v1")(l).filter(|(_, s)| s.len() >= 7));
    let Some((_, _, (n, _))) = back else { panic!("{}", report(out, err, what)) };
    assert!(n > stuck_at.saturating_sub(1), "{}", report(out, err, "state was reset"));
}

/// Finding 4: `main` calls `live()`, which loops for ever; an edit of the
/// loop's body takes effect at its next iteration, with the state kept.
#[test]
fn an_edit_of_a_running_loop_takes_effect_at_its_next_iteration() {
    let (dir, mut child, out, err) = start(&[]);
    let before = last_frame(&out);
    let lines = out.len();
    save(dir.path(), "main.ae", &MAIN.replace("\"v1 {frames}", "\"v2 {frames}"));
    let v2 = out.wait_for(lines, Duration::from_secs(120), frame("v2"));
    let Some((_, _, (n, _))) = v2 else { panic!("{}", report(&out, &err, "the edited loop never ran")) };
    assert!(n > before, "{}", report(&out, &err, &format!("state was reset: frame {n} after {before}")));
    let said = err.wait_for(0, Duration::from_secs(10), |l| {
        (l.contains("`main.live` changed while it ran") && l.contains("starts again with the new code")).then_some(())
    });
    assert!(said.is_some(), "{}", report(&out, &err, "the restart of `live` is not reported"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 4, the game template's `TICK_MS`: a constant that a running
/// loop reads takes effect at its next iteration. A literal constant is
/// read from the host under --hmr (#13): the new value is sent, nothing is
/// rebuilt, and the loop goes on with it without a restart.
#[test]
fn a_constant_a_running_loop_reads_takes_effect() {
    let (dir, mut child, out, err) = start(&[]);
    let lines = out.len();
    save(dir.path(), "main.ae", &MAIN.replace("const PAUSE_MS: int = 30", "const PAUSE_MS: int = 400"));
    let said = err.wait_for(0, Duration::from_secs(120), |l| l.contains("tuned main.PAUSE_MS = 400").then_some(()));
    assert!(said.is_some(), "{}", report(&out, &err, "the new value was not sent to the program"));
    // Frames now come 400 ms apart: at most a handful in two seconds.
    let from = out.len();
    std::thread::sleep(Duration::from_secs(2));
    let frames = out.lines_from(from).iter().filter(|l| frame("v1")(l).is_some()).count();
    assert!(frames <= 8, "{}", report(&out, &err, &format!("{frames} frames in 2 s: the old pause still runs")));
    assert!(out.len() > lines, "{}", report(&out, &err, "no frames after the edit"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// A call that is running when a reload replaces its function finishes in
/// the code it started in (as in Erlang) instead of starting again, so what
/// it did before the reload is not done twice. `step` spends its time in a
/// 40 ms loop (safe points at every iteration), so each save lands inside
/// one; the restart it used to cause counted `started` twice (the live
/// tool's lines were counted twice that way).
#[test]
fn a_call_running_when_its_function_is_replaced_finishes_in_its_old_code() {
    const MAIN: &str = "import work\n\nfn main() {\n    loop {\n        let tag = work.step()\n        println(\"{tag} {work.counts()}\")\n    }\n}\n";
    const WORK: &str = "state started: int = 0
state finished: int = 0

pub fn step() -> str {
    started += 1
    let until = now_ms() + 40
    var spins = 0
    while now_ms() < until {
        spins += 1
    }
    finished += 1
    \"v1\"
}

pub fn counts() -> str {
    \"{started} {finished}\"
}
";
    let dir = tempfile::tempdir().expect("tempdir");
    save(dir.path(), "main.ae", MAIN);
    save(dir.path(), "work.ae", WORK);
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), dir.path());
    command.env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (mut child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let ran = out.wait_for(0, Duration::from_secs(600), |l| l.starts_with("v1 ").then_some(()));
    assert!(ran.is_some(), "{}", report(&out, &err, "the program never ran"));
    for version in ["v2", "v3", "v4"] {
        let lines = out.len();
        save(dir.path(), "work.ae", &WORK.replace("\"v1\"", &format!("\"{version}\"")));
        let new = out.wait_for(lines, Duration::from_secs(120), |l| l.starts_with(version).then_some(()));
        assert!(new.is_some(), "{}", report(&out, &err, &format!("{version} never ran")));
    }
    // Every line: as many steps finished as started.
    for line in out.lines_from(0) {
        let counts: Vec<&str> = line.split(' ').skip(1).collect();
        assert!(
            counts.len() == 2 && counts[0] == counts[1],
            "{}",
            report(&out, &err, &format!("a step ran twice or was cut short: `{line}`"))
        );
    }
    assert!(!err.text().contains("changed while it ran"), "{}", report(&out, &err, "a call was started again"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Old code that cannot go on (the reload changed the type of a `state` its
/// running loop uses, so the slot is empty for it) starts again with the
/// new code at once, without waiting for the restart delay, and without a
/// runtime error: `frames` becomes a `float`, migrated from its `int`.
#[test]
fn a_running_loop_whose_state_changed_type_starts_again_at_once() {
    let (dir, mut child, out, err) = start(&[]);
    let lines = out.len();
    let errors_from = err.len();
    let retyped = MAIN
        .replace("state frames: int = 0", "state frames: float = 0.0")
        .replace("frames += 1\n", "frames += 1.0\n")
        .replace("\"v1 {frames}", "\"v2 {frames:.0}");
    save(dir.path(), "main.ae", &retyped);
    let v2 = out.wait_for(lines, Duration::from_secs(120), frame("v2"));
    let Some((_, _, (n, _))) = v2 else { panic!("{}", report(&out, &err, "the new loop never ran")) };
    assert!(n >= 3, "{}", report(&out, &err, &format!("the frame count was not migrated: {n}")));
    let said = err.wait_for(errors_from, Duration::from_secs(10), |l| {
        l.contains("`main.live` changed while it ran").then_some(())
    });
    assert!(said.is_some(), "{}", report(&out, &err, "the loop was not restarted"));
    let errors = err.lines_from(errors_from);
    assert!(
        !errors.iter().any(|l| l.contains("error") || l.contains("stopped")),
        "{}",
        report(&out, &err, "old code meeting the new state failed")
    );
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 3: new code with a loop that makes no call spins for ever; the
/// next save (the fix) still applies, and the stuck call starts again with
/// the fixed code.
#[test]
fn a_loop_without_calls_does_not_block_the_next_reload() {
    the_fix_of_a_spinning_step_applies("    while rocks_shot > 0 {\n        spin += 1\n    }\n");
}

/// `step` spins for ever in `spinning_loop` (with a `var spin` to count
/// in); the next save, `step` fixed, applies, state kept.
fn the_fix_of_a_spinning_step_applies(spinning_loop: &str) {
    let (dir, mut child, out, err) = start(&[]);
    let spin =
        GAME.replace("    rocks_shot += 1\n", &format!("    rocks_shot += 1\n    var spin = 0\n{spinning_loop}"));
    let (stuck_at, lines) = swap_in_spinning(dir.path(), &out, &err, &spin);
    let fixed = GAME.replace("    rocks_shot\n}", "    rocks_shot + 1000000\n}");
    save(dir.path(), "game.ae", &fixed);
    wait_for_fixed_frame(&out, &err, lines, stuck_at, "the fix never applied to the spinning loop");
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 3 for a nest (#14: a loop whose iterations only run leaf loops
/// runs in chunks, checking after each full one): new code spinning in
/// such a loop still takes the next save.
#[test]
fn a_nest_of_loops_without_calls_does_not_block_the_next_reload() {
    the_fix_of_a_spinning_step_applies(
        "    while rocks_shot > 0 {\n        for k in 0..3 {\n            spin += k\n        }\n    }\n",
    );
}

/// Finding 3, the fix a user makes: the spinning loop is in a helper, and
/// the save removes the call to it. The helper did not change, but the
/// function that called it did: the stuck call unwinds to the call of that
/// function, which runs the fixed version.
#[test]
fn a_fix_that_removes_the_call_to_a_spinning_helper_applies() {
    let (dir, mut child, out, err) = start(&[]);
    let helper = "\nfn spin_now() {\n    var spin = 0\n    while rocks_shot > 0 {\n        spin += 1\n    }\n}\n";
    let spinning = GAME.replace("    rocks_shot += 1\n", "    rocks_shot += 1\n    spin_now()\n") + helper;
    let (stuck_at, lines) = swap_in_spinning(dir.path(), &out, &err, &spinning);
    // The helper stays as it is; `step` no longer calls it.
    let fixed = GAME.replace("    rocks_shot\n}", "    rocks_shot + 1000000\n}") + helper;
    save(dir.path(), "game.ae", &fixed);
    wait_for_fixed_frame(&out, &err, lines, stuck_at, "the fix never reached the call stuck in the helper");
    let said =
        err.wait_for(0, Duration::from_secs(10), |l| l.contains("`game.step` changed while it ran").then_some(()));
    assert!(said.is_some(), "{}", report(&out, &err, "the restart of `step` is not reported"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 3 in a helper of the same module that calls nothing (#14: such a
/// helper is called directly and not linked into the calls in progress,
/// `Direct::Unlinked`): the fix edits only the spinning helper, whose own
/// back-edge then unwinds to the direct call in `step`, which calls the
/// fixed helper through the table. `step` itself is left as it is.
#[test]
fn a_fix_of_a_spinning_helper_called_directly_applies() {
    let (dir, mut child, out, err) = start(&[]);
    let step = GAME.replace("    rocks_shot\n}", "    rocks_shot + hold(rocks_shot)\n}");
    let spinning = step.clone()
        + "\nfn hold(n: int) -> int {\n    var spin = 0\n    while n > 0 {\n        spin += 1\n    }\n    spin\n}\n";
    let fixed = step
        + "\nfn hold(n: int) -> int {\n    var spin = 0\n    while n < 0 {\n        spin += 1\n    }\n    1000000\n}\n";
    let (stuck_at, lines) = swap_in_spinning(dir.path(), &out, &err, &spinning);
    save(dir.path(), "game.ae", &fixed);
    wait_for_fixed_frame(&out, &err, lines, stuck_at, "the fix never reached the call stuck in the helper");
    let said =
        err.wait_for(0, Duration::from_secs(10), |l| l.contains("`game.hold` changed while it ran").then_some(()));
    assert!(said.is_some(), "{}", report(&out, &err, "the restart of `hold` is not reported"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 1: a new `state` whose initializer reads another state and one
/// that calls a function are initialized against the new code.
#[test]
fn a_new_state_may_read_state_and_call_functions_in_its_initializer() {
    let (dir, mut child, out, err) = start(&[]);
    let shots = out
        .snapshot()
        .iter()
        .filter_map(|(_, l)| frame("v1")(l))
        .filter_map(|(_, s)| s.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let lines = out.len();
    let edited = GAME.replace("pub fn step() -> int {\n    rocks_shot += 1\n", "pub state combo: int = 7 + rocks_shot\npub state tally: int = count(\"rock\")\n\npub fn step() -> int {\n    rocks_shot += 1\n    println(\"combo {combo} tally {tally}\")\n");
    save(dir.path(), "game.ae", &edited);
    let combo = |l: &str| -> Option<(u64, u64)> {
        let rest = l.strip_prefix("combo ")?;
        let (c, t) = rest.split_once(" tally ")?;
        Some((c.trim().parse().ok()?, t.trim().parse().ok()?))
    };
    let seen = out.wait_for(lines, Duration::from_secs(120), combo);
    let Some((_, _, (c, t))) = seen else { panic!("{}", report(&out, &err, "the new states were refused")) };
    assert!(c >= 7 + shots, "{}", report(&out, &err, &format!("combo {c} did not read rocks_shot ({shots} before)")));
    assert_eq!(t, 3, "{}", report(&out, &err, "tally is count(\"rock\")"));
    assert!(err.text().contains("new: 2"), "{}", report(&out, &err, "the reload line counts the new states"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// Finding 5: a runtime error later than the grace window, after an earlier
/// reload, stops `main` until the next save, and not a moment before.
#[test]
fn main_waits_for_a_save_after_a_late_runtime_error() {
    let (dir, mut child, out, err) = start(&[("AETHER_HMR_GRACE_MS", "300")]);
    let late = GAME.replace(
        "pub fn step() -> int {\n    rocks_shot += 1\n",
        "state late: int = 0\n\npub fn step() -> int {\n    rocks_shot += 1\n    late += 1\n    if late > 40 {\n        panic(\"late boom\")\n    }\n",
    );
    let errors_from = err.len();
    save(dir.path(), "game.ae", &late);
    let stopped = err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("`main` stopped").then_some(()));
    let Some((at, _, _)) = stopped else { panic!("{}", report(&out, &err, "the late error did not stop `main`")) };
    std::thread::sleep(Duration::from_secs(3));
    let restarted = err.lines_from(at + 1).iter().any(|l| l.contains("`main` starts again"));
    assert!(!restarted, "{}", report(&out, &err, "`main` started again before any save"));
    assert_eq!(err.text().matches("late boom").count(), 1, "{}", report(&out, &err, "the error repeated"));
    let lines = out.len();
    save(dir.path(), "game.ae", GAME);
    let back = out.wait_for(lines, Duration::from_secs(120), frame("v1"));
    assert!(back.is_some(), "{}", report(&out, &err, "`main` did not start again after the fix"));
    assert!(err.text_from(at + 1).contains("`main` starts again"), "{}", report(&out, &err, "the restart is said"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
}

/// A `main` that fails at once (before any reload) waits for a fix too.
/// The runtime used to connect to the reload channel on a thread of its
/// own, and a `main` faster than that thread ended the process with 101
/// instead (seen on CI's faster machine, in tests/differential.rs).
#[test]
fn a_main_that_fails_at_once_waits_for_a_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = "fn main() {\n    let xs = [1]\n    println(\"before\")\n    println(\"{xs[5]}\")\n}\n";
    save(dir.path(), "main.ae", broken);
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), dir.path());
    command.env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (mut child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let stopped = err.wait_for(0, Duration::from_secs(600), |l| l.contains("`main` stopped").then_some(()));
    assert!(stopped.is_some(), "{}", report(&out, &err, "`main` did not stop and wait"));
    assert!(err.text().contains("main.ae:4:"), "{}", report(&out, &err, "the error names its line"));
    let printed = out.wait_for(0, Duration::from_secs(60), |l| (l == "before").then_some(()));
    assert!(printed.is_some(), "{}", report(&out, &err, "the text printed before the error was lost"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
    let lines = out.len();
    save(dir.path(), "main.ae", &broken.replace("xs[5]", "xs[0]"));
    let fixed = out.wait_for(lines, Duration::from_secs(120), |l| (l == "1").then_some(()));
    assert!(fixed.is_some(), "{}", report(&out, &err, "the fix did not run"));
}

/// `fn main() -> ()!` runs under `--hmr` as in a static build: an `err`
/// it returns is said as `error: ...`; then, as after a runtime error, the
/// program waits for a fix, and the fixed `main` runs once from its start.
#[test]
fn a_main_that_returns_an_error_waits_for_a_fix_and_runs_once_fixed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = "fn half(n: int) -> int! {\n    if n % 2 == 1 {\n        return err(\"odd: {n}\")\n    }\n    ok(n / \
                  2)\n}\n\nfn main() -> ()! {\n    println(\"start\")\n    let h = half(3)?\n    println(\"half {h}\")\n    \
                  ok(())\n}\n";
    save(dir.path(), "main.ae", broken);
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), dir.path());
    command.env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (mut child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let said = err.wait_for(0, Duration::from_secs(600), |l| (l == "error: odd: 3").then_some(()));
    assert!(said.is_some(), "{}", report(&out, &err, "`main`'s error was not said as the static build says it"));
    let waits = err.wait_for(0, Duration::from_secs(60), |l| l.contains("`main` returned the error").then_some(()));
    assert!(waits.is_some(), "{}", report(&out, &err, "the program did not say it waits for a fix"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report(&out, &err, "the program ended"));
    save(dir.path(), "main.ae", &broken.replace("half(3)", "half(8)"));
    let status = child.0.wait().expect("the program ends once `main` returns `ok`");
    assert_eq!(status.code(), Some(0), "{}", report(&out, &err, "the fixed `main` ended with `ok(())`"));
    out.wait_for(0, Duration::from_secs(10), |l| (l == "half 4").then_some(()));
    let text = out.text();
    assert_eq!(text, "start\nstart\nhalf 4\n", "{}", report(&out, &err, "each `main` runs once from its start"));
}

/// Finding 7: a runtime error in a Rust host's call into Aether does not
/// end the game. Right after a reload it rolls the reload back and the call
/// runs in the previous code; later, the typed `try_` binding returns it and
/// the game (examples/rust-game-host) draws on until the fix is saved.
#[test]
fn a_runtime_error_in_a_rust_hosts_call_is_returned_and_rolled_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let game = dir.path().join("game");
    copy_host_package(&repo_root().join("examples/rust-game-host"), &game, "rust-game-host-hmr-stuck")
        .expect("copy the example");
    let gameplay = game.join("src/gameplay");
    let world = std::fs::read_to_string(gameplay.join("world.ae")).expect("world.ae");
    let step = "pub fn step(mut w: World) {\n";
    assert!(world.contains(step), "world.ae changed: update this test");
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &game);
    command.args(["--", "--frames", "1000000"]).env("GAME_FRAME_MS", "20").env("AETHER_HMR_GRACE_MS", "1500");
    let (mut child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let frame = |l: &str| -> Option<u64> { l.strip_prefix("frame ")?.split_once(" | ")?.0.trim().parse().ok() };
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(30), err.text());
    let first = out.wait_for(0, Duration::from_secs(600), |l| frame(l).filter(|n| *n >= 5));
    assert!(first.is_some(), "{}", report("the game never drew a frame"));

    // Fails at once: rolled back, and the game goes on in the old code.
    let errors_from = err.len();
    save(&gameplay, "world.ae", &world.replace(step, &format!("{step}    panic(\"early step boom\")\n")));
    let rolled = err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("rolled back").then_some(()));
    assert!(rolled.is_some(), "{}", report("the failing call was not rolled back"));
    let lines = out.len();
    let on = out.wait_for(lines, Duration::from_secs(30), |l| frame(l).filter(|_| true));
    assert!(on.is_some(), "{}", report("the game stopped after the rollback"));
    assert!(!out.text().contains("gameplay error: early step boom"), "{}", report("the rolled-back call failed"));

    // Fails later than the grace window: the binding returns the error.
    let late_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() + 8000;
    let errors_from = err.len();
    save(
        &gameplay,
        "world.ae",
        &world.replace(
            step,
            &format!("{step}    if now_ms() > {late_at} {{\n        panic(\"late step boom\")\n    }}\n"),
        ),
    );
    let swapped =
        err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("[aether] reloaded").then_some(()));
    assert!(swapped.is_some(), "{}", report("the late-failing version was not swapped in"));
    let shown =
        out.wait_for(0, Duration::from_secs(120), |l| l.contains("gameplay error: late step boom").then_some(()));
    let Some((at, _, _)) = shown else { panic!("{}", report("the late error never reached the game")) };
    let later = out.wait_for(at + 1, Duration::from_secs(30), frame);
    assert!(later.is_some(), "{}", report("the game stopped drawing after the error"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the game ended"));

    // The fix: frames without errors again.
    let errors_from = err.len();
    save(&gameplay, "world.ae", &world);
    let swapped =
        err.wait_for(errors_from, Duration::from_secs(120), |l| l.contains("[aether] reloaded").then_some(()));
    assert!(swapped.is_some(), "{}", report("the fix was not swapped in"));
    std::thread::sleep(Duration::from_secs(1));
    let lines = out.len();
    let more = out.wait_for(lines, Duration::from_secs(30), |l| frame(l).filter(|_| true));
    assert!(more.is_some(), "{}", report("no frames after the fix"));
    std::thread::sleep(Duration::from_millis(500));
    assert!(!out.text_from(lines).contains("gameplay error"), "{}", report("the fix did not apply"));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the game ended"));
}

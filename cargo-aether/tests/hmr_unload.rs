//! End to end, issue #14: old versions of a module library are unloaded once
//! nothing can reach them, so a long day of edits does not grow the host
//! without bound; a library whose code made a closure that the program
//! still holds (in `state`) stays loaded, and calling that closure after
//! many reloads still works. A live `cargo aether run --hmr` program is
//! edited the way a user would; the host's mapped libraries are read from
//! `/proc/<pid>/maps`. Nothing is asserted about time.
#![cfg(target_os = "linux")]

use aether_test_support::{hmr_host_pid, mapped_files, run_hmr, save, spawn_followed, Lines};
use std::time::Duration;

/// One frame line every 20 ms: `frame <game rev> <steps> <closures' total>`.
const MAIN: &str = "import game
import keep

fn main() {
    loop {
        println(\"frame {game.rev()} {game.step()} {keep.total(1)}\")
        sleep_ms(20)
    }
}
";

/// No function values: its old versions can be unloaded.
fn game(rev: u32) -> String {
    format!(
        "state steps: int = 0

pub fn rev() -> int {{
    {rev}
}}

pub fn step() -> int {{
    steps += 1
    steps
}}
"
    )
}

/// Each version adds one closure (made by its own code) to `state adders`,
/// and every frame calls all of them: the closures of old versions too.
fn keep(rev: u32) -> String {
    format!(
        "state adders: [fn(int) -> int] = []
state added: int = 0

pub fn total(x: int) -> int {{
    if added < {rev} {{
        added = {rev}
        let k = {rev}
        adders.push(|v| v + k)
    }}
    var t = 0
    var i = 0
    while i < adders.len() {{
        let f = adders[i]
        t += f(x)
        i += 1
    }}
    t
}}
"
    )
}

/// The closures' total after versions 1..=n of keep.ae each added `v + rev`
/// (called with 1).
fn total_after(n: u32) -> u64 {
    (1..=n).map(|r| 1 + u64::from(r)).sum()
}

fn frame(l: &str) -> Option<(u32, u64, u64)> {
    let mut parts = l.strip_prefix("frame ")?.split(' ');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn report(out: &Lines, err: &Lines, what: &str) -> String {
    format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(10), err.text())
}

#[test]
fn old_versions_are_unloaded_and_closures_in_state_keep_theirs() {
    const EDITS: u32 = 8;
    let dir = tempfile::tempdir().expect("tempdir");
    save(dir.path(), "main.ae", MAIN);
    save(dir.path(), "game.ae", &game(1));
    save(dir.path(), "keep.ae", &keep(1));
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), dir.path());
    command.env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let first = out.wait_for(0, Duration::from_secs(600), |l| frame(l).filter(|f| f.1 >= 3));
    assert!(first.is_some(), "{}", report(&out, &err, "the program never ran"));
    let host = hmr_host_pid(child.0.id()).expect("the host process");

    let mut last_steps = 0;
    for rev in 2..=EDITS + 1 {
        // Both modules in one save each: game's old versions can go, keep's
        // made closures that `state adders` holds.
        let from = out.len();
        save(dir.path(), "game.ae", &game(rev));
        let seen = out.wait_for(from, Duration::from_secs(180), |l| frame(l).filter(|f| f.0 == rev));
        let Some((_, _, (_, steps, _))) = seen else {
            panic!("{}", report(&out, &err, &format!("game.ae version {rev} never ran")))
        };
        assert!(steps > last_steps, "{}", report(&out, &err, "state `steps` was reset"));
        last_steps = steps;
        let from = out.len();
        save(dir.path(), "keep.ae", &keep(rev));
        let want = total_after(rev);
        let seen = out.wait_for(from, Duration::from_secs(180), |l| frame(l).filter(|f| f.2 == want));
        assert!(seen.is_some(), "{}", report(&out, &err, &format!("keep.ae version {rev}: no total {want}")));
    }
    // A few more frames: every closure, of every version, still runs.
    let from = out.len();
    let more = out.wait_for(from + 5, Duration::from_secs(60), |l| frame(l).filter(|f| f.2 == total_after(EDITS + 1)));
    assert!(more.is_some(), "{}", report(&out, &err, "the program stopped after the last edit"));

    let game_libs = mapped_files(host, "_hmr_game-hot-").expect("the host's maps");
    let keep_libs = mapped_files(host, "_hmr_keep-hot-").expect("the host's maps");
    // Current and previous (a rollback's) of game; at most one more whose
    // call was in progress at the last reload.
    assert!(game_libs <= 3, "{}", report(&out, &err, &format!("{game_libs} versions of game.ae stay mapped")));
    // Every version of keep made a closure `state adders` still holds.
    assert_eq!(keep_libs, EDITS as usize + 1, "{}", report(&out, &err, "a version of keep.ae was unloaded"));

    // One std, shared by the host and every library (`-C prefer-dynamic`):
    // its shared library is mapped once, and no library carries a copy.
    let std_libs = mapped_files(host, "/libstd-").expect("the host's maps");
    assert_eq!(std_libs, 1, "{}", report(&out, &err, "the host and its libraries share one libstd"));

    // A runtime error in new code after all those unloads: reported by the
    // host's panic hook (a library's hook would be unloaded code), rolled
    // back, and the program goes on with the previous version.
    let (from_out, from_err) = (out.len(), err.len());
    save(dir.path(), "game.ae", &game(EDITS + 1).replace("    steps += 1\n", "    steps += [1][steps]\n"));
    let rolled = err.wait_for(from_err, Duration::from_secs(180), |l| l.contains("rolled back").then_some(()));
    assert!(rolled.is_some(), "{}", report(&out, &err, "the failing version was rolled back"));
    let said = err.text_from(from_err);
    assert!(said.contains("error: index") && said.contains("game.ae:"), "{}", report(&out, &err, "the error's report"));
    let more =
        out.wait_for(out.len().max(from_out) + 3, Duration::from_secs(60), |l| frame(l).filter(|f| f.0 == EDITS + 1));
    assert!(more.is_some(), "{}", report(&out, &err, "the program went on after the rollback"));
}

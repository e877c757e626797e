//! Issue 17: the engine (examples/engine) and the live tool
//! (examples/live-tool) under `cargo aether run --hmr`, edited while they
//! run as their READMEs say. The engine reloads each subsystem on its own
//! and refuses an edit of its `@no_hmr` physics; the live tool loses no
//! line of its input over 21 saves, one of them broken. Both host crates
//! build in the target directory the hot-reload tests share.
#![cfg(unix)]

use aether_test_support::{copy_example_to_edit, run_hmr, save, spawn_followed, Lines};
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

const FIRST_BUILD: Duration = Duration::from_secs(900);
const EDIT: Duration = Duration::from_secs(180);

fn report(what: &str, out: &Lines, err: &Lines) -> String {
    format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(20), err.text())
}

/// `frame F: ... (ui drew N lines)`: (F, the status line).
fn status(line: &str) -> Option<(u64, String)> {
    let frame = line.strip_prefix("frame ")?.split(':').next()?.parse().ok()?;
    Some((frame, line.to_string()))
}

/// The number before ` turns by the AI` in a status line.
fn turns(line: &str) -> i64 {
    let head = line.split(" turns by the AI").next().unwrap_or_default();
    head.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(-1)
}

#[test]
fn each_engine_subsystem_reloads_on_its_own_and_the_no_hmr_one_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = dir.path().join("engine");
    let ui = copy_example_to_edit("engine", &engine, "engine-e2e", "src/systems/ui.ae", "{bodies} bodies,");
    let ai = std::fs::read_to_string(engine.join("src/systems/ai.ae")).expect("ai.ae");
    let physics = std::fs::read_to_string(engine.join("src/systems/physics.ae")).expect("physics.ae");
    assert!(ai.contains("const RESTLESS: int = 5") && physics.contains("steps += 1"), "update this test");

    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &engine);
    command.args(["--", "--frames", "100000", "--frame-ms", "20"]);
    let (_child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let Some((i, _, _)) = out.wait_for(0, FIRST_BUILD, |l| status(l).filter(|(_, s)| turns(s) > 0)) else {
        panic!("{}", report("the engine does not run", &out, &err))
    };

    // The UI, live: its own state (the lines it drew) goes on counting.
    save(&engine, "src/systems/ui.ae", &ui.replace("{bodies} bodies,", "{bodies} entities,"));
    let Some((i, _, (_, line))) = out.wait_for(i, EDIT, |l| status(l).filter(|(_, s)| s.contains("entities"))) else {
        panic!("{}", report("the UI was not reloaded", &out, &err))
    };
    let before = turns(&line);

    // Physics is `@no_hmr`: refused, and the engine keeps running the old code.
    save(&engine, "src/systems/physics.ae", &physics.replace("steps += 1", "steps += 2"));
    let refused = err.wait_for(0, EDIT, |l| l.contains("physics.ae: excluded from hot reloading").then_some(()));
    assert!(refused.is_some(), "{}", report("the physics edit was not refused", &out, &err));
    let Some((i, _, _)) = out.wait_for(i, EDIT, |l| status(l).filter(|(_, s)| s.contains("entities"))) else {
        panic!("{}", report("the engine stopped", &out, &err))
    };

    // Undone, the engine is in step with its files again; then the AI,
    // live: the turns it made so far are kept (its own state).
    save(&engine, "src/systems/physics.ae", &physics);
    let undone = err.wait_for(0, EDIT, |l| l.contains("no code changed").then_some(()));
    assert!(undone.is_some(), "{}", report("undoing the physics edit was not noticed", &out, &err));
    save(&engine, "src/systems/ai.ae", &ai.replace("const RESTLESS: int = 5", "const RESTLESS: int = 1"));
    let reloaded = err.wait_for(0, EDIT, |l| (l.contains("reloaded") && l.contains("ai.ae")).then_some(()));
    assert!(reloaded.is_some(), "{}", report("the AI was not reloaded", &out, &err));
    let Some((_, _, (_, line))) = out.wait_for(i, EDIT, status) else { panic!("{}", report("stopped", &out, &err)) };
    assert!(turns(&line) >= before, "{}", report("the AI's state was not kept", &out, &err));
}

/// Line `i` of the test's log: a level, a path and a time that the rules
/// filter on (ERROR, WARN, or at least 500 ms are kept).
fn log_line(i: usize) -> (String, bool) {
    let level = ["ERROR", "WARN", "INFO", "INFO", "DEBUG"][i % 5];
    let ms = (i * 37) % 700;
    let kept = level == "ERROR" || level == "WARN" || ms >= 500;
    (format!("2026-12-05T08:00:00Z {level} /api/{} {ms}ms line {i}\n", i % 7), kept)
}

#[test]
fn the_live_tool_loses_no_line_over_twenty_one_reloads() {
    const TOTAL: usize = 2350;
    let dir = tempfile::tempdir().expect("tempdir");
    let tool = dir.path().join("live-tool");
    let rules =
        copy_example_to_edit("live-tool", &tool, "live-tool-e2e", "src/rules/tool.ae", "const TAG: str = \"!\"");
    let log = dir.path().join("app.log");
    let mut file = std::fs::File::create(&log).expect("log");
    let mut written = 0;
    let mut expected = BTreeSet::new();
    let mut append = |n: usize| {
        for _ in 0..n {
            let (line, kept) = log_line(written);
            if kept {
                expected.insert(written);
            }
            file.write_all(line.as_bytes()).expect("append");
            written += 1;
        }
        file.flush().expect("flush");
    };
    append(100);

    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &tool);
    command.arg("--").arg(&log).args(["--follow", "--summary-every", "100", "--stop-after", &TOTAL.to_string()]);
    let (_child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    if out.wait_for(0, FIRST_BUILD, |l| l.starts_with("summary lines=100 ").then_some(())).is_none() {
        panic!("{}", report("the tool does not read", &out, &err));
    }

    // 21 saves, lines appended while each is rebuilt and swapped in; save 11
    // does not compile (nothing is applied), save 12 fixes it.
    for round in 1..=21 {
        let text = if round == 11 {
            rules.replace("const TAG: str = \"!\"", "const TAG: str = ")
        } else {
            rules.replace("const TAG: str = \"!\"", &format!("const TAG: str = \"r{round}\""))
        };
        save(&tool, "src/rules/tool.ae", &text);
        for _ in 0..4 {
            append(25);
            std::thread::sleep(Duration::from_millis(50));
        }
        let done = |l: &str| {
            let ok = if round == 11 { l.contains("not reloaded") } else { l.contains("reloaded src/rules/tool.ae") };
            ok.then_some(())
        };
        // The reloads applied before this save (save 11 was not).
        let seen = if round == 11 { 0 } else { (1..round).filter(|r| *r != 11).count() };
        let outcomes = err.wait_for(0, EDIT, |l| {
            let n = err.text().lines().filter(|l| l.contains("reloaded src/rules/tool.ae")).count();
            (done(l).is_some() && n > seen).then_some(())
        });
        assert!(outcomes.is_some(), "{}", report(&format!("save {round} had no outcome"), &out, &err));
    }
    append(TOTAL - 100 - 21 * 100);

    let Some((_, _, _)) = out.wait_for(0, EDIT, |l| (l == format!("host read {TOTAL} lines")).then_some(())) else {
        panic!("{}", report("the tool did not read every line", &out, &err))
    };
    let text = out.text();
    let summary = text.lines().rev().find(|l| l.starts_with("summary ")).expect("a summary");
    assert!(
        summary.contains(&format!("lines={TOTAL} entries={TOTAL} kept={}", expected.len())),
        "{}",
        report(&format!("the rules saw a line twice or lost one: {summary}"), &out, &err)
    );
    // Every kept line printed exactly once, whichever rules were in place.
    let mut printed = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with("summary ") && !l.starts_with("host read")) {
        let i = line.rsplit(' ').next().and_then(|n| n.parse::<usize>().ok());
        printed.push(i.unwrap_or_else(|| panic!("not a kept line: {line}")));
    }
    assert_eq!(printed.len(), expected.len(), "{}", report("lines printed twice or lost", &out, &err));
    assert_eq!(printed.iter().copied().collect::<BTreeSet<_>>(), expected);
    // The new rules were in place as the lines came.
    let tags: BTreeSet<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(tags.contains("!") && tags.contains("r10") && tags.contains("r21"), "{tags:?}");
}

/// A private function added to a module of a Rust host crate, and then
/// changed, is none of the host's business: both saves are reloaded live,
/// the host keeps running (no "restart to rebuild the host"), and the new
/// rule filters the lines that come after it. The helper goes before the
/// `pub fn`, which moves it in the module's table: the host finds its
/// functions by fingerprint, not by position.
#[test]
fn a_private_function_added_to_a_host_crates_module_is_reloaded_live() {
    const FIRST: usize = 20;
    const TOTAL: usize = 120;
    let dir = tempfile::tempdir().expect("tempdir");
    let tool = dir.path().join("live-tool");
    let filter = copy_example_to_edit(
        "live-tool",
        &tool,
        "live-tool-private",
        "src/rules/filter.ae",
        "pub fn keep(e: parse.Entry) -> bool {\n    e.level == \"ERROR\" || e.level == \"WARN\" || e.ms >= SLOW_MS\n}",
    );
    let log = dir.path().join("app.log");
    let mut file = std::fs::File::create(&log).expect("log");
    let mut written = 0;
    let mut append = |n: usize| {
        for _ in 0..n {
            file.write_all(log_line(written).0.as_bytes()).expect("append");
            written += 1;
        }
        file.flush().expect("flush");
    };
    append(FIRST);
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &tool);
    command.arg("--").arg(&log).args(["--follow", "--stop-after", &TOTAL.to_string()]);
    let (_child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    // Line 16 is the last of the first twenty the example's rule keeps (a WARN).
    let read = out.wait_for(0, FIRST_BUILD, |l| l.ends_with("line 16").then_some(()));
    assert!(read.is_some(), "{}", report("the tool does not read", &out, &err));

    let keep =
        "pub fn keep(e: parse.Entry) -> bool {\n    e.level == \"ERROR\" || e.level == \"WARN\" || e.ms >= SLOW_MS\n}";
    let loud = "fn loud(level: str) -> bool {\n    level == \"ERROR\"\n}\n\npub fn keep(e: parse.Entry) -> bool {\n    loud(e.level)\n}";
    let changed = "fn loud(level: str, also: str) -> bool {\n    level == \"ERROR\" || level == also\n}\n\n\
                   pub fn keep(e: parse.Entry) -> bool {\n    loud(e.level, \"FATAL\")\n}";
    for (n, text) in [(1, loud), (2, changed)] {
        save(&tool, "src/rules/filter.ae", &filter.replace(keep, text));
        let reloaded = err.wait_for(0, EDIT, |_| {
            let n_reloads = err.text().lines().filter(|l| l.contains("reloaded") && l.contains("filter.ae")).count();
            (n_reloads >= n).then_some(())
        });
        assert!(reloaded.is_some(), "{}", report(&format!("save {n} was not reloaded"), &out, &err));
    }
    append(TOTAL - FIRST);
    let done = out.wait_for(0, EDIT, |l| (l == format!("host read {TOTAL} lines")).then_some(()));
    assert!(done.is_some(), "{}", report("the tool did not read every line", &out, &err));
    assert!(!err.text().contains("restart"), "{}", report("the host was asked to restart", &out, &err));
    // What came after the saves went through the new rule: errors only.
    let after: Vec<String> = out
        .text()
        .lines()
        .filter(|l| l.rsplit(' ').next().and_then(|n| n.parse::<usize>().ok()).is_some_and(|i| i >= FIRST))
        .map(str::to_string)
        .collect();
    assert!(!after.is_empty(), "{}", report("no line after the saves", &out, &err));
    assert!(after.iter().all(|l| l.contains(" ERROR ")), "{}", report("the new rule was not applied", &out, &err));
}

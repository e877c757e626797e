//! Issue 12, the supervisor's side: every failure is recoverable by the next
//! save, and every outcome of a save is seen. Each test runs the real
//! `cargo-aether aether run --hmr` (or `aether run`) and edits the program
//! while it runs, the way the finding describes.
//!
//! Waits are generous (a cold first build compiles the runtime); nothing is
//! asserted about time.
#![cfg(unix)]

use aether_test_support::{hmr_target_dir, run_hmr, save, spawn_followed, KillOnDrop, Lines};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIRST_BUILD: Duration = Duration::from_secs(600);
const EDIT: Duration = Duration::from_secs(120);

/// A program of two modules: `main` prints `fmt.line(count)` every 50 ms,
/// `count` in `state`.
fn counter_program(dir: &Path, word: &str) -> PathBuf {
    let program = dir.join("counter");
    std::fs::create_dir_all(&program).expect("mkdir");
    save(
        &program,
        "main.ae",
        "import fmt\n\nstate count: int = 0\n\nfn main() {\n    loop {\n        count += 1\n        \
         println(fmt.line(count))\n        sleep_ms(50)\n    }\n}\n",
    );
    save(&program, "fmt.ae", &fmt_says(word));
    program
}

fn fmt_says(word: &str) -> String {
    format!("pub fn line(n: int) -> str {{\n    \"{word} {{n}}\"\n}}\n")
}

fn start(program: &Path, env: &[(&str, &std::ffi::OsStr)]) -> (KillOnDrop, Lines, Lines) {
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), program);
    command.env("AETHER_CACHE_DIR", program.with_file_name("cache")).envs(env.iter().copied());
    spawn_followed(&mut command).expect("cargo-aether starts")
}

/// Waits for a stdout line `WORD N`.
fn wait_word(out: &Lines, from: usize, word: &str, timeout: Duration) -> Option<usize> {
    let prefix = format!("{word} ");
    out.wait_for(from, timeout, |l| l.strip_prefix(&prefix)?.trim().parse::<u64>().ok()).map(|(i, _, _)| i)
}

fn report(what: &str, out: &Lines, err: &Lines) -> String {
    format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(20), err.text())
}

/// Finding 2: a reload the host refuses (here: a new state's initializer
/// fails) must leave the supervisor's idea of what runs unchanged, so the
/// next save rebuilds everything the fix needs and is applied.
#[test]
fn a_refused_reload_does_not_block_the_saves_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    let (mut child, out, err) = start(&program, &[]);
    assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));

    // A new state (in fmt's interface, so main.ae is rebuilt with it) whose
    // initializer fails: the host refuses the pair.
    let from = err.len();
    save(
        &program,
        "fmt.ae",
        "pub state combo: int = explode()\n\nfn explode() -> int {\n    panic(\"no combo\")\n}\n\n\
         pub fn line(n: int) -> str {\n    \"tick {n}\"\n}\n",
    );
    let refused = err.wait_for(from, EDIT, |l| l.contains("refused").then_some(()));
    assert!(refused.is_some(), "{}", report("the failing initializer was not refused", &out, &err));

    // The fix: a literal initializer, nothing else changed from the refused
    // version. Applied (the supervisor rebuilds main.ae with it: the host
    // still runs the main.ae built before `combo`).
    let from_err = err.len();
    let fixed_fmt = |word: &str| {
        format!(
            "pub state combo: int = 7\n\nfn explode() -> int {{\n    panic(\"no combo\")\n}}\n\n\
             pub fn line(n: int) -> str {{\n    \"{word} {{n}} {{combo}}\"\n}}\n"
        )
    };
    save(&program, "fmt.ae", &fixed_fmt("tick").replace(" {combo}", ""));
    let applied = err.wait_for(from_err, EDIT, |l| {
        (l.contains("refused") || l.contains("[aether] reloaded")).then(|| l.to_string())
    });
    let applied = applied.map(|(_, _, l)| l).unwrap_or_default();
    assert!(
        applied.contains("[aether] reloaded"),
        "{}",
        report("the save after a refused reload was not applied", &out, &err)
    );

    // And an edit after that applies too, reading the new state.
    let from_out = out.len();
    save(&program, "fmt.ae", &fixed_fmt("tock"));
    let tock = out.wait_for(from_out, EDIT, |l| (l.starts_with("tock ") && l.ends_with(" 7")).then_some(()));
    assert!(tock.is_some(), "{}", report("a later edit was not applied", &out, &err));
    assert_eq!(child.0.try_wait().ok().flatten(), None, "{}", report("the program ended", &out, &err));
}

/// Finding 9: a program printing all the time (stdout and stderr on one
/// terminal, here one file) must never split an `[aether]` line.
#[test]
fn reload_lines_are_never_split_by_the_programs_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = dir.path().join("chatty");
    std::fs::create_dir_all(&program).expect("mkdir");
    save(
        &program,
        "main.ae",
        "import fmt\nimport fixed\n\nstate count: int = 0\n\nfn main() {\n    loop {\n        count += 1\n        \
         println(fmt.line(count + fixed.zero()))\n    }\n}\n",
    );
    save(&program, "fmt.ae", &fmt_says("v0"));
    let fixed = |n: u32| format!("@no_hmr\n\npub fn zero() -> int {{\n    {n} - {n}\n}}\n");
    save(&program, "fixed.ae", &fixed(0));
    let log = dir.path().join("terminal.txt");
    let terminal = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("terminal file");
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &program);
    command
        .env("AETHER_CACHE_DIR", dir.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(terminal.try_clone().expect("dup"))
        .stderr(terminal);
    let _child = KillOnDrop::spawn(&mut command).expect("cargo-aether starts");
    // The program writes megabytes: read what is new each time.
    let seen = std::cell::RefCell::new((0u64, String::new()));
    let read = || {
        use std::io::{Read, Seek, SeekFrom};
        let mut seen = seen.borrow_mut();
        if let Ok(mut file) = std::fs::File::open(&log) {
            let mut bytes = Vec::new();
            let _ = file.seek(SeekFrom::Start(seen.0)).and_then(|_| file.read_to_end(&mut bytes));
            seen.0 += bytes.len() as u64;
            seen.1.push_str(&String::from_utf8_lossy(&bytes));
        }
    };
    let wait_until = |done: &dyn Fn(&str) -> bool, timeout: Duration| {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            read();
            if done(&seen.borrow().1) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    let wait = |needle: &str, timeout: Duration| wait_until(&|text: &str| text.contains(needle), timeout);
    assert!(wait("\nv0 ", FIRST_BUILD), "never ran:\n{}", tail(&seen.borrow().1));
    for edit in 1..=6 {
        save(&program, "fmt.ae", &fmt_says(&format!("v{edit}")));
        let word = format!("\nv{edit} ");
        assert!(wait(&word, EDIT), "edit {edit} never ran:\n{}", tail(&seen.borrow().1));
        // A change the supervisor refuses (a module excluded from reloading)
        // while the program prints.
        // while the program prints, then undone.
        save(&program, "fixed.ae", &fixed(edit));
        let refusals = |n: usize| move |text: &str| text.matches("excluded from hot reloading").count() >= n;
        assert!(wait_until(&refusals(edit as usize), EDIT), "no refusal:\n{}", tail(&seen.borrow().1));
        save(&program, "fixed.ae", &fixed(0));
        let undone = |n: usize| move |text: &str| text.matches("nothing to reload").count() >= n;
        assert!(wait_until(&undone(edit as usize), EDIT), "not undone:\n{}", tail(&seen.borrow().1));
    }
    std::thread::sleep(Duration::from_millis(500));
    read();
    let text = seen.borrow().1.clone();
    let reloads: Vec<&str> = text.lines().filter(|l| l.contains("[aether] reloaded")).collect();
    assert!(reloads.len() >= 6, "every edit prints its reload line:\n{reloads:#?}");
    let refusals: Vec<&str> = text.lines().filter(|l| l.contains("excluded from hot reloading")).collect();
    assert!(!refusals.is_empty(), "the refusals are printed");
    for line in refusals {
        let whole =
            line.starts_with("  /") && line.contains("fixed.ae: excluded") && line.ends_with("to use the change");
        assert!(whole, "a refusal line was split by the program's output: {line:?}");
    }
    for line in reloads {
        let whole = line.starts_with("[aether] reloaded ")
            && line.contains("fmt.ae in ")
            && line.ends_with(')')
            && line.contains(" ms (");
        assert!(whole, "a reload line was split by the program's output: {line:?}");
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Finding 8a: `AETHER_HMR_LOG=PATH` (and `--hmr-log PATH`) sends every
/// `[aether]` message, the supervisor's and the program's, to a file.
#[test]
fn hmr_messages_go_to_the_log_file_when_asked() {
    for flag in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let program = counter_program(dir.path(), "tick");
        let log = dir.path().join("hmr.log");
        let (_child, out, err) = if flag {
            let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &program);
            command.arg("--hmr-log").arg(&log).env("AETHER_CACHE_DIR", dir.path().join("cache"));
            spawn_followed(&mut command).expect("cargo-aether starts")
        } else {
            start(&program, &[("AETHER_HMR_LOG", log.as_os_str())])
        };
        assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));
        let from = out.len();
        save(&program, "fmt.ae", &fmt_says("tock"));
        assert!(wait_word(&out, from, "tock", EDIT).is_some(), "{}", report("not reloaded", &out, &err));
        // A type error: the diagnostic goes to the log too.
        save(&program, "fmt.ae", "pub fn line(n: int) -> str {\n    n\n}\n");
        let logged = |needle: &str| {
            let deadline = Instant::now() + EDIT;
            while Instant::now() < deadline {
                if std::fs::read_to_string(&log).unwrap_or_default().contains(needle) {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            false
        };
        let text = || std::fs::read_to_string(&log).unwrap_or_default();
        assert!(logged("fmt.ae in "), "flag {flag}: the reload line in the log:\n{}", text());
        assert!(logged("not reloaded"), "flag {flag}: the failed save in the log:\n{}", text());
        assert!(text().contains("fmt.ae:2:"), "flag {flag}: the diagnostic in the log:\n{}", text());
        let shown = err.text();
        assert!(!shown.contains("[aether] reloaded"), "flag {flag}: the terminal stays clean:\n{shown}");
        assert!(!shown.contains("not reloaded"), "flag {flag}: the terminal stays clean:\n{shown}");
    }
}

/// The hot-restart line counts what happened to the state: here every value
/// was carried over as it was.
#[test]
fn a_hot_restart_counts_the_state_it_carried_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    let (_child, out, err) = start(&program, &[("AETHER_HMR_RESTART", "auto".as_ref())]);
    assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));
    let from = err.len();
    save(&program, "extra.ae", "pub fn word() -> str {\n    \"fresh\"\n}\n");
    save(&program, "fmt.ae", "import extra\n\npub fn line(n: int) -> str {\n    \"{extra.word()} {n}\"\n}\n");
    let line =
        err.wait_for(from, FIRST_BUILD, |l| l.contains("hot restart: state carried over").then(|| l.to_string()));
    let Some((_, _, line)) = line else { panic!("{}", report("no hot restart line", &out, &err)) };
    assert!(line.contains("kept: 1"), "{}", report(&format!("the kept value is counted: {line}"), &out, &err));
}

/// `aether run --hmr` (not `cargo aether`): a change that needs a restart
/// names the command the user ran.
#[test]
fn a_refusal_names_the_command_that_was_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    save(&program, "fmt.ae", &format!("@no_hmr\n\n{}", fmt_says("tick")));
    let aether = Path::new(env!("CARGO_BIN_EXE_cargo-aether")).with_file_name("aether");
    let mut command = Command::new(aether);
    command
        .args(["run", "--hmr"])
        .arg(&program)
        .env("CARGO_TARGET_DIR", hmr_target_dir())
        .env("AETHER_CACHE_DIR", dir.path().join("cache"));
    let (_child, out, err) = spawn_followed(&mut command).expect("aether starts");
    assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));
    let from = err.len();
    save(&program, "fmt.ae", &format!("@no_hmr\n\n{}", fmt_says("tock")));
    let refusal = err.wait_for(from, EDIT, |l| l.contains("restart").then(|| l.to_string()));
    assert!(refusal.is_some(), "{}", report("no refusal", &out, &err));
    let text = err.text_from(from);
    assert!(text.contains("`aether run --hmr"), "{}", report("the refusal names `aether run --hmr`", &out, &err));
    assert!(!text.contains("cargo aether"), "{}", report("the refusal names another command", &out, &err));
}

/// `tick N ... | STATUS` lines of the game template under `--hmr`.
fn game_tick(line: &str) -> Option<(u64, String)> {
    let rest = line.strip_prefix("tick ")?;
    let (n, rest) = rest.trim_start().split_once(' ')?;
    let status = rest.split_once(" | ").map(|(_, s)| s.to_string())?;
    Some((n.parse().ok()?, status))
}

/// Finding 8b and the template: `aether new --template game` says how to
/// run it with `--hmr`; under `--hmr` it runs past its 20 ticks until
/// stopped, and each line shows `hmr_status()`: a failed save with the
/// first diagnostic's file:line, then the reload that fixed it.
#[test]
fn the_game_template_runs_until_stopped_and_shows_how_the_last_save_went() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = aether_test_support::Run::of(
        Command::new(env!("CARGO_BIN_EXE_cargo-aether"))
            .args(["aether", "new", "game", "--template", "game"])
            .current_dir(dir.path()),
    );
    assert!(created.ok(), "{created:?}");
    assert!(created.stderr.contains("cargo aether run --hmr"), "`new` tells how to run it live: {created:?}");
    let game = dir.path().join("game");
    let (child, out, err) = start(&game, &[]);
    let past = out.wait_for(0, FIRST_BUILD, |l| game_tick(l).filter(|(n, _)| *n > 25));
    let Some((at, _, (_, status))) = past else { panic!("{}", report("the game stopped at 20 ticks", &out, &err)) };
    assert!(status.contains("hot reloading on"), "{}", report(&format!("status before a save: {status}"), &out, &err));

    let world = std::fs::read_to_string(game.join("src/world.ae")).expect("world.ae");
    let broken = world.replacen("    ticks += 1\n", "    ticks += \"one\"\n", 1);
    assert_ne!(broken, world, "world.ae changed: update this test");
    save(&game.join("src"), "world.ae", &broken);
    let shown = out.wait_for(at, EDIT, |l| game_tick(l).filter(|(_, s)| s.starts_with("not reloaded")));
    let Some((at, _, (_, status))) = shown else {
        panic!("{}", report("the failed save is not on screen", &out, &err))
    };
    assert!(
        status.contains("world.ae:30:"),
        "{}",
        report(&format!("the first error's file:line: {status}"), &out, &err)
    );

    save(&game.join("src"), "world.ae", &world.replacen("    ticks += 1\n", "    ticks += 2\n", 1));
    let fixed = out.wait_for(at, EDIT, |l| game_tick(l).filter(|(_, s)| s.starts_with("reloaded")));
    assert!(fixed.is_some(), "{}", report("the fixing reload is not on screen", &out, &err));
    drop(child);
}

/// Finding 8c: on a terminal, the last outcome stays in the terminal's
/// title, which a full-screen program's redraw does not erase (`script`
/// gives the run a terminal and records what it wrote).
#[test]
fn on_a_terminal_the_last_failure_stays_in_the_title() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    let typescript = dir.path().join("typescript");
    let cmd = format!(
        "CARGO_TARGET_DIR='{}' AETHER_CACHE_DIR='{}' '{}' aether run --hmr '{}'",
        hmr_target_dir().display(),
        dir.path().join("cache").display(),
        env!("CARGO_BIN_EXE_cargo-aether"),
        program.display()
    );
    let mut script = Command::new("script");
    script.args(["-qfc", &cmd]).arg(&typescript).stdout(Stdio::null());
    let _child = KillOnDrop::spawn(script.stdin(Stdio::piped())).expect("script runs");
    let read = || String::from_utf8_lossy(&std::fs::read(&typescript).unwrap_or_default()).into_owned();
    let wait = |needle: &str, timeout: Duration| {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if read().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    assert!(wait("tick 3", FIRST_BUILD), "never ran:\n{}", tail(&read()));
    save(&program, "fmt.ae", "pub fn line(n: int) -> str {\n    n\n}\n");
    assert!(wait("\u{1b}]2;aether: not reloaded: ", EDIT), "no title for the failed save:\n{}", tail(&read()));
    assert!(read().contains("fmt.ae:2:5"), "the title names the error's place:\n{}", tail(&read()));
}

/// Also: a save in steps is one save. Two files saved 100 ms apart (the
/// first alone does not check) and a file written in place slowly (empty,
/// then half, then whole) print no errors for the states in between.
#[test]
fn a_save_in_steps_prints_no_errors_for_its_half_saved_states() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    let (_child, out, err) = start(&program, &[]);
    assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));

    // main.ae first (calling a signature fmt.ae does not have yet), then fmt.ae.
    let (from_out, from_err) = (out.len(), err.len());
    let main = std::fs::read_to_string(program.join("main.ae")).expect("main.ae");
    save(&program, "main.ae", &main.replace("fmt.line(count)", "fmt.line(count, \"tock\")"));
    std::thread::sleep(Duration::from_millis(100));
    save(&program, "fmt.ae", "pub fn line(n: int, word: str) -> str {\n    \"{word} {n}\"\n}\n");
    assert!(wait_word(&out, from_out, "tock", EDIT).is_some(), "{}", report("the pair was not applied", &out, &err));
    let printed = err.text_from(from_err);
    assert!(!printed.contains("error"), "{}", report("errors for the half-saved pair", &out, &err));

    // fmt.ae written in place: emptied, a half, then the rest.
    let (from_out, from_err) = (out.len(), err.len());
    let whole = "pub fn line(n: int, word: str) -> str {\n    \"tack {n}\"\n}\n";
    let path = program.join("fmt.ae");
    std::fs::write(&path, "").expect("truncate");
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&path, &whole[..30]).expect("half");
    std::thread::sleep(Duration::from_millis(150));
    std::fs::write(&path, whole).expect("whole");
    assert!(
        wait_word(&out, from_out, "tack", EDIT).is_some(),
        "{}",
        report("the slow save was not applied", &out, &err)
    );
    let printed = err.text_from(from_err);
    assert!(!printed.contains("error") && !printed.contains("empty"), "{}", report("transient errors", &out, &err));
}

/// Also: retyping a field of a struct held in a list of 10 prints one
/// warning for the field, not one per element.
#[test]
fn a_retyped_field_in_a_list_warns_once_with_a_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = counter_program(dir.path(), "tick");
    let foes = |ty: &str, value: &str, word: &str| {
        format!(
            "struct Foe {{\n    hp: {ty}\n}}\n\nstate foes: [Foe] = make()\n\nfn make() -> [Foe] {{\n    var out: [Foe] = []\n    \
             for _ in 0..10 {{\n        out.push(Foe {{ hp: {value} }})\n    }}\n    out\n}}\n\n\
             pub fn line(n: int) -> str {{\n    \"{word} {{n + foes.len() - 10}}\"\n}}\n"
        )
    };
    save(&program, "fmt.ae", &foes("str", "\"full\"", "tick"));
    let (_child, out, err) = start(&program, &[]);
    assert!(wait_word(&out, 0, "tick", FIRST_BUILD).is_some(), "{}", report("never ran", &out, &err));
    let from = err.len();
    save(&program, "fmt.ae", &foes("int", "3", "tock"));
    let reloaded = err.wait_for(from, EDIT, |l| l.contains("[aether] reloaded").then_some(()));
    assert!(reloaded.is_some(), "{}", report("not reloaded", &out, &err));
    let warnings: Vec<String> = err.lines_from(from).into_iter().filter(|l| l.contains("hp`")).collect();
    assert_eq!(warnings.len(), 1, "{}", report(&format!("one warning for the field: {warnings:#?}"), &out, &err));
    assert!(warnings[0].contains("in 10 values"), "{}", report("the warning counts the values", &out, &err));
}

/// Finding 6: in a Rust host crate, adding a private `state` and then
/// changing its type apply live (state is the runtime's; the host compiles
/// no state layout), with the other state kept.
#[test]
fn a_rust_hosts_private_state_is_added_and_retyped_live() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = dir.path().join("host");
    let fixture = aether_test_support::repo_root().join("tests/hmr-fixtures/rust-host");
    aether_test_support::copy_host_package(&fixture, &host, "hmr-visible-rust-host").expect("copy");
    std::fs::copy(aether_test_support::repo_root().join("Cargo.lock"), host.join("Cargo.lock")).expect("lock");
    let (child, out, err) = start(&host, &[]);
    // `WORD N noted 10 work W`: N counts frames in Aether state.
    let frame = |word: &'static str| {
        move |l: &str| -> Option<u64> { l.strip_prefix(word)?.strip_prefix(' ')?.split(' ').next()?.parse().ok() }
    };
    let first = out.wait_for(0, FIRST_BUILD, |l| frame("tick")(l).filter(|n| *n >= 3));
    let Some((at, _, n0)) = first else { panic!("{}", report("the host never ran", &out, &err)) };

    let logic = host.join("src/logic");
    let game = std::fs::read_to_string(logic.join("game.ae")).expect("game.ae");
    let with = |decl: &str, word: &str| {
        game.replace("state work_done: int = 0\n", &format!("state work_done: int = 0\n{decl}\n"))
            .replace("fmt.show(\"tick\"", &format!("fmt.show(\"{word}\""))
    };
    let from_err = err.len();
    save(&logic, "game.ae", &with("state combo: int = 7", "tock{combo}"));
    let added = out.wait_for(at, EDIT, frame("tock7"));
    let Some((at, _, n1)) = added else { panic!("{}", report("adding a private state was not applied", &out, &err)) };
    assert!(n1 > n0, "{}", report("the frame count was reset", &out, &err));

    save(&logic, "game.ae", &with("state combo: str = \"x\"", "tock{combo}"));
    let retyped = out.wait_for(at, EDIT, frame("tockx"));
    let Some((_, _, n2)) = retyped else {
        panic!("{}", report("retyping a private state was not applied", &out, &err))
    };
    assert!(n2 > n1, "{}", report("the frame count was reset", &out, &err));
    let said = err.text_from(from_err);
    assert!(!said.contains("restart"), "{}", report("a private state asked for a restart", &out, &err));
    drop(child);
}

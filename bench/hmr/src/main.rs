//! `cargo run --release --manifest-path bench/hmr/Cargo.toml -- [--reloads N] [--edits N] [--calls-only]
//! [--only reload|fanout|first-start|calls] [--opt-level N] [--reload-release] [--keep]`
//!
//! Measures hot reloading with the real CLI (`target/release/cargo-aether
//! aether run --hmr`) on a generated program in a temporary directory, with
//! its own `AETHER_CACHE_DIR` and `CARGO_TARGET_DIR` there, so nothing is
//! shared with the user's caches:
//!
//! 1. reload latency of one-line edits in a ~300-line module, from the file
//!    write to the first line printed by the new code, next to the floor
//!    (`cargo build` of a hand-written cdylib after the same change, built
//!    right after each reload, so both see the machine's speed of the same
//!    minute) and a full stop-rebuild-restart of the static program, with
//!    the reload's own breakdown (`run --hmr --timings`); the floor crate uses the
//!    generated workspace's profile (`debug = 0`, `panic = "unwind"`);
//! 2. fan-out (`fanout.rs`): a constant's value, and an interface, edited in
//!    a module that N = 1, 4, 16 others import;
//! 3. the first `--hmr` start of `examples/arcade` in a fresh directory
//!    against its first static build (`first_start.rs`);
//! 4. call overhead: `bench/programs/fib.ae` (call-heavy), `nbody.ae`
//!    (loop-heavy) and `particles.ae` (a loop over a `state` list) under
//!    --hmr and statically, debug and release;
//! 5. the host's resident memory after 1 and after many reloads.
//!
//! `--opt-level N` builds the debug profile at that opt-level (cargo's
//! `CARGO_PROFILE_DEV_OPT_LEVEL`, for the generated workspaces only), and
//! `--reload-release` times reloads of `run --hmr --release`: the trade-off
//! between reload latency and run speed behind `--hmr`'s default profile
//! (docs/performance.md).
//!
//! Prints Markdown tables for docs/performance.md.

mod fanout;
mod first_start;

use aether_test_support::{cargo, hmr_host_pid, replace_file, repo_root, spawn_followed, vm_rss, KillOnDrop};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `aether_rt::hmr::tunables::TUNABLES_ENV` (the bench does not link the runtime).
const TUNABLES_ENV: &str = "AETHER_HMR_TUNABLES";

/// Top-level functions in the generated module besides `version` and `report`.
const FUNCTIONS: usize = 28;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let edits = flag("--edits", 20).max(1);
    let reloads = flag("--reloads", 200).max(edits);
    let repo = repo_root().canonicalize().expect("repo root");
    let work = std::env::temp_dir().join(format!("aether-bench-hmr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(String::as_str);
    let only = if args.iter().any(|a| a == "--calls-only") { Some("calls") } else { only };
    let options = Options {
        opt_level: args.iter().position(|a| a == "--opt-level").and_then(|i| args.get(i + 1)).cloned(),
        reload_release: args.iter().any(|a| a == "--reload-release"),
    };
    let result = run(&repo, &work, edits, reloads, only, &options);
    // `--keep` leaves the generated programs and their target dirs, to
    // replay one crate's rustc by hand (docs/performance.md).
    if args.iter().any(|a| a == "--keep") {
        eprintln!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// How the generated programs are built (see the file's docs).
struct Options {
    opt_level: Option<String>,
    reload_release: bool,
}

fn run(
    repo: &Path,
    work: &Path,
    edits: usize,
    reloads: usize,
    only: Option<&str>,
    options: &Options,
) -> Result<(), String> {
    eprintln!("building cargo-aether (release)...");
    let status = cargo()
        .args(["build", "--release", "-p", "cargo-aether"])
        .current_dir(repo)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building cargo-aether failed".into());
    }
    let tool = Tool {
        exe: repo.join("target/release/cargo-aether"),
        cache: work.join("cache"),
        target: work.join("target"),
        opt_level: options.opt_level.clone(),
        reload_release: options.reload_release,
    };
    let date = Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]).output().map(|o| o.stdout).unwrap_or_default();
    println!("Measured {}, machine: {}\n", String::from_utf8_lossy(&date).trim(), machine());
    if let Some(level) = &tool.opt_level {
        println!("Debug profile at opt-level {level} (`--opt-level {level}`).\n");
    }
    if tool.reload_release {
        println!("Reloads of `run --hmr --release` (`--reload-release`).\n");
    }
    let wanted = |part: &str| only.is_none_or(|o| o == part);
    if wanted("reload") {
        reload_part(&tool, work, edits, reloads)?;
    }
    if wanted("fanout") {
        fanout::run(&tool, work, edits.min(10))?;
    }
    if wanted("first-start") {
        first_start::run(&tool, repo, work)?;
    }
    if wanted("calls") {
        call_overhead(&tool, repo, work)?;
    }
    Ok(())
}

fn reload_part(tool: &Tool, work: &Path, edits: usize, reloads: usize) -> Result<(), String> {
    // The floor crate is built after each timed reload, in the same minute:
    // this machine's speed drifts by a fifth between minutes, more than the
    // difference measured.
    let floor = Floor::prepare(work, "floor", Edit::SameLines)?;
    let moving_floor = Floor::prepare(work, "floor-lines", Edit::MovesLines)?;
    let reload = reload_latency(tool, work, edits, reloads, Builder::Replay, Edit::SameLines, &floor)?;
    // With `wild` installed, reloads link with it: the same edits linked by
    // rust-lld, for the difference.
    let by_rust_lld = match wild_installed() {
        true => Some(reload_latency(tool, work, edits, edits, Builder::ReplayWithRustLld, Edit::SameLines, &floor)?),
        false => None,
    };
    let by_cargo = reload_latency(tool, work, edits, edits, Builder::Cargo, Edit::SameLines, &floor)?;
    let moving = reload_latency(tool, work, edits, edits, Builder::Replay, Edit::MovesLines, &moving_floor)?;
    let restart = full_restart(tool, work, 5)?;
    let (rl, rp) = median_p95(&reload.latency);
    let (hl, hp) = median_p95(&reload.reported);
    let (cl, cp) = median_p95(&by_cargo.latency);
    let (ml, mp) = median_p95(&moving.latency);
    let (fl, fp) = median_p95(&reload.floor);
    let (mfl, mfp) = median_p95(&moving.floor);
    let (sl, sp) = median_p95(&restart);
    println!("| one-line edit of a {}-line module, {} edits | median | p95 |", reload.module_lines, edits);
    println!("|---|---:|---:|");
    println!("| `run --hmr`: file write → first line of the new code | {rl} ms | {rp} ms |");
    println!("| the same, as the `[aether] reloaded ... in N ms` line says | {hl} ms | {hp} ms |");
    let linker = if by_rust_lld.is_some() { "`wild`" } else { "rust-lld (`wild` is not installed)" };
    println!("| linked by | {linker} | |");
    if let Some(lld) = &by_rust_lld {
        let (ll, lp) = median_p95(&lld.latency);
        println!("| the same linked by rust-lld (`AETHER_HMR_WILD=0`) | {ll} ms | {lp} ms |");
    }
    println!("| the same with cargo on every reload (`AETHER_HMR_REPLAY=0`) | {cl} ms | {cp} ms |");
    println!(
        "| floor: `cargo build` of the hand-written cdylib, same profile, after each reload above | {fl} ms | {fp} ms |"
    );
    println!("| stop, `cargo aether build`, restart → first line ({} runs) | {sl} ms | {sp} ms |", restart.len());
    println!("| the edit also adds or removes a line above every other function: `run --hmr` | {ml} ms | {mp} ms |");
    println!("| the same edit, floor (after each of those reloads) | {mfl} ms | {mfp} ms |");
    println!();
    println!(
        "reload / floor: median **{:.2}x**, p95 {:.2}x (target: 1.0x); with the moved lines: median {:.2}x, p95 {:.2}x\n",
        rl as f64 / fl.max(1) as f64,
        rp as f64 / fp.max(1) as f64,
        ml as f64 / mfl.max(1) as f64,
        mp as f64 / mfp.max(1) as f64
    );
    if let Some(lld) = &by_rust_lld {
        println!("linked by rust-lld: reload / floor {}\n", lld.against_floor());
    }
    println!("with cargo on every reload: reload / floor {}\n", by_cargo.against_floor());
    print_steps("the edit", &reload.steps);
    if let Some(lld) = &by_rust_lld {
        print_steps("the edit linked by rust-lld", &lld.steps);
    }
    print_steps("the edit with cargo", &by_cargo.steps);
    print_steps("the edit moving lines", &moving.steps);

    println!("| host resident memory (VmRSS) | kB |");
    println!("|---|---:|");
    for (n, kb) in &reload.rss {
        println!("| after {n} reload{} | {kb} |", if *n == 1 { "" } else { "s" });
    }
    println!();
    Ok(())
}

/// The medians of `--timings`' steps over the timed edits.
fn print_steps(what: &str, steps: &[Steps]) {
    if steps.is_empty() {
        return;
    }
    let med = |f: fn(&Steps) -> f64| {
        let mut v: Vec<f64> = steps.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("| one reload, {what}, `--timings` (median of {}) | ms |", steps.len());
    println!("|---|---:|");
    println!("| watch (debounce + notification) | {:.0} |", med(|s| s.watch));
    println!("| check | {:.1} |", med(|s| s.check));
    println!("| generate | {:.1} |", med(|s| s.generate));
    let linked = steps[0].linker.as_ref().map(|l| format!(", linked by {l}")).unwrap_or_default();
    println!("| build ({}{linked}) | {:.0} |", steps[0].builder, med(|s| s.build));
    println!("| load + swap | {:.0} |", med(|s| s.swap));
    println!();
}

/// One `[aether] timings:` line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Steps {
    watch: f64,
    check: f64,
    generate: f64,
    build: f64,
    builder: String,
    /// `1 crate`, `5 crates`: how many the build built.
    crates: Option<String>,
    /// What linked a replay's libraries (`wild`, `rust-lld`, ...).
    linker: Option<String>,
    swap: f64,
}

/// `[aether] timings: watch 21 ms, check 3.4 ms, generate 1.2 ms, build 120 ms (cargo, 1 crate), load + swap 9 ms, total 155 ms`
/// (a replay's build: `build 100 ms (rustc, 1 crate, linked by wild)`)
pub(crate) fn parse_steps(line: &str) -> Option<Steps> {
    let rest = line.strip_prefix("[aether] timings: ")?;
    let mut steps = Steps::default();
    for part in rest.split(", ") {
        let number = |prefix: &str| -> Option<f64> { part.strip_prefix(prefix)?.split(' ').next()?.parse().ok() };
        if let Some(v) = number("watch ") {
            steps.watch = v;
        } else if let Some(v) = number("check ") {
            steps.check = v;
        } else if let Some(v) = number("generate ") {
            steps.generate = v;
        } else if let Some(v) = number("load + swap ") {
            steps.swap = v;
        } else if let Some(v) = number("build ") {
            steps.build = v;
            steps.builder = part.split('(').nth(1).unwrap_or("none").trim_end_matches(')').to_string();
        } else if part.starts_with("build none") {
            steps.builder = "none".to_string();
        } else if part.trim_end_matches(')').ends_with(" crate") || part.trim_end_matches(')').ends_with(" crates") {
            // The crate count after the builder: `(cargo, 1 crate)` was split.
            steps.crates = Some(part.trim_end_matches(')').to_string());
        } else if let Some(linker) = part.strip_prefix("linked by ") {
            // After the count, for a replay: `(rustc, 1 crate, linked by wild)`.
            steps.linker = Some(linker.trim_end_matches(')').to_string());
        }
    }
    Some(steps)
}

pub(crate) struct Tool {
    exe: PathBuf,
    cache: PathBuf,
    target: PathBuf,
    /// The debug profile's opt-level, when not cargo's default (0).
    opt_level: Option<String>,
    /// Reloads are timed with `run --hmr --release`.
    reload_release: bool,
}

impl Tool {
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.arg("aether").args(args).env("AETHER_CACHE_DIR", &self.cache).env("CARGO_TARGET_DIR", &self.target);
        if let Some(level) = &self.opt_level {
            c.env("CARGO_PROFILE_DEV_OPT_LEVEL", level);
        }
        c
    }

    /// `cargo aether build [--release] PATH` → the executable it printed.
    pub(crate) fn build(&self, path: &Path, release: bool) -> Result<PathBuf, String> {
        let mut c = self.command(&["build"]);
        if release {
            c.arg("--release");
        }
        let out = c.arg(path).stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run cargo-aether: {e}"))?;
        if !out.status.success() {
            return Err(format!("cargo aether build {} failed", path.display()));
        }
        let printed = String::from_utf8_lossy(&out.stdout);
        Ok(PathBuf::from(printed.lines().last().unwrap_or("").trim()))
    }
}

// ---------------------------------------------------------------- reloads

struct Reloads {
    module_lines: usize,
    latency: Vec<u64>,
    reported: Vec<u64>,
    steps: Vec<Steps>,
    rss: Vec<(usize, u64)>,
    /// The floor crate's build after each timed reload, same edit.
    floor: Vec<u64>,
}

impl Reloads {
    /// The reloads' latency over the floor builds made between them:
    /// `median 0.95x, p95 0.90x`.
    fn against_floor(&self) -> String {
        let (rl, rp) = median_p95(&self.latency);
        let (fl, fp) = median_p95(&self.floor);
        format!("median {:.2}x, p95 {:.2}x", rl as f64 / fl.max(1) as f64, rp as f64 / fp.max(1) as f64)
    }
}

/// `replay`: rustc replayed for the changed crate (the default), or cargo
/// on every reload.
/// How a session's reloads build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Builder {
    /// rustc replayed, linked the fastest way there is.
    Replay,
    /// rustc replayed, linked by rust-lld even where `wild` is installed.
    ReplayWithRustLld,
    /// cargo on every reload.
    Cargo,
}

/// Whether `wild` is on the `PATH` (reloads then link with it).
fn wild_installed() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::var_os("AETHER_HMR_WILD").is_none_or(|v| v != "0")
        && std::env::split_paths(&path).any(|dir| dir.join("wild").is_file())
}

fn reload_latency(
    tool: &Tool,
    work: &Path,
    edits: usize,
    reloads: usize,
    builder: Builder,
    edit: Edit,
    floor: &Floor,
) -> Result<Reloads, String> {
    let program = work.join(match (builder, edit) {
        (Builder::Replay, Edit::SameLines) => "program",
        (Builder::Replay, Edit::MovesLines) => "program-lines",
        (Builder::ReplayWithRustLld, _) => "program-lld",
        (Builder::Cargo, _) => "program-cargo",
    });
    std::fs::create_dir_all(&program).map_err(|e| e.to_string())?;
    std::fs::write(program.join("main.ae"), MAIN_AE).map_err(|e| e.to_string())?;
    let module = module_ae(0, edit);
    let module_lines = module.lines().count();
    write_atomic(&program.join("mods.ae"), &module)?;

    eprintln!("starting `cargo aether run --hmr` (the first build compiles the runtime)...");
    let run: &[&str] =
        if tool.reload_release { &["run", "--hmr", "--release", "--timings"] } else { &["run", "--hmr", "--timings"] };
    let mut command = tool.command(run);
    command.arg(&program).env("AETHER_HMR_REPLAY", if builder == Builder::Cargo { "0" } else { "1" });
    if builder == Builder::ReplayWithRustLld {
        command.env("AETHER_HMR_WILD", "0");
    }
    let (child, out, err) = spawn_followed(&mut command).map_err(|e| format!("cannot run cargo-aether: {e}"))?;
    let fail = |what: &str| format!("{what}\n--- stderr (last lines)\n{}", err.tail(30));
    out.wait_for(0, Duration::from_secs(600), |l| l.starts_with("v0 ").then_some(()))
        .ok_or_else(|| fail("the program never printed its first line"))?;
    let host = hmr_host_pid(child.0.id()).ok_or_else(|| fail("cannot find the host process"))?;

    let mut result = Reloads {
        module_lines,
        latency: Vec::new(),
        reported: Vec::new(),
        steps: Vec::new(),
        rss: Vec::new(),
        floor: Vec::new(),
    };
    for i in 1..=reloads {
        let (from_out, from_err) = (out.len(), err.len());
        let saved = Instant::now();
        write_atomic(&program.join("mods.ae"), &module_ae(i, edit))?;
        let mark = format!("v{i} ");
        let (_, seen, ()) = out
            .wait_for(from_out, Duration::from_secs(120), |l| l.starts_with(&mark).then_some(()))
            .ok_or_else(|| fail(&format!("edit {i}: the new code never printed")))?;
        let reported = err
            .wait_for(from_err, Duration::from_secs(10), reported_ms)
            .ok_or_else(|| fail(&format!("edit {i}: no `[aether] reloaded` line")))?;
        let steps = err.wait_for(from_err, Duration::from_secs(10), parse_steps).map(|s| s.2);
        if i <= edits {
            result.latency.push(seen.duration_since(saved).as_millis() as u64);
            result.reported.push(reported.2);
            result.steps.extend(steps);
            result.floor.push(floor.build(i)?);
        }
        if [1, 10, 20, 50, 100, 200, 500, 1000].contains(&i) || i == reloads {
            std::thread::sleep(Duration::from_millis(300));
            let kb = vm_rss(host).ok_or_else(|| fail("cannot read the host's VmRSS"))?;
            if result.rss.last().map(|(n, _)| *n) != Some(i) {
                result.rss.push((i, kb));
            }
        }
        if i % 10 == 0 {
            eprintln!("{i} reloads done");
        }
    }
    Ok(result)
}

/// `[aether] reloaded mods.ae in 243 ms (...)` → 243
fn reported_ms(line: &str) -> Option<u64> {
    let rest = line.strip_prefix("[aether] reloaded ")?;
    rest.split(" in ").nth(1)?.split(' ').next()?.parse().ok()
}

const MAIN_AE: &str = "\
// The reload benchmark's program: calls the edited module every few ms.

import mods

state ticks: int = 0

fn main() {
    loop {
        ticks += 1
        println(mods.report(ticks))
        sleep_ms(5)
    }
}
";

/// What each timed edit does besides changing `version`'s string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// Nothing: every other line stays where it was.
    SameLines,
    /// Adds a comment line to `version` (odd versions) or removes it (even
    /// ones): every function below it moves by a line, as when a line is
    /// added or removed anywhere above them.
    MovesLines,
}

/// The line [`Edit::MovesLines`] adds to `version`'s body, in `comment`'s
/// syntax, or nothing.
fn moved_line(version: usize, edit: Edit, comment: &str) -> String {
    if edit == Edit::MovesLines && version % 2 == 1 {
        format!("    {comment} edit {version}\n")
    } else {
        String::new()
    }
}

/// The generated module: `FUNCTIONS` small functions over int, float, bool,
/// str and lists, `report` calling them all, and `version`, the line edits
/// change. Its first output word is `v<version>`.
fn module_ae(version: usize, edit: Edit) -> String {
    let mut s = String::from("// Generated by bench/hmr: the module the reload benchmark edits.\n\n");
    let moved = moved_line(version, edit, "//");
    s += &format!("pub fn version() -> str {{\n{moved}    \"v{version}\"\n}}\n\n");
    for i in 0..FUNCTIONS {
        s += &format!("/// f{i:02}: one of the functions `report` calls.\n");
        s += &match i % 4 {
            0 => format!(
                "fn f{i:02}(n: int) -> int {{\n    let a = n * {m} + {i}\n    let b = a % 7\n    if b > 3 {{\n        return a - b\n    }}\n    a + b\n}}\n\n",
                m = i + 2
            ),
            1 => format!(
                "fn f{i:02}(n: int) -> str {{\n    let t = \"f{i:02}:{{n}}\"\n    if n % 2 == 0 {{\n        return t + \"+\"\n    }}\n    t + \"-\"\n}}\n\n"
            ),
            2 => format!(
                "fn f{i:02}(xs: [int]) -> int {{\n    var total = 0\n    for x in xs {{\n        total += x * {i}\n    }}\n    total\n}}\n\n"
            ),
            _ => format!(
                "fn f{i:02}(x: float, on: bool) -> float {{\n    if on {{\n        return x * 1.5 + {i}.0\n    }}\n    x / 2.0\n}}\n\n"
            ),
        };
    }
    s += "pub fn report(n: int) -> str {\n    var total = 0\n    var text = \"\"\n    var x = 0.0\n";
    for i in 0..FUNCTIONS {
        s += &match i % 4 {
            0 => format!("    total += f{i:02}(n)\n"),
            1 => format!("    text = f{i:02}(n)\n"),
            2 => format!("    total += f{i:02}([n, {i}, 3])\n"),
            _ => format!("    x = f{i:02}(x, n % 2 == 0)\n"),
        };
    }
    s += "    \"{version()} {n} {total} {text} {x}\"\n}\n";
    s
}

// ------------------------------------------------------------ cargo floor

/// The hand-written cdylib with the same functions, built by `cargo build`
/// after the same one-line change as a reload's ([`Floor::build`]), with the
/// profile of the generated workspace (`codegen/hmr/crates.rs`): full debug
/// info would roughly double the floor and flatter the reload.
struct Floor {
    dir: PathBuf,
    target: PathBuf,
    edit: Edit,
}

impl Floor {
    /// The crate in `work/<name>`, built once (the warm-up).
    fn prepare(work: &Path, name: &str, edit: Edit) -> Result<Floor, String> {
        let dir = work.join(name);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"floor\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n[workspace]\n\n\
             [profile.dev]\ndebug = 0\npanic = \"unwind\"\n",
        )
        .map_err(|e| e.to_string())?;
        let floor = Floor { target: work.join(format!("{name}-target")), dir, edit };
        eprintln!("floor: first cargo build of the hand-written cdylib ({name})...");
        floor.build(0)?;
        Ok(floor)
    }

    /// Save `version` of the crate and time `cargo build`.
    fn build(&self, version: usize) -> Result<u64, String> {
        write_atomic(&self.dir.join("src/lib.rs"), &module_rs(version, self.edit))?;
        let start = Instant::now();
        let out = cargo()
            .args(["build", "--quiet"])
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let ms = start.elapsed().as_millis() as u64;
        if !out.status.success() {
            return Err(format!("the floor crate failed to build:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(ms)
    }
}

fn module_rs(version: usize, edit: Edit) -> String {
    let mut s = String::from("//! Hand-written equivalent of the benchmark's mods.ae.\n\n");
    let moved = moved_line(version, edit, "//");
    s += &format!("pub fn version() -> String {{\n{moved}    \"v{version}\".to_string()\n}}\n\n");
    for i in 0..FUNCTIONS {
        s += &format!("/// f{i:02}: one of the functions `report` calls.\n");
        s += &match i % 4 {
            0 => format!(
                "fn f{i:02}(n: i64) -> i64 {{\n    let a = n * {m} + {i};\n    let b = a % 7;\n    if b > 3 {{\n        return a - b;\n    }}\n    a + b\n}}\n\n",
                m = i + 2
            ),
            1 => format!(
                "fn f{i:02}(n: i64) -> String {{\n    let t = format!(\"f{i:02}:{{n}}\");\n    if n % 2 == 0 {{\n        return t + \"+\";\n    }}\n    t + \"-\"\n}}\n\n"
            ),
            2 => format!(
                "fn f{i:02}(xs: Vec<i64>) -> i64 {{\n    let mut total = 0;\n    for x in xs {{\n        total += x * {i};\n    }}\n    total\n}}\n\n"
            ),
            _ => format!(
                "fn f{i:02}(x: f64, on: bool) -> f64 {{\n    if on {{\n        return x * 1.5 + {i}.0;\n    }}\n    x / 2.0\n}}\n\n"
            ),
        };
    }
    s += "pub fn report(n: i64) -> String {\n    let mut total = 0;\n    let mut text = String::new();\n    let mut x = 0.0;\n";
    for i in 0..FUNCTIONS {
        s += &match i % 4 {
            0 => format!("    total += f{i:02}(n);\n"),
            1 => format!("    text = f{i:02}(n);\n"),
            2 => format!("    total += f{i:02}(vec![n, {i}, 3]);\n"),
            _ => format!("    x = f{i:02}(x, n % 2 == 0);\n"),
        };
    }
    s += "    format!(\"{} {n} {total} {text} {x}\", version())\n}\n\n";
    // Exported, so the cdylib really compiles and links every function.
    s += "#[no_mangle]\npub extern \"C\" fn report_len(n: i64) -> usize {\n    report(n).len()\n}\n";
    s
}

// ----------------------------------------------------------- full restart

/// The edit, then `cargo aether build` (debug, static) and a fresh start of
/// the program up to its first line: what a restart costs without --hmr.
fn full_restart(tool: &Tool, work: &Path, runs: usize) -> Result<Vec<u64>, String> {
    let program = work.join("program");
    eprintln!("full restart: cargo aether build + start...");
    tool.build(&program, false)?;
    let mut times = Vec::new();
    for i in 0..runs {
        let version = 100_000 + i;
        write_atomic(&program.join("mods.ae"), &module_ae(version, Edit::SameLines))?;
        let start = Instant::now();
        let exe = tool.build(&program, false)?;
        let mut command = Command::new(&exe);
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = KillOnDrop::spawn(&mut command).map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let mut first = String::new();
        BufReader::new(child.0.stdout.take().ok_or("no stdout")?).read_line(&mut first).map_err(|e| e.to_string())?;
        let ms = start.elapsed().as_millis() as u64;
        if !first.starts_with(&format!("v{version} ")) {
            return Err(format!("the restarted program printed {first:?}"));
        }
        times.push(ms);
    }
    Ok(times)
}

// ---------------------------------------------------------- call overhead

fn call_overhead(tool: &Tool, repo: &Path, work: &Path) -> Result<(), String> {
    let counted = valgrind_installed();
    print!("| program, wall time of the whole run ({RUNS} runs each, interleaved) | static min / median | --hmr host min / median | --hmr / static, min / median |");
    if counted {
        print!(" instructions of the work, --hmr / static |");
    }
    println!();
    println!("|---|---:|---:|---:|{}", if counted { "---:|" } else { "" });
    // Debug --hmr calls are slow (see docs/performance.md): a shorter static
    // run keeps the --hmr one within a minute or so.
    for program in ["fib", "helpers", "matmul", "nbody", "particles"] {
        for release in [false, true] {
            let target_ms = if release { 700 } else { 150 };
            let row = overhead_row(tool, repo, work, program, release, target_ms, counted)?;
            println!("{row}");
        }
    }
    println!();
    if counted {
        println!(
            "Instructions: counted by `valgrind --tool=cachegrind` (deterministic, unlike the wall times on a \
             shared machine), for the work alone: the count at a larger argument less the count at a smaller \
             one (fib {} and {}, helpers 0 and {} calls, matmul 0 and {} products, nbody 0 and {}, particles 0 \
             and {} frames), so start-up (loading the libraries) is left out.\n",
            COUNTED_ARGS[0].1,
            COUNTED_ARGS[0].2,
            COUNTED_ARGS[1].2,
            COUNTED_ARGS[2].2,
            COUNTED_ARGS[3].2,
            COUNTED_ARGS[4].2
        );
    }
    Ok(())
}

/// Timed runs of each executable, alternating (the machine's speed drifts
/// between minutes: interleaving gives both the same drift).
const RUNS: usize = 5;

/// Per program: the smaller and larger argument whose instruction counts
/// are subtracted ([`work_instructions`]).
const COUNTED_ARGS: [(&str, u64, u64); 5] =
    [("fib", 20, 25), ("helpers", 0, 100_000), ("matmul", 0, 100_000), ("nbody", 0, 20_000), ("particles", 0, 2_000)];

/// One program in one profile: static executable and --hmr host, each run
/// on its own (no CLI), with an argument that makes the static run last
/// about `target_ms`; with `counted`, the instructions of the work too.
fn overhead_row(
    tool: &Tool,
    repo: &Path,
    work: &Path,
    program: &str,
    release: bool,
    target_ms: u64,
    counted: bool,
) -> Result<String, String> {
    let profile = if release { "release" } else { "debug" };
    let dir = work.join(format!("{program}-{profile}"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::copy(repo.join(format!("bench/programs/{program}.ae")), dir.join("main.ae")).map_err(|e| e.to_string())?;
    let expected =
        std::fs::read_to_string(repo.join(format!("bench/expected/{program}.out"))).map_err(|e| e.to_string())?;
    let check_arg = if program == "fib" { "20" } else { "1000" };
    eprintln!("{program} ({profile}): building static and --hmr...");
    let exe = tool.build(&dir, release)?;
    let got = capture(Command::new(&exe).arg(check_arg))?;
    if got != expected {
        return Err(format!("{} {check_arg} printed {got:?}", exe.display()));
    }
    let mut hmr = tool.command(&["run", "--hmr"]);
    if release {
        hmr.arg("--release");
    }
    let got = capture(hmr.arg(&dir).arg("--").arg(check_arg).stdin(Stdio::null()))?;
    if got != expected {
        return Err(format!("run --hmr {program} {check_arg} printed {got:?}"));
    }
    let host = find_host(&tool.target.join(profile)).ok_or("no --hmr host was built")?;
    // The constants' values the CLI hands the host (#13's tunables).
    let tunables = newest(&tool.cache.join("programs"), "tunables.txt").ok_or("no tunables.txt was written")?;
    let run_static = |arg: &str| {
        let mut c = Command::new(&exe);
        c.arg(arg);
        c
    };
    let run_hmr = |arg: &str| {
        let mut c = Command::new(&host);
        c.arg(arg).env(TUNABLES_ENV, &tunables);
        c
    };
    let mut n: u64 = match program {
        "fib" => 24,
        "particles" => 100,
        _ => 100_000,
    };
    while time(&mut run_static(&n.to_string()))? < Duration::from_millis(target_ms) && n < 1_000_000_000 {
        n = if program == "fib" { n + 1 } else { n * 2 };
    }
    let n = n.to_string();
    let (mut st, mut hm) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        st.push(time(&mut run_static(&n))?.as_millis() as u64);
        hm.push(time(&mut run_hmr(&n))?.as_millis() as u64);
    }
    let (st_min, hm_min) = (st.iter().min().copied().unwrap_or(0), hm.iter().min().copied().unwrap_or(0));
    let (st_med, hm_med) = (median(&mut st), median(&mut hm));
    let ratio = |a: u64, b: u64| a as f64 / b.max(1) as f64;
    let mut row = format!(
        "| {program} {n}, {profile} | {st_min} / {st_med} ms | {hm_min} / {hm_med} ms | {:.2}x / {:.2}x |",
        ratio(hm_min, st_min),
        ratio(hm_med, st_med)
    );
    if counted {
        let (_, small, large) = COUNTED_ARGS.iter().find(|(p, _, _)| *p == program).copied().unwrap_or(("", 0, 1));
        let st = work_instructions(&run_static, small, large)?;
        let hm = work_instructions(&run_hmr, small, large)?;
        row += &format!(" {:.2}x |", hm as f64 / st.max(1) as f64);
    }
    Ok(row)
}

/// Whether `valgrind` is on PATH (for the instruction counts).
fn valgrind_installed() -> bool {
    Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Instructions the program runs at argument `large` less those at
/// `small`: the work, without start-up (cachegrind, no cache simulation).
fn work_instructions(command: &dyn Fn(&str) -> Command, small: u64, large: u64) -> Result<u64, String> {
    let count = |arg: u64| -> Result<u64, String> {
        let program = command(&arg.to_string());
        let mut c = Command::new("valgrind");
        c.args(["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]);
        c.arg(program.get_program()).args(program.get_args());
        for (k, v) in program.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        let out = c.stdout(Stdio::null()).output().map_err(|e| format!("cannot run valgrind: {e}"))?;
        let text = String::from_utf8_lossy(&out.stderr);
        let refs = text
            .lines()
            .filter(|l| l.contains(" I "))
            .find_map(|l| l.split_once("refs:"))
            .map(|(_, n)| n.trim().replace(',', ""))
            .and_then(|n| n.parse().ok());
        refs.ok_or_else(|| format!("valgrind printed no instruction count:\n{text}"))
    };
    Ok(count(large)?.saturating_sub(count(small)?))
}

/// The newest `<dir>/*/<name>` (the generated workspace of the last run).
fn newest(dir: &Path, name: &str) -> Option<PathBuf> {
    let files = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path().join(name)).filter(|p| p.is_file());
    files.max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

/// The --hmr host executable built last in `dir` (`<target>/debug` or
/// `<target>/release`).
fn find_host(dir: &Path) -> Option<PathBuf> {
    let hosts = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with("_hmr_host") && e.path().is_file());
    let newest = hosts.max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())?;
    Some(newest.path())
}

fn capture(c: &mut Command) -> Result<String, String> {
    let out = c.stderr(Stdio::null()).output().map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn time(c: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    let status = c.stdout(Stdio::null()).stderr(Stdio::null()).status().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    status.success().then_some(elapsed).ok_or_else(|| format!("{c:?} failed"))
}

// ---------------------------------------------------------------- helpers

/// Saves `text` as editors do (see `replace_file`).
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    replace_file(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn median(xs: &mut [u64]) -> u64 {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or(0)
}

/// Median and 95th percentile (nearest rank).
pub(crate) fn median_p95(xs: &[u64]) -> (u64, u64) {
    let mut v = xs.to_vec();
    v.sort();
    let rank = ((v.len() as f64) * 0.95).ceil() as usize;
    (median(&mut v.clone()), v.get(rank.saturating_sub(1)).copied().unwrap_or(0))
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

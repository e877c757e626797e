//! Differential testing with generated programs (issue #11, in the manner
//! of Csmith): every program `aether_test_support::progen` writes must be
//! accepted by `aether check`, build with no "Aether bug", and print the
//! same output and exit the same way as a static debug build, a static
//! release build and under `--hmr`. A program that ends with a runtime
//! error must report it at its marked `.ae` line in every build (a
//! release build wraps an integer overflow instead, as documented).
//!
//! Programs are checked in batches (one script of three modules per
//! batch: `progen.rs`), so a few hundred cost a few builds. CI runs
//! `AETHER_PROGEN_COUNT` programs (default below) from seed
//! `AETHER_PROGEN_SEED` (default 1), `AETHER_PROGEN_BATCH` per batch:
//!
//! ```sh
//! AETHER_PROGEN_COUNT=20000 AETHER_PROGEN_SEED=1000 \
//!     cargo test -p cargo-aether --test differential -- --nocapture
//! ```
//!
//! A failure names the seeds of its batch and shows the program it points
//! into; `cargo run -p aether-test-support --bin progen -- SEED 1 DIR`
//! writes that one program alone.

use aether_test_support::progen::{self, Batch};
use aether_test_support::{aether_cli, spawn_followed, Run};
use std::path::Path;
use std::time::{Duration, Instant};

// Three batches: about two minutes of 2 idle cores (fuzz/README.md).
const DEFAULT_COUNT: u64 = 210;
const DEFAULT_BATCH: u64 = 30;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cli(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, &dir.join("cache"), args).env("CARGO_TERM_COLOR", "never"),
    )
}

/// The number of the program whose text holds line `line` of `file`.
fn program_at(batch: &Batch, file: &str, line: usize) -> Option<usize> {
    let text = &batch.files.iter().find(|(p, _)| p == file)?.1;
    let mut current = None;
    for (i, l) in text.lines().enumerate() {
        if i + 1 > line {
            break;
        }
        if let Some(rest) = l.strip_prefix("// program ") {
            current = rest.split(':').next().and_then(|n| n.parse().ok());
        }
    }
    current
}

/// The programs named by `--> file:line` locations in `text`.
fn programs_named(batch: &Batch, text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for l in text.lines() {
        let Some(at) = l.trim_start().strip_prefix("--> ") else { continue };
        let mut parts = at.rsplitn(3, ':');
        let (_, line, file) = (parts.next(), parts.next(), parts.next());
        let file = file.map(|f| Path::new(f).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        if let (Some(file), Some(line)) = (file, line.and_then(|l| l.parse().ok())) {
            if let Some(k) = program_at(batch, &file, line) {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
    }
    out
}

/// A failure report: the text of the programs concerned (the first three
/// of the batch when none is named), then what went wrong and the batch's
/// seeds. What went wrong comes last because a CI log keeps the end of a
/// long message.
fn report(batch: &Batch, what: &str, detail: &str, programs: &[usize]) -> String {
    let seeds: Vec<String> = batch.programs.iter().map(|p| p.seed.to_string()).collect();
    let mut out = String::new();
    let named: Vec<usize> = if programs.is_empty() { (0..batch.programs.len()).collect() } else { programs.to_vec() };
    for k in named.into_iter().take(3) {
        let p = &batch.programs[k];
        out.push_str(&format!("==== program {k}, seed {} ({:?})\n{}", p.seed, p.failure, batch.text_of(k)));
    }
    out.push_str(&format!("==== {what}\nbatch of seeds {}\n{}\n", seeds.join(","), tail(detail, 60)));
    out
}

/// The last `n` lines of `text` without its warnings (a diagnostic is a
/// block of lines up to a blank one).
fn tail(text: &str, n: usize) -> String {
    let errors = without_warnings(text);
    let lines: Vec<&str> = errors.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn without_warnings(text: &str) -> String {
    let mut out = String::new();
    let mut keep = true;
    for l in text.lines() {
        if !l.starts_with(' ')
            && !l.starts_with('|')
            && !l.is_empty()
            && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            keep = !l.starts_with("warning");
        }
        if keep {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The lines of a run's stderr that are runtime errors and their locations.
fn error_lines(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("error: ") {
            out.push(l.to_string());
            if let Some(next) = lines.get(i + 1).filter(|n| n.starts_with("  --> ")) {
                out.push(next.to_string());
            }
        }
    }
    out
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    errors: Vec<String>,
}

fn run_exe(exe: &Path, arg: Option<String>) -> Outcome {
    let r = Run::of(std::process::Command::new(exe).args(arg));
    Outcome { code: r.code, stdout: r.stdout, errors: error_lines(&r.stderr) }
}

/// Builds `dir/main.ae` (with `--release` or not): the executable, or a
/// failure.
fn build(batch: &Batch, dir: &Path, release: bool) -> Result<std::path::PathBuf, String> {
    let args: &[&str] = if release { &["build", "--release", "main.ae"] } else { &["build", "main.ae"] };
    let r = cli(dir, args);
    if !r.ok() || r.stderr.contains("Aether bug") {
        let what = format!("`aether {}` failed", args.join(" "));
        let errors = without_warnings(&r.stderr);
        return Err(report(batch, &what, &errors, &programs_named(batch, &errors)));
    }
    Ok(dir.join(r.stdout.trim()))
}

/// Checks one batch in every build; the failures.
fn check_batch(seeds: &[u64]) -> Vec<String> {
    let batch = progen::batch(seeds);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    for (path, text) in &batch.files {
        std::fs::write(dir.join(path), text).expect("write a generated file");
    }
    let checked = cli(dir, &["check", "main.ae"]);
    if !checked.ok() {
        let errors = without_warnings(&checked.stderr);
        return vec![report(&batch, "`aether check` refused", &errors, &programs_named(&batch, &errors))];
    }
    let mut failures = Vec::new();
    let failing: Vec<_> = batch.programs.iter().filter(|p| p.failure.is_some()).cloned().collect();

    // The static debug build is the reference.
    let exe = match build(&batch, dir, false) {
        Ok(exe) => exe,
        Err(e) => return vec![e],
    };
    let all = run_exe(&exe, None);
    if all.code != Some(0) || !all.errors.is_empty() {
        let named = programs_named(&batch, &all.errors.join("\n"));
        failures.push(report(
            &batch,
            "the debug build failed",
            &format!("{:?}\n{}", all.code, all.errors.join("\n")),
            &named,
        ));
    }
    let mut reference = Vec::new();
    for p in &failing {
        let f = p.failure.as_ref().expect("failing");
        let out = run_exe(&exe, Some(p.index.to_string()));
        let at = format!("  --> {}:{}:", f.file, f.line);
        let located = out.errors.iter().any(|l| l.starts_with(&at));
        if out.code != Some(101) || !located {
            let detail = format!("exit {:?}, expected 101 and a line `{at}..`\n{}", out.code, out.errors.join("\n"));
            failures.push(report(
                &batch,
                &format!("program {} ({}) failed wrongly", p.index, f.kind),
                &detail,
                &[p.index],
            ));
        }
        reference.push(out);
    }

    // The static release build: the same, except that overflow wraps.
    match build(&batch, dir, true) {
        Err(e) => failures.push(e),
        Ok(exe) => {
            let rel = run_exe(&exe, None);
            if (rel.code, &rel.stdout, &rel.errors) != (all.code, &all.stdout, &all.errors) {
                failures.push(report(&batch, "release differs from debug", &diff(&all, &rel), &[]));
            }
            for (p, want) in failing.iter().zip(&reference) {
                let out = run_exe(&exe, Some(p.index.to_string()));
                let f = p.failure.as_ref().expect("failing");
                let same = if f.wraps_in_release {
                    out.code == Some(0) && out.errors.is_empty()
                } else {
                    (out.code, &out.stdout, &out.errors) == (want.code, &want.stdout, &want.errors)
                };
                if !same {
                    failures.push(report(
                        &batch,
                        &format!("release differs for program {}", p.index),
                        &diff(want, &out),
                        &[p.index],
                    ));
                }
            }
        }
    }

    // `--hmr`: one library per module, calls through the runtime's table.
    let hmr = cli(dir, &["run", "--hmr", "main.ae"]);
    let hmr_out = Outcome { code: hmr.code, stdout: hmr.stdout.clone(), errors: error_lines(&hmr.stderr) };
    if hmr.stderr.contains("Aether bug")
        || (hmr_out.code, &hmr_out.stdout, &hmr_out.errors) != (all.code, &all.stdout, &all.errors)
    {
        let named = programs_named(&batch, &hmr.stderr);
        failures.push(report(
            &batch,
            "--hmr differs from debug",
            &format!("{}\n{}", diff(&all, &hmr_out), hmr.stderr),
            &named,
        ));
    }
    let hmr_built = !hmr.stderr.contains("Aether bug");
    for (p, want) in failing.iter().zip(&reference).filter(|_| hmr_built) {
        // The failed program is not ended under `--hmr` (it waits for a
        // fix), so a last line printed with `print` and no newline may not
        // have been flushed yet when the output is read: the output must be
        // the reference's, whole or without that partial last line.
        let whole = &want.stdout[..want.stdout.rfind('\n').map_or(0, |i| i + 1)];
        let out = hmr_failing(dir, p.index, &[&want.stdout, whole]);
        let printed = out.stdout == want.stdout || out.stdout == whole;
        // `code` is `None` while the process runs: it must wait for a fix.
        if !printed || out.errors != want.errors || out.code.is_some() {
            failures.push(report(
                &batch,
                &format!("--hmr differs for program {}", p.index),
                &diff(want, &out),
                &[p.index],
            ));
        }
    }
    failures
}

/// Program `k` under `--hmr`: it fails, and the process then waits for a
/// fix (docs/hmr.md), so it is stopped once `main` has stopped and its
/// output has been read.
fn hmr_failing(dir: &Path, k: usize, expected_stdout: &[&str]) -> Outcome {
    let mut command = aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, &dir.join("cache"), &[]);
    command.args(["run", "--hmr", "main.ae", "--", &k.to_string()]);
    let (mut child, out, err) = spawn_followed(&mut command).expect("start --hmr");
    let stopped = err.wait_for(0, Duration::from_secs(600), |l| l.contains("`main` stopped").then_some(()));
    // The program's stdout is read on another thread than its stderr, and
    // on a loaded machine it can lag behind "`main` stopped": wait, with a
    // generous bound, until it has caught up with what the static build
    // printed (a wrong output is then reported after the bound).
    let deadline = Instant::now() + Duration::from_secs(30);
    while stopped.is_some() && Instant::now() < deadline && !expected_stdout.contains(&out.text().as_str()) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = child.0.try_wait().ok().flatten().and_then(|s| s.code());
    Outcome { code, stdout: out.text(), errors: error_lines(&err.text()) }
}

fn diff(want: &Outcome, got: &Outcome) -> String {
    let mut out =
        format!("exit {:?} vs {:?}\nerrors {:?}\nvs     {:?}\n", want.code, got.code, want.errors, got.errors);
    let (w, g): (Vec<&str>, Vec<&str>) = (want.stdout.lines().collect(), got.stdout.lines().collect());
    if let Some(i) = (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)) {
        out.push_str(&format!("stdout differs at line {}:\n  want {:?}\n  got  {:?}\n", i + 1, w.get(i), g.get(i)));
    }
    out
}

#[test]
fn generated_programs_run_the_same_in_every_build() {
    let count = env_u64("AETHER_PROGEN_COUNT", DEFAULT_COUNT);
    let first = env_u64("AETHER_PROGEN_SEED", 1);
    let per_batch = env_u64("AETHER_PROGEN_BATCH", DEFAULT_BATCH).max(1);
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut seed = first;
    while seed < first + count {
        let end = (seed + per_batch).min(first + count);
        let seeds: Vec<u64> = (seed..end).collect();
        let found = check_batch(&seeds);
        for f in &found {
            eprintln!("---- FAILURE\n{f}");
        }
        failures.extend(found);
        eprintln!("[progen] seeds {seed}..{end}: {} failures so far, {:?}", failures.len(), started.elapsed());
        seed = end;
    }
    assert!(
        failures.is_empty(),
        "{} failures in {count} generated programs (seeds {first}..):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

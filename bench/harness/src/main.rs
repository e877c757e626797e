//! `cargo run --release --manifest-path bench/harness/Cargo.toml -- [--runs N] [--quick]`
//!
//! For each benchmark program: build the Aether version with
//! `cargo aether build --release` and the Rust version with cargo, check
//! both print the expected output at the reference size, then time them at
//! the benchmark size, alternating A/B runs so machine noise hits both
//! alike. Prints a Markdown table (medians, ratio, geometric mean) and the
//! release sizes of `hello`, ready for docs/performance.md.

use aether_test_support::{copy_dir, repo_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// (program, reference size whose output is in bench/expected, benchmark size)
const PROGRAMS: &[(&str, &str, &str)] = &[
    ("nbody", "1000", "5000000"),
    ("spectralnorm", "100", "1500"),
    ("binarytrees", "10", "17"),
    ("fannkuchredux", "7", "10"),
    ("mandelbrot", "200", "3000"),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 1 } else { 5 });
    let repo = repo_root().canonicalize().expect("repo root");
    if let Err(e) = run(&repo, runs, quick) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(repo: &Path, runs: usize, quick: bool) -> Result<(), String> {
    let bench = repo.join("bench");
    eprintln!("building cargo-aether (release)...");
    cargo(repo, &["build", "--release", "-p", "cargo-aether"])?;
    let aether = repo.join("target/release/cargo-aether");
    eprintln!("building the Rust versions...");
    cargo(&bench.join("rust"), &["build", "--release"])?;
    let rust_bin = |name: &str| bench.join("rust/target/release").join(name);

    let mut rows = Vec::new();
    for &(name, reference_n, bench_n) in PROGRAMS {
        eprintln!("building {name}.ae...");
        let ae_exe = aether_build(&aether, &bench.join("programs").join(format!("{name}.ae")))?;
        let rs_exe = rust_bin(name);
        let expected = std::fs::read_to_string(bench.join("expected").join(format!("{name}.out")))
            .map_err(|e| format!("bench/expected/{name}.out: {e}"))?;
        for (who, exe) in [("Aether", &ae_exe), ("Rust", &rs_exe)] {
            let got = output(exe, reference_n)?;
            if got != expected {
                return Err(format!("{who} {name} {reference_n} printed the wrong output:\n{got}"));
            }
        }
        let n = if quick { reference_n } else { bench_n };
        if output(&ae_exe, n)? != output(&rs_exe, n)? {
            return Err(format!("{name} {n}: the Aether and Rust outputs differ"));
        }
        let (mut ae, mut rs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            ae.push(time(&ae_exe, n)?);
            rs.push(time(&rs_exe, n)?);
        }
        rows.push((name, n, median(&mut rs), median(&mut ae)));
    }

    println!("| program | N | Rust | Aether | Aether / Rust |");
    println!("|---|---:|---:|---:|---:|");
    let mut log_sum = 0.0;
    for (name, n, rs, ae) in &rows {
        let ratio = ae.as_secs_f64() / rs.as_secs_f64();
        log_sum += ratio.ln();
        println!("| {name} | {n} | {} | {} | {ratio:.2}x |", ms(*rs), ms(*ae));
    }
    println!("| **geometric mean** | | | | **{:.2}x** |", (log_sum / rows.len() as f64).exp());
    println!();

    let ae_hello = aether_build(&aether, &repo.join("examples/hello.ae"))?;
    let ae_size = size(&ae_hello)?;
    let rs_size = size(&rust_bin("hello"))?;
    println!("| hello (release) | bytes |");
    println!("|---|---:|");
    println!("| Rust | {rs_size} |");
    println!("| Aether | {ae_size} ({:.2}x) |", ae_size as f64 / rs_size as f64);
    println!();
    transpile_share(&aether, repo)?;
    println!("{runs} runs each, medians; machine: {}", machine());
    Ok(())
}

/// How much of an edit-and-rebuild of the largest example is Aether's own
/// work (check + generate) and how much is cargo, from `build --timings`.
/// The example is copied to a temporary directory and edited there.
fn transpile_share(aether: &Path, repo: &Path) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("aether-bench-particles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&repo.join("examples/particles"), &dir).map_err(|e| format!("copying the example: {e}"))?;
    let main = dir.join("src/main.ae");
    let build = || -> Result<(f64, f64), String> {
        let out = Command::new(aether)
            .args(["aether", "build", "--timings"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("cannot run cargo-aether: {e}"))?;
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find(|l| l.starts_with("[aether] timings:")).ok_or(format!("no timings in:\n{err}"))?;
        let num = |after: &str| -> f64 {
            line.split(after)
                .nth(1)
                .and_then(|r| r.trim().split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0.0)
        };
        Ok((num("check + generate"), num("cargo")))
    };
    build()?;
    let mut rows = Vec::new();
    for i in 0..5 {
        let text = std::fs::read_to_string(&main).map_err(|e| e.to_string())?;
        std::fs::write(&main, format!("{text}\n// edit {i}\nfn edited_{i}() -> int {{ {i} }}\n"))
            .map_err(|e| e.to_string())?;
        rows.push(build()?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    rows.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
    let (ours, cargo) = rows[rows.len() / 2];
    println!("| edit + `cargo aether build` of examples/particles (debug) | ms |");
    println!("|---|---:|");
    println!("| check + generate (Aether) | {ours:.1} |");
    println!("| cargo (rustc) | {cargo:.0} |");
    println!("| Aether's share | {:.1}% |", 100.0 * ours / (ours + cargo));
    println!();
    Ok(())
}

fn cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = aether_test_support::cargo()
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status.success().then_some(()).ok_or_else(|| format!("cargo {} failed in {}", args.join(" "), dir.display()))
}

/// `cargo aether build --release FILE` → the executable it printed.
fn aether_build(aether: &Path, file: &Path) -> Result<PathBuf, String> {
    let out = Command::new(aether)
        .args(["aether", "build", "--release"])
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo-aether: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo aether build --release {} failed", file.display()));
    }
    let printed = String::from_utf8_lossy(&out.stdout);
    let exe = printed.lines().last().unwrap_or("").trim();
    Ok(PathBuf::from(exe))
}

fn output(exe: &Path, n: &str) -> Result<String, String> {
    let out = Command::new(exe).arg(n).output().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("{} {n} failed: {}", exe.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn time(exe: &Path, n: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(exe)
        .arg(n)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let elapsed = start.elapsed();
    status.success().then_some(elapsed).ok_or_else(|| format!("{} {n} failed", exe.display()))
}

fn median(xs: &mut [Duration]) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{} {}, {cores} cores", std::env::consts::OS, std::env::consts::ARCH)
}

//! The first start of `examples/arcade` in a fresh copy, as a user who just
//! cloned a project sees it: `cargo aether run --hmr -- 1` (build
//! everything, run one frame) against `cargo aether build` + one frame of
//! the static program. Neither gets the benchmark's shared target directory:
//! each copy builds in its own `target/`, as a project does, and only the
//! user-level cache (`AETHER_CACHE_DIR`, the bench's own) is kept between
//! the two runs of each.

use crate::Tool;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

pub(crate) fn run(tool: &Tool, repo: &Path, work: &Path) -> Result<(), String> {
    println!("| first start of `examples/arcade`, fresh copy, own target dir | run 1 | run 2 |");
    println!("|---|---:|---:|");
    let mut rows: Vec<(&str, Vec<u64>)> =
        vec![("static: `build` + one frame", Vec::new()), ("`run --hmr -- 1`", Vec::new())];
    for round in 0..2 {
        for (i, (_, times)) in rows.iter_mut().enumerate() {
            let dir = work.join(format!("arcade-{i}-{round}"));
            aether_test_support::copy_dir(&repo.join("examples/arcade"), &dir).map_err(|e| e.to_string())?;
            let _ = std::fs::remove_dir_all(dir.join("target"));
            eprintln!("first start: {} ({})...", if i == 0 { "static" } else { "--hmr" }, round + 1);
            let start = Instant::now();
            if i == 0 {
                let exe = build(tool, &dir)?;
                quiet(Command::new(&exe).arg("1"))?;
            } else {
                quiet(build_cmd(tool, &["run", "--hmr"]).arg(&dir).args(["--", "1"]))?;
            }
            times.push(start.elapsed().as_millis() as u64);
        }
    }
    for (what, times) in &rows {
        println!("| {what} | {} ms | {} ms |", times[0], times[1]);
    }
    let ratio = |r: usize| rows[1].1[r] as f64 / rows[0].1[r].max(1) as f64;
    println!("\n--hmr / static: {:.2}x, {:.2}x (target: 1.5x)\n", ratio(0), ratio(1));
    Ok(())
}

/// The CLI without the bench's shared `CARGO_TARGET_DIR`.
fn build_cmd(tool: &Tool, args: &[&str]) -> Command {
    let mut c = tool.command(args);
    c.env_remove("CARGO_TARGET_DIR");
    c
}

fn build(tool: &Tool, dir: &Path) -> Result<std::path::PathBuf, String> {
    let out = build_cmd(tool, &["build"]).arg(dir).stderr(Stdio::null()).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("cargo aether build {} failed", dir.display()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("").trim().into())
}

fn quiet(c: &mut Command) -> Result<(), String> {
    let status =
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().map_err(|e| e.to_string())?;
    status.success().then_some(()).ok_or_else(|| format!("{c:?} failed"))
}

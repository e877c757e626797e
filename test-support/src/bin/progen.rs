//! `cargo run -p aether-test-support --bin progen -- SEED [COUNT] [DIR]`:
//! the batch of the generated programs SEED..SEED+COUNT (default 1), as
//! the files of a script printed to stdout, or written to DIR (then
//! `cargo aether run DIR/main.ae` runs it; `-- K` runs program K alone).

use aether_test_support::progen;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(seed) = args.first().and_then(|s| s.parse::<u64>().ok()) else {
        eprintln!("usage: progen SEED [COUNT] [DIR]");
        return ExitCode::from(2);
    };
    let count = args.get(1).and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
    let seeds: Vec<u64> = (seed..seed + count).collect();
    let batch = progen::batch(&seeds);
    match args.get(2) {
        Some(dir) => {
            for (path, text) in &batch.files {
                let path = std::path::Path::new(dir).join(path);
                if let Err(e) =
                    std::fs::create_dir_all(path.parent().expect("a parent")).and_then(|()| std::fs::write(&path, text))
                {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
        }
        None => {
            for (path, text) in &batch.files {
                println!("// ==== {path}\n{text}");
            }
        }
    }
    for p in &batch.programs {
        if let Some(f) = &p.failure {
            eprintln!("program {} (seed {}) fails: {} at {}:{}", p.index, p.seed, f.kind, f.file, f.line);
        }
    }
    ExitCode::SUCCESS
}

//! What the integration tests share. Each file under `tests/` is a crate of
//! its own that includes this module (`mod support;`) and uses part of it.
#![allow(dead_code)]

use aether_transpile::check::{CheckResult, Mode};
use aether_transpile::driver::{self, Analysis};
use aether_transpile::project::{self, Program};
use std::path::{Path, PathBuf};

/// The repository's root directory.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root").to_path_buf()
}

/// Load `files` (path under the source root, text; the first is the entry)
/// and check them as `mode` says, as `driver::analyze` does a program on
/// disk: every diagnostic, in reading order.
pub fn analyze(files: &[(&str, &str)], mode: Mode) -> Analysis {
    let entry = files.first().map_or("main.ae", |f| f.0);
    driver::analyze_loaded(project::load_in_memory(files, entry), mode)
}

/// [`analyze`] for a program that must have no error: the program and what
/// the checker learned, for code generation.
pub fn checked(files: &[(&str, &str)], mode: Mode) -> (Program, CheckResult) {
    let analysis = analyze(files, mode);
    assert!(!analysis.has_errors(), "errors: {:?}", analysis.diagnostics);
    (analysis.program, analysis.checked)
}

/// The diagnostics part of a checker snapshot: every diagnostic rendered,
/// or `no diagnostics`.
pub fn rendered_diagnostics(analysis: &Analysis) -> String {
    let mut out = String::from("=== diagnostics\n");
    if analysis.diagnostics.is_empty() {
        out.push_str("no diagnostics\n");
    }
    for d in &analysis.diagnostics {
        out.push_str(&d.render(&analysis.program.sources));
    }
    out
}

/// A checker snapshot: the sources of `files` (the first is the entry),
/// then every diagnostic of checking them as a program.
pub fn check_files(files: &[(&str, &str)]) -> String {
    let analysis = analyze(files, Mode::Program);
    let mut out = String::new();
    for (name, src) in files {
        out.push_str(&format!("--- {name}\n{src}"));
        if !src.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(&rendered_diagnostics(&analysis));
    out
}

/// `check!(name, "source")` or `check!(name, [("main.ae", "..."), ...])`:
/// a test snapshotting [`check_files`].
#[allow(unused_macros)]
macro_rules! check {
    ($name:ident, [$(($file:expr, $src:expr)),+ $(,)?]) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!($crate::support::check_files(&[$(($file, $src)),+]));
        }
    };
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!($crate::support::check_files(&[("main.ae", $src)]));
        }
    };
}
#[allow(unused_imports)]
pub(crate) use check;

/// The ```aether blocks of a markdown file.
pub fn aether_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in md.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```aether") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Rewriting an unchanged generated file would make cargo rebuild it.
pub fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write generated file");
}

/// A small program using most of the language, which checks cleanly: the
/// checker's smoke test, and (importing a second module) the fuzz test's seed.
pub const SMOKE: &str = r#"import math
struct Ball { x: float, y: float, vy: float = 0.0 }
enum Shape { Circle(r: float), Rect(w: float, h: float), Empty }
state balls: [Ball] = []
fn area(s: Shape) -> float {
    match s {
        Circle(r) => math.PI * r * r
        Rect(w, h) => w * h
        Empty => 0.0
    }
}
fn Ball.fall(mut self, dt: float) { self.vy += 9.8 * dt; self.y += self.vy * dt }
fn main() {
    var b = Ball { x: 1.0, y: 2.0 }
    b.fall(0.1)
    let xs = [1, 2, 3].map(|x| x * 2)
    for i in 0..xs.len() { println("{i}: {xs[i]:>4}") }
    let m = {"a": 1}
    println(m.get("a") ?? 3)
    println(area(Shape.Circle(1.0)))
}
"#;

//! Checker snapshot tests: each case is Aether source (one file or several
//! modules) and the rendered diagnostics the checker produces for it.

use aether_transpile::{check, diagnostic, project};

/// Load `files` (the first is the entry), check them, and render every
/// diagnostic in reading order; the snapshot shows the sources too.
fn check_files(files: &[(&str, &str)]) -> String {
    let entry = files.first().map(|f| f.0).unwrap_or("main.ae");
    let (program, mut diags) = project::load_in_memory(files, entry);
    let result = check::check_program(&program);
    diags.extend(result.diagnostics);
    diagnostic::sort(&mut diags);
    let mut out = String::new();
    for (name, src) in files {
        out.push_str(&format!("--- {name}\n{src}"));
        if !src.ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str("=== diagnostics\n");
    if diags.is_empty() {
        out.push_str("no diagnostics\n");
    }
    for d in &diags {
        out.push_str(&d.render(&program.sources));
    }
    out
}

macro_rules! check {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(check_files(&[("main.ae", $src)]));
        }
    };
    ($name:ident, [$(($file:expr, $src:expr)),+ $(,)?]) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(check_files(&[$(($file, $src)),+]));
        }
    };
}

check!(smoke, r#"import math
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
"#);

//! The `--hmr` glue: one snapshot of a whole generated workspace (module
//! files, their `lib.rs` glue, the host, the manifests), and what is refused.
//! That it builds, loads and reloads is `cargo-aether/tests/hmr_e2e.rs`'s job.

use aether_transpile::check::check_program;
use aether_transpile::codegen::hmr::{generate, signature, HmrOptions};
use aether_transpile::project::load_in_memory;
use std::path::PathBuf;

fn options() -> HmrOptions {
    HmrOptions { program: "snap_1234".into(), rt_path: PathBuf::from("/rt"), lib_dir: PathBuf::from("/target/debug") }
}

fn checked(files: &[(&str, &str)]) -> (aether_transpile::project::Program, aether_transpile::check::CheckResult) {
    let (program, diags) = load_in_memory(files, "main.ae");
    assert!(diags.iter().all(|d| !d.is_error()), "load errors: {diags:?}");
    let checked = check_program(&program);
    assert!(!checked.has_errors(), "check errors: {:?}", checked.diagnostics);
    (program, checked)
}

#[test]
fn two_modules_with_state() {
    let files = [
        (
            "main.ae",
            "import fmt\n\nstate count: int = 0\n\nfn bump() -> int {\n    count += 1\n    count\n}\n\n\
             fn main() {\n    println(fmt.line(bump(), [\"a\"]))\n}\n",
        ),
        ("fmt.ae", "pub fn line(n: int, tags: [str]) -> str {\n    \"tick {n} {tags}\"\n}\n"),
    ];
    let (program, checked) = checked(&files);
    let generated = match generate(&program, &checked, &options()) {
        Ok(g) => g,
        Err(e) => panic!("generate failed: {e}"),
    };
    let mut out: String = files.iter().map(|(p, t)| format!("// ---- {p}\n{t}")).collect();
    out.push_str("\n// ==== generated workspace ====\n");
    for m in &generated.modules {
        out.push_str(&format!(
            "// module {} ({}): package {}, library {}\n",
            m.name,
            m.file,
            m.package,
            m.library.display()
        ));
        for (path, text) in &m.files {
            assert!(!text.contains("did not parse"), "{text}");
            out.push_str(&format!("// ---- {}\n{text}", path.display()));
        }
    }
    out.push_str(&format!("// host {}: {}\n", generated.host_package, generated.host_executable.display()));
    for (path, text) in &generated.files {
        out.push_str(&format!("// ---- {}\n{text}", path.display()));
    }
    // One snapshot on every Unix: `--hmr` runs only there.
    let out = out.replace(std::env::consts::DLL_SUFFIX, ".so");
    insta::assert_snapshot!("hmr_two_modules_with_state", out);
}

#[test]
fn signatures_are_canonical_text() {
    let (program, checked) =
        checked(&[("main.ae", "fn f(a: int, mut xs: [str]) -> float {\n    1.0\n}\n\nfn main() {}\n")]);
    let f = program.find("main").and_then(|m| checked.module(m)).and_then(|t| t.items.get("f")).cloned();
    let Some(aether_transpile::check::ItemRef::Fn(f)) = f else { panic!("no f") };
    assert_eq!(signature(&checked, f), "fn(int, mut [str]) -> float");
}

#[test]
fn what_does_not_cross_modules_is_refused() {
    let (program, checked) = checked(&[
        (
            "main.ae",
            "import shapes\n\nfn main() {\n    println(shapes.area(shapes.Square { side: 2.0 }))\n    \
             println(shapes.count)\n}\n",
        ),
        (
            "shapes.ae",
            "pub state count: int = 0\n\npub struct Square {\n    side: float\n}\n\n\
             pub fn area(s: Square) -> float {\n    s.side * s.side\n}\n",
        ),
    ]);
    let Err(errors) = generate(&program, &checked, &options()) else { panic!("generated what it cannot run") };
    assert!(errors.contains("function `area` has the signature `fn(Square) -> float`"), "{errors}");
    assert!(errors.contains("uses `count` of module `shapes`"), "{errors}");
    assert!(errors.contains("uses type `Square` of module `shapes`"), "{errors}");
    assert!(errors.lines().all(|l| l.ends_with("(not yet supported under --hmr)")), "{errors}");
}

//! The `--hmr` glue: one snapshot of a whole generated workspace (module
//! files, their `lib.rs` glue, the host, the manifests), and what is refused.
//! That it builds, loads and reloads is `cargo-aether/tests/hmr_e2e.rs`'s job.

mod support;

use aether_transpile::check::{CheckResult, Mode};
use aether_transpile::codegen::hmr::{generate, signature, HmrGenerated, HmrModule, HmrOptions};
use aether_transpile::project::Program;
use std::path::PathBuf;

fn options() -> HmrOptions {
    HmrOptions {
        program: "snap_1234".into(),
        rt_path: PathBuf::from("/rt"),
        lib_dir: PathBuf::from("/target/debug"),
        exclude: Vec::new(),
    }
}

fn checked(files: &[(&str, &str)]) -> (Program, CheckResult) {
    support::checked(files, Mode::Program)
}

/// The workspace of a program the generator must accept.
fn generated(files: &[(&str, &str)]) -> HmrGenerated {
    let (program, checked) = checked(files);
    match generate(&program, &checked, &options()) {
        Ok(g) => g,
        Err(e) => panic!("generate failed: {e:?}"),
    }
}

/// The generated crate of `module`.
fn module<'a>(generated: &'a HmrGenerated, module: &str) -> &'a HmrModule {
    generated.modules.iter().find(|m| m.name == module).expect("the module's crate")
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
    let generated = generated(&files);
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

fn files_of(generated: &HmrGenerated, module: &str) -> Vec<(String, String)> {
    generated
        .modules
        .iter()
        .filter(|m| m.name == module)
        .flat_map(|m| m.files.iter().map(|(p, t)| (p.display().to_string(), t.clone())))
        .collect()
}

const SHAPES: &str = "pub state count: int = 0\n\npub struct Square {\n    side: float\n}\n\n\
                      pub fn Square.area(self) -> float {\n    self.side * self.side\n}\n\n\
                      pub fn area(s: Square) -> float {\n    s.area()\n}\n";

#[test]
fn types_state_and_methods_cross_modules() {
    let main = "import shapes\n\nfn main() {\n    let s = shapes.Square { side: 2.0 }\n    \
                println(shapes.area(s))\n    println(s.area())\n    println(shapes.count)\n}\n";
    let generated = generated(&[("main.ae", main), ("shapes.ae", SHAPES)]);
    let main_files = files_of(&generated, "main");
    let shapes_iface = main_files.iter().find(|(p, _)| p.ends_with("src/shapes.rs")).map(|(_, t)| t.as_str());
    let Some(shapes_iface) = shapes_iface else { panic!("main's crate lacks the interface of shapes: {main_files:?}") };
    // The importer compiles the type, the state reference and a method
    // trampoline, never the method's body.
    assert!(shapes_iface.contains("#[repr(C)]\npub struct Square"), "{shapes_iface}");
    assert!(shapes_iface.contains("pub count: ::aether_rt::abi::StateRef<i64>"), "{shapes_iface}");
    assert!(shapes_iface.contains("StateRef::new(&__STATE_SLOTS[0])"), "{shapes_iface}");
    assert!(shapes_iface.contains("pub fn area(&self) -> f64"), "{shapes_iface}");
    assert!(!shapes_iface.contains("__body_area"), "{shapes_iface}");
    let shapes_files = files_of(&generated, "shapes");
    assert!(shapes_files.iter().any(|(_, t)| t.contains("pub fn __body_area(&self) -> f64")), "{shapes_files:?}");
    assert!(shapes_files.iter().all(|(p, _)| !p.ends_with("src/main.rs")), "shapes does not import main");
}

/// The modules whose generated files differ between two generations.
fn changed_modules(before: &HmrGenerated, after: &HmrGenerated) -> Vec<String> {
    before.modules.iter().zip(&after.modules).filter(|(a, b)| a.files != b.files).map(|(a, _)| a.name.clone()).collect()
}

#[test]
fn a_body_edit_changes_one_crate_and_an_interface_edit_its_importers_too() {
    let main = "import shapes\n\nfn main() {\n    println(shapes.area(shapes.Square { side: 2.0 }))\n}\n";
    let generate_with = |shapes: &str| generated(&[("main.ae", main), ("shapes.ae", shapes)]);
    let before = generate_with(SHAPES);
    let body_edit = generate_with(&SHAPES.replace("self.side * self.side", "self.side * 2.0"));
    let type_edit = generate_with(&SHAPES.replace("side: float\n", "side: float\n    name: str = \"sq\"\n"));
    let changed = |after: &HmrGenerated| changed_modules(&before, after);
    assert_eq!(changed(&body_edit), vec!["shapes".to_string()]);
    assert_eq!(before.modules[1].interface, body_edit.modules[1].interface);
    assert_eq!(changed(&type_edit), vec!["main".to_string(), "shapes".to_string()]);
    assert_ne!(before.modules[1].interface, type_edit.modules[1].interface);
}

/// Issue #13: a body edit, even one that moves the functions after it,
/// changes the module's own file only: its `lib.rs` (shims, descriptor) is
/// the same text, so a reload formats and recompiles none of it. Each
/// function and method body is in a Rust module of its own, so rustc's
/// incremental build sends only the edited one through LLVM.
#[test]
fn a_body_edit_leaves_the_crates_lib_rs_as_it_was() {
    let main = "import shapes\n\nfn main() {\n    println(shapes.area(shapes.Square { side: 2.0 }))\n}\n";
    let generate_with = |shapes: &str| generated(&[("main.ae", main), ("shapes.ae", shapes)]);
    let before = generate_with(SHAPES);
    let after = generate_with(&SHAPES.replace("self.side * self.side", "let s = self.side\n    s * s"));
    assert_eq!(changed_modules(&before, &after), vec!["shapes".to_string()]);
    let changed_files: Vec<String> = files_of(&before, "shapes")
        .into_iter()
        .zip(files_of(&after, "shapes"))
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0)
        .collect();
    assert_eq!(changed_files, vec!["modules/shapes/src/shapes.rs".to_string()]);
    let own = files_of(&after, "shapes").into_iter().find(|(p, _)| p.ends_with("src/shapes.rs")).expect("own file").1;
    assert!(own.contains("mod __fn_area {\n    use super::*;\n    pub fn area("), "{own}");
    assert!(own.contains("pub use __fn_area::area;"), "{own}");
    assert!(own.contains("mod __m6_Square_area {\n    use super::*;\n    impl Square {"), "{own}");
    // The frame table follows the moved function (one line down).
    assert!(own.contains("\"shapes.ae:12:1\""), "{own}");
}

/// Issue #13: an edit that adds a line moves every function below it, and
/// their Rust stays as it was (their locations count lines from their
/// item's first, which `__positions::__LINES` holds), so rustc compiles the
/// edited body again and not every body below it.
#[test]
fn a_line_added_above_leaves_the_rust_of_the_functions_below_as_it_was() {
    let main = "import calc\n\nfn main() {\n    println(calc.first() + calc.half(7) + calc.pick([1, 2], 1))\n}\n";
    let calc = "pub fn first() -> int {\n    1\n}\n\npub fn half(n: int) -> int {\n    n / 2\n}\n\n\
                pub fn pick(xs: [int], i: int) -> int {\n    xs[i] * 3\n}\n";
    let own = |calc: &str| {
        let generated = generated(&[("main.ae", main), ("calc.ae", calc)]);
        files_of(&generated, "calc").into_iter().find(|(p, _)| p.ends_with("src/calc.rs")).expect("own file").1
    };
    let unit = |text: &str, name: &str| -> String {
        let start = text.find(&format!("mod __fn_{name} {{")).expect("the function's unit");
        let end = text.find(&format!("pub use __fn_{name}::{name};")).expect("its re-export");
        text[start..end].to_string()
    };
    let before = own(calc);
    let after = own(&calc.replace("    1\n", "    let one = 1\n    one\n"));
    for name in ["half", "pick"] {
        assert_eq!(unit(&before, name), unit(&after, name), "`{name}` moved a line down and its Rust changed");
        assert!(unit(&after, name).contains("__at("), "{after}");
    }
    assert_ne!(unit(&before, "first"), unit(&after, "first"));
    assert!(before.contains("__LINES: [u32; 3usize] = [1, 5, 9]"), "{before}");
    assert!(after.contains("__LINES: [u32; 3usize] = [1, 6, 10]"), "{after}");
}

/// Issue #13: the importers of a module compile its `pub` functions and
/// methods only (public ones first in its row, so their slots keep their
/// positions): a private function added, removed or changed rebuilds the
/// module alone.
#[test]
fn a_private_function_added_or_changed_rebuilds_only_its_module() {
    let main = "import shapes\n\nfn main() {\n    println(shapes.area(shapes.Square { side: 2.0 }))\n}\n";
    let generate_with = |shapes: &str| generated(&[("main.ae", main), ("shapes.ae", shapes)]);
    let helper = "fn twice(x: float) -> float {\n    x * 2.0\n}\n\n";
    let with_helper = SHAPES.replace("pub fn area(s: Square)", &format!("{helper}pub fn area(s: Square)"));
    let before = generate_with(&with_helper);
    let changed = |after: &HmrGenerated| changed_modules(&before, after);
    let added = generate_with(
        &with_helper.replace(helper, &format!("{helper}fn thrice(x: float) -> float {{\n    x * 3.0\n}}\n\n")),
    );
    assert_eq!(changed(&added), vec!["shapes".to_string()]);
    assert_eq!(before.modules[1].interface, added.modules[1].interface);
    let retyped = generate_with(
        &with_helper
            .replace("fn twice(x: float) -> float", "fn twice(x: float) -> int")
            .replace("x * 2.0", "int(x * 2.0)"),
    );
    assert_eq!(changed(&retyped), vec!["shapes".to_string()]);
    let removed = generate_with(SHAPES);
    assert_eq!(changed(&removed), vec!["shapes".to_string()]);
    let main_iface = files_of(&before, "main").into_iter().find(|(p, _)| p.ends_with("src/shapes.rs")).map(|(_, t)| t);
    assert!(main_iface.is_some_and(|t| !t.contains("twice")), "the importer compiles the private function");
    // A `pub fn` is what importers compile against.
    let public = generate_with(&with_helper.replace("fn twice", "pub fn twice"));
    assert_eq!(changed(&public), vec!["main".to_string(), "shapes".to_string()]);
}

#[test]
fn a_literal_constant_is_read_from_the_host_and_its_value_is_in_no_crate() {
    let main = "import config\n\nfn main() {\n    println(config.AREA + config.W)\n}\n";
    let config = "pub const W: int = 4\npub const G: float = -9.5\npub const AREA: int = W * 3\n";
    let generate_with = |config: &str| generated(&[("main.ae", main), ("config.ae", config)]);
    let before = generate_with(config);
    let keys: Vec<(&str, &aether_rt::abi::Tuned)> =
        before.tunables.iter().map(|t| (t.key.as_str(), &t.value)).collect();
    assert_eq!(
        keys,
        vec![("config.W", &aether_rt::abi::Tuned::Int(4)), ("config.G", &aether_rt::abi::Tuned::Float(-9.5))]
    );
    let iface = &files_of(&before, "config").into_iter().find(|(p, _)| p.ends_with("src/config.rs")).expect("config").1;
    assert!(iface.contains("tunable_int(&__TUNABLE_W, \"config.W\")"), "{iface}");
    // Not a literal: a function of the tunable, compiled into its importers.
    assert!(iface.contains("pub fn AREA() -> i64"), "{iface}");
    assert!(!iface.contains("pub const"), "no Rust const under --hmr: {iface}");

    let tuned = generate_with(&config.replace("= 4", "= 5").replace("-9.5", "-1.0"));
    assert!(before.modules.iter().zip(&tuned.modules).all(|(a, b)| a.files == b.files), "no crate changed");
    assert_eq!(tuned.tunables[0].value, aether_rt::abi::Tuned::Int(5));
    assert_eq!(tuned.tunables[1].value, aether_rt::abi::Tuned::Float(-1.0));

    let computed = generate_with(&config.replace("W * 3", "W * 4"));
    let changed: Vec<&str> = before
        .modules
        .iter()
        .zip(&computed.modules)
        .filter(|(a, b)| a.files != b.files)
        .map(|(a, _)| a.name.as_str())
        .collect();
    assert_eq!(changed, vec!["main", "config"], "a computed constant is compiled into its importers");
}

#[test]
fn excluded_modules_are_linked_into_the_host() {
    let generated = generated(&[
        ("main.ae", "import gpu\n\nfn main() {\n    println(gpu.draw())\n}\n"),
        ("gpu.ae", "@no_hmr\n\npub fn draw() -> int {\n    1\n}\n"),
    ]);
    assert!(!module(&generated, "gpu").reloadable);
    let host = generated.files.iter().map(|(_, t)| t.as_str()).collect::<String>();
    assert!(host.contains("snap_1234_hmr_gpu = { path = \"../modules/gpu\" }"), "{host}");
    assert!(host.contains("Some(snap_1234_hmr_gpu::__aether_descriptor)"), "{host}");
}

/// `fn main() -> ()!` is generated with the signature text whose
/// fingerprint the host looks for (`aether_rt::abi::FALLIBLE_MAIN_SIGNATURE`).
#[test]
fn a_main_returning_its_error_carries_the_signature_the_host_runs() {
    let (program, checked) = checked(&[("main.ae", "fn main() -> ()! {\n    ok(())\n}\n")]);
    let Ok(generated) = generate(&program, &checked, &options()) else { panic!("`fn main() -> ()!` was refused") };
    let text: String = module(&generated, "main").files.iter().map(|(_, t)| t.as_str()).collect();
    let signature = format!("{:?}", aether_rt::abi::FALLIBLE_MAIN_SIGNATURE);
    assert!(text.contains(&signature), "{signature} in\n{text}");
}

/// The number an importer's slot expects is computed by the generator; the
/// exporter's entry carries the signature text, which the runtime
/// fingerprints (`FnEntry::new`). Both must be `aether_rt::abi::fingerprint`
/// of the same text, or every cross-module call would find an empty slot.
#[test]
fn an_importer_expects_the_fingerprint_the_runtime_computes_for_the_exporter() {
    let generated = generated(&[
        ("main.ae", "import fmt\n\nfn main() {\n    println(fmt.line(1, [\"a\"]))\n}\n"),
        ("fmt.ae", "pub fn line(n: int, tags: [str]) -> str {\n    \"{n} {tags}\"\n}\n"),
    ]);
    let lib_rs = |name: &str| -> String {
        let m = module(&generated, name);
        let (_, text) = m.files.iter().find(|(p, _)| p.ends_with("src/lib.rs")).expect("its lib.rs");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let (exporter, importer) = (lib_rs("fmt"), lib_rs("main"));
    let signature_text = exporter
        .split("\"line\", \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no FnEntry for `line`:\n{exporter}"));
    assert_eq!(signature_text, "line: fn(int, [str]) -> str");
    let expected = importer
        .split(" slot: &crate::fmt::__FN_SLOTS[0usize]")
        .next()
        .and_then(|before| before.rsplit("fingerprint: ").next())
        .and_then(|n| n.trim_end_matches([',', ' ']).strip_suffix("u64"))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no slot for `fmt.line`:\n{importer}"));
    assert_eq!(expected, aether_rt::abi::fingerprint(signature_text));
}

/// The generated file of module `main` (`src/main_.rs`) of a one-file program.
fn module_file(main: &str) -> String {
    let generated = generated(&[("main.ae", main)]);
    let files = files_of(&generated, "main");
    files.into_iter().find(|(p, _)| p.ends_with("src/main_.rs")).expect("the module's file").1
}

/// Function `name` of a generated module file, up to its `pub use`.
fn fn_of(body: &str, name: &str) -> String {
    let start = body.find(&format!("pub fn {name}(")).unwrap_or_else(|| panic!("no fn {name}: {body}"));
    let end = body[start + 1..].find("\npub use ").map_or(body.len(), |e| start + 1 + e);
    body[start..end].to_string()
}

/// Issue #14: how a call from the module's own library reaches each of its
/// functions while the library is current. A restart-free function is a
/// plain call; one whose only safe points are its own loops' back-edges
/// (no call of Aether code, no blocking builtin, no closure) is a direct
/// call that catches its restart but is not linked into the calls in
/// progress (`call_direct_unlinked`); any other is a linked restart point.
#[test]
fn a_direct_call_is_linked_only_when_its_callee_reaches_other_safe_points() {
    let main = "state hits: int = 0\n\n\
                fn plain(x: int) -> int {\n    x + 1\n}\n\n\
                fn counts(n: int) -> int {\n    var t = 0\n    for i in 0..n {\n        t += i\n    }\n    t\n}\n\n\
                fn bumps(n: int) {\n    var i = 0\n    while i < n {\n        hits += 1\n        i += 1\n    }\n}\n\n\
                fn early(xs: [int]) -> int {\n    for x in xs {\n        if x > 2 {\n            return x\n        }\n    }\n    0\n}\n\n\
                fn calls(n: int) -> int {\n    var t = 0\n    for i in 0..n {\n        t += plain(i)\n    }\n    t\n}\n\n\
                fn sleeps(n: int) {\n    var i = 0\n    while i < n {\n        sleep_ms(1)\n        i += 1\n    }\n}\n\n\
                fn closes(n: int) -> int {\n    let f = |x: int| x * 2\n    var t = 0\n    for i in 0..n {\n        t += i\n    }\n    f(t)\n}\n\n\
                fn main() {\n    bumps(2)\n    sleeps(1)\n    \
                println(plain(1) + counts(3) + early([1, 5]) + calls(2) + closes(2))\n}\n";
    let generated = generated(&[("main.ae", main)]);
    let files = files_of(&generated, "main");
    let lib = files.into_iter().find(|(p, _)| p.ends_with("src/lib.rs")).expect("the crate's lib.rs").1;
    let trampoline = |name: &str| -> String {
        let start = lib.find(&format!("pub fn {name}(")).unwrap_or_else(|| panic!("no trampoline {name}: {lib}"));
        let end = lib[start + 1..].find("pub fn ").map_or(lib.len(), |e| start + 1 + e);
        lib[start..end].to_string()
    };
    let kind = |name: &str| {
        let text = trampoline(name);
        match (text.contains("call_direct_unlinked("), text.contains("call_direct(")) {
            (true, _) => "unlinked",
            (_, true) => "linked",
            _ if text.contains(&format!("return crate::main_::{name}(")) => "plain",
            _ => panic!("no direct call in {text}"),
        }
    };
    let expected = [
        ("plain", "plain"),
        ("counts", "unlinked"),
        ("bumps", "unlinked"),
        ("early", "unlinked"),
        ("calls", "linked"),
        ("sleeps", "linked"),
        ("closes", "linked"),
        ("main", "linked"),
    ];
    let got: Vec<(&str, &str)> = expected.iter().map(|(name, _)| (*name, kind(name))).collect();
    assert_eq!(got, expected);
}

/// Issue #14: a loop whose iterations reach a safe point only in inner
/// leaf loops (a *nest*) runs in chunks too, reading its `state` through
/// `ctx`; its inner loops are labelled `'__leaf` and check after their own
/// full chunks. A loop around a nest, or one whose inner loop has a loop of
/// its own, or one that calls Aether code, checks in every iteration.
#[test]
fn a_loop_around_leaf_loops_runs_in_chunks_of_its_own() {
    let main = "state grid: [int] = []\nstate count: int = 0\n\n\
                fn cube(n: int) -> int {\n    var t = 0\n    for i in 0..n {\n        for j in 0..n {\n            \
                for k in 0..n {\n                t += i * j * k\n            }\n        }\n    }\n    t\n}\n\n\
                fn rows(w: int, h: int) {\n    var y = 0\n    while y < h {\n        for x in 0..w {\n            \
                grid.push(x + y)\n        }\n        count += 1\n        y += 1\n    }\n}\n\n\
                fn area(w: int, h: int) -> int {\n    var t = 0\n    var y = 0\n    while y < h {\n        var x = 0\n        \
                while x < w {\n            t += x\n            x += 1\n        }\n        y += 1\n    }\n    t\n}\n\n\
                fn f(x: int) -> int {\n    x\n}\n\n\
                fn calls(n: int) -> int {\n    var t = 0\n    for i in 0..n {\n        t += f(i)\n        \
                for j in 0..n {\n            t += j\n        }\n    }\n    t\n}\n\n\
                fn main() {\n    rows(2, 2)\n    println(cube(3) + calls(2) + area(2, 2) + grid.len())\n}\n";
    let body = module_file(main);
    let squeezed = |name: &str| fn_of(&body, name).split_whitespace().collect::<String>();
    let cube = squeezed("cube");
    // `k` is a leaf loop, `j` a nest, `i` checks in every iteration.
    assert!(cube.contains("'__leaf:loop{"), "{cube}");
    assert!(cube.contains("forkin__lo..__end"), "{cube}");
    assert!(cube.contains("forjin__lo..__end"), "{cube}");
    assert!(cube.contains("foriin0..n{if::aether_rt::abi::back_edge("), "{cube}");
    assert_eq!(cube.matches("'__leaf:").count(), 1, "{cube}");
    let rows = squeezed("rows");
    // A `while` nest whose inner loop writes `state` (through the closure's
    // parameter) and whose own body writes it through `ctx`.
    assert!(rows.contains("'__nest_chunk:{letmut__left:u32=256;while"), "{rows}");
    assert!(rows.contains("(*ctx.main_.count.ptr())"), "{rows}");
    assert!(rows.contains("'__leaf:loop{"), "{rows}");
    assert_eq!(rows.matches("back_edge(").count(), 2, "one check per loop, after a full chunk: {rows}");
    // A `while` nest of a `while` leaf loop: the chunks' block labels
    // differ (the same one would shadow the other: a rustc warning).
    let area = squeezed("area");
    assert!(area.contains("'__nest_chunk:{letmut__left:u32=256;while"), "{area}");
    assert!(area.contains("'__leaf:loop{let__more:bool={'__chunk:{"), "{area}");
    let calls = squeezed("calls");
    assert!(calls.contains("foriin0..n{if::aether_rt::abi::back_edge("), "{calls}");
}

/// Issue #14: which loops are leaf loops, decided on the program, not only
/// on the generated tokens: in a function without `state` (so without
/// `ctx`), a loop that sleeps or calls a method reaches a safe point, and
/// keeps the check in every iteration (a stale loop that sleeps must leave
/// at its next iteration, not 256 sleeps later); one that only computes
/// runs in chunks, as does a `for` over a range.
#[test]
fn only_loops_that_reach_no_safe_point_run_in_chunks() {
    let main = "struct P {\n    x: int\n}\n\nfn P.get(self) -> int {\n    self.x\n}\n\n\
                fn sleeps(n: int) {\n    var i = 0\n    while i < n {\n        sleep_ms(1)\n        i += 1\n    }\n}\n\n\
                fn calls_a_method(p: P, n: int) -> int {\n    var t = 0\n    var i = 0\n    while i < n {\n        \
                t += p.get()\n        i += 1\n    }\n    t\n}\n\n\
                fn computes(n: int) -> int {\n    var t = 0\n    var i = 0\n    while i < n {\n        t += i * i\n        \
                i += 1\n    }\n    t\n}\n\n\
                fn ranges(n: int) -> int {\n    var t = 0\n    for i in 0..n {\n        t += i\n    }\n    t\n}\n\n\
                fn main() {\n    sleeps(1)\n    println(calls_a_method(P { x: 1 }, 3) + computes(3) + ranges(3))\n}\n";
    let body = module_file(main);
    let fn_text = |name: &str| fn_of(&body, name);
    for per_iteration in ["sleeps", "calls_a_method"] {
        let text = fn_text(per_iteration);
        assert!(!text.contains("__left") && !text.contains("__lo"), "{text}");
        assert!(text.contains("back_edge("), "{text}");
    }
    let computes = fn_text("computes");
    assert!(computes.contains("let mut __left: u32"), "{computes}");
    let ranges = fn_text("ranges");
    assert!(ranges.contains("for i in __lo..__end"), "{ranges}");
}

/// Issue #14: a loop whose iterations cannot reach a safe point (a leaf
/// loop) runs in chunks of `abi::LEAF_CHUNK` iterations, the back-edge
/// check after each full one, and a chunk (condition and body) reaches the `state`
/// it touches through `&mut` closure parameters (which LLVM may assume
/// nothing else writes), read once per chunk; a loop that
/// calls Aether code, or leaves early, keeps the check in every iteration
/// and the plain accesses through `ctx`. Only the slow path of the check
/// reads the addresses again.
#[test]
fn a_leaf_loop_over_state_runs_in_chunks_that_borrow_it() {
    let main = "struct P {\n    x: float\n    v: float\n}\n\nstate ps: [P] = []\nstate total: float = 0.0\n\n\
                fn nudge(p: P) -> float {\n    p.x\n}\n\n\
                fn step(dt: float) {\n    var i = 0\n    while i < ps.len() {\n        ps[i].x += ps[i].v * dt\n        \
                total += ps[i].x\n        i += 1\n    }\n}\n\n\
                fn calls() {\n    for i in 0..ps.len() {\n        total += nudge(ps[i])\n    }\n}\n\n\
                fn leaves() {\n    var i = 0\n    while i < ps.len() {\n        if ps[i].x > 1.0 {\n            break\n        \
                }\n        ps[i].x += 1.0\n        i += 1\n    }\n}\n\n\
                fn main() {\n    ps.push(P { x: 0.0, v: 1.0 })\n    step(0.5)\n    calls()\n    leaves()\n    \
                println(total)\n}\n";
    let body = module_file(main);
    let fn_text = |name: &str| fn_of(&body, name);
    let step = fn_text("step");
    assert!(step.contains("(|__state_0: &mut Vec<P>, __state_1: &mut f64| {"), "{step}");
    assert!(step.contains("(&mut *ctx.main_.ps.ptr(), &mut *ctx.main_.total.ptr())"), "{step}");
    let squeezed: String = step.split_whitespace().collect();
    assert!(squeezed.contains("elem_mut(i,&mut(*__state_0)"), "{step}");
    // One check after each full chunk, outside the closure; the condition
    // is in the chunk.
    assert_eq!(step.matches("::aether_rt::abi::back_edge(").count(), 1, "{step}");
    let (chunk, after) = step.split_once("if !__more {").unwrap_or_else(|| panic!("no chunk: {step}"));
    assert!(after.contains("back_edge("), "{step}");
    assert!(chunk.contains(&format!("let mut __left: u32 = {};", aether_rt::abi::LEAF_CHUNK)), "{step}");
    assert!(chunk.contains("while i < ((*__state_0).len() as i64)"), "{step}");
    for plain in ["calls", "leaves"] {
        let text = fn_text(plain);
        assert!(!text.contains("__state_"), "{text}");
        assert!(!text.contains("__left"), "{text}");
        assert!(text.contains("ctx.main_.ps.ptr()"), "{text}");
    }
}

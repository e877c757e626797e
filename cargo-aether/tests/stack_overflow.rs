//! A recursion too deep for the stack is an Aether runtime error: exit
//! status 101 and `error: stack overflow in `fn build`` with the function's
//! `.ae` location, in the debug, release and `--hmr` builds alike (issue
//! #11, finding 13), instead of Rust's abort (134).

use aether_test_support::{aether_cli, run_hmr, Run};
use std::fs;
use std::path::Path;
use std::process::Stdio;

/// A linked list built by a recursion 1,000,000 calls deep (a recursion the
/// optimizer cannot turn into a loop), after a line of output.
const DEEP: &str = "struct Node {\n    value: int,\n    next: Node?,\n}\n\n\
    fn build(n: int) -> Node? {\n    if n == 0 {\n        return none\n    }\n    \
    some(Node { value: n, next: build(n - 1) })\n}\n\n\
    fn main() {\n    println(\"start\")\n    if let some(list) = build(1000000) {\n        println(list.value)\n    }\n}\n";

fn deep_script() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("deep.ae"), DEEP).expect("write");
    dir
}

fn aether_run(dir: &Path, args: &[&str]) -> Run {
    let args: Vec<&str> = ["run"].into_iter().chain(args.iter().copied()).collect();
    Run::of(&mut aether_cli(env!("CARGO_BIN_EXE_cargo-aether"), dir, &dir.join("cache"), &args))
}

fn assert_overflow_reported(r: &Run) {
    assert_eq!(r.code, Some(101), "{r:?}");
    assert_eq!(r.stdout, "start\n", "{r:?}");
    let report = "error: stack overflow in `fn build`: too many nested calls (a recursion too deep, or endless)\n  \
                  --> deep.ae:6:1\n";
    assert!(r.stderr.ends_with(report), "{r:?}");
    assert!(!r.stderr.contains("has overflowed its stack"), "{r:?}");
}

#[test]
fn deep_recursion_is_a_runtime_error_naming_the_function_in_debug() {
    let dir = deep_script();
    assert_overflow_reported(&aether_run(dir.path(), &["deep.ae"]));
}

#[test]
fn deep_recursion_is_a_runtime_error_naming_the_function_in_release() {
    let dir = deep_script();
    assert_overflow_reported(&aether_run(dir.path(), &["--release", "deep.ae"]));
}

#[test]
fn deep_recursion_is_a_runtime_error_under_hot_reloading() {
    let dir = deep_script();
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &dir.path().join("deep.ae"));
    command.current_dir(dir.path()).env("AETHER_CACHE_DIR", dir.path().join("cache")).stdin(Stdio::null());
    let r = Run::of(&mut command);
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("error: stack overflow"), "{r:?}");
    // Naming the function reads the module library through
    // `/proc/self/map_files`, which needs CAP_SYS_ADMIN on some kernels.
    // (The script is named by its absolute path here.)
    let named = format!(
        "error: stack overflow in `fn build`: too many nested calls (a recursion too deep, or endless)\n  --> {}:6:1\n",
        dir.path().join("deep.ae").display()
    );
    if may_read_map_files() {
        assert!(r.stderr.contains(&named), "{r:?}");
    }
}

/// Whether this process may read `/proc/self/map_files` (how a loaded
/// module library whose file is already deleted is read).
fn may_read_map_files() -> bool {
    fs::read_dir("/proc/self/map_files")
        .is_ok_and(|mut d| d.next().and_then(Result::ok).is_some_and(|e| fs::File::open(e.path()).is_ok()))
}

/// A program that ticks until it is edited.
const TICKING: &str = "state ticks: int = 0\n\n\
    fn main() {\n    loop {\n        ticks += 1\n        println(\"tick {ticks}\")\n        sleep_ms(20)\n    }\n}\n";

/// The edit: lines above `main`, and a recursion that `main` now starts.
const DIVING: &str = "state ticks: int = 0\n\n\
    // A recursion added while the program ran: its overflow must name it\n\
    // at this line, not a location from before the edit.\n\
    fn dive(n: int) -> int {\n    if n == 0 {\n        return 0\n    }\n    1 + dive(n - 1) * 1\n}\n\n\
    fn main() {\n    println(\"diving\")\n    println(dive(100000000))\n}\n";

#[test]
fn a_recursion_added_by_a_reload_is_reported_at_its_new_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("live.ae");
    fs::write(&script, TICKING).expect("write");
    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &script);
    command.current_dir(dir.path()).env("AETHER_CACHE_DIR", dir.path().join("cache")).stdin(Stdio::null());
    let (mut child, out, err) = aether_test_support::spawn_followed(&mut command).expect("cargo-aether starts");
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(10), err.text());
    let ticked = out.wait_for(0, std::time::Duration::from_secs(600), |l| (l == "tick 3").then_some(()));
    assert!(ticked.is_some(), "{}", report("the program never ticked"));
    aether_test_support::replace_file(&script, DIVING).expect("edit");
    let dived = out.wait_for(0, std::time::Duration::from_secs(300), |l| (l == "diving").then_some(()));
    assert!(dived.is_some(), "{}", report("the edit never ran"));
    let status = child.0.wait().expect("the program ends");
    let overflow = err.wait_for(0, std::time::Duration::from_secs(30), |l| l.contains("stack overflow").then_some(()));
    assert!(overflow.is_some(), "{}", report("no stack overflow reported"));
    assert_eq!(status.code(), Some(101), "{}", report("exit status"));
    if may_read_map_files() {
        let named = format!(
            "error: stack overflow in `fn dive`: too many nested calls (a recursion too deep, or endless)\n  --> {}:5:1\n",
            script.display()
        );
        assert!(err.text().contains(&named), "{}", report("the overflow does not name `dive` at its line"));
    }
}

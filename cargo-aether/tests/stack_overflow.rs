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
    let privileged = fs::read_dir("/proc/self/map_files")
        .is_ok_and(|mut d| d.next().and_then(Result::ok).is_some_and(|e| fs::File::open(e.path()).is_ok()));
    if privileged {
        assert!(r.stderr.contains(&named), "{r:?}");
    }
}

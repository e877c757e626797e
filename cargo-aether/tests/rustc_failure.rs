//! When rustc rejects generated code (always an Aether bug: the checker
//! accepted the program), the report names the `.ae` items whose Rust it
//! rejected, with their `.ae` locations, not only the files. A stand-in for
//! cargo fails the way rustc would, pointing at lines inside chosen
//! generated items.

use aether_test_support::Run;
use std::fs;
use std::process::Command;

const MAIN: &str = "import physics\n\nfn main() {\n    let b = physics.Body { y: 10.0 }\n    println(b.fall(0.5))\n}\n";
const PHYSICS: &str = "pub struct Body {\n    y: float,\n}\n\n\
    pub fn gravity() -> float {\n    9.81\n}\n\n\
    pub fn Body.fall(self, dt: float) -> float {\n    self.y - gravity() * dt\n}\n\n\
    test \"falls\" {\n    assert(Body { y: 1.0 }.fall(0.0) == 1.0)\n}\n";

/// A cargo that reports one rustc error per `PATTERN` given in
/// `$FAKE_RUSTC_AT` (`file:pattern;...`): at the line after the first line
/// of the generated file matching the pattern.
const FAKE_CARGO: &str = r#"#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --manifest-path ] && m="$2"; shift; done
d="$(dirname "$m")"
echo "$FAKE_RUSTC_AT" | tr ';' '\n' | while IFS=: read -r file pattern; do
  l=$(grep -n -- "$pattern" "$d/$file" | head -1 | cut -d: -f1)
  l=$((l + 1))
  printf '{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0308]: mismatched types (fake)\\n","spans":[{"file_name":"%s","line_start":%s,"is_primary":true}]}}\n' "$file" "$l"
done
exit 101
"#;

fn build_with_fake_rustc(at: &str) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = dir.path().join("fake-cargo");
    fs::write(&fake, FAKE_CARGO).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    fs::write(dir.path().join("main.ae"), MAIN).expect("write");
    fs::write(dir.path().join("physics.ae"), PHYSICS).expect("write");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-aether"));
    command
        .args(["aether", "build", "main.ae"])
        .current_dir(dir.path())
        .env("CARGO", &fake)
        .env("FAKE_RUSTC_AT", at)
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .env("AETHER_CACHE_DIR", dir.path().join("cache"));
    Run::of(&mut command)
}

#[test]
fn the_report_names_the_ae_function_and_method_rustc_rejected() {
    let r = build_with_fake_rustc("src/physics.rs:pub fn gravity;src/physics.rs:pub fn fall");
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("error[E0308]: mismatched types (fake)"), "rustc's words are shown: {r:?}");
    assert!(r.stderr.contains("this is a bug in Aether, not in your program"), "{r:?}");
    assert!(r.stderr.contains("= note: rustc rejected the code generated for `fn gravity` at physics.ae:5:1"), "{r:?}");
    assert!(
        r.stderr.contains("= note: rustc rejected the code generated for `fn Body.fall` at physics.ae:9:1"),
        "{r:?}"
    );
}

#[test]
fn the_report_names_test_blocks_types_and_the_entry_module() {
    let r =
        build_with_fake_rustc("src/physics.rs:fn test_1_falls;src/physics.rs:pub struct Body;src/main_.rs:pub fn main");
    assert_eq!(r.code, Some(101), "{r:?}");
    assert!(r.stderr.contains("rustc rejected the code generated for test \"falls\" at physics.ae:13:1"), "{r:?}");
    assert!(r.stderr.contains("rustc rejected the code generated for `struct Body` at physics.ae:1:1"), "{r:?}");
    assert!(r.stderr.contains("rustc rejected the code generated for `fn main` at main.ae:3:1"), "{r:?}");
}

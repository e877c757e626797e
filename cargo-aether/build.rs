//! Embeds the runtime's sources in the tool, so an installed `aether` builds
//! programs with nothing but itself and the package registries (the clone
//! it was installed from may be gone). `src/runtime.rs` writes them out on
//! first use.
//!
//! What is embedded: `aether-rt` (what every generated crate links),
//! `aether-transpile` and `aether-build` (what a project's `build.rs` runs
//! for plain `cargo build`), each one's `src/` (without snapshots) and its
//! `Cargo.toml`, rewritten to stand alone: fields inherited from the
//! workspace become concrete, dev-dependencies, tests and lints (which need
//! the workspace) go; the workspace's `Cargo.lock`, so the runtime's
//! dependencies resolve to the versions the repository tests; and
//! `docs/language.md`, which `aether-transpile` compiles in.
//!
//! Output: `$OUT_DIR/runtime_files.rs`, with `FILES` (path in the runtime
//! directory, contents) and `HASH` (of all of it, naming the directory).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CRATES: &[&str] = &["aether-rt", "aether-transpile", "aether-build"];

fn main() {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let repo = here.parent().expect("cargo-aether sits in the repository").to_path_buf();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let workspace = read_toml(&repo.join("Cargo.toml"));
    println!("cargo::rerun-if-changed={}", repo.join("Cargo.toml").display());
    println!("cargo::rerun-if-changed={}", repo.join("Cargo.lock").display());

    // (path in the runtime directory, contents)
    let mut files: Vec<(String, String)> = Vec::new();
    for name in CRATES {
        let dir = repo.join(name);
        println!("cargo::rerun-if-changed={}", dir.join("Cargo.toml").display());
        println!("cargo::rerun-if-changed={}", dir.join("src").display());
        files.push((format!("{name}/Cargo.toml"), standalone_manifest(&dir.join("Cargo.toml"), &workspace)));
        let mut sources = Vec::new();
        collect(&dir.join("src"), &mut sources);
        sources.sort();
        for path in sources {
            let rel = path.strip_prefix(&dir).expect("under the crate").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            files.push((format!("{name}/{rel}"), text));
        }
    }
    let lock = std::fs::read_to_string(repo.join("Cargo.lock")).expect("the workspace's Cargo.lock");
    files.push(("Cargo.lock".into(), lock));
    // The language reference, which aether-transpile's hovers quote
    // (`include_str!("../../../docs/language.md")` from `src/ide/`).
    let reference = repo.join("docs/language.md");
    println!("cargo::rerun-if-changed={}", reference.display());
    files.push(("docs/language.md".into(), std::fs::read_to_string(&reference).expect("docs/language.md")));

    // FNV-1a, the project's one hash (aether-rt's `abi::fingerprint`),
    // written out here because a build script cannot use the crate it is
    // building for, and aether-rt as a build-dependency would build it twice.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, text) in &files {
        for byte in path.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }

    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for (i, (path, text)) in files.iter().enumerate() {
        // Through files in OUT_DIR, not string literals: the rewritten
        // manifests exist only there, and include_str! keeps the build
        // script's output small.
        let copy = out.join(format!("runtime-{i}"));
        write_if_changed(&copy, text);
        writeln!(code, "    ({path:?}, include_str!({:?})),", copy.display().to_string()).expect("write to String");
    }
    code.push_str("];\n");
    writeln!(code, "pub const HASH: &str = \"{hash:016x}\";").expect("write to String");
    write_if_changed(&out.join("runtime_files.rs"), &code);
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            // Insta's snapshots are test data, not code.
            if path.file_name().is_some_and(|n| n != "snapshots") {
                collect(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

fn read_toml(path: &Path) -> toml_edit::DocumentMut {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A crate's manifest without the workspace: `x.workspace = true` replaced
/// by the workspace's value, workspace path dependencies pointing at the
/// sibling directory of the runtime.
fn standalone_manifest(path: &Path, workspace: &toml_edit::DocumentMut) -> String {
    use toml_edit::{Item, Table, Value};
    let mut doc = read_toml(path);
    let ws = &workspace["workspace"];
    if let Some(package) = doc.get_mut("package").and_then(Item::as_table_mut) {
        let keys: Vec<String> = package.iter().map(|(k, _)| k.to_string()).collect();
        for key in keys {
            if inherits(&package[&key]) {
                package[&key] = ws["package"][&key].clone();
            }
        }
        package["publish"] = toml_edit::value(false);
    }
    for section in ["dev-dependencies", "test", "lints", "bench", "example"] {
        doc.remove(section);
    }
    // Of the workspace's lints, the one a build of the copy needs: the cfg
    // `run --hmr` sets with a shared std is declared, so no build warns of it.
    let lints: toml_edit::DocumentMut =
        "[lints.rust]\nunexpected_cfgs = { level = \"warn\", check-cfg = [\"cfg(aether_shared_std)\"] }\n"
            .parse()
            .expect("valid TOML");
    doc["lints"] = lints["lints"].clone();
    let fix = |deps: &mut Table| {
        let names: Vec<String> = deps.iter().map(|(k, _)| k.to_string()).collect();
        for name in names {
            if !inherits(&deps[&name]) {
                continue;
            }
            let mut resolved = match &ws["dependencies"][&name] {
                Item::Value(Value::String(v)) => {
                    let mut t = toml_edit::InlineTable::new();
                    t.insert("version", Value::from(v.value().as_str()));
                    t
                }
                Item::Value(Value::InlineTable(t)) => t.clone(),
                other => panic!("workspace dependency `{name}`: unexpected {other:?}"),
            };
            if let Some(p) = resolved.get("path").and_then(Value::as_str) {
                let sibling = format!("../{p}");
                resolved.insert("path", Value::from(sibling));
            }
            // Keys given beside `workspace = true` (features, optional).
            if let Some(own) = deps[&name].as_table_like() {
                for (k, v) in own.iter() {
                    if k == "workspace" {
                        continue;
                    }
                    if let Some(v) = v.as_value() {
                        if k == "features" {
                            let mut all =
                                resolved.get("features").and_then(Value::as_array).cloned().unwrap_or_default();
                            for f in v.as_array().into_iter().flatten() {
                                all.push(f.clone());
                            }
                            resolved.insert("features", Value::Array(all));
                        } else {
                            resolved.insert(k, v.clone());
                        }
                    }
                }
            }
            deps[&name] = Item::Value(Value::InlineTable(resolved));
        }
    };
    if let Some(t) = doc.get_mut("dependencies").and_then(Item::as_table_mut) {
        fix(t);
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_mut) {
        for (_, target) in targets.iter_mut() {
            if let Some(t) = target.get_mut("dependencies").and_then(Item::as_table_mut) {
                fix(t);
            }
        }
    }
    let mut text = String::from("# Written by cargo-aether from the Aether repository; do not edit.\n");
    text.push_str(&doc.to_string());
    // Not part of any workspace the directory happens to sit in.
    text.push_str("\n[workspace]\n");
    text
}

/// `x.workspace = true` or `x = { workspace = true, ... }`.
fn inherits(item: &toml_edit::Item) -> bool {
    item.as_table_like().and_then(|t| t.get("workspace")).and_then(toml_edit::Item::as_bool) == Some(true)
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

//! The crates a pure Aether program uses through `extern fn`: read from the
//! project's `[dependencies]` (through `cargo metadata`, so `cargo add`,
//! renames, features, paths, git and workspace inheritance all work) or
//! from a script's `---cargo` frontmatter, and written into the manifest of
//! every generated crate that links them (the static crate, or the `--hmr`
//! host, which reaches them for the module libraries through its table).
//!
//! The checker learns the crates' names from here
//! ([`aether_transpile::driver::Input::with_crates`]): an `extern fn` whose
//! path starts with another crate is E0108 before anything is built.

use crate::Error;
use aether_transpile::frontmatter;
use std::path::Path;

/// Dependencies of a program: `key = value` lines of a `[dependencies]`
/// table, each value an inline TOML value with absolute paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    entries: Vec<(String, String)>,
}

/// The runtime and the build crate are the tool's, never the program's
/// (a project's manifest may list them for its build script).
const OWN: &[&str] = &["aether-rt", "aether-build", "aether-transpile"];

impl Deps {
    /// The normal dependencies of a package, as cargo read them. Optional
    /// and platform-specific ones are left out: a program has no features
    /// to turn them on, and no cfg to choose them.
    pub fn of_package(package: &cargo_metadata::Package) -> Deps {
        let mut entries = Vec::new();
        for d in &package.dependencies {
            if d.kind != cargo_metadata::DependencyKind::Normal
                || d.optional
                || d.target.is_some()
                || OWN.contains(&d.name.as_str())
            {
                continue;
            }
            let mut fields: Vec<String> = Vec::new();
            let key = d.rename.clone().unwrap_or_else(|| d.name.clone());
            if d.rename.is_some() {
                fields.push(format!("package = {}", quoted(&d.name)));
            }
            let req = d.req.to_string();
            let local = d.path.is_some() || d.source.as_ref().is_some_and(|s| s.repr.starts_with("git+"));
            if !(local && req == "*") {
                fields.push(format!("version = {}", quoted(&req)));
            }
            if let Some(path) = &d.path {
                fields.push(format!("path = {}", quoted(path.as_str())));
            }
            if let Some(git) = d.source.as_ref().and_then(|s| s.repr.strip_prefix("git+")) {
                let (url, query) = git.split_once('?').unwrap_or((git, ""));
                fields.push(format!("git = {}", quoted(url.split('#').next().unwrap_or(url))));
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    if let Some((k @ ("branch" | "tag" | "rev"), v)) = pair.split_once('=') {
                        fields.push(format!("{k} = {}", quoted(v.split('#').next().unwrap_or(v))));
                    }
                }
            }
            if let Some(registry) = &d.registry {
                fields.push(format!("registry = {}", quoted(registry)));
            }
            if !d.uses_default_features {
                fields.push("default-features = false".to_string());
            }
            if !d.features.is_empty() {
                let features: Vec<String> = d.features.iter().map(|f| quoted(f)).collect();
                fields.push(format!("features = [{}]", features.join(", ")));
            }
            entries.push((key, format!("{{ {} }}", fields.join(", "))));
        }
        Deps { entries }
    }

    /// The `[dependencies]` of a script's frontmatter (none without one).
    /// A malformed block is the lexer's E0014; here only its TOML can be
    /// wrong, reported with the file's line and column.
    pub fn of_script(file: &Path) -> Result<Deps, Error> {
        let Ok(text) = std::fs::read_to_string(file) else { return Ok(Deps::default()) };
        let Ok(Some(fm)) = frontmatter::find(&text) else { return Ok(Deps::default()) };
        let bad = |at: usize, why: &str| {
            let before = &text[..(fm.body_start + at).min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
            Error::usage(format!(
                "{}:{line}:{col}: invalid frontmatter (E0014): {why}; it holds the script's Cargo manifest, e.g. \
                 `[dependencies]` then `itoa = \"1\"`",
                file.display()
            ))
        };
        let doc: toml_edit::DocumentMut = fm.body.parse().map_err(|e: toml_edit::TomlError| {
            bad(e.span().map_or(0, |s| s.start), e.message().trim_end_matches('\n'))
        })?;
        let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut entries = Vec::new();
        for (key, item) in doc.iter() {
            if key != "dependencies" {
                let at = doc.as_table().key(key).and_then(|k| k.span()).map_or(0, |s| s.start);
                return Err(bad(at, &format!("`{key}` is not read from a script; only `[dependencies]` is")));
            }
            let Some(table) = item.as_table_like() else {
                return Err(bad(item.span().map_or(0, |s| s.start), "`dependencies` must be a table"));
            };
            for (name, dep) in table.iter() {
                let mut value = match dep.clone().into_value() {
                    Ok(v) => v,
                    Err(_) => return Err(bad(dep.span().map_or(0, |s| s.start), &format!("`{name}` is not a value"))),
                };
                // A path is relative to the script, not to the generated crate.
                if let Some(t) = value.as_inline_table_mut() {
                    if let Some(path) = t.get("path").and_then(|p| p.as_str()).map(Path::new) {
                        if path.is_relative() {
                            let absolute = dir.join(path).to_string_lossy().replace('\\', "/");
                            t.insert("path", absolute.as_str().into());
                        }
                    }
                }
                value.decor_mut().clear();
                entries.push((name.to_string(), value.to_string().trim().to_string()));
            }
        }
        Ok(Deps { entries })
    }

    /// The crates by the names Rust code uses: `serde_json` for `serde-json`.
    pub fn crate_names(&self) -> Vec<String> {
        self.entries.iter().map(|(k, _)| k.replace('-', "_")).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `manifest` (a generated crate's `Cargo.toml`, whose `[dependencies]`
/// table holds the runtime) with `deps` added to that table.
pub fn add_to_manifest(manifest: &str, deps: &Deps) -> String {
    if deps.is_empty() {
        return manifest.to_string();
    }
    let lines: String = deps.entries.iter().map(|(k, v)| format!("{} = {v}\n", quoted_key(k))).collect();
    let header = "[dependencies]\n";
    match manifest.find(header) {
        Some(at) => {
            let at = at + header.len();
            format!("{}{lines}{}", &manifest[..at], &manifest[at..])
        }
        None => format!("{manifest}\n{header}{lines}"),
    }
}

/// After cargo failed to build a generated crate (or workspace) without a
/// word from rustc: whether what failed is resolving or downloading the
/// program's dependencies (a crate that does not exist, a version that
/// does not, no network for a first download), as `cargo fetch` of the
/// same manifest tells. `Some(message)` for the error: what failed,
/// cargo's own words and what to do.
pub fn unfetchable(manifest: &Path) -> Option<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(manifest)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if out.status.success() {
        return None;
    }
    let said = String::from_utf8_lossy(&out.stderr);
    // From cargo's first error on: what it was doing before is progress.
    let said = said.find("error").map_or(&*said, |at| &said[at..]);
    let said: String = said.trim_end().lines().map(|l| format!("\n    {l}")).collect();
    Some(format!(
        "cargo could not resolve or download the program's dependencies\n  = note: cargo said:{said}\n  = help: check \
         the crates' names and versions under `[dependencies]` (a script: in its `---cargo` frontmatter); with no \
         network, cargo can use only crates it has downloaded before"
    ))
}

fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// A bare key when TOML allows it (crate names always do).
fn quoted_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        k.to_string()
    } else {
        quoted(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(text: &str) -> Result<Deps, Error> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.ae");
        std::fs::write(&file, text).unwrap();
        Deps::of_script(&file)
    }

    #[test]
    fn a_scripts_dependencies_come_from_its_frontmatter() {
        let deps = script(
            "#!/usr/bin/env aether\n---cargo\n[dependencies]\nitoa = \"1\"\nserde-json = { version = \"1\", \
             default-features = false }\n---\nfn main() {}\n",
        )
        .unwrap();
        assert_eq!(deps.crate_names(), ["itoa", "serde_json"]);
        let manifest = add_to_manifest("[package]\nname = \"x\"\n\n[dependencies]\naether-rt = \"1\"\n", &deps);
        assert_eq!(
            manifest,
            "[package]\nname = \"x\"\n\n[dependencies]\nitoa = \"1\"\nserde-json = { version = \"1\", \
             default-features = false }\naether-rt = \"1\"\n"
        );
        assert!(script("fn main() {}\n").unwrap().is_empty());
    }

    #[test]
    fn bad_frontmatter_names_its_line() {
        let err = script("---cargo\n[dependencies]\nitoa = 1.0.0\n---\n").unwrap_err().to_string();
        assert!(err.contains("s.ae:3:") && err.contains("E0014"), "{err}");
        let err = script("---cargo\n[package]\nname = \"x\"\n---\n").unwrap_err().to_string();
        assert!(err.contains("s.ae:2:") && err.contains("only `[dependencies]`"), "{err}");
    }

    #[test]
    fn relative_paths_are_made_absolute() {
        let deps = script("---\n[dependencies]\nmine = { path = \"../mine\" }\n---\n").unwrap();
        let (_, value) = &deps.entries[0];
        assert!(value.starts_with("{ path = \"/") && value.ends_with("/../mine\" }"), "{value}");
    }
}

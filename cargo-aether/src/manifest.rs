//! Reading an Aether project's `Cargo.toml`: the package name and the
//! `[package.metadata.aether]` settings.
//!
//! ```toml
//! [package.metadata.aether]
//! src = "src"           # source root, relative to the package root
//! entry = "main.ae"     # entry module, relative to `src`
//! hmr-exclude = []      # files never hot-reloaded (used by a later milestone)
//! ```

use crate::Error;
use cargo_metadata::MetadataCommand;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A parsed project manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub name: String,
    /// The directory holding `Cargo.toml`, as the user named it.
    pub root: PathBuf,
    pub settings: AetherSettings,
    /// A Rust crate that compiles `.ae` files in from its `build.rs` (it has
    /// `aether-build` as a build-dependency): `run` builds it with cargo.
    pub rust_host: bool,
    /// The crates a pure Aether program may bind `extern fn`s to.
    pub deps: crate::deps::Deps,
    /// A project made before projects were Cargo packages (its `[[bin]]` is
    /// `target/aether/main.rs`): `aether` builds it, plain `cargo build`
    /// cannot (docs/cli.md says how to move it to the new layout).
    pub old_layout: bool,
}

/// `[package.metadata.aether]`, with defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AetherSettings {
    pub src: PathBuf,
    pub entry: PathBuf,
    /// Paths relative to the package root. Validated now, used by hot reloading.
    pub hmr_exclude: Vec<PathBuf>,
}

impl Default for AetherSettings {
    fn default() -> AetherSettings {
        AetherSettings { src: PathBuf::from("src"), entry: PathBuf::from("main.ae"), hmr_exclude: Vec::new() }
    }
}

/// Read the manifest at `manifest_path` through `cargo metadata`, so that
/// everything Cargo accepts (workspace inheritance, ...) works here too.
pub fn read(manifest_path: &Path) -> Result<Manifest, Error> {
    let shown = manifest_path.display();
    let metadata = MetadataCommand::new().manifest_path(manifest_path).no_deps().exec().map_err(|e| match e {
        // Cargo read the manifest and rejected it: the user's to fix.
        cargo_metadata::Error::CargoMetadata { stderr } => {
            Error::usage(format!("could not read manifest `{shown}`: {}", cargo_error_sentence(&stderr)))
        }
        // Cargo could not be run, or said something unreadable.
        other => Error::environment(format!("could not read manifest `{shown}`: {other}")),
    })?;
    let wanted = canonical(manifest_path);
    let package =
        metadata.packages.iter().find(|p| canonical(p.manifest_path.as_std_path()) == wanted).ok_or_else(|| {
            Error::usage(format!("`{shown}` has no `[package]`; point at the package's directory instead"))
        })?;
    let settings = parse_settings(package.metadata.get("aether"))
        .map_err(|reason| Error::usage(format!("invalid `[package.metadata.aether]` in `{shown}`: {reason}")))?;
    let root = match manifest_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // An Aether project has `[package.metadata.aether]` (and, made by `aether
    // new`, `aether-build` too, for plain `cargo build`); a Rust crate that
    // compiles `.ae` modules in has only `aether-build`.
    let aether_table = package.metadata.get("aether").is_some_and(|t| !t.is_null());
    let rust_host = !aether_table
        && package
            .dependencies
            .iter()
            .any(|d| d.name == "aether-build" && d.kind == cargo_metadata::DependencyKind::Build);
    // Before projects were Cargo packages, their binary was a placeholder
    // path cargo could not build.
    let old_layout = package.targets.iter().any(|t| t.src_path.as_std_path().ends_with("target/aether/main.rs"));
    let deps = crate::deps::Deps::of_package(package);
    Ok(Manifest { name: package.name.to_string(), root, settings, rust_host, deps, old_layout })
}

/// Validate the `[package.metadata.aether]` table (`None` when absent).
/// The error is a clause completing "invalid `[package.metadata.aether]`: ...".
pub fn parse_settings(table: Option<&Value>) -> Result<AetherSettings, String> {
    let mut settings = AetherSettings::default();
    let table = match table {
        None | Some(Value::Null) => return Ok(settings),
        Some(Value::Object(table)) => table,
        Some(other) => return Err(format!("expected a table, found {}", kind(other))),
    };
    for (key, value) in table {
        match key.as_str() {
            "src" => settings.src = relative_path(key, value)?,
            "entry" => {
                let entry = relative_path(key, value)?;
                if entry.extension() != Some(std::ffi::OsStr::new("ae")) {
                    return Err(format!("`entry` must name an `.ae` file, found `{}`", entry.display()));
                }
                settings.entry = entry;
            }
            "hmr-exclude" => {
                let Value::Array(items) = value else {
                    return Err(format!("`hmr-exclude` must be a list of paths, found {}", kind(value)));
                };
                settings.hmr_exclude = items
                    .iter()
                    .map(|item| match item {
                        Value::String(s) if !s.is_empty() => Ok(PathBuf::from(s)),
                        _ => {
                            Err(format!("`hmr-exclude` must be a list of paths, found an item that is {}", kind(item)))
                        }
                    })
                    .collect::<Result<_, _>>()?;
            }
            _ => {
                let hint = match closest_key(key) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => {
                        format!("the keys are {}", KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                    }
                };
                return Err(format!("unknown key `{key}` ({hint})"));
            }
        }
    }
    Ok(settings)
}

const KEYS: &[&str] = &["src", "entry", "hmr-exclude"];

fn relative_path(key: &str, value: &Value) -> Result<PathBuf, String> {
    match value {
        Value::String(s) if !s.is_empty() && !Path::new(s).is_absolute() => Ok(PathBuf::from(s)),
        Value::String(s) if s.is_empty() => Err(format!("`{key}` must not be empty")),
        Value::String(s) => Err(format!("`{key}` must be a relative path, found `{s}`")),
        other => Err(format!("`{key}` must be a string, found {}", kind(other))),
    }
}

/// Describe a TOML value (as JSON from cargo) for an error message.
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a table".into(),
    }
}

/// A known key within two edits of `key` (a typo like `entri`).
fn closest_key(key: &str) -> Option<&'static str> {
    KEYS.iter().copied().filter(|k| strsim::levenshtein(k, key) <= 2).min_by_key(|k| strsim::levenshtein(k, key))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Cargo's error output is several lines (`error: ...`, a source excerpt,
/// `Caused by:` sections); keep the first error line and the innermost
/// cause, with the `--> file:line:col` location if there is one.
fn cargo_error_sentence(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let first = lines.iter().find_map(|l| l.strip_prefix("error:")).map(str::trim);
    let cause = lines
        .iter()
        .position(|l| *l == "Caused by:")
        .and_then(|_| lines.iter().rev().find(|l| !is_excerpt(l) && **l != "Caused by:"))
        .copied();
    let location = lines.iter().find_map(|l| l.strip_prefix("-->")).map(str::trim);
    let mut sentence = match (first, cause) {
        (Some(f), Some(c)) if f != c => format!("{f}: {c}"),
        (Some(f), _) => f.to_string(),
        (None, Some(c)) => c.to_string(),
        (None, None) => lines.first().copied().unwrap_or("`cargo metadata` failed").to_string(),
    };
    if let Some(loc) = location {
        sentence.push_str(&format!(" (at {loc})"));
    }
    sentence
}

/// A line of a source excerpt: `|`, `3 | version=`, `--> Cargo.toml:3:9`.
fn is_excerpt(line: &str) -> bool {
    line.starts_with("-->")
        || line.split_once('|').is_some_and(|(gutter, _)| gutter.trim().chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_table_gives_defaults() {
        assert_eq!(parse_settings(None), Ok(AetherSettings::default()));
        assert_eq!(parse_settings(Some(&Value::Null)), Ok(AetherSettings::default()));
    }

    #[test]
    fn all_keys_are_read() {
        let v = json!({"src": "lib", "entry": "app.ae", "hmr-exclude": ["lib/gpu.ae"]});
        assert_eq!(
            parse_settings(Some(&v)),
            Ok(AetherSettings {
                src: PathBuf::from("lib"),
                entry: PathBuf::from("app.ae"),
                hmr_exclude: vec![PathBuf::from("lib/gpu.ae")],
            })
        );
    }

    #[test]
    fn bad_values_are_rejected_with_a_reason() {
        let cases = [
            (json!(3), "expected a table, found the number `3`"),
            (json!({"src": 1}), "`src` must be a string, found the number `1`"),
            (json!({"src": ""}), "`src` must not be empty"),
            (json!({"src": "/abs"}), "`src` must be a relative path, found `/abs`"),
            (json!({"entry": "main.rs"}), "`entry` must name an `.ae` file, found `main.rs`"),
            (json!({"hmr-exclude": "a.ae"}), "`hmr-exclude` must be a list of paths, found the string `a.ae`"),
            (
                json!({"hmr-exclude": ["a.ae", 2]}),
                "`hmr-exclude` must be a list of paths, found an item that is the number `2`",
            ),
            (json!({"entri": "main.ae"}), "unknown key `entri` (did you mean `entry`?)"),
            (json!({"zzzzzz": 1}), "unknown key `zzzzzz` (the keys are `src`, `entry`, `hmr-exclude`)"),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_settings(Some(&value)), Err(expected.to_string()), "{value}");
        }
    }

    #[test]
    fn cargo_errors_become_one_sentence() {
        let stderr = "error: string values must be quoted, expected literal string\n --> Cargo.toml:3:9\n  |\n3 | version=\n  |         ^\n";
        assert_eq!(
            cargo_error_sentence(stderr),
            "string values must be quoted, expected literal string (at Cargo.toml:3:9)"
        );
        let stderr = "error: failed to parse manifest at `/p/Cargo.toml`\n\nCaused by:\n  missing field `name`\n";
        assert_eq!(cargo_error_sentence(stderr), "failed to parse manifest at `/p/Cargo.toml`: missing field `name`");
        let stderr = "error: failed to parse manifest at `/p/Cargo.toml`\n\nCaused by:\n  TOML parse error at line 3, column 9\n    |\n  3 | version=\n    |         ^\n  string values must be quoted\n";
        assert_eq!(
            cargo_error_sentence(stderr),
            "failed to parse manifest at `/p/Cargo.toml`: string values must be quoted"
        );
    }
}

//! The runtime this tool carries: the sources of `aether-rt`,
//! `aether-transpile` and `aether-build`, embedded at build time
//! (`cargo-aether/build.rs`) and written out on first use, so generated
//! crates (and the `build.rs` of a project, for plain `cargo build`) build
//! with nothing but the installed binary and the package registries.
//!
//! The directory is `<base>/aether-<version>-<hash>/` (`aether-rt/`,
//! `aether-transpile/`, `aether-build/`, `Cargo.lock`), the hash that of
//! everything embedded: a tool built from other sources writes another
//! directory, never over one in use. `<base>` is
//! `$CARGO_TARGET_DIR/aether-runtime` when that is set (so builds sharing a
//! target directory share one runtime, compiled once), else `runtime/` in
//! the user cache (`build::cache_dir`).
//!
//! A directory is written whole under a temporary name and renamed into
//! place, and checked on every use (each file there, with its length): a
//! missing or damaged runtime is rewritten, and one that cannot be written is
//! reported as what it is.

use crate::Error;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));
}

/// The runtime, written out and checked.
#[derive(Clone, Debug)]
pub struct Runtime {
    dir: PathBuf,
}

impl Runtime {
    /// The runtime for builds whose cargo target directory is decided by the
    /// environment (see the module's comment), written out if needed.
    pub fn ensure() -> Result<Runtime, Error> {
        Runtime::ensure_in(&base()?)
    }

    /// The runtime under `base`, written out if it is missing or damaged.
    pub fn ensure_in(base: &Path) -> Result<Runtime, Error> {
        let dir = base.join(dir_name());
        let runtime = Runtime { dir };
        if runtime.damage().is_none() {
            return Ok(runtime);
        }
        runtime.write().map_err(|e| {
            Error::environment(format!(
                "cannot write the Aether runtime to `{}`: {e} (set AETHER_CACHE_DIR or CARGO_TARGET_DIR to a writable directory)",
                runtime.dir.display()
            ))
        })?;
        Ok(runtime)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `aether-rt` crate generated code depends on.
    pub fn rt(&self) -> PathBuf {
        self.dir.join("aether-rt")
    }

    /// The `aether-build` crate a project's `build.rs` uses.
    pub fn build_crate(&self) -> PathBuf {
        self.dir.join("aether-build")
    }

    /// The lock file the runtime was tested with, to start a generated
    /// crate's from.
    pub fn lock_file(&self) -> PathBuf {
        self.dir.join("Cargo.lock")
    }

    /// What is wrong with the directory, if anything: the first file that is
    /// missing or not what this tool carries (compared by length: cheap, and
    /// what a truncated or half-deleted copy shows).
    pub fn damage(&self) -> Option<String> {
        for (rel, text) in embedded::FILES {
            let path = self.dir.join(rel);
            match path.metadata() {
                Ok(m) if m.len() == text.len() as u64 => {}
                Ok(_) => return Some(format!("`{}` has been changed", path.display())),
                Err(_) => return Some(format!("`{}` is missing", path.display())),
            }
        }
        None
    }

    fn write(&self) -> std::io::Result<()> {
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        // One writer at a time (builds run in parallel: tests, several
        // terminals). Without the lock, a second writer that found the
        // directory missing would move aside, and delete, the whole copy the
        // first just put in place while the first's build reads it. The lock
        // is released when the file is closed, also when the process dies.
        let lock = std::fs::File::create(parent.join(format!(".{}.lock", dir_name())))?;
        lock.lock()?;
        if self.damage().is_none() {
            // Another process wrote it while this one waited.
            return Ok(());
        }
        // Whole, then renamed: another process sees no runtime or all of it.
        let partial = parent.join(format!(".{}.{}.partial", dir_name(), std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        for (rel, text) in embedded::FILES {
            let path = partial.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, text)?;
        }
        if self.dir.exists() {
            // Damaged: moved aside, not deleted, in case a build is reading it.
            let aside = parent.join(format!(".{}.{}.damaged", dir_name(), std::process::id()));
            let _ = std::fs::rename(&self.dir, &aside);
            let _ = std::fs::remove_dir_all(&aside);
        }
        std::fs::rename(&partial, &self.dir)
    }
}

/// A project made by `aether new` names the runtime directory of the tool
/// that made it. When that directory is gone (the cache was cleared, the tool
/// upgraded and the old runtime removed), point the project's `aether-rt`
/// and `aether-build` at this runtime, so plain `cargo build` works again.
/// Paths that still exist are left alone (another installed tool may own
/// them), and so is any path that is not a runtime directory. Returns whether
/// the manifest was changed.
pub fn repoint_project(manifest_path: &Path, runtime: &Runtime) -> Result<bool, Error> {
    let Ok(text) = std::fs::read_to_string(manifest_path) else { return Ok(false) };
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else { return Ok(false) };
    let mut changed = false;
    for (table, name) in [("dependencies", "aether-rt"), ("build-dependencies", "aether-build")] {
        let Some(dep) = doc.get_mut(table).and_then(|t| t.get_mut(name)).and_then(|d| d.as_table_like_mut()) else {
            continue;
        };
        let Some(old) = dep.get("path").and_then(|p| p.as_str()).map(PathBuf::from) else { continue };
        let is_runtime = old.file_name().is_some_and(|n| n == name)
            && old.parent().and_then(Path::file_name).is_some_and(|n| n.to_string_lossy().starts_with("aether-"));
        if !is_runtime || old.join("Cargo.toml").is_file() {
            continue;
        }
        let new = runtime.dir().join(name).to_string_lossy().replace('\\', "/");
        dep.insert("path", toml_edit::value(new));
        changed = true;
    }
    if changed {
        std::fs::write(manifest_path, doc.to_string()).map_err(|e| {
            Error::environment(format!("cannot update the runtime's path in `{}`: {e}", manifest_path.display()))
        })?;
        crate::status(&format!(
            "     Updated {}: its runtime directory was gone; it names {} now",
            manifest_path.display(),
            runtime.dir().display()
        ));
    }
    Ok(changed)
}

/// `aether-<version>-<hash>`.
pub fn dir_name() -> String {
    format!("aether-{}-{}", env!("CARGO_PKG_VERSION"), embedded::HASH)
}

/// Where runtimes are written: see the module's comment.
fn base() -> Result<PathBuf, Error> {
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        // Absolute: manifests name it, and are read from other directories.
        let target = std::path::absolute(PathBuf::from(target))
            .map_err(|e| Error::environment(format!("cannot make CARGO_TARGET_DIR absolute: {e}")))?;
        return Ok(target.join("aether-runtime"));
    }
    crate::build::cache_dir().map(|c| c.join("runtime")).ok_or_else(|| {
        Error::environment(
            "cannot find a cache directory for the Aether runtime; set AETHER_CACHE_DIR to a writable directory",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_naming_a_runtime_that_is_gone_is_repointed() {
        let base = tempfile::tempdir().expect("tempdir");
        let rt = Runtime::ensure_in(base.path()).expect("written");
        let manifest = base.path().join("Cargo.toml");
        let text = "[package]\nname = \"p\"\n\n[dependencies]\naether-rt = { path = \"/gone/runtime/aether-0.1.0-0/aether-rt\" }\n\
                    other = { path = \"/gone/other\" }\n\n[build-dependencies]\naether-build = { path = \"/gone/runtime/aether-0.1.0-0/aether-build\" }\n";
        std::fs::write(&manifest, text).expect("write");
        assert!(repoint_project(&manifest, &rt).expect("updated"));
        let now = std::fs::read_to_string(&manifest).expect("read");
        assert!(now.contains(&format!("aether-rt = {{ path = \"{}\" }}", rt.rt().display())), "{now}");
        assert!(now.contains(&format!("aether-build = {{ path = \"{}\" }}", rt.build_crate().display())), "{now}");
        assert!(now.contains("other = { path = \"/gone/other\" }"), "{now}");
        // Now it exists: left alone.
        assert!(!repoint_project(&manifest, &rt).expect("read"));
    }

    /// Builds started together (parallel tests, two terminals) all find the
    /// runtime missing: the one that writes it second must not take away the
    /// copy the first is already building from.
    #[test]
    fn writers_started_together_never_take_away_a_copy_in_use() {
        for _ in 0..5 {
            let base = tempfile::tempdir().expect("tempdir");
            let writers: Vec<_> = (0..6)
                .map(|_| {
                    let base = base.path().to_path_buf();
                    std::thread::spawn(move || {
                        let rt = Runtime::ensure_in(&base).expect("written");
                        // A build reading it right after.
                        (0..20).find_map(|_| rt.damage())
                    })
                })
                .collect();
            for writer in writers {
                assert_eq!(writer.join().expect("no panic"), None);
            }
        }
    }

    #[test]
    fn the_runtime_is_written_checked_and_repaired() {
        let base = tempfile::tempdir().expect("tempdir");
        let rt = Runtime::ensure_in(base.path()).expect("written");
        assert!(rt.dir().ends_with(dir_name()));
        assert!(rt.rt().join("src/lib.rs").is_file());
        assert!(rt.build_crate().join("Cargo.toml").is_file());
        let manifest = std::fs::read_to_string(rt.rt().join("Cargo.toml")).expect("manifest");
        assert!(!manifest.contains("workspace = true"), "{manifest}");
        assert!(manifest.contains(&format!("version = \"{}\"", env!("CARGO_PKG_VERSION"))), "{manifest}");
        let transpile = std::fs::read_to_string(rt.dir().join("aether-transpile/Cargo.toml")).expect("manifest");
        assert!(transpile.contains("path = \"../aether-rt\""), "{transpile}");
        assert_eq!(rt.damage(), None);

        std::fs::remove_file(rt.rt().join("src/lib.rs")).expect("remove");
        assert!(rt.damage().is_some_and(|d| d.contains("is missing")));
        let again = Runtime::ensure_in(base.path()).expect("repaired");
        assert_eq!(again.damage(), None);
    }
}

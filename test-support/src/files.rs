//! Files: saved as editors save them, and Rust host packages copied out of
//! the repository.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Writes `text` to a sibling of `path` and renames it over `path`, as
/// editors save: a watcher never sees a half-written file.
pub fn replace_file(path: &Path, text: &str) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// [`replace_file`] of `dir/name`; panics when it cannot (for tests).
pub fn save(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    replace_file(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The manifest of the package at `package`, renamed `name` and with its
/// relative `path = "..."` dependencies made absolute, so that it builds
/// from anywhere. Another name gives the copy's binary another file in a
/// shared target directory.
pub fn host_manifest(package: &Path, name: &str) -> io::Result<String> {
    let package = package.canonicalize()?;
    let manifest = std::fs::read_to_string(package.join("Cargo.toml"))?;
    let mut renamed = false;
    let mut out = String::with_capacity(manifest.len() + 256);
    for line in manifest.lines() {
        if !renamed && line.starts_with("name = ") {
            renamed = true;
            out += &format!("name = {name:?}\n");
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("path = \"") {
            let (head, tail) = rest.split_at(at + "path = \"".len());
            let Some(end) = tail.find('"') else { break };
            out += head;
            let path = Path::new(&tail[..end]);
            out +=
                &if path.is_relative() { normalize(&package.join(path)) } else { path.to_path_buf() }.to_string_lossy();
            rest = &tail[end..];
        }
        out += rest;
        out.push('\n');
    }
    Ok(out)
}

/// `a/b/../c` → `a/c`, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A copy of the Rust host package at `from` in `to`: its manifest (see
/// [`host_manifest`]), lock file, build script and everything under `src/`
/// (what was under `to/src/` before is removed first).
pub fn copy_host_package(from: &Path, to: &Path, name: &str) -> io::Result<()> {
    let _ = std::fs::remove_dir_all(to.join("src"));
    std::fs::create_dir_all(to)?;
    copy_dir(&from.join("src"), &to.join("src"))?;
    for file in ["Cargo.lock", "build.rs"] {
        std::fs::copy(from.join(file), to.join(file))?;
    }
    std::fs::write(to.join("Cargo.toml"), host_manifest(from, name)?)
}

/// A copy of the host package `examples/<example>` in `to`, named
/// `package`, and the text of its file `edited` (a path under `to`), which
/// must still hold `expect`: the text the test is about to edit.
pub fn copy_example_to_edit(example: &str, to: &Path, package: &str, edited: &str, expect: &str) -> String {
    copy_host_package(&crate::repo_root().join("examples").join(example), to, package).expect("copy the example");
    let text = std::fs::read_to_string(to.join(edited)).unwrap_or_else(|e| panic!("{edited}: {e}"));
    assert!(text.contains(expect), "{edited} changed: update this test");
    text
}

/// A copy of the directory tree `from` in `to`, without its `target`
/// directories (build output).
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name() == "target" {
            continue;
        }
        let to = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            std::fs::copy(entry.path(), to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copied_manifest_points_at_the_repository() {
        let root = crate::repo_root().canonicalize().expect("repo");
        let manifest = host_manifest(&root.join("examples/live-server"), "copied").expect("manifest");
        assert!(manifest.contains("name = \"copied\"\n"), "{manifest}");
        assert!(!manifest.contains("\"live-server\""), "{manifest}");
        let rt = format!("aether-rt = {{ path = {:?} }}", root.join("aether-rt").display().to_string());
        assert!(manifest.contains(&rt), "{manifest}");
        assert!(!manifest.contains(".."), "{manifest}");
    }
}

//! Loading a program: the entry module, every module it imports
//! (transitively), and for a project every `.ae` file under its source root.
//!
//! `import net.http` names the file `net/http.ae` under the source root.
//! Loading reports unreadable and non-UTF-8 files (E0006), empty files
//! (E0012), parse errors, missing modules (E0100), import cycles (E0101) and
//! duplicate imports (E0102); everything else is the checker's.

use crate::ast;
use crate::diagnostic::{Code, Diagnostic};
use crate::parse;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::ty::ModuleId;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A loaded, parsed program: the input of the checker.
#[derive(Debug, Default)]
pub struct Program {
    pub sources: SourceMap,
    /// Indexed by [`ModuleId`].
    pub modules: Vec<ModuleInfo>,
    /// The module whose `main` runs.
    pub entry: Option<ModuleId>,
}

#[derive(Debug)]
pub struct ModuleInfo {
    /// Dotted module path relative to the source root: `net.http`. The
    /// entry file of a single-file script is named by its file stem.
    pub name: String,
    pub file: FileId,
    pub ast: ast::Module,
    /// For each of `ast.imports`, the module it names (`None`: not found,
    /// already reported).
    pub imports: Vec<Option<ModuleId>>,
}

impl Program {
    pub fn module(&self, id: ModuleId) -> &ModuleInfo {
        &self.modules[id.0 as usize]
    }

    pub fn module_ids(&self) -> impl Iterator<Item = ModuleId> {
        (0..self.modules.len() as u32).map(ModuleId)
    }

    /// Find a module by dotted name.
    pub fn find(&self, name: &str) -> Option<ModuleId> {
        self.modules.iter().position(|m| m.name == name).map(|i| ModuleId(i as u32))
    }
}

/// Load a project: `entry` (a path under `src_root`), everything it imports,
/// and every other `.ae` file under `src_root`. File names in diagnostics
/// are relative to `display_base` (the package root, say).
pub fn load_from_disk(src_root: &Path, entry: &Path, display_base: &Path) -> (Program, Vec<Diagnostic>) {
    let disk = Disk { root: src_root.to_path_buf(), display_base: display_base.to_path_buf() };
    let entry_rel = entry.strip_prefix(src_root).unwrap_or(entry).to_path_buf();
    let all: Vec<PathBuf> =
        ae_files(src_root).iter().filter_map(|p| p.strip_prefix(src_root).ok()).map(Path::to_path_buf).collect();
    Loader::new(&disk).load(&entry_rel, &all)
}

/// [`load_from_disk`] and [`load_script`] with some files' text taken from
/// `overlay` (full path → text) instead of the disk: an editor's unsaved
/// buffers. With `all_files` (a project, a directory) every `.ae` file under
/// `src_root` is a module, open buffers not yet saved included; without it
/// (a script) only the entry and what it imports.
pub fn load_overlaid(
    src_root: &Path,
    entry: &Path,
    display_base: &Path,
    all_files: bool,
    overlay: &HashMap<PathBuf, String>,
) -> (Program, Vec<Diagnostic>) {
    let store =
        Overlay { disk: Disk { root: src_root.to_path_buf(), display_base: display_base.to_path_buf() }, overlay };
    let entry_rel = entry.strip_prefix(src_root).unwrap_or(entry).to_path_buf();
    let mut all: Vec<PathBuf> = Vec::new();
    if all_files {
        all = ae_files(src_root).iter().filter_map(|p| p.strip_prefix(src_root).ok()).map(Path::to_path_buf).collect();
        let mut unsaved: Vec<PathBuf> = overlay
            .keys()
            .filter(|p| p.extension().is_some_and(|x| x == "ae"))
            .filter_map(|p| p.strip_prefix(src_root).ok())
            .map(Path::to_path_buf)
            .filter(|rel| !all.contains(rel))
            .collect();
        unsaved.sort();
        all.extend(unsaved);
    }
    Loader::new(&store).load(&entry_rel, &all)
}

/// The `.ae` files under `dir` at any depth (`dir` joined with their path
/// under it), in file-name order: a project's modules.
pub fn ae_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "ae"))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Load a single-file script: `entry` and the modules it imports from its
/// directory, nothing else.
pub fn load_script(entry: &Path, display_base: &Path) -> (Program, Vec<Diagnostic>) {
    let root = entry.parent().map(Path::to_path_buf).unwrap_or_default();
    let disk = Disk { root, display_base: display_base.to_path_buf() };
    let entry_rel = PathBuf::from(entry.file_name().unwrap_or_default());
    Loader::new(&disk).load(&entry_rel, &[])
}

/// Load from memory: `files` are (path under the source root, text), e.g.
/// `("net/http.ae", "...")`; `entry` is one of those paths. For tests and tools.
pub fn load_in_memory(files: &[(&str, &str)], entry: &str) -> (Program, Vec<Diagnostic>) {
    let mem = Memory(files.iter().map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec())).collect());
    let all: Vec<PathBuf> = files.iter().map(|(p, _)| PathBuf::from(p)).collect();
    Loader::new(&mem).load(Path::new(entry), &all)
}

/// The dotted module name of a path under the source root: `net/http.ae` is `net.http`.
pub fn module_name(rel: &Path) -> String {
    let without_ext = rel.with_extension("");
    without_ext.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join(".")
}

/// Where the loader reads files from.
trait FileStore {
    fn read(&self, rel: &Path) -> std::io::Result<Vec<u8>>;
    fn exists(&self, rel: &Path) -> bool;
    fn display_name(&self, rel: &Path) -> String;
    fn full_path(&self, rel: &Path) -> PathBuf;
}

struct Disk {
    root: PathBuf,
    display_base: PathBuf,
}

impl FileStore for Disk {
    fn read(&self, rel: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.root.join(rel))
    }

    fn exists(&self, rel: &Path) -> bool {
        self.root.join(rel).is_file()
    }

    fn display_name(&self, rel: &Path) -> String {
        let full = self.root.join(rel);
        let shown = full.strip_prefix(&self.display_base).unwrap_or(&full);
        let shown = shown.strip_prefix("./").unwrap_or(shown);
        shown.to_string_lossy().replace('\\', "/")
    }

    fn full_path(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }
}

struct Memory(BTreeMap<PathBuf, Vec<u8>>);

impl FileStore for Memory {
    fn read(&self, rel: &Path) -> std::io::Result<Vec<u8>> {
        self.0.get(rel).cloned().ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    fn exists(&self, rel: &Path) -> bool {
        self.0.contains_key(rel)
    }

    fn display_name(&self, rel: &Path) -> String {
        rel.to_string_lossy().replace('\\', "/")
    }

    fn full_path(&self, rel: &Path) -> PathBuf {
        rel.to_path_buf()
    }
}

/// The disk, with open editor buffers in front of it.
struct Overlay<'o> {
    disk: Disk,
    overlay: &'o HashMap<PathBuf, String>,
}

impl FileStore for Overlay<'_> {
    fn read(&self, rel: &Path) -> std::io::Result<Vec<u8>> {
        match self.overlay.get(&self.disk.full_path(rel)) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => self.disk.read(rel),
        }
    }

    fn exists(&self, rel: &Path) -> bool {
        self.overlay.contains_key(&self.disk.full_path(rel)) || self.disk.exists(rel)
    }

    fn display_name(&self, rel: &Path) -> String {
        self.disk.display_name(rel)
    }

    fn full_path(&self, rel: &Path) -> PathBuf {
        self.disk.full_path(rel)
    }
}

struct Loader<'s> {
    store: &'s dyn FileStore,
    program: Program,
    diags: Vec<Diagnostic>,
    by_path: HashMap<PathBuf, ModuleId>,
}

impl<'s> Loader<'s> {
    fn new(store: &'s dyn FileStore) -> Loader<'s> {
        Loader { store, program: Program::default(), diags: Vec::new(), by_path: HashMap::new() }
    }

    fn load(mut self, entry: &Path, all: &[PathBuf]) -> (Program, Vec<Diagnostic>) {
        if let Some(id) = self.load_file(entry, true) {
            self.program.entry = Some(id);
        }
        for rel in all {
            self.load_file(rel, false);
        }
        self.report_cycles();
        (self.program, self.diags)
    }

    /// Load `rel` and, first, everything it imports. Returns its id even if
    /// it had errors (then its AST holds what could be parsed).
    fn load_file(&mut self, rel: &Path, is_entry: bool) -> Option<ModuleId> {
        if let Some(&id) = self.by_path.get(rel) {
            return Some(id);
        }
        let name = self.store.display_name(rel);
        let bytes = match self.store.read(rel) {
            Ok(b) => b,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(Code::E0006, format!("cannot read `{name}`: {e}"))
                        .with_note(format!("path: {}", self.store.full_path(rel).display())),
                );
                return None;
            }
        };
        // A UTF-8 byte order mark (some Windows editors write one) is not
        // text: dropped here, so columns on the first line stay right.
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        let (text, bad_utf8_at) = match String::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let file = self.program.sources.add(SourceFile::new(name.clone(), self.store.full_path(rel), text));
        let id = ModuleId(self.program.modules.len() as u32);
        self.by_path.insert(rel.to_path_buf(), id);

        if let Some(at) = bad_utf8_at {
            // Parsing replacement characters would only add noise.
            self.diags.push(
                Diagnostic::at(Code::E0006, Span::new(file, at, at + 1), format!("`{name}` is not valid UTF-8"))
                    .with_help("Aether source files must be UTF-8 encoded; re-save the file as UTF-8"),
            );
            let ast = ast::Module { file, no_hmr: None, imports: Vec::new(), items: Vec::new(), node_count: 0 };
            self.program.modules.push(ModuleInfo { name: module_name(rel), file, ast, imports: Vec::new() });
            return Some(id);
        }

        let text = &self.program.sources.get(file).text;
        let (ast, mut parse_diags) = parse::parse_module(file, text);
        let is_blank = parse_diags.is_empty() && ast.items.is_empty() && ast.imports.is_empty() && ast.no_hmr.is_none();
        self.diags.append(&mut parse_diags);
        if is_blank {
            let span = Span::new(file, 0, 0);
            let help = if is_entry {
                "an entry file needs at least `fn main() { ... }`"
            } else {
                "add items to the module, or delete the file"
            };
            self.diags.push(Diagnostic::at(Code::E0012, span, format!("`{name}` is empty")).with_help(help));
        }
        let import_count = ast.imports.len();
        let imports_ast = ast.imports.clone();
        self.program.modules.push(ModuleInfo { name: module_name(rel), file, ast, imports: vec![None; import_count] });

        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut seen_local: HashMap<String, Span> = HashMap::new();
        for (i, import) in imports_ast.iter().enumerate() {
            let dotted = import.dotted();
            let local = import.local_name().name.clone();
            let clash = if let Some(first) = seen.get(&dotted) {
                Diagnostic::at(Code::E0102, import.span, format!("module `{dotted}` is imported twice"))
                    .secondary(*first, "first imported here")
                    .with_help("remove one of the imports")
            } else if let Some(first) = seen_local.get(&local) {
                Diagnostic::at(Code::E0102, import.span, format!("two imports are both named `{local}`"))
                    .secondary(*first, "the other one")
                    .with_note("an imported module is used by the last part of its path")
            } else {
                seen.insert(dotted.clone(), import.span);
                seen_local.insert(local, import.span);
                self.load_import(id, i, import, &dotted);
                continue;
            };
            self.diags.push(clash);
        }
        Some(id)
    }

    /// Load the module the `i`th import of module `id` names, unless it is
    /// the built-in `math`; a missing file is E0100.
    fn load_import(&mut self, id: ModuleId, i: usize, import: &ast::Import, dotted: &str) {
        if (dotted == "math" || dotted == "json") && !self.store.exists(&Path::new(dotted).with_extension("ae")) {
            // The built-in `math` and `json` modules; the checker provides them.
            return;
        }
        let target: PathBuf = import.path.iter().map(|s| s.name.as_str()).collect::<PathBuf>().with_extension("ae");
        if !self.store.exists(&target) {
            let shown = self.store.display_name(&target);
            self.diags.push(
                Diagnostic::at(Code::E0100, import.span, format!("cannot find module `{dotted}`"))
                    .with_note(format!("looked for `{shown}`")),
            );
            return;
        }
        let target_id = self.load_file(&target, false);
        self.program.modules[id.0 as usize].imports[i] = target_id;
    }

    /// Report every import cycle once, at the import that closes it.
    fn report_cycles(&mut self) {
        let n = self.program.modules.len();
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; n];
        let mut reported: Vec<Vec<u32>> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            // Iterative DFS: (module, next import index).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (m, ref mut next)) = stack.last_mut() {
                let imports = &self.program.modules[m].imports;
                if *next >= imports.len() {
                    state[m] = 2;
                    stack.pop();
                    continue;
                }
                let import_index = *next;
                *next += 1;
                let Some(target) = imports[import_index] else { continue };
                let t = target.0 as usize;
                match state[t] {
                    0 => {
                        state[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(x, _)| *x == t).unwrap_or(0);
                        let cycle: Vec<u32> = stack[pos..].iter().map(|(x, _)| *x as u32).collect();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        if !reported.contains(&key) {
                            reported.push(key);
                            self.report_cycle(&stack[pos..], m, import_index);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn report_cycle(&mut self, path: &[(usize, usize)], closing_module: usize, closing_import: usize) {
        let names: Vec<&str> = path.iter().map(|(m, _)| self.program.modules[*m].name.as_str()).collect();
        let first = names.first().copied().unwrap_or("");
        let chain = format!("{} -> {first}", names.join(" -> "));
        let closing = &self.program.modules[closing_module].ast.imports[closing_import];
        let mut d = Diagnostic::at(Code::E0101, closing.span, format!("import cycle: {chain}"));
        for (m, next) in &path[..path.len().saturating_sub(1)] {
            // `next` was advanced past the import that continued the cycle.
            if let Some(import) = self.program.modules[*m].ast.imports.get(next.saturating_sub(1)) {
                d = d.secondary(import.span, "imported here");
            }
        }
        d = d.with_help("move what both modules need into a third module that neither imports");
        self.diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
        diags.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn imports_resolve_by_path() {
        let (p, d) = load_in_memory(
            &[
                ("main.ae", "import net.http\nimport util\nfn main() {}\n"),
                ("net/http.ae", "import util\npub fn get() {}\n"),
                ("util.ae", "pub fn help() {}\n"),
            ],
            "main.ae",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p.modules.len(), 3);
        let main = p.module(p.entry.expect("entry"));
        assert_eq!(main.name, "main");
        let http = main.imports[0].expect("http");
        assert_eq!(p.module(http).name, "net.http");
        assert_eq!(p.module(http).imports[0], main.imports[1]);
    }

    #[test]
    fn cycles_missing_and_duplicates_are_reported() {
        let (_, d) = load_in_memory(
            &[
                ("a.ae", "import b\nimport nowhere\nimport b\nfn main() {}\n"),
                ("b.ae", "import c\n"),
                ("c.ae", "import a\n"),
                ("me.ae", "import me\n"),
            ],
            "a.ae",
        );
        let mut c = codes(&d);
        c.sort();
        assert_eq!(c, vec!["E0100", "E0101", "E0101", "E0102"]);
        let cycle = d.iter().find(|d| d.message.contains("a -> ")).expect("cycle");
        assert_eq!(cycle.message, "import cycle: a -> b -> c -> a");
    }

    #[test]
    fn blank_and_non_utf8_files() {
        let mem = Memory([(PathBuf::from("main.ae"), b"fn main() {}\n\xff\xfe".to_vec())].into_iter().collect());
        let (_, d) = Loader::new(&mem).load(Path::new("main.ae"), &[]);
        assert_eq!(codes(&d), vec!["E0006"]);
        let (_, d) = load_in_memory(&[("main.ae", "  // nothing\n")], "main.ae");
        assert_eq!(codes(&d), vec!["E0012"]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (p, d) = load_in_memory(
            &[("main.ae", "\u{feff}import b\nfn main() {}\n"), ("b.ae", "\u{feff}pub fn f() {}\n")],
            "main.ae",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p.sources.get(p.module(p.entry.expect("entry")).file).text, "import b\nfn main() {}\n");
        let mem =
            Memory([(PathBuf::from("main.ae"), b"\xEF\xBB\xBFfn main() { let = 1 }\n".to_vec())].into_iter().collect());
        let (p, d) = Loader::new(&mem).load(Path::new("main.ae"), &[]);
        let span = d.first().and_then(|d| d.labels.first()).map(|l| l.span).expect("an error at `=`");
        assert_eq!(&p.sources.get(span.file).text[span.start as usize..span.end as usize], "=", "{d:?}");
    }

    #[test]
    fn module_names_are_dotted_paths() {
        assert_eq!(module_name(Path::new("net/http.ae")), "net.http");
        assert_eq!(module_name(Path::new("main.ae")), "main");
    }
}

//! The grammar against the repository: every `.ae` file parses without an
//! `ERROR` or `MISSING` node, the corpus in `test/corpus/` gives the trees
//! it states, the highlight and injection queries compile, and `src/` is
//! what `grammar.js` generates.

use std::path::{Path, PathBuf};
use tree_sitter::{Node, Parser, Query};

fn parser() -> Parser {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_aether::LANGUAGE.into()).expect("language");
    parser
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// `.ae` files under `dir`, leaving out build output, hidden directories
/// and `tests/corpus/broken` (programs with syntax errors on purpose).
fn ae_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read_dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name.starts_with('.') || name == "target" || path.ends_with("tests/corpus/broken") {
                continue;
            }
            ae_files(&path, out);
        } else if name.ends_with(".ae") {
            out.push(path);
        }
    }
}

/// The first `ERROR` or `MISSING` node, as `line:col kind`.
fn first_error(node: Node) -> Option<String> {
    if node.is_error() || node.is_missing() {
        let p = node.start_position();
        return Some(format!("{}:{} {}", p.row + 1, p.column + 1, node.to_sexp()));
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_error)
}

#[test]
fn every_ae_file_in_the_repository_parses_without_errors() {
    let mut files = Vec::new();
    ae_files(&repo_root(), &mut files);
    assert!(files.len() > 40, "found only {} .ae files", files.len());
    let mut parser = parser();
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("read");
        let tree = parser.parse(&src, None).expect("parse");
        if let Some(error) = first_error(tree.root_node()) {
            failures.push(format!("{}:{error}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} files do not parse:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// The corpus in tree-sitter's format: `===` title `===`, the source,
/// `---`, the expected tree (compared with whitespace collapsed).
#[test]
fn the_corpus_gives_the_trees_it_states() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let mut parser = parser();
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("corpus").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for (title, source, expected) in corpus_cases(&text) {
            cases += 1;
            let tree = parser.parse(&source, None).expect("parse");
            let got = squeeze(&tree.root_node().to_sexp());
            if got != squeeze(&expected) {
                failures.push(format!(
                    "{} / {title}:\n  expected {}\n  got      {got}",
                    file.display(),
                    squeeze(&expected)
                ));
            }
        }
    }
    assert!(cases >= 10, "only {cases} corpus cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The cases of a corpus file. As in tree-sitter's own format, the rule
/// lines may end in a suffix (`===|||`, `---|||`) when the source itself
/// has lines of dashes (a script's `---cargo` frontmatter): then only a
/// dash line with that suffix ends the source.
fn corpus_cases(text: &str) -> Vec<(String, String, String)> {
    let mut cases = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    // The suffix after a rule of at least three `c`, if `l` is one.
    let rule = |l: &str, c: char| {
        let n = l.chars().take_while(|x| *x == c).count();
        (n >= 3).then(|| l[n..].trim().to_string())
    };
    let mut i = 0;
    while i < lines.len() {
        let Some(suffix) = rule(lines[i], '=') else {
            i += 1;
            continue;
        };
        let title = lines.get(i + 1).copied().unwrap_or("").to_string();
        i += 3;
        let mut source = Vec::new();
        while i < lines.len() && rule(lines[i], '-').is_none_or(|s| s != suffix) {
            source.push(lines[i]);
            i += 1;
        }
        i += 1;
        let mut expected = Vec::new();
        while i < lines.len() && rule(lines[i], '=').is_none() {
            expected.push(lines[i]);
            i += 1;
        }
        cases.push((title, source.join("\n").trim().to_string() + "\n", expected.join(" ")));
    }
    cases
}

fn squeeze(s: &str) -> String {
    s.replace('(', " (")
        .replace(')', " ) ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" )", ")")
        .replace("( ", "(")
}

#[test]
fn the_highlight_and_injection_queries_compile() {
    let query = Query::new(&tree_sitter_aether::LANGUAGE.into(), tree_sitter_aether::HIGHLIGHTS_QUERY);
    let query = query.unwrap_or_else(|e| panic!("queries/highlights.scm: {e}"));
    assert!(query.capture_names().contains(&"keyword"));
    let query = Query::new(&tree_sitter_aether::LANGUAGE.into(), tree_sitter_aether::INJECTIONS_QUERY);
    let query = query.unwrap_or_else(|e| panic!("queries/injections.scm: {e}"));
    assert!(query.capture_names().contains(&"injection.content"));
}

/// `src/` is generated: regenerating it from `grammar.js` (in a copy, with
/// `node`) must give the same parser.
#[test]
fn the_generated_parser_is_current() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    for file in ["grammar.js", "tree-sitter.json"] {
        std::fs::copy(here.join(file), tmp.path().join(file)).expect("copy");
    }
    let mut diagnostics = Vec::new();
    tree_sitter_generate::generate_parser_in_directory(
        tmp.path(),
        None::<&Path>,
        None::<&Path>,
        tree_sitter_generate::ABI_VERSION_MAX,
        None,
        Some("node"),
        true,
        tree_sitter_generate::OptLevel::default(),
        &mut diagnostics,
    )
    .unwrap_or_else(|e| panic!("generating from grammar.js failed: {e}"));
    for file in ["parser.c", "grammar.json", "node-types.json"] {
        let want = std::fs::read_to_string(tmp.path().join("src").join(file)).expect("generated");
        let have = std::fs::read_to_string(here.join("src").join(file)).expect("committed");
        assert!(
            want == have,
            "src/{file} is out of date: run `cargo run --example generate` in editors/tree-sitter-aether"
        );
    }
}

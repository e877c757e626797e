//! The VS Code extension's static parts agree with the language: its
//! manifest points at the grammar and the language configuration, the
//! grammar is `source.aether` and names every keyword the lexer knows.
//! (The extension's client is `aether lsp`, tested in tests/lsp.rs.)

use serde_json::Value;
use std::path::PathBuf;

fn read(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn manifest_grammar_and_configuration_agree() {
    let package = read("package.json");
    let grammar_entry = &package["contributes"]["grammars"][0];
    assert_eq!(grammar_entry["scopeName"], "source.aether");
    assert_eq!(package["contributes"]["languages"][0]["extensions"][0], ".ae");
    let grammar = read(grammar_entry["path"].as_str().unwrap());
    assert_eq!(grammar["scopeName"], "source.aether");
    let config = read(package["contributes"]["languages"][0]["configuration"].as_str().unwrap());
    assert_eq!(config["comments"]["lineComment"], "//");

    let text = grammar.to_string();
    for word in [
        "fn", "let", "var", "const", "state", "struct", "enum", "pub", "import", "if", "else", "while", "loop", "for",
        "in", "break", "continue", "return", "match", "true", "false", "none", "mut", "self", "test", "extern",
    ] {
        assert!(aether_transpile::token::TokenKind::keyword(word).is_some(), "`{word}` is not a keyword any more");
        assert!(
            text.contains(&format!("|{word}|"))
                || text.contains(&format!("({word}|"))
                || text.contains(&format!("|{word})"))
                || text.contains(&format!("\\\\b{word}\\\\b")),
            "the grammar does not highlight `{word}`"
        );
    }
}

/// A script's `---cargo` frontmatter (docs/cli.md) is its own region in the
/// TextMate grammar, run here with its own patterns (Oniguruma syntax,
/// which `fancy-regex` reads too): the opening fences the compiler accepts
/// start it, only the same dashes end it, and no line of any `.ae` file in
/// the repository (code, where a line is never only dashes) starts one.
#[test]
fn the_grammar_knows_a_scripts_frontmatter() {
    let package = read("package.json");
    let grammar = read(package["contributes"]["grammars"][0]["path"].as_str().unwrap());
    assert_eq!(grammar["patterns"][0]["include"], "#frontmatter", "the frontmatter rule must come first");
    let rule = &grammar["repository"]["frontmatter"];
    let begin = fancy_regex::Regex::new(rule["begin"].as_str().unwrap()).unwrap();
    // TextMate puts the begin match's captures into `end`'s `\1`.
    let end_for = |open: &str| {
        let dashes = begin.captures(open).unwrap().unwrap().get(1).unwrap().as_str().to_string();
        fancy_regex::Regex::new(&rule["end"].as_str().unwrap().replace("\\1", &dashes)).unwrap()
    };
    for open in ["---cargo", "---", "-----", "--- cargo  "] {
        assert!(begin.is_match(open).unwrap(), "`{open}` does not open a frontmatter");
    }
    assert!(end_for("---cargo").is_match("---").unwrap());
    assert!(!end_for("-----").is_match("---").unwrap(), "a shorter fence closed the block");
    assert!(!end_for("---cargo").is_match("----").unwrap(), "a longer fence closed the block");
    assert!(!end_for("---cargo").is_match("itoa = \"1\"").unwrap());
    let tag = &rule["beginCaptures"]["2"]["name"];
    assert!(tag.as_str().unwrap().starts_with("entity.name.tag"), "`cargo` is not tagged: {tag}");
    assert_eq!(
        package["contributes"]["grammars"][0]["embeddedLanguages"][rule["contentName"].as_str().unwrap()],
        "toml"
    );

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = aether_transpile::format::ae_files(&root);
    assert!(files.len() > 30, "found only {} .ae files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let in_code = match aether_transpile::frontmatter::find(&text) {
            Ok(Some(fm)) => text[fm.span.end..].to_string(),
            _ => text,
        };
        for (n, line) in in_code.lines().enumerate() {
            assert!(!begin.is_match(line).unwrap(), "{}:{}: `{line}` would start a frontmatter", path.display(), n + 1);
        }
    }
}

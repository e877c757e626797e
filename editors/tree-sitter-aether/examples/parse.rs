//! `cargo run --example parse FILE...`: print each file's syntax tree, as
//! `tree-sitter parse` does (for working on the grammar).

fn main() {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_aether::LANGUAGE.into()).expect("language");
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let tree = parser.parse(&src, None).expect("parse");
        println!("{path}\n{}", tree.root_node().to_sexp());
    }
}

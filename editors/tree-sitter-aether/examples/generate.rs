//! `cargo run --example generate`: regenerate `src/` (parser.c,
//! grammar.json, node-types.json, tree_sitter/*.h) from `grammar.js`, as
//! `tree-sitter generate` does, with the `tree-sitter-generate` crate.
//! `node` evaluates grammar.js. The tests check that `src/` is current.

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diagnostics = Vec::new();
    let result = tree_sitter_generate::generate_parser_in_directory(
        dir,
        None::<&std::path::Path>,
        None::<&std::path::Path>,
        tree_sitter_generate::ABI_VERSION_MAX,
        None,
        Some("node"),
        true,
        tree_sitter_generate::OptLevel::default(),
        &mut diagnostics,
    );
    for d in &diagnostics {
        eprintln!("warning: {d:?}");
    }
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

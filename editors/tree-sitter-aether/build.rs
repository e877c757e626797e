fn main() {
    let src = std::path::Path::new("src");
    // Before the first `cargo run --example generate` there is no parser to
    // compile (the example itself does not need one).
    if !src.join("parser.c").exists() {
        println!("cargo:warning=src/parser.c is missing: run `cargo run --example generate`");
        return;
    }
    let mut build = cc::Build::new();
    build.std("c11").include(src).warnings(false);
    for file in ["parser.c", "scanner.c"] {
        let path = src.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        build.file(path);
    }
    build.compile("tree-sitter-aether");
}

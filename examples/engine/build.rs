fn main() {
    aether_build::compile("src/systems");
}

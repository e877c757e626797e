fn main() {
    aether_build::compile("src/game");
}

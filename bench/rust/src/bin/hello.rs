//! The hand-written counterpart of examples/hello.ae, for the size comparison.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "world".to_string());
    println!("Hello, {name}!");
}

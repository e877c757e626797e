//! binary-trees, mirroring ../../programs/binarytrees.ae.

struct Tree {
    left: Option<Box<Tree>>,
    right: Option<Box<Tree>>,
}

fn bottom_up(depth: i64) -> Tree {
    if depth <= 0 {
        return Tree { left: None, right: None };
    }
    Tree { left: Some(Box::new(bottom_up(depth - 1))), right: Some(Box::new(bottom_up(depth - 1))) }
}

impl Tree {
    fn check(&self) -> i64 {
        1 + self.left.as_ref().map_or(0, |l| l.check()) + self.right.as_ref().map_or(0, |r| r.check())
    }
}

const MIN_DEPTH: i64 = 4;

fn main() {
    let n: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let max_depth = (MIN_DEPTH + 2).max(n);
    let stretch = max_depth + 1;
    println!("stretch tree of depth {stretch}\t check: {}", bottom_up(stretch).check());
    let long_lived = bottom_up(max_depth);
    let mut depth = MIN_DEPTH;
    while depth <= max_depth {
        let iterations = 1i64 << (max_depth - depth + MIN_DEPTH);
        let check: i64 = (0..iterations).map(|_| bottom_up(depth).check()).sum();
        println!("{iterations}\t trees of depth {depth}\t check: {check}");
        depth += 2;
    }
    println!("long lived tree of depth {max_depth}\t check: {}", long_lived.check());
}

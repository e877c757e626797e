//! The `--hmr` fixture of a Rust host crate: the host owns the loop and
//! four worker threads; the Aether modules in src/logic/ format the lines
//! and count the calls, and the test edits them while this runs.

aether_rt::include_aether!(logic);

use std::time::Duration;

/// Called from Aether (`extern fn host_note`): the host's side of the bridge.
pub fn note(n: i64) -> i64 {
    n * 10
}

/// The other host functions (several `extern fn`s per module).
pub fn zero() -> i64 {
    0
}

pub fn twice(n: i64) -> i64 {
    n * 2
}

pub fn half(n: i64) -> i64 {
    n / 2
}

fn main() {
    // Workers call in from other threads while the main loop does: every
    // call is counted by Aether state, and none may be lost.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| loop {
                logic::game::work();
                std::thread::sleep(Duration::from_millis(2));
            })
        })
        .collect();
    let mut frame = 0;
    loop {
        frame += 1;
        println!("{}", logic::game::line(frame));
        std::thread::sleep(Duration::from_millis(50));
        if workers.iter().any(|w| w.is_finished()) {
            eprintln!("a worker stopped");
            std::process::exit(3);
        }
    }
}

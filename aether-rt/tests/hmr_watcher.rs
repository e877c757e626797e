//! The source watcher on a real directory: files created, edited, saved
//! through a rename (as editors do), and removed arrive as debounced batches
//! of `.ae` paths, with the platform's watcher and with polling. Waits are
//! generous and never timed assertions.

use aether_rt::hmr::{Batch, Watcher, WatcherConfig, WatcherKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GENEROUS: Duration = Duration::from_secs(30);

#[test]
fn native_watcher_batches_edits_renames_and_removals() {
    let config = WatcherConfig { force_poll: false, ..WatcherConfig::default() };
    exercise(config, "native");
}

#[test]
fn polling_watcher_does_the_same() {
    let config =
        WatcherConfig { force_poll: true, poll_interval: Duration::from_millis(50), ..WatcherConfig::default() };
    exercise(config, "poll");
}

#[test]
fn a_burst_of_writes_becomes_one_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical temp dir");
    // A long quiet period, so the burst below surely falls inside one batch.
    let config = WatcherConfig {
        debounce: Duration::from_millis(400),
        settle: Duration::from_millis(400),
        max_delay: GENEROUS,
        force_poll: false,
        ..WatcherConfig::default()
    };
    let watcher = Watcher::new(&root, config).expect("watcher starts");
    for i in 0..20 {
        std::fs::write(root.join("game.ae"), format!("let x = {i}\n")).expect("write");
    }
    std::fs::write(root.join("other.ae"), "let y = 1\n").expect("write");
    let batch = watcher.recv_timeout(GENEROUS).expect("a batch arrives");
    let names = names(&root, &batch);
    assert_eq!(names, ["game.ae", "other.ae"].map(String::from).into_iter().collect(), "one batch, each file once");
}

fn exercise(config: WatcherConfig, label: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical temp dir");
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    std::fs::write(root.join("game.ae"), "let x = 1\n").expect("write");
    let force_poll = config.force_poll;
    let mut watcher = Watcher::new(&root, config).expect("watcher starts");
    if force_poll {
        assert_eq!(watcher.kind(), WatcherKind::Poll);
    }

    // Create a file in a subdirectory, plus files that must be ignored.
    std::fs::write(root.join("sub/physics.ae"), "let g = 9\n").expect("write");
    std::fs::write(root.join("notes.txt"), "not source\n").expect("write");
    std::fs::write(root.join("game.ae~"), "backup\n").expect("write");
    wait_for(&mut watcher, &root, &["sub/physics.ae"], label);

    // Edit in place.
    std::fs::write(root.join("game.ae"), "let x = 2\n").expect("write");
    wait_for(&mut watcher, &root, &["game.ae"], label);

    // Editor-style save: write a temporary, rename it over the original.
    std::fs::write(root.join(".game.ae.swp"), "let x = 3\n").expect("write");
    std::fs::rename(root.join(".game.ae.swp"), root.join("game.ae")).expect("rename");
    wait_for(&mut watcher, &root, &["game.ae"], label);

    // Removing a module is a change too.
    std::fs::remove_file(root.join("sub/physics.ae")).expect("remove");
    wait_for(&mut watcher, &root, &["sub/physics.ae"], label);
}

/// Receive batches until every `expected` path has been seen; every path
/// in every batch must be a `.ae` file under `root`.
fn wait_for(watcher: &mut Watcher, root: &Path, expected: &[&str], label: &str) {
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + GENEROUS;
    while !expected.is_subset(&seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        let batch = watcher
            .recv_timeout(left)
            .unwrap_or_else(|| panic!("{label}: no batch with {expected:?} within {GENEROUS:?}; saw {seen:?}"));
        assert!(!batch.paths.is_empty(), "{label}: batches are never empty");
        let mut sorted = batch.paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, batch.paths, "{label}: a batch is sorted and has no duplicates");
        seen.extend(names(root, &batch));
    }
}

fn names(root: &Path, batch: &Batch) -> BTreeSet<String> {
    batch
        .paths
        .iter()
        .map(|p: &PathBuf| {
            assert_eq!(p.extension().and_then(|e| e.to_str()), Some("ae"), "only .ae files: {}", p.display());
            p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/")
        })
        .collect()
}

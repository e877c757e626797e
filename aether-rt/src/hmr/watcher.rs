//! Watch a source tree and hand out debounced batches of changed `.ae` files.
//!
//! The directory is watched recursively, never single files: editors save by
//! writing a temporary file and renaming it over the original, which a watch
//! on the original file would lose. Events are collected until the tree has
//! been quiet for `debounce` (a save is often several events), then sent as
//! one [`Batch`]. Once every changed file is known to be complete (closed
//! after writing, renamed into place, or removed: the platform's watcher
//! says so), the quiet period is the much shorter `settle`, which takes
//! the debounce off a reload's latency (#13): the other files of a "save
//! all" that arrive while the first ones are checked join them there
//! (`cargo-aether`'s `hmr/rebuild.rs`). Editor temporaries (`.foo.ae.swp`, `foo.ae~`, `#foo.ae#`,
//! `.#foo.ae`, `foo.ae.tmp`) are ignored because only `.ae` names count and
//! lock files are skipped.
//!
//! Limit: a whole directory moved or removed at once is reported by the
//! platform as one event on the directory, which names no `.ae` file and is
//! therefore not reported (files created or saved in it later are).
//!
//! Polling (notify's `PollWatcher`) is used when `AETHER_HMR_POLL=1`, or when
//! the platform's watcher fails to start: some file systems (network and
//! WSL-mounted ones) deliver no events at all.

use notify::{Event, EventKind, PollWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatcherConfig {
    /// Quiet period that ends a batch while a file may still be being
    /// written.
    pub debounce: Duration,
    /// Quiet period that ends a batch once every file in it is complete.
    pub settle: Duration,
    /// A batch is sent at the latest this long after its first event, even
    /// if events keep coming (a build writing into the tree, say).
    pub max_delay: Duration,
    /// How often the polling watcher rescans.
    pub poll_interval: Duration,
    /// Poll instead of using the platform's watcher.
    pub force_poll: bool,
    /// File extensions that count, without the dot.
    pub extensions: Vec<String>,
}

/// Which watcher is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatcherKind {
    Native,
    Poll,
}

/// Files changed (created, written, renamed onto or removed) in one burst,
/// sorted and without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
}

/// A running watcher; iterate it (blocking) or use `recv_timeout`.
pub struct Watcher {
    kind: WatcherKind,
    batches: Receiver<Batch>,
    // Dropping the notify watcher ends its events, which ends the debounce
    // thread, which closes `batches`.
    _inner: Box<dyn notify::Watcher + Send>,
}

impl Default for WatcherConfig {
    fn default() -> Self {
        WatcherConfig {
            // Long enough to coalesce the events of one save (a rename is two or
            // three) and an editor's "save all"; a save that does not check yet
            // is given longer by the supervisor (`save_grace`).
            debounce: Duration::from_millis(20),
            // The files of one "save all" are written back to back. The
            // supervisor checks the save meanwhile and checks again with
            // any file that arrived during it (`cargo-aether`'s
            // `hmr/rebuild.rs`), so the settle itself can be short; a file
            // that comes later still only makes a second reload (and a
            // half-saved change that does not check waits for the rest).
            settle: Duration::from_millis(1),
            max_delay: Duration::from_millis(1000),
            poll_interval: Duration::from_millis(200),
            force_poll: poll_requested(std::env::var("AETHER_HMR_POLL").ok().as_deref()),
            extensions: vec!["ae".to_string()],
        }
    }
}

impl Watcher {
    /// Start watching `dir` recursively.
    pub fn new(dir: &Path, config: WatcherConfig) -> notify::Result<Watcher> {
        let dir = dir.canonicalize().map_err(notify::Error::io)?;
        let (events_tx, events_rx) = mpsc::channel::<notify::Result<Event>>();
        let (kind, inner) = if config.force_poll {
            (WatcherKind::Poll, start_poll(&dir, &config, events_tx)?)
        } else {
            match start_native(&dir, events_tx.clone()) {
                Ok(inner) => (WatcherKind::Native, inner),
                Err(_) => (WatcherKind::Poll, start_poll(&dir, &config, events_tx)?),
            }
        };
        let (batches_tx, batches) = mpsc::channel();
        std::thread::Builder::new()
            .name("aether-hmr-watch".into())
            .spawn(move || debounce(events_rx, batches_tx, config))
            .map_err(notify::Error::io)?;
        Ok(Watcher { kind, batches, _inner: inner })
    }

    pub fn kind(&self) -> WatcherKind {
        self.kind
    }

    /// The next batch, waiting at most `timeout`; `None` on timeout or when
    /// the watcher stopped.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Batch> {
        self.batches.recv_timeout(timeout).ok()
    }

    /// A batch that is ready now, if any.
    pub fn try_recv(&self) -> Option<Batch> {
        self.batches.try_recv().ok()
    }
}

impl Iterator for Watcher {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        self.batches.recv().ok()
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// `AETHER_HMR_POLL=1` asks for polling; unset or anything else does not.
fn poll_requested(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim() == "1")
}

fn start_native(dir: &Path, tx: Sender<notify::Result<Event>>) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

fn start_poll(
    dir: &Path,
    config: &WatcherConfig,
    tx: Sender<notify::Result<Event>>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    // Comparing contents catches a rewrite within the file system's mtime
    // granularity; source trees are small enough to hash every interval.
    let notify_config = notify::Config::default().with_poll_interval(config.poll_interval).with_compare_contents(true);
    let mut watcher = PollWatcher::new(tx, notify_config)?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

fn debounce(events: Receiver<notify::Result<Event>>, batches: Sender<Batch>, config: WatcherConfig) {
    // Each changed path, and whether it is complete (see the module comment).
    let mut pending: BTreeMap<PathBuf, bool> = BTreeMap::new();
    let mut first: Option<Instant> = None;
    loop {
        let received = match first {
            None => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(start) => {
                let quiet = if pending.values().all(|complete| *complete) { config.settle } else { config.debounce };
                let until_max = config.max_delay.saturating_sub(start.elapsed());
                events.recv_timeout(quiet.min(until_max))
            }
        };
        match received {
            Ok(Ok(event)) => {
                let Some(complete) = change_of(&event.kind) else { continue };
                for path in event.paths.into_iter().filter(|p| is_source(p, &config.extensions)) {
                    match pending.get_mut(&path) {
                        Some(done) => *done = complete,
                        // A close alone (a file opened for writing, nothing
                        // written) is no change.
                        None if event.kind == CLOSED_AFTER_WRITE => {}
                        None => {
                            pending.insert(path, complete);
                            first.get_or_insert_with(Instant::now);
                        }
                    }
                }
            }
            // A watcher error (e.g. an event queue overflow) loses events we
            // cannot name; the next batch still comes with the next change.
            Ok(Err(_)) => {}
            Err(RecvTimeoutError::Timeout) => {
                first = None;
                let paths: Vec<PathBuf> = std::mem::take(&mut pending).into_keys().collect();
                if !paths.is_empty() && batches.send(Batch { paths }).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

const CLOSED_AFTER_WRITE: EventKind =
    EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write));

/// Whether an event is a change, and if so whether it leaves the file
/// complete: closed after writing, renamed into place or away, removed.
/// Writes and creations are not complete until their close (the polling
/// watcher never says so: its batches wait the whole debounce).
fn change_of(kind: &EventKind) -> Option<bool> {
    use notify::event::ModifyKind;
    if *kind == CLOSED_AFTER_WRITE {
        return Some(true);
    }
    if !counts(kind) {
        return None;
    }
    Some(matches!(kind, EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_)))
}

/// Reads and metadata-only touches are not changes, except a new write
/// time: notify's poll watcher reports a save that lands in a later second
/// as exactly that (it compares mtimes before contents), so ignoring it
/// would lose edits whenever the clock ticks between two polls.
fn counts(kind: &EventKind) -> bool {
    use notify::event::{MetadataKind, ModifyKind};
    match kind {
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

fn is_source(path: &Path, extensions: &[String]) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    if name.starts_with(".#") || name.starts_with('#') {
        return false;
    }
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.iter().any(|x| x == e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_is_asked_for_with_one() {
        assert!(poll_requested(Some("1")));
        assert!(!poll_requested(Some("0")));
        assert!(!poll_requested(Some("")));
        assert!(!poll_requested(None));
    }

    #[test]
    fn a_file_is_complete_once_closed_renamed_or_removed() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode};
        let check = |kind: EventKind, expect: Option<bool>| assert_eq!(change_of(&kind), expect, "{kind:?}");
        check(EventKind::Access(AccessKind::Close(AccessMode::Write)), Some(true));
        check(EventKind::Modify(ModifyKind::Name(RenameMode::To)), Some(true));
        check(EventKind::Modify(ModifyKind::Name(RenameMode::From)), Some(true));
        check(EventKind::Remove(RemoveKind::File), Some(true));
        check(EventKind::Modify(ModifyKind::Data(DataChange::Any)), Some(false));
        check(EventKind::Create(CreateKind::File), Some(false));
        check(EventKind::Access(AccessKind::Close(AccessMode::Read)), None);
        check(EventKind::Access(AccessKind::Open(AccessMode::Any)), None);
    }

    #[test]
    fn a_new_write_time_is_a_change_other_metadata_is_not() {
        use notify::event::{AccessKind, DataChange, MetadataKind, ModifyKind};
        assert!(counts(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime))));
        assert!(counts(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(!counts(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::Permissions))));
        assert!(!counts(&EventKind::Access(AccessKind::Any)));
    }

    #[test]
    fn only_source_names_count() {
        let ae = vec!["ae".to_string()];
        for name in ["game.ae", "src/physics.ae", "a.b.ae"] {
            assert!(is_source(Path::new(name), &ae), "{name}");
        }
        for name in [".game.ae.swp", "game.ae~", "#game.ae#", ".#game.ae", "game.ae.tmp", "game.rs", "ae", "4913"] {
            assert!(!is_source(Path::new(name), &ae), "{name}");
        }
    }
}

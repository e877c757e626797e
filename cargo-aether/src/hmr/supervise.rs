//! Run the program and keep it in step with its sources: open the reload
//! channel (a Unix domain socket, in the format `aether_rt::hmr::protocol`
//! owns), start the program, watch the sources, and on each save send the
//! reload `rebuild.rs` made, or make a hot restart (`AETHER_HMR_RESTART=auto`)
//! for a change that cannot be applied live. Ends with the program's status.

use super::prepare::Prepared;
#[cfg(unix)]
use super::rebuild::{rebuild, refused, report_errors, Rebuilt};
use super::{Build, Current, Session};
use crate::Error;
use std::process::{Command, ExitCode};

/// Builds (again) what the session runs: for a hot restart.
pub(super) type Prepare<'a> = dyn FnMut() -> Result<Prepared, Error> + 'a;

/// Supervise the program `command` starts (`current`: what it runs) until it
/// exits; its exit status.
#[cfg_attr(not(unix), allow(unused_variables))]
pub(super) fn supervise(
    session: &Session<'_>,
    build: &Build,
    current: Current,
    command: Command,
    prepare: &mut Prepare<'_>,
) -> Result<ExitCode, Error> {
    #[cfg(not(unix))]
    return Err(Error::usage("`--hmr` is not yet supported on this platform (it needs Unix domain sockets)"));
    #[cfg(unix)]
    {
        use aether_rt::hmr::protocol;
        use aether_rt::hmr::{Watcher, WatcherConfig};
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::path::Path;
        use std::time::Duration;
        use unix::{accept, saved_ms, send, wait_for_saved, RemoveOnDrop};

        let mut current = current;
        let socket = std::env::temp_dir().join(format!("aether-hmr-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket)
            .map_err(|e| Error::environment(format!("cannot open the reload channel {}: {e}", socket.display())))?;
        let _cleanup = RemoveOnDrop(socket.clone());
        let (conn_rx, reply_rx) = accept(listener);
        let root = session.watch_root();
        let watcher = Watcher::new(root, WatcherConfig::default())
            .map_err(|e| Error::environment(format!("cannot watch `{}`: {e}", root.display())))?;
        let status_file = build.status_dir.join("status.txt");
        super::status::keep_in(&status_file);
        let spawn = |mut command: Command, restore: Option<&Path>| {
            command.env(protocol::SOCKET_ENV, &socket);
            command.env(protocol::STATUS_ENV, &status_file);
            if let Some(log) = aether_rt::hmr::say::log_path() {
                command.env(aether_rt::hmr::say::LOG_ENV, log);
            }
            if let Some(path) = restore {
                command.env(protocol::RESTORE_ENV, path);
            }
            command.spawn().map_err(|e| Error::environment(format!("cannot start `{:?}`: {e}", command.get_program())))
        };
        let mut child = spawn(command, None)?;
        let mut channel: Option<UnixStream> = None;
        // A reload sent and not yet answered: what runs once the host says
        // it applied it, and since when it is waited for.
        let mut in_flight: Option<Sent> = None;
        let mut waiting_said = false;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| Error::environment(format!("lost the program: {e}")))? {
                return Ok(crate::error::exit_code_of(status));
            }
            while let Ok(reply) = reply_rx.try_recv() {
                take_reply(reply, &mut current, &mut in_flight);
            }
            if let Some(Sent { since, .. }) = &in_flight {
                // The next save is compared with what runs, so it waits for
                // the host's answer (the watcher keeps the saves meanwhile).
                if !waiting_said && since.elapsed() > Duration::from_secs(10) {
                    waiting_said = true;
                    say!("[aether] waiting for the program to reach a safe point to apply the reload (a loop that makes no call?)");
                }
                if let Ok(reply) = reply_rx.recv_timeout(Duration::from_millis(100)) {
                    take_reply(reply, &mut current, &mut in_flight);
                }
                continue;
            }
            waiting_said = false;
            let Some(mut batch) = watcher.recv_timeout(Duration::from_millis(100)) else { continue };
            super::status::save_seen();
            // From the newest write to now: the debounce and the notification.
            let watched = Duration::from_millis(protocol::now_ms().saturating_sub(saved_ms(&batch)) as u64);
            if channel.is_none() {
                // A generated host connects at start; a Rust host when its
                // first call starts the Aether runtime (perhaps never).
                let wait = if matches!(session, Session::Program { .. }) { 10 } else { 0 };
                channel = conn_rx.recv_timeout(Duration::from_secs(wait)).ok();
            }
            let rebuilt = loop {
                let mut more_saves = || match watcher.recv_timeout(Duration::ZERO) {
                    Some(more) => {
                        batch.paths.extend(more.paths);
                        true
                    }
                    None => false,
                };
                match rebuild(session, build, &mut current, &mut more_saves) {
                    // A save in several steps (an editor writing in place,
                    // two files saved one after the other) fails to check
                    // half way: the rest of it is waited for before the
                    // errors are reported.
                    Rebuilt::Errors(analysis) => match watcher.recv_timeout(save_grace(&batch)) {
                        Some(more) => batch.paths.extend(more.paths),
                        None => {
                            report_errors(session, &analysis);
                            break Rebuilt::Nothing;
                        }
                    },
                    other => break other,
                }
            };
            let saved_ms = saved_ms(&batch);
            let mut reload = match rebuilt {
                Rebuilt::Reload(r) => r,
                Rebuilt::Tune(mut tune) => {
                    tune.timings.watch = watched;
                    let Some(stream) = channel.as_mut() else {
                        current = tune.next;
                        continue;
                    };
                    let command = protocol::Command::Tune { saved_ms, values: tune.values };
                    if send(stream, &command) {
                        let timings = build.timings.then_some(tune.timings);
                        let files = "constants".to_string();
                        in_flight = Some(Sent {
                            next: tune.next,
                            since: std::time::Instant::now(),
                            files,
                            timings,
                            tune: true,
                        });
                    } else {
                        say!("[aether] the program closed its reload channel; the change is not applied");
                    }
                    continue;
                }
                Rebuilt::Nothing | Rebuilt::Errors(_) => continue,
                Rebuilt::Restart(why) => {
                    if !auto_restart() {
                        refused(&[why.as_str(), "set AETHER_HMR_RESTART=auto to restart with the state carried over"]);
                        continue;
                    }
                    say!("[aether] {why}: restarting with the state carried over (AETHER_HMR_RESTART=auto)");
                    let Some((command, next)) = prepare()?.ok() else {
                        say!("[aether] the restart's build failed; the old program keeps running");
                        continue;
                    };
                    let state = build.ws.join("saved-state.txt");
                    let _ = std::fs::remove_file(&state);
                    let saved = channel.as_mut().is_some_and(|stream| {
                        send(stream, &protocol::Command::Save { path: state.clone() })
                            && wait_for_saved(&reply_rx, Duration::from_secs(30))
                    });
                    if !saved {
                        say!("[aether] the program did not save its state; it restarts from its initializers");
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    child = spawn(command, saved.then_some(state.as_path()))?;
                    channel = conn_rx.recv_timeout(Duration::from_secs(30)).ok();
                    current = next;
                    continue;
                }
            };
            let Some(stream) = channel.as_mut() else {
                // Not started yet: it loads what was just built when it does.
                current = reload.next;
                say!(
                    "[aether] rebuilt; the program has not started its Aether code yet, so it will load the new \
                 code when it does"
                );
                continue;
            };
            let files: Vec<&str> = reload
                .modules
                .iter()
                .filter_map(|(i, _)| Some(reload.next.generated.modules.get(*i)?.file.as_str()))
                .collect();
            let files = files.join(", ");
            reload.timings.watch = watched;
            // Constants first: the new code may read them.
            if !reload.tuned.is_empty() {
                let tuned = std::mem::take(&mut reload.tuned);
                send(stream, &protocol::Command::Tune { saved_ms, values: tuned });
            }
            let timings = build.timings.then_some(reload.timings);
            let command = protocol::Command::Reload {
                saved_ms,
                changed: reload.changed,
                restart_main: reload.restart_main,
                modules: reload.modules,
            };
            if send(stream, &command) {
                in_flight =
                    Some(Sent { next: reload.next, since: std::time::Instant::now(), files, timings, tune: false });
            } else {
                say!("[aether] the program closed its reload channel; the change is not applied");
            }
        }
    }
}

#[cfg(unix)]
/// How long a save that does not check is given to be completed before its
/// errors are reported: a file just emptied (an editor writing in place) is
/// given longer than one with content.
#[cfg(unix)]
fn save_grace(batch: &aether_rt::hmr::Batch) -> std::time::Duration {
    let emptied = batch.paths.iter().any(|p| p.metadata().is_ok_and(|m| m.len() == 0));
    std::time::Duration::from_millis(if emptied { 1500 } else { 400 })
}

/// A reload sent and not yet answered.
struct Sent {
    /// What runs once the host has applied it.
    next: Current,
    since: std::time::Instant,
    /// The files it swaps in, for the status line.
    files: String,
    /// `--timings`: the steps so far, printed with the host's answer.
    timings: Option<super::timings::Timings>,
    /// Constants only (`tune`, answered `tuned`), not a reload.
    tune: bool,
}

/// Take in what the host said: a reload's outcome decides what runs.
#[cfg(unix)]
fn take_reply(reply: aether_rt::hmr::protocol::Reply, current: &mut Current, in_flight: &mut Option<Sent>) {
    use aether_rt::hmr::protocol::Reply;
    match reply {
        // A reload's own constants are answered before it: only a `tune`
        // on its own ends with `tuned`.
        Reply::Tuned if !in_flight.as_ref().is_some_and(|s| s.tune) => {}
        Reply::Reloaded | Reply::Tuned => {
            if let Some(sent) = in_flight.take() {
                if let Some(timings) = &sent.timings {
                    say!("{}", timings.line(sent.since.elapsed()));
                }
                super::status::set(&format!("reloaded {}", sent.files));
                *current = sent.next;
            }
        }
        // Nothing changed in the program: `current` stays what runs.
        Reply::Refused { reason } => {
            super::status::set(&format!("refused: {reason}"));
            *in_flight = None;
        }
        Reply::RolledBack { modules, error } => {
            let why = if error.is_empty() { "the new code failed at once".to_string() } else { error };
            super::status::set(&format!("rolled back: {why}; the previous version runs"));
            // The program went back to the previous code: the next save
            // rebuilds these modules even if nothing else changed.
            for i in modules {
                if let Some(m) = current.generated.modules.get_mut(i) {
                    m.files.clear();
                }
            }
        }
        Reply::Saved { .. } => {}
    }
}

/// What `AETHER_HMR_RESTART` asks for a change that cannot be applied live:
/// `auto` restarts the program with its state carried over.
#[cfg(unix)]
fn auto_restart() -> bool {
    std::env::var("AETHER_HMR_RESTART").is_ok_and(|v| v.trim().eq_ignore_ascii_case("auto"))
}

#[cfg(unix)]
mod unix {
    //! What only the Unix supervisor needs.
    use aether_rt::hmr::protocol::{self, Reply};
    use aether_rt::hmr::Batch;
    use std::io::{BufRead, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::PathBuf;
    use std::sync::mpsc::{self, Receiver};
    use std::time::{Duration, Instant, UNIX_EPOCH};

    /// Accept every connection (a hot restart makes a new one), each with a
    /// thread forwarding what the program says back (rollbacks, saved state).
    pub(super) fn accept(listener: UnixListener) -> (Receiver<UnixStream>, Receiver<Reply>) {
        let (conn_tx, conn_rx) = mpsc::channel::<UnixStream>();
        let (reply_tx, reply_rx) = mpsc::channel::<Reply>();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                if let Ok(reader) = stream.try_clone() {
                    let tx = reply_tx.clone();
                    std::thread::spawn(move || {
                        for line in std::io::BufReader::new(reader).lines().map_while(Result::ok) {
                            // A line that is no reply is not ours to act on.
                            if let Ok(reply) = line.parse() {
                                let _ = tx.send(reply);
                            }
                        }
                    });
                }
                if conn_tx.send(stream).is_err() {
                    break;
                }
            }
        });
        (conn_rx, reply_rx)
    }

    /// When the edits of `batch` were saved (the newest file's time, in the
    /// protocol's unit), so the host can report the time from save to swap.
    pub(super) fn saved_ms(batch: &Batch) -> u128 {
        batch
            .paths
            .iter()
            .filter_map(|p| p.metadata().ok()?.modified().ok())
            .max()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or_else(protocol::now_ms, |d| d.as_millis())
    }

    /// Send one command as one write; false when the channel is closed.
    pub(super) fn send(stream: &mut UnixStream, command: &protocol::Command) -> bool {
        stream.write_all(format!("{command}\n").as_bytes()).is_ok()
    }

    /// Wait for the program to say it saved its state.
    pub(super) fn wait_for_saved(replies: &Receiver<Reply>, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match replies.recv_timeout(left) {
                Ok(Reply::Saved { .. }) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    pub(super) struct RemoveOnDrop(pub(super) PathBuf);

    impl Drop for RemoveOnDrop {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

//! `cargo run --release --manifest-path bench/server/Cargo.toml -- [options]`
//!
//! Loads examples/live-server (built `--release` first) with `--clients`
//! keep-alive HTTP/1.1 connections on loopback for `--seconds` per round,
//! alternating the servers for `--rounds` rounds, a fresh server each round:
//! the Aether handlers, the hand-written Rust ones (`--handlers rust`), and
//! with `--hmr` the Aether handlers under `cargo aether run --hmr` (and, with
//! `--reload-every-ms`, once more while their greeting is rewritten every N ms
//! during the load).
//! Each client cycles through `PUT /kv/<unique key>`, `GET` of that key,
//! `GET /` and `GET /count`, checking every answer. After a round every
//! written key is read back (lost writes) and `GET /count` must equal the
//! number of requests the server answered (exact count).
//!
//! Options:
//!   --clients N          client threads, one connection each (default 8)
//!   --seconds S          measured seconds per round (default 5), after 1 s of warm-up
//!   --rounds R           rounds per server (default 3); the table shows the median
//!   --server-threads N   worker threads of the default servers (default 4)
//!   --aether-cmd "CMD"   the Aether server's command line instead of the release build
//!   --rust-cmd "CMD"     the Rust server's command line instead of the release build
//!   --hmr                add the Aether server under `cargo aether run --hmr --release`
//!                        (target/release/cargo-aether, built first), in a copy of the
//!                        example in a temporary directory, without edits
//!   --hmr-cmd "CMD"      that server's command line instead (implies --hmr)
//!   --reload-every-ms N  add that server once more, and while it is loaded rewrite
//!                        `greeting()` in its src/logic/routes.ae every N ms
//!
//! A command line is split on whitespace; its program must print
//! `listening on http://ADDR` on stdout (the first line that starts so is
//! taken; anything before it is skipped). The static servers' commands run in
//! examples/live-server, the --hmr one in the copy. Each server's whole
//! process group is killed after its round. Prints a Markdown table for
//! docs/performance.md.

use aether_test_support::{
    copy_host_package, interop_target_dir, replace_file, repo_root, Conn, Reply, Server as ServerProcess,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(1);
/// How long a server command may take to print its address (a command such
/// as `cargo aether run` may compile first).
const START_TIMEOUT: Duration = Duration::from_secs(600);
/// The greeting's text in routes.ae, which the reloader rewrites.
const GREETING: &str = "Hello from Aether! Edit src/logic/routes.ae to change this line.";
/// What the reloader writes instead, followed by the edit's number.
const RELOADED: &str = "Hello from Aether, edit ";

fn main() {
    let result = Options::parse(std::env::args().skip(1).collect()).and_then(|o| run(&o));
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

struct Options {
    clients: usize,
    seconds: u64,
    rounds: usize,
    server_threads: usize,
    aether_cmd: Option<Vec<String>>,
    rust_cmd: Option<Vec<String>>,
    hmr: bool,
    hmr_cmd: Option<Vec<String>>,
    reload_every: Option<Duration>,
}

impl Options {
    fn parse(args: Vec<String>) -> Result<Options, String> {
        let mut o = Options {
            clients: 8,
            seconds: 5,
            rounds: 3,
            server_threads: 4,
            aether_cmd: None,
            rust_cmd: None,
            hmr: false,
            hmr_cmd: None,
            reload_every: None,
        };
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            if flag == "--hmr" {
                o.hmr = true;
                continue;
            }
            let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
            let number = || -> Result<usize, String> {
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!("`{flag} {value}`: expected a positive number")),
                }
            };
            match flag.as_str() {
                "--clients" => o.clients = number()?,
                "--seconds" => o.seconds = number()? as u64,
                "--rounds" => o.rounds = number()?,
                "--server-threads" => o.server_threads = number()?,
                "--aether-cmd" => o.aether_cmd = Some(words(&value)?),
                "--rust-cmd" => o.rust_cmd = Some(words(&value)?),
                "--hmr-cmd" => {
                    o.hmr_cmd = Some(words(&value)?);
                    o.hmr = true;
                }
                "--reload-every-ms" => o.reload_every = Some(Duration::from_millis(number()? as u64)),
                other => return Err(format!("unknown option `{other}` (see the top of bench/server/src/main.rs)")),
            }
        }
        if o.reload_every.is_some() && !o.hmr {
            return Err("--reload-every-ms edits the --hmr server: add --hmr".into());
        }
        Ok(o)
    }
}

fn words(cmd: &str) -> Result<Vec<String>, String> {
    let w: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    if w.is_empty() {
        return Err("an empty server command".into());
    }
    Ok(w)
}

/// One of the servers under test.
struct Server {
    name: &'static str,
    cmd: Vec<String>,
    dir: PathBuf,
    /// routes.ae to rewrite during the load, and how often.
    reload: Option<(PathBuf, Duration)>,
}

fn run(o: &Options) -> Result<(), String> {
    let repo = repo_root().canonicalize().map_err(|e| format!("the repository root: {e}"))?;
    let example = repo.join("examples/live-server");
    let exe = if o.aether_cmd.is_none() || o.rust_cmd.is_none() { Some(build_release(&repo, &example)?) } else { None };
    let threads = o.server_threads.to_string();
    let default_cmd = |handlers: &str| -> Vec<String> {
        let exe = exe.as_ref().map(|e| e.display().to_string()).unwrap_or_default();
        [exe.as_str(), "--port", "0", "--threads", &threads, "--handlers", handlers].map(str::to_string).to_vec()
    };
    let mut servers = vec![
        Server {
            name: "Aether handlers",
            cmd: o.aether_cmd.clone().unwrap_or_else(|| default_cmd("aether")),
            dir: example.clone(),
            reload: None,
        },
        Server {
            name: "Rust handlers",
            cmd: o.rust_cmd.clone().unwrap_or_else(|| default_cmd("rust")),
            dir: example.clone(),
            reload: None,
        },
    ];
    let work = std::env::temp_dir().join(format!("aether-bench-server-{}", std::process::id()));
    if o.hmr {
        let copy = work.join("live-server");
        let cmd = match &o.hmr_cmd {
            Some(c) => c.clone(),
            None => {
                let tool = build_cargo_aether(&repo)?;
                [tool.display().to_string().as_str(), "aether", "run", "--hmr", "--release", ".", "--", "--port", "0"]
                    .into_iter()
                    .chain(["--threads", &threads])
                    .map(str::to_string)
                    .collect()
            }
        };
        // Without edits the row measures what the indirect calls of --hmr
        // cost; with them, what reloading (a cargo build on the same cores)
        // costs the clients.
        servers.push(Server { name: "Aether handlers, --hmr", cmd: cmd.clone(), dir: copy.clone(), reload: None });
        if let Some(every) = o.reload_every {
            servers.push(Server {
                name: "Aether handlers, --hmr, reloading",
                cmd,
                dir: copy.clone(),
                reload: Some((copy.join("src/logic/routes.ae"), every)),
            });
        }
    }
    let result = measure(o, &example, &servers);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn measure(o: &Options, example: &Path, servers: &[Server]) -> Result<(), String> {
    let mut results: Vec<Vec<Round>> = servers.iter().map(|_| Vec::new()).collect();
    for round in 1..=o.rounds {
        // Alternating the servers spreads the machine's noise over all.
        for (server, rounds) in servers.iter().zip(results.iter_mut()) {
            if server.dir != example {
                // A fresh copy each round: the edits of the last round undone,
                // the path (and so the build caches) the same.
                copy_host_package(example, &server.dir, "live-server-hmr")
                    .map_err(|e| format!("copying the example to {}: {e}", server.dir.display()))?;
            }
            eprintln!("round {round}/{}: {}: {}", o.rounds, server.name, server.cmd.join(" "));
            let r = load_round(server, o)?;
            eprintln!(
                "  {:.0} req/s, {} failed, {} lost writes, count {}{}",
                r.per_second(),
                r.failed,
                r.lost,
                if r.count_exact { "exact" } else { "WRONG" },
                match server.reload {
                    Some(_) => format!(", {} edits, {} seen by clients", r.edits, r.versions_seen),
                    None => String::new(),
                }
            );
            rounds.push(r);
        }
    }
    print_table(o, servers, &results);
    Ok(())
}

/// `cargo build --release` of the example, in the target dir the e2e tests
/// share; returns the binary.
fn build_release(repo: &Path, example: &Path) -> Result<PathBuf, String> {
    let target = interop_target_dir();
    let exe = target.join("release").join(format!("live-server{}", std::env::consts::EXE_SUFFIX));
    eprintln!("building examples/live-server (release)...");
    cargo(
        repo,
        &["build", "--release", "-q", "--manifest-path", &example.join("Cargo.toml").display().to_string()],
        Some(&target),
    )?;
    Ok(exe)
}

fn build_cargo_aether(repo: &Path) -> Result<PathBuf, String> {
    eprintln!("building cargo-aether (release)...");
    cargo(repo, &["build", "--release", "-q", "-p", "cargo-aether"], None)?;
    Ok(repo.join("target/release").join(format!("cargo-aether{}", std::env::consts::EXE_SUFFIX)))
}

fn cargo(dir: &Path, args: &[&str], target: Option<&Path>) -> Result<(), String> {
    let mut command = aether_test_support::cargo();
    command.args(args).current_dir(dir);
    if let Some(t) = target {
        command.env("CARGO_TARGET_DIR", t);
    }
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo {}` failed", args.join(" ")));
    }
    Ok(())
}

#[derive(Clone)]
struct Round {
    /// Answered, checked requests in the measured window.
    requests: u64,
    elapsed: Duration,
    failed: u64,
    lost: u64,
    count_exact: bool,
    /// Latency of each measured request, in microseconds, sorted.
    latencies: Vec<u32>,
    /// Greeting rewrites made during the round, and how many of them the
    /// clients got back from `GET /`.
    edits: u64,
    versions_seen: usize,
}

impl Round {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile(&self, p: f64) -> u32 {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round().max(0.0) as usize;
        self.latencies.get(i).copied().unwrap_or(0)
    }
}

/// What one client did in a round.
#[derive(Default)]
struct ClientReport {
    answered: u64,
    measured: u64,
    failed: u64,
    /// Indexes `i` of the keys `b{client}-{i}` whose PUT was acknowledged.
    written: Vec<u64>,
    latencies: Vec<u32>,
    /// The numbers of the greeting edits `GET /` answered with.
    seen: BTreeSet<u64>,
    /// What went wrong, for the first few failures.
    errors: Vec<String>,
}

impl ClientReport {
    fn fail(&mut self, why: String) {
        self.failed += 1;
        if self.errors.len() < 3 {
            self.errors.push(why);
        }
    }
}

/// Shared by the clients of a round: when to start measuring, when to stop,
/// and how many clients have had their first answer.
struct Shared {
    measure_from: Instant,
    stop: AtomicBool,
    started: AtomicUsize,
}

fn load_round(server: &Server, o: &Options) -> Result<Round, String> {
    let process = start_server(&server.dir, &server.cmd)?;
    let addr = process.addr.as_str();
    let shared =
        Shared { measure_from: Instant::now() + WARM_UP, stop: AtomicBool::new(false), started: AtomicUsize::new(0) };
    let edits = AtomicU64::new(0);
    let (elapsed, reports) = std::thread::scope(|s| {
        let clients: Vec<_> = (0..o.clients)
            .map(|c| {
                s.spawn({
                    let shared = &shared;
                    move || client(c, addr, shared)
                })
            })
            .collect();
        // The reloader edits the handler the clients call, while they call it:
        // the checks after the round show what the reloads cost in failed
        // requests and lost writes.
        if let Some((routes, every)) = &server.reload {
            let (shared, edits) = (&shared, &edits);
            s.spawn(move || reloader(routes, *every, shared, edits));
        }
        std::thread::sleep(
            (shared.measure_from + Duration::from_secs(o.seconds)).saturating_duration_since(Instant::now()),
        );
        shared.stop.store(true, Ordering::Relaxed);
        let elapsed = shared.measure_from.elapsed();
        let reports: Vec<ClientReport> = clients
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| ClientReport { failed: 1, ..ClientReport::default() }))
            .collect();
        (elapsed, reports)
    });
    for e in reports.iter().flat_map(|r| r.errors.iter()) {
        eprintln!("  failed: {e}");
    }
    let verify = verify_writes(addr, o.clients, &reports);
    let answered: u64 = reports.iter().map(|r| r.answered).sum::<u64>() + verify.answered;
    // The count includes the request that reads it.
    let count_exact = match Conn::open(addr).and_then(|mut c| c.try_send("GET", "/count", b"")) {
        Ok(r) => r.status == 200 && r.body.trim() == (answered + 1).to_string(),
        Err(e) => {
            eprintln!("  GET /count after the round failed: {e}");
            false
        }
    };
    drop(process);
    let mut latencies: Vec<u32> = reports.iter().flat_map(|r| r.latencies.iter().copied()).collect();
    latencies.sort_unstable();
    let versions_seen = reports.iter().flat_map(|r| r.seen.iter()).collect::<BTreeSet<_>>().len();
    Ok(Round {
        requests: reports.iter().map(|r| r.measured).sum(),
        elapsed,
        failed: reports.iter().map(|r| r.failed).sum::<u64>() + verify.failed,
        lost: verify.lost,
        count_exact,
        latencies,
        edits: edits.load(Ordering::Relaxed),
        versions_seen,
    })
}

/// Every `every`, from the start of the load to its end, rewrites the
/// greeting in `routes` (by rename, as editors do) to `RELOADED` + the
/// edit's number.
fn reloader(routes: &Path, every: Duration, shared: &Shared, edits: &AtomicU64) {
    let Ok(original) = std::fs::read_to_string(routes) else {
        eprintln!("  the reloader cannot read {}", routes.display());
        return;
    };
    if !original.contains(GREETING) {
        eprintln!("  the greeting is not in {}: no edits", routes.display());
        return;
    }
    let mut next = Instant::now() + every;
    let mut n = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(5));
        if Instant::now() < next {
            continue;
        }
        n += 1;
        let text = original.replace(GREETING, &format!("{RELOADED}{n}"));
        if replace_file(routes, &text).is_ok() {
            edits.store(n, Ordering::Relaxed);
        }
        next += every;
    }
}

/// One client: a keep-alive connection cycling through a write, a read of
/// it, the greeting and the counter, until `stop`. A request that fails
/// (connection error, wrong status or body) counts as failed and the
/// client reconnects.
fn client(id: usize, addr: &str, shared: &Shared) -> ClientReport {
    let mut report = ClientReport::default();
    let mut conn: Option<Conn> = None;
    let mut i: u64 = 0;
    // The clients open their connections one after another, each once the
    // previous one has had an answer: tiny_http 0.12 can leave connections
    // opened in a burst unserved until other keep-alive connections close
    // (a race in its connection thread pool), which would measure that
    // rather than the handlers.
    while shared.started.load(Ordering::Acquire) < id && !shared.stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(1));
    }
    while !shared.stop.load(Ordering::Relaxed) {
        let c = match &mut conn {
            Some(c) => c,
            None => match Conn::open(addr) {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    report.fail(format!("connect: {e}"));
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let key = format!("/kv/b{id}-{i}");
        let value = value_of(id, i);
        // The greeting of the example, or one of the reloader's.
        let greeting_ok = |r: &Reply| r.status == 200 && (r.body.trim() == GREETING || edit_number(r).is_some());
        let steps: [Step; 4] = [
            ("PUT", &key, value.as_bytes(), &|r| r.status == 201),
            ("GET", &key, b"", &|r| r.status == 200 && r.body == value),
            ("GET", "/", b"", &greeting_ok),
            ("GET", "/count", b"", &|r| r.status == 200 && r.body.trim().parse::<u64>().is_ok()),
        ];
        for (n, (method, path, body, ok)) in steps.into_iter().enumerate() {
            let start = Instant::now();
            match c.try_send(method, path, body) {
                Ok(reply) => {
                    report.answered += 1;
                    if start >= shared.measure_from {
                        report.measured += 1;
                        report.latencies.push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
                    }
                    if !ok(&reply) {
                        report.fail(format!("{method} {path}: {} {:?}", reply.status, reply.body));
                    } else if n == 0 {
                        report.written.push(i);
                    } else if n == 2 {
                        if let Some(edit) = edit_number(&reply) {
                            report.seen.insert(edit);
                        }
                    }
                }
                Err(e) => {
                    // The server may or may not have handled it: the exact
                    // count can no longer be checked, and the round says so.
                    report.fail(format!("{method} {path}: {e}"));
                    conn = None;
                    break;
                }
            }
        }
        if i == 0 {
            shared.started.fetch_add(1, Ordering::Release);
        }
        i += 1;
    }
    report
}

fn edit_number(r: &Reply) -> Option<u64> {
    r.body.trim().strip_prefix(RELOADED)?.parse().ok()
}

/// A request of the cycle: method, path, body, and the check of its answer.
type Step<'a> = (&'a str, &'a str, &'a [u8], &'a dyn Fn(&Reply) -> bool);

fn value_of(client: usize, i: u64) -> String {
    format!("value {client} {i} of the live-server bench")
}

struct Verified {
    answered: u64,
    failed: u64,
    lost: u64,
}

/// Reads back every acknowledged write, the clients' keys split over as many
/// threads as there were clients.
fn verify_writes(addr: &str, clients: usize, reports: &[ClientReport]) -> Verified {
    let counts: Vec<Verified> = std::thread::scope(|s| {
        let handles: Vec<_> = reports
            .iter()
            .enumerate()
            .take(clients)
            .map(|(id, r)| {
                s.spawn(move || {
                    let mut v = Verified { answered: 0, failed: 0, lost: 0 };
                    let mut conn: Option<Conn> = None;
                    for &i in &r.written {
                        let c = match &mut conn {
                            Some(c) => c,
                            None => match Conn::open(addr) {
                                Ok(c) => conn.insert(c),
                                Err(_) => {
                                    v.failed += 1;
                                    v.lost += 1;
                                    continue;
                                }
                            },
                        };
                        match c.try_send("GET", &format!("/kv/b{id}-{i}"), b"") {
                            Ok(reply) => {
                                v.answered += 1;
                                if reply.status != 200 || reply.body != value_of(id, i) {
                                    v.lost += 1;
                                }
                            }
                            Err(_) => {
                                v.failed += 1;
                                v.lost += 1;
                                conn = None;
                            }
                        }
                    }
                    v
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(Verified { answered: 0, failed: 1, lost: 1 })).collect()
    });
    Verified {
        answered: counts.iter().map(|v| v.answered).sum(),
        failed: counts.iter().map(|v| v.failed).sum(),
        lost: counts.iter().map(|v| v.lost).sum(),
    }
}

fn print_table(o: &Options, servers: &[Server], results: &[Vec<Round>]) {
    println!(
        "\n{} keep-alive clients on loopback, {} s per round after {} s of warm-up, {} rounds per server \
         (median round shown; failed requests, lost writes and edits summed over all rounds)\n",
        o.clients,
        o.seconds,
        WARM_UP.as_secs(),
        o.rounds
    );
    println!("| server | req/s (median) | req/s (min–max) | p50 µs | p99 µs | failed | lost writes | count exact | edits (answered) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|");
    let mut medians = Vec::new();
    for (server, rounds) in servers.iter().zip(results) {
        let mut sorted: Vec<&Round> = rounds.iter().collect();
        sorted.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
        let (Some(lo), Some(mid), Some(hi)) = (sorted.first(), sorted.get(sorted.len() / 2), sorted.last()) else {
            continue;
        };
        medians.push((server.name, mid.per_second()));
        let edits = match server.reload {
            Some(_) => format!(
                "{} ({})",
                rounds.iter().map(|r| r.edits).sum::<u64>(),
                rounds.iter().map(|r| r.versions_seen).sum::<usize>()
            ),
            None => "–".into(),
        };
        println!(
            "| {} | {:.0} | {:.0}–{:.0} | {} | {} | {} | {} | {} | {edits} |",
            server.name,
            mid.per_second(),
            lo.per_second(),
            hi.per_second(),
            mid.percentile(0.5),
            mid.percentile(0.99),
            rounds.iter().map(|r| r.failed).sum::<u64>(),
            rounds.iter().map(|r| r.lost).sum::<u64>(),
            if rounds.iter().all(|r| r.count_exact) { "yes" } else { "no" }
        );
    }
    if let Some((_, rust)) = medians.iter().find(|(name, _)| name.starts_with("Rust")) {
        println!();
        for (name, rps) in medians.iter().filter(|(name, _)| !name.starts_with("Rust")) {
            println!("{name} / Rust handlers throughput: {:.2}", rps / rust.max(1e-9));
        }
    }
    println!("\nservers:");
    for server in servers {
        println!("- {}: `{}`", server.name, server.cmd.join(" "));
    }
}

/// Runs `cmd` in `dir` in a process group of its own (the whole group is
/// killed when the round ends: a `cargo ... run` leaves its child
/// otherwise); a `cargo` it runs builds in the target dir the e2e tests
/// share unless `CARGO_TARGET_DIR` says otherwise.
fn start_server(dir: &Path, cmd: &[String]) -> Result<ServerProcess, String> {
    let (program, args) = cmd.split_first().ok_or("an empty server command")?;
    let mut command = Command::new(program);
    command.args(args).current_dir(dir).stderr(Stdio::inherit());
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        command.env("CARGO_TARGET_DIR", interop_target_dir());
    }
    ServerProcess::start(&mut command, START_TIMEOUT)
}

//! `cargo run --release --manifest-path bench/server/Cargo.toml -- [options]`
//!
//! Loads examples/live-server (built `--release` first) with `--clients`
//! keep-alive HTTP/1.1 connections on loopback for `--seconds` per round,
//! alternating the Aether handlers and the hand-written Rust ones
//! (`--handlers rust`) for `--rounds` rounds, a fresh server each round.
//! Each client cycles through `PUT /kv/<unique key>`, `GET` of that key,
//! `GET /` and `GET /count`, checking every answer. After a round every
//! written key is read back (lost writes) and `GET /count` must equal the
//! number of requests the server answered (exact count).
//!
//! Options:
//!   --clients N         client threads, one connection each (default 8)
//!   --seconds S         measured seconds per round (default 5), after 1 s of warm-up
//!   --rounds R          rounds per server (default 3); the table shows the median
//!   --server-threads N  worker threads of the default servers (default 4)
//!   --aether-cmd "CMD"  the Aether server's command line instead of the release build
//!   --rust-cmd "CMD"    the Rust server's command line instead of the release build
//!
//! A command line is split on whitespace and runs in examples/live-server;
//! its program must print `listening on http://ADDR` on stdout (the first
//! line that starts so is taken; anything before it is skipped), e.g.
//! `--aether-cmd "cargo aether run --hmr -- --port 0"`. Its whole process
//! group is killed after the round. Prints a Markdown table for
//! docs/performance.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(1);
/// How long a server command may take to print its address (a command such
/// as `cargo aether run` may compile first).
const START_TIMEOUT: Duration = Duration::from_secs(600);

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
}

impl Options {
    fn parse(args: Vec<String>) -> Result<Options, String> {
        let mut o = Options { clients: 8, seconds: 5, rounds: 3, server_threads: 4, aether_cmd: None, rust_cmd: None };
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
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
                other => return Err(format!("unknown option `{other}` (see the top of bench/server/src/main.rs)")),
            }
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

fn run(o: &Options) -> Result<(), String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .map_err(|e| format!("the repository root: {e}"))?;
    let example = repo.join("examples/live-server");
    let exe = if o.aether_cmd.is_none() || o.rust_cmd.is_none() { Some(build_release(&repo, &example)?) } else { None };
    let default_cmd = |handlers: &str| -> Vec<String> {
        let exe = exe.as_ref().map(|e| e.display().to_string()).unwrap_or_default();
        let threads = o.server_threads.to_string();
        [exe.as_str(), "--port", "0", "--threads", &threads, "--handlers", handlers].map(str::to_string).to_vec()
    };
    let servers = [
        ("Aether handlers", o.aether_cmd.clone().unwrap_or_else(|| default_cmd("aether"))),
        ("Rust handlers", o.rust_cmd.clone().unwrap_or_else(|| default_cmd("rust"))),
    ];
    let mut results: Vec<Vec<Round>> = vec![Vec::new(); servers.len()];
    for round in 1..=o.rounds {
        // Alternating the servers spreads the machine's noise over both.
        for ((name, cmd), rounds) in servers.iter().zip(results.iter_mut()) {
            eprintln!("round {round}/{}: {name}: {}", o.rounds, cmd.join(" "));
            let r = load_round(&example, cmd, o)?;
            eprintln!(
                "  {:.0} req/s, {} failed, {} lost writes, count {}",
                r.per_second(),
                r.failed,
                r.lost,
                if r.count_exact { "exact" } else { "WRONG" }
            );
            rounds.push(r);
        }
    }
    print_table(o, &servers, &results);
    Ok(())
}

/// `cargo build --release` of the example, in the target dir the e2e tests
/// share; returns the binary.
fn build_release(repo: &Path, example: &Path) -> Result<PathBuf, String> {
    let target = repo.join("target/aether-interop");
    let exe = target.join("release").join(format!("live-server{}", std::env::consts::EXE_SUFFIX));
    eprintln!("building examples/live-server (release)...");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-q", "--manifest-path"])
        .arg(example.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building examples/live-server failed".into());
    }
    Ok(exe)
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
}

fn load_round(dir: &Path, cmd: &[String], o: &Options) -> Result<Round, String> {
    let server = ServerProcess::start(dir, cmd)?;
    let addr = server.addr.as_str();
    let stop = AtomicBool::new(false);
    let measure_from = Instant::now() + WARM_UP;
    let (elapsed, reports) = std::thread::scope(|s| {
        let clients: Vec<_> =
            (0..o.clients).map(|c| s.spawn({ let stop = &stop; move || client(c, addr, measure_from, stop) })).collect();
        // HMR hook: a `--reload-every-ms N` option would start its reloader
        // here, beside the clients: every N ms it rewrites `greeting()` in
        // src/logic/routes.ae of the server's package (by rename, as editors
        // do) until `stop`, and counts the new greetings seen by `GET /`; the
        // checks after the round then show that reloads lose no request and
        // no write. It needs a server command running under
        // `cargo aether run --hmr` (see --aether-cmd).
        std::thread::sleep((measure_from + Duration::from_secs(o.seconds)).saturating_duration_since(Instant::now()));
        stop.store(true, Ordering::Relaxed);
        let elapsed = measure_from.elapsed();
        let reports: Vec<ClientReport> = clients
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| ClientReport { failed: 1, ..ClientReport::default() }))
            .collect();
        (elapsed, reports)
    });
    let verify = verify_writes(addr, o.clients, &reports);
    let answered: u64 = reports.iter().map(|r| r.answered).sum::<u64>() + verify.answered;
    // The count includes the request that reads it.
    let count_exact = match Conn::open(addr).and_then(|mut c| c.send("GET", "/count", b"")) {
        Ok(r) => r.status == 200 && r.body.trim() == (answered + 1).to_string(),
        Err(e) => {
            eprintln!("  GET /count after the round failed: {e}");
            false
        }
    };
    drop(server);
    let mut latencies: Vec<u32> = reports.iter().flat_map(|r| r.latencies.iter().copied()).collect();
    latencies.sort_unstable();
    Ok(Round {
        requests: reports.iter().map(|r| r.measured).sum(),
        elapsed,
        failed: reports.iter().map(|r| r.failed).sum::<u64>() + verify.failed,
        lost: verify.lost,
        count_exact,
        latencies,
    })
}

/// One client: a keep-alive connection cycling through a write, a read of
/// it, the greeting and the counter, until `stop`. A request that fails
/// (connection error, wrong status or body) counts as failed and the
/// client reconnects.
fn client(id: usize, addr: &str, measure_from: Instant, stop: &AtomicBool) -> ClientReport {
    let mut report = ClientReport::default();
    let mut conn: Option<Conn> = None;
    let mut i: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let c = match &mut conn {
            Some(c) => c,
            None => match Conn::open(addr) {
                Ok(c) => conn.insert(c),
                Err(_) => {
                    report.failed += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let key = format!("/kv/b{id}-{i}");
        let value = value_of(id, i);
        let step = |c: &mut Conn, method: &str, path: &str, body: &[u8], ok: &dyn Fn(&Reply) -> bool| {
            let start = Instant::now();
            let answer = c.send(method, path, body);
            (start, answer.map(|r| ok(&r)))
        };
        let steps: [Step; 4] = [
            ("PUT", &key, value.as_bytes(), &|r| r.status == 201),
            ("GET", &key, b"", &|r| r.status == 200 && r.body == value),
            ("GET", "/", b"", &|r| r.status == 200),
            ("GET", "/count", b"", &|r| r.status == 200 && r.body.trim().parse::<u64>().is_ok()),
        ];
        for (n, (method, path, body, ok)) in steps.into_iter().enumerate() {
            let (start, answer) = step(c, method, path, body, ok);
            match answer {
                Ok(good) => {
                    report.answered += 1;
                    if start >= measure_from {
                        report.measured += 1;
                        report.latencies.push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
                    }
                    if !good {
                        report.failed += 1;
                    } else if n == 0 {
                        report.written.push(i);
                    }
                }
                Err(_) => {
                    // The server may or may not have handled it: the exact
                    // count can no longer be checked, and the round says so.
                    report.failed += 1;
                    conn = None;
                    break;
                }
            }
        }
        i += 1;
    }
    report
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
                        match c.send("GET", &format!("/kv/b{id}-{i}"), b"") {
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

fn print_table(o: &Options, servers: &[(&str, Vec<String>)], results: &[Vec<Round>]) {
    println!(
        "\n{} keep-alive clients on loopback, {} s per round after {} s of warm-up, {} rounds per server \
         (median round shown; failed requests and lost writes summed over all rounds)\n",
        o.clients,
        o.seconds,
        WARM_UP.as_secs(),
        o.rounds
    );
    println!("| server | req/s (median) | req/s (min–max) | p50 µs | p99 µs | failed | lost writes | count exact |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    let mut medians = Vec::new();
    for ((name, _), rounds) in servers.iter().zip(results) {
        let mut sorted: Vec<&Round> = rounds.iter().collect();
        sorted.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
        let (Some(lo), Some(mid), Some(hi)) = (sorted.first(), sorted.get(sorted.len() / 2), sorted.last()) else {
            continue;
        };
        medians.push(mid.per_second());
        println!(
            "| {name} | {:.0} | {:.0}–{:.0} | {} | {} | {} | {} | {} |",
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
    if let [aether, rust] = medians.as_slice() {
        println!("\nAether / Rust throughput: {:.2}", aether / rust.max(1e-9));
    }
    println!("\nservers:");
    for (name, cmd) in servers {
        println!("- {name}: `{}`", cmd.join(" "));
    }
}

/// A server command running in its own process group, killed with the whole
/// group when dropped (a `cargo ... run` leaves its child otherwise).
struct ServerProcess {
    child: Child,
    addr: String,
}

impl ServerProcess {
    fn start(dir: &Path, cmd: &[String]) -> Result<ServerProcess, String> {
        let (program, args) = cmd.split_first().ok_or("an empty server command")?;
        let mut command = Command::new(program);
        command.args(args).current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::inherit());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|e| format!("cannot run `{program}`: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        // The reader keeps draining stdout after the address, so that a
        // server that prints more never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                        sent = tx.send(addr.to_string()).is_ok();
                    }
                }
            }
        });
        let mut process = ServerProcess { child, addr: String::new() };
        process.addr = rx
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| format!("`{}` printed no `listening on http://ADDR` line", cmd.join(" ")))?;
        Ok(process)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    body: String,
}

/// One keep-alive HTTP/1.1 connection; bodies by Content-Length or chunked.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    request: Vec<u8>,
}

impl Conn {
    fn open(addr: &str) -> Result<Conn, String> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect to {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
        let reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
        Ok(Conn { reader, writer: stream, request: Vec::with_capacity(256) })
    }

    fn send(&mut self, method: &str, path: &str, body: &[u8]) -> Result<Reply, String> {
        self.request.clear();
        let _ = write!(self.request, "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {}\r\n\r\n", body.len());
        self.request.extend_from_slice(body);
        self.writer.write_all(&self.request).map_err(|e| format!("send: {e}"))?;
        self.read_reply()
    }

    fn read_reply(&mut self) -> Result<Reply, String> {
        let mut line = String::new();
        self.line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not a status line: {line:?}"))?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            self.line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!("not a header: {header:?}"));
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().map_err(|_| format!("bad Content-Length {value:?}"))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
        let body = if chunked { self.chunked_body(&mut line)? } else { self.exact(length)? };
        let body = String::from_utf8(body).map_err(|_| "a body that is not UTF-8".to_string())?;
        Ok(Reply { status, body })
    }

    fn chunked_body(&mut self, line: &mut String) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        loop {
            self.line(line)?;
            let size = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size, 16).map_err(|_| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    self.line(line)?;
                    if line.trim_end().is_empty() {
                        return Ok(body);
                    }
                }
            }
            body.extend(self.exact(size)?);
            self.line(line)?;
        }
    }

    fn exact(&mut self, n: usize) -> Result<Vec<u8>, String> {
        let mut buf = vec![0; n];
        self.reader.read_exact(&mut buf).map_err(|e| format!("body: {e}"))?;
        Ok(buf)
    }

    fn line(&mut self, line: &mut String) -> Result<(), String> {
        line.clear();
        match self.reader.read_line(line) {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("read: {e}")),
        }
    }
}

//! An HTTP server whose Rust host only does I/O. Routing, the request
//! counter and the key-value store are Aether modules (src/logic/*.ae),
//! compiled in by build.rs and called through typed bindings from a pool
//! of worker threads.
//!
//! ```text
//! live-server [--port P | --addr HOST:PORT] [--threads N] [--handlers aether|rust]
//! ```
//!
//! The first line on stdout is `listening on http://ADDR` (with the real
//! port when `--port 0` asks the OS for one), for scripts and tests.

mod native;

aether_rt::include_aether!(logic);

use logic::http::{Request, Response};
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// The biggest request body accepted, in bytes: the store lives in memory.
const MAX_BODY: u64 = 1 << 20;
const DEFAULT_PORT: u16 = 8080;
const DEFAULT_THREADS: usize = 4;
const USAGE: &str = "usage: live-server [--port P | --addr HOST:PORT] [--threads N] [--handlers aether|rust]";

fn main() {
    let options = match Options::parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    aether_rt::install_panic_hook();
    let server = match tiny_http::Server::http(options.addr.as_str()) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", options.addr);
            std::process::exit(1);
        }
    };
    let bound = match server.server_addr().to_ip() {
        Some(a) => a.to_string(),
        None => options.addr.clone(),
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();
    let handler = options.handlers;
    let plural = if options.threads == 1 { "" } else { "s" };
    eprintln!("{} worker thread{plural}, handlers in {}", options.threads, handler.name());
    let workers: Vec<_> = (0..options.threads)
        .map(|_| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || loop {
                match server.recv() {
                    Ok(rq) => serve(rq, handler),
                    Err(e) => {
                        eprintln!("error: accepting a request failed: {e}");
                        return;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}

/// Which implementation of the routes answers: the Aether modules, or the
/// hand-written Rust twin used as the baseline of bench/server.
#[derive(Clone, Copy)]
enum Handlers {
    Aether,
    Rust,
}

impl Handlers {
    fn handle(self, req: &Request) -> Response {
        match self {
            Handlers::Aether => logic::routes::handle(req),
            Handlers::Rust => native::handle(req),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Handlers::Aether => "Aether (src/logic)",
            Handlers::Rust => "Rust (src/native.rs)",
        }
    }
}

struct Options {
    addr: String,
    threads: usize,
    handlers: Handlers,
}

impl Options {
    /// Flags win over the environment (`LIVE_SERVER_ADDR`, `LIVE_SERVER_PORT`,
    /// `LIVE_SERVER_THREADS`), which wins over the defaults.
    fn parse(args: Vec<String>) -> Result<Options, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut addr = env("LIVE_SERVER_ADDR");
        let mut port = env("LIVE_SERVER_PORT");
        let mut threads = env("LIVE_SERVER_THREADS");
        let mut handlers = Handlers::Aether;
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("`{flag}` needs a value"));
            match flag.as_str() {
                "--port" => {
                    port = Some(value()?);
                    addr = None;
                }
                "--addr" => {
                    addr = Some(value()?);
                    port = None;
                }
                "--threads" => threads = Some(value()?),
                "--handlers" => {
                    handlers = match value()?.as_str() {
                        "aether" => Handlers::Aether,
                        "rust" => Handlers::Rust,
                        other => return Err(format!("unknown handlers `{other}`: aether or rust")),
                    }
                }
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let addr = match (addr, port) {
            (Some(a), _) => a,
            (None, Some(p)) => {
                let p: u16 = p.parse().map_err(|_| format!("`{p}` is not a port"))?;
                format!("127.0.0.1:{p}")
            }
            (None, None) => format!("127.0.0.1:{DEFAULT_PORT}"),
        };
        let threads = match threads {
            None => DEFAULT_THREADS,
            Some(t) => match t.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => return Err(format!("`{t}` is not a number of threads")),
            },
        };
        Ok(Options { addr, threads, handlers })
    }
}

/// One request: HTTP in, an Aether `Request` to the handlers, their
/// `Response` back out as HTTP.
fn serve(mut rq: tiny_http::Request, handlers: Handlers) {
    let response = match read_request(&mut rq) {
        Ok(req) => {
            // A handler that fails (a runtime error in an edited module)
            // costs its request a 500, not the worker thread.
            match catch_unwind(AssertUnwindSafe(|| handlers.handle(&req))) {
                Ok(r) => r,
                Err(_) => error(500, "internal error: the handler failed, see the server's log"),
            }
        }
        Err(r) => r,
    };
    // A client that hung up before its answer is not the server's problem.
    let _ = rq.respond(to_http(response));
}

fn read_request(rq: &mut tiny_http::Request) -> Result<Request, Response> {
    let mut body = Vec::new();
    if rq.as_reader().take(MAX_BODY + 1).read_to_end(&mut body).is_err() {
        return Err(error(400, "cannot read the request body"));
    }
    if body.len() as u64 > MAX_BODY {
        return Err(error(413, &format!("the body is larger than {MAX_BODY} bytes")));
    }
    let body = String::from_utf8(body).map_err(|_| error(400, "the body is not UTF-8 text"))?;
    Ok(Request { method: rq.method().as_str().to_string(), path: rq.url().to_string(), body })
}

fn to_http(r: Response) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let status = match u16::try_from(r.status) {
        Ok(s) if (100..=999).contains(&s) => s,
        _ => {
            eprintln!("error: the handlers answered with status {}, sent as 500", r.status);
            500
        }
    };
    let response = tiny_http::Response::from_string(r.body).with_status_code(status);
    match tiny_http::Header::from_bytes(&b"Content-Type"[..], r.content_type.as_bytes()) {
        Ok(h) => response.with_header(h),
        // A content type that is not a valid header value: keep text/plain.
        Err(()) => response,
    }
}

fn error(status: i64, message: &str) -> Response {
    Response { status, body: format!("{message}\n"), content_type: "text/plain; charset=utf-8".into() }
}

//! End to end: examples/live-server, built with the real `cargo` (in the
//! shared `target/aether-interop/`, as host_e2e.rs does), started on a free
//! port and spoken to over real TCP with hand-written HTTP/1.1 requests on
//! keep-alive connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

#[test]
fn routes_answer_and_the_store_keeps_values() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let r = c.send("GET", "/", "");
    assert_eq!((r.status, r.content_type.as_str()), (200, "text/plain; charset=utf-8"), "{r:?}");
    assert!(r.body.starts_with("Hello from Aether!"), "{r:?}");

    assert_eq!(c.send("GET", "/kv/lang", "").status, 404);
    let r = c.send("PUT", "/kv/lang", "Aether");
    assert_eq!((r.status, r.body.as_str()), (201, "created lang\n"));
    let r = c.send("PUT", "/kv/lang", "Aether, with ünïcödé\nand lines");
    assert_eq!((r.status, r.body.as_str()), (200, "updated lang\n"));
    // A value comes back exactly as it was sent.
    let r = c.send("GET", "/kv/lang", "");
    assert_eq!((r.status, r.body.as_str()), (200, "Aether, with ünïcödé\nand lines"));
    // Keys may hold slashes; the query string is ignored.
    assert_eq!(c.send("PUT", "/kv/a/b?x=1", "nested").status, 201);
    assert_eq!(c.send("GET", "/kv/a/b", "").body, "nested");
    assert_eq!(c.send("PUT", "/kv/empty", "").status, 201);
    assert_eq!(c.send("GET", "/kv/empty", "").body, "");

    let r = c.send("DELETE", "/kv/lang", "");
    assert_eq!((r.status, r.body.as_str()), (200, "deleted lang\n"));
    assert_eq!(c.send("DELETE", "/kv/lang", "").status, 404);
    assert_eq!(c.send("GET", "/kv/lang", "").status, 404);

    assert_eq!(c.send("GET", "/kv/", "").status, 400);
    assert_eq!(c.send("PATCH", "/kv/a", "").status, 405);
    assert_eq!(c.send("POST", "/count", "").status, 405);
    let r = c.send("GET", "/nowhere", "");
    assert_eq!((r.status, r.body.as_str()), (404, "no route for /nowhere\n"));

    // Every request so far counts, this one too.
    let r = c.send("GET", "/count", "");
    assert_eq!((r.status, r.body.as_str()), (200, "17\n"));
    let r = c.send("GET", "/stats", "");
    assert_eq!(r.content_type, "application/json");
    assert_eq!(
        r.body,
        "{\"requests\": 18, \"by_method\": {\"GET\": 10, \"PUT\": 4, \"DELETE\": 2, \"PATCH\": 1, \"POST\": 1}, \
         \"keys\": 2, \"chars\": 6, \"writes\": 4, \"deletes\": 1}\n"
    );

    // The host turns what Aether cannot take into an answer, not a crash.
    let r = c.send_bytes("PUT", "/kv/bin", &[0xff, 0xfe]);
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(c.send("GET", "/kv/bin", "").status, 404);
}

#[test]
fn concurrent_clients_lose_no_write_and_the_count_is_exact() {
    const CLIENTS: usize = 8;
    const KEYS: usize = 150;
    let server = Server::start(&["--threads", "4"]);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|t| {
                let server = &server;
                s.spawn(move || {
                    let mut failed = Vec::new();
                    let mut c = server.connect();
                    for i in 0..KEYS {
                        let (key, value) = (format!("c{t}-{i}"), format!("value {t} {i}"));
                        let put = c.send("PUT", &format!("/kv/{key}"), &value);
                        if put.status != 201 {
                            failed.push(format!("PUT {key}: {put:?}"));
                        }
                        let get = c.send("GET", &format!("/kv/{key}"), "");
                        if (get.status, get.body.as_str()) != (200, value.as_str()) {
                            failed.push(format!("GET {key}: {get:?}"));
                        }
                    }
                    failed
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client thread")).collect()
    });
    assert!(failures.is_empty(), "{} failed requests, first: {:?}", failures.len(), failures.first());

    // Every write is there, on a fresh connection.
    let mut c = server.connect();
    let mut lost = Vec::new();
    for t in 0..CLIENTS {
        for i in 0..KEYS {
            let r = c.send("GET", &format!("/kv/c{t}-{i}"), "");
            if (r.status, r.body.clone()) != (200, format!("value {t} {i}")) {
                lost.push(format!("c{t}-{i}: {r:?}"));
            }
        }
    }
    assert!(lost.is_empty(), "{} lost writes, first: {:?}", lost.len(), lost.first());
    let expected = CLIENTS * KEYS * 3 + 1;
    assert_eq!(c.send("GET", "/count", "").body, format!("{expected}\n"));
    let stats = c.send("GET", "/stats", "").body;
    assert!(stats.contains(&format!("\"keys\": {}, ", CLIENTS * KEYS)), "{stats}");
    assert!(stats.contains(&format!("\"writes\": {}, ", CLIENTS * KEYS)), "{stats}");
}

/// The hand-written Rust handlers that bench/server measures against answer
/// exactly as the Aether ones do.
#[test]
fn rust_handlers_answer_like_the_aether_ones() {
    let script: &[(&str, &str, &str)] = &[
        ("GET", "/", ""),
        ("PUT", "/kv/k", "one"),
        ("PUT", "/kv/k", "twö"),
        ("GET", "/kv/k", ""),
        ("GET", "/kv/missing", ""),
        ("PUT", "/kv/x/y", "z"),
        ("DELETE", "/kv/x/y", ""),
        ("DELETE", "/kv/x/y", ""),
        ("GET", "/kv/", ""),
        ("POST", "/kv/k", "no"),
        ("DELETE", "/", ""),
        ("GET", "/count?verbose", ""),
        ("GET", "/elsewhere", ""),
        ("GET", "/stats", ""),
    ];
    let transcript = |handlers: &str| -> Vec<Reply> {
        let server = Server::start(&["--handlers", handlers]);
        let mut c = server.connect();
        script.iter().map(|(method, path, body)| c.send(method, path, body)).collect()
    };
    assert_eq!(transcript("aether"), transcript("rust"));
}

/// A runtime error in an Aether handler costs its request a 500; the worker,
/// the other requests and the state go on.
#[test]
fn a_failing_handler_answers_500_and_the_server_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = repo().join("examples/live-server");
    let root = std::fs::canonicalize(repo()).expect("repo path");
    let manifest = std::fs::read_to_string(example.join("Cargo.toml"))
        .expect("manifest")
        .replace("../../", &format!("{}/", root.display()))
        .replace("name = \"live-server\"", "name = \"live-server-fails\"");
    let routes = std::fs::read_to_string(example.join("src/logic/routes.ae")).expect("routes.ae");
    let catch_all = "        _ => http.text(404, \"no route for {path}\")";
    assert!(routes.contains(catch_all), "routes.ae changed: update this test");
    let routes = routes.replace(catch_all, &format!("        \"/fail\" => panic(\"failing on purpose\")\n{catch_all}"));
    std::fs::create_dir_all(dir.path().join("src/logic")).expect("mkdir");
    for file in ["Cargo.lock", "build.rs", "src/main.rs", "src/native.rs", "src/logic/http.ae", "src/logic/kv.ae"] {
        std::fs::copy(example.join(file), dir.path().join(file)).expect("copy the example");
    }
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("write");
    std::fs::write(dir.path().join("src/logic/routes.ae"), routes).expect("write");
    let exe = build(dir.path(), "live-server-fails").unwrap_or_else(|e| panic!("{e}"));

    let server = Server::start_binary(&exe, &["--threads", "1"]);
    let mut c = server.connect();
    assert_eq!(c.send("PUT", "/kv/kept", "yes").status, 201);
    for _ in 0..3 {
        let r = c.send("GET", "/fail", "");
        assert_eq!(r.status, 500, "{r:?}");
    }
    // The one worker thread survived, and the state is intact.
    assert_eq!(c.send("GET", "/kv/kept", "").body, "yes");
    assert_eq!(c.send("GET", "/count", "").body, "6\n");
}

#[test]
fn bad_arguments_are_refused_with_the_usage() {
    for args in [&["--handlers", "python"][..], &["--port", "http"], &["--threads", "0"], &["--port"]] {
        let out = Command::new(binary()).args(args).output().expect("the server runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: ") && stderr.contains("usage: live-server"), "{args:?}: {stderr}");
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example's binary, built once for all tests of this file.
fn binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(|| build(&repo().join("examples/live-server"), "live-server")) {
        Ok(path) => path.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// `cargo build` of the package at `dir` in the shared target dir; its binary.
fn build(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let target = repo().join("target/aether-interop");
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "-q", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building {name} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(target.join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// A running server, killed when dropped (also when a test fails).
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_binary(&binary(), args)
    }

    fn start_binary(exe: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(exe)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first = String::new();
        let read = BufReader::new(stdout).read_line(&mut first);
        let addr = first.trim().strip_prefix("listening on http://").map(str::to_string);
        match (read, addr) {
            (Ok(_), Some(addr)) => Server { child, addr },
            _ => {
                let _ = child.kill();
                panic!("the server's first line is not its address: {first:?}");
            }
        }
    }

    fn connect(&self) -> Conn {
        let stream = TcpStream::connect(&self.addr).expect("connect to the server");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("read timeout");
        stream.set_nodelay(true).expect("nodelay");
        Conn { reader: BufReader::new(stream.try_clone().expect("clone stream")), writer: stream }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn send(&mut self, method: &str, path: &str, body: &str) -> Reply {
        self.send_bytes(method, path, body.as_bytes())
    }

    fn send_bytes(&mut self, method: &str, path: &str, body: &[u8]) -> Reply {
        let head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n", body.len());
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.writer.write_all(&request).expect("send the request");
        self.read_reply()
    }

    fn read_reply(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status =
            line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("status line {line:?}"));
        let (mut length, mut content_type) = (0, String::new());
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header line");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or_else(|| panic!("header {header:?}"));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().expect("content length"),
                "content-type" => content_type = value.trim().to_string(),
                "transfer-encoding" => panic!("unexpected chunked reply"),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        Reply { status, content_type, body: String::from_utf8(body).expect("UTF-8 body") }
    }
}

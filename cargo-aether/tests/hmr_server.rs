//! End to end: `examples/live-server` (a Rust HTTP host whose routes and
//! store are Aether modules) under `cargo aether run --hmr`, with clients
//! writing to the store while its greeting handler is edited three times.
//! Not one request may fail and not one write may be lost.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;

#[test]
fn handlers_reload_under_load_without_a_failed_request_or_a_lost_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("live-server");
    let example = repo().join("examples/live-server");
    let root = repo().canonicalize().expect("repo path");
    std::fs::create_dir_all(server_dir.join("src/logic")).expect("mkdir");
    for file in [
        "Cargo.lock",
        "build.rs",
        "src/main.rs",
        "src/native.rs",
        "src/logic/http.ae",
        "src/logic/kv.ae",
        "src/logic/routes.ae",
    ] {
        std::fs::copy(example.join(file), server_dir.join(file)).expect("copy the example");
    }
    let manifest = std::fs::read_to_string(example.join("Cargo.toml"))
        .expect("manifest")
        .replace("../../", &format!("{}/", root.display()))
        .replace("name = \"live-server\"", "name = \"live-server-hmr-e2e\"");
    std::fs::write(server_dir.join("Cargo.toml"), manifest).expect("write");
    let routes_path = server_dir.join("src/logic/routes.ae");
    let routes = std::fs::read_to_string(&routes_path).expect("routes.ae");
    let greeting = "\"Hello from Aether! Edit src/logic/routes.ae to change this line.\"";
    assert!(routes.contains(greeting), "routes.ae changed: update this test");

    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-aether"));
    command
        .args(["aether", "run", "--hmr"])
        .arg(&server_dir)
        .args(["--", "--port", "0", "--threads", "4"])
        .env("CARGO_TARGET_DIR", repo().join("target/hmr-e2e"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = KillOnDrop(command.spawn().expect("cargo-aether starts"));
    let stderr = Arc::new(Mutex::new(String::new()));
    {
        let (err, stream) = (stderr.clone(), child.0.stderr.take().expect("stderr"));
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                err.lock().unwrap_or_else(|p| p.into_inner()).push_str(&(line + "\n"));
            }
        });
    }
    let report = |what: &str| format!("{what}\n--- stderr\n{}", stderr.lock().unwrap_or_else(|p| p.into_inner()));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    {
        let stream = child.0.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = addr_tx.send(addr.to_string());
                }
            }
        });
    }
    let addr = addr_rx.recv_timeout(Duration::from_secs(900)).unwrap_or_else(|_| panic!("{}", report("no address")));

    // Clients: each writes unique keys and reads them back, and reads the
    // greeting, until told to stop. They connect one after another (the
    // HTTP crate starves connections opened in the same instant).
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for t in 0..CLIENTS {
        let (stop, addr) = (stop.clone(), addr.clone());
        let mut conn = Conn::open(&addr);
        clients.push(std::thread::spawn(move || {
            let (mut failed, mut written, mut requests, mut greetings) = (Vec::new(), Vec::new(), 0u64, Vec::new());
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let (key, value) = (format!("c{t}-{i}"), format!("value {t} {i}"));
                let put = conn.send("PUT", &format!("/kv/{key}"), &value);
                let get = conn.send("GET", &format!("/kv/{key}"), "");
                let hello = conn.send("GET", "/", "");
                requests += 3;
                if put.0 != 201 {
                    failed.push(format!("PUT {key}: {put:?}"));
                } else {
                    written.push((key.clone(), value.clone()));
                }
                if get != (200, value.clone()) {
                    failed.push(format!("GET {key}: {get:?}"));
                }
                if hello.0 != 200 {
                    failed.push(format!("GET /: {hello:?}"));
                } else if greetings.last() != Some(&hello.1) {
                    greetings.push(hello.1);
                }
                i += 1;
            }
            (failed, written, requests, greetings)
        }));
        std::thread::sleep(Duration::from_millis(50));
    }

    // Three edits of the greeting while the clients run.
    let mut probe = Conn::open(&addr);
    let mut probes = 0u64;
    for n in 1..=3 {
        let text = format!("\"greeting number {n}\"");
        let edited = routes.replace(greeting, &text);
        let tmp = server_dir.join("src/logic/.routes.ae.tmp");
        std::fs::write(&tmp, edited).expect("write");
        std::fs::rename(&tmp, &routes_path).expect("rename");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let r = probe.send("GET", "/", "");
            probes += 1;
            if r.1.trim() == format!("greeting number {n}") {
                break;
            }
            assert!(Instant::now() < deadline, "{}", report(&format!("edit {n} never answered: {r:?}")));
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let mut failed = Vec::new();
    let mut written = Vec::new();
    let mut requests = 0;
    let mut saw_new = false;
    for c in clients {
        let (f, w, r, g) = c.join().expect("client thread");
        failed.extend(f);
        written.extend(w);
        requests += r;
        saw_new |= g.iter().any(|g| g.contains("greeting number"));
    }
    assert!(failed.is_empty(), "{}", report(&format!("{} failed requests, first {:?}", failed.len(), failed.first())));
    assert!(written.len() > 50, "{}", report(&format!("only {} writes: the load was too light", written.len())));
    assert!(saw_new, "{}", report("the clients never saw an edited greeting"));
    // Every write is still there, and the count is exact.
    let mut lost = Vec::new();
    for (key, value) in &written {
        let r = probe.send("GET", &format!("/kv/{key}"), "");
        probes += 1;
        if r != (200, value.clone()) {
            lost.push(format!("{key}: {r:?}"));
        }
    }
    assert!(lost.is_empty(), "{}", report(&format!("{} lost writes, first {:?}", lost.len(), lost.first())));
    let count = probe.send("GET", "/count", "");
    assert_eq!(count.1.trim(), (requests + probes + 1).to_string(), "{}", report("the request count"));
    let reloads = stderr.lock().unwrap_or_else(|p| p.into_inner()).matches("[aether] reloaded").count();
    assert!(reloads >= 3, "{}", report("three reload lines"));
    println!("{} requests, {} writes, {reloads} reloads, none failed", requests + probes, written.len());
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate sits in the repository").to_path_buf()
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One keep-alive HTTP/1.1 connection: (status, body) per request.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect to the server");
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("read timeout");
        stream.set_nodelay(true).expect("nodelay");
        Conn { reader: BufReader::new(stream.try_clone().expect("clone stream")), writer: stream }
    }

    fn send(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let request = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        if self.writer.write_all(request.as_bytes()).is_err() {
            return (0, "the connection was closed".to_string());
        }
        let mut line = String::new();
        if self.reader.read_line(&mut line).is_err() || line.is_empty() {
            return (0, "no reply".to_string());
        }
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).is_err() {
                return (0, "a broken header".to_string());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if self.reader.read_exact(&mut body).is_err() {
            return (0, "a short body".to_string());
        }
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

//! End to end: `examples/live-server` (a Rust HTTP host whose routes and
//! store are Aether modules) under `cargo aether run --hmr`, with clients
//! writing to the store while its greeting handler is edited three times.
//! Not one request may fail and not one write may be lost.
#![cfg(unix)]

use aether_test_support::{copy_example_to_edit, listening_address, replace_file, run_hmr, spawn_followed, Conn};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;

#[test]
fn handlers_reload_under_load_without_a_failed_request_or_a_lost_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_dir = dir.path().join("live-server");
    let greeting = "\"Hello from Aether! Edit src/logic/routes.ae to change this line.\"";
    let routes =
        copy_example_to_edit("live-server", &server_dir, "live-server-hmr-e2e", "src/logic/routes.ae", greeting);
    let routes_path = server_dir.join("src/logic/routes.ae");

    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &server_dir);
    command.args(["--", "--port", "0", "--threads", "4"]);
    let (_child, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let report = |what: &str| format!("{what}\n--- stderr\n{}", err.text());
    let addr = out.wait_for(0, Duration::from_secs(900), listening_address);
    let Some((_, _, addr)) = addr else { panic!("{}", report("no address")) };

    // Clients: each writes unique keys and reads them back, and reads the
    // greeting, until told to stop. They connect one after another (the
    // HTTP crate starves connections opened in the same instant).
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for t in 0..CLIENTS {
        let (stop, addr) = (stop.clone(), addr.clone());
        let mut conn = Conn::open(&addr).expect("connect to the server");
        clients.push(std::thread::spawn(move || {
            let (mut failed, mut written, mut requests, mut greetings) = (Vec::new(), Vec::new(), 0u64, Vec::new());
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let (key, value) = (format!("c{t}-{i}"), format!("value {t} {i}"));
                let put = send(&mut conn, "PUT", &format!("/kv/{key}"), &value);
                let get = send(&mut conn, "GET", &format!("/kv/{key}"), "");
                let hello = send(&mut conn, "GET", "/", "");
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
    let mut probe = Conn::open(&addr).expect("connect to the server");
    let mut probes = 0u64;
    for n in 1..=3 {
        let text = format!("\"greeting number {n}\"");
        let edited = routes.replace(greeting, &text);
        replace_file(&routes_path, &edited).expect("write");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let r = send(&mut probe, "GET", "/", "");
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
        let r = send(&mut probe, "GET", &format!("/kv/{key}"), "");
        probes += 1;
        if r != (200, value.clone()) {
            lost.push(format!("{key}: {r:?}"));
        }
    }
    assert!(lost.is_empty(), "{}", report(&format!("{} lost writes, first {:?}", lost.len(), lost.first())));
    let count = send(&mut probe, "GET", "/count", "");
    assert_eq!(count.1.trim(), (requests + probes + 1).to_string(), "{}", report("the request count"));
    let reloads = err.text().matches("[aether] reloaded").count();
    assert!(reloads >= 3, "{}", report("three reload lines"));
    println!("{} requests, {} writes, {reloads} reloads, none failed", requests + probes, written.len());
}

/// One request on a keep-alive connection: (status, body), or status 0 and
/// what went wrong, so that a failure is counted rather than fatal.
fn send(conn: &mut Conn, method: &str, path: &str, body: &str) -> (u16, String) {
    conn.try_send(method, path, body).map_or_else(|e| (0, e), |r| (r.status, r.body))
}

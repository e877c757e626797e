//! End to end: examples/live-server, built with the real `cargo` (in the
//! shared `target/aether-interop/`, as host_e2e.rs does), started on a free
//! port and spoken to over real TCP with hand-written HTTP/1.1 requests on
//! keep-alive connections.

use aether_test_support::{cargo, copy_host_package, interop_target_dir, repo_root, Reply, Run, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

#[test]
fn routes_answer_and_the_store_keeps_values() {
    let server = start_server(&[]);
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
    let r = c.send("PUT", "/kv/bin", [0xffu8, 0xfe]);
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(c.send("GET", "/kv/bin", "").status, 404);
}

#[test]
fn concurrent_clients_lose_no_write_and_the_count_is_exact() {
    const CLIENTS: usize = 8;
    const KEYS: usize = 150;
    let server = start_server(&["--threads", "4"]);
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
        let server = start_server(&["--handlers", handlers]);
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
    let example = repo_root().join("examples/live-server");
    copy_host_package(&example, dir.path(), "live-server-fails").expect("copy the example");
    let routes = std::fs::read_to_string(example.join("src/logic/routes.ae")).expect("routes.ae");
    let catch_all = "        _ => http.text(404, \"no route for {path}\")";
    assert!(routes.contains(catch_all), "routes.ae changed: update this test");
    let routes = routes.replace(catch_all, &format!("        \"/fail\" => panic(\"failing on purpose\")\n{catch_all}"));
    std::fs::write(dir.path().join("src/logic/routes.ae"), routes).expect("write");
    let exe = build(dir.path(), "live-server-fails").unwrap_or_else(|e| panic!("{e}"));

    let server = start_binary(&exe, &["--threads", "1"]);
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

/// The example's binary, built once for all tests of this file.
fn binary() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(|| build(&repo_root().join("examples/live-server"), "live-server")) {
        Ok(path) => path.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// `cargo build` of the package at `dir` in the shared target dir; its binary.
fn build(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let target = interop_target_dir();
    let r = Run::of(
        cargo().args(["build", "-q", "--manifest-path"]).arg(dir.join("Cargo.toml")).env("CARGO_TARGET_DIR", &target),
    );
    if !r.ok() {
        return Err(format!("building {name} failed:\n{}", r.stderr));
    }
    Ok(target.join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// The example's server with `args`.
fn start_server(args: &[&str]) -> Server {
    start_binary(&binary(), args)
}

/// A running server (killed when dropped, also when a test fails), whose
/// first line is its address.
fn start_binary(exe: &Path, args: &[&str]) -> Server {
    let mut command = Command::new(exe);
    command.args(["--port", "0"]).args(args).stderr(Stdio::inherit());
    let server = Server::start(&mut command, Duration::from_secs(600)).unwrap_or_else(|e| panic!("{e}"));
    let first = server.stdout.lines_from(0).into_iter().next();
    assert_eq!(server.addr_line, 0, "the server's first line is not its address: {first:?}");
    server
}

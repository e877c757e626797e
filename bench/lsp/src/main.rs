//! `aether lsp` under typing: a generated project whose `game.ae` is 2,000
//! lines, opened in the server (release build of the real CLI, over
//! stdio); then keystrokes, each a `didChange` of the whole buffer (as
//! editors send it with full sync) followed at once by a request, timed
//! from the `didChange` written to the answer read:
//!
//! - `hover` on a call in the edited module (what an editor asks as the
//!   cursor rests),
//! - `completion` after `b.` typed on a new line (the line does not parse:
//!   the server checks the program again with it blanked, so this is two
//!   analyses),
//! - the diagnostics of the new text arriving (`publishDiagnostics` with
//!   the new version), for an edit that introduces an error and one that
//!   fixes it.
//!
//! The floor, built the same way: `aether check` of the same project from
//! the command line (a process start, cargo metadata for the manifest, one
//! analysis, rendering). Medians and the worst of `--keys` keystrokes each.
//!
//! ```console
//! $ cargo run --release --manifest-path bench/lsp/Cargo.toml -- --keys 40
//! ```

use aether_test_support::{cargo, repo_root, KillOnDrop};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const LINES: usize = 2000;

fn main() {
    let mut keys = 30;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--keys" => keys = args.next().and_then(|n| n.parse().ok()).unwrap_or(keys),
            other => {
                eprintln!("unknown argument `{other}`; usage: [--keys N]");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = run(keys) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(keys: usize) -> Result<(), String> {
    let repo = repo_root();
    eprintln!("building the aether CLI (release)...");
    let status = cargo()
        .args(["build", "--release", "-p", "cargo-aether", "--bin", "aether"])
        .current_dir(&repo)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the CLI failed".into());
    }
    let exe = repo.join("target/release/aether");
    let dir = std::env::temp_dir().join(format!("aether-bench-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let game = game_module(LINES);
    let main = "import game\n\nfn main() {\n    let b = game.Ball { x: 1.0, y: 2.0, vy: 0.0 }\n    println(\"{game.step_0(b, 0.5).y}\")\n}\n";
    let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).map_err(|e| e.to_string());
    write("Cargo.toml", "[package]\nname = \"typing\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.aether]\nentry = \"main.ae\"\n")?;
    write("src/main.rs", "fn main() {}\n")?;
    write("src/main.ae", main)?;
    write("src/game.ae", &game)?;

    let check = floor(&exe, &dir, 5)?;

    let mut c = Client::start(&exe, &dir)?;
    let game_uri = format!("file://{}", dir.join("src/game.ae").canonicalize().map_err(|e| e.to_string())?.display());
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": game_uri, "languageId": "aether", "version": 1, "text": game}}),
    );
    c.diagnostics(&game_uri, 1)?;

    let anchor = "    let moved = fall(b, dt)\n";
    let at = game.find(anchor).ok_or("no anchor in the module")?;
    let line = game[..at].matches('\n').count();
    let mut version = 1;
    let (mut hover, mut complete, mut diag_bad, mut diag_good) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..keys {
        // Hover: a valid edit (a space more in a comment), then hover on `fall`.
        version += 1;
        let text = game.replacen("// keystroke", &format!("// keystroke{}", " ".repeat(k % 7 + 1)), 1);
        let t = Instant::now();
        c.change(&game_uri, version, &text);
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": game_uri}, "position": {"line": line, "character": 17}}),
        )?;
        hover.push(t.elapsed());
        if !h["contents"]["value"].as_str().unwrap_or_default().contains("fn fall") {
            return Err(format!("unexpected hover: {h}"));
        }
        // Completion after `b.` on a new line.
        version += 1;
        let typing = text.replacen(anchor, &format!("    b.\n{anchor}"), 1);
        let t = Instant::now();
        c.change(&game_uri, version, &typing);
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": game_uri}, "position": {"line": line, "character": 6}}),
        )?;
        complete.push(t.elapsed());
        if !items.to_string().contains("\"vy\"") {
            return Err(format!("unexpected completion: {items}"));
        }
        // An error typed, then fixed: until each one's diagnostics arrive.
        version += 1;
        let broken = text.replacen(anchor, "    let moved = fall(b, \"dt\")\n", 1);
        let t = Instant::now();
        c.change(&game_uri, version, &broken);
        let d = c.diagnostics(&game_uri, version)?;
        diag_bad.push(t.elapsed());
        if d.is_empty() {
            return Err("the error was not reported".into());
        }
        version += 1;
        let t = Instant::now();
        c.change(&game_uri, version, &text);
        c.diagnostics(&game_uri, version)?;
        diag_good.push(t.elapsed());
    }
    c.request("shutdown", Value::Null)?;
    c.notify("exit", Value::Null);
    let _ = std::fs::remove_dir_all(&dir);

    println!("`aether lsp`, release build, one keystroke in a {LINES}-line module ({keys} keystrokes each):\n");
    println!("| what | median | worst |");
    println!("|---|---|---|");
    row("didChange → hover answered", &mut hover);
    row("didChange → completion after `b.` answered (two analyses)", &mut complete);
    row("didChange (error typed) → its diagnostics published", &mut diag_bad);
    row("didChange (error fixed) → diagnostics published", &mut diag_good);
    row("floor: `aether check` of the project, as a process", &mut check.clone());
    Ok(())
}

fn row(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!("| {what} | {} | {} |", ms(times[times.len() / 2]), ms(times[times.len() - 1]));
}

/// `aether check` of the project, `runs` times.
fn floor(exe: &Path, dir: &Path, runs: usize) -> Result<Vec<Duration>, String> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new(exe).args(["check", "."]).current_dir(dir).output().map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        if !out.status.success() {
            return Err(format!("check failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    Ok(times)
}

/// A module of about `lines` lines: a struct, and functions that use it
/// (loops, matches, string interpolation), each ~20 lines.
fn game_module(lines: usize) -> String {
    let mut s = String::from(
        "/// A ball.\npub struct Ball {\n    x: float\n    y: float\n    vy: float\n}\n\n/// `b` after `dt` seconds of falling.\npub fn fall(b: Ball, dt: float) -> Ball {\n    Ball { x: b.x, y: b.y + b.vy * dt, vy: b.vy - 9.8 * dt }\n}\n\npub fn anchor(b: Ball, dt: float) -> Ball {\n    // keystroke\n    let moved = fall(b, dt)\n    moved\n}\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "\npub fn step_{i}(b: Ball, dt: float) -> Ball {{\n    var next = fall(b, dt)\n    var count = 0\n    for k in 0..{n} {{\n        if next.y < 0.0 {{\n            next = Ball {{ x: next.x, y: 0.0 - next.y, vy: 0.0 - next.vy }}\n            count += 1\n        }} else {{\n            next = fall(next, dt / float(k + 1))\n        }}\n    }}\n    let label = match count {{\n        0 => \"none\"\n        1 => \"one\"\n        _ => \"many\"\n    }}\n    if label == \"many\" {{\n        println(\"step {i}: {{label}} bounces, y = {{next.y}}\")\n    }}\n    next\n}}\n",
            n = i % 5 + 2
        ));
        i += 1;
    }
    s
}

struct Client {
    _child: KillOnDrop,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(exe: &Path, dir: &Path) -> Result<Client, String> {
        let mut cmd = Command::new(exe);
        cmd.arg("lsp").current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = KillOnDrop::spawn(&mut cmd).map_err(|e| e.to_string())?;
        let stdin = child.0.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.0.stdout.take().ok_or("no stdout")?);
        let (tx, incoming) = channel();
        std::thread::spawn(move || loop {
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = n.parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            let Ok(v) = serde_json::from_slice(&body) else { return };
            if tx.send(v).is_err() {
                return;
            }
        });
        let mut c = Client { _child: child, stdin, incoming, next_id: 1 };
        let root: PathBuf = dir.to_path_buf();
        c.request(
            "initialize",
            json!({"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}),
        )?;
        c.notify("initialized", json!({}));
        Ok(c)
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.stdin.flush();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn recv(&mut self) -> Result<Value, String> {
        self.incoming.recv_timeout(Duration::from_secs(60)).map_err(|_| "the server did not answer in a minute".into())
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv()?;
            if msg["id"] == json!(id) {
                return Ok(msg["result"].clone());
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Result<Vec<Value>, String> {
        loop {
            let msg = self.recv()?;
            let p = &msg["params"];
            if msg["method"] == "textDocument/publishDiagnostics"
                && p["uri"] == json!(uri)
                && p["version"] == json!(version)
            {
                return Ok(p["diagnostics"].as_array().cloned().unwrap_or_default());
            }
        }
    }
}

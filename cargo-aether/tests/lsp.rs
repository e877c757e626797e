//! `aether lsp` driven over its stdin/stdout the way an editor does:
//! framed JSON-RPC, unsaved buffers in two modules, diagnostics pushed,
//! requests answered. (tests/editors/ drives it from Neovim too.)

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A language client: sends requests and notifications, keeps what the
/// server sends back.
struct Client {
    child: aether_test_support::KillOnDrop,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    notes: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, &[])
    }

    /// [`Client::start`] with `env` set for the server.
    fn start_with(dir: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Client {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aether"));
        cmd.arg("lsp")
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = aether_test_support::KillOnDrop::spawn(&mut cmd).expect("start aether lsp");
        let stdin = child.0.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
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
                    len = n.parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        let mut client = Client { child, stdin, incoming, notes: Vec::new(), next_id: 1 };
        let root = url(dir);
        let init = client.request("initialize", json!({"processId": null, "rootUri": root, "capabilities": {}}));
        assert_eq!(init["capabilities"]["hoverProvider"], json!(true), "{init}");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        match self.incoming.recv_timeout(Duration::from_secs(60)) {
            Ok(msg) => msg,
            Err(e) => panic!("no message from the server in a minute ({e}); unclaimed: {:#?}", self.notes),
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
            self.notes.push(msg);
        }
    }

    /// The next diagnostics published for `uri` that satisfy `ok`.
    fn diagnostics_until(&mut self, uri: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let pos = self
                .notes
                .iter()
                .position(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri));
            if let Some(pos) = pos {
                let msg = self.notes.remove(pos);
                let diags = msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                if ok(&diags) {
                    return diags;
                }
                continue;
            }
            assert!(Instant::now() < deadline, "no matching diagnostics for {uri}");
            let msg = self.recv();
            self.notes.push(msg);
        }
    }

    /// The next `aether/reloadStatus` notification whose outcome is `outcome`.
    fn reload_status(&mut self, outcome: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let pos = self
                .notes
                .iter()
                .position(|m| m["method"] == "aether/reloadStatus" && m["params"]["outcome"] == json!(outcome));
            if let Some(pos) = pos {
                return self.notes.remove(pos)["params"].clone();
            }
            let unclaimed: Vec<&Value> = self.notes.iter().filter(|m| m["method"] == "aether/reloadStatus").collect();
            assert!(Instant::now() < deadline, "no `{outcome}` reload status; the others: {unclaimed:#?}");
            match self.incoming.recv_timeout(Duration::from_secs(5)) {
                Ok(msg) => self.notes.push(msg),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(e) => panic!("the server is gone: {e}"),
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "aether", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.0.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// (line, character) of the first `needle` in `text`, plus `delta` characters.
fn pos(text: &str, needle: &str, delta: usize) -> Value {
    let at = text.find(needle).unwrap() + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

const MAIN: &str =
    "import game\n\nfn main() {\n    let b = game.fall(game.Ball { y: 10.0 }, 0.5)\n    println(\"{b.y}\")\n}\n";
const GAME: &str = "/// A falling ball.\npub struct Ball {\n    y: float\n}\n\n/// `b`, `dt` seconds later.\npub fn fall(b: Ball, dt: float) -> Ball {\n    Ball { y: b.y - 9.8 * dt }\n}\n";

#[test]
fn diagnostics_hover_definition_and_more_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    std::fs::write(dir.join("main.ae"), MAIN).unwrap();
    std::fs::write(dir.join("game.ae"), GAME).unwrap();
    let (main, game) = (url(&dir.join("main.ae")), url(&dir.join("game.ae")));
    let mut c = Client::start(&dir);

    c.open(&main, MAIN);
    c.diagnostics_until(&main, <[Value]>::is_empty);

    // An unsaved error in the imported module shows in that module, and a
    // call that no longer fits shows in the importer.
    c.open(&game, GAME);
    let broken = GAME.replace("dt: float) -> Ball", "dt: int) -> Ball");
    c.change(&game, 2, &broken);
    let diags = c.diagnostics_until(&game, |d| !d.is_empty());
    assert_eq!(diags[0]["code"], json!("E0304"), "{diags:?}");
    assert_eq!(diags[0]["source"], json!("aether"));
    assert_eq!(diags[0]["range"]["start"], json!({"line": 7, "character": 20}), "{diags:?}");
    assert!(diags[0]["codeDescription"]["href"].as_str().unwrap().contains("errors.md#e0304"), "{diags:?}");
    let in_main = c.diagnostics_until(&main, |d| !d.is_empty());
    assert_eq!(in_main[0]["range"]["start"]["line"], json!(3), "{in_main:?}");

    // Fixed again: both files clear.
    c.change(&game, 3, GAME);
    c.diagnostics_until(&game, <[Value]>::is_empty);
    c.diagnostics_until(&main, <[Value]>::is_empty);

    let hover =
        c.request("textDocument/hover", json!({"textDocument": {"uri": main}, "position": pos(MAIN, "fall(", 1)}));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("fn fall(b: Ball, dt: float) -> Ball") && text.contains("`b`, `dt` seconds later."),
        "{text}"
    );

    let def = c
        .request("textDocument/definition", json!({"textDocument": {"uri": main}, "position": pos(MAIN, "Ball {", 2)}));
    assert_eq!(def["uri"], json!(game), "{def}");
    assert_eq!(def["range"]["start"], json!({"line": 1, "character": 11}), "{def}");

    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": game}, "position": pos(GAME, "y: float", 0), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 5, "{refs}");

    // Completion after `game.` in an unsaved line that does not parse.
    let typing = MAIN.replace("    println(\"{b.y}\")\n", "    game.\n    println(\"{b.y}\")\n");
    c.change(&main, 2, &typing);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": main}, "position": pos(&typing, "game.\n", 5)}),
    );
    let labels: Vec<&str> = items.as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"fall") && labels.contains(&"Ball"), "{labels:?}");
    let typing = MAIN.replace("    println(\"{b.y}\")\n", "    let h = b.\n    println(\"{b.y}\")\n");
    c.change(&main, 3, &typing);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": main}, "position": pos(&typing, "b.\n", 2)}),
    );
    let labels: Vec<&str> = items.as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["y"]);
    c.change(&main, 4, MAIN);

    let sig = c.request(
        "textDocument/signatureHelp",
        json!({"textDocument": {"uri": main}, "position": pos(MAIN, ", 0.5", 2)}),
    );
    assert_eq!(sig["signatures"][0]["label"], json!("fall(b: Ball, dt: float) -> Ball"));
    assert_eq!(sig["activeParameter"], json!(1));

    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": game}, "position": pos(GAME, "fn fall", 3), "newName": "drop"}),
    );
    assert_eq!(edit["changes"][&main].as_array().unwrap().len(), 1, "{edit}");
    assert_eq!(edit["changes"][&game].as_array().unwrap().len(), 1, "{edit}");

    let outline = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": game}}));
    let names: Vec<&str> = outline.as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["Ball", "fall"]);
    let found = c.request("workspace/symbol", json!({"query": "fal"}));
    assert_eq!(found[0]["name"], json!("fall"), "{found}");

    // Formatting: the whole text, as `aether fmt` lays it out.
    c.change(&game, 4, &GAME.replace("    y: float", "  y :   float,"));
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": game}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], json!(GAME), "{edits}");
    c.change(&game, 5, GAME);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": game}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));

    // Nonsense typed anywhere: answered, never a crash.
    c.change(&main, 5, "fn main() { let = = ( \"{ }\n struct { match");
    for line in 0..3 {
        for character in [0, 5, 12, 40] {
            let p = json!({"textDocument": {"uri": main}, "position": {"line": line, "character": character}});
            c.request("textDocument/hover", p.clone());
            c.request("textDocument/definition", p.clone());
            c.request("textDocument/completion", p);
        }
    }
    c.diagnostics_until(&main, |d| !d.is_empty());
    c.shutdown();
}

/// Live reload status end to end: a real `aether run --hmr` of a project
/// (the `game` template) and a real `aether lsp` on the same project. A save
/// that does not check shows as a diagnostic at its error's line, with the
/// reason; the save that fixes it clears it; a save whose new code fails at
/// once is rolled back, and the runtime error shows at its `.ae` line.
#[cfg(unix)]
#[test]
fn live_reload_status_of_a_running_program_shows_in_the_editor() {
    use aether_test_support::{hmr_target_dir, run_hmr, save, spawn_followed, Run};
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let created = Run::of(
        Command::new(env!("CARGO_BIN_EXE_cargo-aether"))
            .args(["aether", "new", "game", "--template", "game"])
            .current_dir(&dir),
    );
    assert!(created.ok(), "{created:?}");
    let game = dir.join("game");
    let src = game.join("src");
    let world_path = src.join("world.ae");
    let world = std::fs::read_to_string(&world_path).unwrap();
    let step = "    ticks += 1\n";
    assert!(world.contains(step), "templates/game/src/world.ae changed: update this test");
    let step_line = world[..world.find(step).unwrap()].matches('\n').count();

    let mut command = run_hmr(env!("CARGO_BIN_EXE_cargo-aether"), &game);
    command.env("AETHER_CACHE_DIR", dir.join("cache"));
    let (_run, out, err) = spawn_followed(&mut command).expect("cargo-aether starts");
    let report = |what: &str| format!("{what}\n--- stdout (tail)\n{}--- stderr\n{}", out.tail(10), err.text());
    let started = out.wait_for(0, Duration::from_secs(600), |l| l.contains("| hot reloading on").then_some(()));
    assert!(started.is_some(), "{}", report("the game never ran under --hmr"));

    // The server finds the supervisor's events file as the CLI does: the
    // same target directory.
    let target = hmr_target_dir();
    let mut c = Client::start_with(&game, &[("CARGO_TARGET_DIR", target.as_os_str())]);
    let uri = url(&world_path);
    c.open(&uri, &world);
    c.diagnostics_until(&uri, <[Value]>::is_empty);
    let from_run = |d: &Value| d["source"] == json!("aether run --hmr");

    // A save that does not check: refused by the running program, and the
    // editor shows why, at the error's line.
    save(&src, "world.ae", &world.replacen(step, "    ticks += \"one\"\n", 1));
    let status = c.reload_status("not_reloaded");
    assert_eq!(status["file"], json!("src/world.ae"), "{status}");
    let diags = c.diagnostics_until(&uri, |d| d.iter().any(from_run));
    let shown = diags.iter().find(|d| from_run(d)).unwrap();
    assert_eq!(shown["range"]["start"]["line"], json!(step_line), "{shown}");
    let message = shown["message"].as_str().unwrap();
    assert!(message.contains("not reloaded") && message.contains("E0"), "the reason: {message}");

    // The fix reloads, and the diagnostic goes away.
    save(&src, "world.ae", &world.replacen(step, "    ticks += 2\n", 1));
    let status = c.reload_status("reloaded");
    assert!(status["text"].as_str().unwrap().contains("world.ae"), "{status}");
    c.diagnostics_until(&uri, |d| !d.iter().any(from_run));

    // New code that fails at once (an index out of range on its first
    // step): rolled back, and the runtime error is shown at its line.
    save(&src, "world.ae", &world.replacen(step, "    ticks += [1, 2][ticks]\n", 1));
    let status = c.reload_status("rolled_back");
    assert_eq!((&status["file"], &status["line"]), (&json!("src/world.ae"), &json!(step_line + 1)), "{status}");
    let diags = c.diagnostics_until(&uri, |d| {
        d.iter().any(|d| from_run(d) && d["message"].as_str().unwrap_or("").contains("rolled back"))
    });
    let shown = diags.iter().find(|d| from_run(d)).unwrap();
    assert_eq!(shown["range"]["start"]["line"], json!(step_line), "{shown}");
    assert!(shown["message"].as_str().unwrap().contains("out of range"), "{shown}");
    assert!(err.text().contains("rolled back"), "{}", report("the terminal says so too"));
    c.shutdown();
}

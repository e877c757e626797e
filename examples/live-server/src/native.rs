//! The routes of src/logic/*.ae written by hand in plain Rust, with the same
//! semantics and the same answers byte for byte: the baseline that
//! `--handlers rust` serves and bench/server measures against. Like the
//! Aether bridge, it keeps all state behind one lock held for the whole
//! request.

use crate::logic::http::{Request, Response};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

pub fn handle(req: &Request) -> Response {
    // A panic in a handler leaves every field valid, as in Aether: go on.
    let mut s = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    s.handle(req)
}

static STATE: LazyLock<Mutex<State>> = LazyLock::new(|| Mutex::new(State::default()));

#[derive(Default)]
struct State {
    requests: i64,
    // Insertion order, as an Aether map, so /stats lists methods alike.
    by_method: aether_rt::Map<String, i64>,
    store: HashMap<String, String>,
    chars: i64,
    writes: i64,
    deletes: i64,
}

impl State {
    fn handle(&mut self, req: &Request) -> Response {
        self.requests += 1;
        *self.by_method.entry(req.method.clone()).or_insert(0) += 1;
        let path = req.path.split('?').next().unwrap_or("");
        if let Some(key) = path.strip_prefix("/kv/") {
            return self.kv_route(req, key);
        }
        match (req.method.as_str(), path) {
            ("GET", "/") => text(200, &greeting()),
            ("GET", "/count") => text(200, &self.requests.to_string()),
            ("GET", "/stats") => json(200, &self.stats()),
            (_, "/" | "/count" | "/stats") => text(405, &format!("method {} not allowed on {path}", req.method)),
            _ => text(404, &format!("no route for {path}")),
        }
    }

    fn kv_route(&mut self, req: &Request, key: &str) -> Response {
        if key.is_empty() {
            return text(400, "missing key: use /kv/<key>");
        }
        match req.method.as_str() {
            "GET" => match self.store.get(key) {
                Some(value) => Response { status: 200, body: value.clone(), content_type: TEXT.into() },
                None => text(404, &format!("no key {key}")),
            },
            "PUT" => {
                self.chars += char_len(&req.body);
                self.writes += 1;
                match self.store.insert(key.to_string(), req.body.clone()) {
                    Some(old) => {
                        self.chars -= char_len(&old);
                        text(200, &format!("updated {key}"))
                    }
                    None => text(201, &format!("created {key}")),
                }
            }
            "DELETE" => match self.store.remove(key) {
                Some(old) => {
                    self.chars -= char_len(&old);
                    self.deletes += 1;
                    text(200, &format!("deleted {key}"))
                }
                None => text(404, &format!("no key {key}")),
            },
            _ => text(405, &format!("method {} not allowed on /kv/<key>", req.method)),
        }
    }

    fn stats(&self) -> String {
        let methods: Vec<String> = self.by_method.iter().map(|(m, n)| format!("{}: {n}", json_str(m))).collect();
        format!(
            "{{\"requests\": {}, \"by_method\": {{{}}}, \"keys\": {}, \"chars\": {}, \"writes\": {}, \"deletes\": {}}}",
            self.requests,
            methods.join(", "),
            self.store.len(),
            self.chars,
            self.writes,
            self.deletes
        )
    }
}

fn greeting() -> String {
    "Hello from Aether! Edit src/logic/routes.ae to change this line.".into()
}

fn text(status: i64, message: &str) -> Response {
    Response { status, body: format!("{message}\n"), content_type: TEXT.into() }
}

fn json(status: i64, body: &str) -> Response {
    Response { status, body: format!("{body}\n"), content_type: JSON.into() }
}

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

/// Aether's `len()` of a string counts characters.
fn char_len(s: &str) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
}

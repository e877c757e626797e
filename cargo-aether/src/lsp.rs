//! `aether lsp`: the language server, over stdio, on `lsp-server` (the
//! transport and JSON-RPC plumbing rust-analyzer uses) and `lsp-types`.
//!
//! One thread answers one message at a time. Every edit marks the
//! programs holding the file as changed; once the client has nothing more
//! queued (a short pause), each changed program is checked again and its
//! diagnostics published for every file, so an error in one module shows
//! where it is even when the edit was in another. Requests are answered on
//! the latest text, checking it first if it changed. The queries
//! themselves live in the front end (`aether_transpile::ide`); this module
//! only speaks the protocol (`lsp/handlers.rs`), converts positions
//! (`lsp/convert.rs`) and keeps the open buffers (`lsp/workspace.rs`).
//!
//! Nothing the client sends may take the server down: each message is
//! handled under `catch_unwind`, and a failing request gets an error reply.
//! `lsp/reload.rs` shows what `aether run --hmr` did with each save
//! (docs/editors.md).

mod convert;
mod handlers;
mod reload;
mod workspace;

use crate::Error;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Duration;
use workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport; accepted because
    /// editors' clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: &LspArgs) -> Result<ExitCode, Error> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection).map_err(|e| Error::environment(format!("language server: {e}")))?;
    drop(connection);
    io_threads.join().map_err(|e| Error::environment(format!("language server: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// How long the server waits for more edits before checking again: one
/// keystroke's messages (`didChange`, then completion or hover) arrive
/// together, and are answered after one check.
const SETTLE: Duration = Duration::from_millis(10);

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::FULL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

/// Run the server on `connection` until the client says `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let init = connection.initialize(caps).map_err(|e| e.to_string())?;
    let mut server = Server { connection, workspace: Workspace::default(), reload: reload::Watcher::default() };
    server.reload.configure(&init);
    server.main_loop()
}

pub(crate) struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    reload: reload::Watcher,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), String> {
        loop {
            let pending = self.workspace.programs.iter().any(|p| p.unpublished);
            let wait = if pending { SETTLE } else { reload::POLL };
            let msg = match self.connection.receiver.recv_timeout(wait) {
                Ok(msg) => msg,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    self.guarded("publish", |s| s.publish_changed());
                    self.guarded("reload status", |s| s.poll_reload());
                    continue;
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
            };
            match msg {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    self.request(req);
                }
                Message::Notification(n) => {
                    if n.method == lsp::notification::Exit::METHOD {
                        return Ok(());
                    }
                    let method = n.method.clone();
                    self.guarded(&method, |s| handlers::notification(s, n));
                }
                Message::Response(_) => {}
            }
        }
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let reply = catch_unwind(AssertUnwindSafe(|| handlers::request(self, req)));
        let response = match reply {
            Ok(Some(r)) => r,
            Ok(None) => Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("`{method}` is not supported"),
            ),
            Err(_) => Response::new_err(
                id,
                lsp_server::ErrorCode::InternalError as i32,
                format!("internal error answering `{method}`; please report it"),
            ),
        };
        self.send(Message::Response(response));
    }

    /// Run `f`, and survive it panicking (the panic is on stderr, the log).
    fn guarded(&mut self, what: &str, f: impl FnOnce(&mut Self)) {
        if catch_unwind(AssertUnwindSafe(|| f(self))).is_err() {
            eprintln!("aether lsp: internal error handling `{what}`; please report it");
        }
    }

    fn send(&self, msg: Message) {
        // A closed connection ends the main loop on its next receive.
        let _ = self.connection.sender.send(msg);
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(N::METHOD.to_string(), params)));
    }

    /// Check every changed program and publish its diagnostics.
    fn publish_changed(&mut self) {
        for i in 0..self.workspace.programs.len() {
            if self.workspace.programs[i].unpublished {
                self.publish(i);
            }
        }
    }

    /// Publish program `index`'s diagnostics: for each of its files (none
    /// for a file without any, so old ones disappear), and none for files
    /// it published for before but no longer has.
    fn publish(&mut self, index: usize) {
        let ide = self.workspace.ide(index);
        let analysis = ide.analysis();
        let sources = &analysis.program.sources;
        let mut by_file: std::collections::HashMap<lsp::Url, Vec<lsp::Diagnostic>> = Default::default();
        let entry = self.workspace.programs[index].input.entry().to_path_buf();
        for (_, file) in sources.files() {
            if let Some(url) = convert::url(&file.path) {
                by_file.entry(url).or_default();
            }
        }
        for d in &analysis.diagnostics {
            let path = match d.span().filter(|s| (s.file.0 as usize) < sources.len()) {
                Some(s) => sources.get(s.file).path.clone(),
                None => entry.clone(),
            };
            if let Some(url) = convert::url(&path) {
                by_file.entry(url).or_default().push(convert::diagnostic(sources, d));
            }
        }
        let reload = self.reload.diagnostics(&self.workspace.programs[index]);
        for (url, diags) in reload {
            by_file.entry(url).or_default().extend(diags);
        }
        let old = std::mem::take(&mut self.workspace.programs[index].published);
        for url in old.iter().filter(|u| !by_file.contains_key(*u)) {
            self.publish_one(url.clone(), Vec::new());
        }
        let mut published = std::collections::HashSet::new();
        for (url, diags) in by_file {
            published.insert(url.clone());
            self.publish_one(url, diags);
        }
        self.workspace.programs[index].published = published;
        self.workspace.programs[index].unpublished = false;
    }

    fn publish_one(&self, uri: lsp::Url, diagnostics: Vec<lsp::Diagnostic>) {
        let version = self.workspace.docs.values().find(|d| d.uri == uri).map(|d| d.version);
        self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn poll_reload(&mut self) {
        for i in self.reload.poll(&self.workspace.programs) {
            if let Some(message) = self.reload.message(i) {
                self.notify::<lsp::notification::ShowMessage>(message);
            }
            if let Some(event) = self.reload.last(i) {
                let params = serde_json::json!({
                    "outcome": event.outcome,
                    "message": event.message,
                    "text": event.text(),
                    "ms": event.ms,
                    "file": event.file,
                    "line": event.line,
                });
                self.send(Message::Notification(Notification::new(reload::NOTIFICATION.to_string(), params)));
            }
            self.publish(i);
        }
    }
}

/// A request's id and typed parameters, or `None` when it is another method.
fn cast<R: lsp::request::Request>(req: &Request) -> Option<Result<(RequestId, R::Params), Response>> {
    if req.method != R::METHOD {
        return None;
    }
    Some(match serde_json::from_value(req.params.clone()) {
        Ok(params) => Ok((req.id.clone(), params)),
        Err(e) => Err(Response::new_err(
            req.id.clone(),
            lsp_server::ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {e}", R::METHOD),
        )),
    })
}

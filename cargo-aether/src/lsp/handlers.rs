//! One function per LSP method: typed parameters in, the front end's
//! `ide` queries asked, typed results out.

use super::convert;
use super::workspace::Doc;
use super::{cast, Server};
use aether_transpile::ide::{self, CompletionKind, Ide, SymbolKind};
use aether_transpile::source::FileId;
use lsp_server::{Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request as r;
use std::path::PathBuf;
use std::sync::Arc;

pub(super) fn notification(s: &mut Server, note: Notification) {
    match note.method.as_str() {
        n::DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(note.params) else { return };
            let Some(path) = convert::path(&p.text_document.uri) else { return };
            let doc = Doc { uri: p.text_document.uri, version: p.text_document.version, text: p.text_document.text };
            s.workspace.docs.insert(path.clone(), doc);
            s.workspace.touch(&path);
            if let Some(i) = s.workspace.program_of(&path) {
                s.workspace.programs[i].ide = None;
                s.workspace.programs[i].unpublished = true;
            }
        }
        n::DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(note.params) else { return };
            let Some(path) = convert::path(&p.text_document.uri) else { return };
            // Full synchronization: the last change holds the whole text.
            let Some(change) = p.content_changes.into_iter().last() else { return };
            if let Some(doc) = s.workspace.docs.get_mut(&path) {
                doc.text = change.text;
                doc.version = p.text_document.version;
            }
            s.workspace.touch(&path);
        }
        n::DidSaveTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(note.params) else { return };
            if let Some(path) = convert::path(&p.text_document.uri) {
                s.workspace.touch(&path);
            }
        }
        n::DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(note.params) else { return };
            if let Some(path) = convert::path(&p.text_document.uri) {
                // From now on the file on disk is the text.
                s.workspace.docs.remove(&path);
                s.workspace.touch(&path);
            }
        }
        n::DidChangeWatchedFiles::METHOD => {
            for p in &mut s.workspace.programs {
                p.ide = None;
                p.unpublished = true;
            }
        }
        _ => {}
    }
}

pub(super) fn request(s: &mut Server, req: Request) -> Option<Response> {
    macro_rules! dispatch {
        ($($kind:ty => $handler:ident,)*) => {
            $(
                if let Some(cast) = cast::<$kind>(&req) {
                    return Some(match cast {
                        Ok((id, params)) => Response::new_ok(id, $handler(s, params)),
                        Err(bad) => bad,
                    });
                }
            )*
        };
    }
    dispatch! {
        r::HoverRequest => hover,
        r::GotoDefinition => definition,
        r::References => references,
        r::DocumentSymbolRequest => document_symbols,
        r::WorkspaceSymbolRequest => workspace_symbols,
        r::PrepareRenameRequest => prepare_rename,
        r::Completion => completion,
        r::SignatureHelpRequest => signature_help,
        r::Formatting => formatting,
    }
    if let Some(cast) = cast::<r::Rename>(&req) {
        return Some(match cast {
            Ok((id, params)) => match rename(s, params) {
                Ok(edit) => Response::new_ok(id, edit),
                Err(why) => Response::new_err(id, lsp_server::ErrorCode::InvalidRequest as i32, why),
            },
            Err(bad) => bad,
        });
    }
    None
}

/// The analysis of the program holding a document, the file's id in it,
/// and a byte offset for `pos`.
struct At {
    ide: Arc<Ide>,
    program: usize,
    path: PathBuf,
    file: FileId,
    offset: usize,
}

fn locate(s: &mut Server, uri: &lsp::Url, pos: Option<lsp::Position>) -> Option<At> {
    let path = convert::path(uri)?;
    let program = s.workspace.program_of(&path)?;
    let ide = s.workspace.ide(program);
    let file = ide.file_of(&path)?;
    let text = &ide.analysis().program.sources.get(file).text;
    let offset = pos.map_or(0, |p| convert::offset(text, p));
    Some(At { ide, program, path, file, offset })
}

fn location(ide: &Ide, span: aether_transpile::source::Span) -> Option<lsp::Location> {
    convert::location(&ide.analysis().program.sources, span)
}

fn hover(s: &mut Server, p: lsp::HoverParams) -> Option<lsp::Hover> {
    let tdp = p.text_document_position_params;
    let at = locate(s, &tdp.text_document.uri, Some(tdp.position))?;
    let h = at.ide.hover(at.file, at.offset)?;
    let file = at.ide.analysis().program.sources.get(h.span.file);
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value: h.markdown }),
        range: Some(convert::range(file, h.span)),
    })
}

fn definition(s: &mut Server, p: lsp::GotoDefinitionParams) -> Option<lsp::GotoDefinitionResponse> {
    let tdp = p.text_document_position_params;
    let at = locate(s, &tdp.text_document.uri, Some(tdp.position))?;
    let span = at.ide.definition(at.file, at.offset)?;
    Some(lsp::GotoDefinitionResponse::Scalar(location(&at.ide, span)?))
}

fn references(s: &mut Server, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let tdp = p.text_document_position;
    let at = locate(s, &tdp.text_document.uri, Some(tdp.position))?;
    let spans = at.ide.references(at.file, at.offset, p.context.include_declaration);
    Some(spans.into_iter().filter_map(|sp| location(&at.ide, sp)).collect())
}

fn prepare_rename(s: &mut Server, p: lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
    let at = locate(s, &p.text_document.uri, Some(p.position))?;
    let span = at.ide.rename_target(at.file, at.offset)?;
    let file = at.ide.analysis().program.sources.get(span.file);
    Some(lsp::PrepareRenameResponse::Range(convert::range(file, span)))
}

fn rename(s: &mut Server, p: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>, String> {
    let tdp = p.text_document_position;
    let Some(at) = locate(s, &tdp.text_document.uri, Some(tdp.position)) else { return Ok(None) };
    let edits = at.ide.rename(at.file, at.offset, &p.new_name)?;
    let sources = &at.ide.analysis().program.sources;
    let mut changes: std::collections::HashMap<lsp::Url, Vec<lsp::TextEdit>> = Default::default();
    for e in edits {
        let Some(loc) = convert::location(sources, e.span) else { continue };
        changes.entry(loc.uri).or_default().push(lsp::TextEdit { range: loc.range, new_text: e.text });
    }
    Ok(Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }))
}

fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
    match k {
        SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        SymbolKind::Method => lsp::SymbolKind::METHOD,
        SymbolKind::Struct => lsp::SymbolKind::STRUCT,
        SymbolKind::Enum => lsp::SymbolKind::ENUM,
        SymbolKind::Field => lsp::SymbolKind::FIELD,
        SymbolKind::Variant => lsp::SymbolKind::ENUM_MEMBER,
        SymbolKind::Constant => lsp::SymbolKind::CONSTANT,
        SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
        SymbolKind::Test => lsp::SymbolKind::EVENT,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out, as `None`.
fn document_symbol(ide: &Ide, sym: ide::Symbol) -> lsp::DocumentSymbol {
    let file = ide.analysis().program.sources.get(sym.span.file);
    lsp::DocumentSymbol {
        name: sym.name,
        detail: None,
        kind: symbol_kind(sym.kind),
        tags: None,
        deprecated: None,
        range: convert::range(file, sym.span),
        selection_range: convert::range(file, sym.name_span),
        children: Some(sym.children.into_iter().map(|c| document_symbol(ide, c)).collect()),
    }
}

fn document_symbols(s: &mut Server, p: lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
    let at = locate(s, &p.text_document.uri, None)?;
    let symbols = at.ide.document_symbols(at.file);
    Some(lsp::DocumentSymbolResponse::Nested(symbols.into_iter().map(|sym| document_symbol(&at.ide, sym)).collect()))
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must be written out, as `None`.
fn workspace_symbols(s: &mut Server, p: lsp::WorkspaceSymbolParams) -> Option<lsp::WorkspaceSymbolResponse> {
    let mut out = Vec::new();
    for i in 0..s.workspace.programs.len() {
        let ide = s.workspace.ide(i);
        for sym in ide.workspace_symbols(&p.query) {
            let Some(location) = location(&ide, sym.name_span) else { continue };
            out.push(lsp::SymbolInformation {
                name: sym.name,
                kind: symbol_kind(sym.kind),
                tags: None,
                deprecated: None,
                location,
                container_name: sym.container,
            });
        }
    }
    Some(lsp::WorkspaceSymbolResponse::Flat(out))
}

fn completion(s: &mut Server, p: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
    let tdp = p.text_document_position;
    let at = locate(s, &tdp.text_document.uri, Some(tdp.position))?;
    let workspace = &s.workspace;
    let retyped = |text: String| Some(workspace.retyped(at.program, &at.path, text));
    let items = at.ide.completions(at.file, at.offset, &retyped);
    let items = items
        .into_iter()
        .map(|c| lsp::CompletionItem {
            label: c.label,
            kind: Some(match c.kind {
                CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
                CompletionKind::Method => lsp::CompletionItemKind::METHOD,
                CompletionKind::Field => lsp::CompletionItemKind::FIELD,
                CompletionKind::Variant => lsp::CompletionItemKind::ENUM_MEMBER,
                CompletionKind::Struct => lsp::CompletionItemKind::STRUCT,
                CompletionKind::Enum => lsp::CompletionItemKind::ENUM,
                CompletionKind::Constant => lsp::CompletionItemKind::CONSTANT,
                CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
                CompletionKind::Module => lsp::CompletionItemKind::MODULE,
                CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            }),
            detail: c.detail,
            ..Default::default()
        })
        .collect();
    Some(lsp::CompletionResponse::Array(items))
}

fn signature_help(s: &mut Server, p: lsp::SignatureHelpParams) -> Option<lsp::SignatureHelp> {
    let tdp = p.text_document_position_params;
    let at = locate(s, &tdp.text_document.uri, Some(tdp.position))?;
    let help = at.ide.signature_help(at.file, at.offset)?;
    let utf16 = |byte: usize| help.label[..byte].encode_utf16().count() as u32;
    let parameters = help
        .params
        .iter()
        .map(|&(a, b)| lsp::ParameterInformation {
            label: lsp::ParameterLabel::LabelOffsets([utf16(a), utf16(b)]),
            documentation: None,
        })
        .collect();
    let documentation = help
        .doc
        .clone()
        .map(|d| lsp::Documentation::MarkupContent(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value: d }));
    let active = help.active as u32;
    Some(lsp::SignatureHelp {
        signatures: vec![lsp::SignatureInformation {
            label: help.label.clone(),
            documentation,
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// The whole document, formatted as `aether fmt` would; nothing when it
/// does not parse (the diagnostics already say why) or is formatted.
fn formatting(s: &mut Server, p: lsp::DocumentFormattingParams) -> Option<Vec<lsp::TextEdit>> {
    let path = convert::path(&p.text_document.uri)?;
    let text = match s.workspace.docs.get(&path) {
        Some(doc) => doc.text.clone(),
        None => std::fs::read_to_string(&path).ok()?,
    };
    let formatted = aether_transpile::format::format_source(FileId(0), &text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = convert::position(&text, text.len());
    Some(vec![lsp::TextEdit {
        range: lsp::Range { start: lsp::Position { line: 0, character: 0 }, end },
        new_text: formatted,
    }])
}

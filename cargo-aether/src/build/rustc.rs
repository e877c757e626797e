//! When rustc rejects the generated crate. The checker accepted the
//! program, so that is Aether's bug: say so, show rustc's words, and name
//! what the rejected Rust was generated from: the `.ae` files, and for each
//! error in a generated module the `.ae` item (`fn Body.fall` at
//! `physics.ae:9:1`) whose Rust rustc rejected.
//!
//! The item is found from rustc's line: walking up the generated file to the
//! enclosing top-level Rust item (and the method within an `impl`), whose
//! name is the `.ae` name. Generated files are formatted (prettyplease), so
//! items start at column 0 and methods at column 4.

use super::Prepared;
use aether_transpile::ast::{ExternFnDecl, Item, ItemKind};
use aether_transpile::diagnostic::{Code, Diagnostic};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// What rustc said, gathered from cargo's JSON messages.
#[derive(Default)]
pub(crate) struct Rejection {
    /// Every message, rendered as rustc prints it.
    pub rendered: Vec<String>,
    /// Every file a message points into.
    pub files: BTreeSet<String>,
    /// (file, 1-based line) of each error's primary span.
    pub errors: BTreeSet<(String, usize)>,
    /// Each error as (file, 1-based line, rustc's message, its primary
    /// label), to say on the `.ae` line what an `extern fn` got wrong.
    pub said: Vec<(String, usize, String, String)>,
}

impl Rejection {
    /// Record one `compiler-message`'s `message` object.
    pub fn add(&mut self, message: &serde_json::Value) {
        if let Some(text) = message["rendered"].as_str() {
            self.rendered.push(text.to_string());
        }
        let is_error = message["level"].as_str().is_none_or(|l| l.starts_with("error"));
        for span in message["spans"].as_array().into_iter().flatten() {
            let Some(file) = span["file_name"].as_str() else { continue };
            self.files.insert(file.to_string());
            let line = span["line_start"].as_u64().and_then(|l| usize::try_from(l).ok());
            if let (true, true, Some(line)) = (is_error, span["is_primary"].as_bool().unwrap_or(true), line) {
                self.errors.insert((file.to_string(), line));
                let text = message["message"].as_str().unwrap_or("").to_string();
                let label = span["label"].as_str().unwrap_or("").to_string();
                self.said.push((file.to_string(), line, text, label));
            }
        }
    }

    /// When every error is in the Rust an `extern fn` became (the crate's
    /// function takes or returns other types, or is no function at all),
    /// the program is wrong, not Aether: one E0109 per `extern fn`, on its
    /// `.ae` line, with rustc's words. `None` otherwise.
    pub fn bindings(&self, prepared: &Prepared) -> Option<Vec<Diagnostic>> {
        self.bindings_by(|file, line| extern_fn_at(prepared, file, line))
    }

    /// [`Self::bindings`], with `extern_fn_at` saying which `extern fn` a
    /// line of a generated file was generated from.
    pub fn bindings_by<'a>(
        &self,
        extern_fn_at: impl Fn(&str, usize) -> Option<&'a ExternFnDecl>,
    ) -> Option<Vec<Diagnostic>> {
        if self.errors.is_empty() {
            return None;
        }
        let mut found: Vec<(&ExternFnDecl, Diagnostic)> = Vec::new();
        for (file, line, text, label) in &self.said {
            let x = extern_fn_at(file, *line)?;
            let said = if label.is_empty() { text.clone() } else { format!("{text}: {label}") };
            match found.iter_mut().find(|(y, _)| std::ptr::eq(*y, x)) {
                Some((_, d)) => d.notes.push(format!("rustc: {said}")),
                None => {
                    let d = Diagnostic::at(
                        Code::E0109,
                        x.path_span,
                        format!("`extern fn {}` does not match `{}`", x.name.name, x.path),
                    )
                    .with_note(format!("rustc: {said}"))
                    .with_help(
                        "declare the types the Rust function takes and returns, mapped as docs/rust-interop.md says \
                         (`int` is any Rust integer type, `float` `f64` or `f32`, a `str` parameter `&str`, a `str` \
                         result `String`); a generic function names its type arguments: `rand::random::<u32>`",
                    );
                    found.push((x, d));
                }
            }
        }
        Some(found.into_iter().map(|(_, d)| d).collect())
    }

    /// Every message rustc printed, as it printed them.
    pub fn rendered(&self) -> String {
        self.rendered.concat()
    }

    /// Print rustc's messages and what they mean for the user.
    pub fn explain(&self, prepared: &Prepared) {
        let mut err = std::io::stderr().lock();
        for text in &self.rendered {
            let _ = err.write_all(text.as_bytes());
        }
        // Not every failure is rustc rejecting generated code: cargo may have
        // stopped before compiling anything (a runtime deleted under it, no
        // network for a first download), or the runtime itself may not
        // compile (a Rust toolchain too old). Each is said as what it is.
        let runtime = prepared.runtime.dir();
        if self.rendered.is_empty() {
            match prepared.runtime.damage() {
                Some(damage) => {
                    let _ = writeln!(err, "error: the Aether runtime in {} is damaged: {damage}", runtime.display());
                    let _ = writeln!(err, "  = help: run the command again to write it afresh");
                }
                None => {
                    let crate_dir = prepared.layout.crate_dir.display();
                    let _ = writeln!(
                        err,
                        "error: cargo could not build the generated crate in {crate_dir} (cargo's message is above)"
                    );
                }
            }
            return;
        }
        if !self.files.is_empty() && self.files.iter().all(|f| Path::new(f).starts_with(runtime)) {
            let _ = writeln!(err, "error: the Aether runtime in {} did not compile", runtime.display());
            let _ = writeln!(
                err,
                "  = help: Aether needs Rust {} or newer (`rustc --version`; `rustup update`)",
                env!("CARGO_PKG_RUST_VERSION")
            );
            return;
        }
        let modules: Vec<&str> = prepared
            .sources
            .iter()
            .filter(|(rs, _)| self.files.iter().any(|f| f.ends_with(rs.as_str())))
            .map(|(_, ae)| ae.as_str())
            .collect();
        let items: BTreeSet<String> =
            self.errors.iter().filter_map(|(file, line)| ae_item(prepared, file, *line)).collect();
        let _ = writeln!(err, "error: rustc rejected the Rust generated for this program");
        let _ = writeln!(err, "  = note: this is a bug in Aether, not in your program: the checker accepted it");
        for item in &items {
            let _ = writeln!(err, "  = note: rustc rejected the code generated for {item}");
        }
        if !modules.is_empty() {
            let _ = writeln!(err, "  = note: generated from {}", modules.join(", "));
        }
        let _ = writeln!(err, "  = note: the generated crate is in {}", prepared.layout.crate_dir.display());
        let _ = writeln!(err, "  = help: please report it with the .ae files above");
    }
}

/// The `extern fn` whose generated Rust holds `line` of the generated file
/// `file`, if that is where the line is.
fn extern_fn_at<'a>(prepared: &'a Prepared, file: &str, line: usize) -> Option<&'a ExternFnDecl> {
    let index = prepared.sources.iter().position(|(rs, _)| file.ends_with(rs.as_str()))?;
    let Generated::Fn { owner: None, name } = enclosing_item(&prepared.files.get(index)?.1, line)? else {
        return None;
    };
    prepared.analysis.program.modules.get(index)?.ast.items.iter().find_map(|item| match &item.kind {
        ItemKind::ExternFn(x) if x.name.name == name => Some(x),
        _ => None,
    })
}

/// The `extern fn` whose shim in the `--hmr` host (`host_main`, the text
/// of `host/src/main.rs`) holds `line`: the shims are `__host_<k>` for the
/// `k`-th `extern fn` of the program in `FnId` order.
pub(crate) fn extern_fn_in_host<'a>(
    analysis: &'a aether_transpile::driver::Analysis,
    host_main: &str,
    file: &str,
    line: usize,
) -> Option<&'a ExternFnDecl> {
    if !file.replace('\\', "/").ends_with("host/src/main.rs") {
        return None;
    }
    let lines: Vec<&str> = host_main.lines().collect();
    let at = line.checked_sub(1)?;
    let start = (0..=at.min(lines.len().checked_sub(1)?))
        .rev()
        .find(|i| lines[*i].trim_start().starts_with("pub extern \"C\" fn __host_"))?;
    let indent = lines[start].len() - lines[start].trim_start().len();
    let end = (start..lines.len())
        .find(|i| lines[*i].len() - lines[*i].trim_start().len() == indent && lines[*i].trim() == "}")?;
    if at > end {
        return None;
    }
    let k: usize = ident_prefix(lines[start].trim_start().strip_prefix("pub extern \"C\" fn __host_")?).parse().ok()?;
    let info = analysis.checked.fns.iter().filter(|f| f.host.is_some()).nth(k)?;
    match &analysis.program.modules.get(info.module.0 as usize)?.ast.items.get(info.item)?.kind {
        ItemKind::ExternFn(x) => Some(x),
        _ => None,
    }
}

/// The `.ae` item whose generated Rust holds `line` of the generated file
/// `file`, described with its location: `` `fn Body.fall` at physics.ae:9:1 ``.
fn ae_item(prepared: &Prepared, file: &str, line: usize) -> Option<String> {
    let index = prepared.sources.iter().position(|(rs, _)| file.ends_with(rs.as_str()))?;
    let text = &prepared.files.get(index)?.1;
    let generated = enclosing_item(text, line)?;
    let program = &prepared.analysis.program;
    let module = program.modules.get(index)?;
    let source = program.sources.get(module.file);
    let (item, what) = find_ae_item(&module.ast.items, &generated)?;
    let (l, c) = source.line_col(item.span.start as usize);
    Some(format!("{what} at {}:{l}:{c}", source.name))
}

/// A top-level item of a generated module, by its Rust names.
#[derive(Debug, PartialEq)]
enum Generated {
    /// `fn name` at the top level, or in `impl owner`.
    Fn { owner: Option<String>, name: String },
    /// A `#[test]` function `test_<n>_<slug>`: the module's n-th test block.
    Test(usize),
    /// A struct or enum, or a trait `impl` for one.
    Type(String),
    /// A `const` (or `static`).
    Const(String),
}

/// Walk up from 1-based `line` to the enclosing top-level item.
fn enclosing_item(text: &str, line: usize) -> Option<Generated> {
    let lines: Vec<&str> = text.lines().take(line).collect();
    let mut method = None;
    for (i, l) in lines.iter().enumerate().rev() {
        let indent = l.len() - l.trim_start().len();
        let code = l.trim_start();
        if code.is_empty() || code.starts_with("//") || code.starts_with('#') || code.starts_with('}') {
            continue;
        }
        if indent == 4 && method.is_none() {
            method = fn_name(code);
        }
        if indent != 0 {
            continue;
        }
        if let Some(owner) = code.strip_prefix("impl ") {
            let owner = owner.trim_end_matches('{').trim();
            let owner = owner.rsplit(" for ").next().unwrap_or(owner).trim().to_string();
            return Some(match method {
                Some(name) if !name.starts_with("__") && !code.contains(" for ") => {
                    Generated::Fn { owner: Some(owner), name }
                }
                _ => Generated::Type(owner),
            });
        }
        if let Some(name) = fn_name(code) {
            let is_test = lines[..i].iter().rev().take_while(|a| a.starts_with('#')).any(|a| *a == "#[test]");
            let number = name.strip_prefix("test_").and_then(|rest| rest.split('_').next()?.parse().ok());
            return Some(match number {
                Some(n) if is_test => Generated::Test(n),
                _ => Generated::Fn { owner: None, name },
            });
        }
        let decl = code.strip_prefix("pub ").unwrap_or(code);
        if let Some(name) = decl.strip_prefix("struct ").or_else(|| decl.strip_prefix("enum ")) {
            return Some(Generated::Type(ident_prefix(name)));
        }
        if let Some(name) = decl.strip_prefix("const ").or_else(|| decl.strip_prefix("static ")) {
            return Some(Generated::Const(ident_prefix(name)));
        }
        // Anything else at column 0 continues an item above (the end of a
        // signature over several lines, `) -> f64 {`).
    }
    None
}

/// `name` in `pub fn name(...` / `fn name<...>(...`, without `r#`.
fn fn_name(code: &str) -> Option<String> {
    let rest = code.strip_prefix("pub ").unwrap_or(code);
    let rest = rest.strip_prefix("const ").unwrap_or(rest);
    Some(ident_prefix(rest.strip_prefix("fn ")?))
}

/// The identifier at the start of `s` (a raw identifier's `r#` dropped).
fn ident_prefix(s: &str) -> String {
    let s = s.strip_prefix("r#").unwrap_or(s);
    s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// The `.ae` item a generated item came from, and how to name it.
fn find_ae_item<'a>(items: &'a [Item], generated: &Generated) -> Option<(&'a Item, String)> {
    let found = |want: &dyn Fn(&ItemKind) -> bool| items.iter().find(|item| want(&item.kind));
    // The module's `state` lives in a generated `State` struct, made by
    // `State::__zero` and initialized by `__init`.
    let is_state = match generated {
        Generated::Fn { owner: None, name } => name == "__init",
        Generated::Type(name) => name == "State",
        _ => false,
    };
    let state = items.iter().find(|item| matches!(item.kind, ItemKind::State(_)));
    if let (true, Some(state)) = (is_state, state) {
        return Some((state, "the module's `state` declarations".to_string()));
    }
    match generated {
        Generated::Const(name) => {
            let item = found(&|kind| matches!(kind, ItemKind::Const(c) if c.name.name == *name))?;
            Some((item, format!("`const {name}`")))
        }
        Generated::Fn { owner, name } => {
            let item = found(&|kind| match kind {
                ItemKind::Fn(f) => f.name.name == *name && f.receiver.as_ref().map(|r| &r.name) == owner.as_ref(),
                _ => false,
            })?;
            let what = owner.as_ref().map_or_else(|| format!("`fn {name}`"), |owner| format!("`fn {owner}.{name}`"));
            Some((item, what))
        }
        Generated::Test(n) => {
            let mut tests = items.iter().filter_map(|item| match &item.kind {
                ItemKind::Test(t) => Some((item, format!("test \"{}\"", t.name))),
                _ => None,
            });
            tests.nth(n.checked_sub(1)?)
        }
        Generated::Type(name) => {
            let item = found(&|kind| match kind {
                ItemKind::Struct(s) => s.name.name == *name,
                ItemKind::Enum(e) => e.name.name == *name,
                _ => false,
            })?;
            let keyword = if matches!(item.kind, ItemKind::Struct(_)) { "struct" } else { "enum" };
            Some((item, format!("`{keyword} {name}`")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "const fn __loc(line: u32, col: u32) -> ::aether_rt::Location {\n    ::aether_rt::Location { file: \"main.ae\", line, col }\n}\n\
        #[derive(Clone)]\npub struct Body {\n    pub y: f64,\n}\n\
        impl ::aether_rt::Show for Body {\n    fn show(&self, out: &mut String) {\n        out.push_str(\"Body\");\n    }\n}\n\
        pub fn r#type(\n    ctx: &mut crate::Ctx,\n) -> f64 {\n    9.81\n}\n\
        impl Body {\n    pub fn fall(&self, dt: f64) -> f64 {\n        self.y - dt\n    }\n}\n\
        /// test \"falls\"\n#[cfg(test)]\n#[test]\nfn test_2_falls() {\n    let x = 1;\n}\n\
        pub const LIMIT: i64 = 3;\n";

    fn at(line: usize) -> Option<Generated> {
        enclosing_item(GENERATED, line)
    }

    #[test]
    fn lines_map_to_their_enclosing_generated_item() {
        let fun = |owner: Option<&str>, name: &str| Generated::Fn { owner: owner.map(String::from), name: name.into() };
        assert_eq!(at(2), Some(fun(None, "__loc")));
        assert_eq!(at(6), Some(Generated::Type("Body".into())));
        assert_eq!(at(10), Some(Generated::Type("Body".into())), "a trait impl is the type's");
        assert_eq!(at(14), Some(fun(None, "type")), "a raw identifier, a signature over lines");
        assert_eq!(at(17), Some(fun(None, "type")));
        assert_eq!(at(21), Some(fun(Some("Body"), "fall")));
        assert_eq!(at(28), Some(Generated::Test(2)));
        assert_eq!(at(29), Some(Generated::Const("LIMIT".into())));
        assert_eq!(enclosing_item("", 3), None);
    }
}

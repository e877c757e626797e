//! What the language reference (docs/language.md) says about a built-in:
//! its row of the prelude's or a type's method table, its item of the
//! `json` list, the paragraph on `math`. The reference is the one place a
//! built-in is described, so the hover quotes it rather than keeping a
//! second copy that would drift (a test checks every built-in has its row).

const REFERENCE: &str = include_str!("../../../docs/language.md");

/// The receiver of a built-in method, which picks its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Receiver {
    Str,
    List,
    Map,
}

impl Receiver {
    /// From the checker's method names (`str.len`, `list.push`, `map.get`).
    pub(crate) fn named(kind: &str) -> Option<Receiver> {
        match kind {
            "str" => Some(Receiver::Str),
            "list" => Some(Receiver::List),
            "map" => Some(Receiver::Map),
            _ => None,
        }
    }

    /// The section of the reference with its methods, and how its table
    /// names the receiver.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Receiver::Str => ("## Strings", "s"),
            Receiver::List => ("## Lists", "xs"),
            Receiver::Map => ("## Maps", "m"),
        }
    }
}

/// A prelude function's row: `` `len(x) -> int`: length of a str, list or map ``.
pub(crate) fn prelude_fn(name: &str) -> Option<String> {
    table_row("## The prelude", &format!("`{name}("))
}

/// A method's row in its receiver's table.
pub(crate) fn method(receiver: Receiver, name: &str) -> Option<String> {
    let (section, var) = receiver.table();
    table_row(section, &format!("`{var}.{name}("))
}

/// A function of a built-in module (`json.parse`, `math.sqrt`): its item
/// of the module's list, else the module's opening paragraph.
pub(crate) fn module_fn(qualified: &str) -> Option<String> {
    let (module, _) = qualified.split_once('.')?;
    let body = section(&format!("## `import {module}`"))?;
    let want = format!("- `{qualified}(");
    let mut item: Option<String> = None;
    for line in body.lines() {
        match &mut item {
            None if line.starts_with(&want) => item = Some(line[2..].trim().to_string()),
            Some(text) if line.starts_with("  ") => {
                text.push(' ');
                text.push_str(line.trim());
            }
            Some(_) => break,
            None => {}
        }
    }
    item.or_else(|| {
        let paragraph: Vec<&str> =
            body.lines().skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect();
        (!paragraph.is_empty()).then(|| paragraph.join(" "))
    })
}

/// The text of the `## ` section titled `title`, without its title line.
fn section(title: &str) -> Option<&'static str> {
    let start = REFERENCE.find(&format!("\n{title}\n"))? + title.len() + 2;
    let rest = &REFERENCE[start..];
    Some(rest.find("\n## ").map_or(rest, |end| &rest[..end]))
}

/// The first table row of `section` whose first cell holds `needle`,
/// rendered `first: second` and then the other columns by their headers
/// (`(Mutates: yes)`), empty ones left out.
fn table_row(section_title: &str, needle: &str) -> Option<String> {
    let body = section(section_title)?;
    let mut header: Vec<&str> = Vec::new();
    for line in body.lines() {
        let Some(cells) = cells(line) else {
            header.clear();
            continue;
        };
        if cells.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':')) {
            continue;
        }
        if header.is_empty() {
            header = cells;
            continue;
        }
        if !cells.first().is_some_and(|c| c.contains(needle)) {
            continue;
        }
        let mut text = format!("{}: {}", cells[0], cells.get(1).copied().unwrap_or_default());
        for (name, value) in header.iter().zip(&cells).skip(2).filter(|(_, v)| !v.is_empty()) {
            text.push_str(&format!(" ({name}: {value})"));
        }
        return Some(text);
    }
    None
}

/// The cells of a Markdown table row (`| a | b |`), trimmed; `\|` stays
/// inside its cell.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = inner.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            out.push(inner[start..i].trim());
            start = i + 1;
        }
    }
    out.push(inner[start..].trim());
    Some(out)
}

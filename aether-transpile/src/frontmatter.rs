//! A script's frontmatter: the manifest block a single-file program may
//! start with (after an optional `#!` line), in the syntax of cargo's
//! script frontmatter:
//!
//! ```text
//! #!/usr/bin/env aether
//! ---cargo
//! [dependencies]
//! itoa = "1"
//! ---
//! ```
//!
//! The lexer skips it (it is not Aether); the CLI reads its
//! `[dependencies]` for the generated crate. This module only finds the
//! block: what is inside is TOML, for the CLI to parse.

use std::ops::Range;

/// The frontmatter found at the start of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontmatter<'a> {
    /// What follows the opening fence: `cargo` (or nothing).
    pub info: &'a str,
    /// The text between the fences (the manifest).
    pub body: &'a str,
    /// Where `body` starts in the file, in bytes.
    pub body_start: usize,
    /// The whole block, from the opening fence to the end of the closing
    /// fence's line.
    pub span: Range<usize>,
}

/// Why a block that starts like frontmatter is not one: a message and the
/// byte range it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontmatterError {
    pub message: String,
    pub help: &'static str,
    pub at: Range<usize>,
}

/// The frontmatter of `text`, if it has one: the first line that is not
/// blank (after a `#!` line) starts with `---`. `Err` for a block that is
/// not closed, or whose kind is not `cargo`.
pub fn find(text: &str) -> Result<Option<Frontmatter<'_>>, FrontmatterError> {
    let mut pos = 0;
    if text.starts_with("#!") && !text.starts_with("#![") {
        pos = text.find('\n').map_or(text.len(), |n| n + 1);
    }
    // Blank lines may come first.
    loop {
        let line_end = text[pos..].find('\n').map_or(text.len(), |n| pos + n + 1);
        if pos < text.len() && text[pos..line_end].trim().is_empty() {
            pos = line_end;
        } else {
            break;
        }
    }
    let rest = &text[pos..];
    if !rest.starts_with("---") {
        return Ok(None);
    }
    let dashes = rest.bytes().take_while(|b| *b == b'-').count();
    let open_end = rest.find('\n').map_or(text.len(), |n| pos + n + 1);
    let info = text[pos + dashes..open_end].trim();
    if !info.is_empty() && info != "cargo" {
        return Err(FrontmatterError {
            message: format!("unknown frontmatter kind `{info}`"),
            help: "start the block with `---cargo` (or `---`): it holds the script's Cargo manifest",
            at: pos..pos + dashes + info.len(),
        });
    }
    let fence = &rest[..dashes];
    let mut line_start = open_end;
    while line_start < text.len() {
        let line_end = text[line_start..].find('\n').map_or(text.len(), |n| line_start + n + 1);
        let line = text[line_start..line_end].trim_end();
        if line == fence {
            return Ok(Some(Frontmatter {
                info,
                body: &text[open_end..line_start],
                body_start: open_end,
                span: pos..line_end,
            }));
        }
        line_start = line_end;
    }
    Err(FrontmatterError {
        message: "unterminated frontmatter".to_string(),
        help: "close the block with a line of the same dashes that opened it: `---`",
        at: pos..pos + dashes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_after_a_shebang_and_blank_lines() {
        let text = "#!/usr/bin/env aether\n\n---cargo\n[dependencies]\nitoa = \"1\"\n---\nfn main() {}\n";
        let fm = find(text).unwrap().unwrap();
        assert_eq!(fm.info, "cargo");
        assert_eq!(fm.body, "[dependencies]\nitoa = \"1\"\n");
        assert_eq!(&text[fm.body_start..fm.body_start + 14], "[dependencies]");
        assert_eq!(&text[fm.span.end..], "fn main() {}\n");
        let plain = find("----\n[dependencies]\n----\n").unwrap().unwrap();
        assert_eq!((plain.info, plain.body), ("", "[dependencies]\n"));
    }

    #[test]
    fn no_block_and_bad_blocks() {
        assert_eq!(find("fn main() {}\n"), Ok(None));
        assert_eq!(find("// ---\n"), Ok(None));
        assert_eq!(find(""), Ok(None));
        let open = find("---cargo\n[dependencies]\n").unwrap_err();
        assert_eq!((open.message.as_str(), open.at), ("unterminated frontmatter", 0..3));
        let unknown = find("\n---toml\n---\n").unwrap_err();
        assert_eq!((unknown.message.as_str(), unknown.at), ("unknown frontmatter kind `toml`", 1..8));
        let longer = find("----\nx\n---\n").unwrap_err();
        assert_eq!(longer.message, "unterminated frontmatter");
    }
}

//! The document algebra and its printer, after Wadler's "prettier printer"
//! as made strict by Lindig: a [`Doc`] is text with optional line breaks;
//! a [`Doc::Group`] is printed flat (its breaks as spaces or nothing) when
//! it fits in the rest of the line, and broken otherwise.
//!
//! Our own rather than the `pretty` crate: the formatter needs three things
//! that crate has no direct form for and that are a few lines each here:
//! text shown only when the enclosing group breaks (trailing commas),
//! trailing comments that do not count against the width (a long `// why`
//! after a call must not break the call's arguments), and hard breaks that
//! force every enclosing group to break (a comment inside a list).

use std::rc::Rc;

/// Spaces per indentation level.
pub const INDENT: usize = 4;

#[derive(Clone, Debug)]
pub enum Doc {
    Nil,
    Text(Rc<str>),
    /// A space when flat, a line break when broken.
    Line,
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// Always a line break; the enclosing groups break too.
    HardLine,
    /// A line break with no indentation after it (an empty line).
    EmptyLine,
    Concat(Vec<Doc>),
    /// The breaks inside are indented one level deeper.
    Nest(Rc<Doc>),
    Group(Rc<Doc>),
    /// `broken` when the enclosing group breaks, `flat` when it does not.
    IfBreak {
        broken: Rc<Doc>,
        flat: Rc<Doc>,
    },
    /// Text that takes no room when measuring (a trailing comment); it
    /// forces the enclosing groups to break, since a line comment ends the line.
    LineSuffix(Rc<str>),
}

pub fn text(s: impl Into<Rc<str>>) -> Doc {
    Doc::Text(s.into())
}

pub fn concat(docs: impl IntoIterator<Item = Doc>) -> Doc {
    Doc::Concat(docs.into_iter().collect())
}

pub fn nest(doc: Doc) -> Doc {
    Doc::Nest(Rc::new(doc))
}

pub fn group(doc: Doc) -> Doc {
    Doc::Group(Rc::new(doc))
}

pub fn if_break(broken: Doc, flat: Doc) -> Doc {
    Doc::IfBreak { broken: Rc::new(broken), flat: Rc::new(flat) }
}

/// `docs` separated by `sep`.
pub fn join(docs: impl IntoIterator<Item = Doc>, sep: Doc) -> Doc {
    let mut out = Vec::new();
    for (i, d) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push(sep.clone());
        }
        out.push(d);
    }
    Doc::Concat(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// Render `doc` at `width` columns. Lines never end in spaces.
pub fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    // (indent, mode, doc), processed last first.
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = stack.pop() {
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => {
                out.push_str(s);
                col += s.chars().count();
            }
            Doc::LineSuffix(s) => {
                out.push_str(s);
                col += s.chars().count();
            }
            Doc::Line | Doc::SoftLine if mode == Mode::Flat => {
                if matches!(doc, Doc::Line) {
                    out.push(' ');
                    col += 1;
                }
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                trim_end(&mut out);
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                col = indent;
            }
            Doc::EmptyLine => {
                trim_end(&mut out);
                out.push('\n');
                col = 0;
            }
            Doc::Concat(docs) => {
                for d in docs.iter().rev() {
                    stack.push((indent, mode, d));
                }
            }
            Doc::Nest(d) => stack.push((indent + INDENT, mode, d)),
            Doc::Group(d) => {
                let flat = mode == Mode::Flat || fits(width.saturating_sub(col), d, &stack);
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, d));
            }
            Doc::IfBreak { broken, flat } => {
                stack.push((indent, mode, if mode == Mode::Break { broken } else { flat }));
            }
        }
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('\n');
    out
}

fn trim_end(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

/// Whether `doc`, printed flat, and what follows it up to the next line
/// break fit in `room` columns.
fn fits(room: usize, doc: &Doc, rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut room = room as isize;
    let mut todo: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest = rest.iter().rev();
    loop {
        let Some((mode, doc)) = todo.pop().or_else(|| rest.next().map(|(_, m, d)| (*m, *d))) else {
            return true;
        };
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => {
                room -= s.chars().count() as isize;
                if room < 0 {
                    return false;
                }
            }
            Doc::LineSuffix(_) | Doc::HardLine | Doc::EmptyLine if mode == Mode::Flat => return false,
            Doc::LineSuffix(_) => {}
            Doc::Line if mode == Mode::Flat => room -= 1,
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine | Doc::EmptyLine => return true,
            Doc::Concat(docs) => todo.extend(docs.iter().rev().map(|d| (mode, d))),
            Doc::Nest(d) | Doc::Group(d) => todo.push((mode, d)),
            Doc::IfBreak { broken, flat } => todo.push((mode, if mode == Mode::Break { broken } else { flat })),
        }
        if room < 0 {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let items = items.iter().map(|s| text(*s));
        group(concat([
            text("f("),
            nest(concat([Doc::SoftLine, join(items, concat([text(","), Doc::Line])), if_break(text(","), Doc::Nil)])),
            Doc::SoftLine,
            text(")"),
        ]))
    }

    #[test]
    fn a_group_breaks_only_when_it_does_not_fit() {
        assert_eq!(render(&list(&["a", "b"]), 10), "f(a, b)\n");
        assert_eq!(render(&list(&["aaaa", "bbbb"]), 10), "f(\n    aaaa,\n    bbbb,\n)\n");
    }

    #[test]
    fn a_hard_line_breaks_the_enclosing_group() {
        let doc = group(concat([text("a"), Doc::Line, text("b"), Doc::LineSuffix(" // c".into()), Doc::HardLine]));
        assert_eq!(render(&doc, 80), "a\nb // c\n");
    }
}

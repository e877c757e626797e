//! `docs/errors.md` must document every diagnostic code, under a heading
//! `## CODE: title` whose title is the one in the code registry, and must not
//! document codes that do not exist (a renamed or removed code would leave a
//! stale section that users would search for in vain).

use aether_transpile::diagnostic::Code;
use std::collections::BTreeMap;
use std::path::Path;

fn errors_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `## E0300: mismatched types` headings, keyed by code.
fn code_headings(md: &str) -> BTreeMap<String, Vec<String>> {
    let mut headings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in md.lines() {
        let Some(rest) = line.strip_prefix("## ") else { continue };
        let Some((code, title)) = rest.split_once(": ") else { continue };
        let looks_like_code = code.len() == 5
            && matches!(code.as_bytes().first(), Some(b'E' | b'W'))
            && code[1..].bytes().all(|b| b.is_ascii_digit());
        if looks_like_code {
            headings.entry(code.to_string()).or_default().push(title.to_string());
        }
    }
    headings
}

#[test]
fn every_code_has_exactly_one_section_with_its_title() {
    let headings = code_headings(&errors_md());
    let mut problems = Vec::new();
    for code in Code::ALL {
        match headings.get(code.as_str()).map(Vec::as_slice) {
            None | Some([]) => problems.push(format!("missing: ## {}: {}", code.as_str(), code.title())),
            Some([title]) if title == code.title() => {}
            Some([title]) => {
                problems.push(format!("{}: heading title {title:?}, registry title {:?}", code.as_str(), code.title()))
            }
            Some(many) => problems.push(format!("{}: {} sections", code.as_str(), many.len())),
        }
    }
    assert!(problems.is_empty(), "docs/errors.md is out of step with codes.rs:\n{}", problems.join("\n"));
}

#[test]
fn no_section_for_an_unknown_code() {
    let headings = code_headings(&errors_md());
    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let unknown: Vec<&String> = headings.keys().filter(|k| !known.contains(&k.as_str())).collect();
    assert!(unknown.is_empty(), "docs/errors.md documents codes that codes.rs lacks: {unknown:?}");
}

#[test]
fn sections_appear_in_registry_order() {
    // Readers scan the page by number; keep it sorted like the registry.
    let md = errors_md();
    let order: Vec<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|r| r.split_once(": ").map(|(c, _)| c.to_string()))
        .filter(|c| Code::ALL.iter().any(|k| k.as_str() == c))
        .collect();
    let expected: Vec<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(order, expected);
}

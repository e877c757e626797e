//! A batch of programs as the files of one script: `a.ae`, `b.ae` and
//! `main.ae`, which runs every program that does not fail (no argument)
//! or the one program named by its argument.

use super::items::program;
use super::FAIL_MARK;
use std::collections::HashSet;

/// How a generated program ends with a runtime error.
#[derive(Clone, Debug)]
pub struct Failure {
    /// `index`, `map key`, `division by zero`, `overflow`, ...
    pub kind: &'static str,
    /// The file and line the error must name (`a.ae`, 12).
    pub file: &'static str,
    pub line: usize,
    /// An integer overflow: a release build wraps and goes on.
    pub wraps_in_release: bool,
}

/// One program of a batch.
#[derive(Clone, Debug)]
pub struct Generated {
    pub seed: u64,
    /// Its number in the batch: `main` runs it alone when given this.
    pub index: usize,
    pub failure: Option<Failure>,
}

/// A batch: its files (path, text) and programs.
pub struct Batch {
    pub files: Vec<(String, String)>,
    pub programs: Vec<Generated>,
}

impl Batch {
    /// The lines of one program (its parts of `a.ae` and `b.ae`), to
    /// show when it fails.
    pub fn text_of(&self, index: usize) -> String {
        let mut out = String::new();
        for (path, text) in &self.files {
            if path == "main.ae" {
                continue;
            }
            let start = format!("// program {index}: ");
            let mut inside = false;
            out.push_str(&format!("// ---- {path}\n"));
            for line in text.lines() {
                if line.starts_with("// program ") {
                    inside = line.starts_with(&start);
                }
                if inside {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// The batch of the programs of `seeds`, numbered in order.
pub fn batch(seeds: &[u64]) -> Batch {
    let mut taken = HashSet::new();
    let mut a = vec!["import math".to_string(), String::new()];
    let mut b = vec!["import a".to_string(), "import math".to_string(), String::new()];
    let mut programs = Vec::new();
    let mut main = vec![
        "import a".to_string(),
        "import b".to_string(),
        String::new(),
        "fn main() {".to_string(),
        "    let argv = args()".to_string(),
        "    let which = if argv.is_empty() { \"all\" } else { argv[0] }".to_string(),
    ];
    for (k, &seed) in seeds.iter().enumerate() {
        let parts = program(seed, k, &mut taken);
        let (a_start, b_start) = (a.len(), b.len());
        a.extend(parts.a);
        b.push(format!("// program {k}: seed {seed}"));
        b.extend(parts.b);
        let failure = parts.failure.map(|(kind, wraps)| {
            let (file, line) = match a[a_start..].iter().position(|l| l.contains(FAIL_MARK)) {
                Some(i) => ("a.ae", a_start + i + 1),
                None => {
                    let i = b[b_start..].iter().position(|l| l.contains(FAIL_MARK)).expect("a marked line");
                    ("b.ae", b_start + i + 1)
                }
            };
            Failure { kind, file, line, wraps_in_release: wraps }
        });
        let cond = if failure.is_some() {
            format!("which == \"{k}\"")
        } else {
            format!("which == \"all\" || which == \"{k}\"")
        };
        main.push(format!("    if {cond} {{ b.g{k}_run() }}"));
        programs.push(Generated { seed, index: k, failure });
    }
    main.push("}".to_string());
    let join = |lines: Vec<String>| lines.join("\n") + "\n";
    Batch { files: vec![("a.ae".into(), join(a)), ("b.ae".into(), join(b)), ("main.ae".into(), join(main))], programs }
}

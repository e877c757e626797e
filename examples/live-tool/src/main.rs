//! A live log processor: the host reads a log file (and, with `--follow`,
//! what is appended to it, as `tail -f` does) and hands each line to the
//! Aether rules in src/rules/ (parse, filter, aggregate, format), printing
//! what they return. Under `cargo aether run --hmr` the rules are swapped in
//! as they are saved while the tool keeps reading: a line is handed over
//! exactly once, whatever the rules are doing (reloading, broken, rolled back).
//!
//! ```text
//! cargo run -- app.log                       # the file as it is, then a summary
//! cargo aether run --hmr -- app.log --follow # and what is appended, until Ctrl-C
//! ```
//!
//! `--stop-after N`: stop after N lines (tests). `--summary-every N`: print
//! the rules' summary every N lines.

aether_rt::include_aether!(rules);

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

/// How often a followed file is looked at for new lines.
const POLL: Duration = Duration::from_millis(20);

struct Options {
    path: String,
    follow: bool,
    stop_after: Option<u64>,
    summary_every: Option<u64>,
}

fn main() {
    let opts = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\nusage: live-tool FILE [--follow] [--stop-after N] [--summary-every N]");
            std::process::exit(2);
        }
    };
    let mut file = match std::fs::File::open(&opts.path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot open `{}`: {e}", opts.path);
            std::process::exit(1);
        }
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    let (mut offset, mut partial, mut lines) = (0u64, Vec::<u8>::new(), 0u64);
    'read: loop {
        let mut chunk = Vec::new();
        if let Err(e) = file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_to_end(&mut chunk)) {
            eprintln!("error: cannot read `{}`: {e}", opts.path);
            std::process::exit(1);
        }
        offset += chunk.len() as u64;
        partial.extend_from_slice(&chunk);
        // Whole lines only: a line being written stays until its newline.
        while let Some(end) = partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).trim_end_matches('\r').to_string();
            lines += 1;
            match rules::tool::try_line(&text) {
                Ok(Some(shown)) => {
                    let _ = writeln!(out, "{shown}");
                }
                Ok(None) => {}
                // The rules failed on this line: said, and the next line goes on.
                Err(e) => eprintln!("error: line {lines}: {e}"),
            }
            if opts.summary_every.is_some_and(|n| lines % n == 0) {
                let _ = writeln!(out, "{}", summary());
            }
            if opts.stop_after.is_some_and(|n| lines >= n) {
                break 'read;
            }
        }
        let _ = out.flush();
        if !opts.follow {
            break;
        }
        std::thread::sleep(POLL);
    }
    let _ = writeln!(out, "{}", summary());
    let _ = writeln!(out, "host read {lines} lines");
}

fn summary() -> String {
    rules::tool::try_summary().unwrap_or_else(|e| format!("summary failed: {e}"))
}

fn options() -> Result<Options, String> {
    let mut opts = Options { path: String::new(), follow: false, stop_after: None, summary_every: None };
    let mut args = std::env::args().skip(1);
    let number = |flag: &str, v: Option<String>| -> Result<u64, String> {
        v.and_then(|v| v.parse().ok()).filter(|n| *n > 0).ok_or(format!("{flag} needs a positive number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--follow" => opts.follow = true,
            "--stop-after" => opts.stop_after = Some(number("--stop-after", args.next())?),
            "--summary-every" => opts.summary_every = Some(number("--summary-every", args.next())?),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            path if opts.path.is_empty() => opts.path = path.to_string(),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    if opts.path.is_empty() {
        return Err("no file to read".into());
    }
    Ok(opts)
}

//! What hot reloading looks like in the window: a short toast after a
//! reload, and, after a save that was not applied (a syntax or type error,
//! a refused reload, a rollback, a runtime error), an overlay with the first
//! diagnostic over the running game until the next good save, as Vite's
//! error overlay does for a web page. The host draws it in Rust, so it shows
//! whatever state the Aether code is in.
//!
//! The outcome of the last save comes from `hmr_status()` (docs/hmr.md):
//! `cargo aether run --hmr` keeps it in a file the runtime reads; it is
//! `None` in a static build, where nothing here ever shows.

use crate::canvas::{self, WIDTH};

/// Colour of the error panel (tests look for it).
pub const PANEL: i64 = 0x7a1020;
/// Colour of the toast (tests look for it).
pub const TOAST: i64 = 0x1f6f3a;
/// How long a toast stays, in frames (1.5 s).
const TOAST_FRAMES: u32 = 90;

#[derive(Default)]
pub struct Overlay {
    /// The last status read, to notice a new one.
    status: String,
    /// The error shown until the next good save.
    error: Option<String>,
    /// A runtime error of the Aether code in this frame (cleared each frame).
    runtime: Option<String>,
    toast: Option<(String, u32)>,
}

impl Overlay {
    /// Take in the status line of the last save (if it changed).
    pub fn status(&mut self, line: &str) {
        if line == self.status {
            return;
        }
        self.status = line.to_string();
        if line.starts_with("reloaded") {
            self.error = None;
            self.toast = Some((line.to_string(), TOAST_FRAMES));
        } else if line.starts_with("checked") {
            // The broken save was undone: the code that runs is the code on disk.
            self.error = None;
        } else if line.starts_with("not reloaded") || line.starts_with("refused") || line.starts_with("rolled back") {
            self.error = Some(line.to_string());
            // A reload rolled back right after its toast: the toast was wrong.
            self.toast = None;
        }
    }

    /// The Aether code failed in this frame (shown while it keeps failing).
    pub fn runtime_error(&mut self, error: Option<String>) {
        self.runtime = error.map(|e| format!("runtime error: {e}"));
    }

    /// What the overlay shows now, if anything.
    pub fn error(&self) -> Option<&str> {
        self.runtime.as_deref().or(self.error.as_deref())
    }

    /// Draw over the frame.
    pub fn draw(&mut self) {
        if let Some((text, left)) = &mut self.toast {
            let shown: String = text.chars().take(WIDTH / 8 - 2).collect();
            canvas::rect(0, canvas::HEIGHT as i64 - 14, WIDTH as i64, 14, TOAST);
            canvas::text(8, canvas::HEIGHT as i64 - 11, &shown, 0xffffff);
            *left -= 1;
            if *left == 0 {
                self.toast = None;
            }
        }
        if let Some(error) = self.error() {
            let lines = wrap(error, WIDTH / 8 - 4);
            let height = 30 + 10 * lines.len().min(14) as i64;
            canvas::rect(8, 40, WIDTH as i64 - 16, height, PANEL);
            canvas::rect(8, 40, WIDTH as i64 - 16, 2, 0xff4060);
            canvas::text(16, 48, "not applied: the game runs on", 0xffd0d0);
            for (i, line) in lines.iter().take(14).enumerate() {
                canvas::text(16, 64 + 10 * i as i64, line, 0xffffff);
            }
        }
    }
}

/// `text` in lines of at most `width` characters, broken at spaces when it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if line.chars().count() + word.chars().count() + 1 > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

//! A Rust game host: it owns the loop, the clock and the terminal; the
//! rules of the game are Aether modules (src/gameplay/*.ae) compiled in by
//! build.rs and called through typed bindings every frame.
//!
//! `cargo run -- --frames 200` (or `GAME_FRAMES=200`); on a terminal it
//! animates at about 20 frames per second, otherwise (tests, pipes) it
//! prints every frame at once, or one every `GAME_FRAME_MS` milliseconds
//! when that is set (a test that edits the gameplay while it runs).

mod host;

aether_rt::include_aether!(gameplay);

use gameplay::world::{self, World};
use std::io::{IsTerminal, Write};

const DEFAULT_FRAMES: u64 = 200;

fn main() {
    let frames = match frame_count() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let live = std::io::stdout().is_terminal();
    let pace = std::env::var("GAME_FRAME_MS").ok().and_then(|v| v.parse::<u64>().ok());
    let mut w = world::new_world(24, 8);
    let out = std::io::stdout();
    let mut out = out.lock();
    for frame in 1..=frames {
        // A runtime error in the gameplay (under `cargo aether run --hmr`,
        // new code that fails) is shown, and the game goes on: the next
        // save can fix it.
        let failed = world::try_step(&mut w).err();
        let mut events = host::take_events();
        events.extend(failed.map(|e| format!("gameplay error: {e}")));
        let screen = render(&w, frame, &events);
        if live {
            // Home the cursor and clear: redraw in place.
            let _ = write!(out, "\x1b[H\x1b[2J");
        }
        let _ = out.write_all(screen.as_bytes());
        let _ = out.flush();
        if live {
            std::thread::sleep(std::time::Duration::from_millis(50));
        } else if let Some(ms) = pace {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
    let _ = writeln!(out, "game over after {frames} frames");
}

/// The frame as text: a status line, the board, the frame's events.
fn render(w: &World, frame: u64, events: &[String]) -> String {
    let hud = world::try_hud(w).unwrap_or_else(|e| format!("(hud failed: {e})"));
    let mut s = format!("frame {frame:>4} | {hud}\n");
    for y in 0..w.height {
        for x in 0..w.width {
            s.push_str(&world::try_glyph(w, x, y).unwrap_or_else(|_| "?".to_string()));
        }
        s.push('\n');
    }
    for e in events {
        s.push_str(&format!("  {e}\n"));
    }
    s
}

/// `--frames N`, else `GAME_FRAMES`, else the default.
fn frame_count() -> Result<u64, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let given = match args.as_slice() {
        [] => std::env::var("GAME_FRAMES").ok(),
        [flag, n] if flag == "--frames" => Some(n.clone()),
        _ => return Err("usage: rust-game-host [--frames N]".into()),
    };
    match given {
        None => Ok(DEFAULT_FRAMES),
        Some(n) => n.parse().map_err(|_| format!("`{n}` is not a frame count")),
    }
}

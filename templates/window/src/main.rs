//! {{name}}: a windowed game whose gameplay is Aether (src/game/*.ae,
//! compiled in by build.rs). This host owns the window (minifb: a software
//! framebuffer, no GPU), the keyboard and the clock: a fixed-timestep loop of
//! 60 ticks a second that draws a frame after the ticks that were due.
//!
//! ```text
//! cargo run                          # play: arrows or WASD, Esc quits
//! aether run --hmr                   # the same, editing src/game/*.ae live
//! cargo run -- --frames 60 --snap last.png   # 60 frames, then the last as a PNG
//! ```
//!
//! Under `--hmr` a reload shows a toast at the bottom of the window, and a
//! save that was not applied (an error in the `.ae` file, a rollback) shows
//! an overlay with the first diagnostic until the next good save
//! (src/overlay.rs).

mod canvas;
mod overlay;

aether_rt::include_aether!(game);

use game::world::Input;
use minifb::{Key, Scale, Window, WindowOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One tick of the fixed timestep: 60 a second.
const TICK: Duration = Duration::from_nanos(1_000_000_000 / 60);
/// After a long stall the game skips ahead instead of running every tick.
const MAX_CATCH_UP: u64 = 5;
/// How often the outcome of the last save is read (frames).
const STATUS_EVERY: u64 = 6;

fn main() {
    let (frames, snap) = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\nusage: {} [--frames N] [--snap FILE.png]", env!("CARGO_PKG_NAME"));
            std::process::exit(2);
        }
    };
    let window_opts = WindowOptions { scale: Scale::X2, ..WindowOptions::default() };
    let mut window = match Window::new(env!("CARGO_PKG_NAME"), canvas::WIDTH, canvas::HEIGHT, window_opts) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot open a window: {e} (is DISPLAY set? without a display: xvfb-run)");
            std::process::exit(1);
        }
    };
    // The loop below paces itself.
    window.set_target_fps(0);
    let mut overlay = overlay::Overlay::default();
    let start = Instant::now();
    let (mut ticks, mut frame) = (0u64, 0u64);
    while window.is_open() && !window.is_key_down(Key::Escape) && frames.is_none_or(|n| frame < n) {
        let due = (start.elapsed().as_nanos() / TICK.as_nanos()) as u64 + 1;
        // A runtime error in the Aether code: shown in the overlay while it lasts.
        let mut failed = None;
        for _ in 0..due.saturating_sub(ticks).clamp(1, MAX_CATCH_UP) {
            let input = keys(&window);
            if let Err(e) = game::world::try_step(&input) {
                failed = failed.or(Some(e.to_string()));
            }
        }
        ticks = due.max(ticks + 1);
        if let Err(e) = game::render::try_draw() {
            failed = failed.or(Some(e.to_string()));
        }
        // The outcome of the last save under `--hmr` (`None` in a static build).
        if frame % STATUS_EVERY == 0 {
            if let Some(status) = aether_rt::prelude::hmr_status() {
                overlay.status(&status);
            }
        }
        overlay.runtime_error(failed);
        overlay.draw();
        let shown = canvas::with(|pixels| window.update_with_buffer(pixels, canvas::WIDTH, canvas::HEIGHT));
        if let Err(e) = shown {
            eprintln!("error: cannot draw the window: {e}");
            std::process::exit(1);
        }
        frame += 1;
        if let Some(left) = (start + TICK * ticks as u32).checked_duration_since(Instant::now()) {
            std::thread::sleep(left);
        }
    }
    if let Some(path) = snap {
        if let Err(e) = write_png(&path) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
    println!("{frame} frames, score {}", game::world::try_score().unwrap_or(-1));
}

/// The keyboard: arrows or WASD.
fn keys(window: &Window) -> Input {
    let down = |a, b| window.is_key_down(a) || window.is_key_down(b);
    Input {
        left: down(Key::Left, Key::A),
        right: down(Key::Right, Key::D),
        up: down(Key::Up, Key::W),
        down: down(Key::Down, Key::S),
    }
}

/// `--frames N` (stop after N frames) and `--snap FILE` (write the last frame there).
fn options() -> Result<(Option<u64>, Option<PathBuf>), String> {
    let (mut frames, mut snap) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--frames" => {
                let n = args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0);
                frames = Some(n.ok_or("--frames needs a positive number")?);
            }
            "--snap" => snap = Some(args.next().ok_or("--snap needs a file")?.into()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok((frames, snap))
}

/// The framebuffer as an RGB PNG.
fn write_png(path: &Path) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, canvas::WIDTH as u32, canvas::HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let rgb: Vec<u8> = canvas::with(|p| p.iter().flat_map(|c| [(c >> 16) as u8, (c >> 8) as u8, *c as u8]).collect());
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(&rgb).map_err(std::io::Error::other)
}

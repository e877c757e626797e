//! A windowed game whose gameplay, AI and rendering are Aether
//! (src/game/*.ae, compiled in by build.rs). The Rust host owns the window
//! (minifb, a software framebuffer: no GPU), the keyboard and the clock: a
//! fixed-timestep loop of 60 ticks a second that renders a frame after the
//! ticks that were due.
//!
//! ```text
//! cargo run                        # play: arrows or WASD, Esc quits
//! cargo aether run --hmr           # the same, editing src/game/*.ae live
//! cargo run -- --scripted --frames 600 --snap shots --stats
//! ```
//!
//! `--scripted`: the AI's pilot plays (no keyboard), so a run is the same
//! every time. `--frames N`: stop after N frames. `--snap DIR`: every
//! `--snap-every` frames (30), write the framebuffer to `DIR/frame.png` and a
//! line `frame F score S coins C hits H status ...` to stdout. `--stats`:
//! print frame-time figures at the end (bench/window). `--draw pixels`: draw
//! with game/pixels.ae (Aether fills a list of pixels the host copies)
//! instead of render.ae (Aether calls the host's drawing API); bench/window
//! compares the two.

mod canvas;
mod overlay;
mod snap;

aether_rt::include_aether!(game);

use game::world::Input;
use minifb::{Key, Scale, Window, WindowOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One tick of the fixed timestep: 60 a second.
const TICK: Duration = Duration::from_nanos(1_000_000_000 / 60);
/// A frame late by more than this many ticks catches up only this far
/// (after a long stall the game skips ahead instead of fast-forwarding).
const MAX_CATCH_UP: u64 = 5;
/// How often the outcome of the last save is read (frames).
const STATUS_EVERY: u64 = 6;

struct Options {
    scripted: bool,
    frames: Option<u64>,
    snap: Option<PathBuf>,
    snap_every: u64,
    stats: bool,
    pixels: bool,
}

fn main() {
    let opts = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: window-game [--scripted] [--frames N] [--snap DIR [--snap-every N]] [--stats] [--draw host|pixels]"
            );
            std::process::exit(2);
        }
    };
    let window_opts = WindowOptions { scale: Scale::X2, ..WindowOptions::default() };
    let mut window = match Window::new("Aether window game", canvas::WIDTH, canvas::HEIGHT, window_opts) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot open a window: {e} (is DISPLAY set? under CI: xvfb-run)");
            std::process::exit(1);
        }
    };
    // The loop below paces itself.
    window.set_target_fps(0);
    let mut overlay = overlay::Overlay::default();
    let mut times = snap::FrameTimes::default();
    let start = Instant::now();
    let (mut ticks, mut frame) = (0u64, 0u64);
    while window.is_open() && !window.is_key_down(Key::Escape) && opts.frames.is_none_or(|n| frame < n) {
        // The ticks due by now; more than one means frames were dropped.
        let due = (start.elapsed().as_nanos() / TICK.as_nanos()) as u64 + 1;
        let behind = due.saturating_sub(ticks);
        times.drop(behind.saturating_sub(1));
        let work = Instant::now();
        let mut failed = None;
        for _ in 0..behind.clamp(1, MAX_CATCH_UP) {
            let input = if opts.scripted { game::ai::try_pilot() } else { Ok(keys(&window)) };
            let step = input.and_then(|input| {
                let moves = game::ai::try_foe_moves()?;
                game::world::try_step(&input, &moves)
            });
            failed = failed.or(step.err().map(|e| e.to_string()));
        }
        ticks = due.max(ticks + 1);
        let drawing = Instant::now();
        let drawn = if opts.pixels { draw_pixels() } else { game::render::try_draw() };
        times.draw.push(drawing.elapsed());
        if let Err(e) = drawn {
            failed = failed.or(Some(e.to_string()));
        }
        if frame % STATUS_EVERY == 0 {
            if let Some(status) = aether_rt::prelude::hmr_status() {
                overlay.status(&status);
            }
        }
        overlay.runtime_error(failed);
        overlay.draw();
        let logic = work.elapsed();
        let shown = canvas::with(|pixels| window.update_with_buffer(pixels, canvas::WIDTH, canvas::HEIGHT));
        if let Err(e) = shown {
            eprintln!("error: cannot draw the window: {e}");
            std::process::exit(1);
        }
        times.add(logic, work.elapsed());
        frame += 1;
        if let Some(dir) = &opts.snap {
            if frame % opts.snap_every == 0 {
                snap::save(dir, frame, overlay.error());
            }
        }
        // Sleep until the next tick is due.
        if let Some(left) = (start + TICK * ticks as u32).checked_duration_since(Instant::now()) {
            std::thread::sleep(left);
        }
    }
    if opts.stats {
        println!("{}", times.summary());
    }
}

/// The frame as game/pixels.ae draws it: every pixel in a list, copied into
/// the framebuffer, then the score line through the host's `text`.
fn draw_pixels() -> Result<(), aether_rt::RuntimeError> {
    let frame = game::pixels::try_draw()?;
    canvas::with(|p| {
        for (to, from) in p.iter_mut().zip(&frame) {
            *to = (*from & 0xff_ffff) as u32;
        }
    });
    game::pixels::try_hud()
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

fn options() -> Result<Options, String> {
    let mut opts = Options { scripted: false, frames: None, snap: None, snap_every: 30, stats: false, pixels: false };
    let mut args = std::env::args().skip(1);
    let number = |flag: &str, v: Option<String>| -> Result<u64, String> {
        v.and_then(|v| v.parse().ok()).filter(|n| *n > 0).ok_or(format!("{flag} needs a positive number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scripted" => opts.scripted = true,
            "--stats" => opts.stats = true,
            "--frames" => opts.frames = Some(number("--frames", args.next())?),
            "--snap-every" => opts.snap_every = number("--snap-every", args.next())?,
            "--snap" => opts.snap = Some(args.next().ok_or("--snap needs a directory")?.into()),
            "--draw" => match args.next().as_deref() {
                Some("host") => opts.pixels = false,
                Some("pixels") => opts.pixels = true,
                _ => return Err("--draw needs `host` or `pixels`".into()),
            },
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

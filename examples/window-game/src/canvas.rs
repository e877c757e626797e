//! The framebuffer and the small drawing API the Aether renderer calls
//! (`extern fn clear/rect/line/text` in game/render.ae). Colours are
//! `0xRRGGBB`, the pixel format minifb shows. Everything is clipped, so no
//! Aether value can draw outside the buffer.

use font8x8::UnicodeFonts;
use std::cell::RefCell;

pub const WIDTH: usize = 320;
pub const HEIGHT: usize = 240;

thread_local! {
    /// The one framebuffer: the loop, the renderer and the overlay all run
    /// on the main thread.
    static PIXELS: RefCell<Vec<u32>> = RefCell::new(vec![0; WIDTH * HEIGHT]);
}

/// Run `f` on the framebuffer.
pub fn with<R>(f: impl FnOnce(&mut [u32]) -> R) -> R {
    PIXELS.with(|p| f(&mut p.borrow_mut()))
}

fn rgb(color: i64) -> u32 {
    (color & 0xff_ffff) as u32
}

pub fn clear(color: i64) {
    with(|p| p.fill(rgb(color)));
}

pub fn rect(x: i64, y: i64, w: i64, h: i64, color: i64) {
    let (x0, y0) = (x.clamp(0, WIDTH as i64) as usize, y.clamp(0, HEIGHT as i64) as usize);
    let (x1, y1) = ((x + w).clamp(0, WIDTH as i64) as usize, (y + h).clamp(0, HEIGHT as i64) as usize);
    let c = rgb(color);
    with(|p| {
        for row in y0..y1 {
            p[row * WIDTH + x0..row * WIDTH + x1.max(x0)].fill(c);
        }
    });
}

/// A line from (x0, y0) to (x1, y1), both ends included (Bresenham).
pub fn line(x0: i64, y0: i64, x1: i64, y1: i64, color: i64) {
    let c = rgb(color);
    let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
    let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
    let (mut x, mut y, mut err) = (x0, y0, dx + dy);
    with(|p| loop {
        if (0..WIDTH as i64).contains(&x) && (0..HEIGHT as i64).contains(&y) {
            p[y as usize * WIDTH + x as usize] = c;
        }
        if x == x1 && y == y1 {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    });
}

/// `s` in the 8x8 font, its top left corner at (x, y); characters the
/// font lacks show as `?`.
pub fn text(x: i64, y: i64, s: &str, color: i64) {
    let c = rgb(color);
    with(|p| {
        for (i, ch) in s.chars().enumerate() {
            let glyph = font8x8::BASIC_FONTS.get(ch).or_else(|| font8x8::BASIC_FONTS.get('?')).unwrap_or([0; 8]);
            let left = x + 8 * i as i64;
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    let (px, py) = (left + col, y + row as i64);
                    let inside = (0..WIDTH as i64).contains(&px) && (0..HEIGHT as i64).contains(&py);
                    if bits & (1 << col) != 0 && inside {
                        p[py as usize * WIDTH + px as usize] = c;
                    }
                }
            }
        }
    });
}

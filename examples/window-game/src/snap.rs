//! What a run leaves behind for tests and benchmarks: screenshots of the
//! framebuffer with a log line each, and frame-time figures.

use crate::canvas;
use std::path::Path;
use std::time::Duration;

/// Write the framebuffer to `dir/frame.png` (a new file renamed over the
/// old, so a reader never sees half) and say so on stdout with the score
/// and the outcome of the last save.
pub fn save(dir: &Path, frame: u64, error: Option<&str>) {
    let tmp = dir.join("frame.png.tmp");
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| write_png(&tmp)) {
        eprintln!("error: cannot write {}: {e}", tmp.display());
        return;
    }
    let _ = std::fs::rename(&tmp, dir.join("frame.png"));
    let s = crate::game::world::try_stats();
    let (score, taken, hits) = s.map_or((-1, -1, -1), |s| (s.score, s.taken, s.hits));
    let status = aether_rt::prelude::hmr_status().unwrap_or_else(|| "static".into());
    let overlay = error.map_or("none".to_string(), |e| e.lines().next().unwrap_or_default().to_string());
    println!("frame {frame} score {score} coins {taken} hits {hits} status {status} | overlay {overlay}");
}

fn write_png(path: &Path) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, canvas::WIDTH as u32, canvas::HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let rgb: Vec<u8> = canvas::with(|p| p.iter().flat_map(|c| [(c >> 16) as u8, (c >> 8) as u8, *c as u8]).collect());
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(&rgb).map_err(std::io::Error::other)
}

/// Per-frame times: the Aether work (ticks, drawing, overlay), the drawing
/// alone, and the whole frame (with showing it in the window), and frames
/// dropped (ticks that had no frame of their own because the loop was late).
#[derive(Default)]
pub struct FrameTimes {
    logic: Vec<Duration>,
    pub draw: Vec<Duration>,
    frame: Vec<Duration>,
    dropped: u64,
    /// When frames were dropped (Unix ms) and how many: bench/window puts
    /// them beside the saves and the swaps.
    drops: Vec<(u128, u64)>,
    /// Frames whose Aether work took [`SLOW`] or more: when, and how long.
    slow: Vec<(u128, Duration)>,
}

/// Half a tick: Aether work this long leaves a frame little room.
const SLOW: Duration = Duration::from_millis(8);

fn unix_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
}

impl FrameTimes {
    /// `n` ticks (maybe 0) had no frame of their own.
    pub fn drop(&mut self, n: u64) {
        if n > 0 {
            self.dropped += n;
            self.drops.push((unix_ms(), n));
        }
    }

    pub fn add(&mut self, logic: Duration, frame: Duration) {
        self.logic.push(logic);
        self.frame.push(frame);
        if logic >= SLOW {
            self.slow.push((unix_ms(), logic));
        }
    }

    /// A line `dropped N at T` (Unix ms) for each late frame, `slow MS at T`
    /// for each slow one, then one line:
    /// `frames N logic_ms median M p99 P draw_ms ... frame_ms ... dropped D`.
    pub fn summary(&self) -> String {
        let drops: String = self.drops.iter().map(|(at, n)| format!("dropped {n} at {at}\n")).collect();
        let slow: String =
            self.slow.iter().map(|(at, d)| format!("slow {:.1} at {at}\n", d.as_secs_f64() * 1e3)).collect();
        drops + &slow + &format!(
            "frames {} logic_ms median {:.3} p99 {:.3} draw_ms median {:.3} p99 {:.3} frame_ms median {:.3} p99 {:.3} dropped {}",
            self.frame.len(),
            percentile(&self.logic, 50),
            percentile(&self.logic, 99),
            percentile(&self.draw, 50),
            percentile(&self.draw, 99),
            percentile(&self.frame, 50),
            percentile(&self.frame, 99),
            self.dropped
        )
    }
}

fn percentile(times: &[Duration], p: usize) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

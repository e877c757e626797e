//! A small engine core in Rust with its subsystems in Aether: the core owns
//! the entity storage (the bodies live here, not in any hot module), the
//! scheduler (which system runs on which tick) and the renderer (a text
//! frame); the subsystems are Aether modules, each with its own state:
//! `ai` (turns bodies), `physics` (moves them, `@no_hmr`) and `ui` (glyphs
//! and the status line). Under `cargo aether run --hmr` each one reloads on
//! its own while the others keep running.
//!
//! `cargo run -- --frames 100`; on a terminal it animates in place, else
//! it prints every frame (with `--frame-ms N`, one every N milliseconds).

aether_rt::include_aether!(systems);

use std::io::{IsTerminal, Write};
use systems::physics::{self, Body};

/// The scheduler: each system and the ticks it runs on (every `period`-th).
const SCHEDULE: [(System, u64); 2] = [(System::Ai, 3), (System::Physics, 1)];

#[derive(Clone, Copy, Debug)]
enum System {
    Ai,
    Physics,
}

/// The entity storage: bodies by id, kept by the engine across every
/// reload of the systems that read and change them.
struct World {
    bodies: Vec<Body>,
}

impl World {
    fn new(n: i64) -> World {
        let bodies = (0..n)
            .map(|i| Body { id: i, x: (i * 7) % physics::WIDTH, y: (i * 3) % physics::HEIGHT, vx: 1 - i % 3, vy: 1 })
            .collect();
        World { bodies }
    }

    /// Run one system; a runtime error in it is reported and the engine goes on.
    fn run(&mut self, system: System) -> Result<(), String> {
        match system {
            System::Ai => {
                for turn in systems::ai::try_think(&self.bodies).map_err(|e| e.to_string())? {
                    if let Some(b) = self.bodies.iter_mut().find(|b| b.id == turn.id) {
                        (b.vx, b.vy) = (turn.vx, turn.vy);
                    }
                }
            }
            System::Physics => physics::try_step(&mut self.bodies).map_err(|e| e.to_string())?,
        }
        Ok(())
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut frames, mut pace) = (200u64, None);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (arg.as_str(), value) {
            ("--frames", Some(n)) => frames = n,
            ("--frame-ms", Some(n)) => pace = Some(n),
            _ => {
                eprintln!("usage: engine [--frames N] [--frame-ms N]");
                std::process::exit(2);
            }
        }
    }
    let live = std::io::stdout().is_terminal();
    let pace = pace.or(live.then_some(50));
    let mut world = World::new(6);
    let out = std::io::stdout();
    let mut out = out.lock();
    for frame in 1..=frames {
        let mut errors = Vec::new();
        for (system, period) in SCHEDULE {
            if frame % period == 0 {
                if let Err(e) = world.run(system) {
                    errors.push(format!("{system:?} failed: {e}"));
                }
            }
        }
        let screen = render(&world, frame, &errors);
        if live {
            let _ = write!(out, "\x1b[H\x1b[2J");
        }
        let _ = out.write_all(screen.as_bytes());
        let _ = out.flush();
        if let Some(ms) = pace {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
    let steps = physics::try_steps_run().unwrap_or(-1);
    let _ = writeln!(out, "engine stopped after {frames} frames ({steps} physics steps)");
}

/// The renderer: the field with each body's glyph (from the UI system),
/// then its status line and the errors of this frame.
fn render(world: &World, frame: u64, errors: &[String]) -> String {
    let (w, h) = (physics::WIDTH as usize, physics::HEIGHT as usize);
    let mut grid = vec![vec![".".to_string(); w]; h];
    for b in &world.bodies {
        if let Some(cell) = grid.get_mut(b.y as usize).and_then(|row| row.get_mut(b.x as usize)) {
            *cell = systems::ui::try_glyph(b).unwrap_or_else(|_| "?".into());
        }
    }
    let mut s: String = grid.iter().map(|row| format!("{}\n", row.concat())).collect();
    let turns = systems::ai::try_turns_made().unwrap_or(-1);
    let status = systems::ui::try_status(frame as i64, world.bodies.len() as i64, turns);
    s.push_str(&status.unwrap_or_else(|e| format!("(ui failed: {e})")));
    s.push('\n');
    for e in errors {
        s.push_str(&format!("  {e}\n"));
    }
    s
}

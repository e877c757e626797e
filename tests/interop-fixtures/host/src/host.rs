//! Host functions that the Aether modules call (`extern fn` in game.ae).

use crate::logic::game::Player;

pub fn log(line: &str) {
    println!("[host] {line}");
}

/// Calls back into Aether while Aether is calling us: the bridge lends the
/// running call's state, so this neither deadlocks nor sees another copy.
pub fn bonus(p: &Player) -> i64 {
    let turns = crate::logic::game::turn_count();
    p.pos.0.abs() + p.pos.1.abs() + turns
}

pub fn rename(p: &mut Player, suffix: &str) {
    p.name.push_str(suffix);
}

//! A Rust program with its gameplay rules in Aether (src/logic/*.ae).

mod host;

aether_rt::include_aether!(logic);

use logic::game::{self, Action, Player};

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("threads") => threads(),
        _ => story(),
    }
}

fn story() {
    let mut ada = Player { name: "Ada".to_string(), hp: 12, pos: (0, 0), tags: Vec::new() };
    println!("{}", game::act(&mut ada, &Action::Move { dx: 2, dy: -3 }));
    println!("{}", game::act(&mut ada, &Action::Rest));
    println!("{}", game::act(&mut ada, &Action::Say { text: "hello".to_string() }));
    println!("{}", game::act(&mut ada, &Action::Say { text: "again".to_string() }));
    println!("score {}", game::score(&ada));
    game::promote(&mut ada);
    println!("{} {:?} {:?}", ada.name, ada.tags, ada.pos);
    println!("turns {} history {:?}", game::turn_count(), game::history());
    let bob = Player { name: "Bob".into(), hp: 15, pos: (1, 1), tags: vec![] };
    println!("strongest {:?}", game::strongest(&vec![ada.clone(), bob]));
    println!("strongest of none {:?}", game::strongest(&Vec::new()));
    println!("max {} clamp {}", logic::rules::MAX_HP, logic::rules::clamp_hp(99));
    println!("parse {:?} {:?}", game::parse_hp("7"), game::parse_hp("-1").map_err(|e| e.to_string()));
    println!("party of {}", game::recruit(&ada));
    println!("{}", game::promote_first());
    let mut shown = String::new();
    aether_rt::Show::show(&ada, &mut shown);
    println!("shown {shown}");
}

/// Many threads call the same stateful function at once; every increment
/// must count. `score` calls back into Aether from the host on the way
/// (reentrancy under contention).
fn threads() {
    const THREADS: i64 = 8;
    const CALLS: i64 = 2000;
    let start = game::turn_count();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            std::thread::spawn(|| {
                let p = Player { name: "T".into(), hp: 1, pos: (0, 0), tags: Vec::new() };
                let mut last = 0;
                for _ in 0..CALLS {
                    let now = game::tick();
                    assert!(now > last, "turns went backwards");
                    last = now;
                    assert!(game::score(&p) >= 10 + now, "score saw an older state");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread finished");
    }
    println!("turns {} expected {}", game::turn_count() - start, THREADS * CALLS);
}

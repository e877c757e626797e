//! What the gameplay code calls back into (`extern fn notify` in
//! world.ae): the host decides how an event looks on screen.

use crate::gameplay::world::Event;
use std::cell::RefCell;

thread_local! {
    /// Events of the current frame, shown under the board.
    static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub fn notify(e: &Event) {
    let text = match e {
        Event::Coin { at } => format!("coin at ({}, {})", at.x, at.y),
        Event::Hit { hp_left } => format!("hit! {hp_left} hp left"),
    };
    EVENTS.with(|events| events.borrow_mut().push(text));
}

/// The events since the last call.
pub fn take_events() -> Vec<String> {
    EVENTS.with(|events| std::mem::take(&mut *events.borrow_mut()))
}

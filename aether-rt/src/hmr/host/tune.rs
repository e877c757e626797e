//! The `tune` command: new values of constants (`abi::tunable`), stored
//! while the program is stopped at a safe point, so code between two safe
//! points never sees half of a save's values. Nothing is loaded or linked.

use super::{Host, APPLYING};
use crate::abi::Tuned;
use crate::hmr::protocol::{now_ms, Reply};

impl Host {
    pub(super) fn tune(&self, values: &[(String, Tuned)], saved_ms: u128) {
        self.pass_everyone_through_a_safe_point(|| {
            APPLYING.with(|a| a.set(true));
            crate::hmr::tunables::set_all(values);
            APPLYING.with(|a| a.set(false));
        });
        let ms = now_ms().saturating_sub(saved_ms);
        let what: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {}", v.human())).collect();
        eprintln!("[aether] tuned {} in {ms} ms (constants only: nothing rebuilt)", what.join(", "));
        self.send_reply(&Reply::Tuned);
    }
}

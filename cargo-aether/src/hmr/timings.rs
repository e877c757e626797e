//! `run --hmr --timings`: where one reload's time goes, from the save to the
//! host's answer, printed as one `[aether] timings:` line once the host has
//! swapped the new code in (bench/hmr reads the same steps).

use std::time::{Duration, Instant};

/// The steps of one reload, in the order they happen.
#[derive(Clone, Debug, Default)]
pub(super) struct Timings {
    /// From the newest file's write time to the watcher's batch: the
    /// debounce, and the file system's notification.
    pub watch: Duration,
    /// Loading and checking the program again.
    pub check: Duration,
    /// Generating the crates and writing those whose files changed.
    pub generate: Duration,
    /// Building the changed crates (`None`: nothing was compiled).
    pub build: Option<Duration>,
    /// How the crates were built: `cargo`, `rustc` (replayed), `none`.
    pub builder: &'static str,
    /// How many crates were built.
    pub crates: usize,
    /// How a replay linked them (`replay/link.rs`): `linked by wild`, ...
    pub linked: Option<&'static str>,
}

/// Times a step: `let t = Step::start(); ...; timings.check = t.done();`.
pub(super) struct Step(Instant);

impl Step {
    pub fn start() -> Step {
        Step(Instant::now())
    }

    pub fn done(&self) -> Duration {
        self.0.elapsed()
    }
}

impl Timings {
    /// The line, once the host answered `swap` after the reload was sent
    /// (loading the libraries, linking the tables, waiting for a safe point
    /// and swapping).
    pub fn line(&self, swap: Duration) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let build = match self.build {
            Some(d) => {
                let linked = self.linked.map(|l| format!(", {l}")).unwrap_or_default();
                format!(
                    "build {:.0} ms ({}, {} crate{}{linked})",
                    ms(d),
                    self.builder,
                    self.crates,
                    plural(self.crates)
                )
            }
            None => "build none".to_string(),
        };
        let total = self.watch + self.check + self.generate + self.build.unwrap_or_default() + swap;
        format!(
            "[aether] timings: watch {:.0} ms, check {:.1} ms, generate {:.1} ms, {build}, load + swap {:.0} ms, \
             total {:.0} ms",
            ms(self.watch),
            ms(self.check),
            ms(self.generate),
            ms(swap),
            ms(total)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_every_step() {
        let t = Timings {
            watch: Duration::from_millis(21),
            check: Duration::from_micros(3400),
            generate: Duration::from_micros(1200),
            build: Some(Duration::from_millis(120)),
            builder: "cargo",
            crates: 1,
            linked: None,
        };
        assert_eq!(
            t.line(Duration::from_millis(9)),
            "[aether] timings: watch 21 ms, check 3.4 ms, generate 1.2 ms, build 120 ms (cargo, 1 crate), \
             load + swap 9 ms, total 155 ms"
        );
        let replayed = Timings { builder: "rustc", crates: 2, linked: Some("linked by wild"), ..t };
        assert_eq!(
            replayed.line(Duration::from_millis(9)),
            "[aether] timings: watch 21 ms, check 3.4 ms, generate 1.2 ms, build 120 ms (rustc, 2 crates, linked by \
             wild), load + swap 9 ms, total 155 ms"
        );
    }
}

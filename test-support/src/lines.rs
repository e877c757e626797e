//! The output of a live process, line by line, as it arrives.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often [`Lines::wait_for`] looks again. Each line keeps the instant it
/// arrived, so this never shows in a measured latency.
const POLL: Duration = Duration::from_millis(20);

/// Every line a stream printed so far, with when it arrived. Clones share
/// the lines.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Followed>>);

#[derive(Default)]
struct Followed {
    lines: Vec<(Instant, String)>,
    /// The stream ended: no line will come any more.
    closed: bool,
}

impl Lines {
    /// Reads `stream` on a thread of its own until it ends.
    pub fn follow(&self, stream: impl Read + Send + 'static) {
        let lines = self.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                lines.lock().lines.push((Instant::now(), line));
            }
            lines.lock().closed = true;
        });
    }

    fn lock(&self) -> MutexGuard<'_, Followed> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every line so far, with when it arrived.
    pub fn snapshot(&self) -> Vec<(Instant, String)> {
        self.lock().lines.clone()
    }

    /// The lines from index `from` on.
    pub fn lines_from(&self, from: usize) -> Vec<String> {
        self.lock().lines.iter().skip(from).map(|(_, l)| l.clone()).collect()
    }

    /// Every line so far, each ended by `\n`.
    pub fn text(&self) -> String {
        self.text_from(0)
    }

    /// The lines from index `from` on, each ended by `\n`.
    pub fn text_from(&self, from: usize) -> String {
        self.lock().lines.iter().skip(from).map(|(_, l)| format!("{l}\n")).collect()
    }

    /// The last `n` lines, each ended by `\n`.
    pub fn tail(&self, n: usize) -> String {
        let followed = self.lock();
        let skip = followed.lines.len().saturating_sub(n);
        followed.lines.iter().skip(skip).map(|(_, l)| format!("{l}\n")).collect()
    }

    /// The first line from index `from` on that `pick` accepts: its index,
    /// when it arrived and what `pick` made of it. `None` after `timeout`, or
    /// as soon as the stream ended without such a line.
    pub fn wait_for<T>(
        &self,
        from: usize,
        timeout: Duration,
        mut pick: impl FnMut(&str) -> Option<T>,
    ) -> Option<(usize, Instant, T)> {
        let deadline = Instant::now() + timeout;
        let mut next = from;
        loop {
            // `pick` runs without the lock held: it may look at these lines too.
            let (new, closed) = {
                let followed = self.lock();
                (followed.lines.get(next..).map(<[_]>::to_vec).unwrap_or_default(), followed.closed)
            };
            for (at, line) in new {
                if let Some(v) = pick(&line) {
                    return Some((next, at, v));
                }
                next += 1;
            }
            if closed || Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(POLL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_a_line_and_stops_at_the_end_of_the_stream() {
        let lines = Lines::default();
        lines.follow(&b"one\ntwo 2\nthree\n"[..]);
        let found = lines.wait_for(0, Duration::from_secs(60), |l| l.strip_prefix("two ")?.parse::<u32>().ok());
        assert_eq!(found.map(|(i, _, n)| (i, n)), Some((1, 2)));
        assert_eq!(lines.wait_for(2, Duration::from_secs(60), |l| (l == "two 2").then_some(())), None);
        assert_eq!(lines.text_from(1), "two 2\nthree\n");
        assert_eq!(lines.tail(1), "three\n");
        assert_eq!(lines.lines_from(2), ["three"]);
        assert_eq!(lines.len(), 3);
    }
}

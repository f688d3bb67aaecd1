//! The decision throttle: per market at most one evaluation per window
//! (`actor.tick_throttle_ms`), latest wins.
//!
//! A complete view point of a market outside its window is evaluated at once. One inside
//! the window schedules a single evaluation at the window's end, which then runs on the
//! market's state at that time (the latest view point); further points before it are
//! coalesced into it. Pure: the caller passes the clock (monotonic ms).

use crate::domain::FastMap as HashMap;

/// What to do with a market's new view point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Evaluate now.
    Now,
    /// Evaluate once at `due_ms` (schedule a wake-up).
    Schedule {
        /// When the window ends.
        due_ms: i64,
    },
    /// An evaluation is already scheduled; this point is coalesced into it.
    Coalesced,
}

/// Per-market windows.
#[derive(Debug, Clone, Default)]
pub struct Throttle {
    window_ms: i64,
    last_eval: HashMap<String, i64>,
    pending: HashMap<String, i64>,
}

impl Throttle {
    /// A throttle of `window_ms` (0 evaluates every view point).
    pub fn new(window_ms: u64) -> Throttle {
        Throttle { window_ms: i64::try_from(window_ms).unwrap_or(i64::MAX), ..Throttle::default() }
    }

    /// A new view point of `market` at `now_ms`.
    pub fn offer(&mut self, market: &str, now_ms: i64) -> Gate {
        if self.pending.contains_key(market) {
            return Gate::Coalesced;
        }
        match self.last_eval.get(market) {
            Some(last) if now_ms - last < self.window_ms => {
                let due_ms = last.saturating_add(self.window_ms);
                self.pending.insert(market.to_owned(), due_ms);
                Gate::Schedule { due_ms }
            }
            _ => Gate::Now,
        }
    }

    /// The scheduled wake-up of `market` fired: true if an evaluation is due (it is no
    /// longer pending).
    pub fn fire(&mut self, market: &str) -> bool {
        self.pending.remove(market).is_some()
    }

    /// An evaluation of `market` ran at `now_ms`: its window starts. (A skipped evaluation
    /// — stale or one-sided book — does not start one.)
    pub fn evaluated(&mut self, market: &str, now_ms: i64) {
        if let Some(t) = self.last_eval.get_mut(market) {
            *t = now_ms;
        } else {
            self.last_eval.insert(market.to_owned(), now_ms);
        }
    }

    /// Forgets a market (it left the target set): no pending evaluation, a fresh window.
    pub fn forget(&mut self, market: &str) {
        self.pending.remove(market);
        self.last_eval.remove(market);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_point_now_then_one_evaluation_at_the_window_end() {
        let mut t = Throttle::new(250);
        assert_eq!(t.offer("A", 1_000), Gate::Now);
        t.evaluated("A", 1_000);
        // Inside the window: one wake-up at its end, the rest coalesced.
        assert_eq!(t.offer("A", 1_010), Gate::Schedule { due_ms: 1_250 });
        assert_eq!(t.offer("A", 1_100), Gate::Coalesced);
        assert_eq!(t.offer("A", 1_249), Gate::Coalesced);
        // Another market has its own window.
        assert_eq!(t.offer("B", 1_100), Gate::Now);
        assert!(t.fire("A"));
        assert!(!t.fire("A"), "fires once");
        t.evaluated("A", 1_250);
        assert_eq!(t.offer("A", 1_400), Gate::Schedule { due_ms: 1_500 });
        assert!(t.fire("A"));
        t.evaluated("A", 1_500);
        // A quiet market is evaluated at once again.
        assert_eq!(t.offer("A", 1_750), Gate::Now);
    }

    #[test]
    fn skipped_evaluations_start_no_window_and_forget_resets() {
        let mut t = Throttle::new(250);
        assert_eq!(t.offer("A", 0), Gate::Now);
        // Skipped (not `evaluated`): the next point is evaluated at once.
        assert_eq!(t.offer("A", 10), Gate::Now);
        t.evaluated("A", 10);
        assert_eq!(t.offer("A", 20), Gate::Schedule { due_ms: 260 });
        t.forget("A");
        assert!(!t.fire("A"));
        assert_eq!(t.offer("A", 30), Gate::Now);
    }

    #[test]
    fn zero_window_evaluates_every_point() {
        let mut t = Throttle::new(0);
        for now in [0, 0, 1, 1, 2] {
            assert_eq!(t.offer("A", now), Gate::Now);
            t.evaluated("A", now);
        }
    }
}

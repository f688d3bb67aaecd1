//! A window of recent latency samples (µs) with percentiles, for counters an operator reads
//! (`/rl/status`, the dashboard's stats, the `bench` command).

use std::collections::VecDeque;

/// The last `cap` samples.
#[derive(Debug, Clone)]
pub struct LatencyWindow {
    cap: usize,
    samples: VecDeque<f64>,
    total: u64,
}

impl LatencyWindow {
    /// A window of the last `cap` samples.
    pub fn new(cap: usize) -> LatencyWindow {
        LatencyWindow { cap: cap.max(1), samples: VecDeque::with_capacity(cap.max(1)), total: 0 }
    }

    /// Adds a sample.
    pub fn push(&mut self, us: f64) {
        if self.samples.len() == self.cap {
            self.samples.pop_front();
        }
        self.samples.push_back(us);
        self.total += 1;
    }

    /// Samples ever pushed.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The `q` quantile (0–1, nearest rank) of the window; `None` when empty.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = self.samples.iter().copied().collect();
        v.sort_by(f64::total_cmp);
        let rank = ((q.clamp(0.0, 1.0) * v.len() as f64).ceil() as usize).clamp(1, v.len());
        Some(v[rank - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_over_the_last_samples() {
        let mut w = LatencyWindow::new(100);
        assert_eq!(w.percentile(0.5), None);
        for i in 1..=200 {
            w.push(f64::from(i));
        }
        // Only 101..=200 remain.
        assert_eq!(w.total(), 200);
        assert_eq!(w.percentile(0.0), Some(101.0));
        assert_eq!(w.percentile(0.5), Some(150.0));
        assert_eq!(w.percentile(0.99), Some(199.0));
        assert_eq!(w.percentile(1.0), Some(200.0));
    }
}

//! Hot-market selection (`actor.target_market_mode = "hot"`).
//!
//! **Score.** For a market with a two-sided YES book whose spread is at most
//! `actor.hot_max_spread_cents`: `rate × ln(1 + depth)`, where `rate` is its accepted updates
//! per second over the last `actor.hot_rerank_s` seconds and `depth` the contracts resting
//! within 5¢ of the touch (YES bids within 5¢ of the best bid plus NO bids within 5¢ of the
//! best NO bid, i.e. YES asks near the ask). Busy, liquid, tight markets score high.
//!
//! **Re-ranking.** The top `actor.hot_count` eligible markets, recomputed every
//! `actor.hot_rerank_s` (and every 250 ms while the set is short, after a 1 s warm-up).
//! Hysteresis: an incumbent that is still eligible is replaced only by a challenger scoring
//! more than [`HYSTERESIS`] times its score, so near-ties do not flap. An incumbent that
//! became ineligible (one-sided, too wide) leaves at the next re-rank. Pure: the caller
//! passes the clock and each market's book statistics.

use std::collections::{BTreeMap, VecDeque};

use crate::book::OrderBook;
use crate::domain::Outcome;

/// A challenger must beat an incumbent's score by this factor.
pub const HYSTERESIS: f64 = 1.25;
/// Depth is counted within this many cents of the touch.
pub const NEAR_TOUCH_CENTS: f64 = 5.0;
const FILL_EVERY_MS: i64 = 250;
const WARMUP_MS: i64 = 1_000;

/// A market's book as the selector sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HotStats {
    /// YES ask − YES bid, cents (negative when crossed).
    pub spread_cents: f64,
    /// Contracts within [`NEAR_TOUCH_CENTS`] of the touch, both sides.
    pub depth_near_touch: f64,
}

/// The statistics of a book; `None` when its YES book lacks a side.
pub fn stats_of(book: &OrderBook) -> Option<HotStats> {
    let near = |o: Outcome| -> Option<(f64, f64)> {
        let best = book.best_bid(o)?.price.cents_f64();
        let depth =
            book.bids(o).take_while(|l| best - l.price.cents_f64() <= NEAR_TOUCH_CENTS).map(|l| l.size.as_f64()).sum();
        Some((best, depth))
    };
    let (yb, yd) = near(Outcome::Yes)?;
    let (nb, nd) = near(Outcome::No)?;
    Some(HotStats { spread_cents: (100.0 - nb) - yb, depth_near_touch: yd + nd })
}

/// A change of the hot set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotChange {
    /// Markets that became targets.
    pub added: Vec<String>,
    /// Markets that stopped being targets (their resting orders are to be cancelled).
    pub removed: Vec<String>,
}

/// The selector.
#[derive(Debug, Clone)]
pub struct HotSelector {
    count: usize,
    max_spread_cents: f64,
    window_ms: i64,
    /// Per market: (second, updates in it), oldest first.
    updates: BTreeMap<String, VecDeque<(i64, u32)>>,
    current: Vec<String>,
    first_update_ms: Option<i64>,
    last_rank_ms: Option<i64>,
}

impl HotSelector {
    /// Top `count` markets with spread ≤ `max_spread_cents`, re-ranked every `rerank_ms`.
    pub fn new(count: usize, max_spread_cents: f64, rerank_ms: i64) -> HotSelector {
        HotSelector {
            count,
            max_spread_cents,
            window_ms: rerank_ms.max(1),
            updates: BTreeMap::new(),
            current: Vec::new(),
            first_update_ms: None,
            last_rank_ms: None,
        }
    }

    /// The current hot set, best first.
    pub fn current(&self) -> &[String] {
        &self.current
    }

    /// Whether `market` is hot.
    pub fn contains(&self, market: &str) -> bool {
        self.current.iter().any(|m| m == market)
    }

    /// Counts an accepted update of `market` at `now_ms`.
    pub fn on_update(&mut self, market: &str, now_ms: i64) {
        self.first_update_ms.get_or_insert(now_ms);
        let sec = now_ms.div_euclid(1000);
        let q = match self.updates.get_mut(market) {
            Some(q) => q,
            None => self.updates.entry(market.to_owned()).or_default(),
        };
        match q.back_mut() {
            Some((s, n)) if *s == sec => *n += 1,
            _ => q.push_back((sec, 1)),
        }
    }

    /// Whether a re-rank is due at `now_ms`.
    pub fn due(&self, now_ms: i64) -> bool {
        let Some(first) = self.first_update_ms else { return false };
        if now_ms - first < WARMUP_MS {
            return false;
        }
        match self.last_rank_ms {
            None => true,
            Some(last) if self.current.len() < self.count => now_ms - last >= FILL_EVERY_MS,
            Some(last) => now_ms - last >= self.window_ms,
        }
    }

    /// Updates per second of `market` over the window ending at `now_ms`.
    fn rate(&mut self, market: &str, now_ms: i64) -> f64 {
        let Some(q) = self.updates.get_mut(market) else { return 0.0 };
        let oldest = (now_ms - self.window_ms).div_euclid(1000);
        while q.front().is_some_and(|(s, _)| *s < oldest) {
            q.pop_front();
        }
        let n: u32 = q.iter().map(|(_, n)| n).sum();
        f64::from(n) * 1000.0 / self.window_ms as f64
    }

    /// The score of `market`, `None` when ineligible.
    pub fn score(&mut self, market: &str, now_ms: i64, stats: Option<HotStats>) -> Option<f64> {
        let s = stats?;
        if s.spread_cents > self.max_spread_cents {
            return None;
        }
        Some(self.rate(market, now_ms) * (1.0 + s.depth_near_touch.max(0.0)).ln())
    }

    /// Re-ranks at `now_ms` (call when [`HotSelector::due`]); `stats` gives each market's
    /// book statistics. Returns the change, if any.
    pub fn rerank(&mut self, now_ms: i64, stats: impl Fn(&str) -> Option<HotStats>) -> Option<HotChange> {
        self.last_rank_ms = Some(now_ms);
        let markets: Vec<String> = self.updates.keys().cloned().collect();
        let mut ranked: Vec<(String, f64)> =
            markets.into_iter().filter_map(|m| self.score(&m, now_ms, stats(&m)).map(|s| (m, s))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let score_of = |m: &str| ranked.iter().find(|(r, _)| r == m).map(|(_, s)| *s);
        // Incumbents that are still eligible stay, unless beaten by the hysteresis margin.
        let mut next: Vec<(String, f64)> =
            self.current.iter().filter_map(|m| score_of(m).map(|s| (m.clone(), s))).collect();
        for (m, s) in &ranked {
            if next.iter().any(|(n, _)| n == m) {
                continue;
            }
            if next.len() < self.count {
                next.push((m.clone(), *s));
                continue;
            }
            let Some((wi, weakest)) = next.iter().enumerate().min_by(|a, b| a.1 .1.total_cmp(&b.1 .1)) else { break };
            if *s > HYSTERESIS * weakest.1 {
                next[wi] = (m.clone(), *s);
            } else {
                break;
            }
        }
        next.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let next: Vec<String> = next.into_iter().map(|(m, _)| m).collect();
        let added: Vec<String> = next.iter().filter(|m| !self.current.contains(m)).cloned().collect();
        let removed: Vec<String> = self.current.iter().filter(|m| !next.contains(m)).cloned().collect();
        self.current = next;
        (!added.is_empty() || !removed.is_empty()).then_some(HotChange { added, removed })
    }
}

#[cfg(test)]
mod tests;

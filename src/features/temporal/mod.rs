//! The point stream over all markets and the 14 temporal features (indices 21–34).
//!
//! Updates (snapshot or delta, any market) are grouped by exact `ts_ms` into points. The
//! stream is incremental: a point closes when an update with another `ts_ms` arrives (or on
//! [`PointStream::close`]), and its `time_gap`, `activity_score` and `momentum` are computed
//! then, from the points so far. Live and offline feed the same [`PointStream`].
//!
//! **The "fewer than 2 points → all three 0" rule, incrementally.** It is a property of a
//! whole stream, unknowable when the first point closes. We compute every point with the
//! ordinary formulas: the first point's `time_gap` and `momentum` are 0 by definition
//! (no previous point, fewer than 3 mids), and its `activity_score` is computed as usual —
//! exactly what the original gives for the first point of any stream of ≥ 2 points, which
//! is every training session that produced observations. The only divergence is a stream
//! that ends after one single point: there the original would report activity 0.
//! [`PointStream::points`] lets a batch caller detect that case.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::market::MarketBook;
use crate::domain::{FastMap, FastSet};

/// Number of temporal features.
pub const TEMPORAL_LEN: usize = 14;

/// View points kept as history per market.
pub const HISTORY_LEN: usize = 10;

/// The caller's local wall-clock time of a point (`observer.timezone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Integer local hour, 0–23.
    pub hour: u32,
    /// Weekday, Monday = 0 … Sunday = 6.
    pub weekday_from_monday: u32,
}

/// One point of a market's view: the global point fields plus that market's YES mid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewPoint {
    /// Receive time of the point, ms.
    pub ts_ms: i64,
    /// Seconds since the previous point of the whole stream (0 for the first).
    pub time_gap: f64,
    /// The point's activity score.
    pub activity_score: f64,
    /// The point's momentum.
    pub momentum: f64,
    /// The market's YES mid in cents at this point, if both YES sides exist.
    pub yes_mid_cents: Option<f64>,
}

/// A closed point: every market updated in that ms with its latest state.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Receive time, ms.
    pub ts_ms: i64,
    /// Seconds since the previous point (0 for the first).
    pub time_gap: f64,
    /// `min(1, k·ln(1 + V)/1000)`.
    pub activity_score: f64,
    /// Mean tanh momentum contribution over markets with ≥ 3 mids.
    pub momentum: f64,
    /// The markets of the point with their state at the end of the ms.
    pub markets: PointMarkets,
}

/// The markets of a point, by name, with their state at the end of the ms.
pub type PointMarkets = BTreeMap<Arc<str>, Arc<MarketBook>>;

impl Point {
    /// `price(m)`: the YES mid probability of `market` in this point, 0.5 if absent.
    pub fn price(&self, market: &str) -> f64 {
        self.markets.get(market).map_or(0.5, |b| b.yes_mid_prob())
    }
}

/// The incremental point stream of all markets.
#[derive(Debug, Clone, Default)]
pub struct PointStream {
    open: Option<(i64, PointMarkets)>,
    /// Every market name seen, shared by the points and maps below (no string per update).
    names: FastSet<Arc<str>>,
    prev_ts: Option<i64>,
    points: u64,
    /// Last three YES mids per market, in first-seen order (the order of the mean).
    mids: Vec<Vec<f64>>,
    mid_index: FastMap<Arc<str>, usize>,
    latest: FastMap<Arc<str>, Arc<MarketBook>>,
    /// Each market's view points, the last ≤ 11 of them current: the vector grows to twice
    /// that and is then cut back, so keeping it is amortized O(1) and it stays one slice.
    views: FastMap<Arc<str>, Vec<ViewPoint>>,
    /// Momentum contributions of the point being closed (kept to reuse its allocation).
    contributions: Vec<f64>,
}

impl PointStream {
    /// An empty stream.
    pub fn new() -> PointStream {
        PointStream::default()
    }

    /// Records an accepted update of `market` whose state is now `book`, received at
    /// `ts_ms`. Returns the previous point if this update closed it; the stream's views and
    /// latest states then describe that point, not this update (it is still open).
    pub fn push(&mut self, ts_ms: i64, market: &str, book: MarketBook) -> Option<Point> {
        let closed = match &self.open {
            Some((ts, _)) if *ts != ts_ms => self.close(),
            _ => None,
        };
        let (_, markets) = self.open.get_or_insert_with(|| (ts_ms, BTreeMap::new()));
        match markets.get_mut(market) {
            Some(b) => *b = Arc::new(book),
            None => {
                let name = match self.names.get(market) {
                    Some(n) => n.clone(),
                    None => {
                        let n: Arc<str> = market.into();
                        self.names.insert(n.clone());
                        n
                    }
                };
                markets.insert(name, Arc::new(book));
            }
        }
        closed
    }

    /// Closes the open point, if any (end of stream, or a live flush at the end of a ms).
    pub fn close(&mut self) -> Option<Point> {
        let (ts_ms, markets) = self.open.take()?;
        let time_gap = self.prev_ts.map_or(0.0, |p| (ts_ms - p) as f64 / 1000.0);
        let k = markets.len() as f64;
        let v: f64 = markets.values().map(|b| b.total_size()).sum();
        let activity_score = (k * (1.0 + v).ln() / 1000.0).min(1.0);
        for (m, b) in &markets {
            let Some(mid) = b.yes_mid_cents() else { continue };
            let i = match self.mid_index.get(m) {
                Some(i) => *i,
                None => {
                    self.mid_index.insert(m.clone(), self.mids.len());
                    self.mids.push(Vec::new());
                    self.mids.len() - 1
                }
            };
            let list = &mut self.mids[i];
            list.push(mid);
            if list.len() > 3 {
                list.remove(0);
            }
        }
        self.contributions.clear();
        self.contributions.extend(self.mids.iter().filter(|m| m.len() >= 3).filter_map(|m| {
            let (r, q) = (m[2] - m[1], m[1] - m[0]);
            (q.abs() > 0.001).then(|| ((r - q) / q.abs()).tanh())
        }));
        let momentum = mean(&self.contributions).unwrap_or(0.0);
        for (m, b) in &markets {
            match self.latest.get_mut(m) {
                Some(l) => *l = b.clone(),
                None => {
                    self.latest.insert(m.clone(), b.clone());
                }
            }
            let view = match self.views.get_mut(m) {
                Some(v) => v,
                None => self.views.entry(m.clone()).or_default(),
            };
            view.push(ViewPoint { ts_ms, time_gap, activity_score, momentum, yes_mid_cents: b.yes_mid_cents() });
            if view.len() >= 2 * (HISTORY_LEN + 1) {
                view.drain(..HISTORY_LEN + 1);
            }
        }
        self.prev_ts = Some(ts_ms);
        self.points += 1;
        Some(Point { ts_ms, time_gap, activity_score, momentum, markets })
    }

    /// Receive ms of the open (not yet complete) point, if any.
    pub fn open_ts(&self) -> Option<i64> {
        self.open.as_ref().map(|(ts, _)| *ts)
    }

    /// Points closed so far.
    pub fn points(&self) -> u64 {
        self.points
    }

    /// The state of `market` as of the last closed point (same-millisecond updates
    /// included; updates of the still-open point are not), if any.
    pub fn latest(&self, market: &str) -> Option<&MarketBook> {
        self.latest.get(market).map(|b| &**b)
    }

    /// The YES mid of `market` in cents as of the last closed point, if it has one.
    pub fn latest_yes_mid_cents(&self, market: &str) -> Option<f64> {
        self.latest(market).and_then(MarketBook::yes_mid_cents)
    }

    /// `(history, current)` of `market`'s view at its last closed point: the previous ≤ 10
    /// view points, oldest first, and the current one.
    pub fn view(&self, market: &str) -> Option<(&[ViewPoint], &ViewPoint)> {
        let v = self.views.get(market)?;
        let (cur, hist) = v[v.len().saturating_sub(HISTORY_LEN + 1)..].split_last()?;
        Some((hist, cur))
    }
}

fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Population standard deviation; 0 for an empty slice.
fn std(x: &[f64]) -> f64 {
    let Some(m) = mean(x) else { return 0.0 };
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Least-squares slope through `(0..n−1, y)`.
fn slope(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let xm = (n - 1.0) / 2.0;
    let Some(ym) = mean(y) else { return 0.0 };
    let (mut num, mut den) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - xm;
        num += dx * (v - ym);
        den += dx * dx;
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Absolute YES-mid changes in cents over consecutive pairs where both have a mid, written
/// to the front of `out` (as many as fit); returns them.
fn mid_changes<'a, 'o>(pairs: impl Iterator<Item = (&'a ViewPoint, &'a ViewPoint)>, out: &'o mut [f64]) -> &'o [f64] {
    let mut n = 0;
    for (a, b) in pairs {
        if let (Some(x), Some(y), Some(slot)) = (a.yes_mid_cents, b.yes_mid_cents, out.get_mut(n)) {
            *slot = (y - x).abs();
            n += 1;
        }
    }
    &out[..n]
}

/// Features 21–34 of a view point given its history (previous ≤ 10, oldest first). Works in
/// fixed buffers on the stack; the arithmetic, and its order, is the reference's
/// (`reference_temporal_features` in the tests).
pub fn temporal_features(history: &[ViewPoint], cur: &ViewPoint, time: LocalTime) -> [f64; TEMPORAL_LEN] {
    let h = &history[history.len().saturating_sub(HISTORY_LEN)..];
    let len = h.len();
    let act = cur.activity_score;
    let mut wbuf = [0.0f64; HISTORY_LEN + 1];
    for (slot, p) in wbuf.iter_mut().zip(h) {
        *slot = p.activity_score;
    }
    wbuf[len] = act;
    let w = &wbuf[..=len];

    let activity_change = h.last().map_or(0.0, |p| (act - p.activity_score).tanh());
    let r = &h[len.saturating_sub(5)..];
    let update_frequency = if r.len() < 2 {
        0.1
    } else {
        let span = (cur.ts_ms - r[0].ts_ms) as f64 / 1000.0;
        ((r.len() as f64 / span.max(1.0)) / 2.0).min(1.0)
    };
    let (wm, ws) = (mean(w).unwrap_or(0.0), std(w));
    let burst = if w.len() >= 3 && act > wm + 1.5 * ws { 1.0 } else { 0.0 };
    let quiet = if w.len() >= 3 && act < wm - ws { 1.0 } else { 0.0 };
    let trend = if w.len() >= 5 { (10.0 * slope(w)).tanh() } else { 0.0 };

    let (volatility, consistency) = if len >= 5 {
        let last = &h[len - 5..];
        let pairs = last.windows(2).map(|x| (&x[0], &x[1])).chain(std::iter::once((&last[4], cur)));
        let mut chbuf = [0.0f64; 5];
        let ch = mid_changes(pairs, &mut chbuf);
        let vol = if ch.is_empty() { 0.1 } else { (std(ch) / 5.0).min(1.0) };
        let mut acts = [0.0f64; 6];
        for (slot, x) in acts.iter_mut().zip(last) {
            *slot = x.activity_score;
        }
        acts[5] = act;
        (vol, (1.0 - std(&acts) / 0.3).max(0.0))
    } else {
        (0.1, 0.5)
    };
    let stability = if len >= 3 {
        let mut chbuf = [0.0f64; 3];
        let ch = mid_changes((len - 3..len).filter(|&i| i > 0).map(|i| (&h[i - 1], &h[i])), &mut chbuf);
        mean(ch).map_or(0.5, |m| (1.0 - m / 5.0).max(0.0))
    } else {
        0.5
    };
    let persistence = if len >= 3 {
        let mut count = 1.0;
        for i in (len.saturating_sub(9)..len).rev() {
            if (h[i].activity_score - act).abs() <= 0.1 {
                count += 1.0;
            } else {
                break;
            }
        }
        f64::min(count / 10.0, 1.0)
    } else {
        0.0
    };
    let hour = time.hour;
    [
        (cur.time_gap.max(0.0) / 300.0).min(1.0),
        if (9..=16).contains(&hour) { (f64::from(hour) - 9.0) / 7.0 } else { 0.0 },
        f64::from(time.weekday_from_monday) / 6.0,
        act,
        activity_change,
        update_frequency,
        burst,
        quiet,
        trend,
        cur.momentum,
        volatility,
        consistency,
        stability,
        persistence,
    ]
}

#[cfg(test)]
mod tests;

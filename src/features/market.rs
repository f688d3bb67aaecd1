//! The 21 market features (observation indices 0–20) of one market's book.
//!
//! A [`MarketBook`] is the observation's view of a market's state: YES bids and NO bids (NO
//! priced in NO terms), levels with size > 0 only. The four books of the spec are derived
//! from it: `yes_asks[100 − p] = no_bids[p]`, `no_asks[100 − p] = yes_bids[p]`. Derived
//! prices use the exact complement (`$1 − p` in centi-cents) before the conversion to cents,
//! so `100 − 43.37` is the same `f64` as the string `"0.5663"` would give.

use crate::book::{BookSnapshot, OrderBook};
use crate::domain::{Count, Price};

/// Number of market features.
pub const MARKET_LEN: usize = 21;

/// The vector used when the target market has no state at all.
pub const NO_STATE_DEFAULT: [f64; MARKET_LEN] =
    [0.49, 0.51, 0.49, 0.51, 0.02, 0.02, 0.5, 0.5, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0, 0.1, 0.1, 0.5, 0.5, 0.0, 1.0, 1.0];

/// One market's state as the observation sees it: YES bids and NO bids (NO in NO terms),
/// with the best YES bid and ask and the total size computed once (the point stream reads
/// them for every point; the arithmetic is the same as the feature code's, so the values
/// are identical).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MarketBook {
    /// YES bid levels, then NO bid levels (one allocation per state).
    levels: Vec<(Price, Count)>,
    /// How many of `levels` are YES bids.
    n_yes: usize,
    yes_bid: Option<f64>,
    yes_ask: Option<f64>,
    /// Sizes of the YES and of the NO bids in contracts.
    vy: f64,
    vn: f64,
    total: f64,
}

impl MarketBook {
    /// A book from YES and NO bid levels; levels with size ≤ 0 are dropped.
    pub fn new(yes_bids: &[(Price, Count)], no_bids: &[(Price, Count)]) -> MarketBook {
        fn keep(v: &[(Price, Count)]) -> impl Iterator<Item = (Price, Count)> + '_ {
            v.iter().copied().filter(|(_, s)| s.is_positive())
        }
        let mut levels: Vec<(Price, Count)> = keep(yes_bids).collect();
        let n_yes = levels.len();
        levels.extend(keep(no_bids));
        MarketBook::summarized(levels, n_yes)
    }

    fn summarized(levels: Vec<(Price, Count)>, n_yes: usize) -> MarketBook {
        let (yes_bids, no_bids) = levels.split_at(n_yes);
        // `cents_f64` is increasing, so the best price converted is the best converted price.
        let yes_bid = best(yes_bids).map(Price::cents_f64);
        let yes_ask = best(no_bids).map(|p| p.complement().cents_f64());
        let (vy, vn) = (contract_sum(yes_bids), contract_sum(no_bids));
        // The four books in feature order: YES bids, NO bids, YES asks (= NO bids), NO asks.
        let total = [vy, vn, vn, vy].iter().sum();
        MarketBook { levels, n_yes, yes_bid, yes_ask, vy, vn, total }
    }

    /// The state of a [`BookSnapshot`].
    pub fn from_snapshot(s: &BookSnapshot) -> MarketBook {
        let pairs = |v: &[crate::book::Level]| v.iter().map(|l| (l.price, l.size)).collect::<Vec<_>>();
        MarketBook::new(&pairs(&s.yes_bids), &pairs(&s.no_bids))
    }

    /// The state of a live [`OrderBook`].
    pub fn from_book(b: &OrderBook) -> MarketBook {
        use crate::domain::Outcome::{No, Yes};
        let mut levels = Vec::with_capacity(b.depth(Yes) as usize + b.depth(No) as usize);
        let side = |o| b.bids(o).filter(|l| l.size.is_positive()).map(|l| (l.price, l.size));
        levels.extend(side(Yes));
        let n_yes = levels.len();
        levels.extend(side(No));
        MarketBook::summarized(levels, n_yes)
    }

    /// YES bid levels, best first.
    pub fn yes_bids(&self) -> &[(Price, Count)] {
        &self.levels[..self.n_yes]
    }

    /// NO bid levels (NO terms), best first.
    pub fn no_bids(&self) -> &[(Price, Count)] {
        &self.levels[self.n_yes..]
    }

    /// Best YES bid and best YES ask in cents, each possibly missing.
    pub fn yes_bid_ask(&self) -> (Option<f64>, Option<f64>) {
        (self.yes_bid, self.yes_ask)
    }

    /// Best YES bid and best YES ask as exact prices.
    pub fn yes_touch(&self) -> (Option<Price>, Option<Price>) {
        let bid = best(self.yes_bids());
        let ask = best(self.no_bids()).map(Price::complement);
        (bid, ask)
    }

    /// The YES mid in cents, `(yb + ya)/2`, unclamped; `None` unless both sides exist.
    pub fn yes_mid_cents(&self) -> Option<f64> {
        match self.yes_bid_ask() {
            (Some(b), Some(a)) => Some((b + a) / 2.0),
            _ => None,
        }
    }

    /// The YES mid probability: `((yb + ya)/2)/100` clamped to [0.01, 0.99], or 0.5 if the
    /// YES book lacks a side (feature 6, and `price(m)` of the portfolio features).
    pub fn yes_mid_prob(&self) -> f64 {
        mid_norm(self.yes_bid_ask())
    }

    /// Total size in all four books, in contracts (the `V` of the activity score).
    pub fn total_size(&self) -> f64 {
        self.total
    }
}

/// The highest price of a side.
fn best(v: &[(Price, Count)]) -> Option<Price> {
    v.iter().map(|(p, _)| *p).max()
}

/// Sizes of a side's levels, in book order.
fn sizes(v: &[(Price, Count)]) -> impl Iterator<Item = Count> + Clone + '_ {
    v.iter().map(|(_, s)| *s)
}

/// The side's total size in contracts: the `f64` sum of each level's contracts in book
/// order. When every size is whole and the total below 2^53 that sum is exact, so it is the
/// integer sum converted once (an empty side keeps the `f64` sum's own zero).
fn contract_sum(v: &[(Price, Count)]) -> f64 {
    let (mut total, mut whole) = (0i64, !v.is_empty());
    for h in sizes(v).map(Count::hundredths) {
        whole &= h % 100 == 0 && h > 0;
        total = total.saturating_add(h);
    }
    if whole && total / 100 < 1 << 53 {
        (total / 100) as f64
    } else {
        sizes(v).map(Count::as_f64).sum()
    }
}

fn norm_or_half(p: Option<f64>) -> f64 {
    p.map_or(0.5, |p| p / 100.0)
}

fn spread_norm((b, a): (Option<f64>, Option<f64>)) -> f64 {
    match (b, a) {
        (Some(b), Some(a)) => ((a - b) / 100.0).clamp(0.001, 0.99),
        _ => 0.1,
    }
}

fn mid_norm((b, a): (Option<f64>, Option<f64>)) -> f64 {
    match (b, a) {
        (Some(b), Some(a)) => (((b + a) / 2.0) / 100.0).clamp(0.01, 0.99),
        _ => 0.5,
    }
}

fn log_scale(v: f64) -> f64 {
    ((1.0 + v).ln() / 10001f64.ln()).min(1.0)
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Share of the three largest sizes in the total: the sizes sorted largest first, the total
/// and the top three summed in that order (the reference's arithmetic). When every size is
/// a whole number of contracts (the usual case) and the total stays below 2^53 contracts,
/// every such `f64` sum is exact in any order and equals the integer sum, so the fast path
/// adds integers and keeps the three largest without sorting: the same value to the bit.
fn concentration(sizes: impl Iterator<Item = Count> + Clone) -> f64 {
    let mut top = [0i64; 3];
    let (mut total, mut n, mut whole) = (0i64, 0usize, true);
    for h in sizes.clone().map(Count::hundredths) {
        whole &= h % 100 == 0 && h > 0;
        total = total.saturating_add(h);
        n += 1;
        if n <= 3 || h > top[2] {
            let mut k = (n - 1).min(2);
            top[k] = h;
            while k > 0 && top[k] > top[k - 1] {
                top.swap(k, k - 1);
                k -= 1;
            }
        }
    }
    if !whole || total / 100 >= 1 << 53 {
        return concentration_sorted(sizes.map(Count::as_f64));
    }
    if n == 0 {
        return 0.5;
    }
    let top3: i64 = top.iter().take(n.min(3)).sum();
    (top3 / 100) as f64 / (total / 100) as f64
}

/// The reference computation (any sizes).
fn concentration_sorted(sizes: impl Iterator<Item = f64>) -> f64 {
    let mut sizes: Vec<f64> = sizes.collect();
    sizes.sort_by(|x, y| y.total_cmp(x));
    let total: f64 = sizes.iter().sum();
    if sizes.is_empty() || total == 0.0 {
        return 0.5;
    }
    sizes.iter().take(3).sum::<f64>() / total
}

/// Features 18–20 from the clamped mids f6 and f7.
fn efficiency(f6: f64, f7: f64) -> (f64, f64, f64) {
    let f18 = (f6 + f7 - 1.0).abs();
    (f18, (1.0 - f18).max(0.0), (1.0 - 5.0 * (f6 - (1.0 - f7)).abs()).max(0.0))
}

/// Features 0–20 of a market; `None` (no state at all) gives [`NO_STATE_DEFAULT`].
///
/// The four books are read off the two bid sides without building them: YES asks are the
/// NO bids complemented, NO asks the YES bids complemented, with the same sizes in the same
/// order, so every best price, volume and concentration is the same arithmetic on the same
/// values as over the four books built out (`reference_market_features` in the tests).
pub fn market_features(book: Option<&MarketBook>) -> [f64; MARKET_LEN] {
    let Some(book) = book else { return NO_STATE_DEFAULT };
    let (ys, ns) = (book.yes_bids(), book.no_bids());
    let (yb, ya) = (book.yes_bid, book.yes_ask);
    let nb = best(ns).map(Price::cents_f64);
    let na = best(ys).map(|p| p.complement().cents_f64());
    let (ybv, nbv) = (book.vy, book.vn);
    let (yav, nav) = (nbv, ybv);
    let (y, n) = (ybv + yav, nbv + nav);
    let t = y + n;
    let f6 = mid_norm((yb, ya));
    let f7 = mid_norm((nb, na));
    let (f18, f19, f20) = efficiency(f6, f7);
    let depth = ((ys.len() + ns.len()) as f64 / 20.0).min(1.0);
    // Both concentrations are over the same sizes (YES bids + YES asks = YES bids + NO bids;
    // NO bids + NO asks the same two lists the other way round), sorted first, so equal.
    let conc = concentration(sizes(ys).chain(sizes(ns)));
    [
        norm_or_half(yb),
        norm_or_half(ya),
        norm_or_half(nb),
        norm_or_half(na),
        spread_norm((yb, ya)),
        spread_norm((nb, na)),
        f6,
        f7,
        log_scale(y),
        log_scale(n),
        log_scale(t),
        ratio(y - n, t),
        ratio(ybv - yav, y),
        ratio(nbv - nav, n),
        depth,
        depth,
        conc,
        conc,
        f18,
        f19,
        f20,
    ]
}

#[cfg(test)]
#[path = "market_tests.rs"]
mod tests;

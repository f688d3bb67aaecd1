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
    yes_bids: Vec<(Price, Count)>,
    no_bids: Vec<(Price, Count)>,
    yes_bid: Option<f64>,
    yes_ask: Option<f64>,
    total: f64,
}

/// One level of one of the four books, in cents and contracts.
type Lvl = (f64, f64);

impl MarketBook {
    /// A book from YES and NO bid levels; levels with size ≤ 0 are dropped.
    pub fn new(yes_bids: &[(Price, Count)], no_bids: &[(Price, Count)]) -> MarketBook {
        let keep = |v: &[(Price, Count)]| v.iter().copied().filter(|(_, s)| s.is_positive()).collect();
        MarketBook::summarized(keep(yes_bids), keep(no_bids))
    }

    fn summarized(yes_bids: Vec<(Price, Count)>, no_bids: Vec<(Price, Count)>) -> MarketBook {
        let yes_bid = yes_bids.iter().map(|(p, _)| p.cents_f64()).reduce(f64::max);
        let yes_ask = no_bids.iter().map(|(p, _)| p.complement().cents_f64()).reduce(f64::min);
        let vy: f64 = yes_bids.iter().map(|(_, s)| s.as_f64()).sum();
        let vn: f64 = no_bids.iter().map(|(_, s)| s.as_f64()).sum();
        // The four books in feature order: YES bids, NO bids, YES asks (= NO bids), NO asks.
        let total = [vy, vn, vn, vy].iter().sum();
        MarketBook { yes_bids, no_bids, yes_bid, yes_ask, total }
    }

    /// The state of a [`BookSnapshot`].
    pub fn from_snapshot(s: &BookSnapshot) -> MarketBook {
        let pairs = |v: &[crate::book::Level]| v.iter().map(|l| (l.price, l.size)).collect::<Vec<_>>();
        MarketBook::new(&pairs(&s.yes_bids), &pairs(&s.no_bids))
    }

    /// The state of a live [`OrderBook`].
    pub fn from_book(b: &OrderBook) -> MarketBook {
        let side = |o| b.bids(o).filter(|l| l.size.is_positive()).map(|l| (l.price, l.size)).collect();
        MarketBook::summarized(side(crate::domain::Outcome::Yes), side(crate::domain::Outcome::No))
    }

    fn levels(v: &[(Price, Count)], complement: bool) -> Vec<Lvl> {
        v.iter()
            .map(|(p, s)| {
                let p = if complement { p.complement() } else { *p };
                (p.cents_f64(), s.as_f64())
            })
            .collect()
    }

    /// YES bids, NO bids, YES asks, NO asks, in cents and contracts.
    fn four(&self) -> [Vec<Lvl>; 4] {
        [
            Self::levels(&self.yes_bids, false),
            Self::levels(&self.no_bids, false),
            Self::levels(&self.no_bids, true),
            Self::levels(&self.yes_bids, true),
        ]
    }

    /// Best YES bid and best YES ask in cents, each possibly missing.
    pub fn yes_bid_ask(&self) -> (Option<f64>, Option<f64>) {
        (self.yes_bid, self.yes_ask)
    }

    /// Best YES bid and best YES ask as exact prices.
    pub fn yes_touch(&self) -> (Option<Price>, Option<Price>) {
        let bid = self.yes_bids.iter().map(|(p, _)| *p).max();
        let ask = self.no_bids.iter().map(|(p, _)| *p).max().map(Price::complement);
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

fn best_bid(b: &[Lvl]) -> Option<f64> {
    b.iter().map(|l| l.0).reduce(f64::max)
}

fn best_ask(b: &[Lvl]) -> Option<f64> {
    b.iter().map(|l| l.0).reduce(f64::min)
}

fn volume(b: &[Lvl]) -> f64 {
    b.iter().map(|l| l.1).sum()
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
/// a whole number of contracts (the usual case) every such sum is exact in any order, so the
/// fast path keeps the three largest without sorting and gives the same value to the bit.
fn concentration(a: &[Lvl], b: &[Lvl]) -> f64 {
    let mut top = [0.0f64; 3];
    let (mut total, mut n, mut whole) = (0.0f64, 0usize, true);
    for &(_, v) in a.iter().chain(b) {
        whole &= v.fract() == 0.0 && v.abs() < 1e15;
        total += v;
        n += 1;
        if n <= 3 || v > top[2] {
            let mut k = (n - 1).min(2);
            top[k] = v;
            while k > 0 && top[k] > top[k - 1] {
                top.swap(k, k - 1);
                k -= 1;
            }
        }
    }
    if !whole {
        return concentration_sorted(a, b);
    }
    if n == 0 || total == 0.0 {
        return 0.5;
    }
    top.iter().take(n.min(3)).sum::<f64>() / total
}

/// The reference computation (any sizes).
fn concentration_sorted(a: &[Lvl], b: &[Lvl]) -> f64 {
    let mut sizes: Vec<f64> = a.iter().chain(b).map(|l| l.1).collect();
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
pub fn market_features(book: Option<&MarketBook>) -> [f64; MARKET_LEN] {
    let Some(book) = book else { return NO_STATE_DEFAULT };
    let [ybk, nbk, yak, nak] = book.four();
    let (yb, ya, nb, na) = (best_bid(&ybk), best_ask(&yak), best_bid(&nbk), best_ask(&nak));
    let (ybv, yav, nbv, nav) = (volume(&ybk), volume(&yak), volume(&nbk), volume(&nak));
    let (y, n) = (ybv + yav, nbv + nav);
    let t = y + n;
    let f6 = mid_norm((yb, ya));
    let f7 = mid_norm((nb, na));
    let (f18, f19, f20) = efficiency(f6, f7);
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
        ((ybk.len() + yak.len()) as f64 / 20.0).min(1.0),
        ((nbk.len() + nak.len()) as f64 / 20.0).min(1.0),
        concentration(&ybk, &yak),
        concentration(&nbk, &nak),
        f18,
        f19,
        f20,
    ]
}

#[cfg(test)]
#[path = "market_tests.rs"]
mod tests;

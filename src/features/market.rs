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
mod tests {
    use super::*;

    #[test]
    fn concentration_without_sorting_equals_the_sorted_reference_to_the_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        for case in 0..5_000 {
            let n = rng.gen_range(0..12);
            let m = rng.gen_range(0..12);
            // Whole contracts mostly; hundredths in a third of the cases (the slow path).
            let size = |rng: &mut rand::rngs::StdRng| {
                let c = f64::from(rng.gen_range(1u32..5000));
                if case % 3 == 0 {
                    c / 100.0
                } else {
                    c
                }
            };
            let a: Vec<Lvl> = (0..n).map(|i| (f64::from(i), size(&mut rng))).collect();
            let b: Vec<Lvl> = (0..m).map(|i| (f64::from(i), size(&mut rng))).collect();
            assert_eq!(concentration(&a, &b).to_bits(), concentration_sorted(&a, &b).to_bits(), "{a:?} {b:?}");
        }
        assert_eq!(concentration(&[], &[]), 0.5);
    }

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }
    fn c(s: &str) -> Count {
        Count::size(s).unwrap()
    }
    fn book(yes: &[(&str, &str)], no: &[(&str, &str)]) -> MarketBook {
        let conv = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (p(a), c(b))).collect::<Vec<_>>();
        MarketBook::new(&conv(yes), &conv(no))
    }
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn no_state_is_the_default_vector() {
        assert_eq!(market_features(None), NO_STATE_DEFAULT);
    }

    #[test]
    fn empty_book_takes_the_computed_path() {
        let f = market_features(Some(&MarketBook::default()));
        let want =
            [0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 1.0, 1.0];
        assert_eq!(f, want);
        assert_ne!(f, NO_STATE_DEFAULT);
    }

    #[test]
    fn full_book_hand_computed() {
        // YES bids 40 (10), 39 (5); NO bids 55 (20), 50 (1), 30 (4); sub-cent YES bid 38.5 (2).
        let b = book(
            &[("0.4000", "10"), ("0.3900", "5"), ("0.3850", "2")],
            &[("0.5500", "20"), ("0.5000", "1"), ("0.3000", "4")],
        );
        let f = market_features(Some(&b));
        // yb 40, ya 100−55 = 45, nb 55, na 100−40 = 60.
        close(f[0], 0.40);
        close(f[1], 0.45);
        close(f[2], 0.55);
        close(f[3], 0.60);
        close(f[4], 0.05);
        close(f[5], 0.05);
        close(f[6], 0.425);
        close(f[7], 0.575);
        // YBV 17, YAV = NBV 25, NAV = YBV 17: Y = N = 42, T = 84.
        close(f[8], (43f64).ln() / 10001f64.ln());
        close(f[9], (43f64).ln() / 10001f64.ln());
        close(f[10], (85f64).ln() / 10001f64.ln());
        close(f[11], 0.0);
        close(f[12], (17.0 - 25.0) / 42.0);
        close(f[13], (25.0 - 17.0) / 42.0);
        close(f[14], 6.0 / 20.0);
        close(f[15], 6.0 / 20.0);
        // sizes 20, 10, 5, 4, 2, 1: top 3 = 35 of 42.
        close(f[16], 35.0 / 42.0);
        close(f[17], 35.0 / 42.0);
        close(f[18], 0.0);
        close(f[19], 1.0);
        close(f[20], 1.0);
    }

    #[test]
    fn sub_cent_prices_and_fractional_sizes() {
        let b = book(&[("0.4350", "40.50")], &[]);
        let f = market_features(Some(&b));
        assert_eq!(f[0], 0.435);
        assert_eq!(f[3], 0.565);
        close(f[8], (41.5f64).ln() / 10001f64.ln());
    }

    #[test]
    fn missing_sides_default_to_half() {
        let b = book(&[("0.4000", "10")], &[]);
        let f = market_features(Some(&b));
        assert_eq!((f[0], f[1], f[2], f[3]), (0.40, 0.5, 0.5, 0.60));
        assert_eq!((f[4], f[5], f[6], f[7]), (0.1, 0.1, 0.5, 0.5));
        // Y = 10 (bids only), N = 10 (asks only).
        assert_eq!((f[12], f[13]), (1.0, -1.0));
        close(f[16], 1.0);
        close(f[20], 1.0);
    }

    #[test]
    fn crossed_and_locked_spreads_clamp_to_min() {
        // YES bid 60, NO bid 45 → YES ask 55 (crossed); NO ask 40 < NO bid 45.
        let f = market_features(Some(&book(&[("0.6000", "1")], &[("0.4500", "1")])));
        assert_eq!(f[4], 0.001);
        assert_eq!(f[5], 0.001);
        close(f[6], 0.575);
        close(f[7], 0.425);
        // locked: YES bid 50, NO bid 50 → ask 50.
        let f = market_features(Some(&book(&[("0.5000", "1")], &[("0.5000", "1")])));
        assert_eq!(f[4], 0.001);
    }

    #[test]
    fn extreme_mids_clamp() {
        // YES bid 99.5, NO bid 0.1 → YES ask 99.9: mid 99.7 → 0.99; NO bid 0.1, ask 0.5 → 0.01.
        let f = market_features(Some(&book(&[("0.9950", "1")], &[("0.0010", "1")])));
        assert_eq!((f[6], f[7]), (0.99, 0.01));
        assert_eq!((f[18], f[19], f[20]), (0.0, 1.0, 1.0));
    }

    #[test]
    fn arbitrage_and_efficiency() {
        // A consistent book always has YES mid + NO mid = 100¢ (both or neither exist).
        for b in
            [book(&[("0.3000", "1")], &[("0.6000", "1")]), book(&[("0.2000", "1")], &[]), book(&[], &[("0.7000", "2")])]
        {
            let f = market_features(Some(&b));
            close(f[18], 0.0);
            close(f[19], 1.0);
            close(f[20], 1.0);
        }
        // The formulas on hand values: f6 = 0.5, f7 = 0.7 → f18 0.2, f19 0.8, f20 max(0, 1 − 5·0.2) = 0.
        let (a, e, x) = efficiency(0.5, 0.7);
        close(a, 0.2);
        close(e, 0.8);
        close(x, 0.0);
        let (a, e, x) = efficiency(0.45, 0.5);
        close(a, 0.05);
        close(e, 0.95);
        close(x, 0.75);
        let (a, e, _) = efficiency(0.99, 0.99);
        close(a, 0.98);
        close(e, 0.02);
        let (_, e, _) = efficiency(0.99, 0.99 + 1.5);
        assert_eq!(e, 0.0);
    }

    #[test]
    fn zero_totals_and_zero_size_levels() {
        let b = MarketBook::new(&[(p("0.4000"), Count::ZERO)], &[(p("0.5000"), c("3"))]);
        let f = market_features(Some(&b));
        assert_eq!(f[0], 0.5, "a zero-size level is not a level");
        assert_eq!(f[14], 1.0 / 20.0);
        assert_eq!(f[15], 1.0 / 20.0);
    }

    #[test]
    fn depth_caps_at_one_and_volume_caps_at_one() {
        let yes: Vec<(Price, Count)> =
            (1..=15).map(|k| (Price::from_cents(k).unwrap(), Count::contracts(1_000_000))).collect();
        let f = market_features(Some(&MarketBook::new(&yes, &[])));
        assert_eq!(f[14], 15.0 / 20.0);
        assert_eq!(f[8], 1.0);
        let f = market_features(Some(&MarketBook::new(&yes, &yes)));
        assert_eq!(f[14], 1.0);
        close(f[16], 3.0 / 30.0);
    }
}

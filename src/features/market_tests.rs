//! The market features: every formula on hand-built books, and the concentration fast path
//! against its sorted reference.

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
            let c = rng.gen_range(1i64..5000);
            Count::from_hundredths(if case % 3 == 0 { c } else { 100 * c }).unwrap()
        };
        let a: Vec<Count> = (0..n).map(|_| size(&mut rng)).collect();
        let b: Vec<Count> = (0..m).map(|_| size(&mut rng)).collect();
        let both = || a.iter().chain(&b).copied();
        let sorted = concentration_sorted(both().map(Count::as_f64));
        assert_eq!(concentration(both()).to_bits(), sorted.to_bits(), "{a:?} {b:?}");
    }
    assert_eq!(concentration(std::iter::empty()), 0.5);
    // Beyond 2^53 contracts in total (10 000 levels at the 10^12 maximum) the integer sum
    // would not be the f64 arithmetic: the sorted path.
    let mut huge = vec![Count::contracts(1_000_000_000_000); 10_000];
    huge.push(Count::contracts(3));
    let sorted = concentration_sorted(huge.iter().map(|c| c.as_f64()));
    assert_eq!(concentration(huge.iter().copied()).to_bits(), sorted.to_bits());
}

/// The features computed the spec's way: the four books built out as level lists of cents
/// and contracts, then best prices, volumes and concentrations over them.
fn reference_market_features(book: &MarketBook) -> [f64; MARKET_LEN] {
    type Lvl = (f64, f64);
    let levels = |v: &[(Price, Count)], complement: bool| -> Vec<Lvl> {
        v.iter().map(|(p, s)| ((if complement { p.complement() } else { *p }).cents_f64(), s.as_f64())).collect()
    };
    let (ybk, nbk) = (levels(book.yes_bids(), false), levels(book.no_bids(), false));
    let (yak, nak) = (levels(book.no_bids(), true), levels(book.yes_bids(), true));
    let best_bid = |b: &[Lvl]| b.iter().map(|l| l.0).reduce(f64::max);
    let best_ask = |b: &[Lvl]| b.iter().map(|l| l.0).reduce(f64::min);
    let volume = |b: &[Lvl]| b.iter().map(|l| l.1).sum::<f64>();
    let conc = |a: &[Lvl], b: &[Lvl]| concentration_sorted(a.iter().chain(b).map(|l| l.1));
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
        conc(&ybk, &yak),
        conc(&nbk, &nak),
        f18,
        f19,
        f20,
    ]
}

#[test]
fn features_from_the_two_bid_sides_equal_the_four_books_built_out_to_the_bit() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    for case in 0..5_000 {
        let side = |rng: &mut rand::rngs::StdRng| -> Vec<(Price, Count)> {
            let n = rng.gen_range(0..15);
            let mut v: Vec<(Price, Count)> = (0..n)
                .map(|_| {
                    let price = Price::from_centicents(rng.gen_range(1..10_000)).unwrap();
                    let h = if case % 4 == 0 { rng.gen_range(1..500_000) } else { 100 * rng.gen_range(1..5_000) };
                    (price, Count::from_hundredths(h).unwrap())
                })
                .collect();
            v.sort_by_key(|l| std::cmp::Reverse(l.0));
            v.dedup_by_key(|l| l.0);
            v
        };
        let (yes, no) = (side(&mut rng), side(&mut rng));
        let book = MarketBook::new(&yes, &no);
        let fast = market_features(Some(&book)).map(f64::to_bits);
        assert_eq!(fast, reference_market_features(&book).map(f64::to_bits), "{yes:?} {no:?}");
    }
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

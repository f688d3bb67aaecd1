//! Hot selection under a controlled clock.

use super::*;

fn tight(depth: f64) -> Option<HotStats> {
    Some(HotStats { spread_cents: 2.0, depth_near_touch: depth })
}

/// `n` updates of `market` spread over the second starting at `at_ms`.
fn updates(h: &mut HotSelector, market: &str, at_ms: i64, n: u32) {
    for i in 0..n {
        h.on_update(market, at_ms + i64::from(i) % 1000);
    }
}

#[test]
fn warm_up_then_the_best_score_wins() {
    let mut h = HotSelector::new(1, 10.0, 10_000);
    assert!(!h.due(0), "nothing seen yet");
    updates(&mut h, "A", 0, 50);
    updates(&mut h, "B", 0, 10);
    assert!(!h.due(999), "1 s warm-up");
    assert!(h.due(1_000));
    let change = h.rerank(1_000, |_| tight(100.0)).unwrap();
    assert_eq!(change, HotChange { added: vec!["A".into()], removed: vec![] });
    assert_eq!(h.current(), ["A"]);
    assert!(!h.due(1_000 + 9_999));
    assert!(h.due(11_000));
    // Score = rate × ln(1 + depth): 50 updates over a 10 s window, depth 100.
    let s = h.score("A", 1_000, tight(100.0)).unwrap();
    assert!((s - 5.0 * 101f64.ln()).abs() < 1e-12, "{s}");
}

#[test]
fn depth_counts_as_well_as_rate() {
    let mut h = HotSelector::new(1, 10.0, 10_000);
    updates(&mut h, "A", 0, 20);
    updates(&mut h, "B", 0, 20);
    h.rerank(1_000, |m| if m == "A" { tight(5.0) } else { tight(500.0) });
    assert_eq!(h.current(), ["B"]);
}

#[test]
fn one_sided_and_wide_markets_are_not_eligible() {
    let mut h = HotSelector::new(2, 10.0, 10_000);
    updates(&mut h, "WIDE", 0, 100);
    updates(&mut h, "ONESIDED", 0, 100);
    updates(&mut h, "OK", 0, 1);
    let stats = |m: &str| match m {
        "WIDE" => Some(HotStats { spread_cents: 10.5, depth_near_touch: 1_000.0 }),
        "ONESIDED" => None,
        _ => tight(1.0),
    };
    h.rerank(1_000, stats);
    assert_eq!(h.current(), ["OK"], "only the eligible market, even though the set is short");
    // A short set is refilled every 250 ms.
    assert!(!h.due(1_249));
    assert!(h.due(1_250));
}

#[test]
fn hysteresis_keeps_the_incumbent_against_a_near_tie() {
    let mut h = HotSelector::new(1, 10.0, 10_000);
    updates(&mut h, "A", 0, 100);
    updates(&mut h, "B", 0, 10);
    h.rerank(1_000, |_| tight(10.0));
    assert_eq!(h.current(), ["A"]);
    // Next window: B slightly busier than A (120 vs 100 updates: 1.2× < 1.25×).
    updates(&mut h, "A", 11_000, 100);
    updates(&mut h, "B", 11_000, 120);
    assert_eq!(h.rerank(21_000, |_| tight(10.0)), None, "no flapping on a near tie");
    assert_eq!(h.current(), ["A"]);
    // Next window: B far busier.
    updates(&mut h, "A", 21_500, 100);
    updates(&mut h, "B", 21_500, 200);
    let change = h.rerank(31_000, |_| tight(10.0)).unwrap();
    assert_eq!(change, HotChange { added: vec!["B".into()], removed: vec!["A".into()] });
    assert!(h.contains("B") && !h.contains("A"));
}

#[test]
fn an_incumbent_that_becomes_ineligible_leaves() {
    let mut h = HotSelector::new(1, 10.0, 10_000);
    updates(&mut h, "A", 0, 100);
    updates(&mut h, "B", 0, 1);
    h.rerank(1_000, |_| tight(10.0));
    assert_eq!(h.current(), ["A"]);
    let change = h.rerank(11_000, |m| if m == "A" { None } else { tight(10.0) }).unwrap();
    assert_eq!(change, HotChange { added: vec!["B".into()], removed: vec!["A".into()] });
}

#[test]
fn old_updates_leave_the_window() {
    let mut h = HotSelector::new(1, 10.0, 10_000);
    updates(&mut h, "A", 0, 100);
    assert!(h.score("A", 5_000, tight(1.0)).unwrap() > 0.0);
    assert_eq!(h.score("A", 20_000, tight(1.0)), Some(0.0), "nothing in the last 10 s");
}

#[test]
fn stats_of_a_book() {
    use crate::book::{NoPricing, OrderBook, TickGrid};
    use crate::domain::{Count, Price};
    let mut b = OrderBook::new("M", TickGrid::linear_cent());
    let l = |c: u16, n: i64| (Price::from_cents(c).unwrap(), Count::contracts(n));
    // YES bids 40 (10), 36 (5), 30 (7: beyond 5¢); NO bids 55 (4) → YES ask 45.
    b.apply_snapshot(&[l(30, 7), l(36, 5), l(40, 10)], &[l(55, 4)], NoPricing::NoLeg).unwrap();
    let s = stats_of(&b).unwrap();
    assert_eq!(s, HotStats { spread_cents: 5.0, depth_near_touch: 19.0 });
    let mut one = OrderBook::new("M", TickGrid::linear_cent());
    one.apply_snapshot(&[l(40, 1)], &[], NoPricing::NoLeg).unwrap();
    assert_eq!(stats_of(&one), None);
}

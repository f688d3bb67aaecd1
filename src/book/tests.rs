//! Scripted and property tests of the order book.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn p(s: &str) -> Price {
    s.parse().unwrap()
}
fn c(s: &str) -> Count {
    s.parse().unwrap()
}
fn book() -> OrderBook {
    OrderBook::new("KXDEMO-26NOV30-T50", TickGrid::linear_cent())
}
fn levels(v: &[Level]) -> Vec<(String, String)> {
    v.iter().map(|l| (l.price.format(), l.size.format())).collect()
}

#[test]
fn snapshot_then_deltas_like_a_trading_day() {
    let mut b = book();
    assert_eq!(b.state(), SyncState::Stale);
    assert!(matches!(b.apply_delta(Outcome::Yes, p("0.41"), c("1"), NoPricing::NoLeg), Err(BookError::Stale { .. })));
    // The spec's snapshot example: YES bids 0.41×120, 0.43×40.5; NO bids 0.52×75, 0.55×10.
    b.apply_snapshot(
        &[(p("0.4100"), c("120.00")), (p("0.4300"), c("40.50"))],
        &[(p("0.5200"), c("75.00")), (p("0.5500"), c("10.00"))],
        NoPricing::NoLeg,
    )
    .unwrap();
    assert_eq!(b.state(), SyncState::Synced);
    assert_eq!(b.best_bid(Outcome::Yes).unwrap().price, p("0.43"));
    assert_eq!(b.best_ask(Outcome::Yes).unwrap().price, p("0.45")); // 1 − 0.55
    assert_eq!(b.best_bid(Outcome::No).unwrap().price, p("0.55"));
    assert_eq!(b.best_ask(Outcome::No).unwrap().price, p("0.57")); // 1 − 0.43
    assert_eq!(b.spread(Outcome::Yes), Some(200));
    assert_eq!(b.mid_x2(Outcome::Yes), Some(4300 + 4500));

    // Fractional delta on the best YES bid: 40.50 − 15.25 = 25.25.
    let out = b.apply_delta(Outcome::Yes, p("0.43"), c("-15.25"), NoPricing::NoLeg).unwrap();
    assert_eq!(out, DeltaOutcome::Applied);
    assert_eq!(b.best_bid(Outcome::Yes).unwrap().size, c("25.25"));
    // Remove it exactly: best falls back to 0.41.
    b.apply_delta(Outcome::Yes, p("0.43"), c("-25.25"), NoPricing::NoLeg).unwrap();
    assert_eq!(b.best_bid(Outcome::Yes).unwrap().price, p("0.41"));
    assert_eq!(b.depth(Outcome::Yes), 1);
    // New NO level improves the YES ask to 0.40 → crossed book, used as is.
    b.apply_delta(Outcome::No, p("0.60"), c("3"), NoPricing::NoLeg).unwrap();
    assert_eq!(b.best_ask(Outcome::Yes).unwrap().price, p("0.40"));
    assert_eq!(b.spread(Outcome::Yes), Some(-100));
    assert_eq!(b.total(Outcome::No), c("88.00"));
    assert_eq!(
        levels(&b.top_bids(Outcome::No, 2)),
        vec![("0.6000".into(), "3.00".into()), ("0.5500".into(), "10.00".into())]
    );
    assert_eq!(b.anomalies(), 0);
}

#[test]
fn anomalies_are_counted_not_fatal() {
    let mut b = book();
    b.apply_snapshot(&[(p("0.30"), c("5"))], &[], NoPricing::NoLeg).unwrap();
    assert_eq!(b.apply_delta(Outcome::Yes, p("0.30"), c("-7"), NoPricing::NoLeg), Ok(DeltaOutcome::WentNegative));
    assert_eq!(b.best_bid(Outcome::Yes), None);
    assert_eq!(b.apply_delta(Outcome::No, p("0.20"), c("-1"), NoPricing::NoLeg), Ok(DeltaOutcome::RemovedAbsent));
    assert_eq!(b.depth(Outcome::No), 0);
    assert_eq!(b.anomalies(), 2);
    // Off-grid price on a linear_cent market: refused, book unchanged.
    assert!(matches!(
        b.apply_delta(Outcome::Yes, p("0.3050"), c("1"), NoPricing::NoLeg),
        Err(BookError::OffGrid { .. })
    ));
    assert_eq!(b.depth(Outcome::Yes), 0);
}

#[test]
fn one_sided_and_empty_books() {
    let mut b = book();
    b.apply_snapshot(&[(p("0.10"), c("1"))], &[], NoPricing::NoLeg).unwrap();
    assert!(b.best_ask(Outcome::Yes).is_none());
    assert_eq!(b.best_ask(Outcome::No).unwrap().price, p("0.90"));
    assert_eq!(b.mid_x2(Outcome::Yes), None);
    assert_eq!(b.spread(Outcome::No), None);
    b.apply_snapshot(&[], &[], NoPricing::NoLeg).unwrap();
    assert_eq!(b.state(), SyncState::Synced);
    assert_eq!(b.snapshot().yes_bids.len(), 0);
}

#[test]
fn yes_leg_pricing_stores_no_levels_in_no_terms() {
    // With use_yes_price the NO bid at 0.48 (NO terms) arrives as 0.52.
    let mut a = book();
    let mut y = book();
    a.apply_snapshot(&[], &[(p("0.48"), c("3"))], NoPricing::NoLeg).unwrap();
    y.apply_snapshot(&[], &[(p("0.52"), c("3"))], NoPricing::YesLeg).unwrap();
    assert_eq!(a.snapshot(), y.snapshot());
    y.apply_delta(Outcome::No, p("0.52"), c("-1"), NoPricing::YesLeg).unwrap();
    a.apply_delta(Outcome::No, p("0.48"), c("-1"), NoPricing::NoLeg).unwrap();
    assert_eq!(a.snapshot(), y.snapshot());
    assert_eq!(y.best_ask(Outcome::Yes).unwrap().price, p("0.52"));
    // YES levels are never converted.
    y.apply_delta(Outcome::Yes, p("0.40"), c("2"), NoPricing::YesLeg).unwrap();
    assert_eq!(y.best_bid(Outcome::Yes).unwrap().price, p("0.40"));
}

#[test]
fn bad_snapshots_leave_the_book_untouched() {
    let mut b = book();
    b.apply_snapshot(&[(p("0.30"), c("5"))], &[], NoPricing::NoLeg).unwrap();
    let before = b.snapshot();
    let dup = b.apply_snapshot(&[(p("0.31"), c("1")), (p("0.31"), c("2"))], &[], NoPricing::NoLeg);
    assert!(matches!(dup, Err(BookError::DuplicateLevel { .. })));
    let neg = b.apply_snapshot(&[(p("0.31"), c("-1"))], &[], NoPricing::NoLeg);
    assert!(matches!(neg, Err(BookError::NegativeSize { .. })));
    let off = b.apply_snapshot(&[], &[(p("0.3333"), c("1"))], NoPricing::NoLeg);
    assert!(matches!(off, Err(BookError::OffGrid { .. })));
    assert_eq!(b.snapshot(), before);
}

#[test]
fn sub_cent_market() {
    let bands = [
        PriceBand { start: p("0"), end: p("0.10"), step: p("0.0001") },
        PriceBand { start: p("0.10"), end: p("0.90"), step: p("0.001") },
        PriceBand { start: p("0.90"), end: p("1"), step: p("0.0001") },
    ];
    let mut b = OrderBook::new("KXSUB", Arc::new(TickGrid::from_bands(&bands).unwrap()));
    b.apply_snapshot(&[(p("0.0537"), c("1.5"))], &[(p("0.9412"), c("2"))], NoPricing::NoLeg).unwrap();
    assert_eq!(b.best_ask(Outcome::Yes).unwrap().price, p("0.0588"));
    assert!(b.apply_delta(Outcome::Yes, p("0.5005"), c("1"), NoPricing::NoLeg).is_err());
    b.apply_delta(Outcome::Yes, p("0.505"), c("1"), NoPricing::NoLeg).unwrap();
    assert_eq!(b.best_bid(Outcome::Yes).unwrap().price, p("0.505"));
}

#[test]
fn snapshot_serializes_as_kalshi_strings() {
    let mut b = book();
    b.apply_snapshot(&[(p("0.43"), c("40.5"))], &[], NoPricing::NoLeg).unwrap();
    let json = serde_json::to_string(&b.snapshot()).unwrap();
    assert_eq!(
        json,
        r#"{"ticker":"KXDEMO-26NOV30-T50","state":"synced","yes_bids":[{"price":"0.4300","size":"40.50"}],"no_bids":[]}"#
    );
}

/// One random operation on the book.
#[derive(Debug, Clone)]
enum Op {
    Delta { no: bool, cents: u16, delta: i64 },
    Snapshot { yes: Vec<(u16, i64)>, no: Vec<(u16, i64)> },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        9 => (any::<bool>(), 1u16..100, -3000i64..3000)
            .prop_map(|(no, cents, delta)| Op::Delta { no, cents, delta }),
        1 => (
            proptest::collection::btree_map(1u16..100, 1i64..5000, 0..8),
            proptest::collection::btree_map(1u16..100, 1i64..5000, 0..8),
        )
            .prop_map(|(y, n)| Op::Snapshot { yes: y.into_iter().collect(), no: n.into_iter().collect() }),
    ]
}

proptest! {
    #[test]
    fn random_deltas_match_brute_force(ops in proptest::collection::vec(op(), 1..200)) {
        let mut b = book();
        let mut model: [BTreeMap<u16, i64>; 2] = [BTreeMap::new(), BTreeMap::new()];
        let cp = |cents: u16| Price::from_cents(cents).unwrap();
        let cnt = |h: i64| Count::from_hundredths(h).unwrap();
        for op in ops {
            match op {
                Op::Snapshot { yes, no } => {
                    let y: Vec<_> = yes.iter().map(|&(k, s)| (cp(k), cnt(s))).collect();
                    let n: Vec<_> = no.iter().map(|&(k, s)| (cp(k), cnt(s))).collect();
                    b.apply_snapshot(&y, &n, NoPricing::NoLeg).unwrap();
                    model = [yes.into_iter().collect(), no.into_iter().collect()];
                }
                Op::Delta { no, cents, delta } => {
                    let side = if no { Outcome::No } else { Outcome::Yes };
                    let r = b.apply_delta(side, cp(cents), cnt(delta), NoPricing::NoLeg);
                    let m = &mut model[usize::from(no)];
                    if b.state() == SyncState::Stale {
                        prop_assert!(r.is_err());
                        continue;
                    }
                    let new = m.get(&cents).copied().unwrap_or(0) + delta;
                    if new > 0 { m.insert(cents, new); } else { m.remove(&cents); }
                }
            }
            for (k, side) in [(0usize, Outcome::Yes), (1, Outcome::No)] {
                let expect = model[k].iter().next_back().map(|(&cents, &s)| (cp(cents), cnt(s)));
                let got = b.best_bid(side).map(|l| (l.price, l.size));
                prop_assert_eq!(got, expect);
                prop_assert!(b.bids(side).all(|l| l.size.is_positive()));
                prop_assert_eq!(b.depth(side) as usize, model[k].len());
                prop_assert_eq!(b.total(side).hundredths(), model[k].values().sum::<i64>());
            }
        }
    }
}

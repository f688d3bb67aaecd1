//! The fill model: crossing orders take the recorded levels up to their size and limit at
//! the taker fee; resting orders fill only when the book trades through them, at their own
//! price as makers; amends and cancels of orders gone are 404s.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::book::{NoPricing, TickGrid};
use crate::kalshi::rest::{SelfTradePreventionType, TimeInForce};

fn p(c: u16) -> Price {
    Price::from_cents(c).unwrap()
}

fn n(k: i64) -> Count {
    Count::contracts(k)
}

/// YES bids at 40 (5) and 39 (10); NO bids at 55 (3) and 54 (20): YES asks 45 (3), 46 (20).
fn book() -> OrderBook {
    let mut b = OrderBook::new("M", TickGrid::linear_cent());
    b.apply_snapshot(&[(p(40), n(5)), (p(39), n(10))], &[(p(55), n(3)), (p(54), n(20))], NoPricing::NoLeg).unwrap();
    b
}

fn order(side: BookSide, cents: u16, count: i64) -> CreateOrderV2Request {
    CreateOrderV2Request::new(
        "M",
        side,
        n(count),
        p(cents),
        TimeInForce::GoodTillCanceled,
        SelfTradePreventionType::TakerAtCross,
    )
    .with_client_order_id("c1")
}

#[test]
fn a_crossing_bid_walks_the_asks_up_to_its_limit_and_rests_the_rest() {
    let mut m = FillModel::new(FeeSchedule::default());
    let (fills, answer) = m.create(&order(BookSide::Bid, 46, 30), Some(&book()), 7);
    let got: Vec<(Price, Count, bool)> = fills.iter().map(|f| (f.price, f.count, f.is_taker)).collect();
    assert_eq!(got, [(p(45), n(3), true), (p(46), n(20), true)]);
    // ceil(0.07 × 3 × 0.45 × 0.55 × 100) / 100 = ceil(5.1975) ¢ → $0.0520 (to $0.0001: 0.051975 → 0.0520).
    assert_eq!(fills[0].fee, "0.052000".parse().unwrap());
    assert_eq!(fills[0].fee, fee_of(FeeSchedule::default(), true, n(3), p(45)));
    assert_eq!((answer.fill_count, answer.remaining_count), (n(23), n(7)));
    assert_eq!(fills[0].client_order_id.as_deref(), Some("c1"));
    assert!(m.has_orders("M"), "7 rest at 46");
    assert_ne!(fills[0].trade_id, fills[1].trade_id);
}

#[test]
fn a_passive_order_rests_and_fills_only_when_the_book_trades_through_it() {
    let mut m = FillModel::new(FeeSchedule { maker_ppm: 17_500, ..FeeSchedule::default() });
    let (fills, answer) = m.create(&order(BookSide::Bid, 42, 10), Some(&book()), 1);
    assert!(fills.is_empty());
    assert_eq!(answer.remaining_count, n(10));
    // The ask falls to 42 (NO bid 58): touching is not trading through.
    let mut b = book();
    b.apply_snapshot(&[(p(40), n(5))], &[(p(58), n(4))], NoPricing::NoLeg).unwrap();
    assert!(m.on_book("M", &b, 2).is_empty());
    // To 41 (NO bid 59), 4 shown: 4 fill at our 42 as maker, 6 still rest.
    b.apply_snapshot(&[(p(40), n(5))], &[(p(59), n(4)), (p(58), n(9))], NoPricing::NoLeg).unwrap();
    let fills = m.on_book("M", &b, 3);
    assert_eq!(fills.iter().map(|f| (f.price, f.count, f.is_taker)).collect::<Vec<_>>(), [(p(42), n(4), false)]);
    assert_eq!(fills[0].fee, fee_of(FeeSchedule { maker_ppm: 17_500, ..FeeSchedule::default() }, false, n(4), p(42)));
    assert!(fills[0].fee.micros() > 0);
    assert!(m.on_book("OTHER", &b, 3).is_empty());
    // An ask rests above the bid and fills when the YES bid rises through it.
    let (_, _) = m.create(&order(BookSide::Ask, 44, 2), Some(&b), 4);
    b.apply_snapshot(&[(p(45), n(1))], &[(p(50), n(4))], NoPricing::NoLeg).unwrap();
    let fills = m.on_book("M", &b, 5);
    assert_eq!(fills.iter().map(|f| (f.side, f.price, f.count)).collect::<Vec<_>>(), [(BookSide::Ask, p(44), n(1))]);
}

#[test]
fn a_crossing_ask_hits_the_bids_and_amends_and_cancels_follow_the_exchange() {
    let mut m = FillModel::new(FeeSchedule::default());
    let (fills, _) = m.create(&order(BookSide::Ask, 39, 8), Some(&book()), 1);
    assert_eq!(fills.iter().map(|f| (f.price, f.count)).collect::<Vec<_>>(), [(p(40), n(5)), (p(39), n(3))]);
    assert!(!m.has_orders("M"), "fully filled: nothing rests");
    // A resting bid amended across the ask takes it; the total count includes what filled.
    let (_, a) = m.create(&order(BookSide::Bid, 41, 5), Some(&book()), 2);
    let amend = AmendOrderV2Request {
        ticker: "M".into(),
        side: BookSide::Bid,
        price: p(45),
        count: n(5),
        client_order_id: Some("c1".into()),
        updated_client_order_id: None,
        exchange_index: None,
    };
    let (fills, answer) = m.amend(&a.order_id, &amend, Some(&book()), 3).unwrap();
    assert_eq!(fills.iter().map(|f| (f.price, f.count)).collect::<Vec<_>>(), [(p(45), n(3))]);
    assert_eq!((answer.fill_count, answer.remaining_count), (Some(n(3)), Some(n(2))));
    let c = m.cancel(&a.order_id, 4).unwrap();
    assert_eq!(c.reduced_by, n(2));
    assert!(matches!(m.cancel(&a.order_id, 5), Err(WriteError::Rejected { status: 404, .. })));
    assert!(matches!(m.amend(&a.order_id, &amend, None, 6), Err(WriteError::Rejected { status: 404, .. })));
}

#[test]
fn without_a_book_nothing_crosses() {
    let mut m = FillModel::new(FeeSchedule::default());
    let (fills, answer) = m.create(&order(BookSide::Bid, 99, 1), None, 1);
    assert!(fills.is_empty());
    assert_eq!(answer.remaining_count, n(1));
    m.cancel_all();
    assert!(!m.has_orders("M"));
}

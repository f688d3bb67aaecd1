//! Reconciliation: mismatches adopted on the second sighting, reads racing fills and
//! cancels, cash not compared across a reservation.

use super::*;

#[test]
fn positions_and_cash_mismatches_are_adopted_on_the_second_sighting() {
    let mut c = core();
    let pos: crate::kalshi::rest::MarketPosition = serde_json::from_value(serde_json::json!({
        "ticker": "M", "position_fp": "3.00", "market_exposure_dollars": "1.350000"
    }))
    .unwrap();
    let view = ExchangeView { positions: vec![pos], balance: Money::from_cents(99_865), ..Default::default() };
    c.reconcile(&view, 1);
    assert_eq!(c.discrepancies, 0, "first sighting: maybe a fill in flight");
    let s = c.reconcile(&view, 2);
    assert_eq!(c.discrepancies, 2);
    assert_eq!(c.ledger.position("M").position, Count::contracts(3));
    assert_eq!(c.ledger.cash, Money::from_cents(99_865));
    assert!(s.events.iter().any(|e| matches!(e, ExecEvent::Position(_))));
    c.reconcile(&view, 3);
    assert_eq!(c.discrepancies, 2, "in line now");
}

#[test]
fn a_read_racing_a_fill_is_not_a_discrepancy() {
    let mut c = core();
    let pos = |n: &str| -> crate::kalshi::rest::MarketPosition {
        serde_json::from_value(
            serde_json::json!({"ticker": "M", "position_fp": n, "market_exposure_dollars": "0.450000"}),
        )
        .unwrap()
    };
    // The exchange already counts a fill we have not seen yet.
    let view = ExchangeView { positions: vec![pos("1.00")], ..Default::default() };
    c.reconcile(&view, 1);
    // It arrives; the next read shows a newer trade we have not seen either.
    let mut f = fill("t1", "o1", None, BookSide::Bid, 45, 1);
    f.fee = Money::ZERO;
    c.on_fill(f, 2);
    let view = ExchangeView { positions: vec![pos("2.00")], ..Default::default() };
    c.reconcile(&view, 3);
    assert_eq!(c.discrepancies, 0);
    assert_eq!(c.ledger.position("M").position, Count::contracts(1), "nothing adopted from a moving target");
}

#[test]
fn cash_is_not_compared_across_a_reservation() {
    let mut c = core();
    // Balance read while an order of ours rested (cash minus its reservation), twice.
    let view = ExchangeView { balance: Money::from_cents(99_955), busy_during_read: true, ..Default::default() };
    c.reconcile(&view, 1);
    c.reconcile(&view, 2);
    assert_eq!((c.discrepancies, c.ledger.cash), (0, Money::from_cents(100_000)));
    let resting = ExchangeView {
        orders: vec![exchange_order("o1", "x", OrderStatus::Resting, 1)],
        balance: Money::from_cents(99_955),
        ..Default::default()
    };
    c.reconcile(&resting, 3);
    c.reconcile(&resting, 4);
    assert_eq!(c.ledger.cash, Money::from_cents(100_000), "an order resting at the exchange: not comparable");
}

#[test]
fn a_resting_order_gone_from_the_exchange_is_a_discrepancy_only_on_the_second_sighting() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let coid = created(&mut c, &s, "o1", 0, 1);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Resting);
    // Filled at the exchange, the fill still on its way: not a discrepancy yet.
    c.reconcile(&ExchangeView::default(), 2);
    assert_eq!((c.discrepancies, c.orders.get(&coid).unwrap().state), (0, OrderState::Resting));
    assert_eq!(c.last_discrepancy, None);
    // Still resting here at the next reconciliation: the channel lost it.
    let s = c.reconcile(&ExchangeView::default(), 3);
    assert_eq!((c.discrepancies, c.orders.get(&coid).unwrap().state), (1, OrderState::Canceled));
    let last = c.last_discrepancy.clone().unwrap_or_default();
    assert!(last.starts_with("M: order ") && last.contains(&coid), "{last}");
    assert!(s.events.iter().any(|e| matches!(e, ExecEvent::Risk(r) if r.kind == "discrepancy")));
    assert!(!c.suspects.keys().any(|k| k.starts_with("gone:")));

    // Gone at one reconciliation, its fill arrives before the next: no discrepancy.
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let coid = created(&mut c, &s, "o2", 0, 1);
    c.reconcile(&ExchangeView::default(), 2);
    c.on_fill(fill("t2", "o2", Some(&coid), BookSide::Bid, 40, 10), 3);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Executed);
    c.reconcile(&ExchangeView::default(), 4);
    assert_eq!(c.discrepancies, 0);
    assert!(!c.suspects.keys().any(|k| k.starts_with("gone:")), "the suspect is forgotten");
}

fn rest_fill(id: &str, side: &str, yes_price: &str, n: &str, at: &str) -> crate::kalshi::rest::Fill {
    serde_json::from_value(serde_json::json!({
        "fill_id": id, "trade_id": id, "order_id": "x", "ticker": "M", "market_ticker": "M",
        "outcome_side": if side == "bid" { "yes" } else { "no" }, "book_side": side, "count_fp": n,
        "yes_price_dollars": yes_price, "no_price_dollars": "0.5000", "is_taker": true,
        "fee_cost": "0.000000", "created_time": at
    }))
    .unwrap()
}

#[test]
fn fills_read_back_are_applied_oldest_first() {
    // Buy 20 at 0.38, sell 10, buy 10 at 0.47, all missed by the channel. In that order the
    // average cost ends at 3.80 + 4.70 = 8.50; applied in the list's newest-first order it
    // would end at 7.60 (the 0.47 lot sold first), a false discrepancy a reconciliation later.
    let newest_first = vec![
        rest_fill("t3", "bid", "0.4700", "10.00", "2026-11-26T15:00:02.000Z"),
        rest_fill("t2", "ask", "0.4000", "10.00", "2026-11-26T15:00:01.500Z"),
        rest_fill("t1", "bid", "0.3800", "20.00", "2026-11-26T15:00:01.500Z"),
    ];
    let pos: crate::kalshi::rest::MarketPosition = serde_json::from_value(serde_json::json!({
        "ticker": "M", "position_fp": "20.00", "market_exposure_dollars": "8.500000"
    }))
    .unwrap();
    // Cash: 1 000 − 7.60 + 4.00 − 4.70.
    let balance = Money::from_cents(99_170);
    let view = ExchangeView { fills: newest_first, positions: vec![pos], balance, ..Default::default() };
    let mut c = core();
    c.reconcile(&view, 1);
    let p = c.ledger.position("M");
    assert_eq!((p.position, p.exposure), (Count::contracts(20), Money::from_cents(850)));
    c.reconcile(&view, 2);
    assert_eq!((c.discrepancies, c.last_discrepancy.clone()), (0, None));
    assert_eq!(c.ledger.fills, 3, "each trade once");
    let order: Vec<&str> =
        super::super::reconcile::oldest_first(&view.fills).iter().map(|f| f.fill_id.as_str()).collect();
    assert_eq!(order, ["t1", "t2", "t3"], "same-time fills keep the list's order, reversed");
}

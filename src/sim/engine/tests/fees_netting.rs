//! Fees to the micro-dollar, netting of positions and cash, and settlement payouts.

use super::*;
use crate::kalshi::rest::{MarketResult, MarketStatus, OrderStatus};
use BookSide::{Ask, Bid};

fn fee(coef: u32, mult: u32, count: &str, price: &str) -> String {
    trade_fee(coef, mult, c(count), p(price)).format()
}

#[test]
fn fee_worked_examples() {
    // Observed on demo: 1 @ 0.52 → 0.017500 (0.017472 rounded up), 1 @ 0.99 → 0.000700.
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "1", "0.52"), "0.017500");
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "1", "0.99"), "0.000700");
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "1", "0.01"), "0.000700");
    // Fee-schedule table: 100 @ 0.50 → $1.75 exactly (no rounding).
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "100", "0.50"), "1.750000");
    // Fractional: 0.07 × 2.5 × 0.43 × 0.57 = 0.0428925 → 0.0429.
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "2.50", "0.43"), "0.042900");
    // Maker coefficient 0.0175: 0.004368 → 0.0044; multiplier 0.5: 0.008736 → 0.0088.
    assert_eq!(fee(MAKER_FEE_PPM, PPM, "1", "0.52"), "0.004400");
    assert_eq!(fee(TAKER_FEE_PPM, PPM / 2, "1", "0.52"), "0.008800");
    assert_eq!(fee(TAKER_FEE_PPM, 0, "100", "0.50"), "0.000000");
    assert_eq!(fee(0, PPM, "100", "0.50"), "0.000000");
    // Sub-cent prices: 0.07 × 1 × 0.0001 × 0.9999 = 0.000006999 → 0.0001.
    assert_eq!(fee(TAKER_FEE_PPM, PPM, "1", "0.0001"), "0.000100");
}

#[test]
fn fee_bound_is_the_worst_execution_price() {
    let b = |side, count, price| fee_bound(TAKER_FEE_PPM, PPM, c(count), side, p(price)).format();
    // A bid at 0.30 executes at ≤ 0.30: worst 0.30 × 0.70. At 0.70 it may execute at 0.50.
    assert_eq!(b(Bid, "10", "0.30"), "0.147000");
    assert_eq!(b(Bid, "10", "0.70"), "0.175000");
    assert_eq!(b(Ask, "10", "0.30"), "0.175000");
    assert_eq!(b(Ask, "10", "0.70"), "0.147000");
}

#[test]
fn observed_positions_example() {
    // §5.8: YES buys of 1 @ 0.52, 1 @ 0.99, 1 @ 0.99 (all taker).
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "1", "0.52");
    let r = ioc(&mut e, "alice", Bid, "1", "0.99");
    let json = serde_json::to_string(&r.response()).unwrap();
    assert!(json.contains(r#""average_fill_price":"0.5200","average_fee_paid":"0.0175""#), "{json}");
    for _ in 0..2 {
        gtc(&mut e, "bob", Ask, "1", "0.99");
        ioc(&mut e, "alice", Bid, "1", "0.99");
    }
    let pos = &e.positions("alice")[0];
    assert_eq!(pos.position_fp, c("3"));
    assert_eq!(pos.market_exposure_dollars.format(), "2.500000");
    assert_eq!(pos.total_traded_dollars.format(), "2.500000");
    assert_eq!(pos.fees_paid_dollars.format(), "0.018900");
    assert_eq!(e.cash("alice").format(), "997.481100");
    let orders = e.orders("alice", &OrderFilter::default());
    let first = orders.last().unwrap();
    assert_eq!((first.yes_price_dollars, first.status), (p("0.99"), OrderStatus::Executed));
    assert_eq!(
        (first.taker_fill_cost_dollars.format(), first.taker_fees_dollars.format()),
        ("0.520000".into(), "0.017500".into())
    );
}

#[test]
fn makers_pay_the_maker_fee_when_configured() {
    let mut e = engine_with(EngineConfig { maker_fee_ppm: MAKER_FEE_PPM, ..EngineConfig::default() });
    gtc(&mut e, "bob", Ask, "1", "0.52");
    let r = ioc(&mut e, "alice", Bid, "1", "0.52");
    let f = fills(&r.events);
    assert_eq!((f[0].0.as_str(), f[0].4.as_str()), ("bob", "0.004400"));
    assert_eq!((f[1].0.as_str(), f[1].4.as_str()), ("alice", "0.017500"));
    assert_eq!(e.fees_collected().format(), "0.021900");
    // Bob opened 1 NO at 0.48 and paid the maker fee.
    assert_eq!(e.cash("bob").format(), "999.515600");
}

#[test]
fn netting_closes_before_opening_and_flips() {
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "10", "0.40");
    ioc(&mut e, "alice", Bid, "10", "0.40");
    // −4.00 − fee(10 @ 0.40) 0.1680.
    assert_eq!(e.cash("alice").format(), "995.832000");
    assert_eq!(e.position("alice", T).position, c("10"));
    assert_eq!(e.position("alice", T).exposure.format(), "4.000000");

    gtc(&mut e, "carol", Bid, "20", "0.55");
    let r = ioc(&mut e, "alice", Ask, "4", "0.55");
    assert_eq!(
        fills(&r.events)[1],
        ("alice".into(), true, "0.5500".into(), "4.00".into(), "0.069300".into(), "6.00".into())
    );
    let pos = e.position("alice", T);
    // Closing 4 YES at 0.55: +2.20 − fee 0.0693; realized 2.20 − 4 × 0.40.
    assert_eq!(e.cash("alice").format(), "997.962700");
    assert_eq!(
        (pos.position, pos.exposure.format(), pos.realized_pnl.format()),
        (c("6"), "2.400000".into(), "0.600000".into())
    );

    // Selling 10 more: closes the 6 YES (+3.30), then opens 4 NO at 0.45 (−1.80), fee 0.1733.
    let r = ioc(&mut e, "alice", Ask, "10", "0.55");
    assert_eq!(fills(&r.events)[1].4, "0.173300");
    assert_eq!(fills(&r.events)[1].5, "-4.00");
    let pos = e.position("alice", T);
    assert_eq!(e.cash("alice").format(), "999.289400");
    assert_eq!(pos.position, c("-4"));
    assert_eq!(pos.exposure.format(), "1.800000");
    assert_eq!(pos.realized_pnl.format(), "1.500000");
    assert_eq!(pos.fees_paid.format(), "0.410600");
    assert_eq!(pos.total_traded.format(), "11.300000");
    assert_eq!(pos.volume, c("24"));
    // Makers: carol bought 14 YES at 0.55, bob opened 10 NO at 0.60.
    assert_eq!((e.cash("carol").format(), e.position("carol", T).position), ("992.300000".into(), c("14")));
    assert_eq!((e.cash("bob").format(), e.position("bob", T).position), ("994.000000".into(), c("-10")));
    assert_eq!(e.open_interest(T), c("14"));
    check_invariants(&e);

    // Settle YES: only YES holders are paid; carol's resting 6 @ 0.55 is canceled.
    let ev = e.settle_market(T, Outcome::Yes, NOW + 1000).unwrap();
    assert!(ev.iter().any(|x| matches!(x, EngineEvent::Market(MarketEvent::Settled { result: Outcome::Yes, .. }))));
    assert_eq!(deltas(&ev), vec![(Outcome::Yes, "0.5500".into(), "-6.00".into(), DeltaCause::Canceled)]);
    assert_eq!(e.cash("carol").format(), "1006.300000");
    assert_eq!(e.cash("alice").format(), "999.289400");
    assert_eq!(e.cash("bob").format(), "994.000000");
    assert_eq!(e.reserved("carol"), Money::ZERO);
    let total: Money = e.users().iter().map(|u| e.cash(u)).fold(e.fees_collected(), |a, b| a + b);
    assert_eq!(total.format(), "3000.000000");
    let s = &e.settlements("carol")[0];
    assert_eq!((s.market_result, s.yes_count_fp, s.revenue, s.value), (MarketResult::Yes, c("14"), 1400, Some(100)));
    assert_eq!(s.yes_total_cost_dollars.format(), "7.700000");
    let s = &e.settlements("alice")[0];
    assert_eq!((s.no_count_fp, s.revenue, s.no_total_cost_dollars.format()), (c("4"), 0, "1.800000".into()));
    assert_eq!(e.position("alice", T).realized_pnl.format(), "-0.300000");
    assert!(e.positions("alice").is_empty());
    assert_eq!(e.market_status(T), Some(MarketStatus::Finalized));
    let err = e.create_order("alice", &req(Bid, "1", "0.50", TimeInForce::GoodTillCanceled), NOW).unwrap_err();
    assert_eq!((err.status(), err.code()), (409, "market_closed"));
    assert!(e.settle_market(T, Outcome::No, NOW).is_err());
    check_invariants(&e);
}

#[test]
fn settlement_no_pays_no_holders() {
    let mut e = engine();
    gtc(&mut e, "bob", Bid, "5", "0.30");
    ioc(&mut e, "alice", Ask, "5", "0.30");
    // Alice holds 5 NO bought at 0.70; bob 5 YES at 0.30.
    assert_eq!(e.position("alice", T).exposure.format(), "3.500000");
    e.settle_market(T, Outcome::No, NOW).unwrap();
    let fee = trade_fee(TAKER_FEE_PPM, PPM, c("5"), p("0.30"));
    assert_eq!(e.cash("alice"), m("1000") - m("3.50") - fee + m("5"));
    assert_eq!(e.cash("bob"), m("998.50"));
    assert_eq!(e.settlements("alice")[0].revenue, 500);
    assert_eq!(e.settlements("bob")[0].revenue, 0);
    check_invariants(&e);
}

#[test]
fn closing_legs_need_no_cash() {
    let mut e = engine();
    assert!(e.open_account("dave", m("4.50")));
    gtc(&mut e, "bob", Ask, "10", "0.40");
    ioc(&mut e, "dave", Bid, "10", "0.40");
    assert_eq!(e.balance("dave").format(), "0.332000");
    // Closing 10 YES needs only the worst fee 0.168; 20 would open 10 NO at 0.40 (4.00).
    let err = gtc_err(&mut e, "dave", Ask, "20", "0.60");
    assert_eq!(err, EngineError::InsufficientBalance { needed: m("4.336"), available: m("0.332") });
    assert_eq!((err.status(), err.code()), (400, "insufficient_balance"));
    let ok = gtc(&mut e, "dave", Ask, "10", "0.60");
    assert_eq!(ok.status, OrderStatus::Resting);
    assert_eq!(e.reserved("dave").format(), "0.168000");
    // That resting ask already claims the 10 YES: one more contract would open NO.
    let err = gtc_err(&mut e, "dave", Ask, "1", "0.60");
    assert_eq!(err, EngineError::InsufficientBalance { needed: m("0.4168"), available: m("0.164") });
    check_invariants(&e);
}

fn gtc_err(e: &mut Engine, user: &str, side: BookSide, count: &str, price: &str) -> EngineError {
    e.create_order(user, &req(side, count, price, TimeInForce::GoodTillCanceled), NOW).unwrap_err()
}

#[test]
fn balance_check_boundary() {
    // 1 @ 0.50 needs 0.50 + worst fee 0.0175.
    let mut e = engine();
    assert!(e.open_account("rich", m("0.5175")));
    assert!(e.open_account("poor", m("0.5174")));
    assert!(e.create_order("rich", &req(Bid, "1", "0.50", TimeInForce::GoodTillCanceled), NOW).is_ok());
    assert_eq!(e.balance("rich"), Money::ZERO);
    let err = gtc_err(&mut e, "poor", Bid, "1", "0.50");
    assert_eq!(err.code(), "insufficient_balance");
    // The reservation counts against further orders.
    let err = gtc_err(&mut e, "rich", Bid, "0.01", "0.01");
    assert_eq!(err.code(), "insufficient_balance");
}

#[test]
fn reservations_follow_the_position() {
    let mut e = engine();
    assert!(e.open_account("dave", m("10")));
    // Flat: the ask would open 10 NO at 0.40.
    gtc(&mut e, "dave", Ask, "10", "0.60");
    assert_eq!(e.reserved("dave").format(), "4.168000");
    gtc(&mut e, "bob", Ask, "10", "0.40");
    ioc(&mut e, "dave", Bid, "10", "0.40");
    // Long 10 YES now: the same ask only closes, so only its worst fee stays reserved.
    assert_eq!(e.cash("dave").format(), "5.832000");
    assert_eq!(e.reserved("dave").format(), "0.168000");
    assert_eq!(e.balance("dave").format(), "5.664000");
    // A younger ask finds the position claimed by the older one: it reserves as opening.
    gtc(&mut e, "dave", Ask, "10", "0.61");
    assert_eq!(e.reserved("dave").format(), "4.234600");
    // Carol lifts 1 of the older ask: 9 YES left, claimed by its remaining 9; the younger
    // ask still opens 10 NO at 0.39 (3.90 + worst fee 0.1666).
    ioc(&mut e, "carol", Bid, "1", "0.60");
    assert_eq!(e.cash("dave").format(), "6.432000");
    assert_eq!(e.reserved("dave").format(), "4.217800");
    check_invariants(&e);
}

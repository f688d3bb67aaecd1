//! Engine tests: scripted scenarios with every output asserted, fee and netting worked
//! examples, and a property test over random order streams.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod fees_netting;
mod matching;
mod modify;
mod random;

use super::*;
use crate::domain::{BookSide, Count, Money, Outcome, Price};
use crate::kalshi::rest::{CreateOrderV2Request, SelfTradePreventionType, TimeInForce};

/// The test market.
pub const T: &str = "KXTEST-26DEC31-T50";
/// Engine time used by most steps.
pub const NOW: i64 = 1_795_705_445_123;

pub fn p(s: &str) -> Price {
    s.parse().unwrap()
}

pub fn c(s: &str) -> Count {
    s.parse().unwrap()
}

pub fn m(s: &str) -> Money {
    s.parse().unwrap()
}

/// Default config, market `T`, and alice, bob and carol with $1000 each.
pub fn engine() -> Engine {
    engine_with(EngineConfig::default())
}

pub fn engine_with(config: EngineConfig) -> Engine {
    let mut e = Engine::new(config);
    e.add_market(MarketSpec::linear_cent(T)).unwrap();
    for u in ["alice", "bob", "carol"] {
        assert!(e.open_account(u, m("1000")));
    }
    e
}

pub fn req(side: BookSide, count: &str, price: &str, tif: TimeInForce) -> CreateOrderV2Request {
    CreateOrderV2Request::new(T, side, c(count), p(price), tif, SelfTradePreventionType::TakerAtCross)
}

/// Places a GTC order that must succeed.
pub fn gtc(e: &mut Engine, user: &str, side: BookSide, count: &str, price: &str) -> CreateOutcome {
    e.create_order(user, &req(side, count, price, TimeInForce::GoodTillCanceled), NOW).unwrap()
}

/// Places an IOC order that must succeed.
pub fn ioc(e: &mut Engine, user: &str, side: BookSide, count: &str, price: &str) -> CreateOutcome {
    e.create_order(user, &req(side, count, price, TimeInForce::ImmediateOrCancel), NOW).unwrap()
}

/// Book deltas as `(outcome, price, delta, cause)` strings.
pub fn deltas(events: &[EngineEvent]) -> Vec<(Outcome, String, String, DeltaCause)> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Book(d) => Some((d.outcome, d.price.format(), d.delta.format(), d.cause)),
            _ => None,
        })
        .collect()
}

/// Fills as `(user, is_taker, yes price, count, fee, post position)` strings.
pub fn fills(events: &[EngineEvent]) -> Vec<(String, bool, String, String, String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Fill(f) => Some((
                f.user_id.clone(),
                f.is_taker,
                f.yes_price.format(),
                f.count.format(),
                f.fee.format(),
                f.post_position.format(),
            )),
            _ => None,
        })
        .collect()
}

/// Trades as `(yes price, count, taker side)`.
pub fn trades(events: &[EngineEvent]) -> Vec<(String, String, BookSide)> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Trade(t) => Some((t.yes_price.format(), t.count.format(), t.taker_book_side)),
            _ => None,
        })
        .collect()
}

/// The last snapshot of each order in the events, as `(order id, status, reason)`.
pub fn order_updates(
    events: &[EngineEvent],
) -> Vec<(String, crate::kalshi::rest::OrderStatus, Option<crate::kalshi::rest::LastUpdateReason>)> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Order(o) => Some((o.order_id.clone(), o.status, o.last_update_reason)),
            _ => None,
        })
        .collect()
}

/// A side of the published book as `(price, size)` strings, ascending.
pub fn levels(e: &Engine, outcome: Outcome) -> Vec<(String, String)> {
    e.levels(T, outcome).into_iter().map(|(p, c)| (p.format(), c.format())).collect()
}

/// Checks every structural invariant; panics with a description on the first violation.
pub fn check_invariants(e: &Engine) {
    let mut position_sum = 0i64;
    for (user, a) in &e.accounts {
        assert!(a.cash >= Money::ZERO, "{user} cash {} < 0", a.cash.format());
        assert!(a.reserved >= Money::ZERO, "{user} reserved < 0");
        assert!(a.reserved <= a.cash, "{user} reserves more than its cash");
        let reserved: Money = a.resting.iter().map(|s| e.orders[s].reserved).fold(Money::ZERO, |x, y| x + y);
        assert_eq!(reserved, a.reserved, "{user} reservation sum");
        let mut identity = a.starting_cash;
        for pos in a.positions.values() {
            identity = identity + pos.realized_pnl - pos.exposure - pos.fees_paid;
            assert!(pos.exposure >= Money::ZERO, "{user} negative exposure");
            if pos.position.hundredths() == 0 {
                assert_eq!(pos.exposure, Money::ZERO, "{user} flat with exposure");
            }
            position_sum += pos.position.hundredths();
        }
        assert_eq!(identity, a.cash, "{user}: cash = start + realized − exposure − fees");
    }
    assert_eq!(position_sum, 0, "YES and NO open interest differ");
    for (ticker, market) in &e.markets {
        let (bid, ask) = (market.book.best(BookSide::Bid), market.book.best(BookSide::Ask));
        if let (Some(b), Some(a)) = (bid, ask) {
            assert!(b < a, "{ticker} crossed: bid {b} ≥ ask {a}");
        }
        for side in [BookSide::Bid, BookSide::Ask] {
            for (price, level) in market.book.side_levels(side) {
                assert!(!level.queue.is_empty(), "empty level kept");
                let mut sum = 0;
                for s in &level.queue {
                    let o = &e.orders[s];
                    assert!(o.is_resting() && o.remaining_count.is_positive(), "dead order {} queued", o.order_id);
                    assert_eq!((o.side, o.price, o.ticker.as_str()), (side, price, ticker.as_str()));
                    assert!(e.accounts[&o.user_id].resting.contains(s), "resting set misses {}", o.order_id);
                    sum += o.remaining_count.hundredths();
                }
                assert_eq!(level.total.hundredths(), sum, "{ticker} level {price} total");
            }
        }
    }
    for o in e.orders.values() {
        assert!(o.remaining_count >= Count::ZERO && o.fill_count >= Count::ZERO);
        if !o.is_resting() {
            assert_eq!(o.remaining_count, Count::ZERO, "{} not resting but has remaining", o.order_id);
            assert_eq!(o.reserved, Money::ZERO);
        } else {
            let queued = e.markets[&o.ticker].book.level(o.side, o.price).is_some_and(|l| l.queue.contains(&o.seq));
            assert!(queued, "resting order {} is not on the book", o.order_id);
        }
    }
}

//! Core tests: requests per action and state, the amend threshold, conflict cancellation,
//! fills before create answers, unknown outcomes, halts, reconciliation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod orders;
mod reconcile;

use std::collections::HashMap;

use super::intent::{Touch, BUY_NO, BUY_YES, HOLD, SELL_NO, SELL_YES};
use super::reconcile::ExchangeView;
use super::risk::RiskState;
use super::state::{FillIn, OrderState};
use super::*;
use crate::config::RiskConfig;
use crate::kalshi::rest::{AmendOrderV2Response, CancelOrderV2Response, CreateOrderV2Response, Order, OrderStatus};

fn p(c: u16) -> Price {
    Price::from_cents(c).unwrap()
}

fn touch(bid: u16, ask: u16) -> Touch {
    Touch { bid: Some(p(bid)), ask: Some(p(ask)) }
}

fn core_with(sell: SellSemantics, risk: RiskConfig) -> ExecutorCore {
    let settings = ExecutorSettings {
        size: Count::contracts(10),
        pricing: Pricing::Aggressive,
        sell,
        coid_prefix: "t".into(),
        inflight_timeout_ms: 15_000,
    };
    let mut grids = HashMap::new();
    grids.insert("M".to_owned(), TickGrid::linear_cent());
    ExecutorCore::new(settings, grids, RiskState::new(risk, 100.0, 200.0, 0), Money::from_cents(100_000))
}

fn core() -> ExecutorCore {
    core_with(SellSemantics::Open, RiskConfig::default())
}

fn created(c: &mut ExecutorCore, step: &Step, oid: &str, filled: i64, now: i64) -> String {
    let Request::Create { coid, body } = &step.requests[0] else { panic!("{step:?}") };
    let remaining = Count::from_hundredths(body.count.hundredths() - filled * 100).unwrap();
    let r = CreateOrderV2Response {
        order_id: oid.into(),
        client_order_id: Some(coid.clone()),
        fill_count: Count::contracts(filled),
        remaining_count: remaining,
        average_fill_price: None,
        average_fee_paid: None,
        ts_ms: now,
    };
    c.on_created(coid, Ok(r), now);
    coid.clone()
}

fn fill(trade: &str, oid: &str, coid: Option<&str>, side: BookSide, px: u16, n: i64) -> FillIn {
    FillIn {
        trade_id: trade.into(),
        order_id: oid.into(),
        client_order_id: coid.map(str::to_owned),
        market: "M".into(),
        side,
        price: p(px),
        count: Count::contracts(n),
        fee: Money::from_micros(17_500),
        is_taker: true,
        post_position: None,
        ts_ms: 0,
    }
}

fn kinds(step: &Step) -> Vec<String> {
    step.requests
        .iter()
        .map(|r| match r {
            Request::Create { body, .. } => {
                format!("create {:?} {} {}", body.side, body.price.format(), body.count.format())
            }
            Request::Amend { body, .. } => {
                format!("amend {:?} {} {}", body.side, body.price.format(), body.count.format())
            }
            Request::Cancel { order_id, .. } => format!("cancel {order_id}"),
            Request::CancelAll => "cancel all".into(),
        })
        .collect()
}

#[test]
fn each_action_from_flat_creates_its_v2_order() {
    for (action, want) in [
        (BUY_YES, "create Bid 0.4500 10.00"),
        (SELL_YES, "create Ask 0.4000 10.00"),
        (BUY_NO, "create Ask 0.4000 10.00"),
        (SELL_NO, "create Bid 0.4500 10.00"),
    ] {
        let mut c = core();
        let s = c.on_action("M", action, touch(40, 45), 0);
        assert_eq!(kinds(&s), [want], "action {action}");
        let Request::Create { coid, body } = &s.requests[0] else { unreachable!() };
        assert_eq!(body.client_order_id.as_deref(), Some(coid.as_str()));
        assert_eq!(c.orders.get(coid).unwrap().state, OrderState::Sending, "recorded before sending");
        assert!(body.reduce_only.is_none());
    }
    let mut c = core();
    let s = c.on_action("M", HOLD, touch(40, 45), 0);
    assert!(s.requests.is_empty());
    assert_eq!(s.skipped, Some("hold"));
}

#[test]
fn reduce_only_sells_depend_on_the_position() {
    let mut c = core_with(SellSemantics::ReduceOnly, RiskConfig::default());
    assert_eq!(c.on_action("M", SELL_YES, touch(40, 45), 0).skipped, Some("nothing_to_reduce"));
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    created(&mut c, &s, "o1", 0, 1);
    c.on_fill(fill("t1", "o1", None, BookSide::Bid, 45, 6), 2);
    let s = c.on_action("M", SELL_YES, touch(40, 45), 3);
    // The resting bid (opposite side) is canceled and a reduce-only ask for the 6 held is placed.
    assert_eq!(kinds(&s), ["cancel o1", "create Ask 0.4000 6.00"]);
    let Request::Create { body, .. } = &s.requests[1] else { unreachable!() };
    assert_eq!(body.reduce_only, Some(true));
}

#[test]
fn same_side_orders_are_amended_only_beyond_one_tick() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    created(&mut c, &s, "o1", 0, 1);
    let s = c.on_action("M", BUY_YES, touch(41, 46), 2);
    assert!(s.requests.is_empty(), "one tick away: kept");
    assert_eq!(s.skipped, Some("kept"));
    let s = c.on_action("M", BUY_YES, touch(42, 47), 3);
    assert_eq!(kinds(&s), ["amend Bid 0.4700 10.00"]);
    // While the amend is in flight the market is busy.
    assert_eq!(c.on_action("M", BUY_YES, touch(42, 47), 4).skipped, Some("busy"));
    let Request::Amend { coid, .. } = &s.requests[0] else { unreachable!() };
    let r = AmendOrderV2Response {
        order_id: "o1".into(),
        client_order_id: Some(coid.clone()),
        remaining_count: Some(Count::contracts(10)),
        fill_count: Some(Count::ZERO),
        average_fill_price: None,
        average_fee_paid: None,
        ts_ms: 5,
    };
    c.on_amended(coid, p(47), Ok(r), 5);
    assert_eq!(c.orders.get(coid).unwrap().price, p(47));
    // HOLD re-prices by the same rule: the ask moved to 49 (two ticks).
    assert_eq!(kinds(&c.on_action("M", HOLD, touch(44, 49), 6)), ["amend Bid 0.4900 10.00"]);
}

#[test]
fn opposite_side_orders_are_canceled_first() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let coid = created(&mut c, &s, "o1", 0, 1);
    let s = c.on_action("M", BUY_NO, touch(40, 45), 2);
    assert_eq!(kinds(&s), ["cancel o1", "create Ask 0.4000 10.00"]);
    let r = CancelOrderV2Response {
        order_id: "o1".into(),
        client_order_id: None,
        reduced_by: Count::contracts(10),
        ts_ms: 3,
    };
    c.on_canceled(&coid, Ok(r), 3);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Canceled);
}

#[test]
fn a_fill_before_the_create_answer_is_counted_once() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let coid = coid.clone();
    let f = fill("t1", "o1", Some(&coid), BookSide::Bid, 45, 10);
    let events = c.on_fill(f.clone(), 1).events;
    assert!(events.iter().any(|e| matches!(e, ExecEvent::Fill(_))));
    assert!(c.on_fill(f, 1).events.is_empty(), "duplicate trade id ignored");
    created(&mut c, &s, "o1", 10, 2);
    let o = c.orders.get(&coid).unwrap();
    assert_eq!((o.state, o.filled, o.remaining), (OrderState::Executed, Count::contracts(10), Count::ZERO));
    let pos = c.ledger.position("M");
    assert_eq!(pos.position, Count::contracts(10));
    // $1000 − 10 × 0.45 − 0.0175 fee.
    assert_eq!(c.ledger.cash, Money::from_micros(1_000_000_000 - 4_500_000 - 17_500));
}

#[test]
fn partial_fill_then_cancel() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let coid = created(&mut c, &s, "o1", 0, 1);
    c.on_fill(fill("t1", "o1", None, BookSide::Bid, 45, 4), 2);
    let o = c.orders.get(&coid).unwrap();
    assert_eq!((o.state, o.remaining), (OrderState::Resting, Count::contracts(6)));
    let s = c.on_action("M", SELL_YES, touch(40, 45), 3);
    assert_eq!(kinds(&s)[0], "cancel o1");
    let r = CancelOrderV2Response {
        order_id: "o1".into(),
        client_order_id: None,
        reduced_by: Count::contracts(6),
        ts_ms: 4,
    };
    c.on_canceled(&coid, Ok(r), 4);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Canceled);
    assert_eq!(c.ledger.position("M").position, Count::contracts(4));
}

fn exchange_order(oid: &str, coid: &str, status: OrderStatus, remaining: i64) -> Order {
    serde_json::from_value(serde_json::json!({
        "order_id": oid, "client_order_id": coid, "ticker": "M", "outcome_side": "yes", "book_side": "bid",
        "status": status, "yes_price_dollars": "0.4500", "no_price_dollars": "0.5500",
        "fill_count_fp": "0.00", "remaining_count_fp": format!("{remaining}.00"), "initial_count_fp": "10.00"
    }))
    .unwrap()
}

#[test]
fn unknown_outcomes_block_the_market_until_reconciled() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let coid = coid.clone();
    c.on_created(&coid, Err(WriteError::Unknown("timeout".into())), 1);
    assert_eq!(c.on_action("M", BUY_YES, touch(40, 45), 2).skipped, Some("busy"));
    // The exchange has it, resting: adopted with its id.
    let view =
        ExchangeView { orders: vec![exchange_order("o9", &coid, OrderStatus::Resting, 10)], ..Default::default() };
    c.reconcile(&view, 3);
    let o = c.orders.get(&coid).unwrap();
    assert_eq!((o.state, o.order_id.as_deref()), (OrderState::Resting, Some("o9")));
    assert_eq!(kinds(&c.on_action("M", SELL_YES, touch(40, 45), 4))[0], "cancel o9");

    // Another create that never reached the exchange: rejected at reconciliation.
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let coid = coid.clone();
    c.on_created(&coid, Err(WriteError::Unknown("503".into())), 1);
    c.reconcile(&ExchangeView::default(), 2);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Rejected);
    assert_eq!(c.on_action("M", BUY_YES, touch(40, 45), 3).requests.len(), 1, "trading resumes");
}

#[test]
fn halt_cancels_everything_and_blocks_until_resumed() {
    let mut c = core();
    let s = c.halt("operator", 0);
    assert_eq!(kinds(&s), ["cancel all"]);
    assert_eq!(c.on_action("M", BUY_YES, touch(40, 45), 1).skipped, Some("halted"));
    c.resume(2);
    assert_eq!(c.on_action("M", BUY_YES, touch(40, 45), 3).requests.len(), 1);
}

#[test]
fn limits_block_orders_and_errors_halt() {
    let risk = RiskConfig { max_position: Count::contracts(15), max_consecutive_errors: 2, ..RiskConfig::default() };
    let mut c = core_with(SellSemantics::Open, risk);
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    created(&mut c, &s, "o1", 10, 1);
    c.on_fill(fill("t1", "o1", None, BookSide::Bid, 45, 10), 1);
    let s = c.on_action("M", BUY_YES, touch(40, 45), 2);
    assert_eq!(s.skipped, Some("max_position"));
    assert!(s.events.iter().any(|e| matches!(e, ExecEvent::Risk(r) if r.kind == "max_position")));
    // Two failed creates in a row halt trading and cancel everything.
    let s = c.on_action("M", SELL_YES, touch(40, 45), 3);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let rejected = WriteError::Rejected { status: 400, message: "insufficient_balance".into() };
    assert!(c.on_created(&coid.clone(), Err(rejected.clone()), 4).requests.is_empty());
    let s = c.on_action("M", SELL_YES, touch(40, 45), 5);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let s = c.on_created(&coid.clone(), Err(rejected), 6);
    assert_eq!(kinds(&s), ["cancel all"]);
    assert_eq!(c.on_action("M", SELL_YES, touch(40, 45), 7).skipped, Some("halted_by_risk"));
}

#[test]
fn daily_loss_halts() {
    let risk = RiskConfig { max_daily_loss: Money::from_cents(100), ..RiskConfig::default() };
    let mut c = core_with(SellSemantics::Open, risk);
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    created(&mut c, &s, "o1", 10, 1);
    c.on_fill(fill("t1", "o1", None, BookSide::Bid, 45, 10), 1);
    assert!(c.check_loss(|_| Some(40.0), 2).requests.is_empty(), "−$0.50 − fee");
    let s = c.check_loss(|_| Some(30.0), 3);
    assert_eq!(kinds(&s), ["cancel all"]);
    assert!(s.events.iter().any(|e| matches!(e, ExecEvent::Risk(r) if r.kind == "max_daily_loss")));
}

#[test]
fn every_action_from_every_position_state() {
    // (sell semantics, position, action) → the one request, or why none.
    let cases: &[(SellSemantics, i64, usize, Result<&str, &str>)] = &[
        (SellSemantics::Open, 5, BUY_YES, Ok("create Bid 0.4500 10.00")),
        (SellSemantics::Open, 5, SELL_YES, Ok("create Ask 0.4000 10.00")),
        (SellSemantics::Open, -5, BUY_NO, Ok("create Ask 0.4000 10.00")),
        (SellSemantics::Open, -5, SELL_NO, Ok("create Bid 0.4500 10.00")),
        (SellSemantics::Open, 0, SELL_NO, Ok("create Bid 0.4500 10.00")),
        (SellSemantics::ReduceOnly, 5, SELL_YES, Ok("create Ask 0.4000 5.00")),
        (SellSemantics::ReduceOnly, -5, SELL_YES, Err("nothing_to_reduce")),
        (SellSemantics::ReduceOnly, -5, SELL_NO, Ok("create Bid 0.4500 5.00")),
        (SellSemantics::ReduceOnly, 5, SELL_NO, Err("nothing_to_reduce")),
        (SellSemantics::ReduceOnly, 5, BUY_NO, Ok("create Ask 0.4000 10.00")),
        (SellSemantics::ReduceOnly, -5, BUY_YES, Ok("create Bid 0.4500 10.00")),
        (SellSemantics::ReduceOnly, 5, HOLD, Err("hold")),
    ];
    for (sell, pos, action, want) in cases {
        let mut c = core_with(*sell, RiskConfig::default());
        if *pos != 0 {
            let side = if *pos > 0 { BookSide::Bid } else { BookSide::Ask };
            c.on_fill(fill("seed", "o0", None, side, 45, pos.abs()), 0);
        }
        let s = c.on_action("M", *action, touch(40, 45), 1);
        match want {
            Ok(req) => assert_eq!(kinds(&s), [*req], "{sell:?} position {pos} action {action}"),
            Err(why) => {
                assert_eq!((s.requests.len(), s.skipped), (0, Some(*why)), "{sell:?} position {pos} action {action}")
            }
        }
    }
}

#[test]
fn a_request_whose_answer_never_comes_becomes_unknown_and_is_reconciled() {
    let mut c = core();
    let s = c.on_action("M", BUY_YES, touch(40, 45), 0);
    let Request::Create { coid, .. } = &s.requests[0] else { unreachable!() };
    let coid = coid.clone();
    c.reconcile(&ExchangeView::default(), 10_000);
    assert_eq!(c.orders.get(&coid).unwrap().state, OrderState::Sending, "still within the timeout");
    let view =
        ExchangeView { orders: vec![exchange_order("o5", &coid, OrderStatus::Executed, 0)], ..Default::default() };
    c.reconcile(&view, 16_000);
    let o = c.orders.get(&coid).unwrap();
    assert_eq!((o.state, o.order_id.as_deref()), (OrderState::Executed, Some("o5")));
}

#[test]
fn the_ledger_counts_each_trade_once_and_remembers_a_bounded_number() {
    use crate::executor::state::{Ledger, SEEN_CAP};
    let mut l = Ledger::new(Money::from_cents(1_000_000));
    assert!(l.apply(&fill("t0", "o", None, BookSide::Bid, 40, 1)));
    assert!(!l.apply(&fill("t0", "o", None, BookSide::Bid, 40, 1)), "a trade counts once");
    for i in 1..=SEEN_CAP {
        assert!(l.apply(&fill(&format!("t{i}"), "o", None, BookSide::Bid, 40, 1)));
    }
    assert_eq!(l.fills, SEEN_CAP as u64 + 1);
    let recent = format!("t{}", SEEN_CAP - 999);
    assert!(!l.apply(&fill(&recent, "o", None, BookSide::Bid, 40, 1)), "the last 1 000 are remembered");
    assert!(l.apply(&fill("t0", "o", None, BookSide::Bid, 40, 1)), "the oldest beyond the cap is forgotten");
    assert_eq!(l.position("M").position, Count::contracts(SEEN_CAP as i64 + 2));
}

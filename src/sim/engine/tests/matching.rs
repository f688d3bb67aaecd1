//! Scripted matching scenarios: rest → partial fill → amend → cancel, IOC, FOK, post-only,
//! self-trade prevention, reduce-only, determinism.

use super::*;
use crate::kalshi::rest::{LastUpdateReason, OrderStatus};
use BookSide::{Ask, Bid};
use DeltaCause::*;
use Outcome::{No, Yes};

fn s(x: &str) -> String {
    x.to_owned()
}

#[test]
fn rest_partial_fill_amend_cancel() {
    let mut e = engine();
    // Rest: a YES bid shows as a YES level at its price.
    let r =
        e.create_order("alice", &req(Bid, "10", "0.40", TimeInForce::GoodTillCanceled).with_client_order_id("a1"), NOW);
    let r = r.unwrap();
    assert_eq!(r.order_id, "00000001-0000-4000-8000-000000000001");
    assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Resting, c("0"), c("10")));
    assert_eq!(deltas(&r.events), vec![(Yes, s("0.4000"), s("10.00"), Placed)]);
    let EngineEvent::Book(d) = &r.events[0] else { panic!("{:?}", r.events) };
    assert_eq!((d.client_order_id.as_deref(), d.user_id.as_str()), (Some("a1"), "alice"));
    let json = serde_json::to_string(&r.response()).unwrap();
    assert_eq!(
        json,
        r#"{"order_id":"00000001-0000-4000-8000-000000000001","client_order_id":"a1","fill_count":"0.00","remaining_count":"10.00","ts_ms":1795705445123}"#
    );
    assert_eq!(levels(&e, Yes), vec![(s("0.4000"), s("10.00"))]);
    // 10 × 0.40 + worst fee 0.07 × 10 × 0.40 × 0.60 = 0.168.
    assert_eq!(e.reserved("alice").format(), "4.168000");
    assert_eq!(e.balance("alice").format(), "995.832000");

    // Partial fill: bob sells 4 with an IOC ask below; execution at the resting 0.40.
    let f = ioc(&mut e, "bob", Ask, "4", "0.38");
    assert_eq!((f.status, f.fill_count(), f.remaining_count), (OrderStatus::Executed, c("4"), c("0")));
    assert_eq!(f.fills.average_price(), Some(m("0.40")));
    assert_eq!(f.fills.average_fee(), Some(m("0.0168")));
    assert_eq!(deltas(&f.events), vec![(Yes, s("0.4000"), s("-4.00"), Filled)]);
    assert_eq!(trades(&f.events), vec![(s("0.4000"), s("4.00"), Ask)]);
    assert_eq!(
        fills(&f.events),
        vec![
            (s("alice"), false, s("0.4000"), s("4.00"), s("0.000000"), s("4.00")),
            (s("bob"), true, s("0.4000"), s("4.00"), s("0.067200"), s("-4.00")),
        ]
    );
    let updates = order_updates(&f.events);
    assert_eq!(updates.len(), 2);
    assert_eq!((updates[0].1, updates[0].2), (OrderStatus::Resting, Some(LastUpdateReason::Trade)));
    assert_eq!(updates[1].1, OrderStatus::Executed);
    assert_eq!(e.cash("alice").format(), "998.400000");
    assert_eq!(e.reserved("alice").format(), "2.500800");
    assert_eq!(e.cash("bob").format(), "997.532800");
    assert_eq!(e.position("bob", T).position, c("-4"));
    assert_eq!(e.position("bob", T).exposure.format(), "2.400000");
    assert_eq!(levels(&e, Yes), vec![(s("0.4000"), s("6.00"))]);

    // Amend to a total of 8 (4 filled + 4 resting): a pure decrease keeps priority.
    let amend = crate::kalshi::rest::AmendOrderV2Request {
        ticker: T.into(),
        side: Bid,
        price: p("0.40"),
        count: c("8"),
        client_order_id: Some("a1".into()),
        updated_client_order_id: None,
        exchange_index: None,
    };
    let a = e.amend_order("alice", &r.order_id, &amend, NOW).unwrap();
    assert!(a.kept_priority);
    assert_eq!((a.status, a.remaining_count, a.fills.count), (OrderStatus::Resting, c("4"), c("0")));
    assert_eq!(deltas(&a.events), vec![(Yes, s("0.4000"), s("-2.00"), Amended)]);
    let o = e.order("alice", &r.order_id).unwrap();
    assert_eq!((o.fill_count, o.remaining_count, o.initial_count), (c("4"), c("4"), c("8")));
    assert_eq!(o.last_update_reason, Some(LastUpdateReason::Amend));

    // Cancel: removes the rest; a second cancel is 404.
    let x = e.cancel_order("alice", &r.order_id, NOW).unwrap();
    assert_eq!(x.reduced_by, c("4"));
    assert_eq!(
        serde_json::to_string(&x.response()).unwrap(),
        r#"{"order_id":"00000001-0000-4000-8000-000000000001","client_order_id":"a1","reduced_by":"4.00","ts_ms":1795705445123}"#
    );
    assert_eq!(deltas(&x.events), vec![(Yes, s("0.4000"), s("-4.00"), Canceled)]);
    assert!(levels(&e, Yes).is_empty());
    assert_eq!(e.order("alice", &r.order_id).unwrap().status, OrderStatus::Canceled);
    assert_eq!((e.reserved("alice"), e.balance("alice").format()), (Money::ZERO, s("998.400000")));
    let err = e.cancel_order("alice", &r.order_id, NOW).unwrap_err();
    assert_eq!((err.status(), err.code()), (404, "not_found"));
    check_invariants(&e);
}

#[test]
fn ioc_partial_fill_cancels_the_rest() {
    let mut e = engine();
    gtc(&mut e, "carol", Ask, "3", "0.45");
    assert_eq!(levels(&e, No), vec![(s("0.5500"), s("3.00"))]);
    let r = ioc(&mut e, "alice", Bid, "5", "0.50");
    assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Canceled, c("3"), c("0")));
    assert_eq!(deltas(&r.events), vec![(No, s("0.5500"), s("-3.00"), Filled)]);
    let json = serde_json::to_string(&r.response()).unwrap();
    assert!(json.contains(r#""fill_count":"3.00","remaining_count":"0.00","average_fill_price":"0.4500""#), "{json}");
    assert!(levels(&e, No).is_empty() && levels(&e, Yes).is_empty());
    assert_eq!(e.position("alice", T).position, c("3"));
    check_invariants(&e);
}

#[test]
fn fill_or_kill_is_all_or_nothing() {
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "3", "0.45");
    gtc(&mut e, "carol", Ask, "2", "0.47");
    let book = e.orderbook(T, None).unwrap();
    let cash: Vec<(Money, Money)> = e.users().iter().map(|u| (e.cash(u), e.balance(u))).collect();
    for (count, price) in [("6", "0.47"), ("4", "0.46")] {
        let r = e.create_order("alice", &req(Bid, count, price, TimeInForce::FillOrKill), NOW).unwrap();
        assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Canceled, c("0"), c("0")));
        assert!(deltas(&r.events).is_empty() && fills(&r.events).is_empty() && trades(&r.events).is_empty());
        assert_eq!(e.orderbook(T, None).unwrap(), book);
        assert_eq!(e.users().iter().map(|u| (e.cash(u), e.balance(u))).collect::<Vec<_>>(), cash);
    }
    assert!(e.fills("alice", None, None).is_empty());

    let r = e.create_order("alice", &req(Bid, "5", "0.47", TimeInForce::FillOrKill), NOW).unwrap();
    assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Executed, c("5"), c("0")));
    // (3 × 0.45 + 2 × 0.47) / 5 = 0.458.
    assert_eq!(r.fills.average_price(), Some(m("0.458")));
    assert_eq!(trades(&r.events), vec![(s("0.4500"), s("3.00"), Bid), (s("0.4700"), s("2.00"), Bid)]);
    assert!(levels(&e, No).is_empty());
    check_invariants(&e);
}

#[test]
fn post_only_cross_is_rejected_or_canceled() {
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "1", "0.50");
    let mut po = req(Bid, "1", "0.50", TimeInForce::GoodTillCanceled).with_client_order_id("po-1");
    po.post_only = Some(true);
    let err = e.create_order("alice", &po, NOW).unwrap_err();
    assert_eq!(err, EngineError::PostOnlyCross);
    assert_eq!((err.status(), err.code(), err.details().as_deref()), (400, "invalid_order", Some("post only cross")));
    assert_eq!(
        err.body().to_json(),
        r#"{"error":{"code":"invalid_order","message":"invalid order","details":"post only cross"}}"#
    );
    // A rejected create does not consume the client order id.
    po.price = p("0.49");
    let ok = e.create_order("alice", &po, NOW).unwrap();
    assert_eq!((ok.status, ok.remaining_count), (OrderStatus::Resting, c("1")));
    assert_eq!(levels(&e, Yes), vec![(s("0.4900"), s("1.00"))]);

    let mut e = engine_with(EngineConfig { post_only: PostOnlyMode::Cancel, ..EngineConfig::default() });
    gtc(&mut e, "bob", Ask, "1", "0.50");
    let mut po = req(Bid, "1", "0.55", TimeInForce::GoodTillCanceled);
    po.post_only = Some(true);
    let r = e.create_order("alice", &po, NOW).unwrap();
    assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Canceled, c("0"), c("0")));
    assert_eq!(order_updates(&r.events)[0].2, Some(LastUpdateReason::PostOnlyCrossCancel));
    assert!(deltas(&r.events).is_empty());
    assert_eq!(levels(&e, No), vec![(s("0.5000"), s("1.00"))]);
    check_invariants(&e);
}

#[test]
fn duplicate_client_order_id_is_409_even_after_cancel() {
    let mut e = engine();
    let r =
        e.create_order("alice", &req(Bid, "1", "0.30", TimeInForce::GoodTillCanceled).with_client_order_id("x"), NOW);
    let id = r.unwrap().order_id;
    e.cancel_order("alice", &id, NOW).unwrap();
    let again = req(Bid, "1", "0.31", TimeInForce::GoodTillCanceled).with_client_order_id("x");
    let err = e.create_order("alice", &again, NOW).unwrap_err();
    assert_eq!((err.status(), err.code()), (409, "order_already_exists"));
    assert!(levels(&e, Yes).is_empty());
    // Ids are per user.
    assert!(e.create_order("bob", &again, NOW).is_ok());
}

#[test]
fn stp_taker_at_cross_cancels_the_incoming_order() {
    let mut e = engine();
    let own = gtc(&mut e, "alice", Ask, "5", "0.50").order_id;
    let r = ioc(&mut e, "alice", Bid, "3", "0.55");
    assert_eq!((r.status, r.fill_count(), r.remaining_count), (OrderStatus::Canceled, c("0"), c("0")));
    assert_eq!(
        order_updates(&r.events),
        vec![(r.order_id.clone(), OrderStatus::Canceled, Some(LastUpdateReason::SelfTradeCancel))]
    );
    assert!(deltas(&r.events).is_empty());
    assert_eq!(e.order("alice", &own).unwrap().remaining_count, c("5"));
    assert_eq!(levels(&e, No), vec![(s("0.5000"), s("5.00"))]);

    // Fills made before meeting the own order stand.
    gtc(&mut e, "bob", Ask, "2", "0.48");
    let r = ioc(&mut e, "alice", Bid, "5", "0.55");
    assert_eq!((r.status, r.fill_count()), (OrderStatus::Canceled, c("2")));
    assert_eq!(trades(&r.events), vec![(s("0.4800"), s("2.00"), Bid)]);
    assert_eq!(levels(&e, No), vec![(s("0.5000"), s("5.00"))]);
    check_invariants(&e);
}

#[test]
fn stp_maker_cancels_the_resting_order_and_goes_on() {
    let mut e = engine();
    let own = gtc(&mut e, "alice", Ask, "5", "0.50").order_id;
    gtc(&mut e, "bob", Ask, "3", "0.52");
    let mut r = req(Bid, "3", "0.55", TimeInForce::ImmediateOrCancel);
    r.self_trade_prevention_type = SelfTradePreventionType::Maker;
    let out = e.create_order("alice", &r, NOW).unwrap();
    assert_eq!((out.status, out.fill_count()), (OrderStatus::Executed, c("3")));
    assert_eq!(
        deltas(&out.events),
        vec![(No, s("0.5000"), s("-5.00"), Canceled), (No, s("0.4800"), s("-3.00"), Filled)]
    );
    let o = e.order("alice", &own).unwrap();
    assert_eq!((o.status, o.last_update_reason), (OrderStatus::Canceled, Some(LastUpdateReason::SelfTradeCancel)));
    assert_eq!(trades(&out.events), vec![(s("0.5200"), s("3.00"), Bid)]);
    // Her ask was canceled, not filled: she only bought 3 YES from bob.
    assert_eq!(e.position("alice", T).position, c("3"));
    check_invariants(&e);
}

#[test]
fn reduce_only_is_capped_by_the_position() {
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "3", "0.50");
    ioc(&mut e, "alice", Bid, "3", "0.50");
    gtc(&mut e, "carol", Bid, "10", "0.45");
    let mut r = req(Ask, "5", "0.45", TimeInForce::ImmediateOrCancel);
    r.reduce_only = Some(true);
    let out = e.create_order("alice", &r, NOW).unwrap();
    assert_eq!((out.fill_count(), out.remaining_count), (c("3"), c("0")));
    assert_eq!(e.position("alice", T).position, c("0"));
    assert_eq!(e.order("alice", &out.order_id).unwrap().initial_count, c("5"));
    // Nothing left to reduce: accepted and canceled, no NO position opened.
    let again = e.create_order("alice", &r, NOW).unwrap();
    assert_eq!((again.status, again.fill_count()), (OrderStatus::Canceled, c("0")));
    assert_eq!(order_updates(&again.events)[0].2, Some(LastUpdateReason::ReduceOnlyCancel));
    assert_eq!(e.position("alice", T).position, c("0"));
    assert_eq!(levels(&e, Yes), vec![(s("0.4500"), s("7.00"))]);
    check_invariants(&e);
}

#[test]
fn same_input_same_output() {
    let run = || {
        let mut e = engine();
        let mut all = Vec::new();
        all.extend(gtc(&mut e, "bob", Ask, "3", "0.45").events);
        all.extend(ioc(&mut e, "alice", Bid, "2", "0.50").events);
        all
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let EngineEvent::Trade(t) = a.iter().find(|e| matches!(e, EngineEvent::Trade(_))).unwrap() else { panic!() };
    assert_eq!(t.trade_id, "00000002-0000-4000-8000-000000000001");
    let ns = Engine::new(EngineConfig { id_namespace: 7, ..EngineConfig::default() });
    assert_eq!(ns.make_id(1, 2), "00000001-0007-4000-8000-000000000002");
}

#[test]
fn maker_that_cannot_pay_is_margin_canceled() {
    // With a 0.07 maker coefficient, 100 fills of 0.01 @ 0.50 cost 0.0002 of fee each
    // (0.000175 rounded up): 0.02 in all, more than the 0.0175 the bid reserved.
    let mut e = engine_with(EngineConfig { maker_fee_ppm: TAKER_FEE_PPM, ..EngineConfig::default() });
    assert!(e.open_account("eve", m("0.5175")));
    let id = gtc(&mut e, "eve", Bid, "1", "0.50").order_id;
    for _ in 0..99 {
        let r = ioc(&mut e, "bob", Ask, "0.01", "0.50");
        assert_eq!(r.fill_count(), c("0.01"));
    }
    assert_eq!(e.cash("eve").format(), "0.002700");
    let r = ioc(&mut e, "bob", Ask, "0.01", "0.50");
    assert_eq!((r.fill_count(), r.status), (c("0"), OrderStatus::Canceled));
    assert_eq!(deltas(&r.events), vec![(Yes, s("0.5000"), s("-0.01"), Canceled)]);
    let o = e.order("eve", &id).unwrap();
    assert_eq!(
        (o.status, o.fill_count, o.last_update_reason),
        (OrderStatus::Canceled, c("0.99"), Some(LastUpdateReason::MarginCancel))
    );
    assert_eq!(e.position("eve", T).position, c("0.99"));
    check_invariants(&e);
}

#[test]
fn fill_or_kill_counts_reduce_only_makers_after_their_owners_other_fills() {
    let mut e = engine();
    gtc(&mut e, "bob", Ask, "1", "0.50");
    ioc(&mut e, "carol", Bid, "1", "0.50");
    assert_eq!(e.position("bob", T).position, c("-1"));
    // Bob's plain bid fills first and already closes his 1 NO, so his reduce-only bid
    // behind it can close nothing: only 5 are really there for a FOK of 6.
    gtc(&mut e, "bob", Bid, "5", "0.47");
    let mut ro = req(Bid, "1", "0.46", TimeInForce::GoodTillCanceled);
    ro.reduce_only = Some(true);
    e.create_order("bob", &ro, NOW).unwrap();
    let book = e.orderbook(T, None).unwrap();
    let r = e.create_order("alice", &req(Ask, "6", "0.44", TimeInForce::FillOrKill), NOW).unwrap();
    assert_eq!((r.status, r.fill_count()), (OrderStatus::Canceled, c("0")));
    assert_eq!(e.orderbook(T, None).unwrap(), book);
    let r = e.create_order("alice", &req(Ask, "5", "0.44", TimeInForce::FillOrKill), NOW).unwrap();
    assert_eq!((r.status, r.fill_count()), (OrderStatus::Executed, c("5")));
    check_invariants(&e);
}

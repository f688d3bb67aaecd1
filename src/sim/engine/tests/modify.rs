//! Amend priority, amend that crosses, decrease, cancel-all, batches and queue positions.

use super::*;
use crate::kalshi::rest::{AmendOrderV2Request, DecreaseOrderV2Request, LastUpdateReason, OrderStatus};
use BookSide::{Ask, Bid};

fn amend(price: &str, count: &str) -> AmendOrderV2Request {
    AmendOrderV2Request {
        ticker: T.into(),
        side: Bid,
        price: p(price),
        count: c(count),
        client_order_id: None,
        updated_client_order_id: None,
        exchange_index: None,
    }
}

/// Alice then carol bid 5 @ 0.40; returns alice's order id.
fn two_bids(e: &mut Engine) -> String {
    let id = gtc(e, "alice", Bid, "5", "0.40").order_id;
    gtc(e, "carol", Bid, "5", "0.40");
    id
}

#[test]
fn decrease_keeps_queue_place() {
    let mut e = engine();
    let id = two_bids(&mut e);
    let a = e.amend_order("alice", &id, &amend("0.40", "4"), NOW).unwrap();
    assert!(a.kept_priority);
    assert_eq!(e.queue_position("alice", &id).unwrap(), c("0"));
    let r = ioc(&mut e, "bob", Ask, "4", "0.40");
    assert_eq!(fills(&r.events)[0].0, "alice");
    assert_eq!(e.order("alice", &id).unwrap().status, OrderStatus::Executed);
    check_invariants(&e);
}

#[test]
fn increase_and_reprice_lose_queue_place() {
    let mut e = engine();
    let id = two_bids(&mut e);
    let a = e.amend_order("alice", &id, &amend("0.40", "6"), NOW).unwrap();
    assert!(!a.kept_priority);
    assert_eq!(
        deltas(&a.events),
        vec![
            (Outcome::Yes, "0.4000".into(), "-5.00".into(), DeltaCause::Amended),
            (Outcome::Yes, "0.4000".into(), "6.00".into(), DeltaCause::Amended),
        ]
    );
    assert_eq!(e.queue_position("alice", &id).unwrap(), c("5"));
    let r = ioc(&mut e, "bob", Ask, "5", "0.40");
    assert_eq!(fills(&r.events)[0].0, "carol");
    assert_eq!(e.order("alice", &id).unwrap().remaining_count, c("6"));

    // Same size at a new price: back of the new level.
    let mut e = engine();
    let id = two_bids(&mut e);
    gtc(&mut e, "carol", Bid, "1", "0.39");
    let a = e.amend_order("alice", &id, &amend("0.39", "5"), NOW).unwrap();
    assert!(!a.kept_priority);
    assert_eq!(e.queue_position("alice", &id).unwrap(), c("1"));
    assert_eq!(levels(&e, Outcome::Yes), vec![("0.3900".into(), "6.00".into()), ("0.4000".into(), "5.00".into())]);
    check_invariants(&e);
}

#[test]
fn amend_across_the_spread_trades_at_the_resting_price() {
    let mut e = engine();
    let id = gtc(&mut e, "alice", Bid, "5", "0.40").order_id;
    gtc(&mut e, "bob", Ask, "3", "0.55");
    let a = e.amend_order("alice", &id, &amend("0.60", "5"), NOW).unwrap();
    assert_eq!((a.fills.count, a.remaining_count, a.status), (c("3"), c("2"), OrderStatus::Resting));
    assert_eq!(a.fills.average_price(), Some(m("0.55")));
    assert_eq!(trades(&a.events), vec![("0.5500".into(), "3.00".into(), Bid)]);
    let json = serde_json::to_string(&a.response()).unwrap();
    assert!(json.contains(r#""remaining_count":"2.00","fill_count":"3.00","average_fill_price":"0.5500""#), "{json}");
    assert_eq!(levels(&e, Outcome::Yes), vec![("0.6000".into(), "2.00".into())]);
    // Later fills keep counting toward the new total of 5.
    let err = e.amend_order("alice", &id, &amend("0.60", "3"), NOW).unwrap_err();
    assert_eq!(err.code(), "invalid_order_size");
    check_invariants(&e);
}

#[test]
fn amend_rejects() {
    let mut e = engine();
    let id = gtc(&mut e, "alice", Bid, "5", "0.40").order_id;
    let mut wrong_ticker = amend("0.40", "4");
    wrong_ticker.ticker = "OTHER".into();
    let mut wrong_side = amend("0.40", "4");
    wrong_side.side = Ask;
    let mut wrong_coid = amend("0.40", "4");
    wrong_coid.client_order_id = Some("nope".into());
    let cases = [
        (wrong_ticker, "order_ticker_mismatch"),
        (wrong_side, "order_side_mismatch"),
        (wrong_coid, "order_id_and_client_order_id_mismatch"),
        (amend("0.405", "4"), "invalid_price"),
        (amend("0.40", "0"), "invalid_order_size"),
        (amend("0.40", "100000"), "insufficient_balance"),
    ];
    let before = e.order("alice", &id).unwrap().clone();
    for (r, code) in cases {
        assert_eq!(e.amend_order("alice", &id, &r, NOW).unwrap_err().code(), code);
    }
    assert_eq!(e.order("alice", &id).unwrap(), &before);
    assert_eq!(e.amend_order("bob", &id, &amend("0.40", "4"), NOW).unwrap_err().code(), "not_found");
    // updated_client_order_id: new ids are registered, used ones are 409.
    gtc(&mut e, "alice", Bid, "1", "0.10");
    let mut upd = amend("0.40", "4");
    upd.updated_client_order_id = Some("fresh".into());
    let a = e.amend_order("alice", &id, &upd, NOW).unwrap();
    assert_eq!(a.client_order_id.as_deref(), Some("fresh"));
    let dup = req(Bid, "1", "0.20", TimeInForce::GoodTillCanceled).with_client_order_id("fresh");
    assert_eq!(e.create_order("alice", &dup, NOW).unwrap_err().status(), 409);
}

#[test]
fn decrease_by_and_to() {
    let mut e = engine();
    let id = two_bids(&mut e);
    let d = e.decrease_order("alice", &id, &DecreaseOrderV2Request::reduce_by(c("2")), NOW).unwrap();
    assert_eq!(d.remaining_count, c("3"));
    assert_eq!(deltas(&d.events), vec![(Outcome::Yes, "0.4000".into(), "-2.00".into(), DeltaCause::Decreased)]);
    assert_eq!(e.queue_position("alice", &id).unwrap(), c("0"));
    let d = e.decrease_order("alice", &id, &DecreaseOrderV2Request::reduce_to(c("5")), NOW).unwrap();
    assert!(d.events.is_empty());
    let both = DecreaseOrderV2Request { reduce_by: Some(c("1")), ..DecreaseOrderV2Request::reduce_to(c("1")) };
    assert_eq!(e.decrease_order("alice", &id, &both, NOW).unwrap_err().code(), "bad_request");
    assert_eq!(
        e.decrease_order("alice", &id, &DecreaseOrderV2Request::reduce_by(c("0")), NOW).unwrap_err().code(),
        "invalid_order_size"
    );
    let d = e.decrease_order("alice", &id, &DecreaseOrderV2Request::reduce_to(c("0")), NOW).unwrap();
    assert_eq!(d.remaining_count, c("0"));
    let o = e.order("alice", &id).unwrap();
    assert_eq!((o.status, o.last_update_reason), (OrderStatus::Canceled, Some(LastUpdateReason::Decrease)));
    assert_eq!(levels(&e, Outcome::Yes), vec![("0.4000".into(), "5.00".into())]);
    check_invariants(&e);
}

#[test]
fn cancel_all_and_batches() {
    let mut e = engine();
    let reqs = vec![
        req(Bid, "1", "0.30", TimeInForce::GoodTillCanceled),
        req(Bid, "1", "0.455", TimeInForce::GoodTillCanceled),
        req(Ask, "2", "0.70", TimeInForce::GoodTillCanceled),
    ];
    let out = e.create_orders("alice", &reqs, NOW);
    assert!(out[0].is_ok() && out[2].is_ok());
    assert_eq!(out[1].as_ref().unwrap_err().detail().code, "invalid_price");
    let item = out[0].as_ref().unwrap().batch_item();
    assert_eq!((item.fill_count, item.error), (Some(c("0")), None));
    gtc(&mut e, "bob", Bid, "1", "0.20");
    let ids = vec![out[0].as_ref().unwrap().order_id.clone(), "missing".to_owned()];
    let res = e.cancel_orders("alice", &ids, NOW);
    assert_eq!(res[0].as_ref().unwrap().reduced_by, c("1"));
    assert_eq!(res[1].as_ref().unwrap_err().status(), 404);
    let all = e.cancel_all("alice", None, NOW);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].reduced_by, c("2"));
    assert_eq!(levels(&e, Outcome::Yes), vec![("0.2000".into(), "1.00".into())]);
    assert!(levels(&e, Outcome::No).is_empty());
    assert_eq!(
        e.orders("alice", &OrderFilter { status: Some(OrderStatus::Resting), ..OrderFilter::default() }).len(),
        0
    );
    assert_eq!(
        e.orders("alice", &OrderFilter { status: Some(OrderStatus::Canceled), ticker: Some(T.into()) }).len(),
        2
    );
    check_invariants(&e);
}

#[test]
fn read_side_views() {
    let mut e = engine();
    gtc(&mut e, "alice", Bid, "2", "0.41");
    gtc(&mut e, "alice", Bid, "1", "0.43");
    gtc(&mut e, "bob", Ask, "3", "0.48");
    gtc(&mut e, "bob", Ask, "1.5", "0.45");
    let book = e.orderbook(T, None).unwrap();
    let json = serde_json::to_string(&book).unwrap();
    assert_eq!(
        json,
        r#"{"yes_dollars":[["0.4100","2.00"],["0.4300","1.00"]],"no_dollars":[["0.5200","3.00"],["0.5500","1.50"]]}"#
    );
    let top = e.orderbook(T, Some(1)).unwrap();
    assert_eq!((top.yes_dollars.len(), top.no_dollars[0].price), (1, p("0.55")));
    assert_eq!(e.best_yes_bid(T), Some((p("0.43"), c("1"))));
    assert_eq!(e.best_yes_ask(T), Some((p("0.45"), c("1.5"))));
    let r = ioc(&mut e, "carol", Bid, "1", "0.45");
    let f = &e.fills("carol", Some(T), Some(&r.order_id))[0];
    assert_eq!((f.fill_id.as_str(), f.is_taker, f.fee_cost.format()), (f.trade_id.as_str(), true, "0.017400".into()));
    assert_eq!(e.trades(Some(T))[0].taker_book_side, Some(Bid));
    assert_eq!(e.last_trade(T).map(|t| t.count), Some(c("1")));
    assert_eq!(e.volume(T), c("1"));
    let bal = e.balance_response("carol", NOW);
    assert_eq!((bal.balance, bal.balance_dollars.format_4dp()), (99953, "999.5326".into()));
    assert_eq!(bal.portfolio_value, 45);
}

//! Validation: every reject maps to the right status, code and body, and changes nothing.

use super::*;
use crate::kalshi::rest::{MarketStatus, OrderStatus};
use BookSide::{Ask, Bid};

#[test]
fn create_rejects() {
    let mut e = engine();
    let gtc_req = |count: &str, price: &str| req(Bid, count, price, TimeInForce::GoodTillCanceled);
    let mut unknown = gtc_req("1", "0.50");
    unknown.ticker = "NOPE".into();
    let mut ioc_exp = req(Bid, "1", "0.50", TimeInForce::ImmediateOrCancel);
    ioc_exp.expiration_time = Some(NOW / 1000 + 60);
    let mut fok_exp = req(Bid, "1", "0.50", TimeInForce::FillOrKill);
    fok_exp.expiration_time = Some(NOW / 1000 + 60);
    let mut past = gtc_req("1", "0.50");
    past.expiration_time = Some(NOW / 1000);
    let mut stp = gtc_req("1", "0.50");
    stp.self_trade_prevention_type = SelfTradePreventionType::Unknown;
    let cases = [
        (unknown, 404, "not_found"),
        (gtc_req("1", "0.455"), 400, "invalid_price"),
        (gtc_req("1", "0"), 400, "invalid_price"),
        (gtc_req("1", "1"), 400, "invalid_price"),
        (gtc_req("0", "0.50"), 400, "invalid_order_size"),
        (gtc_req("-1", "0.50"), 400, "invalid_order_size"),
        (gtc_req("1000000001", "0.50"), 400, "invalid_order_size"),
        (ioc_exp, 400, "invalid_order"),
        (fok_exp, 400, "invalid_order"),
        (past, 400, "invalid_order"),
        (stp, 400, "bad_request"),
        (gtc_req("10000", "0.50"), 400, "insufficient_balance"),
    ];
    for (r, status, code) in cases {
        let err = e.create_order("alice", &r, NOW).unwrap_err();
        assert_eq!((err.status(), err.code()), (status, code), "{r:?}: {err}");
    }
    assert!(e.orders("alice", &OrderFilter::default()).is_empty());
    assert_eq!(e.balance("alice"), m("1000"));
    let err = e.create_order("alice", &gtc_req("1", "0.455"), NOW).unwrap_err();
    assert_eq!(
        err.body().to_json(),
        r#"{"error":{"code":"invalid_price","message":"price 0.4550 is not a valid price for this market"}}"#
    );
    let err = EngineError::BadRequest("json: cannot unmarshal number".into());
    assert_eq!(
        err.body().to_json(),
        r#"{"code":"bad_request","message":"bad request","details":"json: cannot unmarshal number"}"#
    );
}

#[test]
fn lifecycle_gates_orders() {
    let mut e = engine();
    let keep = gtc(&mut e, "alice", Bid, "1", "0.40").order_id;
    let mut pausable = req(Bid, "1", "0.41", TimeInForce::GoodTillCanceled);
    pausable.cancel_order_on_pause = Some(true);
    let paused_away = e.create_order("alice", &pausable, NOW).unwrap().order_id;
    let ev = e.set_market_status(T, MarketStatus::Inactive, NOW).unwrap();
    assert_eq!(
        order_updates(&ev),
        vec![(paused_away, OrderStatus::Canceled, Some(crate::kalshi::rest::LastUpdateReason::HaltCancel))]
    );
    // Paused: no new orders, cancels allowed.
    let err = e.create_order("bob", &req(Ask, "1", "0.40", TimeInForce::GoodTillCanceled), NOW).unwrap_err();
    assert_eq!((err.status(), err.code()), (409, "market_closed"));
    let second = gtc_in(&mut e, MarketStatus::Active);
    // Reactivation canceled the remaining resting order.
    assert_eq!(e.order("alice", &keep).unwrap().status, OrderStatus::Canceled);
    assert_eq!(second.status, OrderStatus::Resting);
    e.set_market_status(T, MarketStatus::Closed, NOW).unwrap();
    assert_eq!(e.order("alice", &second.order_id).unwrap().status, OrderStatus::Canceled);
    assert!(levels(&e, Outcome::Yes).is_empty());
    assert_eq!(e.cancel_order("alice", &second.order_id, NOW).unwrap_err().code(), "not_found");
    assert!(e.set_market_status(T, MarketStatus::Finalized, NOW).is_err());
    check_invariants(&e);
}

fn gtc_in(e: &mut Engine, status: MarketStatus) -> CreateOutcome {
    e.set_market_status(T, status, NOW).unwrap();
    gtc(e, "alice", Bid, "1", "0.40")
}

#[test]
fn expired_orders_are_canceled() {
    let mut e = engine();
    let mut r = req(Bid, "2", "0.40", TimeInForce::GoodTillCanceled);
    r.expiration_time = Some(NOW / 1000 + 10);
    let id = e.create_order("alice", &r, NOW).unwrap().order_id;
    assert!(e.expire_orders(NOW + 5_000).is_empty());
    let ev = e.expire_orders(NOW / 1000 * 1000 + 10_000);
    assert_eq!(deltas(&ev), vec![(Outcome::Yes, "0.4000".into(), "-2.00".into(), DeltaCause::Canceled)]);
    let o = e.order("alice", &id).unwrap();
    assert_eq!(
        (o.status, o.last_update_reason),
        (OrderStatus::Canceled, Some(crate::kalshi::rest::LastUpdateReason::ExpiryCancel))
    );
    assert_eq!(e.balance("alice"), m("1000"));
    // An expired order never trades: a later taker call expires it first.
    r.expiration_time = Some(NOW / 1000 + 10);
    e.create_order("alice", &r, NOW).unwrap();
    let late = NOW + 20_000;
    let out = e.create_order("bob", &req(Ask, "1", "0.40", TimeInForce::ImmediateOrCancel), late).unwrap();
    assert_eq!(out.fill_count(), c("0"));
    assert_eq!(order_updates(&out.events)[0].2, Some(crate::kalshi::rest::LastUpdateReason::ExpiryCancel));
    check_invariants(&e);
}

#[test]
fn market_setup_errors() {
    let mut e = engine();
    assert_eq!(e.add_market(MarketSpec::linear_cent(T)).unwrap_err().status(), 409);
    let mut bad = MarketSpec::linear_cent("EMPTY-GRID");
    bad.price_ranges.clear();
    assert_eq!(e.add_market(bad).unwrap_err().code(), "bad_request");
    assert_eq!(e.orderbook("NOPE", None).unwrap_err().status(), 404);
    assert_eq!(MarketSpec::linear_cent(T).event_ticker, "KXTEST-26DEC31");
    assert_eq!(rfc3339_ms(NOW), "2026-11-26T15:04:05.123000Z");
    assert_eq!(rfc3339_ms(951_782_400_000), "2000-02-29T00:00:00.000000Z");
    assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000000Z");
}

#[test]
fn sub_cent_grid_is_enforced() {
    let mut e = engine();
    let mut spec = MarketSpec::linear_cent("KXDECI");
    spec.price_ranges = vec![crate::kalshi::rest::PriceRange { start: p("0"), end: p("1"), step: p("0.001") }];
    e.add_market(spec).unwrap();
    let mut r = req(Bid, "1", "0.455", TimeInForce::GoodTillCanceled);
    r.ticker = "KXDECI".into();
    assert!(e.create_order("alice", &r, NOW).is_ok());
    r.price = p("0.4555");
    assert_eq!(e.create_order("alice", &r, NOW).unwrap_err().code(), "invalid_price");
}

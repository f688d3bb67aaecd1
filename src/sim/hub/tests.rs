//! Hub tests: scripted command/event sequences with every frame checked, as a client
//! would see them.

use serde_json::Value;

use super::*;
use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{CreateOrderV2Request, SelfTradePreventionType, TimeInForce};
use crate::sim::engine::{EngineConfig, MarketSpec};
use crate::sim::faults::{FaultConfig, FaultInjector};

const A: &str = "KXA-26DEC31-T1";
const B: &str = "KXB-26DEC31-T2";
const NOW: i64 = 1_795_705_445_123;

fn setup() -> (Hub, Engine) {
    let mut e = Engine::new(EngineConfig::default());
    for t in [A, B] {
        e.add_market(MarketSpec::linear_cent(t)).unwrap();
    }
    for u in ["alice", "bob"] {
        e.open_account(u, Money::from_cents(100_000));
    }
    (Hub::new(FaultInjector::new(FaultConfig::default(), 1)), e)
}

fn order(
    e: &mut Engine,
    user: &str,
    ticker: &str,
    side: BookSide,
    count: i64,
    cents: u16,
    tif: TimeInForce,
) -> Vec<EngineEvent> {
    let req = CreateOrderV2Request::new(
        ticker,
        side,
        Count::contracts(count),
        Price::from_cents(cents).unwrap(),
        tif,
        SelfTradePreventionType::TakerAtCross,
    )
    .with_client_order_id(format!("{user}-{ticker}-{cents}"));
    e.create_order(user, &req, NOW).unwrap().events
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn for_conn(out: &[Out], conn: ConnId) -> Vec<Value> {
    out.iter().filter(|o| o.conn == conn).map(|o| json(&o.text)).collect()
}

#[test]
fn orderbook_subscription_like_a_client_sees_it() {
    let (mut hub, mut e) = setup();
    let alice = hub.connect("alice");
    let bob = hub.connect("bob");
    order(&mut e, "bob", A, BookSide::Bid, 5, 40, TimeInForce::GoodTillCanceled);
    let sub = format!(
        r#"{{"id":1,"cmd":"subscribe","params":{{"channels":["orderbook_delta"],"market_tickers":["{A}","{B}"],"use_yes_price":false}}}}"#
    );
    let replies: Vec<Value> = hub.command(alice, &sub, &e, NOW).iter().map(|t| json(t)).collect();
    assert_eq!(replies[0], json(r#"{"type":"subscribed","id":1,"msg":{"channel":"orderbook_delta","sid":1}}"#));
    assert_eq!((replies[1]["type"].as_str(), replies[1]["seq"].as_u64()), (Some("orderbook_snapshot"), Some(1)));
    assert_eq!(replies[1]["msg"]["yes_dollars_fp"], json(r#"[["0.4000","5.00"]]"#));
    assert!(replies[1]["msg"].get("no_dollars_fp").is_none(), "empty side omitted");
    assert_eq!((replies[2]["msg"]["market_ticker"].as_str(), replies[2]["seq"].as_u64()), (Some(B), Some(2)));
    hub.command(bob, &sub, &e, NOW);

    // Alice's own ask at 0.55 shows as a NO bid at 0.45; only alice sees her client_order_id.
    let events = order(&mut e, "alice", B, BookSide::Ask, 3, 55, TimeInForce::GoodTillCanceled);
    let out = hub.publish(&events, &e, NOW);
    let a = for_conn(&out, alice);
    let b = for_conn(&out, bob);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0]["type"], "orderbook_delta");
    assert_eq!(a[0]["seq"], 3, "seq continues across markets");
    assert_eq!(a[0]["msg"]["side"], "no");
    assert_eq!(a[0]["msg"]["price_dollars"], "0.4500");
    assert_eq!(a[0]["msg"]["delta_fp"], "3.00");
    assert_eq!(a[0]["msg"]["client_order_id"], format!("alice-{B}-55"));
    assert!(b[0]["msg"].get("client_order_id").is_none());

    // add_markets is acknowledged with ok (consuming a seq); get_snapshot answers with id.
    let upd = r#"{"id":2,"cmd":"update_subscription","params":{"sid":1,"action":"delete_markets","market_tickers":["KXB-26DEC31-T2"]}}"#;
    let r = hub.command(alice, upd, &e, NOW);
    assert_eq!(
        json(&r[0]),
        json(r#"{"type":"ok","id":2,"sid":1,"seq":4,"msg":{"market_tickers":["KXA-26DEC31-T1"]}}"#)
    );
    let upd = format!(
        r#"{{"id":3,"cmd":"update_subscription","params":{{"sids":[1],"action":"add_markets","market_tickers":["{B}"]}}}}"#
    );
    let r: Vec<Value> = hub.command(alice, &upd, &e, NOW).iter().map(|t| json(t)).collect();
    assert_eq!((r[0]["type"].as_str(), r[0]["seq"].as_u64()), (Some("ok"), Some(5)));
    assert_eq!((r[1]["type"].as_str(), r[1]["seq"].as_u64()), (Some("orderbook_snapshot"), Some(6)));
    let snap = format!(
        r#"{{"id":4,"cmd":"update_subscription","params":{{"sid":1,"action":"get_snapshot","market_tickers":["{A}"]}}}}"#
    );
    let r = json(&hub.command(alice, &snap, &e, NOW)[0]);
    assert_eq!((r["id"].as_u64(), r["seq"].as_u64()), (Some(4), Some(7)));
    let r = json(&hub.command(alice, r#"{"id":5,"cmd":"unsubscribe","params":{"sids":[1]}}"#, &e, NOW)[0]);
    assert_eq!(r, json(r#"{"type":"unsubscribed","id":5,"sid":1,"seq":8}"#));
    assert!(hub
        .publish(&order(&mut e, "bob", A, BookSide::Bid, 1, 41, TimeInForce::GoodTillCanceled), &e, NOW)
        .iter()
        .all(|o| o.conn != alice));
}

#[test]
fn use_yes_price_reports_no_levels_in_yes_terms() {
    let (mut hub, mut e) = setup();
    order(&mut e, "bob", A, BookSide::Ask, 2, 52, TimeInForce::GoodTillCanceled);
    let c = hub.connect("alice");
    let sub = format!(
        r#"{{"id":1,"cmd":"subscribe","params":{{"channels":["orderbook_delta"],"market_ticker":"{A}","use_yes_price":true}}}}"#
    );
    let r = json(&hub.command(c, &sub, &e, NOW)[1]);
    assert_eq!(r["msg"]["no_dollars_fp"], json(r#"[["0.5200","2.00"]]"#));
    let out = hub.publish(&order(&mut e, "bob", A, BookSide::Ask, 1, 60, TimeInForce::GoodTillCanceled), &e, NOW);
    assert_eq!(json(&out[0].text)["msg"]["price_dollars"], "0.6000");
}

#[test]
fn private_channels_go_to_their_owner_only() {
    let (mut hub, mut e) = setup();
    let alice = hub.connect("alice");
    let bob = hub.connect("bob");
    for c in [alice, bob] {
        hub.command(
            c,
            r#"{"id":1,"cmd":"subscribe","params":{"channels":["fill","user_orders","market_positions","trade"]}}"#,
            &e,
            NOW,
        );
    }
    hub.publish(&order(&mut e, "bob", A, BookSide::Ask, 4, 50, TimeInForce::GoodTillCanceled), &e, NOW);
    let out = hub.publish(&order(&mut e, "alice", A, BookSide::Bid, 3, 55, TimeInForce::ImmediateOrCancel), &e, NOW);
    let kinds = |c| for_conn(&out, c).iter().map(|v| v["type"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    for c in [alice, bob] {
        let k = kinds(c);
        assert!(k.contains(&"fill".to_owned()) && k.contains(&"user_order".to_owned()), "{k:?}");
        assert!(k.contains(&"market_position".to_owned()) && k.contains(&"trade".to_owned()), "{k:?}");
    }
    let alice_fill = for_conn(&out, alice).into_iter().find(|v| v["type"] == "fill").unwrap();
    assert_eq!(alice_fill["msg"]["is_taker"], true);
    assert_eq!(alice_fill["msg"]["yes_price_dollars"], "0.5000", "executes at the resting price");
    assert_eq!(alice_fill["msg"]["post_position_fp"], "3.00");
    assert_eq!(alice_fill["msg"]["fee_cost"], "0.052500"); // 0.07 × 3 × 0.5 × 0.5
    let bob_fill = for_conn(&out, bob).into_iter().find(|v| v["type"] == "fill").unwrap();
    assert_eq!(
        (bob_fill["msg"]["is_taker"].as_bool(), bob_fill["msg"]["post_position_fp"].as_str()),
        (Some(false), Some("-3.00"))
    );
    let trade = for_conn(&out, alice).into_iter().find(|v| v["type"] == "trade").unwrap();
    assert_eq!((trade["msg"]["taker_book_side"].as_str(), trade["seq"].as_u64()), (Some("bid"), Some(1)));
}

#[test]
fn command_errors_and_listing() {
    let (mut hub, e) = setup();
    let c = hub.connect("alice");
    let err = |t: &str, hub: &mut Hub| json(&hub.command(c, t, &e, NOW)[0])["msg"]["code"].as_u64();
    assert_eq!(err(r#"{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"]}}"#, &mut hub), Some(14));
    assert_eq!(err(r#"{"id":2,"cmd":"unsubscribe","params":{"sids":[9]}}"#, &mut hub), Some(7));
    assert_eq!(
        err(r#"{"id":3,"cmd":"subscribe","params":{"channels":["ticker"],"market_tickers":["NOPE"]}}"#, &mut hub),
        Some(11)
    );
    assert_eq!(err("garbage", &mut hub), Some(1));
    hub.command(c, r#"{"id":4,"cmd":"subscribe","params":{"channels":["ticker","trade"]}}"#, &e, NOW);
    let list = json(&hub.command(c, r#"{"id":5,"cmd":"list_subscriptions"}"#, &e, NOW)[0]);
    assert_eq!(list, json(r#"{"type":"ok","id":5,"msg":[{"channel":"ticker","sid":1},{"channel":"trade","sid":2}]}"#));
    let r = json(&hub.command(c, r#"{"id":6,"cmd":"update_subscription","params":{"sid":2,"action":"get_snapshot","market_tickers":["KXA-26DEC31-T1"]}}"#, &e, NOW)[0]);
    assert_eq!((r["msg"]["code"].as_u64(), r["sid"].as_u64()), (Some(13), Some(2)));
}

#[test]
fn ticker_frames_only_when_something_changed() {
    let (mut hub, mut e) = setup();
    let c = hub.connect("alice");
    hub.command(
        c,
        &format!(r#"{{"id":1,"cmd":"subscribe","params":{{"channels":["ticker"],"market_tickers":["{A}"]}}}}"#),
        &e,
        NOW,
    );
    let out = hub.publish(&order(&mut e, "bob", A, BookSide::Bid, 2, 30, TimeInForce::GoodTillCanceled), &e, NOW);
    assert_eq!(out.len(), 1);
    let t = json(&out[0].text);
    assert_eq!(
        (t["msg"]["yes_bid_dollars"].as_str(), t["msg"]["yes_bid_size_fp"].as_str()),
        (Some("0.3000"), Some("2.00"))
    );
    assert!(t.get("seq").is_none(), "ticker has no seq");
    // A level below the touch changes no ticker field.
    let out = hub.publish(&order(&mut e, "bob", A, BookSide::Bid, 2, 20, TimeInForce::GoodTillCanceled), &e, NOW);
    assert!(out.is_empty(), "{out:?}");
    // Another market is not subscribed.
    assert!(hub
        .publish(&order(&mut e, "bob", B, BookSide::Bid, 2, 30, TimeInForce::GoodTillCanceled), &e, NOW)
        .is_empty());
}

#[test]
fn injected_gap_is_visible_in_seq() {
    let (_, mut e) = setup();
    let mut hub = Hub::new(FaultInjector::new(FaultConfig { skip_seq_prob: 1.0, ..Default::default() }, 3));
    let c = hub.connect("alice");
    hub.command(
        c,
        &format!(
            r#"{{"id":1,"cmd":"subscribe","params":{{"channels":["orderbook_delta"],"market_tickers":["{A}"]}}}}"#
        ),
        &e,
        NOW,
    );
    let out = hub.publish(&order(&mut e, "bob", A, BookSide::Bid, 2, 30, TimeInForce::GoodTillCanceled), &e, NOW);
    assert_eq!(json(&out[0].text)["seq"], 3, "snapshot was seq 1; 2 was skipped");
}

#[test]
fn stalled_market_goes_quiet_while_others_flow() {
    let (_, mut e) = setup();
    let mut hub = Hub::new(FaultInjector::new(FaultConfig { stall_market: Some(A.into()), ..Default::default() }, 3));
    let c = hub.connect("alice");
    hub.command(
        c,
        &format!(
            r#"{{"id":1,"cmd":"subscribe","params":{{"channels":["orderbook_delta"],"market_tickers":["{A}","{B}"]}}}}"#
        ),
        &e,
        NOW,
    );
    assert!(hub
        .publish(&order(&mut e, "bob", A, BookSide::Bid, 2, 30, TimeInForce::GoodTillCanceled), &e, NOW)
        .is_empty());
    let out = hub.publish(&order(&mut e, "bob", B, BookSide::Bid, 2, 30, TimeInForce::GoodTillCanceled), &e, NOW);
    assert_eq!(json(&out[0].text)["seq"], 3);
}

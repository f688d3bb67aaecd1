//! The simulator's WebSocket through a real signed client: subscriptions, seq continuity,
//! own-order deltas, both NO pricings, injected faults, determinism for a seed.

use std::time::Duration;

use kalshi_actor::domain::{BookSide, Count, Price};
use kalshi_actor::kalshi::rest::{CreateOrderV2Request, CreateOrderV2Response, SelfTradePreventionType, TimeInForce};
use kalshi_actor::sim::faults::FaultConfig;
use kalshi_actor::sim::flow::FlowConfig;
use serde_json::{json, Value};

use crate::support::sim::{TestSim, Ws};

const WAIT: Duration = Duration::from_secs(5);
const T0: i64 = 1_795_705_445_000;

async fn place(
    sim: &TestSim,
    user: usize,
    ticker: &str,
    side: BookSide,
    count: i64,
    cents: u16,
    coid: &str,
) -> CreateOrderV2Response {
    let req = CreateOrderV2Request::new(
        ticker,
        side,
        Count::contracts(count),
        Price::from_cents(cents).unwrap(),
        TimeInForce::GoodTillCanceled,
        SelfTradePreventionType::TakerAtCross,
    )
    .with_client_order_id(coid);
    sim.users[user].rest.call(awc::http::Method::POST, "/portfolio/events/orders", Some(&req)).await.unwrap()
}

/// Subscribes `ws` to the order book of `tickers`; returns the sid after the snapshots.
async fn subscribe_book(ws: &mut Ws, tickers: &[String], use_yes_price: bool) -> u64 {
    let id = ws
        .cmd(
            "subscribe",
            json!({"channels": ["orderbook_delta"], "market_tickers": tickers, "use_yes_price": use_yes_price}),
        )
        .await;
    let sub = ws.next(WAIT).await;
    assert_eq!((sub["type"].as_str(), sub["id"].as_u64()), (Some("subscribed"), Some(id)), "{sub}");
    for (i, t) in tickers.iter().enumerate() {
        let snap = ws.next(WAIT).await;
        assert_eq!(snap["type"], "orderbook_snapshot", "{snap}");
        assert_eq!(
            (snap["seq"].as_u64(), snap["msg"]["market_ticker"].as_str()),
            (Some(i as u64 + 1), Some(t.as_str()))
        );
    }
    sub["msg"]["sid"].as_u64().unwrap()
}

#[actix_web::test]
async fn unsigned_handshake_is_refused_with_kalshis_body() {
    let sim = TestSim::start(1, |_| {});
    let Err(err) = sim.anonymous().connect_ws(&sim.handle.ws_url).await else { panic!("unsigned upgrade accepted") };
    assert!(matches!(err, kalshi_actor::kalshi::client::ClientError::Handshake { status: 401 }), "{err}");
    let url = sim.handle.ws_url.replace("ws://", "http://");
    let mut resp = awc::Client::new().get(url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let body = resp.body().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        r#"{"error":{"code":"signature_is_missing_from_headers","message":"signature is missing from headers"}}"#
    );
}

#[actix_web::test]
async fn own_orders_show_with_client_order_id_and_seq_runs_across_markets_and_acks() {
    let sim = TestSim::start(2, |_| {});
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(2).collect();
    let mut mine = sim.ws(0).await;
    let mut theirs = sim.ws(1).await;
    let sid = subscribe_book(&mut mine, &tickers, false).await;
    subscribe_book(&mut theirs, &tickers, false).await;

    place(&sim, 0, &tickers[0], BookSide::Bid, 5, 40, "mine-1").await;
    let d = mine.next(WAIT).await;
    assert_eq!(
        (d["type"].as_str(), d["seq"].as_u64(), d["sid"].as_u64()),
        (Some("orderbook_delta"), Some(3), Some(sid))
    );
    assert_eq!(
        d["msg"],
        json!({"market_ticker": tickers[0], "market_id": d["msg"]["market_id"], "price_dollars": "0.4000",
        "delta_fp": "5.00", "side": "yes", "ts_ms": d["msg"]["ts_ms"], "client_order_id": "mine-1", "subaccount": 0})
    );
    let other = theirs.next(WAIT).await;
    assert_eq!(other["seq"], 3);
    assert!(other["msg"].get("client_order_id").is_none(), "{other}");

    // The ack of an update consumes a seq; the next delta (other market) follows it.
    let id = mine
        .cmd("update_subscription", json!({"sid": sid, "action": "get_snapshot", "market_tickers": [tickers[1]]}))
        .await;
    let snap = mine.next(WAIT).await;
    assert_eq!(
        (snap["type"].as_str(), snap["id"].as_u64(), snap["seq"].as_u64()),
        (Some("orderbook_snapshot"), Some(id), Some(4))
    );
    mine.cmd("update_subscription", json!({"sid": sid, "action": "delete_markets", "market_tickers": [tickers[1]]}))
        .await;
    assert_eq!(mine.next(WAIT).await["seq"], 5);
    mine.cmd("update_subscription", json!({"sid": sid, "action": "add_markets", "market_tickers": [tickers[1]]})).await;
    let ok = mine.next(WAIT).await;
    assert_eq!((ok["type"].as_str(), ok["seq"].as_u64()), (Some("ok"), Some(6)));
    assert_eq!(mine.next(WAIT).await["seq"], 7, "fresh snapshot of the re-added market");
    place(&sim, 1, &tickers[1], BookSide::Ask, 2, 60, "theirs-1").await;
    let d = mine.next(WAIT).await;
    assert_eq!(
        (d["seq"].as_u64(), d["msg"]["side"].as_str(), d["msg"]["price_dollars"].as_str()),
        (Some(8), Some("no"), Some("0.4000"))
    );
    let id = mine.cmd("unsubscribe", json!({"sids": [sid]})).await;
    assert_eq!(mine.next(WAIT).await, json!({"type": "unsubscribed", "id": id, "sid": sid, "seq": 9}));
}

#[actix_web::test]
async fn yes_price_mode_reports_the_same_level_in_yes_terms() {
    let sim = TestSim::start(1, |_| {});
    let t = vec![sim.ticker()];
    let mut no_leg = sim.ws(0).await;
    let mut yes_leg = sim.ws(0).await;
    subscribe_book(&mut no_leg, &t, false).await;
    subscribe_book(&mut yes_leg, &t, true).await;
    place(&sim, 0, &t[0], BookSide::Ask, 3, 52, "a").await;
    assert_eq!(no_leg.next(WAIT).await["msg"]["price_dollars"], "0.4800");
    assert_eq!(yes_leg.next(WAIT).await["msg"]["price_dollars"], "0.5200");
}

#[actix_web::test]
async fn injected_gap_duplicate_and_garbage_reach_the_client() {
    let faults = FaultConfig { skip_seq_prob: 1.0, duplicate_prob: 1.0, malformed_prob: 1.0, ..Default::default() };
    let sim = TestSim::start(1, |c| c.faults = faults);
    let t = vec![sim.ticker()];
    let mut ws = sim.ws(0).await;
    subscribe_book(&mut ws, &t, false).await;
    place(&sim, 0, &t[0], BookSide::Bid, 1, 30, "x").await;
    let first = ws.next(WAIT).await;
    let dup = ws.next(WAIT).await;
    assert_eq!(first, dup, "duplicated frame");
    assert_eq!(first["seq"], 3, "seq 2 was skipped: a gap the client must see");
    let garbage = ws.next_text(WAIT).await;
    assert!(serde_json::from_str::<Value>(&garbage).is_err(), "{garbage}");
}

#[actix_web::test]
async fn disconnect_fault_closes_the_socket() {
    let faults = FaultConfig { disconnect_every: Some(Duration::from_millis(200)), ..Default::default() };
    let sim = TestSim::start(1, |c| c.faults = faults);
    let mut ws = sim.ws(0).await;
    assert!(ws.closed_within(WAIT).await);
}

#[actix_web::test]
async fn stalled_market_is_silent_while_others_flow() {
    let sim = TestSim::start(1, |_| {});
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(2).collect();
    let sim = {
        drop(sim);
        let stalled = tickers[0].clone();
        TestSim::start(1, move |c| c.faults.stall_market = Some(stalled))
    };
    let mut ws = sim.ws(0).await;
    subscribe_book(&mut ws, &tickers, false).await;
    place(&sim, 0, &tickers[0], BookSide::Bid, 1, 30, "stalled").await;
    place(&sim, 0, &tickers[1], BookSide::Bid, 1, 30, "live").await;
    let d = ws.next(WAIT).await;
    assert_eq!((d["msg"]["market_ticker"].as_str(), d["seq"].as_u64()), (Some(tickers[1].as_str()), Some(3)));
}

/// Everything a subscriber to every order book and trade sees over `steps` manual steps.
async fn flow_frames(seed: u64, steps: i64) -> Vec<String> {
    let sim = TestSim::start(1, |c| {
        c.seed = seed;
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
    });
    let tickers = sim.handle.sim.lock().engine.tickers();
    let mut ws = sim.ws(0).await;
    subscribe_book(&mut ws, &tickers, false).await;
    ws.cmd("subscribe", json!({"channels": ["trade"]})).await;
    ws.next(WAIT).await;
    for i in 0..steps {
        sim.handle.sim.lock().step(T0 + i * 100);
    }
    let id = ws.cmd("list_subscriptions", Value::Null).await;
    let (_, frames) = ws.until(WAIT, |v| v["id"].as_u64() == Some(id) && v["type"] == "ok").await;
    frames.into_iter().map(|v| v.to_string()).collect()
}

#[actix_web::test]
async fn the_same_seed_gives_the_same_frames() {
    let a = flow_frames(42, 30).await;
    let b = flow_frames(42, 30).await;
    let c = flow_frames(43, 30).await;
    assert!(a.len() > 30, "flow produced only {} frames", a.len());
    assert!(a.iter().any(|f| f.contains("\"type\":\"trade\"")), "no trade in 30 steps");
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Seq runs without gaps per sid.
    let mut last = std::collections::BTreeMap::new();
    for f in &a {
        let v: Value = serde_json::from_str(f).unwrap();
        if let (Some(sid), Some(seq)) = (v["sid"].as_u64(), v["seq"].as_u64()) {
            let prev = last.insert(sid, seq);
            assert!(prev.is_none_or(|p| p + 1 == seq), "gap on sid {sid}: {prev:?} → {seq}");
        }
    }
}

#[actix_web::test]
async fn the_server_pings_with_heartbeat() {
    let sim = TestSim::start(1, |c| c.ping_every = Duration::from_millis(50));
    let mut ws = sim.ws(0).await;
    assert_eq!(ws.next_ping(WAIT).await, b"heartbeat".to_vec());
}

#[actix_web::test]
async fn slow_and_lost_acks_still_execute_the_order() {
    use kalshi_actor::kalshi::client::{ClientError, RestClient};
    use kalshi_actor::kalshi::rest::OrdersResponse;
    let faults = FaultConfig { ack_delay: Some(Duration::from_millis(300)), ..Default::default() };
    let sim = TestSim::start(1, |c| c.faults = faults);
    let t = sim.ticker();
    let started = std::time::Instant::now();
    place(&sim, 0, &t, BookSide::Bid, 1, 30, "slow").await;
    assert!(started.elapsed() >= Duration::from_millis(300), "ack came after {:?}", started.elapsed());

    let faults = FaultConfig { ack_drop_prob: 1.0, ..Default::default() };
    let sim = TestSim::start(1, |c| c.faults = faults);
    let impatient =
        RestClient::new(sim.handle.rest_url.clone(), Some(sim.users[0].signer.clone()), Duration::from_millis(300));
    let req = CreateOrderV2Request::new(
        sim.ticker(),
        BookSide::Bid,
        Count::contracts(2),
        Price::from_cents(31).unwrap(),
        TimeInForce::GoodTillCanceled,
        SelfTradePreventionType::TakerAtCross,
    )
    .with_client_order_id("lost-ack");
    let err = impatient
        .call::<_, CreateOrderV2Response>(awc::http::Method::POST, "/portfolio/events/orders", Some(&req))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err}");
    let resting: OrdersResponse = sim.users[0].rest.get("/portfolio/orders?status=resting").await.unwrap();
    assert_eq!(resting.orders.len(), 1);
    assert_eq!(resting.orders[0].client_order_id, "lost-ack");
}

#[actix_web::test]
async fn reordered_frames_arrive_swapped() {
    let sim = TestSim::start(1, |c| c.faults = FaultConfig { reorder_prob: 1.0, ..Default::default() });
    let t = vec![sim.ticker()];
    let mut ws = sim.ws(0).await;
    subscribe_book(&mut ws, &t, false).await;
    // A batch publishes its deltas together: the first is held and sent after the second.
    let body = json!({"orders": [
        {"ticker": t[0], "side": "bid", "count": "1", "price": "0.30", "time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"},
        {"ticker": t[0], "side": "bid", "count": "1", "price": "0.31", "time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"}
    ]});
    let _: Value =
        sim.users[0].rest.call(awc::http::Method::POST, "/portfolio/events/orders/batched", Some(&body)).await.unwrap();
    let a = ws.next(WAIT).await;
    let b = ws.next(WAIT).await;
    let seqs = (a["seq"].as_u64().unwrap(), b["seq"].as_u64().unwrap());
    assert_eq!(seqs.0 + seqs.1, 2 + 3, "{a} {b}");
    assert!(seqs.0 > seqs.1, "frames out of order: {seqs:?}");
}

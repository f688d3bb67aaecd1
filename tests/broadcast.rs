//! The Broadcaster over real WebSockets: every reading client gets every frame in order, a
//! client that never reads is dropped without slowing the others nor the engine's
//! decisions, a client joining late first gets the current state, and a foreign Origin is
//! refused.

use std::net::TcpListener;

use actix::{Actor, Context, Handler};
use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use kalshi_actor::actors::broadcaster::{self, GetBroadcastCounters};
use kalshi_actor::actors::messages::{
    BookUpdated, ControlStatus, FillRecorded, GetControlStatus, GetTradingSummary, HaltTrading, OrderEvent,
    OrderEventKind, PortfolioChanged, PositionChanged, ResumeTrading, TradingSummary,
};
use kalshi_actor::actors::order_executor::{GetExecutorStats, OrderExecutor};
use kalshi_actor::book::{BookSnapshot, Level, SyncState};
use kalshi_actor::config::TargetMarketMode;
use kalshi_actor::domain::{BookSide, Count, Money, Price};
use kalshi_actor::storage::FillRow;
use kalshi_actor::web::{self, Control};

use crate::support::pipeline::{Running, WAIT};
use crate::support::wait_until;

#[derive(Default)]
struct Nobody;
impl Actor for Nobody {
    type Context = Context<Self>;
}
impl Handler<HaltTrading> for Nobody {
    type Result = ();
    fn handle(&mut self, _: HaltTrading, _: &mut Self::Context) {}
}
impl Handler<ResumeTrading> for Nobody {
    type Result = ();
    fn handle(&mut self, _: ResumeTrading, _: &mut Self::Context) {}
}
impl Handler<GetControlStatus> for Nobody {
    type Result = ControlStatus;
    fn handle(&mut self, _: GetControlStatus, _: &mut Self::Context) -> ControlStatus {
        ControlStatus { halted: false, reason: None, dry_run: true }
    }
}
impl Handler<GetTradingSummary> for Nobody {
    type Result = TradingSummary;
    fn handle(&mut self, _: GetTradingSummary, _: &mut Self::Context) -> TradingSummary {
        TradingSummary::default()
    }
}

fn order(i: u64) -> OrderEvent {
    OrderEvent {
        kind: OrderEventKind::Placed,
        market: "M".into(),
        client_order_id: format!("c{i}"),
        order_id: None,
        side: BookSide::Bid,
        price: Price::from_cents(40).unwrap(),
        remaining: Count::contracts(1),
        filled: Count::ZERO,
        reason: String::new(),
        ts_ms: i as i64,
    }
}

/// A client that reads every text frame into `seen` and answers pings.
fn reader(url: String) -> actix_web::rt::task::JoinHandle<Vec<serde_json::Value>> {
    actix_web::rt::spawn(async move {
        let (_, mut ws) = awc::Client::new().ws(url).connect().await.unwrap();
        let mut seen = Vec::new();
        while let Some(Ok(frame)) = ws.next().await {
            match frame {
                Frame::Text(t) => {
                    let v: serde_json::Value = serde_json::from_slice(&t).unwrap();
                    let last = v["type"] == "actor_order" && v["data"]["client_order_id"] == "c19999";
                    seen.push(v);
                    if last {
                        break;
                    }
                }
                Frame::Ping(p) => ws.send(Message::Pong(p)).await.unwrap(),
                Frame::Close(_) => break,
                _ => {}
            }
        }
        seen
    })
}

#[actix_web::test]
async fn readers_get_everything_in_order_and_a_stalled_client_is_dropped() {
    let b = broadcaster::start(serde_json::json!({"markets": ["M"], "mode": "sim"}));
    let nobody = Nobody.start();
    let control = Control {
        halt: nobody.clone().recipient(),
        resume: nobody.clone().recipient(),
        status: nobody.clone().recipient(),
        summary: nobody.clone().recipient(),
    };
    let handle =
        web::start(TcpListener::bind("127.0.0.1:0").unwrap(), None, control, None, Some(b.clone()), None).unwrap();
    let url = format!("ws://127.0.0.1:{}/rl/ws", handle.addr.port());
    // A client that connects and never reads (nor answers pings).
    let (_, _stalled) = awc::Client::new().ws(url.clone()).connect().await.unwrap();
    let readers = [reader(url.clone()), reader(url.clone())];
    let bb = b.clone();
    wait_until(WAIT, "three sessions", || {
        let b = bb.clone();
        async move { (b.send(GetBroadcastCounters).await.ok()?.sessions == 3).then_some(()) }
    })
    .await;
    let level = Level { price: Price::from_cents(40).unwrap(), size: Count::contracts(5) };
    let book = BookSnapshot { ticker: "M".into(), state: SyncState::Synced, yes_bids: vec![level], no_bids: vec![] };
    b.do_send(BookUpdated { book, seq: 7, recv_ms: 1_000 });
    let fill = FillRow {
        trade_id: "t1".into(),
        order_id: "o1".into(),
        client_order_id: Some("c1".into()),
        market: "M".into(),
        side: BookSide::Bid,
        price: Price::from_cents(41).unwrap(),
        count: Count::contracts(2),
        fee: "0.017500".parse().unwrap(),
        is_taker: true,
        post_position: Count::contracts(2),
        ts_ms: 1_001,
    };
    b.do_send(FillRecorded { fill });
    b.do_send(PortfolioChanged { cash_cents: 99_900.0, value_cents: 99_982.0, positions: vec![] });
    b.do_send(PositionChanged {
        market: "M".into(),
        position: Count::contracts(2),
        cost_basis: "0.820000".parse().unwrap(),
        realized_pnl: Money::ZERO,
        fees: "0.017500".parse().unwrap(),
        ts_ms: 1_001,
    });
    // 20 000 events in bursts of 250 every 10 ms, 25 000/s (a very busy engine; pacing of
    // the stimulus, not a synchronization): readers keep up, the client that never reads
    // falls behind and is dropped.
    for burst in 0..80 {
        for i in burst * 250..(burst + 1) * 250 {
            b.do_send(order(i));
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    for r in readers {
        let seen = r.await.unwrap();
        assert_eq!(seen[0]["type"], "connection");
        assert_eq!(seen[0]["data"]["mode"], "sim");
        let fill = seen.iter().find(|v| v["type"] == "actor_fill").expect("the fill");
        assert_eq!((fill["data"]["trade_id"].as_str(), fill["data"]["price"].as_str()), (Some("t1"), Some("0.4100")));
        let pnl = seen.iter().find(|v| v["type"] == "actor_pnl").expect("the P&L");
        assert_eq!(pnl["data"]["value_cents"].as_f64(), Some(99_982.0));
        let book = seen.iter().find(|v| v["type"] == "orderbook_snapshot").expect("the book");
        assert_eq!(
            (book["data"]["sequence_number"].as_u64(), book["data"]["timestamp_ms"].as_i64()),
            (Some(7), Some(1_000))
        );
        let ids: Vec<u64> = seen
            .iter()
            .filter(|v| v["type"] == "actor_order")
            .map(|v| v["data"]["client_order_id"].as_str().unwrap()[1..].parse().unwrap())
            .collect();
        let expected: Vec<u64> = (0..20_000).collect();
        assert!(ids == expected, "every event, in order: got {} ending {:?}", ids.len(), ids.last());
    }
    let c = b.send(GetBroadcastCounters).await.unwrap();
    assert_eq!(c.dropped, 1, "the stalled client was dropped: {c:?}");

    // A late joiner first gets the current state: connection, the book, recent events.
    let late = reader(url.clone());
    b.do_send(order(19_999));
    let seen = late.await.unwrap();
    assert_eq!(seen[0]["type"], "connection");
    assert_eq!(seen[1]["type"], "orderbook_snapshot");
    assert!(seen.len() > 100, "recent events replayed: {}", seen.len());
    // The position and the P&L, long out of the recent events, come too.
    let position = seen.iter().find(|v| v["type"] == "actor_position").expect("the position");
    assert_eq!(position["data"]["position"], "2.00");
    let pnl = seen.iter().find(|v| v["type"] == "actor_pnl").expect("the P&L");
    assert_eq!(pnl["data"]["value_cents"].as_f64(), Some(99_982.0));

    // A foreign Origin is refused.
    let refused = awc::Client::new().ws(url).origin("http://evil.example").connect().await;
    assert!(refused.is_err(), "foreign origin accepted");
    handle.stop().await;
}

/// The executor's decision count and latency percentiles (µs).
/// Decisions so far and the percentiles of their processing (point complete → intent: the
/// work of the trading chain, which a browser must never slow). The frame-to-intent latency
/// also holds the wait for the step's millisecond to end, which this test's bursts stretch.
async fn decisions(e: &actix::Addr<OrderExecutor>) -> (u64, f64, f64) {
    let s = e.send(GetExecutorStats).await.unwrap();
    eprintln!("frame → intent p50 {:?} p99 {:?} µs", s.decision_p50_us, s.decision_p99_us);
    (s.actions, s.processing_p50_us.unwrap_or(0.0), s.processing_p99_us.unwrap_or(0.0))
}

/// Steps the simulator's flow until the executor has made `n` decisions.
async fn decide_until(r: &Running, n: u64, step: &mut i64) {
    let e = r.trading.as_ref().unwrap().executor.clone();
    wait_until(WAIT, "decisions", || {
        r.step(*step, 1);
        *step += 1;
        let e = e.clone();
        async move { (decisions(&e).await.0 >= n).then_some(()) }
    })
    .await;
}

#[actix_web::test]
async fn a_stalled_browser_is_dropped_and_never_slows_the_decisions() {
    let r = Running::start_trading(3, |c| {
        c.actor.target_market_mode = TargetMarketMode::All;
        c.actor.tick_throttle_ms = 0;
    })
    .await;
    let t = r.trading.as_ref().unwrap();
    let mut step = 0;
    // Without a dashboard: the baseline.
    decide_until(&r, 60, &mut step).await;
    let (before, p50_before, p99_before) = decisions(&t.executor).await;

    // The dashboard: a client that never reads (nor answers pings) and two that do, while
    // the engine trades and the broadcaster is flooded with 20 000 more events.
    let b = broadcaster::start(serde_json::json!({"markets": r.tickers, "mode": "sim"}));
    t.connect(&r.p, Some(&b));
    let handle =
        web::start(TcpListener::bind("127.0.0.1:0").unwrap(), None, t.control(), None, Some(b.clone()), None).unwrap();
    let url = format!("ws://127.0.0.1:{}/rl/ws", handle.addr.port());
    let (_, _stalled) = awc::Client::new().ws(url.clone()).connect().await.unwrap();
    let readers = [reader(url.clone()), reader(url)];
    let bb = b.clone();
    wait_until(WAIT, "three sessions", || {
        let b = bb.clone();
        async move { (b.send(GetBroadcastCounters).await.ok()?.sessions == 3).then_some(()) }
    })
    .await;
    for burst in 0..80 {
        for i in burst * 250..(burst + 1) * 250 {
            b.do_send(order(i));
        }
        r.step(step, 1);
        step += 1;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    decide_until(&r, before + 60, &mut step).await;
    let (after, p50_after, p99_after) = decisions(&t.executor).await;
    for r in readers {
        let seen = r.await.unwrap();
        assert!(seen.iter().any(|v| v["type"] == "actor_action"), "the engine's decisions reach the browsers");
        assert_eq!(seen.iter().filter(|v| v["type"] == "actor_order" && v["data"]["market"] == "M").count(), 20_000);
    }
    let c = b.send(GetBroadcastCounters).await.unwrap();
    assert_eq!(c.dropped, 1, "the stalled client was dropped: {c:?}");
    // The decisions went on at the same speed: percentiles over a window holding both
    // phases (the engine only posts to the broadcaster; it never waits on a browser).
    eprintln!("decisions {before} → {after}; p50 {p50_before:.0} → {p50_after:.0} µs, p99 {p99_before:.0} → {p99_after:.0} µs");
    assert!(after >= before + 60);
    assert!(p50_after <= 2.0 * p50_before + 500.0, "p50 {p50_before} → {p50_after} µs");
    // The p99 of ~150 decisions is nearly their maximum: one descheduling of the test's
    // thread while the other integration tests run beside it on 2 cores costs 10-30 ms
    // (seen: 0.7 → 12.8 ms with p50 unchanged). A decision that waited on the stalled
    // browser would wait for its write to fail or for the 15 s drop, so 50 ms still tells.
    assert!(p99_after <= 3.0 * p99_before + 50_000.0, "p99 {p99_before} → {p99_after} µs");
    handle.stop().await;
}

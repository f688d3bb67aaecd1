//! The OrderExecutor against the simulator: actions become V2 orders at the exchange (what
//! the exchange holds is the assertion), halts cancel everything within a second, a dry run
//! sends nothing, a long random session ends with cash, positions and fees equal to the
//! exchange's to the micro-dollar, and injected 429s, 5xx and lost answers cause no duplicate
//! order and leave no outcome unknown.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use actix::Addr;
use kalshi_actor::actors::messages::{ActionChosen, HaltTrading, ResumeTrading};
use kalshi_actor::actors::order_executor::{ExecutorStats, GetExecutorStats, OrderExecutor, ReconcileNow};
use kalshi_actor::config::Pricing;
use kalshi_actor::domain::{BookSide, Price};
use kalshi_actor::executor::intent::{Touch, BUY_NO, BUY_YES, HOLD, SELL_YES};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::{
    BalanceResponse, Order, OrderStatus, OrderbookResponse, OrdersResponse, PositionsResponse,
};
use kalshi_actor::policy::ACTION_NAMES;
use kalshi_actor::sim::faults::FaultConfig;
use rand::{Rng, SeedableRng};

use crate::support::pipeline::{Running, WAIT};
use crate::support::wait_until;

fn action(market: &str, a: usize, touch: Touch) -> ActionChosen {
    ActionChosen {
        market: market.to_owned(),
        action: a,
        name: ACTION_NAMES[a],
        probs: [0.2; 5],
        logits: [0.0; 5],
        model_id: "test".into(),
        seq: 0,
        recv_ms: 0,
        obs: [0.0; 52],
        touch,
        inference_us: 1.0,
        started: Instant::now(),
        built: Instant::now(),
    }
}

/// A test read, retried through the 429s and 503s the simulator may be injecting.
async fn get<T: serde::de::DeserializeOwned>(rest: &RestClient, path: &str) -> T {
    for _ in 0..100 {
        match rest.get(path).await {
            Ok(v) => return v,
            // The test shares the account's read budget with the executor: back off.
            Err(e) if e.is_retryable() => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("GET {path}: {e}"),
        }
    }
    panic!("GET {path}: still failing after 100 tries")
}

/// The exchange's touch of `market`.
async fn touch(rest: &RestClient, market: &str) -> Touch {
    let ob: OrderbookResponse = get(rest, &format!("/markets/{market}/orderbook")).await;
    let best = |v: &[kalshi_actor::kalshi::rest::OrderbookLevel]| v.iter().map(|l| l.price).max();
    Touch { bid: best(&ob.orderbook_fp.yes_dollars), ask: best(&ob.orderbook_fp.no_dollars).map(Price::complement) }
}

async fn stats(e: &Addr<OrderExecutor>) -> ExecutorStats {
    e.send(GetExecutorStats).await.unwrap()
}

async fn ready(r: &Running) -> Addr<OrderExecutor> {
    let e = r.executor.clone().unwrap();
    wait_until(WAIT, "the executor to load the exchange state", || {
        let e = e.clone();
        async move { stats(&e).await.ready.then_some(()) }
    })
    .await;
    e
}

async fn all_orders(rest: &RestClient) -> Vec<Order> {
    let o: OrdersResponse = get(rest, "/portfolio/orders?limit=1000").await;
    o.orders
}

async fn resting(rest: &RestClient) -> Vec<Order> {
    all_orders(rest).await.into_iter().filter(|o| o.status == OrderStatus::Resting).collect()
}

/// Waits until the executor has no request in flight and returns the exchange's resting orders.
async fn settled(r: &Running, e: &Addr<OrderExecutor>) -> Vec<Order> {
    wait_until(WAIT, "requests to be answered", || {
        let e = e.clone();
        async move {
            let s = stats(&e).await;
            let busy = s.skipped.get("busy").copied();
            let again = stats(&e).await;
            (again.requests == s.requests && busy == again.skipped.get("busy").copied()).then_some(())
        }
    })
    .await;
    resting(&r.rest).await
}

#[actix_web::test]
async fn a_linked_decision_hands_its_order_to_the_sender_before_the_call_returns() {
    let r = Running::start_executor(1, |_| {}, |c| c.actor.pricing = Pricing::Passive).await;
    let e = ready(&r).await;
    r.step(0, 5);
    let m = r.tickers[0].clone();
    let t = touch(&r.rest, &m).await;
    let link = r.link.clone().unwrap();
    // What the Policy's decider calls: no mailbox hop between the action and its request.
    assert_eq!(link.decide(&action(&m, BUY_YES, t)), 1, "the create went to the sender within the call");
    let at_exchange = settled(&r, &e).await;
    assert_eq!(at_exchange.len(), 1, "{at_exchange:?}");
    assert_eq!((at_exchange[0].book_side, Some(at_exchange[0].yes_price_dollars)), (BookSide::Bid, t.bid));
    // The executor booked it from its mailbox afterwards.
    let s = stats(&e).await;
    assert_eq!((s.actions, s.requests, s.creates), (1, 1, 1), "{s:?}");
    // The same order again: nothing to do, and the call says so.
    assert_eq!(link.decide(&action(&m, BUY_YES, t)), 0);
}

#[actix_web::test]
async fn actions_become_v2_orders_at_the_exchange_and_halt_cancels_them() {
    let r = Running::start_executor(1, |_| {}, |c| c.actor.pricing = Pricing::Passive).await;
    let e = ready(&r).await;
    r.step(0, 5);
    let m = r.tickers[0].clone();
    let t = touch(&r.rest, &m).await;
    // BUY_YES, passive: a bid at the best bid.
    e.send(action(&m, BUY_YES, t)).await.unwrap();
    let rest = r.rest.clone();
    let bids = wait_until(WAIT, "a resting bid", || {
        let rest = rest.clone();
        async move { Some(resting(&rest).await).filter(|o| o.len() == 1) }
    })
    .await;
    assert_eq!((bids[0].book_side, bids[0].yes_price_dollars), (BookSide::Bid, t.bid.unwrap()));
    assert!(bids[0].client_order_id.starts_with("ka-"), "our client order id: {}", bids[0].client_order_id);
    // SELL_YES: the bid is canceled first, then an ask rests at the best ask.
    e.send(action(&m, SELL_YES, t)).await.unwrap();
    let asks = wait_until(WAIT, "the bid replaced by an ask", || {
        let rest = rest.clone();
        async move { Some(resting(&rest).await).filter(|o| o.len() == 1 && o[0].book_side == BookSide::Ask) }
    })
    .await;
    assert_eq!(asks[0].yes_price_dollars, t.ask.unwrap());
    // BUY_NO is the same order on the netted book: kept, nothing new.
    let before = stats(&e).await.requests;
    e.send(action(&m, BUY_NO, t)).await.unwrap();
    assert_eq!(stats(&e).await.requests, before, "BUY_NO ≡ SELL_YES: the resting ask is kept");
    // HOLD with the touch two cents higher: the ask is re-priced by an amend.
    let up = |p: Option<Price>| p.map(|p| Price::from_centicents(i64::from(p.centicents()) + 200).unwrap());
    let moved = Touch { bid: up(t.bid), ask: up(t.ask) };
    e.send(action(&m, HOLD, moved)).await.unwrap();
    let amended =
        wait_until(WAIT, "the amend", || {
            let rest = rest.clone();
            async move {
                Some(resting(&rest).await).filter(|o| o.len() == 1 && o[0].yes_price_dollars == moved.ask.unwrap())
            }
        })
        .await;
    assert_eq!(amended[0].order_id, asks[0].order_id, "amended in place");

    // Halt: every resting order is canceled within a second, and no new order goes out.
    let started = Instant::now();
    e.send(HaltTrading { reason: "operator".into() }).await.unwrap();
    wait_until(Duration::from_secs(1), "halt to cancel everything", || {
        let rest = rest.clone();
        async move { resting(&rest).await.is_empty().then_some(()) }
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    e.send(action(&m, BUY_YES, t)).await.unwrap();
    let s = stats(&e).await;
    assert_eq!(s.halted.as_deref(), Some("operator"));
    assert_eq!(s.skipped.get("halted"), Some(&1));
    e.send(ResumeTrading).await.unwrap();
    e.send(action(&m, BUY_YES, t)).await.unwrap();
    assert_eq!(settled(&r, &e).await.len(), 1, "trading again after resume");
}

#[actix_web::test]
async fn a_dry_run_sends_nothing() {
    let r = Running::start_executor(1, |_| {}, |c| c.actor.enabled = false).await;
    let e = r.executor.clone().unwrap();
    r.step(0, 5);
    let m = r.tickers[0].clone();
    let t = touch(&r.rest, &m).await;
    for a in [BUY_YES, SELL_YES, BUY_NO, HOLD] {
        e.send(action(&m, a, t)).await.unwrap();
    }
    e.send(HaltTrading { reason: "operator".into() }).await.unwrap();
    let s = stats(&e).await;
    assert!(s.dry_run);
    assert_eq!((s.actions, s.requests), (4, 0));
    assert_eq!(s.skipped.get("dry_run"), Some(&4));
    assert!(all_orders(&r.rest).await.is_empty(), "the exchange saw no order");
}

/// Sends `n` random actions on random markets at the exchange's touch, stepping the flow.
async fn random_session(r: &Running, e: &Addr<OrderExecutor>, from: i64, n: usize, seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for step in from..from + n as i64 {
        r.step(step, 1);
        let m = r.tickers[rng.gen_range(0..r.tickers.len())].clone();
        let t = touch(&r.rest, &m).await;
        e.send(action(&m, rng.gen_range(0..5), t)).await.unwrap();
    }
}

/// Halts, waits for nothing to rest, reconciles twice; then compares with the exchange.
async fn end_and_compare(r: &Running, e: &Addr<OrderExecutor>) -> ExecutorStats {
    e.send(HaltTrading { reason: "end of test".into() }).await.unwrap();
    // Polled every 200 ms: the test shares the account's read budget with the executor's
    // reconciliation, which must not be starved of it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = stats(e).await;
        let left = resting(&r.rest).await;
        if s.live_orders == 0 && left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still {} live here, {} resting there: {s:?}", s.live_orders, left.len());
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    let before = stats(e).await.reconciliations;
    // Two more reconciliations: any mismatch would be counted as a discrepancy.
    for _ in 0..2 {
        let target = stats(e).await.reconciliations + 1;
        e.send(ReconcileNow).await.unwrap();
        let e3 = e.clone();
        wait_until(WAIT, "a reconciliation", || {
            let e = e3.clone();
            async move { (stats(&e).await.reconciliations >= target).then_some(()) }
        })
        .await;
    }
    let s = stats(e).await;
    assert!(s.reconciliations >= before + 2);
    let balance: BalanceResponse = get(&r.rest, "/portfolio/balance").await;
    assert_eq!(s.cash, balance.balance_dollars, "cash to the micro-dollar");
    let positions: PositionsResponse = get(&r.rest, "/portfolio/positions?limit=1000").await;
    let theirs: BTreeMap<String, _> = positions.market_positions.iter().map(|p| (p.ticker.clone(), p)).collect();
    for (m, ours) in &s.positions {
        match theirs.get(m) {
            Some(x) => {
                assert_eq!(ours.position, x.position_fp, "{m} position");
                assert_eq!(ours.exposure, x.market_exposure_dollars, "{m} cost");
                assert_eq!(ours.fees_paid, x.fees_paid_dollars, "{m} fees");
                assert_eq!(ours.realized_pnl, x.realized_pnl_dollars, "{m} realized");
            }
            None => assert!(ours.position.hundredths() == 0, "{m}: flat at the exchange"),
        }
    }
    // No client order id was ever used twice at the exchange.
    let orders = all_orders(&r.rest).await;
    let ids: HashSet<&str> = orders.iter().map(|o| o.client_order_id.as_str()).collect();
    assert_eq!(ids.len(), orders.len(), "duplicate orders at the exchange");
    s
}

#[actix_web::test]
async fn a_long_random_session_matches_the_exchange_to_the_micro_dollar() {
    let r = Running::start_executor(3, |_| {}, |c| c.risk.max_position = "1000".parse().unwrap()).await;
    let e = ready(&r).await;
    random_session(&r, &e, 10, 150, 7).await;
    let s = end_and_compare(&r, &e).await;
    assert!(s.fills >= 10, "the session traded: {s:?}");
    if s.discrepancies != 0 {
        // What the exchange did, oldest first, to tell how our accounting parted from it.
        let (_, conn) = r.p.feed.send(kalshi_actor::actors::market_feed::GetFeedCounters).await.unwrap();
        let fills: kalshi_actor::kalshi::rest::FillsResponse = get(&r.rest, "/portfolio/fills?limit=1000").await;
        for f in fills.fills.iter().rev() {
            eprintln!(
                "{} {} {:?} {} @{} taker={} order={} trade={}",
                f.created_time.as_deref().unwrap_or(""),
                f.ticker,
                f.book_side,
                f.count_fp.format(),
                f.yes_price_dollars.format(),
                f.is_taker,
                f.order_id,
                f.trade_id
            );
        }
        // And the order we applied them in, as stored.
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(&r.db).await.unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT market_ticker, trade_id FROM rl_actor_fills ORDER BY id")
                .fetch_all(&mut db)
                .await
                .unwrap();
        eprintln!("applied here: {rows:?}");
        let (feed, _) = r.p.feed.send(kalshi_actor::actors::market_feed::GetFeedCounters).await.unwrap();
        eprintln!("feed: {feed:?}");
        panic!(
            "our own accounting was not exact: {:?} adopted; last: {:?}; feed: {conn:?}",
            s.discrepancies, s.last_discrepancy
        );
    }
}

#[actix_web::test]
async fn errors_and_lost_answers_cause_no_duplicates_and_resolve() {
    let faults = FaultConfig { http_429_prob: 0.05, http_5xx_prob: 0.05, ack_drop_prob: 0.1, ..Default::default() };
    let r = Running::start_executor(
        2,
        |c| c.faults = faults,
        |c| {
            c.executor.request_timeout = Duration::from_millis(300);
            c.executor.reconcile_interval = Duration::from_millis(500);
            c.risk.max_consecutive_errors = 1_000;
            c.risk.max_position = "1000".parse().unwrap();
        },
    )
    .await;
    let e = ready(&r).await;
    random_session(&r, &e, 10, 300, 11).await;
    // Under heavy load most answers outlive the 300 ms timeout and block their market until
    // the next reconciliation: trade on until enough requests went out.
    let (mut from, deadline) = (310, Instant::now() + Duration::from_secs(60));
    while stats(&e).await.requests <= 20 {
        assert!(Instant::now() < deadline, "{:?}", stats(&e).await);
        random_session(&r, &e, from, 50, from as u64).await;
        from += 50;
    }
    let s = end_and_compare(&r, &e).await;
    assert!(s.requests > 20, "{s:?}");
    assert!(s.skipped.get("busy").copied().unwrap_or(0) > 0, "unknown outcomes blocked their market: {s:?}");
}

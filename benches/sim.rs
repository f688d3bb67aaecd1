//! Simulator benchmarks: matching-engine orders per second (criterion), and WebSocket
//! frames per second served to one client over loopback (a timed run, printed as a table).

#![allow(clippy::unwrap_used, missing_docs)] // set-up on fixed inputs; criterion macros make undocumented fns

use std::hint::black_box;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures_util::{SinkExt, StreamExt};
use kalshi_actor::domain::{BookSide, Count, Money, Outcome, Price};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::{CreateOrderV2Request, SelfTradePreventionType, TimeInForce};
use kalshi_actor::kalshi::sign::{generate_key_pair, Signer};
use kalshi_actor::sim::config::SimConfig;
use kalshi_actor::sim::engine::{BookDelta, DeltaCause, Engine, EngineConfig, EngineEvent, MarketSpec};

const T: &str = "KXBENCH-26DEC31-T50";
const NOW: i64 = 1_795_705_445_000;

fn order(side: BookSide, count: i64, cents: u16, tif: TimeInForce) -> CreateOrderV2Request {
    CreateOrderV2Request::new(
        T,
        side,
        Count::contracts(count),
        Price::from_cents(cents).unwrap(),
        tif,
        SelfTradePreventionType::TakerAtCross,
    )
}

fn engine() -> Engine {
    let mut e = Engine::new(EngineConfig::default());
    e.add_market(MarketSpec::linear_cent(T)).unwrap();
    for u in ["maker", "taker"] {
        e.open_account(u, Money::from_cents(1_000_000_000_000));
    }
    e
}

fn matching(c: &mut Criterion) {
    let mut g = c.benchmark_group("matching");
    g.throughput(Throughput::Elements(1));
    let mut e = engine();
    let rest = order(BookSide::Bid, 5, 40, TimeInForce::GoodTillCanceled);
    g.bench_function("rest_then_cancel", |b| {
        b.iter(|| {
            let out = e.create_order("maker", &rest, NOW).unwrap();
            black_box(e.cancel_order("maker", &out.order_id, NOW).unwrap());
        })
    });
    // Each iteration: a maker rests 1 contract, a taker crosses it with an IOC (a trade,
    // two fills, positions, fees). Two orders per iteration.
    let mut e = engine();
    let ask = order(BookSide::Ask, 1, 55, TimeInForce::GoodTillCanceled);
    let take = order(BookSide::Bid, 1, 55, TimeInForce::ImmediateOrCancel);
    g.throughput(Throughput::Elements(2));
    g.bench_function("rest_then_cross_ioc", |b| {
        b.iter(|| {
            e.create_order("maker", &ask, NOW).unwrap();
            black_box(e.create_order("taker", &take, NOW).unwrap());
        })
    });
    g.finish();
}

/// Frames per second one WebSocket client receives while the hub publishes deltas as fast
/// as it can; prints a line per run.
fn ws_throughput(_: &mut Criterion) {
    // Timed runs are for `cargo bench`; under `cargo test` criterion only smoke-tests.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    actix_web::rt::System::new().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let pair = generate_key_pair(2048).unwrap();
        std::fs::write(dir.path().join("k.pem"), &pair.public_pem).unwrap();
        let config = SimConfig { accounts_dir: dir.path().to_owned(), flow: None, flow_tick: None, ..SimConfig::default() };
        let handle = kalshi_actor::sim::run::start(TcpListener::bind("127.0.0.1:0").unwrap(), config).unwrap();
        let ticker = handle.sim.lock().engine.tickers()[0].clone();
        let signer = Arc::new(Signer::from_pem(pair.key_id.clone(), &pair.private_pem).unwrap());
        let client = RestClient::new(handle.rest_url.clone(), Some(signer), Duration::from_secs(10));
        let mut ws = client.connect_ws(&handle.ws_url).await.unwrap();
        let sub = serde_json::json!({"id": 1, "cmd": "subscribe", "params": {"channels": ["orderbook_delta"], "market_tickers": [ticker]}});
        ws.send(awc::ws::Message::Text(sub.to_string().into())).await.unwrap();
        for _ in 0..2 {
            ws.next().await.unwrap().unwrap();
        }
        const FRAMES: usize = 200_000;
        let delta = |i: usize| {
            EngineEvent::Book(BookDelta {
                ticker: ticker.clone(),
                outcome: Outcome::Yes,
                price: Price::from_cents(40).unwrap(),
                delta: if i % 2 == 0 { Count::contracts(1) } else { -Count::contracts(1) },
                user_id: "other".into(),
                order_id: "o".into(),
                client_order_id: None,
                cause: DeltaCause::Placed,
            })
        };
        let events: Vec<EngineEvent> = (0..1000).map(delta).collect();
        let sim = handle.sim.clone();
        let start = Instant::now();
        actix_web::rt::spawn(async move {
            for _ in 0..FRAMES / 1000 {
                sim.lock().publish(&events, NOW);
                actix_web::rt::task::yield_now().await;
            }
        });
        let mut got = 0;
        while got < FRAMES {
            if let Some(Ok(awc::ws::Frame::Text(_))) = ws.next().await {
                got += 1;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!("sim/ws_frames_to_one_client  {FRAMES} frames in {secs:.3} s = {:.0} frames/s", FRAMES as f64 / secs);
        handle.stop().await;
    });
}

criterion_group!(benches, matching, ws_throughput);
criterion_main!(benches);

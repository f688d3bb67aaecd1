//! P9: event → browser latency with 20 dashboard clients. The Broadcaster and the web server
//! run as in the service; 20 WebSocket clients (answering pings as a browser does) read every
//! frame; the engine side sends order events at a steady rate while books for 10 markets
//! change alongside. Each event carries its send instant; a client's sample is the time from
//! `do_send` to the frame parsed in the client. Prints p50/p99/p999 and one JSON line.
//!
//! `cargo bench --bench broadcast` measures (20 clients, 2 000 events/s for 10 s); without
//! `--bench` (as `cargo test --all-targets` runs it) a short smoke run.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a measurement on loopback: any failure is the bench's to report

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix::{Actor, Context, Handler};
use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use kalshi_actor::actors::broadcaster::{self, GetBroadcastCounters};
use kalshi_actor::actors::messages::{
    BookUpdated, ControlStatus, GetControlStatus, GetTradingSummary, HaltTrading, OrderEvent, OrderEventKind,
    ResumeTrading, TradingSummary,
};
use kalshi_actor::book::{BookSnapshot, Level, SyncState};
use kalshi_actor::domain::{BookSide, Count, Price};
use kalshi_actor::web::{self, Control};

static EPOCH: OnceLock<Instant> = OnceLock::new();

fn now_ns() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Stands in for the executor behind the control endpoints (not exercised here).
struct Idle;
impl Actor for Idle {
    type Context = Context<Self>;
}
impl Handler<HaltTrading> for Idle {
    type Result = ();
    fn handle(&mut self, _: HaltTrading, _: &mut Self::Context) {}
}
impl Handler<ResumeTrading> for Idle {
    type Result = ();
    fn handle(&mut self, _: ResumeTrading, _: &mut Self::Context) {}
}
impl Handler<GetControlStatus> for Idle {
    type Result = ControlStatus;
    fn handle(&mut self, _: GetControlStatus, _: &mut Self::Context) -> ControlStatus {
        ControlStatus { halted: false, reason: None, dry_run: true }
    }
}
impl Handler<GetTradingSummary> for Idle {
    type Result = TradingSummary;
    fn handle(&mut self, _: GetTradingSummary, _: &mut Self::Context) -> TradingSummary {
        TradingSummary::default()
    }
}

fn order(i: u64) -> OrderEvent {
    OrderEvent {
        kind: OrderEventKind::Placed,
        market: "M0".into(),
        client_order_id: format!("p9-{i}-{}", now_ns()),
        order_id: None,
        side: BookSide::Bid,
        price: Price::from_cents(40).unwrap_or(Price::ZERO),
        remaining: Count::contracts(1),
        filled: Count::ZERO,
        reason: String::new(),
        ts_ms: 0,
    }
}

fn book(market: usize, i: u64) -> BookUpdated {
    let levels = (0..10)
        .map(|k| Level {
            price: Price::from_cents(30 + k).unwrap_or(Price::ZERO),
            size: Count::contracts(i64::try_from(1 + (i + k as u64) % 50).unwrap_or(1)),
        })
        .collect();
    let book =
        BookSnapshot { ticker: format!("M{market}"), state: SyncState::Synced, yes_bids: levels, no_bids: vec![] };
    BookUpdated { book, seq: i, recv_ms: 0 }
}

/// A client reading until it has seen `last`; returns its event latencies (µs).
fn client(url: String, last: u64) -> actix_web::rt::task::JoinHandle<Vec<f64>> {
    actix_web::rt::spawn(async move {
        let (_, mut ws) = awc::Client::new().ws(url).max_frame_size(1 << 20).connect().await.expect("connect");
        let mut lat = Vec::new();
        while let Some(Ok(frame)) = ws.next().await {
            match frame {
                Frame::Text(t) => {
                    let v: serde_json::Value = serde_json::from_slice(&t).expect("json");
                    if v["type"] != "actor_order" {
                        continue;
                    }
                    let coid = v["data"]["client_order_id"].as_str().unwrap_or_default();
                    let mut parts = coid.split('-').skip(1);
                    let (Some(i), Some(sent)) = (parts.next(), parts.next()) else { continue };
                    let (i, sent): (u64, u64) = (i.parse().unwrap_or(0), sent.parse().unwrap_or(0));
                    lat.push(now_ns().saturating_sub(sent) as f64 / 1e3);
                    if i == last {
                        break;
                    }
                }
                Frame::Ping(p) => {
                    let _ = ws.send(Message::Pong(p)).await;
                }
                Frame::Close(_) => break,
                _ => {}
            }
        }
        lat
    })
}

fn pct(v: &[f64], q: f64) -> f64 {
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (clients, rate, seconds) = if full { (20usize, 2_000u64, 10u64) } else { (3, 500, 1) };
    actix_web::rt::System::new().block_on(async move {
        let b = broadcaster::start(serde_json::json!({"markets": ["M0"], "mode": "sim"}));
        let idle = Idle.start();
        let control = Control {
            halt: idle.clone().recipient(),
            resume: idle.clone().recipient(),
            status: idle.clone().recipient(),
            summary: idle.clone().recipient(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let handle = web::start(listener, None, control, None, Some(b.clone()), None).expect("web");
        let url = format!("ws://127.0.0.1:{}/rl/ws", handle.addr.port());
        let total = rate * seconds;
        let readers: Vec<_> = (0..clients).map(|_| client(url.clone(), total - 1)).collect();
        while b.send(GetBroadcastCounters).await.map(|c| c.sessions).unwrap_or(0) < clients as u64 {
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        // A steady stimulus: a tick every millisecond sends the events due by then, and a
        // book for one of 10 markets (pacing, not synchronization).
        let start = Instant::now();
        let mut sent = 0u64;
        let mut tick = actix_web::rt::time::interval(Duration::from_millis(1));
        while sent < total {
            tick.tick().await;
            let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
            while sent < due.min(total) {
                b.do_send(order(sent));
                sent += 1;
            }
            b.do_send(book((sent % 10) as usize, sent));
        }
        let mut all = Vec::new();
        for r in readers {
            all.extend(r.await.expect("client"));
        }
        all.sort_by(f64::total_cmp);
        let c = b.send(GetBroadcastCounters).await.expect("counters");
        let (p50, p99, p999) = (pct(&all, 0.5), pct(&all, 0.99), pct(&all, 0.999));
        println!("P9 event → browser, {clients} clients, {rate} events/s for {seconds} s + books of 10 markets");
        println!("| samples | p50 µs | p99 µs | p99.9 µs | max µs | dropped sessions |");
        println!("|---|---|---|---|---|---|");
        println!("| {} | {p50:.0} | {p99:.0} | {p999:.0} | {:.0} | {} |", all.len(), all[all.len() - 1], c.dropped);
        println!(
            "{}",
            serde_json::json!({"bench": "p9_broadcast", "clients": clients, "events_per_s": rate,
                "samples": all.len(), "p50_us": p50, "p99_us": p99, "p999_us": p999, "dropped": c.dropped})
        );
        assert_eq!(all.len() as u64, total * clients as u64, "every client got every event");
        assert_eq!(c.dropped, 0);
        handle.stop().await;
    });
}

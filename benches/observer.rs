//! Observation benchmarks (issue 5): one record into the Observer core (replica book +
//! point stream), building one observation, and offline `observe` throughput with an
//! observation at every view point of the target (P7 without inference, and with it);
//! plus policy inference percentiles (P4 p50/p99, timed run, printed).

#![allow(clippy::unwrap_used, missing_docs)] // set-up on fixed inputs; criterion macros make undocumented fns

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kalshi_actor::domain::{Count, Outcome, Price};
use kalshi_actor::features::portfolio::OrderMode;
use kalshi_actor::observer::offline::OfflineObserver;
use kalshi_actor::observer::{parse_timezone, ObserverCore, Portfolio};
use kalshi_actor::policy::PolicyModel;
use kalshi_actor::storage::BookRecord;

const MARKETS: usize = 10;

fn market(i: usize) -> String {
    format!("KXBENCH-26NOV-M{i}")
}

/// Ten markets with 30-level books, then `n` deltas, each in its own ms (every record
/// completes a point), cycling over the markets and over levels near the touch.
fn records(n: usize) -> Vec<BookRecord> {
    let mut out = Vec::with_capacity(n + MARKETS);
    let lv = |c: u16, k: i64| (Price::from_cents(c).unwrap(), Count::contracts(k));
    for m in 0..MARKETS {
        out.push(BookRecord::Snapshot {
            market: market(m),
            sid: 1,
            seq: m as u64 + 1,
            recv_ms: 1_795_705_445_000,
            exchange_ts_ms: None,
            yes: (20..50).map(|c| lv(c, 10 + i64::from(c))).collect(),
            no: (30..60).map(|c| lv(c, 5 + i64::from(c))).collect(),
        });
    }
    for i in 0..n {
        let up = (i / MARKETS) % 2 == 0;
        out.push(BookRecord::Delta {
            market: market(i % MARKETS),
            sid: 1,
            seq: (MARKETS + i + 1) as u64,
            recv_ms: 1_795_705_445_001 + i as i64,
            exchange_ts_ms: None,
            side: if i % 3 == 0 { Outcome::No } else { Outcome::Yes },
            price: Price::from_cents(45 + (i % 4) as u16).unwrap(),
            delta: Count::contracts(if up { 3 } else { -3 }),
        });
    }
    out
}

fn flat() -> Portfolio {
    Portfolio { cash_cents: 100_000.0, positions: vec![], value_cents: None }
}

fn observer(c: &mut Criterion) {
    let tz = parse_timezone("America/New_York").unwrap();
    let warm = records(2_000);
    let mut core = ObserverCore::new(tz);
    for r in &warm {
        core.on_record(r);
    }
    core.finish();
    let target = market(0);
    c.bench_function("observer/build_observation", |b| {
        b.iter(|| black_box(core.observe(black_box(&target), &flat(), OrderMode::Zeros, &[]).unwrap()))
    });

    let stream = records(200_000);
    let mut core = ObserverCore::new(tz);
    let mut i = 0;
    let mut g = c.benchmark_group("observer");
    g.throughput(Throughput::Elements(1));
    g.bench_function("on_record_delta", |b| {
        b.iter(|| {
            if i == stream.len() {
                core = ObserverCore::new(tz);
                i = 0;
            }
            let r = &stream[i];
            i += 1;
            black_box(core.on_record(black_box(r)))
        })
    });
    g.finish();

    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // Offline observe, every record a point: one observation per update of the target.
    let model = PolicyModel::load_sb3(concat!(env!("CARGO_MANIFEST_DIR"), "/model_weights/ppo_default.zip")).unwrap();
    for with_policy in [false, true] {
        let n = stream.len();
        let t0 = Instant::now();
        let mut all_targets = 0u64;
        // Observe every market (as replay does in `all` mode): an observation per update.
        let mut obs = Vec::new();
        for m in 0..MARKETS {
            let mut off = OfflineObserver::new(&market(m), tz, flat());
            let mut sink = |o: kalshi_actor::observer::Observation| {
                if with_policy {
                    black_box(model.act(&o.obs).unwrap());
                }
                obs.push(o.ts_ms);
            };
            for r in stream.iter().filter(|r| r.market() == market(m) || m == 0) {
                off.push(r, &mut sink);
            }
            all_targets += off.finish(&mut sink);
            if m == 0 {
                break;
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "P7 offline observe{}: {n} updates, {all_targets} observations in {secs:.3} s = {:.0} updates/s",
            if with_policy { " + policy" } else { "" },
            n as f64 / secs
        );
    }
    // P4 percentiles: time each inference.
    let mut o = [0.1f32; 52];
    let mut samples = Vec::with_capacity(200_000);
    for i in 0..200_000 {
        o[i % 52] += 1e-3;
        let t = Instant::now();
        black_box(model.act(black_box(&o)).unwrap());
        samples.push(t.elapsed().as_nanos() as f64 / 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let p = |q: f64| samples[((q * samples.len() as f64) as usize).min(samples.len() - 1)];
    println!("P4 policy act: p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs", p(0.5), p(0.99), p(0.999));
}

criterion_group!(benches, observer);
criterion_main!(benches);

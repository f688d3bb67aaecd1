//! Market-data pipeline benchmarks (performance.md P2, P6): the feed → book → write-buffer
//! path per frame, the enqueue alone (criterion), and database insert rows per second for
//! SQLite and, when `KALSHI_ACTOR_TEST_POSTGRES_URL` is set, PostgreSQL (timed runs, printed).

#![allow(clippy::unwrap_used, missing_docs)] // set-up on fixed inputs; criterion macros make undocumented fns

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kalshi_actor::book::keeper::{BookKeeperCore, KeeperOutput};
use kalshi_actor::book::{NoPricing, TickGrid};
use kalshi_actor::domain::{Count, Outcome, Price};
use kalshi_actor::feed::{FeedCore, FeedOutput};
use kalshi_actor::persist::WriteBuffer;
use kalshi_actor::storage::{BookRecord, Store};

const T: &str = "KXDEMO-26NOV-T50";

fn delta_frame(seq: u64, cents: u64, delta: &str, side: &str) -> String {
    format!(
        r#"{{"type":"orderbook_delta","sid":1,"seq":{seq},"msg":{{"market_ticker":"{T}","market_id":"0b6c1f7e-1d1a-4c8e-9a55-2f0a5e0c9d11","price_dollars":"0.{cents:02}00","delta_fp":"{delta}","side":"{side}","ts_ms":1795705445123}}}}"#
    )
}

/// A feed core subscribed to `T` and a keeper holding its 90-level snapshot.
fn fresh() -> (FeedCore, BookKeeperCore) {
    let mut feed = FeedCore::new([T.to_owned()], NoPricing::NoLeg, false);
    feed.on_connected();
    feed.on_text(r#"{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}"#, 0);
    let mut keeper = BookKeeperCore::default();
    keeper.set_grid(T, TickGrid::linear_cent());
    let snap = format!(
        r#"{{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{{"market_ticker":"{T}","market_id":"m","yes_dollars_fp":[{}],"no_dollars_fp":[{}]}}}}"#,
        (1..=45).map(|c| format!(r#"["0.{c:02}","100"]"#)).collect::<Vec<_>>().join(","),
        (50..=94).map(|c| format!(r#"["0.{c:02}","100"]"#)).collect::<Vec<_>>().join(",")
    );
    for o in feed.on_text(&snap, 0) {
        if let FeedOutput::Book(e) = o {
            keeper.on_event(e).unwrap();
        }
    }
    (feed, keeper)
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(1));
    // In-order frames (seq 2, 3, …): parse, sequence check, apply, normalize, enqueue. The
    // state is rebuilt, untimed, whenever the pre-made frames run out.
    let frames: Vec<String> = (0..65_536u64)
        .map(|i| {
            let side = if i % 3 == 0 { "no" } else { "yes" };
            let cents = if side == "yes" { 40 + i % 8 } else { 50 + i % 8 };
            delta_frame(i + 2, cents, if i % 2 == 0 { "7.00" } else { "-7.00" }, side)
        })
        .collect();
    g.bench_function("frame_to_enqueued_record", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0u64;
            while done < iters {
                let (mut feed, mut keeper) = fresh();
                let mut buffer = WriteBuffer::new(frames.len(), 5_000);
                let n = ((iters - done) as usize).min(frames.len());
                let start = Instant::now();
                for text in &frames[..n] {
                    for o in feed.on_text(black_box(text), 0) {
                        if let FeedOutput::Book(e) = o {
                            if let Ok(outs) = keeper.on_event(e) {
                                for out in outs {
                                    if let KeeperOutput::Record(r) = out {
                                        buffer.offer(r);
                                    }
                                }
                            }
                        }
                    }
                }
                total += start.elapsed();
                assert_eq!(buffer.counters().accepted, n as u64, "every frame enqueued");
                done += n as u64;
            }
            total
        })
    });
    let record = BookRecord::Delta {
        market: T.into(),
        sid: 1,
        seq: 1,
        recv_ms: 0,
        exchange_ts_ms: None,
        side: Outcome::Yes,
        price: Price::from_cents(40).unwrap(),
        delta: Count::contracts(1),
    };
    let mut buf = WriteBuffer::new(1 << 20, 5_000);
    g.bench_function("enqueue_only", |b| {
        b.iter(|| {
            if !buf.offer(black_box(record.clone())) {
                while buf.take_batch().is_some() {
                    buf.committed();
                }
            }
        })
    });
    g.finish();
}

/// Delta rows per second written in batches of 5 000, median of 5 runs of 10 batches.
fn insert_rows(_: &mut Criterion) {
    // Timed runs are for `cargo bench`; under `cargo test` criterion only smoke-tests.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    async fn measure(url: &str) -> f64 {
        let store = Store::connect(url).await.unwrap();
        let id = store.start_session("ws://bench", &[T], 0).await.unwrap();
        let batch: Vec<BookRecord> = (0..5_000u64)
            .map(|i| BookRecord::Delta {
                market: T.into(),
                sid: 1,
                seq: i + 1,
                recv_ms: 1_795_705_445_000 + i as i64,
                exchange_ts_ms: Some(1_795_705_445_000 + i as i64),
                side: if i % 2 == 0 { Outcome::Yes } else { Outcome::No },
                price: Price::from_cents(30 + (i % 40) as u16).unwrap(),
                delta: Count::from_hundredths(i as i64 % 977 - 400).unwrap(),
            })
            .collect();
        let mut runs = Vec::new();
        for _ in 0..5 {
            let start = std::time::Instant::now();
            for _ in 0..10 {
                store.insert_batch(id, &batch).await.unwrap();
            }
            runs.push(50_000.0 / start.elapsed().as_secs_f64());
        }
        store.close().await;
        runs.sort_by(f64::total_cmp);
        runs[2]
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
    actix_web::rt::System::new().block_on(async {
        println!("persist/sqlite_insert        median {:.0} rows/s (batches of 5000)", measure(&sqlite).await);
        match std::env::var("KALSHI_ACTOR_TEST_POSTGRES_URL") {
            Ok(pg) => {
                println!("persist/postgres_insert      median {:.0} rows/s (batches of 5000)", measure(&pg).await)
            }
            Err(_) => println!("persist/postgres_insert      skipped: KALSHI_ACTOR_TEST_POSTGRES_URL not set"),
        }
    });
}

criterion_group!(benches, pipeline, insert_rows);
criterion_main!(benches);

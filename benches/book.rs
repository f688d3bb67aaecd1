//! Criterion benchmarks for the market-data hot path (performance.md P1, P2): frame
//! parsing, book updates, and parse + sequence check + apply together.

#![allow(clippy::unwrap_used, missing_docs)] // set-up on fixed inputs; criterion macros make undocumented fns

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kalshi_actor::book::{NoPricing, OrderBook, TickGrid};
use kalshi_actor::domain::{Count, Outcome, Price};
use kalshi_actor::kalshi::ws::ServerFrame;

const TICKER: &str = "KXDEMO-26NOV-T50";

fn delta_frame(seq: u64, cents: u32, delta: &str, side: &str) -> String {
    format!(
        r#"{{"type":"orderbook_delta","sid":3,"seq":{seq},"msg":{{"market_ticker":"{TICKER}","market_id":"0b6c1f7e-1d1a-4c8e-9a55-2f0a5e0c9d11","price_dollars":"0.{cents:02}00","delta_fp":"{delta}","side":"{side}","ts_ms":1795705445123}}}}"#
    )
}

fn snapshot_frame(levels_per_side: u32) -> String {
    let side = |from: u32| {
        (0..levels_per_side)
            .map(|i| format!(r#"["0.{:02}00","{}.50"]"#, from + i, 10 + i))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        r#"{{"type":"orderbook_snapshot","sid":3,"seq":1,"msg":{{"market_ticker":"{TICKER}","market_id":"0b6c1f7e-1d1a-4c8e-9a55-2f0a5e0c9d11","yes_dollars_fp":[{}],"no_dollars_fp":[{}]}}}}"#,
        side(1),
        side(50)
    )
}

fn synced_book() -> OrderBook {
    let mut book = OrderBook::new(TICKER, TickGrid::linear_cent());
    let yes: Vec<_> = (1..=45).map(|c| (Price::from_cents(c).unwrap(), Count::contracts(100))).collect();
    let no: Vec<_> = (50..=94).map(|c| (Price::from_cents(c).unwrap(), Count::contracts(100))).collect();
    book.apply_snapshot(&yes, &no, NoPricing::NoLeg).unwrap();
    book
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(1));
    let delta = delta_frame(2, 43, "-15.25", "yes");
    assert_eq!(delta.len(), 216, "the P2 reference frame is 216 bytes");
    g.bench_function("orderbook_delta_216B", |b| b.iter(|| ServerFrame::parse(black_box(&delta)).unwrap()));
    let snap = snapshot_frame(45);
    g.bench_function("orderbook_snapshot_90_levels", |b| b.iter(|| ServerFrame::parse(black_box(&snap)).unwrap()));
    g.finish();
}

fn book(c: &mut Criterion) {
    let mut g = c.benchmark_group("book");
    g.throughput(Throughput::Elements(1));
    // P1: one level update (alternating add/remove around the touch so the best moves) and
    // a read of best bid and derived best ask.
    let mut book = synced_book();
    let deltas: Vec<(Outcome, Price, Count)> = (0..1024u32)
        .map(|i| {
            let side = if i % 3 == 0 { Outcome::No } else { Outcome::Yes };
            let cents = if side == Outcome::Yes { 40 + (i % 8) as u16 } else { 50 + (i % 8) as u16 };
            let size = if i % 2 == 0 { Count::contracts(7) } else { -Count::contracts(7) };
            (side, Price::from_cents(cents).unwrap(), size)
        })
        .collect();
    let mut i = 0usize;
    g.bench_function("apply_delta_and_best", |b| {
        b.iter(|| {
            let (side, price, size) = deltas[i & 1023];
            i += 1;
            let _ = book.apply_delta(side, price, size, NoPricing::NoLeg);
            black_box((book.best_bid(Outcome::Yes), book.best_ask(Outcome::Yes)))
        })
    });
    let mut j = 0usize;
    g.bench_function("apply_delta_only", |b| {
        b.iter(|| {
            let (side, price, size) = deltas[j & 1023];
            j += 1;
            black_box(book.apply_delta(side, price, size, NoPricing::NoLeg).ok())
        })
    });
    g.bench_function("snapshot_replace_90_levels", |b| {
        let yes: Vec<_> = (1..=45).map(|c| (Price::from_cents(c).unwrap(), Count::contracts(3))).collect();
        let no: Vec<_> = (50..=94).map(|c| (Price::from_cents(c).unwrap(), Count::contracts(3))).collect();
        b.iter_batched_ref(
            synced_book,
            |bk| bk.apply_snapshot(&yes, &no, NoPricing::NoLeg).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn ingest(c: &mut Criterion) {
    // P2: parse a delta frame, check its seq against the sid's expected value, find the
    // market's book by ticker, apply, read the touch.
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(1));
    let frames: Vec<String> = (0..1024u64)
        .map(|i| {
            let side = if i % 3 == 0 { "no" } else { "yes" };
            let cents = if side == "yes" { 40 + (i % 8) as u32 } else { 50 + (i % 8) as u32 };
            delta_frame(i + 2, cents, if i % 2 == 0 { "7.00" } else { "-7.00" }, side)
        })
        .collect();
    let mut books: HashMap<String, OrderBook> = HashMap::new();
    books.insert(TICKER.to_owned(), synced_book());
    let mut expected: HashMap<u64, u64> = HashMap::new();
    let mut i = 0usize;
    g.bench_function("parse_seq_apply_delta", |b| {
        b.iter(|| {
            let text = &frames[i & 1023];
            i += 1;
            let frame = ServerFrame::parse(black_box(text)).unwrap();
            if let ServerFrame::OrderbookDelta { sid, seq, msg } = frame {
                let exp = expected.entry(sid).or_insert(seq);
                // Frames repeat every 1024 iterations; treat the wrap as in order.
                *exp = seq + 1;
                if let Some(book) = books.get_mut(msg.market_ticker.as_ref()) {
                    let _ = book.apply_delta(msg.side, msg.price_dollars, msg.delta_fp, NoPricing::NoLeg);
                    black_box(book.best_bid(Outcome::Yes));
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, parse, book, ingest);
criterion_main!(benches);

//! Storage tests on SQLite in a temporary directory, and the same round trip on PostgreSQL
//! when `KALSHI_ACTOR_TEST_POSTGRES_URL` is set.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;

use super::*;
use crate::book::{BookSnapshot, TickGrid};
use crate::domain::{Count, Outcome, Price};

/// The PostgreSQL the Makefile starts for `make test`; unset → the PostgreSQL test is skipped.
const PG_ENV: &str = "KALSHI_ACTOR_TEST_POSTGRES_URL";

fn block_on<F: Future>(f: F) -> F::Output {
    actix_web::rt::System::new().block_on(f)
}

fn sqlite_url(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join("nested").join(name).display())
}

fn grid(_: &str) -> Arc<TickGrid> {
    TickGrid::linear_cent()
}

fn price(cents: u64) -> Price {
    Price::from_cents(cents as u16).unwrap()
}

/// A scripted day on two markets, with each record's effect on the live book: snapshots,
/// fractional deltas on both sides, a level driven negative, a negative delta on an absent
/// level, a re-snapshot mid-way (new sid after a resubscribe). Only what the live book
/// accepted is kept, as the BookKeeper forwards only applied records.
struct Script {
    records: Vec<BookRecord>,
    /// Live book of the record's market right after each record.
    after: Vec<BookSnapshot>,
    books: BTreeMap<String, OrderBook>,
}

fn script(n: usize) -> Script {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let mut books: BTreeMap<String, OrderBook> = BTreeMap::new();
    let (mut records, mut after) = (Vec::new(), Vec::new());
    let mut seq = 0u64;
    let snapshot = |market: &str, sid: u64, seq: u64, recv_ms: i64| BookRecord::Snapshot {
        market: market.into(),
        sid,
        seq,
        recv_ms,
        exchange_ts_ms: Some(recv_ms - 3),
        yes: vec![(price(40), "12.50".parse().unwrap()), (price(38), Count::contracts(100))],
        no: vec![(price(55), "0.01".parse().unwrap()), (price(57), "7.25".parse().unwrap())],
    };
    for i in 0..n {
        seq += 1;
        let recv_ms = 1_700_000_000_000 + i as i64 * 3;
        let market = if next(3) == 0 { "KXB-26" } else { "KXA-26" };
        let sid = if i < n / 2 { 1 } else { 2 };
        let record = if i < 2 || i == n / 2 || i == n / 2 + 1 {
            snapshot(if i % 2 == 0 { "KXA-26" } else { "KXB-26" }, sid, seq, recv_ms)
        } else {
            let side = if next(2) == 0 { Outcome::Yes } else { Outcome::No };
            let delta = match next(10) {
                0 => -Count::contracts(500), // drives a level negative (or removes an absent one)
                1..=4 => -Count::from_hundredths(next(400) as i64 + 1).unwrap(),
                _ => Count::from_hundredths(next(5_000) as i64 + 1).unwrap(),
            };
            let exchange_ts_ms = if i % 5 == 0 { None } else { Some(recv_ms - 2) };
            BookRecord::Delta {
                market: market.into(),
                sid,
                seq,
                recv_ms,
                exchange_ts_ms,
                side,
                price: price(30 + next(35)),
                delta,
            }
        };
        let book = books.entry(record.market().to_owned()).or_insert_with(|| OrderBook::new(record.market(), grid("")));
        if apply_record(book, &record).is_ok() {
            after.push(book.snapshot());
            records.push(record);
        }
    }
    Script { records, after, books }
}

fn snapshots(books: &BTreeMap<String, OrderBook>) -> Vec<BookSnapshot> {
    books.values().map(OrderBook::snapshot).collect()
}

/// Everything a backend must do identically: session lifecycle, batches of several sizes
/// read back exactly and in order, per-market reads, rebuilt books equal to the live ones
/// (anomalies included), any intermediate state, unknown sessions refused.
async fn round_trip_on(url: &str) {
    let store = Store::connect(url).await.unwrap();
    let script = script(3_000);
    assert!(script.books.values().any(|b| b.anomalies() > 0), "the script must exercise anomalies");
    let ws = "ws://127.0.0.1:9/trade-api/ws/v2";
    let id = store.start_session(ws, &["KXA-26", "KXB-26"], 1_700_000_000_000).await.unwrap();
    let other = store.start_session(ws, &["KXA-26"], 1_700_000_000_001).await.unwrap();
    assert_ne!(id, other);

    let (mut start, mut size) = (0, 1);
    while start < script.records.len() {
        let end = (start + size).min(script.records.len());
        store.insert_batch(id, &script.records[start..end]).await.unwrap();
        // Interleave another session's rows: they must not leak into this one.
        store.insert_batch(other, &script.records[start..start + 1]).await.unwrap();
        start = end;
        size = size * 7 + 3;
    }
    store.insert_batch(id, &[]).await.unwrap();

    assert_eq!(store.records(id, None).await.unwrap(), script.records);
    for market in ["KXA-26", "KXB-26"] {
        let expect: Vec<_> = script.records.iter().filter(|r| r.market() == market).cloned().collect();
        assert_eq!(store.records(id, Some(market)).await.unwrap(), expect, "{market}");
    }
    assert!(store.records(id, Some("NONE")).await.unwrap().is_empty());

    let rebuilt = store.rebuild_books(id, grid).await.unwrap();
    assert_eq!(snapshots(&rebuilt), snapshots(&script.books));
    for (market, book) in &script.books {
        assert_eq!(rebuilt[market].anomalies(), book.anomalies(), "{market}");
    }

    let with_ids = store.records_with_ids(id, None).await.unwrap();
    assert!(with_ids.windows(2).all(|w| w[0].0 < w[1].0), "ids ascend in receive order");
    for k in [0, 1, 2, 17, script.records.len() / 2, script.records.len() - 1] {
        let (rid, record) = &with_ids[k];
        let book = store.rebuild_book_at(id, record.market(), *rid, TickGrid::linear_cent()).await.unwrap();
        assert_eq!(book.snapshot(), script.after[k], "state after record {k}");
    }
    let empty = store.rebuild_book_at(id, "NONE", i64::MAX, TickGrid::linear_cent()).await.unwrap();
    assert_eq!(empty.depth(Outcome::Yes) + empty.depth(Outcome::No), 0);

    store
        .end_session(
            id,
            1_700_000_100_000,
            SessionStatus::Closed,
            &SessionCounters { dropped: 4, gaps: 2, reconnects: 1 },
        )
        .await
        .unwrap();
    let row = store.sessions().await.unwrap().into_iter().find(|s| s.id == id).unwrap();
    let snaps = script.records.iter().filter(|r| r.is_snapshot()).count() as u64;
    assert_eq!(
        (row.status, row.snapshots, row.deltas),
        (SessionStatus::Closed, snaps, script.records.len() as u64 - snaps)
    );
    assert_eq!((row.dropped, row.gaps, row.reconnects), (4, 2, 1));
    assert_eq!((row.ws_url.as_str(), row.markets.clone()), (ws, vec!["KXA-26".to_owned(), "KXB-26".to_owned()]));
    assert_eq!(row.first_recv_ms, Some(script.records[0].recv_ms()));
    assert_eq!(row.last_recv_ms, script.records.last().map(BookRecord::recv_ms));
    assert_eq!(row.duration_ms(), 100_000);
    let other_row = store.sessions().await.unwrap().into_iter().find(|s| s.id == other).unwrap();
    assert_eq!((other_row.status, other_row.ended_at_ms), (SessionStatus::Running, None));

    let missing = i64::MAX - 1;
    let err = store.insert_batch(missing, &script.records[..1]).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownSession(_)) && !err.is_recoverable(), "{err}");
    let err = store.end_session(missing, 0, SessionStatus::Failed, &SessionCounters::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownSession(_)), "{err}");
    store.close().await;
}

#[test]
fn sqlite_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    block_on(round_trip_on(&sqlite_url(&dir, "capture.db")));
}

#[test]
fn postgres_round_trip_when_configured() {
    let Ok(url) = std::env::var(PG_ENV) else {
        eprintln!("{PG_ENV} unset: PostgreSQL round trip skipped");
        return;
    };
    block_on(round_trip_on(&url));
}

#[test]
fn sqlite_stores_exact_strings_and_anomalous_deltas_as_received() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "exact.db");
    block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let id = store.start_session("ws://x", &["M"], 0).await.unwrap();
        let snap = BookRecord::Snapshot {
            market: "M".into(),
            sid: 1,
            seq: 1,
            recv_ms: 10,
            exchange_ts_ms: None,
            yes: vec![(price(43), "40.50".parse().unwrap())],
            no: vec![],
        };
        let neg = BookRecord::Delta {
            market: "M".into(),
            sid: 1,
            seq: 2,
            recv_ms: 11,
            exchange_ts_ms: Some(9),
            side: Outcome::Yes,
            price: price(43),
            delta: "-41.25".parse().unwrap(),
        };
        store.insert_batch(id, &[snap.clone(), neg.clone()]).await.unwrap();
        let Store::Sqlite(pool) = &store else { panic!("sqlite url") };
        let levels: String =
            sqlx::query_scalar("SELECT yes_levels FROM rl_orderbook_snapshots").fetch_one(pool).await.unwrap();
        assert_eq!(levels, r#"[["0.4300","40.50"]]"#);
        let (p, d): (String, String) =
            sqlx::query_as("SELECT price_dollars, delta_fp FROM rl_orderbook_deltas").fetch_one(pool).await.unwrap();
        assert_eq!((p.as_str(), d.as_str()), ("0.4300", "-41.25"));
        let books = store.rebuild_books(id, grid).await.unwrap();
        let mut live = OrderBook::new("M", TickGrid::linear_cent());
        for r in [&snap, &neg] {
            apply_record(&mut live, r).unwrap();
        }
        assert_eq!((books["M"].anomalies(), books["M"].depth(Outcome::Yes)), (1, 0));
        assert_eq!(books["M"].snapshot(), live.snapshot());
    });
}

#[test]
fn sqlite_reconnect_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "keep.db");
    let script = script(200);
    let first = block_on(async {
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.backend(), "sqlite");
        assert!(store.sessions().await.unwrap().is_empty());
        let id = store.start_session("ws://x", &["KXA-26"], 5).await.unwrap();
        store.insert_batch(id, &script.records).await.unwrap();
        store.close().await;
        id
    });
    assert!(dir.path().join("nested/keep.db").exists());
    block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let sessions = store.sessions().await.unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!((sessions[0].id, sessions[0].status, sessions[0].records()), (first, SessionStatus::Running, 200));
        let second = store.start_session("ws://x", &["KXA-26"], 6).await.unwrap();
        assert!(second > first);
        store.insert_batch(second, &script.records[..10]).await.unwrap();
        assert_eq!(store.records(first, None).await.unwrap(), script.records);
        assert_eq!(store.records(second, None).await.unwrap(), script.records[..10]);
    });
}

#[test]
fn busy_database_is_recoverable_and_the_batch_retries() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "busy.db");
    block_on(async {
        let options = StoreOptions { busy_timeout: Duration::from_millis(50), ..StoreOptions::default() };
        let store = Store::connect_with(&url, &options).await.unwrap();
        let id = store.start_session("ws://x", &["M"], 0).await.unwrap();
        let records = script(20).records;
        let mut locker = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut locker).await.unwrap();
        let err = store.insert_batch(id, &records).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Database(sqlx::Error::Database(db)) if db.message().contains("locked")),
            "{err}"
        );
        assert!(err.is_recoverable(), "{err}");
        sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
        store.insert_batch(id, &records).await.unwrap();
        assert_eq!(store.records(id, None).await.unwrap(), records);
    });
}

#[test]
fn in_memory_sqlite_works_for_tests() {
    block_on(async {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let id = store.start_session("ws://x", &["KXA-26"], 0).await.unwrap();
        let records = script(50).records;
        store.insert_batch(id, &records).await.unwrap();
        assert_eq!(store.records(id, None).await.unwrap(), records);
    });
}

#[test]
fn unsupported_urls_are_refused() {
    block_on(async {
        for url in ["mysql://localhost/db", "data/file.db"] {
            let err = Store::connect(url).await.unwrap_err();
            assert!(matches!(err, StoreError::UnsupportedUrl(_)) && !err.is_recoverable(), "{url}: {err}");
        }
    });
}

#[test]
fn sqlite_connections_keep_a_one_mib_page_cache() {
    let dir = tempfile::tempdir().unwrap();
    block_on(async {
        let store = Store::connect(&sqlite_url(&dir, "cache.db")).await.unwrap();
        let Store::Sqlite(pool) = &store else { panic!("not SQLite") };
        let size: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(pool).await.unwrap();
        assert_eq!(size, -1024);
    });
}

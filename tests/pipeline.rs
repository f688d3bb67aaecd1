//! The market-data pipeline against the real simulator over loopback in `demo`
//! configuration: the service's books equal the exchange's, the database alone rebuilds
//! them, and injected faults (gaps, disconnects, garbage, a stalled market) are survived.

use std::time::Duration;

use kalshi_actor::actors::book_keeper::GetKeeperCounters;
use kalshi_actor::actors::market_feed::{ConnectionCounters, GetFeedCounters};
use kalshi_actor::actors::persister::{FlushAndClose, GetPersisterCounters};
use kalshi_actor::app;
use kalshi_actor::book::keeper::KeeperCounters;
use kalshi_actor::feed::FeedCounters;
use kalshi_actor::sim::faults::FaultConfig;
use kalshi_actor::storage::{SessionCounters, Store};

use crate::support::pipeline::{ours, AckProbe, Acks, Markers, Running, WAIT};

#[actix_web::test]
async fn books_match_the_exchange_and_sqlite_rebuilds_them() {
    books_match_and_the_database_rebuilds_them(None).await;
}

#[actix_web::test]
async fn books_match_the_exchange_and_postgres_rebuilds_them() {
    // `make test` starts a local PostgreSQL and sets this; CI must not skip it.
    match std::env::var("KALSHI_ACTOR_TEST_POSTGRES_URL") {
        Ok(url) => books_match_and_the_database_rebuilds_them(Some(&url)).await,
        Err(_) if std::env::var_os("CI").is_some() => panic!("KALSHI_ACTOR_TEST_POSTGRES_URL is not set under CI"),
        Err(_) => eprintln!("skipped: KALSHI_ACTOR_TEST_POSTGRES_URL not set (make test sets it)"),
    }
}

async fn books_match_and_the_database_rebuilds_them(db: Option<&str>) {
    let r = Running::start(3, db, |_| {}, |_| {}, None).await;
    r.books_equal("snapshots of every book").await;
    let (before, _) = r.p.keeper.send(GetKeeperCounters).await.unwrap();
    r.step(0, 100);
    let books = r.books_equal("the service's books to equal the exchange's").await;
    let (after, restarts) = r.p.keeper.send(GetKeeperCounters).await.unwrap();
    assert!(after.deltas > before.deltas + 50, "flow moved the books: {after:?}");
    assert_eq!((after.stale_drops, after.rejected, restarts), (0, 0, 0));

    // Every accepted record reaches the database; the database alone rebuilds the books.
    let (buf, _) = r.p.persister.send(GetPersisterCounters).await.unwrap();
    assert_eq!(buf.dropped, 0);
    let closed =
        r.p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert_eq!(closed.written, closed.accepted);
    let store = Store::connect(&r.db).await.unwrap();
    let grid = |t: &str| app::grid_of(r.markets.iter().find(|m| m.ticker == t).unwrap());
    let rebuilt = store.rebuild_books(r.p.session, grid).await.unwrap();
    for b in &books {
        assert_eq!(ours(&rebuilt[&b.ticker].snapshot()), ours(b), "{}", b.ticker);
    }
    let sessions = store.sessions().await.unwrap();
    let row = sessions.iter().find(|s| s.id == r.p.session).unwrap();
    assert_eq!((row.records(), row.status.as_str()), (closed.written, "closed"));
}

/// What the feed, the keeper and the acknowledgement probe saw (acks, and boundaries,
/// stale markers and records out of order with the boundaries).
type Outcome = ((FeedCounters, ConnectionCounters), KeeperCounters, u64, (u64, u64, u64));

/// Runs the pipeline against a simulator with `faults` while flow steps for `run_for`,
/// then waits for the books to recover and equal the exchange's.
async fn under_faults(faults: FaultConfig, run_for: Duration) -> Outcome {
    let probe = AckProbe::started();
    let r = Running::start(
        3,
        None,
        |c| c.faults = faults,
        |c| c.feed.stall_timeout = Duration::from_millis(500),
        Some(AckProbe::targets(&probe)),
    )
    .await;
    let started = std::time::Instant::now();
    let mut i = 0;
    while started.elapsed() < run_for {
        r.step(i, 1);
        i += 1;
        // Pacing of the synthetic market, not synchronization.
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    r.books_equal("books to recover and equal the exchange's").await;
    let feed = r.p.feed.send(GetFeedCounters).await.unwrap();
    let (keeper, _) = r.p.keeper.send(GetKeeperCounters).await.unwrap();
    (feed, keeper, probe.send(Acks).await.unwrap(), probe.send(Markers).await.unwrap())
}

#[actix_web::test]
async fn sequence_gaps_go_stale_and_recover_by_snapshot_without_acks_while_stale() {
    let ((feed, _), keeper, acks, (boundaries, stale, out_of_order)) =
        under_faults(FaultConfig { skip_seq_prob: 0.02, ..Default::default() }, Duration::from_secs(2)).await;
    assert!(feed.gaps >= 3, "{feed:?}");
    assert!(keeper.snapshots > 3, "snapshots re-requested after gaps: {keeper:?}");
    assert_eq!(acks, keeper.snapshots + keeper.deltas, "exactly the applied updates were acknowledged");
    // The observer hears of every gap in order with the records, and of ms boundaries.
    assert!(stale > feed.gaps, "stale markers: the start plus one per gap ({stale} vs {})", feed.gaps);
    assert!(boundaries > 10, "{boundaries}");
    assert_eq!(out_of_order, 0, "no record after a boundary that covers its ms");
}

#[actix_web::test]
async fn twenty_disconnects_are_each_recovered() {
    let faults = FaultConfig { disconnect_every: Some(Duration::from_millis(150)), ..Default::default() };
    let ((_, conn), keeper, acks, (_, _, out_of_order)) = under_faults(faults, Duration::from_secs(6)).await;
    assert_eq!(out_of_order, 0);
    assert!(conn.connects >= 20, "{conn:?}");
    assert!(conn.disconnects >= 19, "{conn:?}");
    assert_eq!(acks, keeper.snapshots + keeper.deltas);
}

#[actix_web::test]
async fn garbage_frames_are_counted_and_the_service_stays_healthy() {
    let faults = FaultConfig {
        malformed_prob: 0.1,
        unknown_type_prob: 0.1,
        bad_price_prob: 0.1,
        duplicate_prob: 0.1,
        ..Default::default()
    };
    let ((feed, conn), keeper, _, _) = under_faults(faults, Duration::from_secs(1)).await;
    assert!(feed.malformed.get("envelope").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.malformed.get("orderbook_delta").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.ignored.get("mystery_event").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.duplicates > 0, "{feed:?}");
    assert_eq!(conn.connects, 1, "no reconnect needed");
    assert_eq!(keeper.rejected, 0, "garbage never reached a book");
}

#[actix_web::test]
async fn a_stalled_market_is_detected_within_the_timeout() {
    let sim = crate::support::sim::TestSim::start(1, |_| {});
    let stalled = sim.handle.sim.lock().engine.tickers()[0].clone();
    drop(sim);
    let faults = FaultConfig { stall_market: Some(stalled), ..Default::default() };
    let ((feed, conn), _, _, (_, stale, _)) = under_faults(faults, Duration::from_millis(1_500)).await;
    assert!(stale >= 2, "the stalled market was marked stale for the observer");
    assert!(feed.stalled_markets >= 1, "{feed:?}");
    assert_eq!(conn.connects, 1, "the socket stayed up");
}

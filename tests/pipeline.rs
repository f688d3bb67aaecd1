//! The market-data pipeline against the real simulator over loopback, configured the way
//! `demo` mode is (URLs and credentials from the seed's environment names): the service's
//! books equal the exchange's, and the database alone rebuilds them.

use std::sync::Arc;
use std::time::Duration;

use kalshi_actor::actors::book_keeper::GetKeeperCounters;
use kalshi_actor::actors::messages::GetBook;
use kalshi_actor::actors::persister::{FlushAndClose, GetPersisterCounters};
use kalshi_actor::app;
use kalshi_actor::book::{BookSnapshot, SyncState};
use kalshi_actor::config::{Config, FileLayer};
use kalshi_actor::kalshi::client::RestClient;
use kalshi_actor::kalshi::rest::OrderbookResponse;
use kalshi_actor::sim::flow::FlowConfig;
use kalshi_actor::storage::{SessionCounters, Store};

use crate::support::sim::TestSim;
use crate::support::wait_until;

const WAIT: Duration = Duration::from_secs(10);

/// A configuration in `demo` mode pointing at `sim`, as the seed's variables would set it.
fn demo_config(sim: &TestSim, db: &str, tickers: &[String]) -> Config {
    let env = [
        ("RL_MARKET_MODE", "config".to_owned()),
        ("RL_MARKET_TICKERS", tickers.join(",")),
        ("KALSHI_ACTOR_EXCHANGE__MODE", "demo".to_owned()),
        ("KALSHI_PAPER_TRADING_API_URL", sim.handle.rest_url.clone()),
        ("KALSHI_PAPER_TRADING_WS_URL", sim.handle.ws_url.clone()),
        ("KALSHI_PAPER_TRADING_API_KEY_ID", sim.users[0].key_id.clone()),
        ("KALSHI_PAPER_TRADING_PRIVATE_KEY_CONTENT", sim.users[0].private_pem.clone()),
        ("DATABASE_URL", db.to_owned()),
    ];
    Config::load_from(FileLayer::None, env.into_iter().map(|(k, v)| (k.to_owned(), v))).unwrap()
}

/// YES bids and NO bids as `(price, size)` strings, best first.
type Sides = (Vec<(String, String)>, Vec<(String, String)>);

/// The exchange's book of `ticker` in our snapshot form (best first, NO in NO terms).
async fn exchange_book(rest: &RestClient, ticker: &str) -> Sides {
    let ob: OrderbookResponse = rest.get(&format!("/markets/{ticker}/orderbook")).await.unwrap();
    let side = |levels: &[kalshi_actor::kalshi::rest::OrderbookLevel]| {
        levels.iter().rev().map(|l| (l.price.format(), l.count.format())).collect::<Vec<_>>()
    };
    (side(&ob.orderbook_fp.yes_dollars), side(&ob.orderbook_fp.no_dollars))
}

fn ours(b: &BookSnapshot) -> Sides {
    let side =
        |levels: &[kalshi_actor::book::Level]| levels.iter().map(|l| (l.price.format(), l.size.format())).collect();
    (side(&b.yes_bids), side(&b.no_bids))
}

#[actix_web::test]
async fn books_match_the_exchange_and_sqlite_rebuilds_them() {
    let dir = tempfile::tempdir().unwrap();
    books_match_and_the_database_rebuilds_them(&format!("sqlite://{}", dir.path().join("k.sqlite").display())).await;
}

#[actix_web::test]
async fn books_match_the_exchange_and_postgres_rebuilds_them() {
    // `make test` starts a local PostgreSQL and sets this; CI must not skip it.
    match std::env::var("KALSHI_ACTOR_TEST_POSTGRES_URL") {
        Ok(url) => books_match_and_the_database_rebuilds_them(&url).await,
        Err(_) if std::env::var_os("CI").is_some() => panic!("KALSHI_ACTOR_TEST_POSTGRES_URL is not set under CI"),
        Err(_) => eprintln!("skipped: KALSHI_ACTOR_TEST_POSTGRES_URL not set (make test sets it)"),
    }
}

async fn books_match_and_the_database_rebuilds_them(db: &str) {
    let sim = TestSim::start(1, |c| {
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
    });
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(3).collect();
    let config = demo_config(&sim, db, &tickers);
    let exchange = app::exchange(&config).unwrap();
    assert!(exchange.sim.is_none(), "demo mode starts no simulator");
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = app::select_markets(&config, &rest).await.unwrap();
    assert_eq!(markets.iter().map(|m| m.ticker.clone()).collect::<Vec<_>>(), tickers);
    let p = app::start_pipeline(&config, &exchange, rest.clone(), &markets, None).await.unwrap();

    // Snapshots first, then a period of flow.
    let keeper = p.keeper.clone();
    wait_until(WAIT, "all books synced", || {
        let keeper = keeper.clone();
        let tickers = tickers.clone();
        async move {
            for t in &tickers {
                let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                if b.state != SyncState::Synced {
                    return None;
                }
            }
            Some(())
        }
    })
    .await;
    for i in 0..100 {
        sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
    }
    let (counters, _) = p.keeper.send(GetKeeperCounters).await.unwrap();
    let books: Arc<std::sync::Mutex<Vec<BookSnapshot>>> = Default::default();
    let got = books.clone();
    wait_until(WAIT, "the service's books to equal the exchange's", || {
        let keeper = keeper.clone();
        let tickers = tickers.clone();
        let rest = rest.clone();
        let got = got.clone();
        async move {
            let mut snaps = Vec::new();
            for t in &tickers {
                let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                if ours(&b) != exchange_book(&rest, t).await {
                    return None;
                }
                snaps.push(b);
            }
            *got.lock().unwrap() = snaps;
            Some(())
        }
    })
    .await;
    let (after, restarts) = p.keeper.send(GetKeeperCounters).await.unwrap();
    assert!(after.deltas > counters.deltas + 50, "flow moved the books: {after:?}");
    assert_eq!((after.stale_drops, after.rejected, restarts), (0, 0, 0));

    // Every accepted record reaches the database; the database alone rebuilds the books.
    let (buf, _) = p.persister.send(GetPersisterCounters).await.unwrap();
    assert_eq!(buf.dropped, 0);
    let closed =
        p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert_eq!(closed.written, closed.accepted);
    let store = Store::connect(db).await.unwrap();
    let rebuilt = store
        .rebuild_books(p.session, |t| app::grid_of(markets.iter().find(|m| m.ticker == t).unwrap()))
        .await
        .unwrap();
    let books = books.lock().unwrap().clone();
    for b in &books {
        assert_eq!(ours(&rebuilt[&b.ticker].snapshot()), ours(b), "{}", b.ticker);
    }
    let sessions = store.sessions().await.unwrap();
    let ours_row = sessions.iter().find(|s| s.id == p.session).unwrap();
    assert_eq!(ours_row.records(), closed.written);
    assert_eq!(ours_row.status.as_str(), "closed");
}

/// Counts the Persister's acknowledgements, as the Observer will receive them.
#[derive(Default)]
struct AckProbe {
    acks: u64,
}

impl actix::Actor for AckProbe {
    type Context = actix::Context<Self>;
}

impl actix::Handler<kalshi_actor::actors::messages::RecordEnqueued> for AckProbe {
    type Result = ();
    fn handle(&mut self, _: kalshi_actor::actors::messages::RecordEnqueued, _: &mut Self::Context) {
        self.acks += 1;
    }
}

#[derive(actix::Message)]
#[rtype(result = "u64")]
struct Acks;

impl actix::Handler<Acks> for AckProbe {
    type Result = u64;
    fn handle(&mut self, _: Acks, _: &mut Self::Context) -> u64 {
        self.acks
    }
}

/// What the feed, the keeper and the acknowledgement probe saw.
type Outcome = (
    (kalshi_actor::feed::FeedCounters, kalshi_actor::actors::market_feed::ConnectionCounters),
    kalshi_actor::book::keeper::KeeperCounters,
    u64,
);

/// Runs the pipeline against a simulator with `faults` while flow steps for `run_for`,
/// then waits for the books to equal the exchange's. Returns the feed's, the keeper's and
/// the probe's view.
async fn under_faults(faults: kalshi_actor::sim::faults::FaultConfig, run_for: Duration) -> Outcome {
    use actix::Actor;
    let sim = TestSim::start(1, |c| {
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
        c.faults = faults;
    });
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(3).collect();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let mut config = demo_config(&sim, &db, &tickers);
    config.feed.stall_timeout = Duration::from_millis(500);
    let exchange = app::exchange(&config).unwrap();
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = app::select_markets(&config, &rest).await.unwrap();
    let probe = AckProbe::default().start();
    let p =
        app::start_pipeline(&config, &exchange, rest.clone(), &markets, Some(probe.clone().recipient())).await.unwrap();
    let started = std::time::Instant::now();
    let mut i = 0;
    while started.elapsed() < run_for {
        sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
        i += 1;
        // Pacing of the synthetic market, not synchronization.
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let keeper = p.keeper.clone();
    wait_until(WAIT, "books to recover and equal the exchange's", || {
        let keeper = keeper.clone();
        let tickers = tickers.clone();
        let rest = rest.clone();
        async move {
            for t in &tickers {
                let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                if b.state != SyncState::Synced || ours(&b) != exchange_book(&rest, t).await {
                    return None;
                }
            }
            Some(())
        }
    })
    .await;
    let feed = p.feed.send(kalshi_actor::actors::market_feed::GetFeedCounters).await.unwrap();
    let (keeper_counters, _) = p.keeper.send(GetKeeperCounters).await.unwrap();
    let acks = probe.send(Acks).await.unwrap();
    (feed, keeper_counters, acks)
}

#[actix_web::test]
async fn sequence_gaps_go_stale_and_recover_by_snapshot_without_acks_while_stale() {
    let faults = kalshi_actor::sim::faults::FaultConfig { skip_seq_prob: 0.02, ..Default::default() };
    let ((feed, _), keeper, acks) = under_faults(faults, Duration::from_secs(2)).await;
    assert!(feed.gaps >= 3, "{feed:?}");
    assert!(keeper.snapshots > 3, "snapshots re-requested after gaps: {keeper:?}");
    assert_eq!(acks, keeper.snapshots + keeper.deltas, "exactly the applied updates were acknowledged");
}

#[actix_web::test]
async fn twenty_disconnects_are_each_recovered() {
    let faults = kalshi_actor::sim::faults::FaultConfig {
        disconnect_every: Some(Duration::from_millis(150)),
        ..Default::default()
    };
    let ((_, conn), keeper, acks) = under_faults(faults, Duration::from_secs(6)).await;
    assert!(conn.connects >= 20, "{conn:?}");
    assert!(conn.disconnects >= 19, "{conn:?}");
    assert_eq!(acks, keeper.snapshots + keeper.deltas);
}

#[actix_web::test]
async fn garbage_frames_are_counted_and_the_service_stays_healthy() {
    let faults = kalshi_actor::sim::faults::FaultConfig {
        malformed_prob: 0.1,
        unknown_type_prob: 0.1,
        bad_price_prob: 0.1,
        duplicate_prob: 0.1,
        ..Default::default()
    };
    let ((feed, conn), keeper, _) = under_faults(faults, Duration::from_secs(1)).await;
    assert!(feed.malformed.get("envelope").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.malformed.get("orderbook_delta").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.ignored.get("mystery_event").copied().unwrap_or(0) > 0, "{feed:?}");
    assert!(feed.duplicates > 0, "{feed:?}");
    assert_eq!(conn.connects, 1, "no reconnect needed");
    assert_eq!(keeper.rejected, 0, "garbage never reached a book");
}

#[actix_web::test]
async fn a_panic_in_the_book_core_restarts_the_keeper_which_resyncs() {
    let sim = TestSim::start(1, |c| {
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
    });
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(2).collect();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let config = demo_config(&sim, &db, &tickers);
    let exchange = app::exchange(&config).unwrap();
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = app::select_markets(&config, &rest).await.unwrap();
    let p = app::start_pipeline(&config, &exchange, rest.clone(), &markets, None).await.unwrap();
    for i in 0..20 {
        sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
    }
    p.keeper.do_send(kalshi_actor::actors::book_keeper::InjectCorePanic);
    for i in 20..40 {
        sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
    }
    let keeper = p.keeper.clone();
    let restarts = wait_until(WAIT, "the restarted keeper to resync every book", || {
        let keeper = keeper.clone();
        let tickers = tickers.clone();
        let rest = rest.clone();
        async move {
            let (_, restarts) = keeper.send(GetKeeperCounters).await.ok()?;
            for t in &tickers {
                let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                if restarts == 0 || b.state != SyncState::Synced || ours(&b) != exchange_book(&rest, t).await {
                    return None;
                }
            }
            Some(restarts)
        }
    })
    .await;
    assert_eq!(restarts, 1);
}

#[actix_web::test]
async fn a_full_buffer_stops_acks_counts_drops_and_loses_nothing_accepted() {
    use actix::Actor;
    use sqlx::Connection;
    let sim = TestSim::start(1, |c| {
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
    });
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(3).collect();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let mut config = demo_config(&sim, &db, &tickers);
    config.persister.buffer_capacity = 40;
    config.persister.batch_size = 10;
    config.persister.flush_interval = Duration::from_millis(20);
    let exchange = app::exchange(&config).unwrap();
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = app::select_markets(&config, &rest).await.unwrap();
    let probe = AckProbe::default().start();
    let p =
        app::start_pipeline(&config, &exchange, rest.clone(), &markets, Some(probe.clone().recipient())).await.unwrap();
    let persister = p.persister.clone();
    wait_until(WAIT, "the snapshots to be written", || {
        let persister = persister.clone();
        async move {
            let (c, pending) = persister.send(GetPersisterCounters).await.ok()?;
            (c.written >= 3 && pending == 0).then_some(())
        }
    })
    .await;

    // Another writer holds the database: the batch in flight waits, the buffer fills.
    let mut blocker = sqlx::SqliteConnection::connect(&db).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut blocker).await.unwrap();
    let mut step = 0;
    wait_until(WAIT, "the buffer to fill and refuse updates", || {
        for _ in 0..5 {
            sim.handle.sim.lock().step(1_795_705_445_000 + step * 100);
            step += 1;
        }
        let persister = persister.clone();
        async move {
            let (c, _) = persister.send(GetPersisterCounters).await.ok()?;
            (c.dropped > 0).then_some(())
        }
    })
    .await;
    let (full, pending) = p.persister.send(GetPersisterCounters).await.unwrap();
    assert_eq!(pending, 40, "capacity reached");
    assert_eq!(probe.send(Acks).await.unwrap(), full.accepted, "refused updates were not acknowledged");
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    drop(blocker);

    let closed =
        p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert!(closed.dropped > 0, "{closed:?}");
    assert_eq!(closed.written, closed.accepted, "every accepted record reached the database");
    let store = Store::connect(&db).await.unwrap();
    let row = store.sessions().await.unwrap().into_iter().find(|s| s.id == p.session).unwrap();
    assert_eq!(row.records(), closed.accepted);
    assert_eq!(row.dropped, closed.dropped);
}

#[actix_web::test]
async fn a_stalled_market_is_detected_within_the_timeout() {
    let sim = TestSim::start(1, |_| {});
    let stalled = sim.handle.sim.lock().engine.tickers()[0].clone();
    drop(sim);
    let faults = kalshi_actor::sim::faults::FaultConfig { stall_market: Some(stalled), ..Default::default() };
    let ((feed, conn), _, _) = under_faults(faults, Duration::from_millis(1_500)).await;
    assert!(feed.stalled_markets >= 1, "{feed:?}");
    assert_eq!(conn.connects, 1, "the socket stayed up");
}

#[actix_web::test]
async fn the_feed_and_the_persister_are_restarted_by_their_supervisors() {
    use kalshi_actor::actors::messages::InjectFailure;
    use kalshi_actor::actors::persister::GetPersisterRestarts;
    let sim = TestSim::start(1, |c| {
        c.flow = Some(FlowConfig::default());
        c.flow_tick = None;
    });
    let tickers: Vec<String> = sim.handle.sim.lock().engine.tickers().into_iter().take(2).collect();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.sqlite").display());
    let config = demo_config(&sim, &db, &tickers);
    let exchange = app::exchange(&config).unwrap();
    let rest = RestClient::new(exchange.rest_url.clone(), Some(exchange.signer.clone()), Duration::from_secs(10));
    let markets = app::select_markets(&config, &rest).await.unwrap();
    let p = app::start_pipeline(&config, &exchange, rest.clone(), &markets, None).await.unwrap();
    p.feed.do_send(InjectFailure);
    p.persister.do_send(InjectFailure);
    let (feed, persister) = (p.feed.clone(), p.persister.clone());
    wait_until(WAIT, "both actors restarted and the feed reconnected", || {
        let (feed, persister) = (feed.clone(), persister.clone());
        async move {
            let (_, conn) = feed.send(kalshi_actor::actors::market_feed::GetFeedCounters).await.ok()?;
            let restarts = persister.send(GetPersisterRestarts).await.ok()?;
            (conn.restarts == 1 && conn.connects >= 2 && restarts == 1).then_some(())
        }
    })
    .await;
    for i in 0..30 {
        sim.handle.sim.lock().step(1_795_705_445_000 + i * 100);
    }
    let keeper = p.keeper.clone();
    wait_until(WAIT, "books equal to the exchange's after the restarts", || {
        let keeper = keeper.clone();
        let tickers = tickers.clone();
        let rest = rest.clone();
        async move {
            for t in &tickers {
                let b = keeper.send(GetBook { market: t.clone() }).await.ok()??;
                if b.state != SyncState::Synced || ours(&b) != exchange_book(&rest, t).await {
                    return None;
                }
            }
            Some(())
        }
    })
    .await;
    let closed =
        p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert_eq!(closed.written, closed.accepted, "the restarted persister lost nothing");
    assert!(closed.accepted > 2);
}

/// Collects `BookUpdated` and `PersistRecord` messages.
#[derive(Default)]
struct Probe {
    updates: Vec<u64>,
    records: u64,
}

impl actix::Actor for Probe {
    type Context = actix::Context<Self>;
}

impl actix::Handler<kalshi_actor::actors::messages::BookUpdated> for Probe {
    type Result = ();
    fn handle(&mut self, m: kalshi_actor::actors::messages::BookUpdated, _: &mut Self::Context) {
        self.updates.push(m.seq);
    }
}

impl actix::Handler<kalshi_actor::actors::messages::PersistRecord> for Probe {
    type Result = ();
    fn handle(&mut self, _: kalshi_actor::actors::messages::PersistRecord, _: &mut Self::Context) {
        self.records += 1;
    }
}

#[derive(actix::Message)]
#[rtype(result = "(Vec<u64>, u64)")]
struct Seen;

impl actix::Handler<Seen> for Probe {
    type Result = actix::MessageResult<Seen>;
    fn handle(&mut self, _: Seen, _: &mut Self::Context) -> Self::Result {
        actix::MessageResult((self.updates.clone(), self.records))
    }
}

#[actix_web::test]
async fn book_updates_for_the_dashboard_are_throttled_per_market() {
    use actix::Actor;
    use kalshi_actor::actors::book_keeper::{BookKeeper, ConnectDashboard};
    use kalshi_actor::actors::messages::BookEventReceived;
    use kalshi_actor::book::{NoPricing, TickGrid};
    use kalshi_actor::domain::{Count, Outcome, Price};
    use kalshi_actor::feed::BookEvent;
    let probe = Probe::default().start();
    let keeper = BookKeeper::new(vec![("M".into(), TickGrid::linear_cent())], probe.clone().recipient()).start();
    keeper.send(ConnectDashboard(probe.clone().recipient())).await.unwrap();
    let snapshot = BookEvent::Snapshot {
        market: "M".into(),
        sid: 1,
        seq: 1,
        recv_ms: 0,
        yes: vec![],
        no: vec![],
        pricing: NoPricing::NoLeg,
    };
    keeper.send(BookEventReceived { event: snapshot }).await.unwrap();
    for (seq, recv_ms) in [(2, 10), (3, 50), (4, 99), (5, 100), (6, 150), (7, 260)] {
        let event = BookEvent::Delta {
            market: "M".into(),
            sid: 1,
            seq,
            recv_ms,
            exchange_ts_ms: None,
            side: Outcome::Yes,
            price: Price::from_cents(40).unwrap(),
            delta: Count::contracts(1),
            pricing: NoPricing::NoLeg,
            client_order_id: None,
        };
        keeper.send(BookEventReceived { event }).await.unwrap();
    }
    let (updates, records) = probe.send(Seen).await.unwrap();
    assert_eq!(records, 7, "every update is persisted");
    assert_eq!(updates, vec![1, 5, 7], "at most one dashboard update per market per 100 ms");
}

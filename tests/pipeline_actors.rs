//! The pipeline's actors under failure: supervised restarts (including a panic inside the
//! book core), a full write buffer, and the dashboard throttle.

use std::time::Duration;

use kalshi_actor::actors::book_keeper::{GetKeeperCounters, InjectCorePanic};
use kalshi_actor::actors::market_feed::GetFeedCounters;
use kalshi_actor::actors::messages::InjectFailure;
use kalshi_actor::actors::persister::{FlushAndClose, GetPersisterCounters, GetPersisterRestarts};
use kalshi_actor::storage::{SessionCounters, Store};

use crate::support::pipeline::{AckProbe, Acks, Markers, Running, WAIT};
use crate::support::wait_until;

#[actix_web::test]
async fn a_panic_in_the_book_core_restarts_the_keeper_which_resyncs() {
    let r = Running::start(2, None, |_| {}, |_| {}, None).await;
    r.step(0, 20);
    r.p.keeper.do_send(InjectCorePanic);
    r.step(20, 20);
    r.books_equal("the restarted keeper to resync every book").await;
    let (_, restarts) = r.p.keeper.send(GetKeeperCounters).await.unwrap();
    assert_eq!(restarts, 1);
}

#[actix_web::test]
async fn the_feed_and_the_persister_are_restarted_by_their_supervisors() {
    let r = Running::start(2, None, |_| {}, |_| {}, None).await;
    r.p.feed.do_send(InjectFailure);
    r.p.persister.do_send(InjectFailure);
    let (feed, persister) = (r.p.feed.clone(), r.p.persister.clone());
    wait_until(WAIT, "both actors restarted and the feed reconnected", || {
        let (feed, persister) = (feed.clone(), persister.clone());
        async move {
            let (_, conn) = feed.send(GetFeedCounters).await.ok()?;
            let restarts = persister.send(GetPersisterRestarts).await.ok()?;
            (conn.restarts == 1 && conn.connects >= 2 && restarts == 1).then_some(())
        }
    })
    .await;
    r.step(0, 30);
    r.books_equal("books equal to the exchange's after the restarts").await;
    let closed =
        r.p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert_eq!(closed.written, closed.accepted, "the restarted persister lost nothing");
    assert!(closed.accepted > 2);
}

#[actix_web::test]
async fn a_full_buffer_stops_acks_counts_drops_and_loses_nothing_accepted() {
    use sqlx::Connection;
    let probe = AckProbe::started();
    let r = Running::start(
        3,
        None,
        |_| {},
        |c| {
            c.persister.buffer_capacity = 40;
            c.persister.batch_size = 10;
            c.persister.flush_interval = Duration::from_millis(20);
        },
        Some(AckProbe::targets(&probe)),
    )
    .await;
    let persister = r.p.persister.clone();
    wait_until(WAIT, "the snapshots to be written", || {
        let persister = persister.clone();
        async move {
            let (c, pending) = persister.send(GetPersisterCounters).await.ok()?;
            (c.written >= 3 && pending == 0).then_some(())
        }
    })
    .await;

    // Another writer holds the database: the batch in flight waits, the buffer fills.
    let mut blocker = sqlx::SqliteConnection::connect(&r.db).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut blocker).await.unwrap();
    let mut step = 0;
    wait_until(WAIT, "the buffer to fill and refuse updates", || {
        r.step(step, 5);
        step += 5;
        let persister = persister.clone();
        async move {
            let (c, _) = persister.send(GetPersisterCounters).await.ok()?;
            (c.dropped > 0).then_some(())
        }
    })
    .await;
    let (full, pending) = r.p.persister.send(GetPersisterCounters).await.unwrap();
    assert_eq!(pending, 40, "capacity reached");
    assert_eq!(probe.send(Acks).await.unwrap(), full.accepted, "refused updates were not acknowledged");
    let (_, stale, _) = probe.send(Markers).await.unwrap();
    assert!(stale >= 2, "a refused record marks its market stale for the observer (after the start's marker)");
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    drop(blocker);

    let closed =
        r.p.persister.send(FlushAndClose { deadline: WAIT, counters: SessionCounters::default() }).await.unwrap();
    assert!(closed.dropped > 0, "{closed:?}");
    assert_eq!(closed.written, closed.accepted, "every accepted record reached the database");
    let store = Store::connect(&r.db).await.unwrap();
    let row = store.sessions().await.unwrap().into_iter().find(|s| s.id == r.p.session).unwrap();
    assert_eq!(row.records(), closed.accepted);
    assert_eq!(row.dropped, closed.dropped);
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
    let keeper = BookKeeper::new(vec![("M".into(), TickGrid::linear_cent())], probe.clone().recipient(), None).start();
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
    keeper.send(BookEventReceived { event: snapshot, rx: std::time::Instant::now() }).await.unwrap();
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
        keeper.send(BookEventReceived { event, rx: std::time::Instant::now() }).await.unwrap();
    }
    let (updates, records) = probe.send(Seen).await.unwrap();
    assert_eq!(records, 7, "every update is persisted");
    assert_eq!(updates, vec![1, 5, 7], "at most one dashboard update per market per 100 ms");
}

//! BookKeeper: the authoritative books. Applies the feed's in-order events through the
//! pure [`BookKeeperCore`], forwards each accepted update to the Persister, answers
//! `GetBook`, and asks the feed for snapshots after anomalies. A panic in the core stops the
//! actor; its supervisor restarts it with every book stale and fresh snapshots requested.
//!
//! It also marks the record stream for the Observer (through the Persister, so markers stay
//! in order with the records): books marked stale, and millisecond boundaries. After
//! forwarding a record received in ms `T` it wakes at the wall clock's next ms; the wake-up
//! queues behind every event already in its mailbox, and any frame stamped before the
//! wake-up is already there (the feed runs on this thread), so the marker "through `t − 1`"
//! it then sends is exact: no record of an earlier ms can follow it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix::prelude::*;
use tracing::{debug, error};

use super::messages::{
    BookEventReceived, BookUpdated, BooksMarkedStale, GetBook, PersistRecord, RequestSnapshots, StreamMarked,
    StreamMarker,
};
use crate::book::keeper::{BookKeeperCore, KeeperCounters, KeeperOutput};
use crate::book::BookSnapshot;

/// The book keeper actor.
pub struct BookKeeper {
    core: BookKeeperCore,
    grids: Vec<(String, std::sync::Arc<crate::book::TickGrid>)>,
    markets: Vec<String>,
    persist: Recipient<PersistRecord>,
    /// Stream markers (to the Persister, which forwards them to the Observer).
    markers: Option<Recipient<StreamMarked>>,
    /// Receive ms of the last record forwarded, and whether a boundary wake-up is pending.
    last_forwarded_ms: i64,
    boundary_armed: bool,
    feed: Option<Recipient<RequestSnapshots>>,
    /// Dashboard frames, at most one per market per [`BOOK_UPDATE_EVERY_MS`].
    dashboard: Option<Recipient<BookUpdated>>,
    last_published: std::collections::HashMap<String, i64>,
    restarts: u64,
}

/// Least time between two `BookUpdated` of one market: people need no more than 10 a second.
pub const BOOK_UPDATE_EVERY_MS: i64 = 100;

impl BookKeeper {
    /// A keeper for `markets` (each with its price grid) forwarding records to `persist`
    /// and stream markers to `markers`.
    pub fn new(
        grids: Vec<(String, std::sync::Arc<crate::book::TickGrid>)>,
        persist: Recipient<PersistRecord>,
        markers: Option<Recipient<StreamMarked>>,
    ) -> BookKeeper {
        let markets = grids.iter().map(|(m, _)| m.clone()).collect();
        let mut keeper = BookKeeper {
            core: BookKeeperCore::default(),
            grids,
            markets,
            persist,
            markers,
            last_forwarded_ms: i64::MIN,
            boundary_armed: false,
            feed: None,
            dashboard: None,
            last_published: std::collections::HashMap::new(),
            restarts: 0,
        };
        keeper.reset_core();
        keeper
    }

    fn reset_core(&mut self) {
        self.core = BookKeeperCore::default();
        for (m, g) in &self.grids {
            self.core.set_grid(m, g.clone());
        }
        self.core.mark_stale(&self.markets);
    }
}

/// Wall-clock time, µs since the Unix epoch.
fn now_us() -> i64 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The keeper's own wake-up: send the boundary marker (queued behind pending events).
#[derive(Message)]
#[rtype(result = "()")]
struct EmitBoundary {
    through_ms: i64,
}

impl BookKeeper {
    /// After forwarding a record received at `recv_ms`: make sure a boundary follows.
    fn arm_boundary(&mut self, recv_ms: i64, ctx: &mut Context<Self>) {
        self.last_forwarded_ms = self.last_forwarded_ms.max(recv_ms);
        if self.boundary_armed || self.markers.is_none() {
            return;
        }
        self.boundary_armed = true;
        let wait_us = (self.last_forwarded_ms.saturating_add(1)).saturating_mul(1000) - now_us();
        let wait = std::time::Duration::from_micros(u64::try_from(wait_us).unwrap_or(0));
        ctx.run_later(wait, |_, ctx| {
            let through_ms = now_us().div_euclid(1000) - 1;
            ctx.address().do_send(EmitBoundary { through_ms });
        });
    }

    /// Sends the market's book to the dashboard unless it was sent less than
    /// [`BOOK_UPDATE_EVERY_MS`] ago (by receive time).
    fn publish(&mut self, record: &crate::storage::BookRecord) {
        let Some(dashboard) = &self.dashboard else { return };
        let (market, recv_ms) = (record.market(), record.recv_ms());
        if self.last_published.get(market).is_some_and(|last| recv_ms - last < BOOK_UPDATE_EVERY_MS) {
            return;
        }
        if let Some(book) = self.core.book(market) {
            dashboard.do_send(BookUpdated { book: book.snapshot(), seq: record.seq(), recv_ms });
            self.last_published.insert(market.to_owned(), recv_ms);
        }
    }
}

/// Connects the dashboard's broadcaster (the seam the Broadcaster issue plugs into).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectDashboard(pub Recipient<BookUpdated>);

impl Handler<ConnectDashboard> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: ConnectDashboard, _: &mut Self::Context) {
        self.dashboard = Some(msg.0);
    }
}

impl Actor for BookKeeper {
    type Context = Context<Self>;
}

impl actix::Supervised for BookKeeper {
    fn restarting(&mut self, ctx: &mut Self::Context) {
        self.restarts += 1;
        // The core may have been left half-updated: start over, every book stale.
        self.reset_core();
        if let Some(feed) = &self.feed {
            feed.do_send(RequestSnapshots { markets: self.markets.clone() });
        }
        if let Some(m) = &self.markers {
            m.do_send(StreamMarked { marker: StreamMarker::Stale { markets: self.markets.clone() } });
        }
        // The pending wake-up died with the old context.
        self.boundary_armed = false;
        if self.last_forwarded_ms > i64::MIN {
            self.arm_boundary(self.last_forwarded_ms, ctx);
        }
    }
}

impl Handler<BookEventReceived> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: BookEventReceived, ctx: &mut Self::Context) {
        let core = &mut self.core;
        match catch_unwind(AssertUnwindSafe(|| core.on_event(msg.event))) {
            Ok(Ok(outputs)) => {
                for o in outputs {
                    match o {
                        KeeperOutput::Record(record) => {
                            self.publish(&record);
                            let recv_ms = record.recv_ms();
                            self.persist.do_send(PersistRecord { record, rx: msg.rx });
                            self.arm_boundary(recv_ms, ctx);
                        }
                        KeeperOutput::RequestSnapshot(market) => {
                            if let Some(feed) = &self.feed {
                                feed.do_send(RequestSnapshots { markets: vec![market] });
                            }
                        }
                    }
                }
            }
            Ok(Err(e)) => debug!(error = %e, "book update refused"),
            Err(_) => {
                error!("book core panicked; restarting the book keeper");
                ctx.stop();
            }
        }
    }
}

impl Handler<EmitBoundary> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: EmitBoundary, ctx: &mut Self::Context) {
        self.boundary_armed = false;
        if let Some(m) = &self.markers {
            m.do_send(StreamMarked { marker: StreamMarker::Through { ms: msg.through_ms } });
        }
        if self.last_forwarded_ms > msg.through_ms {
            // Records of a later ms went out meanwhile: their boundary is still to come.
            self.arm_boundary(self.last_forwarded_ms, ctx);
        }
    }
}

impl Handler<BooksMarkedStale> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: BooksMarkedStale, _: &mut Self::Context) {
        self.core.mark_stale(&msg.markets);
        if let Some(m) = &self.markers {
            m.do_send(StreamMarked { marker: StreamMarker::Stale { markets: msg.markets } });
        }
    }
}

impl Handler<GetBook> for BookKeeper {
    type Result = Option<BookSnapshot>;

    fn handle(&mut self, msg: GetBook, _: &mut Self::Context) -> Option<BookSnapshot> {
        self.core.book(&msg.market).map(|b| b.snapshot())
    }
}

/// Connects the feed (for snapshot requests) after both actors exist.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectFeed(pub Recipient<RequestSnapshots>);

impl Handler<ConnectFeed> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: ConnectFeed, _: &mut Self::Context) {
        self.feed = Some(msg.0);
    }
}

/// The keeper's counters and restart count.
#[derive(Message)]
#[rtype(result = "(KeeperCounters, u64)")]
pub struct GetKeeperCounters;

impl Handler<GetKeeperCounters> for BookKeeper {
    type Result = MessageResult<GetKeeperCounters>;

    fn handle(&mut self, _: GetKeeperCounters, _: &mut Self::Context) -> Self::Result {
        MessageResult((self.core.counters().clone(), self.restarts))
    }
}

/// The markets whose book awaits a snapshot (stale), sorted.
#[derive(Message)]
#[rtype(result = "Vec<String>")]
pub struct GetStaleMarkets;

impl Handler<GetStaleMarkets> for BookKeeper {
    type Result = Vec<String>;

    fn handle(&mut self, _: GetStaleMarkets, _: &mut Self::Context) -> Vec<String> {
        self.core.stale_markets()
    }
}

/// Fault injection for drills and tests: panics inside the book core's protected section,
/// exactly as a bug in the core would, to prove the supervisor's restart path.
#[derive(Message)]
#[rtype(result = "()")]
pub struct InjectCorePanic;

impl Handler<InjectCorePanic> for BookKeeper {
    type Result = ();

    fn handle(&mut self, _: InjectCorePanic, ctx: &mut Self::Context) {
        let result = catch_unwind(AssertUnwindSafe(|| -> () { panic!("injected book core panic") }));
        if result.is_err() {
            error!("book core panicked (injected); restarting the book keeper");
            ctx.stop();
        }
    }
}

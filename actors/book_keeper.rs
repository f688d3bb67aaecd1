//! BookKeeper: the authoritative books. Applies the feed's in-order events through the
//! pure [`BookKeeperCore`], forwards each accepted update to the Persister, answers
//! `GetBook`, and asks the feed for snapshots after anomalies. A panic in the core stops the
//! actor; its supervisor restarts it with every book stale and fresh snapshots requested.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix::prelude::*;
use tracing::{debug, error};

use super::messages::{BookEventReceived, BookUpdated, BooksMarkedStale, GetBook, PersistRecord, RequestSnapshots};
use crate::book::keeper::{BookKeeperCore, KeeperCounters, KeeperOutput};
use crate::book::BookSnapshot;

/// The book keeper actor.
pub struct BookKeeper {
    core: BookKeeperCore,
    grids: Vec<(String, std::sync::Arc<crate::book::TickGrid>)>,
    markets: Vec<String>,
    persist: Recipient<PersistRecord>,
    feed: Option<Recipient<RequestSnapshots>>,
    /// Dashboard frames, at most one per market per [`BOOK_UPDATE_EVERY_MS`].
    dashboard: Option<Recipient<BookUpdated>>,
    last_published: std::collections::HashMap<String, i64>,
    restarts: u64,
}

/// Least time between two `BookUpdated` of one market: people need no more than 10 a second.
pub const BOOK_UPDATE_EVERY_MS: i64 = 100;

impl BookKeeper {
    /// A keeper for `markets` (each with its price grid) forwarding to `persist`.
    pub fn new(
        grids: Vec<(String, std::sync::Arc<crate::book::TickGrid>)>,
        persist: Recipient<PersistRecord>,
    ) -> BookKeeper {
        let markets = grids.iter().map(|(m, _)| m.clone()).collect();
        let mut keeper = BookKeeper {
            core: BookKeeperCore::default(),
            grids,
            markets,
            persist,
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

impl BookKeeper {
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
    fn restarting(&mut self, _: &mut Self::Context) {
        self.restarts += 1;
        // The core may have been left half-updated: start over, every book stale.
        self.reset_core();
        if let Some(feed) = &self.feed {
            feed.do_send(RequestSnapshots { markets: self.markets.clone() });
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
                            self.persist.do_send(PersistRecord { record });
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

impl Handler<BooksMarkedStale> for BookKeeper {
    type Result = ();

    fn handle(&mut self, msg: BooksMarkedStale, _: &mut Self::Context) {
        self.core.mark_stale(&msg.markets);
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

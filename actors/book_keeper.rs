//! BookKeeper: the authoritative books. Applies the feed's in-order events through the
//! pure [`BookKeeperCore`], forwards each accepted update to the Persister, answers
//! `GetBook`, and asks the feed for snapshots after anomalies. A panic in the core stops the
//! actor; its supervisor restarts it with every book stale and fresh snapshots requested.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix::prelude::*;
use tracing::{debug, error};

use super::messages::{BookEventReceived, BooksMarkedStale, GetBook, PersistRecord, RequestSnapshots};
use crate::book::keeper::{BookKeeperCore, KeeperCounters, KeeperOutput};
use crate::book::BookSnapshot;

/// The book keeper actor.
pub struct BookKeeper {
    core: BookKeeperCore,
    markets: Vec<String>,
    persist: Recipient<PersistRecord>,
    feed: Option<Recipient<RequestSnapshots>>,
    restarts: u64,
}

impl BookKeeper {
    /// A keeper for `markets` forwarding to `persist`.
    pub fn new(core: BookKeeperCore, markets: Vec<String>, persist: Recipient<PersistRecord>) -> BookKeeper {
        BookKeeper { core, markets, persist, feed: None, restarts: 0 }
    }
}

impl Actor for BookKeeper {
    type Context = Context<Self>;
}

impl actix::Supervised for BookKeeper {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.restarts += 1;
        // The core may have been left half-updated: start over, every book stale.
        self.core = BookKeeperCore::default();
        self.core.mark_stale(&self.markets);
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
                        KeeperOutput::Record(record) => self.persist.do_send(PersistRecord { record }),
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

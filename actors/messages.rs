//! Messages between actors. Events are `SubjectPastParticiple`, commands `VerbObject`;
//! fields are named; market-data events carry `seq` and receive time.

use actix::Message;

use crate::book::BookSnapshot;
use crate::feed::BookEvent;
use crate::kalshi::ws;
use crate::storage::BookRecord;

/// MarketFeed → BookKeeper: an in-order order-book frame.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct BookEventReceived {
    /// The event.
    pub event: BookEvent,
}

/// MarketFeed → BookKeeper: these books can no longer be trusted until their snapshot.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct BooksMarkedStale {
    /// Markets.
    pub markets: Vec<String>,
}

/// BookKeeper → MarketFeed: ask the exchange for fresh snapshots (after an anomaly).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct RequestSnapshots {
    /// Markets.
    pub markets: Vec<String>,
}

/// Anyone → BookKeeper: the current book of a market.
#[derive(Debug, Clone, Message)]
#[rtype(result = "Option<BookSnapshot>")]
pub struct GetBook {
    /// Market.
    pub market: String,
}

/// MarketFeed → OrderExecutor: one of our fills.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct FillReceived {
    /// The fill as Kalshi sent it.
    pub fill: Box<ws::Fill>,
    /// Receive time, Unix ms.
    pub recv_ms: i64,
}

/// MarketFeed → OrderExecutor: one of our orders changed.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct OrderUpdated {
    /// The order as Kalshi sent it.
    pub order: Box<ws::UserOrder>,
    /// Receive time, Unix ms.
    pub recv_ms: i64,
}

/// BookKeeper → Persister: an accepted update to store.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct PersistRecord {
    /// The normalized record (NO levels in NO terms).
    pub record: BookRecord,
}

/// Persister → Observer: the record was accepted into the write buffer. This, and only
/// this, wakes the trading chain.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct RecordEnqueued {
    /// Market.
    pub market: String,
    /// Subscription.
    pub sid: u64,
    /// Sequence number.
    pub seq: u64,
    /// Receive time, Unix ms.
    pub recv_ms: i64,
    /// True for a snapshot, false for a delta.
    pub snapshot: bool,
}

/// Fault injection for drills and tests: the actor fails as on an unrecoverable error
/// (stops), so its supervisor's restart path runs.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct InjectFailure;

/// BookKeeper → Broadcaster: a market's book changed (throttled per market).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct BookUpdated {
    /// The book after the change.
    pub book: BookSnapshot,
    /// Sequence number of the update that produced it.
    pub seq: u64,
    /// Its receive time, Unix ms.
    pub recv_ms: i64,
}

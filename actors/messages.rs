//! Messages between actors. Events are `SubjectPastParticiple`, commands `VerbObject`;
//! fields are named; market-data events carry `seq` and receive time. The trading side's
//! events and status are in `trading.rs`, re-exported here.

use actix::Message;

use crate::book::BookSnapshot;
use crate::features::OBS_LEN;
use crate::feed::BookEvent;
use crate::kalshi::ws;
use crate::policy::N_ACTIONS;
use crate::storage::BookRecord;

mod trading;
pub use trading::*;

/// MarketFeed → BookKeeper: an in-order order-book frame.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct BookEventReceived {
    /// The event.
    pub event: BookEvent,
    /// When the frame was in hand (decision latency starts here, P3).
    pub rx: std::time::Instant,
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

/// MarketFeed → OrderExecutor: the `fill` channel is subscribed on a new connection; fills
/// made while it was not are only in the REST read-back.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct FillChannelOpened;

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
    /// When its frame was in hand.
    pub rx: std::time::Instant,
}

/// Persister → Observer: the record was accepted into the write buffer. This, and only
/// this, wakes the trading chain. It carries the record: the Observer's replica books are
/// rebuilt from exactly what is stored.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct RecordEnqueued {
    /// The accepted record (NO levels in NO terms).
    pub record: BookRecord,
    /// When its frame was in hand.
    pub rx: std::time::Instant,
}

/// What a [`StreamMarked`] says about the record stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamMarker {
    /// Every record received at or before `ms` has been acknowledged before this marker:
    /// the point of that millisecond is complete.
    Through {
        /// Receive ms, inclusive.
        ms: i64,
    },
    /// These books cannot be traded on until their next acknowledged snapshot (a gap, a
    /// stall, a reconnection, or a record the Persister had to refuse).
    Stale {
        /// Markets.
        markets: Vec<String>,
    },
}

/// BookKeeper → Persister → Observer, in order with the records: a marker in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct StreamMarked {
    /// The marker.
    pub marker: StreamMarker,
}

/// Observer → Policy: the observation of a target market at a complete point.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct ObservationBuilt {
    /// Market.
    pub market: String,
    /// Sequence number of the market's last update in the point.
    pub seq: u64,
    /// Receive ms of the point.
    pub recv_ms: i64,
    /// The 52 floats.
    pub obs: [f32; OBS_LEN],
    /// The market's touch at the point, exact (the executor prices orders from it).
    pub touch: crate::executor::intent::Touch,
    /// When the frame that made this observation possible was in hand (a throttled
    /// evaluation: when its wait ended). Decision latency starts here (P3).
    pub started: std::time::Instant,
    /// When the evaluation began (its point complete): the processing part starts here.
    pub built: std::time::Instant,
}

/// Policy → OrderExecutor, Broadcaster, Persister: the policy's decision.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct ActionChosen {
    /// Market.
    pub market: String,
    /// Action number 0–4.
    pub action: usize,
    /// `HOLD`, `BUY_YES`, `SELL_YES`, `BUY_NO` or `SELL_NO`.
    pub name: &'static str,
    /// Softmax of the logits.
    pub probs: [f32; N_ACTIONS],
    /// Raw logits.
    pub logits: [f32; N_ACTIONS],
    /// The model's id.
    pub model_id: std::sync::Arc<str>,
    /// The observation's seq.
    pub seq: u64,
    /// The observation's receive ms.
    pub recv_ms: i64,
    /// The observation (kept with the action).
    pub obs: [f32; OBS_LEN],
    /// The market's touch at the point.
    pub touch: crate::executor::intent::Touch,
    /// Inference time, µs.
    pub inference_us: f64,
    /// When the observation's frame was in hand ([`ObservationBuilt::started`]).
    pub started: std::time::Instant,
    /// When its evaluation began ([`ObservationBuilt::built`]).
    pub built: std::time::Instant,
}

/// OrderExecutor → Observer: the portfolio changed (cents; positions valued at the YES mid
/// as observation.md says).
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct PortfolioChanged {
    /// Cash, cents.
    pub cash_cents: f64,
    /// Portfolio value, cents.
    pub value_cents: f64,
    /// Positions, sorted by market.
    pub positions: Vec<crate::features::portfolio::Position>,
}

/// Observer → OrderExecutor, Broadcaster: the target markets changed. A market that left
/// has its resting orders cancelled; its position is kept.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct TargetsChanged {
    /// New targets.
    pub added: Vec<String>,
    /// Markets no longer targeted.
    pub removed: Vec<String>,
    /// The whole target set now.
    pub current: Vec<String>,
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

/// Anyone (the web control endpoint, a risk limit) → OrderExecutor: stop placing orders and
/// cancel every resting order.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct HaltTrading {
    /// Why (`operator`, `max_daily_loss`, …).
    pub reason: String,
}

/// Anyone → OrderExecutor: trading may resume (after a halt).
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct ResumeTrading;

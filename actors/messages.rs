//! Messages between actors. Events are `SubjectPastParticiple`, commands `VerbObject`;
//! fields are named; market-data events carry `seq` and receive time.

use actix::Message;

use crate::book::BookSnapshot;
use crate::features::OBS_LEN;
use crate::feed::BookEvent;
use crate::kalshi::ws;
use crate::policy::N_ACTIONS;
use crate::storage::BookRecord;

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

/// What happened to one of our orders (OrderExecutor → Observer, Broadcaster, Persister).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    /// The request left (client order id recorded).
    Sent,
    /// The exchange accepted it (`OrderPlaced`).
    Placed,
    /// Price or size changed (`OrderAmended`).
    Amended,
    /// Canceled, by us or the exchange (`OrderCanceled`).
    Canceled,
    /// Refused by risk or by the exchange (`OrderRejected`).
    Rejected,
    /// Fully filled.
    Executed,
    /// The outcome of a request is unknown until reconciliation.
    Unknown,
}

/// OrderExecutor → Observer, Broadcaster, Persister: an order's state changed
/// (OrderPlaced, OrderAmended, OrderCanceled, OrderRejected are its kinds).
#[derive(Debug, Clone, PartialEq, Eq, Message, serde::Serialize)]
#[rtype(result = "()")]
pub struct OrderEvent {
    /// What happened.
    pub kind: OrderEventKind,
    /// Market.
    pub market: String,
    /// Our id.
    pub client_order_id: String,
    /// The exchange's id, once known.
    pub order_id: Option<String>,
    /// `bid` (buy YES) or `ask` (sell YES).
    pub side: crate::domain::BookSide,
    /// YES limit price.
    pub price: crate::domain::Price,
    /// Remaining contracts.
    pub remaining: crate::domain::Count,
    /// Filled contracts so far.
    pub filled: crate::domain::Count,
    /// Why (rejections, cancels), empty otherwise.
    pub reason: String,
    /// When, Unix ms.
    pub ts_ms: i64,
}

/// OrderExecutor → Observer, Broadcaster, Persister: a market's position changed.
#[derive(Debug, Clone, PartialEq, Eq, Message, serde::Serialize)]
#[rtype(result = "()")]
pub struct PositionChanged {
    /// Market.
    pub market: String,
    /// Signed contracts (+YES, −NO).
    pub position: crate::domain::Count,
    /// Cost basis of the open position.
    pub cost_basis: crate::domain::Money,
    /// Realized P&L in this market.
    pub realized_pnl: crate::domain::Money,
    /// Fees paid in this market.
    pub fees: crate::domain::Money,
    /// When, Unix ms.
    pub ts_ms: i64,
}

/// OrderExecutor → Broadcaster, Persister: a risk limit fired, a halt or a resume.
#[derive(Debug, Clone, PartialEq, Eq, Message, serde::Serialize)]
#[rtype(result = "()")]
pub struct RiskEvent {
    /// `max_position`, `max_exposure`, `max_resting`, `rate`, `max_daily_loss`,
    /// `consecutive_errors`, `halt`, `resume`, `discrepancy`…
    pub kind: String,
    /// Market, when the event concerns one.
    pub market: Option<String>,
    /// Details for people.
    pub detail: String,
    /// Whether trading is halted after it.
    pub halted: bool,
    /// When, Unix ms.
    pub ts_ms: i64,
}

/// Web → OrderExecutor: the current trading state, as the control endpoints report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Message)]
#[rtype(result = "ControlStatus")]
pub struct GetControlStatus;

/// The trading state: the body of every successful control response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, actix::MessageResponse)]
pub struct ControlStatus {
    /// Whether trading is halted.
    pub halted: bool,
    /// Why, while halted.
    pub reason: Option<String>,
    /// Whether orders are only simulated (never sent).
    pub dry_run: bool,
}

/// Web → OrderExecutor: what `/rl/status` reports about trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Message)]
#[rtype(result = "TradingSummary")]
pub struct GetTradingSummary;

/// One market's position in a [`TradingSummary`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PositionSummary {
    /// Signed contracts.
    pub position: crate::domain::Count,
    /// Cost basis.
    pub cost: crate::domain::Money,
    /// Realized P&L.
    pub realized_pnl: crate::domain::Money,
    /// Fees paid.
    pub fees: crate::domain::Money,
}

/// Trading state and counters (the `trading` part of `/rl/status`). Never holds a secret.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize, actix::MessageResponse)]
pub struct TradingSummary {
    /// State loaded from the exchange; orders may go out.
    pub ready: bool,
    /// Dry run (`actor.enabled = false`).
    pub dry_run: bool,
    /// Halt reason, when halted.
    pub halted: Option<String>,
    /// Cash.
    pub cash: crate::domain::Money,
    /// Positions by market.
    pub positions: std::collections::BTreeMap<String, PositionSummary>,
    /// Live orders.
    pub live_orders: usize,
    /// Decisions received.
    pub actions: u64,
    /// Requests sent.
    pub requests: u64,
    /// Of which order creations (each with its own client order id).
    pub creates: u64,
    /// Fills counted.
    pub fills: u64,
    /// Discrepancies with the exchange.
    pub discrepancies: u64,
    /// Reconciliations done.
    pub reconciliations: u64,
    /// Decisions without a request, by reason.
    pub skipped: std::collections::BTreeMap<String, u64>,
    /// Risk rejections by reason.
    pub risk_rejections: std::collections::BTreeMap<String, u64>,
    /// Decision latency percentiles, µs.
    pub decision_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub decision_p99_us: Option<f64>,
    /// 99.9th percentile, µs.
    pub decision_p999_us: Option<f64>,
    /// The processing part (point complete → intent), median µs.
    pub processing_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub processing_p99_us: Option<f64>,
    /// Decision → request handed to the HTTP client (signature prepared ahead), p50 µs.
    pub wire_p50_us: Option<f64>,
    /// The same, 99th percentile, µs.
    pub wire_p99_us: Option<f64>,
    /// Order round trip (request handed to the HTTP client → answer in hand), median µs.
    pub round_trip_p50_us: Option<f64>,
    /// 99th percentile, µs.
    pub round_trip_p99_us: Option<f64>,
}

/// OrderExecutor → Observer: our live orders on a market changed (for the `live` order
/// features of observation.md).
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct RestingOrdersChanged {
    /// Market.
    pub market: String,
    /// Its live orders, oldest first.
    pub orders: Vec<crate::features::portfolio::RestingOrder>,
}

/// OrderExecutor → Broadcaster: one of our fills was counted.
#[derive(Debug, Clone, PartialEq, Message)]
#[rtype(result = "()")]
pub struct FillRecorded {
    /// The fill as stored.
    pub fill: crate::storage::FillRow,
}

//! Messages of the trading side: what happened to our orders, positions and risk (from the
//! OrderExecutor to the Observer, the Broadcaster and the Persister), and the status the
//! executor answers to the web API and the dashboard.

use actix::Message;

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
    /// The latest discrepancy (market and detail), if any.
    pub last_discrepancy: Option<String>,
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

//! `EngineEvent`: everything an engine call did, in order, for the server to turn into
//! WebSocket frames (`orderbook_delta`, `trade`, `fill`, `user_order`, `market_position`,
//! `market_lifecycle_v2`).

use super::account::PositionState;
use super::order::SimOrder;
use crate::domain::{BookSide, Count, Money, Outcome, Price};
use crate::kalshi::rest::MarketStatus;

/// Why a published level changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeltaCause {
    /// An order came to rest.
    Placed,
    /// An order was canceled (by its owner or by the engine: expiry, close, STP, margin…).
    Canceled,
    /// A resting order was (partly) filled.
    Filled,
    /// An order was amended (leaves its old level, joins its new one).
    Amended,
    /// An order was decreased in place.
    Decreased,
}

/// A change of one aggregated level of the published book (`orderbook_delta`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookDelta {
    /// Market.
    pub ticker: String,
    /// `yes` for resting bids, `no` for resting asks.
    pub outcome: Outcome,
    /// Level price in the outcome's own terms (an ask at `a` is a NO bid at `1 − a`).
    pub price: Price,
    /// Signed change of the aggregate size.
    pub delta: Count,
    /// Owner of the order that changed.
    pub user_id: String,
    /// That order's id.
    pub order_id: String,
    /// That order's `client_order_id` (sent only to its owner).
    pub client_order_id: Option<String>,
    /// What happened.
    pub cause: DeltaCause,
}

/// One execution (`trade`, public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeEvent {
    /// Trade UUID (equals both fills' `trade_id`).
    pub trade_id: String,
    /// Market.
    pub ticker: String,
    /// Execution price in YES terms.
    pub yes_price: Price,
    /// Contracts.
    pub count: Count,
    /// Book side of the taker.
    pub taker_book_side: BookSide,
    /// Exchange time, Unix milliseconds.
    pub ts_ms: i64,
}

impl TradeEvent {
    /// Outcome the taker bought.
    pub fn taker_outcome(&self) -> Outcome {
        self.taker_book_side.outcome()
    }
}

/// One side of an execution (`fill`, private to `user_id`); also the fill history record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillEvent {
    /// Trade UUID; also the fill id.
    pub trade_id: String,
    /// The order that filled.
    pub order_id: String,
    /// Its `client_order_id`.
    pub client_order_id: Option<String>,
    /// Owner.
    pub user_id: String,
    /// Market.
    pub ticker: String,
    /// True for the incoming (liquidity-taking) order.
    pub is_taker: bool,
    /// Book side of the order.
    pub book_side: BookSide,
    /// Execution price in YES terms.
    pub yes_price: Price,
    /// Contracts.
    pub count: Count,
    /// Fee charged for this fill.
    pub fee: Money,
    /// Signed position after the fill.
    pub post_position: Count,
    /// Exchange time, Unix milliseconds.
    pub ts_ms: i64,
}

impl FillEvent {
    /// Outcome this fill acquired.
    pub fn outcome(&self) -> Outcome {
        self.book_side.outcome()
    }

    /// The REST `Fill` (`GET /portfolio/fills`).
    pub fn to_rest(&self) -> crate::kalshi::rest::Fill {
        crate::kalshi::rest::Fill {
            fill_id: self.trade_id.clone(),
            trade_id: self.trade_id.clone(),
            order_id: self.order_id.clone(),
            ticker: self.ticker.clone(),
            market_ticker: self.ticker.clone(),
            exchange_index: 0,
            outcome_side: self.outcome(),
            book_side: self.book_side,
            count_fp: self.count,
            yes_price_dollars: self.yes_price,
            no_price_dollars: self.yes_price.complement(),
            is_taker: self.is_taker,
            created_time: Some(super::order::rfc3339_ms(self.ts_ms)),
            fee_cost: self.fee,
            subaccount_number: Some(0),
            ts: Some(self.ts_ms.div_euclid(1000)),
            side: None,
            action: None,
        }
    }
}

/// A position changed (`market_position`, private to `user_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionUpdate {
    /// Owner.
    pub user_id: String,
    /// Market.
    pub ticker: String,
    /// The position after the change.
    pub state: PositionState,
}

/// A market lifecycle change (`market_lifecycle_v2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketEvent {
    /// The market moved to a new status.
    Status {
        /// Market.
        ticker: String,
        /// New status.
        status: MarketStatus,
    },
    /// The market settled (`determined` then `settled` on the wire).
    Settled {
        /// Market.
        ticker: String,
        /// Winning outcome.
        result: Outcome,
        /// Settlement time, Unix milliseconds.
        ts_ms: i64,
    },
}

/// Something an engine call did. Events come in causal order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// A published level changed.
    Book(BookDelta),
    /// An execution printed.
    Trade(TradeEvent),
    /// One participant's side of an execution.
    Fill(FillEvent),
    /// An order changed (a snapshot after the change; `last_update_reason` says why).
    Order(Box<SimOrder>),
    /// A position changed.
    Position(PositionUpdate),
    /// A market changed status or settled.
    Market(MarketEvent),
}

impl EngineEvent {
    /// The market the event is about.
    pub fn ticker(&self) -> &str {
        match self {
            EngineEvent::Book(d) => &d.ticker,
            EngineEvent::Trade(t) => &t.ticker,
            EngineEvent::Fill(f) => &f.ticker,
            EngineEvent::Order(o) => &o.ticker,
            EngineEvent::Position(p) => &p.ticker,
            EngineEvent::Market(MarketEvent::Status { ticker, .. } | MarketEvent::Settled { ticker, .. }) => ticker,
        }
    }
}

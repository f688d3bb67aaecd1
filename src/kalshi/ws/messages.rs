//! Server → client data payloads (`msg` of data frames) in the 2026 shapes.
//!
//! Order-book payloads borrow their strings from the frame text (they are the hot path);
//! the rest own theirs. Deprecated fields that Kalshi's schema still requires are `Option`s:
//! we read them when present and never depend on them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::domain::{BookSide, Count, Money, Outcome, Price};

/// One `[price_dollars, count_fp]` level.
pub type WireLevel = (Price, Count);

/// `orderbook_snapshot` payload: YES bids and NO bids; an empty side's key is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderbookSnapshot<'a> {
    /// Market.
    #[serde(borrow)]
    pub market_ticker: Cow<'a, str>,
    /// Market UUID.
    #[serde(borrow, default)]
    pub market_id: Cow<'a, str>,
    /// Resting YES bids, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yes_dollars_fp: Vec<WireLevel>,
    /// Resting NO bids, ascending (NO-leg prices unless `use_yes_price`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_dollars_fp: Vec<WireLevel>,
}

/// `orderbook_delta` payload: a signed change of one level's aggregate size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderbookDelta<'a> {
    /// Market.
    #[serde(borrow)]
    pub market_ticker: Cow<'a, str>,
    /// Market UUID.
    #[serde(borrow, default)]
    pub market_id: Cow<'a, str>,
    /// Level price.
    pub price_dollars: Price,
    /// Signed size change.
    pub delta_fp: Count,
    /// Which bids: `yes` or `no`.
    pub side: Outcome,
    /// Deprecated RFC 3339 time.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<Cow<'a, str>>,
    /// Exchange time, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
    /// Present only on deltas caused by the subscriber's own orders.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<Cow<'a, str>>,
    /// Subaccount of the own order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<u32>,
}

/// `ticker` payload (no seq).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticker {
    /// Market.
    pub market_ticker: String,
    /// Market UUID.
    #[serde(default)]
    pub market_id: String,
    /// Last trade price.
    pub price_dollars: Price,
    /// Best YES bid.
    pub yes_bid_dollars: Price,
    /// Best YES ask.
    pub yes_ask_dollars: Price,
    /// Size at the best YES bid.
    #[serde(default)]
    pub yes_bid_size_fp: Count,
    /// Size at the best YES ask.
    #[serde(default)]
    pub yes_ask_size_fp: Count,
    /// Size of the last trade.
    #[serde(default)]
    pub last_trade_size_fp: Count,
    /// Contracts traded.
    pub volume_fp: Count,
    /// Open interest.
    pub open_interest_fp: Count,
    /// Whole-dollar volume.
    #[serde(default)]
    pub dollar_volume: i64,
    /// Whole-dollar open interest.
    #[serde(default)]
    pub dollar_open_interest: i64,
    /// Deprecated seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Exchange time, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
    /// Deprecated RFC 3339 time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// `trade` payload (has seq).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Trade UUID (equals the private fill's `trade_id`).
    pub trade_id: String,
    /// Market.
    pub market_ticker: String,
    /// Execution price, YES terms.
    pub yes_price_dollars: Price,
    /// `1 − yes_price_dollars`.
    pub no_price_dollars: Price,
    /// Contracts.
    pub count_fp: Count,
    /// Deprecated taker side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_side: Option<Outcome>,
    /// Taker's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_outcome_side: Option<Outcome>,
    /// Taker's book side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taker_book_side: Option<BookSide>,
    /// Block trade flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_block_trade: Option<bool>,
    /// Deprecated seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Exchange time, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
}

/// `fill` payload: one execution of one of our orders (no seq).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// Trade UUID; the dedupe key.
    pub trade_id: String,
    /// Our order.
    pub order_id: String,
    /// Our idempotency key, when the order had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Market.
    pub market_ticker: String,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: u32,
    /// True when we took liquidity.
    pub is_taker: bool,
    /// Outcome acquired.
    pub outcome_side: Outcome,
    /// Book side of our order.
    pub book_side: BookSide,
    /// Deprecated side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Outcome>,
    /// Deprecated action (`buy`, `sell`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Deprecated purchased side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchased_side: Option<Outcome>,
    /// Execution price, YES terms.
    pub yes_price_dollars: Price,
    /// Contracts.
    pub count_fp: Count,
    /// Fee for this fill.
    pub fee_cost: Money,
    /// Signed position after the fill (+YES / −NO): the truth for inventory.
    pub post_position_fp: Count,
    /// Deprecated seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Exchange time, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
    /// Subaccount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<u32>,
}

/// `market_position` payload (no seq).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketPosition {
    /// Account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Market.
    pub market_ticker: String,
    /// Signed position.
    pub position_fp: Count,
    /// Cost of the position.
    #[serde(with = "crate::domain::dp4")]
    pub position_cost_dollars: Money,
    /// Realized P&L.
    #[serde(with = "crate::domain::dp4")]
    pub realized_pnl_dollars: Money,
    /// Fees paid.
    #[serde(with = "crate::domain::dp4")]
    pub fees_paid_dollars: Money,
    /// Fees attributed to the open position.
    #[serde(default, with = "crate::domain::dp4")]
    pub position_fee_cost_dollars: Money,
    /// Contracts traded.
    #[serde(default)]
    pub volume_fp: Count,
    /// Subaccount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<u32>,
}

/// `user_order` payload (no seq). Note the market key is `ticker` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserOrder {
    /// Order UUID.
    pub order_id: String,
    /// Account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Idempotency key; empty string when the order had none.
    #[serde(default)]
    pub client_order_id: String,
    /// Market.
    pub ticker: String,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: u32,
    /// `resting`, `canceled`, `executed` or `unknown`.
    pub status: String,
    /// Outcome of the order.
    pub outcome_side: Outcome,
    /// Book side.
    pub book_side: BookSide,
    /// Deprecated side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Outcome>,
    /// Deprecated YES flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_yes: Option<bool>,
    /// Limit price, YES terms.
    pub yes_price_dollars: Price,
    /// Filled so far.
    pub fill_count_fp: Count,
    /// Still resting.
    pub remaining_count_fp: Count,
    /// Original size.
    pub initial_count_fp: Count,
    /// Cost of taker fills.
    #[serde(default)]
    pub taker_fill_cost_dollars: Money,
    /// Cost of maker fills.
    #[serde(default)]
    pub maker_fill_cost_dollars: Money,
    /// Taker fees.
    #[serde(default)]
    pub taker_fees_dollars: Money,
    /// Maker fees.
    #[serde(default)]
    pub maker_fees_dollars: Money,
    /// Self-trade prevention mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_trade_prevention_type: Option<String>,
    /// Order group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_group_id: Option<String>,
    /// Deprecated creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    /// Creation, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_ts_ms: Option<i64>,
    /// Last update, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_ts_ms: Option<i64>,
    /// Expiry, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_ts_ms: Option<i64>,
    /// Why it changed (announced, not in the schema; tolerated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_reason: Option<String>,
    /// Subaccount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount_number: Option<u32>,
}

/// One `{start, end, step}` band as Kalshi writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePriceRange {
    /// First price.
    pub start: Price,
    /// Last price.
    pub end: Price,
    /// Step.
    pub step: Price,
}

/// `market_lifecycle_v2` payload (has seq).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketLifecycle {
    /// Market.
    pub market_ticker: String,
    /// `created`, `activated`, `deactivated`, `close_date_updated`, `determined`, `settled`,
    /// `price_level_structure_updated`, `metadata_updated`.
    pub event_type: String,
    /// Opening time, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_ts: Option<i64>,
    /// Closing time, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_ts: Option<i64>,
    /// Determination time, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub determination_ts: Option<i64>,
    /// `yes`, `no`, `scalar` or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Payout per YES contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_value: Option<Price>,
    /// Settlement time, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_ts: Option<i64>,
    /// Pause flag on (de)activation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deactivated: Option<bool>,
    /// New price level structure name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_level_structure: Option<String>,
    /// New price grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_ranges: Option<Vec<WirePriceRange>>,
    /// Exchange shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index: Option<u32>,
}

//! `SimOrder`: the engine's record of one order, and its conversion to the REST `Order`.

use crate::domain::{BookSide, Count, Money, Price};
use crate::kalshi::rest::{LastUpdateReason, Order, OrderStatus, OrderType, SelfTradePreventionType, TimeInForce};

/// Everything the engine knows about one order. `initial_count` is the size asked for (the
/// new total after an amend); `fill_count + remaining_count` is smaller once part of it was
/// canceled or capped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    /// Engine sequence number (creation order; also the id's counter).
    pub seq: u64,
    /// Exchange order id (a UUID derived from `seq`).
    pub order_id: String,
    /// Owner.
    pub user_id: String,
    /// Idempotency key, if the order has one.
    pub client_order_id: Option<String>,
    /// Market.
    pub ticker: String,
    /// Side of the YES book.
    pub side: BookSide,
    /// YES limit price.
    pub price: Price,
    /// Size requested (new total after an amend).
    pub initial_count: Count,
    /// Contracts filled.
    pub fill_count: Count,
    /// Contracts resting (0 once canceled or executed).
    pub remaining_count: Count,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Self-trade prevention mode.
    pub self_trade_prevention_type: SelfTradePreventionType,
    /// Never takes liquidity.
    pub post_only: bool,
    /// Never grows the position.
    pub reduce_only: bool,
    /// Cancel on a trading pause.
    pub cancel_order_on_pause: bool,
    /// Order group, if any.
    pub order_group_id: Option<String>,
    /// Subaccount number.
    pub subaccount: u32,
    /// Expiry, Unix milliseconds.
    pub expiration_ts_ms: Option<i64>,
    /// Creation time, Unix milliseconds.
    pub created_ts_ms: i64,
    /// Last change, Unix milliseconds.
    pub last_updated_ts_ms: i64,
    /// Cost of fills where this order took liquidity, in its own outcome's prices.
    pub taker_fill_cost: Money,
    /// Cost of fills where this order rested, in its own outcome's prices.
    pub maker_fill_cost: Money,
    /// Taker fees paid.
    pub taker_fees: Money,
    /// Maker fees paid.
    pub maker_fees: Money,
    /// Why the order last changed.
    pub last_update_reason: Option<LastUpdateReason>,
    /// Cash reserved for the resting remainder.
    pub reserved: Money,
}

impl SimOrder {
    /// True while the order is on the book.
    pub fn is_resting(&self) -> bool {
        self.status == OrderStatus::Resting
    }

    /// The REST `Order` (`GET /portfolio/orders`), in current field names only.
    pub fn to_rest(&self) -> Order {
        Order {
            order_id: self.order_id.clone(),
            user_id: self.user_id.clone(),
            client_order_id: self.client_order_id.clone().unwrap_or_default(),
            ticker: self.ticker.clone(),
            outcome_side: self.side.outcome(),
            book_side: self.side,
            order_type: Some(OrderType::Limit),
            status: self.status,
            yes_price_dollars: self.price,
            no_price_dollars: self.price.complement(),
            fill_count_fp: self.fill_count,
            remaining_count_fp: self.remaining_count,
            initial_count_fp: self.initial_count,
            taker_fill_cost_dollars: self.taker_fill_cost,
            maker_fill_cost_dollars: self.maker_fill_cost,
            taker_fees_dollars: self.taker_fees,
            maker_fees_dollars: self.maker_fees,
            expiration_time: self.expiration_ts_ms.map(rfc3339_ms),
            created_time: Some(rfc3339_ms(self.created_ts_ms)),
            last_update_time: Some(rfc3339_ms(self.last_updated_ts_ms)),
            self_trade_prevention_type: Some(self.self_trade_prevention_type),
            order_group_id: self.order_group_id.clone(),
            cancel_order_on_pause: self.cancel_order_on_pause,
            subaccount_number: Some(self.subaccount),
            exchange_index: 0,
            side: None,
            action: None,
            last_update_reason: None,
        }
    }
}

/// Unix milliseconds as RFC 3339 UTC with microseconds (`"2026-11-20T15:04:05.123000Z"`),
/// the form Kalshi prints.
pub fn rfc3339_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let micros = ms.rem_euclid(1000) * 1000;
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z", sod / 3600, sod % 3600 / 60, sod % 60)
}

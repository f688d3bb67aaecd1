//! `Order` as read from `GET /portfolio/orders[/{order_id}]` (§5.7, §11.5) with its status
//! and legacy direction enums, plus the queue-position response.

use serde::{Deserialize, Serialize};

use super::orders::SelfTradePreventionType;
use super::serde_util::null_default;
use crate::domain::{BookSide, Count, Money, Outcome, Price};

/// Order `status` (`pending` was removed Nov 2025; the WS also knows `unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// On the book.
    Resting,
    /// Canceled (possibly after partial fills).
    Canceled,
    /// Fully filled.
    Executed,
    /// Any other value (`unknown` on the WS).
    #[serde(other)]
    Unknown,
}

/// Order `type`: always `limit` since market orders were removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// Limit order.
    Limit,
    /// Legacy market order.
    Market,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// Deprecated `side` (`yes`/`no`) on orders, fills and trades; use `outcome_side`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegacySide {
    /// YES.
    Yes,
    /// NO.
    No,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// Deprecated `action` (`buy`/`sell`) on orders and fills; use `book_side`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegacyAction {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
    /// Any other value (`sell_partial`, `""`, …).
    #[serde(other)]
    Unknown,
}

/// `last_update_reason` (announced for REST orders, in no official schema: tolerated only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LastUpdateReason {
    /// Size decreased.
    Decrease,
    /// Amended.
    Amend,
    /// Canceled for margin.
    MarginCancel,
    /// Canceled by self-trade prevention.
    SelfTradeCancel,
    /// Reached `expiration_time`.
    ExpiryCancel,
    /// Canceled at market close.
    CloseCancel,
    /// Canceled by a halt.
    HaltCancel,
    /// Filled (partly or fully).
    Trade,
    /// Post-only order would have crossed.
    PostOnlyCrossCancel,
    /// Reduce-only capped by the position.
    ReduceOnlyCancel,
    /// Any other value.
    #[serde(other)]
    Unknown,
}

/// One order (`models/order.ts`, 3.30.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Exchange order id (UUID).
    pub order_id: String,
    /// Owner (UUID).
    #[serde(default)]
    pub user_id: String,
    /// Client id; `""` when the order was created without one.
    #[serde(default)]
    pub client_order_id: String,
    /// Market ticker.
    pub ticker: String,
    /// Outcome the order acquires (`bid` → yes, `ask` → no).
    pub outcome_side: Outcome,
    /// Side of the YES book.
    pub book_side: BookSide,
    /// Order type (`limit`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<OrderType>,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// YES limit price (the limit, not the execution price).
    pub yes_price_dollars: Price,
    /// `1 − yes_price_dollars`.
    pub no_price_dollars: Price,
    /// Contracts filled.
    pub fill_count_fp: Count,
    /// Contracts still resting (`"0.00"` once canceled or executed).
    pub remaining_count_fp: Count,
    /// Size at creation.
    #[serde(default)]
    pub initial_count_fp: Count,
    /// Cost of fills where we were taker (6 dp).
    #[serde(default)]
    pub taker_fill_cost_dollars: Money,
    /// Cost of fills where we were maker (6 dp).
    #[serde(default)]
    pub maker_fill_cost_dollars: Money,
    /// Taker fees paid (6 dp).
    #[serde(default)]
    pub taker_fees_dollars: Money,
    /// Maker fees paid (6 dp).
    #[serde(default)]
    pub maker_fees_dollars: Money,
    /// Expiry (RFC 3339), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    /// Last update time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
    /// Self-trade prevention mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_trade_prevention_type: Option<SelfTradePreventionType>,
    /// Order group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_group_id: Option<String>,
    /// Cancel on a trading or exchange pause.
    #[serde(default)]
    pub cancel_order_on_pause: bool,
    /// Subaccount number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount_number: Option<u32>,
    /// Exchange shard.
    #[serde(default)]
    pub exchange_index: i32,
    /// Deprecated `side` (still sent mid-2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<LegacySide>,
    /// Deprecated `action` (still sent mid-2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<LegacyAction>,
    /// Why the order last changed (tolerated; never emitted by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_reason: Option<LastUpdateReason>,
}

/// `GET /portfolio/orders` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersResponse {
    /// One page of orders.
    #[serde(default, deserialize_with = "null_default")]
    pub orders: Vec<Order>,
    /// Next-page cursor; `""` on the last page.
    #[serde(default)]
    pub cursor: String,
}

/// `GET /portfolio/orders/{order_id}` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderResponse {
    /// The order.
    pub order: Order,
}

/// `GET /portfolio/orders/{order_id}/queue_position` response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePositionResponse {
    /// Contracts ahead of the order at its price (0-indexed).
    pub queue_position_fp: Count,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The IOC bid of §5.7: limit 0.99, filled at 0.52.
    const IOC_ORDER: &str = r#"{"order_id":"4e0b7a52-2b2e-4c61-9a3c-6a0d9f1f0e11","user_id":"u-1",
        "client_order_id":"c-1","ticker":"KXDEMO-26NOV30-T50","outcome_side":"yes","book_side":"bid",
        "side":"yes","action":"buy","type":"limit","status":"executed",
        "yes_price_dollars":"0.9900","no_price_dollars":"0.0100","fill_count_fp":"1.00",
        "remaining_count_fp":"0.00","initial_count_fp":"1.00","taker_fill_cost_dollars":"0.520000",
        "maker_fill_cost_dollars":"0.000000","taker_fees_dollars":"0.017500","maker_fees_dollars":"0.000000",
        "expiration_time":null,"created_time":"2026-06-11T06:29:43.527478Z",
        "self_trade_prevention_type":"taker_at_cross","order_group_id":null,
        "cancel_order_on_pause":false,"subaccount_number":0,"exchange_index":0,
        "last_update_reason":"Trade","queue_position":7}"#;

    #[test]
    fn parses_observed_order() {
        let o: Order = serde_json::from_str(IOC_ORDER).unwrap();
        assert_eq!(o.status, OrderStatus::Executed);
        assert_eq!((o.outcome_side, o.book_side), (Outcome::Yes, BookSide::Bid));
        assert_eq!(o.order_type, Some(OrderType::Limit));
        assert_eq!(o.yes_price_dollars.centicents(), 9900);
        assert_eq!(o.no_price_dollars.centicents(), 100);
        assert_eq!(o.fill_count_fp.hundredths(), 100);
        assert_eq!(o.remaining_count_fp, Count::ZERO);
        assert_eq!(o.taker_fill_cost_dollars.micros(), 520_000);
        assert_eq!(o.taker_fees_dollars.micros(), 17_500);
        assert_eq!(o.expiration_time, None);
        assert_eq!(o.self_trade_prevention_type, Some(SelfTradePreventionType::TakerAtCross));
        assert_eq!((o.side, o.action), (Some(LegacySide::Yes), Some(LegacyAction::Buy)));
        assert_eq!(o.last_update_reason, Some(LastUpdateReason::Trade));
        assert_eq!(o.subaccount_number, Some(0));
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains(r#""type":"limit""#) && json.contains(r#""taker_fees_dollars":"0.017500""#));
        assert_eq!(serde_json::from_str::<Order>(&json).unwrap(), o);
    }

    #[test]
    fn list_single_and_queue() {
        let list = format!(r#"{{"orders":[{IOC_ORDER}],"cursor":""}}"#);
        let r: OrdersResponse = serde_json::from_str(&list).unwrap();
        assert_eq!(r.orders.len(), 1);
        assert_eq!(r.cursor, "");
        let single: OrderResponse = serde_json::from_str(&format!(r#"{{"order":{IOC_ORDER}}}"#)).unwrap();
        assert_eq!(single.order, r.orders[0]);
        let q: QueuePositionResponse = serde_json::from_str(r#"{"queue_position_fp":"12.50"}"#).unwrap();
        assert_eq!(q.queue_position_fp.hundredths(), 1250);
    }

    #[test]
    fn tolerates_new_enum_values_and_rejects_bad_numbers() {
        let odd = IOC_ORDER
            .replace(r#""status":"executed""#, r#""status":"pending""#)
            .replace(r#""action":"buy""#, r#""action":"sell_to_close""#)
            .replace(r#""Trade""#, r#""SomethingNew""#);
        let o: Order = serde_json::from_str(&odd).unwrap();
        assert_eq!(o.status, OrderStatus::Unknown);
        assert_eq!(o.action, Some(LegacyAction::Unknown));
        assert_eq!(o.last_update_reason, Some(LastUpdateReason::Unknown));
        let bad = IOC_ORDER.replace(r#""0.9900""#, r#""0.99001""#);
        assert!(serde_json::from_str::<Order>(&bad).unwrap_err().to_string().contains("decimal places"));
        let bad = IOC_ORDER.replace(r#""book_side":"bid","#, "");
        let e = serde_json::from_str::<Order>(&bad).unwrap_err();
        assert!(e.to_string().contains("missing field `book_side`"), "{e}");
    }
}

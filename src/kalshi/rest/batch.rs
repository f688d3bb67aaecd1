//! Batched V2 order bodies, `POST` / `DELETE /portfolio/events/orders/batched` (§5.5).
//!
//! Each result item either describes the order or carries a per-item `error` in the flat
//! `ErrorResponse` shape; the whole batch still answers 201 / 200.

use serde::{Deserialize, Serialize};

use super::error_body::ErrorDetail;
use super::orders::CreateOrderV2Request;
use super::serde_util::{dollars4_opt, null_default};
use crate::domain::{Count, Money};

/// `POST /portfolio/events/orders/batched` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreateOrdersV2Request {
    /// Orders to create, each billed like a single create.
    pub orders: Vec<CreateOrderV2Request>,
}

/// One item of the batch create response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreateOrderV2Result {
    /// Exchange order id; absent when the item failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Echo of the item's `client_order_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts filled immediately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_count: Option<Count>,
    /// Contracts still resting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_count: Option<Count>,
    /// Average YES execution price per contract.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fill_price: Option<Money>,
    /// Average fee per contract.
    #[serde(default, with = "dollars4_opt", skip_serializing_if = "Option::is_none")]
    pub average_fee_paid: Option<Money>,
    /// Matching-engine time, Unix milliseconds; absent when the item failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
    /// Per-item failure (flat error shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// `POST …/batched` → 201 body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreateOrdersV2Response {
    /// One result per requested order, in request order.
    #[serde(default, deserialize_with = "null_default")]
    pub orders: Vec<BatchCreateOrderV2Result>,
}

/// One order to cancel in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCancelOrderV2Item {
    /// Order to cancel.
    pub order_id: String,
    /// Subaccount of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<u32>,
    /// Exchange shard of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_index: Option<i32>,
    /// Market ticker (for auto-routing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_ticker: Option<String>,
}

/// `DELETE /portfolio/events/orders/batched` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCancelOrdersV2Request {
    /// Orders to cancel.
    pub orders: Vec<BatchCancelOrderV2Item>,
}

/// One item of the batch cancel response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCancelOrderV2Result {
    /// The order the item is about.
    pub order_id: String,
    /// Its `client_order_id`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// Contracts removed from the book (required in the schema; `"0.00"` when absent).
    #[serde(default)]
    pub reduced_by: Count,
    /// Matching-engine time, Unix milliseconds; absent when the cancel errored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts_ms: Option<i64>,
    /// Per-item failure (flat error shape), e.g. `not_found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// `DELETE …/batched` → 200 body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCancelOrdersV2Response {
    /// One result per requested cancel.
    #[serde(default, deserialize_with = "null_default")]
    pub orders: Vec<BatchCancelOrderV2Result>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{BookSide, Price};
    use crate::kalshi::rest::orders::{SelfTradePreventionType, TimeInForce};

    #[test]
    fn batch_create_round_trip_with_item_error() {
        let req = BatchCreateOrdersV2Request {
            orders: vec![CreateOrderV2Request::new(
                "T",
                BookSide::Ask,
                Count::contracts(1),
                Price::from_cents(60).unwrap(),
                TimeInForce::GoodTillCanceled,
                SelfTradePreventionType::TakerAtCross,
            )],
        };
        let json = serde_json::to_string(&req).unwrap();
        assert!(json.starts_with(r#"{"orders":[{"ticker":"T","side":"ask","count":"1.00","price":"0.6000""#));
        assert_eq!(serde_json::from_str::<BatchCreateOrdersV2Request>(&json).unwrap(), req);

        let body = r#"{"orders":[
            {"order_id":"o-1","client_order_id":"c-1","fill_count":"1.00","remaining_count":"0.00",
             "average_fill_price":"0.6000","average_fee_paid":"0.0168","ts_ms":7},
            {"client_order_id":null,"ts_ms":null,
             "error":{"code":"invalid_order","message":"invalid order","details":"post only cross"}}]}"#;
        let r: BatchCreateOrdersV2Response = serde_json::from_str(body).unwrap();
        assert_eq!(r.orders[0].fill_count, Some(Count::contracts(1)));
        assert_eq!(r.orders[0].average_fee_paid, Some(Money::from_micros(16_800)));
        assert_eq!(r.orders[1].order_id, None);
        let err = r.orders[1].error.as_ref().unwrap();
        assert_eq!((err.code.as_str(), err.details.as_deref()), ("invalid_order", Some("post only cross")));
        let back: BatchCreateOrdersV2Response = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn batch_cancel() {
        let req = BatchCancelOrdersV2Request {
            orders: vec![BatchCancelOrderV2Item {
                order_id: "o-1".into(),
                subaccount: None,
                exchange_index: None,
                market_ticker: Some("T".into()),
            }],
        };
        assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"orders":[{"order_id":"o-1","market_ticker":"T"}]}"#);
        let body = r#"{"orders":[{"order_id":"o-1","reduced_by":"3.00","ts_ms":11},
            {"order_id":"o-2","reduced_by":"0.00","error":{"code":"not_found","message":"not found"}}]}"#;
        let r: BatchCancelOrdersV2Response = serde_json::from_str(body).unwrap();
        assert_eq!(r.orders[0].reduced_by.hundredths(), 300);
        assert_eq!(r.orders[0].ts_ms, Some(11));
        assert_eq!(r.orders[1].error.as_ref().map(|e| e.code.as_str()), Some("not_found"));
        let back: BatchCancelOrdersV2Response = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let e = serde_json::from_str::<BatchCancelOrdersV2Response>(r#"{"orders":[{"reduced_by":"1"}]}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `order_id`"), "{e}");
    }
}
